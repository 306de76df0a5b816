//! `check` finds each kind of drift on an integration applied to the emulator, and the binary's
//! exit codes are 0 (all good), 1 (drift or failure) and 2 (could not run).

use halo_onboard::answers::Answers;
use halo_onboard::halo::{Client, Endpoint};
use halo_onboard::headless::check::{Audit, BOOTSTRAP_CHECKS, Report, Status, audit};
use halo_onboard::sim::{self, Record, SimHandle, State};
use secrecy::{ExposeSecret, SecretString};
use serde_json::json;

use crate::common::bin::{Home, Run};
use crate::common::emulator::*;

/// An emulator with one profile applied: what `check` audits.
struct Setup {
    sim: SimHandle,
    ep: Endpoint,
    admin: Client,
    answers: Answers,
    client_id: String,
    secret: SecretString,
    agent_id: i64,
    role_id: String,
    application_id: String,
    _dir: tempfile::TempDir,
}

async fn setup(profile: &str) -> Setup {
    setup_with(halo_onboard::profile::answers_for(profile).unwrap()).await
}

async fn setup_with(answers: Answers) -> Setup {
    let Env {
        sim,
        ep,
        admin,
        dir,
        journal,
    } = env().await;
    let mut s = journal.create(answers.clone(), Some(ep.clone())).unwrap();
    let a = applier(&admin, &journal).apply(&mut s).await.unwrap();
    Setup {
        sim,
        ep,
        admin,
        answers,
        client_id: a.client_id,
        secret: a.client_secret.unwrap(),
        agent_id: a.agent_id,
        role_id: a.role_id,
        application_id: a.application_id,
        _dir: dir,
    }
}

impl Setup {
    async fn audit_with(&self, secret: &SecretString, bootstrap: bool) -> Report {
        audit(&Audit {
            endpoint: &self.ep,
            answers: &self.answers,
            app_client_id: &self.client_id,
            app_secret: secret,
            bootstrap: bootstrap.then_some(&self.admin),
            adopted: false,
            setup: None,
            opts: fast_opts(),
            secret_issued_unix: Some(halo_onboard::journal::now_unix()),
            manual_left: Vec::new(),
            policy: Default::default(),
        })
        .await
    }

    async fn audit(&self) -> Report {
        self.audit_with(&self.secret, true).await
    }

    fn change(&self, f: impl FnOnce(&mut State, &Setup)) {
        self.sim.with_state(|st| f(st, self));
    }
}

fn app<'a>(st: &'a mut State, s: &Setup) -> &'a mut Record {
    st.application_mut(&s.application_id).unwrap()
}

fn agent<'a>(st: &'a mut State, s: &Setup) -> &'a mut Record {
    st.agent_mut(s.agent_id).unwrap()
}

fn role<'a>(st: &'a mut State, s: &Setup) -> &'a mut Record {
    st.role_mut(&s.role_id).unwrap()
}

fn failed(r: &Report) -> Vec<String> {
    r.checks
        .iter()
        .filter(|c| c.status == Status::Fail)
        .map(|c| c.name.clone())
        .collect()
}

fn assert_drift(r: &Report, want: &str, failing_row: &str) {
    assert!(!r.ok);
    assert_eq!(r.code(), 1);
    assert!(
        r.drift.iter().any(|d| d == want),
        "drift {want:?} not in {:?}",
        r.drift
    );
    let row = r
        .row(failing_row)
        .unwrap_or_else(|| panic!("no row {failing_row}"));
    assert_eq!(row.status, Status::Fail, "{row:?}");
    assert!(
        row.fix.starts_with("In Halo:") || row.fix.contains("Halo"),
        "{row:?}"
    );
}

#[tokio::test]
async fn a_fresh_integration_passes_every_check() {
    let s = setup("topleft").await;
    s.sim.clear_requests();
    let r = s.audit().await;
    assert!(r.ok, "{:?}", failed(&r));
    assert_eq!(r.code(), 0);
    assert!(r.drift.is_empty(), "{:?}", r.drift);
    assert!(r.checks.iter().all(|c| c.status == Status::Pass));
    for name in BOOTSTRAP_CHECKS.iter().chain(&["token", "agent"]) {
        assert!(r.row(name).is_some(), "missing row {name}");
    }
    // The audit only reads.
    assert!(
        s.sim
            .requests()
            .iter()
            .all(|q| q.method == "GET" || q.path.ends_with("/auth/token")),
        "check wrote to Halo"
    );
}

