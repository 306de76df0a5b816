//! Every key of the wizard in one table: (context, key) → action, with the words the footer and
//! the help overlay show for it. `update` asks [`action`] what a key does and matches on the
//! action; the footer ([`footer`]) and the help overlay ([`help`]) read the same rows, so what
//! they say cannot drift from what the keys do.
//!
//! Contexts stack: an open overlay takes every key (anything it does not name is swallowed or
//! closes it); otherwise the Submit step's phase (apply running, failed, the hand-over, the
//! "do it by hand" screen) comes first, then the keys of every step, then those of the focused
//! field. A context may bind a key a later one binds too, to say something else about it in
//! the footer of that phase (`l log`, `q quit`).

use crossterm::event::{KeyCode, KeyEvent, KeyEventKind, KeyModifiers};

use super::fields::Kind;
use super::model::{Model, Overlay, Step};
use super::state::Phase;

/// Where a key is pressed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Ctx {
    /// Keys of every step.
    Everywhere,
    /// Outside text fields (letters are shortcuts there).
    NotTyping,
    /// In a text or secret field.
    Typing,
    Text,
    Secret,
    /// The log pane has focus.
    Log,
    /// The Submit step: its plan scrolls.
    Plan,
    Connect,
    // The Submit step once apply has started; each has a footer of its own.
    Running,
    Failed,
    /// The "do this step by hand" checklist (with the Client ID / Secret fields for an
    /// application).
    Manual,
    HandOver,
    // Overlays: each takes every key while it is open.
    Help,
    Message,
    ConfirmQuit,
    ConfirmAuthUrl,
    Picker,
    Resume,
    ConfirmApply,
    SavePath,
    ConfirmOverwrite,
    ConfirmWipe,
    ConfirmPasted,
    SaveInstance,
    ConfirmInstanceReplace,
}

impl Ctx {
    /// Heading in the help overlay.
    pub fn title(self) -> &'static str {
        match self {
            Self::Everywhere => "Everywhere",
            Self::NotTyping => "Outside text fields",
            Self::Typing | Self::Text | Self::Secret => "In a text field",
            Self::Log => "Log pane (Tab to it)",
            Self::Plan => "Submit",
            Self::Connect => "Connect",
            Self::Running => "Applying",
            Self::Failed => "Apply failed",
            Self::Manual => "Doing a step by hand",
            Self::HandOver => "Hand-over",
            Self::Help => "This help",
            Self::Message => "A message",
            Self::ConfirmQuit => "Quit?",
            Self::ConfirmAuthUrl => "Another login server",
            Self::Picker => "Profile picker",
            Self::Resume => "Resume a setup",
            Self::ConfirmApply => "Apply?",
            Self::SavePath => "Save hand-over",
            Self::ConfirmOverwrite => "File exists",
            Self::ConfirmWipe => "Wipe the only copy?",
            Self::ConfirmPasted => "Did the paste arrive?",
            Self::SaveInstance => "Save this Halo",
            Self::ConfirmInstanceReplace => "Instance exists",
        }
    }

    /// A phase of the Submit step: its footer is its own rows only.
    fn own_footer(self) -> bool {
        matches!(
            self,
            Self::Running | Self::Failed | Self::Manual | Self::HandOver
        )
    }
}

/// What a key does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// Taken and ignored (an overlay swallows it, Enter while apply runs).
    Nothing,
    AskQuit,
    Quit,
    CloseOverlay,
    Help,
    HelpUp,
    HelpDown,
    HelpPageUp,
    HelpPageDown,
    HelpTop,
    ToggleLog,
    EnlargeLog,
    NextStep,
    PrevStep,
    FocusNext,
    FocusPrev,
    /// `j`/`k`: the next or previous field that is not a text field, so a letter never moves
    /// focus into a field it would then type into.
    ChoiceNext,
    ChoicePrev,
    Activate,
    CycleNext,
    CyclePrev,
    TestConnection,
    /// A key for the focused text field's editor.
    Edit,
    ClearText,
    SecretType,
    SecretBackspace,
    LogOlder,
    LogNewer,
    LogPageOlder,
    LogPageNewer,
    LogOldest,
    LogNewest,
    PlanDown,
    PlanUp,
    PlanPageDown,
    PlanPageUp,
    TrustAuthUrl,
    DeclineAuthUrl,
    PickerNext,
    PickerPrev,
    PickerFirst,
    PickerLast,
    PickerType,
    PickerBackspace,
    PickerClear,
    PickProfile,
    ResumeNext,
    ResumePrev,
    ResumePick,
    ResumeRotate,
    OpenSetups,
    NewSetup,
    StartApply,
    Retry,
    ManualOpen,
    ManualClose,
    ManualSubmit,
    ManualSwitch,
    ManualClear,
    ManualBackspace,
    ManualType,
    Copy,
    SavePrompt,
    SaveAnswers,
    ConfirmHandOver,
    VerifyAgain,
    Repair,
    ConfirmManual,
    /// After the hand-over: the next vendor on the same connection.
    NextIntegration,
    PathSave,
    PathClear,
    PathBackspace,
    PathType,
    Overwrite,
    BackToPath,
    Wipe,
    /// The paste of the copied secret arrived: hand it over (wipe it here).
    PasteArrived,
    KeepSecret,
    InstanceOpen,
    InstanceType,
    InstanceBackspace,
    InstanceClear,
    InstanceSave,
    InstanceDecline,
    InstanceReplace,
    InstanceKeep,
}

