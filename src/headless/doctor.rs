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

use serde::Serialize;
use serde_json::Value;

use super::common::*;
use crate::halo::dialect::claims;
use crate::halo::dialect::confirm::{self, Assumption};
use crate::halo::dialect::fields::{self, AGENT_NOTES, APP_DESCRIPTION, REPORTED_ONLY};
use crate::halo::{Client, HaloError};

#[derive(Debug, Clone, clap::Args)]
pub struct DoctorArgs {
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

#[derive(Debug, Clone, Serialize)]
pub struct ClaimCode {
    pub code: String,
    /// Roles (read with their details) that carry it.
    pub roles: usize,
    /// Halo's UI label when halo-onboard knows the code.
    pub label: Option<String>,
    /// The code halo-onboard writes instead, for an older long name.
    pub today: Option<String>,
}

/// One probe path the built-in profiles' verification uses, and what this Halo answered.
#[derive(Debug, Clone, Serialize)]
pub struct ProbePath {
    /// `GET /Tickets`.
    pub path: String,
    /// The scope areas it proves.
    pub areas: Vec<String>,
    /// `present`, `missing` (404, 405, 501) or `could not tell: …`.
    pub found: String,
}

/// The instance's own swagger document, where it serves one.
#[derive(Debug, Clone, Serialize)]
pub struct Swagger {
    /// The URLs tried, in order.
    pub tried: Vec<String>,
    /// The one that answered with a document.
    pub served_at: Option<String>,
    /// Paths halo-onboard uses (`METHOD /Path`) that the instance's document lacks.
    pub missing_here: Vec<String>,
    /// How many paths the instance's document has.
    pub paths: usize,
}

#[derive(Debug, Clone, Serialize)]
pub struct Report {
    pub halo_onboard: &'static str,
    pub roles: usize,
    pub roles_read_with_details: usize,
    pub claim_codes: Vec<ClaimCode>,
    /// List endpoint → "bare array" or "envelope (key)".
    pub list_shapes: BTreeMap<String, String>,
    pub agent_fields: Vec<String>,
    pub application_fields: Vec<String>,
    pub scopes_granted: Vec<String>,
    pub admin_granted: bool,
    pub all_teams_granted: bool,
    /// Claim codes this Halo does not confirm (each goes to the manual steps alone), with why.
    pub unconfirmed_codes: BTreeMap<String, String>,
    pub probe_paths: Vec<ProbePath>,
    pub swagger: Swagger,
    pub assumptions: Vec<Assumption>,
}

impl Report {
    pub fn failed(&self) -> Option<&Assumption> {
        self.assumptions.iter().find(|a| !a.holds)
    }
}

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

/// Where an instance may serve its own swagger document, relative to the resource server
/// (`…/api`): the versioned ASP.NET path first, then the bare one the evidence's README names.
pub const SWAGGER_PATHS: &[&str] = &[
    "/swagger/v2/swagger.json",
    "/swagger/v1/swagger.json",
    "/swagger",
];

/// The probe paths the built-in profiles' verification uses, with the areas each proves.
fn probe_paths_used() -> BTreeMap<String, Vec<String>> {
    let mut out: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for p in crate::profile::builtin() {
        let names = crate::halo::scopes::normalise(&p.to_answers().scopes);
        for area in crate::halo::scopes::AREAS {
            let Some(probe) = crate::halo::scopes::probe(area) else {
                continue;
            };
            if crate::halo::scopes::any_grants(&names, &probe.read_scope()) {
                let areas = out.entry(probe.path.clone()).or_default();
                if !areas.iter().any(|a| a == area.key) {
                    areas.push(area.key.to_string());
                }
            }
        }
    }
    out
}

/// GETs each probe path with the bootstrap token: does this Halo serve it?
pub async fn probe_paths(client: &Client) -> Vec<ProbePath> {
    let used = probe_paths_used();
    let reads = used.iter().map(|(path, areas)| async move {
        let found = match client.get_json(path).await {
            Ok(_) => "present".to_string(),
            Err(HaloError::NotFound(_) | HaloError::Http(405 | 501, ..)) => "missing".into(),
            // Refused to this credential: the path exists.
            Err(HaloError::Forbidden(..)) => "present (refused to the bootstrap credential)".into(),
            Err(e) => format!("could not tell: {e}"),
        };
        ProbePath {
            path: format!("GET {path}"),
            areas: areas.clone(),
            found,
        }
    });
    futures::future::join_all(reads).await
}

/// `/Roles/{id}` and `/roles/{roleId}` are the same route: literals compared without case,
/// parameters by position.
fn same_route(a: &str, b: &str) -> bool {
    let seg = |p: &str| -> Vec<String> {
        p.split('/')
            .filter(|x| !x.is_empty())
            .map(|x| {
                if x.starts_with('{') {
                    "{}".to_string()
                } else {
                    x.to_ascii_lowercase()
                }
            })
            .collect()
    };
    let (a, b) = (seg(a), seg(b));
    let strip = |v: Vec<String>| -> Vec<String> {
        match v.first() {
            Some(f) if f == "api" => v[1..].to_vec(),
            _ => v,
        }
    };
    strip(a) == strip(b)
}

/// Every (method, path) halo-onboard uses: the client's routes and the probe paths.
pub fn paths_used() -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = crate::halo::client::ROUTES
        .iter()
        .map(|(m, p)| (m.to_string(), p.to_string()))
        .collect();
    for path in probe_paths_used().into_keys() {
        out.push(("GET".into(), path));
    }
    out
}

