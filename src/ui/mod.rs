//! Pure rendering of the model: `view(&Model, &Theme, &mut Frame)`.

#![warn(missing_docs)]

pub mod background;
pub(crate) mod body;
pub mod caps;
pub(crate) mod error;
pub(crate) mod form;
mod handover;
pub(crate) mod keys;
pub(crate) mod log_pane;
mod mask;
mod named;
pub(crate) mod overlay;
mod results;
pub(crate) mod scroll;
mod spinner;
pub(crate) mod submit;
pub mod theme;

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};

use crate::app::{Model, Overlay, Step};
pub use theme::Theme;

/// Smallest terminal, in columns, the wizard draws in; below it a "too small" notice is shown.
pub(crate) const MIN_WIDTH: u16 = 60;
/// Smallest terminal, in rows, the wizard draws in.
pub(crate) const MIN_HEIGHT: u16 = 20;

/// Draws one whole frame of the wizard from the model: step bar, body, log pane, key footer
/// and any overlay. Reads only; every change goes through `app::update`.
pub fn view(m: &Model, t: &Theme, f: &mut Frame) {
    let area = f.area();
    if area.width < MIN_WIDTH || area.height < MIN_HEIGHT {
        return too_small(t, f, area);
    }
    // The body is built first: the log pane gives way to what it must show whole.
    let body_lines = form::build(m, t, area.width);
    let log_h = log_height(m, area.height, &body_lines);
    let [bar, body, log, footer] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Min(5),
        Constraint::Length(log_h),
        Constraint::Length(1),
    ])
    .areas(area);
    step_bar(m, t, f, bar);
    form::draw(m, t, f, body, body_lines);
    if log_h > 0 {
        log_pane::render(m, t, f, log);
    }
    keys::footer(m, t, f, footer);
    match &m.overlay {
        Overlay::None => {}
        Overlay::Help => overlay::help(m, t, f, area),
        Overlay::ConfirmQuit => overlay::confirm_quit(m, t, f, area),
        Overlay::Message(msg) => overlay::message(t, f, area, msg),
        Overlay::ProfilePicker(p) => overlay::profile_picker(m, t, f, area, p),
        Overlay::Resume(i) => overlay::resume(m, t, f, area, *i),
        Overlay::ConfirmApply => overlay::confirm_apply(m, t, f, area),
        Overlay::ConfirmAuthUrl(url) => overlay::confirm_auth_url(m, t, f, area, url),
        Overlay::SavePath(p) => overlay::save_path(m, t, f, area, p),
        Overlay::ConfirmOverwrite(p) => overlay::confirm_overwrite(t, f, area, p),
        Overlay::ConfirmWipe => overlay::confirm_wipe(m, t, f, area),
        Overlay::ConfirmPasted => overlay::confirm_pasted(t, f, area),
        Overlay::SaveInstance(name) => overlay::save_instance(m, t, f, area, name),
        Overlay::ConfirmInstanceReplace(name) => {
            overlay::confirm_instance_replace(m, t, f, area, name);
        }
    }
}

/// The log pane's height: what the user asked for (hidden, 7 rows, or 3/5 of the screen),
/// shrunk so the body shows what it must whole (a result, the hand-over), and hidden rather
/// than shown with fewer than two entries.
fn log_height(m: &Model, height: u16, b: &body::Body) -> u16 {
    if !m.log_visible {
        return 0;
    }
    let want = if m.log_large { height * 3 / 5 } else { 7 };
    // The step bar, the footer and the body's top border take a row each.
    let room = usize::from(height.saturating_sub(3));
    let total = b.lines.len();
    let keep = b.keep.min(total);
    // Kept lines with more below them leave the last row to "↓ N more".
    let kept_rows = if keep < total { keep + 1 } else { keep };
    let spare = room.saturating_sub(kept_rows.max(4));
    let h = want.min(u16::try_from(spare).unwrap_or(u16::MAX));
    if h < 3 { 0 } else { h }
}

fn too_small(t: &Theme, f: &mut Frame, area: Rect) {
    let msg = format!(
        "Enlarge the terminal to at least {MIN_WIDTH}x{MIN_HEIGHT} (now {}x{}). {} quits.",
        area.width,
        area.height,
        named::ctrl(
            crate::app::keys::Ctx::Everywhere,
            'c',
            crate::app::keys::Intent::AskQuit
        )
    );
    let p = Paragraph::new(msg)
        .style(t.warning)
        .wrap(Wrap { trim: true });
    f.render_widget(p, area);
}

/// How much of the step bar fits: every step keeps its number, and abbreviates its name (then
/// keeps only the current one's) rather than drop out of the bar.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Names {
    Full,
    Short,
    /// The current step named, the others by number.
    Current,
}

/// The step bar's spans at one level of detail.
fn bar_spans(
    m: &Model,
    t: &Theme,
    brand: bool,
    names: Names,
    sep: &'static str,
) -> Vec<Span<'static>> {
    let mut spans = Vec::new();
    if brand {
        spans.push(Span::styled(" halo-onboard ", t.title));
    }
    for (i, s) in Step::ALL.iter().enumerate() {
        if brand || i > 0 {
            spans.push(Span::styled(sep, t.border));
        } else {
            spans.push(Span::raw(" "));
        }
        let done = m.done[i];
        let mark = if done { "✓" } else { " " };
        let name = match names {
            Names::Full => s.title(),
            Names::Short => s.short_title(),
            Names::Current if *s == m.step => s.title(),
            Names::Current => "",
        };
        let label = if name.is_empty() {
            format!("{}{}", mark, i + 1)
        } else {
            format!("{}{} {}", mark, i + 1, name)
        };
        let style = if *s == m.step && !(done && m.apply.phase == crate::app::Phase::Done) {
            t.selection
        } else if done {
            t.success
        } else {
            t.muted
        };
        spans.push(Span::styled(label, style));
    }
    spans
}

fn step_bar(m: &Model, t: &Theme, f: &mut Frame, area: Rect) {
    let width = usize::from(area.width);
    let levels = [
        (true, Names::Full, " │ "),
        (true, Names::Short, " │ "),
        (false, Names::Short, " │ "),
        (false, Names::Short, "│"),
        (false, Names::Current, "│"),
    ];
    let spans = levels
        .iter()
        .map(|&(brand, names, sep)| bar_spans(m, t, brand, names, sep))
        .find(|s| s.iter().map(|x| x.content.chars().count()).sum::<usize>() <= width)
        .unwrap_or_else(|| bar_spans(m, t, false, Names::Current, "│"));
    f.render_widget(Paragraph::new(Line::from(spans)), area);
}
