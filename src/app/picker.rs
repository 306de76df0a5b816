//! The two lists the wizard offers in a pop-up: vendor profiles (picking one pre-fills every
//! step) and the unfinished setups found at start (picking one continues it).

use super::log::LogKind;
use super::model::{Model, Overlay};
use super::msg::Effect;

/// Opens the profile list on the picked profile (or the first).
pub fn open(m: &mut Model) {
    let cur = m
        .profile
        .as_ref()
        .and_then(|p| m.profiles.iter().position(|x| x.id == p.id))
        .unwrap_or(0);
    m.overlay = Overlay::ProfilePicker(cur);
}

/// Moves the highlighted row of the open list by `delta` (wrapping), or to one end.
pub fn step(m: &mut Model, delta: isize) {
    let n = match m.overlay {
        Overlay::ProfilePicker(_) => m.profiles.len(),
        Overlay::Resume(_) => m.resumable.len(),
        _ => return,
    } as isize;
    if let Overlay::ProfilePicker(i) | Overlay::Resume(i) = &mut m.overlay
        && n > 0
    {
        *i = match delta {
            isize::MIN => 0,
            isize::MAX => n as usize - 1,
            d => (*i as isize + d).rem_euclid(n) as usize,
        };
    }
}

/// A letter jumps to the next profile whose id starts with it.
pub fn jump(m: &mut Model, c: char) {
    let Overlay::ProfilePicker(i) = m.overlay else {
        return;
    };
    let n = m.profiles.len();
    let c = c.to_ascii_lowercase();
    if let Some(j) = (1..=n)
        .map(|d| (i + d) % n)
        .find(|&j| m.profiles[j].id.starts_with(c))
    {
        m.overlay = Overlay::ProfilePicker(j);
    }
}

/// Enter on the highlighted profile.
pub fn pick(m: &mut Model, fx: &mut Vec<Effect>) {
    if let Overlay::ProfilePicker(i) = m.overlay {
        pick_profile(m, i, fx);
    }
}

/// Picks profile `i`: every step is pre-filled from it; the connection stays as typed.
pub fn pick_profile(m: &mut Model, i: usize, fx: &mut Vec<Effect>) {
    let Some(p) = m.profiles.get(i).cloned() else {
        return;
    };
    let mut a = p.to_answers();
    a.connection = m.answers.connection.clone();
    // Halo wants a first name; most guides leave it open, so the vendor's name stands in.
    if a.agent.firstname.trim().is_empty() {
        a.agent.firstname = p.vendor.clone();
    }
    m.lookups.settle_workday(&mut a);
    m.answers = a;
    m.sync_inputs();
    for s in 1..6 {
        m.done[s] = false;
        m.show_errors[s] = false;
    }
    let questions = p.questions().len();
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

/// Enter on an unfinished setup: continue it.
pub fn resume(m: &mut Model, fx: &mut Vec<Effect>) {
    if let Overlay::Resume(i) = m.overlay
        && let Some(row) = m.resumable.get(i).cloned()
    {
        super::apply::resume(m, &row, fx);
    }
}

/// Esc on the unfinished setups: start a new one.
pub fn new_setup(m: &mut Model, fx: &mut Vec<Effect>) {
    m.overlay = Overlay::None;
    m.log(fx, LogKind::Info, "starting a new setup");
}
