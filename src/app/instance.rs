//! After a successful connect the wizard offers to save this Halo as a named instance in the
//! config file (`[instance.NAME]`: the address and the bootstrap Client ID, never the secret),
//! so headless commands take `--instance NAME` next time. The offer is a line in the log and
//! the footer (`s`), never a pop-up the next keys would land in; only for a Halo no saved
//! instance already describes. A different instance of the same name is replaced only after
//! a second question.

use crate::config::{Saved, suggest_name, valid_name};

use super::keys::{Ctx, Intent, K, key_of};
use super::log::LogKind;
use super::model::{Model, Overlay};
use super::msg::{Effect, Failed};
pub use super::offer::{can_offer, candidate};
pub use super::state::Instances;

/// Called after a successful connect: says how to save this Halo, when that applies.
pub(crate) fn offer(m: &mut Model, fx: &mut Vec<Effect>) {
    if can_offer(m) {
        m.log(
            fx,
            LogKind::Info,
            format!(
                "press {} on this step to save this Halo as a named instance (address and Client ID, never the secret) for headless --instance NAME",
                key_of(Ctx::Connect, K::Ch('s'), Intent::InstanceOpen)
            ),
        );
    }
}

/// `s`: asks for the instance's name (suggested from the host).
pub(crate) fn open(m: &mut Model) {
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

/// Ctrl-U: empties the name.
pub(crate) fn clear(m: &mut Model) {
    if let Overlay::SaveInstance(name) = &mut m.overlay {
        name.clear();
    }
}

/// Enter: saves, or asks first when an instance of that name says something else.
pub(crate) fn save(m: &mut Model, fx: &mut Vec<Effect>) {
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
pub(crate) fn replace(m: &mut Model, fx: &mut Vec<Effect>) {
    if let Overlay::ConfirmInstanceReplace(name) = std::mem::take(&mut m.overlay) {
        write(m, name, true, fx);
    }
}

/// Any other key: keep it, back to the name.
pub(crate) fn keep(m: &mut Model) {
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
pub(crate) fn saved(m: &mut Model, fx: &mut Vec<Effect>, r: Result<(String, Saved), Failed>) {
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
