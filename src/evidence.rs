//! What we know of Halo, as data (`evidence/`, see its README): the paths and object schemas of
//! Halo's published OpenAPI document, the role claim vocabulary, the scope names, the list
//! envelopes, the probe areas and the behaviours the evidence leaves open. Each file names its
//! source.
//!
//! The lowest floor of the crate: it imports nothing else of it. The client's tests check the
//! client against it and the emulator (`sim`) is built from it, so neither side is the other's
//! evidence. The files are embedded at build time and parsed on first use; a malformed file is
//! a build defect that this module's tests catch, never user input.

#![warn(missing_docs)]

use std::collections::BTreeMap;
use std::sync::OnceLock;

use serde::Deserialize;

const PATHS_JSON: &str = include_str!("../evidence/halo-api/paths.json");
const SCHEMAS_JSON: &str = include_str!("../evidence/halo-api/schemas.json");
#[cfg(test)]
const UNAME_2026_JSON: &str = include_str!("../evidence/halo-api/uname-2026.json");
const CLAIMS_TOML: &str = include_str!("../evidence/claims.toml");
const SCOPES_TOML: &str = include_str!("../evidence/scopes.toml");
const LISTS_TOML: &str = include_str!("../evidence/lists.toml");
const AREAS_TOML: &str = include_str!("../evidence/areas.toml");
const BEHAVIOURS_TOML: &str = include_str!("../evidence/behaviours.toml");

/// An embedded file that does not parse: a defect in `evidence/` (never user input), caught
/// by this module's tests.
#[derive(Debug, thiserror::Error)]
pub enum EvidenceError {
    /// A JSON file (`evidence/halo-api/…`) does not parse.
    #[error("evidence/{name} is malformed: {source}")]
    Json {
        /// The file, relative to `evidence/`.
        name: String,
        /// The parser's error.
        source: serde_json::Error,
    },
    /// A TOML file does not parse.
    #[error("evidence/{name} is malformed: {source}")]
    Toml {
        /// The file, relative to `evidence/`.
        name: String,
        /// The parser's error.
        source: toml::de::Error,
    },
    /// One `[table]` of a TOML file that does not fit its type.
    #[error("evidence/{name} is malformed: [{table}]: {source}")]
    Table {
        /// The file, relative to `evidence/`.
        name: &'static str,
        /// The table's name.
        table: String,
        /// The parser's error.
        source: toml::de::Error,
    },
}

/// Parses an embedded file; a failure is a build defect, so it panics with the file's name.
fn embedded<T>(parsed: Result<T, EvidenceError>) -> T {
    match parsed {
        Ok(v) => v,
        Err(e) => panic!("{e}"),
    }
}

fn json<T: serde::de::DeserializeOwned>(name: &str, text: &str) -> T {
    embedded(
        serde_json::from_str(text).map_err(|source| EvidenceError::Json {
            name: name.to_string(),
            source,
        }),
    )
}

fn toml_file<T: serde::de::DeserializeOwned>(name: &str, text: &str) -> T {
    embedded(toml::from_str(text).map_err(|source| EvidenceError::Toml {
        name: name.to_string(),
        source,
    }))
}

// ---------------------------------------------------------------------------------------------
// The API: paths, methods, schemas.

/// One method of a path: its query parameters, path parameter types and request body.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct Operation {
    /// Query parameter names the spec lists for this method.
    #[serde(default)]
    pub query: Vec<String>,
    /// Path parameter name → type (`integer`, `string`).
    #[serde(default)]
    pub path: BTreeMap<String, String>,
    /// Request body type, e.g. `array<Uname>`.
    #[serde(default)]
    pub body: Option<String>,
}

/// One path template of the spec, e.g. `/Roles/{id}`, with its methods (lower case).
#[derive(Debug, Clone)]
pub struct PathEntry {
    /// The path template as the spec writes it, relative to `/api`.
    pub template: String,
    /// Method (lower case: `get`, `post`, `delete`) → its operation.
    pub methods: BTreeMap<String, Operation>,
    segments: Vec<String>,
}

impl PathEntry {
    /// The type of this template's path parameter (`{id}`), if it has one.
    pub(crate) fn id_type(&self) -> Option<&str> {
        self.methods
            .values()
            .find_map(|op| op.path.get("id"))
            .map(String::as_str)
    }
}

