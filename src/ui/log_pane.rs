//! The live log pane: renders only the visible slice of the ring buffer.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph};

use crate::app::{Field, LogKind, Model};

use super::Theme;

pub(crate) fn render(m: &Model, t: &Theme, f: &mut Frame, area: Rect) {
    let focused = m.focused() == Field::LogPane;
    let mut title = format!(" Log ({}) ", m.log.len());
    if focused {
        title.push_str("[focused] ");
    }
    let block = Block::default()
        .borders(Borders::TOP)
        .border_style(if focused { t.accent } else { t.border })
        .title(Span::styled(
            title,
            if focused { t.accent } else { t.muted },
        ));
    // Older entries above the window, newer ones below it (scrolled back), on the border.
    let rows = usize::from(area.height.saturating_sub(1));
    let (older, newer) = (
        m.log.len().saturating_sub(m.log_scroll + rows),
        m.log_scroll.min(m.log.len()),
    );
    let marks: Vec<String> = [
        super::scroll::more(older, true),
        super::scroll::more(newer, false),
    ]
    .into_iter()
    .flatten()
    .collect();
    let block = if marks.is_empty() {
        block
    } else {
        block.title_top(
            Line::from(Span::styled(format!(" {} ", marks.join("  ")), t.accent)).right_aligned(),
        )
    };
    let inner = block.inner(area);
    let lines: Vec<Line> = m
        .log
        .window(inner.height as usize, m.log_scroll)
        .map(|e| {
            let style = match e.kind {
                LogKind::Info => t.text,
                LogKind::Http => t.muted,
                LogKind::Warn => t.warning,
                LogKind::Error => t.error,
            };
            let mut spans = vec![
                Span::styled(format!("{:<5} ", e.kind.tag()), t.muted),
                Span::styled(e.text.as_str(), style),
            ];
            if e.repeats > 1 {
                spans.push(Span::styled(format!(" (×{})", e.repeats), t.muted));
            }
            Line::from(spans)
        })
        .collect();
    f.render_widget(block, area);
    f.render_widget(Paragraph::new(lines), inner);
}
