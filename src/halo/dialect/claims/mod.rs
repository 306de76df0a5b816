//! Role permissions in Halo's own claim codes (`NHD_RoleClaims`, `shared/reference/halo-api.md`
//! §3.2a): `SA` "Is a Halo Administrator", per-area access levels (`Tx`, `Ux`, …) each on its
//! own scale with the labels Halo's UI shows, the ticket switches (`l6`, `l8`, …), appointment
//! settings and the "allow all" restrictions (`Ft`, `Fc`, `Fa`, `Ff`).
//!
//! Evidence: public Halo SQL reports that decode `NHD_RoleClaims.ClaimType/ClaimValue` into
//! the UI's labels (several independent ones; e.g. code index file 32467830402, a "role
//! permissions" report that also maps the older long claim names such as `Ticket_Level` and
//! `Can_Log_Tickets` onto today's `Tx` and `l6` — see [`LEGACY_NAMES`]). The API's
//! `claims:[{type,value}]` is that table, so the API carries these raw codes [I, strong];
//! halo-onboard confirms it on every instance before writing (see `dialect::confirm`).

use std::collections::BTreeMap;

use super::error::DialectError;
use crate::halo::model::{Claim, Role};

mod table;

pub use table::*;

/// Today's code for an older long claim name (`Ticket_Level` → `Tx`), from the evidence's full
/// table (`evidence/claims.toml` `[legacy]`).
pub fn legacy_code(long: &str) -> Option<&'static str> {
    crate::evidence::claims().legacy_code(long)
}

/// The claim with this Halo code.
pub fn by_code(code: &str) -> Option<&'static ClaimDef> {
    CLAIMS.iter().find(|c| c.code == code)
}

/// A claim by its key or its UI label (case and punctuation ignored).
pub fn by_key(key: &str) -> Option<&'static ClaimDef> {
    CLAIMS
        .iter()
        .find(|c| c.key == key || same_words(c.key, key) || same_words(c.label, key))
}

/// The Feature Access areas.
pub fn areas() -> impl Iterator<Item = &'static ClaimDef> {
    CLAIMS.iter().filter(|c| c.group == Group::FeatureAccess)
}

/// Everything but the administrator flag and the areas (ticket switches, appointments,
/// restrictions, other rights).
pub fn settings() -> impl Iterator<Item = &'static ClaimDef> {
    CLAIMS
        .iter()
        .filter(|c| c.code != ADMIN && c.group != Group::FeatureAccess)
}

/// The area whose access backs the API scope area `scope_area` (e.g. `customers` → Clients).
pub fn area_for_scope(scope_area: &str) -> Option<&'static ClaimDef> {
    areas().find(|a| a.scope_area == Some(scope_area))
}

fn keys<'a>(defs: impl Iterator<Item = &'a ClaimDef>) -> String {
    defs.map(|d| d.key).collect::<Vec<_>>().join(", ")
}

/// Letters and digits only, lower case: "Read and Modify (Own)" → "readandmodifyown".
fn norm(s: &str) -> String {
    norm_chars(s).collect()
}

fn norm_chars(s: &str) -> impl Iterator<Item = char> + '_ {
    s.chars()
        .filter(char::is_ascii_alphanumeric)
        .map(|c| c.to_ascii_lowercase())
}

/// `norm(a) == norm(b)` without building either: every lookup compares against each claim
/// and label, and an apply looks up many (it showed in profiles of a batch).
fn same_words(a: &str, b: &str) -> bool {
    norm_chars(a).eq(norm_chars(b))
}

impl ClaimDef {
    /// The level with this stored value.
    /// The level with this stored value, on the claim's scale or its other one.
    pub fn level(&self, value: &str) -> Option<&'static Level> {
        self.scale
            .iter()
            .chain(self.alt_scale.unwrap_or_default())
            .find(|l| l.value.eq_ignore_ascii_case(value.trim()))
    }

    /// The value meaning `level` on the other scale (`l0`: `true` → `1`), for an instance
    /// that stores this claim there.
    pub fn on_alt_scale(&self, level: &Level) -> Option<&'static Level> {
        let alt = self.alt_scale?;
        let i = self.scale.iter().position(|l| l.value == level.value)?;
        alt.get(i).filter(|l| l.grade == level.grade)
    }

    /// A level by its UI label, its stored value, or (for Yes/No settings) a boolean word.
    pub fn parse(&self, input: &str) -> Result<&'static Level, DialectError> {
        let n = norm(input);
        let yes_no = self.is_yes_no();
        let boolean = match n.as_str() {
            "true" | "yes" => Some(true),
            "false" | "no" => Some(false),
            _ => None,
        };
        if let (true, Some(b)) = (yes_no, boolean) {
            return Ok(&self.scale[usize::from(b)]);
        }
        self.scale
            .iter()
            .find(|l| same_words(l.label, input) || l.value.eq_ignore_ascii_case(input.trim()))
            .ok_or_else(|| {
                let labels: Vec<String> = self
                    .scale
                    .iter()
                    .map(|l| format!("\"{}\"", l.label))
                    .collect();
                DialectError::NotALevel {
                    input: input.to_string(),
                    area: self.label,
                    labels: labels.join(", "),
                }
            })
    }

    /// A switch: two levels, off then on (Yes/No, true/false, "Cannot …"/"Can …").
    pub fn is_yes_no(&self) -> bool {
        matches!(self.scale, [off, on] if off.grade == Grade::None && on.grade == Grade::Modify)
    }
}