/// A key, or a class of keys, a row answers to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum K {
    /// This key, whatever the modifiers.
    Code(KeyCode),
    /// This character without Ctrl.
    Ch(char),
    /// Ctrl and this letter.
    Ctrl(char),
    /// Any character without Ctrl.
    AnyChar,
    /// Any key at all.
    Any,
}

impl K {
    fn matches(self, k: &KeyEvent) -> bool {
        let ctrl = k.modifiers.contains(KeyModifiers::CONTROL);
        match self {
            Self::Code(c) => k.code == c,
            Self::Ch(c) => k.code == KeyCode::Char(c) && !ctrl,
            Self::Ctrl(c) => k.code == KeyCode::Char(c) && ctrl,
            Self::AnyChar => matches!(k.code, KeyCode::Char(_)) && !ctrl,
            Self::Any => true,
        }
    }

    /// The key as the screen names it.
    pub fn label(self) -> String {
        match self {
            Self::Code(c) => match c {
                KeyCode::Up => "↑".into(),
                KeyCode::Down => "↓".into(),
                KeyCode::Left => "←".into(),
                KeyCode::Right => "→".into(),
                KeyCode::PageUp => "PgUp".into(),
                KeyCode::PageDown => "PgDn".into(),
                KeyCode::BackTab => "Shift-Tab".into(),
                KeyCode::F(n) => format!("F{n}"),
                KeyCode::Char(' ') => "Space".into(),
                KeyCode::Char(c) => c.to_string(),
                c => format!("{c:?}"),
            },
            Self::Ch(' ') => "Space".into(),
            Self::Ch(c) => c.to_string(),
            Self::Ctrl(c) => format!("Ctrl-{}", c.to_ascii_uppercase()),
            Self::AnyChar => "a letter".into(),
            Self::Any => "any other key".into(),
        }
    }
}

const fn code(c: KeyCode) -> K {
    K::Code(c)
}

/// One row of the table.
pub struct Bind {
    pub ctx: Ctx,
    pub keys: &'static [K],
    pub action: Action,
    /// Whether the row is in force (and shown) in this state; `None` = always.
    pub when: Option<fn(&Model) -> bool>,
    /// Footer words, shown while `show` holds (default: always); `None` = not in the footer.
    pub hint: Option<&'static str>,
    pub show: Option<fn(&Model) -> bool>,
    /// Help overlay words; `None` = covered by another row.
    pub help: Option<&'static str>,
    /// How the footer names the keys where their names would say too much or too little
    /// (e.g. "j/k" for a pair of rows); the help overlay always names each key.
    pub label: Option<&'static str>,
}

impl Bind {
    /// The keys as the footer shows them.
    pub fn hint_label(&self) -> String {
        match self.label {
            Some(l) => l.to_string(),
            None => self.keys_label("/"),
        }
    }

    /// Each key's name (an upper-case twin of a letter left out), joined with `sep`.
    pub fn keys_label(&self, sep: &str) -> String {
        let mut names: Vec<String> = Vec::new();
        for k in self.keys {
            if let K::Ch(c) = k
                && c.is_ascii_uppercase()
                && self.keys.contains(&K::Ch(c.to_ascii_lowercase()))
            {
                continue;
            }
            names.push(k.label());
        }
        names.join(sep)
    }

    fn active(&self, m: &Model) -> bool {
        self.when.is_none_or(|f| f(m))
    }

    fn shown(&self, m: &Model) -> bool {
        self.hint.is_some() && self.active(m) && self.show.is_none_or(|f| f(m))
    }
}

/// A row with the defaults (always in force, no footer, no help).
const fn row(ctx: Ctx, keys: &'static [K], action: Action) -> Bind {
    Bind {
        ctx,
        keys,
        action,
        when: None,
        hint: None,
        show: None,
        help: None,
        label: None,
    }
}