/// The paths of Halo's published API (relative to the resource server `/api`).
#[derive(Debug)]
pub struct Spec {
    /// The file's `_source` record: what it is, where it comes from (`from`), `date`, `confidence`.
    pub source: BTreeMap<String, serde_json::Value>,
    /// Every path template of the spec.
    pub paths: Vec<PathEntry>,
}

/// A request path matched against the spec: the template, the operation of the method and the
/// values of the template's parameters.
#[derive(Debug, Clone)]
pub struct Matched<'a> {
    /// The path template the request matched.
    pub entry: &'a PathEntry,
    /// The operation for the request's method; `None` when the spec has no such method there.
    pub operation: Option<&'a Operation>,
    /// Template parameter name (`id`) → the value the request put there.
    pub params: BTreeMap<String, String>,
}

fn is_param(segment: &str) -> bool {
    segment.starts_with('{') && segment.ends_with('}')
}

/// `/api/Roles/abc?x=1` → [`roles`, `abc`]; a leading `/api` is the resource server's prefix.
fn request_segments(path: &str) -> Vec<String> {
    let path = path.split(['?', '#']).next().unwrap_or(path);
    let mut segs: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
    if segs.first().is_some_and(|s| s.eq_ignore_ascii_case("api")) {
        segs.remove(0);
    }
    segs.into_iter().map(str::to_string).collect()
}

impl Spec {
    fn parse() -> Self {
        #[derive(Deserialize)]
        struct File {
            #[serde(rename = "_source")]
            source: BTreeMap<String, serde_json::Value>,
            paths: BTreeMap<String, BTreeMap<String, Operation>>,
        }
        let f: File = json("halo-api/paths.json", PATHS_JSON);
        let paths = f
            .paths
            .into_iter()
            .map(|(template, methods)| PathEntry {
                segments: template
                    .split('/')
                    .filter(|s| !s.is_empty())
                    .map(str::to_string)
                    .collect(),
                template,
                methods,
            })
            .collect();
        Self {
            source: f.source,
            paths,
        }
    }

    /// The template a request path falls under (case-insensitive, as Halo's routing is), or
    /// `None` when Halo's published API has no such path. A literal segment wins over a
    /// parameter (`/Agent/me` over `/Agent/{id}`).
    pub fn find(&self, path: &str) -> Option<Matched<'_>> {
        let segs = request_segments(path);
        let mut best: Option<(usize, &PathEntry)> = None;
        for e in &self.paths {
            if e.segments.len() != segs.len() {
                continue;
            }
            let mut literal = 0;
            let fits = e.segments.iter().zip(&segs).all(|(t, s)| {
                if is_param(t) {
                    !s.is_empty()
                } else if t.eq_ignore_ascii_case(s) {
                    literal += 1;
                    true
                } else {
                    false
                }
            });
            if fits && best.is_none_or(|(l, _)| literal > l) {
                best = Some((literal, e));
            }
        }
        let (_, entry) = best?;
        let params = entry
            .segments
            .iter()
            .zip(&segs)
            .filter(|(t, _)| is_param(t))
            .map(|(t, s)| (t.trim_matches(['{', '}']).to_string(), s.clone()))
            .collect();
        Some(Matched {
            entry,
            operation: None,
            params,
        })
    }

    /// As [`Spec::find`], for one method (`GET`, `post`, …): `None` unless the spec has that
    /// method on that path.
    pub fn find_method(&self, method: &str, path: &str) -> Option<Matched<'_>> {
        let mut m = self.find(path)?;
        m.operation = Some(m.entry.methods.get(&method.to_ascii_lowercase())?);
        Some(m)
    }

    /// Does Halo's published API have `method` on `path`?
    pub fn allows(&self, method: &str, path: &str) -> bool {
        self.find_method(method, path).is_some()
    }
}

/// The spec extract (`evidence/halo-api/paths.json`).
pub fn spec() -> &'static Spec {
    static SPEC: OnceLock<Spec> = OnceLock::new();
    SPEC.get_or_init(Spec::parse)
}

/// One object's properties and their types, as the spec publishes them.
#[derive(Debug, Clone)]
pub struct Schema {
    /// The schema's name in the spec, such as `Uname` or `NHD_Roles`.
    pub name: String,
    /// Property → type (`integer`, `string`, `boolean`, `number`, `object`, a schema name, or
    /// `array<…>`).
    pub fields: BTreeMap<String, String>,
}

