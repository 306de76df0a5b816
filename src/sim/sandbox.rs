//! `halo-onboard sandbox`: the emulator as a standalone process for other tools. Prints exactly
//! one JSON line (URL and bootstrap credentials) on stdout, logs requests on stderr, and runs
//! until Ctrl-C or SIGTERM.

use std::io::Write;
use std::process::ExitCode;
use std::time::Duration;

use super::error::SimError;
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
    /// Rate limit as REQUESTS/SECONDS (rolling window), any figure.
    #[arg(long, conflicts_with = "rate_limit_preset")]
    pub rate_limit: Option<String>,
    /// One of the sourced rate limits: 300/300 (Halo's own 429 message), 450/300, 500/180.
    #[arg(long, value_enum, default_value = "300/300")]
    pub rate_limit_preset: super::RatePreset,
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
    /// Whether applications report their secret's expiry: none, or key_slots
    /// (apiKeyExpiryDays and apiKey1ExpiryDate on newly issued secrets).
    #[arg(long, value_enum, default_value = "none")]
    pub secret_expiry: super::SecretExpiry,
    /// Days a new secret lives under key_slots (default 90); implies --secret-expiry key_slots.
    #[arg(long, value_name = "N")]
    pub secret_expiry_days: Option<i64>,
    /// The claim vocabulary of the seeded roles: today's codes (SA, Tx, …), the older long names
    /// (Administration, Ticket_Level, …), mixed (the Administrator role in long names, others in
    /// codes), or today's codes with l0 on the 0/1 scale.
    #[arg(long, value_enum, default_value = "current")]
    pub dialect: super::SimDialect,
    /// Which tickets a list shows a non-administrator: by team membership and its flags, by
    /// the role switches l8/l9, or by department.
    #[arg(long, value_enum, default_value = "teams")]
    pub ticket_visibility: super::TicketVisibility,
    /// What a role that denies an area answers: 403 (forbidden) or an empty list.
    #[arg(long, value_enum, default_value = "forbidden")]
    pub denial: super::Denial,
    /// Who may list agents (GET /api/Agent): anyone, or administrators only.
    #[arg(long, value_enum, default_value = "anyone")]
    pub agent_listing: super::AgentListing,
    /// Configuration lists without pageinate=true: a bare array or the envelope.
    #[arg(long, value_enum, default_value = "bare")]
    pub list_shape: super::ListShape,
    /// What the instance holds besides a fresh tenant: `audit` adds hand-made integrations an
    /// audit flags (an administrator agent with the all scope, a person's account, a disabled
    /// agent with an active application, one vendor twice, a least-privilege one). Ignored
    /// when --state-file already holds an instance.
    #[arg(long, value_enum, default_value = "fresh")]
    pub seed: super::seeds::SeedData,
}

/// Parses `REQUESTS/SECONDS`, e.g. `300/300`.
pub(crate) fn parse_rate_limit(s: &str) -> Result<(u32, Duration), SimError> {
    let bad = || SimError::RateLimit(s.to_string());
    let (n, secs) = s.trim().split_once('/').ok_or_else(bad)?;
    let n: u32 = n.trim().parse().map_err(|_| bad())?;
    let secs: u64 = secs.trim().parse().map_err(|_| bad())?;
    if n == 0 || secs == 0 {
        return Err(bad());
    }
    Ok((n, Duration::from_secs(secs)))
}

pub(crate) fn config_from_args(args: &SandboxArgs) -> Result<SimConfig, SimError> {
    let (rate_limit, rate_window) = match &args.rate_limit {
        Some(custom) => parse_rate_limit(custom)?,
        None => args.rate_limit_preset.limits(),
    };
    if !(0.0..=1.0).contains(&args.fail_rate) {
        return Err(SimError::FailRate(args.fail_rate));
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
        secret_expiry: args.secret_expiry,
        secret_expiry_days: args.secret_expiry_days.filter(|d| *d > 0),
        dialect: args.dialect,
        ticket_visibility: args.ticket_visibility,
        denial: args.denial,
        agent_listing: args.agent_listing,
        list_shape: args.list_shape,
        seed_data: args.seed,
        ..SimConfig::default()
    })
}

