//! After a successful connect the wizard offers to save this Halo as a named instance in the
//! config file (`[instance.NAME]`: the address and the bootstrap Client ID, never the secret),
//! so headless commands take `--instance NAME` next time. The offer is a line in the log and
//! the footer (`s`), never a pop-up the next keys would land in; only for a Halo no saved
//! instance already describes. A different instance of the same name is replaced only after
//! a second question.

use std::collections::BTreeMap;

use crate::answers::ConnectionMode;
use crate::config::{Instance, Saved, suggest_name, valid_name};

use super::log::LogKind;
use super::model::{Model, Overlay};
use super::msg::Effect;
pub use super::state::Instances;

/// What the Connect step connected to, as an instance (no secret source: the secret is never
/// saved, headless reads `HALO_CLIENT_SECRET` or asks).
pub fn candidate(m: &Model) -> Instance {
    let c = &m.answers.connection;
    let some = |s: &str| Some(s.trim().to_string()).filter(|s| !s.is_empty());
    let mut i = Instance {
        client_id: some(&c.client_id),
        ..Instance::default()
    };
    match c.mode {
        ConnectionMode::Hosted => {
            i.url = some(&c.url);
            // A login server on another host the user confirmed: headless needs it too.
            i.auth_url = m.trusted_auth_url.clone();
        }
        ConnectionMode::OnPremise => {
            i.resource_url = some(&c.resource_url);
            i.auth_url = some(&c.auth_url);
            i.tenant = some(&c.tenant);
        }
    }
    i
}

/// Whether a saved instance already says where this Halo is and who logs in.
fn known(saved: &BTreeMap<String, Instance>, i: &Instance) -> bool {
    saved
        .values()
        .any(|s| i.address().is_some_and(|a| s.is_at(a)) && s.client_id == i.client_id)
}

/// Whether `s` saves this Halo now: connected to a Halo no saved instance describes.
pub fn can_offer(m: &Model) -> bool {
    let c = candidate(m);
    m.is_connected()
        && c.address().is_some()
        && m.instances.as_ref().is_some_and(|s| !known(&s.saved, &c))
}

/// Called after a successful connect: says how to save this Halo, when that applies.
pub fn offer(m: &mut Model, fx: &mut Vec<Effect>) {
    if can_offer(m) {
        m.log(
            fx,
            LogKind::Info,
            "press s on this step to save this Halo as a named instance (address and Client ID, never the secret) for headless --instance NAME",
        );
    }
}

/// `s`: asks for the instance's name (suggested from the host).
pub fn open(m: &mut Model) {
    if can_offer(m) {
        let c = candidate(m);
        m.overlay = Overlay::SaveInstance(suggest_name(c.address().unwrap_or_default()));
    }
}

/// A key typed into the name (names are letters, digits, `-`, `_`, `.`).
pub(crate) fn type_char(m: &mut Model, ch: char) {
    if let Overlay::SaveInstance(name) = &mut m.overlay
        && (ch.is_ascii_alphanumeric() || matches!(ch, '-' | '_' | '.'))
        && name.chars().count() < crate::config::MAX_NAME
    {
        name.push(ch);
    }
}

pub(crate) fn backspace(m: &mut Model) {
    if let Overlay::SaveInstance(name) = &mut m.overlay {
        name.pop();
    }
}

pub fn clear(m: &mut Model) {
    if let Overlay::SaveInstance(name) = &mut m.overlay {
        name.clear();
    }
}

/// Enter: saves, or asks first when an instance of that name says something else.
pub fn save(m: &mut Model, fx: &mut Vec<Effect>) {
    let Overlay::SaveInstance(name) = &m.overlay else {
        return;
    };
    let name = name.clone();
    if !valid_name(&name) {
        return;
    }
    let c = candidate(m);
    let differs = m
        .instances
        .as_ref()
        .and_then(|s| s.saved.get(&name))
        .is_some_and(|old| *old != c);
    if differs {
        m.overlay = Overlay::ConfirmInstanceReplace(name);
    } else {
        write(m, name, false, fx);
    }
}

/// `y` on "an instance of that name exists": replace it.
pub fn replace(m: &mut Model, fx: &mut Vec<Effect>) {
    if let Overlay::ConfirmInstanceReplace(name) = std::mem::take(&mut m.overlay) {
        write(m, name, true, fx);
    }
}

/// Any other key: keep it, back to the name.
pub fn keep(m: &mut Model) {
    if let Overlay::ConfirmInstanceReplace(name) = std::mem::take(&mut m.overlay) {
        m.overlay = Overlay::SaveInstance(name);
    }
}

/// Esc: not now.
pub(crate) fn decline(m: &mut Model) {
    m.overlay = Overlay::None;
}

fn write(m: &mut Model, name: String, replace: bool, fx: &mut Vec<Effect>) {
    m.overlay = Overlay::None;
    let Some(store) = &m.instances else { return };
    fx.push(Effect::SaveInstance {
        path: store.path.clone(),
        name,
        instance: Box::new(candidate(m)),
        replace,
    });
}

/// The save's result: logged, and remembered so the offer is not made for it again.
pub fn saved(m: &mut Model, fx: &mut Vec<Effect>, r: Result<(String, Saved), String>) {
    match r {
        Ok((name, how)) => {
            let c = candidate(m);
            let path = m
                .instances
                .as_ref()
                .map(|s| s.path.display().to_string())
                .unwrap_or_default();
            if let Some(store) = m.instances.as_mut() {
                store.saved.insert(name.clone(), c);
            }
            let what = match how {
                Saved::Added => "saved",
                Saved::Replaced => "replaced",
                Saved::Unchanged => "already saved",
            };
            m.log(
                fx,
                LogKind::Info,
                format!(
                    "instance '{name}' {what} in {path} (no secret): headless commands take --instance {name}"
                ),
            );
        }
        Err(e) => m.log(fx, LogKind::Error, format!("instance not saved: {e}")),
    }
}
