//! Day two (issue 22), the binary against the emulator: `rotate` keeps both credentials working
//! until `--finish` and then only the new one; `audit` flags the hand-made integrations of
//! `--seed audit`; `adopt` then `tighten` takes one to least privilege (through a new agent,
//! or in place with a check after each step and everything put back when a need stops being
//! met); `check --all` exits with the worst result; `status` shows a rotation in progress,
//! the secret's age and when the policy wants it rotated.

use std::collections::HashMap;

use crate::common::bin::*;
use crate::common::emulator::*;
use halo_onboard::sim::seeds::SeedData;
use halo_onboard::sim::{SecretMode, SimConfig, SimHandle};
use serde_json::Value;

/// The applications logging in as `agent`: (id, client id).
pub(crate) fn apps_of(sim: &SimHandle, agent: i64) -> Vec<(String, String)> {
    sim.with_state(|st| {
        st.applications
            .iter()
            .filter(|a| a.i64("loginas_agent_id") == Some(agent))
            .map(|a| (a.key(), a.str("clientId").to_string()))
            .collect()
    })
}

/// The seeded application `name`: (id, client id, secret, login agent).
pub(crate) fn seeded(sim: &SimHandle, name: &str) -> (String, String, String, i64) {
    sim.with_state(|st| {
        let a = st.named("applications", name).unwrap();
        (
            a.key(),
            a.str("clientId").to_string(),
            a.str("clientSecret").to_string(),
            a.i64("loginas_agent_id").unwrap(),
        )
    })
}

/// `adopt --application APP_ID --profile hudu` on the emulator.
async fn adopt_hudu(home: &Home, sim: &SimHandle, app_id: &str) -> Run {
    home.run_sim(
        sim,
        [
            "adopt",
            "--url",
            &sim.url,
            "--application",
            app_id,
            "--profile",
            "hudu",
        ],
    )
    .await
}

/// `apply --profile PROFILE --yes` on the emulator: the setup id and its hand-over file.
pub(crate) async fn applied(
    sim: &SimHandle,
    home: &Home,
    profile: &str,
) -> (String, HashMap<String, String>) {
    let r = home
        .run_sim(
            sim,
            ["apply", "--url", &sim.url, "--profile", profile, "--yes"],
        )
        .await;
    let id = home.journal().list().0.into_iter().next().unwrap().id;
    confirmed(home, &boot_env(sim), &id, &r).await;
    let env = read_env_file(&home.handover(&id));
    (id, env)
}

/// An apply that ended "applied, N manual steps left" (exit 3, e.g. Hudu's client
/// restriction, which the API cannot set): the steps confirmed done, as an admin would after
/// doing them (`resume --confirm-manual`), so the setup ends verified.
pub(crate) async fn confirmed(home: &Home, env: &[(&str, &str)], id: &str, r: &Run) {
    match r.code {
        0 => {}
        3 => {
            let c = home
                .run(["resume", id, "--confirm-manual", "--yes"], env)
                .await;
            assert_eq!(c.code, 0, "{}\n{}", c.stdout, c.stderr);
        }
        _ => panic!("apply: {}\n{}", r.stdout, r.stderr),
    }
}

fn creds(env: &HashMap<String, String>) -> (String, String, i64) {
    (
        env["HALO_APP_CLIENT_ID"].clone(),
        env["HALO_APP_CLIENT_SECRET"].clone(),
        env["HALO_AGENT_ID"].parse().unwrap(),
    )
}

async fn works(
    sim: &SimHandle,
    env: &HashMap<String, String>,
    scopes: &[String],
) -> Result<(), String> {
    let (cid, sec, agent) = creds(env);
    creds_work(sim, &cid, &sec, scopes, agent).await
}

