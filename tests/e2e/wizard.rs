//! The wizard end to end: keys, validation, help, quit, signals, no terminal, and the demo walked
//! through every step to the hand-over.

use std::path::Path;

use crate::common::bin::Home;
use crate::common::tmux::*;

#[test]
fn wizard_keys_validation_help_and_quit() {
    if !have_tmux() {
        eprintln!("tmux not installed; skipping");
        return;
    }
    let t = Tui::start("keys", &[], "", 120, 40);
    t.wait_for("1 · Connect");
    assert_eq!(t.display("#{alternate_on}"), "1");
    t.text("http://acme.halopsa.com");
    t.keys(&["C-n"]);
    let s = t.wait_for("use https://");
    assert!(s.contains("✗ required"), "{s}");
    assert!(s.contains("1 · Connect"), "Next is refused: {s}");
    t.keys(&["F1"]);
    t.wait_for("Keys");
    t.keys(&["Escape"]);
    t.keys(&["Tab", "Tab", "Tab"]);
    t.wait_for("▶ [ Test connection ]");
    t.keys(&["l"]);
    let s = t.wait_for("q quit");
    assert!(!s.contains("Log ("), "log hidden: {s}");
    t.keys(&["q"]);
    t.wait_for("Quit halo-onboard? y/n");
    t.keys(&["n"]);
    t.keys(&["C-c"]);
    t.wait_for("Quit halo-onboard? y/n");
    t.keys(&["y"]);
    t.wait_for("EXIT=0");
    t.assert_restored();
    let log = std::fs::read_to_string(t.state().join("halo-onboard.log")).unwrap();
    assert!(log.contains("problem(s) to fix"), "{log}");
}

/// Keys typed the moment the screen appears (and before) are not lost to the question the
/// wizard asks the terminal about its background: they arrive with its answer and are typed
/// into the field, in order. Sent in many short bursts so some land while the question is out.
#[test]
fn keys_typed_ahead_of_the_background_question_are_kept() {
    if !have_tmux() {
        eprintln!("tmux not installed; skipping");
        return;
    }
    for round in 0..5 {
        let t = Tui::start("ahead", &[], "", 100, 30);
        let url = "https://acme.halopsa.com";
        for piece in url.as_bytes().chunks(3) {
            t.text(std::str::from_utf8(piece).unwrap());
        }
        let s = t.wait_for(url);
        assert!(s.contains("1 · Connect"), "round {round}: {s}");
    }
}

#[test]
fn sigterm_restores_the_terminal() {
    if !have_tmux() {
        eprintln!("tmux not installed; skipping");
        return;
    }
    let t = Tui::start("term", &[], "", 120, 40);
    t.wait_for("1 · Connect");
    assert_eq!(t.display("#{alternate_on}"), "1");
    let pid = t.wizard_pid();
    // SAFETY: plain kill(2) on a pid this test started.
    assert_eq!(unsafe { libc::kill(pid, libc::SIGTERM) }, 0);
    t.wait_for("EXIT=143");
    t.assert_restored();
}

#[test]
fn without_a_terminal_it_fails_cleanly() {
    let out = Home::new().run_blocking(std::iter::empty::<&str>(), &[]);
    assert_eq!(out.code, 2);
    let err = &out.stderr;
    assert!(err.contains("needs an interactive terminal"), "{err}");
    assert!(err.contains("halo-onboard apply --help"), "{err}");
    assert!(!err.contains("panicked"), "{err}");
    assert!(out.stdout.is_empty(), "nothing drawn on a non-terminal");
}

/// The journal's sessions in the test's state dir.
fn sessions(state: &Path) -> Vec<serde_json::Value> {
    let Ok(rd) = std::fs::read_dir(state.join("sessions")) else {
        return Vec::new();
    };
    rd.flatten()
        .filter(|e| e.path().extension().is_some_and(|x| x == "json"))
        .filter_map(|e| serde_json::from_slice(&std::fs::read(e.path()).ok()?).ok())
        .collect()
}

