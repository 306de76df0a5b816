//! The focusable fields of each step and what each one is: one [`Spec`] per field says how it
//! is labelled, what it offers, how it reads and writes its answer and how it is checked. The
//! keys (`update`), the form (`ui::form`) and validation read the spec; adding a field is its
//! variant, its spec, and its place in [`fields`].
//!
//! The field list is computed from the model (on-premise shows three URL fields, each Halo team
//! a toggle), so focus is an index into `fields(model, step)`.

use crate::answers::agent::{self, Group};
use crate::answers::{
    ALL, Answers, ConnectionMode, DepartmentAnswer, RoleMode as AnswerRoleMode, TeamAnswer,
};
use crate::halo::columns::{self, Column};
use crate::halo::dialect::ClaimDef;
use crate::halo::dialect::claims;
use crate::halo::model::MembershipLevel;
use crate::halo::scopes;
use crate::profile::Question;

pub use super::field::Field;
use super::model::{Model, Step};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Text,
    Secret,
    Toggle,
    Choice,
    Button,
    Log,
}

/// How a shown value is toned (the theme picks the colour).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tone {
    Normal,
    Muted,
    Accent,
}

/// A label that is fixed, or worked out from the model (a team's name).
#[derive(Clone, Copy)]
pub enum Label {
    Fixed(&'static str),
    Of(fn(&Model, usize) -> String),
}

/// A rule a value must meet; the message says what is wrong.
pub type Check = fn(&Model, usize) -> Option<String>;

/// Text typed into an answer. The functions take the field's index (a row of a table).
#[derive(Clone, Copy)]
pub struct TextSpec {
    pub label: &'static str,
    pub placeholder: &'static str,
    pub get: fn(&Answers, usize) -> &String,
    pub slot: fn(&mut Answers, usize) -> &mut String,
    /// Part of the connection: a change invalidates the connection test.
    pub connection: bool,
    /// The rule its value must meet.
    pub rule: fn(&str, usize) -> Option<String>,
    /// The field's index, passed to the functions.
    pub index: usize,
}

impl TextSpec {
    /// The answer.
    pub fn value<'a>(&self, a: &'a Answers) -> &'a String {
        (self.get)(a, self.index)
    }
    /// Where the answer is written.
    pub fn value_mut<'a>(&self, a: &'a mut Answers) -> &'a mut String {
        (self.slot)(a, self.index)
    }
    /// What the rule says about `v` (`None`: fine).
    pub fn check(&self, v: &str) -> Option<String> {
        (self.rule)(v, self.index)
    }
}

/// On or off.
#[derive(Clone, Copy)]
pub struct ToggleSpec {
    pub label: Label,
    pub get: fn(&Model, usize) -> bool,
    pub flip: fn(&mut Model, usize),
    /// Said after the box (a scope's warning).
    pub note: fn(usize) -> Option<&'static str>,
    /// Shown muted while off (the long scope list).
    pub muted_off: bool,
}

/// One of a list of values; Left/Right (and Enter) step through them.
#[derive(Clone, Copy)]
pub struct ChoiceSpec {
    pub label: Label,
    /// The values, as shown.
    pub options: fn(&Model, usize) -> Vec<String>,
    /// Which of them the answers hold (`None`: none of them).
    pub current: fn(&Model, usize) -> Option<usize>,
    /// Puts option `j` into the answers.
    pub choose: fn(&mut Model, usize, usize),
    /// Shown when the answers hold none of the options.
    pub otherwise: fn(&Model, usize) -> String,
    /// The first option (e.g. "Not set") is shown muted.
    pub muted_first: bool,
    /// Part of the connection: a change invalidates the connection test.
    pub connection: bool,
}

/// What a button runs (the step handlers run it: the spec names it and calls none of them).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Press {
    OpenPicker,
    TestConnection,
    RequestApply,
}

/// Runs something.
#[derive(Clone, Copy)]
pub struct ButtonSpec {
    pub label: &'static str,
    pub press: Press,
    /// Shown after the button.
    pub value: fn(&Model) -> (String, Tone),
}

#[derive(Clone, Copy)]
pub enum Behaviour {
    Text(TextSpec),
    /// The bootstrap secret: masked, never in the answers.
    Secret,
    Toggle(ToggleSpec),
    Choice(ChoiceSpec),
    Button(ButtonSpec),
    Log,
}