/// The Done-when: `rotate` leaves old and new credentials both working until `rotate
/// --finish`, then only the new one (tested with tokens); nothing is written without `--yes`;
/// the journal records the rotation; `status` shows it in progress; `check` uses the new
/// credentials afterwards.
#[tokio::test]
async fn rotate_keeps_both_credentials_working_until_finish_then_only_the_new_one() {
    let sim = emulator().await;
    let home = Home::new();
    let (id, old) = applied(&sim, &home, "topleft").await;
    let scopes = home.journal().load(&id).unwrap().answers.scopes;
    let agent = creds(&old).2;
    assert_eq!(apps_of(&sim, agent).len(), 1);

    // Without --yes (and no terminal): the plan, nothing written.
    let r = home.run_sim(&sim, ["rotate", "--setup", &id]).await;
    assert_eq!(r.code, 0, "{}\n{}", r.stdout, r.stderr);
    assert!(r.stdout.contains("Nothing was written"), "{}", r.stdout);
    assert_eq!(apps_of(&sim, agent).len(), 1);

    let r = home
        .run_sim(&sim, ["rotate", "--setup", &id, "--yes", "--json"])
        .await;
    assert_eq!(r.code, 0, "{}\n{}", r.stdout, r.stderr);
    let v = r.json();
    let file = v["credentials_file"].as_str().unwrap().to_string();
    assert_ne!(
        std::path::Path::new(&file),
        home.handover(&id),
        "a NEW file"
    );
    let new = read_env_file(std::path::Path::new(&file));
    assert_ne!(new["HALO_APP_CLIENT_ID"], old["HALO_APP_CLIENT_ID"]);
    assert_ne!(new["HALO_APP_CLIENT_SECRET"], old["HALO_APP_CLIENT_SECRET"]);
    assert_eq!(new["HALO_AGENT_ID"], old["HALO_AGENT_ID"], "the same agent");
    assert_eq!(apps_of(&sim, agent).len(), 2);
    works(&sim, &old, &scopes).await.expect("old still works");
    works(&sim, &new, &scopes).await.expect("new works");
    assert!(
        !r.stdout.contains(&new["HALO_APP_CLIENT_SECRET"]),
        "never printed"
    );
    // The same scopes on both applications.
    let scope_sets: Vec<Vec<String>> = sim.with_state(|st| {
        st.applications
            .iter()
            .filter(|a| a.i64("loginas_agent_id") == Some(agent))
            .map(|a| {
                let mut n = a.names("scopes");
                n.sort();
                n
            })
            .collect()
    });
    assert_eq!(scope_sets[0], scope_sets[1]);

    let st = home.run_sim(&sim, ["status"]).await.stdout;
    assert!(st.contains("rotation in progress"), "{st}");
    let sv = home.run_sim(&sim, ["status", "--json"]).await.json();
    assert!(
        sv["setups"][0]["rotation"]
            .as_str()
            .unwrap()
            .contains("handed over"),
        "{sv}"
    );
    // A second --setup is the same rotation, not a third application.
    let r = home
        .run_sim(&sim, ["rotate", "--setup", &id, "--yes"])
        .await;
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(apps_of(&sim, agent).len(), 2);
    // A repair or a resume would work on half of it: refused.
    let r = home.run_sim(&sim, ["apply", "--setup", &id, "--yes"]).await;
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(r.stderr.contains("rotation"), "{}", r.stderr);

    // --finish without --yes deletes nothing.
    let r = home.run_sim(&sim, ["rotate", "--finish", &id]).await;
    assert_eq!(r.code, 0);
    assert_eq!(apps_of(&sim, agent).len(), 2);
    let r = home
        .run_sim(&sim, ["rotate", "--finish", &id, "--yes"])
        .await;
    assert_eq!(r.code, 0, "{}\n{}", r.stdout, r.stderr);
    assert_eq!(apps_of(&sim, agent).len(), 1);
    let e = works(&sim, &old, &scopes).await.expect_err("old is gone");
    assert!(e.contains("invalid_client"), "{e}");
    works(&sim, &new, &scopes).await.expect("new still works");
    assert!(
        !home.handover(&id).exists(),
        "the old file held a dead secret: wiped"
    );

    let s = home.journal().load(&id).unwrap();
    assert!(s.rotation.is_none());
    assert_eq!(s.rotations.len(), 1);
    assert_eq!(s.rotations[0].new_client_id, new["HALO_APP_CLIENT_ID"]);
    assert_eq!(
        s.objects.client_id.as_deref(),
        Some(new["HALO_APP_CLIENT_ID"].as_str())
    );
    assert_eq!(
        s.credentials_file.as_deref(),
        Some(std::path::Path::new(&file))
    );
    // The journal brackets each write.
    let events: Vec<String> = s
        .entries
        .iter()
        .map(|e| serde_json::to_string(&e.event).unwrap())
        .collect();
    for want in [
        r#""event":"about","subject":"rotation","action":"create""#,
        r#""event":"done","subject":"rotation","action":"create""#,
        r#""event":"about","subject":"rotation","action":"delete""#,
        r#""event":"done","subject":"rotation","action":"delete""#,
        r#""event":"done","subject":"secret","action":"rotation""#,
    ] {
        assert!(
            events.iter().any(|e| e.contains(want)),
            "{want} in {events:#?}"
        );
    }
    let r = home.run_sim(&sim, ["check", &id]).await;
    assert_eq!(r.code, 0, "{}\n{}", r.stdout, r.stderr);
    // Finishing again: nothing in progress.
    let r = home
        .run_sim(&sim, ["rotate", "--finish", &id, "--yes"])
        .await;
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("no rotation in progress"), "{}", r.stderr);
}

