//! The body: the current step's form, built as lines, scrolled so the focused field is visible.

use ratatui::Frame;
use ratatui::layout::{Position, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph};

use crate::answers::RoleMode;
use crate::app::fields::{self, Behaviour, Tone, feature_area, scope_name};
use crate::app::validate::{field_error, scope_warnings, validate};
use crate::app::{ConnState, Field, Model, Step, Widget};
use crate::halo::scopes;

use super::Theme;
use super::body::Body;
use super::named;
use super::spinner::SPINNER;
use crate::app::keys::{Ctx, Intent};

/// The label column, narrower on a narrow screen so the values keep room.
fn label_w(width: usize) -> usize {
    width.saturating_sub(34).clamp(20, 32)
}

/// Fits a label into the label column, marking a cut with an ellipsis.
fn fit(label: String, w: usize) -> String {
    if label.chars().count() < w {
        return label;
    }
    super::scroll::ellipsize(&label, w - 1)
}

/// The body's lines for the current step at `width` (notes wrapped to it), with where the
/// focus and the cursor are and what must be seen whole.
pub(super) fn build<'a>(m: &Model, t: &Theme, width: u16) -> Body<'a> {
    let mut b = Body::new(width as usize);
    match m.step {
        Step::Submit => super::submit::render(m, t, &mut b),
        _ => form(m, t, &mut b),
    }
    b
}

/// The first line shown and how many are shown in `h` rows: the focused field (a form) or the
/// scrolled position (Submit) in view; when lines are left below, the last row says so.
fn window(m: &Model, b: &Body, h: usize) -> (usize, usize) {
    let total = b.lines.len();
    if total <= h {
        return (0, h);
    }
    let want = |rows: usize| {
        if m.step == Step::Submit {
            m.plan_scroll
        } else {
            match b.focus_line {
                Some(fl) if fl + 2 > rows => fl + 2 - rows,
                _ => 0,
            }
        }
    };
    let full = want(h).min(total - h);
    if full + h >= total {
        return (full, h);
    }
    let rows = h.saturating_sub(1).max(1);
    (want(rows).min(total - rows), rows)
}

/// Draws the body `b` in `area`: the step's title, the lines in view, and "↑ N more" / "↓ N
/// more" where lines lie outside it.
pub(super) fn draw(m: &Model, t: &Theme, f: &mut Frame, area: Rect, b: Body) {
    let title = format!(" {} · {} ", m.step.index() + 1, m.step.title());
    let block = Block::default()
        .borders(Borders::TOP)
        .border_style(t.border)
        .title(Span::styled(title, t.title));
    let inner = block.inner(area);
    let h = inner.height as usize;
    let (offset, rows) = window(m, &b, h);
    let (above, below) = super::scroll::hidden(b.lines.len(), offset, rows);
    let block = super::scroll::marked(block, above, 0, t);
    f.render_widget(block, area);
    if let Some((line, col)) = b.cursor
        && line >= offset
        && line - offset < rows
        && m.overlay == crate::app::Overlay::None
    {
        f.set_cursor_position(Position::new(
            inner.x + col.min(inner.width.saturating_sub(1)),
            inner.y + (line - offset) as u16,
        ));
    }
    let shown = Rect {
        height: rows.min(h) as u16,
        ..inner
    };
    let p = Paragraph::new(b.lines)
        .style(t.text)
        .scroll((offset.min(u16::MAX as usize) as u16, 0));
    f.render_widget(p, shown);
    if let Some(more) = super::scroll::more(below, false) {
        let last = Rect {
            y: inner.y + inner.height.saturating_sub(1),
            height: 1,
            ..inner
        };
        f.render_widget(
            Paragraph::new(Line::styled(format!("{more} "), t.accent).right_aligned()),
            last,
        );
    }
}

