//! What can go wrong with the journal, and what to do about it.

use std::path::PathBuf;

use super::records::{FORMAT_VERSION, STATE_DIR_ENV};

/// Why a journal operation failed; [`JournalError::hint`] says what to do next.
#[derive(Debug, thiserror::Error)]
pub enum JournalError {
    /// The state directory or a file in it could not be created, read or written.
    #[error("cannot use state directory {path}: {source}")]
    Io {
        /// The directory or file that failed.
        path: PathBuf,
        /// The operating system's error.
        #[source]
        source: std::io::Error,
    },
    /// A setup's file is not valid journal JSON; it is left untouched.
    #[error("journal {path} is damaged at line {line}, column {column}: {message}")]
    Corrupt {
        /// The damaged file.
        path: PathBuf,
        /// Line of the parse error, 1-based; 0 when the position is unknown.
        line: usize,
        /// Column of the parse error, 1-based; 0 when the position is unknown.
        column: usize,
        /// The parser's message, stripped of control characters.
        message: String,
    },
    /// The file's `version` is above [`FORMAT_VERSION`]: a newer halo-onboard wrote it.
    #[error(
        "journal {path} was written by a newer halo-onboard (format {found}, this one reads {FORMAT_VERSION})"
    )]
    TooNew {
        /// The file that is too new.
        path: PathBuf,
        /// The format version the file declares.
        found: u32,
    },
    /// The file is above the size cap and was not read.
    #[error("journal {path} is too large (more than {}); it was not read", crate::limits::human(*cap))]
    TooLarge {
        /// The file that is too large.
        path: PathBuf,
        /// The cap it exceeds, in bytes (`limits::MAX_JOURNAL`).
        cap: usize,
    },
    /// No setup has this id or id prefix (or the id is not a valid setup id).
    #[error("no setup with id '{0}'")]
    NotFound(String),
    /// An id prefix matches more than one setup.
    #[error("setup '{reference}' is ambiguous: {} setups start with it ({})", .matches.len(), .matches.join(", "))]
    Ambiguous {
        /// The prefix as the user gave it.
        reference: String,
        /// The ids of every setup it matches.
        matches: Vec<String>,
    },
    /// Neither [`STATE_DIR_ENV`] nor the platform names a state directory.
    #[error("no platform state directory; set {STATE_DIR_ENV}")]
    NoStateDir,
    /// The path is a pipe, device, folder or link, not a regular file; it was not read.
    #[error("{} is not a regular file (a pipe, a device, a folder or a link); it was not read", .path.display())]
    NotRegular {
        /// The path that is not a regular file.
        path: PathBuf,
    },
    /// Another live halo-onboard run holds the lock on this setup or state.
    #[error(
        "{what} is being written by another halo-onboard run ({holder}); this run was refused so that nothing is created twice"
    )]
    Busy {
        /// What is locked, in words (e.g. "setup <id>").
        what: String,
        /// Who holds the lock, in words (its pid and command, as the holder wrote them).
        holder: String,
    },
}

impl JournalError {
    /// What the user should do about this error, in one or two sentences for the terminal.
    pub fn hint(&self) -> String {
        match self {
            Self::Io { .. } => format!(
                "Check the directory's owner and permissions, or set {STATE_DIR_ENV} to a writable directory."
            ),
            Self::Corrupt { path, .. } => format!(
                "The file was left untouched. Fix or move it aside ({}) and run `halo-onboard sessions` again; objects already created in Halo carry the setup's marker in their notes.",
                path.display()
            ),
            Self::TooNew { .. } => "Use the newer halo-onboard to resume this setup.".into(),
            Self::TooLarge { path, .. } => format!(
                "A setup's journal is a few KiB; this file is not one. Move it aside ({}); nothing else is affected.",
                path.display()
            ),
            Self::NotFound(_) => "Run `halo-onboard sessions --all` to list setups; `last` names the most recent one.".into(),
            Self::Ambiguous { .. } => {
                "Give more of the id (`halo-onboard sessions --all` lists them).".into()
            }
            Self::NoStateDir => format!("Set {STATE_DIR_ENV}=/some/private/dir."),
            Self::NotRegular { path } => format!(
                "Move it out of the folder ({}); setups are plain files. Nothing else is affected.",
                path.display()
            ),
            Self::Busy { .. } => "Wait for that run to finish (`halo-onboard sessions` shows where the setup stands), then run this again if something is left. The lock goes with its process: if that run was killed, nothing holds it any more and a new run proceeds.".into(),
        }
    }
}

/// The journal's result type.
pub type Result<T> = std::result::Result<T, JournalError>;
