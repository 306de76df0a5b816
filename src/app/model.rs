//! Everything the wizard knows: the answers, the per-field editing state, what Halo has, the
//! connection, the log, overlays. Rendering reads only this.

use std::collections::BTreeMap;

use tui_input::Input;

use crate::answers::{Answers, TeamAnswer};
use crate::plan::build::Lookups;
use crate::profile::{Profile, Question};

use super::field::Field;
use super::log::{LogBuffer, LogKind};
use super::msg::Effect;
use super::secret::SecretInput;
use super::state::{ApplyState, Instances, Picker, ResumeRow};

/// The wizard's six steps, in order; `Model::step` is the one on screen, and its index keys the
/// per-step arrays (`focus`, `done`, `show_errors`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Step {
    /// Where Halo is and the bootstrap credential; tested before the wizard moves on.
    Connect,
    /// Create a Role for the integration, or reuse one Halo has.
    Role,
    /// The API-only Agent the application logs in as.
    Agent,
    /// The API Application (login type Agent) whose Client ID and Secret are handed over.
    Application,
    /// The application's permission scopes.
    Permissions,
    /// The plan, apply, verification and hand-over.
    Submit,
}

impl Step {
    /// Every step in screen order (a step's index is its place here).
    pub const ALL: [Step; 6] = [
        Step::Connect,
        Step::Role,
        Step::Agent,
        Step::Application,
        Step::Permissions,
        Step::Submit,
    ];
    /// The step's place in [`Step::ALL`] (0 = Connect), the index of the model's per-step arrays.
    pub fn index(self) -> usize {
        self as usize
    }
    /// The step's name on the step bar and in log lines ("Permissions").
    pub fn title(self) -> &'static str {
        match self {
            Self::Connect => "Connect",
            Self::Role => "Role",
            Self::Agent => "Agent",
            Self::Application => "Application",
            Self::Permissions => "Permissions",
            Self::Submit => "Submit",
        }
    }
    /// The title where the step bar is short of room ("5 Perms").
    pub(crate) fn short_title(self) -> &'static str {
        match self {
            Self::Application => "App",
            Self::Permissions => "Perms",
            s => s.title(),
        }
    }
    /// The step after this one; `None` after Submit.
    pub fn next(self) -> Option<Step> {
        Self::ALL.get(self.index() + 1).copied()
    }
    pub(crate) fn prev(self) -> Option<Step> {
        self.index().checked_sub(1).map(|i| Self::ALL[i])
    }
}

/// Who the bootstrap credential logged in as and what it may do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConnInfo {
    /// The agent's name from Halo (shown as "Connected as …" on the Connect step).
    pub agent_name: String,
    /// The agent's id in Halo (`None` when Halo's answer has none).
    pub agent_id: Option<i64>,
    /// The scopes of the token Halo issued (listed under "Connected as").
    pub scopes: Vec<String>,
    /// What is missing to administer roles, agents and applications; empty = all good.
    pub missing: Vec<String>,
}

/// The connection test's state, shown under the Connect step's fields. Set by the test (`t`,
/// the Test button, Ctrl-N) and its result (`Msg::Connected`); any edit of the connection
/// details goes back to `NotConnected`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum ConnState {
    /// Not tested with the current details (also after they changed).
    #[default]
    NotConnected,
    /// A test is running (the spinner turns; a second test is not started).
    Connecting,
    /// The test passed: who the bootstrap credential is. Later steps need this.
    Connected(ConnInfo),
    /// The test failed; shown under the fields with its hint.
    Failed {
        /// What failed (from the client's error).
        message: String,
        /// What to do about it.
        hint: String,
    },
}

/// The pop-up over the screen, if any: while one is open it takes every key (its own row of
/// the key table) and the footer shows its keys.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Overlay {
    /// No pop-up: keys go to the step.
    #[default]
    None,
    /// The key help (`?`, F1), scrolled by `Model::help_scroll`.
    Help,
    /// "Quit?" (`q`, Ctrl-C): `y` quits, any other key stays.
    ConfirmQuit,
    /// A message that any key closes.
    Message(String),
    /// Profile list: its filter and highlighted row.
    ProfilePicker(Picker),
    /// Unfinished setups offered at start; the highlighted row.
    Resume(usize),
    /// "Apply these changes?" with the risks.
    ConfirmApply,
    /// Halo's authinfo points the login to another server (this URL): send the secret there?
    ConfirmAuthUrl(String),
    /// Where to save the hand-over file (edited in place).
    SavePath(String),
    /// The hand-over file exists: replace it? (`y`), or back to the path prompt.
    ConfirmOverwrite(String),
    /// Confirming the hand-over would wipe a secret that was neither copied nor saved.
    ConfirmWipe,
    /// The secret was sent to the clipboard (OSC 52), which may have gone nowhere: did the
    /// paste arrive? Only `y` wipes it.
    ConfirmPasted,
    /// After a connect: save this Halo as a named instance (the name, edited in place)?
    SaveInstance(String),
    /// An instance of this name says something else: replace it (`y`), or back to the name.
    ConfirmInstanceReplace(String),
}

