//! The two lists the wizard offers in a pop-up: vendor profiles (picking one pre-fills every
//! step; typing filters them) and the unfinished setups found at start (picking one continues
//! it).

use crate::answers::Answers;
use crate::profile::Profile;

use super::fields::{Behaviour, Field};

use super::keys::{Ctx, Intent, K, key_of};
use super::log::LogKind;
use super::model::{Model, Overlay};
use super::msg::Effect;
pub use super::state::Picker;

/// Does `p` match the filter: vendor, id or summary contains it, whatever the case.
fn matches(p: &Profile, filter: &str) -> bool {
    let f = filter.trim().to_lowercase();
    [&p.vendor, &p.id, &p.summary]
        .iter()
        .any(|s| s.to_lowercase().contains(&f))
}

/// The profiles the filter lets through, as indices into `m.profiles`: a profile whose id is
/// the filter first, then those whose id or vendor starts with it, then the rest, each group in
/// the list's order (so typing an id and Enter picks that profile).
pub fn matching(m: &Model, filter: &str) -> Vec<usize> {
    let f = filter.trim().to_lowercase();
    let rank = |p: &Profile| {
        let (id, vendor) = (p.id.to_lowercase(), p.vendor.to_lowercase());
        if f.is_empty() {
            2
        } else if id == f {
            0
        } else if id.starts_with(&f) || vendor.starts_with(&f) {
            1
        } else {
            2
        }
    };
    let mut v: Vec<usize> = m
        .profiles
        .iter()
        .enumerate()
        .filter(|(_, p)| matches(p, filter))
        .map(|(i, _)| i)
        .collect();
    v.sort_by_key(|&i| rank(&m.profiles[i]));
    v
}

/// Opens the profile list, unfiltered, on the picked profile (or the first).
pub fn open(m: &mut Model) {
    let sel = m
        .profile
        .as_ref()
        .and_then(|p| m.profiles.iter().position(|x| x.id == p.id))
        .unwrap_or(0);
    m.overlay = Overlay::ProfilePicker(Picker {
        filter: String::new(),
        sel,
    });
}

/// Moves the highlighted row of the open list by `delta` (wrapping), or to one end.
pub fn step(m: &mut Model, delta: isize) {
    let n = match &m.overlay {
        Overlay::ProfilePicker(p) => matching(m, &p.filter).len(),
        Overlay::Resume(_) => m.resumable.len() + m.setups.len(),
        _ => return,
    } as isize;
    let i = match &mut m.overlay {
        Overlay::ProfilePicker(p) => &mut p.sel,
        Overlay::Resume(i) => i,
        _ => return,
    };
    if n > 0 {
        *i = match delta {
            isize::MIN => 0,
            isize::MAX => n as usize - 1,
            d => (*i as isize + d).rem_euclid(n) as usize,
        };
    }
}

/// Changes the filter with `edit`; the highlighted profile stays highlighted while it still
/// matches, else the first match is.
fn refilter(m: &mut Model, edit: impl FnOnce(&mut String)) {
    let Overlay::ProfilePicker(p) = &m.overlay else {
        return;
    };
    let was = matching(m, &p.filter).get(p.sel).copied();
    let mut filter = p.filter.clone();
    edit(&mut filter);
    let now = matching(m, &filter);
    let sel = was
        .and_then(|w| now.iter().position(|&i| i == w))
        .unwrap_or(0);
    m.overlay = Overlay::ProfilePicker(Picker { filter, sel });
}

/// A typed character narrows the list.
pub(crate) fn type_char(m: &mut Model, c: char) {
    refilter(m, |f| f.push(c));
}

/// Backspace edits the filter.
pub(crate) fn backspace(m: &mut Model) {
    refilter(m, |f| {
        f.pop();
    });
}

/// Esc (or Ctrl-U) with a filter: every profile again.
pub fn clear(m: &mut Model) {
    refilter(m, String::clear);
}

/// Enter on the highlighted profile.
pub fn pick(m: &mut Model, fx: &mut Vec<Effect>) {
    if let Overlay::ProfilePicker(p) = &m.overlay
        && let Some(i) = matching(m, &p.filter).get(p.sel).copied()
    {
        pick_profile(m, i, fx);
    }
}

/// What picking `p` puts in the answers (the connection aside): what headless `apply
/// --profile` reads too ([`Profile::to_answers`] holds the defaults a profile leaves open). A
/// profile that names no agent (Custom, least privilege) leaves the names to the user: the
/// wizard asks.
pub fn prefill(p: &Profile) -> Answers {
    p.to_answers()
}