/// Everything about one field.
#[derive(Clone, Copy)]
pub struct Spec {
    pub behaviour: Behaviour,
    /// The rule its value must meet (shown under it once the step's errors are shown).
    pub check: Option<Check>,
    /// The picked profile leaves this to the user: highlighted with ⚑.
    pub question: Option<Question>,
}

impl Spec {
    fn of(behaviour: Behaviour) -> Self {
        Self {
            behaviour,
            check: None,
            question: None,
        }
    }
    fn check(mut self, c: Check) -> Self {
        self.check = Some(c);
        self
    }
    fn asked(mut self, q: Question) -> Self {
        self.question = Some(q);
        self
    }
}

/// A text field on the answer at `$path` (the getter and the setter from the one path).
macro_rules! text {
    ($label:expr, $placeholder:expr, $($path:ident).+, $rule:expr) => {
        Spec::of(Behaviour::Text(TextSpec {
            label: $label,
            placeholder: $placeholder,
            get: |a, _| &a.$($path).+,
            slot: |a, _| &mut a.$($path).+,
            connection: false,
            rule: |v, _| {
                let rule: fn(&str) -> Option<String> = $rule;
                rule(v)
            },
            index: 0,
        }))
    };
}

/// A text field of the connection: a change invalidates the connection test.
macro_rules! connection_text {
    ($($arg:tt)*) => {{
        let mut s = text!($($arg)*);
        if let Behaviour::Text(t) = &mut s.behaviour {
            t.connection = true;
        }
        s
    }};
}

/// A toggle of the boolean answer at `$path`.
macro_rules! flag {
    ($label:expr, $($path:ident).+) => {
        toggle(
            Label::Fixed($label),
            |m, _| m.answers.$($path).+,
            |m, _| m.answers.$($path).+ ^= true,
        )
    };
}

/// A switch of the agent's membership of team `i` (shown once it is ticked).
macro_rules! team_switch {
    ($label:expr, $switch:ident) => {
        toggle(
            Label::Fixed($label),
            |m, i| m.team_answer(team_name(m, i)).is_some_and(|t| t.$switch),
            |m, i| {
                if let Some(t) = team_answer_mut(m, i) {
                    t.$switch ^= true;
                }
            },
        )
    };
}

fn any_text(_: &str) -> Option<String> {
    None
}

fn required(v: &str) -> Option<String> {
    v.trim().is_empty().then(|| "required".into())
}

fn no_note(_: usize) -> Option<&'static str> {
    None
}

fn toggle(label: Label, get: fn(&Model, usize) -> bool, flip: fn(&mut Model, usize)) -> Spec {
    Spec::of(Behaviour::Toggle(ToggleSpec {
        label,
        get,
        flip,
        note: no_note,
        muted_off: false,
    }))
}

fn choice(
    label: Label,
    options: fn(&Model, usize) -> Vec<String>,
    current: fn(&Model, usize) -> Option<usize>,
    choose: fn(&mut Model, usize, usize),
    otherwise: fn(&Model, usize) -> String,
) -> ChoiceSpec {
    ChoiceSpec {
        label,
        options,
        current,
        choose,
        otherwise,
        muted_first: false,
        connection: false,
    }
}

fn nothing(_: &Model, _: usize) -> String {
    String::new()
}

/// Required (when `required`), then Halo's own limit for `col`: no control characters, at most
/// its length counted as Halo counts it.
fn name_rule(col: Column, value: &str, required: bool) -> Option<String> {
    let v = value.trim();
    if v.is_empty() {
        return required.then(|| "required".into());
    }
    columns::check(col, v)
}

fn at_most_1000(v: &str) -> Option<String> {
    (v.chars().count() > 1000).then(|| "at most 1000 characters".into())
}

fn url_rule(v: &str) -> Option<String> {
    super::url::check_url(v).err().map(|e| e.to_string())
}

/// Option `j` of a list that offers "none" first, then `names`.
fn none_or(mut names: impl Iterator<Item = String>, j: usize) -> Option<String> {
    names.nth(j.checked_sub(1)?)
}

/// Where `chosen` stands in that list (`None`: a name the list does not have).
fn none_or_pos<'a>(
    chosen: Option<&str>,
    mut names: impl Iterator<Item = &'a str>,
) -> Option<usize> {
    match chosen {
        None => Some(0),
        Some(n) => names.position(|x| x == n).map(|p| p + 1),
    }
}

