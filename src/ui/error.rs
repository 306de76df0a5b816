//! What keeps the view from drawing as asked: a terminal that cannot redraw (the wizard does
//! not start) or a theme that cannot be used (a `--theme` naming nothing is refused; a broken
//! theme file is a warning and the default theme is used).

/// A theme that cannot be used. Paths and file excerpts are shown clean, on one line (the log
/// pane would cut a multi-line message before the part that says what happens next).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ThemeError {
    #[error("theme {origin}, line {line}, column {column}: {message}")]
    Syntax {
        origin: String,
        line: usize,
        column: usize,
        message: String,
    },
    #[error("theme {origin}: {message}")]
    Invalid { origin: String, message: String },
    #[error("theme {shown}: cannot read it ({reason})")]
    Unreadable { shown: String, reason: String },
    #[error("theme '{shown}' is neither a built-in theme ({choices}) nor a theme file")]
    Unknown { shown: String, choices: String },
}

impl ThemeError {
    /// What to do next.
    pub fn hint(&self) -> &'static str {
        match self {
            Self::Unknown { .. } => "pass one of those names, or the path of a theme file",
            _ => "fix the theme file at the place named, or pick a built-in theme",
        }
    }
}

/// The terminal cannot run the wizard.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum CapsError {
    /// `TERM` is unset or `dumb` (`shown` says which): nothing can be redrawn.
    #[error(
        "the wizard needs a terminal that can move the cursor and redraw (TERM is {shown} here)\n  what to do: set TERM to your terminal's type (e.g. TERM=xterm-256color, or TERM=vt100 for a plain one), or use the headless commands: `halo-onboard apply --help`"
    )]
    CannotRedraw { shown: &'static str },
}
