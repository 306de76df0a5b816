//! What a setup's journal records besides the setup itself: where it stands, what it did
//! (events), the ids of its objects, its last check.

use serde::{Deserialize, Serialize};

/// Bump when the file format changes incompatibly.
pub const FORMAT_VERSION: u32 = 1;
/// Overrides the platform state dir (tests, portable installs).
pub const STATE_DIR_ENV: &str = "HALO_ONBOARD_STATE_DIR";

/// Where a setup stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Status {
    Planned,
    Applying,
    Applied,
    Verified,
    HandedOver,
    RolledBack,
}

impl Status {
    pub fn is_finished(self) -> bool {
        matches!(self, Self::HandedOver | Self::RolledBack)
    }

    /// Where the setup stands, in words for people (tables, messages); JSON keeps the
    /// kebab-case names.
    pub fn words(self) -> &'static str {
        match self {
            Self::Planned => "planned, nothing written",
            Self::Applying => "applying, not finished",
            Self::Applied => "applied, not verified",
            Self::Verified => "verified, not handed over",
            Self::HandedOver => "done, handed over",
            Self::RolledBack => "rolled back",
        }
    }
}

/// The object a journal entry is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Subject {
    Role,
    Agent,
    Application,
    Secret,
    Verify,
    Handover,
    /// A second application of the setup (rotate, tighten) and the deletion of the first.
    Rotation,
}

impl Subject {
    /// The subject in words, for messages.
    pub fn words(self) -> &'static str {
        match self {
            Self::Role => "role",
            Self::Agent => "agent",
            Self::Application => "application",
            Self::Secret => "secret",
            Self::Verify => "verification",
            Self::Handover => "hand-over",
            Self::Rotation => "rotation",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "event", rename_all = "kebab-case")]
pub enum Event {
    /// Written before a Halo write; `action` is e.g. "create", "update", "delete", "regenerate".
    About {
        subject: Subject,
        action: String,
    },
    /// Written after Halo confirmed the write.
    Done {
        subject: Subject,
        action: String,
        id: String,
    },
    Failed {
        subject: Subject,
        action: String,
        error: String,
    },
    Note {
        text: String,
    },
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Entry {
    pub at_unix: u64,
    #[serde(flatten)]
    pub event: Event,
}

/// Ids of what this setup created or adopted.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Objects {
    pub role_id: Option<String>,
    pub role_created: bool,
    pub agent_id: Option<i64>,
    pub agent_created: bool,
    pub application_id: Option<String>,
    pub application_created: bool,
    pub client_id: Option<String>,
    /// Made by hand in Halo's web UI after Halo refused the write, then adopted: apply keeps
    /// these as they are (a write would be refused again) and rollback never deletes them.
    pub role_manual: bool,
    pub agent_manual: bool,
    pub application_manual: bool,
}

/// The last `check` of a setup, kept beside the journal (`<state dir>/checks/<id>.json`) so a
/// check never rewrites the setup's own file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CheckRecord {
    pub at_unix: u64,
    /// Every check passed.
    pub ok: bool,
    /// `verified`, `manual_steps_left`, `failed` or `could_not_check` (absent in records
    /// written before it existed).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub verdict: Option<String>,
    /// Halo could not be reached part-way: the audit did not finish.
    #[serde(default)]
    pub incomplete: bool,
    /// Why it did not finish, in words (records before it existed: Halo unreachable).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub why: Option<String>,
    pub passed: usize,
    pub failed: usize,
    pub skipped: usize,
    /// What differs from the profile, in short stable words ("extra scope admin").
    #[serde(default)]
    pub drift: Vec<String>,
    /// What Halo reported about the secret's expiry (`expiry::Reported::short`), never fact.
    #[serde(default, alias = "secret_expires")]
    pub reported_expiry: Option<String>,
    /// When halo-onboard issued the secret (from the setup's journal), RFC 3339.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub secret_issued: Option<String>,
    /// The admin's rotation policy said the secret is due.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub rotation_due: bool,
}

impl CheckRecord {
    /// The result in words: "passed", "2 failed: extra scope admin, …", "did not finish".
    pub fn words(&self) -> String {
        if self.incomplete {
            format!(
                "did not finish ({})",
                self.why.as_deref().unwrap_or("Halo unreachable")
            )
        } else if self.ok {
            format!("passed ({} checks)", self.passed)
        } else if self.verdict.as_deref() == Some("manual_steps_left") {
            format!("{} passed; manual steps left", self.passed)
        } else if self.verdict.as_deref() == Some("could_not_check") {
            format!("{} passed; some could not be checked", self.passed)
        } else if self.drift.is_empty() {
            format!("{} failed", self.failed)
        } else {
            format!("{} failed: {}", self.failed, self.drift.join(", "))
        }
    }
}
