//! The Done-when: a kill at each step of `rotate` resumes without a third application. The
//! real binary is SIGKILLed at every journal boundary of `rotate --setup` and right after each
//! Halo write it makes was processed (its answer not yet read), and at each boundary of
//! `rotate --finish`; running the same command again must end with exactly two applications
//! for the agent (then one after the finish), both credentials working until the finish and
//! only the new one after it.

use std::time::{Duration, Instant};

use crate::common::bin::*;
use crate::common::emulator::*;
use futures::StreamExt;
use halo_onboard::sim::{SimConfig, SimHandle};

use crate::daytwo::{applied, apps_of};

const LATENCY: Duration = Duration::from_millis(20);
const PARALLEL: usize = 4;

#[derive(Debug, Clone, Copy)]
enum KillAt {
    Never,
    /// As soon as the journal holds this many more entries than before the command.
    Entries(usize),
    /// Right after the emulator processed the n-th API write of the command (1-based).
    AfterWrite(usize),
}

fn entries(home: &Home, id: &str) -> usize {
    let p = home.state().join("sessions").join(format!("{id}.json"));
    std::fs::read(p)
        .ok()
        .and_then(|b| serde_json::from_slice::<serde_json::Value>(&b).ok())
        .map_or(0, |v| v["entries"].as_array().map_or(0, Vec::len))
}

fn writes(sim: &SimHandle) -> usize {
    sim.requests()
        .iter()
        .filter(|r| r.method != "GET" && r.path.starts_with("/api/"))
        .count()
}

/// Runs `args` and kills it at `at`; returns whether it was killed before it ended.
async fn run_killed(sim: &SimHandle, home: &Home, id: &str, args: &[&str], at: KillAt) -> bool {
    let (e0, w0) = (entries(home, id), writes(sim));
    let mut child = home.cmd(sim, args).spawn().unwrap();
    let started = Instant::now();
    loop {
        if let Some(st) = child.try_wait().unwrap() {
            assert!(
                matches!(at, KillAt::Never) || st.success(),
                "{at:?}: {args:?} failed before the kill"
            );
            return false;
        }
        let hit = match at {
            KillAt::Never => false,
            KillAt::Entries(n) => entries(home, id) >= e0 + n,
            KillAt::AfterWrite(n) => writes(sim) >= w0 + n,
        };
        if hit {
            child.start_kill().unwrap();
            child.wait().await.unwrap();
            return true;
        }
        assert!(started.elapsed() < Duration::from_secs(60), "{at:?}: hung");
        tokio::time::sleep(Duration::from_micros(300)).await;
    }
}

async fn works(sim: &SimHandle, file: &std::path::Path, scopes: &[String]) -> Result<(), String> {
    let env = read_env_file(file);
    creds_work(
        sim,
        &env["HALO_APP_CLIENT_ID"],
        &env["HALO_APP_CLIENT_SECRET"],
        scopes,
        env["HALO_AGENT_ID"].parse().unwrap(),
    )
    .await
}