impl Bind {
    const fn when(mut self, f: fn(&Model) -> bool) -> Self {
        self.when = Some(f);
        self
    }
    const fn hint(mut self, words: &'static str) -> Self {
        self.hint = Some(words);
        self
    }
    const fn show(mut self, f: fn(&Model) -> bool) -> Self {
        self.show = Some(f);
        self
    }
    const fn help(mut self, words: &'static str) -> Self {
        self.help = Some(words);
        self
    }
    const fn label(mut self, l: &'static str) -> Self {
        self.label = Some(l);
        self
    }
}

fn typing(m: &Model) -> bool {
    m.focused().takes_text()
}
fn kind(m: &Model) -> Kind {
    m.focused().kind()
}
fn movable(m: &Model) -> bool {
    matches!(kind(m), Kind::Toggle | Kind::Choice | Kind::Button)
}
fn on_toggle(m: &Model) -> bool {
    kind(m) == Kind::Toggle
}
fn on_choice(m: &Model) -> bool {
    kind(m) == Kind::Choice
}
fn on_button(m: &Model) -> bool {
    kind(m) == Kind::Button
}
fn not_on_log(m: &Model) -> bool {
    kind(m) != Kind::Log
}
fn not_submit(m: &Model) -> bool {
    m.step != Step::Submit
}
fn not_connect(m: &Model) -> bool {
    m.step != Step::Connect
}
fn creds(m: &Model) -> bool {
    m.apply
        .manual
        .as_ref()
        .is_some_and(|s| s.needs_credentials())
}
fn no_creds(m: &Model) -> bool {
    !creds(m)
}
fn refused(m: &Model) -> bool {
    m.apply.refused.is_some()
}
fn pending(m: &Model) -> bool {
    m.apply.secret_pending()
}
/// Nothing waits for its hand-over: the next integration may start.
fn handed(m: &Model) -> bool {
    !m.apply.secret_pending()
}
fn attention(m: &Model) -> bool {
    m.apply.needs_attention()
}
fn steps_left(m: &Model) -> bool {
    m.apply.phase == Phase::Done && !m.apply.manual_left.is_empty()
}
fn unsaved(m: &Model) -> bool {
    m.apply.secret.is_some() && !m.apply.confirmed
}
/// The hand-over screen with both a secret to hand over and failed checks has no room for
/// the answers and scroll keys in the footer.
fn roomy(m: &Model) -> bool {
    !(pending(m) && attention(m))
}
fn all_done(m: &Model) -> bool {
    !pending(m) && !attention(m)
}
fn filtering(m: &Model) -> bool {
    matches!(&m.overlay, Overlay::ProfilePicker(p) if !p.filter.is_empty())
}
fn not_filtering(m: &Model) -> bool {
    !filtering(m)
}

use Action as A;
use Ctx as C;
use KeyCode as KC;

