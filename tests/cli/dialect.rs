//! Speaking real Halo, end to end against the `halo-onboard sandbox` binary: role claims in
//! Halo's own codes, only schema fields stored, the three ways Halo may issue a secret,
//! `doctor` on the sandbox and on an instance with another claim vocabulary (where apply
//! writes no claims), and `check` before a secret expires.

use serde_json::{Value, json};

use crate::common::bin::{Home, Run, sandbox};
use crate::common::emulator::json_of;

/// A running `halo-onboard sandbox` with its bootstrap credentials, and a home to run the
/// binary against it.
struct Sandbox {
    sb: crate::common::bin::Sandbox,
    url: String,
    id: String,
    secret: String,
    home: Home,
}

impl Sandbox {
    async fn start(extra: &[&str]) -> Self {
        let sb = sandbox(extra).await;
        Self {
            url: sb.url.clone(),
            id: sb.client_id.clone(),
            secret: sb.client_secret.clone(),
            home: Home::new(),
            sb,
        }
    }

    /// Runs the binary against this sandbox with the bootstrap flags appended.
    async fn run(&self, args: &[&str], env: &[(&str, &str)]) -> Run {
        let mut all: Vec<&str> = args.to_vec();
        all.extend(["--url", &self.url, "--client-id", &self.id]);
        let mut e = vec![("HALO_CLIENT_SECRET", self.secret.as_str())];
        e.extend_from_slice(env);
        self.home.run(&all, &e).await
    }

    /// The role an `apply --json` run made, as Halo holds it (with its claims).
    async fn applied_role(&self, r: &Run) -> Value {
        let id = r.json()["role_id"].as_str().unwrap().to_string();
        self.get(&format!("/api/Roles/{id}")).await
    }

    async fn token(&self) -> String {
        let r: Value = json_of(
            crate::common::http()
                .post(format!("{}/auth/token", self.url))
                .form(&[
                    ("grant_type", "client_credentials"),
                    ("client_id", &self.id),
                    ("client_secret", &self.secret),
                    ("scope", "all admin"),
                ]),
        )
        .await;
        r["access_token"].as_str().unwrap().to_string()
    }

    async fn get(&self, path: &str) -> Value {
        let tok = self.token().await;
        json_of(
            crate::common::http()
                .get(format!("{}{path}", self.url))
                .bearer_auth(tok),
        )
        .await
    }

    /// The emulator's state (secrets removed), through its test API.
    async fn state(&self) -> Value {
        crate::common::http()
            .get(format!("{}/_sim/state", self.url))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap()
    }

    /// `apply --profile P --yes` with a JSON hand-over file; the run and the hand-over.
    async fn apply_topleft(&self) -> (Run, Value) {
        let out = self.home.path().join("topleft.json");
        let r = self
            .run(
                &[
                    "apply",
                    "--profile",
                    "topleft",
                    "--yes",
                    "--out",
                    out.to_str().unwrap(),
                ],
                &[],
            )
            .await;
        assert_eq!(r.code, 0, "{}\n{}", r.stdout, r.stderr);
        let h = serde_json::from_str(&std::fs::read_to_string(&out).unwrap()).unwrap();
        (r, h)
    }

    /// The application named `name` in the emulator's state.
    async fn application(&self, name: &str) -> Value {
        self.state().await["applications"]
            .as_array()
            .unwrap()
            .iter()
            .find(|a| a["displayName"] == name)
            .unwrap()
            .clone()
    }

    async fn stop(mut self) {
        let _ = self.sb.child.kill().await;
    }
}

