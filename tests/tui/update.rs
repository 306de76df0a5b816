//! `app::update`: every transition and validation rule, without a terminal.

use crate::common::wizard::*;
use crossterm::event::KeyCode;
use halo_onboard::answers::{ConnectionMode, RoleMode};
use halo_onboard::app::{
    self, ConnState, ConnectFailure, Effect, Field, LogKind, Model, Msg, Overlay, Phase, Step,
};
use halo_onboard::halo::model::MembershipLevel;

fn issues(m: &Model) -> Vec<(Option<Field>, String)> {
    app::validate(m, m.step)
        .into_iter()
        .map(|i| (i.field, i.message))
        .collect()
}

fn has_issue(m: &Model, f: Field, needle: &str) -> bool {
    issues(m)
        .iter()
        .any(|(field, msg)| *field == Some(f) && msg.contains(needle))
}

/// The connection test among `fx`, if one was asked for.
fn connect_request(fx: &[Effect]) -> Option<halo_onboard::app::ConnectRequest> {
    fx.iter().find_map(|e| match e {
        Effect::Connect(r) => Some(r.clone()),
        _ => None,
    })
}

/// Types the Connect step's URL, then "id" and "pw" into the two fields after it.
fn fill_connect(m: &mut Model, url: &str) {
    type_str(m, url);
    press(m, [key(KeyCode::Tab)]);
    type_str(m, "id");
    press(m, [key(KeyCode::Tab)]);
    type_str(m, "pw");
}

#[test]
fn starts_in_the_url_field_and_typing_fills_answers_trimmed() {
    let mut m = Model::default();
    assert_eq!(m.step, Step::Connect);
    assert_eq!(m.focused(), Field::Url);
    type_str(&mut m, "  https://é.example.com ");
    assert_eq!(m.answers.connection.url, "https://é.example.com");
    // letters that are shortcuts elsewhere are text here
    type_str(&mut m, "qljk?");
    assert!(m.answers.connection.url.ends_with("qljk?"));
    assert_eq!(m.overlay, Overlay::None);
    assert!(m.log_visible);
}

#[test]
fn tab_shift_tab_up_down_move_and_wrap() {
    let mut m = Model::default();
    press(&mut m, [key(KeyCode::Tab)]);
    assert_eq!(m.focused(), Field::ClientId);
    press(&mut m, [shift_tab(), key(KeyCode::Up)]);
    assert_eq!(m.focused(), Field::Mode);
    press(&mut m, [key(KeyCode::Up)]);
    assert_eq!(
        m.focused(),
        Field::Profile,
        "the profile picker comes first"
    );
    press(&mut m, [key(KeyCode::Up)]);
    assert_eq!(
        m.focused(),
        Field::LogPane,
        "wraps to the last stop (log pane)"
    );
    press(&mut m, [key(KeyCode::Tab), key(KeyCode::Tab)]);
    assert_eq!(m.focused(), Field::Mode);
    press(&mut m, [key(KeyCode::Down)]);
    assert_eq!(m.focused(), Field::Url);
    press(&mut m, [key(KeyCode::Enter)]);
    assert_eq!(
        m.focused(),
        Field::ClientId,
        "Enter in a text field moves on"
    );
}

#[test]
fn j_k_move_only_outside_text_fields() {
    let mut m = Model::default();
    // A letter never walks into a text field (where the next one would be typed): k from
    // Test connection passes the secret, client id and URL fields.
    focus(&mut m, Field::TestButton);
    press(&mut m, [key(KeyCode::Char('k'))]);
    assert_eq!(m.focused(), Field::Mode);
    press(&mut m, [key(KeyCode::Char('k'))]);
    assert_eq!(m.focused(), Field::Profile);
    assert_eq!(m.secret.chars(), 0, "nothing typed into the secret");
    assert_eq!(m.answers.connection.url, "");
    press(&mut m, [key(KeyCode::Char('j')), key(KeyCode::Char('j'))]);
    assert_eq!(m.focused(), Field::TestButton);
    // The arrows and Tab still reach every field; in a text field letters are typed.
    press(&mut m, [key(KeyCode::Up)]);
    assert_eq!(m.focused(), Field::ClientSecret);
    press(&mut m, [key(KeyCode::Char('k'))]);
    assert_eq!(m.focused(), Field::ClientSecret);
    assert_eq!(m.secret.chars(), 1);
}

#[test]
fn connect_mode_switch_shows_on_premise_fields() {
    let mut m = Model::default();
    focus(&mut m, Field::Mode);
    press(&mut m, [key(KeyCode::Right)]);
    assert_eq!(m.answers.connection.mode, ConnectionMode::OnPremise);
    let f = m.fields();
    assert!(
        f.contains(&Field::ResourceUrl)
            && f.contains(&Field::AuthUrl)
            && f.contains(&Field::Tenant)
    );
    assert!(!f.contains(&Field::Url));
    m.show_errors[0] = true;
    assert!(has_issue(&m, Field::ResourceUrl, "required"));
    assert!(has_issue(&m, Field::AuthUrl, "required"));
    press(&mut m, [key(KeyCode::Left)]);
    assert_eq!(m.answers.connection.mode, ConnectionMode::Hosted);
}

#[test]
fn connect_validation_rules() {
    let mut m = Model::default();
    assert!(has_issue(&m, Field::Url, "required"));
    assert!(has_issue(&m, Field::ClientId, "required"));
    assert!(has_issue(&m, Field::ClientSecret, "required"));
    type_str(&mut m, "http://acme.halopsa.com");
    assert!(has_issue(&m, Field::Url, "https"));
    press(&mut m, [ctrl('u')]);
    type_str(&mut m, "http://127.0.0.1:8080");
    assert!(!issues(&m).iter().any(|(f, _)| *f == Some(Field::Url)));
}

#[test]
fn next_is_gated_on_validation_then_tests_the_connection() {
    let mut m = Model::default();
    let fx = press(&mut m, [ctrl('n')]);
    assert_eq!(m.step, Step::Connect);
    assert!(m.show_errors[0]);
    assert!(
        fx.iter()
            .any(|e| matches!(e, Effect::AppendLog(l) if l.contains("problem")))
    );
    assert!(
        !fx.iter().any(|e| matches!(e, Effect::Connect(_))),
        "nothing is tested while the step has problems"
    );
    fill_connect(&mut m, "https://acme.halopsa.com");
    // Valid but never tested: Ctrl-N (or PgDn) tests first and stays until that succeeds.
    let fx = press(&mut m, [key(KeyCode::PageDown)]);
    assert_eq!(m.step, Step::Connect, "valid but not connected");
    assert!(fx.iter().any(|e| matches!(e, Effect::Connect(_))), "{fx:?}");
    assert_eq!(m.conn, ConnState::Connecting);
    assert!(
        m.log
            .window(5, 0)
            .any(|e| e.text.contains("testing the connection first"))
    );
    // A second Ctrl-N while the test runs sends nothing more.
    let fx = press(&mut m, [ctrl('n')]);
    assert!(!fx.iter().any(|e| matches!(e, Effect::Connect(_))));
    app::update(&mut m, connected_msg(true));
    assert_eq!(m.step, Step::Role, "moves on once the test succeeds");
    assert!(m.done[0]);
    assert!(!m.next_after_connect);
}

