//! The current step's fields as the model sees them: which are shown, which has focus, and the
//! editor of a text field. Here, not in `model`, because they read the field specs, and the
//! specs read the model.

use tui_input::Input;

use super::fields::{Field, fields};
use super::model::Model;

impl Model {
    /// The focusable fields of the current step, top to bottom (focus indexes into them).
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
}
