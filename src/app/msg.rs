//! Messages into `update` and effects out of it.

use crossterm::event::KeyEvent;
use secrecy::SecretString;

use crate::halo::model::Agent;
use crate::halo::{RequestEvent, TokenInfo};
use crate::plan::answers::ConnectionMode;
use crate::plan::desired::{Desired, Lookups};

use super::log::LogKind;

/// Result of a successful connection test: who we are and what Halo has.
#[derive(Debug, Clone)]
pub struct Connected {
    pub agent: Agent,
    pub token: TokenInfo,
    pub lookups: Lookups,
}

/// A failed connection test, as the user sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConnectFailure {
    pub message: String,
    pub hint: String,
}

impl From<&crate::halo::HaloError> for ConnectFailure {
    fn from(e: &crate::halo::HaloError) -> Self {
        Self {
            message: e.to_string(),
            hint: e.hint().to_string(),
        }
    }
}

#[derive(Debug, Clone)]
pub enum Msg {
    Key(KeyEvent),
    /// Bracketed paste.
    Paste(String),
    Resize,
    /// Spinner tick, only while a request is in flight.
    Tick,
    Connected(Box<Result<Connected, ConnectFailure>>),
    Request(RequestEvent),
    Log(LogKind, String),
}

/// What the runtime needs to test a connection. Debug is safe: `SecretString` redacts itself.
#[derive(Debug, Clone)]
pub struct ConnectRequest {
    pub mode: ConnectionMode,
    pub url: String,
    pub resource_url: String,
    pub auth_url: String,
    pub tenant: String,
    pub client_id: String,
    pub secret: SecretString,
}

#[derive(Debug, Clone)]
pub enum Effect {
    Connect(ConnectRequest),
    /// Append one line to the log file.
    AppendLog(String),
    /// Hook for the apply engine (issue 4); the runtime only logs it for now.
    Apply(Box<Desired>),
    Quit,
}
