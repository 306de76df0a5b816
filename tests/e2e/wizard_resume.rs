//! End to end: the wizard (real binary in tmux) is SIGKILLed mid-apply right after the role was
//! created; `halo-onboard resume ID --yes` then finishes headless with exactly one role, agent
//! and application. The emulator runs in this process, so both runs see the same Halo.

use std::time::{Duration, Instant};

use crate::common::bin::*;
use crate::common::emulator::*;
use crate::common::tmux::{Tui, connect, have_tmux, topleft_to_apply};
use halo_onboard::sim::SimConfig;

fn journal_json(home: &Home, id: &str) -> serde_json::Value {
    let p = home.state().join("sessions").join(format!("{id}.json"));
    std::fs::read(p)
        .ok()
        .and_then(|b| serde_json::from_slice(&b).ok())
        .unwrap_or_default()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn wizard_killed_after_role_then_headless_resume_finishes_once() {
    if !have_tmux() {
        eprintln!("tmux not installed; skipping");
        return;
    }
    // Latency leaves time to kill between the role and the agent.
    let sim = spawn(SimConfig {
        latency: Duration::from_millis(150),
        ..SimConfig::default()
    })
    .await;
    let t = Tui::start("resume", &[], "", 120, 40);
    let home = &t.home;
    connect(&t, &sim.url, &sim.client_id, &sim.client_secret);
    topleft_to_apply(&t);
    // Kill as soon as the journal records the role (the agent is not written yet).
    let start = Instant::now();
    let id = loop {
        if let Some(id) = home.session_ids().pop()
            && journal_json(home, &id)["objects"]["role_id"].is_string()
        {
            break id;
        }
        assert!(
            start.elapsed() < Duration::from_secs(20),
            "no role; screen:\n{}",
            t.screen()
        );
        std::thread::sleep(Duration::from_millis(2));
    };
    let pid = t.wizard_pid();
    // SAFETY: plain kill(2) on the wizard this test started.
    assert_eq!(unsafe { libc::kill(pid, libc::SIGKILL) }, 0);
    let marker = halo_onboard::journal::marker_for(&id);
    let (roles, agents, apps) = marked(&sim, &marker);
    assert_eq!(roles, 1, "the role was created before the kill");
    assert!(apps == 0, "killed before the application");
    let before = journal_json(home, &id);
    assert_ne!(before["status"], "handed-over");

    // Headless resume with the bootstrap secret in the environment.
    let (code, out, err) = home.run_sim(&sim, &["resume", &id, "--yes"]).await.parts();
    assert_eq!(code, 0, "resume failed:\n{out}\n{err}");
    assert_eq!(
        marked(&sim, &marker),
        (1, 1, 1),
        "exactly one of each (agents before: {agents})"
    );
    let s = home.journal().load(&id).unwrap();
    assert_eq!(named(&sim, &s), (1, 1, 1), "no orphans by name");
    assert_eq!(journal_json(home, &id)["status"], "handed-over");
    let creds = read_env_file(&home.handover(&id));
    assert!(
        creds
            .get("HALO_APP_CLIENT_SECRET")
            .is_some_and(|s| !s.is_empty())
    );
    assert!(
        !out.contains(creds["HALO_APP_CLIENT_SECRET"].as_str()),
        "secret printed"
    );
}
