//! The real binary end to end: `apply --yes --json` against `halo-onboard sandbox`, then `check`;
//! drift after an emulator-side change; plan-only runs write nothing; secrets stay out of output.

use halo_onboard::sim::SimHandle;
use serde_json::Value;

use crate::common::bin::{Home, Run, apply_topleft};
use crate::common::emulator::emulator;

fn assert_no_secret(r: &Run, secrets: &[&str]) {
    for s in secrets {
        assert!(
            !r.stdout.contains(s) && !r.stderr.contains(s),
            "a secret was printed:\n{}\n{}",
            r.stdout,
            r.stderr
        );
    }
}

/// The `client_secret` of a JSON hand-over file.
fn handover_secret(path: &str) -> (String, String) {
    let v: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    (
        v["client_id"].as_str().unwrap().to_string(),
        v["client_secret"].as_str().unwrap().to_string(),
    )
}

#[tokio::test]
async fn apply_against_the_sandbox_then_check_passes() {
    let mut sandbox = crate::common::bin::sandbox(&[]).await;
    let (url, boot_id, boot_secret) = (
        sandbox.url.clone(),
        sandbox.client_id.clone(),
        sandbox.client_secret.clone(),
    );
    let (url, boot_id, boot_secret) = (url.as_str(), boot_id.as_str(), boot_secret.as_str());
    let home = Home::new();
    let creds = home.path().join("topleft.json");
    let creds_s = creds.to_str().unwrap();

    let r = home
        .run(
            &apply_topleft(url, &["--client-id", boot_id, "--json", "--out", creds_s]),
            &[("HALO_CLIENT_SECRET", boot_secret)],
        )
        .await;
    assert_eq!(r.code, 0, "{}\n{}", r.stdout, r.stderr);
    let v: Value = serde_json::from_str(r.stdout.trim()).expect("one JSON document");
    assert_eq!(v["ok"], true);
    assert_eq!(v["writes"], 3);
    assert_eq!(v["credentials_file"], creds_s);
    assert!(v["verification"]["checks"].as_array().unwrap().len() > 2);
    let (app_id, app_secret) = handover_secret(creds_s);
    assert_eq!(v["client_id"], app_id.as_str());
    assert_no_secret(&r, &[boot_secret, &app_secret]);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&creds).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
    }

    let r = home
        .run(
            &[
                "check",
                "--url",
                url,
                "--profile",
                "topleft",
                "--app-client-id",
                &app_id,
                "--client-id",
                boot_id,
            ],
            &[
                ("HALO_CLIENT_SECRET", boot_secret),
                ("HALO_APP_CLIENT_SECRET", &app_secret),
            ],
        )
        .await;
    assert_eq!(r.code, 0, "{}\n{}", r.stdout, r.stderr);
    assert!(r.stdout.contains("all checks passed"), "{}", r.stdout);
    assert_no_secret(&r, &[boot_secret, &app_secret]);
    sandbox.child.kill().await.unwrap();
}

fn api_writes(sim: &SimHandle) -> Vec<String> {
    sim.requests()
        .iter()
        .filter(|r| (r.method == "POST" || r.method == "DELETE") && r.path.starts_with("/api"))
        .map(|r| format!("{} {}", r.method, r.path))
        .collect()
}

