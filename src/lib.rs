//! halo-onboard: sets up a HaloPSA API integration (role, API-only agent, API application,
//! scopes), verifies it and hands the credentials over. See `shared/design.md` for the layers.

#![warn(missing_docs)]

// First: its macros (`outln!`, `out!`, `errln!`) are used by the modules below.
#[macro_use]
pub mod print;

pub mod answers;
pub mod app;
pub mod cli;
pub mod config;
pub mod evidence;
pub mod halo;
pub mod hardening;
pub mod headless;
pub mod journal;
mod layering;
pub mod limits;
pub mod plan;
pub mod profile;
pub mod runtime;
pub mod sim;
pub mod text;
pub mod timestamp;
pub mod ui;