impl Schema {
    /// The schema publishes `field` (exact, case-sensitive property name).
    pub fn has(&self, field: &str) -> bool {
        self.fields.contains_key(field)
    }
    /// The type the schema gives `field`, or `None` when it has no such property.
    pub fn type_of(&self, field: &str) -> Option<&str> {
        self.fields.get(field).map(String::as_str)
    }
}

/// The schemas of the objects halo-onboard touches (`evidence/halo-api/schemas.json`).
pub fn schemas() -> &'static BTreeMap<String, Schema> {
    static SCHEMAS: OnceLock<BTreeMap<String, Schema>> = OnceLock::new();
    SCHEMAS.get_or_init(|| {
        #[derive(Deserialize)]
        struct File {
            schemas: BTreeMap<String, BTreeMap<String, String>>,
        }
        let f: File = json("halo-api/schemas.json", SCHEMAS_JSON);
        f.schemas
            .into_iter()
            .map(|(name, fields)| (name.clone(), Schema { name, fields }))
            .collect()
    })
}

/// One schema by its name in the spec (`Uname`, `NHD_Roles`, …).
pub fn schema(name: &str) -> Option<&'static Schema> {
    schemas().get(name)
}

/// The agent (`Uname`) properties of the 2026-01 spec generation (`uname-2026.json`); only
/// the tests read it (they hold the newer generation to the agent fields in use).
#[cfg(test)]
pub(crate) fn uname_2026() -> &'static std::collections::BTreeSet<String> {
    static U: OnceLock<std::collections::BTreeSet<String>> = OnceLock::new();
    U.get_or_init(|| {
        #[derive(Deserialize)]
        struct File {
            properties: BTreeMap<String, String>,
        }
        let f: File = json("halo-api/uname-2026.json", UNAME_2026_JSON);
        f.properties.into_keys().collect()
    })
}

// ---------------------------------------------------------------------------------------------
// Role claims.

/// What a claim value allows, read off its label.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Access {
    /// No access ("No Access", "No").
    None,
    /// "View (Names Only)".
    Names,
    /// Read only ("Read Only", "Read and Send").
    Read,
    /// Read and change, or a switch that is on ("Read and Modify", "Yes").
    Modify,
}

/// One value of a claim's scale and the label Halo's UI shows for it.
#[derive(Debug, Clone, Deserialize)]
pub struct Level {
    /// The value Halo stores (`ClaimValue`), such as `"2"` or `"true"`.
    pub value: String,
    /// What Halo's UI shows for this value, such as "Read Only".
    pub label: String,
    /// What the level allows, read off its label.
    pub access: Access,
}

/// One role claim code.
#[derive(Debug, Clone, Deserialize)]
pub struct Claim {
    /// Halo's claim code (`ClaimType`), such as `SA`, `Tx` or `l6`.
    pub code: String,
    /// Halo's UI label for the setting, as the source report decodes it.
    pub label: String,
    /// Other labels for the same setting (older reports, vendor guides, languages).
    #[serde(default)]
    pub also: Vec<String>,
    /// The heading the setting sits under on the role's Permissions tab, such as `General`.
    pub group: String,
    /// Name of the scale (in `scales`) the claim's values come from, such as `true_false`.
    pub scale: String,
    /// Other scales instances were seen to use for this code (`l0`: 0/1 besides true/false).
    #[serde(default)]
    pub alt_scales: Vec<String>,
}

/// The claim vocabulary (`evidence/claims.toml`).
#[derive(Debug, Deserialize)]
pub struct Claims {
    /// The `[source]` table: what the file holds, where it comes from, when read, confidence.
    pub source: BTreeMap<String, String>,
    /// Scale name → its levels, in the order Halo's UI lists them.
    pub scales: BTreeMap<String, Vec<Level>>,
    /// Every claim code in the source, one `[[claim]]` each.
    #[serde(rename = "claim")]
    pub claims: Vec<Claim>,
    /// Older long claim name → today's code.
    pub legacy: BTreeMap<String, String>,
}

