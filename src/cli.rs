//! Command line: the wizard by default, plus headless and maintenance subcommands.

use std::path::PathBuf;

use clap::{Parser, Subcommand};

#[derive(Debug, Parser)]
#[command(
    name = "halo-onboard",
    version,
    about = "Set up a HaloPSA API integration: role, API agent, application, scopes, verified and handed over"
)]
pub struct Cli {
    /// Run the wizard against an embedded Halo emulator (no real Halo needed).
    #[arg(long)]
    pub demo: bool,
    /// Colour theme: auto (default: the terminal's own colours, accents for its background),
    /// dark, light, high-contrast, monochrome, or a path to a theme .toml file.
    #[arg(long)]
    pub theme: Option<String>,
    /// Headless commands print only the result line(s) and errors.
    #[arg(long, global = true, conflicts_with = "verbose")]
    pub quiet: bool,
    /// Headless commands also print every request to Halo (method, path, status, latency) on
    /// stderr. Never a secret.
    #[arg(long, global = true)]
    pub verbose: bool,
    /// Use colour: auto (unless NO_COLOR is set), always, never.
    #[arg(long, value_enum, default_value_t = crate::ui::theme::ColorMode::Auto, global = true)]
    pub color: crate::ui::theme::ColorMode,
    /// Fill the Connect step from a saved instance (`[instance.NAME]` in the config file);
    /// otherwise HALO_URL and HALO_CLIENT_ID fill it.
    #[arg(long, value_name = "NAME")]
    pub instance: Option<String>,
    /// Append the session log here instead of `<state dir>/halo-onboard.log`.
    #[arg(long)]
    pub log_file: Option<PathBuf>,
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the Halo emulator standalone (prints one JSON line with its URL and bootstrap credentials).
    Sandbox(crate::sim::sandbox::SandboxArgs),
    /// Plan and apply a profile without the wizard.
    Apply(crate::headless::apply::ApplyArgs),
    /// Audit an existing integration against its profile (exit 0 ok, 1 drift, 2 could not run).
    Check(crate::headless::check::CheckArgs),
    /// List or show integration profiles.
    Profiles(crate::headless::profiles::ProfilesArgs),
    /// List unfinished setups.
    Sessions(crate::headless::sessions::SessionsArgs),
    /// Continue an unfinished setup.
    Resume(crate::headless::sessions::ResumeArgs),
    /// Delete what a setup created.
    Rollback(crate::headless::sessions::RollbackArgs),
    /// What is managed from here: saved instances, every setup by instance and profile (state,
    /// last check, secret expiry), and hand-over files still on disk.
    Status(crate::headless::status::StatusArgs),
    /// Hand-over files: `handover clean` deletes the ones still on disk (overwritten first).
    Handover(crate::headless::status::HandoverArgs),
    /// Report this Halo's dialect and which of halo-onboard's assumptions hold (read-only).
    Doctor(crate::headless::doctor::DoctorArgs),
    /// Print a shell completion script (e.g. `halo-onboard completions bash > ~/.local/share/bash-completion/completions/halo-onboard`).
    Completions {
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Print the man page (roff), e.g. `halo-onboard man > ~/.local/share/man/man1/halo-onboard.1`.
    Man,
}

/// Writes the completion script for `shell` (generated from the live command definition, so it
/// never lags behind a new flag).
pub fn completions(
    shell: clap_complete::Shell,
    out: &mut dyn std::io::Write,
) -> std::io::Result<()> {
    use clap::CommandFactory;
    let mut script = Vec::new();
    clap_complete::generate(shell, &mut Cli::command(), "halo-onboard", &mut script);
    if shell == clap_complete::Shell::Bash {
        // clap_complete 4.6 names the bash case labels of subcommands from the binary name with
        // '-' turned into its subcommand separator, but the dispatcher with '-' turned into "__",
        // so no subcommand of a hyphenated binary would complete. Make the labels match.
        let text =
            String::from_utf8_lossy(&script).replace("halo__subcmd__onboard", "halo__onboard");
        script = text.into_bytes();
    }
    out.write_all(&script)
}

/// Writes the man page in roff.
pub fn man_page(out: &mut dyn std::io::Write) -> std::io::Result<()> {
    use clap::CommandFactory;
    clap_mangen::Man::new(Cli::command()).render(out)
}
