//! Halo's dialect: the single home of what Halo calls things — role claim codes with each
//! area's own scale and UI labels ([`claims`]), the fields each object really has ([`fields`]),
//! the API scope names ([`scopes`]) — and the check that a live instance speaks it
//! ([`confirm`]). The plan, the wizard's screens, the profiles and the emulator all read it;
//! nothing else spells a claim code or a field name.

pub mod claims;
pub(crate) mod confirm;
pub(crate) mod error;
pub mod fields;
pub(crate) mod paths;
pub mod scopes;
pub(crate) mod ui;

pub use claims::{ClaimDef, Grade, Level, Permissions, PermissionsWire};
pub use confirm::{Assumption, Vocabulary};
pub use error::DialectError;
