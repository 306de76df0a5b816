//! Halo's configuration resources: list (bare array, or envelope with `pageinate=true`), get by
//! id, POST of a JSON array (no id = create, id = partial update; all-or-nothing), delete.
//! A posted field Halo's published schema lacks (`dialect::fields`) is dropped, as Halo's model
//! binder drops it, and noted in the request log; so is a field the emulated build drops.

use axum::response::Response;
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::{Map, Value, json};

use super::faults::{Faults, SecretMode};
use super::reply::{self, Query, bad_request, flag, not_found};
use super::state::{State, UNASSIGNED_AGENT_ID, new_guid, new_secret};
use crate::halo::dialect::fields::Schema;
use crate::halo::model::*;
use crate::halo::scopes;

/// What the emulated build does on a POST, from the fault settings.
pub(crate) struct Policy<'a> {
    pub secret_mode: SecretMode,
    pub expiry_days: Option<i64>,
    pub drop_fields: &'a [String],
}

impl<'a> Policy<'a> {
    pub fn from(f: &'a Faults) -> Self {
        Self {
            secret_mode: f.secret_mode,
            expiry_days: f.secret_expiry_days,
            drop_fields: &f.drop_fields,
        }
    }
}

/// The expiry Halo reports for a secret issued now.
fn set_expiry(app: &mut Application, days: Option<i64>) {
    if let Some(d) = days.filter(|d| *d > 0) {
        app.secret_expiry_days = Some(d);
        let when = time::OffsetDateTime::now_utc() + time::Duration::days(d);
        app.secret_expires = crate::halo::expiry::format_date(when);
    }
}

/// The admin presses Generate on the application's form: a new secret, shown once.
pub(crate) fn generate_secret(s: &mut State, id: &str, days: Option<i64>) -> Option<String> {
    let app = s.application_mut(id)?;
    app.client_secret = new_secret();
    set_expiry(app, days);
    Some(app.client_secret.clone())
}

pub(crate) trait Record: Serialize + DeserializeOwned + Clone {
    /// Singular name used in messages ("Agent 7 does not exist").
    const LABEL: &'static str;
    /// The published schema of this object: only its fields are stored.
    const SCHEMA: Schema;
    /// Envelope key with `pageinate=true`.
    const PLURAL: &'static str;
    /// Reading needs the admin scope and an administrator role (roles, applications).
    const ADMIN_READ: bool;
    fn all(s: &State) -> &Vec<Self>;
    fn all_mut(s: &mut State) -> &mut Vec<Self>;
    fn key(&self) -> String;
    fn name(&self) -> &str;
    /// Gives a new record its id (and anything else Halo assigns on create).
    fn create(&mut self, s: &mut State, p: &Policy);
    /// Applies what an update may not change as sent (e.g. a posted secret Halo ignores).
    fn updated(&mut self, _old: &Self, _item: &Map<String, Value>, _p: &Policy) {}
    /// Validates and fills derived fields (names of referenced objects).
    fn check(&mut self, s: &State) -> Result<(), String>;
    /// Extra filtering of `GET` lists.
    fn listed(&self, _q: &Query) -> bool {
        true
    }
    fn matches(&self, needle: &str) -> bool {
        self.name().to_lowercase().contains(needle)
    }
    /// The record as GET shows it.
    fn public(&self) -> Self {
        self.clone()
    }
    /// The record as a list shows it (details need a GET of the record itself).
    fn summary(&self) -> Self {
        self.public()
    }
    /// The record as the POST answer shows it.
    fn posted(&self, _item: &Map<String, Value>, _created: bool, _p: &Policy) -> Self {
        self.public()
    }
    fn is_protected(&self) -> Option<String> {
        None
    }
}

fn same_key(a: &str, b: &str) -> bool {
    a.eq_ignore_ascii_case(b)
}

