//! Desired state (answers + profile) → plan → apply → verify → hand-over.

pub mod answers;
pub mod desired;