/// A role's permissions in Halo's vocabulary: the value of each claim that is set (a claim
/// not in the map is "Not set"). Serialised for answers, journals and profiles as
/// `administrator`, `access` (area key → level label) and `settings` (key → level label).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Permissions {
    values: BTreeMap<&'static str, &'static str>,
}

impl Role {
    /// The role's permissions in Halo's vocabulary (unknown codes ignored).
    pub fn permissions(&self) -> Permissions {
        Permissions::from_claims(&self.claims)
    }
    /// "Is a HaloPSA Administrator" (`SA`=`true`).
    pub fn is_admin(&self) -> bool {
        self.permissions().admin()
    }
}

impl Permissions {
    /// No claim is set: a role with no permissions at all.
    pub fn is_empty(&self) -> bool {
        self.values.is_empty()
    }

    /// "Is a HaloPSA Administrator" is set (`SA`=`true`).
    pub fn admin(&self) -> bool {
        self.values.get(ADMIN) == Some(&TRUE)
    }

    /// Sets or clears "Is a HaloPSA Administrator" (`SA`); off leaves `SA` Not set.
    pub fn set_admin(&mut self, on: bool) {
        if on {
            self.values.insert(ADMIN, TRUE);
        } else {
            self.values.remove(ADMIN);
        }
    }

    /// The level set for a claim code.
    pub fn get(&self, code: &str) -> Option<&'static Level> {
        let v = self.values.get(code)?;
        by_code(code)?.level(v)
    }

    /// Sets a claim to one of its levels (`None` = Not set).
    pub fn set(&mut self, def: &'static ClaimDef, level: Option<&'static Level>) {
        match level {
            Some(l) => {
                self.values.insert(def.code, l.value);
            }
            None => {
                self.values.remove(def.code);
            }
        }
    }

    /// Sets a claim from a key or UI label and a level label (as profiles and answers say it).
    pub fn set_labels(&mut self, key: &str, level: &str) -> Result<(), DialectError> {
        let def = by_key(key).ok_or_else(|| DialectError::UnknownPermission {
            key: key.to_string(),
            areas: keys(areas()),
            settings: keys(settings()),
        })?;
        if norm(level) == "notset" {
            self.set(def, None);
            return Ok(());
        }
        let lvl = def.parse(level)?;
        self.set(def, Some(lvl));
        Ok(())
    }

    /// The claims to write, in the order of [`CLAIMS`].
    pub fn claims(&self) -> Vec<Claim> {
        CLAIMS
            .iter()
            .filter_map(|d| {
                self.values.get(d.code).map(|v| Claim {
                    claim_type: d.code.into(),
                    value: (*v).into(),
                })
            })
            .collect()
    }

    /// What a role or agent holds, from the claims Halo shows. Unknown claim types and values
    /// off their scale are ignored (they grant nothing halo-onboard relies on).
    pub fn from_claims(claims: &[Claim]) -> Self {
        let mut p = Self::default();
        for c in claims {
            if let Some(def) = by_code(c.claim_type.trim())
                && let Some(l) = def.level(&c.value)
            {
                p.values.insert(def.code, l.value);
            }
        }
        p
    }

    /// The best of two permission sets per claim (an agent holds the union of its roles' and
    /// its own claims).
    pub fn merge(&mut self, other: &Permissions) {
        for (code, v) in &other.values {
            let better = match (self.get(code), by_code(code).and_then(|d| d.level(v))) {
                (Some(mine), Some(theirs)) => theirs.grade > mine.grade,
                _ => true,
            };
            if better {
                self.values.insert(code, v);
            }
        }
    }

    /// What the role allows on an area (an administrator has every area).
    pub fn grade(&self, code: &str) -> Grade {
        if self.admin() {
            return Grade::Modify;
        }
        self.get(code).map(|l| l.grade).unwrap_or_default()
    }

    /// What the role allows on the Halo area behind an API scope area (Clients for
    /// `customers`: the list the scope's endpoints show).
    pub fn grade_for_scope(&self, scope_area: &str) -> Grade {
        area_for_scope(scope_area)
            .map(|a| self.grade(a.code))
            .unwrap_or_default()
    }

    /// A Yes/No setting is on (administrators have every switch).
    pub fn allows(&self, code: &str) -> bool {
        self.admin() || self.get(code).is_some_and(|l| l.grade > Grade::None)
    }

    /// `(claim, level)` for every claim set, in [`CLAIMS`] order.
    pub fn entries(&self) -> Vec<(&'static ClaimDef, &'static Level)> {
        CLAIMS
            .iter()
            .filter_map(|d| self.get(d.code).map(|l| (d, l)))
            .collect()
    }

    /// The claim codes that are set.
    pub fn codes(&self) -> Vec<&'static str> {
        self.entries().into_iter().map(|(d, _)| d.code).collect()
    }

    /// Old answers and profiles (before halo-onboard spoke Halo's codes) said `is_admin` and
    /// `features = { area = "none|read|edit" }` keyed by API scope area: mapped onto today's
    /// areas and levels so those files still load.
    pub fn add_legacy(
        &mut self,
        is_admin: bool,
        features: &BTreeMap<String, String>,
    ) -> Result<(), DialectError> {
        if is_admin {
            self.set_admin(true);
        }
        for (scope_area, level) in features {
            let grade = match norm(level).as_str() {
                "none" | "noaccess" | "notset" => continue,
                "read" | "readonly" | "ro" => Grade::Read,
                "edit" | "readandmodify" | "rm" | "randm" => Grade::Modify,
                _ => {
                    return Err(DialectError::LegacyLevel {
                        scope_area: scope_area.clone(),
                        level: level.clone(),
                    });
                }
            };
            let defs: Vec<&ClaimDef> = areas()
                .filter(|a| a.scope_area == Some(scope_area.as_str()))
                .collect();
            if defs.is_empty() {
                return Err(DialectError::LegacyArea {
                    scope_area: scope_area.clone(),
                    areas: keys(areas()),
                });
            }
            for def in defs {
                // The lowest level of that grade (Read Only, not "Read and Send").
                if let Some(lvl) = def.scale.iter().find(|l| l.grade == grade) {
                    self.set(def, Some(lvl));
                }
            }
        }
        Ok(())
    }
}

