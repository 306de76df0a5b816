//! The binary when Halo refuses a write: `apply` stops with exit 1, prints the checklist for the
//! refused step and the exact `resume … --manual` command; after the step is done by hand,
//! `resume --manual application` adopts it, verifies and hands over the user's credentials.

use halo_onboard::halo::model::{GRANT_CLIENT_CREDENTIALS, LOGIN_ENTITY_AGENT};

use crate::common::bin::{Home, apply_topleft};
use crate::common::emulator::emulator;

#[tokio::test]
async fn refused_application_prints_checklist_then_resume_manual_finishes() {
    let sim = emulator().await;
    sim.refuse_writes(&["application"]);
    let home = Home::new();
    let out = home.path().join("creds.env");
    let boot = ("HALO_CLIENT_SECRET", sim.client_secret.as_str());
    let r = home.run_sim(&sim, apply_topleft(&sim.url, &[])).await;
    assert_eq!(r.code, 1, "{}\n{}", r.stdout, r.stderr);
    let err = &r.stderr;
    for needle in [
        "Halo refused to save the application",
        "Configuration > Integrations > Halo API > View Applications > New",
        "Application Name = 'TopLeft'",
        "Authentication Method = Client ID and Secret (Services)",
        "Login Type = Agent",
        "Agent to log in as = topleft",
        "Permissions: tick all:standard, all:teams, admin:webhooks",
        "--manual application --manual-client-id CLIENT_ID",
        "HALO_APP_CLIENT_SECRET",
    ] {
        assert!(err.contains(needle), "'{needle}' missing in:\n{err}");
    }
    let id = err
        .split("halo-onboard resume ")
        .nth(1)
        .and_then(|t| t.split_whitespace().next())
        .expect("the resume command names the setup")
        .to_string();

    // Resuming before the application exists says so, with exit 1.
    let resume = |cid: String| {
        vec![
            "resume".to_string(),
            id.clone(),
            "--yes".into(),
            "--manual".into(),
            "application".into(),
            "--manual-client-id".into(),
            cid,
            "--out".into(),
            out.to_str().unwrap().into(),
        ]
    };
    let hand_secret = "made-by-hand-secret-42";
    let env = [boot, ("HALO_APP_CLIENT_SECRET", hand_secret)];
    let args = resume("c-1".into());
    let argv: Vec<&str> = args.iter().map(String::as_str).collect();
    let r = home.run(&argv, &env).await;
    assert_eq!(r.code, 1, "{}\n{}", r.stdout, r.stderr);
    assert!(
        r.stderr
            .contains("no application named 'TopLeft' in Halo yet"),
        "{}",
        r.stderr
    );

    // The user makes it in Halo's web UI (here: in the emulator's state).
    let cid = uuid::Uuid::new_v4().to_string();
    let c = cid.clone();
    sim.with_state(move |st| {
        let agent = st.named("agents", "topleft").unwrap().i64("id");
        st.add_application(serde_json::json!({
            "clientId": c,
            "clientSecret": hand_secret,
            "displayName": "TopLeft",
            "grant_type": GRANT_CLIENT_CREDENTIALS,
            "loginentity": LOGIN_ENTITY_AGENT,
            "loginas_agent_id": agent,
            "scopes": [{"name": "all:standard"}, {"name": "all:teams"}, {"name": "admin:webhooks"}],
        }))
    });
    let args = resume(cid.clone());
    let argv: Vec<&str> = args.iter().map(String::as_str).collect();
    let r = home.run(&argv, &env).await;
    assert_eq!(r.code, 0, "{}\n{}", r.stdout, r.stderr);
    assert!(r.stderr.contains("adopted"), "{}", r.stderr);
    assert!(!r.stdout.contains("FAIL"), "{}", r.stdout);
    let file = std::fs::read_to_string(&out).unwrap();
    assert!(file.contains(&cid) && file.contains(hand_secret), "{file}");
    for text in [&r.stdout, &r.stderr] {
        assert!(!text.contains(hand_secret) && !text.contains(&sim.client_secret));
    }
    let apps = sim.with_state(|st| st.count_named("applications", "TopLeft"));
    assert_eq!(apps, 1);
}

#[tokio::test]
async fn refused_role_prints_role_checklist_and_resume_command() {
    let sim = emulator().await;
    sim.refuse_writes(&["roles"]);
    let home = Home::new();
    let r = home.run_sim(&sim, apply_topleft(&sim.url, &[])).await;
    assert_eq!(r.code, 1, "{}\n{}", r.stdout, r.stderr);
    for needle in [
        "Configuration > Teams & Agents > Roles > New",
        "Name = 'TopLeft Role'",
        "Is a HaloPSA Administrator = Yes",
        "--yes --manual role",
        "rollback never deletes it",
    ] {
        assert!(
            r.stderr.contains(needle),
            "'{needle}' missing:\n{}",
            r.stderr
        );
    }
    assert!(!r.stderr.contains("--manual-client-id"));
}

#[tokio::test]
async fn resume_manual_role_keeps_a_hand_made_role_and_names_the_field_to_fix() {
    let sim = emulator().await;
    sim.refuse_writes(&["roles"]);
    let home = Home::new();
    let boot = ("HALO_CLIENT_SECRET", sim.client_secret.as_str());
    let out = home.path().join("c.json");
    let apply = apply_topleft(&sim.url, &["--client-id", &sim.client_id]);
    let r = home.run(&apply, &[boot]).await;
    assert_eq!(r.code, 1, "{}\n{}", r.stderr, r.stdout);
    let id = r
        .stderr
        .split("halo-onboard resume ")
        .nth(1)
        .and_then(|t| t.split_whitespace().next())
        .unwrap()
        .to_string();
    // Made by hand, but "Is a HaloPSA Administrator" was forgotten.
    sim.with_state(|st| {
        st.add_role(serde_json::json!({"name": "TopLeft Role", "notes": "", "claims": []}))
    });
    let r = home
        .run(
            &[
                "resume",
                &id,
                "--yes",
                "--manual",
                "role",
                "--out",
                out.to_str().unwrap(),
            ],
            &[boot],
        )
        .await;
    assert!(
        r.stdout.contains(
            "Role: permission Is a HaloPSA Administrator: asked Yes, Halo has Not set — fix in Halo: Configuration > Teams & Agents > Roles > 'TopLeft Role' > Permissions > General: Is a HaloPSA Administrator = Yes"
        ),
        "{}",
        r.stdout
    );
    assert!(r.stderr.contains("keep    Role"), "{}", r.stderr);
    assert!(r.stderr.contains("adopted"), "{}", r.stderr);
    // The hand-made role was not rewritten (its endpoint refuses writes anyway).
    let writes = sim
        .requests()
        .iter()
        .filter(|x| x.method == "POST" && x.path.eq_ignore_ascii_case("/api/Roles"))
        .count();
    assert_eq!(writes, 1, "only the first, refused create");
    assert!(out.exists(), "credentials handed over");
}
