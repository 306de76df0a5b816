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
    /// The agent the bootstrap credential logs in as (`/api/Agent/me`): its name goes on the
    /// Connect step, its roles decide whether it administers Halo.
    pub agent: Agent,
    /// The token Halo issued: its scopes say what the credential may administer.
    pub token: TokenInfo,
    /// Halo's roles, teams, departments, workdays and agents, for `Model::lookups`.
    pub lookups: Lookups,
}

/// A failed connection test, as the user sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConnectFailure {
    /// What failed (the client's error).
    pub message: String,
    /// What to do next, shown under the message.
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

/// What happens to the wizard: the terminal's events and the runtime's results of effects,
/// each handled by [`update`](super::update).
#[derive(Debug, Clone)]
pub enum Msg {
    /// A key press (looked up in the key table; releases do nothing).
    Key(KeyEvent),
    /// Bracketed paste.
    Paste(String),
    /// The terminal was resized: nothing changes but the next frame.
    Resize,
    /// Spinner tick, only while a request is in flight.
    Tick,
    /// The connection test's result (from `Effect::Connect`): sets `Model::conn` and the
    /// lookups; with Ctrl-N waiting, the next step follows.
    Connected(Box<Result<Connected, ConnectFailure>>),
    /// The client finished a request (a log line) or waits to retry one (`Model::backoff`).
    Request(RequestEvent),
    /// A line for the log pane and file from the runtime.
    Log(LogKind, String),
    /// The setup is journaled (new or resumed) under this id.
    ApplyStarted(String),
    /// A step of the apply written (its object turns done) or a read-back difference.
    Progress(Progress),
    /// Writes done; verifying with the new credentials.
    Verifying,
    /// Apply (and verification, when it could run) finished: the hand-over screen.
    Applied(Box<ApplyOutcome>),
    /// Apply stopped: the failure screen, with a retry (the setup resumes).
    ApplyFailed {
        /// What failed.
        message: String,
        /// What to do about it (the wizard appends how to resume).
        hint: String,
    },
    /// Halo refused the write of `object`: the failure screen offers doing it by hand.
    ApplyRefused {
        /// The object whose write Halo refused (`ApplyState::refused`).
        object: Object,
        /// Halo's refusal, as the failure screen shows it.
        message: String,
        /// What to do about it.
        hint: String,
    },
    /// Halo did not accept the new application's secret (it keeps its own and does not show it
    /// through the API): the failure screen offers `m` to paste the one copied from Halo.
    SecretNeeded {
        /// Why the secret is needed, as the failure screen shows it.
        message: String,
        /// What to do about it.
        hint: String,
    },
    /// Nothing made by hand was found (yet), or the copied credentials do not match.
    ManualNotAdopted(String),
    /// The hand-over file was written (its path, `ApplyState::saved_to`), or why not.
    HandoverSaved(Result<std::path::PathBuf, Failed>),
    /// The hand-over file already exists; nothing was written (the wizard asks first).
    HandoverExists(std::path::PathBuf),
    /// The result of verifying again (after the admin fixed Halo), or why it could not run.
    Reverified(Result<Verification, Failed>),
    /// The answers file was written (its path, `ApplyState::answers_file`), or why not.
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
    /// The built-in and user profiles (`None`: not asked for; the model's list stays).
    pub profiles: Option<Vec<crate::profile::Profile>>,
    /// Unfinished setups in the journal, offered in the resume list at start.
    pub resumable: Vec<super::state::ResumeRow>,
    /// Finished setups (handed over, with an application): each can be rotated.
    pub finished: Vec<super::state::ResumeRow>,
    /// Profiles or setups that could not be read, said in the log.
    pub warnings: Vec<String>,
    /// The demo emulator that was started, or why not (`None`: no `--demo`); fills the
    /// Connect step.
    pub demo: Option<Result<DemoHalo, Failed>>,
}

/// The embedded emulator the demo connects to. Debug is safe: `SecretString` redacts itself.
#[derive(Debug, Clone)]
pub struct DemoHalo {
    /// The emulator's address (a loopback URL), put in the Connect step's URL field.
    pub url: String,
    /// The emulator's bootstrap Client ID.
    pub client_id: String,
    /// The emulator's bootstrap secret, put in the masked secret field.
    pub client_secret: SecretString,
}

