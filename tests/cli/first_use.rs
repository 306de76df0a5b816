//! What a new administrator hit using the headless commands for the first time (issue 20):
//! every plan line names its object, the output says what it means, and nothing said is false.

use crate::common::bin::*;
use crate::common::emulator::*;

/// A custom profile leaves the names to the user: its plan says so on each line instead of a
/// blank name ("create  Role" followed by nothing).
#[tokio::test]
async fn a_plan_without_names_says_so() {
    let sim = emulator().await;
    let home = Home::new();
    let r = home
        .run_sim(
            &sim,
            [
                "apply",
                "--url",
                &sim.url,
                "--profile",
                "custom",
                "--dry-run",
            ],
        )
        .await;
    assert_eq!(r.code, 1, "{}\n{}", r.stdout, r.stderr);
    for line in r
        .stdout
        .lines()
        .filter(|l| l.trim_start().starts_with("create"))
    {
        let words: Vec<&str> = line.split_whitespace().collect();
        assert!(
            words.len() > 2,
            "a plan line without a name: {line:?}\n{}",
            r.stdout
        );
        assert!(line.contains("no name yet"), "{line:?}");
    }
}

/// Issue 20 item 6: a reader that goes away (`apply … 2>&1 | head -n 2`) or a full disk
/// (`> /dev/full`) never stops a write sequence: the apply runs to its end (exactly one of each
/// object, the setup handed over in the journal), nothing panics, and the exit code is
/// `EXIT_OUTPUT_LOST` (4): the output was lost, the result is in the journal.
#[tokio::test]
async fn a_closed_or_full_output_never_stops_an_apply() {
    use std::process::Stdio;
    const EXIT_OUTPUT_LOST: i32 = 4;
    let sim = emulator().await;
    // Slow enough that the reader is gone long before the writes.
    sim.set_latency(std::time::Duration::from_millis(30));
    let home = Home::new();
    // stdout and stderr into one pipe, closed after its first two lines.
    let (mut reader, writer) = std::io::pipe().unwrap();
    let mut c = home.cmd(&sim, apply_topleft(&sim.url, &[]));
    c.stdout(Stdio::from(writer.try_clone().unwrap()))
        .stderr(Stdio::from(writer));
    let child = c.spawn().unwrap();
    let first_two = tokio::task::spawn_blocking(move || {
        use std::io::Read;
        let mut got = Vec::new();
        let mut b = [0u8; 1];
        while got.iter().filter(|c| **c == b'\n').count() < 2
            && reader.read(&mut b).unwrap_or(0) == 1
        {
            got.push(b[0]);
        }
        drop(reader);
        String::from_utf8_lossy(&got).into_owned()
    })
    .await
    .unwrap();
    assert!(!first_two.is_empty());
    let out = child.wait_with_output().await.unwrap();
    let code = out.status.code().unwrap_or(-1);
    assert_eq!(code, EXIT_OUTPUT_LOST, "not a panic (101), not a signal");
    let s = home.journal().list().0.remove(0);
    assert_eq!(
        s.status,
        halo_onboard::journal::Status::HandedOver,
        "the result is in the journal"
    );
    assert_eq!(named(&sim, &s), (1, 1, 1));

    // A full disk: the same, for stdout and for stderr.
    for (what, fd) in [("stdout", 1), ("stderr", 2)] {
        let sim = emulator().await;
        let home = Home::new();
        let full = std::fs::OpenOptions::new()
            .write(true)
            .open("/dev/full")
            .unwrap();
        let mut c = home.cmd(&sim, apply_topleft(&sim.url, &[]));
        if fd == 1 {
            c.stdout(Stdio::from(full));
        } else {
            c.stderr(Stdio::from(full));
        }
        // `output()` would pipe both again: spawn, then wait.
        let out = c.spawn().unwrap().wait_with_output().await.unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(EXIT_OUTPUT_LOST), "{what}: {err}");
        assert!(!err.contains("panicked"), "{what}: {err}");
        let s = home.journal().list().0.remove(0);
        assert_eq!(
            s.status,
            halo_onboard::journal::Status::HandedOver,
            "{what}"
        );
    }
}