#[tokio::test]
async fn drift_made_in_halo_is_found_by_check() {
    let sim = emulator().await;
    let home = Home::new();
    let creds = home.path().join("c.json");
    let creds_s = creds.to_str().unwrap();
    let boot = [("HALO_CLIENT_SECRET", sim.client_secret.as_str())];
    let r = home
        .run(
            &apply_topleft(&sim.url, &["--client-id", &sim.client_id, "--out", creds_s]),
            &boot,
        )
        .await;
    assert_eq!(r.code, 0, "{}\n{}", r.stdout, r.stderr);
    let (app_id, app_secret) = handover_secret(creds_s);
    assert_no_secret(&r, &[&sim.client_secret, &app_secret]);
    let check_args = [
        "check",
        "--url",
        &sim.url,
        "--profile",
        "topleft",
        "--app-client-id",
        &app_id,
        "--client-id",
        &sim.client_id,
    ];
    let env = [boot[0], ("HALO_APP_CLIENT_SECRET", app_secret.as_str())];
    assert_eq!(home.run(&check_args, &env).await.code, 0);

    // Someone ticks "admin" on the application and removes admin:webhooks in Halo.
    sim.with_state(|st| {
        let app = st
            .applications
            .iter_mut()
            .find(|a| a.str("clientId") == app_id)
            .unwrap();
        let scopes = app.list_mut("scopes");
        scopes.retain(|s| s["name"] != "admin:webhooks");
        scopes.push(serde_json::json!({"name": "admin"}));
    });
    let r = home.run(&check_args, &env).await;
    assert_eq!(r.code, 1, "{}\n{}", r.stdout, r.stderr);
    assert!(r.stdout.contains("FAIL"), "{}", r.stdout);
    assert!(r.stdout.contains("extra scope admin"), "{}", r.stdout);
    assert!(
        r.stdout.contains("missing scope admin:webhooks"),
        "{}",
        r.stdout
    );
    assert!(r.stdout.contains("untick admin"), "{}", r.stdout);
    assert_no_secret(&r, &[&sim.client_secret, &app_secret]);

    let mut json_args = check_args.to_vec();
    json_args.push("--json");
    let r = home.run(&json_args, &env).await;
    assert_eq!(r.code, 1);
    let v: Value = serde_json::from_str(r.stdout.trim()).unwrap();
    let drift: Vec<_> = v["drift"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d.as_str().unwrap().to_string())
        .collect();
    assert!(
        drift.contains(&"extra scope admin".to_string()),
        "{drift:?}"
    );
    assert!(!r.stdout.contains(&app_secret));
}

#[tokio::test]
async fn dry_run_and_no_yes_write_nothing() {
    let sim = emulator().await;
    let home = Home::new();
    let boot = [("HALO_CLIENT_SECRET", sim.client_secret.as_str())];
    let base = [
        "apply",
        "--url",
        &sim.url,
        "--client-id",
        &sim.client_id,
        "--profile",
        "topleft",
    ];
    for extra in [&[][..], &["--dry-run", "--yes"][..], &["--json"][..]] {
        sim.clear_requests();
        let mut args = base.to_vec();
        args.extend_from_slice(extra);
        let r = home.run(&args, &boot).await;
        assert_eq!(r.code, 0, "{extra:?}: {}\n{}", r.stdout, r.stderr);
        assert!(
            sim.requests().iter().any(|q| q.path.starts_with("/api")),
            "it did read Halo"
        );
        assert_eq!(api_writes(&sim), Vec::<String>::new(), "{extra:?}");
        if extra == ["--json"] {
            let v: Value = serde_json::from_str(r.stdout.trim()).unwrap();
            assert_eq!(v["dry_run"], true);
            assert_eq!(v["plan"]["actions"].as_array().unwrap().len(), 3);
        } else {
            assert!(r.stdout.contains("create  Role"), "{}", r.stdout);
            assert!(r.stdout.contains("Nothing was written"), "{}", r.stdout);
        }
        assert_no_secret(&r, &[&sim.client_secret]);
    }
    // A dry run leaves no setup behind.
    let sessions = home.state().join("sessions");
    let left = std::fs::read_dir(&sessions).map_or(0, std::iter::Iterator::count);
    assert_eq!(left, 0);
}

#[tokio::test]
async fn missing_secret_is_exit_2_naming_the_variable() {
    let sim = emulator().await;
    let home = Home::new();
    let args = apply_topleft(&sim.url, &["--client-id", &sim.client_id]);
    let r = home.run(&args, &[]).await;
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("HALO_CLIENT_SECRET"), "{}", r.stderr);
    assert!(
        sim.requests().is_empty(),
        "nothing is sent without a secret"
    );
    let mut json = args.clone();
    json.push("--json");
    let r = home.run(&json, &[]).await;
    assert_eq!(r.code, 2);
    let v: Value = serde_json::from_str(r.stdout.trim()).unwrap();
    assert_eq!(v["ok"], false);
    assert!(v["error"].as_str().unwrap().contains("HALO_CLIENT_SECRET"));

    // A wrong bootstrap secret is exit 2 too, and the wrong secret is not echoed.
    let r = home
        .run(
            &args,
            &[("HALO_CLIENT_SECRET", "wrong-bootstrap-secret-xyz")],
        )
        .await;
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("invalid_client"), "{}", r.stderr);
    assert_no_secret(&r, &["wrong-bootstrap-secret-xyz", &sim.client_secret]);
    assert!(api_writes(&sim).is_empty());
}

