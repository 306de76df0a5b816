//! `halo-onboard doctor`: what dialect this Halo speaks and which of halo-onboard's assumptions
//! hold, each with what this instance showed, how sure halo-onboard was of it beforehand
//! (confidence C/I/W) and where that comes from (`evidence/`) — read-only, with the same
//! connection flags as `apply`. It also checks what verification relies on: every probe path
//! the profiles use exists here, and where the instance serves its own swagger document, the
//! paths halo-onboard uses are compared with it (differences named; the URLs tried said).
//! The report holds no secret and no personal data (claim codes, field names, shapes, paths
//! and counts; the only name shown is Halo's built-in "Administrator"), so an admin can share
//! it. Exit 0 when every assumption holds, 1 naming the first that does not, 2 when it cannot
//! run.

use std::collections::BTreeMap;
use std::path::PathBuf;

use serde_json::Value;

use super::common::*;
pub use super::doctor_paths::{
    ProbePath, SWAGGER_PATHS, Swagger, missing_from, paths_used, probe_paths, swagger,
};
pub use super::doctor_report::{ClaimCode, Report};
use super::doctor_report::{quiet_text, text};
use crate::halo::dialect::claims;
use crate::halo::dialect::confirm::{self, Assumption};
use crate::halo::dialect::fields::{self, AGENT_NOTES, APP_DESCRIPTION, REPORTED_ONLY};
use crate::halo::{Client, HaloError};

/// `halo-onboard doctor`'s command line.
#[derive(Debug, Clone, clap::Args)]
pub struct DoctorArgs {
    /// Which Halo, and the bootstrap application that reads it (flags, `--instance` or the
    /// `HALO_*` environment).
    #[command(flatten)]
    pub connect: ConnectArgs,
    /// Print one JSON object instead of text.
    #[arg(long)]
    pub json: bool,
    /// Also write the report to this file (JSON with --json, else text; mode 0600). An existing
    /// file is replaced only with --force.
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
    /// Replace the --out file if it exists.
    #[arg(long, requires = "out")]
    pub force: bool,
    /// Stop after this long (e.g. 90s, 30m, 1h30m; default 10m); doctor only reads.
    #[arg(long, value_name = "DURATION", value_parser = super::batch::parse_duration)]
    pub deadline: Option<std::time::Duration>,
}

/// Roles whose details doctor reads (the vocabulary; the rate limit is 300 per 5 minutes).
const MAX_ROLE_DETAILS: usize = 25;

/// The fields halo-onboard writes on an agent; Halo must show them back.
const AGENT_FIELDS_USED: &[&str] = &[
    "id",
    "name",
    "firstname",
    "surname",
    "initials",
    "email",
    "isapiagent",
    "isdisabled",
    "team",
    "roles",
    "workday_id",
];

/// The fields halo-onboard writes on an application; Halo must show them back.
const APPLICATION_FIELDS_USED: &[&str] = &[
    "id",
    "clientId",
    "displayName",
    "grant_type",
    "inactive",
    "loginas_agent_id",
    "scopes",
];

/// One assumption doctor checks itself: `how` is (confidence, source) as `evidence/` marks it.
fn hold(
    id: &'static str,
    what: &str,
    holds: bool,
    evidence: impl Into<String>,
    how: (&'static str, &'static str),
) -> Assumption {
    Assumption {
        id,
        what: what.into(),
        holds,
        evidence: evidence.into(),
        confidence: how.0,
        source: how.1,
    }
}

const SCHEMAS: (&str, &str) = (
    "C",
    "evidence/halo-api/schemas.json (Halo's published swagger, 2024-09)",
);
const PATHS: (&str, &str) = (
    "C",
    "evidence/halo-api/paths.json (Halo's published swagger, 2024-09)",
);

/// The shape of a list answer: a bare array, or an envelope and the key holding the rows.
fn shape(v: &Value) -> Option<String> {
    match v {
        Value::Array(_) => Some("bare array".into()),
        Value::Object(o) => o
            .iter()
            .find(|(_, x)| x.is_array())
            .map(|(k, _)| format!("envelope ({k})")),
        _ => None,
    }
}

/// The keys of a JSON object (a single object, or the first row of a list).
fn keys(v: &Value) -> Vec<String> {
    let obj = match v {
        Value::Array(a) => a.first(),
        other => Some(other),
    };
    let mut k: Vec<String> = obj
        .and_then(Value::as_object)
        .map(|o| o.keys().cloned().collect())
        .unwrap_or_default();
    k.sort();
    k
}