/// Issue 20 item 3: after `--new-secret`, the earlier hand-over file holds a secret Halo no
/// longer accepts: `status` marks it superseded (naming the file that replaced it) instead of
/// listing it as one to give to the vendor.
#[tokio::test]
async fn a_rotated_secret_marks_the_old_hand_over_file_superseded() {
    let sim = emulator().await;
    let home = Home::new();
    let a = home.path().join("first.env");
    let b = home.path().join("second.env");
    let (a_s, b_s) = (a.display().to_string(), b.display().to_string());
    let r = home
        .run_sim(&sim, apply_topleft(&sim.url, &["--out", &a_s]))
        .await;
    assert_eq!(r.code, 0, "{}\n{}", r.stdout, r.stderr);
    let r = home
        .run_sim(
            &sim,
            apply_topleft(&sim.url, &["--new-secret", "--out", &b_s]),
        )
        .await;
    assert_eq!(r.code, 0, "{}\n{}", r.stdout, r.stderr);
    let r = home.run(["status", "--json"], &[]).await;
    let v = r.json();
    let files = v["handover_files"].as_array().unwrap();
    let find = |p: &str| {
        files
            .iter()
            .find(|f| f["path"].as_str() == Some(p))
            .unwrap_or_else(|| panic!("{p} listed: {files:?}"))
            .clone()
    };
    assert_eq!(find(&a_s)["superseded_by"], b_s.as_str(), "{files:?}");
    assert!(find(&b_s)["superseded_by"].is_null(), "{files:?}");
    let r = home.run(["status"], &[]).await;
    let line = r
        .stdout
        .lines()
        .find(|l| l.contains(&a_s))
        .unwrap_or_else(|| panic!("{}", r.stdout));
    assert!(line.contains("superseded"), "{line}\n{}", r.stdout);
}