/// The id of a posted item, or `None` for a create (missing, null, 0 or "").
fn posted_id(item: &Map<String, Value>) -> Option<String> {
    match item.get("id") {
        Some(Value::Number(n)) if n.as_i64() != Some(0) => Some(n.to_string()),
        Some(Value::String(s)) if !s.is_empty() && s != "0" => Some(s.clone()),
        _ => None,
    }
}

fn to_json<T: Serialize>(v: &T) -> Value {
    serde_json::to_value(v).unwrap_or(Value::Null)
}

pub(crate) fn list<R: Record>(s: &State, q: &Query) -> Response {
    let needle = q.get("search").map(|s| s.to_lowercase());
    let rows: Vec<Value> = R::all(s)
        .iter()
        .filter(|r| r.listed(q))
        .filter(|r| needle.as_deref().is_none_or(|n| r.matches(n)))
        .map(|r| to_json(&r.summary()))
        .collect();
    reply::list(rows, q, R::PLURAL, false)
}

pub(crate) fn get<R: Record>(s: &State, id: &str) -> Result<Response, Response> {
    R::all(s)
        .iter()
        .find(|r| same_key(&r.key(), id))
        .map(|r| reply::json(200, &r.public()))
        .ok_or_else(|| not_found(&format!("{} {id} not found", R::LABEL)))
}

/// Drops the fields Halo would not store; returns their names.
fn drop_unknown<R: Record>(item: &mut Map<String, Value>, p: &Policy) -> Vec<String> {
    let dropped: Vec<String> = item
        .keys()
        .filter(|k| {
            !R::SCHEMA.has(k)
                || p.drop_fields
                    .iter()
                    .any(|d| d.eq_ignore_ascii_case(&format!("{}.{k}", R::SCHEMA.word())))
        })
        .cloned()
        .collect();
    for k in &dropped {
        item.remove(k);
    }
    dropped
}

pub(crate) fn post<R: Record>(
    s: &mut State,
    body: &[u8],
    p: &Policy,
    dropped: &mut Vec<String>,
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
    for item in &items {
        let Value::Object(item) = item else {
            return Err(bad_request("Each item must be a JSON object"));
        };
        let mut item = item.clone();
        for d in drop_unknown::<R>(&mut item, p) {
            if !dropped.contains(&d) {
                dropped.push(d);
            }
        }
        let item = &item;
        let saved = match posted_id(item) {
            None => {
                let mut rec: R = serde_json::from_value(Value::Object(item.clone()))
                    .map_err(|e| bad_request(&format!("Invalid {}: {e}", R::LABEL)))?;
                rec.create(&mut work, p);
                rec.check(&work).map_err(|m| bad_request(&m))?;
                R::all_mut(&mut work).push(rec.clone());
                rec.posted(item, true, p)
            }
            Some(id) => {
                let Some(idx) = R::all(&work).iter().position(|r| same_key(&r.key(), &id)) else {
                    return Err(bad_request(&format!("{} {id} does not exist", R::LABEL)));
                };
                // Partial update: fields not sent keep their stored values.
                let mut merged = to_json(&R::all(&work)[idx]);
                if let Value::Object(m) = &mut merged {
                    for (k, v) in item {
                        m.insert(k.clone(), v.clone());
                    }
                }
                let mut rec: R = serde_json::from_value(merged)
                    .map_err(|e| bad_request(&format!("Invalid {}: {e}", R::LABEL)))?;
                let old = R::all(&work)[idx].clone();
                rec.updated(&old, item, p);
                rec.check(&work).map_err(|m| bad_request(&m))?;
                R::all_mut(&mut work)[idx] = rec.clone();
                rec.posted(item, false, p)
            }
        };
        answers.push(to_json(&saved));
    }
    *s = work;
    Ok(match answers.len() {
        1 => reply::json(201, &answers[0]),
        _ => reply::json(201, &answers),
    })
}

