//! The body: the current step's form, built as lines, scrolled so the focused field is visible.

use ratatui::Frame;
use ratatui::layout::{Position, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph};

use crate::answers::{ConnectionMode, RoleMode};
use crate::app::fields::{feature_area, label, scope_name};
use crate::app::validate::{field_error, scope_warnings, validate};
use crate::app::{ConnState, Field, Kind, Model, Step};
use crate::halo::scopes;

use super::{SPINNER, Theme};

const LABEL_W: usize = 32;

/// Fits a label into the label column, marking a cut with an ellipsis.
fn fit(label: String) -> String {
    if label.chars().count() < LABEL_W {
        return label;
    }
    let mut s: String = label.chars().take(LABEL_W - 2).collect();
    s.push('…');
    s
}

pub(super) struct Body<'a> {
    pub(super) width: usize,
    pub(super) lines: Vec<Line<'a>>,
    pub(super) focus_line: Option<usize>,
    cursor: Option<(usize, u16)>,
}

impl<'a> Body<'a> {
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
    pub(super) fn blank(&mut self) {
        self.lines.push(Line::from(""));
    }
    pub(super) fn header(&mut self, t: &Theme, text: &str) {
        self.lines.push(Line::styled(text.to_string(), t.accent));
    }
}

pub fn render(m: &Model, t: &Theme, f: &mut Frame, area: Rect) {
    let title = format!(" {} · {} ", m.step.index() + 1, m.step.title());
    let block = Block::default()
        .borders(Borders::TOP)
        .border_style(t.border)
        .title(Span::styled(title, t.title));
    let inner = block.inner(area);
    f.render_widget(block, area);
    let mut b = Body {
        width: inner.width as usize,
        lines: Vec::new(),
        focus_line: None,
        cursor: None,
    };
    let value_w = (inner.width as usize).saturating_sub(LABEL_W + 4).max(1);
    match m.step {
        Step::Submit => super::submit::render(m, t, &mut b),
        _ => form(m, t, &mut b, value_w),
    }
    let h = inner.height as usize;
    let offset = if m.step == Step::Submit {
        m.plan_scroll.min(b.lines.len().saturating_sub(1))
    } else {
        match b.focus_line {
            Some(fl) if fl + 2 > h => fl + 2 - h,
            _ => 0,
        }
    };
    if let Some((line, col)) = b.cursor
        && line >= offset
        && line - offset < h
        && m.overlay == crate::app::Overlay::None
    {
        f.set_cursor_position(Position::new(
            inner.x + col.min(inner.width.saturating_sub(1)),
            inner.y + (line - offset) as u16,
        ));
    }
    let p = Paragraph::new(b.lines)
        .style(t.text)
        .scroll((offset.min(u16::MAX as usize) as u16, 0));
    f.render_widget(p, inner);
}

