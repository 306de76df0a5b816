//! What a field is: the kinds of field ([`Behaviour`]), their specs, and the small helpers
//! each step's specs are built with. A leaf of the `fields` folder: the steps' modules build on
//! it, the folder's root re-exports it.

use crate::answers::Answers;
use crate::app::model::Model;
use crate::profile::Question;

/// A field's kind, read from its [`Behaviour`]: it decides which key context applies (letters
/// type or are shortcuts) and how the form draws it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Widget {
    /// Text typed into an answer.
    Text,
    /// The masked bootstrap secret.
    Secret,
    /// A box ticked with Space (or the arrows).
    Toggle,
    /// One value of a list, changed with Left/Right.
    Choice,
    /// Runs something on Enter.
    Button,
    /// The log pane, as a focus stop.
    Log,
}

/// How a shown value is toned (the theme picks the colour).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tone {
    /// The theme's text colour.
    Normal,
    /// Dimmed: off, not set, or nothing picked.
    Muted,
    /// Highlighted (the picked profile).
    Accent,
}

/// A label that is fixed, or worked out from the model (a team's name).
#[derive(Clone, Copy)]
pub enum Label {
    /// The same words always.
    Fixed(&'static str),
    /// Worked out from the model and the field's index ("Team Service Desk").
    Of(fn(&Model, usize) -> String),
}

/// A rule a value must meet; the message says what is wrong.
pub type Check = fn(&Model, usize) -> Option<String>;

/// Text typed into an answer. The functions take the field's index (a row of a table).
#[derive(Clone, Copy)]
pub struct TextSpec {
    /// Shown left of the field.
    pub label: &'static str,
    /// Shown dimmed while the field is empty (an example or "(optional)").
    pub placeholder: &'static str,
    /// Reads the answer the field shows.
    pub get: fn(&Answers, usize) -> &String,
    /// Where what is typed goes (trimmed) in the answers.
    pub slot: fn(&mut Answers, usize) -> &mut String,
    /// Part of the connection: a change invalidates the connection test.
    pub connection: bool,
    /// The rule its value must meet.
    pub rule: fn(&str, usize) -> Option<String>,
    /// The field's index, passed to the functions.
    pub index: usize,
}

impl TextSpec {
    /// The answer.
    pub fn value<'a>(&self, a: &'a Answers) -> &'a String {
        (self.get)(a, self.index)
    }
    /// Where the answer is written.
    pub fn value_mut<'a>(&self, a: &'a mut Answers) -> &'a mut String {
        (self.slot)(a, self.index)
    }
    /// What the rule says about `v` (`None`: fine).
    pub fn check(&self, v: &str) -> Option<String> {
        (self.rule)(v, self.index)
    }
}

/// On or off.
#[derive(Clone, Copy)]
pub struct ToggleSpec {
    /// Shown left of the box.
    pub label: Label,
    /// Whether it is on in the answers.
    pub get: fn(&Model, usize) -> bool,
    /// Turns it over in the answers (Space, Enter, Left/Right).
    pub flip: fn(&mut Model, usize),
    /// Said after the box (a scope's warning).
    pub note: fn(usize) -> Option<&'static str>,
    /// Shown muted while off (the long scope list).
    pub muted_off: bool,
}

/// One of a list of values; Left/Right (and Enter) step through them.
#[derive(Clone, Copy)]
pub struct ChoiceSpec {
    /// Shown left of the value.
    pub label: Label,
    /// The values, as shown.
    pub options: fn(&Model, usize) -> Vec<String>,
    /// Which of them the answers hold (`None`: none of them).
    pub current: fn(&Model, usize) -> Option<usize>,
    /// Puts option `j` into the answers.
    pub choose: fn(&mut Model, usize, usize),
    /// Shown when the answers hold none of the options.
    pub otherwise: fn(&Model, usize) -> String,
    /// The first option (e.g. "Not set") is shown muted.
    pub muted_first: bool,
    /// Part of the connection: a change invalidates the connection test.
    pub connection: bool,
}

/// What a button runs (the step handlers run it: the spec names it and calls none of them).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Press {
    /// Open the profile picker.
    OpenPicker,
    /// Test the connection (like `t`).
    TestConnection,
    /// Ask to apply the plan: its problems if it has any, else "Apply these changes?".
    RequestApply,
}

/// Runs something.
#[derive(Clone, Copy)]
pub struct ButtonSpec {
    /// The button's words.
    pub label: &'static str,
    /// What Enter on it runs.
    pub press: Press,
    /// Shown after the button.
    pub value: fn(&Model) -> (String, Tone),
}