#[tokio::test]
async fn extra_scope_is_drift_and_needs_the_bootstrap_credentials() {
    let s = setup("topleft").await;
    s.change(|st, s| app(st, s).list_mut("scopes").push(json!({"name": "admin"})));
    let r = s.audit().await;
    assert_drift(&r, "extra scope admin", "application scopes");
    assert!(
        r.row("application scopes")
            .unwrap()
            .fix
            .contains("untick admin")
    );
    // A token only shows what was asked for: without bootstrap the check says it skipped this.
    let r = s.audit_with(&s.secret, false).await;
    assert!(r.ok, "{:?}", failed(&r));
    assert_eq!(r.row("extra scopes").unwrap().status, Status::Skip);
    assert_eq!(r.row("application scopes").unwrap().status, Status::Skip);
    assert!(
        r.row("application scopes")
            .unwrap()
            .detail
            .contains("bootstrap")
    );
}

#[tokio::test]
async fn missing_scope_is_drift_with_or_without_bootstrap() {
    let s = setup("topleft").await;
    s.change(|st, s| {
        app(st, s)
            .list_mut("scopes")
            .retain(|x| x["name"] != "admin:webhooks");
    });
    let r = s.audit().await;
    assert_drift(&r, "missing scope admin:webhooks", "application scopes");
    assert!(
        r.row("application scopes")
            .unwrap()
            .fix
            .contains("tick admin:webhooks")
    );
    // The token shows it too.
    assert_eq!(r.row("token").unwrap().status, Status::Fail);
    let r = s.audit_with(&s.secret, false).await;
    assert_eq!(r.code(), 1);
    assert!(
        r.drift
            .contains(&"missing scope admin:webhooks".to_string())
    );
}

#[tokio::test]
async fn disabled_agent_is_drift() {
    let s = setup("topleft").await;
    s.change(|st, s| agent(st, s).set("isdisabled", true));
    let r = s.audit().await;
    assert_drift(&r, "agent disabled", "agent active");
    // The token is refused as a consequence; not reported as a second cause.
    assert_eq!(r.row("token").unwrap().status, Status::Fail);
    assert!(
        !r.drift
            .contains(&"application credentials rejected".to_string())
    );
}

#[tokio::test]
async fn agent_no_longer_api_only_is_drift() {
    let s = setup("topleft").await;
    s.change(|st, s| agent(st, s).set("isapiagent", false));
    let r = s.audit().await;
    assert_drift(&r, "agent not API-only", "agent API-only");
    assert_eq!(failed(&r), vec!["agent API-only"]);
}

#[tokio::test]
async fn role_removed_from_agent_is_drift() {
    let s = setup("topleft").await;
    s.change(|st, s| agent(st, s).list_mut("roles").clear());
    let r = s.audit().await;
    assert_drift(&r, "role 'TopLeft Role' removed from agent", "agent role");
    assert!(
        r.row("agent role")
            .unwrap()
            .fix
            .contains("add 'TopLeft Role'")
    );
}

#[tokio::test]
async fn role_that_lost_admin_is_drift() {
    let s = setup("topleft").await;
    s.change(|st, s| role(st, s).list_mut("claims").retain(|c| c["type"] != "SA"));
    let r = s.audit().await;
    assert_drift(&r, "role lost admin", "role admin");
}

#[tokio::test]
async fn role_feature_access_below_the_profile_is_drift() {
    let s = setup("guardz").await;
    let before = s.audit().await;
    assert_eq!(before.row("role permissions").unwrap().status, Status::Pass);
    s.change(|st, s| {
        for c in role(st, s).list_mut("claims") {
            if c["type"] == "Tx" {
                c["value"] = json!("1"); // Read Only
            }
        }
    });
    let r = s.audit().await;
    assert_drift(&r, "role Tickets below Read and Modify", "role permissions");
}

#[tokio::test]
async fn inactive_application_is_drift() {
    let s = setup("topleft").await;
    s.change(|st, s| app(st, s).set("inactive", true));
    let r = s.audit().await;
    assert_drift(&r, "application inactive", "application active");
    assert!(
        !r.drift
            .contains(&"application credentials rejected".to_string())
    );
}

#[tokio::test]
async fn wrong_app_secret_is_a_finding_not_could_not_run() {
    let s = setup("topleft").await;
    let wrong = SecretString::from("not-the-secret".to_string());
    for bootstrap in [true, false] {
        let r = s.audit_with(&wrong, bootstrap).await;
        assert_eq!(r.code(), 1, "bootstrap={bootstrap}");
        let t = r.row("token").unwrap();
        assert_eq!(t.status, Status::Fail);
        assert!(t.detail.contains("invalid_client"), "{}", t.detail);
        assert!(t.detail.contains("secret"), "{}", t.detail);
        assert!(
            r.drift
                .contains(&"application credentials rejected".to_string())
        );
        assert_eq!(r.row("scope probes").unwrap().status, Status::Skip);
    }
}

