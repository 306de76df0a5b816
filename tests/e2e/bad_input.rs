//! Bad input typed into the interactive wizard (real binary in tmux): a non-URL, http:// to a
//! non-loopback host, a host where nothing listens, a wrong secret, a bootstrap application
//! without admin rights, a secret pasted (bracketed paste) with spaces and a newline, a
//! terminal shrunk to 1x1 and back, and a broken theme file. Each time the screen says what to
//! do, and what was typed is still there.

use halo_onboard::sim::SimConfig;

use crate::common::bin::*;
use crate::common::emulator::*;
use crate::common::tmux::*;

/// Moves from the Test button back to the URL field, clears it and types `url`.
fn retype_url(t: &Tui, url: &str) {
    t.keys(&["BTab", "BTab", "BTab", "C-u"]);
    t.text(url);
    t.keys(&["Tab", "Tab", "Tab"]);
}

/// Types `url` over the URL and tests the connection; waits for `want`, then for the form to
/// show what was typed. Returns the screen that showed `want`.
fn try_url(t: &Tui, url: &str, client_id: &str, want: &str) -> String {
    retype_url(t, url);
    t.keys(&["Enter"]);
    let s = t.wait_for(want);
    kept(t, url, client_id, 5);
    s
}

/// Waits until the Connect form shows what was typed (a capture can land mid-draw), and
/// returns the screen; fails with the screen if it never does.
fn kept(t: &Tui, url: &str, client_id: &str, dots: usize) -> String {
    let lines = [
        format!("Halo URL                         {url}"),
        format!("Bootstrap client ID              {client_id}"),
        format!("Client secret                    {}", "•".repeat(dots)),
    ];
    let what = format!("typed values kept: {lines:?}");
    t.wait_until(&what, 10, |s| {
        lines.iter().all(|l| {
            s.lines()
                .any(|sl| sl.trim_start_matches(['▶', ' ']).trim_end() == l.as_str())
        })
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn connect_step_bad_input_says_what_to_do_and_keeps_values() {
    if !have_tmux() {
        eprintln!("tmux not installed; skipping");
        return;
    }
    let sim = spawn(SimConfig::default()).await;
    let (ro_id, ro_secret) = (
        "0f0e0d0c-aaaa-bbbb-cccc-000000000002",
        "read-only-secret-42",
    );
    add_read_only_app(&sim, ro_id, ro_secret);
    let (url, cid, secret) = (
        sim.url.clone(),
        sim.client_id.clone(),
        sim.client_secret.clone(),
    );
    let tried = tokio::task::spawn_blocking(move || {
        let mut tried = 0;
        let t = Tui::start("bad", &[], "", 140, 34);
        t.wait_for("1 · Connect");
        // 1. Not a URL.
        t.text("not a url");
        t.keys(&["Tab"]);
        t.text(&cid);
        t.keys(&["Tab"]);
        t.text("wrong");
        t.keys(&["Tab", "Enter"]);
        t.wait_for("is not a valid URL (e.g. https://");
        kept(&t, "not a url", &cid, 5);
        tried += 1;
        // 2. http:// to a host that is not this machine.
        let s = try_url(&t, "http://acme.halopsa.com", &cid, "use https://");
        assert!(s.contains("✗"), "{s}");
        tried += 1;
        // 3. Nothing listens there.
        let s = try_url(&t, "http://127.0.0.1:9", &cid, "could not connect to");
        assert!(s.contains("Check the URL and port"), "{s}");
        tried += 1;
        // 4. The right URL, a wrong secret.
        let s = try_url(&t, &url, &cid, "invalid_client");
        assert!(s.contains("Check the Client ID and Secret in Halo"), "{s}");
        tried += 1;
        // 5. A bootstrap application without admin rights.
        t.keys(&["BTab", "BTab", "C-u"]);
        t.text(ro_id);
        t.keys(&["Tab"]);
        for _ in 0..5 {
            t.keys(&["BSpace"]);
        }
        t.text(ro_secret);
        t.keys(&["Tab", "Enter"]);
        let s = t.wait_for("does not have the admin permission");
        assert!(
            s.contains("Tick the needed permission on the application"),
            "{s}"
        );
        kept(&t, &url, ro_id, ro_secret.chars().count());
        tried += 1;
        // 6. The right id, the secret pasted with spaces and a newline around it.
        t.keys(&["BTab", "BTab", "C-u"]);
        t.text(&cid);
        t.keys(&["Tab"]);
        for _ in 0..ro_secret.chars().count() {
            t.keys(&["BSpace"]);
        }
        t.paste(&format!("  {secret}\n"));
        // Control characters are dropped, the spaces kept (trimmed for the token request).
        let s = kept(&t, &url, &cid, secret.chars().count() + 2);
        assert!(!s.contains(&secret), "pasted secret shown:\n{s}");
        t.keys(&["Tab", "Enter"]);
        t.wait_for("✓ Connected as");
        tried += 1;
        // 7. Shrunk to 1x1, then a size just too small, then back: the form with its values.
        t.resize(1, 1);
        t.wait_until("1x1 frame", 10, |s| s.trim() == "E");
        t.resize(40, 10);
        let s = t.wait_for("(now 40x10)");
        assert!(s.contains("Enlarge the terminal to at least 60x20"), "{s}");
        assert!(s.contains("Ctrl-C quits"), "{s}");
        t.resize(140, 34);
        t.wait_for("1 · Connect");
        let s = kept(&t, &url, &cid, secret.chars().count() + 2);
        assert!(s.contains("✓ Connected as"), "{s}");
        tried += 1;
        // Still alive and answering keys.
        t.quit("q");
        assert!(t.restore_problems().is_empty());
        tried
    })
    .await
    .unwrap();
    // Nothing was written to Halo by any of it.
    assert_eq!(any_marked(&sim), (0, 0, 0));
    println!("bad inputs tried: {tried} (connect step)");
}

/// A broken theme file: the message names the file and the line, the wizard runs with the default
/// theme instead.
#[test]
fn broken_theme_file_is_named_and_falls_back() {
    if !have_tmux() {
        eprintln!("tmux not installed; skipping");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let theme = dir.path().join("mine.toml");
    std::fs::write(
        &theme,
        "name = \"mine\"\ntext = {}\nmuted = { fg = \"blurple\" }\n",
    )
    .unwrap();
    let t = Tui::start(
        "theme",
        &[],
        &format!("--theme '{}'", theme.display()),
        200,
        34,
    );
    t.wait_for("1 · Connect");
    let s = t.wait_for("using the default theme");
    let path = theme.display().to_string();
    assert!(s.contains(&path), "file not named:\n{s}");
    assert!(s.contains("line 3, column 16"), "line not named:\n{s}");
    assert!(s.contains("blurple"), "{s}");
    // The wizard works: type a URL, it is shown.
    t.text("https://acme.halopsa.com");
    t.wait_for("https://acme.halopsa.com");
    t.quit("C-c");
    // Also on stderr before the wizard started, so it survives the alternate screen.
    let h = t.history();
    assert!(h.contains(&path) && h.contains("line 3"), "{h}");
    println!("bad inputs tried: 1 (theme)");
}

#[test]
fn config_file_sets_the_theme_and_a_broken_one_is_named() {
    if !have_tmux() {
        eprintln!("tmux not installed; skipping");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let theme = dir.path().join("mine.toml");
    std::fs::write(&theme, "name = \"mine\"\nmuted = { fg = \"blurple\" }\n").unwrap();
    // A config naming a broken theme: the theme's own error shows, so the config was read.
    let good = dir.path().join("config.toml");
    std::fs::write(&good, format!("theme = '{}'\n", theme.display())).unwrap();
    let env = [("HALO_ONBOARD_CONFIG", good.to_str().unwrap())];
    let t = Tui::start("config-ok", &env, "", 200, 34);
    t.wait_for("1 · Connect");
    t.wait_for("using the default theme");
    t.quit("C-c");

    let bad = dir.path().join("bad.toml");
    std::fs::write(&bad, "# prefs\ntheme = light\n").unwrap();
    let env = [("HALO_ONBOARD_CONFIG", bad.to_str().unwrap())];
    let t = Tui::start("config-bad", &env, "", 200, 34);
    t.wait_for("1 · Connect");
    let s = t.wait_for("using defaults");
    assert!(s.contains("bad.toml, line 2"), "{s}");
    t.text("https://acme.halopsa.com");
    t.wait_for("https://acme.halopsa.com");
    t.quit("C-c");
}

/// The screen with its colour escapes, as tmux re-encodes them (one SGR per attribute).
fn screen_with_escapes(t: &Tui) -> String {
    let out = t
        .cmd(&["capture-pane", "-p", "-e", "-t", "w"])
        .output()
        .unwrap();
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// The foreground colour in force where `needle` starts on a screen captured with escapes
/// (tmux writes `38;5;N` for palette colours): `None` is the terminal's own foreground.
fn fg_at(screen: &str, needle: &str) -> Option<u8> {
    let end = screen.find(needle).expect("needle on screen");
    let mut fg = None;
    let mut rest = &screen[..end];
    while let Some(i) = rest.find("\x1b[") {
        let after = &rest[i + 2..];
        let Some(m) = after.find('m') else { break };
        let params: Vec<&str> = after[..m].split(';').collect();
        let mut k = 0;
        while k < params.len() {
            match params[k] {
                "" | "0" | "39" => fg = None,
                "38" if params.get(k + 1) == Some(&"5") => {
                    fg = params.get(k + 2).and_then(|n| n.parse().ok());
                    k += 2;
                }
                p if p.len() == 2 && p.starts_with('3') => fg = p[1..].parse().ok(),
                _ => {}
            }
            k += 1;
        }
        rest = &after[m..];
    }
    fg
}

/// The default theme keeps the terminal's own text colour and picks accents for the background
/// the terminal reports (here through COLORFGBG, as rxvt and Konsole set it): blue accents on a
/// light background, cyan on a dark one, no colour at all when nothing is known. `--theme dark`
/// forces white text (which is what made the old default unreadable on light terminals).
#[test]
fn default_theme_follows_the_terminal_background() {
    if !have_tmux() {
        eprintln!("tmux not installed; skipping");
        return;
    }
    const BLUE: u8 = 4;
    const CYAN: u8 = 6;
    const WHITE: u8 = 15; // ratatui's "white" is the bright one
    for (fgbg, args, title, text) in [
        (Some("0;15"), "", Some(BLUE), None),
        (Some("15;0"), "", Some(CYAN), None),
        (None, "", None, None),
        (Some("0;15"), "--theme dark", Some(CYAN), Some(WHITE)),
    ] {
        let env: Vec<(&str, &str)> = fgbg.map(|v| ("COLORFGBG", v)).into_iter().collect();
        let t = Tui::start("bg", &env, args, 100, 30);
        t.wait_for("Halo hosting");
        let s = screen_with_escapes(&t);
        let case = format!("COLORFGBG={fgbg:?} {args}");
        assert_eq!(fg_at(&s, " halo-onboard "), title, "{case}: title\n{s:?}");
        assert_eq!(fg_at(&s, "Halo hosting"), text, "{case}: text\n{s:?}");
        t.quit("C-c");
    }
}

/// `--theme` naming nothing is a usage error before the terminal is touched; `--color never`
/// is accepted anywhere on the line.
#[test]
fn unknown_theme_name_is_a_usage_error() {
    let home = Home::new();
    let out = home.run_blocking(["--theme", "drak"], &[]);
    assert_eq!(out.code, 2);
    assert!(
        out.stderr.contains("theme 'drak'") && out.stderr.contains("high-contrast"),
        "{}",
        out.stderr
    );
    let out = home.run_blocking(["profiles", "--color", "never"], &[]);
    assert_eq!(out.code, 0, "{}", out.stderr);
}