/// Picks profile `i`: every step is pre-filled from it; the connection stays as typed.
pub fn pick_profile(m: &mut Model, i: usize, fx: &mut Vec<Effect>) {
    let Some(p) = m.profiles.get(i).cloned() else {
        return;
    };
    let mut a = prefill(&p);
    a.connection = m.answers.connection.clone();
    m.lookups.settle_workday(&mut a);
    m.answers = a;
    m.sync_inputs();
    for s in 1..6 {
        m.done[s] = false;
        m.show_errors[s] = false;
    }
    let questions = p.questions().len() + left_to_user(&p).len();
    m.log(
        fx,
        LogKind::Info,
        format!(
            "profile {} ({}): every step pre-filled; all fields stay editable",
            p.id, p.vendor
        ),
    );
    m.profile = Some(p);
    m.overlay = Overlay::None;
    if questions > 0 {
        m.log(
            fx,
            LogKind::Warn,
            format!("the profile leaves {questions} choice(s) to you (marked ⚑)"),
        );
    }
}

/// The required texts (names) `p` leaves empty, of every step: the wizard asks for them like
/// the profile's questions.
pub(crate) fn left_to_user(p: &Profile) -> Vec<Field> {
    let a = prefill(p);
    [
        Field::RoleName,
        Field::AgentName,
        Field::FirstName,
        Field::AppName,
    ]
    .into_iter()
    .filter(|f| match f.spec().behaviour {
        Behaviour::Text(t) => t.check("").is_some() && t.value(&a).trim().is_empty(),
        _ => false,
    })
    .filter(|f| *f != Field::RoleName || p.role.reuse.is_none())
    .collect()
}

/// `o`: the setups made here, unfinished first.
pub(crate) fn open_setups(m: &mut Model) {
    if m.has_setups() {
        m.overlay = Overlay::Resume(0);
    }
}

/// Enter on an unfinished setup: continue it; on a finished one: rotate its secret.
pub fn resume(m: &mut Model, fx: &mut Vec<Effect>) {
    if let Overlay::Resume(i) = m.overlay {
        match m.resumable.get(i).cloned() {
            Some(row) => super::applying::resume(m, &row, fx),
            None => rotate(m, fx),
        }
    }
}

/// `r` on a finished setup: the wizard closes and the terminal's `rotate --setup` takes over
/// (a second application for the same agent, handed over in a new file; the old one keeps
/// working until `rotate --finish`).
pub fn rotate(m: &mut Model, fx: &mut Vec<Effect>) {
    let Overlay::Resume(i) = m.overlay else {
        return;
    };
    let Some(row) = i
        .checked_sub(m.resumable.len())
        .and_then(|j| m.setups.get(j))
    else {
        m.log(
            fx,
            LogKind::Warn,
            format!(
                "an unfinished setup has nothing to rotate yet: {} continues it",
                key_of(
                    Ctx::Resume,
                    K::Code(crossterm::event::KeyCode::Enter),
                    Intent::ResumePick
                )
            ),
        );
        return;
    };
    let id = row.session.id.clone();
    m.log(
        fx,
        LogKind::Info,
        format!("rotating setup {id}: the wizard closes and `halo-onboard rotate --setup {id}` continues on the terminal"),
    );
    m.hand_off = Some(id);
    m.quit = true;
    fx.push(Effect::Quit);
}

/// Esc on the unfinished setups: start a new one.
pub(crate) fn new_setup(m: &mut Model, fx: &mut Vec<Effect>) {
    m.overlay = Overlay::None;
    m.log(fx, LogKind::Info, "starting a new setup");
}

/// The picked profile asks the user to answer this field: one of its questions, or a
/// name it leaves empty (Custom).
pub fn asked(m: &Model, f: Field) -> bool {
    use Field::*;
    f.spec().question.is_some_and(|q| m.asks(q))
        || (matches!(f, RoleAttr(_) | AppAttr(_) | AgentAttr(_))
            && m.profile
                .as_ref()
                .is_some_and(|p| left_to_user(p).contains(&f)))
}

/// `n` after the hand-over: the next vendor on the same Halo. The connection (and the bootstrap
/// secret) stay; the answers, the setup and the plan go; Halo's objects are read again (the
/// last setup added some) and the profile picker opens.
pub(crate) fn next_integration(m: &mut Model, fx: &mut Vec<Effect>) {
    if m.apply.phase != super::state::Phase::Done || m.apply.secret_pending() {
        return;
    }
    let done = m.apply.session_id.clone().unwrap_or_default();
    m.apply = super::state::ApplyState::default();
    m.answers = crate::answers::Answers {
        connection: m.answers.connection.clone(),
        ..Default::default()
    };
    m.profile = None;
    m.sync_inputs();
    m.roles_read.clear();
    m.done = [false; 6];
    m.show_errors = [false; 6];
    m.plan_scroll = 0;
    m.step = super::model::Step::Connect;
    m.log(
        fx,
        LogKind::Info,
        format!("setup {done} is done; next integration on the same Halo: pick its profile"),
    );
    super::connect::test(m, fx);
    open(m);
}
