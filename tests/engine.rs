//! The engine against the emulator, in process: apply and resume, the manual fallback, re-apply
//! and rollback, check's audit, batches, the profiles and every fault the emulator can play.

// A test is a scenario read top to bottom; the 80-line limit (clippy.toml) is for the code.
#![allow(clippy::too_many_lines)]

mod common;

#[path = "engine/apply.rs"]
mod apply;
#[path = "engine/batch.rs"]
mod batch;
#[path = "engine/check.rs"]
mod check;
#[path = "engine/evidence.rs"]
mod evidence;
#[path = "engine/faults.rs"]
mod faults;
#[path = "engine/front_ends.rs"]
mod front_ends;
#[path = "engine/manual.rs"]
mod manual;
#[path = "engine/nothing_lost.rs"]
mod nothing_lost;
#[path = "engine/profiles.rs"]
mod profiles;
#[path = "engine/profiles_apply.rs"]
mod profiles_apply;
#[path = "engine/step_order.rs"]
mod step_order;
