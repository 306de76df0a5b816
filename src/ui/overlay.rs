//! Help, quit confirmation and message pop-ups, centred over the screen.

use ratatui::Frame;
use ratatui::layout::{Constraint, Flex, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph, Wrap};

use crate::app::Model;

use super::{Theme, named, scroll};
use crate::app::keys::{self, Ctx, Intent};
use crate::app::picker::{self, Picker};

fn centred(area: Rect, w: u16, h: u16) -> Rect {
    let [r] = Layout::horizontal([Constraint::Length(w.min(area.width))])
        .flex(Flex::Center)
        .areas(area);
    let [r] = Layout::vertical([Constraint::Length(h.min(area.height))])
        .flex(Flex::Center)
        .areas(r);
    r
}

/// An overlay's keys from the key table, as one muted line.
fn hint_line(m: &Model, ctx: Ctx, t: &Theme) -> Line<'static> {
    let text: Vec<String> = keys::overlay_hints(m, ctx)
        .into_iter()
        .map(|(k, what)| format!("{k} {what}"))
        .collect();
    Line::styled(text.join("  "), t.muted)
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

/// A pop-up whose lines are rows of a list (never wrapped, so the window is exact; a row too
/// long is cut with an ellipsis), with "↑ N more" / "↓ N more" on its borders.
fn list_popup(
    t: &Theme,
    f: &mut Frame,
    area: Rect,
    title: &str,
    lines: Vec<Line>,
    (above, below): (usize, usize),
) {
    let width = area.width.saturating_sub(2) as usize;
    let lines: Vec<Line> = lines.into_iter().map(|l| fit_line(l, width)).collect();
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(t.accent)
        .title(Span::styled(format!(" {title} "), t.title));
    let block = scroll::marked(block, above, below, t);
    f.render_widget(Clear, area);
    f.render_widget(Paragraph::new(lines).block(block).style(t.text), area);
}