fn claims(role: &Value) -> Vec<(String, String)> {
    role["claims"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["type"].as_str().unwrap().to_string(),
                c["value"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

fn has(claims: &[(String, String)], code: &str, value: &str) -> bool {
    claims.iter().any(|(t, v)| t == code && v == value)
}

#[tokio::test]
async fn topleft_and_guardz_write_halos_own_claim_codes() {
    let sb = Sandbox::start(&[]).await;
    let r = sb
        .run(&["apply", "--profile", "topleft", "--yes", "--json"], &[])
        .await;
    assert_eq!(r.code, 0, "{}\n{}", r.stdout, r.stderr);
    let role = sb.applied_role(&r).await;
    assert!(has(&claims(&role), "SA", "true"), "{role}");

    // Guardz, with the team its guide leaves to the admin answered.
    let answers = sb.home.path().join("guardz.toml");
    std::fs::write(&answers, "[[agent.teams]]\nname = \"Service Desk\"\n").unwrap();
    let r = sb
        .run(
            &[
                "apply",
                "--profile",
                "guardz",
                "--answers",
                answers.to_str().unwrap(),
                "--yes",
                "--json",
            ],
            &[],
        )
        .await;
    assert_eq!(r.code, 0, "{}\n{}", r.stdout, r.stderr);
    let role = sb.applied_role(&r).await;
    let c = claims(&role);
    assert!(has(&c, "Tx", "2"), "tickets read and modify: {c:?}");
    assert!(has(&c, "l6", "1"), "can add new tickets: {c:?}");

    // No claim anywhere is an invented one.
    let st = sb.state().await;
    for role in st["roles"].as_array().unwrap() {
        for (t, _) in claims(role) {
            assert!(!t.contains(':') && t != "is_admin", "invented claim {t}");
        }
    }
    sb.stop().await;
}

/// What `curl -d '[{"name":…,"notes":…}]' $URL/api/Agent` does: Halo's Agent has no notes.
#[tokio::test]
async fn a_posted_agent_notes_field_is_not_stored() {
    let sb = Sandbox::start(&[]).await;
    let tok = sb.token().await;
    let r: Value = json_of(
        crate::common::http()
            .post(format!("{}/api/Agent", sb.url))
            .bearer_auth(&tok)
            .json(
                &json!([{"name": "curl-agent", "notes": "[halo-onboard:x]", "isapiagent": true}]),
            ),
    )
    .await;
    assert!(r.get("notes").is_none(), "{r}");
    let got = sb
        .get(&format!("/api/Agent/{}", r["id"].as_i64().unwrap()))
        .await;
    assert!(got.get("notes").is_none(), "{got}");
    assert_eq!(got["name"], "curl-agent");
    let log: Value = crate::common::http()
        .get(format!("{}/_sim/requests", sb.url))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let post = log
        .as_array()
        .unwrap()
        .iter()
        .find(|x| x["method"] == "POST" && x["path"] == "/api/Agent")
        .unwrap();
    assert_eq!(post["dropped_fields"], json!(["notes"]));
    sb.stop().await;
}

/// Hidden: apply stops with exit 1, the checklist and the exact resume command; the admin
/// generates and copies the secret; resume proves it and hands over a verified setup.
#[tokio::test]
async fn hidden_secret_stops_with_the_checklist_then_resumes_verified() {
    let sb = Sandbox::start(&["--secret-mode", "hidden"]).await;
    let r = sb
        .run(&["apply", "--profile", "topleft", "--yes"], &[])
        .await;
    assert_eq!(r.code, 1, "{}\n{}", r.stdout, r.stderr);
    let all = format!("{}{}", r.stdout, r.stderr);
    assert!(all.contains("did not accept the client secret"), "{all}");
    assert!(
        all.contains("View Applications > 'TopLeft' > Details"),
        "{all}"
    );
    assert!(all.contains("press Generate"), "{all}");
    let cmd = all
        .lines()
        .find(|l| l.contains("--manual application --manual-client-id"))
        .unwrap_or_else(|| panic!("{all}"));
    let id = cmd
        .split_whitespace()
        .skip_while(|w| *w != "resume")
        .nth(1)
        .unwrap()
        .to_string();

    let app = sb.application("TopLeft").await;
    let generated: Value = json_of(crate::common::http().post(format!(
        "{}/_sim/applications/{}/generate-secret",
        sb.url,
        app["id"].as_str().unwrap()
    )))
    .await;
    let secret = generated["client_secret"].as_str().unwrap();
    let cid = app["clientId"].as_str().unwrap();
    let out = sb.home.path().join("topleft.json");
    let r = sb
        .home
        .run(
            &[
                "resume",
                &id,
                "--yes",
                "--manual",
                "application",
                "--manual-client-id",
                cid,
                "--out",
                out.to_str().unwrap(),
            ],
            &[
                ("HALO_CLIENT_SECRET", &sb.secret),
                ("HALO_APP_CLIENT_SECRET", secret),
            ],
        )
        .await;
    assert_eq!(r.code, 0, "{}\n{}", r.stdout, r.stderr);
    assert!(r.stdout.contains("pass  token"), "{}", r.stdout);
    assert!(
        !r.stdout.contains(secret) && !r.stderr.contains(secret),
        "pasted secret printed"
    );
    let h: Value = serde_json::from_str(&std::fs::read_to_string(&out).unwrap()).unwrap();
    assert_eq!(h["client_secret"], secret);
    assert_eq!(h["client_id"], cid);
    // Still one application: the pasted secret belongs to the one this setup made.
    let st = sb.state().await;
    let n = st["applications"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|a| a["displayName"] == "TopLeft")
        .count();
    assert_eq!(n, 1);
    // The words match what rollback does (issue 20 item 8): the application is this setup's
    // own, its secret only copied by hand, so rollback deletes it.
    assert!(!r.stderr.contains("rollback will leave it"), "{}", r.stderr);
    assert!(r.stderr.contains("rollback deletes it"), "{}", r.stderr);
    let r = sb
        .home
        .run(
            &["rollback", &id, "--yes"],
            &[("HALO_CLIENT_SECRET", &sb.secret)],
        )
        .await;
    assert_eq!(r.code, 0, "{}\n{}", r.stdout, r.stderr);
    let st = sb.state().await;
    assert!(
        !st["applications"]
            .as_array()
            .unwrap()
            .iter()
            .any(|a| a["displayName"] == "TopLeft"),
        "rollback deleted the application, as said"
    );
    sb.stop().await;
}

/// Generate: Halo's own client id and secret, returned once in the POST answer, are handed over.
#[tokio::test]
async fn generated_secret_is_taken_from_the_post_answer() {
    let sb = Sandbox::start(&["--secret-mode", "generate"]).await;
    let (r, h) = sb.apply_topleft().await;
    assert!(
        r.stderr.contains("Halo generated its own client secret"),
        "{}",
        r.stderr
    );
    assert_eq!(h["client_id"], sb.application("TopLeft").await["clientId"]);
    let secret = h["client_secret"].as_str().unwrap();
    assert!(
        !r.stdout.contains(secret) && !r.stderr.contains(secret),
        "Halo's secret printed"
    );
    sb.stop().await;
}

#[tokio::test]
async fn doctor_holds_on_the_sandbox_and_names_the_failed_assumption_elsewhere() {
    let sb = Sandbox::start(&[]).await;
    let r = sb.run(&["doctor"], &[]).await;
    assert_eq!(r.code, 0, "{}\n{}", r.stdout, r.stderr);
    assert!(r.stdout.contains("Every assumption holds"), "{}", r.stdout);
    assert!(r.stdout.contains("✓ admin-role-sa"), "{}", r.stdout);
    assert!(!r.stdout.contains(&sb.secret) && !r.stdout.contains("Sam Support"));
    // Each assumption says how sure halo-onboard was and where that comes from.
    assert!(
        r.stdout.contains("[C] evidence/claims.toml")
            && r.stdout.contains("[I] evidence/areas.toml"),
        "{}",
        r.stdout
    );
    // What verification relies on: the probe paths (here all served), and the instance's own
    // swagger (the sandbox serves none: the URLs tried are named).
    assert!(r.stdout.contains("✓ probe-paths"), "{}", r.stdout);
    assert!(
        r.stdout
            .lines()
            .any(|l| l.contains("GET /Release") && l.contains("present") && l.contains("software")),
        "{}",
        r.stdout
    );
    assert!(
        r.stdout.contains(&format!(
            "serves no swagger document (tried {}/api/swagger/v2/swagger.json",
            sb.url
        )),
        "{}",
        r.stdout
    );
    let report = sb.home.path().join("doctor.json");
    let to_report = ["doctor", "--json", "--out", report.to_str().unwrap()];
    let r = sb.run(&to_report, &[]).await;
    assert_eq!(r.code, 0, "{}", r.stderr);
    let v: Value = serde_json::from_str(&std::fs::read_to_string(&report).unwrap()).unwrap();
    assert!(
        v["assumptions"]
            .as_array()
            .unwrap()
            .iter()
            .all(|a| a["holds"] == true)
    );
    assert!(
        v["agent_fields"]
            .as_array()
            .unwrap()
            .iter()
            .all(|f| f != "notes")
    );
    assert_eq!(v["admin_granted"], true);
    assert!(
        v["assumptions"]
            .as_array()
            .unwrap()
            .iter()
            .all(|a| a["confidence"].is_string() && a["source"].is_string()),
        "{v}"
    );
    assert!(v["swagger"]["served_at"].is_null(), "{v}");
    assert!(!v["probe_paths"].as_array().unwrap().is_empty(), "{v}");
    // A file the user has is never replaced unasked.
    let again = sb.run(&to_report, &[]).await;
    assert_eq!(again.code, 2, "{}", again.stderr);
    assert!(again.stdout.contains("--force"), "{}", again.stdout);
    let forced = sb
        .run(
            &[
                "doctor",
                "--json",
                "--out",
                report.to_str().unwrap(),
                "--force",
            ],
            &[],
        )
        .await;
    assert_eq!(forced.code, 0, "{}", forced.stderr);
    sb.stop().await;

    // An instance speaking the older long claim names.
    let sb = Sandbox::start(&["--dialect", "legacy"]).await;
    let r = sb.run(&["doctor"], &[]).await;
    assert_eq!(r.code, 1, "{}\n{}", r.stdout, r.stderr);
    assert!(r.stdout.contains("✗ admin-role-sa"), "{}", r.stdout);
    assert!(r.stdout.contains("FAILED: admin-role-sa"), "{}", r.stdout);
    assert!(r.stdout.contains("Administration"), "{}", r.stdout);

    // apply there writes no claims: the role gets its name and notes, the permissions become
    // manual steps in Halo's words, and verification decides.
    let r = sb
        .run(&["apply", "--profile", "topleft", "--yes", "--json"], &[])
        .await;
    let v: Value = serde_json::from_str(r.stdout.trim()).unwrap_or_else(|_| panic!("{}", r.stdout));
    let manual = v["plan"]["manual"].as_array().unwrap();
    let text: Vec<&str> = manual.iter().filter_map(Value::as_str).collect();
    assert!(
        text.iter()
            .any(|l| l.contains("General: Is a HaloPSA Administrator = Yes")),
        "{text:?}"
    );
    // Why is a note on the plan; the manual steps are steps only.
    assert!(
        v["plan"]["notes"][0]
            .as_str()
            .is_some_and(|n| n.contains("does not confirm")),
        "{}",
        v["plan"]
    );
    assert!(
        text.iter().all(|l| !l.contains("does not confirm")),
        "{text:?}"
    );
    let role = sb
        .get(&format!("/api/Roles/{}", v["role_id"].as_str().unwrap()))
        .await;
    assert!(claims(&role).is_empty(), "no claims written: {role}");
    // Halo denies what the role would grant until the steps are done: the steps are what is
    // left (exit 3), never "verified".
    assert_eq!(
        r.code, 3,
        "the role's permissions are manual steps left: {}",
        r.stdout
    );
    assert_eq!(v["verdict"], "manual_steps_left");
    assert_eq!(v["verified"], false);
    sb.stop().await;
}

/// An expiry Halo reports (the emulator's `--secret-expiry-days`: `apiKeyExpiryDays` and a
/// date, fields of the 2026 DB catalogue, not of the published API) is said as "Halo reports
/// <field> = …", handed over under a key that says so, and fails `check` only when the admin
/// opted in (`fail_on_reported_expiry = true`). What is known for certain is said too: when
/// halo-onboard issued the secret.
#[tokio::test]
async fn a_reported_expiry_is_said_as_reported_and_fails_check_only_when_opted_in() {
    for (days, opted_in, code) in [("10", false, 0), ("10", true, 1), ("90", true, 0)] {
        let sb = Sandbox::start(&["--secret-expiry-days", days]).await;
        let (r, h) = sb.apply_topleft().await;
        assert!(
            r.stdout.contains("Halo reports apiKey1ExpiryDate = ")
                && r.stdout.contains("not in the published API schema"),
            "{}",
            r.stdout
        );
        assert!(!r.stdout.contains("The secret expires on"), "{}", r.stdout);
        assert!(r.stdout.contains("Secret issued "), "{}", r.stdout);
        assert!(h["secret_issued"].as_str().is_some(), "{h}");
        assert!(h["secret_expiry_halo_reports"].as_str().is_some(), "{h}");
        assert!(
            h["secret_expiry_halo_reports_field"]
                .as_str()
                .is_some_and(|f| f.starts_with("apiKey1ExpiryDate (")),
            "{h}"
        );
        assert!(h.get("secret_expires").is_none(), "{h}");
        let config = sb.home.path().join("config.toml");
        std::fs::write(&config, format!("fail_on_reported_expiry = {opted_in}\n")).unwrap();
        let config = config.display().to_string();
        let r = sb
            .run(
                &[
                    "check",
                    "--profile",
                    "topleft",
                    "--app-client-id",
                    h["client_id"].as_str().unwrap(),
                ],
                &[
                    (
                        "HALO_APP_CLIENT_SECRET",
                        h["client_secret"].as_str().unwrap(),
                    ),
                    ("HALO_ONBOARD_CONFIG", &config),
                ],
            )
            .await;
        let ctx = format!(
            "{days} days, opted in {opted_in}: {}\n{}",
            r.stdout, r.stderr
        );
        assert_eq!(r.code, code, "{ctx}");
        assert!(
            r.stdout.contains("secret expiry (Halo reports)")
                && r.stdout.contains("Halo reports apiKey1ExpiryDate"),
            "{ctx}"
        );
        if code == 1 {
            // The setup is known here: the fix is the rotation that keeps the vendor working.
            assert!(r.stdout.contains("halo-onboard rotate --setup"), "{ctx}");
        }
        sb.stop().await;
    }
}

/// The rotation policy the admin sets (`rotate_after_days`) against when halo-onboard issued
/// the secret (its journal): `check SETUP` fails once the secret is older, with the command
/// that rotates it, and `status` says it is due.
#[tokio::test]
async fn check_fails_when_the_rotation_policy_says_the_secret_is_due() {
    let sb = Sandbox::start(&[]).await;
    let (r, _h) = sb.apply_topleft().await;
    assert_eq!(r.code, 0);
    let config = sb.home.path().join("config.toml");
    std::fs::write(&config, "rotate_after_days = 90\n").unwrap();
    let config = config.display().to_string();
    let env = [("HALO_ONBOARD_CONFIG", config.as_str())];
    let r = sb.home.run(&["check", "last"], &env).await;
    assert_eq!(r.code, 0, "{}\n{}", r.stdout, r.stderr);
    assert!(r.stdout.contains("rotation due in 90 days"), "{}", r.stdout);
    // The secret was issued 100 days ago, as far as the journal knows.
    let j = sb.home.journal();
    let id = sb.home.session_ids().pop().unwrap();
    let mut s = j.load(&id).unwrap();
    for e in &mut s.entries {
        e.at_unix = e.at_unix.saturating_sub(100 * 86_400);
    }
    j.save(&mut s).unwrap();
    let r = sb.home.run(&["check", "last"], &env).await;
    assert_eq!(r.code, 1, "{}\n{}", r.stdout, r.stderr);
    assert!(
        r.stdout.contains("100 days ago") && r.stdout.contains("due for rotation"),
        "{}",
        r.stdout
    );
    // A setup made here: the rotation that keeps the vendor working.
    assert!(
        r.stdout
            .contains(&format!("halo-onboard rotate --setup {id}")),
        "{}",
        r.stdout
    );
    let st = sb.home.run(&["status", "--json"], &env).await;
    let v = st.json();
    assert_eq!(v["setups"][0]["rotation_due"], true, "{v}");
    sb.stop().await;
}
