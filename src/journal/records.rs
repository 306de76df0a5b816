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
    /// Drafted and planned; nothing written to Halo yet.
    Planned,
    /// Writes to Halo have started and not all finished (or the run was stopped).
    Applying,
    /// Every object is in Halo; the credentials are not verified yet.
    Applied,
    /// The new credentials were verified; the secret is not handed over yet.
    Verified,
    /// The secret was handed over; the setup is finished.
    HandedOver,
    /// What the setup created was deleted again; the setup is finished.
    RolledBack,
}

impl Status {
    /// Nothing is left to do: handed over or rolled back.
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
    /// The setup's Role.
    Role,
    /// The setup's API-only Agent.
    Agent,
    /// The setup's API Application.
    Application,
    /// The application's client secret (generated or regenerated).
    Secret,
    /// The check of the new credentials against Halo.
    Verify,
    /// The hand-over of the credentials to the user.
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

/// One thing a setup did or tried, as journaled; see the module docs for the about/done bracket.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "event", rename_all = "kebab-case")]
pub enum Event {
    /// Written before a Halo write; `action` is e.g. "create", "update", "delete", "regenerate".
    About {
        /// What is about to be written.
        subject: Subject,
        /// The kind of write: "create", "update", "delete", "regenerate".
        action: String,
    },
    /// Written after Halo confirmed the write.
    Done {
        /// What was written.
        subject: Subject,
        /// The kind of write, as in the matching `About`.
        action: String,
        /// Halo's id of the object written.
        id: String,
    },
    /// The write did not succeed (Halo refused it, or it was not sent).
    Failed {
        /// What the write was about.
        subject: Subject,
        /// The kind of write, as in the matching `About`.
        action: String,
        /// Why it failed, in words.
        error: String,
    },
    /// A remark for the setup's history (`status`); changes nothing in Halo.
    Note {
        /// The remark, in words.
        text: String,
    },
}

/// One line of a setup's history: an [`Event`] and when it happened.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Entry {
    /// When the event was recorded, Unix time in seconds.
    pub at_unix: u64,
    /// What happened; flattened into the entry's JSON object.
    #[serde(flatten)]
    pub event: Event,
}

/// Ids of what this setup created or adopted.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Objects {
    /// Halo's id of the Role; `None` until created or adopted.
    pub role_id: Option<String>,
    /// This setup created the Role (rollback may delete it); false when adopted.
    pub role_created: bool,
    /// Halo's id of the Agent; `None` until created or adopted.
    pub agent_id: Option<i64>,
    /// This setup created the Agent (rollback may delete it); false when adopted.
    pub agent_created: bool,
    /// Halo's id of the API Application; `None` until created or adopted.
    pub application_id: Option<String>,
    /// This setup created the Application (rollback may delete it); false when adopted.
    pub application_created: bool,
    /// The application's Client ID as the hand-over carries it (it proves a hand-over file is
    /// this setup's); `None` until the application exists.
    pub client_id: Option<String>,
    /// Made by hand in Halo's web UI after Halo refused the write, then adopted: apply keeps
    /// these as they are (a write would be refused again) and rollback never deletes them.
    pub role_manual: bool,
    /// The Agent was made by hand in Halo's UI (see `role_manual`).
    pub agent_manual: bool,
    /// The Application was made by hand in Halo's UI (see `role_manual`).
    pub application_manual: bool,
}

/// The last `check` of a setup, kept beside the journal (`<state dir>/checks/<id>.json`) so a
/// check never rewrites the setup's own file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CheckRecord {
    /// When the check ran, Unix time in seconds.
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
    /// How many checks passed.
    pub passed: usize,
    /// How many checks failed.
    pub failed: usize,
    /// How many checks were not run because something they read was missing or unreachable.
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
