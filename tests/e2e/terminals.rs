//! Issue 20 item 10d: the wizard on terminals that are not xterm-256color. `TERM=dumb` (or no
//! TERM) is refused with a clear message and exit 2, before the terminal is touched; a locale
//! that is not UTF-8 (`LANG=C`) gets plain ASCII (no box drawing, no symbols); a terminal
//! without 256 colours (`TERM=vt100`) gets the 16 ANSI colours at most and no bracketed paste.

use crate::common::tmux::*;

#[test]
fn dumb_terminals_are_refused_clearly() {
    if !have_tmux() {
        eprintln!("tmux not installed; skipping");
        return;
    }
    for term in ["dumb", ""] {
        let t = Tui::start("dumb", &[("TERM", term)], "--demo", 100, 30);
        let s = t.wait_for("EXIT=");
        assert_eq!(t.exit_code(), 2, "TERM={term:?}: {s}");
        assert!(s.contains("TERM"), "{s}");
        assert!(s.contains("apply --help"), "names the headless way: {s}");
        t.assert_restored();
    }
}

#[test]
fn a_c_locale_gets_plain_ascii() {
    if !have_tmux() {
        eprintln!("tmux not installed; skipping");
        return;
    }
    let t = Tui::start("ascii", &[("LANG", "C")], "--demo", 100, 30);
    let s = t.wait_for("Connect");
    let s2 = t.wait_for("> [ Test connection ]");
    for s in [&s, &s2] {
        let odd: Vec<char> = s.chars().filter(|c| !c.is_ascii()).collect();
        assert!(odd.is_empty(), "non-ASCII {odd:?} on a C locale:\n{s}");
    }
    t.keys(&["?"]);
    let s = t.wait_for("Everywhere");
    assert!(s.is_ascii(), "help: {s}");
    t.quit("C-c");
}

#[test]
fn a_vt100_gets_sixteen_colours() {
    if !have_tmux() {
        eprintln!("tmux not installed; skipping");
        return;
    }
    let t = Tui::start(
        "vt100",
        &[("TERM", "vt100")],
        "--demo --theme light",
        100,
        30,
    );
    // ASCII on a vt100: the focus marker is '>'.
    t.wait_for("> [ Test connection ]");
    // A warning in the log (the light theme draws warnings in a 24-bit colour).
    t.keys(&["Up", "Up", "Up", "C-u", "C-n"]);
    t.wait_for("problem(s) to fix");
    // The bytes the wizard wrote, as tmux keeps them (escape sequences included).
    let raw = t
        .cmd(&["capture-pane", "-p", "-e", "-t", "w"])
        .output()
        .unwrap();
    let raw = String::from_utf8_lossy(&raw.stdout).into_owned();
    // tmux writes the 16 ANSI colours as indexes 0-15 too.
    assert!(
        !raw.contains("38;2;") && !raw.contains("48;2;"),
        "no 24-bit colour on a vt100: {raw:?}"
    );
    for part in raw.split("8;5;").skip(1) {
        let n: u32 = part
            .chars()
            .take_while(char::is_ascii_digit)
            .collect::<String>()
            .parse()
            .unwrap_or(0);
        assert!(n < 16, "colour {n} of the 256 on a vt100: {raw:?}");
    }
    t.quit("C-c");
}
