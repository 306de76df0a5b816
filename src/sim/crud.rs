//! Halo's configuration resources (`record::Collection`): list (bare array, or the envelope of
//! `evidence/lists.toml`), get by id, POST of a JSON array (no id = create, id = partial update;
//! all-or-nothing), delete. A posted field the object's published schema lacks is dropped, as
//! Halo's model binder drops it, and named in the request log; a value of the wrong JSON type is
//! refused (`schema`).

use axum::response::Response;
use serde_json::{Map, Value, json};

use super::error::SimError;
use super::reply::{self, Query, bad_request, flag, not_found};
use super::state::{
    GRANT_CLIENT_CREDENTIALS, KEY_SLOT_FIELDS, State, UNASSIGNED_AGENT_ID, new_guid, new_secret,
};
use super::variants::{ListShape, SecretMode};
use super::{perms, record::Collection, record::Record, schema};

/// What the emulated build does, from the fault settings.
pub(crate) struct Policy {
    pub secret_mode: SecretMode,
    /// Days a newly issued secret lives, when applications report it (`key_slots`).
    pub expiry_days: Option<i64>,
    /// Schema fields this build drops, as `object.field`.
    pub drop_fields: Vec<String>,
    pub list_shape: ListShape,
}

/// What a POST left unstored or unused, for the request log.
#[derive(Default)]
pub(crate) struct Notes {
    /// Fields not stored (not in the schema, or dropped by this build).
    pub dropped: Vec<String>,
    /// Claims stored but meaning nothing to this instance (`type=value`).
    pub ignored_claims: Vec<String>,
}

fn push_new(v: &mut Vec<String>, s: String) {
    if !v.contains(&s) {
        v.push(s);
    }
}

/// The expiry Halo reports for a secret issued now (`key_slots`), RFC 3339 in UTC.
fn set_expiry(app: &mut Record, days: Option<i64>) {
    if let Some(d) = days.filter(|d| *d > 0) {
        let when = time::OffsetDateTime::now_utc() + time::Duration::days(d);
        let when = when.replace_nanosecond(0).unwrap_or(when);
        let text = when
            .format(&time::format_description::well_known::Rfc3339)
            .unwrap_or_default();
        app.set("apiKeyExpiryDays", d);
        app.set("apiKey1ExpiryDate", text);
    }
}

/// The admin presses Generate on the application's form: a new secret, shown once.
pub(crate) fn generate_secret(s: &mut State, id: &str, days: Option<i64>) -> Option<String> {
    let app = s.application_mut(id)?;
    let secret = new_secret();
    app.set("clientSecret", secret.clone());
    set_expiry(app, days);
    Some(secret)
}

fn name_of(kind: Collection, r: &Record) -> &str {
    r.str(kind.name_field())
}

/// Extra filters of `GET /api/Agent`.
fn listed(kind: Collection, r: &Record, q: &Query) -> bool {
    match kind {
        Collection::Agent => {
            (flag(q, "includeapiagents") || !r.bool("isapiagent"))
                && (flag(q, "includedisabled") || !r.bool("isdisabled"))
                && (flag(q, "includeunassigned") || r.i64("id") != Some(UNASSIGNED_AGENT_ID))
        }
        _ => true,
    }
}

fn matches(kind: Collection, r: &Record, needle: &str) -> bool {
    name_of(kind, r).to_lowercase().contains(needle)
        || (kind == Collection::Agent && r.str("email").to_lowercase().contains(needle))
}

/// The record as GET shows it: never an application's secret; the key-slot fields only where
/// the build reports them.
fn public(kind: Collection, r: &Record, p: &Policy) -> Record {
    let mut r = r.clone();
    if kind == Collection::Application {
        r.remove("clientSecret");
        if p.expiry_days.is_none() {
            for f in KEY_SLOT_FIELDS {
                r.remove(f);
            }
        }
    }
    r
}

/// The record as a list shows it: roles without their claims (`GET /api/Roles/{id}` shows
/// them, halo-api.md §3.2 [I]).
fn summary(kind: Collection, r: &Record, p: &Policy) -> Record {
    let mut r = public(kind, r, p);
    if kind == Collection::Role {
        r.set("claims", json!([]));
    }
    r
}