#[tokio::test]
async fn login_agent_switched_is_drift() {
    let s = setup("topleft").await;
    s.change(|st, s| app(st, s).set("loginas_agent_id", sim::state::BOOTSTRAP_AGENT_ID));
    let r = s.audit().await;
    assert_drift(
        &r,
        "application logs in as another agent",
        "application login",
    );
    let r = s.audit_with(&s.secret, false).await;
    assert!(
        r.drift
            .contains(&"application logs in as another agent".to_string())
    );
    assert_eq!(r.row("login agent").unwrap().status, Status::Fail);
}

// --- the binary ---------------------------------------------------------------------------

/// `check --url … --profile topleft --app-client-id …` and `extra`; never prints a secret.
async fn check_bin(s: &Setup, extra: &[&str], env: &[(&str, &str)]) -> Run {
    let mut args = vec![
        "check",
        "--url",
        &s.sim.url,
        "--profile",
        "topleft",
        "--app-client-id",
        &s.client_id,
    ];
    args.extend_from_slice(extra);
    let r = Home::new().run(&args, env).await;
    for secret in [s.secret.expose_secret(), s.sim.client_secret.as_str()] {
        assert!(
            !r.stdout.contains(secret) && !r.stderr.contains(secret),
            "a secret was printed"
        );
    }
    r
}

#[tokio::test]
async fn binary_exit_codes() {
    let s = setup("topleft").await;
    let app_secret = s.secret.expose_secret().to_string();
    let boot = [
        ("HALO_APP_CLIENT_SECRET", app_secret.as_str()),
        ("HALO_CLIENT_SECRET", s.sim.client_secret.as_str()),
    ];
    let with_boot = ["--client-id", s.sim.client_id.as_str()];

    // 0: all good, text table and JSON.
    let r = check_bin(&s, &with_boot, &boot).await;
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    assert!(r.stdout.contains("pass"), "{}", r.stdout);
    assert!(r.stdout.contains("all checks passed"), "{}", r.stdout);
    let mut json_args = with_boot.to_vec();
    json_args.push("--json");
    let r = check_bin(&s, &json_args, &boot).await;
    assert_eq!(r.code, 0, "{}", r.stderr);
    let v: serde_json::Value = serde_json::from_str(r.stdout.trim()).unwrap();
    assert_eq!(v["ok"], true);
    assert!(v["drift"].as_array().unwrap().is_empty());
    let c0 = &v["checks"][0];
    for key in ["name", "status", "layer", "detail", "fix"] {
        assert!(c0.get(key).is_some(), "{key} in {c0}");
    }

    // Without bootstrap: still 0, and the skipped checks are named.
    let r = check_bin(&s, &[], &boot[..1]).await;
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    assert!(r.stdout.contains("skip"), "{}", r.stdout);
    assert!(r.stdout.contains("bootstrap"), "{}", r.stdout);

    // 1: drift.
    s.change(|st, s| app(st, s).list_mut("scopes").push(json!({"name": "admin"})));
    let r = check_bin(&s, &json_args, &boot).await;
    assert_eq!(r.code, 1, "{}", r.stderr);
    let v: serde_json::Value = serde_json::from_str(r.stdout.trim()).unwrap();
    assert_eq!(v["ok"], false);
    assert!(
        v["drift"]
            .as_array()
            .unwrap()
            .iter()
            .any(|d| d == "extra scope admin")
    );

    // 1: wrong application secret is a finding.
    let wrong = [("HALO_APP_CLIENT_SECRET", "wrong-secret"), boot[1]];
    let r = check_bin(&s, &with_boot, &wrong).await;
    assert_eq!(r.code, 1, "{}{}", r.stdout, r.stderr);
    assert!(r.stdout.contains("invalid_client"), "{}", r.stdout);

    // 2: wrong bootstrap secret.
    let bad_boot = [boot[0], ("HALO_CLIENT_SECRET", "wrong")];
    let r = check_bin(&s, &with_boot, &bad_boot).await;
    assert_eq!(r.code, 2, "{}{}", r.stdout, r.stderr);
    assert!(r.stderr.contains("invalid_client"), "{}", r.stderr);

    // 2: bootstrap client id without its secret.
    let r = check_bin(&s, &with_boot, &boot[..1]).await;
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("HALO_CLIENT_SECRET"), "{}", r.stderr);

    // 2: no application secret.
    let r = check_bin(&s, &[], &[]).await;
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("HALO_APP_CLIENT_SECRET"), "{}", r.stderr);

    // 2: unknown profile; 2: bad arguments (clap).
    let r = Home::new()
        .run(["check", "--url", &s.sim.url, "--app-client-id", "x"], &[])
        .await;
    assert_eq!(r.code, 2, "missing --profile");
}