#[test]
fn next_stays_on_connect_when_its_test_fails() {
    let mut m = Model::default();
    fill_connect(&mut m, "acme.halopsa.com");
    press(&mut m, [ctrl('n')]);
    let err = halo_onboard::halo::HaloError::InvalidClient;
    app::update(
        &mut m,
        Msg::Connected(Box::new(Err(ConnectFailure::from(&err)))),
    );
    assert_eq!(m.step, Step::Connect);
    assert!(matches!(m.conn, ConnState::Failed { .. }));
    assert!(
        !m.next_after_connect,
        "a later manual test does not move on by itself"
    );
    // Tested by hand now (t on a button): success stays on Connect.
    focus(&mut m, Field::TestButton);
    press(&mut m, [key(KeyCode::Char('t'))]);
    app::update(&mut m, connected_msg(true));
    assert_eq!(m.step, Step::Connect);
    assert!(m.is_connected());
}

#[test]
fn a_test_of_details_changed_meanwhile_counts_for_nothing() {
    let mut m = Model::default();
    fill_connect(&mut m, "https://acme.halopsa.com");
    press(&mut m, [ctrl('n')]);
    assert_eq!(m.conn, ConnState::Connecting);
    // The secret is edited while the test runs.
    press(&mut m, [key(KeyCode::Backspace)]);
    app::update(&mut m, connected_msg(true));
    assert_eq!(
        m.conn,
        ConnState::NotConnected,
        "the result was for the old secret"
    );
    assert_eq!(m.step, Step::Connect);
    assert!(
        m.log
            .last()
            .unwrap()
            .text
            .contains("changed during the test")
    );
    // Ctrl-N tests the current details.
    let fx = press(&mut m, [ctrl('n')]);
    assert!(fx.iter().any(|e| matches!(e, Effect::Connect(_))));
    app::update(&mut m, connected_msg(true));
    assert_eq!(m.step, Step::Role);
}

#[test]
fn a_url_without_a_scheme_means_https() {
    let mut m = Model::default();
    type_str(&mut m, "acme.halopsa.com");
    assert!(
        app::validate(&m, Step::Connect)
            .iter()
            .all(|i| i.field != Some(Field::Url))
    );
    press(&mut m, [key(KeyCode::Tab)]);
    type_str(&mut m, "id");
    press(&mut m, [key(KeyCode::Tab)]);
    type_str(&mut m, "pw");
    let fx = press(&mut m, [key(KeyCode::Tab), key(KeyCode::Enter)]);
    let req = connect_request(&fx).expect("connect effect");
    // The connection uses the one parser that makes it https://acme.halopsa.com.
    let halo_onboard::plan::session::Place::Hosted { url, .. } = &req.place else {
        panic!("{:?}", req.place)
    };
    assert_eq!(
        halo_onboard::halo::Endpoint::hosted(url)
            .unwrap()
            .resource_url,
        "https://acme.halopsa.com/api"
    );
    // Plain http stays refused but for loopback.
    let mut m = Model::default();
    type_str(&mut m, "http://acme.halopsa.com");
    let v = app::validate(&m, Step::Connect);
    assert!(
        v.iter()
            .any(|i| i.field == Some(Field::Url) && i.message.contains("use https://")),
        "{v:?}"
    );
}

