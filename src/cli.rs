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
    /// The wizard's colour: auto (unless NO_COLOR is set), always, never. Accepted anywhere on
    /// the line; the headless commands print plain text whatever it says.
    #[arg(long, value_enum, default_value_t = crate::ui::theme::ColorMode::Auto, global = true)]
    pub color: crate::ui::theme::ColorMode,
    /// Fill the Connect step from a saved instance (`[instance.NAME]` in the config file);
    /// otherwise HALO_URL and HALO_CLIENT_ID fill it.
    #[arg(long, value_name = "NAME", add = clap_complete::engine::ArgValueCompleter::new(crate::headless::complete::instances))]
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
    /// Print a shell completion script (e.g. `halo-onboard completions bash > ~/.local/share/bash-completion/completions/halo-onboard`).
    Completions {
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Print the man page (roff), e.g. `halo-onboard man > ~/.local/share/man/man1/halo-onboard.1`.
    Man,
}

/// The environment variable through which a shell asks this binary for completions.
pub const COMPLETE_VAR: &str = "COMPLETE";

/// Answers a completion request from a shell (`COMPLETE=bash halo-onboard -- WORDS`) and
/// exits; returns at once otherwise. Called first thing: nothing may be printed before.
pub fn complete_if_asked() {
    use clap::CommandFactory;
    clap_complete::env::CompleteEnv::with_factory(Cli::command)
        .var(COMPLETE_VAR)
        .bin("halo-onboard")
        .complete();
}

/// Writes the completion script for `shell`: it asks this binary (by its full path) for the
/// candidates, so the flags always match the installed version and what only this
/// installation knows completes too (profile ids, setup ids, saved instance names).
pub fn completions(
    shell: clap_complete::Shell,
    out: &mut dyn std::io::Write,
) -> std::io::Result<()> {
    let shells = clap_complete::env::Shells::builtins();
    let name = shell.to_string();
    let Some(c) = shells.completer(&name) else {
        return Err(std::io::Error::other(format!(
            "no dynamic completion for {name}"
        )));
    };
    let exe = std::env::current_exe()
        .map(|p| p.display().to_string())
        .unwrap_or_else(|_| "halo-onboard".into());
    c.write_registration(COMPLETE_VAR, "halo-onboard", "halo-onboard", &exe, out)
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
