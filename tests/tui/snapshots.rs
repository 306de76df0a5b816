//! Snapshots of every screen (normal, error, small terminal) through ratatui's TestBackend as
//! plain text, one per screen and state; the styles that carry meaning are asserted in
//! `tui/styles.rs`. Plus a no-panic sweep over terminal sizes.

use halo_onboard::answers::RoleMode;
use halo_onboard::app::{self, ConnState, Field, LogKind, Model, Msg, Overlay, Step};
use halo_onboard::ui::Theme;

use crate::common::screen::{draw, text};
use crate::common::wizard::*;

fn snap_text(name: &str, m: &Model, w: u16, h: u16) {
    insta::assert_snapshot!(name, text(&draw(m, &Theme::dark(), w, h)));
}

pub(crate) fn normal(step: Step) -> Model {
    let mut m = filled(step);
    // keep the log deterministic: drop the fixture's own entries
    m.log = Default::default();
    app::update(&mut m, Msg::Log(LogKind::Info, "connected as admin".into()));
    m
}

pub(crate) fn errors(step: Step) -> Model {
    let mut m = normal(step);
    match step {
        Step::Connect => {
            m = Model::default();
            focus(&mut m, Field::Url);
            type_str(&mut m, "http://acme.halopsa.com");
            m.conn = ConnState::Failed {
                message: "could not connect to acme.halopsa.com".into(),
                hint:
                    "Check the URL and port, and that a firewall or proxy does not block this host."
                        .into(),
            };
        }
        Step::Role => {
            m.answers.role.name = "x".repeat(257);
            sync_inputs(&mut m);
        }
        Step::Agent => {
            m.answers.agent.name = "taken".into();
            m.answers.agent.initials = "ABCD".into();
            m.answers.agent.email = "nope".into();
            m.answers.agent.firstname.clear();
            sync_inputs(&mut m);
        }
        Step::Application => {
            m.answers.application.name.clear();
            sync_inputs(&mut m);
        }
        Step::Permissions => {
            m.answers.scopes = vec!["all".into(), "read:assets".into(), "edit:assets".into()];
        }
        Step::Submit => {
            m.answers.agent.teams[0].name = "Gone Team".into();
            m.answers.agent.workday = "Nights".into();
        }
    }
    m.show_errors[step.index()] = true;
    m
}

const STEPS: [(Step, &str); 6] = [
    (Step::Connect, "connect"),
    (Step::Role, "role"),
    (Step::Agent, "agent"),
    (Step::Application, "application"),
    (Step::Permissions, "permissions"),
    (Step::Submit, "submit"),
];

#[test]
fn screens_normal() {
    for (step, name) in STEPS {
        snap_text(&format!("{name}_normal"), &normal(step), 100, 34);
    }
}

#[test]
fn screens_error() {
    for (step, name) in STEPS {
        snap_text(&format!("{name}_error"), &errors(step), 100, 34);
    }
}

/// Every theme draws the same text: the snapshots above hold for all of them.
#[test]
fn themes_draw_the_same_text() {
    for (step, _) in STEPS {
        let m = normal(step);
        let dark = text(&draw(&m, &Theme::dark(), 100, 30));
        assert_eq!(dark, text(&draw(&m, &Theme::monochrome(), 100, 30)));
    }
}

#[test]
fn small_terminal() {
    snap_text("small_59x20", &Model::default(), 59, 20);
    snap_text("small_80x19", &Model::default(), 80, 19);
    // a fresh start, before anything was logged
    snap_text("connect_fresh", &Model::default(), 100, 30);
    // exactly the minimum renders the wizard
    let s = text(&draw(&Model::default(), &Theme::dark(), 60, 20));
    assert!(s.contains("Connect") && !s.contains("Enlarge"), "{s}");
}

