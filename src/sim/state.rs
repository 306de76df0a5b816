//! The emulator's data: the Halo objects it serves as records of their published schema, seeded
//! like a fresh tenant, accessors for tests (`SimHandle::with_state`), and persistence to a
//! state file (write temp + rename, so a crash never leaves half a file).

use std::collections::BTreeMap;
use std::path::Path;

use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use super::perms::{Perms, SimDialect};
use super::record::{Collection, Record, schema_at};
use crate::evidence;

/// Everything the emulator stores. Public so tests can reach in through `SimHandle::with_state`;
/// every record holds only properties of its object's schema (`State::sanitize`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct State {
    /// `Uname`.
    pub agents: Vec<Record>,
    /// `NHD_Roles`.
    pub roles: Vec<Record>,
    /// `SectionDetail`.
    pub teams: Vec<Record>,
    /// `Tree` (served at `/TopLevel`).
    pub departments: Vec<Record>,
    /// `Workdays`.
    pub workdays: Vec<Record>,
    /// `NHD_Identity_Application`.
    pub applications: Vec<Record>,
    /// The records of each probe area (`evidence/areas.toml`) by its path: `/Tickets` holds
    /// `Faults`, `/Client` `Area`, `/Asset` `Device`, ….
    pub areas: BTreeMap<String, Vec<Record>>,
    /// Id of the seeded admin application whose credentials `SimHandle` reports.
    pub bootstrap_app_id: String,
    /// Last integer id handed out per kind; ids are never reused, like SQL identity columns.
    pub last_ids: LastIds,
    /// The claim vocabulary of this instance.
    pub dialect: SimDialect,
}

/// The last integer id handed out per kind (the next is one more).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct LastIds {
    /// Agents' `id`.
    pub agent: i64,
    /// Roles' `id_int` (their `id` is a GUID).
    pub role: i64,
    /// Teams' `id`.
    pub team: i64,
    /// Departments' `id`.
    pub department: i64,
    /// Work hours' (`Workdays`) `id`.
    pub workday: i64,
}

pub(crate) const UNASSIGNED_AGENT_ID: i64 = 1;
/// The agent the bootstrap application logs in as (seeded, an administrator).
pub const BOOTSTRAP_AGENT_ID: i64 = 2;
/// Sam Support, the seeded human agent (1st Line Support, Service Desk, Support department).
pub const HUMAN_AGENT_ID: i64 = 3;
/// The seeded administrator role's id.
pub const ADMIN_ROLE_ID: &str = "4f0e5f5c-3d4e-4b8a-9a43-0c1f7f0d2a11";
/// The seeded "1st Line Support" role's id (not an administrator).
pub const FIRST_LINE_ROLE_ID: &str = "9b2d7c1e-6a5f-4e0b-8c3d-2e4f6a8b0c22";
/// Scopes of the bootstrap application.
pub(crate) const BOOTSTRAP_SCOPES: [&str; 4] = ["all", "admin", "all:teams", "admin:webhooks"];
/// Grant type of "Client ID and Secret (Services)" (halo-api.md §3.3 [I]).
pub const GRANT_CLIENT_CREDENTIALS: &str = "client_credentials";
/// Application fields the `key_slots` reading of `secret_expiry` adds (the 2026 DB catalogue's
/// names, W): not properties of the 2024 API schema.
pub(crate) const KEY_SLOT_FIELDS: [&str; 2] = ["apiKeyExpiryDays", "apiKey1ExpiryDate"];

pub(crate) fn new_guid() -> String {
    uuid::Uuid::new_v4().to_string()
}

/// Halo's client secret format: two GUIDs joined by '-'.
pub fn new_secret() -> String {
    format!("{}-{}", new_guid(), new_guid())
}

/// The clients every area record refers to: (id, name).
const CLIENTS: [(i64, &str); 3] = [(1, "Acme Ltd"), (2, "Globex"), (3, "Initech")];

fn client_name(id: i64) -> &'static str {
    CLIENTS
        .iter()
        .find(|(i, _)| *i == id)
        .map_or("", |(_, n)| n)
}

