//! Terminal restore with the real wizard in tmux: a panic (before and after connecting), an
//! error out of the event loop, SIGTERM, SIGHUP and SIGINT (as a signal, `kill -INT`: raw mode
//! turns the Ctrl-C key into a key press, the signal still arrives) each leave the terminal in
//! cooked mode, the cursor shown and the alternate screen left. The panic and the error are
//! printed after the restore (so they are on the normal screen) and hold no secret.
//! SIGKILL cannot be handled: the terminal stays raw; tmux (or the user's `reset`) cleans up.

use crate::common::tmux::*;
use halo_onboard::sim::SimConfig;

/// Start, do `end` (a signal once the first frame is up; nothing for the test faults, which
/// end the run by themselves), then collect (exit code, restore problems).
fn run_case(name: &str, env: &[(&str, &str)], end: Option<i32>) -> (Tui, i32, Vec<String>) {
    let t = Tui::start(name, env, "--demo", 100, 30);
    if let Some(sig) = end {
        t.wait_for("1 · Connect");
        t.signal(sig);
    }
    let code = t.exit_code();
    let bad = t.restore_problems();
    (t, code, bad)
}

#[test]
fn every_way_out_restores_the_terminal() {
    if !have_tmux() {
        eprintln!("tmux not installed; skipping");
        return;
    }
    let fault = [("HALO_ONBOARD_TEST_PANIC", "after-first-frame")];
    let error = [("HALO_ONBOARD_TEST_PANIC", "error-after-first-frame")];
    let mut tried = 0;
    let mut failures = Vec::new();
    let mut check = |case: &str, (t, code, bad): (Tui, i32, Vec<String>), want: &[i32]| {
        tried += 1;
        let mut why = bad;
        if !want.contains(&code) {
            why.push(format!("exit code {code}, want {want:?}"));
        }
        if !why.is_empty() {
            failures.push(format!("{case}: {why:?}\n{}", t.history()));
        }
        t
    };
    // Signals: the conventional 128+n exit codes.
    check(
        "SIGTERM",
        run_case("term", &[], Some(libc::SIGTERM)),
        &[143],
    );
    check("SIGHUP", run_case("hup", &[], Some(libc::SIGHUP)), &[129]);
    check("SIGINT", run_case("int", &[], Some(libc::SIGINT)), &[130]);
    // Panic: the report comes after the restore, i.e. on the normal screen.
    let t = check("panic", run_case("panic", &fault, None), &[101]);
    let h = t.history();
    assert!(h.contains("test fault after the first frame"), "{h}");
    // Error out of the loop: message on stderr (the pane), failure exit code.
    let t = check("error", run_case("error", &error, None), &[1]);
    let h = t.history();
    assert!(
        h.contains("halo-onboard:") && h.contains("test fault after the first frame"),
        "{h}"
    );
    println!(
        "terminal-restore cases passed/tried: {}/{tried}",
        tried - failures.len()
    );
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

/// A panic with a bootstrap secret typed in and a token in memory: the report is printed on the
/// restored terminal and shows neither.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn panic_after_connecting_restores_and_shows_no_secret() {
    if !have_tmux() {
        eprintln!("tmux not installed; skipping");
        return;
    }
    let sim = crate::common::emulator::spawn(SimConfig::default()).await;
    let t = Tui::start(
        "panic-conn",
        &[("HALO_ONBOARD_TEST_PANIC", "after-connect")],
        "",
        100,
        30,
    );
    t.wait_for("1 · Connect");
    t.text(&sim.url);
    t.keys(&["Tab"]);
    t.text(&sim.client_id);
    t.keys(&["Tab"]);
    t.text(&sim.client_secret);
    t.keys(&["Tab", "Enter"]);
    assert_eq!(t.exit_code(), 101, "{}", t.history());
    let bad = t.restore_problems();
    assert!(bad.is_empty(), "{bad:?}");
    let h = t.history();
    assert!(h.contains("test fault after the first frame"), "{h}");
    assert!(
        !h.contains(&sim.client_secret),
        "bootstrap secret in the report:\n{h}"
    );
    assert!(!h.contains("eyJ"), "a token in the report:\n{h}");
    // The token request did happen: the panic came after the connection.
    assert!(
        sim.requests()
            .iter()
            .any(|r| r.path.contains("/api/Agent/me"))
    );
}

/// A panic in a worker task (not the event loop) ends the process too, after restoring the
/// terminal: before, the task died, its answer never came, and the screen spun forever.
#[test]
fn a_panic_in_a_task_ends_the_wizard() {
    if !have_tmux() {
        eprintln!("tmux not installed; skipping");
        return;
    }
    let t = Tui::start(
        "panic-task",
        &[("HALO_ONBOARD_TEST_PANIC", "in-connect-task")],
        "--demo",
        100,
        30,
    );
    t.wait_demo();
    // --demo focuses the test button: Enter connects, in a task that panics.
    t.keys(&["Enter"]);
    assert_eq!(t.exit_code(), 101, "{}", t.history());
    let bad = t.restore_problems();
    assert!(bad.is_empty(), "{bad:?}");
    let h = t.history();
    assert!(h.contains("test fault in the connect task"), "{h}");
}