pub(crate) fn list(s: &State, kind: Collection, q: &Query, p: &Policy) -> Response {
    let needle = q.get("search").map(|s| s.to_lowercase());
    let rows: Vec<Value> = s
        .records(kind)
        .iter()
        .filter(|r| listed(kind, r, q))
        .filter(|r| needle.as_deref().is_none_or(|n| matches(kind, r, n)))
        .map(|r| summary(kind, r, p).to_value())
        .collect();
    reply::list(
        rows,
        q,
        kind.list_key(),
        p.list_shape == ListShape::Envelope,
    )
}

pub(crate) fn get(s: &State, kind: Collection, id: &str, p: &Policy) -> Result<Response, Response> {
    s.find(kind, id)
        .map(|r| reply::json(200, &public(kind, r, p).to_value()))
        .ok_or_else(|| not_found(&format!("{} {id} not found", kind.label())))
}

/// The id of a posted item, or `None` for a create (missing, null, 0 or "").
fn posted_id(item: &Map<String, Value>) -> Option<String> {
    match item.get("id") {
        Some(Value::Number(n)) if n.as_i64() != Some(0) => Some(n.to_string()),
        Some(Value::String(s)) if !s.is_empty() && s != "0" => Some(s.clone()),
        _ => None,
    }
}

/// Drops what the schema (or this build) does not store; refuses wrong JSON types.
fn clean(
    kind: Collection,
    item: &mut Map<String, Value>,
    p: &Policy,
    notes: &mut Notes,
) -> Result<(), Response> {
    let Some(sch) = kind.schema() else {
        return Ok(());
    };
    let word = kind.label().to_ascii_lowercase();
    let mut dropped = Vec::new();
    schema::clean(sch, item, &[], &mut dropped).map_err(|m| bad_request(&m.to_string()))?;
    item.retain(|k, _| {
        let gone = p
            .drop_fields
            .iter()
            .any(|d| d.eq_ignore_ascii_case(&format!("{word}.{k}")));
        if gone {
            dropped.push(k.clone());
        }
        !gone
    });
    for d in dropped {
        push_new(&mut notes.dropped, d);
    }
    Ok(())
}

/// Claims the instance does not understand are kept as sent and grant nothing: the claim table
/// (`NHD_RoleClaims`, an ASP.NET Identity claims table) holds whatever type it is given — older
/// builds' long names sit in it beside today's codes (`evidence/claims.toml` `[legacy]`) — and
/// no source shows Halo refusing a claim type or value. So the emulator stores them, and names
/// them in the request log (`ignored_claims`) for a test to notice.
fn note_claims(s: &State, r: &Record, notes: &mut Notes) {
    for (t, v) in perms::claim_pairs(r) {
        if !s.dialect.understands(&t, &v) {
            push_new(&mut notes.ignored_claims, format!("{t}={v}"));
        }
    }
}

pub(crate) fn post(
    s: &mut State,
    kind: Collection,
    body: &[u8],
    p: &Policy,
    notes: &mut Notes,
) -> Result<Response, Response> {
    let items = match serde_json::from_slice::<Value>(body) {
        Ok(Value::Array(items)) if !items.is_empty() => items,
        Ok(Value::Array(_)) => return Err(bad_request("The request body is an empty array")),
        Ok(_) => return Err(bad_request("The request body must be a JSON array")),
        Err(e) => {
            return Err(bad_request(&format!(
                "The request body is not valid JSON: {e}"
            )));
        }
    };
    // Work on a copy so that a failing item leaves nothing half-applied.
    let mut work = s.clone();
    let mut answers = Vec::new();
    for item in items {
        let Value::Object(mut item) = item else {
            return Err(bad_request("Each item must be a JSON object"));
        };
        clean(kind, &mut item, p, notes)?;
        let saved = match posted_id(&item) {
            None => {
                let mut rec = Record::from_map(item.clone());
                create(kind, &mut rec, &mut work, p);
                check(kind, &mut rec, &work).map_err(|m| bad_request(&m.to_string()))?;
                work.records_mut(kind).push(rec.clone());
                posted(kind, &rec, &item, true, p)
            }
            Some(id) => {
                let Some(old) = work.find(kind, &id).cloned() else {
                    return Err(bad_request(&format!(
                        "{} {id} does not exist",
                        kind.label()
                    )));
                };
                // Partial update: fields not sent keep their stored values.
                let mut rec = old.clone();
                for (k, v) in &item {
                    if k != "id" {
                        rec.set(k, v.clone());
                    }
                }
                updated(kind, &mut rec, &old, &item, p);
                check(kind, &mut rec, &work).map_err(|m| bad_request(&m.to_string()))?;
                if let Some(slot) = work.find_mut(kind, &id) {
                    *slot = rec.clone();
                }
                posted(kind, &rec, &item, false, p)
            }
        };
        if matches!(kind, Collection::Role | Collection::Agent) && item.contains_key("claims") {
            note_claims(&work, &saved, notes);
        }
        answers.push(saved.to_value());
    }
    *s = work;
    Ok(match answers.len() {
        1 => reply::json(201, &answers[0]),
        _ => reply::json(201, &answers),
    })
}

