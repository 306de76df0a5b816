//! The real binary in a pseudo-terminal (120x40):
//! - time to first frame of the wizard (plain and `--demo`) against `examples/min_frame`, the
//!   smallest ratatui program, in the same run (median of 10, interleaved);
//! - idle CPU over 10 s with no input, on the first screen and after connecting (target < 1%);
//! - peak memory (VmHWM) of the wizard in `--demo`, next to min_frame's;
//! - the wizard's connection test against the embedded emulator with 100 ms latency
//!   (`HALO_ONBOARD_DEMO_LATENCY_MS`), as dependent round trips.
//!
//! Needs `cargo build --release --examples` first (run-all.sh does it). Runs only under
//! `cargo bench` (the `--bench` flag), never in `cargo test`.

mod support;

use std::process::Command;
use std::time::Duration;

use support::proc::{PtyChild, cpu_time, cpu_time_precise};
use support::reqlog::{Rec, critical_path, timeline};
use support::tmux::Tmux;
use support::{binary, example, row};

/// First-frame runs of each program, interleaved: a few milliseconds each, so 40 keep the
/// medians steady on a shared machine (10 moved the ratio by ±0.3).
const RUNS: usize = 40;
const COLS: u16 = 120;
const ROWS: u16 = 40;
/// Markers drawn last in each first frame (ratatui skips blank cells, so no spaces): the
/// wizard's footer ends with "q quit", min_frame's border with its bottom-right corner.
const WIZARD_MARK: &str = "quit";
const MIN_MARK: &str = "┘";

fn wizard(state: &std::path::Path, demo: bool, latency_ms: u64) -> Command {
    let mut c = Command::new(binary());
    if demo {
        c.arg("--demo");
    }
    c.env("HALO_ONBOARD_STATE_DIR", state)
        .env("HALO_ONBOARD_DEMO_LATENCY_MS", latency_ms.to_string())
        .env_remove("NO_COLOR");
    c
}

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v.get(v.len() / 2).copied().unwrap_or_default()
}

fn ms(d: Duration) -> String {
    format!("{:.1} ms", d.as_secs_f64() * 1e3)
}

/// Time until `mark` is on the terminal, or None after 10 s.
fn first_frame(cmd: Command, mark: &str) -> Option<Duration> {
    let mut p = PtyChild::spawn(cmd, COLS, ROWS).ok()?;
    let t = p.wait_for(mark, Duration::from_secs(10));
    p.stop();
    t
}

fn time_to_first_frame(state: &std::path::Path) {
    let min = example("min_frame");
    if !min.exists() {
        eprintln!(
            "{} missing: run cargo build --release --examples",
            min.display()
        );
        return;
    }
    let (mut base, mut plain, mut demo) = (Vec::new(), Vec::new(), Vec::new());
    for _ in 0..RUNS {
        base.extend(first_frame(Command::new(&min), MIN_MARK));
        plain.extend(first_frame(wizard(state, false, 0), WIZARD_MARK));
        demo.extend(first_frame(wizard(state, true, 0), WIZARD_MARK));
    }
    let b = median(base);
    for (name, v) in [("wizard", plain), ("wizard --demo", demo)] {
        let n = v.len();
        let t = median(v);
        let ratio = t.as_secs_f64() / b.as_secs_f64().max(1e-9);
        println!(
            "first frame: {name} {} vs min_frame {} ({n} runs)",
            ms(t),
            ms(b)
        );
        row(
            &format!("time to first frame in a pty, {name} vs min_frame (median of {RUNS})"),
            &format!("{} vs {} = {ratio:.2}x", ms(t), ms(b)),
            "<= 1.3x",
            Some(ratio <= 1.3),
        );
    }
}