/// The paths of `doc` (an OpenAPI document) that halo-onboard uses and it lacks.
pub fn missing_from(doc: &Value) -> Option<(usize, Vec<String>)> {
    let paths = doc.get("paths")?.as_object()?;
    let missing = paths_used()
        .into_iter()
        .filter(|(method, path)| {
            !paths.iter().any(|(p, ops)| {
                same_route(p, path)
                    && ops
                        .as_object()
                        .is_some_and(|o| o.keys().any(|k| k.eq_ignore_ascii_case(method)))
            })
        })
        .map(|(m, p)| format!("{m} {p}"))
        .collect();
    Some((paths.len(), missing))
}

/// Looks for the instance's own swagger document and compares it with the paths in use.
pub async fn swagger(client: &Client) -> Swagger {
    let base = client
        .endpoint()
        .resource_url
        .trim_end_matches('/')
        .to_string();
    let mut out = Swagger {
        tried: Vec::new(),
        served_at: None,
        missing_here: Vec::new(),
        paths: 0,
    };
    for p in SWAGGER_PATHS {
        out.tried.push(format!("{base}{p}"));
        let Ok(doc) = client.get_json(p).await else {
            continue;
        };
        if let Some((n, missing)) = missing_from(&doc) {
            out.served_at = Some(format!("{base}{p}"));
            out.paths = n;
            out.missing_here = missing;
            break;
        }
    }
    out
}

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
    let halo = |e: crate::halo::HaloError| Failure::halo(&e);
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

    // Roles with their details: the claim vocabulary.
    let role_rows = rows(lists.get("Roles").unwrap_or(&Value::Null));
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
    let roles = confirm::read_roles(client, &wanted).await.map_err(halo)?;
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

    // The fields an agent and an application really carry.
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

    let apps = rows(lists.get("Application").unwrap_or(&Value::Null));
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

    // What verification relies on: the probe paths, and the instance's own swagger.
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

