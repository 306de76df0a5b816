//! Headless apply, the real binary against emulated Halo with 100 ms latency per request:
//! - `apply --profile topleft --yes --json` against `halo-onboard sandbox --latency-ms 100`:
//!   wall time / (8 dependent round trips x 100 ms), the request count, and the critical path
//!   measured from the sandbox's request log (`GET /_sim/requests`); peak memory (wait4's
//!   ru_maxrss, the kernel's VmHWM at exit). Target ratio <= 1.1.
//! - `apply --batch` over 20 in-process emulators (100 ms each) at concurrency 4 and 20, against a
//!   batch of one: wall-time ratios (expect about 5x and about 1x).
//!
//! Runs only under `cargo bench` (the `--bench` flag), never in `cargo test`.

mod support;

use std::path::Path;
use std::process::Command;
use std::time::Duration;

use halo_onboard::sim::{self, SimConfig};
use support::proc::{Finished, run};
use support::reqlog::{Rec, critical_path, timeline};
use support::row;
use support::sandbox::Sandbox;

const LATENCY_MS: u64 = 100;
/// The engine's designed dependent chain: authinfo ∥ bootstrap token (asked at the typed
/// URL's login server, kept because authinfo names the same one), me ∥ lookups, the roles'
/// details (Halo's claim vocabulary, confirmed before any write), Role, Agent ∥ the role's
/// read-back, Application ∥ the agent's, new-credential token ∥ the application's, me ∥ probes.
const DESIGNED_TRIPS: usize = 8;
/// Wall time over the designed chain: the rest is the process's own time (start, TLS-free
/// local connections, JSON, the journal's fsyncs).
const TARGET_RATIO: f64 = 1.1;
const RUNS: usize = 3;
const SECRET_ENV: &str = "BENCH_HALO_SECRET";

fn bin(state: &Path) -> Command {
    let mut c = Command::new(support::binary());
    c.env("HALO_ONBOARD_STATE_DIR", state)
        .env("HALO_ONBOARD_PROFILES_DIR", state.join("no-profiles"))
        .env_remove("HALO_CLIENT_ID")
        .env_remove("HALO_CLIENT_SECRET");
    c
}

struct Single {
    run: Finished,
    recs: Vec<Rec>,
}

fn single(state: &Path) -> Option<Single> {
    let sb = Sandbox::start(&["--latency-ms", &LATENCY_MS.to_string()]).ok()?;
    let out = state.join("topleft.json");
    let mut c = bin(state);
    c.args(["apply", "--url", &sb.url, "--client-id", &sb.client_id])
        .args(["--profile", "topleft", "--yes", "--json", "--out"])
        .arg(&out)
        .env("HALO_CLIENT_SECRET", &sb.client_secret);
    let run = run(c).ok()?;
    if !run.status.success() {
        eprintln!("apply failed: {}\n{}", run.stdout, run.stderr);
        return None;
    }
    let recs: Vec<Rec> = serde_json::from_str(&sb.get("/_sim/requests").ok()?).ok()?;
    Some(Single { run, recs })
}

fn headless_apply() {
    let mut runs: Vec<Single> = (0..RUNS)
        .filter_map(|_| {
            let state = tempfile::tempdir().ok()?;
            single(state.path())
        })
        .collect();
    if runs.is_empty() {
        eprintln!("no apply run succeeded");
        return;
    }
    runs.sort_by_key(|s| s.run.wall);
    let m = &runs[runs.len() / 2];
    let wall = m.run.wall.as_secs_f64() * 1e3;
    let chain = critical_path(&m.recs, LATENCY_MS);
    let first = m.recs.iter().map(|r| r.ts_ms).min().unwrap_or(0) - LATENCY_MS as i64;
    let last = m.recs.iter().map(|r| r.ts_ms).max().unwrap_or(0);
    let span = (last - first) as f64;
    let lat = LATENCY_MS as f64;
    let designed = DESIGNED_TRIPS as f64 * lat;
    let measured = chain.len() as f64 * lat;
    row(
        &format!(
            "headless apply (topleft) vs sandbox --latency-ms {LATENCY_MS}, wall time of the process (median of {RUNS})"
        ),
        &format!(
            "{wall:.0} ms / ({DESIGNED_TRIPS} x {LATENCY_MS} ms) = {:.2}x",
            wall / designed
        ),
        &format!("<= {TARGET_RATIO}x"),
        Some(wall / designed <= TARGET_RATIO),
    );
    row(
        "  same, first request to last answer (server side)",
        &format!(
            "{span:.0} ms = {:.2}x of {DESIGNED_TRIPS} trips",
            span / designed
        ),
        &format!("<= {TARGET_RATIO}x"),
        Some(span / designed <= TARGET_RATIO),
    );
    row(
        "  dependent round trips measured from the request timestamps",
        &format!(
            "{} (wall / ({} x {LATENCY_MS} ms) = {:.2}x)",
            chain.len(),
            chain.len(),
            wall / measured.max(1.0)
        ),
        &format!("{DESIGNED_TRIPS}"),
        Some(chain.len() <= DESIGNED_TRIPS),
    );
    let writes = m
        .recs
        .iter()
        .filter(|r| r.method != "GET" && r.path.starts_with("/api/"))
        .count();
    row(
        "  requests sent",
        &format!("{} ({writes} API writes)", m.recs.len()),
        "-",
        None,
    );
    row(
        "peak memory (VmHWM at exit) of the headless apply",
        &format!("{:.1} MiB", m.run.max_rss_kib as f64 / 1024.0),
        "-",
        None,
    );
    // The timeline, so a serialised request is easy to spot.
    for line in timeline(&m.recs, &chain, LATENCY_MS) {
        println!("TL {line}");
    }
}

