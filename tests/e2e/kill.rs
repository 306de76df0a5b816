//! Kill/resume matrix for the INTERACTIVE wizard: the real binary in tmux walks the topleft
//! setup against an emulator with 50 ms latency (in this process, so the later headless run sees
//! the same Halo), answers `y`, and is SIGKILLed when the journal records a given step (role
//! done, agent about/done, application about/done, verified with the secret pending) or at
//! seeded random instants of the apply. `resume ID --yes` (bootstrap secret in the environment)
//! must then finish with exactly one role, agent and application carrying the setup's marker,
//! and working hand-over credentials.
//!
//! SIGKILL cannot be caught, so the terminal is NOT restored (raw mode, alternate screen): that
//! is what `reset` is for. Here tmux's kill-server takes the pane away with it.

use std::time::{Duration, Instant};

use crate::common::emulator::*;
use crate::common::tmux::*;
use futures::StreamExt;
use halo_onboard::sim::SimConfig;
use rand::{Rng, SeedableRng};

const PARALLEL: usize = 3;
const RANDOM_POINTS: usize = 5;

#[derive(Debug, Clone, Copy)]
enum KillAt {
    /// The journal holds this event about this subject ("about"/"done", "role"/...).
    Event(&'static str, &'static str),
    /// The journal's status is this.
    Status(&'static str),
    /// This long after `y`.
    After(Duration),
}

fn hit(at: KillAt, state: &std::path::Path, since: Instant) -> bool {
    if let KillAt::After(d) = at {
        return since.elapsed() >= d;
    }
    let Some((_, v)) = journal_json(state) else {
        return false;
    };
    match at {
        KillAt::Event(ev, subject) => v["entries"].as_array().is_some_and(|es| {
            es.iter()
                .any(|e| e["event"] == ev && e["subject"] == subject)
        }),
        KillAt::Status(s) => v["status"] == s,
        KillAt::After(_) => unreachable!(),
    }
}

/// Walks the wizard to `y` and kills it at `at`. Returns (the tmux session, whether the kill
/// landed before the wizard showed the hand-over).
fn walk_and_kill(at: KillAt, url: String, id: String, secret: String) -> (Tui, bool) {
    let t = Tui::start("kill", &[], "", 120, 40);
    connect(&t, &url, &id, &secret);
    topleft_to_apply(&t);
    let since = Instant::now();
    while !hit(at, &t.state(), since) {
        assert!(
            since.elapsed() < Duration::from_secs(20),
            "{at:?} never reached; screen:\n{}",
            t.screen()
        );
        std::thread::sleep(Duration::from_millis(1));
    }
    let before_end = !t.screen().contains("shown ONCE");
    t.signal(libc::SIGKILL);
    eprintln!(
        "{at:?}: killed {} ms after y, before the hand-over screen: {before_end}, status {:?}",
        since.elapsed().as_millis(),
        journal_json(&t.state()).map(|(_, v)| v["status"].clone())
    );
    // The pane's shell reports the kill (137); nothing restored the terminal.
    assert_eq!(t.exit_code(), 137);
    (t, before_end)
}

async fn case(at: KillAt) -> bool {
    let sim = spawn(SimConfig {
        latency: Duration::from_millis(50),
        ..SimConfig::default()
    })
    .await;
    let (url, cid, sec) = (
        sim.url.clone(),
        sim.client_id.clone(),
        sim.client_secret.clone(),
    );
    let (t, before_end) = tokio::task::spawn_blocking(move || walk_and_kill(at, url, cid, sec))
        .await
        .unwrap();
    let ctx = format!("{at:?}");
    let home = &t.home;
    // Killed before the journal: nothing may exist in Halo; a new apply does the job.
    resume_and_finish(&sim, home, &ctx).await;
    drop(t);
    sim.shutdown().await;
    before_end
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn wizard_sigkilled_mid_apply_resumes_headless_exactly_once() {
    if !have_tmux() {
        eprintln!("tmux not installed; skipping");
        return;
    }
    let t0 = Instant::now();
    let mut points = vec![
        KillAt::Event("done", "role"),
        KillAt::Event("about", "agent"),
        KillAt::Event("done", "agent"),
        KillAt::Event("about", "application"),
        KillAt::Event("done", "application"),
        KillAt::Status("verified"),
    ];
    // An apply with 50 ms latency takes about 330 ms after `y`: the random instants cover it.
    let mut rng = rand::rngs::StdRng::seed_from_u64(0x7e1_4a11);
    points.extend(
        (0..RANDOM_POINTS).map(|_| KillAt::After(Duration::from_millis(rng.random_range(0..350)))),
    );
    let tried = points.len();
    let landed: Vec<bool> = futures::stream::iter(points)
        .map(case)
        .buffer_unordered(PARALLEL)
        .collect()
        .await;
    let before_end = landed.iter().filter(|b| **b).count();
    println!(
        "wizard kill points resumed/tried: {tried}/{tried} ({before_end} before the hand-over screen; {:.1} s)",
        t0.elapsed().as_secs_f64()
    );
    assert!(
        before_end * 2 >= tried,
        "most kills must land mid-apply ({before_end}/{tried})"
    );
}
