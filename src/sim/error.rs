//! The emulator's own errors: what it refuses in a request (answered 400 in the words Halo's
//! model binder and validation use) and a `sandbox` flag it cannot run with. It imports
//! nothing else of the emulator, so every module may use it without an import circle.

/// A write Halo would refuse (the 400's message), or a `sandbox` option out of range.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub(crate) enum SimError {
    /// A value of the wrong JSON type for a schema property (`roles[].id`).
    #[error("The value {value} is not valid for {property} ({expected} expected)")]
    WrongType {
        value: String,
        property: String,
        expected: String,
    },
    #[error("An application must have a displayName")]
    NoDisplayName,
    /// `what`: the object's kind, lower case.
    #[error("A {what} must have a name")]
    NoName { what: String },
    /// A reference to an object that is not there (`kind`: its label, e.g. `Team`).
    #[error("{kind} {id} does not exist")]
    Missing { kind: String, id: String },
    #[error("Role name '{0}' is already taken")]
    RoleNameTaken(String),
    #[error("Initials '{0}' are too long: at most 3 characters")]
    InitialsTooLong(String),
    #[error("'{0}' is not a valid permission")]
    NotAScope(String),
    #[error("Client ID {0} is already in use")]
    ClientIdTaken(String),
    #[error("--rate-limit must be REQUESTS/SECONDS with both above 0 (e.g. 300/300), not '{0}'")]
    RateLimit(String),
    #[error("--fail-rate must be between 0 and 1, not {0}")]
    FailRate(f64),
}