fn form(m: &Model, t: &Theme, b: &mut Body) {
    let label_w = label_w(b.width);
    let value_w = b.width.saturating_sub(label_w + 4).max(1);
    let focused = m.focused();
    let fields = m.fields();
    intro(m, t, b);
    for fld in fields.iter().copied() {
        if fld == crate::app::Field::LogPane {
            continue;
        }
        before(m, t, b, fld);
        let is_focus = fld == focused;
        if is_focus {
            b.focus_line = Some(b.lines.len());
        }
        let (mut value, vstyle, cursor_col) = value_of(m, t, fld, is_focus, value_w);
        // A text value wider than its column (a GUID client id at 60 columns) is shown whole
        // under its label while not edited, never cut where no one can tell.
        let whole = m.input_value(fld);
        let below = fld.kind() == Widget::Text
            && !is_focus
            && whole.chars().count() > value_w
            && !whole.is_empty();
        if below {
            value = String::new();
        }
        let marker = if is_focus { "▶ " } else { "  " };
        let lstyle = if is_focus { t.selection } else { t.text };
        let line = if fld.kind() == Widget::Button {
            Line::from(vec![
                Span::styled(marker, t.accent),
                Span::styled(format!("[ {} ]", fld.label(m)), lstyle),
                Span::styled(format!("  {value}"), vstyle),
            ])
        } else {
            Line::from(vec![
                Span::styled(marker, t.accent),
                Span::styled(
                    format!("{:<w$}", fit(marked_label(m, fld), label_w), w = label_w),
                    if crate::app::picker::asked(m, fld) && !is_focus {
                        t.warning
                    } else {
                        lstyle
                    },
                ),
                Span::raw(" "),
                Span::styled(value, vstyle),
            ])
        };
        if let Some(c) = cursor_col {
            b.cursor = Some((b.lines.len(), (2 + label_w + 1 + c) as u16));
        }
        b.push(line);
        if below {
            b.verbatim(vstyle, whole);
        }
        if let Some(e) = field_error(m, fld) {
            b.note(t.error, format!("✗ {e}"));
        }
        after(m, t, b, fld);
    }
    outro(m, t, b);
    // The connection's result is at the bottom of a short form: seen whole, log or not.
    if m.step == Step::Connect {
        b.keep_all();
    }
}

/// Shown value, its style, and the cursor column inside the value while typing.
fn value_of(
    m: &Model,
    t: &Theme,
    f: Field,
    focus: bool,
    width: usize,
) -> (String, Style, Option<usize>) {
    match f.spec().behaviour {
        Behaviour::Text(spec) => {
            let v = m.input_value(f);
            if v.is_empty() && !focus {
                return (spec.placeholder.to_string(), t.muted, None);
            }
            let fresh;
            let input = match m.inputs.get(&f) {
                Some(i) => i,
                None => {
                    fresh = tui_input::Input::new(v.to_string());
                    &fresh
                }
            };
            let scroll = input.visual_scroll(width);
            let shown: String = v.chars().skip(scroll).take(width).collect();
            let cur = input.visual_cursor().saturating_sub(scroll);
            (shown, t.text, focus.then_some(cur))
        }
        Behaviour::Secret => {
            let n = m.secret.chars();
            if n == 0 && !focus {
                return ("(not stored anywhere)".into(), t.muted, None);
            }
            let shown = super::mask::mask(n, width.saturating_sub(1));
            let end = shown.chars().count();
            (shown, t.text, focus.then_some(end))
        }
        Behaviour::Log => (String::new(), t.muted, None),
        _ => {
            let (text, tone) = fields::shown(m, f);
            let style = match tone {
                Tone::Normal => t.text,
                Tone::Muted => t.muted,
                Tone::Accent => t.accent,
            };
            (fit_value(text, width), style, None)
        }
    }
}

/// A value cut to the value column with an ellipsis; a choice keeps its arrows.
fn fit_value(text: String, width: usize) -> String {
    use super::scroll::ellipsize;
    if text.chars().count() <= width {
        return text;
    }
    match text.strip_prefix("◀ ").and_then(|x| x.strip_suffix(" ▶")) {
        Some(inner) => format!("◀ {} ▶", ellipsize(inner, width.saturating_sub(4).max(1))),
        None => ellipsize(&text, width),
    }
}