pub(crate) fn delete(s: &mut State, kind: Collection, id: &str) -> Result<Response, Response> {
    let all = s.records_mut(kind);
    let Some(idx) = all.iter().position(|r| r.is(id)) else {
        return Err(not_found(&format!("{} {id} not found", kind.label())));
    };
    if kind == Collection::Agent && all[idx].i64("id") == Some(UNASSIGNED_AGENT_ID) {
        return Err(bad_request(
            "The Unassigned agent is a system agent and cannot be deleted",
        ));
    }
    let removed = all.remove(idx);
    let id = removed.get("id").cloned().unwrap_or(Value::Null);
    Ok(reply::json(200, &json!({ "id": id })))
}

const COLOURS: [&str; 8] = [
    "#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#17becf",
];

/// Gives a new record its id and what else Halo assigns on create.
fn create(kind: Collection, r: &mut Record, s: &mut State, p: &Policy) {
    let ids = &mut s.last_ids;
    match kind {
        Collection::Agent => {
            ids.agent += 1;
            r.set("id", ids.agent);
            if r.str("colour").is_empty() {
                let i = usize::try_from(ids.agent).unwrap_or(0) % COLOURS.len();
                r.set("colour", COLOURS[i]);
            }
        }
        Collection::Role => {
            ids.role += 1;
            r.set("id", new_guid());
            r.set("id_int", ids.role);
        }
        Collection::Team => {
            ids.team += 1;
            r.set("id", ids.team);
        }
        Collection::Department => {
            ids.department += 1;
            r.set("id", ids.department);
        }
        Collection::Workday => {
            ids.workday += 1;
            r.set("id", ids.workday);
        }
        Collection::Application => {
            r.set("id", new_guid());
            // Honour keeps what was posted; the other modes issue their own, as the UI does
            // ("the Client ID may change after saving").
            if p.secret_mode != SecretMode::Honour || r.str("clientId").is_empty() {
                r.set("clientId", new_guid());
            }
            if p.secret_mode != SecretMode::Honour || r.str("clientSecret").is_empty() {
                r.set("clientSecret", new_secret());
            }
            if r.str("grant_type").is_empty() {
                r.set("grant_type", GRANT_CLIENT_CREDENTIALS);
            }
            set_expiry(r, p.expiry_days);
        }
    }
}

fn sent_secret(item: &Map<String, Value>) -> bool {
    item.get("clientSecret")
        .and_then(Value::as_str)
        .is_some_and(|s| !s.is_empty())
}

/// Applies what an update may not change as sent.
fn updated(kind: Collection, r: &mut Record, old: &Record, item: &Map<String, Value>, p: &Policy) {
    if kind != Collection::Application || !sent_secret(item) {
        return;
    }
    match p.secret_mode {
        SecretMode::Honour => set_expiry(r, p.expiry_days),
        // A posted secret asks for a new one: Halo generates it (and shows it once).
        SecretMode::Generate => {
            r.set("clientSecret", new_secret());
            set_expiry(r, p.expiry_days);
        }
        SecretMode::Hidden => r.set("clientSecret", old.str("clientSecret")),
    }
}

fn require_name(kind: Collection, r: &Record) -> Result<(), SimError> {
    if name_of(kind, r).trim().is_empty() {
        Err(match kind {
            Collection::Application => SimError::NoDisplayName,
            k => SimError::NoName {
                what: k.label().to_lowercase(),
            },
        })
    } else {
        Ok(())
    }
}

/// A reference to an object of `kind` that is not there.
fn missing(kind: Collection, id: i64) -> SimError {
    SimError::Missing {
        kind: kind.label().to_string(),
        id: id.to_string(),
    }
}

/// The id a reference object names (`{"team_id": 1}`), as text.
fn ref_id(v: &Value, field: &str) -> String {
    match v.get(field) {
        Some(Value::String(s)) => s.clone(),
        Some(Value::Number(n)) => n.to_string(),
        _ => String::new(),
    }
}

