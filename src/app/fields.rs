//! The focusable fields of each step and what each one is: one [`Spec`] per field says how it
//! is labelled, what it offers, how it reads and writes its answer and how it is checked. The
//! keys (`update`), the form (`ui::form`) and validation read the spec. One module per step
//! builds its specs; the attributes of the role, the agent and the application are rows of
//! their tables (`answers::{role, agent, application}::ROWS`), so a new attribute is a row
//! there, not a field here.
//!
//! The field list is computed from the model (on-premise shows three URL fields, each Halo team
//! a toggle), so focus is an index into `fields(model, step)`.

mod agent;
mod application;
mod connect;
mod role;
mod spec;

use crate::answers::{ConnectionMode, RoleMode as AnswerRoleMode};
use crate::answers::{agent as agent_rows, application as app_rows, role as role_rows};
use crate::halo::scopes;

pub use super::field::Field;
use super::model::{Model, Step};
pub use application::scope_name;
pub use role::{feature_area, feature_areas};
pub use spec::{
    Behaviour, ButtonSpec, Check, ChoiceSpec, Label, Press, Spec, TextSpec, ToggleSpec, Tone,
    Widget,
};

/// The spec of `f`: each step's module says what its fields are.
pub fn spec(f: Field) -> Spec {
    use Field::*;
    match f {
        Profile | Mode | Url | ResourceUrl | AuthUrl | Tenant | ClientId | ClientSecret
        | TestButton => connect::spec(f),
        RoleMode | RolePick | RoleAttr(_) | RoleFeature(_) => role::spec(f),
        AgentAttr(_) | DefaultTeam | Team(_) | TeamUnassigned(_) | TeamOthers(_)
        | Department(_) | Workday => agent::spec(f),
        AppAttr(_) | LoginAgent | Scope(_) | ApplyButton => application::spec(f),
        LogPane => Spec::of(Behaviour::Log),
    }
}

impl Field {
    /// What the field is and does (label, kind, answer, rule); see [`spec`].
    pub fn spec(self) -> Spec {
        spec(self)
    }

    /// The index an indexed field carries (a team, an area, a scope); 0 for the others.
    pub fn index(self) -> usize {
        use Field::*;
        match self {
            RoleAttr(i) | RoleFeature(i) | AgentAttr(i) | Team(i) | TeamUnassigned(i)
            | TeamOthers(i) | Department(i) | AppAttr(i) | Scope(i) => i,
            _ => 0,
        }
    }

    /// What kind of field it is, which decides the keys it takes and how it is drawn.
    pub fn kind(self) -> Widget {
        match self.spec().behaviour {
            Behaviour::Text(_) => Widget::Text,
            Behaviour::Secret => Widget::Secret,
            Behaviour::Toggle(_) => Widget::Toggle,
            Behaviour::Choice(_) => Widget::Choice,
            Behaviour::Button(_) => Widget::Button,
            Behaviour::Log => Widget::Log,
        }
    }

    /// Typing goes into the field (so letters are not shortcuts).
    pub fn takes_text(self) -> bool {
        matches!(self.kind(), Widget::Text | Widget::Secret)
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

#[allow(non_upper_case_globals)]
impl Field {
    /// The agent's username (named for the screens and tests that single it out).
    pub const AgentName: Field = Field::AgentAttr(agent_rows::index_of("username"));
    /// The agent's first name.
    pub const FirstName: Field = Field::AgentAttr(agent_rows::index_of("firstname"));
    /// The agent's surname.
    pub const Surname: Field = Field::AgentAttr(agent_rows::index_of("surname"));
    /// The agent's initials.
    pub const Initials: Field = Field::AgentAttr(agent_rows::index_of("initials"));
    /// The agent's email address.
    pub const Email: Field = Field::AgentAttr(agent_rows::index_of("email"));
    /// The agent's "Active" switch (the `active` row of `answers::agent`).
    pub const Active: Field = Field::AgentAttr(agent_rows::index_of("active"));
    /// The agent's "Is an API-only Agent" switch (the `api_only` row of `answers::agent`).
    pub const ApiOnly: Field = Field::AgentAttr(agent_rows::index_of("api_only"));
    /// Whether the agent may approve purchase orders.
    pub const ApprovePo: Field =
        Field::AgentAttr(agent_rows::index_of("can_approve_purchaseorder"));
    /// Whether the agent may approve invoices.
    pub const ApproveInvoice: Field = Field::AgentAttr(agent_rows::index_of("can_approve_invoice"));
    /// The new role's name.
    pub const RoleName: Field = Field::RoleAttr(role_rows::index_of("name"));
    /// The new role's notes (the plan adds the setup's marker to them).
    pub const RoleNotes: Field = Field::RoleAttr(role_rows::index_of("notes"));
    /// The new role's "Is a HaloPSA Administrator" switch.
    pub const RoleAdmin: Field = Field::RoleAttr(role_rows::index_of("administrator"));
    /// The application's name.
    pub const AppName: Field = Field::AppAttr(app_rows::index_of("name"));
    /// The application's description.
    pub const AppDescription: Field = Field::AppAttr(app_rows::index_of("description"));
    /// The application's "active" switch.
    pub const AppActive: Field = Field::AppAttr(app_rows::index_of("active"));
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
                    v.extend(role_rows::asked().into_iter().map(|(i, _)| RoleAttr(i)));
                    v.extend((0..feature_areas().count()).map(RoleFeature));
                }
                AnswerRoleMode::Reuse(_) => v.push(RolePick),
            }
        }
        Step::Agent => {
            v.extend(
                agent_rows::asked(agent_rows::Group::Identity)
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
                agent_rows::asked(agent_rows::Group::Rights)
                    .into_iter()
                    .map(|(i, _)| AgentAttr(i)),
            );
        }
        Step::Application => v.extend(app_rows::asked().into_iter().map(|(i, r)| match r.value {
            app_rows::Value::LoginAgent => LoginAgent,
            _ => AppAttr(i),
        })),
        Step::Permissions => v.extend((0..scopes::all_names().count()).map(Scope)),
        Step::Submit => v.push(ApplyButton),
    }
    if m.log_visible {
        v.push(LogPane);
    }
    v
}