/// The table. Within a context the first row that matches wins (an `Any` row comes last);
/// across contexts the footer shows the rows in this order.
pub static TABLE: &[Bind] = &[
    // The Submit step once apply started: footers of their own.
    row(C::Running, &[code(KC::Enter), K::Ch(' ')], A::Nothing),
    row(C::Running, &[K::Ch('l')], A::ToggleLog).hint("log"),
    row(C::Running, &[K::Ctrl('c')], A::AskQuit).hint("quit (asks; the setup can be resumed)"),
    row(C::Failed, &[code(KC::Enter)], A::Retry)
        .hint("try again")
        .help("apply again (nothing is created twice)"),
    row(C::Failed, &[K::Ch('m')], A::ManualOpen)
        .when(refused)
        .hint("do this step by hand")
        .help("refused step: do it by hand (Enter checks)"),
    row(C::Failed, &[code(KC::Esc)], A::PrevStep).hint("back"),
    row(C::Failed, &[K::Ch('l')], A::ToggleLog).hint("log"),
    row(C::Failed, &[K::Ch('q')], A::AskQuit).hint("quit"),
    row(C::Manual, &[code(KC::Enter)], A::ManualSubmit)
        .hint("find it and continue")
        .help("find what you made in Halo and continue"),
    row(
        C::Manual,
        &[code(KC::Tab), code(KC::BackTab)],
        A::ManualSwitch,
    )
    .when(creds)
    .hint("Client ID / Secret")
    .help("switch between the Client ID and Secret fields")
    .label("Tab"),
    row(C::Manual, &[code(KC::Up)], A::PlanUp)
        .hint("scroll")
        .help("scroll the checklist back")
        .label("↑/↓"),
    row(C::Manual, &[code(KC::Down)], A::PlanDown).help("scroll the checklist"),
    row(C::Manual, &[code(KC::PageUp)], A::PlanPageUp),
    row(C::Manual, &[code(KC::PageDown)], A::PlanPageDown),
    row(C::Manual, &[code(KC::Esc)], A::ManualClose)
        .hint("back")
        .help("back to the failure"),
    row(C::Manual, &[K::Ch('l')], A::ToggleLog)
        .when(no_creds)
        .hint("log"),
    row(C::Manual, &[K::Ctrl('c')], A::AskQuit)
        .when(creds)
        .hint("quit"),
    row(C::Manual, &[K::Ch('q')], A::AskQuit)
        .when(no_creds)
        .hint("quit"),
    row(C::Manual, &[K::Ctrl('u')], A::ManualClear).when(creds),
    row(C::Manual, &[code(KC::Backspace)], A::ManualBackspace).when(creds),
    row(C::Manual, &[K::AnyChar], A::ManualType).when(creds),
    row(C::HandOver, &[K::Ch('c')], A::Copy)
        .hint("copy secret")
        .show(pending)
        .help("copy the secret to the clipboard (OSC 52)"),
    row(C::HandOver, &[K::Ch('s')], A::SavePrompt)
        .when(unsaved)
        .hint("save")
        .show(pending)
        .help("save the credentials to a file (0600)"),
    row(C::HandOver, &[K::Ch('a')], A::SaveAnswers)
        .hint("save answers")
        .show(roomy)
        .help("save the answers (for `apply --answers`)"),
    row(
        C::HandOver,
        &[code(KC::Enter), K::Ch('y')],
        A::ConfirmHandOver,
    )
    .hint("confirm hand-over")
    .show(pending)
    .help("confirm the hand-over: the secret is wiped (after c, once you said the paste arrived)"),
    row(C::HandOver, &[K::Ch('m')], A::ConfirmManual)
        .when(steps_left)
        .hint("steps done")
        .help("the manual steps listed are done in Halo: record them and verify again"),
    row(C::HandOver, &[K::Ch('r')], A::VerifyAgain)
        .when(attention)
        .hint("verify again")
        .help("not verified: verify again after fixing Halo"),
    row(C::HandOver, &[K::Ch('p')], A::Repair)
        .when(attention)
        .hint("repair")
        .help("not verified: repair (apply the plan again)"),
    row(C::HandOver, &[K::Ch('n')], A::NextIntegration)
        .when(handed)
        .hint("next integration")
        .help("set up the next vendor on the same Halo (after the hand-over)"),
    row(C::HandOver, &[code(KC::Down), K::Ch('j')], A::PlanDown)
        .hint("scroll")
        .show(roomy)
        .help("scroll")
        .label("↑/↓"),
    row(C::HandOver, &[code(KC::Up), K::Ch('k')], A::PlanUp).help("scroll back"),
    row(C::HandOver, &[K::Ch('l')], A::ToggleLog)
        .hint("log")
        .show(all_done),
    row(C::HandOver, &[K::Ch('q')], A::AskQuit).hint("quit"),
    // Every step, then the focused field; in footer order.
    row(C::Everywhere, &[code(KC::Tab)], A::FocusNext)
        .hint("next field")
        .show(typing)
        .help("next field")
        .label("Tab/↓"),
    row(C::Everywhere, &[code(KC::BackTab)], A::FocusPrev).help("previous field"),
    row(C::Typing, &[K::Ctrl('u')], A::ClearText)
        .hint("clear")
        .help("clear the field"),
    row(C::Typing, &[code(KC::Enter)], A::FocusNext).help("next field"),
    row(C::Log, &[code(KC::Up), K::Ch('k')], A::LogOlder)
        .hint("scroll")
        .help("scroll back")
        .label("↑↓ PgUp/PgDn Home/End"),
    row(C::Log, &[code(KC::Down), K::Ch('j')], A::LogNewer).help("scroll forward"),
    row(C::Log, &[code(KC::PageUp)], A::LogPageOlder).help("a page back"),
    row(C::Log, &[code(KC::PageDown)], A::LogPageNewer).help("a page forward"),
    row(C::Log, &[code(KC::Home)], A::LogOldest).help("the oldest entry"),
    row(C::Log, &[code(KC::End)], A::LogNewest).help("the newest entry (follow)"),
    row(C::Log, &[code(KC::Tab)], A::FocusNext).hint("leave log"),
    row(C::NotTyping, &[K::Ch('j')], A::ChoiceNext)
        .when(not_on_log)
        .hint("move")
        .show(movable)
        .help("next field that is not a text field")
        .label("j/k"),
    row(C::NotTyping, &[K::Ch('k')], A::ChoicePrev)
        .when(not_on_log)
        .help("previous field that is not a text field"),
    row(C::NotTyping, &[K::Ch(' ')], A::Activate)
        .hint("toggle")
        .show(on_toggle)
        .help("tick or untick; next value of a choice"),
    row(C::NotTyping, &[code(KC::Enter)], A::Activate)
        .hint("run")
        .show(on_button)
        .help("run a button (Profile, Test, Apply)"),
    row(C::NotTyping, &[code(KC::Right)], A::CycleNext)
        .hint("change")
        .show(on_choice)
        .help("next value of a choice")
        .label("←/→"),
    row(C::NotTyping, &[code(KC::Left)], A::CyclePrev).help("previous value of a choice"),
    row(C::Connect, &[K::Ch('s')], A::InstanceOpen)
        .when(super::instance::can_offer)
        .hint("save this Halo")
        .help("save this Halo as a named instance for headless --instance (no secret)"),
    row(C::Connect, &[K::Ch('o')], A::OpenSetups)
        .when(super::picker::has_setups)
        .hint("your setups")
        .help("the setups made here: continue an unfinished one, rotate a finished one's secret"),
    row(C::Connect, &[K::Ch('t')], A::TestConnection)
        .hint("test")
        .help("test the connection"),
    row(C::Plan, &[code(KC::Down), K::Ch('j')], A::PlanDown)
        .hint("scroll plan")
        .help("scroll the plan")
        .label("↑/↓"),
    row(C::Plan, &[code(KC::Up), K::Ch('k')], A::PlanUp).help("scroll the plan back"),
    row(
        C::Everywhere,
        &[K::Ctrl('n'), code(KC::PageDown)],
        A::NextStep,
    )
    .hint("next step")
    .show(not_submit)
    .help("next step (checks first; tests the connection)")
    .label("Ctrl-N"),
    row(
        C::Everywhere,
        &[code(KC::Esc), K::Ctrl('p'), code(KC::PageUp)],
        A::PrevStep,
    )
    .hint("back")
    .show(not_connect)
    .help("previous step")
    .label("Esc"),
    row(C::Everywhere, &[code(KC::F(1))], A::Help)
        .hint("help")
        .show(typing)
        .help("this help"),
    row(C::NotTyping, &[K::Ch('?')], A::Help)
        .hint("help")
        .help("this help"),
    row(C::Everywhere, &[code(KC::F(2))], A::ToggleLog)
        .hint("log")
        .show(typing)
        .help("show or hide the log pane"),
    row(C::NotTyping, &[K::Ch('l')], A::ToggleLog)
        .hint("log")
        .help("show or hide the log pane"),
    row(C::Everywhere, &[code(KC::F(3))], A::EnlargeLog).help("enlarge or shrink the log pane"),
    row(C::NotTyping, &[K::Ch('L')], A::EnlargeLog).help("enlarge or shrink the log pane"),
    row(C::Everywhere, &[K::Ctrl('c')], A::AskQuit)
        .hint("quit")
        .show(typing)
        .help("quit (asks first)"),
    row(C::NotTyping, &[K::Ch('q')], A::AskQuit)
        .hint("quit")
        .help("quit (asks first)"),
    row(C::Everywhere, &[code(KC::Down)], A::FocusNext).help("next field"),
    row(C::Everywhere, &[code(KC::Up)], A::FocusPrev).help("previous field"),
    row(C::Secret, &[code(KC::Backspace)], A::SecretBackspace),
    row(C::Secret, &[K::AnyChar], A::SecretType),
    row(C::Text, &[K::Any], A::Edit),
    // Overlays; their own lines show the hints.
    row(C::Help, &[code(KC::Up), K::Ch('k')], A::HelpUp)
        .hint("scroll")
        .help("scroll back")
        .label("↑/↓ PgUp/PgDn"),
    row(C::Help, &[code(KC::Down), K::Ch('j')], A::HelpDown).help("scroll"),
    row(C::Help, &[code(KC::PageUp)], A::HelpPageUp).help("a page back"),
    row(C::Help, &[code(KC::PageDown)], A::HelpPageDown).help("a page forward"),
    row(C::Help, &[code(KC::Home)], A::HelpTop).help("the top"),
    row(C::Help, &[K::Ctrl('c')], A::AskQuit),
    row(
        C::Help,
        &[
            code(KC::Esc),
            K::Ch('q'),
            K::Ch('?'),
            code(KC::Enter),
            code(KC::F(1)),
        ],
        A::CloseOverlay,
    )
    .hint("close")
    .help("close this help")
    .label("Esc"),
    row(C::Help, &[K::Any], A::Nothing),
    row(C::Message, &[K::Ctrl('c')], A::AskQuit),
    row(C::Message, &[K::Any], A::CloseOverlay).help("close the message"),
    row(
        C::ConfirmQuit,
        &[K::Ch('y'), K::Ch('Y'), K::Ctrl('c')],
        A::Quit,
    )
    .help("quit"),
    row(C::ConfirmQuit, &[K::Any], A::CloseOverlay).help("stay"),
    row(
        C::ConfirmAuthUrl,
        &[K::Ch('y'), K::Ch('Y')],
        A::TrustAuthUrl,
    )
    .help("send the secret to the login server Halo names"),
    row(C::ConfirmAuthUrl, &[K::Ctrl('c')], A::AskQuit),
    row(C::ConfirmAuthUrl, &[K::Any], A::DeclineAuthUrl).help("send nothing"),
    row(C::Picker, &[code(KC::Down)], A::PickerNext)
        .hint("move")
        .help("next profile")
        .label("↑/↓"),
    row(C::Picker, &[code(KC::Up)], A::PickerPrev).help("previous profile"),
    row(C::Picker, &[code(KC::Home)], A::PickerFirst).help("first profile"),
    row(C::Picker, &[code(KC::End)], A::PickerLast).help("last profile"),
    row(C::Picker, &[code(KC::Enter)], A::PickProfile)
        .hint("pick")
        .help("pick it: every step is pre-filled"),
    row(C::Picker, &[K::Ctrl('c')], A::AskQuit),
    row(C::Picker, &[code(KC::Esc)], A::PickerClear)
        .when(filtering)
        .hint("clear filter")
        .help("clear the filter; with none, close"),
    row(C::Picker, &[code(KC::Esc)], A::CloseOverlay)
        .hint("close")
        .show(not_filtering),
    row(C::Picker, &[K::Ctrl('u')], A::PickerClear).help("clear the filter"),
    row(C::Picker, &[code(KC::Backspace)], A::PickerBackspace).help("edit the filter"),
    row(C::Picker, &[K::AnyChar], A::PickerType)
        .hint("to filter")
        .help("filter by vendor, id or summary (any case)")
        .label("type"),
    row(C::Resume, &[code(KC::Down), K::Ch('j')], A::ResumeNext)
        .hint("move")
        .help("next setup")
        .label("↑/↓"),
    row(C::Resume, &[code(KC::Up), K::Ch('k')], A::ResumePrev).help("previous setup"),
    row(C::Resume, &[code(KC::Enter)], A::ResumePick)
        .hint("resume (asks only for the bootstrap secret)")
        .help("continue that setup"),
    row(C::Resume, &[K::Ch('r')], A::ResumeRotate)
        .help("a finished setup: rotate its secret without downtime (a second application, handed over in a new file)"),
    row(C::Resume, &[K::Ctrl('c')], A::AskQuit),
    row(C::Resume, &[code(KC::Esc), K::Ch('n')], A::NewSetup)
        .hint("start a new setup")
        .help("start a new setup")
        .label("Esc"),
    row(C::Resume, &[K::Any], A::Nothing),
    row(
        C::ConfirmApply,
        &[K::Ch('y'), K::Ch('Y'), code(KC::Enter)],
        A::StartApply,
    )
    .help("write to Halo"),
    row(C::ConfirmApply, &[K::Ctrl('c')], A::AskQuit),
    row(C::ConfirmApply, &[K::Any], A::CloseOverlay).help("cancel"),
    row(C::SavePath, &[code(KC::Enter)], A::PathSave)
        .hint("save")
        .help("save"),
    row(C::SavePath, &[code(KC::Esc)], A::CloseOverlay)
        .hint("cancel")
        .help("cancel"),
    row(C::SavePath, &[K::Ctrl('c')], A::AskQuit),
    row(C::SavePath, &[K::Ctrl('u')], A::PathClear)
        .hint("clear")
        .help("clear the path"),
    row(C::SavePath, &[code(KC::Backspace)], A::PathBackspace),
    row(C::SavePath, &[K::AnyChar], A::PathType),
    row(C::SavePath, &[K::Any], A::Nothing),
    row(C::ConfirmOverwrite, &[K::Ch('y'), K::Ch('Y')], A::Overwrite).help("replace the file"),
    row(C::ConfirmOverwrite, &[K::Ctrl('c')], A::AskQuit),
    row(C::ConfirmOverwrite, &[K::Any], A::BackToPath).help("keep it: choose another path"),
    row(C::ConfirmWipe, &[K::Ch('w')], A::Wipe).help("wipe it anyway"),
    row(C::ConfirmWipe, &[K::Ctrl('c')], A::AskQuit),
    row(C::ConfirmWipe, &[K::Any], A::KeepSecret).help("keep it"),
    row(C::ConfirmPasted, &[K::Ch('y'), K::Ch('Y')], A::PasteArrived)
        .help("the paste arrived whole: hand over (the secret is wiped)"),
    row(C::ConfirmPasted, &[K::Ch('s')], A::SavePrompt)
        .help("save the credentials to a file instead"),
    row(C::ConfirmPasted, &[K::Ctrl('c')], A::AskQuit),
    row(C::ConfirmPasted, &[K::Any], A::KeepSecret).help("keep it (copy again, or save it)"),
    row(C::SaveInstance, &[code(KC::Enter)], A::InstanceSave)
        .hint("save")
        .help("save it under this name"),
    row(C::SaveInstance, &[code(KC::Esc)], A::InstanceDecline)
        .hint("not now")
        .help("do not save it"),
    row(C::SaveInstance, &[K::Ctrl('c')], A::AskQuit),
    row(C::SaveInstance, &[K::Ctrl('u')], A::InstanceClear)
        .hint("clear")
        .help("clear the name"),
    row(
        C::SaveInstance,
        &[code(KC::Backspace)],
        A::InstanceBackspace,
    ),
    row(C::SaveInstance, &[K::AnyChar], A::InstanceType),
    row(C::SaveInstance, &[K::Any], A::Nothing),
    row(
        C::ConfirmInstanceReplace,
        &[K::Ch('y'), K::Ch('Y')],
        A::InstanceReplace,
    )
    .help("replace the saved instance"),
    row(C::ConfirmInstanceReplace, &[K::Ctrl('c')], A::AskQuit),
    row(C::ConfirmInstanceReplace, &[K::Any], A::InstanceKeep).help("keep it: choose another name"),
];

