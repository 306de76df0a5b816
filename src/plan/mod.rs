//! Desired state (answers + profile) → plan → apply → verify → hand-over.

pub mod apply;
pub mod audit;
pub mod build;
pub mod diff;
pub mod handover;
pub mod inventory;
pub mod limits;
pub mod lookups;
pub mod manual;
pub mod objects;
pub mod ownership;
pub mod repair;
pub mod role_steps;
pub mod rollback;
pub mod rotate;
pub mod session;
pub mod survey;
pub mod tighten;
pub mod verify;

pub use build::{Action, Kind, Lookups, Object, Plan, plan};
