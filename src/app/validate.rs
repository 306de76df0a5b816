//! Validation rules per step. Messages are shown inline under the field they concern.

use crate::answers::RoleMode;
use crate::halo::scopes;
use crate::profile::Question;

use super::fields::{Field, fields};
use super::model::{Model, Step};

/// A problem that stops a step from being done, shown under its field (or the step).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Issue {
    /// `None` for a problem of the whole step.
    pub field: Option<Field>,
    /// What is wrong, in the form's short words ("required").
    pub message: String,
}

fn issue(field: Field, message: impl Into<String>) -> Issue {
    Issue {
        field: Some(field),
        message: message.into(),
    }
}

/// Problems that stop `step` from being done: each shown field's own rule (its spec), then
/// the rules of the step as a whole.
pub fn validate(m: &Model, step: Step) -> Vec<Issue> {
    let mut out: Vec<Issue> = fields(m, step)
        .into_iter()
        .filter_map(|f| f.problem(m).map(|message| issue(f, message)))
        .collect();
    let a = &m.answers;
    let whole = |message: &str| Issue {
        field: None,
        message: message.into(),
    };
    match step {
        Step::Role => {
            if a.role.mode == RoleMode::Create
                && m.asks(Question::Areas)
                && a.role.permissions.is_empty()
            {
                out.push(issue(
                    Field::RoleFeature(0),
                    "the profile asks which areas the integration reads or edits: set each to Read Only or Read and Modify",
                ));
            }
        }
        Step::Agent => {
            let g = &a.agent;
            if m.asks(Question::Teams) && g.teams.is_empty() {
                out.push(Issue {
                    field: (!m.lookups.teams.is_empty()).then_some(Field::Team(0)),
                    ..whole("the profile needs the agent in at least one team: tick the teams")
                });
            }
            if m.asks(Question::Departments) && g.departments.is_empty() {
                out.push(Issue {
                    field: (!m.lookups.departments.is_empty()).then_some(Field::Department(0)),
                    ..whole("the profile needs the agent in departments: pick a membership level")
                });
            }
        }
        Step::Permissions => {
            if a.scopes.is_empty() {
                out.push(whole("tick at least one scope"));
            }
            for s in &a.scopes {
                if !scopes::is_known(s) {
                    out.push(whole(&format!("'{s}' is not a Halo scope")));
                }
            }
        }
        Step::Submit => {
            for e in super::planned::current_plan(m).problems {
                out.push(whole(&e));
            }
        }
        Step::Connect | Step::Application => {}
    }
    out
}

/// The issues of fields as one line naming each field ("Username: required; First name:
/// required"), for the log and the step's summary; empty when no field has one.
pub(crate) fn fields_line(m: &Model, issues: &[Issue]) -> String {
    issues
        .iter()
        .filter_map(|i| Some(format!("{}: {}", i.field?.label(m).trim(), i.message)))
        .collect::<Vec<_>>()
        .join("; ")
}

/// The first issue for `field`, if errors are shown for the current step.
pub fn field_error(m: &Model, field: Field) -> Option<String> {
    if !m.show_errors[m.step.index()] {
        return None;
    }
    validate(m, m.step)
        .into_iter()
        .find(|i| i.field == Some(field))
        .map(|i| i.message)
}

/// Warnings in the Permissions step: broad scopes and scopes the role does not back
/// (effective permission = scope ∩ role feature access).
pub fn scope_warnings(m: &Model) -> Vec<String> {
    use crate::halo::dialect::Grade;
    use crate::halo::dialect::claims::area_for_scope;
    let a = &m.answers;
    let mut out = Vec::new();
    for s in &a.scopes {
        if let Some(w) = scopes::warning(s) {
            out.push(format!("{s}: {w}"));
        }
    }
    // The role as it will be: the one being created, or the reused one from Halo.
    let perms = match &a.role.mode {
        RoleMode::Create => a.role.permissions.clone(),
        RoleMode::Reuse(id) => match m.lookups.role_by_key(id) {
            Some(r) => r.permissions(),
            None => return out,
        },
    };
    if perms.admin() {
        return out;
    }
    for s in &a.scopes {
        let (need, key) = if let Some(k) = s.strip_prefix("read:") {
            (Grade::Names, k)
        } else if let Some(k) = s
            .strip_prefix("edit:")
            .or_else(|| s.strip_prefix("editMine:"))
        {
            (Grade::Modify, k)
        } else {
            continue;
        };
        let Some(def) = area_for_scope(key) else {
            continue;
        };
        if perms.grade_for_scope(key) < need {
            let have = perms.get(def.code).map_or("Not set", |l| l.label);
            out.push(format!(
                "{s}: the role gives {} only '{have}'; effective access = scope ∩ role (raise it on the Role step)",
                def.label
            ));
        }
    }
    out
}
