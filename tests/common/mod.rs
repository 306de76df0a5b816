//! What the test binaries share: one way to run the binary ([`bin`]), one emulator fixture
//! ([`emulator`]), one tmux driver ([`tmux`]), one screen-to-text helper ([`screen`]), the
//! wizard model's fixtures ([`wizard`]), ad-hoc fake Halos for the client ([`fake`]) and the
//! hostile one ([`hostile`]). Each binary uses part of it.
#![allow(dead_code)]

pub(crate) mod bin;
pub(crate) mod emulator;
pub(crate) mod fake;
pub(crate) mod hostile;
pub(crate) mod screen;
pub(crate) mod tls;
pub(crate) mod tmux;
pub(crate) mod wizard;

/// A plain reqwest client for the tests' own calls (the emulator's `/_sim` endpoints, raw
/// requests): the program's TLS provider installed first, as the program does.
pub(crate) fn http() -> reqwest::Client {
    http_builder().build().unwrap()
}

/// [`http`]'s builder, for a client with other settings.
pub(crate) fn http_builder() -> reqwest::ClientBuilder {
    halo_onboard::halo::client::tls::install();
    reqwest::Client::builder()
}