/// Halo may issue its own secret (generate: shown once in the create's answer; hidden: never
/// shown, the admin copies it from the form). Both end with working new credentials.
#[tokio::test]
async fn rotate_takes_the_secret_halo_issues_or_the_one_copied_from_its_form() {
    for mode in [SecretMode::Generate, SecretMode::Hidden] {
        let sim = spawn(SimConfig::default()).await;
        let home = Home::new();
        let (id, old) = applied(&sim, &home, "hudu").await;
        sim.set_secret_mode(mode);
        let scopes = home.journal().load(&id).unwrap().answers.scopes;
        let r = home
            .run_sim(&sim, ["rotate", "--setup", &id, "--yes"])
            .await;
        if mode == SecretMode::Hidden {
            assert_eq!(r.code, 1, "{mode:?}: {}\n{}", r.stdout, r.stderr);
            assert!(r.stderr.contains("press Generate"), "{}", r.stderr);
            let new_id = home
                .journal()
                .load(&id)
                .unwrap()
                .rotation
                .unwrap()
                .new_application_id
                .unwrap();
            let copied = sim.generate_secret(&new_id).unwrap();
            let f = home.path().join("copied.secret");
            std::fs::write(&f, &copied).unwrap();
            let r = home
                .run_sim(
                    &sim,
                    [
                        "rotate",
                        "--setup",
                        &id,
                        "--yes",
                        "--new-secret-file",
                        f.to_str().unwrap(),
                    ],
                )
                .await;
            assert_eq!(r.code, 0, "{}\n{}", r.stdout, r.stderr);
        } else {
            assert_eq!(r.code, 0, "{mode:?}: {}\n{}", r.stdout, r.stderr);
        }
        let s = home.journal().load(&id).unwrap();
        let file = s
            .rotation
            .as_ref()
            .unwrap()
            .credentials_file
            .clone()
            .unwrap();
        let new = read_env_file(&file);
        works(&sim, &old, &scopes).await.expect("old works");
        works(&sim, &new, &scopes)
            .await
            .unwrap_or_else(|e| panic!("{mode:?}: new: {e}"));
        let r = home
            .run_sim(&sim, ["rotate", "--finish", &id, "--yes"])
            .await;
        assert_eq!(r.code, 0, "{}", r.stderr);
        works(&sim, &new, &scopes).await.expect("new after finish");
        assert!(works(&sim, &old, &scopes).await.is_err());
    }
}

/// `--abandon` deletes the second application only; the first keeps working.
#[tokio::test]
async fn rotate_abandon_deletes_only_the_new_application() {
    let sim = emulator().await;
    let home = Home::new();
    let (id, old) = applied(&sim, &home, "hudu").await;
    let scopes = home.journal().load(&id).unwrap().answers.scopes;
    let agent = creds(&old).2;
    let r = home
        .run_sim(&sim, ["rotate", "--setup", &id, "--yes"])
        .await;
    assert_eq!(r.code, 0, "{}", r.stderr);
    let file = home
        .journal()
        .load(&id)
        .unwrap()
        .rotation
        .unwrap()
        .credentials_file
        .unwrap();
    let r = home
        .run_sim(&sim, ["rotate", "--abandon", &id, "--yes"])
        .await;
    assert_eq!(r.code, 0, "{}\n{}", r.stdout, r.stderr);
    assert_eq!(
        apps_of(&sim, agent),
        vec![(
            home.journal()
                .load(&id)
                .unwrap()
                .objects
                .application_id
                .unwrap(),
            old["HALO_APP_CLIENT_ID"].clone()
        )]
    );
    works(&sim, &old, &scopes).await.expect("old untouched");
    assert!(
        !file.exists(),
        "the new file held a deleted application's secret"
    );
    assert!(home.journal().load(&id).unwrap().rotation.is_none());
}

/// `--finish` deletes only while Halo shows the old application as recorded (id, Client ID,
/// login agent); a name is never proof. An existing or the old file is never written over.
#[tokio::test]
async fn rotate_proves_the_old_application_and_never_overwrites_a_file() {
    let sim = emulator().await;
    let home = Home::new();
    let (id, _old) = applied(&sim, &home, "hudu").await;
    let old_file = home.handover(&id);
    let r = home
        .run_sim(
            &sim,
            [
                "rotate",
                "--setup",
                &id,
                "--yes",
                "--out",
                old_file.to_str().unwrap(),
                "--force",
            ],
        )
        .await;
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(
        r.stderr.contains("already exists") || r.stderr.contains("credentials the vendor uses now"),
        "{}",
        r.stderr
    );
    let taken = home.path().join("taken.env");
    std::fs::write(&taken, "mine\n").unwrap();
    let r = home
        .run_sim(
            &sim,
            [
                "rotate",
                "--setup",
                &id,
                "--yes",
                "--out",
                taken.to_str().unwrap(),
            ],
        )
        .await;
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert_eq!(std::fs::read_to_string(&taken).unwrap(), "mine\n");

    let r = home
        .run_sim(&sim, ["rotate", "--setup", &id, "--yes"])
        .await;
    assert_eq!(r.code, 0, "{}", r.stderr);
    let s = home.journal().load(&id).unwrap();
    let old_app = s.objects.application_id.clone().unwrap();
    // Someone points the old application at another agent: not provably this setup's.
    sim.with_state(|st| {
        st.application_mut(&old_app)
            .unwrap()
            .set("loginas_agent_id", halo_onboard::sim::state::HUMAN_AGENT_ID);
    });
    let r = home
        .run_sim(&sim, ["rotate", "--finish", &id, "--yes"])
        .await;
    assert_eq!(r.code, 1, "{}\n{}", r.stdout, r.stderr);
    assert!(r.stderr.contains("not agent"), "{}", r.stderr);
    assert!(
        sim.with_state(|st| st.application(&old_app).is_some()),
        "kept"
    );
}

