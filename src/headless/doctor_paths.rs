//! What `doctor` checks of the paths halo-onboard relies on: every probe path the profiles'
//! verification uses exists on this Halo, and where the instance serves its own swagger
//! document, every path halo-onboard uses is in it.

use std::collections::BTreeMap;

use serde::Serialize;
use serde_json::Value;

use crate::halo::{Client, HaloError};

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
