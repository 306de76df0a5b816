//! Fixtures for the wizard's model: keys, a model connected to a deterministic fake Halo, every
//! step filled, an apply that went through (with a fixed setup id and secret).

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use halo_onboard::app::{self, Connected, Effect, Model, Msg, Step};
use halo_onboard::halo::TokenInfo;
use halo_onboard::halo::model::{Agent, Claim, Department, Role, Team, Workday};
use halo_onboard::plan::build::Lookups;

pub(crate) const SECRET: &str = "s3cr3t-VALUE-xyz";

pub(crate) fn lookups() -> Lookups {
    Lookups {
        roles: vec![
            Role {
                id: Some("role-admin".into()),
                name: "Administrator".into(),
                claims: vec![Claim {
                    claim_type: "SA".into(),
                    value: "true".into(),
                }],
                ..Role::default()
            },
            Role {
                id: Some("role-ro".into()),
                name: "Read Only Tickets".into(),
                claims: vec![Claim {
                    claim_type: "Tx".into(),
                    value: "1".into(),
                }],
                ..Role::default()
            },
        ],
        teams: vec![Team::new(1, "Service Desk"), Team::new(2, "Projects")],
        departments: vec![Department::new(1, "Support")],
        workdays: vec![
            Workday::new(1, "Default Working Hours"),
            Workday::new(2, "24 Hours"),
        ],
        agents: vec![
            Agent {
                id: Some(1),
                name: "admin".into(),
                ..Agent::default()
            },
            Agent {
                id: Some(5),
                name: "taken".into(),
                isapiagent: true,
                ..Agent::default()
            },
        ],
        applications: vec![],
        recorded: Default::default(),
    }
}

pub(crate) fn key(code: KeyCode) -> Msg {
    Msg::Key(KeyEvent::new(code, KeyModifiers::NONE))
}

pub(crate) fn ctrl(c: char) -> Msg {
    Msg::Key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::CONTROL))
}

pub(crate) fn shift_tab() -> Msg {
    Msg::Key(KeyEvent::new(KeyCode::BackTab, KeyModifiers::SHIFT))
}

/// Sends each key; returns all effects.
pub(crate) fn press(m: &mut Model, msgs: impl IntoIterator<Item = Msg>) -> Vec<Effect> {
    msgs.into_iter().flat_map(|k| app::update(m, k)).collect()
}

pub(crate) fn type_str(m: &mut Model, s: &str) -> Vec<Effect> {
    press(m, s.chars().map(|c| key(KeyCode::Char(c))))
}

/// Moves focus to `f` on the current step (panics if absent).
pub(crate) fn focus(m: &mut Model, f: app::Field) {
    let i = m
        .fields()
        .iter()
        .position(|x| *x == f)
        .unwrap_or_else(|| panic!("{f:?} not on {:?}", m.step));
    m.focus[m.step.index()] = i;
}

pub(crate) fn connected_msg(admin: bool) -> Msg {
    Msg::Connected(Box::new(Ok(Connected {
        agent: Agent {
            id: Some(1),
            name: "admin".into(),
            // An administrator through its own "Is a HaloPSA Administrator" claim.
            claims: vec![Claim {
                claim_type: "SA".into(),
                value: admin.to_string(),
            }],
            ..Agent::default()
        },
        token: TokenInfo {
            scopes: vec!["all".into(), "admin".into()],
            expires_in: 3600,
            agent_id: Some(1),
        },
        lookups: lookups(),
    })))
}

/// A model past a successful connection test, on the Connect step.
pub(crate) fn connected() -> Model {
    let mut m = Model::default();
    focus(&mut m, app::Field::Url);
    type_str(&mut m, "https://acme.halopsa.com");
    press(&mut m, [key(KeyCode::Tab)]);
    type_str(&mut m, "bootstrap-id");
    press(&mut m, [key(KeyCode::Tab), Msg::Paste(SECRET.into())]);
    press(&mut m, [key(KeyCode::Tab), key(KeyCode::Enter)]);
    app::update(&mut m, connected_msg(true));
    m
}

/// Fills every step with valid answers and stops on `step`.
pub(crate) fn filled(step: Step) -> Model {
    let mut m = connected();
    let a = &mut m.answers;
    a.role.name = "Vendor API".into();
    a.role.notes = "Created by halo-onboard".into();
    a.role
        .permissions
        .set_labels("tickets", "Read and Modify")
        .unwrap();
    a.role
        .permissions
        .set_labels("clients", "Read Only")
        .unwrap();
    a.agent.name = "vendor-api".into();
    a.agent.firstname = "Vendor".into();
    a.agent.surname = "API".into();
    a.agent.initials = "VA".into();
    a.agent.email = "api@vendor.example".into();
    a.agent.default_team = Some("Service Desk".into());
    a.agent.teams.push(halo_onboard::answers::TeamAnswer {
        name: "Service Desk".into(),
        ..Default::default()
    });
    a.application.name = "Vendor integration".into();
    a.application.description = "Ticket sync".into();
    a.scopes = vec![
        "read:tickets".into(),
        "edit:tickets".into(),
        "read:customers".into(),
    ];
    sync_inputs(&mut m);
    while m.step != step {
        let before = m.step;
        press(&mut m, [ctrl('n')]);
        assert_ne!(before, m.step, "stuck on {before:?}");
    }
    m
}

