//! Every key of the wizard in one table: (context, key) → action, with the words the footer and
//! the help overlay show for it. `update` asks [`action`] what a key does and matches on the
//! action; the footer ([`footer`]) and the help overlay ([`help`]) read the same rows, so what
//! they say cannot drift from what the keys do.
//!
//! Contexts stack: an open overlay takes every key (anything it does not name is swallowed or
//! closes it); otherwise the Submit step's phase (apply running, failed, the hand-over, the
//! "do it by hand" screen) comes first, then the keys of every step, then those of the focused
//! field. A context may bind a key a later one binds too, to say something else about it in
//! the footer of that phase (`l log`, `q quit`).

mod bind;
mod table;

use crossterm::event::{KeyEvent, KeyEventKind};

use super::fields::Widget;

use super::model::{Model, Overlay, Step};
use super::state::Phase;
pub(crate) use bind::{Bind, Ctx, Intent, K};
pub(crate) use table::TABLE;

/// The contexts of the screen behind any overlay, most specific first.
fn screen(m: &Model) -> Vec<Ctx> {
    let mut v = Vec::new();
    if m.step == Step::Submit {
        match &m.apply.phase {
            Phase::Idle => {}
            Phase::Running | Phase::Verifying => v.push(Ctx::Running),
            Phase::Failed { .. } if m.apply.manual.is_some() => v.push(Ctx::Manual),
            Phase::Failed { .. } => v.push(Ctx::Failed),
            Phase::Done => v.push(Ctx::HandOver),
        }
    }
    let f = m.focused();
    if f.kind() == Widget::Log {
        v.push(Ctx::Log);
    }
    // The plan scrolls with the arrows before they move focus.
    if m.step == Step::Submit && f.kind() != Widget::Log {
        v.push(Ctx::Plan);
    }
    v.push(Ctx::Everywhere);
    if f.takes_text() {
        v.push(Ctx::Typing);
        v.push(if f.kind() == Widget::Secret {
            Ctx::Secret
        } else {
            Ctx::Text
        });
    } else {
        v.push(Ctx::NotTyping);
        if m.step == Step::Connect {
            v.push(Ctx::Connect);
        }
    }
    v
}

fn overlay(m: &Model) -> Option<Ctx> {
    Some(match &m.overlay {
        Overlay::None => return None,
        Overlay::Help => Ctx::Help,
        Overlay::Message(_) => Ctx::Message,
        Overlay::ConfirmQuit => Ctx::ConfirmQuit,
        Overlay::ConfirmAuthUrl(_) => Ctx::ConfirmAuthUrl,
        Overlay::ProfilePicker(_) => Ctx::Picker,
        Overlay::Resume(_) => Ctx::Resume,
        Overlay::ConfirmApply => Ctx::ConfirmApply,
        Overlay::SavePath(_) => Ctx::SavePath,
        Overlay::ConfirmOverwrite(_) => Ctx::ConfirmOverwrite,
        Overlay::ConfirmWipe => Ctx::ConfirmWipe,
        Overlay::ConfirmPasted => Ctx::ConfirmPasted,
        Overlay::SaveInstance(_) => Ctx::SaveInstance,
        Overlay::ConfirmInstanceReplace(_) => Ctx::ConfirmInstanceReplace,
    })
}

/// What `k` does now; `None`: nothing.
pub(crate) fn intent(m: &Model, k: &KeyEvent) -> Option<Intent> {
    if k.kind == KeyEventKind::Release {
        return None;
    }
    let ctxs = match overlay(m) {
        Some(o) => vec![o],
        None => screen(m),
    };
    ctxs.into_iter().find_map(|c| {
        TABLE
            .iter()
            .filter(|b| b.ctx == c && b.active(m))
            .find(|b| b.keys.iter().any(|key| key.matches(k)))
            .map(|b| b.action)
    })
}

