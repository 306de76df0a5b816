use std::process::ExitCode;

use clap::Parser;
use halo_onboard::cli::{Cli, Command};
use halo_onboard::headless;

fn not_built(what: &str) -> ExitCode {
    eprintln!("halo-onboard: `{what}` is not built yet.");
    ExitCode::from(2)
}

/// Runs an async command on a fresh runtime; a runtime that cannot start is exit 2.
fn block_on<F: std::future::Future<Output = u8>>(f: F) -> ExitCode {
    match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => ExitCode::from(rt.block_on(f)),
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            ExitCode::from(2)
        }
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        None => not_built(if cli.demo { "--demo" } else { "the wizard" }),
        Some(Command::Sandbox(args)) => halo_onboard::sim::sandbox::run(args),
        Some(Command::Apply(args)) => block_on(headless::apply::run(&args)),
        Some(Command::Check(args)) => block_on(headless::check::run(&args)),
        Some(Command::Profiles(args)) => halo_onboard::profile::cli::run(&args),
        Some(Command::Sessions(args)) => ExitCode::from(headless::sessions::run_sessions(&args)),
        Some(Command::Resume(args)) => block_on(headless::sessions::run_resume(&args)),
        Some(Command::Rollback(args)) => block_on(headless::sessions::run_rollback(&args)),
    }
}
