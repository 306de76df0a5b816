//! Issue 14 in the real wizard (tmux, `--demo`): at 80x24 and 60x20 the result line is whole
//! and all six steps stay in the step bar (abbreviated), for a passing verification and for one
//! the emulator fails (its `refuse_reads` fault knob); Ctrl-N on Connect tests the connection
//! first; and the log file holds every request, verification included, in order, each line
//! with an RFC 3339 time and the session it belongs to.

use crate::common::tmux::*;

/// The screen's words joined by single spaces (a wrapped line reads as one).
fn words(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The demo's emulator address, read off the Connect step.
fn demo_url(t: &Tui) -> String {
    let s = t.wait_for("http://127.0.0.1:");
    let at = s.find("http://127.0.0.1:").unwrap_or_default();
    s[at..].chars().take_while(|c| !c.is_whitespace()).collect()
}

/// From the demo's Connect step: Ctrl-N tests the connection and moves on; back to Connect,
/// pick TopLeft through the filter, walk to Submit and apply.
fn demo_to_apply(t: &Tui) {
    t.keys(&["C-n"]);
    t.wait_for("2 · Role");
    let log = std::fs::read_to_string(t.state().join("halo-onboard.log")).unwrap_or_default();
    assert!(log.contains("testing the connection first"), "{log}");
    t.keys(&["Escape"]);
    t.wait_for("1 · Connect");
    t.wait_for("✓ Connected as");
    t.keys(&["Tab", "Tab", "Enter"]);
    t.wait_for("Filter:");
    t.text("topleft");
    t.wait_for("1 of 39");
    t.keys(&["Enter"]);
    t.wait_for("every step pre-filled");
    for step in ["2 · Role", "3 · Agent", "4 · App", "5 · Perm", "6 · Submit"] {
        t.keys(&["C-n"]);
        t.wait_for(step);
    }
    t.wait_for("[ Apply ]");
    t.keys(&["Enter"]);
    t.wait_for("Write to Halo now?");
    t.keys(&["y"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failing_verification_at_60x20_shows_the_whole_result() {
    if !have_tmux() {
        eprintln!("tmux not installed; skipping");
        return;
    }
    let t = Tui::start("small-fail", &[], "--demo", 60, 20);
    let url = demo_url(&t);
    // Halo refuses the agent two areas: their verification probes fail (role layer).
    let r = crate::common::http_builder()
        .no_proxy()
        .build()
        .unwrap()
        .post(format!("{url}/_sim/faults"))
        .json(&serde_json::json!({"refuse_reads": ["tickets", "client"]}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    demo_to_apply(&t);
    let s = t.wait_until("the failed verification", 30, |s| {
        words(s).contains("checks FAILED (see below)")
    });
    let w = words(&s);
    let at = w
        .find("applied; verification: 2 of ")
        .unwrap_or_else(|| panic!("{s}"));
    let rest = &w[at + "applied; verification: 2 of ".len()..];
    let n: String = rest.chars().take_while(char::is_ascii_digit).collect();
    assert!(
        !n.is_empty() && rest[n.len()..].starts_with(" checks FAILED (see below)"),
        "the whole result line: {s}"
    );
    crate::common::screen::assert_step_bar(&s, "60x20");
    assert!(
        s.contains("more"),
        "the hand-over says more lies below: {s}"
    );
    t.quit("q");
}

#[test]
fn a_passing_verification_at_80x24_and_the_log_file_in_order() {
    if !have_tmux() {
        eprintln!("tmux not installed; skipping");
        return;
    }
    let t = Tui::start("small-pass", &[], "--demo", 80, 24);
    demo_url(&t);
    demo_to_apply(&t);
    let s = t.wait_until("the verified setup", 30, |s| {
        words(s).contains("applied and verified (")
    });
    let w = words(&s);
    let at = w
        .find("applied and verified (")
        .unwrap_or_else(|| panic!("{s}"));
    assert!(
        w[at..].contains(" checks passed)"),
        "the whole result line: {s}"
    );
    crate::common::screen::assert_step_bar(&s, "80x24");
    assert!(s.contains("Client Secret"), "the credentials in view: {s}");
    t.quit("q");

    let log = std::fs::read_to_string(t.state().join("halo-onboard.log")).unwrap();
    let lines: Vec<&str> = log.lines().collect();
    // '<RFC 3339> <session> <kind> <text>' on every line; one run tag, then the setup's id.
    let mut runs = Vec::new();
    let mut setups = Vec::new();
    for l in &lines {
        let mut it = l.splitn(4, ' ');
        let (stamp, tag, kind) = (
            it.next().unwrap_or_default(),
            it.next().unwrap_or_default(),
            it.next().unwrap_or_default(),
        );
        assert!(
            stamp.len() == 24 && stamp.ends_with('Z') && stamp.as_bytes()[10] == b'T',
            "RFC 3339 first: {l:?}"
        );
        assert!(
            ["info", "http", "warn", "error"].contains(&kind),
            "the kind third: {l:?}"
        );
        match tag.split_once('=') {
            Some(("run", r)) if setups.is_empty() => runs.push(r.to_string()),
            Some(("setup", s)) => setups.push(s.to_string()),
            _ => panic!("a session tag second, run= only before the setup: {l:?}"),
        }
    }
    runs.dedup();
    setups.dedup();
    assert_eq!(runs.len(), 1, "one run tag: {runs:?}");
    assert_eq!(setups.len(), 1, "one setup: {setups:?}");
    let pos = |needle: &str| {
        lines
            .iter()
            .position(|l| l.contains(needle))
            .unwrap_or_else(|| panic!("'{needle}' in the log:\n{log}"))
    };
    // The connection test reports its token endpoint after its requests, not among them.
    let (endpoint, connected) = (pos("info token endpoint:"), pos("info connected as"));
    assert!(
        pos("http POST /auth/token") < endpoint
            && lines[endpoint..connected]
                .iter()
                .all(|l| !l.contains(" http ")),
        "the connection's requests, then what came of them:\n{log}"
    );
    // Each object's POST comes before the line saying it was created.
    for (post, created) in [
        (
            "http POST /api/Roles ->",
            "info Role 'TopLeft Role': created",
        ),
        ("http POST /api/Agent ->", "info Agent 'topleft': created"),
        (
            "http POST /api/Application ->",
            "info Application 'TopLeft': created",
        ),
    ] {
        assert!(pos(post) < pos(created), "{post} before {created}:\n{log}");
    }
    // The verification's requests (new credentials: a token, Agent/me, the area probes) are
    // there, after the application was created and before the result.
    let app = pos("info Application 'TopLeft': created");
    let result = pos("verification passed");
    let between = &lines[app..result];
    for needle in [
        "POST /auth/token",
        "GET /api/Agent/me ->",
        "GET /api/Tickets?count=1 ->",
    ] {
        assert!(
            between.iter().any(|l| l.contains(needle)),
            "verification request {needle} logged before the result:\n{log}"
        );
    }
}
