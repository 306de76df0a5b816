//! Which Halo objects belong to a setup, proven only from what the evidence says Halo stores
//! (`evidence/halo-api/schemas.json`) and from what this tool's journal recorded: Halo's model
//! binder drops fields its schema lacks, so a marker in a field that does not exist proves
//! nothing on a real instance.
//!
//! The chain:
//! - **Role**: `notes` (an `NHD_Roles` property) carries the setup marker `[halo-onboard:<id>]`.
//! - **Application**: `NHD_Identity_Application` has no description or notes property, so no
//!   marker: an application is ours when it has the name the setup asked for *and* either its
//!   Client ID (`clientId`) is the one the journal recorded for it, or it logs in
//!   (`loginas_agent_id`) as an agent proven ours.
//! - **Agent**: `Uname` has no notes property either: an agent is ours when its username is
//!   the one the setup asked for *and* it holds a role proven ours, or is the login agent of an
//!   application proven ours, or an earlier setup of this journal recorded creating it on this
//!   Halo.
//!
//! Adoption on re-apply and rollback's proof before a delete both use these rules, so neither
//! touches a stranger's object.

use crate::halo::model::{Agent, Application, Role};

/// The marker prefix every setup's marker starts with: passed as `marker`, the rules below
/// recognise objects made by *any* halo-onboard setup (adoption on a later `apply`).
pub(crate) const ANY_SETUP: &str = "[halo-onboard:";

/// The answer to "is this object ours?", with the reason in words a Halo admin reads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Verdict {
    Ours,
    NotOurs(String),
}

impl Verdict {
    pub(crate) fn is_ours(&self) -> bool {
        matches!(self, Self::Ours)
    }
    /// Why it is not ours (empty when it is).
    pub(crate) fn reason(&self) -> &str {
        match self {
            Self::Ours => "",
            Self::NotOurs(why) => why,
        }
    }
}

/// Names as Halo compares them: trimmed, any case.
pub(crate) fn same_name(a: &str, b: &str) -> bool {
    a.trim().eq_ignore_ascii_case(b.trim())
}

/// A role is ours when its notes carry this setup's marker.
pub(crate) fn role(role: &Role, marker: &str, expected_name: &str) -> Verdict {
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

/// What else proves an agent ours besides its username.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct AgentProof<'a> {
    /// A role proven ours with [`role`].
    pub our_role_id: Option<&'a str>,
    /// The login agent of an application proven ours with [`application`].
    pub login_of_our_app: Option<i64>,
    /// An agent an earlier setup of this journal recorded creating on this Halo.
    pub recorded: bool,
}

/// An agent is ours when its username is the one this setup asked for and one of `proof`
/// holds for it.
pub(crate) fn agent(agent: &Agent, expected_username: &str, proof: AgentProof<'_>) -> Verdict {
    if !same_name(&agent.name, expected_username) {
        return Verdict::NotOurs(format!(
            "agent {} is '{}', not '{}' as this setup made it",
            agent.id.unwrap_or_default(),
            agent.name,
            expected_username
        ));
    }
    let holds_role = proof.our_role_id.is_some_and(|rid| {
        !rid.is_empty() && agent.roles.iter().any(|r| r.id.eq_ignore_ascii_case(rid))
    });
    let logs_in_for_us = proof
        .login_of_our_app
        .is_some_and(|id| agent.id == Some(id) && id != 0);
    if holds_role || logs_in_for_us || proof.recorded {
        Verdict::Ours
    } else {
        Verdict::NotOurs(format!(
            "agent '{}' neither holds this setup's role nor logs in for this setup's application",
            agent.name
        ))
    }
}

/// An application is ours when it has the name this setup asked for and its Client ID is the
/// one the journal recorded (`recorded_client_id`), or it logs in as `our_agent_id` (an agent
/// proven ours).
pub(crate) fn application(
    app: &Application,
    expected_name: &str,
    recorded_client_id: Option<&str>,
    our_agent_id: Option<i64>,
) -> Verdict {
    if !same_name(&app.display_name, expected_name) {
        return Verdict::NotOurs(format!(
            "application is named '{}', not '{}' as this setup made it",
            app.display_name, expected_name
        ));
    }
    let recorded = recorded_client_id
        .map(str::trim)
        .is_some_and(|c| !c.is_empty() && c.eq_ignore_ascii_case(app.client_id.trim()));
    let logs_in_as_ours = matches!(
        (our_agent_id, app.loginas_agent_id),
        (Some(ours), Some(login)) if ours != 0 && ours == login
    );
    if recorded || logs_in_as_ours {
        Verdict::Ours
    } else {
        Verdict::NotOurs(format!(
            "application '{}' has neither the Client ID this setup recorded nor this setup's agent as its login agent",
            app.display_name
        ))
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
        let by = |our_role_id, login_of_our_app, recorded| AgentProof {
            our_role_id,
            login_of_our_app,
            recorded,
        };
        assert!(agent(&a, "TopLeft", by(Some("r-1"), None, false)).is_ours());
        assert!(agent(&a, "topleft", by(None, Some(7), false)).is_ours());
        assert!(agent(&a, "topleft", by(None, None, true)).is_ours());
        assert!(!agent(&a, "topleft", by(Some("r-2"), Some(8), false)).is_ours());
        assert!(!agent(&a, "Sam Support", by(Some("r-1"), None, true)).is_ours());
        assert!(!agent(&a, "topleft", by(Some(""), Some(0), false)).is_ours());
    }

    #[test]
    fn application_by_recorded_client_id_or_login_agent() {
        let app = Application {
            display_name: "TopLeft".into(),
            client_id: "cid-1".into(),
            loginas_agent_id: Some(7),
            ..Application::default()
        };
        assert!(application(&app, "TopLeft", Some("CID-1"), None).is_ours());
        assert!(application(&app, "TopLeft", None, Some(7)).is_ours());
        assert!(application(&app, "topleft", Some("other"), Some(7)).is_ours());
        assert!(!application(&app, "TopLeft", Some("other"), Some(8)).is_ours());
        assert!(!application(&app, "TopLeft", Some(""), None).is_ours());
        assert!(!application(&app, "Other", Some("cid-1"), Some(7)).is_ours());
        let why = application(&app, "TopLeft", None, None);
        assert!(why.reason().contains("Client ID"), "{why:?}");
    }
}