pub fn text(r: &Report) -> String {
    let mut s = format!(
        "halo-onboard {} doctor\n\nAssumptions (confidence before asking this Halo: C confirmed, I inferred, W weak):\n",
        r.halo_onboard
    );
    for a in &r.assumptions {
        let mark = if a.holds { "✓" } else { "✗" };
        s.push_str(&format!(
            "  {mark} {}: {}\n      here: {}\n      [{}] {}\n",
            a.id, a.what, a.evidence, a.confidence, a.source
        ));
    }
    if !r.unconfirmed_codes.is_empty() {
        s.push_str("\nClaim codes left to manual steps on this Halo (the others are written):\n");
        for (code, why) in &r.unconfirmed_codes {
            s.push_str(&format!("  {code:<6} {why}\n"));
        }
    }
    s.push_str("\nProbe paths the profiles' verification uses:\n");
    for p in &r.probe_paths {
        s.push_str(&format!(
            "  {:<28} {:<40} {}\n",
            p.path,
            p.found,
            p.areas.join(", ")
        ));
    }
    match &r.swagger.served_at {
        Some(at) if r.swagger.missing_here.is_empty() => s.push_str(&format!(
            "\nThis Halo's swagger ({at}): every path halo-onboard uses is in it ({} paths).\n",
            r.swagger.paths
        )),
        Some(at) => s.push_str(&format!(
            "\nThis Halo's swagger ({at}) lacks: {}\n",
            r.swagger.missing_here.join(", ")
        )),
        None => s.push_str(&format!(
            "\nThis Halo serves no swagger document (tried {}); compared with the published one in evidence/ only.\n",
            r.swagger.tried.join(", ")
        )),
    }
    s.push_str(&format!(
        "\nClaim codes on {} role(s) read with their details (of {}):\n",
        r.roles_read_with_details, r.roles
    ));
    for c in &r.claim_codes {
        let what = match (&c.label, &c.today) {
            (Some(l), _) => l.clone(),
            (None, Some(t)) => format!("older name of {t}"),
            (None, None) => "not in halo-onboard's vocabulary".into(),
        };
        s.push_str(&format!(
            "  {:<28} {:<52} on {} role(s)\n",
            c.code, what, c.roles
        ));
    }
    s.push_str("\nList shapes:\n");
    for (k, v) in &r.list_shapes {
        s.push_str(&format!("  {k:<12} {v}\n"));
    }
    s.push_str(&format!(
        "\nAgent fields ({}): {}\n",
        r.agent_fields.len(),
        r.agent_fields.join(", ")
    ));
    s.push_str(&format!(
        "Application fields ({}): {}\n",
        r.application_fields.len(),
        r.application_fields.join(", ")
    ));
    s.push_str(&format!(
        "\nBootstrap scopes granted: {} (admin: {}, all:teams: {})\n",
        r.scopes_granted.join(" "),
        if r.admin_granted { "yes" } else { "no" },
        if r.all_teams_granted { "yes" } else { "no" }
    ));
    match r.failed() {
        None => s.push_str("\nEvery assumption holds.\n"),
        Some(f) => s.push_str(&format!(
            "\nFAILED: {} — {}. Where this Halo does not confirm a permission code, apply writes the others and lists that one as a manual step (all of them when it does not speak today's codes at all).\n",
            f.id, f.what
        )),
    }
    s
}

/// `--quiet`: the assumptions that do not hold and the verdict line, nothing else.
pub fn quiet_text(r: &Report) -> String {
    let mut s = String::new();
    for a in r.assumptions.iter().filter(|a| !a.holds) {
        s.push_str(&format!(
            "  ✗ {}: {}\n      here: {}\n",
            a.id, a.what, a.evidence
        ));
    }
    match r.failed() {
        None => s.push_str("Every assumption holds.\n"),
        Some(f) => s.push_str(&format!("FAILED: {} — {}.\n", f.id, f.what)),
    }
    s
}

/// `halo-onboard doctor`.
pub async fn run(args: &DoctorArgs) -> u8 {
    super::deadline::within(args.deadline, "doctor", args.json, run_doctor(args)).await
}

async fn run_doctor(args: &DoctorArgs) -> u8 {
    match try_run(args).await {
        Ok(code) => code,
        Err(f) => {
            print_failure(&f, args.json);
            f.code
        }
    }
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