#[test]
fn demo_walks_every_step() {
    if !have_tmux() {
        eprintln!("tmux not installed; skipping");
        return;
    }
    let t = Tui::start("demo", &[], "--demo", 120, 40);
    let state = t.state();
    let s = t.wait_demo();
    assert!(s.contains("http://127.0.0.1:"), "demo fills the URL: {s}");
    assert!(s.contains("•"), "secret masked: {s}");
    assert!(s.contains("none: answer every step yourself"), "{s}");
    t.keys(&["Enter"]);
    t.wait_for("✓ Connected as");
    // Profile picker: Tab past the log pane to the first field, Enter; typing filters it.
    t.keys(&["Tab", "Tab", "Enter"]);
    let s = t.wait_for("Profile  (vendor, id, confidence H/M/L)");
    assert!(s.contains("of 39"), "{s}");
    t.text("TOP");
    let s = t.wait_for("1 of 39");
    assert!(s.contains("▶ TopLeft"), "{s}");
    t.keys(&["Enter"]);
    t.wait_for("TopLeft (topleft, confidence M)");
    t.wait_for("every step pre-filled");
    t.keys(&["C-n"]);
    t.wait_for("2 · Role");
    let s = t.wait_for("TopLeft Role");
    assert!(
        s.contains("[x]"),
        "administrator ticked by the profile: {s}"
    );
    t.keys(&["C-n"]);
    t.wait_for("3 · Agent");
    t.wait_for("Username                         topleft");
    t.keys(&["C-n"]);
    t.wait_for("4 · Application");
    t.wait_for("Client ID and Secret (Services)");
    t.keys(&["C-n"]);
    t.wait_for("5 · Permissions");
    t.wait_for("3 scope(s) ticked");
    t.keys(&["C-n"]);
    t.wait_for("6 · Submit");
    t.wait_for("Role         create  'TopLeft Role'");
    let s = t.wait_for("grants admin");
    assert!(!s.contains("Problems"), "{s}");
    t.keys(&["Enter"]);
    t.wait_for("Write to Halo now?");
    t.wait_for("Risks:");
    t.keys(&["y"]);
    t.wait_for("applied and verified");
    t.wait_for("shown ONCE");
    // Profile fields highlighted; the last line drawn, so the capture is not mid-draw.
    t.wait_for("★ Resource server URL");
    let s = t.wait_for("--profile topleft");
    assert!(
        s.contains("halo-onboard apply --url http://127.0.0.1:"),
        "{s}"
    );
    assert!(s.contains("✓6 Submit"), "all steps done: {s}");
    let live = sessions(&state);
    assert_eq!(live.len(), 1, "one journaled setup");
    assert_eq!(
        live[0]["secret_pending"], true,
        "secret kept until confirmed"
    );
    t.keys(&["q"]);
    t.wait_for("Quit halo-onboard?");
    t.wait_for("not handed over");
    t.keys(&["n"]);
    // Neither copied nor saved: confirming asks again and names the loss; only w wipes.
    t.keys(&["Enter"]);
    t.wait_for("Wipe the only copy?");
    t.wait_for("neither copied");
    t.keys(&["y"]);
    t.wait_for("copy the secret (c) or save it (s), then confirm");
    assert_eq!(sessions(&state)[0]["secret_pending"], true, "y kept it");
    t.keys(&["Enter"]);
    t.wait_for("Wipe the only copy?");
    t.keys(&["w"]);
    // Thrown away, not handed over (issue 20 item 1): the screen, the journal and the summary
    // say the secret exists nowhere and name the rotation that gives the vendor a new one.
    t.wait_for("Not handed over: the secret was wiped");
    let s = t.wait_for("(wiped after the hand-over)");
    assert!(!s.contains("shown ONCE"), "{s}");
    t.wait_for("the setup is not handed over");
    let s = t.screen();
    assert!(!s.contains("✓ Handed over"), "{s}");
    let done = sessions(&state);
    assert_eq!(done[0]["status"], "verified", "{:?}", done[0]);
    assert_eq!(done[0]["secret_pending"], false);
    assert_eq!(done[0]["secret_discarded"], true);
    t.keys(&["q"]);
    t.wait_for("Quit halo-onboard?");
    t.keys(&["y"]);
    t.wait_for("EXIT=0");
    t.assert_restored();
    // The summary stays on the normal screen, for an SSH user to scroll back to.
    let id = done[0]["id"].as_str().unwrap().to_string();
    let s = t.screen();
    assert!(s.contains(&format!("halo-onboard: setup {id}")), "{s}");
    assert!(s.contains("applied and verified"), "{s}");
    assert!(!s.contains("Left to do:       nothing"), "{s}");
    assert!(s.contains("it exists nowhere"), "{s}");
    assert!(s.replace('\n', "").contains("--new-secret"), "{s}");
    let log = std::fs::read_to_string(state.join("halo-onboard.log")).unwrap();
    assert!(log.contains("Agent/me -> 200"), "{log}");
    assert!(log.contains("verification passed"), "{log}");
}

