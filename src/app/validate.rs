//! Validation rules per step. Messages are shown inline under the field they concern.

use crate::answers::{ConnectionMode, RoleMode};
use crate::halo::columns::{self, Column};
use crate::halo::scopes;
use crate::profile::Question;

use super::fields::Field;
use super::model::{Model, Step};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Issue {
    /// `None` for a problem of the whole step.
    pub field: Option<Field>,
    pub message: String,
}

fn issue(field: Field, message: impl Into<String>) -> Issue {
    Issue {
        field: Some(field),
        message: message.into(),
    }
}

/// `Ok` for https, or plain http to a loopback host.
pub fn check_url(s: &str) -> Result<(), String> {
    let s = s.trim();
    if s.is_empty() {
        return Err("required".into());
    }
    let u = url::Url::parse(s).map_err(|_| {
        format!(
            "'{}' is not a URL (e.g. https://acme.halopsa.com)",
            crate::text::line_max(s, 80)
        )
    })?;
    match u.scheme() {
        "https" => {}
        "http" => {
            let loopback = match u.host() {
                Some(url::Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
                Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
                Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
                None => false,
            };
            if !loopback {
                return Err("use https:// (plain http only for localhost)".into());
            }
        }
        other => return Err(format!("scheme {other}: use https://")),
    }
    if u.host().is_none() {
        return Err("the URL has no host".into());
    }
    Ok(())
}

/// A plausible email address within Halo's limit (see [`columns::check_email`]).
pub fn check_email(s: &str) -> Result<(), String> {
    columns::check_email(s).map_or(Ok(()), Err)
}

/// Required (when `required`), then Halo's own limit for `col`: no control characters, at most
/// its length counted as Halo counts it.
fn name_rule(out: &mut Vec<Issue>, field: Field, col: Column, value: &str, required: bool) {
    let v = value.trim();
    if v.is_empty() {
        if required {
            out.push(issue(field, "required"));
        }
    } else if let Some(m) = columns::check(col, v) {
        out.push(issue(field, m));
    }
}

/// Problems that stop `step` from being done.
pub fn validate(m: &Model, step: Step) -> Vec<Issue> {
    let a = &m.answers;
    let mut out = Vec::new();
    match step {
        Step::Connect => {
            let c = &a.connection;
            let urls: &[(Field, &str)] = match c.mode {
                ConnectionMode::Hosted => &[(Field::Url, &c.url)],
                ConnectionMode::OnPremise => &[
                    (Field::ResourceUrl, &c.resource_url),
                    (Field::AuthUrl, &c.auth_url),
                ],
            };
            for (f, v) in urls {
                if let Err(e) = check_url(v) {
                    out.push(issue(*f, e));
                }
            }
            if c.client_id.trim().is_empty() {
                out.push(issue(Field::ClientId, "required"));
            }
            if m.secret.is_empty() {
                out.push(issue(Field::ClientSecret, "required"));
            }
        }
        Step::Role => match &a.role.mode {
            RoleMode::Create => {
                name_rule(
                    &mut out,
                    Field::RoleName,
                    columns::ROLE_NAME,
                    &a.role.name,
                    true,
                );
                if a.role.notes.chars().count() > 1000 {
                    out.push(issue(Field::RoleNotes, "at most 1000 characters"));
                }
                if m.asks(Question::Areas) && a.role.permissions.is_empty() {
                    out.push(issue(
                        Field::RoleFeature(0),
                        "the profile asks which areas the integration reads or edits: set each to Read Only or Read and Modify",
                    ));
                }
            }
            RoleMode::Reuse(id) => {
                if id.is_empty() || m.lookups.role_by_key(id).is_none() {
                    out.push(issue(Field::RolePick, "pick an existing role (Left/Right)"));
                }
            }
        },
        Step::Agent => {
            let g = &a.agent;
            name_rule(
                &mut out,
                Field::AgentName,
                columns::AGENT_USERNAME,
                &g.name,
                true,
            );
            name_rule(
                &mut out,
                Field::FirstName,
                columns::FIRST_NAME,
                &g.firstname,
                true,
            );
            name_rule(
                &mut out,
                Field::Surname,
                columns::SURNAME,
                &g.surname,
                false,
            );
            if let Some(m) = columns::check_initials(g.initials.trim()) {
                out.push(issue(Field::Initials, m));
            }
            if !g.email.trim().is_empty()
                && let Err(e) = check_email(g.email.trim())
            {
                out.push(issue(Field::Email, e));
            }
            if g.workday.trim().is_empty() {
                out.push(issue(Field::Workday, "required"));
            }
            if m.asks(Question::DefaultTeam)
                && g.default_team
                    .as_deref()
                    .is_none_or(|t| t.trim().is_empty())
            {
                out.push(issue(
                    Field::DefaultTeam,
                    "the profile needs a default team: pick one (Left/Right)",
                ));
            }
            if m.asks(Question::Teams) && g.teams.is_empty() {
                out.push(Issue {
                    field: (!m.lookups.teams.is_empty()).then_some(Field::Team(0)),
                    message: "the profile needs the agent in at least one team: tick the teams"
                        .into(),
                });
            }
            if m.asks(Question::Departments) && g.departments.is_empty() {
                out.push(Issue {
                    field: (!m.lookups.departments.is_empty()).then_some(Field::Department(0)),
                    message: "the profile needs the agent in departments: pick a membership level"
                        .into(),
                });
            }
        }
        Step::Application => {
            name_rule(
                &mut out,
                Field::AppName,
                columns::APPLICATION_NAME,
                &a.application.name,
                true,
            );
            if a.application.description.chars().count() > 1000 {
                out.push(issue(Field::AppDescription, "at most 1000 characters"));
            }
        }
        Step::Permissions => {
            if a.scopes.is_empty() {
                out.push(Issue {
                    field: None,
                    message: "tick at least one scope".into(),
                });
            }
            for s in &a.scopes {
                if !scopes::is_known(s) {
                    out.push(Issue {
                        field: None,
                        message: format!("'{s}' is not a Halo scope"),
                    });
                }
            }
        }
        Step::Submit => {
            for e in super::apply::current_plan(m).problems {
                out.push(Issue {
                    field: None,
                    message: e,
                });
            }
        }
    }
    out
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls() {
        assert!(check_url("https://acme.halopsa.com").is_ok());
        assert!(check_url("http://127.0.0.1:8080").is_ok());
        assert!(check_url("http://localhost").is_ok());
        assert!(check_url("http://[::1]:9").is_ok());
        assert!(
            check_url("http://acme.halopsa.com")
                .unwrap_err()
                .contains("https")
        );
        assert!(check_url("ftp://x").unwrap_err().contains("scheme"));
        assert!(check_url("acme").unwrap_err().contains("not a URL"));
        assert_eq!(check_url(" ").unwrap_err(), "required");
    }

    #[test]
    fn emails() {
        assert!(check_email("a@b.co").is_ok());
        for bad in ["a", "@b.co", "a@b", "a@b@c.d", "a b@c.d", "a@.b", "a@b."] {
            assert!(check_email(bad).is_err(), "{bad}");
        }
    }
}