/// Tickets across teams and departments, some unassigned (the "Unassigned" agent), some assigned
/// to Sam Support, so that each `ticket_visibility` reading shows a different list.
fn seed_tickets() -> Vec<Record> {
    let t = |id, summary: &str, team: &str, agent: i64, client: i64| {
        Record::new(json!({
            "id": id, "summary": summary, "team": team, "agent_id": agent,
            "client_id": client, "client_name": client_name(client), "status_id": 1,
        }))
    };
    vec![
        t(
            1001,
            "Printer offline",
            "Service Desk",
            UNASSIGNED_AGENT_ID,
            1,
        ),
        t(
            1002,
            "New starter laptop",
            "Service Desk",
            HUMAN_AGENT_ID,
            2,
        ),
        t(
            1003,
            "Backup job failed",
            "Operations",
            UNASSIGNED_AGENT_ID,
            1,
        ),
        t(
            1004,
            "Firewall firmware update",
            "Operations",
            HUMAN_AGENT_ID,
            3,
        ),
        t(1005, "Office move", "Projects", UNASSIGNED_AGENT_ID, 2),
    ]
}

/// Three records for an area without data of its own: an id (a GUID where the spec's id is a
/// string) and the first naming field its schema has.
fn seed_generic(path: &str) -> Vec<Record> {
    let Some(schema) = schema_at(path) else {
        return Vec::new();
    };
    let label = path.trim_start_matches('/');
    let field = ["name", "summary", "subject", "title", "note"]
        .into_iter()
        .find(|f| schema.has(f));
    (1..=3)
        .map(|i: i64| {
            let mut r = Record::default();
            if schema.type_of("id") == Some("string") {
                r.set("id", new_guid());
            } else {
                r.set("id", i);
            }
            if let Some(f) = field {
                r.set(f, format!("{label} {i}"));
            }
            r
        })
        .collect()
}

/// The records of every probe area.
pub(super) fn seed_areas() -> BTreeMap<String, Vec<Record>> {
    evidence::areas()
        .iter()
        .map(|a| {
            let rows = match a.path.as_str() {
                "/Tickets" => seed_tickets(),
                "/Client" => CLIENTS
                    .iter()
                    .map(|(id, name)| {
                        let site = name.to_lowercase().replace(' ', "");
                        Record::new(json!({"id": id, "name": name, "inactive": false,
                            "toplevel_id": 1, "toplevel_name": "Support",
                            "website": format!("https://{site}.example")}))
                    })
                    .collect(),
                "/Users" => [
                    (1, "Ann Acme", 1),
                    (2, "Gil Globex", 2),
                    (3, "Ian Initech", 3),
                ]
                .iter()
                .map(|(id, name, client)| {
                    let mail = name.to_lowercase().replace(' ', ".");
                    Record::new(json!({"id": id, "name": name,
                            "emailaddress": format!("{mail}@client.example"),
                            "client_id": client, "client_name": client_name(*client)}))
                })
                .collect(),
                "/Asset" => [
                    (1, "ACME-LAPTOP-01", 1),
                    (2, "ACME-FW-01", 1),
                    (3, "GLOBEX-SRV-01", 2),
                ]
                .iter()
                .map(|(id, tag, client)| {
                    Record::new(json!({"id": id, "inventory_number": tag,
                            "client_id": client, "client_name": client_name(*client)}))
                })
                .collect(),
                other => seed_generic(other),
            };
            (a.path.clone(), rows)
        })
        .collect()
}

impl State {
    // ---- records by kind ---------------------------------------------------------------

    /// Every record of `kind`, in the order created.
    pub(crate) fn records(&self, kind: Collection) -> &Vec<Record> {
        match kind {
            Collection::Agent => &self.agents,
            Collection::Role => &self.roles,
            Collection::Team => &self.teams,
            Collection::Department => &self.departments,
            Collection::Workday => &self.workdays,
            Collection::Application => &self.applications,
        }
    }

    pub(crate) fn records_mut(&mut self, kind: Collection) -> &mut Vec<Record> {
        match kind {
            Collection::Agent => &mut self.agents,
            Collection::Role => &mut self.roles,
            Collection::Team => &mut self.teams,
            Collection::Department => &mut self.departments,
            Collection::Workday => &mut self.workdays,
            Collection::Application => &mut self.applications,
        }
    }