pub(crate) fn delete<R: Record>(s: &mut State, id: &str) -> Result<Response, Response> {
    let all = R::all_mut(s);
    let Some(idx) = all.iter().position(|r| same_key(&r.key(), id)) else {
        return Err(not_found(&format!("{} {id} not found", R::LABEL)));
    };
    if let Some(why) = all[idx].is_protected() {
        return Err(bad_request(&why));
    }
    let removed = all.remove(idx);
    let id = to_json(&removed).get("id").cloned().unwrap_or(Value::Null);
    Ok(reply::json(200, &json!({ "id": id })))
}

fn require_name(label: &str, name: &str) -> Result<(), String> {
    if name.trim().is_empty() {
        Err(format!("A {label} must have a name"))
    } else {
        Ok(())
    }
}

const COLOURS: [&str; 8] = [
    "#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#17becf",
];

impl Record for Agent {
    const LABEL: &'static str = "Agent";
    const SCHEMA: Schema = Schema::Agent;
    const PLURAL: &'static str = "agents";
    const ADMIN_READ: bool = false;
    fn all(s: &State) -> &Vec<Self> {
        &s.agents
    }
    fn all_mut(s: &mut State) -> &mut Vec<Self> {
        &mut s.agents
    }
    fn key(&self) -> String {
        self.id.unwrap_or_default().to_string()
    }
    fn name(&self) -> &str {
        &self.name
    }
    fn create(&mut self, s: &mut State, _p: &Policy) {
        s.last_ids.agent += 1;
        self.id = Some(s.last_ids.agent);
        if self.colour.is_empty() {
            let i = usize::try_from(s.last_ids.agent).unwrap_or(0) % COLOURS.len();
            self.colour = COLOURS[i].into();
        }
    }
    fn check(&mut self, s: &State) -> Result<(), String> {
        require_name("agent", &self.name)?;
        if self.initials.chars().count() > 3 {
            return Err(format!(
                "Initials '{}' are too long: at most 3 characters",
                self.initials
            ));
        }
        for r in &mut self.roles {
            let role = s
                .role(&r.id)
                .ok_or_else(|| format!("Role {} does not exist", r.id))?;
            r.name = role.name.clone();
        }
        for t in &mut self.teams {
            let team = s
                .teams
                .iter()
                .find(|x| x.id == Some(t.team_id))
                .ok_or_else(|| format!("Team {} does not exist", t.team_id))?;
            t.team_name = team.name.clone();
        }
        for d in &mut self.departments {
            let dep = s
                .departments
                .iter()
                .find(|x| x.id == Some(d.department_id))
                .ok_or_else(|| format!("Department {} does not exist", d.department_id))?;
            d.department_name = dep.name.clone();
        }
        match self.workday_id.filter(|w| *w != 0) {
            Some(w) => {
                let wd = s
                    .workdays
                    .iter()
                    .find(|x| x.id == Some(w))
                    .ok_or_else(|| format!("Workday {w} does not exist"))?;
                self.workday_name = wd.name.clone();
            }
            None => self.workday_name.clear(),
        }
        Ok(())
    }
    fn listed(&self, q: &Query) -> bool {
        (flag(q, "includeapiagents") || !self.isapiagent)
            && (flag(q, "includedisabled") || !self.isdisabled)
            && (flag(q, "includeunassigned") || self.id != Some(UNASSIGNED_AGENT_ID))
    }
    fn matches(&self, needle: &str) -> bool {
        self.name.to_lowercase().contains(needle) || self.email.to_lowercase().contains(needle)
    }
    fn is_protected(&self) -> Option<String> {
        (self.id == Some(UNASSIGNED_AGENT_ID))
            .then(|| "The Unassigned agent is a system agent and cannot be deleted".into())
    }
}

