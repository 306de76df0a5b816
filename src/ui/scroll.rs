//! Scrolled regions say that more lies above or below ("↑ 3 more", "↓ 12 more"), and text cut
//! to fit says so with an ellipsis. Shared by the body, the log pane and the pop-ups.

use ratatui::text::{Line, Span};
use ratatui::widgets::Block;

use super::Theme;

/// What a window of `rows` rows starting at `top` leaves out of `total`: (above, below).
pub(crate) fn hidden(total: usize, top: usize, rows: usize) -> (usize, usize) {
    let top = top.min(total);
    (top, total.saturating_sub(top + rows))
}

/// The first row to show so that row `sel` is in a window of `rows` rows (scrolled as little as
/// possible from the top).
pub(crate) fn top_for(sel: usize, rows: usize) -> usize {
    sel.saturating_sub(rows.saturating_sub(1))
}

/// "↑ 3 more" / "↓ 12 more", or nothing when nothing is hidden that way.
pub(crate) fn more(n: usize, up: bool) -> Option<String> {
    (n > 0).then(|| format!("{} {n} more", if up { "↑" } else { "↓" }))
}

/// The block with "↑ N more" on its top border and "↓ N more" on its bottom one (right-aligned).
pub(crate) fn marked<'a>(block: Block<'a>, above: usize, below: usize, t: &Theme) -> Block<'a> {
    let mut block = block;
    if let Some(s) = more(above, true) {
        block =
            block.title_top(Line::from(Span::styled(format!(" {s} "), t.accent)).right_aligned());
    }
    if let Some(s) = more(below, false) {
        block = block
            .title_bottom(Line::from(Span::styled(format!(" {s} "), t.accent)).right_aligned());
    }
    block
}

/// `s` cut to `width` characters, the cut marked with an ellipsis.
pub(crate) fn ellipsize(s: &str, width: usize) -> String {
    if s.chars().count() <= width {
        return s.to_string();
    }
    let mut out: String = s.chars().take(width.saturating_sub(1)).collect();
    out.push('…');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn windows_and_marks() {
        assert_eq!(hidden(40, 0, 10), (0, 30));
        assert_eq!(hidden(40, 30, 10), (30, 0));
        assert_eq!(hidden(5, 0, 10), (0, 0));
        assert_eq!(top_for(0, 10), 0);
        assert_eq!(top_for(12, 10), 3);
        assert_eq!(more(3, true).as_deref(), Some("↑ 3 more"));
        assert_eq!(more(12, false).as_deref(), Some("↓ 12 more"));
        assert_eq!(more(0, false), None);
    }

    #[test]
    fn ellipsis_marks_a_cut() {
        assert_eq!(ellipsize("abcdef", 6), "abcdef");
        assert_eq!(ellipsize("abcdefg", 6), "abcde…");
        assert_eq!(ellipsize("Propel Your MSP", 8), "Propel …");
    }
}