    /// The record of `kind` with this id (case-insensitive for GUIDs).
    pub fn find(&self, kind: Collection, id: &str) -> Option<&Record> {
        self.records(kind).iter().find(|r| r.is(id))
    }

    pub(crate) fn find_mut(&mut self, kind: Collection, id: &str) -> Option<&mut Record> {
        self.records_mut(kind).iter_mut().find(|r| r.is(id))
    }

    /// The agent with this id.
    pub fn agent(&self, id: i64) -> Option<&Record> {
        self.find(Collection::Agent, &id.to_string())
    }

    /// The agent with this id, to change in place (a test playing an admin's edit).
    pub fn agent_mut(&mut self, id: i64) -> Option<&mut Record> {
        self.find_mut(Collection::Agent, &id.to_string())
    }

    /// The role with this id (a GUID, case-insensitive).
    pub fn role(&self, id: &str) -> Option<&Record> {
        self.find(Collection::Role, id)
    }

    /// The role with this id, to change in place.
    pub fn role_mut(&mut self, id: &str) -> Option<&mut Record> {
        self.find_mut(Collection::Role, id)
    }

    /// The application with this id (a GUID, case-insensitive; not its `clientId`).
    pub fn application(&self, id: &str) -> Option<&Record> {
        self.find(Collection::Application, id)
    }

    /// The application with this id, to change in place.
    pub fn application_mut(&mut self, id: &str) -> Option<&mut Record> {
        self.find_mut(Collection::Application, id)
    }

    #[cfg(test)]
    pub(crate) fn bootstrap_app(&self) -> Option<&Record> {
        self.application(&self.bootstrap_app_id)
    }

    /// The first record of `kind` ("agents", "roles", "applications", …) named `name` (an
    /// application's `displayName`, every other object's `name`).
    pub fn named(&self, kind: &str, name: &str) -> Option<&Record> {
        let k = Collection::from_plural(kind)?;
        self.records(k)
            .iter()
            .find(|r| r.str(k.name_field()) == name)
    }

    /// [`Self::named`], to change in place.
    pub fn named_mut(&mut self, kind: &str, name: &str) -> Option<&mut Record> {
        let k = Collection::from_plural(kind)?;
        self.records_mut(k)
            .iter_mut()
            .find(|r| r.str(k.name_field()) == name)
    }

    /// How many records of `kind` are named `name`.
    pub fn count_named(&self, kind: &str, name: &str) -> usize {
        Collection::from_plural(kind).map_or(0, |k| {
            self.records(k)
                .iter()
                .filter(|r| r.str(k.name_field()) == name)
                .count()
        })
    }

    /// The records of a probe area (`/Tickets`, `/Client`, …).
    pub fn rows(&self, path: &str) -> &[Record] {
        self.areas
            .iter()
            .find(|(p, _)| p.eq_ignore_ascii_case(path))
            .map_or(&[], |(_, v)| v.as_slice())
    }

    pub(crate) fn rows_mut(&mut self, path: &str) -> &mut Vec<Record> {
        let key = evidence::area_at(path).map_or_else(|| path.to_string(), |a| a.path.clone());
        self.areas.entry(key).or_default()
    }

    /// The tickets (`/Tickets`' records).
    pub(crate) fn tickets(&self) -> &[Record] {
        self.rows("/Tickets")
    }

    pub(crate) fn tickets_mut(&mut self) -> &mut Vec<Record> {
        self.rows_mut("/Tickets")
    }

    // ---- adding records the way an admin would in the UI (tests) -----------------------

    /// Adds an agent; an id is given when `fields` has none. Returns the id.
    pub fn add_agent(&mut self, fields: Value) -> i64 {
        let mut r = Record::new(fields);
        let id = r.i64("id").unwrap_or_else(|| {
            self.last_ids.agent += 1;
            self.last_ids.agent
        });
        self.last_ids.agent = self.last_ids.agent.max(id);
        r.set("id", id);
        self.agents.push(r);
        id
    }