/// CPU used over `secs` with no input: (percentage of one core by utime+stime, that CPU time,
/// the same at ns resolution from the threads' schedstat).
fn idle_cpu(p: &mut PtyChild, secs: u64) -> Option<(f64, Duration, Duration)> {
    let pid = p.child.id();
    let before = cpu_time(pid)?;
    let before_ns = cpu_time_precise(pid)?;
    let end = std::time::Instant::now() + Duration::from_secs(secs);
    while std::time::Instant::now() < end {
        p.drain();
        std::thread::sleep(Duration::from_millis(200));
    }
    let after = cpu_time(pid)?;
    let after_ns = cpu_time_precise(pid)?;
    let used = after.saturating_sub(before);
    let precise = after_ns.saturating_sub(before_ns);
    Some((used.as_secs_f64() / secs as f64 * 100.0, used, precise))
}

fn idle_and_memory(state: &std::path::Path) {
    let Ok(mut p) = PtyChild::spawn(wizard(state, true, 0), COLS, ROWS) else {
        eprintln!("could not start the wizard in a pty");
        return;
    };
    if p.wait_for(WIZARD_MARK, Duration::from_secs(10)).is_none() {
        eprintln!("the wizard drew nothing");
        p.stop();
        return;
    }
    std::thread::sleep(Duration::from_secs(1));
    let first = idle_cpu(&mut p, 10);
    p.drain();
    p.seen.clear();
    let _ = p.send(b"\r");
    let connected = p.wait_for("Connected", Duration::from_secs(10)).is_some();
    std::thread::sleep(Duration::from_secs(1));
    let after = connected.then(|| idle_cpu(&mut p, 10)).flatten();
    let hwm = p.vm_hwm_kib();
    p.stop();
    for (label, v) in [
        ("first screen", first),
        ("after connecting to the emulator", after),
    ] {
        if let Some((pct, used, precise)) = v {
            row(
                &format!("idle CPU of the wizard --demo over 10 s, {label}"),
                &format!(
                    "{pct:.2}% of one core ({} utime+stime in 10 s; schedstat {:.0} µs)",
                    ms(used),
                    precise.as_secs_f64() * 1e6
                ),
                "< 1%",
                Some(pct < 1.0),
            );
        }
    }
    let min_hwm = PtyChild::spawn(Command::new(example("min_frame")), COLS, ROWS)
        .ok()
        .and_then(|mut m| {
            m.wait_for(MIN_MARK, Duration::from_secs(10))?;
            let v = m.vm_hwm_kib();
            m.stop();
            v
        });
    if let Some(kib) = hwm {
        row(
            "peak memory (VmHWM) of the wizard --demo: started, connected, idle 20 s",
            &format!(
                "{:.1} MiB (min_frame: {})",
                kib as f64 / 1024.0,
                min_hwm.map_or("n/a".into(), |k| format!("{:.1} MiB", k as f64 / 1024.0))
            ),
            "-",
            None,
        );
    }
}

/// Enter on "Test connection" until "Connected" shows (the Connect screen's "✓ Connected as …"), with 100 ms emulated latency.
fn wizard_connect(state: &std::path::Path) {
    let mut times = Vec::new();
    for _ in 0..3 {
        let Ok(mut p) = PtyChild::spawn(wizard(state, true, 100), COLS, ROWS) else {
            return;
        };
        if p.wait_for(WIZARD_MARK, Duration::from_secs(10)).is_some() {
            std::thread::sleep(Duration::from_millis(300));
            p.drain();
            p.seen.clear();
            let t0 = std::time::Instant::now();
            let _ = p.send(b"\r");
            if p.wait_for("Connected", Duration::from_secs(10)).is_some() {
                times.push(t0.elapsed());
            }
        }
        p.stop();
    }
    if times.is_empty() {
        return;
    }
    let t = median(times);
    let trips = t.as_secs_f64() / 0.1;
    row(
        "wizard --demo connection test (authinfo, token, me, lookups, role details) at 100 ms latency",
        &format!("{} = {trips:.2} x 100 ms", ms(t)),
        "3 round trips (authinfo ∥ token, me ∥ lookups, the roles' details)",
        Some(trips <= 3.0 * 1.3),
    );
}

