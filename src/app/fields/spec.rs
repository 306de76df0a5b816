//! What a field is: the kinds of field ([`Behaviour`]), their specs, and the small helpers
//! each step's specs are built with. A leaf of the `fields` folder: the steps' modules build on
//! it, the folder's root re-exports it.

use crate::answers::Answers;
use crate::app::model::Model;
use crate::profile::Question;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Text,
    Secret,
    Toggle,
    Choice,
    Button,
    Log,
}

/// How a shown value is toned (the theme picks the colour).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tone {
    Normal,
    Muted,
    Accent,
}

/// A label that is fixed, or worked out from the model (a team's name).
#[derive(Clone, Copy)]
pub enum Label {
    Fixed(&'static str),
    Of(fn(&Model, usize) -> String),
}

/// A rule a value must meet; the message says what is wrong.
pub type Check = fn(&Model, usize) -> Option<String>;

/// Text typed into an answer. The functions take the field's index (a row of a table).
#[derive(Clone, Copy)]
pub struct TextSpec {
    pub label: &'static str,
    pub placeholder: &'static str,
    pub get: fn(&Answers, usize) -> &String,
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
    pub label: Label,
    pub get: fn(&Model, usize) -> bool,
    pub flip: fn(&mut Model, usize),
    /// Said after the box (a scope's warning).
    pub note: fn(usize) -> Option<&'static str>,
    /// Shown muted while off (the long scope list).
    pub muted_off: bool,
}

/// One of a list of values; Left/Right (and Enter) step through them.
#[derive(Clone, Copy)]
pub struct ChoiceSpec {
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
    OpenPicker,
    TestConnection,
    RequestApply,
}

/// Runs something.
#[derive(Clone, Copy)]
pub struct ButtonSpec {
    pub label: &'static str,
    pub press: Press,
    /// Shown after the button.
    pub value: fn(&Model) -> (String, Tone),
}

#[derive(Clone, Copy)]
pub enum Behaviour {
    Text(TextSpec),
    /// The bootstrap secret: masked, never in the answers.
    Secret,
    Toggle(ToggleSpec),
    Choice(ChoiceSpec),
    Button(ButtonSpec),
    Log,
}

/// Everything about one field.
#[derive(Clone, Copy)]
pub struct Spec {
    pub behaviour: Behaviour,
    /// The rule its value must meet (shown under it once the step's errors are shown).
    pub check: Option<Check>,
    /// The picked profile leaves this to the user: highlighted with ⚑.
    pub question: Option<Question>,
}

impl Spec {
    pub fn of(behaviour: Behaviour) -> Self {
        Self {
            behaviour,
            check: None,
            question: None,
        }
    }
    pub fn check(mut self, c: Check) -> Self {
        self.check = Some(c);
        self
    }
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