    /// Adds a role; a GUID and `id_int` are given when `fields` has none. Returns the id.
    pub fn add_role(&mut self, fields: Value) -> String {
        let mut r = Record::new(fields);
        if !r.has("id_int") {
            self.last_ids.role += 1;
            r.set("id_int", self.last_ids.role);
        }
        let id = match r.key() {
            k if k.is_empty() => new_guid(),
            k => k,
        };
        r.set("id", id.clone());
        self.roles.push(r);
        id
    }

    /// Adds an application; a GUID id when `fields` has none. Returns the id.
    pub fn add_application(&mut self, fields: Value) -> String {
        let mut r = Record::new(fields);
        let id = match r.key() {
            k if k.is_empty() => new_guid(),
            k => k,
        };
        r.set("id", id.clone());
        self.applications.push(r);
        id
    }

    // ---- permissions -------------------------------------------------------------------

    /// What an agent may do: its own claims and its roles' claims, as this instance
    /// understands them (unknown role references are ignored).
    pub(crate) fn perms(&self, agent: &Record) -> Perms {
        let mut p = Perms::default();
        p.add(self.dialect, agent);
        for r in agent.list("roles") {
            let id = r.get("id").and_then(Value::as_str).unwrap_or_default();
            if let Some(role) = self.role(id) {
                p.add(self.dialect, role);
            }
        }
        p
    }

    /// "Is a Halo Administrator" through the agent's own claims or any of its roles.
    pub fn is_admin(&self, agent: &Record) -> bool {
        self.perms(agent).admin()
    }

    // ---- the schema invariant and persistence -------------------------------------------

    /// Drops every field a record's schema lacks (what a test or an old state file may have
    /// put there); returns `kind[i].field` for each dropped field that carried a value.
    pub(crate) fn sanitize(&mut self) -> Vec<String> {
        let mut out = Vec::new();
        for kind in Collection::ALL {
            let Some(schema) = kind.schema() else {
                continue;
            };
            let extra: &[&str] = if kind == Collection::Application {
                &KEY_SLOT_FIELDS
            } else {
                &[]
            };
            for (i, r) in self.records_mut(kind).iter_mut().enumerate() {
                drop_unknown(
                    schema,
                    r,
                    extra,
                    &format!("{}[{i}].", kind.plural()),
                    &mut out,
                );
            }
        }
        for (path, rows) in &mut self.areas {
            let Some(schema) = schema_at(path) else {
                continue;
            };
            for (i, r) in rows.iter_mut().enumerate() {
                drop_unknown(schema, r, &[], &format!("{path}[{i}]."), &mut out);
            }
        }
        out
    }