fn risk_codes(v: &Value, name: &str) -> Vec<String> {
    v["applications"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|a| a["name"] == name)
        .flat_map(|a| a["risks"].as_array().unwrap().iter())
        .map(|r| r["code"].as_str().unwrap().to_string())
        .collect()
}

/// The Done-when: `audit` on a seeded instance flags the hand-made admin integration (and
/// each other pattern), exits 1 for a high risk, never prints a secret, and says what it could
/// not read (roles refused: "administrator: unknown").
#[tokio::test]
async fn audit_flags_the_hand_made_integrations_of_the_seed() {
    let sim = spawn(SimConfig {
        seed_data: SeedData::Audit,
        ..SimConfig::default()
    })
    .await;
    let home = Home::new();
    let r = home.run_sim(&sim, ["audit", "--url", &sim.url]).await;
    assert_eq!(r.code, 1, "{}\n{}", r.stdout, r.stderr);
    assert!(
        r.stdout
            .contains("logs in as a HaloPSA Administrator ('Hudu Sync')"),
        "{}",
        r.stdout
    );
    assert!(
        r.stdout.contains("a person's account ('Sam Support'"),
        "{}",
        r.stdout
    );
    let secrets: Vec<String> = sim.with_state(|st| {
        st.applications
            .iter()
            .map(|a| a.str("clientSecret").to_string())
            .collect()
    });
    for s in &secrets {
        assert!(!r.stdout.contains(s.as_str()) && !r.stderr.contains(s.as_str()));
    }
    let v = home
        .run_sim(&sim, ["audit", "--url", &sim.url, "--json"])
        .await
        .json();
    assert_eq!(risk_codes(&v, "Hudu"), ["admin-agent", "all-scope"]);
    assert_eq!(
        risk_codes(&v, "Power BI Reports"),
        ["admin-agent", "person"]
    );
    assert_eq!(risk_codes(&v, "Rewst"), ["person", "all-scope"]);
    assert_eq!(risk_codes(&v, "Legacy Sync"), ["inactive-agent"]);
    assert_eq!(risk_codes(&v, "TimeZest"), ["duplicate", "duplicate"]);
    assert!(risk_codes(&v, "IT Glue").is_empty());
    assert!(
        risk_codes(&v, "Old Vendor").is_empty(),
        "inactive: no token is issued"
    );
    let boot = v["applications"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["this_audit"] == true)
        .unwrap();
    assert!(
        boot["risks"]
            .as_array()
            .unwrap()
            .iter()
            .all(|r| r["accepted"].is_string())
    );
    assert_eq!(v["high_risks"], 4, "{v}");

    // Roles refused: administrator unknown, said; no guess.
    let c = crate::common::http();
    c.post(format!("{}/_sim/faults", sim.url))
        .body(r#"{"refuse_reads":["roles"]}"#)
        .send()
        .await
        .unwrap();
    let r = home.run_sim(&sim, ["audit", "--url", &sim.url]).await;
    assert!(
        r.stdout.contains("Could not read:") && r.stdout.contains("roles"),
        "{}",
        r.stdout
    );
    assert!(r.stdout.contains("unknown"), "{}", r.stdout);
    let v = home
        .run_sim(&sim, ["audit", "--url", &sim.url, "--json"])
        .await
        .json();
    let hudu = v["applications"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["name"] == "Hudu")
        .unwrap();
    assert!(hudu["administrator"].is_null(), "{hudu}");
    assert_eq!(r.code, 1, "the persons' accounts are still known");

    // A fresh instance: only the audit's own credentials, accepted: exit 0.
    let fresh = emulator().await;
    let r = home.run_sim(&fresh, ["audit", "--url", &fresh.url]).await;
    assert_eq!(r.code, 0, "{}\n{}", r.stdout, r.stderr);
    assert!(r.stdout.contains("no high risk"), "{}", r.stdout);
}

/// The Done-when: `adopt` then `tighten` takes the hand-made admin integration to least
/// privilege and its needs still verify. Through a new agent (the old one is an
/// administrator): the vendor is never cut off, the old agent and the Administrator role are
/// left as they are, and `check` passes after `rotate --finish`.
#[tokio::test]
async fn adopt_then_tighten_takes_the_admin_integration_to_least_privilege() {
    let sim = spawn(SimConfig {
        seed_data: SeedData::Audit,
        ..SimConfig::default()
    })
    .await;
    let home = Home::new();
    let (app_id, old_cid, old_secret, old_agent) = seeded(&sim, "Hudu");
    let r = adopt_hudu(&home, &sim, &app_id).await;
    assert_eq!(r.code, 0, "{}\n{}", r.stdout, r.stderr);
    let id = home.session_ids().pop().unwrap();
    let s = home.journal().load(&id).unwrap();
    let a = s.adoption.clone().unwrap();
    assert_eq!(
        (a.application_id.as_str(), a.client_id.as_str(), a.agent_id),
        (app_id.as_str(), old_cid.as_str(), old_agent)
    );
    assert_eq!(a.agent_admin, Some(true));
    assert!(!s.objects.application_created && !s.objects.agent_created && !s.objects.role_created);
    // Adopting it twice: refused.
    let r = adopt_hudu(&home, &sim, &app_id).await;
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("already managed"), "{}", r.stderr);

    // check without the application's secret: what the bootstrap credentials see, the token
    // checks skipped and said why.
    let r = home.run_sim(&sim, ["check", &id]).await;
    assert_eq!(r.code, 1, "{}\n{}", r.stdout, r.stderr);
    assert!(r.stdout.contains("extra [all]"), "{}", r.stdout);
    assert!(
        r.stdout.contains("does not have this application's secret"),
        "{}",
        r.stdout
    );
    assert!(r.stdout.contains("tighten --setup"), "{}", r.stdout);
    // With it: the token checks run too.
    let env = [
        boot_env(&sim)[0],
        boot_env(&sim)[1],
        ("HALO_APP_CLIENT_SECRET", old_secret.as_str()),
    ];
    let r = home.run(["check", &id], &env).await;
    assert!(r.stdout.contains("pass  token"), "{}", r.stdout);

    let r = home.run_sim(&sim, ["tighten", "--setup", &id]).await;
    assert_eq!(r.code, 0);
    assert!(
        r.stdout.contains("through a new agent") && r.stdout.contains("HaloPSA Administrator"),
        "{}",
        r.stdout
    );
    assert!(r.stdout.contains("Nothing was written"), "{}", r.stdout);
    let r = home
        .run_sim(&sim, ["tighten", "--setup", &id, "--yes", "--json"])
        .await;
    assert_eq!(r.code, 0, "{}\n{}", r.stdout, r.stderr);
    let v = r.json();
    let new = read_env_file(std::path::Path::new(
        v["credentials_file"].as_str().unwrap(),
    ));
    let scopes = vec!["read:customers".to_string(), "read:assets".to_string()];
    // Both work until the finish: the vendor is never cut off.
    creds_work(&sim, &old_cid, &old_secret, &["all".to_string()], old_agent)
        .await
        .expect("old works");
    works(&sim, &new, &scopes).await.expect("new works");
    let new_agent = creds(&new).2;
    assert_ne!(new_agent, old_agent);
    sim.with_state(|st| {
        let g = st.agent(new_agent).unwrap();
        assert!(
            g.bool("isapiagent") && !st.is_admin(g),
            "an API-only agent, not an administrator"
        );
    });
    let r = home
        .run_sim(&sim, ["rotate", "--finish", &id, "--yes"])
        .await;
    assert_eq!(r.code, 0, "{}\n{}", r.stdout, r.stderr);
    assert!(
        creds_work(&sim, &old_cid, &old_secret, &["all".to_string()], old_agent)
            .await
            .is_err()
    );
    works(&sim, &new, &scopes)
        .await
        .expect("new works after the finish");
    // Never deleted or edited: the old agent and the Administrator role.
    sim.with_state(|st| {
        let g = st.agent(old_agent).expect("old agent kept");
        assert!(st.is_admin(g) && !g.bool("isdisabled"));
        assert!(st.role(halo_onboard::sim::state::ADMIN_ROLE_ID).is_some());
    });
    // Its needs verify (every check passes); what the API cannot set (Hudu's client
    // restriction) is a step left by hand until confirmed, then it is verified.
    let r = home.run_sim(&sim, ["check", &id]).await;
    assert_eq!(r.code, 3, "{}\n{}", r.stdout, r.stderr);
    assert!(!r.stdout.contains("FAIL"), "{}", r.stdout);
    let r = home
        .run_sim(&sim, ["resume", &id, "--confirm-manual", "--yes"])
        .await;
    assert_eq!(r.code, 0, "{}\n{}", r.stdout, r.stderr);
    let r = home.run_sim(&sim, ["check", &id]).await;
    assert_eq!(r.code, 0, "{}\n{}", r.stdout, r.stderr);
    let v = home
        .run_sim(&sim, ["audit", "--url", &sim.url, "--json"])
        .await
        .json();
    assert!(risk_codes(&v, "Hudu").is_empty(), "{v}");
    let hudu = v["applications"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["name"] == "Hudu")
        .unwrap();
    assert_eq!(hudu["managed_by"], id.as_str());
}