impl Claims {
    /// The claim with this code, if the vocabulary has it.
    pub fn get(&self, code: &str) -> Option<&Claim> {
        self.claims.iter().find(|c| c.code == code)
    }

    /// The levels of a claim's main scale (empty when the scale is unknown).
    pub fn levels(&self, claim: &Claim) -> &[Level] {
        self.scales.get(&claim.scale).map_or(&[], Vec::as_slice)
    }

    /// The level `value` stands for on any scale this code was seen to use.
    pub fn level(&self, code: &str, value: &str) -> Option<&Level> {
        let c = self.get(code)?;
        std::iter::once(&c.scale)
            .chain(&c.alt_scales)
            .filter_map(|s| self.scales.get(s))
            .flatten()
            .find(|l| l.value == value.trim())
    }

    /// Today's code for an older long claim name.
    pub fn legacy_code(&self, long: &str) -> Option<&str> {
        self.legacy.get(long.trim()).map(String::as_str)
    }
}

/// The claim vocabulary (`evidence/claims.toml`), parsed on first use.
pub fn claims() -> &'static Claims {
    static C: OnceLock<Claims> = OnceLock::new();
    C.get_or_init(|| toml_file("claims.toml", CLAIMS_TOML))
}

// ---------------------------------------------------------------------------------------------
// Scopes.

/// One area of scope names (`[[area]]` of `evidence/scopes.toml`).
#[derive(Debug, Clone, Deserialize)]
pub struct ScopeArea {
    /// The area's key, such as `tickets` or `umbrella`; probe areas and claims name it.
    pub key: String,
    /// The scope names of the area, as Halo spells them (`read:tickets`, `edit:tickets`).
    pub scopes: Vec<String>,
    /// Where these names come from (source tags of the file's header).
    pub source: String,
}

/// How scopes combine (`[rules]` of `evidence/scopes.toml`).
#[derive(Debug, Deserialize)]
pub struct ScopeRules {
    /// An `edit:X` scope also grants `read:X` and `editMine:X`.
    pub edit_implies_read: bool,
    /// Umbrella scope → what it covers: scope names, or `standard` for every read:, edit:,
    /// editMine: and access: scope.
    pub covers: BTreeMap<String, Vec<String>>,
}

/// The scope names (`evidence/scopes.toml`).
#[derive(Debug, Deserialize)]
pub struct Scopes {
    /// The `[source]` table: what the file holds, where it comes from, confidence.
    pub source: BTreeMap<String, String>,
    /// Every area of scope names.
    #[serde(rename = "area")]
    pub areas: Vec<ScopeArea>,
    /// Names that are not scopes, with why.
    pub not_scopes: BTreeMap<String, String>,
    /// How scopes combine.
    pub rules: ScopeRules,
}

fn is_standard(name: &str) -> bool {
    ["read:", "edit:", "editMine:", "access:"]
        .iter()
        .any(|p| name.starts_with(p))
}

impl Scopes {
    /// Every scope name, area by area.
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.areas
            .iter()
            .flat_map(|a| a.scopes.iter().map(String::as_str))
    }

    pub(crate) fn is_scope(&self, name: &str) -> bool {
        self.names().any(|n| n == name)
    }

    /// Does holding `granted` allow what needs `needed`, by the rules of `[rules]`?
    pub fn grants(&self, granted: &str, needed: &str) -> bool {
        if granted == needed {
            return true;
        }
        if let Some(covers) = self.rules.covers.get(granted) {
            return covers
                .iter()
                .any(|c| c == needed || (c == "standard" && is_standard(needed)));
        }
        if self.rules.edit_implies_read {
            if let Some(area) = granted.strip_prefix("edit:") {
                return needed.strip_prefix("read:") == Some(area)
                    || needed.strip_prefix("editMine:") == Some(area);
            }
        }
        false
    }

    /// Any of `granted` allows what needs `needed` (see [`Scopes::grants`]).
    pub fn any_grants<S: AsRef<str>>(&self, granted: &[S], needed: &str) -> bool {
        granted.iter().any(|g| self.grants(g.as_ref(), needed))
    }
}

/// The scope names (`evidence/scopes.toml`), parsed on first use.
pub fn scopes() -> &'static Scopes {
    static S: OnceLock<Scopes> = OnceLock::new();
    S.get_or_init(|| toml_file("scopes.toml", SCOPES_TOML))
}