impl Record for Role {
    const LABEL: &'static str = "Role";
    const SCHEMA: Schema = Schema::Role;
    const PLURAL: &'static str = "roles";
    const ADMIN_READ: bool = true;
    fn all(s: &State) -> &Vec<Self> {
        &s.roles
    }
    fn all_mut(s: &mut State) -> &mut Vec<Self> {
        &mut s.roles
    }
    fn key(&self) -> String {
        self.id.clone().unwrap_or_default()
    }
    fn name(&self) -> &str {
        &self.name
    }
    fn create(&mut self, s: &mut State, _p: &Policy) {
        s.last_ids.role += 1;
        self.id = Some(new_guid());
        self.id_int = Some(s.last_ids.role);
    }
    /// Roles are listed without their claims: `GET /api/Roles/{id}?includedetails=true`
    /// shows them (halo-api.md §3.2 [I]).
    fn summary(&self) -> Self {
        Self {
            claims: Vec::new(),
            ..self.clone()
        }
    }
    fn check(&mut self, s: &State) -> Result<(), String> {
        require_name("role", &self.name)?;
        let taken = s
            .roles
            .iter()
            .any(|r| r.id != self.id && r.name.trim().eq_ignore_ascii_case(self.name.trim()));
        if taken {
            return Err(format!("Role name '{}' is already taken", self.name));
        }
        Ok(())
    }
}

impl Record for Team {
    const LABEL: &'static str = "Team";
    const SCHEMA: Schema = Schema::Team;
    const PLURAL: &'static str = "teams";
    const ADMIN_READ: bool = false;
    fn all(s: &State) -> &Vec<Self> {
        &s.teams
    }
    fn all_mut(s: &mut State) -> &mut Vec<Self> {
        &mut s.teams
    }
    fn key(&self) -> String {
        self.id.unwrap_or_default().to_string()
    }
    fn name(&self) -> &str {
        &self.name
    }
    fn create(&mut self, s: &mut State, _p: &Policy) {
        s.last_ids.team += 1;
        self.id = Some(s.last_ids.team);
    }
    fn check(&mut self, s: &State) -> Result<(), String> {
        require_name("team", &self.name)?;
        if self.department_id != 0
            && !s
                .departments
                .iter()
                .any(|d| d.id == Some(self.department_id))
        {
            return Err(format!("Department {} does not exist", self.department_id));
        }
        Ok(())
    }
}

impl Record for Department {
    const LABEL: &'static str = "Department";
    const SCHEMA: Schema = Schema::Department;
    const PLURAL: &'static str = "departments";
    const ADMIN_READ: bool = false;
    fn all(s: &State) -> &Vec<Self> {
        &s.departments
    }
    fn all_mut(s: &mut State) -> &mut Vec<Self> {
        &mut s.departments
    }
    fn key(&self) -> String {
        self.id.unwrap_or_default().to_string()
    }
    fn name(&self) -> &str {
        &self.name
    }
    fn create(&mut self, s: &mut State, _p: &Policy) {
        s.last_ids.department += 1;
        self.id = Some(s.last_ids.department);
    }
    fn check(&mut self, _s: &State) -> Result<(), String> {
        require_name("department", &self.name)
    }
}

impl Record for Workday {
    const LABEL: &'static str = "Workday";
    const SCHEMA: Schema = Schema::Workday;
    const PLURAL: &'static str = "workdays";
    const ADMIN_READ: bool = false;
    fn all(s: &State) -> &Vec<Self> {
        &s.workdays
    }
    fn all_mut(s: &mut State) -> &mut Vec<Self> {
        &mut s.workdays
    }
    fn key(&self) -> String {
        self.id.unwrap_or_default().to_string()
    }
    fn name(&self) -> &str {
        &self.name
    }
    fn create(&mut self, s: &mut State, _p: &Policy) {
        s.last_ids.workday += 1;
        self.id = Some(s.last_ids.workday);
    }
    fn check(&mut self, _s: &State) -> Result<(), String> {
        require_name("workday", &self.name)
    }
}

