//! Command line: the wizard by default, plus headless and maintenance subcommands.

#![warn(missing_docs)]

use std::path::PathBuf;

use clap::{Parser, Subcommand};

/// The whole command line, as `main` dispatches it.
#[derive(Debug, Parser)]
#[command(
    name = "halo-onboard",
    version,
    about = "Set up a HaloPSA API integration: role, API agent, application, scopes, verified and handed over"
)]
pub struct Cli {
    /// The options that come before any subcommand.
    #[command(flatten)]
    pub top: TopArgs,
    /// The subcommand; `None` runs the wizard.
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

/// The headless and maintenance subcommands, one variant each.
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
        /// The shell to write the script for.
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Print the man page (roff) of halo-onboard or of one subcommand (`man apply`,
    /// `man profiles show`), or write every page into a directory (`man --dir DIR`).
    Man(ManArgs),
}

/// `man [SUBCOMMAND...]` or `man --dir DIR`.
#[derive(Debug, Clone, clap::Args)]
pub struct ManArgs {
    /// The subcommand whose page to print, e.g. `apply` or `profiles show` (none: the main page).
    #[arg(value_name = "SUBCOMMAND", conflicts_with = "dir")]
    pub subcommand: Vec<String>,
    /// Write the main page and one per subcommand here (halo-onboard.1, halo-onboard-apply.1,
    /// halo-onboard-profiles-show.1, ...) and print their paths.
    #[arg(long, value_name = "DIR")]
    pub dir: Option<PathBuf>,
    /// With --dir: replace pages already there (without it, an existing page is an error and
    /// nothing is written).
    #[arg(long, requires = "dir")]
    pub force: bool,
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
    let exe =
        std::env::current_exe().map_or_else(|_| "halo-onboard".into(), |p| p.display().to_string());
    c.write_registration(COMPLETE_VAR, "halo-onboard", "halo-onboard", &exe, out)
}

/// The command line as the man pages describe it: built (so each subcommand's name reads
/// `halo-onboard-apply`, as its page is called) and without clap's `help` subcommand.
fn man_command() -> clap::Command {
    use clap::CommandFactory;
    let mut cmd = Cli::command().disable_help_subcommand(true);
    cmd.build();
    cmd
}

/// Every page: (the command, its file name), the main page first, then each subcommand's
/// (nested ones too, e.g. `profiles show`), in the order `--help` lists them.
fn man_pages() -> Vec<clap::Command> {
    fn walk(cmd: &clap::Command, out: &mut Vec<clap::Command>) {
        out.push(cmd.clone());
        for sub in cmd.get_subcommands().filter(|s| !s.is_hide_set()) {
            walk(sub, out);
        }
    }
    let mut out = Vec::new();
    walk(&man_command(), &mut out);
    out
}

/// Writes the man page (roff) of the command `path` names: none for halo-onboard itself,
/// `["profiles", "show"]` for a nested one. An unknown name is an error that lists the known.
pub fn man_page(path: &[String], out: &mut dyn std::io::Write) -> std::io::Result<()> {
    let mut cmd = man_command();
    for (i, name) in path.iter().enumerate() {
        let Some(sub) = cmd.find_subcommand(name).cloned() else {
            let known: Vec<&str> = cmd.get_subcommands().map(clap::Command::get_name).collect();
            let what = if i == 0 {
                "halo-onboard".to_string()
            } else {
                format!("halo-onboard {}", path[..i].join(" "))
            };
            let msg = if known.is_empty() {
                format!("{what} has no subcommand {name:?}")
            } else {
                format!(
                    "{what} has no subcommand {name:?} (it has: {})",
                    known.join(", ")
                )
            };
            return Err(std::io::Error::new(std::io::ErrorKind::NotFound, msg));
        };
        cmd = sub;
    }
    clap_mangen::Man::new(cmd).render(out)
}

/// Writes every man page into `dir` (created if missing) and returns their paths. Without
/// `force` an existing page is an error before anything is written (nothing is clobbered).
pub fn man_pages_to(dir: &std::path::Path, force: bool) -> std::io::Result<Vec<PathBuf>> {
    let pages: Vec<(PathBuf, clap_mangen::Man)> = man_pages()
        .into_iter()
        .map(|c| {
            let man = clap_mangen::Man::new(c);
            (dir.join(man.get_filename()), man)
        })
        .collect();
    if !force && let Some((p, _)) = pages.iter().find(|(p, _)| p.symlink_metadata().is_ok()) {
        return Err(std::io::Error::new(
            std::io::ErrorKind::AlreadyExists,
            format!(
                "{} already exists (add --force to replace the pages there)",
                p.display()
            ),
        ));
    }
    std::fs::create_dir_all(dir)?;
    let mut written = Vec::new();
    for (path, man) in pages {
        let mut page = Vec::new();
        man.render(&mut page)?;
        // Replaced, not written through: a link there is removed, never followed.
        if force && path.symlink_metadata().is_ok() {
            std::fs::remove_file(&path)?;
        }
        let mut f = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&path)?;
        std::io::Write::write_all(&mut f, &page)?;
        written.push(path);
    }
    Ok(written)
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
