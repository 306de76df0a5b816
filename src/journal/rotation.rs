//! Day-two records of a setup: a rotation in progress (a second application for the
//! integration, handed over before the first is deleted), the rotations and tightenings done,
//! and how a hand-made integration was adopted. All are optional fields of [`Session`], so
//! journals written before them read as they are.
//!
//! A rotation's new secret waits in `<id>.next` (0600), apart from `<id>.secret`: while both
//! applications exist, the setup's own secret file and hand-over still belong to the first.

use std::path::PathBuf;

use serde::{Deserialize, Serialize};

use super::records::Objects;
use crate::answers::Answers;

/// Why a second application is being brought in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Purpose {
    /// A new secret: the same agent, the same scopes.
    Rotate,
    /// Least privilege: a new API-only agent with the profile's role and scopes.
    Tighten,
}

impl Purpose {
    pub fn words(self) -> &'static str {
        match self {
            Self::Rotate => "rotation",
            Self::Tighten => "tightening",
        }
    }
}

/// What the setup was before a tightening replaced its answers and objects: restored when the
/// tightening is abandoned.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Previous {
    pub answers: Answers,
    pub objects: Objects,
    #[serde(default)]
    pub credentials_file: Option<PathBuf>,
    #[serde(default)]
    pub handed_over: bool,
}

/// A second application in progress: created (or about to be), verified, handed over; the
/// first one is deleted by `rotate --finish` once it is proven to be the one recorded here.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Rotation {
    pub purpose: Purpose,
    pub started_unix: u64,
    /// The application in use when the rotation started, as Halo showed it then: `--finish`
    /// deletes it only while Halo still shows this id, this Client ID and this login agent.
    pub old_application_id: String,
    pub old_client_id: String,
    pub old_agent_id: i64,
    /// Every application that logged in as the new application's agent before the create: the
    /// new one is none of them (how a create whose answer was lost is found again).
    #[serde(default)]
    pub before: Vec<String>,
    /// The Client ID sent with the create, journaled before it (Halo may issue its own).
    #[serde(default)]
    pub sent_client_id: String,
    /// The agent the new application logs in as.
    pub agent_id: i64,
    /// The new application's name and scopes (the old one's; the profile's when tightening).
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub scopes: Vec<String>,
    pub new_application_id: Option<String>,
    pub new_client_id: Option<String>,
    /// When the new application was created (its secret's issue time).
    #[serde(default)]
    pub created_unix: Option<u64>,
    /// The new credentials passed verification (token, `Agent/me`, probes).
    #[serde(default)]
    pub verified: bool,
    /// Where the new credentials were handed over (a new file; never the old one's path).
    #[serde(default)]
    pub credentials_file: Option<PathBuf>,
    #[serde(default)]
    pub handed_over: bool,
    /// Tightening: the setup before it, restored by `--abandon`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub previous: Option<Box<Previous>>,
}

impl Rotation {
    /// Where it stands, in words: "rotation in progress: handed over, waiting for --finish".
    pub fn words(&self) -> String {
        let stage = if self.handed_over {
            "new credentials handed over, old application still active (rotate --finish deletes it)"
        } else if self.verified {
            "new application verified, not handed over yet"
        } else if self.new_application_id.is_some() {
            "new application created, not verified yet"
        } else {
            "started, new application not created yet"
        };
        format!("{} in progress: {stage}", self.purpose.words())
    }
}

/// What an in-place tightening step changed, kept until the tightening is checked, so a
/// failed check (or a kill before it) can put it back.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", tag = "object")]
pub enum Undo {
    /// The application's scopes before.
    Scopes {
        application_id: String,
        scopes: Vec<String>,
    },
    /// The role's claims before.
    Role {
        role_id: String,
        claims: Vec<crate::halo::model::Claim>,
    },
}

/// A finished rotation or tightening.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RotationDone {
    pub purpose: Purpose,
    pub started_unix: u64,
    pub finished_unix: u64,
    pub old_application_id: String,
    pub old_client_id: String,
    pub old_agent_id: i64,
    pub new_application_id: String,
    pub new_client_id: String,
    pub agent_id: i64,
}

/// A hand-made integration brought under management (`adopt`): what Halo showed, and what the
/// setup's ownership rests on (the ids read from Halo, never a name). Adopted objects are never
/// deleted by rollback.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Adoption {
    pub at_unix: u64,
    pub application_id: String,
    pub client_id: String,
    pub application_name: String,
    pub agent_id: i64,
    pub agent_name: String,
    /// The login agent was an API-only agent (else a person's account).
    pub agent_api_only: bool,
    /// The login agent is a HaloPSA Administrator; `None` when its roles could not be read.
    pub agent_admin: Option<bool>,
    /// The agent's roles when adopted (id, name).
    pub roles: Vec<(String, String)>,
    pub scopes: Vec<String>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::journal::Journal;
    use secrecy::{ExposeSecret, SecretString};

    #[test]
    fn next_secret_lives_apart_from_the_setups_own() {
        let t = tempfile::tempdir().unwrap();
        let j = Journal::open(&t.path().join("state")).unwrap();
        let mut s = j.create(Answers::default(), None).unwrap();
        j.store_secret(&mut s, &SecretString::from("old-one".to_string()))
            .unwrap();
        j.store_next_secret(&s.id, &SecretString::from("new-one".to_string()))
            .unwrap();
        assert_eq!(j.load_secret(&s.id).unwrap().expose_secret(), "old-one");
        assert_eq!(
            j.load_next_secret(&s.id).unwrap().expose_secret(),
            "new-one"
        );
        let text = std::fs::read_to_string(j.path(&s.id)).unwrap();
        assert!(!text.contains("new-one"));
        j.wipe_next_secret(&s.id).unwrap();
        assert!(j.load_next_secret(&s.id).is_none());
        assert!(j.load_secret(&s.id).is_some());
        assert!(
            j.store_next_secret("../x", &SecretString::from("y".to_string()))
                .is_err()
        );
    }

    #[test]
    fn journals_without_day_two_fields_still_load() {
        let t = tempfile::tempdir().unwrap();
        let j = Journal::open(&t.path().join("state")).unwrap();
        let s = j.create(Answers::default(), None).unwrap();
        let text = std::fs::read_to_string(j.path(&s.id)).unwrap();
        assert!(!text.contains("rotation"), "{text}");
        let back = j.load(&s.id).unwrap();
        assert!(back.rotation.is_none() && back.rotations.is_empty() && back.adoption.is_none());
    }
}