/// Over-privileged but on an agent that may stay (API-only, its own role): tightened in place,
/// scopes then role, each step checked with the application's own credentials; and a profile
/// that asks for less than the vendor uses is put back at once (undone automatically).
#[tokio::test]
async fn tighten_in_place_checks_each_step_and_undoes_what_breaks_a_need() {
    let sim = spawn(SimConfig {
        seed_data: SeedData::Audit,
        ..SimConfig::default()
    })
    .await;
    let (app_id, _cid, secret, agent) = seeded(&sim, "IT Glue");
    // More than the vendor needs: an edit scope and tickets on its role.
    sim.with_state(|st| {
        st.application_mut(&app_id)
            .unwrap()
            .list_mut("scopes")
            .push(serde_json::json!({"name": "edit:customers"}));
        let role = st.agent(agent).unwrap().list("roles")[0]["id"]
            .as_str()
            .unwrap()
            .to_string();
        st.role_mut(&role)
            .unwrap()
            .list_mut("claims")
            .push(serde_json::json!({"type": "Tx", "value": "2"}));
    });
    let role = sim.with_state(|st| {
        st.agent(agent).unwrap().list("roles")[0]["id"]
            .as_str()
            .unwrap()
            .to_string()
    });
    let state = |sim: &SimHandle| {
        sim.with_state(|st| {
            let mut s = st.application(&app_id).unwrap().names("scopes");
            s.sort();
            let mut c: Vec<String> = st
                .role(&role)
                .unwrap()
                .list("claims")
                .iter()
                .map(|c| {
                    format!(
                        "{}={}",
                        c["type"].as_str().unwrap(),
                        c["value"].as_str().unwrap()
                    )
                })
                .collect();
            c.sort();
            (s, c)
        })
    };
    let before = state(&sim);
    let home = Home::new();
    let r = adopt_hudu(&home, &sim, &app_id).await;
    assert_eq!(r.code, 0, "{}", r.stderr);
    let id = home.session_ids().pop().unwrap();
    // No secret at hand: in place needs one to check each step.
    let r = home
        .run_sim(&sim, ["tighten", "--setup", &id, "--yes"])
        .await;
    assert_eq!(r.code, 2, "{}\n{}", r.stdout, r.stderr);
    assert!(
        r.stderr.contains("HALO_APP_CLIENT_SECRET") && r.stderr.contains("--new-agent"),
        "{}",
        r.stderr
    );
    assert_eq!(state(&sim), before, "nothing written");

    // A profile that asks for less than the vendor uses (no Clients access while the vendor
    // reads customers): the role step breaks a need, and everything is put back.
    let narrow = home.path().join("narrow.toml");
    std::fs::write(&narrow, "[role.access]\nclients = \"No Access\"\n").unwrap();
    let env = [
        boot_env(&sim)[0],
        boot_env(&sim)[1],
        ("HALO_APP_CLIENT_SECRET", secret.as_str()),
    ];
    let r = home
        .run(
            [
                "tighten",
                "--setup",
                &id,
                "--yes",
                "--answers",
                narrow.to_str().unwrap(),
            ],
            &env,
        )
        .await;
    assert_eq!(r.code, 1, "{}\n{}", r.stdout, r.stderr);
    assert!(r.stderr.contains("put back"), "{}", r.stderr);
    assert_eq!(state(&sim), before, "every change undone");
    assert!(home.journal().load(&id).unwrap().undo.is_empty());

    // The profile itself: both steps kept, every need still met.
    let r = home.run(["tighten", "--setup", &id, "--yes"], &env).await;
    assert_eq!(r.code, 0, "{}\n{}", r.stdout, r.stderr);
    assert!(r.stdout.contains("in place (2 step(s))"), "{}", r.stdout);
    let (scopes, claims) = state(&sim);
    assert_eq!(scopes, ["read:assets", "read:customers"]);
    assert!(!claims.iter().any(|c| c.starts_with("Tx=")), "{claims:?}");
    creds_work(
        &sim,
        &seeded(&sim, "IT Glue").1,
        &secret,
        &["read:customers".into(), "read:assets".into()],
        agent,
    )
    .await
    .expect("the vendor's credentials still work");
    let r = home.run(["check", &id], &env).await;
    assert_eq!(r.code, 0, "{}\n{}", r.stdout, r.stderr);
    let r = home.run(["tighten", "--setup", &id, "--yes"], &env).await;
    assert!(r.stdout.contains("Nothing to tighten"), "{}", r.stdout);
}