fn intro(m: &Model, t: &Theme, b: &mut Body) {
    let text = match m.step {
        Step::Connect => "Where is Halo, and which admin API application may the wizard use?",
        Step::Role => "The role the new agent gets. Its feature access caps what the API can do.",
        Step::Agent => "The API-only agent the application logs in as.",
        Step::Application => "The API application the vendor will use.",
        Step::Permissions => "Scopes the application may request (Space toggles).",
        Step::Submit => "",
    };
    b.wrapped(t.muted, "", text);
    questions(m, t, b);
    if m.step != Step::Permissions && m.show_errors[m.step.index()] && m.step != Step::Submit {
        let issues = validate(m, m.step);
        // Which fields stop Next, named at the top (a long form may have them out of view).
        let fields = crate::app::validate::fields_line(m, &issues);
        if !fields.is_empty() {
            b.wrapped(t.error, "", &format!("✗ To fix before going on: {fields}"));
        }
        for i in issues.into_iter().filter(|i| i.field.is_none()) {
            b.wrapped(t.error, "", &format!("✗ {}", i.message));
        }
    }
    if m.step == Step::Permissions {
        let n = m.answers.scopes.len();
        b.push(Line::styled(format!("{n} scope(s) ticked"), t.muted));
        for w in scope_warnings(m) {
            b.wrapped(t.warning, "", &format!("⚠ {w}"));
        }
        if m.show_errors[m.step.index()] {
            for i in validate(m, m.step)
                .into_iter()
                .filter(|i| i.field.is_none())
            {
                b.push(Line::styled(format!("✗ {}", i.message), t.error));
            }
        }
    }
    b.blank();
}

fn marked_label(m: &Model, f: Field) -> String {
    if crate::app::picker::asked(m, f) {
        format!("⚑ {}", f.label(m))
    } else {
        f.label(m)
    }
}

/// What the picked profile leaves to the user on this step, highlighted.
fn questions(m: &Model, t: &Theme, b: &mut Body) {
    use crate::profile::Question;
    let Some(p) = &m.profile else { return };
    let mut asks = Vec::new();
    for q in p.questions() {
        let (step, what) = match q {
            Question::DefaultTeam => (Step::Agent, "the default team"),
            Question::Teams => (Step::Agent, "the teams the agent joins"),
            Question::Departments => (Step::Agent, "the departments the agent joins"),
            Question::Areas => (
                Step::Role,
                "which areas it reads or edits (Feature access below: Read Only or Read and Modify; the scopes follow)",
            ),
        };
        if step == m.step {
            asks.push(what.to_string());
        }
    }
    // The names it leaves empty (Custom), on their steps.
    for f in crate::app::picker::left_to_user(p) {
        if m.fields().contains(&f) {
            asks.push(format!("the {}", f.label(m).to_lowercase()));
        }
    }
    if !asks.is_empty() {
        b.wrapped(
            t.warning,
            "",
            &format!("⚑ {} leaves to you: {}", p.vendor, asks.join("; ")),
        );
    }
}

fn before(m: &Model, t: &Theme, b: &mut Body, f: Field) {
    match f {
        Field::RoleFeature(i) => {
            let group = feature_area(i).map(|d| d.group);
            let prev = i.checked_sub(1).and_then(feature_area).map(|d| d.group);
            if let Some(g) = group.filter(|g| Some(*g) != prev) {
                b.blank();
                b.header(t, g.label());
            }
        }
        Field::Team(0) => {
            b.blank();
            b.header(t, "Teams");
        }
        Field::Department(0) => {
            b.blank();
            b.header(t, "Departments");
        }
        Field::Workday => {
            if m.lookups.teams.is_empty() && m.lookups.departments.is_empty() {
                b.note(t.muted, "(teams and departments appear once connected)");
            }
            b.blank();
        }
        Field::Scope(i) => {
            if let Some(name) = scope_name(i)
                && let Some(area) = scopes::area_of(name)
                && area.scopes.first() == Some(&name)
            {
                b.header(t, area.label);
            }
        }
        _ => {}
    }
}

fn after(m: &Model, t: &Theme, b: &mut Body, f: Field) {
    match f {
        // A bare host is taken as https://: say so, so the address used is never a guess.
        Field::Url | Field::ResourceUrl | Field::AuthUrl => {
            if let Some(full) = crate::app::url::url_meaning(m.input_value(f)) {
                b.note(t.muted, format!("means {full}"));
            }
        }
        // The focused permission in full, with Halo's claim code and the levels of its scale.
        Field::RoleFeature(i) if m.focused() == f => {
            if let Some(d) = feature_area(i) {
                let levels: Vec<&str> = d.scale.iter().map(|l| l.label).collect();
                b.wrapped(
                    t.muted,
                    "    ",
                    &format!(
                        "{} (claim {}): Not set, {}",
                        d.label,
                        d.code,
                        levels.join(", ")
                    ),
                );
            }
        }
        Field::AgentName => same_name_agents(m, t, b),
        Field::RolePick => reused_role(m, t, b),
        Field::AppActive => {
            b.note(
                t.muted,
                "Authentication method: Client ID and Secret (Services)",
            );
            b.note(t.muted, "Login type: Agent");
        }
        _ => {}
    }
}