/// A line cut to `width` characters, the last one shown an ellipsis when something is cut.
fn fit_line(l: Line<'_>, width: usize) -> Line<'_> {
    let total: usize = l.spans.iter().map(|s| s.content.chars().count()).sum();
    if total <= width {
        return l;
    }
    let mut left = width;
    let mut spans = Vec::new();
    for s in l.spans {
        if left == 0 {
            break;
        }
        let n = s.content.chars().count();
        // The line is too long, so a span that only just fits still has more after it.
        if n < left {
            left -= n;
            spans.push(s);
        } else {
            spans.push(Span::styled(scroll::ellipsize(&s.content, left), s.style));
            left = 0;
        }
    }
    Line::from(spans).style(l.style)
}

/// Every key, by where it works, from the key table; scrolled by `m.help_scroll`.
pub(crate) fn help(m: &Model, t: &Theme, f: &mut Frame, area: Rect) {
    let mut lines: Vec<Line> = Vec::new();
    for (title, rows) in keys::help() {
        if !lines.is_empty() {
            lines.push(Line::from(""));
        }
        lines.push(Line::styled(title, t.title));
        for (k, what) in rows {
            lines.push(Line::from(vec![
                Span::styled(format!("  {k:<26}"), t.accent),
                Span::styled(what, t.text),
            ]));
        }
    }
    let popup_area = centred(area, 76, area.height.saturating_sub(2));
    // Two border rows and the key line at the bottom.
    let rows = popup_area.height.saturating_sub(3) as usize;
    let top = m.help_scroll.min(lines.len().saturating_sub(rows));
    let more = scroll::hidden(lines.len(), top, rows);
    let mut shown: Vec<Line> = lines.into_iter().skip(top).take(rows).collect();
    while shown.len() < rows {
        shown.push(Line::from(""));
    }
    shown.push(super::keys::line(&keys::overlay_hints(m, Ctx::Help), t));
    list_popup(t, f, popup_area, "Keys", shown, more);
}

pub(crate) fn confirm_quit(m: &Model, t: &Theme, f: &mut Frame, area: Rect) {
    let mut lines = vec![Line::from(vec![
        Span::styled("Quit halo-onboard? ", t.text),
        Span::styled("y", t.accent),
        Span::styled("/", t.muted),
        Span::styled("n", t.accent),
    ])];
    let id = m.apply.session_id.as_deref().unwrap_or("?");
    if m.apply.running() {
        lines.push(Line::styled(
            format!("Apply is running. Setup {id} is journaled: `halo-onboard resume {id}` continues it later and creates nothing twice."),
            t.error,
        ));
    } else if m.apply.secret_pending() {
        lines.push(Line::styled(
            format!("The new client secret is not handed over: it is only on this screen and in the journal of setup {id}. `halo-onboard resume {id}` hands it over later."),
            t.error,
        ));
    } else if m.busy() {
        lines.push(Line::styled(
            "A request to Halo is still running: quitting now abandons it, and Halo may or may not have done it.",
            t.error,
        ));
    } else if m.apply.phase == crate::app::Phase::Done {
        lines.push(Line::styled("The setup is finished.", t.muted));
    } else if m.apply.session_id.is_some() {
        lines.push(Line::styled(
            format!("Setup {id} is unfinished; `halo-onboard resume {id}` continues it."),
            t.warning,
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
        centred(area, 64, lines.len() as u16 + 6),
        "Quit",
        lines,
    );
}

pub(crate) fn message(t: &Theme, f: &mut Frame, area: Rect, msg: &str) {
    let lines = vec![
        Line::styled(msg.to_string(), t.text),
        Line::from(""),
        Line::styled("Any key closes this message.", t.muted),
    ];
    popup(t, f, centred(area, 60, 7), "Note", lines);
}

pub(crate) fn profile_picker(m: &Model, t: &Theme, f: &mut Frame, area: Rect, p: &Picker) {
    let popup_area = centred(area, 72, area.height.saturating_sub(4).clamp(8, 24));
    let width = popup_area.width.saturating_sub(2) as usize;
    // Two border rows; the filter on top; the highlighted profile's summary and the keys below.
    let rows = (popup_area.height as usize).saturating_sub(5).max(1);
    let shown = picker::matching(m, &p.filter);
    let sel = p.sel.min(shown.len().saturating_sub(1));
    let top = scroll::top_for(sel, rows);
    let more = scroll::hidden(shown.len(), top, rows);
    let count = format!("{} of {}", shown.len(), m.profiles.len());
    let typed = if p.filter.is_empty() {
        Span::styled("type to filter", t.muted)
    } else {
        Span::styled(format!("{}▏", p.filter), t.accent)
    };
    let used = 8 + typed.content.chars().count() + count.chars().count();
    let mut lines = vec![Line::from(vec![
        Span::styled("Filter: ", t.text),
        typed,
        Span::raw(" ".repeat(width.saturating_sub(used).max(1))),
        Span::styled(count, t.muted),
    ])];
    for (row, &i) in shown.iter().enumerate().skip(top).take(rows) {
        let pr = &m.profiles[i];
        let style = if row == sel { t.selection } else { t.text };
        lines.push(Line::styled(
            format!(
                "{} {:<32} {:<18} {}",
                if row == sel { "▶" } else { " " },
                scroll::ellipsize(&pr.vendor, 32),
                pr.id,
                pr.confidence.as_str()
            ),
            style,
        ));
    }
    if shown.is_empty() {
        lines.push(Line::styled(
            format!(
                "No profile matches '{}': {} edits the filter, {} clears it.",
                p.filter,
                named::backspace(Ctx::Picker, Intent::PickerBackspace),
                named::esc(Ctx::Picker, Intent::PickerClear)
            ),
            t.warning,
        ));
    }
    while lines.len() < rows + 1 {
        lines.push(Line::from(""));
    }
    let summary = shown
        .get(sel)
        .map(|&i| m.profiles[i].summary.clone())
        .unwrap_or_default();
    lines.push(Line::styled(summary, t.muted));
    lines.push(hint_line(m, Ctx::Picker, t));
    list_popup(
        t,
        f,
        popup_area,
        "Profile  (vendor, id, confidence H/M/L)",
        lines,
        more,
    );
}

pub(crate) fn resume(m: &Model, t: &Theme, f: &mut Frame, area: Rect, sel: usize) {
    // Unfinished setups first (Enter continues one), then finished ones (r rotates).
    let n = m.resumable.len() + m.setups.len();
    // The question and a blank on top, a blank and the keys below, two border rows.
    let rows = n.min((area.height as usize).saturating_sub(8)).max(1);
    let top = scroll::top_for(sel, rows);
    let more = scroll::hidden(n, top, rows);
    let rotate = named::ch(Ctx::Resume, 'r', Intent::ResumeRotate);
    let question = match (m.resumable.is_empty(), m.setups.is_empty()) {
        (false, true) => "Unfinished setups were found. Continue one?".to_string(),
        (false, false) => format!(
            "Unfinished setups were found. Continue one? ({rotate} on a finished one rotates its secret)"
        ),
        _ => format!(
            "Your setups here: {rotate} rotates one's secret without downtime ({} too).",
            named::enter(Ctx::Resume, Intent::ResumePick)
        ),
    };
    let mut lines = vec![Line::styled(question, t.text), Line::from("")];
    let all = m
        .resumable
        .iter()
        .map(|r| (r, r.status().clone()))
        .chain(m.setups.iter().map(|r| {
            let status = if r.session.rotation.is_some() {
                "rotation in progress".to_string()
            } else {
                "done · r: rotate".to_string()
            };
            (r, status)
        }));
    for (i, (r, status)) in all.enumerate().skip(top).take(rows) {
        let style = if i == sel { t.selection } else { t.text };
        lines.push(Line::styled(
            format!(
                "{} {:<34} {:<14} {:<26} {}",
                if i == sel { "▶" } else { " " },
                r.session.id,
                r.profile(),
                status,
                r.age
            ),
            style,
        ));
    }
    lines.push(Line::from(""));
    lines.push(hint_line(m, Ctx::Resume, t));
    let h = lines.len() as u16 + 2;
    list_popup(t, f, centred(area, 92, h), "Resume a setup", lines, more);
}

pub(crate) fn confirm_apply(m: &Model, t: &Theme, f: &mut Frame, area: Rect) {
    let p = crate::app::applying::current_plan(m);
    let mut lines = vec![Line::styled(
        format!(
            "Write to Halo now? {} write(s): {}",
            p.writes(),
            p.actions
                .iter()
                .map(|a| format!(
                    "{} {}",
                    match a.kind {
                        crate::plan::Kind::Create => "create",
                        crate::plan::Kind::Update => "update",
                        crate::plan::Kind::Keep => "keep",
                        crate::plan::Kind::Reuse => "reuse",
                    },
                    a.object.label().to_lowercase()
                ))
                .collect::<Vec<_>>()
                .join(", ")
        ),
        t.text,
    )];
    let risks = crate::app::applying::risks(&p);
    if risks.is_empty() {
        lines.push(Line::styled("No risks flagged.", t.muted));
    } else {
        lines.push(Line::styled("Risks:", t.warning));
        for r in risks {
            lines.push(Line::styled(format!("⚠ {r}"), t.warning));
        }
    }
    lines.push(Line::from(""));
    lines.push(Line::styled(
        "Every step is journaled: if interrupted, the setup can be resumed.",
        t.muted,
    ));
    let (apply, cancel) = (Intent::StartApply, Intent::CloseOverlay);
    lines.push(Line::from(vec![
        Span::styled(named::ch(Ctx::ConfirmApply, 'y', apply), t.accent),
        Span::styled(
            format!("/{} apply   ", named::enter(Ctx::ConfirmApply, apply)),
            t.muted,
        ),
        Span::styled(named::ch(Ctx::ConfirmApply, 'n', cancel), t.accent),
        Span::styled(
            format!("/{} cancel", named::esc(Ctx::ConfirmApply, cancel)),
            t.muted,
        ),
    ]));
    let h = (lines.len() as u16 + 2).saturating_add(4);
    popup(t, f, centred(area, 76, h), "Apply", lines);
}

pub(crate) fn save_path(m: &Model, t: &Theme, f: &mut Frame, area: Rect, path: &str) {
    let lines = vec![
        Line::styled(
            "Save the credentials (with the secret, mode 0600) to:",
            t.text,
        ),
        Line::styled(format!("{path}▏"), t.accent),
        Line::from(""),
        Line::styled(
            ".env, .json or .toml; the folder must exist; asks before replacing.",
            t.muted,
        ),
        hint_line(m, Ctx::SavePath, t),
    ];
    popup(t, f, centred(area, 76, 9), "Save hand-over", lines);
}

/// A yes/no pop-up whose "yes" is `key`: two lines of what is at stake, then the keys.
fn question(t: &Theme, f: &mut Frame, area: Rect, title: &str, what: [Line; 2], key: [&str; 2]) {
    let lines = vec![
        what[0].clone(),
        what[1].clone(),
        Line::from(""),
        Line::from(vec![
            Span::styled(key[0], t.accent),
            Span::styled(format!(" {}   ", key[1]), t.muted),
            Span::styled("any other key", t.accent),
            Span::styled(" keeps it", t.muted),
        ]),
    ];
    popup(t, f, centred(area, 76, 9), title, lines);
}

pub(crate) fn confirm_overwrite(t: &Theme, f: &mut Frame, area: Rect, path: &str) {
    let what = [
        Line::styled(format!("{path} already exists."), t.warning),
        Line::styled(
            "Replace it with the credentials? What it holds now would be lost.",
            t.text,
        ),
    ];
    question(t, f, area, "File exists", what, ["y", "replace it"]);
}

pub(crate) fn confirm_wipe(m: &Model, t: &Theme, f: &mut Frame, area: Rect) {
    let id = m.apply.session_id.as_deref().unwrap_or("?");
    let what = [
        Line::styled(
            format!(
                "The client secret was neither copied ({}) nor saved ({}).",
                named::ch(Ctx::HandOver, 'c', Intent::Copy),
                named::ch(Ctx::HandOver, 's', Intent::SavePrompt)
            ),
            t.error,
        ),
        Line::styled(
            format!(
                "Confirming wipes the only copy: Halo will not show it again, and the vendor would need a new secret ({}).",
                crate::plan::handover::new_secret_command(id)
            ),
            t.text,
        ),
    ];
    question(
        t,
        f,
        area,
        "Wipe the only copy?",
        what,
        ["w", "wipe it anyway"],
    );
}

/// After `c`: OSC 52 may have gone nowhere (tmux, many SSH clients drop it) and nothing tells
/// the wizard; only the admin can say the paste arrived.
pub(crate) fn confirm_pasted(t: &Theme, f: &mut Frame, area: Rect) {
    let lines = vec![
        Line::styled(
            "The secret was sent to the clipboard (OSC 52); a terminal, tmux or SSH client may drop it, and nothing tells the wizard.",
            t.warning,
        ),
        Line::styled(
            "Paste it where it goes (the vendor's form, a password manager) and check it is all there. Wiping it here cannot be undone: Halo will not show it again.",
            t.text,
        ),
        Line::from(""),
        Line::from(vec![
            Span::styled("y", t.accent),
            Span::styled(" the paste arrived: wipe it here   ", t.muted),
            Span::styled("s", t.accent),
            Span::styled(" save to a file instead   ", t.muted),
            Span::styled("any other key", t.accent),
            Span::styled(" keeps it", t.muted),
        ]),
    ];
    popup(t, f, centred(area, 76, 11), "Did the paste arrive?", lines);
}

/// Halo's authinfo points the login to another server: the secret goes there only on `y`.
pub(crate) fn confirm_auth_url(m: &Model, t: &Theme, f: &mut Frame, area: Rect, url: &str) {
    let typed = match m.answers.connection.mode {
        crate::answers::ConnectionMode::Hosted => m.answers.connection.url.trim(),
        crate::answers::ConnectionMode::OnPremise => m.answers.connection.resource_url.trim(),
    };
    let lines = vec![
        Line::styled(
            format!(
                "Halo at {} says its login server is:",
                crate::text::line_max(typed, 60)
            ),
            t.text,
        ),
        Line::styled(format!("  {}", crate::text::line_max(url, 70)), t.accent),
        Line::from(""),
        Line::styled(
            "That is another server than the one you typed: your client secret would be sent there.",
            t.warning,
        ),
        Line::styled(
            "Send it only if Configuration > Integrations > Halo API > API Details shows this authorisation server.",
            t.muted,
        ),
        Line::from(""),
        Line::from(vec![
            Span::styled("y", t.accent),
            Span::styled(" send the secret there   ", t.muted),
            Span::styled("any other key", t.accent),
            Span::styled(" cancel", t.muted),
        ]),
    ];
    popup(t, f, centred(area, 80, 12), "Another login server", lines);
}

/// After a connect: save this Halo (address and Client ID, never the secret) as an instance.
pub(crate) fn save_instance(m: &Model, t: &Theme, f: &mut Frame, area: Rect, name: &str) {
    let c = crate::app::instance::candidate(m);
    let file = m
        .instances
        .as_ref()
        .map(|s| s.path.display().to_string())
        .unwrap_or_default();
    let lines = vec![
        Line::styled(
            format!(
                "Save {} for next time? Name:",
                crate::text::line_max(c.address().unwrap_or_default(), 50)
            ),
            t.text,
        ),
        Line::styled(format!("{name}▏"), t.accent),
        Line::from(""),
        Line::styled(
            format!(
                "Kept in {}: the address and Client ID, never the secret. Then: halo-onboard apply --instance {name} …",
                crate::text::line_max(&file, 60)
            ),
            t.muted,
        ),
        hint_line(m, Ctx::SaveInstance, t),
    ];
    popup(t, f, centred(area, 76, 9), "Save this Halo", lines);
}

/// The name is taken by an instance that says something else.
pub(crate) fn confirm_instance_replace(
    m: &Model,
    t: &Theme,
    f: &mut Frame,
    area: Rect,
    name: &str,
) {
    let old = m
        .instances
        .as_ref()
        .and_then(|s| s.saved.get(name))
        .and_then(|i| i.address())
        .unwrap_or("another Halo");
    let what = [
        Line::styled(
            format!(
                "An instance '{name}' is saved already: {}.",
                crate::text::line_max(old, 50)
            ),
            t.warning,
        ),
        Line::styled("Replace it with this Halo and Client ID?", t.text),
    ];
    question(t, f, area, "Instance exists", what, ["y", "replace it"]);
}
