//! Everything the wizard knows: the answers, the per-field editing state, what Halo has, the
//! connection, the log, overlays. Rendering reads only this.

use std::collections::BTreeMap;

use tui_input::Input;

use crate::answers::{Answers, TeamAnswer};
use crate::plan::build::Lookups;
use crate::profile::{Profile, Question};

use super::apply::{ApplyState, ResumeRow};
use super::fields::{Field, fields};
use super::log::{LogBuffer, LogKind};
use super::msg::Effect;
use super::secret::SecretInput;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Step {
    Connect,
    Role,
    Agent,
    Application,
    Permissions,
    Submit,
}

impl Step {
    pub const ALL: [Step; 6] = [
        Step::Connect,
        Step::Role,
        Step::Agent,
        Step::Application,
        Step::Permissions,
        Step::Submit,
    ];
    pub fn index(self) -> usize {
        self as usize
    }
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
    pub fn short_title(self) -> &'static str {
        match self {
            Self::Application => "App",
            Self::Permissions => "Perms",
            s => s.title(),
        }
    }
    pub fn next(self) -> Option<Step> {
        Self::ALL.get(self.index() + 1).copied()
    }
    pub fn prev(self) -> Option<Step> {
        self.index().checked_sub(1).map(|i| Self::ALL[i])
    }
}

/// Who the bootstrap credential logged in as and what it may do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConnInfo {
    pub agent_name: String,
    pub agent_id: Option<i64>,
    pub scopes: Vec<String>,
    /// What is missing to administer roles, agents and applications; empty = all good.
    pub missing: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum ConnState {
    #[default]
    NotConnected,
    Connecting,
    Connected(ConnInfo),
    Failed {
        message: String,
        hint: String,
    },
}

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Overlay {
    #[default]
    None,
    Help,
    ConfirmQuit,
    Message(String),
    /// Profile list: its filter and highlighted row.
    ProfilePicker(super::picker::Picker),
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
    pub method: String,
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

#[derive(Debug, Clone)]
pub struct Model {
    pub answers: Answers,
    pub step: Step,
    /// Focus index into `fields(model, step)`, remembered per step.
    pub focus: [usize; 6],
    pub inputs: BTreeMap<Field, Input>,
    pub secret: SecretInput,
    pub conn: ConnState,
    pub lookups: Lookups,
    /// Steps passed with Next (all their checks green at the time).
    pub done: [bool; 6],
    /// Show validation messages for a step (after a failed Next or Test).
    pub show_errors: [bool; 6],
    pub overlay: Overlay,
    /// First line of the help overlay shown (it scrolls).
    pub help_scroll: usize,
    pub log: LogBuffer,
    pub log_visible: bool,
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
    pub instances: Option<super::instance::Instances>,
    pub quit: bool,
}

impl Default for Model {
    fn default() -> Self {
        Self::new(Answers::default())
    }
}

impl Model {
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
    pub fn log_tag(&self) -> String {
        match &self.apply.session_id {
            Some(id) => format!("setup={id}"),
            None => format!("run={}", self.run_tag),
        }
    }

    pub fn fields(&self) -> Vec<Field> {
        fields(self, self.step)
    }

    /// The focused field of the current step (focus clamped to the list).
    pub fn focused(&self) -> Field {
        let f = self.fields();
        let i = self.focus[self.step.index()].min(f.len().saturating_sub(1));
        f.get(i).copied().unwrap_or(Field::LogPane)
    }

    /// Moves focus to `f` if the current step shows it.
    pub fn focus_on(&mut self, f: Field) {
        if let Some(i) = self.fields().iter().position(|x| *x == f) {
            self.focus[self.step.index()] = i;
        }
    }

    pub fn is_connected(&self) -> bool {
        matches!(self.conn, ConnState::Connected(_))
    }

    /// What a text field shows: what is being typed, else the answer.
    pub fn input_value(&self, f: Field) -> &str {
        match (self.inputs.get(&f), f.text()) {
            (Some(i), _) => i.value(),
            (None, Some(t)) => t.value(&self.answers),
            (None, None) => "",
        }
    }

    /// The editor of a text field, made from the answer the first time it is typed into.
    pub fn input(&mut self, f: Field) -> &mut Input {
        let v = self.input_value(f).to_string();
        self.inputs.entry(f).or_insert_with(|| Input::new(v))
    }

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