fn team_name(m: &Model, i: usize) -> &str {
    m.lookups
        .teams
        .get(i)
        .map(|t| t.name.as_str())
        .unwrap_or("")
}

fn department_name(m: &Model, i: usize) -> &str {
    m.lookups
        .departments
        .get(i)
        .map(|d| d.name.as_str())
        .unwrap_or("")
}

/// The team answer for team `i`, to change one of its switches.
fn team_answer_mut(m: &mut Model, i: usize) -> Option<&mut TeamAnswer> {
    let name = team_name(m, i).to_string();
    m.answers
        .agent
        .teams
        .iter_mut()
        .find(|t| t.name.eq_ignore_ascii_case(&name))
}

/// The role ids offered when reusing a role.
fn role_ids(m: &Model) -> Vec<String> {
    m.lookups
        .roles
        .iter()
        .filter_map(|r| r.id.clone())
        .collect()
}

const DEPARTMENT_LEVELS: [Option<MembershipLevel>; 4] = [
    None,
    Some(MembershipLevel::Member),
    Some(MembershipLevel::ViewAll),
    Some(MembershipLevel::ModifyAll),
];

/// The spec of `f`: the one place that says what the field is.
pub fn spec(f: Field) -> Spec {
    use Field::*;
    match f {
        Profile => Spec::of(Behaviour::Button(ButtonSpec {
            label: "Profile",
            press: Press::OpenPicker,
            value: |m| match &m.profile {
                Some(p) => (
                    format!(
                        "{} ({}, confidence {})",
                        p.vendor,
                        p.id,
                        p.confidence.as_str()
                    ),
                    Tone::Accent,
                ),
                None => (
                    "none: answer every step yourself (Enter to pick)".into(),
                    Tone::Muted,
                ),
            },
        })),
        Mode => Spec::of(Behaviour::Choice(ChoiceSpec {
            connection: true,
            ..choice(
                Label::Fixed("Halo hosting"),
                |_, _| {
                    vec![
                        "Hosted (one Halo URL)".into(),
                        "On-premise (separate servers)".into(),
                    ]
                },
                |m, _| Some((m.answers.connection.mode == ConnectionMode::OnPremise).into()),
                |m, _, j| {
                    m.answers.connection.mode = if j == 1 {
                        ConnectionMode::OnPremise
                    } else {
                        ConnectionMode::Hosted
                    }
                },
                nothing,
            )
        })),
        Url => connection_text!(
            "Halo URL",
            "https://acme.halopsa.com",
            connection.url,
            url_rule
        ),
        ResourceUrl => connection_text!(
            "Resource server",
            "https://halo.example.com/api",
            connection.resource_url,
            url_rule
        ),
        AuthUrl => connection_text!(
            "Authorisation server",
            "https://halo.example.com/auth",
            connection.auth_url,
            url_rule
        ),
        Tenant => connection_text!("Tenant", "(optional)", connection.tenant, any_text),
        ClientId => connection_text!(
            "Bootstrap client ID",
            "client id of an admin API application",
            connection.client_id,
            required
        ),
        ClientSecret => {
            Spec::of(Behaviour::Secret).check(|m, _| m.secret.is_empty().then(|| "required".into()))
        }
        TestButton => Spec::of(Behaviour::Button(ButtonSpec {
            label: "Test connection",
            press: Press::TestConnection,
            value: |_| (String::new(), Tone::Muted),
        })),
        RoleMode => Spec::of(Behaviour::Choice(choice(
            Label::Fixed("Role"),
            |_, _| vec!["Create a new role".into(), "Reuse an existing role".into()],
            |m, _| Some(matches!(m.answers.role.mode, AnswerRoleMode::Reuse(_)).into()),
            |m, _, j| {
                m.answers.role.mode = match j {
                    0 => AnswerRoleMode::Create,
                    _ => AnswerRoleMode::Reuse(role_ids(m).into_iter().next().unwrap_or_default()),
                }
            },
            nothing,
        ))),
        RolePick => Spec::of(Behaviour::Choice(choice(
            Label::Fixed("Existing role"),
            |m, _| {
                m.lookups
                    .roles
                    .iter()
                    .filter(|r| r.id.is_some())
                    .map(|r| r.name.clone())
                    .collect()
            },
            |m, _| match &m.answers.role.mode {
                AnswerRoleMode::Reuse(key) => {
                    let id = m.lookups.role_by_key(key)?.id.clone()?;
                    role_ids(m).iter().position(|x| *x == id)
                }
                AnswerRoleMode::Create => None,
            },
            |m, _, j| {
                if let Some(id) = role_ids(m).get(j) {
                    m.answers.role.mode = AnswerRoleMode::Reuse(id.clone());
                }
            },
            |m, _| match &m.answers.role.mode {
                AnswerRoleMode::Reuse(_) => "(none: connect to load roles)".into(),
                AnswerRoleMode::Create => String::new(),
            },
        )))
        .check(|m, _| match &m.answers.role.mode {
            AnswerRoleMode::Reuse(id) if id.is_empty() || m.lookups.role_by_key(id).is_none() => {
                Some("pick an existing role (Left/Right)".into())
            }
            _ => None,
        }),
        RoleName => text!("Role name", "e.g. Vendor API", role.name, |v| name_rule(
            columns::ROLE_NAME,
            v,
            true
        )),
        RoleNotes => text!("Notes", "", role.notes, at_most_1000),
        RoleAdmin => toggle(
            Label::Fixed("Is a HaloPSA Administrator"),
            |m, _| m.answers.role.permissions.admin(),
            |m, _| {
                let p = &mut m.answers.role.permissions;
                p.set_admin(!p.admin());
            },
        ),
        RoleFeature(_) => Spec::of(Behaviour::Choice(ChoiceSpec {
            muted_first: true,
            ..choice(
                Label::Of(|_, i| feature_area(i).map(|a| a.label).unwrap_or("?").into()),
                |_, i| {
                    let scale = feature_area(i).map(|d| d.scale).unwrap_or_default();
                    std::iter::once("Not set")
                        .chain(scale.iter().map(|l| l.label))
                        .map(String::from)
                        .collect()
                },
                |m, i| {
                    let d = feature_area(i)?;
                    match m.answers.role.permissions.get(d.code) {
                        None => Some(0),
                        Some(l) => d.scale.iter().position(|x| x == l).map(|p| p + 1),
                    }
                },
                |m, i, j| {
                    let Some(d) = feature_area(i) else { return };
                    let level = j.checked_sub(1).and_then(|p| d.scale.get(p));
                    m.answers.role.permissions.set(d, level);
                    // The scopes follow the areas when the profile leaves them to the user.
                    if m.asks(Question::Areas) {
                        crate::profile::derive_scopes(&mut m.answers);
                    }
                },
                |m, i| {
                    feature_area(i)
                        .and_then(|d| m.answers.role.permissions.get(d.code))
                        .map_or("Not set", |l| l.label)
                        .into()
                },
            )
        }))
        .asked(Question::Areas),
        AgentAttr(i) => agent_attr(i),
        DefaultTeam => Spec::of(Behaviour::Choice(choice(
            Label::Fixed("Default team"),
            |m, _| {
                std::iter::once("No Default Team".to_string())
                    .chain(m.lookups.teams.iter().map(|t| t.name.clone()))
                    .collect()
            },
            |m, _| {
                let teams = m.lookups.teams.iter().map(|t| t.name.as_str());
                none_or_pos(m.answers.agent.default_team.as_deref(), teams)
            },
            |m, _, j| {
                let teams = m.lookups.teams.iter().map(|t| t.name.clone());
                m.answers.agent.default_team = none_or(teams, j);
            },
            |m, _| match m.answers.agent.default_team.as_deref() {
                Some("") | None => "(choose one)".into(),
                Some(n) => n.to_string(),
            },
        )))
        .asked(Question::DefaultTeam)
        .check(|m, _| {
            let none = m
                .answers
                .agent
                .default_team
                .as_deref()
                .is_none_or(|t| t.trim().is_empty());
            (m.asks(Question::DefaultTeam) && none)
                .then(|| "the profile needs a default team: pick one (Left/Right)".into())
        }),
        Team(_) => toggle(
            Label::Of(|m, i| format!("Team {}", non_empty(team_name(m, i)))),
            |m, i| m.team_answer(team_name(m, i)).is_some() || m.team_answer(ALL).is_some(),
            |m, i| {
                let name = team_name(m, i).to_string();
                if name.is_empty() {
                    return;
                }
                let teams = &mut m.answers.agent.teams;
                match teams
                    .iter()
                    .position(|t| t.name.eq_ignore_ascii_case(&name))
                {
                    Some(pos) => {
                        teams.remove(pos);
                    }
                    None => teams.push(TeamAnswer {
                        name,
                        ..TeamAnswer::default()
                    }),
                }
            },
        )
        .asked(Question::Teams),
        TeamUnassigned(_) => team_switch!("  can see unassigned tickets", unassigned_access),
        TeamOthers(_) => team_switch!("  can see other agents' tickets", otheragent_access),
        Department(_) => Spec::of(Behaviour::Choice(choice(
            Label::Of(|m, i| format!("Department {}", non_empty(department_name(m, i)))),
            |_, _| {
                DEPARTMENT_LEVELS
                    .iter()
                    .map(|l| l.map_or("Not a member", |l| l.label()).to_string())
                    .collect()
            },
            |m, i| {
                let name = department_name(m, i);
                let level = m
                    .answers
                    .agent
                    .departments
                    .iter()
                    .find(|d| d.name.eq_ignore_ascii_case(name))
                    .map(|d| d.level);
                DEPARTMENT_LEVELS.iter().position(|l| *l == level)
            },
            |m, i, j| {
                let name = department_name(m, i).to_string();
                if name.is_empty() {
                    return;
                }
                let deps = &mut m.answers.agent.departments;
                let pos = deps.iter().position(|d| d.name.eq_ignore_ascii_case(&name));
                match (DEPARTMENT_LEVELS.get(j).copied().flatten(), pos) {
                    (None, Some(p)) => {
                        deps.remove(p);
                    }
                    (Some(level), Some(p)) => deps[p].level = level,
                    (Some(level), None) => deps.push(DepartmentAnswer { name, level }),
                    (None, None) => {}
                }
            },
            nothing,
        )))
        .asked(Question::Departments),
        Workday => Spec::of(Behaviour::Choice(choice(
            Label::Fixed("Work hours"),
            |m, _| m.lookups.workdays.iter().map(|w| w.name.clone()).collect(),
            |m, _| {
                m.lookups
                    .workdays
                    .iter()
                    .position(|w| w.name.eq_ignore_ascii_case(&m.answers.agent.workday))
            },
            |m, _, j| {
                if let Some(w) = m.lookups.workdays.get(j) {
                    m.answers.agent.workday = w.name.clone();
                }
            },
            |m, _| m.answers.agent.workday.clone(),
        )))
        .check(|m, _| required(&m.answers.agent.workday)),
        AppName => text!(
            "Application name",
            "e.g. Vendor integration",
            application.name,
            |v| name_rule(columns::APPLICATION_NAME, v, true)
        ),
        AppDescription => text!("Description", "", application.description, at_most_1000),
        AppActive => flag!("Active", application.active),
        // The application logs in as the agent this setup makes (the plan refuses another:
        // its permissions would be nobody's plan). An answers file naming another agent shows
        // it here, so the plan's refusal can be undone by picking the new agent.
        LoginAgent => Spec::of(Behaviour::Choice(choice(
            Label::Fixed("Agent to log in as"),
            |m, _| {
                let a = &m.answers.agent;
                let new = if a.name.is_empty() {
                    "Agent step"
                } else {
                    a.name.as_str()
                };
                std::iter::once(format!("the new agent ({new})"))
                    .chain(m.answers.application.login_agent.clone())
                    .collect()
            },
            |m, _| Some(usize::from(m.answers.application.login_agent.is_some())),
            |m, _, j| {
                if j == 0 {
                    m.answers.application.login_agent = None;
                }
            },
            |m, _| {
                m.answers
                    .application
                    .login_agent
                    .clone()
                    .unwrap_or_default()
            },
        ))),
        Scope(_) => Spec::of(Behaviour::Toggle(ToggleSpec {
            label: Label::Of(|_, i| scope_name(i).unwrap_or("?").into()),
            get: |m, i| {
                let name = scope_name(i).unwrap_or("");
                m.answers.scopes.iter().any(|s| s == name)
            },
            flip: |m, i| {
                if let Some(name) = scope_name(i) {
                    m.answers.toggle_scope(name);
                }
            },
            note: |i| scope_name(i).and_then(scopes::warning),
            muted_off: true,
        })),
        ApplyButton => Spec::of(Behaviour::Button(ButtonSpec {
            label: "Apply",
            press: Press::RequestApply,
            value: |_| (String::new(), Tone::Muted),
        })),
        LogPane => Spec::of(Behaviour::Log),
    }
}