/// Rebuilds the text inputs from the answers (fixtures set answers directly).
pub(crate) fn sync_inputs(m: &mut Model) {
    let fresh = Model::new(m.answers.clone());
    m.inputs = fresh.inputs;
}

pub(crate) const NEW_SECRET: &str = "NEW-secret-7f3a9c";
pub(crate) const SETUP_ID: &str = "1700000000-topleft-abc123";

/// A journal session with a fixed id (no timestamps or random ids on screen).
pub(crate) fn session(m: &Model) -> halo_onboard::journal::Session {
    let dir = tempfile::tempdir().unwrap();
    let j = halo_onboard::journal::Journal::open(dir.path()).unwrap();
    let mut s = j.draft(m.answers.clone(), Some(endpoint()));
    s.id = SETUP_ID.into();
    s.created_unix = 1_700_000_000;
    s.updated_unix = 1_700_000_000;
    s
}

pub(crate) fn endpoint() -> halo_onboard::halo::Endpoint {
    halo_onboard::halo::Endpoint {
        resource_url: "https://acme.halopsa.com/api".into(),
        auth_url: "https://acme.halopsa.com/auth".into(),
        tenant: Some("acme".into()),
    }
}

pub(crate) fn verification(pass: bool) -> halo_onboard::plan::verify::Verification {
    use halo_onboard::plan::verify::{Check, Layer, Verification};
    let mut checks = vec![
        Check {
            name: "token".into(),
            pass: true,
            could_not_check: false,
            layer: None,
            detail: "granted read:tickets edit:tickets read:customers".into(),
            fix: String::new(),
        },
        Check {
            name: "Agent/me is the new agent".into(),
            pass: true,
            could_not_check: false,
            layer: None,
            detail: "id 7 vendor-api".into(),
            fix: String::new(),
        },
    ];
    checks.push(if pass {
        Check {
            name: "probe tickets (GET /api/Tickets)".into(),
            pass: true,
            could_not_check: false,
            layer: None,
            detail: "200, 3 rows".into(),
            fix: String::new(),
        }
    } else {
        Check {
            name: "probe tickets (GET /api/Tickets)".into(),
            pass: false,
            could_not_check: false,
            layer: Some(Layer::Visibility),
            detail: "200 but 0 rows; the admin sees 3".into(),
            fix: "add the agent to the team that owns the tickets".into(),
        }
    });
    Verification {
        checks,
        invalid_client: false,
    }
}

/// Submit -> confirm -> apply started (setup [`SETUP_ID`] journaled).
pub(crate) fn applying() -> Model {
    let mut m = filled(Step::Submit);
    press(&mut m, [key(KeyCode::Enter), key(KeyCode::Char('y'))]);
    app::update(&mut m, Msg::ApplyStarted(SETUP_ID.into()));
    m
}

/// Submit -> confirm -> apply started -> progress for every object -> applied (with secret).
pub(crate) fn applied(pass: bool) -> Model {
    applied_with_secret(pass, NEW_SECRET)
}

/// [`applied`], with the new application's secret `secret`.
pub(crate) fn applied_with_secret(pass: bool, secret: &str) -> Model {
    use halo_onboard::plan::apply::Progress;
    let mut m = applying();
    let s = session(&m);
    for line in [
        "Role 'Vendor API': created (id r-1)",
        "Agent 'vendor-api': created (id 7)",
        "Application 'Vendor integration': created (id a-1)",
    ] {
        app::update(&mut m, Msg::Progress(Progress::Step(line.into())));
    }
    app::update(&mut m, Msg::Verifying);
    let ho = halo_onboard::plan::handover::Handover::new(
        &endpoint(),
        "client-id-1",
        &secrecy::SecretString::from(secret.to_string()),
        7,
    );
    app::update(
        &mut m,
        Msg::Applied(Box::new(app::ApplyOutcome {
            session: s,
            verification: Some(verification(pass)),
            differences: vec![],
            handover: Some(ho),
            verified_with: Some(halo_onboard::plan::apply::VerifiedWith::NewSecret),
            client_id: "client-id-1".into(),
        })),
    );
    m
}