/// What a field does with keys and how it holds its value; its [`Widget`] follows from it.
#[derive(Clone, Copy)]
pub enum Behaviour {
    /// Text typed into an answer.
    Text(TextSpec),
    /// The bootstrap secret: masked, never in the answers.
    Secret,
    /// A box ticked on or off.
    Toggle(ToggleSpec),
    /// One of a list of values.
    Choice(ChoiceSpec),
    /// Runs something.
    Button(ButtonSpec),
    /// The log pane as the last focus stop; it holds no answer.
    Log,
}

/// Everything about one field.
#[derive(Clone, Copy)]
pub struct Spec {
    /// What it does and how it holds its value.
    pub behaviour: Behaviour,
    /// The rule its value must meet (shown under it once the step's errors are shown).
    pub check: Option<Check>,
    /// The picked profile leaves this to the user: highlighted with ⚑.
    pub question: Option<Question>,
}

impl Spec {
    /// A field that does this, with no rule beyond its own and asked by no profile.
    pub fn of(behaviour: Behaviour) -> Self {
        Self {
            behaviour,
            check: None,
            question: None,
        }
    }
    /// With a rule on the model (beyond a text's own).
    pub fn check(mut self, c: Check) -> Self {
        self.check = Some(c);
        self
    }
    /// Marked as the answer to the profile question `q` (⚑ when the profile asks it).
    pub fn asked(mut self, q: Question) -> Self {
        self.question = Some(q);
        self
    }
}

pub(super) fn any_text(_: &str) -> Option<String> {
    None
}

pub(super) fn required(v: &str) -> Option<String> {
    v.trim().is_empty().then(|| "required".into())
}

pub(super) fn no_note(_: usize) -> Option<&'static str> {
    None
}

pub(super) fn toggle(
    label: Label,
    get: fn(&Model, usize) -> bool,
    flip: fn(&mut Model, usize),
) -> Spec {
    Spec::of(Behaviour::Toggle(ToggleSpec {
        label,
        get,
        flip,
        note: no_note,
        muted_off: false,
    }))
}

pub(super) fn choice(
    label: Label,
    options: fn(&Model, usize) -> Vec<String>,
    current: fn(&Model, usize) -> Option<usize>,
    choose: fn(&mut Model, usize, usize),
    otherwise: fn(&Model, usize) -> String,
) -> ChoiceSpec {
    ChoiceSpec {
        label,
        options,
        current,
        choose,
        otherwise,
        muted_first: false,
        connection: false,
    }
}

pub(super) fn nothing(_: &Model, _: usize) -> String {
    String::new()
}

/// A field drawn from a row of an attribute table (`answers::agent`, `answers::role`,
/// `answers::application`): its wizard label, and its value as a text or a flag. The
/// functions take the row's index, so one spec serves every row.
pub(super) trait Rows {
    /// The row's wizard label.
    fn prompt(i: usize) -> &'static str;
    /// The placeholder of a text row (`None`: a flag).
    fn hint(i: usize) -> Option<&'static str>;
    fn get(a: &Answers, i: usize) -> &String;
    fn slot(a: &mut Answers, i: usize) -> &mut String;
    /// The table's limit on a non-empty value.
    fn limit(v: &str, i: usize) -> Option<String>;
    fn required(i: usize) -> bool;
    fn flag(a: &Answers, i: usize) -> bool;
    fn flip(a: &mut Answers, i: usize);
}

/// The field of row `i`: a text with the table's limit (required where the plan needs it),
/// or a toggle.
pub(super) fn row_field<T: Rows>(i: usize) -> Spec {
    match T::hint(i) {
        Some(hint) => Spec::of(Behaviour::Text(TextSpec {
            label: T::prompt(i),
            placeholder: hint,
            get: T::get,
            slot: T::slot,
            connection: false,
            rule: row_rule::<T>,
            index: i,
        })),
        None => toggle(Label::Of(row_label::<T>), row_flag::<T>, row_flip::<T>),
    }
}

fn row_rule<T: Rows>(v: &str, i: usize) -> Option<String> {
    let v = v.trim();
    if v.is_empty() {
        T::required(i).then(|| "required".into())
    } else {
        T::limit(v, i)
    }
}

fn row_label<T: Rows>(_: &Model, i: usize) -> String {
    T::prompt(i).into()
}

fn row_flag<T: Rows>(m: &Model, i: usize) -> bool {
    T::flag(&m.answers, i)
}

fn row_flip<T: Rows>(m: &mut Model, i: usize) {
    T::flip(&mut m.answers, i);
}