/// `completions SHELL` prints a script that asks the installed binary itself (clap_complete's
/// dynamic completion): bash accepts it, and sourcing it completes subcommands, flags, flag
/// values, and what only this installation knows (issue 20): profile ids, setup ids and
/// saved instance names. The other shells get theirs; `man` prints a roff page naming every
/// subcommand.
#[test]
fn completions_and_man_page() {
    let home = Home::new();
    let run = |args: &[&str]| {
        let out = home.run_blocking(args, &[]);
        assert_eq!(out.code, 0, "{args:?}: {}", out.stderr);
        out.stdout
    };
    // A setup and a saved instance for the completer to find.
    let a = halo_onboard::answers::Answers {
        profile: Some("topleft".into()),
        ..Default::default()
    };
    let setup = home.journal().create(a, None).unwrap().id;
    let cfg_dir = home.path().join("xdg-config").join("halo-onboard");
    std::fs::create_dir_all(&cfg_dir).unwrap();
    std::fs::write(
        cfg_dir.join("config.toml"),
        "[instance.acme]\nurl = \"https://acme.halopsa.com\"\n[instance.beta]\nurl = \"https://beta.halopsa.com\"\n",
    )
    .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let script = dir.path().join("halo-onboard.bash");
    std::fs::write(&script, run(&["completions", "bash"])).unwrap();
    let check = std::process::Command::new("bash")
        .arg("-n")
        .arg(&script)
        .status()
        .unwrap();
    assert!(check.success(), "bash -n rejected the completion script");
    let complete = |words: &str, cword: usize| {
        let prog = format!(
            "source '{}'; COMP_WORDS=({words}); COMP_CWORD={cword}; \
             _clap_complete_halo_onboard halo-onboard \"${{COMP_WORDS[$COMP_CWORD]}}\" \"${{COMP_WORDS[$COMP_CWORD-1]}}\"; \
             echo \"${{COMPREPLY[@]}}\"",
            script.display()
        );
        let mut c = std::process::Command::new("bash");
        c.arg("-c").arg(prog).env_clear();
        for (k, v) in home.vars() {
            c.env(k, v);
        }
        let out = c.output().unwrap();
        String::from_utf8_lossy(&out.stdout).trim().to_string()
    };
    assert_eq!(complete("halo-onboard ap", 1), "apply");
    assert_eq!(complete("halo-onboard --color ''", 2), "auto always never");
    assert!(complete("halo-onboard completions ''", 2).contains("powershell"));
    assert!(complete("halo-onboard apply --pro", 2).contains("--profile"));
    assert_eq!(complete("halo-onboard profiles sh", 2), "show");
    // What only this installation knows.
    assert_eq!(complete("halo-onboard apply --profile hudu-", 3), "hudu-kb");
    assert!(complete("halo-onboard profiles show top", 3).contains("topleft"));
    let ids = complete("halo-onboard resume ''", 2);
    assert!(ids.contains(&setup) && ids.contains("last"), "{ids}");
    assert_eq!(
        complete(&format!("halo-onboard status {}", &setup[..10]), 2),
        setup
    );
    assert_eq!(complete("halo-onboard check --instance a", 3), "acme");
    assert_eq!(complete("halo-onboard --instance b", 2), "beta");
    for shell in ["zsh", "fish", "powershell", "elvish"] {
        let s = run(&["completions", shell]);
        assert!(
            s.contains("COMPLETE") && s.contains(crate::common::bin::BIN),
            "{shell} asks this binary:\n{s}"
        );
    }
    let man = run(&["man"]);
    assert!(
        man.starts_with(".ie") || man.contains(".TH halo-onboard 1"),
        "{man}"
    );
    for sub in [
        "apply",
        "check",
        "resume",
        "rollback",
        "sandbox",
        "completions",
    ] {
        assert!(man.contains(sub), "man page misses {sub}");
    }
}