#[tokio::test]
async fn binary_unreachable_halo_is_exit_2() {
    let s = setup("topleft").await;
    let url = s.sim.url.clone();
    let secret = s.secret.expose_secret().to_string();
    let client_id = s.client_id.clone();
    s.sim.shutdown().await;
    let args = [
        "check",
        "--url",
        &url,
        "--profile",
        "topleft",
        "--app-client-id",
        &client_id,
    ];
    let r = Home::new()
        .run(args, &[("HALO_APP_CLIENT_SECRET", &secret)])
        .await;
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(r.stderr.contains("connect"), "{}", r.stderr);
}

#[tokio::test]
async fn disabled_agent_without_bootstrap_is_a_login_finding() {
    let s = setup("topleft").await;
    s.change(|st, s| agent(st, s).set("isdisabled", true));
    let r = s.audit_with(&s.secret, false).await;
    assert_eq!(r.code(), 1);
    let t = r.row("token").unwrap();
    assert!(t.detail.contains("disabled"), "{}", t.detail);
    assert_eq!(r.drift, vec!["application cannot log in as its agent"]);
}

/// Issue 20 item 9: a check stopped by Halo's rate limit says so (it said "Halo unreachable"),
/// and Halo's server errors are blamed on Halo's server, not the network.
#[tokio::test]
async fn a_check_stopped_by_halo_names_why() {
    let s = setup("topleft").await;
    s.sim.force_429(10_000, Some(0));
    let r = s.audit_with(&s.secret, true).await;
    assert!(r.incomplete, "{r:#?}");
    let text = halo_onboard::headless::check::report_text(&r);
    assert!(text.contains("429"), "{text}");
    assert!(!text.contains("could not be reached"), "{text}");
    assert!(
        r.checks
            .iter()
            .filter_map(|c| c.layer)
            .all(|l| l.label() != "network"),
        "{r:#?}"
    );
    s.sim.force_429(0, None);

    s.sim.set_fail_rate(1.0);
    let r = s.audit_with(&s.secret, false).await;
    let layers: Vec<&str> = r
        .checks
        .iter()
        .filter_map(|c| c.layer)
        .map(halo_onboard::plan::verify::Layer::label)
        .collect();
    assert!(!layers.is_empty(), "{r:#?}");
    assert!(
        !layers.contains(&"network"),
        "a 5xx is Halo's server: {layers:?}"
    );
}

/// Issue 19's demonstration: the agent's phone number (Halo's `Uname.sms`) is one row of the
/// agent's attribute table (`answers::agent::ROWS`). A profile names it, the plan writes it
/// and lists it as a manual step in Halo's words, the emulator keeps it (a field of Halo's
/// schema), the read-back finds it, and `check` reports a change in Halo as drift.
#[tokio::test]
async fn the_agents_phone_number_is_one_row_of_the_table() {
    let phone = "+44 20 7946 0000";
    let spec: halo_onboard::profile::AgentSpec =
        toml::from_str(&format!("username = \"topleft\"\nphone = \"{phone}\"\n")).unwrap();
    let mut answers = halo_onboard::profile::answers_for("topleft").unwrap();
    answers.agent.phone = spec.phone.clone();
    let steps = halo_onboard::plan::manual::checklist(
        halo_onboard::plan::Object::Agent,
        &answers,
        &Default::default(),
        "m",
    )
    .lines()
    .join("\n");
    assert!(
        steps.contains(&format!("Phone Number = '{phone}'")),
        "{steps}"
    );

    let s = setup_with(answers).await;
    let stored = s.sim.with_state(|st| agent(st, &s).get("sms").cloned());
    assert_eq!(stored, Some(json!(phone)), "the emulator keeps Uname.sms");
    let r = s.audit().await;
    assert!(r.ok, "{:?}", failed(&r));
    assert_eq!(r.row("agent details").unwrap().status, Status::Pass);

    s.change(|st, s| agent(st, s).set("sms", "+1 555 0100"));
    let r = s.audit().await;
    assert_drift(&r, "agent phone changed", "agent details");
    let row = r.row("agent details").unwrap();
    assert!(
        row.detail == format!("phone: asked '{phone}', Halo has '+1 555 0100'")
            && row.fix.ends_with("Agents > 'topleft' > Phone Number"),
        "{row:?}"
    );
}
