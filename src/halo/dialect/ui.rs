//! Where things are in Halo's web UI, in Halo's own menu words: the one spelling of each path
//! that manual steps, fixes and hints name (`reference/halo-api.md` §3, the vendors' guides).

/// The Halo API settings (applications, API Details).
pub(crate) const HALO_API: &str = "Configuration > Integrations > Halo API";
/// The list of roles.
pub(crate) const ROLES: &str = "Configuration > Teams & Agents > Roles";
/// The list of agents.
pub(crate) const AGENTS: &str = "Configuration > Teams & Agents > Agents";
/// The list of API applications.
pub(crate) const APPLICATIONS: &str = "Configuration > Integrations > Halo API > View Applications";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn application_paths_lie_under_the_halo_api_settings() {
        assert!(APPLICATIONS.starts_with(HALO_API));
        assert!(ROLES.starts_with("Configuration > ") && AGENTS.starts_with("Configuration > "));
    }
}