/// Resolves each reference in `r[list]` (`{field: id}`) to a record of `target`, filling the
/// referenced object's name into `name_field`.
fn resolve(
    r: &mut Record,
    s: &State,
    list: &str,
    field: &str,
    target: Collection,
    name_field: &str,
) -> Result<(), SimError> {
    for v in r.list_mut(list).iter_mut() {
        let id = ref_id(v, field);
        let t = s.find(target, &id).ok_or_else(|| SimError::Missing {
            kind: target.label().to_string(),
            id: id.clone(),
        })?;
        if let Value::Object(m) = v {
            m.insert(name_field.into(), json!(t.str("name")));
        }
    }
    Ok(())
}

/// Validates and fills derived fields (names of referenced objects).
fn check(kind: Collection, r: &mut Record, s: &State) -> Result<(), SimError> {
    require_name(kind, r)?;
    match kind {
        Collection::Agent => check_agent(r, s)?,
        Collection::Role => {
            let name = r.str("name").trim().to_string();
            let taken = s
                .roles
                .iter()
                .any(|x| !x.is(&r.key()) && x.str("name").trim().eq_ignore_ascii_case(&name));
            if taken {
                return Err(SimError::RoleNameTaken(name));
            }
        }
        Collection::Team => {
            if let Some(d) = r.i64("department_id").filter(|d| *d != 0) {
                let name = s
                    .find(Collection::Department, &d.to_string())
                    .ok_or_else(|| missing(Collection::Department, d))?
                    .str("name")
                    .to_string();
                r.set("department_name", name);
            }
        }
        Collection::Department | Collection::Workday => {}
        Collection::Application => check_application(r, s)?,
    }
    Ok(())
}

/// An agent's initials fit, and its roles, teams, departments and work hours exist (their
/// names filled in as Halo shows them).
fn check_agent(r: &mut Record, s: &State) -> Result<(), SimError> {
    let initials = r.str("initials");
    if initials.chars().count() > 3 {
        return Err(SimError::InitialsTooLong(initials.to_string()));
    }
    resolve(r, s, "roles", "id", Collection::Role, "name")?;
    resolve(r, s, "teams", "team_id", Collection::Team, "team_name")?;
    resolve(
        r,
        s,
        "departments",
        "department_id",
        Collection::Department,
        "department_name",
    )?;
    match r.i64("workday_id").filter(|w| *w != 0) {
        Some(w) => {
            let name = s
                .find(Collection::Workday, &w.to_string())
                .ok_or_else(|| missing(Collection::Workday, w))?
                .str("name")
                .to_string();
            r.set("workday_name", name);
        }
        None => {
            r.remove("workday_name");
        }
    }
    Ok(())
}

/// An application's login agent exists (its name filled in), its scopes are Halo's, and its
/// Client ID is its own.
fn check_application(r: &mut Record, s: &State) -> Result<(), SimError> {
    match r.i64("loginas_agent_id").filter(|id| *id != 0) {
        Some(id) => {
            let name = s
                .agent(id)
                .ok_or_else(|| missing(Collection::Agent, id))?
                .str("name")
                .to_string();
            r.set("loginas_agent_name", name);
        }
        None => {
            r.remove("loginas_agent_name");
        }
    }
    let scopes = crate::evidence::scopes();
    if let Some(bad) = r.names("scopes").into_iter().find(|n| !scopes.is_scope(n)) {
        return Err(SimError::NotAScope(bad));
    }
    let cid = r.str("clientId");
    let duplicate = s
        .applications
        .iter()
        .any(|a| !a.is(&r.key()) && a.str("clientId").eq_ignore_ascii_case(cid));
    if duplicate {
        return Err(SimError::ClientIdTaken(cid.to_string()));
    }
    Ok(())
}

/// The record as the POST answer shows it: an application's secret once, in the answer to the
/// POST that set it (never in hidden mode).
fn posted(
    kind: Collection,
    r: &Record,
    item: &Map<String, Value>,
    created: bool,
    p: &Policy,
) -> Record {
    if kind == Collection::Application
        && p.secret_mode != SecretMode::Hidden
        && (created || sent_secret(item))
    {
        let mut shown = public(kind, r, p);
        shown.set("clientSecret", r.str("clientSecret"));
        shown
    } else {
        public(kind, r, p)
    }
}
