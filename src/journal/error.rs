//! What can go wrong with the journal, and what to do about it.

use std::path::PathBuf;

use super::records::{FORMAT_VERSION, STATE_DIR_ENV};

#[derive(Debug, thiserror::Error)]
pub enum JournalError {
    #[error("cannot use state directory {path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("journal {path} is damaged at line {line}, column {column}: {message}")]
    Corrupt {
        path: PathBuf,
        line: usize,
        column: usize,
        message: String,
    },
    #[error(
        "journal {path} was written by a newer halo-onboard (format {found}, this one reads {FORMAT_VERSION})"
    )]
    TooNew { path: PathBuf, found: u32 },
    #[error("journal {path} is too large (more than {}); it was not read", crate::limits::human(*cap))]
    TooLarge { path: PathBuf, cap: usize },
    #[error("no setup with id '{0}'")]
    NotFound(String),
    #[error("setup '{reference}' is ambiguous: {} setups start with it ({})", .matches.len(), .matches.join(", "))]
    Ambiguous {
        reference: String,
        matches: Vec<String>,
    },
    #[error("no platform state directory; set {STATE_DIR_ENV}")]
    NoStateDir,
    #[error("{} is not a regular file (a pipe, a device, a folder or a link); it was not read", .path.display())]
    NotRegular { path: PathBuf },
    #[error(
        "{what} is being written by another halo-onboard run ({holder}); this run was refused so that nothing is created twice"
    )]
    Busy { what: String, holder: String },
}

impl JournalError {
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

pub type Result<T> = std::result::Result<T, JournalError>;
