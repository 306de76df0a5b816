//! The role's attribute table: each attribute of Halo's role (`NHD_Roles`) once, in the order
//! of Halo's form, with its key in answers files and profiles (one spelling, one wire format
//! for both: [`RoleWire`]), its Halo field (from the dialect), its label in Halo's web UI, how
//! it is built into the role Halo gets, how Halo's value is compared, which `check` judges it,
//! its manual step, and (for the wizard's Role step) its label, place and limit. Build
//! (`plan::objects`), the read-back differences (`plan::diff`), the manual steps
//! (`plan::manual`) and the wizard read [`ROWS`].
//!
//! The permissions themselves (areas, ticket switches, restrictions) are a table of their own,
//! Halo's claim vocabulary (`halo::dialect::claims`): one row here stands for all of them.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::halo::columns;
use crate::halo::dialect::claims::LevelText;
use crate::halo::dialect::fields::role as halo;
use crate::halo::dialect::{DialectError, Permissions, PermissionsWire};
use crate::halo::model::{Claim, Role};

/// Whether the setup makes its own role or gives the agent one that exists.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", tag = "kind", content = "id")]
pub enum RoleMode {
    /// Create a new role named `RoleAnswers::name`.
    #[default]
    Create,
    /// Reuse the existing role with this id or name.
    Reuse(String),
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(try_from = "RoleWire", into = "RoleWire")]
/// The Role step: the role the API agent gets and what it may do.
pub struct RoleAnswers {
    /// Create a role, or reuse one.
    pub mode: RoleMode,
    /// The role's name (Halo's `name`).
    pub name: String,
    /// Halo's `notes`; this setup's marker is added when the role is written.
    pub notes: String,
    /// The role's permissions in Halo's vocabulary (administrator, area levels, ticket
    /// switches, restrictions).
    pub permissions: Permissions,
    /// Role settings Halo's claim vocabulary cannot express, in Halo's words: manual steps.
    pub other_permissions: Vec<String>,
}

/// How a role is written, in answers files, journals and profiles alike: the permissions as
/// `administrator`, `[role.access]` and `[role.settings]` with Halo's labels. Answers say how
/// the role is had with `mode`, profiles with `reuse` (each refuses the other's key). Files
/// written before halo-onboard spoke Halo's codes (`is_admin`, `features = { area =
/// "read|edit" }`) still load: they are mapped onto today's areas and levels. The keys are
/// spelled out rather than a flattened `PermissionsWire`: serde cannot combine `flatten` with
/// `deny_unknown_fields`, and a mistyped key must be named, not dropped.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RoleWire {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mode: Option<RoleMode>,
    pub name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reuse: Option<String>,
    pub notes: String,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub administrator: bool,
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub access: BTreeMap<String, LevelText>,
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub settings: BTreeMap<String, LevelText>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub other_permissions: Vec<String>,
    #[serde(skip_serializing)]
    pub is_admin: bool,
    #[serde(skip_serializing)]
    pub features: BTreeMap<String, String>,
}

impl RoleWire {
    /// The role as written: its permissions as the file spells them.
    pub fn write(name: String, notes: String, p: &Permissions, other: Vec<String>) -> Self {
        let p = PermissionsWire::from_permissions(p);
        Self {
            name,
            notes,
            administrator: p.administrator,
            access: p.access,
            settings: p.settings,
            other_permissions: other,
            ..Self::default()
        }
    }

    /// The typed permissions, today's spelling or the older one (`is_admin`, `features`).
    pub fn permissions(&self) -> Result<Permissions, DialectError> {
        let wire = PermissionsWire {
            administrator: self.administrator,
            access: self.access.clone(),
            settings: self.settings.clone(),
        };
        wire.parse_with_legacy(self.is_admin, &self.features)
    }
}

/// What is wrong with a `[role]` table beyond its syntax (serde reports that).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RoleError {
    /// The permissions are not in Halo's vocabulary.
    #[error("{0}")]
    Permissions(DialectError),
    /// An answers file says how the role is had with `mode`.
    #[error(
        "reuse: answers say `mode = {{ kind = \"reuse\", id = \"…\" }}` (reuse is a profile's key)"
    )]
    ReuseInAnswers,
    /// A profile says it with `reuse`.
    #[error("mode: a profile says `reuse = \"Role name\"` to reuse a role")]
    ModeInProfile,
}

