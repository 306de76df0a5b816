//! Commands that run without the wizard: apply, resume, sessions, rollback.

pub mod apply;
pub mod common;
pub mod sessions;