    /// The state saved at `path`, cleaned of fields the schema lacks (probe areas seeded when
    /// it has none); `None` when there is no file.
    pub(crate) fn load(path: &Path) -> std::io::Result<Option<Self>> {
        match std::fs::read(path) {
            Ok(bytes) => {
                let mut s: Self = serde_json::from_slice(&bytes)
                    .map_err(|e| std::io::Error::other(format!("{}: {e}", path.display())))?;
                s.sanitize();
                if s.areas.is_empty() {
                    s.areas = seed_areas();
                }
                Ok(Some(s))
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// Atomic save; the file holds client secrets, so it is private to the user.
    pub fn save(&self, path: &Path) -> std::io::Result<()> {
        use std::io::Write;
        let json = serde_json::to_vec_pretty(self).map_err(std::io::Error::other)?;
        let mut tmp = path.as_os_str().to_owned();
        tmp.push(".tmp");
        let tmp = std::path::PathBuf::from(tmp);
        let mut opts = std::fs::OpenOptions::new();
        opts.write(true).create(true).truncate(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            opts.mode(0o600);
        }
        let mut f = opts.open(&tmp)?;
        f.write_all(&json)?;
        f.sync_all()?;
        std::fs::rename(&tmp, path)
    }
}

/// Drops the fields of `r` that `schema` (plus `extra`) lacks, at the top level and in nested
/// objects; names those that carried a value.
fn drop_unknown(
    schema: &evidence::Schema,
    r: &mut Record,
    extra: &[&str],
    prefix: &str,
    out: &mut Vec<String>,
) {
    let before = r.clone();
    let mut dropped = Vec::new();
    super::schema::drop_unknown(schema, r.fields_mut(), extra, "", &mut dropped);
    for d in dropped {
        // Only a top-level field that carried something is worth a word.
        let carried = before.get(&d).is_some_and(|v| match v {
            Value::String(s) => !s.is_empty(),
            Value::Array(a) => !a.is_empty(),
            _ => true,
        });
        if carried || d.contains('.') {
            out.push(format!("{prefix}{d}"));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seed_has_admin_app_logged_in_as_admin() {
        let s = State::seed("cid".into(), "sec".into());
        let app = s.bootstrap_app().unwrap();
        let agent = s.agent(app.i64("loginas_agent_id").unwrap()).unwrap();
        assert!(s.is_admin(agent));
        let sam = s.agent(HUMAN_AGENT_ID).unwrap();
        assert!(!s.is_admin(sam));
        assert_eq!(s.perms(sam).access("Tx"), evidence::Access::Modify);
        assert_eq!(s.count_named("roles", "1st Line Support"), 1);
        assert_eq!(
            s.named("applications", "Bootstrap Admin App")
                .map(Record::key),
            Some(app.key())
        );
    }

    /// The seed stores only properties of each object's published schema.
    #[test]
    fn seed_is_schema_clean_in_every_dialect() {
        for d in [
            SimDialect::Current,
            SimDialect::Legacy,
            SimDialect::Mixed,
            SimDialect::L0Numeric,
        ] {
            let mut s = State::seed_with("c".into(), "s".into(), d);
            let seeded = s.clone();
            assert_eq!(s.sanitize(), Vec::<String>::new(), "{d:?}");
            // Every seeded claim is one the instance understands, in its own names.
            for r in s.roles.iter().chain(&s.agents) {
                for (t, v) in super::super::perms::claim_pairs(r) {
                    assert!(d.understands(&t, &v), "{d:?}: {t}={v}");
                }
            }
            assert_eq!(s, seeded);
            for a in evidence::areas() {
                assert!(!s.rows(&a.path).is_empty(), "{}", a.path);
            }
        }
    }

    #[test]
    fn dialects_seed_their_own_names() {
        let claims = |d| {
            let s = State::seed_with("c".into(), "s".into(), d);
            let admin = super::super::perms::claim_pairs(s.role(ADMIN_ROLE_ID).unwrap());
            let first = super::super::perms::claim_pairs(s.role(FIRST_LINE_ROLE_ID).unwrap());
            (admin, first)
        };
        let (a, f) = claims(SimDialect::Current);
        assert_eq!(a, [("SA".to_string(), "true".to_string())]);
        assert!(f.contains(&("l0".into(), "true".into())));
        let (a, f) = claims(SimDialect::Legacy);
        assert_eq!(a[0].0, "Administration");
        assert!(f.iter().all(|(t, _)| t.len() > 2), "{f:?}");
        let (a, f) = claims(SimDialect::Mixed);
        assert_eq!(a[0].0, "Administration");
        assert!(f.contains(&("Tx".into(), "2".into())));
        let (_, f) = claims(SimDialect::L0Numeric);
        assert!(f.contains(&("l0".into(), "1".into())));
        for d in [SimDialect::Legacy, SimDialect::Mixed] {
            let s = State::seed_with("c".into(), "s".into(), d);
            assert!(s.is_admin(s.agent(BOOTSTRAP_AGENT_ID).unwrap()), "{d:?}");
            assert!(!s.is_admin(s.agent(HUMAN_AGENT_ID).unwrap()), "{d:?}");
        }
    }

    #[test]
    fn sanitize_drops_what_a_test_or_an_old_file_put_there() {
        let mut s = State::seed("c".into(), "s".into());
        let id = s.add_application(json!({"displayName": "X", "description": "ours"}));
        s.agent_mut(3).unwrap().set("notes", "x");
        s.agent_mut(3).unwrap().set("surname", "");
        assert_eq!(
            s.sanitize(),
            ["agents[2].notes", "applications[1].description"]
        );
        assert!(!s.application(&id).unwrap().has("description"));
    }

    #[test]
    fn save_then_load_roundtrips() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("state.json");
        assert_eq!(State::load(&path).unwrap(), None);
        let s = State::seed("cid".into(), "sec".into());
        s.save(&path).unwrap();
        assert_eq!(State::load(&path).unwrap(), Some(s));
    }
}
