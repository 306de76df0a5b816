//! An MSP admin's habits (issue 14): headless tells the whole truth before writing (open
//! profile questions, unknown profiles, traps and manual steps), profiles round-trip as files,
//! and the words people read are words, not Rust names.

use crate::common::bin::{Home, apply_topleft};
use crate::common::emulator::emulator;

fn posts(sim: &halo_onboard::sim::SimHandle) -> Vec<String> {
    sim.requests()
        .iter()
        .filter(|r| r.method != "GET" && r.path.starts_with("/api"))
        .map(|r| format!("{} {}", r.method, r.path))
        .collect()
}

/// `apply --profile guardz --yes` without answers: the profile leaves the teams to the user,
/// so the run stops (exit 1) before anything reaches Halo, naming the question, the answers
/// key and two lines of TOML; with those lines in `--answers` it applies (exit 0).
#[tokio::test]
async fn an_open_profile_question_stops_before_any_write() {
    let sim = emulator().await;
    let home = Home::new();
    let args = ["apply", "--url", &sim.url, "--profile", "guardz", "--yes"];
    let r = home.run_sim(&sim, args).await;
    assert_eq!(r.code, 1, "{}\n{}", r.stdout, r.stderr);
    assert!(
        r.stderr.contains("which teams the agent joins"),
        "{}",
        r.stderr
    );
    assert!(r.stderr.contains("agent.teams"), "{}", r.stderr);
    assert!(
        r.stderr
            .contains("[[agent.teams]]\n    name = \"Service Desk\""),
        "{}",
        r.stderr
    );
    assert_eq!(posts(&sim), Vec::<String>::new());
    assert!(sim.requests().is_empty(), "nothing even connected");
    assert!(home.session_ids().is_empty(), "no setup was started");
    // --json says the same in its error object.
    let mut json = args.to_vec();
    json.push("--json");
    let v = home.run_sim(&sim, &json).await.json();
    assert_eq!(v["ok"], false);
    assert!(
        v["hint"].as_str().unwrap().contains("[[agent.teams]]"),
        "{v}"
    );

    let answers = home.path().join("guardz.toml");
    std::fs::write(&answers, "[[agent.teams]]\nname = \"Service Desk\"\n").unwrap();
    let mut with = args.to_vec();
    with.extend(["--answers", answers.to_str().unwrap()]);
    let r = home.run_sim(&sim, &with).await;
    assert_eq!(r.code, 0, "{}\n{}", r.stdout, r.stderr);
    let in_team = sim.with_state(|st| {
        st.agents.iter().find(|a| a.name == "Guardz").map(|a| {
            a.teams
                .iter()
                .map(|t| t.team_name.clone())
                .collect::<Vec<_>>()
        })
    });
    assert_eq!(in_team, Some(vec!["Service Desk".to_string()]));
}

/// `--profile` is required, and an unknown id is exit 2 naming it (with the close ids) before
/// anything connects: the emulator sees no request at all.
#[tokio::test]
async fn the_profile_is_required_and_checked_before_connecting() {
    let sim = emulator().await;
    let home = Home::new();
    let r = home
        .run_sim(&sim, ["apply", "--url", &sim.url, "--yes"])
        .await;
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(r.stderr.contains("--profile"), "{}", r.stderr);

    for (id, near) in [("no-such", None), ("topleaf", Some("topleft"))] {
        let r = home
            .run_sim(&sim, ["apply", "--url", &sim.url, "--profile", id, "--yes"])
            .await;
        assert_eq!(r.code, 2, "{}", r.stderr);
        assert!(
            r.stderr.contains(&format!("unknown profile '{id}'")),
            "{}",
            r.stderr
        );
        if let Some(near) = near {
            assert!(
                r.stderr.contains(&format!("Did you mean {near}")),
                "{}",
                r.stderr
            );
        }
    }
    assert!(sim.requests().is_empty(), "{:?}", sim.requests());

    // The issue's own case: an address nothing listens on is never tried.
    let t = std::time::Instant::now();
    let r = home
        .run(
            [
                "apply",
                "--profile",
                "no-such",
                "--url",
                "https://127.0.0.1:1",
                "--client-id",
                "x",
            ],
            &[],
        )
        .await;
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("no-such"), "{}", r.stderr);
    assert!(!r.stderr.contains("127.0.0.1"), "{}", r.stderr);
    assert!(t.elapsed() < std::time::Duration::from_secs(10));
}

