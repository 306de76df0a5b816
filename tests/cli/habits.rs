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
        st.named("agents", "Guardz").map(|a| {
            a.list("teams")
                .iter()
                .map(|t| t["team_name"].as_str().unwrap_or_default().to_string())
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
    // `profiles show FILE --toml` prints the file's profile as the id's.
    let again = home
        .run(["profiles", "show", file.to_str().unwrap(), "--toml"], &[])
        .await;
    assert_eq!(
        (again.code, again.stdout.as_str()),
        (0, r.stdout.as_str()),
        "{}",
        again.stderr
    );
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
    let r = home
        .run(["profiles", "show", file.to_str().unwrap()], &[])
        .await;
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("topleft.toml:2"), "{}", r.stderr);
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
    // A step left by hand: applied, never "verified", exit 3 until it is confirmed.
    assert_eq!(r.code, 3, "{}\n{}", r.stdout, r.stderr);
    let all = format!("{}{}", r.stdout, r.stderr);
    assert!(
        !all.contains("Verified") && !all.contains("all checks passed"),
        "{all}"
    );
    assert!(all.contains("manual step"), "{all}");
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
    assert_eq!(v["verdict"], "manual_steps_left", "{v}");
    assert_eq!(
        v["manual_steps_left"].as_array().map(Vec::len),
        Some(p.role.other_permissions.len()),
        "{v}"
    );
    // Confirmed done, then checked: verified.
    let r = home
        .run_sim(&sim, ["resume", &id, "--confirm-manual", "--yes"])
        .await;
    assert_eq!(r.code, 0, "{}\n{}", r.stdout, r.stderr);
    assert!(r.stdout.contains("Verified with"), "{}", r.stdout);
    assert!(r.stderr.contains("Recorded as done"), "{}", r.stderr);
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

/// A config file with `[instance.sb]` for the emulator (and anything more in `extra`), as
/// `HALO_ONBOARD_CONFIG` names it.
fn config_with(home: &Home, sim: &halo_onboard::sim::SimHandle, extra: &str) -> String {
    let p = home.path().join("config.toml");
    std::fs::write(
        &p,
        format!(
            "# mine\ntheme = \"light\"\n\n[instance.sb]\nurl = \"{}\"\nclient_id = \"{}\"\n{extra}",
            sim.url, sim.client_id
        ),
    )
    .unwrap();
    p.display().to_string()
}

/// The case: with `[instance.sb]` in the config file, `apply --instance sb --profile
/// topleft --yes` works with only HALO_CLIENT_SECRET set; `status --json` then lists the
/// setup under its instance; `check last` exits 0 and status shows when and how it went.
#[tokio::test]
async fn a_saved_instance_is_all_apply_needs_and_status_shows_it() {
    let sim = emulator().await;
    let home = Home::new();
    let cfg = config_with(&home, &sim, "");
    let env = [
        ("HALO_ONBOARD_CONFIG", cfg.as_str()),
        ("HALO_CLIENT_SECRET", sim.client_secret.as_str()),
    ];
    let r = home.run(crate::common::bin::APPLY_TOPLEFT_SB, &env).await;
    assert_eq!(r.code, 0, "{}\n{}", r.stdout, r.stderr);
    let v = home.run(["status", "--json"], &env).await.json();
    let setup = &v["setups"][0];
    assert_eq!(setup["instance"], "sb", "{v}");
    assert_eq!(setup["profile"], "topleft");
    assert_eq!(setup["state"], "done, handed over");
    assert!(setup["client_id"].as_str().is_some_and(|c| !c.is_empty()));
    assert!(setup["last_check"].is_null(), "{v}");
    assert_eq!(v["instances"][0]["name"], "sb");
    assert_eq!(v["handover_files"].as_array().unwrap().len(), 1, "{v}");

    let r = home.run(["check", "last"], &env).await;
    assert_eq!(r.code, 0, "{}\n{}", r.stdout, r.stderr);
    let v = home.run(["status", "--json"], &env).await.json();
    let check = &v["setups"][0]["last_check"];
    assert_eq!(check["ok"], true, "{v}");
    assert!(check["passed"].as_u64().unwrap() > 20, "{v}");
    let text = home.run(["status"], &env).await.stdout;
    assert!(text.contains("sb — "), "{text}");
    assert!(text.contains("passed ("), "{text}");
    assert!(!text.contains(&sim.client_secret), "{text}");
    // The wizard's config keys are still read; nothing was written into the file.
    let after = std::fs::read_to_string(&cfg).unwrap();
    assert!(after.starts_with("# mine\ntheme = \"light\""), "{after}");
}

/// Flags > --instance > HALO_URL/HALO_CLIENT_ID: each level is used when the ones above are
/// absent, and an explicitly named instance never takes an address from the environment.
#[tokio::test]
async fn connection_precedence_flags_then_instance_then_environment() {
    let sim = emulator().await;
    let home = Home::new();
    // The saved instance points nowhere: only a flag may override it.
    let p = home.path().join("config.toml");
    std::fs::write(
        &p,
        format!(
            "[instance.dead]\nurl = \"http://127.0.0.1:9\"\nclient_id = \"{}\"\n[instance.sb]\nurl = \"{}\"\nclient_id = \"{}\"\n",
            sim.client_id, sim.url, sim.client_id
        ),
    )
    .unwrap();
    let cfg = p.display().to_string();
    let plan = |args: Vec<String>, env: Vec<(&'static str, String)>| {
        let home = &home;
        async move {
            let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (*k, v.as_str())).collect();
            let mut a: Vec<String> = ["apply", "--profile", "topleft"].map(String::from).into();
            a.extend(args);
            home.run(&a, &env).await
        }
    };
    let words = |w: &[&str]| {
        w.iter()
            .map(std::string::ToString::to_string)
            .collect::<Vec<_>>()
    };
    let secret = ("HALO_CLIENT_SECRET", sim.client_secret.clone());
    let config = ("HALO_ONBOARD_CONFIG", cfg.clone());
    // The environment alone.
    let r = plan(
        vec![],
        vec![
            secret.clone(),
            ("HALO_URL", sim.url.clone()),
            ("HALO_CLIENT_ID", sim.client_id.clone()),
        ],
    )
    .await;
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stdout.contains("Plan for setup"), "{}", r.stdout);
    // --instance wins over HALO_URL (which points nowhere here).
    let r = plan(
        words(&["--instance", "sb"]),
        vec![
            secret.clone(),
            config.clone(),
            ("HALO_URL", "http://127.0.0.1:9".into()),
        ],
    )
    .await;
    assert_eq!(r.code, 0, "{}", r.stderr);
    // --url wins over the instance's address.
    let r = plan(
        words(&["--instance", "dead", "--url", &sim.url]),
        vec![secret.clone(), config.clone()],
    )
    .await;
    assert_eq!(r.code, 0, "{}", r.stderr);
    // An instance that is not there: exit 2 naming the ones there are.
    let r = plan(words(&["--instance", "nope"]), vec![secret, config]).await;
    assert_eq!(r.code, 2);
    assert!(
        r.stderr.contains("no instance 'nope'") && r.stderr.contains("dead, sb"),
        "{}",
        r.stderr
    );
}