/// What is wrong with an answers file beyond its TOML/JSON syntax (serde reports that).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AnswersError {
    /// The role table (named from `role.` down).
    #[error("role.{0}")]
    Role(RoleError),
}

impl TryFrom<RoleWire> for RoleAnswers {
    type Error = AnswersError;
    fn try_from(w: RoleWire) -> Result<Self, AnswersError> {
        if w.reuse.is_some() {
            return Err(AnswersError::Role(RoleError::ReuseInAnswers));
        }
        let permissions = w
            .permissions()
            .map_err(|e| AnswersError::Role(RoleError::Permissions(e)))?;
        Ok(Self {
            mode: w.mode.unwrap_or_default(),
            name: w.name,
            notes: w.notes,
            permissions,
            other_permissions: w.other_permissions,
        })
    }
}

impl From<RoleAnswers> for RoleWire {
    fn from(r: RoleAnswers) -> Self {
        Self {
            mode: Some(r.mode),
            ..Self::write(r.name, r.notes, &r.permissions, r.other_permissions)
        }
    }
}

/// What the role Halo gets is built from.
pub(crate) struct Want<'a> {
    pub answers: &'a RoleAnswers,
    /// This setup's marker, put into the notes.
    pub marker: &'a str,
    /// The claims the plan writes (those this Halo confirms).
    pub claims: &'a [Claim],
}

/// What an attribute holds, and how the wizard asks it.
#[derive(Clone, Copy)]
pub(crate) enum Value {
    /// How the role is had: created, or an existing one reused (the wizard's Role choice).
    Mode,
    /// One line of text.
    Text {
        get: fn(&RoleAnswers) -> &String,
        slot: fn(&mut RoleAnswers) -> &mut String,
        /// The limit on a non-empty value.
        rule: fn(&str) -> Option<String>,
        /// The wizard and the plan refuse an empty value.
        required: bool,
        /// The wizard's placeholder.
        hint: &'static str,
        /// Halo's label for it where a limit is said (`plan::limits`).
        label: &'static str,
        /// Several lines (line breaks and tabs are fine; the headless limits check only
        /// control characters, the wizard also the rule).
        multiline: bool,
    },
    /// Yes or no.
    Flag {
        get: fn(&RoleAnswers) -> bool,
        flip: fn(&mut RoleAnswers),
    },
    /// The areas and settings, each on its own scale (`dialect::claims`; the wizard asks one
    /// choice per claim).
    Claims,
    /// Settings Halo's claims cannot express: manual steps only.
    Manual,
}

/// How a read-back difference of the attribute reads (`plan::diff::Form`), if it is compared.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Compare {
    /// Not compared (no Halo field, or compared as one of the claims).
    No,
    /// "name: asked 'a', Halo has 'b'".
    Quoted,
    /// The setup marker must be in Halo's notes (what else they say is the admin's).
    Marker,
    /// Claim by claim, each on its own scale.
    Claims,
}

/// Which row of `check` judges the attribute.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Audit {
    No,
    /// "role admin".
    Admin,
    /// "role permissions".
    Permissions,
}

/// One attribute of the role.
#[derive(Clone, Copy)]
pub(crate) struct Attr {
    /// The key in answers files and profiles (`[role]` table).
    pub key: &'static str,
    /// Halo's field on `NHD_Roles` (empty: Halo has none, the attribute is ours or manual).
    #[allow(
        dead_code,
        reason = "the table's record of Halo's field; tests hold it to the evidence"
    )]
    pub halo: &'static str,
    /// The field's label in Halo's web UI (manual steps, fixes).
    pub ui: &'static str,
    /// How a read-back difference names it.
    pub words: &'static str,
    /// The wizard's label (empty: not one field of the Role step).
    pub prompt: &'static str,
    /// Where the wizard asks it on the Role step.
    pub ask: u8,
    pub value: Value,
    pub compare: Compare,
    #[allow(
        dead_code,
        reason = "which check row judges it; the table tests read it"
    )]
    pub audit: Audit,
    /// Puts the answer into the role Halo gets.
    pub build: fn(&Want<'_>, &mut Role),
    /// Halo's value as compared and shown.
    pub found: fn(&Role) -> String,
}

