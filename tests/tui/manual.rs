//! The wizard's "do this step by hand" flow: a refused write offers `m`, the checklist is shown
//! and scrolls, the application's Client ID and Secret are typed or pasted (masked), Enter asks
//! the runtime to adopt and continue, and "not found yet" comes back to the checklist.

#![allow(clippy::field_reassign_with_default)]

use crate::common::screen::screen;
use crate::common::wizard::*;
use crossterm::event::KeyCode;
use halo_onboard::app::{self, Effect, ManualRequest, Model, Msg, Phase, Step};
use halo_onboard::plan::build::Object;
use halo_onboard::ui::Theme;
use secrecy::ExposeSecret;

fn refused(object: Object) -> Model {
    let mut m = applying();
    app::update(
        &mut m,
        Msg::ApplyRefused {
            object,
            message: "Halo refused to save the application: Halo denied access (403) to /api/Application: You do not have permission".into(),
            hint: "Or do this step by hand.".into(),
        },
    );
    m
}

/// The adoption the runtime is asked for.
fn adopt_request(fx: &[Effect], why: &str) -> ManualRequest {
    fx.iter()
        .find_map(|e| match e {
            Effect::AdoptManual(r) => Some((**r).clone()),
            _ => None,
        })
        .expect(why)
}

#[test]
fn m_only_after_a_refusal_and_esc_goes_back() {
    let mut m = applying();
    app::update(
        &mut m,
        Msg::ApplyFailed {
            message: "dns".into(),
            hint: String::new(),
        },
    );
    press(&mut m, [key(KeyCode::Char('m'))]);
    assert!(
        m.apply.manual.is_none(),
        "a transport failure has no manual step"
    );

    let mut m = refused(Object::Role);
    assert!(matches!(m.apply.phase, Phase::Failed { .. }));
    assert!(screen(&m, &Theme::dark()).contains("m: do the role step by hand"));
    press(&mut m, [key(KeyCode::Char('m'))]);
    let st = m.apply.manual.as_ref().expect("the checklist is shown");
    assert_eq!(st.object, Object::Role);
    assert!(st.checklist.path.contains("Roles > New"));
    let s = screen(&m, &Theme::dark());
    assert!(s.contains("Name = 'Vendor API'"), "{s}");
    assert!(s.contains("find it and continue"), "footer: {s}");
    press(&mut m, [key(KeyCode::Down), key(KeyCode::Down)]);
    assert_eq!(m.plan_scroll, 2, "the checklist scrolls");
    press(&mut m, [key(KeyCode::Esc)]);
    assert!(m.apply.manual.is_none());
    assert_eq!(m.step, Step::Submit, "Esc closes the checklist only");
}

#[test]
fn role_by_hand_enter_adopts_then_not_found_comes_back_with_the_message() {
    let mut m = refused(Object::Role);
    press(&mut m, [key(KeyCode::Char('m'))]);
    let fx = press(&mut m, [key(KeyCode::Enter)]);
    let req = adopt_request(&fx, "Enter asks the runtime to adopt");
    assert_eq!(req.object, Object::Role);
    assert_eq!(req.session_id, SETUP_ID);
    assert!(req.credentials.is_none());
    assert_eq!(m.apply.phase, Phase::Running);
    assert!(m.busy());

    app::update(
        &mut m,
        Msg::ManualNotAdopted("no role named 'Vendor API' in Halo yet".into()),
    );
    assert!(matches!(m.apply.phase, Phase::Failed { .. }));
    assert!(!m.busy());
    let st = m.apply.manual.as_ref().expect("back on the checklist");
    let msg = &st.message.as_ref().unwrap().1;
    assert_eq!(
        msg,
        "no role named 'Vendor API' in Halo yet — create it, then press Enter again"
    );
    assert!(screen(&m, &Theme::dark()).contains("create it, then press Enter again"));

    // Found: the apply continues and ends on the hand-over screen.
    press(&mut m, [key(KeyCode::Enter)]);
    let done = applied(true);
    let outcome = app::ApplyOutcome {
        session: done.apply.session.clone().unwrap(),
        verification: done.apply.verification.clone(),
        differences: vec![],
        handover: None,
        verified_with: done.apply.verified_with.clone(),
        client_id: "client-id-1".into(),
    };
    app::update(&mut m, Msg::Applied(Box::new(outcome)));
    assert_eq!(m.apply.phase, Phase::Done);
    assert!(m.apply.manual.is_none() && m.apply.refused.is_none());
}