/// The contexts of the screen behind any overlay, most specific first.
fn screen(m: &Model) -> Vec<Ctx> {
    let mut v = Vec::new();
    if m.step == Step::Submit {
        match &m.apply.phase {
            Phase::Idle => {}
            Phase::Running | Phase::Verifying => v.push(Ctx::Running),
            Phase::Failed { .. } if m.apply.manual.is_some() => v.push(Ctx::Manual),
            Phase::Failed { .. } => v.push(Ctx::Failed),
            Phase::Done => v.push(Ctx::HandOver),
        }
    }
    let f = m.focused();
    if f.kind() == Kind::Log {
        v.push(Ctx::Log);
    }
    // The plan scrolls with the arrows before they move focus.
    if m.step == Step::Submit && f.kind() != Kind::Log {
        v.push(Ctx::Plan);
    }
    v.push(Ctx::Everywhere);
    if f.takes_text() {
        v.push(Ctx::Typing);
        v.push(if f.kind() == Kind::Secret {
            Ctx::Secret
        } else {
            Ctx::Text
        });
    } else {
        v.push(Ctx::NotTyping);
        if m.step == Step::Connect {
            v.push(Ctx::Connect);
        }
    }
    v
}

fn overlay(m: &Model) -> Option<Ctx> {
    Some(match &m.overlay {
        Overlay::None => return None,
        Overlay::Help => Ctx::Help,
        Overlay::Message(_) => Ctx::Message,
        Overlay::ConfirmQuit => Ctx::ConfirmQuit,
        Overlay::ConfirmAuthUrl(_) => Ctx::ConfirmAuthUrl,
        Overlay::ProfilePicker(_) => Ctx::Picker,
        Overlay::Resume(_) => Ctx::Resume,
        Overlay::ConfirmApply => Ctx::ConfirmApply,
        Overlay::SavePath(_) => Ctx::SavePath,
        Overlay::ConfirmOverwrite(_) => Ctx::ConfirmOverwrite,
        Overlay::ConfirmWipe => Ctx::ConfirmWipe,
        Overlay::ConfirmPasted => Ctx::ConfirmPasted,
        Overlay::SaveInstance(_) => Ctx::SaveInstance,
        Overlay::ConfirmInstanceReplace(_) => Ctx::ConfirmInstanceReplace,
    })
}