/// The Done-when: `check --all` returns the worst exit code across three setups on two
/// Halos (one a saved instance, one not): 0 when all pass, 1 with drift on one, 2 when one
/// cannot be checked. `status` shows the secret's age and the policy's due date.
#[tokio::test]
async fn check_all_returns_the_worst_result_and_status_shows_the_policy() {
    let a = emulator().await;
    let b = emulator().await;
    let b_secret = b.client_secret.clone();
    let home = Home::new();
    let cfg = home.path().join("config.toml");
    std::fs::write(
        &cfg,
        format!(
            "rotate_after_days = 90\n[instance.acme]\nurl = \"{}\"\nclient_id = \"{}\"\nsecret_env = \"ACME_HALO_SECRET\"\nrotate_after_days = 30\n",
            a.url, a.client_id
        ),
    )
    .unwrap();
    let cfg = cfg.display().to_string();
    let env_a = [
        ("HALO_ONBOARD_CONFIG", cfg.as_str()),
        ("ACME_HALO_SECRET", a.client_secret.as_str()),
        ("HALO_CLIENT_ID", a.client_id.as_str()),
        ("HALO_CLIENT_SECRET", a.client_secret.as_str()),
    ];
    for p in ["topleft", "hudu"] {
        let r = home
            .run(
                ["apply", "--instance", "acme", "--profile", p, "--yes"],
                &env_a,
            )
            .await;
        let id = home.journal().list().0.into_iter().next().unwrap().id;
        confirmed(&home, &env_a, &id, &r).await;
    }
    let env_b = [
        ("HALO_ONBOARD_CONFIG", cfg.as_str()),
        ("HALO_CLIENT_ID", b.client_id.as_str()),
        ("HALO_CLIENT_SECRET", b.client_secret.as_str()),
    ];
    let r = home
        .run(
            ["apply", "--url", &b.url, "--profile", "hudu", "--yes"],
            &env_b,
        )
        .await;
    let id = home.journal().list().0.into_iter().next().unwrap().id;
    confirmed(&home, &env_b, &id, &r).await;
    // The cron job: the saved instance's secret from its own variable; the other Halo's from
    // HALO_CLIENT_SECRET.
    let cron = [
        ("HALO_ONBOARD_CONFIG", cfg.as_str()),
        ("ACME_HALO_SECRET", a.client_secret.as_str()),
        ("HALO_CLIENT_SECRET", b_secret.as_str()),
    ];
    let r = home.run(["check", "--all"], &cron).await;
    assert_eq!(r.code, 0, "{}\n{}", r.stdout, r.stderr);
    assert_eq!(
        r.stdout.lines().filter(|l| l.starts_with("ok ")).count(),
        3,
        "{}",
        r.stdout
    );
    assert!(r.stdout.contains("ok    acme  topleft"), "{}", r.stdout);

    // Drift on one: 1.
    let hudu_a = home
        .journal()
        .list()
        .0
        .into_iter()
        .find(|s| s.answers.profile.as_deref() == Some("hudu") && s.answers.connection.url == a.url)
        .unwrap();
    let app = hudu_a.objects.application_id.clone().unwrap();
    a.with_state(|st| {
        st.application_mut(&app)
            .unwrap()
            .list_mut("scopes")
            .push(serde_json::json!({"name": "edit:tickets"}));
    });
    let r = home.run(["check", "--all", "--json"], &cron).await;
    assert_eq!(r.code, 1, "{}\n{}", r.stdout, r.stderr);
    let v = r.json();
    assert_eq!(v["code"], 1);
    let codes: Vec<u64> = v["setups"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["code"].as_u64().unwrap())
        .collect();
    assert_eq!(codes.iter().filter(|c| **c == 1).count(), 1, "{v}");

    // One Halo down: 2, the others still checked and reported.
    b.shutdown().await;
    let r = home.run(["check", "--all"], &cron).await;
    assert_eq!(r.code, 2, "{}\n{}", r.stdout, r.stderr);
    assert!(
        r.stdout.contains("ERROR") && r.stdout.contains("FAIL") && r.stdout.contains("ok "),
        "{}",
        r.stdout
    );

    // status: each setup's last check, the secret's age and when the policy wants it rotated
    // (the instance's 30 days for acme, the file's 90 for the other).
    let v = home.run(["status", "--json"], &cron).await.json();
    let today = time::OffsetDateTime::now_utc().date();
    for s in v["setups"].as_array().unwrap() {
        let want = if s["instance"] == "acme" { 30 } else { 90 };
        let due = (today + time::Duration::days(want)).to_string();
        assert_eq!(s["rotate_by"], due.as_str(), "{s}");
        assert_eq!(s["secret_age_days"], 0);
        assert!(s["last_check"].is_object(), "{s}");
    }
    let text = home.run(["status"], &cron).await.stdout;
    assert!(text.contains(", 0 d, rotate by "), "{text}");
}