#[test]
fn overlays() {
    let mut m = normal(Step::Connect);
    m.overlay = Overlay::Help;
    snap_text("overlay_help", &m, 100, 34);
    m.overlay = Overlay::ConfirmQuit;
    snap_text("overlay_quit", &m, 100, 34);
    m.in_flight = 1;
    m.conn = ConnState::Connecting;
    snap_text("overlay_quit_busy", &m, 100, 34);
    let mut m = normal(Step::Submit);
    app::update(&mut m, key(crossterm::event::KeyCode::Enter));
    snap_text("overlay_apply_message", &m, 100, 34);
    // Saving the connected Halo as an instance: the name, then "replace it?".
    let mut m = normal(Step::Connect);
    m.instances = Some(halo_onboard::app::instance::Instances {
        path: "/home/me/.config/halo-onboard/config.toml".into(),
        saved: [(
            "acme".to_string(),
            halo_onboard::config::Instance {
                url: Some("https://acme-old.halopsa.com".into()),
                ..Default::default()
            },
        )]
        .into(),
    });
    m.overlay = Overlay::SaveInstance("acme".into());
    snap_text("overlay_save_instance", &m, 100, 34);
    m.overlay = Overlay::ConfirmInstanceReplace("acme".into());
    snap_text("overlay_instance_replace", &m, 100, 34);
}

/// The help overlay is drawn from the key table and scrolls to its last section; keys are
/// named as the footer names them.
#[test]
fn help_scrolls_through_every_section() {
    let mut m = normal(Step::Connect);
    app::update(&mut m, key(crossterm::event::KeyCode::F(1)));
    let top = text(&draw(&m, &Theme::dark(), 100, 34));
    assert!(
        top.contains("Everywhere") && top.contains("Ctrl-N / PgDn"),
        "{top}"
    );
    assert!(top.contains("↑/↓ PgUp/PgDn scroll  Esc close"), "{top}");
    assert!(!top.contains("Wipe the only copy?"), "{top}");
    for _ in 0..40 {
        app::update(&mut m, key(crossterm::event::KeyCode::PageDown));
    }
    let end = text(&draw(&m, &Theme::dark(), 100, 34));
    assert!(end.contains("Wipe the only copy?"), "{end}");
    assert!(end.contains("wipe it anyway"), "{end}");
    assert!(!end.contains("Everywhere"), "{end}");
}

#[test]
fn variants() {
    // reuse an existing role
    let mut m = normal(Step::Role);
    m.answers.role.mode = RoleMode::Reuse("role-ro".into());
    snap_text("role_reuse", &m, 100, 24);
    // scrolled to the bottom of a long form, log enlarged and hidden
    let mut m = normal(Step::Permissions);
    focus(&mut m, Field::Scope(47));
    snap_text("permissions_scrolled", &m, 100, 30);
    m.log_large = true;
    snap_text("log_large", &m, 100, 30);
    m.log_visible = false;
    snap_text("log_hidden", &m, 100, 30);
    let mut m = normal(Step::Connect);
    m.conn = ConnState::Connecting;
    m.in_flight = 1;
    snap_text("connect_connecting", &m, 100, 24);
    app::update(&mut m, connected_msg(false));
    snap_text("connect_missing_admin", &m, 100, 24);
}

#[test]
fn secret_is_masked_on_screen() {
    let m = normal(Step::Connect);
    let s = text(&draw(&m, &Theme::dark(), 100, 34));
    assert!(!s.contains(SECRET));
    assert!(s.contains(&"•".repeat(SECRET.len())));
}

#[test]
fn log_renders_only_the_visible_slice() {
    let mut m = normal(Step::Connect);
    for i in 0..20_000 {
        m.log.push(LogKind::Info, format!("entry {i}"));
    }
    assert_eq!(m.log.len(), halo_onboard::app::log::LOG_CAP);
    let s = text(&draw(&m, &Theme::dark(), 100, 30));
    assert!(s.contains("entry 19999"));
    assert!(!s.contains("entry 19990"), "only the last rows fit");
}

