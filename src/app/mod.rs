//! The wizard's state machine (Elm style): `Model` + `Msg` -> `update` -> `Vec<Effect>`.
//! Pure: no I/O here; the runtime executes effects and feeds results back as `Msg`.

#![warn(missing_docs)]

pub mod applying;
pub(crate) mod connect;
pub mod edit;
pub(crate) mod field;
pub mod fields;
mod focus;
pub mod handover;
pub mod instance;
pub mod keys;
pub mod log;
pub(crate) mod manual;
pub(crate) mod model;
pub(crate) mod msg;
pub(crate) mod nav;
mod offer;
pub mod picker;
mod planned;
pub(crate) mod secret;
pub(crate) mod startup;
pub(crate) mod state;
pub(crate) mod summary;
pub(crate) mod update;
pub(crate) mod url;
pub mod validate;

pub use field::Field;
pub use fields::Widget;
pub use log::{LogBuffer, LogEntry, LogKind};
pub use model::{Backoff, ConnInfo, ConnState, Model, Overlay, Step};
pub use msg::{
    ApplyOutcome, ApplyRequest, ConnectFailure, ConnectRequest, Connected, DemoHalo, Effect,
    ManualRequest, Msg, ReverifyRequest, Started, StartupRequest,
};
pub use secret::SecretInput;
pub use state::{ObjState, Phase, ResumeRow};
pub use update::update;
pub use validate::{Issue, validate};
