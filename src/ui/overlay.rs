//! Help, quit confirmation and message pop-ups, centred over the screen.

use ratatui::Frame;
use ratatui::layout::{Constraint, Flex, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph, Wrap};

use crate::app::Model;

use super::Theme;
use super::keys::HELP;

fn centred(area: Rect, w: u16, h: u16) -> Rect {
    let [r] = Layout::horizontal([Constraint::Length(w.min(area.width))])
        .flex(Flex::Center)
        .areas(area);
    let [r] = Layout::vertical([Constraint::Length(h.min(area.height))])
        .flex(Flex::Center)
        .areas(r);
    r
}

fn popup(t: &Theme, f: &mut Frame, area: Rect, title: &str, lines: Vec<Line>) {
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(t.accent)
        .title(Span::styled(format!(" {title} "), t.title));
    f.render_widget(Clear, area);
    f.render_widget(
        Paragraph::new(lines)
            .block(block)
            .style(t.text)
            .wrap(Wrap { trim: false }),
        area,
    );
}

pub fn help(_m: &Model, t: &Theme, f: &mut Frame, area: Rect) {
    let lines: Vec<Line> = HELP
        .iter()
        .map(|(k, what)| {
            Line::from(vec![
                Span::styled(format!("{k:<28}"), t.accent),
                Span::styled(*what, t.text),
            ])
        })
        .chain([
            Line::from(""),
            Line::styled("Any key closes this help.", t.muted),
        ])
        .collect();
    let h = lines.len() as u16 + 2;
    popup(t, f, centred(area, 76, h), "Keys", lines);
}

pub fn confirm_quit(m: &Model, t: &Theme, f: &mut Frame, area: Rect) {
    let mut lines = vec![Line::from(vec![
        Span::styled("Quit halo-onboard? ", t.text),
        Span::styled("y", t.accent),
        Span::styled("/", t.muted),
        Span::styled("n", t.accent),
    ])];
    if m.busy() {
        lines.push(Line::styled(
            "A request to Halo is still running: quitting now abandons it, and Halo may or may not have done it.",
            t.error,
        ));
    } else {
        lines.push(Line::styled(
            "Nothing has been written to Halo yet.",
            t.muted,
        ));
    }
    popup(
        t,
        f,
        centred(area, 56, lines.len() as u16 + 4),
        "Quit",
        lines,
    );
}

pub fn message(t: &Theme, f: &mut Frame, area: Rect, msg: &str) {
    let lines = vec![
        Line::styled(msg.to_string(), t.text),
        Line::from(""),
        Line::styled("Any key closes this message.", t.muted),
    ];
    popup(t, f, centred(area, 60, 7), "Note", lines);
}