/// What apply and verification produced. Debug never shows the secret (`Handover` redacts it).
#[derive(Debug, Clone)]
pub struct ApplyOutcome {
    /// The journaled setup as apply left it (its objects, status and manual steps left).
    pub session: Session,
    /// `None` when nothing was verified (an adopted application kept its secret).
    pub verification: Option<Verification>,
    /// Where Halo's read-back differs from what was written (listed on the result screen).
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
    /// The setup to verify (its objects and what the vendor needs).
    pub session: Session,
    /// The application's Client ID.
    pub client_id: String,
    /// The agent the application logs in as (0 when the journal has none).
    pub agent_id: i64,
    /// The new secret still on the hand-over screen; `None`: the journal's hand-over is used.
    pub secret: Option<SecretString>,
}

/// What the runtime needs to apply: the answers and the setup to continue, if any.
#[derive(Debug, Clone)]
pub struct ApplyRequest {
    /// What to write (the model's answers at confirmation).
    pub answers: Answers,
    /// The journaled setup to continue (this run's, or the one resumed); `None`: a new one.
    pub resume_id: Option<String>,
}

/// Adopt what the user made by hand in Halo's web UI, then continue the setup.
/// Debug is safe: `ManualCredentials` redacts the secret.
#[derive(Debug, Clone)]
pub struct ManualRequest {
    /// The journaled setup to continue.
    pub session_id: String,
    /// The answers, which say what to look for in Halo.
    pub answers: Answers,
    /// The object the user made by hand (the one Halo refused).
    pub object: Object,
    /// For an application: the Client ID and Secret copied from Halo's form; else `None`.
    pub credentials: Option<crate::plan::manual::ManualCredentials>,
}

/// What the runtime needs to test a connection. Debug is safe: `SecretString` redacts itself.
#[derive(Debug, Clone)]
pub struct ConnectRequest {
    /// Where Halo is; a hosted one's `auth_url` is a login server on another host that the
    /// user confirmed.
    pub place: Place,
    /// The bootstrap Client ID (trimmed).
    pub client_id: String,
    /// The bootstrap secret (trimmed), sent only to the token endpoint.
    pub secret: SecretString,
}

/// What `update` asks the runtime to do (all I/O); results come back as a [`Msg`].
#[derive(Debug, Clone)]
pub enum Effect {
    /// Load what the first frame did not wait for.
    Startup(StartupRequest),
    /// Test the connection: token, `/api/Agent/me`, Halo's lookups; answered by
    /// `Msg::Connected`.
    Connect(ConnectRequest),
    /// Append one line to the log file.
    AppendLog(String),
    /// Journal a setup (or continue one), apply, verify.
    Apply(Box<ApplyRequest>),
    /// Adopt an object made by hand, then continue the apply and verify.
    AdoptManual(Box<ManualRequest>),
    /// Put the secret on the terminal's clipboard with OSC 52 (written to the terminal only).
    Clipboard(SecretString),
    /// Write the hand-over file (mode 0600); answered by `Msg::HandoverSaved`, or
    /// `Msg::HandoverExists` when the file exists and `overwrite` is off.
    SaveHandover {
        /// Where (the path the user confirmed; its extension picks the format).
        path: std::path::PathBuf,
        /// The credentials with the secret.
        handover: Box<Handover>,
        /// Replace an existing file (the user said so); otherwise an existing file is kept.
        overwrite: bool,
    },
    /// Verify the setup's credentials again: with `secret` (the one still on the hand-over
    /// screen), else with what the journal's hand-over holds.
    Reverify(Box<ReverifyRequest>),
    /// Write the answers for a headless re-run (`apply --answers`); answered by
    /// `Msg::AnswersSaved`.
    SaveAnswers {
        /// `<state dir>/answers/<setup id>.toml`.
        path: std::path::PathBuf,
        /// The answers (they hold no secret).
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
        /// The config file.
        path: std::path::PathBuf,
        /// The instance's name, as typed (checked by `config::valid_name`).
        name: String,
        /// The address and bootstrap Client ID the Connect step used.
        instance: Box<crate::config::Instance>,
        /// Replace an instance of that name that says something else (the user said so).
        replace: bool,
    },
    /// The wizard is closing (`Model::quit` is set); the runtime needs do nothing more.
    Quit,
}
