use std::process::ExitCode;

use clap::Parser;
use halo_onboard::cli::{Cli, Command};

fn not_built(what: &str) -> ExitCode {
    eprintln!("halo-onboard: `{what}` is not built yet.");
    ExitCode::from(2)
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        None => not_built(if cli.demo { "--demo" } else { "the wizard" }),
        Some(Command::Sandbox(args)) => halo_onboard::sim::sandbox::run(args),
        Some(Command::Apply) => not_built("apply"),
        Some(Command::Check) => not_built("check"),
        Some(Command::Profiles(args)) => halo_onboard::profile::cli::run(&args),
        Some(Command::Sessions) => not_built("sessions"),
        Some(Command::Resume) => not_built("resume"),
        Some(Command::Rollback) => not_built("rollback"),
    }
}
