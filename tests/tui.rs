//! The wizard's model and view without a terminal: `update` driven by messages and keys, and the
//! screens drawn on ratatui's TestBackend (insta snapshots in `tui/snapshots/`).

// A test is a scenario read top to bottom; the 80-line limit (clippy.toml) is for the code.
#![allow(clippy::too_many_lines)]

mod common;

#[path = "tui/apply.rs"]
mod apply;
#[path = "tui/manual.rs"]
mod manual;
#[path = "tui/snapshots.rs"]
mod snapshots;
#[path = "tui/snapshots_apply.rs"]
mod snapshots_apply;
#[path = "tui/styles.rs"]
mod styles;
#[path = "tui/update.rs"]
mod update;