fn rows(v: &Value) -> Vec<Value> {
    match v {
        Value::Array(a) => a.clone(),
        Value::Object(o) => o
            .values()
            .find_map(|x| x.as_array().cloned())
            .unwrap_or_default(),
        _ => Vec::new(),
    }
}

/// Reads the instance and judges every assumption. Only GETs (and the token).
pub async fn diagnose(client: &Client, bootstrap_client_id: &str) -> Result<Report, Failure> {
    let token = client.token().await.map_err(halo)?;
    let mut assumptions = Vec::new();
    let granted = token.scopes.clone();
    let admin_granted = granted.iter().any(|s| s == "admin");
    let all_teams_granted = granted.iter().any(|s| s == "all:teams");
    assumptions.push(hold(
        "admin-scope",
        "the bootstrap application is granted the admin scope (roles, agents, applications)",
        admin_granted || granted.is_empty(),
        format!("token scopes: {}", granted.join(" ")),
        (
            "I",
            "evidence/scopes.toml (admin scope; configuration endpoints need it: halo-api.md §4)",
        ),
    ));

    let me = client.get_json("/Agent/me").await.map_err(halo)?;
    let me_id = me.get("id").and_then(Value::as_i64);
    assumptions.push(hold(
        "agent-me-object",
        "GET /api/Agent/me answers one object with the agent's id",
        me.is_object() && me_id.is_some(),
        if me.is_object() {
            "a single object".to_string()
        } else {
            "not a single object".to_string()
        },
        PATHS,
    ));

    let (list_shapes, lists) = list_shapes(client, &mut assumptions).await?;
    let role_rows = rows(lists.get("Roles").unwrap_or(&Value::Null));
    let (vocab, claim_codes) = claim_vocabulary(client, &role_rows, &mut assumptions).await?;
    let agent_fields = agent_fields(client, &me, me_id, &mut assumptions).await;
    let apps = rows(lists.get("Application").unwrap_or(&Value::Null));
    let application_fields =
        application_fields(client, &apps, bootstrap_client_id, &mut assumptions).await?;
    let (probe_paths, swagger) = verification_paths(client, &mut assumptions).await;

    Ok(Report {
        halo_onboard: env!("CARGO_PKG_VERSION"),
        roles: role_rows.len(),
        roles_read_with_details: vocab.roles_read,
        claim_codes,
        list_shapes,
        agent_fields,
        application_fields,
        scopes_granted: granted,
        admin_granted,
        all_teams_granted,
        unconfirmed_codes: vocab.unconfirmed.clone(),
        probe_paths,
        swagger,
        assumptions,
    })
}

fn halo(e: HaloError) -> Failure {
    Failure::halo(&e)
}

/// Each configuration list's shape (bare array or envelope), and the lists as read.
async fn list_shapes(
    client: &Client,
    assumptions: &mut Vec<Assumption>,
) -> Result<(BTreeMap<String, String>, BTreeMap<&'static str, Value>), Failure> {
    let mut list_shapes = BTreeMap::new();
    let mut lists = BTreeMap::new();
    for (name, path) in [
        ("Roles", "/Roles"),
        ("Agent", "/Agent?includeapiagents=true"),
        ("Team", "/Team"),
        ("TopLevel", "/TopLevel"),
        ("Workday", "/Workday"),
        ("Application", "/Application"),
    ] {
        let v = client.get_json(path).await.map_err(halo)?;
        list_shapes.insert(
            name.to_string(),
            shape(&v).unwrap_or_else(|| "unrecognised".into()),
        );
        lists.insert(name, v);
    }
    let odd: Vec<&String> = list_shapes
        .iter()
        .filter(|(_, s)| *s == "unrecognised")
        .map(|(k, _)| k)
        .collect();
    assumptions.push(hold(
        "list-shapes",
        "list endpoints answer a bare array or the paginated envelope",
        odd.is_empty(),
        if odd.is_empty() {
            list_shapes
                .iter()
                .map(|(k, v)| format!("{k}: {v}"))
                .collect::<Vec<_>>()
                .join(", ")
        } else {
            format!("unrecognised: {odd:?}")
        },
        (
            "C",
            "evidence/lists.toml and behaviours.toml list_shape (HaloAPI, halopsa-node, pyhalopsa)",
        ),
    ));

    Ok((list_shapes, lists))
}