/// `profiles show ID --toml` prints a file that `--profile FILE` reads back: the plan of the
/// file is the plan of the id.
#[tokio::test]
async fn a_profile_printed_as_toml_plans_the_same_from_its_file() {
    let sim = emulator().await;
    let home = Home::new();
    let r = home
        .run(["profiles", "show", "topleft", "--toml"], &[])
        .await;
    assert_eq!(r.code, 0, "{}", r.stderr);
    let file = home.path().join("topleft.toml");
    std::fs::write(&file, &r.stdout).unwrap();
    let plan = |profile: String| {
        let home = &home;
        let sim = &sim;
        async move {
            let v = home
                .run_sim(
                    sim,
                    ["apply", "--url", &sim.url, "--profile", &profile, "--json"],
                )
                .await
                .json();
            assert_eq!(v["dry_run"], true, "{v}");
            (v["plan"].clone(), v["traps"].clone())
        }
    };
    let by_id = plan("topleft".into()).await;
    let by_file = plan(file.display().to_string()).await;
    assert_eq!(by_id, by_file);
    assert!(by_id.0["actions"].as_array().unwrap().len() == 3);

    // A broken file names itself and its line, exit 2, before connecting.
    std::fs::write(&file, "id = \"x\"\nvendor = \n").unwrap();
    sim.clear_requests();
    let r = home
        .run_sim(
            &sim,
            [
                "apply",
                "--url",
                &sim.url,
                "--profile",
                file.to_str().unwrap(),
            ],
        )
        .await;
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("topleft.toml:2"), "{}", r.stderr);
    assert!(sim.requests().is_empty());
}

/// The plan, the result and `--json` carry the profile's traps and the manual steps, each once.
#[tokio::test]
async fn traps_and_manual_steps_are_said_once() {
    let sim = emulator().await;
    let home = Home::new();
    // TimeZest's role asks for a setting the API cannot make; its traps are the profile's.
    let p = halo_onboard::profile::builtin()
        .into_iter()
        .find(|p| {
            !p.traps.is_empty() && !p.role.other_permissions.is_empty() && p.questions().is_empty()
        })
        .expect("a profile with traps and manual steps");
    let r = home
        .run_sim(&sim, ["apply", "--url", &sim.url, "--profile", &p.id])
        .await;
    assert_eq!(r.code, 0, "{}\n{}", r.stdout, r.stderr);
    for t in &p.traps {
        assert_eq!(r.stdout.matches(&t.text).count(), 1, "{}", r.stdout);
    }
    for m in &p.role.other_permissions {
        assert_eq!(r.stdout.matches(m.as_str()).count(), 1, "{}", r.stdout);
    }
    let r = home
        .run_sim(
            &sim,
            ["apply", "--url", &sim.url, "--profile", &p.id, "--yes"],
        )
        .await;
    assert_eq!(r.code, 0, "{}\n{}", r.stdout, r.stderr);
    let all = format!("{}{}", r.stdout, r.stderr);
    for t in &p.traps {
        assert_eq!(all.matches(&t.text).count(), 1, "{all}");
    }
    for m in &p.role.other_permissions {
        assert_eq!(all.matches(m.as_str()).count(), 1, "{all}");
    }
    let id = home.session_ids().pop().unwrap();
    let v = home
        .run_sim(&sim, ["apply", "--setup", &id, "--yes", "--json"])
        .await
        .json();
    let traps: Vec<&str> = v["traps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["text"].as_str().unwrap())
        .collect();
    assert_eq!(traps.len(), p.traps.len(), "{v}");
    assert!(!v["plan"]["manual"].as_array().unwrap().is_empty(), "{v}");
}

/// Where a setup stands is said in words: no `HandedOver`, no `handed-over` in a table.
#[tokio::test]
async fn setup_states_are_words() {
    let sim = emulator().await;
    let home = Home::new();
    let r = home.run_sim(&sim, apply_topleft(&sim.url, &[])).await;
    assert_eq!(r.code, 0, "{}", r.stderr);
    let r = home.run(["sessions", "--all"], &[]).await;
    assert!(r.stdout.contains("done, handed over"), "{}", r.stdout);
    assert!(!r.stdout.contains("handed-over"), "{}", r.stdout);
    let header = r.stdout.lines().next().unwrap();
    let row = r.stdout.lines().nth(1).unwrap();
    assert_eq!(
        header.find("PROFILE"),
        row.find("  topleft  ").map(|i| i + 2),
        "{}",
        r.stdout
    );
    assert!(
        !r.stdout.contains("Continue one with"),
        "all are done: {}",
        r.stdout
    );
    let r = home.run_sim(&sim, ["resume", "last", "--yes"]).await;
    assert_eq!(r.code, 2);
    assert!(
        r.stderr.contains("already finished: done, handed over"),
        "{}",
        r.stderr
    );
    assert!(!r.stderr.contains("HandedOver"), "{}", r.stderr);
    // JSON keeps the stable names.
    let v = home.run(["sessions", "--all", "--json"], &[]).await.json();
    assert_eq!(v["sessions"][0]["status"], "handed-over");
    let help = home.run(["sessions", "--help"], &[]).await.stdout;
    assert!(
        help.contains("--json") && help.contains("unreadable"),
        "{help}"
    );
    let help = home.run(["rollback", "--help"], &[]).await.stdout;
    assert!(help.contains("already gone"), "{help}");
}