// ---------------------------------------------------------------------------------------------
// Lists, probe areas, open behaviours.

/// One configuration list endpoint and the key its rows sit under in Halo's paginated envelope.
#[derive(Debug, Clone, Deserialize)]
pub struct ListEntry {
    /// The endpoint, relative to `/api`, such as `/Roles`.
    pub path: String,
    /// The envelope key of the rows, such as `roles`.
    pub key: String,
    /// The spec schema of each row, such as `NHD_Roles`.
    pub schema: String,
    /// How sure the envelope key is: `C` confirmed, `I` inferred.
    pub confidence: String,
}

/// Config list endpoints and their envelope keys (`evidence/lists.toml`).
pub fn lists() -> &'static [ListEntry] {
    #[derive(Deserialize)]
    struct File {
        list: Vec<ListEntry>,
    }
    static L: OnceLock<Vec<ListEntry>> = OnceLock::new();
    L.get_or_init(|| toml_file::<File>("lists.toml", LISTS_TOML).list)
}

/// One probe area: the endpoint that stands for a scope area and the claim that gates it.
#[derive(Debug, Clone, Deserialize)]
pub struct ProbeArea {
    /// The scope area key (`scopes.toml`), e.g. `tickets`.
    pub scope: String,
    /// A path of the spec, e.g. `/Tickets`.
    pub path: String,
    /// The envelope key the endpoint's rows sit under, such as `tickets`.
    pub list_key: String,
    /// The claim code gating it.
    pub claim: String,
    /// The scope a read needs when it is not the area's `read:` scope.
    #[serde(default)]
    pub needs: Option<String>,
    /// Why this endpoint stands for the area, in plain words.
    pub why: String,
}

impl ProbeArea {
    /// The scope reading this endpoint needs.
    pub(crate) fn read_scope(&self) -> String {
        self.needs
            .clone()
            .unwrap_or_else(|| format!("read:{}", self.scope))
    }
}

/// The probe areas (`evidence/areas.toml`).
pub fn areas() -> &'static [ProbeArea] {
    #[derive(Deserialize)]
    struct File {
        area: Vec<ProbeArea>,
    }
    static A: OnceLock<Vec<ProbeArea>> = OnceLock::new();
    A.get_or_init(|| toml_file::<File>("areas.toml", AREAS_TOML).area)
}

/// The probe area whose endpoint is `path` (case-insensitive, `/api` prefix and query ignored).
pub(crate) fn area_at(path: &str) -> Option<&'static ProbeArea> {
    let segs = request_segments(path);
    areas().iter().find(|a| {
        let own = request_segments(&a.path);
        own.len() == segs.len()
            && own
                .iter()
                .zip(&segs)
                .all(|(x, y)| x.eq_ignore_ascii_case(y))
    })
}

/// One open behaviour (`evidence/behaviours.toml`): its variants and default.
#[derive(Debug, Clone, Deserialize)]
pub struct Behaviour {
    /// How sure the evidence is of the behaviour (`C`, `I` or `W`); `None` when the file says not.
    #[serde(default)]
    pub confidence: Option<String>,
    /// The open question, in plain words.
    pub question: String,
    /// What the evidence does say, with the sections it cites.
    pub known: String,
    /// Names of the readings the emulator can play.
    pub variants: Vec<String>,
    /// The reading played when none is chosen; one of `variants`.
    pub default: String,
}

/// The open behaviours by name (`ticket_visibility`, `denial`, `agent_listing`, `rate_limit`,
/// `secret_issuance`, `secret_expiry`, `list_shape`).
pub fn behaviours() -> &'static BTreeMap<String, Behaviour> {
    static B: OnceLock<BTreeMap<String, Behaviour>> = OnceLock::new();
    B.get_or_init(|| {
        let table: BTreeMap<String, toml::Value> = toml_file("behaviours.toml", BEHAVIOURS_TOML);
        table
            .into_iter()
            .filter(|(k, _)| k != "source")
            .map(|(k, v)| {
                let b: Behaviour = embedded(v.try_into().map_err(|source| EvidenceError::Table {
                    name: "behaviours.toml",
                    table: k.clone(),
                    source,
                }));
                (k, b)
            })
            .collect()
    })
}

#[cfg(test)]
mod tests;
