//! The footer: the keys that work here, drawn from the key table (`app::keys`).

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use crate::app::Model;

use super::Theme;

/// (keys, words) pairs as one line: keys accented, words muted.
pub(crate) fn line<'a>(hints: &[(String, &'static str)], t: &Theme) -> Line<'a> {
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

pub(crate) fn footer(m: &Model, t: &Theme, f: &mut Frame, area: Rect) {
    let hints = fitted(crate::app::keys::footer(m), usize::from(area.width));
    f.render_widget(Paragraph::new(line(&hints, t)), area);
}

/// The hints that fit in `width`, in order; when some do not, "…" says so and the help key
/// (which lists them all) stays last.
fn fitted(hints: Vec<(String, &'static str)>, width: usize) -> Vec<(String, &'static str)> {
    let len = |h: &(String, &str)| h.0.chars().count() + 1 + h.1.chars().count();
    let total: usize = hints.iter().map(len).sum::<usize>() + 2 * hints.len().saturating_sub(1);
    if total <= width {
        return hints;
    }
    let help = hints.iter().position(|h| h.1 == "help");
    // Room for "  …" and, if any, "  ? help".
    let mut room = width.saturating_sub(3 + help.map_or(0, |i| len(&hints[i]) + 2));
    let mut out = Vec::new();
    for (i, h) in hints.iter().enumerate() {
        if Some(i) == help {
            continue;
        }
        let need = len(h) + if out.is_empty() { 0 } else { 2 };
        if need > room {
            break;
        }
        room -= need;
        out.push(h.clone());
    }
    out.push(("…".into(), ""));
    if let Some(i) = help {
        out.push(hints[i].clone());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::fitted;

    #[test]
    fn hints_that_do_not_fit_leave_the_help_key() {
        let h = vec![
            ("Tab".to_string(), "next field"),
            ("Ctrl-U".to_string(), "clear"),
            ("Ctrl-N".to_string(), "next step"),
            ("F1".to_string(), "help"),
        ];
        assert_eq!(fitted(h.clone(), 80), h);
        let short = fitted(h, 45);
        let words: Vec<&str> = short.iter().map(|x| x.1).collect();
        assert_eq!(words, ["next field", "clear", "", "help"]);
    }
}
