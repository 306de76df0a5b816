//! Messages into `update` and effects out of it.

use crossterm::event::KeyEvent;
use secrecy::SecretString;

use crate::answers::Answers;
use crate::halo::model::Agent;
use crate::halo::{RequestEvent, TokenInfo};
use crate::journal::Session;
use crate::plan::apply::Progress;
use crate::plan::build::{Lookups, Object};
use crate::plan::handover::Handover;
use crate::plan::session::Place;
use crate::plan::verify::Verification;

use super::log::LogKind;

/// Why an effect failed, as the log pane and the result screen show it: already worded by
/// the runtime where the error is known (message and hint, control characters stripped).
/// The wizard layer's error: words, not the error behind them, because `Msg` is `Clone` and
/// compared in tests while those errors are not all `Clone` (`JournalError` holds an
/// `io::Error`).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct Failed(pub String);

impl Failed {
    /// An error as its message alone.
    pub fn of(e: impl std::fmt::Display) -> Self {
        Self(e.to_string())
    }

    /// An error and what to do about it, as the wizard shows both: "message (hint)".
    pub fn with_hint(e: impl std::fmt::Display, hint: impl std::fmt::Display) -> Self {
        Self(format!("{e} ({hint})"))
    }
}

impl From<String> for Failed {
    fn from(s: String) -> Self {
        Self(s)
    }
}

impl From<&str> for Failed {
    fn from(s: &str) -> Self {
        Self(s.to_string())
    }
}

/// Result of a successful connection test: who we are and what Halo has.
#[derive(Debug, Clone)]
pub struct Connected {
    pub agent: Agent,
    pub token: TokenInfo,
    pub lookups: Lookups,
}

/// A failed connection test, as the user sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConnectFailure {
    pub message: String,
    pub hint: String,
    /// Halo's authinfo points the login to this server on another host: the user is asked.
    pub confirm_auth_url: Option<String>,
}

impl From<&crate::halo::HaloError> for ConnectFailure {
    fn from(e: &crate::halo::HaloError) -> Self {
        Self {
            message: e.to_string(),
            hint: e.hint().to_string(),
            confirm_auth_url: match e {
                crate::halo::HaloError::AuthElsewhere(_, auth) => Some(auth.clone()),
                _ => None,
            },
        }
    }
}

#[derive(Debug, Clone)]
pub enum Msg {
    Key(KeyEvent),
    /// Bracketed paste.
    Paste(String),
    Resize,
    /// Spinner tick, only while a request is in flight.
    Tick,
    Connected(Box<Result<Connected, ConnectFailure>>),
    Request(RequestEvent),
    Log(LogKind, String),
    /// The setup is journaled (new or resumed) under this id.
    ApplyStarted(String),
    Progress(Progress),
    /// Writes done; verifying with the new credentials.
    Verifying,
    Applied(Box<ApplyOutcome>),
    ApplyFailed {
        message: String,
        hint: String,
    },
    /// Halo refused the write of `object`: the failure screen offers doing it by hand.
    ApplyRefused {
        object: Object,
        message: String,
        hint: String,
    },
    /// Halo did not accept the new application's secret (it keeps its own and does not show it
    /// through the API): the failure screen offers `m` to paste the one copied from Halo.
    SecretNeeded {
        message: String,
        hint: String,
    },
    /// Nothing made by hand was found (yet), or the copied credentials do not match.
    ManualNotAdopted(String),
    HandoverSaved(Result<std::path::PathBuf, Failed>),
    /// The hand-over file already exists; nothing was written (the wizard asks first).
    HandoverExists(std::path::PathBuf),
    /// The result of verifying again (after the admin fixed Halo), or why it could not run.
    Reverified(Result<Verification, Failed>),
    AnswersSaved(Result<std::path::PathBuf, Failed>),
    /// The journal secret was wiped (or could not be).
    HandedOver(Result<(), Failed>),
    /// What was loaded once the first frame was on the screen.
    Started(Box<Started>),
    /// The instance was written (its name and how), or why not.
    InstanceSaved(Result<(String, crate::config::Saved), Failed>),
    /// Halo's roles, with the details of the ones the plan compares (or why not).
    RolesRead(Result<Vec<crate::halo::model::Role>, Failed>),
}

/// What the wizard loads once its first frame is drawn (so nothing of it delays the frame).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct StartupRequest {
    /// The built-in and user profiles.
    pub profiles: bool,
    /// The unfinished setups to offer.
    pub unfinished: bool,
    /// Start the embedded Halo emulator (`--demo`).
    pub demo: bool,
}

