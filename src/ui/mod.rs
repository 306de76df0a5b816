//! Pure rendering of the model: `view(&Model, &Theme, &mut Frame)`.

pub mod background;
pub mod body;
pub mod form;
pub mod keys;
pub mod log_pane;
pub mod overlay;
pub mod submit;
pub mod theme;

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};

use crate::app::{Model, Overlay, Step};
pub use theme::Theme;

pub const MIN_WIDTH: u16 = 60;
pub const MIN_HEIGHT: u16 = 20;

pub const SPINNER: [&str; 10] = ["⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"];

pub fn view(m: &Model, t: &Theme, f: &mut Frame) {
    let area = f.area();
    if area.width < MIN_WIDTH || area.height < MIN_HEIGHT {
        return too_small(t, f, area);
    }
    let log_h = if !m.log_visible {
        0
    } else if m.log_large {
        area.height * 3 / 5
    } else {
        7
    };
    let [bar, body, log, footer] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Min(5),
        Constraint::Length(log_h),
        Constraint::Length(1),
    ])
    .areas(area);
    step_bar(m, t, f, bar);
    form::render(m, t, f, body);
    if m.log_visible {
        log_pane::render(m, t, f, log);
    }
    keys::footer(m, t, f, footer);
    match &m.overlay {
        Overlay::None => {}
        Overlay::Help => overlay::help(m, t, f, area),
        Overlay::ConfirmQuit => overlay::confirm_quit(m, t, f, area),
        Overlay::Message(msg) => overlay::message(t, f, area, msg),
        Overlay::ProfilePicker(i) => overlay::profile_picker(m, t, f, area, *i),
        Overlay::Resume(i) => overlay::resume(m, t, f, area, *i),
        Overlay::ConfirmApply => overlay::confirm_apply(m, t, f, area),
        Overlay::ConfirmAuthUrl(url) => overlay::confirm_auth_url(m, t, f, area, url),
        Overlay::SavePath(p) => overlay::save_path(t, f, area, p),
        Overlay::ConfirmOverwrite(p) => overlay::confirm_overwrite(t, f, area, p),
        Overlay::ConfirmWipe => overlay::confirm_wipe(m, t, f, area),
        Overlay::SaveInstance(name) => overlay::save_instance(m, t, f, area, name),
        Overlay::ConfirmInstanceReplace(name) => {
            overlay::confirm_instance_replace(m, t, f, area, name)
        }
    }
}

fn too_small(t: &Theme, f: &mut Frame, area: Rect) {
    let msg = format!(
        "Enlarge the terminal to at least {MIN_WIDTH}x{MIN_HEIGHT} (now {}x{}). Ctrl-C quits.",
        area.width, area.height
    );
    let p = Paragraph::new(msg)
        .style(t.warning)
        .wrap(Wrap { trim: true });
    f.render_widget(p, area);
}

fn step_bar(m: &Model, t: &Theme, f: &mut Frame, area: Rect) {
    let mut spans = vec![Span::styled(" halo-onboard ", t.title)];
    for (i, s) in Step::ALL.iter().enumerate() {
        spans.push(Span::styled(" │ ", t.border));
        let done = m.done[i];
        let mark = if done { "✓" } else { " " };
        let label = format!("{}{} {}", mark, i + 1, s.title());
        let style = if *s == m.step && !(done && m.apply.phase == crate::app::Phase::Done) {
            t.selection
        } else if done {
            t.success
        } else {
            t.muted
        };
        spans.push(Span::styled(label, style));
    }
    f.render_widget(Paragraph::new(Line::from(spans)), area);
}