fn non_empty(s: &str) -> &str {
    if s.is_empty() { "?" } else { s }
}

impl Field {
    pub fn spec(self) -> Spec {
        spec(self)
    }

    /// The index an indexed field carries (a team, an area, a scope); 0 for the others.
    pub fn index(self) -> usize {
        use Field::*;
        match self {
            RoleFeature(i) | AgentAttr(i) | Team(i) | TeamUnassigned(i) | TeamOthers(i)
            | Department(i) | Scope(i) => i,
            _ => 0,
        }
    }

    pub fn kind(self) -> Kind {
        match self.spec().behaviour {
            Behaviour::Text(_) => Kind::Text,
            Behaviour::Secret => Kind::Secret,
            Behaviour::Toggle(_) => Kind::Toggle,
            Behaviour::Choice(_) => Kind::Choice,
            Behaviour::Button(_) => Kind::Button,
            Behaviour::Log => Kind::Log,
        }
    }

    /// Typing goes into the field (so letters are not shortcuts).
    pub fn takes_text(self) -> bool {
        matches!(self.kind(), Kind::Text | Kind::Secret)
    }

    /// The text answer it edits.
    pub fn text(self) -> Option<TextSpec> {
        match self.spec().behaviour {
            Behaviour::Text(t) => Some(t),
            _ => None,
        }
    }