/// The claim codes on the roles (read with their details): the vocabulary this Halo speaks.
async fn claim_vocabulary(
    client: &Client,
    role_rows: &[Value],
    assumptions: &mut Vec<Assumption>,
) -> Result<(confirm::Vocabulary, Vec<ClaimCode>), Failure> {
    let ids_are_strings = role_rows
        .iter()
        .all(|r| r.get("id").is_some_and(Value::is_string));
    assumptions.push(hold(
        "role-ids-strings",
        "role ids are strings (GUIDs)",
        ids_are_strings,
        format!("{} role(s) listed", role_rows.len()),
        SCHEMAS,
    ));
    let names: Vec<String> = role_rows
        .iter()
        .filter_map(|r| r.get("name").and_then(Value::as_str).map(String::from))
        .take(MAX_ROLE_DETAILS)
        .collect();
    let wanted: Vec<&str> = names.iter().map(String::as_str).collect();
    let roles = crate::halo::roles::read_roles(client, &wanted)
        .await
        .map_err(halo)?;
    let vocab = confirm::confirm(&roles);
    let claim_codes = vocab
        .codes
        .iter()
        .map(|(code, n)| ClaimCode {
            code: code.clone(),
            roles: *n,
            label: claims::by_code(code).map(|d| d.label.to_string()),
            today: claims::legacy_code(code).map(str::to_string),
        })
        .collect();
    assumptions.extend(vocab.assumptions.iter().cloned());

    Ok((vocab, claim_codes))
}

/// The fields an agent really carries (the bootstrap's own agent).
async fn agent_fields(
    client: &Client,
    me: &Value,
    me_id: Option<i64>,
    assumptions: &mut Vec<Assumption>,
) -> Vec<String> {
    let agent = match me_id {
        Some(id) => client
            .get_json(&format!("/Agent/{id}"))
            .await
            .unwrap_or(me.clone()),
        None => me.clone(),
    };
    let agent_fields = keys(&agent);
    let missing: Vec<&str> = AGENT_FIELDS_USED
        .iter()
        .copied()
        .filter(|f| !agent_fields.iter().any(|k| k == f))
        .collect();
    assumptions.push(hold(
        "agent-fields",
        "an agent shows the fields halo-onboard writes (username, names, API-only, active, default team, roles, work hours)",
        missing.is_empty(),
        if missing.is_empty() {
            format!(
                "{} fields; no '{AGENT_NOTES}' field ({})",
                agent_fields.len(),
                if agent_fields.iter().any(|k| k == AGENT_NOTES) {
                    "present here"
                } else {
                    "as the schema says"
                }
            )
        } else {
            format!("missing: {}", missing.join(", "))
        },
        SCHEMAS,
    ));

    agent_fields
}

/// The fields an application really carries (the bootstrap's own, else the first listed), and
/// that a GET never shows its secret.
async fn application_fields(
    client: &Client,
    apps: &[Value],
    bootstrap_client_id: &str,
    assumptions: &mut Vec<Assumption>,
) -> Result<Vec<String>, Failure> {
    let app_id = apps
        .iter()
        .find(|a| {
            a.get("clientId")
                .and_then(Value::as_str)
                .is_some_and(|c| c.eq_ignore_ascii_case(bootstrap_client_id.trim()))
        })
        .or_else(|| apps.first())
        .and_then(|a| a.get("id").and_then(Value::as_str).map(String::from));
    // An id from Halo's list becomes a path: only one shaped like Halo's application ids.
    let app_id = app_id.filter(|id| crate::halo::ids::is_guid(id));
    let app = match &app_id {
        Some(id) => client
            .get_json(&format!("/Application/{id}?includedetails=true"))
            .await
            .map_err(halo)?,
        None => Value::Null,
    };
    let application_fields = keys(&app);
    let missing: Vec<&str> = APPLICATION_FIELDS_USED
        .iter()
        .copied()
        .filter(|f| !application_fields.iter().any(|k| k == f))
        .collect();
    // Fields outside the published schema this instance shows (newer builds): read only as
    // "Halo reports …", never relied on.
    let extras: Vec<&str> = std::iter::once(APP_DESCRIPTION)
        .chain(REPORTED_ONLY.iter().copied())
        .filter(|f| application_fields.iter().any(|k| k == f))
        .collect();
    assumptions.push(hold(
        "application-fields",
        "an application shows the fields halo-onboard writes (name, client id, login agent, grant type, scopes)",
        app_id.is_some() && missing.is_empty(),
        if app_id.is_none() {
            "no application listed".to_string()
        } else if missing.is_empty() {
            format!(
                "{} fields; outside the published schema: {}",
                application_fields.len(),
                if extras.is_empty() {
                    "none".to_string()
                } else {
                    format!("{} ({})", extras.join(", "), fields::REPORTED_EXPIRY_SOURCE)
                }
            )
        } else {
            format!("missing: {}", missing.join(", "))
        },
        SCHEMAS,
    ));
    let secret_shown = app
        .get("clientSecret")
        .and_then(Value::as_str)
        .is_some_and(|s| !s.is_empty());
    assumptions.push(hold(
        "secret-not-on-get",
        "GET never shows an application's secret (Halo shows it once)",
        !secret_shown,
        if secret_shown {
            "GET /api/Application/{id} returned a non-empty clientSecret"
        } else {
            "no secret in the GET answer"
        },
        (
            "I",
            "halo-api.md §3.3 (Halo's UI shows a secret once; no public client reads one back)",
        ),
    ));

    Ok(application_fields)
}

