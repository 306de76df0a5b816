//! The footer: the keys that work here, drawn from the key table (`app::keys`).

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use crate::app::Model;

use super::Theme;

/// (keys, words) pairs as one line: keys accented, words muted.
pub fn line<'a>(hints: &[(String, &'static str)], t: &Theme) -> Line<'a> {
    let mut spans = Vec::new();
    for (i, (k, what)) in hints.iter().enumerate() {
        if i > 0 {
            spans.push(Span::styled("  ", t.muted));
        }
        spans.push(Span::styled(k.clone(), t.accent));
        spans.push(Span::styled(format!(" {what}"), t.muted));
    }
    Line::from(spans)
}

pub fn footer(m: &Model, t: &Theme, f: &mut Frame, area: Rect) {
    let hints = crate::app::keys::footer(m);
    f.render_widget(Paragraph::new(line(&hints, t)), area);
}
