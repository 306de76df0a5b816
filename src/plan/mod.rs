//! Desired state (answers + profile) → plan → apply → verify → hand-over.

#![warn(missing_docs)]

pub mod apply;
pub(crate) mod audit;
pub mod build;
pub mod diff;
pub mod handover;
pub(crate) mod inventory;
pub(crate) mod limits;
pub(crate) mod lookups;
pub mod manual;
pub(crate) mod objects;
pub(crate) mod ownership;
pub mod repair;
pub(crate) mod role_steps;
pub mod rollback;
pub(crate) mod rotate;
pub mod session;
pub(crate) mod survey;
pub(crate) mod tighten;
pub mod verify;

pub use build::{Action, Kind, Lookups, Object, Plan, plan};
