//! Integration profiles: what one vendor needs in Halo (role, agent, application, scopes) and
//! what it needs handed back. Built-in profiles are TOML files embedded in the binary; users can
//! add or override profiles in `<config dir>/profiles/*.toml`.
//!
//! A profile records what the vendor's guide says and nothing more: each setting names the
//! guide section that states it (`[[cite]]`) or is listed as inferred with the reason
//! (`[[inferred]]`), e.g. a safe default kept where the guide is silent. See [`Provenance`].

#![warn(missing_docs)]

mod convert;
mod least;
mod load;
mod provenance;
mod types;
mod validate;

pub use convert::Question;
pub use least::{
    areas_of, derive_scopes, least_privilege, least_privilege_features, least_privilege_scopes,
};
pub use load::{LoadError, ProfileError, builtin, load_all, load_file, parse, user_profiles_dir};
pub use provenance::Provenance;
pub use types::{
    ALL_DEPARTMENTS, ALL_TEAMS, AgentSpec, ApplicationSpec, Cite, Confidence, DefaultTeam,
    DepartmentRule, HandoverField, Inferred, Pick, Profile, RoleSpec, Severity, TeamRule, Trap,
};
pub use validate::ProfileProblem;

/// The answers a profile id pre-fills, looking in built-in and user profiles.
pub fn answers_for(id: &str) -> Result<crate::answers::Answers, ProfileError> {
    let dir = user_profiles_dir();
    let (all, _errors) = load_all(dir.as_deref());
    all.iter()
        .find(|p| p.id == id)
        .map(types::Profile::to_answers)
        .ok_or_else(|| ProfileError::Unknown {
            id: id.to_string(),
            known: all.iter().map(|p| p.id.clone()).collect(),
        })
}
