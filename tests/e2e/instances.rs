//! The wizard and saved instances: HALO_URL/HALO_CLIENT_ID pre-fill the Connect step; after a
//! connect, `s` saves the Halo (address and Client ID, never the secret) into the config file,
//! which headless `--instance` and the wizard's `--instance` then use.

use crate::common::emulator::*;
use crate::common::tmux::{Tui, have_tmux};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_wizard_saves_the_halo_it_connected_to() {
    if !have_tmux() {
        eprintln!("tmux not installed; skipping");
        return;
    }
    let sim = emulator().await;
    let env = [
        ("HALO_URL", sim.url.as_str()),
        ("HALO_CLIENT_ID", sim.client_id.as_str()),
    ];
    let t = Tui::start("instance-save", &env, "", 120, 40);
    // Pre-filled from the environment: only the secret is typed.
    let screen = t.wait_for("1 · Connect");
    assert!(
        screen.contains(&sim.url) && screen.contains(&sim.client_id),
        "{screen}"
    );
    // From the URL field (where the wizard starts) to the secret.
    t.keys(&["Tab", "Tab"]);
    t.text(&sim.client_secret);
    t.keys(&["Tab", "Enter"]);
    t.wait_for("✓ Connected as");
    t.wait_for("s save this Halo");
    t.keys(&["s"]);
    t.wait_for("Save this Halo");
    // A host that is an IP address suggests "halo"; name it "sb".
    t.keys(&["C-u"]);
    t.text("sb");
    t.keys(&["Enter"]);
    t.wait_for("instance 'sb' saved");
    let cfg = t
        .home()
        .join("xdg-config")
        .join("halo-onboard")
        .join("config.toml");
    let text = std::fs::read_to_string(&cfg).unwrap();
    assert!(text.contains("[instance.sb]"), "{text}");
    assert!(text.contains(&format!("url = \"{}\"", sim.url)), "{text}");
    assert!(
        text.contains(&format!("client_id = \"{}\"", sim.client_id)),
        "{text}"
    );
    assert!(!text.contains(&sim.client_secret), "{text}");
    let screen = t.screen();
    assert!(
        !screen.contains("s save this Halo"),
        "offered once saved:\n{screen}"
    );
    t.quit("q");

    // Headless, with only the secret in the environment.
    let r = t
        .home
        .run(
            crate::common::bin::APPLY_TOPLEFT_SB,
            &[("HALO_CLIENT_SECRET", sim.client_secret.as_str())],
        )
        .await;
    assert_eq!(r.code, 0, "{}\n{}", r.stdout, r.stderr);

    // The wizard's --instance fills the Connect step from it.
    let cfg_s = cfg.display().to_string();
    let w = Tui::start(
        "instance-fill",
        &[("HALO_ONBOARD_CONFIG", cfg_s.as_str())],
        "--instance sb",
        120,
        40,
    );
    let screen = w.wait_for("1 · Connect");
    assert!(
        screen.contains(&sim.url) && screen.contains(&sim.client_id),
        "{screen}"
    );
    // The URL field has focus: a letter would type into it.
    w.quit("C-c");
    let bad = Tui::start(
        "instance-none",
        &[("HALO_ONBOARD_CONFIG", cfg_s.as_str())],
        "--instance nope",
        120,
        40,
    );
    assert_eq!(bad.exit_code(), 2);
    assert!(
        bad.history().contains("no instance 'nope'"),
        "{}",
        bad.history()
    );
}

/// Issue 20: the wizard reads a saved instance's secret source as headless does: `--instance
/// sb` with `secret_env` (or `secret_file`) fills the secret too, so Enter connects.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_wizard_reads_a_saved_instance_secret_source() {
    if !have_tmux() {
        eprintln!("tmux not installed; skipping");
        return;
    }
    let sim = emulator().await;
    let home = crate::common::bin::Home::new();
    let file = home.path().join("sb.secret");
    std::fs::write(&file, format!("{}\n", sim.client_secret)).unwrap();
    let cfg = home.path().join("config.toml");
    for (name, source) in [
        ("env", "secret_env = \"SB_HALO_SECRET\"".to_string()),
        ("file", format!("secret_file = \"{}\"", file.display())),
    ] {
        std::fs::write(
            &cfg,
            format!(
                "[instance.sb]\nurl = \"{}\"\nclient_id = \"{}\"\n{source}\n",
                sim.url, sim.client_id
            ),
        )
        .unwrap();
        let cfg_s = cfg.display().to_string();
        let t = Tui::start(
            &format!("instance-secret-{name}"),
            &[
                ("HALO_ONBOARD_CONFIG", cfg_s.as_str()),
                ("SB_HALO_SECRET", sim.client_secret.as_str()),
            ],
            "--instance sb",
            120,
            40,
        );
        t.wait_for("1 · Connect");
        // Filled and focused on Test connection: Enter connects.
        t.wait_for("▶ [ Test connection ]");
        t.keys(&["Enter"]);
        t.wait_for("✓ Connected as");
        let s = t.screen();
        assert!(
            !s.contains(&sim.client_secret),
            "{name}: the secret never shows: {s}"
        );
        t.quit("q");
    }
}