/// A request waiting before its next attempt (429 backoff, a 5xx retry), counted down.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Backoff {
    /// The waiting request's HTTP method.
    pub method: String,
    /// The waiting request's path (as the client logs it: no secrets).
    pub path: String,
    /// What Halo answered (`None`: no answer at all).
    pub status: Option<u16>,
    /// Left to wait, in milliseconds (counted down by the spinner ticks).
    pub left_ms: u64,
}

impl Backoff {
    /// What the screen says, e.g. "Rate limited by Halo: retrying in 23 s".
    pub fn text(&self) -> String {
        let secs = self.left_ms.div_ceil(1000);
        match self.status {
            Some(429) => format!("Rate limited by Halo: retrying in {secs} s"),
            Some(s) => format!("Halo answered {s}: retrying in {secs} s"),
            None => format!("No answer from Halo: retrying in {secs} s"),
        }
    }
}

/// Everything the wizard knows: [`update`](super::update) changes it (the front end only
/// seeds it before the first frame), and the view reads nothing else.
#[derive(Debug, Clone)]
pub struct Model {
    /// What the user chose in every step (filled by typing, a profile, a resumed setup or
    /// `--answers`): what the plan is built from and apply writes.
    pub answers: Answers,
    /// The step on screen (changed by Ctrl-N / Esc, a resume, the next integration).
    pub step: Step,
    /// Focus index into `fields(model, step)`, remembered per step.
    pub focus: [usize; 6],
    /// The editors of the text fields typed into (cursor and text); a field without one shows
    /// its answer. Cleared by `sync_inputs` when the answers change under them.
    pub inputs: BTreeMap<Field, Input>,
    /// The bootstrap client secret as typed (masked on screen, never in the answers or logs).
    pub secret: SecretInput,
    /// The connection test's state (shown on the Connect step).
    pub conn: ConnState,
    /// What Halo has (roles, teams, departments, workdays, agents), read by the connect and
    /// the roles' details read at Submit; the steps pick from it and the plan compares with it.
    pub lookups: Lookups,
    /// Steps passed with Next (all their checks green at the time).
    pub done: [bool; 6],
    /// Show validation messages for a step (after a failed Next or Test).
    pub show_errors: [bool; 6],
    /// The pop-up open over the screen (it takes every key); `Overlay::None` for none.
    pub overlay: Overlay,
    /// First line of the help overlay shown (it scrolls).
    pub help_scroll: usize,
    /// The log pane's entries (every line also goes to the log file via `Effect::AppendLog`).
    pub log: LogBuffer,
    /// The log pane is shown (`l`, F2); while shown it is the last focus stop.
    pub log_visible: bool,
    /// The log pane takes three fifths of the height instead of a few lines (`L`, F3).
    pub log_large: bool,
    /// Entries above the newest (0 = follow).
    pub log_scroll: usize,
    /// Requests running in the runtime; drives the spinner tick.
    pub in_flight: usize,
    /// A request waiting to retry (shown as a countdown).
    pub backoff: Option<Backoff>,
    /// An authorisation server on another host that the user confirmed for this connection.
    pub trusted_auth_url: Option<String>,
    /// Ctrl-N started the connection test: the next step follows once it succeeds.
    pub next_after_connect: bool,
    /// The connection details changed while a test ran: its result is for other details.
    pub conn_stale: bool,
    /// The spinner's frame, advanced by each `Msg::Tick`.
    pub spinner: usize,
    /// First line of the Submit plan shown (Up/Down scroll it).
    pub plan_scroll: usize,
    /// Profiles to pick from (built-ins and the user's).
    pub profiles: Vec<Profile>,
    /// The picked profile, if any.
    pub profile: Option<Profile>,
    /// Unfinished setups that can be continued.
    pub resumable: Vec<ResumeRow>,
    /// Finished setups, listed after the unfinished ones: `r` rotates one's secret.
    pub setups: Vec<ResumeRow>,
    /// The setup whose secret is rotated once the wizard closes (`r` on its line): the
    /// terminal's `rotate` asks for the bootstrap secret and what it needs on the normal screen.
    pub hand_off: Option<String>,
    /// Apply, verification and hand-over.
    pub apply: ApplyState,
    /// The state dir (journal, hand-over files), for paths shown and defaults.
    pub state_dir: Option<std::path::PathBuf>,
    /// Tags this run's lines in the log file until a setup id is known (set by the runtime).
    pub run_tag: String,
    /// Roles (ids) whose details were read after the connect (for the plan): not read again.
    pub roles_read: Vec<String>,
    /// The config file's saved instances, for the offer to save this Halo after a connect
    /// (`None`: never offered).
    pub instances: Option<Instances>,
    /// The wizard is done: the runtime restores the terminal and exits (set by `y` on "Quit?"
    /// and by `r` on a finished setup).
    pub quit: bool,
}

