//! The one screen-to-text helper for the wizard's views: draws the model on a TestBackend and
//! gives the screen as plain text (what a user reads) or with its styles (the buffer's Debug).

use halo_onboard::app::Model;
use halo_onboard::ui::{self, Theme};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::buffer::Buffer;

/// The frame `m` draws at `w`x`h` in theme `t`.
pub fn draw(m: &Model, t: &Theme, w: u16, h: u16) -> Buffer {
    let mut term = Terminal::new(TestBackend::new(w, h)).unwrap();
    term.draw(|f| ui::view(m, t, f)).unwrap();
    term.backend().buffer().clone()
}

/// The screen as text, one line per row, trailing spaces trimmed.
pub fn text(b: &Buffer) -> String {
    let w = b.area.width as usize;
    b.content
        .chunks(w)
        .map(|row| {
            // Only narrow symbols are drawn: one cell, one symbol.
            let s: String = row.iter().map(|c| c.symbol()).collect();
            s.trim_end().to_string()
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// Each row's text and the style changes (the buffer's Debug) of a `w`x`h` frame.
pub fn styled(b: &Buffer) -> String {
    format!("{b:?}")
}

/// The whole screen at 100x40 with its styles: what the wizard tests search and snapshot.
pub fn screen(m: &Model, t: &Theme) -> String {
    styled(&draw(m, t, 100, 40))
}

/// Fails unless the screen's first line (the step bar) names all six steps, abbreviated as a
/// small terminal shows them.
pub fn assert_step_bar(s: &str, size: &str) {
    let bar = s.lines().next().unwrap_or_default();
    for step in [
        "1 Connect",
        "2 Role",
        "3 Agent",
        "4 App",
        "5 Perms",
        "6 Submit",
    ] {
        assert!(bar.contains(step), "{size}: '{step}' in the step bar:\n{s}");
    }
}
