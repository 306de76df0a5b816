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
    #[command(flatten)]
    pub top: TopArgs,
    #[command(subcommand)]
    pub command: Option<Command>,
}

/// The options before any subcommand: the wizard's, and the global output ones.
#[derive(Debug, Clone, clap::Args)]
pub struct TopArgs {
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
    /// Append the wizard's session log here instead of `<state dir>/halo-onboard.log` (the
    /// headless commands print to stderr; `--verbose` adds every request).
    #[arg(long)]
    pub log_file: Option<PathBuf>,
}

impl Cli {
    /// Parses the command line. Without a subcommand (the wizard) the top-level options are
    /// parsed alone first: building every subcommand's arguments touches much of the binary
    /// before the first frame (a third of a millisecond in profiles). Anything else (a
    /// subcommand, `--help`, `--version`, a mistake) goes to the full parser, so its answers
    /// and errors are clap's as always.
    pub fn parse_args() -> Self {
        Self::try_parse_args(std::env::args_os()).unwrap_or_else(|e| e.exit())
    }

    fn try_parse_args(
        args: impl IntoIterator<Item = std::ffi::OsString>,
    ) -> Result<Self, clap::Error> {
        use clap::{Args, FromArgMatches};
        let args: Vec<std::ffi::OsString> = args.into_iter().collect();
        let top_only = TopArgs::augment_args(clap::Command::new("halo-onboard"))
            .allow_external_subcommands(true)
            .disable_help_flag(true)
            .disable_version_flag(true);
        if let Ok(m) = top_only.try_get_matches_from(&args)
            && m.subcommand().is_none()
            && let Ok(top) = TopArgs::from_arg_matches(&m)
        {
            return Ok(Self { top, command: None });
        }
        Self::try_parse_from(args)
    }
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
    /// A new secret without downtime: a second application for the same agent, handed over
    /// in a new file (`--setup`); `--finish` deletes the old one once the vendor has it.
    Rotate(crate::headless::rotate::RotateArgs),
    /// Every API application on a Halo with its risks (read-only; exit 0 none high, 1 a high
    /// risk, 2 could not run).
    Audit(crate::headless::audit::AuditArgs),
    /// Bring a hand-made integration under management (a setup for `check`, `rotate`, `tighten`).
    Adopt(crate::headless::adopt::AdoptArgs),
    /// Take a setup's integration down to its profile's least privilege, never cutting the vendor off.
    Tighten(crate::headless::tighten::TightenArgs),
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

#[cfg(test)]
mod parse_tests {
    use super::*;

    fn both(args: &[&str]) -> (String, String) {
        let argv = || {
            std::iter::once("halo-onboard")
                .chain(args.iter().copied())
                .map(Into::into)
        };
        let quick = Cli::try_parse_args(argv()).map_err(|e| e.kind());
        let full = Cli::try_parse_from(argv()).map_err(|e| e.kind());
        (format!("{quick:?}"), format!("{full:?}"))
    }

    /// The quick path for the wizard gives what clap's full parse gives, errors included.
    #[test]
    fn the_top_level_alone_parses_as_the_full_command_line_does() {
        for args in [
            &[][..],
            &["--demo"],
            &["--theme", "light", "--color", "never", "--instance", "acme"],
            &["--log-file", "/tmp/x.log", "--verbose"],
            &["--quiet", "--verbose"],
            &["--theme"],
            &["--colour", "never"],
            &["--help"],
            &["-V"],
            &["aply"],
            &["--theme", "apply"],
            &[
                "apply",
                "--profile",
                "topleft",
                "--url",
                "https://acme.halopsa.com",
                "--yes",
            ],
            &["--quiet", "status", "--json"],
            &["completions", "bash"],
        ] {
            let (quick, full) = both(args);
            assert_eq!(quick, full, "{args:?}");
        }
        assert!(matches!(
            Cli::try_parse_args(["halo-onboard", "--demo"].map(Into::into)),
            Ok(Cli {
                command: None,
                top: TopArgs { demo: true, .. }
            })
        ));
    }
}
