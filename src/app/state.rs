//! The wizard's sub-states held by the `Model`: the apply and hand-over,
//! the manual-step screen, the profile picker, the saved instances. Types only, so the model
//! and the messages can hold them without depending on the steps that change them.

use std::collections::BTreeMap;
use std::path::PathBuf;

use secrecy::SecretString;

use crate::config::Instance;
use crate::journal::Session;
use crate::plan::apply::VerifiedWith;
use crate::plan::build::Object;
use crate::plan::handover::Handover;
use crate::plan::manual::Checklist;
use crate::plan::verify::{Verdict, Verification};

use super::log::LogKind;
use super::secret::SecretInput;

/// An unfinished setup offered at start. `age` is computed by the caller (the model is pure).
#[derive(Debug, Clone)]
pub struct ResumeRow {
    /// The journaled setup (its id, answers, objects and status).
    pub session: Session,
    /// How long ago it was last written, in words ("3h ago"), for the list.
    pub age: String,
}

impl ResumeRow {
    /// Where the setup stands, in words (not the journal's name for it).
    pub fn status(&self) -> String {
        use crate::journal::Status;
        let left = self.session.manual_left().len();
        if left > 0 && !matches!(self.session.status, Status::Planned | Status::Applying) {
            return crate::plan::verify::steps_left(left);
        }
        match self.session.status {
            Status::Planned => "planned, nothing written",
            Status::Applying => "stopped while applying",
            Status::Applied => "applied, not verified",
            Status::Verified => "verified, not handed over",
            Status::HandedOver => "handed over",
            Status::RolledBack => "rolled back",
        }
        .to_string()
    }
    /// The id of the profile the setup was made with; "-" for none.
    pub fn profile(&self) -> &str {
        self.session.answers.profile.as_deref().unwrap_or("-")
    }
}

/// Where one of the setup's three objects stands in the apply's progress view (✓ once done).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ObjState {
    /// Not written (or not reported) yet in this apply.
    Pending,
    /// Written, or found as it should be (`Msg::Progress` named it, or verification began).
    Done,
}

/// Where the Submit step's apply stands; it picks the screen (plan, progress, failure,
/// hand-over) and the key context.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum Phase {
    /// Nothing applied yet (the plan is shown).
    #[default]
    Idle,
    /// Apply confirmed and writing (`StartApply`, a retry, a repair, an adoption).
    Running,
    /// The writes are done; the new credentials are being checked (`Msg::Verifying`).
    Verifying,
    /// Apply stopped (`Msg::ApplyFailed`, `ApplyRefused`, `SecretNeeded`): the failure screen.
    Failed {
        /// What failed.
        message: String,
        /// What to do next, with how to resume the setup.
        hint: String,
    },
    /// Applied (and verified): the hand-over screen.
    Done,
}

/// The Submit step after the plan: apply, its progress and result, verification and the
/// hand-over of the new secret (`Model::apply`). Reset for the next integration.
#[derive(Debug, Clone)]
pub struct ApplyState {
    /// Where the apply stands (which screen the Submit step shows).
    pub phase: Phase,
    /// The journaled setup: created by this apply, or the one being resumed.
    pub session_id: Option<String>,
    /// The setup being resumed (its objects and marker feed the plan).
    pub resume: Option<Session>,
    /// Per object: state and the last progress line about it.
    pub objects: [(Object, ObjState, String); 3],
    /// The checks made with the new credentials (`Msg::Applied`, `Msg::Reverified`); `None`:
    /// not verified (yet).
    pub verification: Option<Verification>,
    /// Where Halo's read-back differs from what was written (`Msg::Progress`, `Msg::Applied`),
    /// listed on the result screen.
    pub differences: Vec<crate::plan::diff::Difference>,
    /// URL forms and client id; its secret field is always empty (the secret lives in `secret`).
    pub handover: Option<Handover>,
    /// The new client secret, until the hand-over is confirmed. Dropping it zeroes it.
    pub secret: Option<SecretString>,
    /// The session after apply (for the journal wipe on confirm).
    pub session: Option<Session>,
    /// The hand-over is settled: the secret was wiped (saved, pasted, or discarded), or there
    /// was none to hand over. The keys for the secret go.
    pub confirmed: bool,
    /// The secret was sent to the clipboard (`c`): it may be in the user's hands, or nowhere
    /// (OSC 52 is not always passed on); only the admin's "the paste arrived" says so.
    pub copied: bool,
    /// The admin said the paste of the copied secret arrived (the hand-over was by clipboard).
    pub paste_confirmed: bool,
    /// The secret was wiped without being copied or saved: it exists nowhere now.
    pub discarded: bool,
    /// The hand-over file the secret was saved to (`Msg::HandoverSaved`): confirming then
    /// wipes at once, and the journal points `check` at it.
    pub saved_to: Option<PathBuf>,
    /// Where `a` saved the answers (`Msg::AnswersSaved`), named on the hand-over screen.
    pub answers_file: Option<PathBuf>,
    /// Which credentials the verification used (`None`: not verified).
    pub verified_with: Option<VerifiedWith>,
    /// Halo's client id of the application (known also when there is nothing to hand over).
    pub client_id: String,
    /// A re-verification is running.
    pub reverifying: bool,
    /// Result of the last copy/save, shown under the keys.
    pub note: Option<(LogKind, String)>,
    /// The object whose write Halo refused (the failure screen offers `m`).
    pub refused: Option<Object>,
    /// The "do this step by hand" screen, while open.
    pub manual: Option<ManualState>,
    /// Halo kept the application's secret: `m` asks for the one copied from Halo.
    pub secret_needed: bool,
    /// The setup's steps to do by hand in Halo's web UI, not yet confirmed done (`m` on the
    /// hand-over screen confirms them): until then it is not verified.
    pub manual_left: Vec<String>,
    /// The details of the roles the plan compares are being read: Apply waits for them.
    pub reading_roles: bool,
}