/// Issue 20 item 4: the finding that a secret is due offers a command that really rotates it
/// (it offered `apply --setup ID --yes`, which keeps it), and that command, run as printed,
/// hands over a new secret.
#[tokio::test]
async fn the_expiry_fix_rotates_the_secret() {
    let sim = emulator().await;
    let home = Home::new();
    // A rotation policy the secret is past: issued three days ago (the journal says when).
    let cfg = home.path().join("xdg-config").join("halo-onboard");
    std::fs::create_dir_all(&cfg).unwrap();
    std::fs::write(cfg.join("config.toml"), "rotate_after_days = 1\n").unwrap();
    let r = home.run_sim(&sim, apply_topleft(&sim.url, &[])).await;
    assert_eq!(r.code, 0, "{}\n{}", r.stdout, r.stderr);
    let id = home.session_ids().pop().unwrap();
    let mut s = home.journal().load(&id).unwrap();
    for e in &mut s.entries {
        e.at_unix -= 3 * 86_400;
    }
    home.journal().save(&mut s).unwrap();
    let before = read_env_file(&home.handover(&id))["HALO_APP_CLIENT_SECRET"].clone();
    let r = home.run_sim(&sim, ["check", "last", "--json"]).await;
    assert_eq!(r.code, 1, "{}\n{}", r.stdout, r.stderr);
    let v = r.json();
    let row = v["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == "secret age" && c["status"] == "fail")
        .unwrap_or_else(|| panic!("{v}"))
        .clone();
    let fix = row["fix"].as_str().unwrap();
    // Every command the fix offers must rotate: `rotate` (no downtime) or an apply with
    // --new-secret, never the repair that keeps the secret.
    let commands: Vec<&str> = fix.split('`').skip(1).step_by(2).collect();
    assert!(!commands.is_empty(), "{fix}");
    for c in &commands {
        assert!(
            c.contains("--new-secret") || c.starts_with("halo-onboard rotate --setup "),
            "a command that keeps the secret: {c} in {fix}"
        );
    }
    let cmd = commands[0];
    assert_eq!(cmd, format!("halo-onboard rotate --setup {id}"), "{fix}");
    let mut args: Vec<&str> = cmd.split_whitespace().skip(1).collect();
    args.push("--yes");
    let r = home.run_sim(&sim, &args).await;
    assert_eq!(r.code, 0, "{cmd}: {}\n{}", r.stdout, r.stderr);
    let s = home.journal().load(&id).unwrap();
    let file = s
        .rotation
        .as_ref()
        .and_then(|r| r.credentials_file.clone())
        .unwrap_or_else(|| panic!("the rotation handed over no file: {}", r.stdout));
    let after = read_env_file(&file)["HALO_APP_CLIENT_SECRET"].clone();
    assert_ne!(before, after, "a new secret was handed over");
}

/// One setup id per integration (issue 20): applying the same vendor on the same Halo again
/// (a repair, `apply --setup`, a rotation) continues its setup, so `status` shows the
/// integration once, and `status SETUP` tells its whole story: what was written, what is left.
#[tokio::test]
async fn the_same_integration_is_one_setup() {
    let sim = emulator().await;
    let home = Home::new();
    for extra in [&[][..], &[], &["--new-secret"]] {
        let r = home.run_sim(&sim, apply_topleft(&sim.url, extra)).await;
        assert_eq!(r.code, 0, "{}\n{}", r.stdout, r.stderr);
    }
    let r = home
        .run_sim(&sim, ["apply", "--setup", "last", "--yes"])
        .await;
    assert_eq!(r.code, 0, "{}\n{}", r.stdout, r.stderr);
    assert_eq!(
        home.session_ids().len(),
        1,
        "one setup: {:?}",
        home.session_ids()
    );
    let id = home.session_ids().remove(0);
    let r = home.run(["status"], &[]).await;
    assert_eq!(r.code, 0, "{}", r.stderr);
    let rows: Vec<&str> = r
        .stdout
        .lines()
        .filter(|l| l.trim_start().starts_with("topleft "))
        .collect();
    assert_eq!(rows.len(), 1, "one line for the integration:\n{}", r.stdout);
    // The whole story of that setup.
    let r = home.run(["status", &id], &[]).await;
    assert_eq!(r.code, 0, "{}\n{}", r.stdout, r.stderr);
    let s = &r.stdout;
    for want in [
        "Role 'TopLeft Role'",
        "Agent 'topleft'",
        "Application 'TopLeft'",
        "created",
        "secret",
        "regenerate",
        "Left to do",
    ] {
        assert!(s.contains(want), "{want:?} in the story:\n{s}");
    }
}

/// Issue 20 item 10e: after a drop the admin's own terminal may be left in the wizard's screen
/// (nothing remote can fix it): `resume` and `sessions` say that `reset` restores it.
#[tokio::test]
async fn resume_says_reset_restores_the_terminal() {
    let sim = emulator().await;
    sim.refuse_writes(&["application"]);
    let home = Home::new();
    let r = home.run_sim(&sim, apply_topleft(&sim.url, &[])).await;
    assert_eq!(r.code, 1, "{}\n{}", r.stdout, r.stderr);
    let r = home.run(["sessions"], &[]).await;
    assert!(r.stdout.contains("`reset`"), "{}", r.stdout);
    sim.refuse_writes(&[]);
    let r = home.run_sim(&sim, ["resume", "last", "--yes"]).await;
    assert_eq!(r.code, 0, "{}\n{}", r.stdout, r.stderr);
    assert!(r.stderr.contains("`reset`"), "{}", r.stderr);
}

/// Setups against an emulator (`--demo`, `sandbox`: a Halo on loopback) are marked apart from
/// real ones, and `sessions discard ID` / `handover clean ID` remove exactly what they name.
#[tokio::test]
async fn emulator_setups_are_marked_and_removed_one_by_one() {
    let sim = emulator().await;
    let home = Home::new();
    for profile in ["topleft", "hudu"] {
        let r = home
            .run_sim(
                &sim,
                ["apply", "--url", &sim.url, "--profile", profile, "--yes"],
            )
            .await;
        // Hudu leaves a step to do by hand (exit 3): applied all the same.
        assert!(matches!(r.code, 0 | 3), "{}\n{}", r.stdout, r.stderr);
    }
    let ids = home.session_ids();
    assert_eq!(ids.len(), 2);
    let (topleft, hudu) = if ids[0].contains("topleft") {
        (ids[0].clone(), ids[1].clone())
    } else {
        (ids[1].clone(), ids[0].clone())
    };
    let r = home.run(["status"], &[]).await;
    assert!(r.stdout.contains("emulator"), "marked: {}", r.stdout);
    let r = home.run(["sessions", "--all"], &[]).await;
    assert!(r.stdout.contains("emulator"), "marked: {}", r.stdout);
    // handover clean ID: that setup's file only.
    let r = home
        .run(["handover", "clean", &topleft, "--yes"], &[])
        .await;
    assert_eq!(r.code, 0, "{}\n{}", r.stdout, r.stderr);
    assert!(!home.handover(&topleft).exists());
    assert!(
        home.handover(&hudu).exists(),
        "the other setup's file stays"
    );
    // sessions discard ID: that setup's journal only (Halo is not touched).
    let r = home.run(["sessions", "discard", &topleft], &[]).await;
    assert_eq!(r.code, 0, "{}\n{}", r.stdout, r.stderr);
    assert!(
        r.stdout.contains("--yes"),
        "in a pipe it only lists: {}",
        r.stdout
    );
    assert_eq!(home.session_ids().len(), 2);
    let r = home
        .run(["sessions", "discard", &topleft, "--yes"], &[])
        .await;
    assert_eq!(r.code, 0, "{}\n{}", r.stdout, r.stderr);
    assert_eq!(home.session_ids(), vec![hudu.clone()]);
    assert_eq!(named(&sim, &home.journal().load(&hudu).unwrap()), (1, 1, 1));
    let r = home
        .run(["sessions", "discard", "nope", "--yes"], &[])
        .await;
    assert_eq!(r.code, 2, "an unknown setup: {}", r.stderr);
    assert_eq!(home.session_ids(), vec![hudu]);
}