impl Record for Application {
    const LABEL: &'static str = "Application";
    const SCHEMA: Schema = Schema::Application;
    const PLURAL: &'static str = "applications";
    const ADMIN_READ: bool = true;
    fn all(s: &State) -> &Vec<Self> {
        &s.applications
    }
    fn all_mut(s: &mut State) -> &mut Vec<Self> {
        &mut s.applications
    }
    fn key(&self) -> String {
        self.id.clone().unwrap_or_default()
    }
    fn name(&self) -> &str {
        &self.display_name
    }
    fn create(&mut self, _s: &mut State, p: &Policy) {
        self.id = Some(new_guid());
        // Honour keeps what was posted; the other modes issue their own, as the UI does
        // ("the Client ID may change after saving").
        if p.secret_mode != SecretMode::Honour || self.client_id.is_empty() {
            self.client_id = new_guid();
        }
        if p.secret_mode != SecretMode::Honour || self.client_secret.is_empty() {
            self.client_secret = new_secret();
        }
        if self.grant_type.is_empty() {
            self.grant_type = GRANT_CLIENT_CREDENTIALS.into();
        }
        self.secret_expiry_days = None;
        self.secret_expires.clear();
        set_expiry(self, p.expiry_days);
    }
    fn updated(&mut self, old: &Self, item: &Map<String, Value>, p: &Policy) {
        // Expiry is Halo's to report, never the client's to set.
        self.secret_expiry_days = old.secret_expiry_days;
        self.secret_expires = old.secret_expires.clone();
        if !sent_secret(item) {
            return;
        }
        match p.secret_mode {
            SecretMode::Honour => set_expiry(self, p.expiry_days),
            // A posted secret asks for a new one: Halo generates it (and shows it once).
            SecretMode::Generate => {
                self.client_secret = new_secret();
                set_expiry(self, p.expiry_days);
            }
            SecretMode::Hidden => self.client_secret = old.client_secret.clone(),
        }
    }
    fn check(&mut self, s: &State) -> Result<(), String> {
        if self.display_name.trim().is_empty() {
            return Err("An application must have a displayName".into());
        }
        match self.loginas_agent_id.filter(|id| *id != 0) {
            Some(id) => {
                let agent = s
                    .agent(id)
                    .ok_or_else(|| format!("Agent {id} does not exist"))?;
                self.loginas_agent_name = agent.name.clone();
            }
            None => self.loginas_agent_name.clear(),
        }
        if let Some(bad) = self.scopes.iter().find(|sc| !scopes::is_known(&sc.name)) {
            return Err(format!("'{}' is not a valid permission", bad.name));
        }
        let duplicate = s
            .applications
            .iter()
            .any(|a| a.id != self.id && a.client_id.eq_ignore_ascii_case(&self.client_id));
        if duplicate {
            return Err(format!("Client ID {} is already in use", self.client_id));
        }
        Ok(())
    }
    fn public(&self) -> Self {
        Self {
            client_secret: String::new(),
            ..self.clone()
        }
    }
    /// The secret is shown once: in the answer to the POST that set it (never in hidden mode).
    fn posted(&self, item: &Map<String, Value>, created: bool, p: &Policy) -> Self {
        if p.secret_mode != SecretMode::Hidden && (created || sent_secret(item)) {
            self.clone()
        } else {
            self.public()
        }
    }
}

fn sent_secret(item: &Map<String, Value>) -> bool {
    item.get("clientSecret")
        .and_then(Value::as_str)
        .is_some_and(|s| !s.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_and_build_dropped_fields_are_named() {
        let mut item: Map<String, Value> =
            serde_json::from_str(r#"{"name":"bot","notes":"x","is_admin":true,"whatever":1}"#)
                .unwrap();
        let none: Vec<String> = Vec::new();
        let p = Policy {
            secret_mode: SecretMode::Honour,
            expiry_days: None,
            drop_fields: &none,
        };
        let mut d = drop_unknown::<Agent>(&mut item, &p);
        d.sort();
        assert_eq!(d, vec!["notes", "whatever"]);
        assert!(item.contains_key("is_admin"), "a schema field is kept");
        let drop = vec!["application.description".to_string()];
        let p = Policy {
            drop_fields: &drop,
            ..p
        };
        let mut app: Map<String, Value> =
            serde_json::from_str(r#"{"displayName":"A","description":"m"}"#).unwrap();
        assert_eq!(
            drop_unknown::<Application>(&mut app, &p),
            vec!["description"]
        );
    }
}