    /// Label shown left of the field.
    pub fn label(self, m: &Model) -> String {
        let fixed = match self.spec().behaviour {
            Behaviour::Text(t) => t.label,
            Behaviour::Secret => "Client secret",
            Behaviour::Button(b) => b.label,
            Behaviour::Log => "Log",
            Behaviour::Toggle(ToggleSpec { label, .. })
            | Behaviour::Choice(ChoiceSpec { label, .. }) => match label {
                Label::Fixed(s) => s,
                Label::Of(f) => return f(m, self.index()),
            },
        };
        fixed.to_string()
    }

    /// What its rule says about the value now (`None`: fine).
    pub fn problem(self, m: &Model) -> Option<String> {
        let spec = self.spec();
        if let Behaviour::Text(t) = spec.behaviour
            && let Some(p) = t.check(t.value(&m.answers))
        {
            return Some(p);
        }
        spec.check.and_then(|c| c(m, self.index()))
    }
}

/// The shown value of a toggle or choice, and its tone.
pub fn shown(m: &Model, f: Field) -> (String, Tone) {
    let i = f.index();
    match f.spec().behaviour {
        Behaviour::Toggle(t) => {
            let on = (t.get)(m, i);
            let mut s = if on { "[x]" } else { "[ ]" }.to_string();
            if let Some(n) = (t.note)(i) {
                s.push_str(&format!("  ⚠ {n}"));
            }
            let tone = if t.muted_off && !on {
                Tone::Muted
            } else {
                Tone::Normal
            };
            (s, tone)
        }
        Behaviour::Choice(c) => {
            let cur = (c.current)(m, i);
            let text = cur
                .and_then(|j| (c.options)(m, i).into_iter().nth(j))
                .unwrap_or_else(|| (c.otherwise)(m, i));
            let tone = if c.muted_first && cur == Some(0) {
                Tone::Muted
            } else {
                Tone::Normal
            };
            (format!("◀ {text} ▶"), tone)
        }
        Behaviour::Button(b) => (b.value)(m),
        _ => (String::new(), Tone::Normal),
    }
}

