//! The busy spinner's frames, shared by the form, the submit screen and the hand-over (a leaf,
//! so they need not reach back into the view's root).

/// One frame per tick (`Msg::Tick`), indexed by the model's spinner count modulo its length.
pub(crate) const SPINNER: [&str; 10] = ["⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"];
