//! Secret hygiene of the interactive wizard: a full walk (bootstrap secret TYPED into the masked
//! field, apply, hand-over, save with `s` to a file of our choosing, confirm) against an
//! emulator whose bootstrap secret we know. Then both secrets are searched in: every byte the
//! wizard wrote to the terminal (the bootstrap one; the new one after the confirm), the screen
//! after confirm, the pane history after exit, the log file, every file of the state dir, and
//! the process's command line and environment. Only the chosen hand-over file may hold the new
//! secret.

use std::time::Duration;

use crate::common::emulator::*;
use crate::common::tmux::*;
use halo_onboard::sim::SimConfig;

fn hits(hay: &[u8], needle: &str) -> usize {
    let n = needle.as_bytes();
    hay.windows(n.len()).filter(|w| *w == n).count()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_secret_left_anywhere_but_the_chosen_file() {
    if !have_tmux() {
        eprintln!("tmux not installed; skipping");
        return;
    }
    let sim = spawn(SimConfig::default()).await;
    let boot = sim.client_secret.clone();
    let t = Tui::start("secrets", &[], "", 120, 45);
    let raw1 = t.home().join("raw-before-confirm");
    let raw2 = t.home().join("raw-after-confirm");
    let pipe = |p: &std::path::Path| {
        let cmd = format!("cat >> '{}'", p.display());
        assert!(
            t.cmd(&["pipe-pane", "-o", "-t", "w", &cmd])
                .status()
                .unwrap()
                .success()
        );
    };
    pipe(&raw1);
    let (url, cid) = (sim.url.clone(), sim.client_id.clone());
    let wizard = t.wizard_pid();
    let cmdline = std::fs::read(format!("/proc/{wizard}/cmdline")).unwrap();
    let environ = std::fs::read(format!("/proc/{wizard}/environ")).unwrap();
    let t = tokio::task::spawn_blocking(move || {
        connect(&t, &url, &cid, &boot);
        topleft_to_apply(&t);
        t.wait_for("shown ONCE");
        t.wait_for("--profile topleft");
        t
    })
    .await
    .unwrap();
    let boot = sim.client_secret.clone();
    let (id, j) = journal_json(&t.state()).unwrap();
    assert_eq!(j["secret_pending"], true);
    let new = t
        .home
        .journal()
        .load_secret(&id)
        .map(|s| secrecy::ExposeSecret::expose_secret(&s).to_string())
        .expect("secret pending in the journal");
    let before = t.screen();
    assert!(
        before.contains(&new),
        "the new secret is shown once:\n{before}"
    );

    // Save to a file we choose (in a folder that exists: none is created), then confirm.
    let chosen = t.home().join("out").join("topleft.env");
    std::fs::create_dir_all(t.home().join("out")).unwrap();
    let raw2c = raw2.clone();
    let t = tokio::task::spawn_blocking(move || {
        t.keys(&["s"]);
        t.wait_for("Save");
        t.keys(&["C-u"]);
        t.text(&chosen.display().to_string());
        t.keys(&["Enter"]);
        t.wait_for("credentials saved to");
        // Everything from here on must be free of the new secret.
        let _ = t.cmd(&["pipe-pane", "-t", "w"]).status();
        std::thread::sleep(Duration::from_millis(100));
        let cmd = format!("cat >> '{}'", raw2c.display());
        assert!(
            t.cmd(&["pipe-pane", "-o", "-t", "w", &cmd])
                .status()
                .unwrap()
                .success()
        );
        t.keys(&["Enter"]);
        t.wait_for("(wiped after the hand-over)");
        // Copy after the confirm sends nothing secret.
        t.keys(&["c"]);
        t.wait_for("The secret is gone");
        t
    })
    .await
    .unwrap();
    let after_confirm = t.screen();
    let t = tokio::task::spawn_blocking(move || {
        t.quit("q");
        t
    })
    .await
    .unwrap();
    let history = t.history();
    let _ = t.cmd(&["pipe-pane", "-t", "w"]).status();

    let mut found: Vec<String> = Vec::new();
    let mut look = |what: &str, hay: &[u8], secrets: &[(&str, &str)]| {
        for (name, s) in secrets {
            let n = hits(hay, s);
            if n > 0 {
                found.push(format!("{name} x{n} in {what}"));
            }
        }
    };
    let both = [
        ("bootstrap secret", boot.as_str()),
        ("new secret", new.as_str()),
    ];
    let raw_before = std::fs::read(&raw1).unwrap_or_default();
    // The recording works: the hand-over screen drew the new secret once it was there.
    assert!(
        hits(&raw_before, &new) >= 1,
        "pipe-pane missed the hand-over screen"
    );
    let raw_after = std::fs::read(&raw2).unwrap_or_default();
    assert!(
        hits(&raw_after, "wiped") >= 1,
        "pipe-pane missed the confirm"
    );
    look(
        "terminal output before the confirm",
        &raw_before,
        &both[..1],
    );
    look("terminal output after the confirm", &raw_after, &both);
    look("screen after the confirm", after_confirm.as_bytes(), &both);
    look("pane history after exit", history.as_bytes(), &both);
    look("command line", &cmdline, &both);
    look("environment", &environ, &both);
    let mut files = files_under(&t.state());
    assert!(
        files.iter().any(|p| p.ends_with("halo-onboard.log")),
        "{files:?}"
    );
    assert!(
        files
            .iter()
            .any(|p| p.extension().is_some_and(|e| e == "json")),
        "{files:?}"
    );
    files.extend(files_under(&t.home().join("xdg-state")));
    files.extend(files_under(&t.home().join("xdg-config")));
    for f in &files {
        look(&f.display().to_string(), &std::fs::read(f).unwrap(), &both);
    }
    let chosen = t.home().join("out").join("topleft.env");
    let saved = std::fs::read(&chosen).unwrap();
    println!(
        "secret hits: {} (searched {} files, 2 terminal streams, screen, history, cmdline, environ)",
        found.len(),
        files.len()
    );
    assert!(found.is_empty(), "{found:#?}");
    assert_eq!(
        hits(&saved, &new),
        1,
        "the chosen file holds the new secret"
    );
    assert_eq!(hits(&saved, &boot), 0);
    use std::os::unix::fs::PermissionsExt;
    assert_eq!(
        std::fs::metadata(&chosen).unwrap().permissions().mode() & 0o777,
        0o600
    );
    // The saved credentials work.
    let env = read_env_file(&chosen);
    let s = t.home.journal().load(&id).unwrap();
    creds_work(
        &sim,
        &env["HALO_APP_CLIENT_ID"],
        &env["HALO_APP_CLIENT_SECRET"],
        &s.answers.scopes,
        env["HALO_AGENT_ID"].parse().unwrap(),
    )
    .await
    .unwrap();
}