/// How permissions are written in TOML and JSON: `administrator`, then the areas and settings
/// by key with Halo's level labels.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(default)]
pub struct PermissionsWire {
    /// "Is a HaloPSA Administrator"; omitted when false.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub administrator: bool,
    /// Feature Access levels by area key (`tickets`, `assets`, ...), each one of Halo's labels.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub access: BTreeMap<String, LevelText>,
    /// Every other setting by key (`add_tickets`, ...), each a label or a boolean for Yes/No.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub settings: BTreeMap<String, LevelText>,
}

/// A level as a file writes it: a label ("Read Only", "Yes") or a boolean for Yes/No settings.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(untagged)]
pub enum LevelText {
    /// A Yes/No setting as `true` or `false`.
    Bool(bool),
    /// A level's label ("Read Only") or its stored value (`2`), matched case-insensitively.
    Text(String),
}

impl LevelText {
    fn text(&self) -> String {
        match self {
            Self::Bool(b) => b.to_string(),
            Self::Text(t) => t.clone(),
        }
    }
}

impl PermissionsWire {
    /// The typed permissions; a key or label not in Halo's vocabulary is an error naming it.
    pub fn parse(&self) -> Result<Permissions, DialectError> {
        let mut p = Permissions::default();
        p.set_admin(self.administrator);
        let at = |place: String| {
            move |e| DialectError::At {
                place,
                problem: Box::new(e),
            }
        };
        for (key, level) in &self.access {
            match by_key(key) {
                Some(d) if d.group == Group::FeatureAccess => {}
                _ => {
                    return Err(DialectError::NotAnArea {
                        key: key.clone(),
                        areas: keys(areas()),
                    });
                }
            }
            p.set_labels(key, &level.text())
                .map_err(at(format!("access.{key}")))?;
        }
        for (key, level) in &self.settings {
            match by_key(key) {
                Some(d) if d.group != Group::FeatureAccess && d.code != ADMIN => {}
                _ => {
                    return Err(DialectError::NotASetting {
                        key: key.clone(),
                        settings: keys(settings()),
                    });
                }
            }
            p.set_labels(key, &level.text())
                .map_err(at(format!("settings.{key}")))?;
        }
        Ok(p)
    }