/// The field of row `i` of the agent's attribute table: a text with Halo's limit (required
/// where the plan needs it), or a toggle.
fn agent_attr(i: usize) -> Spec {
    let Some(row) = agent::ROWS.get(i) else {
        return Spec::of(Behaviour::Log);
    };
    match row.value {
        agent::Value::Text { hint, .. } => Spec::of(Behaviour::Text(TextSpec {
            label: row.prompt,
            placeholder: hint,
            get: |a, i| match agent::ROWS.get(i).map(|r| r.value) {
                Some(agent::Value::Text { get, .. }) => get(&a.agent),
                _ => &NO_TEXT,
            },
            slot: |a, i| match agent::ROWS.get(i).map(|r| r.value) {
                Some(agent::Value::Text { slot, .. }) => slot(&mut a.agent),
                // Never reached: only text rows get a text field.
                _ => &mut a.agent.details.email,
            },
            connection: false,
            rule: |v, i| match agent::ROWS.get(i).map(|r| r.value) {
                Some(agent::Value::Text { rule, required, .. }) => {
                    let v = v.trim();
                    if v.is_empty() {
                        required.then(|| "required".into())
                    } else {
                        rule(v)
                    }
                }
                _ => None,
            },
            index: i,
        })),
        agent::Value::Flag { .. } => toggle(
            Label::Of(|_, i| agent::ROWS.get(i).map_or("", |r| r.prompt).into()),
            |m, i| match agent::ROWS.get(i).map(|r| r.value) {
                Some(agent::Value::Flag { get, .. }) => get(&m.answers.agent),
                _ => false,
            },
            |m, i| {
                if let Some(agent::Value::Flag { slot, .. }) = agent::ROWS.get(i).map(|r| r.value) {
                    *slot(&mut m.answers.agent) ^= true;
                }
            },
        ),
    }
}