#[test]
fn no_panic_at_any_size() {
    let mut models: Vec<Model> = STEPS.iter().map(|(s, _)| normal(*s)).collect();
    models.extend(STEPS.iter().map(|(s, _)| errors(*s)));
    let mut m = normal(Step::Agent);
    m.overlay = Overlay::Help;
    models.push(m);
    let mut m = normal(Step::Agent);
    m.overlay = Overlay::ConfirmQuit;
    m.log_large = true;
    models.push(m);
    let mut m = normal(Step::Connect);
    m.overlay = Overlay::ConfirmAuthUrl(format!("https://{}.example/auth", "x".repeat(300)));
    models.push(m);
    let t = Theme::dark();
    let sizes = (1..=400u16)
        .step_by(17)
        .flat_map(|w| (1..=120u16).step_by(9).map(move |h| (w, h)))
        .chain([(1, 1), (400, 120), (60, 20), (59, 19), (60, 1), (1, 20)]);
    let sizes: Vec<_> = sizes.collect();
    for m in &models {
        for (w, h) in &sizes {
            draw(m, &t, *w, *h);
        }
    }
}

/// Issue 12: the 429 countdown while connecting and during apply, and the question before the
/// secret goes to a login server on another host.
#[test]
fn rate_limit_countdown_and_login_server_question() {
    use std::time::Duration;
    let wait = |status, path: &str, secs| {
        Msg::Request(halo_onboard::halo::RequestEvent {
            method: "GET".into(),
            path: path.into(),
            status,
            latency: Duration::from_millis(40),
            retries: 0,
            error: None,
            waiting: Some(Duration::from_secs(secs)),
        })
    };
    let mut m = normal(Step::Connect);
    m.conn = ConnState::Connecting;
    m.in_flight = 1;
    app::update(&mut m, wait(Some(429), "/api/Agent/me", 23));
    snap_text("connect_rate_limited", &m, 100, 24);
    let mut m = normal(Step::Connect);
    m.overlay = Overlay::ConfirmAuthUrl("https://login.elsewhere.example/auth".into());
    snap_text("overlay_auth_url", &m, 100, 30);
}

/// Small terminals (issue 14): at 80x24 and 60x20 the step bar keeps all six steps
/// (abbreviated), the log pane gives way before a result or the hand-over is cut, results wrap
/// instead of running off the edge, and what is out of view says so.
#[test]
fn small_screens_keep_every_step_and_the_whole_result() {
    let words = |s: &str| s.split_whitespace().collect::<Vec<_>>().join(" ");
    for (w, h) in [(80u16, 24u16), (60, 20)] {
        let role = normal(Step::Role);
        let s = text(&draw(&role, &Theme::dark(), w, h));
        crate::common::screen::assert_step_bar(&s, &format!("{w}x{h}"));
        assert!(
            s.contains("more"),
            "{w}x{h}: the role areas say more lies below: {s}"
        );
        snap_text(&format!("small_{w}x{h}_role"), &role, w, h);
        let mut conn = normal(Step::Connect);
        app::update(&mut conn, connected_msg(false));
        let s = text(&draw(&conn, &Theme::dark(), w, h));
        assert!(
            words(&s).contains("✓ Connected as admin")
                && words(&s).contains("not a HaloPSA Administrator"),
            "{w}x{h}: the connection's result is whole: {s}"
        );
        snap_text(&format!("small_{w}x{h}_connected"), &conn, w, h);
        for (pass, line) in [
            (false, "verification: 1 of 3 checks FAILED (see below)"),
            (true, "applied and verified (3 checks passed)"),
        ] {
            let mut m = applied(pass);
            m.log = Default::default();
            for i in 0..12 {
                m.log
                    .push(LogKind::Http, format!("GET /api/Thing/{i} -> 200 3 ms"));
            }
            let s = text(&draw(&m, &Theme::dark(), w, h));
            assert!(words(&s).contains(line), "{w}x{h}: whole result line: {s}");
            assert!(
                s.contains("Client Secret") && s.contains(NEW_SECRET),
                "{w}x{h}: the secret is in view: {s}"
            );
            let name = if pass { "pass" } else { "fail" };
            snap_text(&format!("small_{w}x{h}_handover_{name}"), &m, w, h);
        }
    }
}

