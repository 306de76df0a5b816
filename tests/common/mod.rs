//! What the test binaries share: one way to run the binary ([`bin`]), one emulator fixture
//! ([`emulator`]), one tmux driver ([`tmux`]), one screen-to-text helper ([`screen`]), the
//! wizard model's fixtures ([`wizard`]), ad-hoc fake Halos for the client ([`fake`]) and the
//! hostile one ([`hostile`]). Each binary uses part of it.
#![allow(dead_code)]

pub mod bin;
pub mod emulator;
pub mod fake;
pub mod hostile;
pub mod screen;
pub mod tls;
pub mod tmux;
pub mod wizard;
