//! `halo-onboard sandbox`: the emulator as a standalone process for other tools. Prints exactly
//! one JSON line (URL and bootstrap credentials) on stdout, logs requests on stderr, and runs
//! until Ctrl-C or SIGTERM.

use std::io::Write;
use std::process::ExitCode;
use std::time::Duration;

use super::{SimConfig, spawn};

/// `halo-onboard sandbox`.
#[derive(Debug, Clone, clap::Args)]
pub struct SandboxArgs {
    /// Address to listen on; port 0 picks a free port.
    #[arg(long, default_value = "127.0.0.1:0")]
    pub listen: std::net::SocketAddr,
    /// Extra latency per request, in milliseconds.
    #[arg(long, default_value_t = 0)]
    pub latency_ms: u64,
    /// Probability (0..1) of a 5xx answer per API request.
    #[arg(long, default_value_t = 0.0)]
    pub fail_rate: f64,
    /// Rate limit as REQUESTS/SECONDS (rolling window).
    #[arg(long, default_value = "300/300")]
    pub rate_limit: String,
    /// Bootstrap application client id (random when omitted).
    #[arg(long)]
    pub client_id: Option<String>,
    /// Bootstrap application client secret (random when omitted).
    #[arg(long)]
    pub client_secret: Option<String>,
    /// Tenant name reported by authinfo.
    #[arg(long, default_value = "sandbox")]
    pub tenant: String,
    /// Persist the emulator's state in this file across restarts.
    #[arg(long)]
    pub state_file: Option<std::path::PathBuf>,
    /// How applications get their secret: honour the posted one, generate one and return it
    /// once in the POST answer, or generate one and never return it (copy it from the form).
    #[arg(long, value_enum, default_value = "honour")]
    pub secret_mode: super::SecretMode,
    /// Report an expiry this many days ahead on new application secrets (as newer Halo builds do).
    #[arg(long, value_name = "N")]
    pub secret_expiry_days: Option<i64>,
    /// The claim vocabulary of the seeded roles: today's codes (SA, Tx, …) or the older long
    /// names (Administration, Ticket_Level, …) for trying `doctor` and the manual fallback.
    #[arg(long, value_enum, default_value = "current")]
    pub dialect: super::SimDialect,
}

/// Parses `REQUESTS/SECONDS`, e.g. `300/300`.
pub fn parse_rate_limit(s: &str) -> Result<(u32, Duration), String> {
    let bad = || {
        format!("--rate-limit must be REQUESTS/SECONDS with both above 0 (e.g. 300/300), not '{s}'")
    };
    let (n, secs) = s.trim().split_once('/').ok_or_else(bad)?;
    let n: u32 = n.trim().parse().map_err(|_| bad())?;
    let secs: u64 = secs.trim().parse().map_err(|_| bad())?;
    if n == 0 || secs == 0 {
        return Err(bad());
    }
    Ok((n, Duration::from_secs(secs)))
}

pub fn config_from_args(args: &SandboxArgs) -> Result<SimConfig, String> {
    let (rate_limit, rate_window) = parse_rate_limit(&args.rate_limit)?;
    if !(0.0..=1.0).contains(&args.fail_rate) {
        return Err(format!(
            "--fail-rate must be between 0 and 1, not {}",
            args.fail_rate
        ));
    }
    Ok(SimConfig {
        latency: Duration::from_millis(args.latency_ms),
        fail_rate: args.fail_rate,
        rate_limit,
        rate_window,
        client_id: args.client_id.clone(),
        client_secret: args.client_secret.clone(),
        tenant: args.tenant.clone(),
        state_file: args.state_file.clone(),
        log_requests: true,
        secret_mode: args.secret_mode,
        secret_expiry_days: args.secret_expiry_days.filter(|d| *d > 0),
        dialect: args.dialect,
        ..SimConfig::default()
    })
}

pub fn run(args: SandboxArgs) -> ExitCode {
    let cfg = match config_from_args(&args) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("halo-onboard sandbox: {e}");
            return ExitCode::from(2);
        }
    };
    let rt = match tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("halo-onboard sandbox: could not start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    rt.block_on(serve(cfg, args.listen))
}

async fn serve(cfg: SimConfig, listen: std::net::SocketAddr) -> ExitCode {
    let handle = match spawn(cfg, listen).await {
        Ok(h) => h,
        Err(e) => {
            eprintln!("halo-onboard sandbox: could not start the emulator on {listen}: {e}");
            return ExitCode::FAILURE;
        }
    };
    // A struct keeps the documented key order: url, client_id, client_secret.
    #[derive(serde::Serialize)]
    struct Hello<'a> {
        url: &'a str,
        client_id: &'a str,
        client_secret: &'a str,
    }
    let line = match serde_json::to_string(&Hello {
        url: &handle.url,
        client_id: &handle.client_id,
        client_secret: &handle.client_secret,
    }) {
        Ok(l) => l,
        Err(_) => return ExitCode::FAILURE,
    };
    let mut out = std::io::stdout().lock();
    if writeln!(out, "{line}").and_then(|_| out.flush()).is_err() {
        return ExitCode::FAILURE;
    }
    drop(out);
    eprintln!(
        "halo-onboard sandbox: Halo emulator on {} (Ctrl-C to stop)",
        handle.url
    );
    wait_for_signal().await;
    handle.shutdown().await;
    ExitCode::SUCCESS
}

async fn wait_for_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        if let Ok(mut term) = signal(SignalKind::terminate()) {
            tokio::select! {
                _ = tokio::signal::ctrl_c() => {}
                _ = term.recv() => {}
            }
            return;
        }
    }
    let _ = tokio::signal::ctrl_c().await;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rate_limit_parsing() {
        assert_eq!(
            parse_rate_limit("300/300"),
            Ok((300, Duration::from_secs(300)))
        );
        assert_eq!(parse_rate_limit(" 5 / 2 "), Ok((5, Duration::from_secs(2))));
        for bad in ["300", "x/3", "0/5", "5/0", "5/-1", ""] {
            let e = parse_rate_limit(bad).unwrap_err();
            assert!(e.contains("REQUESTS/SECONDS"), "{bad}: {e}");
        }
    }
}
