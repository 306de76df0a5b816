//! `halo-onboard audit`: every API application on a Halo, read-only, with its risks
//! ([`crate::plan::audit`]). Only the bootstrap credentials are used, and nothing is written;
//! no secret is ever shown (Halo never returns one on a read).
//!
//! Exit 0: no high risk; 1: at least one high risk not accepted (an administrator agent, a
//! person's account); 2: could not run (no applications could be read).

use serde_json::json;

use super::common::*;
use super::table::{capped, col, lines};
use crate::plan::audit::{self, Level, Managed, Report, Row};
use crate::plan::session;

/// `halo-onboard audit`'s command line.
#[derive(Debug, Clone, clap::Args)]
pub struct AuditArgs {
    /// Which Halo, and the bootstrap application that reads it (flags, `--instance` or the
    /// `HALO_*` environment).
    #[command(flatten)]
    pub connect: ConnectArgs,
    /// Print one JSON object on stdout: `applications` (each with `name`, `active`, `agent`,
    /// `roles`, `administrator`, `scopes`, `access`, `managed_by`, `risks`), `unread` and
    /// `high_risks`.
    #[arg(long)]
    pub json: bool,
    /// Stop after this long (e.g. 90s, 30m; default 10m); nothing is changed either way.
    #[arg(long, value_name = "DURATION", value_parser = super::batch::parse_duration)]
    pub deadline: Option<std::time::Duration>,
}

/// `halo-onboard audit`.
pub async fn run(args: &AuditArgs) -> u8 {
    super::deadline::within(args.deadline, "audit", args.json, async {
        match try_run(args).await {
            Ok((r, base)) => {
                if args.json {
                    outln!(
                        "{}",
                        json!({"ok": r.high_risks == 0, "halo": base, "applications": r.applications, "unread": r.unread, "high_risks": r.high_risks})
                    );
                } else {
                    out!("{}", crate::text::block(&text(&r, &base)));
                }
                if r.high_risks > 0 {
                    EXIT_FAILED
                } else {
                    EXIT_OK
                }
            }
            Err(f) => {
                print_failure(&f, args.json);
                f.code
            }
        }
    })
    .await
}

async fn try_run(args: &AuditArgs) -> Result<(Report, String), Failure> {
    let c = args.connect.resolved()?;
    let place = place(&c)?;
    let (client_id, secret) = bootstrap_credentials(&c)?;
    // Read-only: no admin check up front; what cannot be read is said.
    let conn = session::connect(&place, &client_id, secret, c.client_options()?)
        .await
        .map_err(|e| connect_failure(&e))?;
    let base = conn.endpoint().base_url().to_string();
    let (integrations, unread) = audit::read(&conn.client).await.map_err(|e| {
        Failure::new(
            format!("cannot list the API applications: {e}"),
            format!(
                "{} Reading applications needs the 'admin' scope on the bootstrap application and an agent that is a HaloPSA Administrator (nothing is written).",
                e.hint()
            ),
        )
    })?;
    let sessions = crate::journal::Journal::open_default()
        .map(|j| j.list().0)
        .unwrap_or_default();
    let managed = Managed::from_sessions(&sessions, &conn.endpoint().resource_url);
    Ok((
        audit::report(&integrations, unread, &managed, &client_id),
        base,
    ))
}

fn yes_no(b: Option<bool>) -> &'static str {
    match b {
        Some(true) => "yes",
        Some(false) => "no",
        None => "unknown",
    }
}

fn agent_cell(r: &Row) -> String {
    match (&r.agent, &r.agent_unreadable) {
        (Some(a), _) => format!(
            "{} ({}{})",
            a.name,
            if a.api_only { "API-only" } else { "person" },
            if a.active { "" } else { ", disabled" }
        ),
        (None, Some(_)) => "unreadable".into(),
        (None, None) => "-".into(),
    }
}

fn risk_cell(r: &Row) -> String {
    let open: Vec<&audit::Risk> = r.risks.iter().filter(|x| x.accepted.is_none()).collect();
    match open.iter().map(|x| x.level).max() {
        Some(Level::High) => "HIGH".into(),
        Some(Level::Medium) => "medium".into(),
        None if r.risks.is_empty() => "-".into(),
        None => "accepted".into(),
    }
}

/// The table, the risks under it in words, what could not be read, and the result line.
pub fn text(r: &Report, base: &str) -> String {
    let mut o = format!("API applications on {base}:\n");
    if r.applications.is_empty() {
        o.push_str("  none\n");
    }
    let rows: Vec<Vec<String>> = r
        .applications
        .iter()
        .map(|a| {
            vec![
                a.name.clone(),
                if a.active { "yes" } else { "no" }.into(),
                agent_cell(a),
                yes_no(a.administrator).into(),
                format!("{}: {}", a.access, a.scopes.join(" ")),
                a.managed_by.clone().unwrap_or_else(|| {
                    if a.this_audit {
                        "(this audit)".into()
                    } else {
                        "-".into()
                    }
                }),
                risk_cell(a),
            ]
        })
        .collect();
    let cols = [
        capped("APPLICATION", 32),
        col("ACTIVE"),
        capped("LOGS IN AS", 40),
        col("ADMIN"),
        capped("SCOPES", 40),
        capped("MANAGED BY", 40),
        col("RISK"),
    ];
    if !rows.is_empty() {
        for l in lines(&cols, &rows) {
            o.push_str(&format!("  {l}\n"));
        }
    }
    o.push_str(&risks_text(r));
    for a in r
        .applications
        .iter()
        .filter(|a| a.agent_unreadable.is_some())
    {
        o.push_str(&format!(
            "Could not read the agent of {}: {}\n",
            a.name,
            a.agent_unreadable.as_deref().unwrap_or_default()
        ));
    }
    if !r.unread.is_empty() {
        o.push_str("\nCould not read:\n");
        for u in &r.unread {
            o.push_str(&format!("  {u}\n"));
        }
    }
    o.push_str(&match r.high_risks {
        0 => format!(
            "Result: {} application(s), no high risk.\n",
            r.applications.len()
        ),
        n => format!(
            "Result: {} application(s), {n} high risk(s) (exit 1).\n",
            r.applications.len()
        ),
    });
    o
}

/// Each application's risks, with what to do next about the high ones.
fn risks_text(r: &Report) -> String {
    let mut o = String::new();
    let with_risks: Vec<&Row> = r
        .applications
        .iter()
        .filter(|a| !a.risks.is_empty())
        .collect();
    if !with_risks.is_empty() {
        o.push_str("\nRisks:\n");
        for a in with_risks {
            o.push_str(&format!(
                "  {} (id {}, Client ID {}):\n",
                a.name, a.application_id, a.client_id
            ));
            for x in &a.risks {
                let level = match x.level {
                    Level::High => "HIGH",
                    Level::Medium => "medium",
                };
                match &x.accepted {
                    Some(why) => {
                        o.push_str(&format!("    {level} {} (accepted: {why})\n", x.words));
                    }
                    None => o.push_str(&format!("    {level} {}\n", x.words)),
                }
            }
            if a.high() > 0 && a.managed_by.is_none() {
                o.push_str(&format!(
                    "    next: halo-onboard adopt --application {} --profile <vendor profile>, then halo-onboard tighten --setup <setup id>\n",
                    a.application_id
                ));
            } else if a.high() > 0
                && let Some(s) = &a.managed_by
            {
                o.push_str(&format!("    next: halo-onboard tighten --setup {s}\n"));
            }
        }
    }
    o
}
