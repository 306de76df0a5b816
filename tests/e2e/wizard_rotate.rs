//! End to end: the wizard lists the finished setups (`o`); `r` on one closes it (the
//! terminal restored) and the rotation continues on the normal screen: the plan, "y", a second
//! application verified and handed over in a new file. Both credentials then work.

use crate::common::bin::*;
use crate::common::emulator::*;
use crate::common::tmux::{Tui, have_tmux};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn r_on_a_finished_setup_rotates_it_on_the_terminal() {
    if !have_tmux() {
        eprintln!("tmux not installed; skipping");
        return;
    }
    let sim = emulator().await;
    let home = Home::new();
    let r = home
        .run_sim(
            &sim,
            ["apply", "--url", &sim.url, "--profile", "topleft", "--yes"],
        )
        .await;
    assert_eq!(r.code, 0, "{}", r.stderr);
    let id = home.session_ids().pop().unwrap();
    let old = read_env_file(&home.handover(&id));
    let t = Tui::start_in(
        home,
        "rotate",
        &[("HALO_CLIENT_SECRET", sim.client_secret.as_str())],
        "",
        120,
        40,
    );
    // Finished setups do not pop up: the log says so, `o` (off a text field) lists them.
    t.wait_for("o on the Connect step lists them");
    t.keys(&["Up"]);
    t.wait_for("o your setups");
    t.keys(&["o"]);
    let s = t.wait_for("r rotates");
    assert!(s.contains(&id), "{s}");
    t.keys(&["r"]);
    let s = t.wait_for("[y/N]");
    assert!(s.contains("Rotate setup"), "{s}");
    t.keys(&["y", "Enter"]);
    let s = t.wait_for("New credentials verified and handed over");
    assert!(s.contains("rotate --finish"), "{s}");
    assert_eq!(t.exit_code(), 0, "{}", t.screen());
    t.assert_restored();
    let st = t.home.journal().load(&id).unwrap();
    let file = st.rotation.unwrap().credentials_file.unwrap();
    let new = read_env_file(&file);
    let scopes = st.answers.scopes;
    for env in [&old, &new] {
        creds_work(
            &sim,
            &env["HALO_APP_CLIENT_ID"],
            &env["HALO_APP_CLIENT_SECRET"],
            &scopes,
            env["HALO_AGENT_ID"].parse().unwrap(),
        )
        .await
        .expect("both work until the finish");
    }
    let screen = t.history();
    assert!(
        !screen.contains(&new["HALO_APP_CLIENT_SECRET"]),
        "the secret is never on screen"
    );
}
