//! The wizard's state machine (Elm style): `Model` + `Msg` -> `update` -> `Vec<Effect>`.
//! Pure: no I/O here; the runtime executes effects and feeds results back as `Msg`.

pub mod applying;
pub mod connect;
pub mod edit;
pub mod field;
pub mod fields;
mod focus;
pub mod handover;
pub mod instance;
pub mod keys;
pub mod log;
pub mod manual;
pub mod model;
pub mod msg;
pub mod nav;
mod offer;
pub mod picker;
mod planned;
pub mod secret;
pub mod startup;
pub mod state;
pub mod summary;
pub mod update;
pub mod url;
pub mod validate;

pub use field::Field;
pub use fields::Kind;
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