/// What came of a [`StartupRequest`].
#[derive(Debug, Clone, Default)]
pub struct Started {
    pub profiles: Option<Vec<crate::profile::Profile>>,
    pub resumable: Vec<super::state::ResumeRow>,
    /// Finished setups (handed over, with an application): each can be rotated.
    pub finished: Vec<super::state::ResumeRow>,
    /// Profiles or setups that could not be read, said in the log.
    pub warnings: Vec<String>,
    pub demo: Option<Result<DemoHalo, Failed>>,
}

/// The embedded emulator the demo connects to. Debug is safe: `SecretString` redacts itself.
#[derive(Debug, Clone)]
pub struct DemoHalo {
    pub url: String,
    pub client_id: String,
    pub client_secret: SecretString,
}

/// What apply and verification produced. Debug never shows the secret (`Handover` redacts it).
#[derive(Debug, Clone)]
pub struct ApplyOutcome {
    pub session: Session,
    /// `None` when nothing was verified (an adopted application kept its secret).
    pub verification: Option<Verification>,
    pub differences: Vec<crate::plan::diff::Difference>,
    /// The new credentials; `None` when there is nothing to hand over.
    pub handover: Option<Handover>,
    /// Which credentials the verification used (`None`: not verified).
    pub verified_with: Option<crate::plan::apply::VerifiedWith>,
    /// Halo's client id of the application (also when there is nothing to hand over).
    pub client_id: String,
}

/// Verify a setup again. Debug is safe: `SecretString` redacts itself.
#[derive(Debug, Clone)]
pub struct ReverifyRequest {
    pub session: Session,
    pub client_id: String,
    pub agent_id: i64,
    pub secret: Option<SecretString>,
}

/// What the runtime needs to apply: the answers and the setup to continue, if any.
#[derive(Debug, Clone)]
pub struct ApplyRequest {
    pub answers: Answers,
    pub resume_id: Option<String>,
}

/// Adopt what the user made by hand in Halo's web UI, then continue the setup.
/// Debug is safe: `ManualCredentials` redacts the secret.
#[derive(Debug, Clone)]
pub struct ManualRequest {
    pub session_id: String,
    pub answers: Answers,
    pub object: Object,
    pub credentials: Option<crate::plan::manual::ManualCredentials>,
}

/// What the runtime needs to test a connection. Debug is safe: `SecretString` redacts itself.
#[derive(Debug, Clone)]
pub struct ConnectRequest {
    /// Where Halo is; a hosted one's `auth_url` is a login server on another host that the
    /// user confirmed.
    pub place: Place,
    pub client_id: String,
    pub secret: SecretString,
}

#[derive(Debug, Clone)]
pub enum Effect {
    /// Load what the first frame did not wait for.
    Startup(StartupRequest),
    Connect(ConnectRequest),
    /// Append one line to the log file.
    AppendLog(String),
    /// Journal a setup (or continue one), apply, verify.
    Apply(Box<ApplyRequest>),
    /// Adopt an object made by hand, then continue the apply and verify.
    AdoptManual(Box<ManualRequest>),
    /// Put the secret on the terminal's clipboard with OSC 52 (written to the terminal only).
    Clipboard(SecretString),
    SaveHandover {
        path: std::path::PathBuf,
        handover: Box<Handover>,
        /// Replace an existing file (the user said so); otherwise an existing file is kept.
        overwrite: bool,
    },
    /// Verify the setup's credentials again: with `secret` (the one still on the hand-over
    /// screen), else with what the journal's hand-over holds.
    Reverify(Box<ReverifyRequest>),
    SaveAnswers {
        path: std::path::PathBuf,
        answers: Box<Answers>,
    },
    /// Wipe the journal's copy of the secret and mark the setup handed over (finished when
    /// its verification passed).
    ConfirmHandover(Box<Session>),
    /// Record in the journal that the setup's manual steps are done (the admin said so).
    ConfirmManual(Box<Session>),
    /// Read Halo's roles with the details (permissions) of these (names or ids): what the plan
    /// compares, read before it judges.
    ReadRoles(Vec<String>),
    /// Wipe the journal's copy of a secret the admin chose to throw away unhanded (neither
    /// copied nor saved): the setup is not handed over; a resume gives it a new secret.
    DiscardSecret(Box<Session>),
    /// Write `[instance.NAME]` into the config file (never a secret).
    SaveInstance {
        path: std::path::PathBuf,
        name: String,
        instance: Box<crate::config::Instance>,
        /// Replace an instance of that name that says something else (the user said so).
        replace: bool,
    },
    Quit,
}
