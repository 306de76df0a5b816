//! Which Halo objects belong to a setup, proven only from fields Halo really stores
//! (`shared/reference/halo-api.md` §3.2a): Halo's model binder drops fields its schema lacks, so
//! a marker in a field that does not exist proves nothing on a real instance.
//!
//! The chain:
//! - **Role**: `notes` (a real `NHD_Roles` column) carries the setup marker `[halo-onboard:<id>]`.
//! - **Agent**: `Uname` has no notes field, so an agent is ours when it holds a role proven ours
//!   (or logs in for an application proven ours) *and* its username is the one the setup asked for.
//! - **Application**: `description` carries the marker where Halo stores it (a DB column in 2026
//!   builds, absent from the 2024 schema); where Halo dropped it, the application is ours when it
//!   logs in as an agent proven ours and its name is the one the setup asked for.
//!
//! Adoption on re-apply and rollback's proof before a delete both use these rules, so neither
//! touches a stranger's object.

use crate::halo::model::{Agent, Application, Role};

/// The marker prefix every setup's marker starts with: passed as `marker`, the rules below
/// recognise objects made by *any* halo-onboard setup (adoption on a later `apply`).
pub const ANY_SETUP: &str = "[halo-onboard:";

/// The answer to "is this object ours?", with the reason in words a Halo admin reads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    Ours,
    NotOurs(String),
}

impl Verdict {
    pub fn is_ours(&self) -> bool {
        matches!(self, Self::Ours)
    }
    /// Why it is not ours (empty when it is).
    pub fn reason(&self) -> &str {
        match self {
            Self::Ours => "",
            Self::NotOurs(why) => why,
        }
    }
}

/// Names as Halo compares them: trimmed, any case.
pub fn same_name(a: &str, b: &str) -> bool {
    a.trim().eq_ignore_ascii_case(b.trim())
}

/// A role is ours when its notes carry this setup's marker.
pub fn role(role: &Role, marker: &str, expected_name: &str) -> Verdict {
    if marker.is_empty() || !role.notes.contains(marker) {
        return Verdict::NotOurs(format!(
            "role '{}' does not carry this setup's marker {marker} in its notes",
            role.name
        ));
    }
    if !expected_name.trim().is_empty() && !same_name(&role.name, expected_name) {
        return Verdict::NotOurs(format!(
            "role is now named '{}', not '{}' as this setup made it",
            role.name, expected_name
        ));
    }
    Verdict::Ours
}

/// An agent is ours when its username is the one this setup asked for and it either holds
/// `our_role_id` (a role proven ours with [`role`]) or is the login agent of an application
/// proven ours (`login_of_our_app`).
pub fn agent(
    agent: &Agent,
    expected_username: &str,
    our_role_id: Option<&str>,
    login_of_our_app: Option<i64>,
) -> Verdict {
    if !same_name(&agent.name, expected_username) {
        return Verdict::NotOurs(format!(
            "agent {} is '{}', not '{}' as this setup made it",
            agent.id.unwrap_or_default(),
            agent.name,
            expected_username
        ));
    }
    let holds_role = our_role_id.is_some_and(|rid| {
        !rid.is_empty() && agent.roles.iter().any(|r| r.id.eq_ignore_ascii_case(rid))
    });
    let logs_in_for_us = login_of_our_app.is_some_and(|id| agent.id == Some(id) && id != 0);
    if holds_role || logs_in_for_us {
        Verdict::Ours
    } else {
        Verdict::NotOurs(format!(
            "agent '{}' neither holds this setup's role nor logs in for this setup's application",
            agent.name
        ))
    }
}

/// An application is ours when its description carries the marker, or (where Halo did not
/// store a description) when it logs in as `our_agent_id` and has the name this setup asked for.
pub fn application(
    app: &Application,
    marker: &str,
    expected_name: &str,
    our_agent_id: Option<i64>,
) -> Verdict {
    if !marker.is_empty() && app.description.contains(marker) {
        return Verdict::Ours;
    }
    if !same_name(&app.display_name, expected_name) {
        return Verdict::NotOurs(format!(
            "application is named '{}', not '{}' as this setup made it",
            app.display_name, expected_name
        ));
    }
    match (our_agent_id, app.loginas_agent_id) {
        (Some(ours), Some(login)) if ours != 0 && ours == login => Verdict::Ours,
        _ => Verdict::NotOurs(format!(
            "application '{}' carries no marker and does not log in as this setup's agent",
            app.display_name
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::halo::model::RoleRef;

    const M: &str = "[halo-onboard:20261130-000000-abcd]";

    fn role_with(notes: &str) -> Role {
        Role {
            id: Some("r-1".into()),
            name: "TopLeft Role".into(),
            notes: notes.into(),
            ..Role::default()
        }
    }

    #[test]
    fn role_needs_marker_and_name() {
        assert!(role(&role_with(&format!("x {M}")), M, "TopLeft Role").is_ours());
        assert!(!role(&role_with("x"), M, "TopLeft Role").is_ours());
        assert!(!role(&role_with(M), M, "Other").is_ours());
        assert!(!role(&role_with(M), "", "TopLeft Role").is_ours());
    }

    #[test]
    fn agent_by_chain() {
        let a = Agent {
            id: Some(7),
            name: "topleft".into(),
            roles: vec![RoleRef {
                id: "R-1".into(),
                name: String::new(),
            }],
            ..Agent::default()
        };
        assert!(agent(&a, "TopLeft", Some("r-1"), None).is_ours());
        assert!(agent(&a, "topleft", None, Some(7)).is_ours());
        assert!(!agent(&a, "topleft", Some("r-2"), Some(8)).is_ours());
        assert!(!agent(&a, "Sam Support", Some("r-1"), None).is_ours());
        assert!(!agent(&a, "topleft", Some(""), Some(0)).is_ours());
    }

    #[test]
    fn application_by_marker_or_login_agent() {
        let mut app = Application {
            display_name: "TopLeft".into(),
            description: format!("d {M}"),
            loginas_agent_id: Some(7),
            ..Application::default()
        };
        assert!(application(&app, M, "TopLeft", None).is_ours());
        app.description.clear();
        assert!(application(&app, M, "TopLeft", Some(7)).is_ours());
        assert!(!application(&app, M, "TopLeft", Some(8)).is_ours());
        assert!(!application(&app, M, "Other", Some(7)).is_ours());
        assert!(!application(&app, M, "TopLeft", None).is_ours());
    }
}
