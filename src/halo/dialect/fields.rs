//! The fields each Halo object really has: the schemas of Halo's published OpenAPI document,
//! as `evidence/halo-api/schemas.json` holds them (covenanttechnologysolutions/halopsa-rest
//! `generator/spec/swagger.json`, Halo API v2, 2024-09). This module only names which schema
//! each of the client's objects is; the fields themselves are the evidence's.
//!
//! What the client reads beyond the schema is said here too, with its confidence: the
//! application secret's expiry (`apiKeyExpiryDays`, `apiKey1ExpiryDate`) comes from Halo's 2026
//! DB catalogue, not the API schema (`evidence/behaviours.toml` `secret_expiry`, W). The client
//! reads it only as "Halo reports …" and never writes it (a test holds every body the client
//! sends to the schema).

use crate::evidence;

/// The application field some instances report as the days a new secret stays valid (2026 DB
/// catalogue; not in the published API schema).
pub const APP_SECRET_EXPIRY_DAYS: &str = "apiKeyExpiryDays";
/// The application field some instances report as the current secret's expiry (named after
/// the catalogue's `apiKey1…` columns; not in the published API schema).
pub const APP_SECRET_EXPIRY_DATE: &str = "apiKey1ExpiryDate";
/// How sure the expiry fields are, and where they come from: said wherever they are shown.
pub const REPORTED_EXPIRY_SOURCE: &str =
    "field from Halo's 2026 DB catalogue; not in the published API schema";

/// The Description newer builds show on an application's form (UI v2.218+, a 2026 DB column):
/// not a property of the API's `NHD_Identity_Application`, so the API never sets it and
/// ownership never relies on it.
pub const APP_DESCRIPTION: &str = "description";

/// The field an agent would need for a notes marker: not in the 2024 or the 2026 schema, so
/// Halo drops it and ownership never relies on it (`plan::ownership`).
pub const AGENT_NOTES: &str = "notes";

/// The role's fields (`NHD_Roles`) the role's attribute table (`answers::role::ROWS`) names.
pub mod role {
    /// Field of the role's name as the Roles list shows it.
    pub const NAME: &str = "name";
    /// Field of the role's free-text notes, where the setup's ownership marker is kept.
    pub const NOTES: &str = "notes";
    /// The permission claims (`NHD_Claim` codes, `dialect::claims`).
    pub const CLAIMS: &str = "claims";
}

/// The application's fields (`NHD_Identity_Application`) the application's attribute table
/// (`answers::application::ROWS`) names.
pub mod application {
    /// Field of the application's name as Halo's Applications list shows it.
    pub const NAME: &str = "displayName";
    /// Field that switches the application off (`true` = inactive).
    pub const INACTIVE: &str = "inactive";
    /// The authentication method (`client_credentials`: "Client ID and Secret (Services)").
    pub const GRANT_TYPE: &str = "grant_type";
    /// The login type (`halo::model::LOGIN_ENTITY_AGENT`: Agent).
    pub const LOGIN_TYPE: &str = "loginentity";
    /// Field of the agent id the application logs in as (login type Agent).
    pub const LOGIN_AGENT: &str = "loginas_agent_id";
    /// Field of the permission scopes granted to the application's tokens.
    pub const SCOPES: &str = "scopes";
}

/// The fields the client reads only as "Halo reports …" (never writes, never relies on): in no
/// published schema, evidenced weakly (`evidence/behaviours.toml`).
pub const REPORTED_ONLY: &[&str] = &[APP_SECRET_EXPIRY_DAYS, APP_SECRET_EXPIRY_DATE];

/// The objects the client reads and writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Schema {
    /// An agent, `Uname`.
    Agent,
    /// A role, `NHD_Roles`.
    Role,
    /// An API application, `NHD_Identity_Application`.
    Application,
    /// A team, `SectionDetail`.
    Team,
    /// A department, `Tree` (served at `/api/TopLevel`).
    Department,
    /// Work hours, `Workdays`.
    Workday,
}

impl Schema {
    /// The object's schema name in Halo's published API.
    pub fn name(self) -> &'static str {
        match self {
            Self::Agent => "Uname",
            Self::Role => "NHD_Roles",
            Self::Application => "NHD_Identity_Application",
            Self::Team => "SectionDetail",
            Self::Department => "Tree",
            Self::Workday => "Workdays",
        }
    }

    /// Does Halo's published schema of this object have `field`?
    pub fn has(self, field: &str) -> bool {
        evidence::schema(self.name()).is_some_and(|s| s.has(field))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn schemas_are_the_evidences() {
        for s in [
            Schema::Agent,
            Schema::Role,
            Schema::Application,
            Schema::Team,
            Schema::Department,
            Schema::Workday,
        ] {
            assert!(evidence::schema(s.name()).is_some(), "{}", s.name());
            assert!(s.has("id") && s.has("name") || s == Schema::Application);
        }
        assert!(!Schema::Agent.has(AGENT_NOTES));
        assert!(Schema::Role.has("notes"));
        assert!(!Schema::Application.has(APP_DESCRIPTION));
        for f in REPORTED_ONLY {
            assert!(!Schema::Application.has(f), "{f} is not a schema field");
            assert!(
                evidence::behaviours()["secret_expiry"]
                    .known
                    .contains("apiKey"),
                "{f}: the behaviour that says where it comes from"
            );
        }
    }
}
