//! The footer (keys that work here) and the full key list for the help overlay.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use crate::app::{Field, Kind, Model, Step};

use super::Theme;

/// Every key, for the help overlay: (keys, what they do).
pub const HELP: &[(&str, &str)] = &[
    ("Tab / Shift-Tab", "next / previous field"),
    ("Down / Up", "next / previous field; scroll log and plan"),
    ("j / k", "next / previous field (not while typing)"),
    ("Enter / Space", "activate button, toggle, or cycle choice"),
    ("Left / Right", "change a choice (in text: move cursor)"),
    ("Ctrl-N / PageDown", "next step (checks this one first)"),
    (
        "Ctrl-P / PageUp / Esc",
        "previous step; Esc also closes overlays",
    ),
    ("t", "Connect: test the connection"),
    (
        "Enter on Profile",
        "Connect: pick a vendor profile (pre-fills every step)",
    ),
    ("Enter on Apply", "Submit: review the risks, then y applies"),
    (
        "c / s / a",
        "Hand-over: copy secret (OSC 52) / save file / save answers",
    ),
    ("Enter / y", "Hand-over: confirm and wipe the secret"),
    ("r", "Not verified: verify again after fixing Halo"),
    ("p", "Not verified: repair (apply the plan again)"),
    ("m", "refused step: do it by hand (Enter checks)"),
    ("? / F1", "this help"),
    ("l / F2", "show or hide the log pane"),
    ("L / F3", "enlarge or shrink the log pane"),
    (
        "Up/Down PgUp/PgDn Home/End",
        "scroll the log when it has focus (Tab to it)",
    ),
    ("Ctrl-U", "clear the text field"),
    ("q / Ctrl-C", "quit (asks first)"),
];

pub fn hints(m: &Model) -> Vec<(&'static str, &'static str)> {
    use crate::app::Phase;
    let f = m.focused();
    let mut v = Vec::new();
    if m.step == Step::Submit {
        match &m.apply.phase {
            Phase::Idle => {}
            Phase::Running | Phase::Verifying => {
                return vec![
                    ("l", "log"),
                    ("Ctrl-C", "quit (asks; the setup can be resumed)"),
                ];
            }
            Phase::Failed { .. }
                if m.apply
                    .manual
                    .as_ref()
                    .is_some_and(|s| s.needs_credentials()) =>
            {
                return vec![
                    ("Enter", "find it and continue"),
                    ("Tab", "Client ID / Secret"),
                    ("↑/↓", "scroll"),
                    ("Esc", "back"),
                    ("Ctrl-C", "quit"),
                ];
            }
            Phase::Failed { .. } if m.apply.manual.is_some() => {
                return vec![
                    ("Enter", "find it and continue"),
                    ("↑/↓", "scroll"),
                    ("Esc", "back"),
                    ("l", "log"),
                    ("q", "quit"),
                ];
            }
            Phase::Failed { .. } if m.apply.refused.is_some() => {
                return vec![
                    ("Enter", "try again"),
                    ("m", "do this step by hand"),
                    ("Esc", "back"),
                    ("l", "log"),
                    ("q", "quit"),
                ];
            }
            Phase::Failed { .. } => {
                return vec![
                    ("Enter", "try again"),
                    ("Esc", "back"),
                    ("l", "log"),
                    ("q", "quit"),
                ];
            }
            Phase::Done if m.apply.secret_pending() && m.apply.needs_attention() => {
                return vec![
                    ("c", "copy secret"),
                    ("s", "save"),
                    ("Enter/y", "confirm hand-over"),
                    ("r", "verify again"),
                    ("p", "repair"),
                    ("q", "quit"),
                ];
            }
            Phase::Done if m.apply.secret_pending() => {
                return vec![
                    ("c", "copy secret"),
                    ("s", "save"),
                    ("a", "save answers"),
                    ("Enter/y", "confirm hand-over"),
                    ("↑/↓", "scroll"),
                    ("q", "quit"),
                ];
            }
            Phase::Done if m.apply.needs_attention() => {
                return vec![
                    ("r", "verify again"),
                    ("p", "repair"),
                    ("a", "save answers"),
                    ("↑/↓", "scroll"),
                    ("q", "quit"),
                ];
            }
            Phase::Done => {
                return vec![
                    ("a", "save answers"),
                    ("↑/↓", "scroll"),
                    ("l", "log"),
                    ("q", "quit"),
                ];
            }
        }
    }
    match f.kind() {
        Kind::Text | Kind::Secret => {
            v.extend([("Tab/↓", "next field"), ("Ctrl-U", "clear")]);
        }
        Kind::Log => v.extend([("↑↓ PgUp/PgDn Home/End", "scroll"), ("Tab", "leave log")]),
        Kind::Toggle => v.extend([("j/k", "move"), ("Space", "toggle")]),
        Kind::Choice => v.extend([("j/k", "move"), ("←/→", "change")]),
        Kind::Button => v.extend([("j/k", "move"), ("Enter", "run")]),
    }
    if m.step == Step::Connect && !f.takes_text() {
        v.push(("t", "test"));
    }
    if m.step == Step::Submit && f != Field::LogPane {
        v.push(("↑/↓", "scroll plan"));
    }
    if m.step != Step::Submit {
        v.push(("Ctrl-N", "next step"));
    }
    if m.step != Step::Connect {
        v.push(("Esc", "back"));
    }
    if f.takes_text() {
        v.extend([("F1", "help"), ("F2", "log"), ("Ctrl-C", "quit")]);
    } else {
        v.extend([("?", "help"), ("l", "log"), ("q", "quit")]);
    }
    v
}

pub fn footer(m: &Model, t: &Theme, f: &mut Frame, area: Rect) {
    let mut spans = Vec::new();
    for (i, (k, what)) in hints(m).into_iter().enumerate() {
        if i > 0 {
            spans.push(Span::styled("  ", t.muted));
        }
        spans.push(Span::styled(k, t.accent));
        spans.push(Span::styled(format!(" {what}"), t.muted));
    }
    f.render_widget(Paragraph::new(Line::from(spans)), area);
}
