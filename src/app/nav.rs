//! Moving around: focus between fields, steps (each checked before it is left), the log pane
//! and the scrolled views (plan, checklist, help).

use super::applying::Phase;
use super::fields::Field;
use super::log::LogKind;
use super::model::{ConnState, Model, Step};
use super::msg::Effect;
use super::validate::validate;

/// Lines a PageUp/PageDown moves the log, the plan or the help.
pub(crate) const PAGE: usize = 10;

pub(crate) fn focus(m: &mut Model, delta: isize) {
    let n = m.fields().len() as isize;
    if n == 0 {
        return;
    }
    let i = m.step.index();
    let cur = (m.focus[i] as isize).min(n - 1);
    m.focus[i] = (cur + delta).rem_euclid(n) as usize;
}

/// `j`/`k`: the next (previous) field that is not a text field. A letter never moves focus into
/// a field it would then type into; Tab and the arrows reach those.
pub(crate) fn focus_choice(m: &mut Model, delta: isize) {
    let fields = m.fields();
    let n = fields.len() as isize;
    let i = m.step.index();
    let cur = (m.focus[i] as isize).min(n - 1);
    if let Some(to) = (1..n)
        .map(|d| (cur + d * delta.signum()).rem_euclid(n))
        .find(|&j| !fields[j as usize].takes_text())
    {
        m.focus[i] = to as usize;
    }
}

pub(crate) fn toggle_log(m: &mut Model) {
    let was_focused = m.focused() == Field::LogPane;
    m.log_visible = !m.log_visible;
    if was_focused {
        m.focus[m.step.index()] = 0;
    }
}

pub(crate) fn enlarge_log(m: &mut Model) {
    m.log_visible = true;
    m.log_large = !m.log_large;
}

/// Scrolls the log `by` entries (positive: older), within what it holds.
pub(crate) fn scroll_log(m: &mut Model, by: isize) {
    let max = m.log.len().saturating_sub(1);
    m.log_scroll = m.log_scroll.saturating_add_signed(by).min(max);
}

/// Scrolls the Submit step's view (plan, progress, checklist, hand-over) `by` lines.
pub(crate) fn scroll_plan(m: &mut Model, by: isize) {
    m.plan_scroll = m.plan_scroll.saturating_add_signed(by);
}

pub(crate) fn scroll_help(m: &mut Model, by: isize) {
    let last = super::keys::help_len().saturating_sub(1);
    m.help_scroll = m.help_scroll.saturating_add_signed(by).min(last);
}

/// Ctrl-N: the next step, once this one's checks pass (and Connect is connected).
pub(crate) fn next_step(m: &mut Model, fx: &mut Vec<Effect>) {
    let step = m.step;
    let Some(next) = step.next() else { return };
    let issues = validate(m, step);
    if step == Step::Connect && issues.is_empty() && !m.is_connected() {
        // Not tested with these details yet: test them now, and go on once that succeeds.
        m.next_after_connect = true;
        if m.conn != ConnState::Connecting {
            m.log(
                fx,
                LogKind::Info,
                "Connect: testing the connection first; the next step follows once it succeeds",
            );
            super::connect::test(m, fx);
        }
        return;
    }
    if !issues.is_empty() {
        m.show_errors[step.index()] = true;
        // Focus goes to the first field (top to bottom) that needs attention.
        let fields = m.fields();
        if let Some(f) = fields
            .iter()
            .find(|f| issues.iter().any(|i| i.field == Some(**f)))
        {
            m.focus_on(*f);
        }
        let fields = super::validate::fields_line(m, &issues);
        let whole: Vec<&str> = issues
            .iter()
            .filter(|i| i.field.is_none())
            .map(|i| i.message.as_str())
            .collect();
        let what = [fields, whole.join("; ")]
            .into_iter()
            .filter(|s| !s.is_empty())
            .collect::<Vec<_>>()
            .join("; ");
        m.log(
            fx,
            LogKind::Warn,
            format!(
                "{}: {} problem(s) to fix: {what}",
                step.title(),
                issues.len()
            ),
        );
        return;
    }
    m.done[step.index()] = true;
    m.log(
        fx,
        LogKind::Info,
        format!("step {} validated", step.title()),
    );
    m.step = next;
    if next == Step::Submit {
        super::applying::enter_submit(m, fx);
    }
}

pub(crate) fn prev_step(m: &mut Model) {
    // Answers cannot change under a running apply or after it.
    if m.step == Step::Submit && (m.apply.running() || m.apply.phase == Phase::Done) {
        return;
    }
    if let Some(p) = m.step.prev() {
        m.step = p;
    }
}
