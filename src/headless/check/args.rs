//! The command line of `halo-onboard check`.

use std::path::PathBuf;

use crate::headless::common::*;

/// `halo-onboard check`'s command line.
#[derive(Debug, Clone, clap::Args)]
pub struct CheckArgs {
    /// The setup to audit: its id, a unique prefix of one, or `last`. The Halo address,
    /// answers and client ids come from its journal, the secret from its hand-over file (or
    /// HALO_APP_CLIENT_SECRET / --app-secret-file); bootstrap checks run when
    /// HALO_CLIENT_SECRET is set.
    #[arg(
        value_name = "SETUP",
        conflicts_with_all = ["url", "resource_url", "auth_url", "profile", "answers", "app_client_id", "all"]
    , add = clap_complete::engine::ArgValueCompleter::new(crate::headless::complete::setups))]
    pub setup: Option<String>,
    /// Check every setup managed here, on every Halo (one line each, or --json); the exit
    /// code is the worst result. Setups whose Halo is no saved instance use
    /// HALO_CLIENT_SECRET for the object checks, if it is set.
    #[arg(
        long,
        conflicts_with_all = ["url", "resource_url", "auth_url", "profile", "answers", "app_client_id", "app_secret_file"]
    )]
    pub all: bool,
    /// Which Halo, and the bootstrap application for the object checks (without a setup).
    #[command(flatten)]
    pub connect: ConnectArgs,
    /// Profile the integration was set up with: an id (see `halo-onboard profiles`) or a
    /// profile TOML file.
    #[arg(long, required_unless_present_any = ["setup", "all"], add = clap_complete::engine::ArgValueCompleter::new(crate::headless::complete::profiles))]
    pub profile: Option<String>,
    /// TOML answers laid over the profile, as given to `apply` (e.g. the chosen default team).
    #[arg(long)]
    pub answers: Option<PathBuf>,
    /// Client ID of the application to audit.
    #[arg(long, required_unless_present_any = ["setup", "all"])]
    pub app_client_id: Option<String>,
    /// File holding the audited application's secret (otherwise HALO_APP_CLIENT_SECRET).
    #[arg(long)]
    pub app_secret_file: Option<PathBuf>,
    /// Print one JSON object on stdout.
    #[arg(long)]
    pub json: bool,
    /// Stop after this long (e.g. 90s, 30m, 1h30m; default 10m); nothing is changed either way.
    #[arg(long, value_name = "DURATION", value_parser = crate::headless::batch::parse_duration)]
    pub deadline: Option<std::time::Duration>,
}