static NO_TEXT: String = String::new();

#[allow(non_upper_case_globals)]
impl Field {
    /// The agent's username (named for the screens and tests that single it out).
    pub const AgentName: Field = Field::AgentAttr(agent::index_of("username"));
    pub const FirstName: Field = Field::AgentAttr(agent::index_of("firstname"));
    pub const Surname: Field = Field::AgentAttr(agent::index_of("surname"));
    pub const Initials: Field = Field::AgentAttr(agent::index_of("initials"));
    pub const Email: Field = Field::AgentAttr(agent::index_of("email"));
    pub const Active: Field = Field::AgentAttr(agent::index_of("active"));
    pub const ApiOnly: Field = Field::AgentAttr(agent::index_of("api_only"));
    pub const ApprovePo: Field = Field::AgentAttr(agent::index_of("can_approve_purchaseorder"));
    pub const ApproveInvoice: Field = Field::AgentAttr(agent::index_of("can_approve_invoice"));
}

/// The role permissions the Role step offers: every Feature Access area (Users and Projects
/// included), then the other settings in Halo's order (ticket switches, appointments,
/// restrictions, other rights). "Is a HaloPSA Administrator" has its own toggle.
pub fn feature_areas() -> impl Iterator<Item = &'static ClaimDef> {
    claims::areas().chain(claims::settings())
}

pub fn feature_area(i: usize) -> Option<&'static ClaimDef> {
    feature_areas().nth(i)
}

pub fn scope_name(i: usize) -> Option<&'static str> {
    scopes::all_names().nth(i)
}

/// The focusable fields of `step`, top to bottom.
pub fn fields(m: &Model, step: Step) -> Vec<Field> {
    use Field::*;
    let mut v = Vec::new();
    match step {
        Step::Connect => {
            v.extend([Profile, Mode]);
            match m.answers.connection.mode {
                ConnectionMode::Hosted => v.push(Url),
                ConnectionMode::OnPremise => v.extend([ResourceUrl, AuthUrl, Tenant]),
            }
            v.extend([ClientId, ClientSecret, TestButton]);
        }
        Step::Role => {
            v.push(RoleMode);
            match m.answers.role.mode {
                AnswerRoleMode::Create => {
                    v.extend([RoleName, RoleNotes, RoleAdmin]);
                    v.extend((0..feature_areas().count()).map(RoleFeature));
                }
                AnswerRoleMode::Reuse(_) => v.push(RolePick),
            }
        }
        Step::Agent => {
            v.extend(
                agent::asked(Group::Identity)
                    .into_iter()
                    .map(|(i, _)| AgentAttr(i)),
            );
            v.push(DefaultTeam);
            for (i, t) in m.lookups.teams.iter().enumerate() {
                v.push(Team(i));
                if m.team_answer(&t.name).is_some() {
                    v.extend([TeamUnassigned(i), TeamOthers(i)]);
                }
            }
            v.extend((0..m.lookups.departments.len()).map(Department));
            v.push(Workday);
            v.extend(
                agent::asked(Group::Rights)
                    .into_iter()
                    .map(|(i, _)| AgentAttr(i)),
            );
        }
        Step::Application => v.extend([AppName, AppDescription, AppActive, LoginAgent]),
        Step::Permissions => v.extend((0..scopes::all_names().count()).map(Scope)),
        Step::Submit => v.push(ApplyButton),
    }
    if m.log_visible {
        v.push(LogPane);
    }
    v
}