fn form(m: &Model, t: &Theme, b: &mut Body, value_w: usize) {
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
        let (value, vstyle, cursor_col) = value_of(m, t, fld, is_focus, value_w);
        let marker = if is_focus { "▶ " } else { "  " };
        let lstyle = if is_focus { t.selection } else { t.text };
        let line = if fld.kind() == Kind::Button {
            Line::from(vec![
                Span::styled(marker, t.accent),
                Span::styled(format!("[ {} ]", label(m, fld)), lstyle),
                Span::styled(format!("  {value}"), vstyle),
            ])
        } else {
            Line::from(vec![
                Span::styled(marker, t.accent),
                Span::styled(
                    format!("{:<w$}", fit(marked_label(m, fld)), w = LABEL_W),
                    if asked(m, fld) && !is_focus {
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
            b.cursor = Some((b.lines.len(), (2 + LABEL_W + 1 + c) as u16));
        }
        b.push(line);
        if let Some(e) = field_error(m, fld) {
            b.note(t.error, format!("✗ {e}"));
        }
        after(m, t, b, fld);
    }
    outro(m, t, b);
}

/// Shown value, its style, and the cursor column inside the value while typing.
fn value_of(
    m: &Model,
    t: &Theme,
    f: Field,
    focus: bool,
    width: usize,
) -> (String, Style, Option<usize>) {
    let a = &m.answers;
    let toggle = |on: bool| (if on { "[x]" } else { "[ ]" }.to_string(), t.text, None);
    let choice = |s: String| (format!("◀ {s} ▶"), t.text, None);
    match f.kind() {
        Kind::Text => {
            let input = m.inputs.get(&f);
            let v = input.map(|i| i.value()).unwrap_or_default();
            if v.is_empty() && !focus {
                return (placeholder(f).to_string(), t.muted, None);
            }
            let scroll = input.map(|i| i.visual_scroll(width)).unwrap_or(0);
            let shown: String = v.chars().skip(scroll).take(width).collect();
            let cur = input.map(|i| i.visual_cursor().saturating_sub(scroll));
            (shown, t.text, if focus { cur } else { None })
        }
        Kind::Secret => {
            let n = m.secret.chars();
            if n == 0 && !focus {
                return ("(not stored anywhere)".into(), t.muted, None);
            }
            let shown = n.min(width.saturating_sub(1));
            ("•".repeat(shown), t.text, focus.then_some(shown))
        }
        Kind::Button if f == Field::Profile => match &m.profile {
            Some(p) => (
                format!(
                    "{} ({}, confidence {})",
                    p.vendor,
                    p.id,
                    p.confidence.as_str()
                ),
                t.accent,
                None,
            ),
            None => (
                "none: answer every step yourself (Enter to pick)".into(),
                t.muted,
                None,
            ),
        },
        Kind::Button => (String::new(), t.muted, None),
        Kind::Log => (String::new(), t.muted, None),
        Kind::Toggle | Kind::Choice => match f {
            Field::Mode => choice(
                match a.connection.mode {
                    ConnectionMode::Hosted => "Hosted (one Halo URL)",
                    ConnectionMode::OnPremise => "On-premise (separate servers)",
                }
                .into(),
            ),
            Field::RoleMode => choice(
                match a.role.mode {
                    RoleMode::Create => "Create a new role",
                    RoleMode::Reuse(_) => "Reuse an existing role",
                }
                .into(),
            ),
            Field::RolePick => choice(match &a.role.mode {
                RoleMode::Reuse(id) => m
                    .lookups
                    .role_by_key(id)
                    .map(|r| r.name.clone())
                    .unwrap_or_else(|| "(none: connect to load roles)".into()),
                RoleMode::Create => String::new(),
            }),
            Field::RoleFeature(i) => {
                let code = feature_area(i).map(|x| x.code).unwrap_or("");
                let lvl = a.role.permissions.get(code);
                let style = if lvl.is_none() { t.muted } else { t.text };
                (
                    format!("◀ {} ▶", lvl.map_or("Not set", |l| l.label)),
                    style,
                    None,
                )
            }
            Field::RoleAdmin => toggle(a.role.permissions.admin()),
            Field::Active => toggle(a.agent.active),
            Field::ApiOnly => toggle(a.agent.api_only),
            Field::ApprovePo => toggle(a.agent.can_approve_purchaseorder),
            Field::ApproveInvoice => toggle(a.agent.can_approve_invoice),
            Field::AppActive => toggle(a.application.active),
            Field::DefaultTeam => choice(match a.agent.default_team.as_deref() {
                None => "No Default Team".into(),
                Some("") => "(choose one)".into(),
                Some(n) => n.to_string(),
            }),
            Field::Team(i) => {
                let name = m
                    .lookups
                    .teams
                    .get(i)
                    .map(|x| x.name.as_str())
                    .unwrap_or("");
                toggle(
                    m.team_answer(name).is_some() || m.team_answer(crate::answers::ALL).is_some(),
                )
            }
            Field::TeamUnassigned(i) | Field::TeamOthers(i) => {
                let name = m
                    .lookups
                    .teams
                    .get(i)
                    .map(|x| x.name.as_str())
                    .unwrap_or("");
                let ta = m.team_answer(name);
                toggle(ta.is_some_and(|x| {
                    if matches!(f, Field::TeamUnassigned(_)) {
                        x.unassigned_access
                    } else {
                        x.otheragent_access
                    }
                }))
            }
            Field::Department(i) => {
                let name = m
                    .lookups
                    .departments
                    .get(i)
                    .map(|x| x.name.as_str())
                    .unwrap_or("");
                let lvl = a
                    .agent
                    .departments
                    .iter()
                    .find(|d| d.name.eq_ignore_ascii_case(name))
                    .map(|d| d.level.label())
                    .unwrap_or("Not a member");
                choice(lvl.into())
            }
            Field::Workday => choice(a.agent.workday.clone()),
            Field::LoginAgent => choice(match &a.application.login_agent {
                Some(n) => n.clone(),
                None => format!(
                    "the new agent ({})",
                    if a.agent.name.is_empty() {
                        "Agent step"
                    } else {
                        &a.agent.name
                    }
                ),
            }),
            Field::Scope(i) => {
                let name = scope_name(i).unwrap_or("");
                let on = a.scopes.iter().any(|s| s == name);
                let mut s = if on { "[x]" } else { "[ ]" }.to_string();
                if let Some(w) = scopes::warning(name) {
                    s.push_str(&format!("  ⚠ {w}"));
                }
                (s, if on { t.text } else { t.muted }, None)
            }
            _ => (String::new(), t.text, None),
        },
    }
}

fn placeholder(f: Field) -> &'static str {
    match f {
        Field::Url => "https://acme.halopsa.com",
        Field::ResourceUrl => "https://halo.example.com/api",
        Field::AuthUrl => "https://halo.example.com/auth",
        Field::Tenant => "(optional)",
        Field::ClientId => "client id of an admin API application",
        Field::RoleName => "e.g. Vendor API",
        Field::AgentName => "e.g. vendor-api",
        Field::Initials => "max 3",
        Field::Email => "(optional) name@example.com",
        Field::AppName => "e.g. Vendor integration",
        _ => "",
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
    b.push(Line::styled(text, t.muted));
    questions(m, t, b);
    if m.step != Step::Permissions && m.show_errors[m.step.index()] && m.step != Step::Submit {
        for i in validate(m, m.step)
            .into_iter()
            .filter(|i| i.field.is_none())
        {
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

/// The profile asks the user to answer this field.
fn asked(m: &Model, f: Field) -> bool {
    use crate::profile::Question;
    match f {
        Field::DefaultTeam => m.asks(Question::DefaultTeam),
        Field::Team(_) => m.asks(Question::Teams),
        Field::Department(_) => m.asks(Question::Departments),
        Field::RoleFeature(_) => m.asks(Question::Areas),
        _ => false,
    }
}

fn marked_label(m: &Model, f: Field) -> String {
    if asked(m, f) {
        format!("⚑ {}", label(m, f))
    } else {
        label(m, f)
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
            asks.push(what);
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
        Field::AgentName => {
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
        Field::RolePick => {
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

fn outro(m: &Model, t: &Theme, b: &mut Body) {
    if m.step != Step::Connect {
        return;
    }
    b.blank();
    match &m.conn {
        ConnState::NotConnected => b.push(Line::styled(
            "Not connected yet: test the connection (t).",
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
            b.push(Line::styled(
                format!("✓ Connected as {}", c.agent_name),
                t.success,
            ));
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