/// What `k` does now; `None`: nothing.
pub fn action(m: &Model, k: &KeyEvent) -> Option<Action> {
    if k.kind == KeyEventKind::Release {
        return None;
    }
    let ctxs = match overlay(m) {
        Some(o) => vec![o],
        None => screen(m),
    };
    ctxs.into_iter().find_map(|c| {
        TABLE
            .iter()
            .filter(|b| b.ctx == c && b.active(m))
            .find(|b| b.keys.iter().any(|key| key.matches(k)))
            .map(|b| b.action)
    })
}

/// The footer: (keys, words) of the rows in force where keys go: an open pop-up's, else the
/// screen's. A phase of the Submit step shows its own rows only.
pub fn footer(m: &Model) -> Vec<(String, &'static str)> {
    // Keys go to an open pop-up: the screen's keys behind it would not work.
    if let Some(o) = overlay(m) {
        return overlay_hints(m, o);
    }
    let all = screen(m);
    let mut ctxs = all.clone();
    if ctxs.first().is_some_and(|c| c.own_footer()) {
        ctxs.truncate(1);
    }
    // A screen with a footer of its own still names the help key (which lists the rest).
    let help = |b: &&Bind| b.action == Action::Help && all.contains(&b.ctx);
    TABLE
        .iter()
        .filter(|b| (ctxs.contains(&b.ctx) || help(b)) && b.shown(m))
        .filter_map(|b| Some((b.hint_label(), b.hint?)))
        .collect()
}

