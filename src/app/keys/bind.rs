//! The key table's vocabulary: where a key is pressed ([`Ctx`]), what it does ([`Intent`]),
//! which key ([`K`]) and one row of the table ([`Bind`]) with its footer and help words.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use crate::app::model::Model;

/// Where a key is pressed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Ctx {
    /// Keys of every step.
    Everywhere,
    /// Outside text fields (letters are shortcuts there).
    NotTyping,
    /// In a text or secret field.
    Typing,
    /// In a text field: any other key goes to its editor.
    Text,
    /// In the bootstrap secret field: characters append to the masked input.
    Secret,
    /// The log pane has focus.
    Log,
    /// The Submit step: its plan scrolls.
    Plan,
    /// The Connect step outside text fields (test, your setups, save this Halo).
    Connect,
    // The Submit step once apply has started; each has a footer of its own.
    /// Apply or its verification is running.
    Running,
    /// Apply failed (or Halo refused a write): retry, or `m` for a step by hand.
    Failed,
    /// The "do this step by hand" checklist (with the Client ID / Secret fields for an
    /// application).
    Manual,
    /// Applied: the hand-over screen (copy, save, confirm, verify again, repair).
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
    pub(crate) fn title(self) -> &'static str {
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
    pub(super) fn own_footer(self) -> bool {
        matches!(
            self,
            Self::Running | Self::Failed | Self::Manual | Self::HandOver
        )
    }
}

/// What a key does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Intent {
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
pub(crate) enum K {
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
    pub(super) fn matches(self, k: &KeyEvent) -> bool {
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
    pub(crate) fn label(self) -> String {
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

pub(super) const fn code(c: KeyCode) -> K {
    K::Code(c)
}

/// One row of the table.
pub(crate) struct Bind {
    pub(crate) ctx: Ctx,
    pub(crate) keys: &'static [K],
    pub(crate) action: Intent,
    /// Whether the row is in force (and shown) in this state; `None` = always.
    pub(crate) when: Option<fn(&Model) -> bool>,
    /// Footer words, shown while `show` holds (default: always); `None` = not in the footer.
    pub(crate) hint: Option<&'static str>,
    /// Whether the footer shows the row's `hint` now; `None` = whenever the row is in force.
    pub(crate) show: Option<fn(&Model) -> bool>,
    /// Help overlay words; `None` = covered by another row.
    pub(crate) help: Option<&'static str>,
    /// How the footer names the keys where their names would say too much or too little
    /// (e.g. "j/k" for a pair of rows); the help overlay always names each key.
    pub(crate) label: Option<&'static str>,
}

impl Bind {
    /// The keys as the footer shows them.
    pub(crate) fn hint_label(&self) -> String {
        match self.label {
            Some(l) => l.to_string(),
            None => self.keys_label("/"),
        }
    }

    /// Each key's name (an upper-case twin of a letter left out), joined with `sep`.
    pub(crate) fn keys_label(&self, sep: &str) -> String {
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

    pub(super) fn active(&self, m: &Model) -> bool {
        self.when.is_none_or(|f| f(m))
    }

    pub(super) fn shown(&self, m: &Model) -> bool {
        self.hint.is_some() && self.active(m) && self.show.is_none_or(|f| f(m))
    }
}

/// A row with the defaults (always in force, no footer, no help).
pub(super) const fn row(ctx: Ctx, keys: &'static [K], action: Intent) -> Bind {
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
    pub(super) const fn when(mut self, f: fn(&Model) -> bool) -> Self {
        self.when = Some(f);
        self
    }
    pub(super) const fn hint(mut self, words: &'static str) -> Self {
        self.hint = Some(words);
        self
    }
    pub(super) const fn show(mut self, f: fn(&Model) -> bool) -> Self {
        self.show = Some(f);
        self
    }
    pub(super) const fn help(mut self, words: &'static str) -> Self {
        self.help = Some(words);
        self
    }
    pub(super) const fn label(mut self, l: &'static str) -> Self {
        self.label = Some(l);
        self
    }
}
