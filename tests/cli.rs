//! The binary run headless (apply, resume, check, rollback, sessions, doctor) against the
//! emulator: output, exit codes, what is written where, kills at any instant, bad and hostile
//! input.

// A test is a scenario read top to bottom; the 80-line limit (clippy.toml) is for the code.
#![allow(clippy::too_many_lines)]

mod common;

#[path = "cli/bad_input.rs"]
mod bad_input;
#[path = "cli/catalogue.rs"]
mod catalogue;
#[path = "cli/daytwo.rs"]
mod daytwo;
#[path = "cli/dialect.rs"]
mod dialect;
#[path = "cli/first_use.rs"]
mod first_use;
#[path = "cli/habits.rs"]
mod habits;
#[path = "cli/headless.rs"]
mod headless;
#[path = "cli/held.rs"]
mod held;
#[path = "cli/hostile.rs"]
mod hostile;
#[path = "cli/kill.rs"]
mod kill;
#[path = "cli/manual.rs"]
mod manual;
#[path = "cli/readme.rs"]
mod readme;
#[path = "cli/rotate_kill.rs"]
mod rotate_kill;
#[path = "cli/secrets.rs"]
mod secrets;
#[path = "cli/variants.rs"]
mod variants;
