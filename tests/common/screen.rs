//! The one screen-to-text helper for the wizard's views: draws the model on a TestBackend and
//! gives the screen as plain text (what a user reads), or the style of the cells that show a
//! given text (for the few tests that assert a colour).

use halo_onboard::app::Model;
use halo_onboard::ui::{self, Theme};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::buffer::Buffer;

/// The frame `m` draws at `w`x`h` in theme `t`.
pub(crate) fn draw(m: &Model, t: &Theme, w: u16, h: u16) -> Buffer {
    let mut term = Terminal::new(TestBackend::new(w, h)).unwrap();
    term.draw(|f| ui::view(m, t, f)).unwrap();
    term.backend().buffer().clone()
}

/// The screen as text, one line per row, trailing spaces trimmed.
pub(crate) fn text(b: &Buffer) -> String {
    let w = b.area.width as usize;
    b.content
        .chunks(w)
        .map(|row| {
            // Only narrow symbols are drawn: one cell, one symbol.
            let s: String = row.iter().map(ratatui::buffer::Cell::symbol).collect();
            s.trim_end().to_string()
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// The style of the first cell of the first row that shows `needle` (cells of narrow
/// symbols only, so a column is a char index), or `None` when no row shows it.
pub(crate) fn style_of(b: &Buffer, needle: &str) -> Option<ratatui::style::Style> {
    let w = b.area.width as usize;
    b.content.chunks(w).find_map(|row| {
        let s: Vec<&str> = row.iter().map(ratatui::buffer::Cell::symbol).collect();
        let line: String = s.concat();
        let byte = line.find(needle)?;
        let col = line[..byte].chars().count();
        Some(row[col].style())
    })
}

/// The whole screen at 100x40 as text: what the wizard tests search and snapshot.
pub(crate) fn screen(m: &Model, t: &Theme) -> String {
    text(&draw(m, t, 100, 40))
}

/// Fails unless the screen's first line (the step bar) names all six steps, abbreviated as a
/// small terminal shows them.
pub(crate) fn assert_step_bar(s: &str, size: &str) {
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