/// Every subcommand has its own man page: `man apply` prints it (its options in it),
/// `man profiles show` a nested one's, an unknown name is exit 2 naming the known ones, and
/// `man --dir DIR` writes one file per page, never over an existing page unless `--force`.
#[test]
fn man_pages_for_each_subcommand() {
    let home = Home::new();
    let apply = home.run_blocking(["man", "apply"], &[]);
    assert_eq!(apply.code, 0, "{}", apply.stderr);
    assert!(
        apply.stdout.contains(".TH halo-onboard-apply 1"),
        "{}",
        apply.stdout
    );
    assert!(apply.stdout.contains("profile"), "{}", apply.stdout);
    let show = home.run_blocking(["man", "profiles", "show"], &[]);
    assert_eq!(show.code, 0, "{}", show.stderr);
    assert!(
        show.stdout.contains(".TH halo-onboard-profiles-show 1"),
        "{}",
        show.stdout
    );
    let bad = home.run_blocking(["man", "aply"], &[]);
    assert_eq!(bad.code, 2);
    assert!(
        bad.stderr.contains("\"aply\"") && bad.stderr.contains("apply, check"),
        "{}",
        bad.stderr
    );
    assert!(bad.stdout.is_empty());

    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("man1");
    let out_s = out.to_str().unwrap();
    let r = home.run_blocking(["man", "--dir", out_s], &[]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let listed: Vec<&str> = r.stdout.lines().collect();
    for page in [
        "halo-onboard.1",
        "halo-onboard-apply.1",
        "halo-onboard-check.1",
        "halo-onboard-resume.1",
        "halo-onboard-profiles-show.1",
        "halo-onboard-handover-clean.1",
        "halo-onboard-man.1",
    ] {
        let p = out.join(page);
        assert!(
            listed.contains(&p.to_str().unwrap()),
            "{page} not listed: {listed:?}"
        );
        let text = std::fs::read_to_string(&p).unwrap();
        assert!(text.contains(".TH "), "{page}: {text}");
    }
    assert!(
        !out.join("halo-onboard-help.1").exists(),
        "clap's help subcommand has no page"
    );
    // An existing page is not replaced without --force, and nothing else is written.
    std::fs::write(out.join("halo-onboard-apply.1"), "mine").unwrap();
    std::fs::remove_file(out.join("halo-onboard-check.1")).unwrap();
    let r = home.run_blocking(["man", "--dir", out_s], &[]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(
        r.stderr.contains("already exists") && r.stderr.contains("--force"),
        "{}",
        r.stderr
    );
    assert_eq!(
        std::fs::read_to_string(out.join("halo-onboard-apply.1")).unwrap(),
        "mine"
    );
    assert!(!out.join("halo-onboard-check.1").exists());
    let r = home.run_blocking(["man", "--dir", out_s, "--force"], &[]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        std::fs::read_to_string(out.join("halo-onboard-apply.1"))
            .unwrap()
            .contains(".TH halo-onboard-apply 1")
    );
    assert!(out.join("halo-onboard-check.1").exists());
}

/// `man | head`: the reader goes away before the page is written; that is not an error
/// (exit 0, nothing on stderr), as with any Unix tool.
#[test]
fn a_reader_that_stops_early_is_not_an_error() {
    let (reader, writer) = std::io::pipe().unwrap();
    // Closed before the binary starts: its first write meets a pipe nobody reads (EPIPE).
    drop(reader);
    let out = std::process::Command::new(crate::common::bin::BIN)
        .arg("man")
        .stdout(writer)
        .stderr(std::process::Stdio::piped())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(String::from_utf8_lossy(&out.stderr), "");
}

/// An address typed without a scheme is read as https://; against a local server that speaks
/// plain http the TLS failure says so, and how to write it.
#[tokio::test]
async fn a_bare_local_address_is_https_and_the_failure_says_so() {
    let sim = crate::common::emulator::emulator().await;
    let home = Home::new();
    let bare = sim.url.trim_start_matches("http://").to_string();
    let r = home
        .run_sim(
            &sim,
            ["apply", "--url", &bare, "--profile", "topleft", "--dry-run"],
        )
        .await;
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(
        r.stderr.contains("TLS handshake") && r.stderr.contains("http:// written out"),
        "{}",
        r.stderr
    );
}