/// A saved instance names where its secret is (never the secret): `secret_env` is read, and
/// setups made on that Halo find it again for check, resume and rollback. A `client_secret`
/// in the config file is refused with what to do instead, and its value is never printed.
#[tokio::test]
async fn an_instance_names_where_its_secret_is_never_the_secret() {
    let sim = emulator().await;
    let home = Home::new();
    let cfg = config_with(&home, &sim, "secret_env = \"SB_HALO_SECRET\"\n");
    let env = [
        ("HALO_ONBOARD_CONFIG", cfg.as_str()),
        ("SB_HALO_SECRET", sim.client_secret.as_str()),
    ];
    let r = home.run(crate::common::bin::APPLY_TOPLEFT_SB, &env).await;
    assert_eq!(r.code, 0, "{}\n{}", r.stdout, r.stderr);
    // check finds the bootstrap secret through the instance at the setup's Halo: the object
    // checks run (none is skipped).
    let v = home.run(["check", "last", "--json"], &env).await.json();
    assert_eq!(v["ok"], true, "{v}");
    let skipped = v["checks"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["status"] == "skip")
        .count();
    assert_eq!(skipped, 0, "{v}");
    let r = home.run(["rollback", "last", "--yes"], &env).await;
    assert_eq!(r.code, 0, "{}\n{}", r.stdout, r.stderr);
    assert!(r.stdout.contains("rolled back"), "{}", r.stdout);

    let cfg = config_with(&home, &sim, "client_secret = \"very-secret-value-123\"\n");
    let env = [
        ("HALO_ONBOARD_CONFIG", cfg.as_str()),
        ("HALO_CLIENT_SECRET", sim.client_secret.as_str()),
    ];
    let r = home
        .run(["apply", "--instance", "sb", "--profile", "topleft"], &env)
        .await;
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(r.stderr.contains("has client_secret"), "{}", r.stderr);
    assert!(
        r.stderr.contains("secret_env = \"SB_HALO_SECRET\""),
        "{}",
        r.stderr
    );
    let all = format!("{}{}", r.stdout, r.stderr);
    assert!(!all.contains("very-secret-value-123"), "{all}");
    let r = home.run(["status"], &env).await;
    assert!(!format!("{}{}", r.stdout, r.stderr).contains("very-secret-value-123"));
}