/// The wizard's whole apply at 100 ms latency, driven in tmux: topleft from the profile picker,
/// Ctrl-N through the steps, Apply, `y`; timed from `y` until "verification passed" shows.
/// The emulator's request log (its URL is on the first screen) gives the critical path.
fn wizard_apply() {
    const METRIC: &str = "wizard --demo apply (topleft) at 100 ms latency, from `y` until \"verification passed\" (tmux, 10 ms polling)";
    // A run that could not finish says so in the table instead of leaving its row out.
    if let Err(why) = wizard_apply_run(METRIC) {
        row(
            METRIC,
            &format!("not measured: {why}"),
            "<= 1.1x",
            Some(false),
        );
    }
}

fn wizard_apply_run(metric: &str) -> Result<(), String> {
    let state = tempfile::tempdir().map_err(|e| format!("temp dir: {e}"))?;
    let cmd = format!(
        "env HALO_ONBOARD_STATE_DIR={} HALO_ONBOARD_DEMO_LATENCY_MS=100 {} --demo",
        state.path().display(),
        binary().display()
    );
    let t = Tmux::start(&cmd, COLS, ROWS).ok_or("tmux could not start")?;
    let wait = |s: &str| {
        t.wait_for(s, Duration::from_secs(20))
            .ok_or_else(|| format!("'{s}' never showed"))
    };
    // The demo's emulator starts once the first frame is drawn: its URL shows then.
    let (_, first) = wait("press t to connect")?;
    let url = first
        .split_whitespace()
        .find(|w| w.starts_with("http://127.0.0.1:"))
        .map(str::to_string)
        .ok_or("no emulator URL on the first screen")?;
    let steps: [(&[&str], &str); 10] = [
        (&["Enter"], "Connected as"),
        (&["Tab", "Tab", "Enter"], "Profile  (vendor"),
        // Letters filter the picker: the id leaves TopLeft alone and highlighted.
        (&["topleft"], "▶ TopLeft"),
        (&["Enter"], "every step pre-filled"),
        (&["C-n"], "2 · Role"),
        (&["C-n"], "3 · Agent"),
        (&["C-n"], "4 · Application"),
        (&["C-n"], "5 · Permissions"),
        (&["C-n"], "6 · Submit"),
        (&["Enter"], "Write to Halo now?"),
    ];
    for (keys, until) in steps {
        t.keys(keys);
        wait(until)?;
    }
    let epoch0 = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as i64);
    let t0 = std::time::Instant::now();
    t.keys(&["y"]);
    // The log's last line of the apply (the result's headline may be scrolled off).
    let (t1, _) = wait("verification passed")?;
    let wall = (t1 - t0).as_secs_f64() * 1e3;
    let recs = support::sandbox::get(&url, "/_sim/requests")
        .ok()
        .and_then(|b| serde_json::from_str::<Vec<Rec>>(&b).ok())
        .ok_or("the emulator's request log could not be read")?;
    let recs: Vec<Rec> = recs.into_iter().filter(|r| r.ts_ms >= epoch0).collect();
    let chain = critical_path(&recs, 100);
    let trips = chain.len() as f64;
    row(
        metric,
        &format!(
            "{wall:.0} ms; {} dependent round trips measured, {} requests: {:.2}x of {} x 100 ms",
            chain.len(),
            recs.len(),
            wall / (trips * 100.0).max(1.0),
            chain.len()
        ),
        "<= 1.1x",
        Some(wall / (trips * 100.0).max(1.0) <= 1.1),
    );
    for line in timeline(&recs, &chain, 100) {
        println!("TLW {line}");
    }
    Ok(())
}

fn main() {
    if !std::env::args().any(|a| a == "--bench") {
        println!("startup: skipped (run with cargo bench)");
        return;
    }
    let state = tempfile::tempdir().expect("temp dir");
    time_to_first_frame(state.path());
    idle_and_memory(state.path());
    wizard_connect(state.path());
    wizard_apply();
}