/// One `apply --batch` over `n` fresh emulators: (wall time, CPU time of the batch process),
/// or None when an instance failed.
fn batch(
    rt: &tokio::runtime::Runtime,
    n: usize,
    concurrency: usize,
) -> Option<(Duration, Duration)> {
    let secret = "bench-bootstrap-secret";
    let sims: Vec<_> = (0..n)
        .filter_map(|_| {
            let cfg = SimConfig {
                latency: Duration::from_millis(LATENCY_MS),
                client_id: Some("bench-client".into()),
                client_secret: Some(secret.into()),
                ..SimConfig::default()
            };
            rt.block_on(sim::spawn(cfg, ([127, 0, 0, 1], 0).into()))
                .ok()
        })
        .collect();
    let dir = tempfile::tempdir().ok()?;
    let mut toml = String::new();
    for (i, h) in sims.iter().enumerate() {
        toml.push_str(&format!(
            "[[instance]]\nname = \"i{i}\"\nurl = \"{}\"\nclient_id = \"bench-client\"\nclient_secret_env = \"{SECRET_ENV}\"\nprofile = \"topleft\"\n\n",
            h.url
        ));
    }
    let file = dir.path().join("batch.toml");
    std::fs::write(&file, toml).ok()?;
    let mut c = bin(dir.path());
    c.args(["apply", "--batch"])
        .arg(&file)
        .args(["--yes", "--json", "--concurrency", &concurrency.to_string()])
        .env(SECRET_ENV, secret);
    let r = run(c).ok()?;
    let v: serde_json::Value = serde_json::from_str(r.stdout.trim()).ok()?;
    let ok = v["instances"]
        .as_array()
        .map_or(0, |a| a.iter().filter(|i| i["status"] == "ok").count());
    for h in sims {
        rt.block_on(h.shutdown());
    }
    if ok != n || !r.status.success() {
        eprintln!("batch of {n}: {ok} ok\n{}\n{}", r.stdout, r.stderr);
        return None;
    }
    Some((r.wall, r.cpu))
}

/// Median of three batch runs (fresh emulators each), with all three for the spread.
fn batch3(rt: &tokio::runtime::Runtime, n: usize, concurrency: usize) -> Option<(f64, String)> {
    let mut v: Vec<(f64, f64)> = (0..3)
        .filter_map(|_| batch(rt, n, concurrency))
        .map(|(w, c)| (w.as_secs_f64() * 1e3, c.as_secs_f64() * 1e3))
        .collect();
    if v.len() < 3 {
        return None;
    }
    v.sort_by(|a, b| a.0.total_cmp(&b.0));
    Some((
        v[1].0,
        format!(
            "runs {:.0}, {:.0}, {:.0} ms; batch process CPU {:.0} ms",
            v[0].0, v[1].0, v[2].0, v[1].1
        ),
    ))
}

fn batches() {
    let Ok(rt) = tokio::runtime::Runtime::new() else {
        return;
    };
    let Some((one_ms, spread)) = batch3(&rt, 1, 1) else {
        return;
    };
    row(
        "batch apply, 1 instance (100 ms latency), median of 3",
        &format!("{one_ms:.0} ms ({spread})"),
        "-",
        None,
    );
    for (c, expect) in [(4usize, 5.0f64), (20, 1.0)] {
        if let Some((t, spread)) = batch3(&rt, 20, c) {
            let ratio = t / one_ms;
            row(
                &format!(
                    "batch apply, 20 instances at --concurrency {c} vs 1 instance, median of 3"
                ),
                &format!("{t:.0} ms = {ratio:.2}x ({spread})"),
                &format!("≈ {expect:.0}x (20 / {c} waves)"),
                Some(ratio <= expect * 1.3),
            );
        }
    }
}

fn main() {
    if !std::env::args().any(|a| a == "--bench") {
        println!("apply: skipped (run with cargo bench)");
        return;
    }
    headless_apply();
    batches();
}