/// `halo-onboard sandbox`: starts the emulator, prints its URL and bootstrap credentials as
/// one JSON line, and serves until interrupted.
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
    let Ok(line) = serde_json::to_string(&Hello {
        url: &handle.url,
        client_id: &handle.client_id,
        client_secret: &handle.client_secret,
    }) else {
        return ExitCode::FAILURE;
    };
    let mut out = std::io::stdout().lock();
    if writeln!(out, "{line}").and_then(|()| out.flush()).is_err() {
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
    use clap::Parser;

    use super::*;
    use crate::sim::faults::Faults;
    use crate::sim::{AgentListing, Denial, ListShape, SecretExpiry, SimDialect, TicketVisibility};

    #[derive(Parser)]
    struct Cmd {
        #[command(flatten)]
        args: SandboxArgs,
    }

    fn config(argv: &[&str]) -> Result<SimConfig, Box<dyn std::error::Error>> {
        let cmd = Cmd::try_parse_from(std::iter::once("sandbox").chain(argv.iter().copied()))?;
        Ok(config_from_args(&cmd.args)?)
    }

    /// Every variant flag reaches the emulator's settings, by the evidence's names.
    #[test]
    fn variant_flags() {
        let c = config(&[]).unwrap();
        assert_eq!(
            (c.rate_limit, c.rate_window),
            (300, Duration::from_secs(300))
        );
        assert_eq!(c.ticket_visibility, TicketVisibility::Teams);
        let c = config(&[
            "--ticket-visibility",
            "switches",
            "--denial",
            "empty",
            "--agent-listing",
            "admin",
            "--rate-limit-preset",
            "500/180",
            "--secret-expiry",
            "key_slots",
            "--list-shape",
            "envelope",
            "--dialect",
            "mixed",
        ])
        .unwrap();
        assert_eq!(c.ticket_visibility, TicketVisibility::Switches);
        assert_eq!(
            (c.denial, c.agent_listing),
            (Denial::Empty, AgentListing::Admin)
        );
        assert_eq!(
            (c.rate_limit, c.rate_window),
            (500, Duration::from_secs(180))
        );
        assert_eq!(c.secret_expiry, SecretExpiry::KeySlots);
        assert_eq!(
            (c.list_shape, c.dialect),
            (ListShape::Envelope, SimDialect::Mixed)
        );
        assert_eq!(Faults::from_config(&c).expiry_days(), Some(90));
        let c = config(&["--dialect", "l0-numeric", "--rate-limit", "5/2"]).unwrap();
        assert_eq!(c.dialect, SimDialect::L0Numeric);
        assert_eq!((c.rate_limit, c.rate_window), (5, Duration::from_secs(2)));
        // The older flag still works: days alone select key slots.
        let c = config(&["--secret-expiry-days", "30"]).unwrap();
        assert_eq!(Faults::from_config(&c).expiry_days(), Some(30));
        for bad in [
            &["--rate-limit", "5/2", "--rate-limit-preset", "450/300"][..],
            &["--rate-limit-preset", "1000/60"],
            &["--ticket-visibility", "all"],
        ] {
            assert!(config(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn rate_limit_parsing() {
        assert_eq!(
            parse_rate_limit("300/300"),
            Ok((300, Duration::from_secs(300)))
        );
        assert_eq!(parse_rate_limit(" 5 / 2 "), Ok((5, Duration::from_secs(2))));
        for bad in ["300", "x/3", "0/5", "5/0", "5/-1", ""] {
            let e = parse_rate_limit(bad).unwrap_err().to_string();
            assert!(e.contains("REQUESTS/SECONDS"), "{bad}: {e}");
        }
    }
}