/// An overlay's key line: (keys, words) of its rows in force with footer words.
pub fn overlay_hints(m: &Model, ctx: Ctx) -> Vec<(String, &'static str)> {
    TABLE
        .iter()
        .filter(|b| b.ctx == ctx && b.shown(m))
        .filter_map(|b| Some((b.hint_label(), b.hint?)))
        .collect()
}

/// The name of the first key bound to `action` in `ctx` (for the words of a question).
pub fn key_of(ctx: Ctx, action: Action) -> String {
    TABLE
        .iter()
        .find(|b| b.ctx == ctx && b.action == action)
        .and_then(|b| b.keys.first())
        .map(|k| k.label())
        .unwrap_or_default()
}

/// The help overlay: per context (in the order of its first row), (keys, words) of every row
/// with help words.
pub fn help() -> Vec<(&'static str, Vec<(String, &'static str)>)> {
    let mut out: Vec<(&'static str, Vec<(String, &'static str)>)> = Vec::new();
    let mut order: Vec<Ctx> = Vec::new();
    for b in TABLE {
        if b.help.is_some() && !order.contains(&b.ctx) {
            order.push(b.ctx);
        }
    }
    // Text and secret fields share one heading.
    order.sort_by_key(|c| match c {
        Ctx::Everywhere => 0,
        Ctx::NotTyping => 1,
        Ctx::Typing | Ctx::Text | Ctx::Secret => 2,
        Ctx::Log => 3,
        Ctx::Connect => 4,
        Ctx::Plan => 5,
        _ => 6,
    });
    for c in order {
        let rows: Vec<(String, &'static str)> = TABLE
            .iter()
            .filter(|b| b.ctx == c)
            .filter_map(|b| Some((b.keys_label(" / "), b.help?)))
            .collect();
        match out.last_mut() {
            Some((t, v)) if *t == c.title() => v.extend(rows),
            _ => out.push((c.title(), rows)),
        }
    }
    out
}