/// Agents Halo already has under the typed username.
fn same_name_agents(m: &Model, t: &Theme, b: &mut Body) {
    let same = m.lookups.agents_named(&m.answers.agent.name);
    if !same.is_empty() {
        b.note(
            t.warning,
            format!(
                "⚠ Halo already has {} agent(s) named '{}'; pick another username:",
                same.len(),
                m.answers.agent.name
            ),
        );
        for a in same {
            b.note(
                t.warning,
                format!(
                    "   id {} {} {}{}",
                    a.id.map(|i| i.to_string()).unwrap_or_default(),
                    a.name,
                    if a.isapiagent { "(API agent)" } else { "" },
                    if a.isdisabled { " (disabled)" } else { "" }
                ),
            );
        }
    }
}

/// What the reused role grants.
fn reused_role(m: &Model, t: &Theme, b: &mut Body) {
    if let RoleMode::Reuse(id) = &m.answers.role.mode
        && let Some(r) = m.lookups.role_by_key(id)
    {
        b.note(
            t.muted,
            format!("Administrator: {}", if r.is_admin() { "yes" } else { "no" }),
        );
        let granted: Vec<String> = r
            .permissions()
            .entries()
            .into_iter()
            .filter(|(d, _)| d.code != crate::halo::dialect::claims::ADMIN)
            .map(|(d, l)| format!("{}: {}", d.label, l.label))
            .collect();
        if !r.is_admin() {
            b.note(
                t.muted,
                if granted.is_empty() {
                    "No Feature Access set".to_string()
                } else {
                    granted.join(", ")
                },
            );
        }
    }
}

fn outro(m: &Model, t: &Theme, b: &mut Body) {
    if m.step != Step::Connect {
        return;
    }
    b.blank();
    match &m.conn {
        // In a text field letters are text: the hint names the keys that test from there.
        ConnState::NotConnected if m.focused().takes_text() => b.push(Line::styled(
            format!(
                "Not connected yet: test the connection ({}, or {} on Test connection).",
                named::ctrl(Ctx::Everywhere, 'n', Intent::NextStep),
                named::enter(Ctx::NotTyping, Intent::Activate)
            ),
            t.muted,
        )),
        ConnState::NotConnected => b.push(Line::styled(
            format!(
                "Not connected yet: test the connection ({}).",
                named::ch(Ctx::Connect, 't', Intent::TestConnection)
            ),
            t.muted,
        )),
        ConnState::Connecting => {
            b.push(Line::styled(
                format!("{} Connecting…", SPINNER[m.spinner % SPINNER.len()]),
                t.accent,
            ));
            if let Some(w) = &m.backoff {
                b.note(t.warning, w.text());
            }
        }
        ConnState::Connected(c) => {
            b.wrapped(t.success, "", &format!("✓ Connected as {}", c.agent_name));
            b.note(t.muted, format!("token scopes: {}", c.scopes.join(" ")));
            if c.missing.is_empty() {
                b.note(t.success, "can administer roles, agents and applications");
            } else {
                b.note(
                    t.warning,
                    "⚠ may not be able to create roles, agents and applications:",
                );
                for what in &c.missing {
                    b.note(t.warning, format!("  - {what}"));
                }
            }
        }
        ConnState::Failed { message, hint } => {
            b.wrapped(t.error, "", &format!("✗ {message}"));
            b.note(t.warning, hint.clone());
        }
    }
    if m.show_errors[0]
        && !m.is_connected()
        && validate(m, Step::Connect).is_empty()
        && m.conn != ConnState::Connecting
    {
        b.push(Line::styled(
            "✗ Test the connection before going on.",
            t.error,
        ));
    }
}
