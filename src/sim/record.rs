//! A Halo object as the emulator keeps it: a JSON record whose keys are properties of the
//! object's schema in Halo's published API (`evidence::schema`), and the kinds of configuration
//! object the emulator stores. Nothing here knows the client's types: both sides answer to
//! `evidence/`.

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::evidence::{self, ListEntry, Schema};

/// One Halo object: its fields as Halo names them, values as Halo's JSON carries them.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Record(Map<String, Value>);

impl Record {
    /// A record from a JSON object (e.g. a `json!({...})` literal); anything else is an empty
    /// record.
    pub fn new(v: Value) -> Self {
        match v {
            Value::Object(m) => Self(m),
            _ => Self::default(),
        }
    }

    pub(crate) fn from_map(m: Map<String, Value>) -> Self {
        Self(m)
    }

    /// Any serialisable value as a record (e.g. a test's own model of an object).
    pub fn encode<T: Serialize>(t: &T) -> Self {
        Self::new(serde_json::to_value(t).unwrap_or(Value::Null))
    }

    /// The record as another type (e.g. a test reads it into the client's model).
    pub fn decode<T: DeserializeOwned>(&self) -> Result<T, serde_json::Error> {
        serde_json::from_value(self.to_value())
    }

    /// Every field as stored (nulls included).
    pub fn fields(&self) -> &Map<String, Value> {
        &self.0
    }

    pub(crate) fn fields_mut(&mut self) -> &mut Map<String, Value> {
        &mut self.0
    }

    /// The record as one JSON object, as Halo would answer it.
    pub fn to_value(&self) -> Value {
        Value::Object(self.0.clone())
    }

    /// The field `k`; `None` when missing or null (Halo's JSON often sends null for unset).
    pub fn get(&self, k: &str) -> Option<&Value> {
        self.0.get(k).filter(|v| !v.is_null())
    }

    /// Whether the field `k` is there and not null.
    pub fn has(&self, k: &str) -> bool {
        self.get(k).is_some()
    }

    /// A string field; "" when missing or not a string.
    pub fn str(&self, k: &str) -> &str {
        self.0.get(k).and_then(Value::as_str).unwrap_or_default()
    }

    /// An integer field.
    pub fn i64(&self, k: &str) -> Option<i64> {
        self.0.get(k).and_then(Value::as_i64)
    }

    /// A boolean field; false when missing.
    pub fn bool(&self, k: &str) -> bool {
        self.0.get(k).and_then(Value::as_bool).unwrap_or(false)
    }

    /// An array field; empty when missing.
    pub fn list(&self, k: &str) -> &[Value] {
        self.0
            .get(k)
            .and_then(Value::as_array)
            .map_or(&[], Vec::as_slice)
    }

    /// An array field to change in place (created, or replaced when it was not an array).
    pub fn list_mut(&mut self, k: &str) -> &mut Vec<Value> {
        let slot = self
            .0
            .entry(k.to_string())
            .or_insert_with(|| Value::Array(Vec::new()));
        if !slot.is_array() {
            *slot = Value::Array(Vec::new());
        }
        match slot {
            Value::Array(a) => a,
            _ => unreachable!("made an array above"),
        }
    }

    /// The `name` of each object in an array field (an application's `scopes`).
    /// The `name` of each item of the array field `k` (e.g. an agent's `teams`); items
    /// without one are left out.
    pub fn names(&self, k: &str) -> Vec<String> {
        self.list(k)
            .iter()
            .filter_map(|x| x.get("name").and_then(Value::as_str))
            .map(str::to_string)
            .collect()
    }

    /// Sets the field `k`, replacing what was there (nothing checks it against the schema
    /// here: [`State`](super::State) drops what the schema lacks when it persists).
    pub fn set(&mut self, k: &str, v: impl Into<Value>) {
        self.0.insert(k.to_string(), v.into());
    }

    /// Takes the field `k` out, returning its value.
    pub fn remove(&mut self, k: &str) -> Option<Value> {
        self.0.remove(k)
    }

    /// The `id` as text ("" when none), the key records are found by.
    pub fn key(&self) -> String {
        match self.0.get("id") {
            Some(Value::String(s)) => s.clone(),
            Some(Value::Number(n)) => n.to_string(),
            _ => String::new(),
        }
    }

    /// Does the id equal `id` (case-insensitive: GUIDs come in either case)?
    pub fn is(&self, id: &str) -> bool {
        let k = self.key();
        !k.is_empty() && k.eq_ignore_ascii_case(id)
    }
}

