//! Commands that run without the wizard: apply (also --batch), check, resume, sessions, rollback,
//! status, handover clean, doctor, profiles.

#![warn(missing_docs)]

pub mod adopt;
pub mod apply;
pub mod audit;
pub mod batch;
pub(crate) mod batch_file;
pub mod check;
pub mod common;
pub(crate) mod complete;
pub(crate) mod deadline;
pub mod doctor;
mod doctor_paths;
mod doctor_report;
pub(crate) mod execute;
pub mod failure;
mod handover_clean;
mod handover_files;
mod hooks;
pub(crate) mod open;
pub(crate) mod outcome;
pub mod output;
pub mod profiles;
pub(crate) mod prompt;
pub mod rotate;
pub mod run_args;
pub mod sessions;
pub(crate) mod standing;
pub mod status;
mod status_story;
pub(crate) mod table;
pub mod tighten;