#[test]
fn application_by_hand_takes_client_id_and_masked_secret() {
    let mut m = refused(Object::Application);
    press(&mut m, [key(KeyCode::Char('m'))]);
    // Enter without credentials asks for them and sends nothing.
    let fx = press(&mut m, [key(KeyCode::Enter)]);
    assert!(!fx.iter().any(|e| matches!(e, Effect::AdoptManual(_))));
    assert!(
        m.apply
            .manual
            .as_ref()
            .unwrap()
            .message
            .as_ref()
            .unwrap()
            .1
            .contains("Client ID")
    );
    // Letters that are keys elsewhere (q, l, m) are text here.
    type_str(&mut m, "qlm-1");
    press(&mut m, [key(KeyCode::Backspace)]);
    press(&mut m, [key(KeyCode::Tab)]);
    app::update(&mut m, Msg::Paste(format!("{NEW_SECRET}\n")));
    assert!(!m.quit);
    let st = m.apply.manual.as_ref().unwrap();
    assert_eq!(st.client_id, "qlm-");
    let s = screen(&m, &Theme::dark());
    assert!(!s.contains(NEW_SECRET), "the secret is masked");
    assert!(s.contains("Client Secret"), "{s}");
    assert!(s.contains("Agent to log in as"), "{s}");
    let fx = press(&mut m, [key(KeyCode::Enter)]);
    let req = fx
        .iter()
        .find_map(|e| match e {
            Effect::AdoptManual(r) => Some(r.clone()),
            _ => None,
        })
        .unwrap();
    let c = req.credentials.as_ref().unwrap();
    assert_eq!(c.client_id, "qlm-");
    assert_eq!(c.client_secret.expose_secret(), NEW_SECRET);
    assert!(!format!("{fx:?}").contains(NEW_SECRET));
    assert!(!format!("{m:?}").contains(NEW_SECRET));
    for e in m.log.window(usize::MAX, 0) {
        assert!(!e.text.contains(NEW_SECRET));
    }
    // A mismatch comes back as said (no "create it" for a wrong client id).
    app::update(
        &mut m,
        Msg::ManualNotAdopted("application 'Vendor' has client id X in Halo, not the one entered (qlm-); copy the Client ID again".into()),
    );
    let msg = &m.apply.manual.as_ref().unwrap().message.as_ref().unwrap().1;
    assert!(msg.ends_with("copy the Client ID again"), "{msg}");
}

#[test]
fn help_names_the_manual_key() {
    assert!(
        halo_onboard::app::keys::help()
            .iter()
            .flat_map(|(_, rows)| rows)
            .any(|(k, v)| k == "m" && v.contains("by hand"))
    );
}

/// Halo kept the new application's secret (hidden): `m` shows where to generate and copy it,
/// takes the Client ID and the masked Secret, and Enter sends them to be proved with a token;
/// a secret Halo refuses again brings the paste screen back with the reason.
#[test]
fn hidden_secret_is_pasted_masked_then_proved() {
    let mut m = applying();
    app::update(
        &mut m,
        Msg::SecretNeeded {
            message: "Halo did not accept the client secret of application 'Vendor' (it keeps a secret of its own and does not show it through the API)".into(),
            hint: "Generate and copy the secret in Halo's web UI.".into(),
        },
    );
    assert!(matches!(m.apply.phase, Phase::Failed { .. }));
    assert!(m.apply.secret_needed);
    press(&mut m, [key(KeyCode::Char('m'))]);
    let st = m.apply.manual.as_ref().expect("the paste screen is shown");
    assert_eq!(st.object, Object::Application);
    assert!(st.needs_credentials());
    assert!(
        st.checklist
            .path
            .ends_with("'Vendor integration' > Details"),
        "{}",
        st.checklist.path
    );
    let s = screen(&m, &Theme::dark());
    assert!(s.contains("press Generate"), "{s}");
    type_str(&mut m, "halo-client-id");
    press(&mut m, [key(KeyCode::Tab)]);
    app::update(&mut m, Msg::Paste(format!("{NEW_SECRET}\n")));
    assert!(!screen(&m, &Theme::dark()).contains(NEW_SECRET), "masked");
    let fx = press(&mut m, [key(KeyCode::Enter)]);
    let req = adopt_request(
        &fx,
        "Enter asks the runtime to prove the secret and continue",
    );
    assert_eq!(req.object, Object::Application);
    let c = req.credentials.as_ref().unwrap();
    assert_eq!(c.client_id, "halo-client-id");
    assert_eq!(c.client_secret.expose_secret(), NEW_SECRET);
    assert!(!format!("{fx:?}").contains(NEW_SECRET));
    assert!(m.apply.running());

    // Halo refuses the pasted secret too: back to the paste screen, saying so.
    app::update(
        &mut m,
        Msg::SecretNeeded {
            message: "Halo did not accept the client secret".into(),
            hint: String::new(),
        },
    );
    let st = m.apply.manual.as_ref().expect("the paste screen again");
    assert!(
        st.message
            .as_ref()
            .unwrap()
            .1
            .contains("refused this secret too")
    );
}
