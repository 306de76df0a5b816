//! Issue 12 in the wizard (real binary, tmux): against a Halo whose token errors, agent name
//! and tenant carry terminal escapes, the log file stays one line per event with an RFC 3339
//! timestamp, and holds no byte below 0x20 but the newline ending each line.

use crate::common::hostile::*;
use crate::common::tmux::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_log_file_stays_one_clean_line_per_event() {
    if !have_tmux() {
        eprintln!("tmux not installed; skipping");
        return;
    }
    let (sim, fr) = hostile_halo().await;
    let t = Tui::start("hostile", &[], "", 120, 40);
    // A token refusal whose error_description carries the payloads…
    t.wait_for("1 · Connect");
    t.text(&fr.url);
    t.keys(&["Tab"]);
    t.text(BAD_CLIENT);
    t.keys(&["Tab"]);
    t.text(&sim.client_secret);
    t.keys(&["Tab", "Enter"]);
    t.wait_for("connection failed");
    // …then the right client id: connected as an agent whose name carries them too.
    t.keys(&["BTab", "BTab", "C-u"]);
    t.text(&sim.client_id);
    t.keys(&["Tab", "Tab", "Enter"]);
    t.wait_for("✓ Connected as");
    topleft_to_apply(&t);
    t.wait_for("shown ONCE");
    t.keys(&["q"]);
    t.wait_for("Quit halo-onboard?");
    t.keys(&["y"]);
    assert_eq!(t.exit_code(), 0, "{}", t.history());
    let log = std::fs::read(t.state().join("halo-onboard.log")).unwrap();
    assert_clean("log file", &log);
    let text = String::from_utf8(log).unwrap();
    assert!(
        text.contains("bad request\\x1b]52;c;"),
        "the token error is logged, escaped: {text}"
    );
    assert!(
        text.contains("connected as Eve\\x1b]52;c;"),
        "the name is logged, escaped: {text}"
    );
    for line in text.lines() {
        let (stamp, rest) = line.split_once(' ').unwrap_or_default();
        assert!(
            stamp.len() == 24 && stamp.ends_with('Z') && stamp.as_bytes()[10] == b'T',
            "RFC 3339 UTC timestamp first: {line:?}"
        );
        let (tag, rest) = rest.split_once(' ').unwrap_or_default();
        assert!(
            tag.starts_with("run=") || tag.starts_with("setup="),
            "a session tag second: {line:?}"
        );
        assert!(
            ["info ", "http ", "warn ", "error "]
                .iter()
                .any(|k| rest.starts_with(k)),
            "every line is one event: {line:?}"
        );
    }
    assert!(
        !text.contains("\n2026-01-01T00:00:00.000Z info hand-over confirmed"),
        "the forged line is not a line: {text}"
    );
}