/// The footer: (keys, words) of the rows in force where keys go: an open pop-up's, else the
/// screen's. A phase of the Submit step shows its own rows only.
pub fn footer(m: &Model) -> Vec<(String, &'static str)> {
    // Keys go to an open pop-up: the screen's keys behind it would not work.
    if let Some(o) = overlay(m) {
        return overlay_hints(m, o);
    }
    let all = screen(m);
    let mut ctxs = all.clone();
    if ctxs.first().is_some_and(|c| c.own_footer()) {
        ctxs.truncate(1);
    }
    // A screen with a footer of its own still names the help key (which lists the rest).
    let help = |b: &&Bind| b.action == Intent::Help && all.contains(&b.ctx);
    TABLE
        .iter()
        .filter(|b| (ctxs.contains(&b.ctx) || help(b)) && b.shown(m))
        .filter_map(|b| Some((b.hint_label(), b.hint?)))
        .collect()
}

/// An overlay's key line: (keys, words) of its rows in force with footer words.
pub(crate) fn overlay_hints(m: &Model, ctx: Ctx) -> Vec<(String, &'static str)> {
    TABLE
        .iter()
        .filter(|b| b.ctx == ctx && b.shown(m))
        .filter_map(|b| Some((b.hint_label(), b.hint?)))
        .collect()
}

/// Whether the table binds key `k` to `action` in `ctx`: a row of that context and action
/// names the key, or answers to any key.
pub(crate) fn binds(ctx: Ctx, k: K, action: Intent) -> bool {
    let named = |b: &&Bind| b.ctx == ctx && b.keys.contains(&k);
    match TABLE.iter().find(named) {
        Some(b) => b.action == action,
        None => TABLE
            .iter()
            .any(|b| b.ctx == ctx && b.action == action && b.keys.contains(&K::Any)),
    }
}

/// The name of key `k` in a screen's words ("Enter: try again"), asked of the table: screens
/// name keys only through this, so a rebinding shows in their text. A key the table does not
/// bind to `action` in `ctx` is a bug: debug builds (the tests, which draw every screen) stop.
pub(crate) fn key_of(ctx: Ctx, k: K, action: Intent) -> String {
    debug_assert!(
        binds(ctx, k, action),
        "a screen names {k:?} for {action:?} in {ctx:?}, which the key table does not bind"
    );
    k.label()
}

/// The help overlay: per context (in the order of its first row), (keys, words) of every row
/// with help words.
pub fn help() -> Vec<(&'static str, Vec<(String, &'static str)>)> {
    let mut out: Vec<(&'static str, Vec<(String, &'static str)>)> = Vec::new();
    let mut order: Vec<Ctx> = Vec::new();
    for b in TABLE {
        if b.help.is_some() && !order.contains(&b.ctx) {
            order.push(b.ctx);
        }
    }
    // Text and secret fields share one heading.
    order.sort_by_key(|c| match c {
        Ctx::Everywhere => 0,
        Ctx::NotTyping => 1,
        Ctx::Typing | Ctx::Text | Ctx::Secret => 2,
        Ctx::Log => 3,
        Ctx::Connect => 4,
        Ctx::Plan => 5,
        _ => 6,
    });
    for c in order {
        let rows: Vec<(String, &'static str)> = TABLE
            .iter()
            .filter(|b| b.ctx == c)
            .filter_map(|b| Some((b.keys_label(" / "), b.help?)))
            .collect();
        match out.last_mut() {
            Some((t, v)) if *t == c.title() => v.extend(rows),
            _ => out.push((c.title(), rows)),
        }
    }
    out
}

/// The line the help overlay opens at: the section of the screen's own phase (the hand-over,
/// a failed apply, a step by hand), so its keys are in view first; elsewhere the top.
pub(crate) fn help_start(m: &Model) -> usize {
    let Some(ctx) = screen(m).into_iter().find(|c| c.own_footer()) else {
        return 0;
    };
    let mut line = 0;
    for (title, rows) in help() {
        if title == ctx.title() {
            return line;
        }
        line += rows.len() + 2;
    }
    0
}

/// Lines the help overlay has (headings and the blank lines between them included).
pub(crate) fn help_len() -> usize {
    let h = help();
    h.iter()
        .map(|(_, rows)| rows.len() + 2)
        .sum::<usize>()
        .saturating_sub(1)
}

#[cfg(test)]
mod tests;
