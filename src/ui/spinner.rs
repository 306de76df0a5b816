//! The busy spinner's frames, shared by the form, the submit screen and the hand-over (a leaf,
//! so they need not reach back into the view's root).

pub const SPINNER: [&str; 10] = ["⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"];
