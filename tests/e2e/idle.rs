//! Idle means idle: with no input for 2 s the wizard writes nothing to the terminal (it redraws
//! on events, not on a timer) and uses next to no CPU — on the first screen and once connected.
//! A behaviour test, not a benchmark: a key press right after must produce output, so the
//! recorder is known to work.

use std::time::Duration;

use crate::common::tmux::*;

const IDLE: Duration = Duration::from_secs(2);

/// utime + stime of `pid`, in clock ticks.
fn cpu_ticks(pid: i32) -> u64 {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap();
    // Fields after the ")" of the command name: state is field 3, utime 14, stime 15.
    let rest = stat.rsplit_once(')').unwrap().1;
    let f: Vec<&str> = rest.split_whitespace().collect();
    f[11].parse::<u64>().unwrap() + f[12].parse::<u64>().unwrap()
}

/// Records the pane's output for `IDLE`: (bytes written, CPU ticks used).
fn idle_window(t: &Tui, name: &str) -> (usize, u64) {
    // Let the last frame and any late log line settle first.
    std::thread::sleep(Duration::from_millis(300));
    let out = t.home().join(name);
    let cmd = format!("cat >> '{}'", out.display());
    assert!(
        t.cmd(&["pipe-pane", "-o", "-t", "w", &cmd])
            .status()
            .unwrap()
            .success()
    );
    let pid = t.wizard_pid();
    let cpu0 = cpu_ticks(pid);
    std::thread::sleep(IDLE);
    let cpu = cpu_ticks(pid) - cpu0;
    let bytes = std::fs::read(&out).map_or(0, |b| b.len());
    // Proof the recorder works: a key (toggle the log pane) is drawn.
    t.keys(&["l"]);
    std::thread::sleep(Duration::from_millis(300));
    let after = std::fs::read(&out).map_or(0, |b| b.len());
    assert!(after > bytes, "{name}: the key press was not recorded");
    t.keys(&["l"]);
    let _ = t.cmd(&["pipe-pane", "-t", "w"]).status();
    (bytes, cpu)
}

#[test]
fn no_redraw_and_no_cpu_while_idle() {
    if !have_tmux() {
        eprintln!("tmux not installed; skipping");
        return;
    }
    let t = Tui::start("idle", &[], "--demo", 120, 40);
    t.wait_for("▶ [ Test connection ]");
    let (b1, c1) = idle_window(&t, "first-screen");
    t.keys(&["Enter"]);
    t.wait_for("✓ Connected as");
    let (b2, c2) = idle_window(&t, "connected");
    println!(
        "idle {} s: first screen {b1} bytes, {c1} CPU ticks; connected {b2} bytes, {c2} CPU ticks",
        IDLE.as_secs()
    );
    assert_eq!(b1, 0, "redraws on the idle first screen");
    assert_eq!(b2, 0, "redraws while idle and connected");
    // 2 s of a busy loop would be ~200 ticks; a timer redraw every 100 ms costs a few.
    assert!(c1 + c2 <= 4, "CPU while idle: {c1} + {c2} ticks");
    t.quit("q");
}
