//! Enter, Space and the arrows on a field: what its spec says it does. Buttons run the step
//! handler they name ([`Press`]), so the specs call no handler themselves.

use super::fields::{Behaviour, Field, Press};
use super::model::Model;
use super::msg::Effect;
use super::{applying, connect, picker};

/// A button's press.
fn press(m: &mut Model, p: Press, fx: &mut Vec<Effect>) {
    match p {
        Press::OpenPicker => picker::open(m),
        Press::TestConnection => connect::test(m, fx),
        Press::RequestApply => applying::request_apply(m, fx),
    }
}

/// Enter or Space on `f`: a toggle flips, a choice moves on, a button runs.
pub(crate) fn activate(m: &mut Model, f: Field, fx: &mut Vec<Effect>) {
    match f.spec().behaviour {
        Behaviour::Button(b) => press(m, b.press, fx),
        Behaviour::Toggle(t) => (t.flip)(m, f.index()),
        Behaviour::Choice(_) => cycle(m, f, 1, fx),
        _ => {}
    }
}

/// Left/Right on `f`: a choice steps through its options (wrapping); a toggle flips, so every
/// field answers the arrows.
pub fn cycle(m: &mut Model, f: Field, delta: isize, fx: &mut Vec<Effect>) {
    let i = f.index();
    match f.spec().behaviour {
        Behaviour::Choice(c) => {
            let n = (c.options)(m, i).len() as isize;
            if n == 0 {
                return;
            }
            let j = match (c.current)(m, i) {
                Some(cur) => (cur as isize + delta).rem_euclid(n),
                None if delta >= 0 => 0,
                None => n - 1,
            };
            (c.choose)(m, i, j as usize);
            if c.connection {
                connect::edited(m, fx);
            }
        }
        Behaviour::Toggle(t) => (t.flip)(m, i),
        _ => {}
    }
}