impl Attr {
    /// The answers-file key with its table, e.g. `role.name`.
    pub(crate) fn path(&self) -> String {
        format!("role.{}", self.key)
    }

    /// The manual step that sets a text or a flag on Halo's form (`None` for the others: the
    /// plan writes the claims' steps, and [`Value::Manual`] is a list).
    pub(crate) fn step(&self, want: &Role, a: &RoleAnswers) -> Option<String> {
        match self.value {
            Value::Text { .. } => Some(format!(
                "{} = '{}'",
                self.ui,
                (self.found)(want).replace('\n', " ")
            )),
            Value::Flag { get, .. } => Some(format!(
                "{} = {}",
                self.ui,
                if get(a) { "Yes" } else { "No" }
            )),
            Value::Mode | Value::Claims | Value::Manual => None,
        }
    }
}

/// The rows the wizard's Role step asks as a field of their own (texts and flags), in its
/// order.
pub(crate) fn asked() -> Vec<(usize, &'static Attr)> {
    let mut v: Vec<_> = ROWS
        .iter()
        .enumerate()
        .filter(|(_, r)| matches!(r.value, Value::Text { .. } | Value::Flag { .. }))
        .collect();
    v.sort_by_key(|(_, r)| r.ask);
    v
}

/// The index of the row with this key (at compile time; a key the table lacks fails the
/// build).
pub(crate) const fn index_of(key: &str) -> usize {
    let mut i = 0;
    while i < ROWS.len() {
        if super::agent::same(ROWS[i].key.as_bytes(), key.as_bytes()) {
            return i;
        }
        i += 1;
    }
    panic!("no such role attribute")
}

/// The row with this key.
#[cfg(test)]
pub(crate) fn row(key: &str) -> Option<&'static Attr> {
    ROWS.iter().find(|r| r.key == key)
}

/// The notes Halo gets: the answers' notes with this setup's marker (how a later run knows
/// the role is ours, `plan::ownership`).
pub(crate) fn with_marker(text: &str, marker: &str) -> String {
    let t = text.trim();
    if marker.is_empty() || t.contains(marker) {
        t.to_string()
    } else if t.is_empty() {
        format!("Created by halo-onboard {marker}")
    } else {
        format!("{t}\n{marker}")
    }
}

/// The label of the administrator switch on Halo's role form (its claim in
/// `dialect::claims`; a test holds the two together).
const ADMIN_UI: &str = "Permissions > General: Is a HaloPSA Administrator";

/// The role's attributes, in the order of Halo's form.
pub(crate) const ROWS: &[Attr] = &[
    Attr {
        key: "mode",
        halo: "",
        ui: "",
        words: "mode",
        prompt: "Role",
        ask: 0,
        value: Value::Mode,
        compare: Compare::No,
        audit: Audit::No,
        build: |_, _| {},
        found: |_| String::new(),
    },
    Attr {
        key: "name",
        halo: halo::NAME,
        ui: "Name",
        words: "name",
        prompt: "Role name",
        ask: 1,
        value: Value::Text {
            get: |r| &r.name,
            slot: |r| &mut r.name,
            rule: |v| columns::check(columns::ROLE_NAME, v),
            required: true,
            hint: "e.g. Vendor API",
            label: columns::ROLE_NAME.label,
            multiline: false,
        },
        compare: Compare::Quoted,
        audit: Audit::No,
        build: |w, r| r.name = w.answers.name.trim().into(),
        found: |r| r.name.clone(),
    },
    Attr {
        key: "notes",
        halo: halo::NOTES,
        ui: "Notes",
        words: "notes",
        prompt: "Notes",
        ask: 2,
        value: Value::Text {
            get: |r| &r.notes,
            slot: |r| &mut r.notes,
            rule: columns::at_most_1000,
            required: false,
            hint: "",
            label: "Notes",
            multiline: true,
        },
        compare: Compare::Marker,
        audit: Audit::No,
        build: |w, r| r.notes = with_marker(&w.answers.notes, w.marker),
        found: |r| r.notes.clone(),
    },
    Attr {
        key: "administrator",
        halo: halo::CLAIMS,
        ui: ADMIN_UI,
        words: "administrator",
        prompt: "Is a HaloPSA Administrator",
        ask: 3,
        value: Value::Flag {
            get: |r| r.permissions.admin(),
            flip: |r| {
                let on = r.permissions.admin();
                r.permissions.set_admin(!on);
            },
        },
        // One of the claims: compared and built with them.
        compare: Compare::No,
        audit: Audit::Admin,
        build: |_, _| {},
        found: |r| {
            crate::halo::dialect::claims::Permissions::from_claims(&r.claims)
                .admin()
                .to_string()
        },
    },
    Attr {
        key: "access",
        halo: halo::CLAIMS,
        ui: "Permissions",
        words: "permission",
        prompt: "",
        ask: 4,
        value: Value::Claims,
        compare: Compare::Claims,
        audit: Audit::Permissions,
        build: |w, r| r.claims = w.claims.to_vec(),
        found: |_| String::new(),
    },
    Attr {
        key: "other_permissions",
        halo: "",
        ui: "Permissions",
        words: "other permissions",
        prompt: "",
        ask: 5,
        value: Value::Manual,
        compare: Compare::No,
        audit: Audit::No,
        build: |_, _| {},
        found: |_| String::new(),
    },
];