impl Default for Model {
    fn default() -> Self {
        Self::new(Answers::default())
    }
}

impl Model {
    /// A wizard on the Connect step with these answers (defaults, `--answers` or a profile).
    pub fn new(answers: Answers) -> Self {
        Self {
            answers,
            step: Step::Connect,
            // Start in the URL field: the mode rarely changes, the URL always does.
            focus: [2, 0, 0, 0, 0, 0],
            inputs: BTreeMap::new(),
            secret: SecretInput::default(),
            conn: ConnState::NotConnected,
            lookups: Lookups::default(),
            done: [false; 6],
            show_errors: [false; 6],
            overlay: Overlay::None,
            help_scroll: 0,
            log: LogBuffer::default(),
            log_visible: true,
            log_large: false,
            log_scroll: 0,
            in_flight: 0,
            backoff: None,
            trusted_auth_url: None,
            next_after_connect: false,
            conn_stale: false,
            spinner: 0,
            plan_scroll: 0,
            profiles: Vec::new(),
            profile: None,
            resumable: Vec::new(),
            setups: Vec::new(),
            hand_off: None,
            apply: ApplyState::default(),
            state_dir: None,
            run_tag: "0".into(),
            roles_read: Vec::new(),
            instances: None,
            quit: false,
        }
    }

    /// Adds a line to the log pane and (through the runtime) to the log file, where it is
    /// tagged with the setup it belongs to (`setup=ID`), or this run's tag before there is one.
    pub fn log(&mut self, fx: &mut Vec<Effect>, kind: LogKind, text: impl Into<String>) {
        let text = text.into();
        fx.push(Effect::AppendLog(format!(
            "{} {} {}",
            self.log_tag(),
            kind.tag(),
            text
        )));
        if self.log.push(kind, text) && self.log_scroll > 0 {
            // Keep the view still while the user reads older entries.
            self.log_scroll = (self.log_scroll + 1).min(self.log.len());
        }
    }

    /// The session tag of a log-file line: `setup=ID` once the setup is journaled (or being
    /// resumed), else `run=TAG`.
    pub(crate) fn log_tag(&self) -> String {
        match &self.apply.session_id {
            Some(id) => format!("setup={id}"),
            None => format!("run={}", self.run_tag),
        }
    }

    /// Setups were found here (unfinished or finished): `o` lists them.
    pub(crate) fn has_setups(&self) -> bool {
        !self.resumable.is_empty() || !self.setups.is_empty()
    }

    /// The connection test passed with the current details.
    pub fn is_connected(&self) -> bool {
        matches!(self.conn, ConnState::Connected(_))
    }

    /// The answer for the Halo team of this name (case-insensitive); `None`: the agent is not
    /// in it.
    pub fn team_answer(&self, name: &str) -> Option<&TeamAnswer> {
        self.answers
            .agent
            .teams
            .iter()
            .find(|t| t.name.eq_ignore_ascii_case(name))
    }

    /// Is a log-pane entry needed for the spinner.
    pub fn busy(&self) -> bool {
        self.in_flight > 0
    }

    /// The picked profile asks the user this (highlighted on its step).
    pub fn asks(&self, q: Question) -> bool {
        self.profile
            .as_ref()
            .is_some_and(|p| p.questions().contains(&q))
    }

    /// The text fields show the answers again (after a profile or a resumed setup fills them).
    pub fn sync_inputs(&mut self) {
        self.inputs.clear();
    }
}
