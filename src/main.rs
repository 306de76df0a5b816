use std::process::ExitCode;

use clap::Parser;
use halo_onboard::app::{LogKind, Model, SecretInput};
use halo_onboard::cli::{Cli, Command};
use halo_onboard::headless;
use halo_onboard::plan::answers::Answers;
use halo_onboard::runtime::{self, Exit};
use halo_onboard::ui::Theme;

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
        None => wizard(&cli),
        Some(Command::Sandbox(args)) => halo_onboard::sim::sandbox::run(args),
        Some(Command::Apply(args)) => block_on(headless::apply::run(&args)),
        Some(Command::Check(args)) => block_on(headless::check::run(&args)),
        Some(Command::Profiles(args)) => halo_onboard::profile::cli::run(&args),
        Some(Command::Sessions(args)) => ExitCode::from(headless::sessions::run_sessions(&args)),
        Some(Command::Resume(args)) => block_on(headless::sessions::run_resume(&args)),
        Some(Command::Rollback(args)) => block_on(headless::sessions::run_rollback(&args)),
    }
}

/// The wizard (default command), optionally against the embedded emulator (`--demo`).
fn wizard(cli: &Cli) -> ExitCode {
    // Installed before the terminal is set up, so the runtime's restoring hook wraps it.
    let _ = color_eyre::install();
    let rt = match tokio::runtime::Runtime::new() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("halo-onboard: could not start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    rt.block_on(async {
        let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
        let (theme, theme_err) = Theme::resolve(cli.theme.as_deref(), no_color);
        let mut startup = Vec::new();
        if let Some(e) = theme_err {
            eprintln!("halo-onboard: {e}");
            startup.push((LogKind::Error, e));
        }
        let mut answers = Answers::default();
        let mut secret = None;
        // Kept alive for the whole session: the emulator serves until the process exits.
        let _sim = if cli.demo {
            let addr = std::net::SocketAddr::from(([127, 0, 0, 1], 0));
            // Emulated network latency for benchmarks and recorded demos (default none).
            let ms = std::env::var("HALO_ONBOARD_DEMO_LATENCY_MS")
                .ok()
                .and_then(|v| v.parse().ok());
            let cfg = halo_onboard::sim::SimConfig {
                latency: std::time::Duration::from_millis(ms.unwrap_or(0)),
                ..Default::default()
            };
            match halo_onboard::sim::spawn(cfg, addr).await {
                Ok(h) => {
                    answers.connection.url = h.url.clone();
                    answers.connection.client_id = h.client_id.clone();
                    secret = Some(SecretInput::new(&h.client_secret));
                    startup.push((
                        LogKind::Info,
                        format!("demo: Halo emulator at {} (press t to connect)", h.url),
                    ));
                    Some(h)
                }
                Err(e) => {
                    eprintln!("halo-onboard: could not start the demo Halo emulator: {e}");
                    return ExitCode::FAILURE;
                }
            }
        } else {
            None
        };
        let mut model = Model::new(answers);
        if let Some(s) = secret {
            model.secret = s;
            // Everything is filled in: one Enter tests the connection.
            model.focus_on(halo_onboard::app::Field::TestButton);
        }
        let opts = runtime::Options {
            model,
            theme,
            startup,
            log_file: cli.log_file.clone(),
        };
        match runtime::run(opts).await {
            Ok(Exit::Quit) => ExitCode::SUCCESS,
            Ok(Exit::Signal(n)) => ExitCode::from((128 + n).clamp(0, 255) as u8),
            Err(e) => {
                eprintln!("halo-onboard: {e:?}");
                ExitCode::FAILURE
            }
        }
    })
}