/// A create whose answer is lost where Halo issues its own credentials: the run again finds the
/// application it made (none of those listed before), gives it a new secret (nobody uses it
/// yet) and hands that over; never a third application.
#[tokio::test]
async fn a_lost_create_answer_in_generate_mode_is_found_and_given_a_new_secret() {
    let sim = emulator().await;
    let home = Home::new();
    let (id, old) = applied(&sim, &home, "hudu").await;
    let scopes = home.journal().load(&id).unwrap().answers.scopes;
    let agent = creds(&old).2;
    sim.set_secret_mode(SecretMode::Generate);
    sim.drop_nth_write(0, halo_onboard::sim::DropMode::AfterProcessing);
    let r = home
        .run_sim(&sim, ["rotate", "--setup", &id, "--yes"])
        .await;
    assert_ne!(r.code, 0, "the answer was lost: {}", r.stdout);
    assert_eq!(apps_of(&sim, agent).len(), 2, "the create reached Halo");
    let r = home
        .run_sim(&sim, ["rotate", "--setup", &id, "--yes"])
        .await;
    assert_eq!(r.code, 0, "{}\n{}", r.stdout, r.stderr);
    assert!(r.stderr.contains("reached Halo"), "{}", r.stderr);
    assert_eq!(apps_of(&sim, agent).len(), 2, "never a third");
    let file = home
        .journal()
        .load(&id)
        .unwrap()
        .rotation
        .unwrap()
        .credentials_file
        .unwrap();
    works(&sim, &read_env_file(&file), &scopes)
        .await
        .expect("the new secret works");
    works(&sim, &old, &scopes).await.expect("the old one too");
}

