//! The emulator over HTTP (as a real Halo would be met) and the client against it and against
//! ad-hoc fake Halos: discovery, tokens, endpoints, errors, retries.

// A test is a scenario read top to bottom; the 80-line limit (clippy.toml) is for the code.
#![allow(clippy::too_many_lines)]

mod common;

#[path = "sim/client_auth.rs"]
mod client_auth;
#[path = "sim/client_endpoints.rs"]
mod client_endpoints;
#[path = "sim/client_errors.rs"]
mod client_errors;
#[path = "sim/faithful.rs"]
mod faithful;
#[path = "sim/http.rs"]
mod http;
#[path = "sim/raw.rs"]
mod raw;
#[path = "sim/sandbox.rs"]
mod sandbox;
#[path = "sim/variants.rs"]
mod variants;
