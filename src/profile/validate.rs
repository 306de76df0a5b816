//! Consistency checks on a profile. A profile need not be complete (the `custom` profile is
//! mostly empty; the wizard checks completeness), but what it says must be valid.

use std::fmt;

use crate::halo::scopes;

use super::types::{DefaultTeam, HandoverField, Pick, Profile};

/// One problem, naming the field it is about (e.g. `scopes[2]`, `role.access.tickets`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProfileProblem {
    /// The setting it is about, by path.
    pub field: String,
    /// What is wrong and what is allowed, in one sentence.
    pub message: String,
    /// The offending value as written, when there is one (used to find its line in a file).
    pub value: Option<String>,
}

impl fmt::Display for ProfileProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.field, self.message)
    }
}

pub(super) fn problem(field: impl Into<String>, message: impl Into<String>) -> ProfileProblem {
    ProfileProblem {
        field: field.into(),
        message: message.into(),
        value: None,
    }
}

fn valid_id(id: &str) -> bool {
    !id.is_empty()
        && id.len() <= 40
        && id
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        && !id.starts_with('-')
}

impl Profile {
    /// Every inconsistency in what the profile says; empty when it is valid. Loading a profile
    /// refuses one with problems.
    pub fn validate(&self) -> Vec<ProfileProblem> {
        let mut out = Vec::new();
        if !valid_id(&self.id) {
            out.push(problem(
                "id",
                format!(
                    "{:?} is not a valid id (lowercase letters, digits and '-')",
                    self.id
                ),
            ));
        }
        if self.vendor.trim().is_empty() {
            out.push(problem("vendor", "is empty"));
        }
        for (i, s) in self.source.iter().enumerate() {
            match url::Url::parse(s) {
                Ok(u) if u.scheme() == "https" || u.scheme() == "http" => {}
                _ => out.push(problem(
                    format!("source[{i}]"),
                    format!("{s:?} is not an http(s) URL"),
                )),
            }
        }
        self.check_scopes(&mut out);
        self.check_role(&mut out);
        self.check_agent(&mut out);
        for must in [HandoverField::ClientId, HandoverField::ClientSecret] {
            if !self.handover.contains(&must) {
                out.push(problem(
                    "handover",
                    format!("must include {} (every vendor needs it)", must.key()),
                ));
            }
        }
        for (i, f) in self.handover.iter().enumerate() {
            if self.handover[..i].contains(f) {
                out.push(problem(
                    format!("handover[{i}]"),
                    format!("{} is listed twice", f.key()),
                ));
            }
        }
        for (i, t) in self.traps.iter().enumerate() {
            if t.text.trim().is_empty() {
                out.push(problem(format!("traps[{i}].text"), "is empty"));
            }
        }
        self.check_provenance(&mut out);
        out
    }

    fn check_scopes(&self, out: &mut Vec<ProfileProblem>) {
        if self.ask_areas && !self.scopes.is_empty() {
            out.push(problem(
                "scopes",
                "must be empty when ask_areas is set (the wizard derives them)",
            ));
        }
        for (i, s) in self.scopes.iter().enumerate() {
            let field = format!("scopes[{i}]");
            if let Some(hint) = scopes::known_trap(s) {
                out.push(ProfileProblem {
                    field,
                    message: format!("{s:?} is not a Halo scope: {hint}"),
                    value: Some(s.clone()),
                });
            } else if !scopes::is_known(s) {
                out.push(ProfileProblem {
                    field,
                    message: format!("{s:?} is not in the scope catalogue"),
                    value: Some(s.clone()),
                });
            } else if self.scopes[..i].contains(s) {
                out.push(ProfileProblem {
                    field,
                    message: format!("{s:?} is listed twice"),
                    value: Some(s.clone()),
                });
            }
        }
    }

    fn check_role(&self, out: &mut Vec<ProfileProblem>) {
        let r = &self.role;
        if let Some(reuse) = &r.reuse {
            if reuse.trim().is_empty() {
                out.push(problem("role.reuse", "is empty; omit it to create a role"));
            }
            if !r.permissions.is_empty() {
                out.push(problem(
                    "role.reuse",
                    "an existing role is reused as it is; administrator, access and settings would be ignored",
                ));
            }
        }
    }

    fn check_agent(&self, out: &mut Vec<ProfileProblem>) {
        let a = &self.agent;
        if a.name.trim() != a.name {
            out.push(problem("agent.username", "has leading or trailing spaces"));
        }
        // Halo's own limits, as for answers (`halo::columns`, the table's rules).
        for r in crate::answers::agent::ROWS {
            if let crate::answers::agent::Value::Text { get, rule, .. } = r.value
                && let Some(m) = Some(get(a)).filter(|v| !v.is_empty()).and_then(|v| rule(v))
            {
                out.push(problem(r.path(), m));
            }
        }
        if let DefaultTeam::Named(n) = &a.default_team {
            if n.trim().is_empty() {
                out.push(problem("agent.default_team", "named team is empty"));
            }
        }
        for (rule, pick, names) in [
            ("agent.teams", a.teams.pick, &a.teams.names),
            (
                "agent.departments",
                a.departments.pick,
                &a.departments.names,
            ),
        ] {
            match pick {
                Pick::Named if names.is_empty() || names.iter().any(|n| n.trim().is_empty()) => out
                    .push(problem(
                        format!("{rule}.names"),
                        "pick = \"named\" needs non-empty names",
                    )),
                Pick::Named => {}
                _ if !names.is_empty() => out.push(problem(
                    format!("{rule}.names"),
                    "names are only used with pick = \"named\"",
                )),
                _ => {}
            }
        }
        if a.teams.pick == Pick::Default && a.default_team == DefaultTeam::None {
            out.push(problem(
                "agent.teams.pick",
                "\"default\" needs a default team",
            ));
        }
        if a.departments.pick == Pick::Default {
            out.push(problem(
                "agent.departments.pick",
                "\"default\" applies to teams only",
            ));
        }
        if a.workday.trim().is_empty() {
            out.push(problem("agent.work_hours", "is empty"));
        }
    }
}