/// The configuration objects the emulator stores, each at its list endpoint of
/// `evidence/lists.toml` with that file's schema and envelope key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Collection {
    Agent,
    Role,
    Team,
    Department,
    Workday,
    Application,
}

impl Collection {
    pub const ALL: [Collection; 6] = [
        Collection::Agent,
        Collection::Role,
        Collection::Team,
        Collection::Department,
        Collection::Workday,
        Collection::Application,
    ];

    /// The list endpoint (a path of the spec).
    pub fn path(self) -> &'static str {
        match self {
            Self::Agent => "/Agent",
            Self::Role => "/Roles",
            Self::Team => "/Team",
            Self::Department => "/TopLevel",
            Self::Workday => "/Workday",
            Self::Application => "/Application",
        }
    }

    /// Singular name in messages ("Agent 7 does not exist").
    pub fn label(self) -> &'static str {
        match self {
            Self::Agent => "Agent",
            Self::Role => "Role",
            Self::Team => "Team",
            Self::Department => "Department",
            Self::Workday => "Workday",
            Self::Application => "Application",
        }
    }

    /// The `State` field holding these records (and the `count_named` kind name).
    pub fn plural(self) -> &'static str {
        match self {
            Self::Agent => "agents",
            Self::Role => "roles",
            Self::Team => "teams",
            Self::Department => "departments",
            Self::Workday => "workdays",
            Self::Application => "applications",
        }
    }

    pub(crate) fn from_plural(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.plural() == name)
    }

    /// The field Halo shows as the object's name.
    pub(crate) fn name_field(self) -> &'static str {
        match self {
            Self::Application => "displayName",
            _ => "name",
        }
    }

    fn list_entry(self) -> Option<&'static ListEntry> {
        evidence::lists()
            .iter()
            .find(|l| l.path.eq_ignore_ascii_case(self.path()))
    }

    /// The envelope key of the list (`evidence/lists.toml`).
    pub fn list_key(self) -> &'static str {
        self.list_entry().map_or("", |l| l.key.as_str())
    }

    /// The object's schema in Halo's published API.
    pub fn schema(self) -> Option<&'static Schema> {
        self.list_entry().and_then(|l| evidence::schema(&l.schema))
    }
}

/// The schema of the objects an area endpoint lists: the item type of its POST body in the spec
/// (`/Tickets` takes `array<Faults>`).
pub(crate) fn schema_at(path: &str) -> Option<&'static Schema> {
    let m = evidence::spec().find_method("post", path)?;
    let body = m.operation?.body.as_deref()?;
    let name = body
        .strip_prefix("array<")
        .and_then(|b| b.strip_suffix('>'))
        .unwrap_or(body);
    evidence::schema(name)
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn accessors_read_halos_json() {
        let mut r = Record::new(json!({"id": 7, "name": "x", "isapiagent": true,
            "scopes": [{"name": "all"}, {"name": "admin"}], "n": null}));
        assert_eq!(
            (r.key(), r.str("name"), r.i64("id")),
            ("7".into(), "x", Some(7))
        );
        assert!(r.bool("isapiagent") && !r.bool("missing") && !r.has("n"));
        assert_eq!(r.names("scopes"), ["all", "admin"]);
        r.list_mut("teams").push(json!({"team_id": 1}));
        r.set("name", "y");
        assert_eq!((r.list("teams").len(), r.str("name")), (1, "y"));
        assert!(Record::new(json!({"id": "AB-c"})).is("ab-C"));
        assert!(!Record::new(json!({})).is(""));
    }

    #[test]
    fn every_kind_has_its_list_and_schema_in_the_evidence() {
        for k in Collection::ALL {
            assert!(!k.list_key().is_empty(), "{k:?}");
            let s = k.schema().unwrap_or_else(|| panic!("{k:?}"));
            assert!(s.has("id") && s.has(k.name_field()), "{k:?}");
            assert!(evidence::spec().allows("GET", k.path()));
            assert_eq!(Collection::from_plural(k.plural()), Some(k));
        }
        assert_eq!(
            schema_at("/Tickets").map(|s| s.name.as_str()),
            Some("Faults")
        );
        assert_eq!(
            schema_at("/api/Asset").map(|s| s.name.as_str()),
            Some("Device")
        );
        for a in evidence::areas() {
            assert!(schema_at(&a.path).is_some(), "{}", a.path);
        }
    }
}