/// What the wizard loads after its first frame reaches the screen: an unfinished setup is
/// offered in the resume pop-up, a user profile is in the picker, a broken one is named.
#[test]
fn unfinished_setups_and_user_profiles_arrive_after_the_first_frame() {
    if !have_tmux() {
        eprintln!("tmux not installed; skipping");
        return;
    }
    let home = Home::new();
    let topleft = halo_onboard::profile::answers_for("topleft").unwrap();
    let s = home.journal().create(topleft, None).unwrap();
    let profiles = home.path().join("profiles");
    std::fs::write(
        profiles.join("acme.toml"),
        "id = \"acme-sync\"\nvendor = \"Acme Sync\"\nconfidence = \"M\"\nscopes = [\"read:tickets\"]\nhandover = [\"client_id\", \"client_secret\"]\n[role]\nname = \"Acme\"\n",
    )
    .unwrap();
    std::fs::write(profiles.join("broken.toml"), "id = \n").unwrap();
    let t = Tui::start_in(home, "startup", &[], "", 140, 40);
    let screen = t.wait_for("Unfinished setups were found");
    assert!(screen.contains(&s.id), "{screen}");
    // Where it stands, in words (not the journal's 'planned').
    assert!(screen.contains("planned, nothing written"), "{screen}");
    t.keys(&["Escape"]);
    t.wait_for("starting a new setup");
    t.wait_for("profile not loaded");
    // The picker has the user's profile after the built-ins.
    t.keys(&["BTab", "BTab", "Enter"]);
    t.wait_for("Profile  (vendor, id, confidence H/M/L)");
    t.keys(&["End"]);
    t.wait_for("▶ Acme Sync");
    t.keys(&["Escape"]);
    t.quit("C-c");
}

/// The Custom profile names nothing: the wizard asks for the names (⚑) and Next stops on each
/// empty one, saying which (issue 14).
#[test]
fn custom_profile_asks_for_the_names() {
    if !have_tmux() {
        eprintln!("tmux not installed; skipping");
        return;
    }
    let t = Tui::start("custom", &[], "--demo", 100, 30);
    t.wait_for("http://127.0.0.1:");
    t.keys(&["Enter"]);
    t.wait_for("✓ Connected as");
    t.keys(&["Tab", "Tab", "Enter"]);
    t.wait_for("Filter:");
    t.text("scratch");
    let s = t.wait_for("1 of 39");
    assert!(s.contains("▶ Custom integration"), "{s}");
    t.keys(&["Enter"]);
    t.wait_for("Custom integration (custom");
    t.keys(&["C-n"]);
    let s = t.wait_for("⚑ Custom integration leaves to you: the role name");
    assert!(s.contains("⚑ Role name"), "{s}");
    t.keys(&["C-n"]);
    t.wait_for("✗ To fix before going on: Role name: required");
    // Ctrl-N put the focus on the field that needs it.
    t.wait_for("▶ ⚑ Role name");
    t.text("Acme API");
    t.keys(&["C-n"]);
    let s = t.wait_for("3 · Agent");
    assert!(
        s.contains("leaves to you: the username; the first name"),
        "{s}"
    );
    assert!(
        !s.contains("Custom integration  "),
        "no vendor name as a name: {s}"
    );
    t.keys(&["C-n"]);
    t.wait_for("To fix before going on: Username: required; First name: required");
    t.quit("C-c");
}