/// The line the help overlay opens at: the section of the screen's own phase (the hand-over,
/// a failed apply, a step by hand), so its keys are in view first; elsewhere the top.
pub fn help_start(m: &Model) -> usize {
    let Some(ctx) = screen(m).into_iter().find(|c| c.own_footer()) else {
        return 0;
    };
    let mut line = 0;
    for (title, rows) in help() {
        if title == ctx.title() {
            return line;
        }
        line += rows.len() + 2;
    }
    0
}

/// Lines the help overlay has (headings and the blank lines between them included).
pub fn help_len() -> usize {
    let h = help();
    h.iter()
        .map(|(_, rows)| rows.len() + 2)
        .sum::<usize>()
        .saturating_sub(1)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn press(code: KeyCode, mods: KeyModifiers) -> KeyEvent {
        KeyEvent::new(code, mods)
    }

    #[test]
    fn an_any_row_comes_last_in_its_context() {
        // An overlay's "any other key" row comes after the rows naming keys.
        for c in TABLE.iter().map(|b| b.ctx) {
            let rows: Vec<&Bind> = TABLE.iter().filter(|b| b.ctx == c).collect();
            if let Some(i) = rows.iter().position(|b| b.keys.contains(&K::Any)) {
                assert_eq!(i, rows.len() - 1, "{c:?}: an Any row shadows later rows");
            }
        }
    }

    #[test]
    fn letters_and_ctrl_letters_are_told_apart() {
        let m = Model::default();
        // The URL field has focus: a letter is typed, Ctrl-C asks to quit.
        assert_eq!(
            action(&m, &press(KeyCode::Char('q'), KeyModifiers::NONE)),
            Some(Action::Edit)
        );
        assert_eq!(
            action(&m, &press(KeyCode::Char('c'), KeyModifiers::CONTROL)),
            Some(Action::AskQuit)
        );
        assert_eq!(
            action(&m, &press(KeyCode::Char('L'), KeyModifiers::SHIFT)),
            Some(Action::Edit)
        );
    }

    #[test]
    fn labels() {
        assert_eq!(K::Ctrl('n').label(), "Ctrl-N");
        assert_eq!(K::Code(KeyCode::BackTab).label(), "Shift-Tab");
        assert_eq!(K::Ch(' ').label(), "Space");
        let b = row(Ctx::ConfirmQuit, &[K::Ch('y'), K::Ch('Y')], Action::Quit);
        assert_eq!(b.hint_label(), "y");
    }

    #[test]
    fn help_names_every_context_with_help_words() {
        let h = help();
        assert_eq!(h[0].0, "Everywhere");
        assert!(h.iter().any(|(t, rows)| *t == "Apply failed"
            && rows.iter().any(|(k, w)| k == "m" && w.contains("by hand"))));
    }
}