/// One case: the rotation killed at `setup_at` during `--setup`, run again; then killed at
/// `finish_at` during `--finish`, run again.
async fn case(setup_at: KillAt, finish_at: KillAt) -> (bool, bool) {
    let sim = spawn(SimConfig {
        latency: LATENCY,
        ..SimConfig::default()
    })
    .await;
    let home = Home::new();
    let (id, env) = applied(&sim, &home, "hudu").await;
    let agent: i64 = env["HALO_AGENT_ID"].parse().unwrap();
    let scopes = home.journal().load(&id).unwrap().answers.scopes;
    let old_file = home.handover(&id);
    let ctx = format!("{setup_at:?}/{finish_at:?}");

    let setup = ["rotate", "--setup", id.as_str(), "--yes"];
    let killed_setup = run_killed(&sim, &home, &id, &setup, setup_at).await;
    assert!(
        apps_of(&sim, agent).len() <= 2,
        "{ctx}: a third application"
    );
    let r = home.run_sim(&sim, setup).await;
    assert_eq!(r.code, 0, "{ctx}: rotate again: {}\n{}", r.stdout, r.stderr);
    assert_eq!(
        apps_of(&sim, agent).len(),
        2,
        "{ctx}: exactly two after the setup"
    );
    let s = home.journal().load(&id).unwrap();
    let new_file = s
        .rotation
        .as_ref()
        .unwrap()
        .credentials_file
        .clone()
        .unwrap();
    works(&sim, &old_file, &scopes)
        .await
        .unwrap_or_else(|e| panic!("{ctx}: old: {e}"));
    works(&sim, &new_file, &scopes)
        .await
        .unwrap_or_else(|e| panic!("{ctx}: new: {e}"));

    let finish = ["rotate", "--finish", id.as_str(), "--yes"];
    let killed_finish = run_killed(&sim, &home, &id, &finish, finish_at).await;
    let s = home.journal().load(&id).unwrap();
    if s.rotation.is_some() {
        let r = home.run_sim(&sim, finish).await;
        assert_eq!(r.code, 0, "{ctx}: finish again: {}\n{}", r.stdout, r.stderr);
    }
    assert_eq!(apps_of(&sim, agent).len(), 1, "{ctx}: one after the finish");
    works(&sim, &new_file, &scopes)
        .await
        .unwrap_or_else(|e| panic!("{ctx}: new after: {e}"));
    let s = home.journal().load(&id).unwrap();
    assert!(s.rotation.is_none() && s.rotations.len() == 1, "{ctx}");
    let left: Vec<String> = std::fs::read_dir(home.state().join("sessions"))
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".next") || n.ends_with(".secret") || n.ends_with(".tmp"))
        .collect();
    assert!(left.is_empty(), "{ctx}: secrets left behind: {left:?}");
    sim.shutdown().await;
    (killed_setup, killed_finish)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_kill_at_each_step_of_rotate_resumes_without_a_third_application() {
    // The command's own boundaries: journal entries and Halo writes of a full run.
    let sim = spawn(SimConfig {
        latency: LATENCY,
        ..SimConfig::default()
    })
    .await;
    let home = Home::new();
    let (id, _) = applied(&sim, &home, "hudu").await;
    let (e0, w0) = (entries(&home, &id), writes(&sim));
    assert!(
        !run_killed(
            &sim,
            &home,
            &id,
            &["rotate", "--setup", &id, "--yes"],
            KillAt::Never
        )
        .await
    );
    let (setup_entries, setup_writes) = (entries(&home, &id) - e0, writes(&sim) - w0);
    let (e1, w1) = (entries(&home, &id), writes(&sim));
    assert!(
        !run_killed(
            &sim,
            &home,
            &id,
            &["rotate", "--finish", &id, "--yes"],
            KillAt::Never
        )
        .await
    );
    let (finish_entries, finish_writes) = (entries(&home, &id) - e1, writes(&sim) - w1);
    sim.shutdown().await;
    assert!(
        setup_entries >= 4 && setup_writes == 1,
        "{setup_entries} entries, {setup_writes} writes"
    );
    assert!(
        finish_entries >= 2 && finish_writes == 1,
        "{finish_entries} entries, {finish_writes} writes"
    );

    let mut points: Vec<(KillAt, KillAt)> = (0..setup_entries)
        .map(|n| (KillAt::Entries(n), KillAt::Never))
        .collect();
    points.extend((1..=setup_writes).map(|n| (KillAt::AfterWrite(n), KillAt::Never)));
    points.extend((0..finish_entries).map(|n| (KillAt::Never, KillAt::Entries(n))));
    points.extend((1..=finish_writes).map(|n| (KillAt::Never, KillAt::AfterWrite(n))));
    let tried = points.len();
    let outcomes: Vec<(bool, bool)> = futures::stream::iter(points)
        .map(|(a, b)| case(a, b))
        .buffer_unordered(PARALLEL)
        .collect()
        .await;
    let landed = outcomes.iter().filter(|(a, b)| *a || *b).count();
    println!(
        "rotate kill points: {tried} tried, {landed} landed mid-run (setup: {setup_entries} journal entries, {setup_writes} write; finish: {finish_entries} entries, {finish_writes} write)"
    );
    assert!(
        landed * 10 >= tried * 8,
        "most kill points must land mid-run ({landed}/{tried})"
    );
}
