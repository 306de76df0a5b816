//! Commands that run without the wizard: apply (also --batch), check, resume, sessions, rollback,
//! status, handover clean, doctor, profiles.

pub mod apply;
pub mod batch;
pub mod check;
pub mod common;
pub mod complete;
pub mod deadline;
pub mod doctor;
pub mod output;
pub mod profiles;
pub mod prompt;
pub mod sessions;
pub mod status;
pub mod table;