impl Default for ApplyState {
    fn default() -> Self {
        Self {
            phase: Phase::Idle,
            session_id: None,
            resume: None,
            objects: fresh_objects(),
            verification: None,
            differences: Vec::new(),
            handover: None,
            secret: None,
            session: None,
            confirmed: false,
            copied: false,
            paste_confirmed: false,
            discarded: false,
            saved_to: None,
            answers_file: None,
            verified_with: None,
            client_id: String::new(),
            reverifying: false,
            note: None,
            refused: None,
            manual: None,
            secret_needed: false,
            manual_left: Vec::new(),
            reading_roles: false,
        }
    }
}

pub(crate) fn fresh_objects() -> [(Object, ObjState, String); 3] {
    [Object::Role, Object::Agent, Object::Application]
        .map(|o| (o, ObjState::Pending, String::new()))
}

impl ApplyState {
    /// Apply or its verification is running (answers cannot change; Esc does not go back).
    pub fn running(&self) -> bool {
        matches!(self.phase, Phase::Running | Phase::Verifying)
    }
    /// The secret exists only in the journal (and on this screen) until confirmed.
    pub fn secret_pending(&self) -> bool {
        self.phase == Phase::Done && self.secret.is_some() && !self.confirmed
    }
    /// The result in one word: verified only when every need was proven and no manual step
    /// is left.
    pub fn verdict(&self) -> Verdict {
        Verdict::of(self.verification.as_ref(), self.manual_left.len())
    }
    /// Applied, but not verified (a check failed or could not run, or manual steps are left):
    /// the screen offers verifying again and repairing.
    pub fn needs_attention(&self) -> bool {
        self.phase == Phase::Done && self.verdict() != Verdict::Verified
    }
}

/// The manual-step screen's state.
#[derive(Debug, Clone)]
pub struct ManualState {
    pub object: Object,
    pub checklist: Checklist,
    /// Application only: what the user copied from Halo.
    pub client_id: String,
    pub secret: SecretInput,
    /// Application only: 0 = Client ID field, 1 = Client Secret field.
    pub field: usize,
    /// The last attempt's result ("no role named … yet").
    pub message: Option<(LogKind, String)>,
    /// The failure that led here, restored if adoption finds nothing.
    pub failure: (String, String),
}

impl ManualState {
    pub fn needs_credentials(&self) -> bool {
        self.object == Object::Application
    }
}

/// The open profile picker: what is typed to filter it, and the highlighted row among the
/// profiles that match.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Picker {
    /// What is typed: profiles whose vendor, id or summary contain it (any case) are listed.
    pub filter: String,
    /// Index into the profiles that match the filter (`picker::matching`).
    pub sel: usize,
}

/// The config file and the instances it holds (set by the front end; `None`: no offer, as in
/// the demo and the tests).
#[derive(Debug, Clone, Default)]
pub struct Instances {
    /// The config file an instance is saved to.
    pub path: PathBuf,
    /// Its instances by name (a save adds to it), so this Halo is not offered twice.
    pub saved: BTreeMap<String, Instance>,
}