/// An adopted integration rotates like one halo-onboard made, and stays adopted: rollback
/// deletes none of it, before or after the rotation.
#[tokio::test]
async fn an_adopted_integration_rotates_and_rollback_never_deletes_it() {
    let sim = spawn(SimConfig {
        seed_data: SeedData::Audit,
        ..SimConfig::default()
    })
    .await;
    let home = Home::new();
    let (app_id, cid, secret, agent) = seeded(&sim, "IT Glue");
    let r = adopt_hudu(&home, &sim, &app_id).await;
    assert_eq!(r.code, 0, "{}", r.stderr);
    let id = home.session_ids().pop().unwrap();
    let r = home.run_sim(&sim, ["rollback", &id, "--yes"]).await;
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        sim.with_state(|st| st.application(&app_id).is_some()),
        "adopted: never deleted"
    );
    // A rolled-back setup is not rotated; adopt it again and rotate.
    let r = adopt_hudu(&home, &sim, &app_id).await;
    assert_eq!(r.code, 0, "{}\n{}", r.stdout, r.stderr);
    let id = home
        .journal()
        .list()
        .0
        .into_iter()
        .find(|s| s.status == halo_onboard::journal::Status::HandedOver)
        .unwrap()
        .id;
    let scopes = vec!["read:customers".to_string(), "read:assets".to_string()];
    let r = home
        .run_sim(&sim, ["rotate", "--setup", &id, "--yes"])
        .await;
    assert_eq!(r.code, 0, "{}\n{}", r.stdout, r.stderr);
    creds_work(&sim, &cid, &secret, &scopes, agent)
        .await
        .expect("old works");
    let r = home
        .run_sim(&sim, ["rotate", "--finish", &id, "--yes"])
        .await;
    assert_eq!(r.code, 0, "{}\n{}", r.stdout, r.stderr);
    assert!(
        creds_work(&sim, &cid, &secret, &scopes, agent)
            .await
            .is_err()
    );
    let s = home.journal().load(&id).unwrap();
    let file = s.credentials_file.clone().unwrap();
    works(&sim, &read_env_file(&file), &scopes)
        .await
        .expect("new works");
    assert!(!s.objects.application_created, "still adopted");
    // The rotation made the secret here: its age is known now.
    assert!(s.secret_issued_unix().is_some());
    let new_app = s.objects.application_id.clone().unwrap();
    let r = home.run_sim(&sim, ["rollback", &id, "--yes"]).await;
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        sim.with_state(|st| st.application(&new_app).is_some()),
        "never deleted"
    );
}