/// `handover clean` lists the hand-over files and asks; in a pipe it deletes nothing without
/// --yes; with --yes each file is overwritten and removed, a link is never followed, and
/// status flags files older than a week.
#[tokio::test]
async fn handover_clean_deletes_only_hand_over_files_after_asking() {
    let sim = emulator().await;
    let home = Home::new();
    let out = home.path().join("vendor.env");
    let r = home
        .run_sim(
            &sim,
            apply_topleft(&sim.url, &["--out", out.to_str().unwrap()]),
        )
        .await;
    assert_eq!(r.code, 0, "{}", r.stderr);
    let r = home
        .run_sim(&sim, apply_topleft(&sim.url, &["--new-secret", "--json"]))
        .await;
    assert_eq!(r.code, 0, "{}", r.stderr);
    // Read from the result: two setups started in the same second sort by their random part.
    let default = std::path::PathBuf::from(r.json()["credentials_file"].as_str().unwrap());
    assert_eq!(
        default.parent(),
        Some(home.state().join("handover").as_path())
    );
    assert!(default.is_file());
    // Ten days old: flagged.
    let old = std::time::SystemTime::now() - std::time::Duration::from_secs(10 * 86_400);
    std::fs::File::options()
        .write(true)
        .open(&out)
        .unwrap()
        .set_modified(old)
        .unwrap();
    // A link in the hand-over folder to a file of the user's is not a hand-over file.
    let mine = home.path().join("mine.env");
    std::fs::write(
        &mine,
        "HALO_APP_CLIENT_ID=x\nHALO_APP_CLIENT_SECRET=keep-me\n",
    )
    .unwrap();
    #[cfg(unix)]
    std::os::unix::fs::symlink(&mine, home.state().join("handover").join("link.env")).unwrap();

    let v = home.run(["status", "--json"], &[]).await.json();
    let files = v["handover_files"].as_array().unwrap();
    assert_eq!(files.len(), 2, "{v}");
    let flagged: Vec<bool> = files.iter().map(|f| f["old"].as_bool().unwrap()).collect();
    assert_eq!(flagged.iter().filter(|o| **o).count(), 1, "{v}");
    let text = home.run(["status"], &[]).await.stdout;
    assert!(text.contains("10d OLD"), "{text}");

    let r = home.run(["handover", "clean"], &[]).await;
    assert_eq!(r.code, 0);
    assert!(r.stdout.contains("Nothing was deleted"), "{}", r.stdout);
    assert!(out.is_file() && default.is_file());

    let r = home.run(["handover", "clean", "--yes"], &[]).await;
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stdout.contains(&format!("deleted {}", out.display())),
        "{}",
        r.stdout
    );
    assert!(
        r.stdout.contains(&format!("deleted {}", default.display())),
        "{}",
        r.stdout
    );
    assert!(!out.exists() && !default.exists());
    assert_eq!(
        std::fs::read_to_string(&mine).unwrap(),
        "HALO_APP_CLIENT_ID=x\nHALO_APP_CLIENT_SECRET=keep-me\n"
    );
    let v = home.run(["status", "--json"], &[]).await.json();
    assert_eq!(v["handover_files"], serde_json::json!([]), "{v}");
    let r = home.run(["handover", "clean", "--yes"], &[]).await;
    assert!(r.stdout.contains("No hand-over files"), "{}", r.stdout);
}

/// A batch entry may name a saved instance for its address, client id and secret source.
#[tokio::test]
async fn a_batch_entry_may_name_a_saved_instance() {
    let sim = emulator().await;
    let home = Home::new();
    let cfg = config_with(&home, &sim, "secret_env = \"SB_HALO_SECRET\"\n");
    let batch = home.path().join("fleet.toml");
    std::fs::write(
        &batch,
        "[[instance]]\nname = \"sandbox\"\ninstance = \"sb\"\nprofile = \"topleft\"\n",
    )
    .unwrap();
    let env = [
        ("HALO_ONBOARD_CONFIG", cfg.as_str()),
        ("SB_HALO_SECRET", sim.client_secret.as_str()),
    ];
    let v = home
        .run(
            [
                "apply",
                "--batch",
                batch.to_str().unwrap(),
                "--yes",
                "--json",
            ],
            &env,
        )
        .await
        .json();
    assert_eq!(v["ok"], true, "{v}");
    assert_eq!(v["instances"][0]["status"], "ok");
}