    /// [`PermissionsWire::parse`], plus the pre-dialect `is_admin` / `features` spellings of
    /// older answers, journals and profiles (see [`Permissions::add_legacy`]).
    pub fn parse_with_legacy(
        &self,
        is_admin: bool,
        features: &BTreeMap<String, String>,
    ) -> Result<Permissions, DialectError> {
        let mut p = self.parse()?;
        p.add_legacy(is_admin, features)?;
        Ok(p)
    }

    /// The file form of `p`, every level written as its label.
    pub fn from_permissions(p: &Permissions) -> Self {
        let mut w = Self {
            administrator: p.admin(),
            ..Self::default()
        };
        for (d, l) in p.entries() {
            if d.code == ADMIN {
                continue;
            }
            let v = LevelText::Text(l.label.to_string());
            if d.group == Group::FeatureAccess {
                w.access.insert(d.key.to_string(), v);
            } else {
                w.settings.insert(d.key.to_string(), v);
            }
        }
        w
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_and_keys_are_unique() {
        for (i, a) in CLAIMS.iter().enumerate() {
            for b in &CLAIMS[i + 1..] {
                assert_ne!(a.code, b.code);
                assert_ne!(a.key, b.key);
            }
            assert!(!a.code.contains(':'));
        }
    }

    #[test]
    fn labels_follow_each_areas_own_scale() {
        let mut p = Permissions::default();
        p.set_labels("tickets", "Read and Modify").unwrap();
        p.set_labels("Clients", "View (Names Only)").unwrap();
        p.set_labels("timesheets", "Read and Modify (Own)").unwrap();
        p.set_labels("add_tickets", "Yes").unwrap();
        p.set_labels("Allow use of all Ticket Types", "true")
            .unwrap();
        let got: Vec<(String, String)> = p
            .claims()
            .into_iter()
            .map(|c| (c.claim_type, c.value))
            .collect();
        let want = [
            ("Tx", "2"),
            ("Ux", "1"),
            ("Hx", "1"),
            ("l6", "1"),
            ("Ft", "1"),
        ];
        assert_eq!(
            got,
            want.map(|(a, b)| (a.to_string(), b.to_string())).to_vec()
        );
        let e = p
            .set_labels("tickets", "View (Names Only)")
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("Tickets takes \"No Access\", \"Read Only\", \"Read and Modify\""),
            "{e}"
        );
        let e = p
            .set_labels("assets", "Read, Modify and Delete")
            .unwrap_err()
            .to_string();
        assert!(e.contains("Read, Modify and Remove"), "{e}");
        assert!(p.set_labels("nope", "Yes").is_err());
    }

    #[test]
    fn admin_and_grades() {
        let mut p = Permissions::default();
        assert_eq!(p.grade_for_scope("tickets"), Grade::None);
        p.set_labels("clients", "View (Names Only)").unwrap();
        assert_eq!(p.grade_for_scope("customers"), Grade::Names);
        p.set_admin(true);
        assert_eq!(p.claims()[0].claim_type, "SA");
        assert_eq!(p.grade_for_scope("tickets"), Grade::Modify);
        let back = Permissions::from_claims(&p.claims());
        assert_eq!(back, p);
    }

    #[test]
    fn legacy_features_map_onto_areas() {
        let mut p = Permissions::default();
        let f: BTreeMap<String, String> = [("tickets", "edit"), ("customers", "read")]
            .map(|(a, b)| (a.to_string(), b.to_string()))
            .into();
        p.add_legacy(true, &f).unwrap();
        assert!(p.admin());
        assert_eq!(p.get("Tx").unwrap().label, "Read and Modify");
        assert_eq!(p.get("Ux").unwrap().label, "Read Only");
        assert_eq!(p.get("Fx").unwrap().label, "Read Only");
        let bad: BTreeMap<String, String> =
            [("tickets".to_string(), "sometimes".to_string())].into();
        assert!(
            p.add_legacy(false, &bad)
                .unwrap_err()
                .to_string()
                .contains("[role.access]")
        );
    }

    #[test]
    fn wire_round_trip_uses_labels() {
        let w: PermissionsWire = toml::from_str(
            "administrator = false\n[access]\ntickets = \"Read and Modify\"\n[settings]\nadd_tickets = true\n",
        )
        .unwrap();
        let p = w.parse().unwrap();
        let back = PermissionsWire::from_permissions(&p);
        assert_eq!(
            back.access["tickets"],
            LevelText::Text("Read and Modify".into())
        );
        assert_eq!(back.settings["add_tickets"], LevelText::Text("Yes".into()));
        assert_eq!(back.parse().unwrap(), p);
    }
}