/// The keys of a `[role]` table besides the rows: `settings` is written beside `access`
/// (both are the claims row), `reuse` is a profile's.
#[cfg(test)]
pub(crate) const ALSO: [&str; 2] = ["settings", "reuse"];

#[cfg(test)]
mod tests {
    use super::*;
    use crate::halo::dialect::claims;
    use crate::halo::dialect::fields::Schema;

    #[test]
    fn every_row_is_a_field_of_halos_role_and_keys_are_unique() {
        for r in ROWS {
            assert!(
                r.halo.is_empty() || Schema::Role.has(r.halo),
                "{}: no NHD_Roles.{}",
                r.key,
                r.halo
            );
            assert_eq!(ROWS.iter().filter(|x| x.key == r.key).count(), 1);
        }
        let d = claims::by_code(claims::ADMIN).expect("the administrator claim");
        assert_eq!(
            ADMIN_UI,
            format!("Permissions > {}: {}", d.group.label(), d.label)
        );
    }

    /// The wire and the table agree: every key a `[role]` table holds is a row or one of
    /// [`ALSO`]; answers and profiles read the one wire.
    #[test]
    fn the_wire_keys_are_the_rows() {
        let mut a = RoleAnswers::default();
        a.permissions.set_admin(true);
        a.permissions.set_labels("tickets", "Read Only").unwrap();
        a.permissions.set_labels("add_tickets", "Yes").unwrap();
        a.other_permissions = vec!["x".into()];
        let v = toml::Table::try_from(a.clone()).unwrap();
        for k in v.keys() {
            assert!(row(k).is_some() || ALSO.contains(&k.as_str()), "role.{k}");
        }
        let back: RoleAnswers = toml::from_str(&toml::to_string(&a).unwrap()).unwrap();
        assert_eq!(back, a);
        let e = toml::from_str::<RoleAnswers>("reuse = 'Administrator'").unwrap_err();
        assert!(e.to_string().contains("role.reuse"), "{e}");
        let e = toml::from_str::<RoleAnswers>("nmae = 'x'").unwrap_err();
        assert!(e.to_string().contains("nmae"), "{e}");
    }

    /// Every row builds what it reads back, and the texts and flags have their manual step.
    #[test]
    fn each_row_builds_and_has_a_step() {
        let mut a = RoleAnswers {
            name: " R ".into(),
            notes: "n".into(),
            ..RoleAnswers::default()
        };
        a.permissions.set_admin(true);
        let claims = a.permissions.claims();
        let want = Want {
            answers: &a,
            marker: "[m]",
            claims: &claims,
        };
        let mut r = Role::default();
        for row in ROWS {
            (row.build)(&want, &mut r);
        }
        assert_eq!((r.name.as_str(), r.notes.as_str()), ("R", "n\n[m]"));
        assert_eq!((row("administrator").unwrap().found)(&r), "true");
        for row in asked().into_iter().map(|(_, x)| x) {
            let step = row.step(&r, &a).unwrap();
            assert!(step.starts_with(row.ui), "{step}");
        }
    }
}
