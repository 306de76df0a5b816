//! The lines of the screen's body (a step's form, the Submit views), built before they are
//! drawn so the screen can scroll to the focused field: notes word-wrapped to the width so the
//! line count stays exact, headers, blank lines.

use ratatui::style::Style;
use ratatui::text::Line;

use super::Theme;

/// The body as lines, with where the focused field and the text cursor are.
pub(super) struct Body<'a> {
    pub(super) width: usize,
    pub(super) lines: Vec<Line<'a>>,
    pub(super) focus_line: Option<usize>,
    /// (line, column) of the text cursor in the focused field.
    pub(super) cursor: Option<(usize, u16)>,
    /// Lines from the top that must be seen whole (a result, the hand-over): the log pane
    /// shrinks, down to hidden, before they are cut. 0 = none (the view scrolls to the focus).
    pub(super) keep: usize,
}

impl<'a> Body<'a> {
    pub(super) fn new(width: usize) -> Self {
        Self {
            width,
            lines: Vec::new(),
            focus_line: None,
            cursor: None,
            keep: 0,
        }
    }
    pub(super) fn push(&mut self, l: Line<'a>) {
        self.lines.push(l);
    }
    /// An indented note, word-wrapped to the body width (so the line count stays exact).
    pub(super) fn note(&mut self, style: Style, text: impl Into<String>) {
        self.wrapped(style, "    ", &text.into());
    }
    pub(super) fn wrapped(&mut self, style: Style, indent: &str, text: &str) {
        // Leading spaces of the text are part of the indent of every wrapped line.
        let body = text.trim_start_matches(' ');
        let indent = format!("{indent}{}", &text[..text.len() - body.len()]);
        let (indent, text) = (indent.as_str(), body);
        let width = self
            .width
            .saturating_sub(indent.chars().count() + 2)
            .max(10);
        for l in wrap(text, width) {
            self.lines.push(Line::styled(format!("{indent}{l}"), style));
        }
    }
    /// A value to copy (a secret, an id): never word-wrapped or cut. Indented when it fits,
    /// flush left when only that fits, else in full-width pieces; `true` when it was split.
    pub(super) fn verbatim(&mut self, style: Style, value: &str) -> bool {
        let chars: Vec<char> = value.chars().collect();
        let width = self.width.max(1);
        let indent = width.saturating_sub(chars.len()).min(6);
        if chars.len() <= width {
            self.lines.push(Line::styled(
                format!("{}{value}", " ".repeat(indent)),
                style,
            ));
            return false;
        }
        for piece in chars.chunks(width) {
            self.lines
                .push(Line::styled(piece.iter().collect::<String>(), style));
        }
        true
    }
    /// Everything so far must be seen whole.
    pub(super) fn keep_all(&mut self) {
        self.keep = self.lines.len();
    }
    /// Styled parts on one line when they fit the width, else each part word-wrapped on lines
    /// of its own (so no result is cut at the edge).
    pub(super) fn parts(&mut self, parts: Vec<(String, Style)>) {
        let total: usize = parts.iter().map(|(s, _)| s.chars().count()).sum();
        if total <= self.width {
            let spans: Vec<ratatui::text::Span<'a>> = parts
                .into_iter()
                .map(|(s, st)| ratatui::text::Span::styled(s, st))
                .collect();
            self.lines.push(Line::from(spans));
            return;
        }
        for (s, st) in parts {
            self.wrapped(st, "", s.trim());
        }
    }
    pub(super) fn blank(&mut self) {
        self.lines.push(Line::from(""));
    }
    /// A section title; wrapped where the screen is narrower (never cut).
    pub(super) fn header(&mut self, t: &Theme, text: &str) {
        if text.chars().count() <= self.width {
            self.lines.push(Line::styled(text.to_string(), t.accent));
        } else {
            self.wrapped(t.accent, "", text);
        }
    }
}

/// Greedy word wrap by characters; words longer than `width` are cut.
fn wrap(text: &str, width: usize) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    for word in text.split(' ') {
        let (cl, wl) = (cur.chars().count(), word.chars().count());
        if cl > 0 && cl + 1 + wl > width {
            out.push(std::mem::take(&mut cur));
        }
        if !cur.is_empty() {
            cur.push(' ');
        }
        cur.push_str(word);
        while cur.chars().count() > width {
            let head: String = cur.chars().take(width).collect();
            let rest: String = cur.chars().skip(width).collect();
            out.push(head);
            cur = rest;
        }
    }
    if !cur.is_empty() || out.is_empty() {
        out.push(cur);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::wrap;

    #[test]
    fn wraps_words_and_cuts_long_ones() {
        assert_eq!(wrap("aa bb cc", 5), ["aa bb", "cc"]);
        assert_eq!(wrap("abcdefgh", 3), ["abc", "def", "gh"]);
        assert_eq!(wrap("", 3), [""]);
    }
}
