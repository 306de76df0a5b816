//! The async HaloPSA REST client: discovery, token, typed endpoints, retries, request events.

pub mod client;
pub mod columns;
pub mod error;
pub mod model;
pub mod scopes;

pub use client::{
    AgentQuery, Client, ClientOptions, Credentials, Endpoint, EventSink, RequestEvent, TokenInfo,
    check_auth_site, discover,
};
pub use error::{HaloError, Result};
pub use model::*;