/// In a pipe nothing waits for an answer: a "y" on stdin neither confirms the plan nor is taken
/// for the secret; the missing secret is the usual exit 2 at once.
#[tokio::test]
async fn in_a_pipe_nothing_is_asked() {
    use tokio::io::AsyncWriteExt;
    let sim = emulator().await;
    let home = Home::new();
    let run = |secret: Option<&str>| {
        let mut env = vec![("HALO_CLIENT_ID", sim.client_id.as_str())];
        env.extend(secret.map(|s| ("HALO_CLIENT_SECRET", s)));
        let mut c = home.command(["apply", "--url", &sim.url, "--profile", "topleft"], &env);
        c.stdin(std::process::Stdio::piped());
        let mut child = c.spawn().unwrap();
        async move {
            let mut stdin = child.stdin.take().unwrap();
            let _ = stdin.write_all(b"y\ny\n").await;
            drop(stdin);
            let out =
                tokio::time::timeout(std::time::Duration::from_secs(30), child.wait_with_output())
                    .await
                    .expect("no prompt waited")
                    .unwrap();
            (
                out.status.code(),
                String::from_utf8_lossy(&out.stdout).into_owned(),
                String::from_utf8_lossy(&out.stderr).into_owned(),
            )
        }
    };
    let (code, _, err) = run(None).await;
    assert_eq!(code, Some(2), "{err}");
    assert!(err.contains("HALO_CLIENT_SECRET"), "{err}");
    let (code, out, err) = run(Some(&sim.client_secret)).await;
    assert_eq!(code, Some(0), "{err}");
    assert!(
        !out.contains("[y/N]") && !err.contains("[y/N]"),
        "{out}{err}"
    );
    assert!(
        out.contains("Nothing was written. To apply, run the same command with --yes."),
        "{out}"
    );
    assert_eq!(posts(&sim), Vec::<String>::new());
}

/// `--quiet` prints only the result line(s) and errors; `--verbose` adds every request line
/// (method, path, status, latency) on stderr, and never a secret.
#[tokio::test]
async fn quiet_says_the_result_and_verbose_every_request() {
    let sim = emulator().await;
    let home = Home::new();
    let r = home
        .run_sim(&sim, apply_topleft(&sim.url, &["--quiet"]))
        .await;
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(r.stderr, "", "nothing but errors on stderr");
    let lines: Vec<&str> = r.stdout.lines().collect();
    assert_eq!(lines.len(), 2, "{}", r.stdout);
    assert!(
        lines[0].contains("Verified with the new credentials"),
        "{}",
        r.stdout
    );
    assert!(
        lines[1].starts_with("Credentials (with the new secret) saved to "),
        "{}",
        r.stdout
    );
    let r = home.run_sim(&sim, ["check", "last", "--quiet"]).await;
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(
        r.stdout.trim(),
        "Result: all checks passed (0 skipped).",
        "{}",
        r.stdout
    );
    assert_eq!(r.stderr, "");
    // Failed checks are errors: named even when quiet, with what blocks them.
    let refusing = emulator().await;
    refusing.with_faults(|f| f.refuse_reads = vec!["tickets".into()]);
    let r = home
        .run_sim(&refusing, apply_topleft(&refusing.url, &["--quiet"]))
        .await;
    assert_eq!(r.code, 1, "{}\n{}", r.stdout, r.stderr);
    let fails: Vec<&str> = r.stdout.lines().filter(|l| l.contains("FAIL")).collect();
    assert!(
        fails.len() == 1 && fails[0].contains("Tickets") && r.stdout.contains("blocked by:"),
        "{}",
        r.stdout
    );
    assert!(!r.stdout.contains("  pass  "), "{}", r.stdout);
    // An error still says what and what to do.
    let r = home
        .run(
            [
                "--quiet",
                "apply",
                "--url",
                &sim.url,
                "--profile",
                "topleft",
            ],
            &[],
        )
        .await;
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("what to do:"), "{}", r.stderr);

    let r = home
        .run_sim(
            &sim,
            apply_topleft(&sim.url, &["--new-secret", "--verbose", "--json"]),
        )
        .await;
    assert_eq!(r.code, 0, "{}", r.stderr);
    let creds = r.json()["credentials_file"].as_str().unwrap().to_string();
    for want in [
        "http: GET /api/authinfo -> 200",
        "http: POST /auth/token?tenant=sandbox -> 200",
        "http: GET /api/Roles -> 200",
        "http: POST /api/Application -> 201",
    ] {
        assert!(r.stderr.contains(want), "{want}:\n{}", r.stderr);
    }
    assert!(
        r.stderr.lines().all(|l| l.starts_with("http: ")),
        "{}",
        r.stderr
    );
    assert!(r.stderr.lines().all(|l| l.contains(" ms")), "{}", r.stderr);
    let app_secret = std::fs::read_to_string(&creds)
        .unwrap()
        .lines()
        .find_map(|l| {
            l.strip_prefix("HALO_APP_CLIENT_SECRET=")
                .map(|v| v.trim_matches('"').to_string())
        })
        .unwrap();
    for secret in [sim.client_secret.as_str(), app_secret.as_str()] {
        assert!(!r.stderr.contains(secret) && !r.stdout.contains(secret));
    }
    let r = home.run(["apply", "--quiet", "--verbose"], &[]).await;
    assert_eq!(r.code, 2, "{}", r.stderr);
}