#[test]
fn test_connection_emits_connect_with_secret_then_connected_unlocks_next() {
    let mut m = Model::default();
    type_str(&mut m, "https://acme.halopsa.com");
    press(&mut m, [key(KeyCode::Tab)]);
    type_str(&mut m, "bootstrap-id");
    press(
        &mut m,
        [key(KeyCode::Tab), Msg::Paste(format!("{SECRET}\n"))],
    );
    focus(&mut m, Field::Mode);
    let fx = press(&mut m, [key(KeyCode::Char('t'))]);
    let req = connect_request(&fx).expect("connect effect");
    use secrecy::ExposeSecret;
    assert_eq!(
        req.secret.expose_secret(),
        SECRET,
        "newline from paste stripped"
    );
    assert_eq!(req.client_id, "bootstrap-id");
    assert!(
        !format!("{fx:?}").contains(SECRET),
        "effects Debug redacts the secret"
    );
    assert_eq!(m.conn, ConnState::Connecting);
    assert!(m.busy());
    // a second test while one runs is ignored
    assert!(
        press(&mut m, [key(KeyCode::Char('t'))])
            .iter()
            .all(|e| !matches!(e, Effect::Connect(_)))
    );
    press(&mut m, [Msg::Tick, Msg::Tick]);
    assert_eq!(m.spinner, 2);
    app::update(&mut m, connected_msg(false));
    assert!(!m.busy());
    match &m.conn {
        ConnState::Connected(c) => {
            assert_eq!(c.agent_name, "admin");
            assert!(
                c.missing
                    .iter()
                    .any(|w| w.contains("not a HaloPSA Administrator"))
            );
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(m.lookups.teams.len(), 2);
    press(&mut m, [ctrl('n')]);
    assert_eq!(m.step, Step::Role);
    assert!(m.done[0]);
}

#[test]
fn connect_failure_shows_message_and_hint() {
    let mut m = connected();
    m.conn = ConnState::Connecting;
    m.in_flight = 1;
    let err = halo_onboard::halo::HaloError::InvalidClient;
    app::update(
        &mut m,
        Msg::Connected(Box::new(Err(ConnectFailure::from(&err)))),
    );
    match &m.conn {
        ConnState::Failed { message, hint } => {
            assert!(message.contains("invalid_client"));
            assert!(hint.contains("Client ID and Secret"));
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(m.log.last().unwrap().kind, LogKind::Error);
}

#[test]
fn editing_connection_details_invalidates_the_test() {
    let mut m = connected();
    assert!(m.is_connected());
    focus(&mut m, Field::Url);
    type_str(&mut m, "x");
    assert_eq!(m.conn, ConnState::NotConnected);
    let mut m = connected();
    focus(&mut m, Field::ClientSecret);
    press(&mut m, [key(KeyCode::Backspace)]);
    assert_eq!(m.conn, ConnState::NotConnected);
}

#[test]
fn secret_never_in_debug_or_answers() {
    let m = connected();
    assert_eq!(m.secret.chars(), SECRET.len());
    let dbg = format!("{m:?}");
    assert!(!dbg.contains(SECRET));
    let toml = serde_json::to_string(&m.answers).unwrap();
    assert!(!toml.contains(SECRET));
    assert!(m.log.window(100, 0).all(|e| !e.text.contains(SECRET)));
}

#[test]
fn paste_into_text_and_secret_fields() {
    let mut m = Model::default();
    app::update(&mut m, Msg::Paste("https://a.example.com\r\n".into()));
    assert_eq!(m.answers.connection.url, "https://a.example.com");
    focus(&mut m, Field::ClientSecret);
    app::update(&mut m, Msg::Paste("ab\ncd".into()));
    assert_eq!(m.secret.chars(), 4);
    press(&mut m, [ctrl('u')]);
    assert!(m.secret.is_empty());
    focus(&mut m, Field::Mode);
    app::update(&mut m, Msg::Paste("zzz".into()));
    assert_eq!(
        m.answers.connection.mode,
        ConnectionMode::Hosted,
        "paste on a choice is ignored"
    );
}

#[test]
fn back_navigation_esc_ctrl_p_page_up() {
    let mut m = filled(Step::Permissions);
    press(&mut m, [key(KeyCode::Esc)]);
    assert_eq!(m.step, Step::Application);
    press(&mut m, [ctrl('p')]);
    assert_eq!(m.step, Step::Agent);
    press(&mut m, [key(KeyCode::PageUp)]);
    assert_eq!(m.step, Step::Role);
    press(&mut m, [key(KeyCode::PageUp), key(KeyCode::Esc)]);
    assert_eq!(m.step, Step::Connect, "no step before Connect");
    for s in [
        Step::Role,
        Step::Agent,
        Step::Application,
        Step::Permissions,
    ] {
        press(&mut m, [key(KeyCode::PageDown)]);
        assert_eq!(m.step, s);
    }
    assert!(m.done[..4].iter().all(|d| *d));
}

#[test]
fn focus_is_remembered_per_step() {
    let mut m = filled(Step::Role);
    press(&mut m, [key(KeyCode::Tab), key(KeyCode::Tab)]);
    let f = m.focused();
    press(&mut m, [ctrl('n'), key(KeyCode::Esc)]);
    assert_eq!(m.focused(), f);
}

#[test]
fn role_rules_and_widgets() {
    let mut m = filled(Step::Role);
    focus(&mut m, Field::RoleName);
    press(&mut m, [ctrl('u')]);
    assert!(has_issue(&m, Field::RoleName, "required"));
    press(&mut m, [ctrl('n')]);
    assert_eq!(m.step, Step::Role);
    // Halo's column: NHD_Roles.Name nvarchar(256).
    type_str(&mut m, &"é".repeat(257));
    assert!(has_issue(&m, Field::RoleName, "at most 256"));
    press(&mut m, [key(KeyCode::Backspace)]);
    assert!(
        !has_issue(&m, Field::RoleName, "at most"),
        "256 non-ASCII chars are fine"
    );

    focus(&mut m, Field::RoleAdmin);
    press(&mut m, [key(KeyCode::Char(' '))]);
    assert!(m.answers.role.permissions.admin());
    focus(&mut m, Field::RoleFeature(0));
    let key0 = halo_onboard::app::fields::feature_area(0).unwrap().key;
    assert_eq!(key0, "tickets");
    // Tickets' own scale: Not set, No Access, Read Only, Read and Modify.
    let level = |m: &Model| m.answers.role.permissions.get("Tx").map(|l| l.label);
    assert_eq!(level(&m), Some("Read and Modify"));
    press(&mut m, [key(KeyCode::Left)]);
    assert_eq!(level(&m), Some("Read Only"));
    press(&mut m, [key(KeyCode::Left), key(KeyCode::Left)]);
    assert_eq!(level(&m), None, "Not set");
    press(&mut m, [key(KeyCode::Left)]);
    assert_eq!(level(&m), Some("Read and Modify"), "cycles around");
    press(&mut m, [key(KeyCode::Right)]);
    assert_eq!(level(&m), None);

    focus(&mut m, Field::RoleMode);
    press(&mut m, [key(KeyCode::Enter)]);
    assert_eq!(m.answers.role.mode, RoleMode::Reuse("role-admin".into()));
    assert!(m.fields().contains(&Field::RolePick));
    assert!(!m.fields().contains(&Field::RoleName));
    focus(&mut m, Field::RolePick);
    press(&mut m, [key(KeyCode::Right)]);
    assert_eq!(m.answers.role.mode, RoleMode::Reuse("role-ro".into()));
    press(&mut m, [key(KeyCode::Right)]);
    assert_eq!(m.answers.role.mode, RoleMode::Reuse("role-admin".into()));
    m.answers.role.mode = RoleMode::Reuse("gone".into());
    assert!(has_issue(&m, Field::RolePick, "pick an existing role"));
}

#[test]
fn agent_rules_and_widgets() {
    let mut m = filled(Step::Agent);
    focus(&mut m, Field::Initials);
    type_str(&mut m, "XY");
    assert!(has_issue(&m, Field::Initials, "at most 3"));
    press(&mut m, [ctrl('n')]);
    assert_eq!(m.step, Step::Agent);
    assert!(m.show_errors[Step::Agent.index()]);
    assert_eq!(
        app::validate::field_error(&m, Field::Initials).as_deref(),
        Some("at most 3 characters (now 4)")
    );
    press(&mut m, [key(KeyCode::Backspace)]);
    assert!(!has_issue(&m, Field::Initials, ""));
    // Emoji are caught here, inline, not sent to Halo's nvarchar(3) column.
    press(&mut m, [ctrl('u')]);
    type_str(&mut m, "🙂🙂🙂🙂");
    assert!(has_issue(&m, Field::Initials, "only letters and digits"));
    press(&mut m, [ctrl('u')]);
    type_str(&mut m, "TL");

    focus(&mut m, Field::Email);
    press(&mut m, [ctrl('u')]);
    type_str(&mut m, "not-an-email");
    assert!(has_issue(&m, Field::Email, "not an email"));
    press(&mut m, [ctrl('u')]);
    assert!(!has_issue(&m, Field::Email, ""), "email is optional");

    focus(&mut m, Field::AgentName);
    press(&mut m, [ctrl('u')]);
    assert!(has_issue(&m, Field::AgentName, "required"));
    type_str(&mut m, "Taken");
    assert_eq!(
        m.lookups.agents_named(&m.answers.agent.name).len(),
        1,
        "duplicate username shown as a warning"
    );
    press(&mut m, [ctrl('u')]);
    type_str(&mut m, "vendor-api");

    focus(&mut m, Field::FirstName);
    press(&mut m, [ctrl('u')]);
    assert!(has_issue(&m, Field::FirstName, "required"));
    type_str(&mut m, "Vendor");

    // Teams: the fixture is a member of Service Desk (index 0), so its two toggles are shown.
    assert!(m.fields().contains(&Field::TeamUnassigned(0)));
    assert!(!m.fields().contains(&Field::TeamUnassigned(1)));
    focus(&mut m, Field::Team(1));
    press(&mut m, [key(KeyCode::Char(' '))]);
    assert!(m.team_answer("Projects").is_some());
    focus(&mut m, Field::TeamOthers(1));
    press(&mut m, [key(KeyCode::Enter)]);
    assert!(!m.team_answer("Projects").unwrap().otheragent_access);
    focus(&mut m, Field::TeamUnassigned(1));
    press(&mut m, [key(KeyCode::Right)]);
    assert!(!m.team_answer("Projects").unwrap().unassigned_access);
    focus(&mut m, Field::Team(1));
    press(&mut m, [key(KeyCode::Char(' '))]);
    assert!(m.team_answer("Projects").is_none());

    focus(&mut m, Field::DefaultTeam);
    press(&mut m, [key(KeyCode::Right)]);
    assert_eq!(m.answers.agent.default_team.as_deref(), Some("Projects"));
    press(&mut m, [key(KeyCode::Right)]);
    assert_eq!(m.answers.agent.default_team, None, "No Default Team");

    focus(&mut m, Field::Department(0));
    press(&mut m, [key(KeyCode::Right)]);
    assert_eq!(
        m.answers.agent.departments[0].level,
        MembershipLevel::Member
    );
    press(&mut m, [key(KeyCode::Right), key(KeyCode::Right)]);
    assert_eq!(
        m.answers.agent.departments[0].level,
        MembershipLevel::ModifyAll
    );
    press(&mut m, [key(KeyCode::Right)]);
    assert!(
        m.answers.agent.departments.is_empty(),
        "back to not a member"
    );

    focus(&mut m, Field::Workday);
    press(&mut m, [key(KeyCode::Right)]);
    assert_eq!(m.answers.agent.workday, "24 Hours");

    for (f, get) in [
        (
            Field::Active,
            (|m: &Model| m.answers.agent.active) as fn(&Model) -> bool,
        ),
        (Field::ApiOnly, |m: &Model| m.answers.agent.api_only),
        (Field::ApprovePo, |m: &Model| {
            m.answers.agent.can_approve_purchaseorder
        }),
        (Field::ApproveInvoice, |m: &Model| {
            m.answers.agent.can_approve_invoice
        }),
    ] {
        focus(&mut m, f);
        let before = get(&m);
        press(&mut m, [key(KeyCode::Char(' '))]);
        assert_ne!(before, get(&m), "{f:?}");
    }
    press(&mut m, [ctrl('n')]);
    assert_eq!(m.step, Step::Application);
}

#[test]
fn application_rules_and_login_agent() {
    let mut m = filled(Step::Application);
    assert_eq!(
        m.fields()[..4],
        [
            Field::AppName,
            Field::AppDescription,
            Field::AppActive,
            Field::LoginAgent
        ]
    );
    focus(&mut m, Field::AppName);
    press(&mut m, [ctrl('u')]);
    assert!(has_issue(&m, Field::AppName, "required"));
    type_str(&mut m, "  Vendor  ");
    assert_eq!(m.answers.application.name, "Vendor");
    focus(&mut m, Field::AppActive);
    press(&mut m, [key(KeyCode::Enter)]);
    assert!(!m.answers.application.active);
    // The application logs in as the new agent: Halo's other agents are not offered (the plan
    // would log in as the new one anyway; it refuses another).
    focus(&mut m, Field::LoginAgent);
    assert_eq!(m.answers.application.login_agent, None);
    press(&mut m, [key(KeyCode::Right)]);
    assert_eq!(m.answers.application.login_agent, None);
    // An answers file that names another agent shows it; picking the new agent clears it.
    m.answers.application.login_agent = Some("admin".into());
    press(&mut m, [key(KeyCode::Right)]);
    assert_eq!(m.answers.application.login_agent, None);
}

#[test]
fn scopes_edit_ticks_read_and_read_unticks_edit() {
    let mut m = filled(Step::Permissions);
    m.answers.scopes.clear();
    let idx = |name: &str| {
        halo_onboard::halo::scopes::all_names()
            .position(|n| n == name)
            .unwrap()
    };
    focus(&mut m, Field::Scope(idx("edit:assets")));
    press(&mut m, [key(KeyCode::Char(' '))]);
    assert_eq!(m.answers.scopes, ["read:assets", "edit:assets"]);
    press(&mut m, [key(KeyCode::Char(' '))]);
    assert_eq!(
        m.answers.scopes,
        ["read:assets"],
        "unticking edit keeps read"
    );
    press(&mut m, [key(KeyCode::Char(' '))]);
    focus(&mut m, Field::Scope(idx("read:assets")));
    press(&mut m, [key(KeyCode::Enter)]);
    assert!(m.answers.scopes.is_empty(), "unticking read unticks edit");
    // only catalogue names: every field maps to one
    assert!(
        m.fields()
            .iter()
            .filter(|f| matches!(f, Field::Scope(_)))
            .count()
            == 48
    );
}

#[test]
fn permissions_need_a_scope_and_warn() {
    let mut m = filled(Step::Permissions);
    m.answers.scopes.clear();
    press(&mut m, [ctrl('n')]);
    assert_eq!(m.step, Step::Permissions);
    assert!(
        issues(&m)
            .iter()
            .any(|(_, msg)| msg.contains("at least one scope"))
    );
    m.answers.scopes = vec!["all".into(), "read:assets".into(), "read:tickets".into()];
    let w = app::validate::scope_warnings(&m).join("\n");
    assert!(w.contains("all: broad"), "{w}");
    assert!(
        w.contains("read:assets: the role gives Assets only 'Not set'"),
        "{w}"
    );
    assert!(!w.contains("read:tickets:"), "role has tickets edit: {w}");
    m.answers.role.permissions.set_admin(true);
    assert!(
        !app::validate::scope_warnings(&m)
            .join("")
            .contains("read:assets"),
        "admins are not capped"
    );
    m.answers.role.permissions.set_admin(false);
    m.answers.role.mode = RoleMode::Reuse("role-ro".into());
    m.answers.scopes = vec!["read:tickets".into(), "edit:tickets".into()];
    let w = app::validate::scope_warnings(&m).join("\n");
    assert!(
        w.contains("edit:tickets: the role gives Tickets only 'Read Only'"),
        "{w}"
    );
    assert!(!w.contains("read:tickets:"), "{w}");
}

#[test]
fn submit_enter_asks_then_applies() {
    let mut m = filled(Step::Submit);
    assert_eq!(m.focused(), Field::ApplyButton);
    let fx = press(&mut m, [key(KeyCode::Enter)]);
    assert!(
        !fx.iter().any(|e| matches!(e, Effect::Apply(_))),
        "asks first"
    );
    assert_eq!(m.overlay, Overlay::ConfirmApply);
    press(&mut m, [key(KeyCode::Char('n'))]);
    assert_eq!(m.overlay, Overlay::None);
    assert_eq!(m.apply.phase, Phase::Idle);
    press(&mut m, [key(KeyCode::Enter)]);
    let fx = press(&mut m, [key(KeyCode::Char('y'))]);
    assert!(
        fx.iter().any(
            |e| matches!(e, Effect::Apply(r) if r.answers == m.answers && r.resume_id.is_none())
        )
    );
    assert_eq!(m.apply.phase, Phase::Running);
    assert!(m.busy());
    // Esc does not go back under a running apply; Enter does nothing
    press(&mut m, [key(KeyCode::Esc), key(KeyCode::Enter)]);
    assert_eq!(m.step, Step::Submit);
    assert_eq!(m.overlay, Overlay::None);
}

#[test]
fn submit_blocked_plan_shows_problems() {
    let mut m = filled(Step::Submit);
    // unresolved names block apply
    m.answers.agent.teams[0].name = "Gone".into();
    let fx = press(&mut m, [key(KeyCode::Enter)]);
    assert!(!fx.iter().any(|e| matches!(e, Effect::Apply(_))));
    assert_eq!(m.overlay, Overlay::None);
    assert!(m.show_errors[Step::Submit.index()]);
    assert!(issues(&m).iter().any(|(_, s)| s.contains("team 'Gone'")));
    press(&mut m, [key(KeyCode::Down), key(KeyCode::Char('j'))]);
    assert_eq!(m.plan_scroll, 2);
    press(&mut m, [key(KeyCode::Up)]);
    assert_eq!(m.plan_scroll, 1);
    press(&mut m, [ctrl('n')]);
    assert_eq!(m.step, Step::Submit, "no step after Submit");
}

#[test]
fn quit_confirmation() {
    let mut m = Model::default();
    press(&mut m, [ctrl('c')]);
    assert_eq!(m.overlay, Overlay::ConfirmQuit);
    press(&mut m, [key(KeyCode::Char('n'))]);
    assert_eq!(m.overlay, Overlay::None);
    assert!(!m.quit);
    press(&mut m, [ctrl('c'), key(KeyCode::Esc)]);
    assert_eq!(m.overlay, Overlay::None);
    // q is text in a text field...
    type_str(&mut m, "q");
    assert_eq!(m.overlay, Overlay::None);
    // ...and quits from elsewhere
    focus(&mut m, Field::Mode);
    press(&mut m, [key(KeyCode::Char('q'))]);
    assert_eq!(m.overlay, Overlay::ConfirmQuit);
    let fx = press(&mut m, [key(KeyCode::Char('y'))]);
    assert!(m.quit);
    assert!(fx.iter().any(|e| matches!(e, Effect::Quit)));
    // Ctrl-C twice quits too
    let mut m = Model::default();
    press(&mut m, [ctrl('c'), ctrl('c')]);
    assert!(m.quit);
}

#[test]
fn help_overlay() {
    let mut m = Model::default();
    press(&mut m, [key(KeyCode::F(1))]);
    assert_eq!(m.overlay, Overlay::Help);
    press(&mut m, [key(KeyCode::Esc)]);
    assert_eq!(m.overlay, Overlay::None);
    assert_eq!(m.step, Step::Connect);
    focus(&mut m, Field::Mode);
    press(&mut m, [key(KeyCode::Char('?'))]);
    assert_eq!(m.overlay, Overlay::Help);
    // Keys pressed while it is open stay in it: they scroll it or do nothing behind it.
    let before = m.answers.clone();
    press(
        &mut m,
        [
            key(KeyCode::Char('a')),
            key(KeyCode::Right),
            key(KeyCode::Char('t')),
            key(KeyCode::Char('l')),
        ],
    );
    assert_eq!(m.overlay, Overlay::Help);
    assert_eq!(m.answers, before, "nothing behind the help changed");
    assert!(m.log_visible && m.conn == ConnState::NotConnected);
    press(&mut m, [key(KeyCode::Down), key(KeyCode::Down)]);
    assert_eq!(m.help_scroll, 2);
    press(&mut m, [key(KeyCode::PageDown), key(KeyCode::Up)]);
    assert_eq!(m.help_scroll, 11);
    press(&mut m, [key(KeyCode::Home)]);
    assert_eq!(m.help_scroll, 0);
    press(&mut m, [key(KeyCode::Char('q'))]);
    assert_eq!(m.overlay, Overlay::None);
    assert!(!m.quit);
    // Ctrl-C still asks to quit from inside it.
    press(&mut m, [key(KeyCode::Char('?')), ctrl('c')]);
    assert_eq!(m.overlay, Overlay::ConfirmQuit);
}

#[test]
fn log_pane_toggles_focus_and_scroll() {
    let mut m = Model::default();
    press(&mut m, [key(KeyCode::F(2))]);
    assert!(!m.log_visible, "F2 in a text field hides the log");
    assert!(!m.fields().contains(&Field::LogPane));
    press(&mut m, [key(KeyCode::F(3))]);
    assert!(m.log_visible && m.log_large, "F3 enlarges (and shows)");
    focus(&mut m, Field::Mode);
    press(&mut m, [key(KeyCode::Char('L'))]);
    assert!(!m.log_large);
    press(&mut m, [key(KeyCode::Char('l'))]);
    assert!(!m.log_visible);
    press(&mut m, [key(KeyCode::Char('l'))]);
    assert!(m.log_visible);

    for i in 0..30 {
        app::update(
            &mut m,
            Msg::Request(halo_onboard::halo::RequestEvent {
                method: "GET".into(),
                path: format!("/api/Team?n={i}"),
                status: Some(200),
                latency: std::time::Duration::from_millis(3),
                retries: 0,
                error: None,
                waiting: None,
            }),
        );
    }
    assert_eq!(m.log.last().unwrap().text, "GET /api/Team?n=29 -> 200 3 ms");
    assert_eq!(m.log.last().unwrap().kind, LogKind::Http);
    focus(&mut m, Field::LogPane);
    press(&mut m, [key(KeyCode::Up), key(KeyCode::Char('k'))]);
    assert_eq!(m.log_scroll, 2);
    press(&mut m, [key(KeyCode::PageUp)]);
    assert_eq!(m.log_scroll, 12);
    assert_eq!(
        m.step,
        Step::Connect,
        "PageUp scrolls the focused log, not the step"
    );
    // new entries keep the view still while scrolled back
    app::update(&mut m, Msg::Log(LogKind::Info, "new".into()));
    assert_eq!(m.log_scroll, 13);
    press(&mut m, [key(KeyCode::PageDown), key(KeyCode::Down)]);
    assert_eq!(m.log_scroll, 2);
    press(&mut m, [key(KeyCode::Home)]);
    assert_eq!(m.log_scroll, m.log.len() - 1);
    press(&mut m, [key(KeyCode::End)]);
    assert_eq!(m.log_scroll, 0);
    // hiding the focused log moves focus back to the form
    press(&mut m, [key(KeyCode::Char('l'))]);
    assert_ne!(m.focused(), Field::LogPane);
}

#[test]
fn every_log_entry_goes_to_the_file_too() {
    let mut m = Model {
        run_tag: "5eed".into(),
        ..Model::default()
    };
    let fx = app::update(&mut m, Msg::Log(LogKind::Warn, "hello".into()));
    assert!(
        matches!(&fx[..], [Effect::AppendLog(l)] if l == "run=5eed warn hello"),
        "{fx:?}"
    );
}

/// Every line of the log file names its session: this run's tag until the setup is journaled,
/// then the setup id (also for the requests and the verification that follow).
#[test]
fn log_file_lines_carry_the_run_then_the_setup() {
    let mut m = filled(Step::Submit);
    m.run_tag = "5eed".into();
    let before = press(&mut m, [key(KeyCode::Enter), key(KeyCode::Char('y'))]);
    let lines = |fx: &[Effect]| -> Vec<String> {
        fx.iter()
            .filter_map(|e| match e {
                Effect::AppendLog(l) => Some(l.clone()),
                _ => None,
            })
            .collect()
    };
    let l = lines(&before);
    assert!(
        !l.is_empty() && l.iter().all(|l| l.starts_with("run=5eed ")),
        "{l:?}"
    );
    let mut after = app::update(&mut m, Msg::ApplyStarted(SETUP_ID.into()));
    after.extend(app::update(
        &mut m,
        Msg::Request(halo_onboard::halo::RequestEvent {
            method: "POST".into(),
            path: "/api/Roles".into(),
            status: Some(201),
            latency: std::time::Duration::from_millis(4),
            retries: 0,
            error: None,
            waiting: None,
        }),
    ));
    let l = lines(&after);
    assert_eq!(
        l,
        [
            format!(
                "setup={SETUP_ID} info setup {SETUP_ID} journaled; it can be resumed if interrupted"
            ),
            format!("setup={SETUP_ID} http POST /api/Roles -> 201 4 ms"),
        ]
    );
}

#[test]
fn step_validated_events_are_logged() {
    let m = filled(Step::Submit);
    let texts: Vec<_> = m.log.window(100, 0).map(|e| e.text.clone()).collect();
    for s in ["Connect", "Role", "Agent", "Application", "Permissions"] {
        assert!(texts.contains(&format!("step {s} validated")), "{texts:?}");
    }
    assert!(texts.iter().any(|t| t == "connected as admin"));
}

#[test]
fn profile_pick_prefills_every_step_and_keeps_the_connection() {
    let mut m = connected();
    m.profiles = halo_onboard::profile::builtin();
    focus(&mut m, Field::Profile);
    press(&mut m, [key(KeyCode::Enter)]);
    assert!(matches!(m.overlay, Overlay::ProfilePicker(_)));
    type_str(&mut m, "topleft");
    let Overlay::ProfilePicker(p) = &m.overlay else {
        panic!("picker closed")
    };
    let shown = app::picker::matching(&m, &p.filter);
    assert_eq!(m.profiles[shown[p.sel]].id, "topleft");
    press(&mut m, [key(KeyCode::Enter)]);
    assert_eq!(m.overlay, Overlay::None);
    assert_eq!(m.profile.as_ref().map(|p| p.id.as_str()), Some("topleft"));
    assert_eq!(m.answers.profile.as_deref(), Some("topleft"));
    assert_eq!(m.answers.role.name, "TopLeft Role");
    assert_eq!(
        m.input_value(Field::RoleName),
        "TopLeft Role",
        "inputs follow"
    );
    assert_eq!(m.answers.connection.url, "https://acme.halopsa.com");
    assert_eq!(m.answers.connection.client_id, "bootstrap-id");
    for _ in 0..5 {
        press(&mut m, [ctrl('n')]);
    }
    assert_eq!(m.step, Step::Submit, "{:?}", app::validate(&m, m.step));
    // every field stays editable
    press(
        &mut m,
        [key(KeyCode::Esc), key(KeyCode::Esc), key(KeyCode::Esc)],
    );
    assert_eq!(m.step, Step::Agent);
    focus(&mut m, Field::AgentName);
    type_str(&mut m, "-2");
    assert_eq!(m.answers.agent.name, "topleft-2");
}

/// A request waiting to retry starts a countdown on screen (the model counts the spinner
/// ticks down); its final event ends it.
#[test]
fn backoff_counts_down_and_ends_with_the_request() {
    use std::time::Duration;
    let ev = |waiting: Option<u64>, status| {
        Msg::Request(halo_onboard::halo::RequestEvent {
            method: "GET".into(),
            path: "/api/Team".into(),
            status,
            latency: Duration::from_millis(3),
            retries: 0,
            error: None,
            waiting: waiting.map(Duration::from_secs),
        })
    };
    let mut m = connected();
    app::update(&mut m, ev(Some(23), Some(429)));
    let b = m.backoff.clone().expect("countdown started");
    assert_eq!(b.text(), "Rate limited by Halo: retrying in 23 s");
    assert!(
        m.log.last().unwrap().text.contains("Rate limited by Halo"),
        "logged too"
    );
    for _ in 0..10 {
        app::update(&mut m, Msg::Tick);
    }
    assert_eq!(
        m.backoff.as_ref().unwrap().text(),
        "Rate limited by Halo: retrying in 22 s"
    );
    app::update(&mut m, ev(Some(2), Some(503)));
    assert_eq!(
        m.backoff.as_ref().unwrap().text(),
        "Halo answered 503: retrying in 2 s"
    );
    app::update(&mut m, ev(None, Some(200)));
    assert!(m.backoff.is_none(), "the request finished");
}

/// Halo's authinfo sends the login to another host: the wizard asks; `y` tests again with that
/// server confirmed, anything else sends nothing; editing the URL forgets the confirmation.
#[test]
fn another_login_server_needs_a_yes() {
    let mut m = connected();
    let url = "https://login.elsewhere.example/auth".to_string();
    let fail = || {
        Msg::Connected(Box::new(Err(app::ConnectFailure {
            message: "Halo at https://acme.halopsa.com sends the login to another server".into(),
            hint: "confirm".into(),
            confirm_auth_url: Some("https://login.elsewhere.example/auth".into()),
        })))
    };
    app::update(&mut m, fail());
    assert_eq!(m.overlay, Overlay::ConfirmAuthUrl(url.clone()));
    let fx = press(&mut m, [key(KeyCode::Char('n'))]);
    assert!(
        fx.iter().all(|e| !matches!(e, Effect::Connect(_))),
        "nothing sent"
    );
    assert_eq!(m.overlay, Overlay::None);
    assert_eq!(m.trusted_auth_url, None);
    app::update(&mut m, fail());
    let fx = press(&mut m, [key(KeyCode::Char('y'))]);
    let req = connect_request(&fx).expect("connects again");
    match &req.place {
        halo_onboard::plan::session::Place::Hosted { auth_url, .. } => {
            assert_eq!(auth_url.as_deref(), Some(url.as_str()));
        }
        p => panic!("hosted expected: {p:?}"),
    }
    // Another URL: the confirmation does not carry over.
    focus(&mut m, Field::Url);
    type_str(&mut m, "x");
    assert_eq!(m.trusted_auth_url, None);
}

/// Every choice field's options, current value and setter agree: stepping through all of its
/// options comes back to where it started, shows each option once, and the value shown is the
/// option the answers hold.
#[test]
fn choice_fields_step_through_their_own_options() {
    use halo_onboard::app::fields::{self, Behaviour};
    let mut m = filled(Step::Connect);
    for step in Step::ALL {
        m.step = step;
        m.answers.role.mode = RoleMode::Create;
        for f in m.fields() {
            let Behaviour::Choice(c) = f.spec().behaviour else {
                continue;
            };
            let i = f.index();
            let n = (c.options)(&m, i).len();
            let mut seen = Vec::new();
            for _ in 0..n {
                app::edit::cycle(&mut m, f, 1, &mut Vec::new());
                let (shown, _) = fields::shown(&m, f);
                let cur = (c.current)(&m, i).unwrap_or_else(|| panic!("{f:?}: none chosen"));
                let want = &(c.options)(&m, i)[cur];
                assert_eq!(shown, format!("◀ {want} ▶"), "{f:?}");
                seen.push(cur);
            }
            seen.sort_unstable();
            seen.dedup();
            assert_eq!(seen.len(), n, "{f:?}: every option once");
        }
    }
}

/// What loads after the first frame lands in the model: profiles, the unfinished setups (offered
/// in the resume pop-up unless something else is on), the demo's Halo (filled in, the Test
/// button focused) or why it could not start.
#[test]
fn startup_results_fill_the_model_after_the_first_frame() {
    use halo_onboard::app::{DemoHalo, ResumeRow, Started};
    let mut m = Model::default();
    assert!(m.profiles.is_empty());
    let row = ResumeRow {
        session: session(&filled(Step::Submit)),
        age: "5m ago".into(),
    };
    let fx = app::update(
        &mut m,
        Msg::Started(Box::new(Started {
            profiles: Some(halo_onboard::profile::builtin()),
            resumable: vec![row.clone()],
            finished: Vec::new(),
            warnings: vec!["profile not loaded: x.toml:1: bad".into()],
            demo: Some(Ok(DemoHalo {
                url: "http://127.0.0.1:4321".into(),
                client_id: "demo-id".into(),
                client_secret: secrecy::SecretString::from(SECRET.to_string()),
            })),
        })),
    );
    assert_eq!(m.profiles.len(), 39);
    assert_eq!(m.overlay, Overlay::Resume(0));
    assert_eq!(m.resumable.len(), 1);
    assert_eq!(m.answers.connection.url, "http://127.0.0.1:4321");
    assert_eq!(m.input_value(Field::ClientId), "demo-id");
    assert_eq!(m.secret.chars(), SECRET.chars().count());
    assert_eq!(m.focused(), Field::TestButton);
    let logged = format!("{fx:?}");
    assert!(
        logged.contains("profile not loaded: x.toml:1: bad"),
        "{logged}"
    );
    assert!(logged.contains("press t to connect"), "{logged}");
    assert!(!logged.contains(SECRET), "the demo secret is not logged");

    // Busy elsewhere (a pop-up open, or past Connect): the setups wait in the list.
    let mut m = Model {
        overlay: Overlay::Help,
        ..Model::default()
    };
    let fx = app::update(
        &mut m,
        Msg::Started(Box::new(Started {
            resumable: vec![row],
            demo: Some(Err("address in use".into())),
            ..Started::default()
        })),
    );
    assert_eq!(m.overlay, Overlay::Help);
    assert_eq!(m.resumable.len(), 1);
    assert!(format!("{fx:?}").contains("could not start the demo Halo emulator: address in use"));
}

/// The picker filters as you type (vendor, id, summary; any case), Backspace edits the filter,
/// Esc clears it and a second Esc closes.
#[test]
fn profile_picker_filters_as_you_type() {
    let mut m = connected();
    m.profiles = halo_onboard::profile::builtin();
    let total = m.profiles.len();
    focus(&mut m, Field::Profile);
    press(&mut m, [key(KeyCode::Enter)]);
    let shown = |m: &Model| -> Vec<String> {
        let Overlay::ProfilePicker(p) = &m.overlay else {
            panic!("picker closed")
        };
        app::picker::matching(m, &p.filter)
            .into_iter()
            .map(|i| m.profiles[i].id.clone())
            .collect()
    };
    let filter = |m: &Model| match &m.overlay {
        Overlay::ProfilePicker(p) => p.filter.clone(),
        _ => panic!("picker closed"),
    };
    assert_eq!(shown(&m).len(), total);
    // Letters are the filter now, not shortcuts ('q' no longer closes, 'j' does not move).
    type_str(&mut m, "HUDU");
    assert_eq!(shown(&m), ["hudu", "hudu-kb"]);
    press(&mut m, [key(KeyCode::Down)]);
    type_str(&mut m, " (");
    assert_eq!(shown(&m), ["hudu-kb"]);
    press(&mut m, [key(KeyCode::Backspace), key(KeyCode::Backspace)]);
    assert_eq!(filter(&m), "HUDU");
    let Overlay::ProfilePicker(p) = &m.overlay else {
        unreachable!()
    };
    assert_eq!(
        shown(&m)[p.sel],
        "hudu-kb",
        "the highlighted one stays highlighted"
    );
    // The summary counts too: TopLeft's names admin:webhooks.
    press(&mut m, [ctrl('u')]);
    type_str(&mut m, "webhooks");
    assert!(
        shown(&m).contains(&"topleft".to_string()),
        "{:?}",
        shown(&m)
    );
    // Nothing matches: Enter picks nothing.
    type_str(&mut m, "zzz");
    assert!(shown(&m).is_empty());
    press(&mut m, [key(KeyCode::Enter)]);
    assert!(matches!(m.overlay, Overlay::ProfilePicker(_)));
    assert!(m.profile.is_none());
    // Esc clears the filter, a second Esc closes.
    press(&mut m, [key(KeyCode::Esc)]);
    assert_eq!(filter(&m), "");
    assert_eq!(shown(&m).len(), total);
    press(&mut m, [key(KeyCode::Esc)]);
    assert_eq!(m.overlay, Overlay::None);
}

/// The Custom profile names nothing: no vendor name stands in for the agent's first name, the
/// names are asked for (⚑) on their steps, and Next stops on each empty one saying which.
#[test]
fn custom_profile_leaves_the_names_to_the_user() {
    let mut m = connected();
    m.profiles = halo_onboard::profile::builtin();
    let i = m.profiles.iter().position(|p| p.id == "custom").unwrap();
    app::picker::pick_profile(&mut m, i, &mut Vec::new());
    let a = &m.answers;
    assert_eq!(
        (
            a.role.name.as_str(),
            a.agent.name.as_str(),
            a.agent.firstname.as_str(),
            a.application.name.as_str()
        ),
        ("", "", "", ""),
        "no 'Custom integration' anywhere"
    );
    for f in [
        Field::RoleName,
        Field::AgentName,
        Field::FirstName,
        Field::AppName,
    ] {
        assert!(app::picker::asked(&m, f), "{f:?} is asked for");
    }
    assert!(!app::picker::asked(&m, Field::Surname) && !app::picker::asked(&m, Field::Url));
    press(&mut m, [ctrl('n')]);
    assert_eq!(m.step, Step::Role);
    let fx = press(&mut m, [ctrl('n')]);
    assert_eq!(m.step, Step::Role, "stops on the empty role name");
    assert!(
        fx.iter().any(|e| matches!(e, Effect::AppendLog(l)
            if l.contains("Role: 1 problem(s) to fix: Role name: required"))),
        "{fx:?}"
    );
    focus(&mut m, Field::RoleName);
    type_str(&mut m, "Acme API");
    press(&mut m, [ctrl('n')]);
    assert_eq!(m.step, Step::Agent);
    let fx = press(&mut m, [ctrl('n')]);
    assert_eq!(m.step, Step::Agent);
    assert!(
        fx.iter().any(|e| matches!(e, Effect::AppendLog(l)
            if l.contains("Username: required; First name: required"))),
        "{fx:?}"
    );
    // A profile that names its agent keeps the vendor's name as the first name.
    let i = m.profiles.iter().position(|p| p.id == "topleft").unwrap();
    app::picker::pick_profile(&mut m, i, &mut Vec::new());
    assert_eq!(m.answers.agent.firstname, "TopLeft");
    assert!(!app::picker::asked(&m, Field::FirstName));
}

/// A model connected to acme.halopsa.com whose config file is `path` (with `saved` in it).
fn with_instances(
    path: &std::path::Path,
    saved: &[(&str, halo_onboard::config::Instance)],
) -> Model {
    let mut m = Model {
        instances: Some(halo_onboard::app::instance::Instances {
            path: path.to_path_buf(),
            saved: saved
                .iter()
                .map(|(n, i)| (n.to_string(), i.clone()))
                .collect(),
        }),
        ..Model::default()
    };
    let c = connected();
    m.answers = c.answers;
    m.secret = c.secret;
    m.focus_on(Field::TestButton);
    app::update(&mut m, connected_msg(true));
    m
}

/// After a connect the wizard offers (in the log and the footer, not a pop-up the next keys
/// would land in) to save this Halo as an instance; `s` asks for the name, Enter saves the
/// address and Client ID (never the secret), and the offer is gone once it is saved.
#[test]
fn a_connected_halo_can_be_saved_as_an_instance() {
    let d = tempfile::tempdir().unwrap();
    let path = d.path().join("config.toml");
    let mut m = with_instances(&path, &[]);
    assert_eq!(m.overlay, Overlay::None, "no pop-up on its own");
    assert!(
        m.log
            .window(usize::MAX, 0)
            .any(|e| e.text.contains("press s on this step")),
        "the log says how"
    );
    let footer = halo_onboard::app::keys::footer(&m);
    assert!(
        footer
            .iter()
            .any(|(k, w)| k == "s" && *w == "save this Halo"),
        "{footer:?}"
    );

    press(&mut m, [key(KeyCode::Char('s'))]);
    assert_eq!(m.overlay, Overlay::SaveInstance("acme".into()));
    // Only name characters are taken; Ctrl-U clears.
    type_str(&mut m, "/x y");
    assert_eq!(m.overlay, Overlay::SaveInstance("acmexy".into()));
    press(&mut m, [ctrl('u')]);
    type_str(&mut m, "acme-eu");
    let fx = press(&mut m, [key(KeyCode::Enter)]);
    let saved = fx.iter().find_map(|e| match e {
        Effect::SaveInstance {
            path: p,
            name,
            instance,
            replace,
        } => Some((p.clone(), name.clone(), instance.clone(), *replace)),
        _ => None,
    });
    let (p, name, inst, replace) = saved.expect("a SaveInstance effect");
    assert_eq!(
        (p.as_path(), name.as_str(), replace),
        (path.as_path(), "acme-eu", false)
    );
    assert_eq!(inst.url.as_deref(), Some("https://acme.halopsa.com"));
    assert_eq!(inst.client_id.as_deref(), Some("bootstrap-id"));
    assert_eq!(inst.secret, None);
    assert_eq!(m.overlay, Overlay::None);
    // What the runtime does with it, then the result.
    let how = halo_onboard::config::save_instance(&p, &name, &inst, replace).unwrap();
    press(&mut m, [Msg::InstanceSaved(Ok((name, how)))]);
    assert!(
        m.log
            .window(usize::MAX, 0)
            .any(|e| e.text.contains("instance 'acme-eu' saved"))
    );
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(text.contains("[instance.acme-eu]"), "{text}");
    assert!(!text.contains(SECRET), "{text}");
    // Saved: no more offer, and `s` does nothing.
    assert!(!halo_onboard::app::instance::can_offer(&m));
    press(&mut m, [key(KeyCode::Char('s'))]);
    assert_eq!(m.overlay, Overlay::None);
    // Esc on the name prompt saves nothing.
    let mut m = with_instances(&path, &[]);
    m.instances.as_mut().unwrap().saved.clear();
    press(&mut m, [key(KeyCode::Char('s'))]);
    let fx = press(&mut m, [key(KeyCode::Esc)]);
    assert_eq!(m.overlay, Overlay::None);
    assert!(!fx.iter().any(|e| matches!(e, Effect::SaveInstance { .. })));
}

/// An instance of the same name that says something else is replaced only after `y`; any other
/// key goes back to the name.
#[test]
fn a_different_instance_of_the_same_name_is_replaced_only_when_asked() {
    let d = tempfile::tempdir().unwrap();
    let path = d.path().join("config.toml");
    let other = halo_onboard::config::Instance {
        url: Some("https://acme-old.halopsa.com".into()),
        client_id: Some("old".into()),
        ..Default::default()
    };
    let mut m = with_instances(&path, &[("acme", other)]);
    press(&mut m, [key(KeyCode::Char('s'))]);
    let fx = press(&mut m, [key(KeyCode::Enter)]);
    assert!(fx.is_empty(), "{fx:?}");
    assert_eq!(m.overlay, Overlay::ConfirmInstanceReplace("acme".into()));
    press(&mut m, [key(KeyCode::Char('n'))]);
    assert_eq!(m.overlay, Overlay::SaveInstance("acme".into()));
    press(&mut m, [key(KeyCode::Enter)]);
    let fx = press(&mut m, [key(KeyCode::Char('y'))]);
    assert!(
        fx.iter()
            .any(|e| matches!(e, Effect::SaveInstance { replace: true, .. })),
        "{fx:?}"
    );
    // A Halo a saved instance already describes is not offered.
    let same = halo_onboard::app::instance::candidate(&m);
    let m = with_instances(&path, &[("mine", same)]);
    assert!(!halo_onboard::app::instance::can_offer(&m));
    assert!(
        !m.log
            .window(usize::MAX, 0)
            .any(|e| e.text.contains("press s on this step"))
    );
}

/// Issue 20 item 5: `t` and `s` typed in the masked secret field are part of the secret, on
/// every screen that has one (Connect, before and after a connect, and when resuming), never
/// the Test or Save hotkeys.
#[test]
fn t_and_s_in_the_secret_field_are_typed() {
    let probe = |m: &mut Model, what: &str| {
        focus(m, Field::ClientSecret);
        let before = m.secret.chars();
        let fx = type_str(m, "tsTS");
        assert_eq!(
            m.secret.chars(),
            before + 4,
            "{what}: typed into the secret"
        );
        assert_eq!(m.overlay, Overlay::None, "{what}: no overlay opened");
        assert!(connect_request(&fx).is_none(), "{what}: no connection test");
    };
    let mut m = Model::default();
    probe(&mut m, "before a connect");
    let d = tempfile::tempdir().unwrap();
    let mut m = with_instances(&d.path().join("config.toml"), &[]);
    probe(&mut m, "connected, an instance to save");

    // What the admin sees: a secret as long as Halo's (wider than the field's mask) changes on
    // the screen with each letter, and the Connect step's hint names no letter key while the
    // letters are text (over SSH, at 80x24, `t` looked like it ran the test).
    let mut m = Model::default();
    focus(&mut m, Field::ClientSecret);
    app::update(&mut m, Msg::Paste("x".repeat(90)));
    let shot = |m: &Model| {
        crate::common::screen::text(&crate::common::screen::draw(
            m,
            &halo_onboard::ui::Theme::dark(),
            80,
            24,
        ))
    };
    let before = shot(&m);
    type_str(&mut m, "t");
    let after = shot(&m);
    assert_ne!(before, after, "typing `t` shows on the screen:\n{after}");
    assert!(
        after.contains("91"),
        "the mask says how many characters:\n{after}"
    );
    assert!(
        !after.contains("(t)"),
        "no `t` hint while focus is in the secret field:\n{after}"
    );
    focus(&mut m, Field::TestButton);
    assert!(shot(&m).contains("(t)"), "outside text fields, t tests");
}

/// Issue 20 item 9: the same warning said again (Ctrl-N pressed on a step with the same
/// problems) is one log line with a count, not a screenful of copies; the log file keeps every
/// line (it is the record).
#[test]
fn the_same_warning_again_is_counted_not_repeated() {
    let mut m = connected();
    m.step = Step::Role;
    m.answers.role.name.clear();
    sync_inputs(&mut m);
    let before = m.log.len();
    let fx = press(&mut m, [ctrl('n'), ctrl('n'), ctrl('n')]);
    assert_eq!(m.log.len(), before + 1, "one line for three presses");
    let last = m.log.last().unwrap();
    assert_eq!(last.repeats, 3);
    let shown = crate::common::screen::text(&crate::common::screen::draw(
        &m,
        &halo_onboard::ui::Theme::dark(),
        100,
        40,
    ));
    assert!(shown.contains("(×3)"), "{shown}");
    let file_lines = fx
        .iter()
        .filter(|e| matches!(e, Effect::AppendLog(l) if l.contains("problem(s) to fix")))
        .count();
    assert_eq!(file_lines, 3, "the log file has each");
}

/// Issue 20: the profile picker ranks a profile whose id is exactly the filter first (typing
/// `hudu` or `thread` and Enter picks that one, whatever else mentions it).
#[test]
fn the_picker_ranks_an_exact_id_first() {
    let mut m = connected();
    m.profiles = halo_onboard::profile::builtin();
    for p in m.profiles.clone() {
        let first = halo_onboard::app::picker::matching(&m, &p.id)[0];
        assert_eq!(m.profiles[first].id, p.id, "typing '{}'", p.id);
        let upper = p.id.to_uppercase();
        let first = halo_onboard::app::picker::matching(&m, &upper)[0];
        assert_eq!(m.profiles[first].id, p.id, "typing '{upper}'");
    }
}

/// Issue 20: Ctrl-N on a step with a problem moves focus to the first field that needs
/// attention (it stayed where it was, the problem named in the log only).
#[test]
fn ctrl_n_focuses_the_field_that_needs_attention() {
    let mut m = filled(Step::Agent);
    m.answers.agent.email = "not-an-email".into();
    sync_inputs(&mut m);
    focus(&mut m, Field::ApproveInvoice);
    press(&mut m, [ctrl('n')]);
    assert_eq!(m.step, Step::Agent, "stays on the step");
    assert_eq!(m.focused(), Field::Email);
}

/// Issue 20 (README): with a pop-up open, the footer names the pop-up's keys (what works
/// there), not those of the screen behind it.
#[test]
fn the_footer_follows_an_open_picker() {
    let mut m = connected();
    m.profiles = halo_onboard::profile::builtin();
    halo_onboard::app::picker::open(&mut m);
    let words: Vec<&str> = halo_onboard::app::keys::footer(&m)
        .into_iter()
        .map(|(_, w)| w)
        .collect();
    assert!(
        words.contains(&"pick") && words.contains(&"to filter"),
        "{words:?}"
    );
    assert!(
        !words.contains(&"test") && !words.contains(&"next step"),
        "{words:?}"
    );
}
