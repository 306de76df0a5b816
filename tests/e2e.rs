//! The real wizard binary in tmux: keys in, screens out, against the emulator; the terminal is
//! restored on every way out, kills resume, nothing secret reaches the screen or a file.

// A test is a scenario read top to bottom; the 80-line limit (clippy.toml) is for the code.
#![allow(clippy::too_many_lines)]

mod common;

#[path = "e2e/bad_input.rs"]
mod bad_input;
#[path = "e2e/hostile.rs"]
mod hostile;
#[path = "e2e/idle.rs"]
mod idle;
#[path = "e2e/instances.rs"]
mod instances;
#[path = "e2e/kill.rs"]
mod kill;
#[path = "e2e/prompts.rs"]
mod prompts;
#[path = "e2e/restore.rs"]
mod restore;
#[path = "e2e/secrets.rs"]
mod secrets;
#[path = "e2e/small.rs"]
mod small;
#[path = "e2e/ssh.rs"]
mod ssh;
#[path = "e2e/terminals.rs"]
mod terminals;
#[path = "e2e/wizard.rs"]
mod wizard;
#[path = "e2e/wizard_manual.rs"]
mod wizard_manual;
#[path = "e2e/wizard_resume.rs"]
mod wizard_resume;
#[path = "e2e/wizard_rotate.rs"]
mod wizard_rotate;