/// A secret as long as Halo's (two GUIDs) is never word-wrapped on the hand-over: whole on one
/// line at 80x24, where the mouse copies it; at 60x20, where no line holds it, in full-width
/// pieces with a warning that says so and how to get it whole.
#[test]
fn a_long_secret_is_never_wrapped_where_the_mouse_copies_it() {
    const LONG: &str = "0f8fad5b-d9cb-469f-a165-70867728950e-7c9e6679-7425-40de-944b-e07fc1f90ae7";
    let m = applied_with_secret(true, LONG);
    let s = text(&draw(&m, &Theme::dark(), 80, 24));
    assert!(
        s.lines().any(|l| l.contains(LONG)),
        "80x24: whole on one line: {s}"
    );
    assert!(!s.contains("shown in pieces"), "{s}");
    let s = text(&draw(&m, &Theme::dark(), 60, 20));
    let lines: Vec<&str> = s.lines().collect();
    let at = lines
        .iter()
        .position(|l| l.contains(&LONG[..20]))
        .unwrap_or_else(|| panic!("60x20: the secret's start: {s}"));
    let joined: String = lines[at..at + 2].iter().map(|l| l.trim()).collect();
    assert!(
        joined.starts_with(LONG),
        "60x20: two pieces make the secret: {s}"
    );
    assert!(
        s.split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
            .contains("shown in pieces: copy it with c or save it with s"),
        "{s}"
    );
}

/// Issue 20 item 9: Halo's client id (a GUID) is whole on the hand-over at 60x20 too, where
/// its tail was cut; wherever it is shown on the screen.
#[test]
fn a_guid_client_id_is_whole_at_60x20() {
    const CID: &str = "0f8fad5b-d9cb-469f-a165-70867728950e";
    let mut m = applied(true);
    if let Some(h) = m.apply.handover.as_mut() {
        h.client_id = CID.into();
    }
    m.apply.client_id = CID.into();
    for (w, h) in [(60u16, 20u16), (80, 24)] {
        // Scroll through the whole hand-over: the client id is whole wherever it shows.
        let mut seen = false;
        for scroll in 0..40 {
            m.plan_scroll = scroll;
            let s = text(&draw(&m, &Theme::dark(), w, h));
            for l in s.lines().filter(|l| l.contains(&CID[..8])) {
                assert!(l.contains(CID), "{w}x{h}: cut client id in {l:?}:\n{s}");
                seen = true;
            }
        }
        assert!(seen, "{w}x{h}: the client id is shown");
        // The bootstrap client id on the Connect step too (its tail was cut there).
        let mut c = normal(Step::Connect);
        c.answers.connection.client_id = CID.into();
        crate::common::wizard::sync_inputs(&mut c);
        let s = text(&draw(&c, &Theme::dark(), w, h));
        assert!(
            s.contains(CID),
            "{w}x{h}: the bootstrap client id whole:\n{s}"
        );
    }
}

/// One snapshot per screen and state: no two snapshot files hold the same text.
#[test]
fn no_two_snapshots_are_the_same() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/tui/snapshots");
    let mut seen = std::collections::BTreeMap::new();
    for e in std::fs::read_dir(&dir).unwrap() {
        let path = e.unwrap().path();
        if path.extension().is_none_or(|x| x != "snap") {
            continue;
        }
        let all = std::fs::read_to_string(&path).unwrap();
        // insta's header is the text between the first two `---` lines.
        let body = all.splitn(3, "---\n").nth(2).unwrap_or(&all).to_string();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        if let Some(first) = seen.insert(body, name.clone()) {
            panic!("{first} and {name} hold the same text");
        }
    }
    assert!(seen.len() > 40, "snapshots found: {}", seen.len());
}
