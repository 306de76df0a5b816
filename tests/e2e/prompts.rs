//! On a terminal, ask; in a pipe, fail fast: headless `apply` in tmux asks for a missing
//! bootstrap secret with echo off, follows the plan with "Apply? [y/N]", and writes only on
//! "y". (The pipe side, where nothing waits for input, is in the cli tests.)

use crate::common::emulator::*;
use crate::common::tmux::{Tui, have_tmux};

fn writes(sim: &halo_onboard::sim::SimHandle) -> usize {
    sim.requests()
        .iter()
        .filter(|r| r.method == "POST" && r.path.starts_with("/api"))
        .count()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_terminal_is_asked_for_the_secret_and_before_applying() {
    if !have_tmux() {
        eprintln!("tmux not installed; skipping");
        return;
    }
    let sim = emulator().await;
    let args = format!(
        "apply --url '{}' --client-id '{}' --profile topleft",
        sim.url, sim.client_id
    );
    // "n": the plan, the question, nothing written.
    let t = Tui::start("prompt-no", &[], &args, 120, 40);
    t.wait_for(
        "Client Secret of the bootstrap application (not shown; or set HALO_CLIENT_SECRET):",
    );
    t.text(&sim.client_secret);
    t.keys(&["Enter"]);
    t.wait_for("Apply these changes to Halo? [y/N]");
    let screen = t.history();
    assert!(
        !screen.contains(&sim.client_secret),
        "the secret was echoed:\n{screen}"
    );
    assert!(
        screen.contains("create  Role         TopLeft Role"),
        "{screen}"
    );
    assert!(
        screen.contains("Known traps of this integration"),
        "{screen}"
    );
    t.keys(&["n", "Enter"]);
    assert_eq!(t.exit_code(), 0, "{}", t.history());
    assert!(
        t.history().contains("Nothing was written."),
        "{}",
        t.history()
    );
    assert_eq!(writes(&sim), 0);
    assert!(t.home.session_ids().is_empty(), "no setup was started");
    t.assert_restored();

    // "y": applied, verified and handed over; the plan is not printed twice.
    let t = Tui::start(
        "prompt-yes",
        &[("HALO_CLIENT_SECRET", &sim.client_secret)],
        &args,
        120,
        60,
    );
    t.wait_for("Apply these changes to Halo? [y/N]");
    t.keys(&["y", "Enter"]);
    assert_eq!(t.exit_code(), 0, "{}", t.history());
    let out = t.history();
    assert!(out.contains("Verified with the new credentials"), "{out}");
    assert_eq!(
        out.matches("Known traps of this integration").count(),
        1,
        "{out}"
    );
    assert_eq!(writes(&sim), 3);
    assert_eq!(t.home.session_ids().len(), 1);
    t.assert_restored();

    // rollback lists what it would delete and asks the same way.
    let state = t.home.state();
    let state = state.to_str().unwrap();
    let env = [
        ("HALO_CLIENT_SECRET", sim.client_secret.as_str()),
        ("HALO_ONBOARD_STATE_DIR", state),
    ];
    let r = Tui::start("prompt-rollback", &env, "rollback last", 120, 40);
    r.wait_for("Delete them from Halo? [y/N]");
    assert!(r.history().contains("Setup "), "{}", r.history());
    r.keys(&["y", "Enter"]);
    assert_eq!(r.exit_code(), 0, "{}", r.history());
    assert!(r.history().contains("rolled back"), "{}", r.history());
    let left = sim.with_state(|st| st.count_named("applications", "TopLeft"));
    assert_eq!(left, 0);
}
