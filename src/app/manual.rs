//! "Do this step by hand": when Halo refuses a write, the failure screen offers `m`, which shows
//! the checklist for the refused object (from `plan::manual`), waits, and on Enter asks the
//! runtime to find what the user made, adopt it and continue the same setup. For an application
//! the user also enters the Client ID and Secret they copied from Halo's form.

use crate::plan::build::Object;
use crate::plan::manual::{self, ManualCredentials};

use super::keys::{Ctx, Intent, K, key_of};
use super::log::LogKind;
use super::model::Model;
use super::msg::{Effect, ManualRequest};
use super::secret::SecretInput;
pub(crate) use super::state::ManualState;

/// `m` on the failure screen of a refused write: show the checklist.
pub(crate) fn open(m: &mut Model, fx: &mut Vec<Effect>) {
    let Some(object) = m.apply.refused else {
        return;
    };
    let marker = m
        .apply
        .session_id
        .as_deref()
        .map(crate::journal::marker_for)
        .unwrap_or_default();
    let checklist = if m.apply.secret_needed {
        manual::secret_checklist(&m.answers)
    } else {
        manual::checklist(object, &m.answers, &m.lookups, &marker)
    };
    let failure = match &m.apply.phase {
        super::state::Phase::Failed { message, hint } => (message.clone(), hint.clone()),
        _ => Default::default(),
    };
    m.apply.manual = Some(ManualState {
        object,
        checklist,
        client_id: String::new(),
        secret: SecretInput::default(),
        field: 0,
        message: None,
        failure,
    });
    m.plan_scroll = 0;
    m.log(
        fx,
        LogKind::Info,
        format!(
            "doing the {} step by hand in Halo's web UI",
            manual::object_word(object)
        ),
    );
}

/// Esc: back to the failure.
pub(crate) fn close(m: &mut Model) {
    m.apply.manual = None;
    m.plan_scroll = 0;
}

/// Tab: between the Client ID and the Secret field.
pub(crate) fn switch(m: &mut Model) {
    if let Some(st) = m.apply.manual.as_mut() {
        st.field = 1 - st.field.min(1);
    }
}

/// Ctrl-U: clears the field being typed into.
pub(crate) fn clear(m: &mut Model) {
    if let Some(st) = m.apply.manual.as_mut() {
        if st.field == 0 {
            st.client_id.clear();
        } else {
            st.secret.clear();
        }
    }
}

pub(crate) fn backspace(m: &mut Model) {
    if let Some(st) = m.apply.manual.as_mut() {
        if st.field == 0 {
            st.client_id.pop();
        } else {
            st.secret.pop();
        }
    }
}

/// Typed (or pasted) into the field being typed into; a Client ID keeps no spaces.
pub(crate) fn type_text(m: &mut Model, text: &str) {
    let Some(st) = m.apply.manual.as_mut() else {
        return;
    };
    if st.field == 0 {
        st.client_id.extend(
            text.chars()
                .filter(|c| !c.is_control() && !c.is_whitespace()),
        );
    } else {
        st.secret.push_str(text);
    }
}

/// Bracketed paste into the focused field. Returns whether the screen took it.
pub(crate) fn paste(m: &mut Model, text: &str) -> bool {
    match &m.apply.manual {
        Some(st) if st.needs_credentials() => {
            type_text(m, text);
            true
        }
        Some(_) => true,
        None => false,
    }
}

/// Enter: ask the runtime to find what the user made, adopt it and continue the setup.
pub(crate) fn submit(m: &mut Model, fx: &mut Vec<Effect>) {
    let Some(st) = m.apply.manual.as_mut() else {
        return;
    };
    let creds = if st.needs_credentials() {
        if st.client_id.trim().is_empty() || st.secret.is_empty() {
            st.message = Some((
                LogKind::Warn,
                "Enter the Client ID and the Client Secret you copied from Halo first.".into(),
            ));
            return;
        }
        Some(ManualCredentials {
            client_id: st.client_id.trim().to_string(),
            client_secret: st.secret.secret(),
        })
    } else {
        None
    };
    let object = st.object;
    st.message = Some((LogKind::Info, "Looking for it in Halo…".into()));
    let Some(session_id) = m.apply.session_id.clone() else {
        st.message = Some((LogKind::Error, "No setup to continue.".into()));
        return;
    };
    m.apply.phase = super::state::Phase::Running;
    m.in_flight += 1;
    m.log(
        fx,
        LogKind::Info,
        format!(
            "looking for the {} made by hand, then continuing",
            manual::object_word(object)
        ),
    );
    fx.push(Effect::AdoptManual(Box::new(ManualRequest {
        session_id,
        answers: m.answers.clone(),
        object,
        credentials: creds,
    })));
}

/// Adoption found nothing (yet) or the credentials did not match: back to the checklist.
pub(crate) fn not_adopted(m: &mut Model, fx: &mut Vec<Effect>, message: String) {
    m.in_flight = m.in_flight.saturating_sub(1);
    m.log(fx, LogKind::Warn, message.clone());
    let Some(st) = m.apply.manual.as_mut() else {
        return;
    };
    let text = match st.object {
        Object::Application if message.contains("client id") => message,
        _ => format!(
            "{message} — create it, then press {} again",
            key_of(
                Ctx::Manual,
                K::Code(crossterm::event::KeyCode::Enter),
                Intent::ManualSubmit
            )
        ),
    };
    st.message = Some((LogKind::Warn, text));
    let (message, hint) = st.failure.clone();
    m.apply.phase = super::state::Phase::Failed { message, hint };
}