/// What verification relies on: the probe paths, and the instance's own swagger.
async fn verification_paths(
    client: &Client,
    assumptions: &mut Vec<Assumption>,
) -> (Vec<ProbePath>, Swagger) {
    let (probe_paths, swagger) = tokio::join!(probe_paths(client), swagger(client));
    let missing: Vec<String> = probe_paths
        .iter()
        .filter(|p| p.found == "missing")
        .map(|p| format!("{} ({})", p.path, p.areas.join(", ")))
        .collect();
    assumptions.push(hold(
        "probe-paths",
        "every path the profiles' verification probes exists on this Halo",
        missing.is_empty(),
        if missing.is_empty() {
            format!("{} path(s) answered", probe_paths.len())
        } else {
            format!(
                "missing here: {} (those areas are 'could not check' in a verification)",
                missing.join(", ")
            )
        },
        (
            "I",
            "evidence/areas.toml (which endpoint stands for each area is inferred); the paths are in evidence/halo-api/paths.json (C)",
        ),
    ));
    if swagger.served_at.is_some() {
        assumptions.push(hold(
            "published-paths",
            "this Halo's own swagger has every path halo-onboard uses",
            swagger.missing_here.is_empty(),
            if swagger.missing_here.is_empty() {
                format!(
                    "all {} found among its {} paths",
                    paths_used().len(),
                    swagger.paths
                )
            } else {
                format!("not in it: {}", swagger.missing_here.join(", "))
            },
            PATHS,
        ));
    }

    (probe_paths, swagger)
}

/// `halo-onboard doctor`.
pub async fn run(args: &DoctorArgs) -> u8 {
    super::deadline::run_command(args.deadline, "doctor", args.json, try_run(args)).await
}

async fn try_run(args: &DoctorArgs) -> Result<u8, Failure> {
    // A file the user already has is never replaced unasked: said before Halo is read.
    if let Some(p) = args
        .out
        .as_ref()
        .filter(|p| !args.force && std::fs::symlink_metadata(p).is_ok())
    {
        return Err(Failure::new(
            format!("{} already exists", p.display()),
            "Choose another --out path, or add --force to replace it.",
        ));
    }
    let connect = args.connect.resolved()?;
    let (client_id, secret) = bootstrap_credentials(&connect)?;
    let opts = connect.client_options()?;
    // The token is judged by `diagnose` (a missing admin scope is one of its findings).
    let c = crate::plan::session::connect(&place(&connect)?, &client_id, secret, opts)
        .await
        .map_err(|e| connect_failure(&e))?;
    let report = diagnose(&c.client, &client_id).await?;
    let body = if args.json {
        serde_json::to_string_pretty(&report).unwrap_or_default() + "\n"
    } else {
        // Codes and field names come from Halo: nothing unsafe reaches the terminal.
        crate::text::block(&text(&report)).into_owned()
    };
    if args.json || !super::output::quiet() {
        out!("{body}");
    } else {
        // --quiet: what does not hold and the verdict; the --out file has the whole report.
        out!("{}", crate::text::block(&quiet_text(&report)));
    }
    if let Some(p) = &args.out {
        let written = if args.force {
            crate::journal::fsutil::write_atomic(p, body.as_bytes())
        } else {
            crate::journal::fsutil::write_new(p, body.as_bytes())
        };
        written.map_err(|e| {
            Failure::new(
                format!("cannot write the report to {}: {e}", p.display()),
                "Pass --out with a writable path.",
            )
        })?;
    }
    Ok(if report.failed().is_some() {
        EXIT_FAILED
    } else {
        EXIT_OK
    })
}
