//! Commands that run without the wizard: apply (also --batch), check, resume, sessions, rollback.

pub mod apply;
pub mod batch;
pub mod check;
pub mod common;
pub mod doctor;
pub mod profiles;
pub mod prompt;
pub mod sessions;
pub mod table;