/// A setup with a step left by hand (Rewst's "Allow use of all Customers" on a reused role) is
/// "applied, 1 manual step left" everywhere its result is shown — text, `--quiet`, `--json`,
/// `status`, `sessions`, `check` — never "Verified" or "all checks passed", exit 3, until the
/// step is confirmed (`resume --confirm-manual`) and checked.
#[tokio::test]
async fn manual_steps_left_are_never_verified_until_confirmed_and_checked() {
    let sim = emulator().await;
    let home = Home::new();
    let apply = ["apply", "--url", &sim.url, "--profile", "rewst", "--yes"];
    let r = home.run_sim(&sim, apply).await;
    assert_eq!(r.code, 3, "{}\n{}", r.stdout, r.stderr);
    let never = |out: &str| {
        assert!(
            !out.contains("Verified") && !out.contains("all checks passed"),
            "{out}"
        );
    };
    never(&r.stdout);
    assert!(
        r.stdout.contains("Applied, 1 manual step left"),
        "{}",
        r.stdout
    );
    assert!(
        r.stdout.contains("Allow use of all Customers"),
        "{}",
        r.stdout
    );
    assert!(r.stdout.contains("--confirm-manual"), "{}", r.stdout);
    let id = home.session_ids().pop().unwrap();
    // The same again, as a repair: --quiet and --json say it too.
    let q = home
        .run_sim(&sim, ["apply", "--setup", &id, "--yes", "--quiet"])
        .await;
    assert_eq!(q.code, 3, "{}\n{}", q.stdout, q.stderr);
    never(&q.stdout);
    assert!(q.stdout.contains("1 manual step left"), "{}", q.stdout);
    let j = home
        .run_sim(&sim, ["apply", "--setup", &id, "--yes", "--json"])
        .await;
    assert_eq!(j.code, 3);
    let v = j.json();
    assert_eq!(v["verdict"], "manual_steps_left", "{v}");
    assert_eq!(v["ok"], false, "{v}");
    // Where it stands, in status and sessions (an unfinished setup).
    let st = home.run(["status"], &[]).await;
    assert!(
        st.stdout.contains("applied, 1 manual step left"),
        "{}",
        st.stdout
    );
    let st = home.run(["status", "--json"], &[]).await.json();
    assert_eq!(
        st["setups"][0]["manual_steps_left"]
            .as_array()
            .map(Vec::len),
        Some(1),
        "{st}"
    );
    let ss = home.run(["sessions"], &[]).await;
    assert!(ss.stdout.contains(&id), "{}", ss.stdout);
    // check says so and exits 3.
    let c = home.run_sim(&sim, ["check", "last"]).await;
    assert_eq!(c.code, 3, "{}\n{}", c.stdout, c.stderr);
    never(&c.stdout);
    assert!(c.stdout.contains("1 manual step left"), "{}", c.stdout);
    // Confirmed, then checked: verified, finished.
    let r = home
        .run_sim(&sim, ["resume", &id, "--confirm-manual", "--yes"])
        .await;
    assert_eq!(r.code, 0, "{}\n{}", r.stdout, r.stderr);
    assert!(r.stdout.contains("Verified with"), "{}", r.stdout);
    let c = home.run_sim(&sim, ["check", "last"]).await;
    assert_eq!(c.code, 0, "{}\n{}", c.stdout, c.stderr);
    let ss = home.run(["sessions"], &[]).await;
    assert!(!ss.stdout.contains(&id), "{}", ss.stdout);
}
