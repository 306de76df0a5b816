//! The async HaloPSA REST client: discovery, token, typed endpoints, retries, request events.

#![warn(missing_docs)]

pub mod client;
pub(crate) mod columns;
pub mod dialect;
pub(crate) mod error;
pub mod expiry;
pub(crate) mod ids;
pub mod model;
pub(crate) mod roles;

/// Scope names live in the dialect; this path is kept for the code that already uses it.
pub use dialect::scopes;

pub use client::{
    AgentQuery, Client, ClientOptions, Credentials, Endpoint, EventSink, ExtraCa, RequestEvent,
    TokenInfo, check_auth_site, discover, normalise_url,
};
pub use error::{HaloError, Result};
pub use model::*;
