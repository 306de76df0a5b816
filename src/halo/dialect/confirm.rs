//! Does this Halo speak the dialect? Before any role claim is written, the roles are read with
//! their details (`GET /api/Roles/{id}?includedetails=true&isconfig=true`, the built-in
//! Administrator at least) and the tool's assumptions are checked against what they carry:
//! `SA`=`true` on the administrator role, area codes present, values on each area's scale, and
//! none of the older long claim names.
//!
//! Two levels. Whether the instance speaks today's codes at all (area codes such as `Tx` seen
//! on its roles): if not, no claim is written and every permission is a manual step. If it
//! does, each code is judged on its own ([`Vocabulary::writable`]): a code this Halo stores
//! under an older long name (an upgraded instance whose Administrator role still carries
//! `Administration`), or with values off every scale the evidence knows, goes to the manual
//! steps alone — `SA` too, when the administrator role does not show `SA`=`true`; one stored on
//! another known scale (`l0` as 0/1) is written on that scale; the rest is written. One unknown
//! never holds back every claim.

use std::collections::{BTreeMap, BTreeSet};

use crate::evidence;
use crate::halo::model::Role;

use super::claims::{self, ADMIN, TRUE};
use super::error::DialectError;

/// The name of Halo's built-in administrator role.
pub(crate) const ADMINISTRATOR_ROLE: &str = "Administrator";

/// One assumption the tool makes about Halo, and whether this instance bears it out.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Assumption {
    /// Short id, e.g. `admin-role-sa`.
    pub id: &'static str,
    /// What the tool assumes, in plain words.
    pub what: String,
    /// This instance bears the assumption out (false: it disagrees, and the tool falls back).
    pub holds: bool,
    /// What was seen (claim codes and counts only; never names of people).
    pub evidence: String,
    /// How sure halo-onboard is of the assumption before this instance was asked, as
    /// `evidence/` marks it: `C` confirmed by the source, `I` inferred, `W` weak.
    pub confidence: &'static str,
    /// Where the assumption comes from (an `evidence/` file and its source).
    pub source: &'static str,
}

/// The claim vocabulary one instance showed.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct Vocabulary {
    /// Claim type → number of roles carrying it.
    pub codes: BTreeMap<String, usize>,
    /// Roles whose details were read.
    pub roles_read: usize,
    /// The assumptions checked against this instance, with their verdicts.
    pub assumptions: Vec<Assumption>,
    /// Codes this instance stores on their other scale (`l0` as 0/1).
    pub alt_scale: BTreeSet<String>,
    /// Codes this instance does not confirm, with why (older long name, values off scale).
    pub unconfirmed: BTreeMap<String, String>,
}

/// Source of the claim assumptions.
const CLAIMS_SOURCE: &str = "evidence/claims.toml (a Halo SQL report decoding NHD_RoleClaims, public code index file 32467830402)";

impl Vocabulary {
    /// This instance speaks today's claim codes at all: area codes are in use on its roles.
    /// Without it no claim is written. (`SA` on its own is judged like every other code.)
    pub fn speaks(&self) -> bool {
        self.assumptions
            .iter()
            .any(|a| a.id == "area-codes" && a.holds)
    }

    /// Every assumption holds (nothing goes to the manual steps for the vocabulary's sake).
    pub fn confirmed(&self) -> bool {
        !self.assumptions.is_empty() && self.assumptions.iter().all(|a| a.holds)
    }

    /// The first assumption that fails.
    pub fn failed(&self) -> Option<&Assumption> {
        self.assumptions.iter().find(|a| !a.holds)
    }

    /// May `code` be written on this instance? `Err` says why not, in plain words.
    pub fn writable(&self, code: &str) -> std::result::Result<(), DialectError> {
        if !self.speaks() {
            return Err(DialectError::NotSpoken(
                self.disagreement().unwrap_or_default(),
            ));
        }
        match self.unconfirmed.get(code) {
            Some(why) => Err(DialectError::Unconfirmed {
                code: code.to_string(),
                why: why.clone(),
            }),
            None => Ok(()),
        }
    }

    /// Plain words for the plan when the instance does not speak today's codes at all.
    pub fn disagreement(&self) -> Option<String> {
        if self.speaks() {
            return None;
        }
        let f = self
            .assumptions
            .iter()
            .find(|a| !a.holds && ["admin-role-sa", "area-codes"].contains(&a.id))?;
        Some(format!(
            "this Halo does not confirm halo-onboard's permission codes ({}: {}), so the role's permissions are not written by the API; set them by hand as listed, then verification decides",
            f.what, f.evidence
        ))
    }

    /// One line for the connect log: what was confirmed, what goes to manual steps.
    pub fn summary(&self) -> String {
        match self.disagreement() {
            Some(why) => why,
            None if self.unconfirmed.is_empty() => format!(
                "Halo's permission codes confirmed on {} role(s) (SA, area levels)",
                self.roles_read
            ),
            None => format!(
                "Halo's permission codes confirmed on {} role(s), except {} (set by hand where a setup needs them)",
                self.roles_read,
                self.unconfirmed
                    .iter()
                    .map(|(c, why)| format!("{c}: {why}"))
                    .collect::<Vec<_>>()
                    .join("; ")
            ),
        }
    }
}

fn list(items: &[String], max: usize) -> String {
    let mut s = items
        .iter()
        .take(max)
        .cloned()
        .collect::<Vec<_>>()
        .join(", ");
    if items.len() > max {
        s.push_str(&format!(" and {} more", items.len() - max));
    }
    s
}

/// Checks the roles (with their claims) against the dialect: the codes they carry, then one
/// assumption after another (each may leave codes unconfirmed, never all of them).
pub(crate) fn confirm(roles: &[Role]) -> Vocabulary {
    let mut v = Vocabulary::default();
    let with_claims: Vec<&Role> = roles.iter().filter(|r| !r.claims.is_empty()).collect();
    v.roles_read = with_claims.len();
    for r in &with_claims {
        let mut seen: Vec<&str> = r.claims.iter().map(|c| c.claim_type.trim()).collect();
        seen.sort_unstable();
        seen.dedup();
        for c in seen {
            *v.codes.entry(c.to_string()).or_default() += 1;
        }
    }
    admin_role_sa(&mut v, roles, &with_claims);
    area_codes(&mut v);
    scales(&mut v, &with_claims);
    legacy_names(&mut v);
    v
}

/// Whether a role carries `SA`=`true`.
fn sa_true(r: &Role) -> bool {
    r.claims
        .iter()
        .any(|c| c.claim_type.trim() == ADMIN && c.value.trim().eq_ignore_ascii_case(TRUE))
}

/// The administrator role carries `SA`=`true`; if not, `SA` alone waits for a person.
fn admin_role_sa(v: &mut Vocabulary, roles: &[Role], with_claims: &[&Role]) {
    let (holds, evidence) = admin_evidence(roles, with_claims);
    if !holds {
        // Only "Is a HaloPSA Administrator" waits for a person; the other codes are judged
        // on their own.
        v.unconfirmed.insert(
            ADMIN.to_string(),
            format!("this Halo does not show {ADMIN}=true on its administrator role ({evidence})"),
        );
    }
    v.assumptions.push(Assumption {
        id: "admin-role-sa",
        what: format!(
            "the administrator role carries {ADMIN}=true (\"Is a HaloPSA Administrator\")"
        ),
        holds,
        evidence,
        confidence: "C",
        source: CLAIMS_SOURCE,
    });
}

/// What the administrator role (or, without one by that name, any role) shows of `SA`.
fn admin_evidence(roles: &[Role], with_claims: &[&Role]) -> (bool, String) {
    let admin_role = roles
        .iter()
        .find(|r| r.name.trim().eq_ignore_ascii_case(ADMINISTRATOR_ROLE));
    match admin_role {
        Some(r) if sa_true(r) => (
            true,
            format!("role '{ADMINISTRATOR_ROLE}' carries {ADMIN}=true"),
        ),
        Some(r) if r.claims.is_empty() => (
            false,
            format!("role '{ADMINISTRATOR_ROLE}' showed no claims when read with its details"),
        ),
        Some(r) => {
            let types: Vec<String> = r
                .claims
                .iter()
                .map(|c| format!("{}={}", c.claim_type.trim(), c.value.trim()))
                .collect();
            (
                false,
                format!(
                    "role '{ADMINISTRATOR_ROLE}' carries {} but not {ADMIN}=true",
                    list(&types, 4)
                ),
            )
        }
        None => match with_claims.iter().find(|r| sa_true(r)) {
            Some(_) => (
                true,
                format!("a role carries {ADMIN}=true (no role is named '{ADMINISTRATOR_ROLE}')"),
            ),
            None => (
                false,
                format!("no role named '{ADMINISTRATOR_ROLE}' and no role with {ADMIN}=true"),
            ),
        },
    }
}

/// Feature Access levels are stored as today's area codes (without them no claim is written).
fn area_codes(v: &mut Vocabulary) {
    let area_codes: Vec<String> = claims::areas()
        .filter_map(|a| {
            v.codes
                .get(a.code)
                .map(|n| format!("{} on {n} role(s)", a.code))
        })
        .collect();
    v.assumptions.push(Assumption {
        id: "area-codes",
        what: "Feature Access levels are stored as area codes (Tx, Ux, …)".into(),
        holds: !area_codes.is_empty(),
        evidence: if area_codes.is_empty() {
            format!("no area code on the {} role(s) read", v.roles_read)
        } else {
            list(&area_codes, 6)
        },
        confidence: "C",
        source: CLAIMS_SOURCE,
    });
}

/// Where each known code's values lie: on its scale, on its other known scale, or off both.
#[derive(Default)]
struct Scales<'a> {
    /// Code → the values seen off every scale it has.
    off: BTreeMap<&'a str, Vec<String>>,
    on_main: BTreeSet<&'a str>,
    on_alt: BTreeSet<&'a str>,
}

fn classify_values(with_claims: &[&Role]) -> Scales<'static> {
    let mut s = Scales::default();
    for r in with_claims {
        for c in &r.claims {
            let Some(def) = claims::by_code(c.claim_type.trim()) else {
                continue;
            };
            let value = c.value.trim();
            if def
                .scale
                .iter()
                .any(|l| l.value.eq_ignore_ascii_case(value))
            {
                s.on_main.insert(def.code);
            } else if def.level(value).is_some() {
                s.on_alt.insert(def.code);
            } else {
                let seen = s.off.entry(def.code).or_default();
                if !seen.iter().any(|x| x == value) {
                    seen.push(value.to_string());
                }
            }
        }
    }
    s
}

/// Each code's values: on its scale, on its other known scale (written there), or off
/// every scale (that code alone goes to the manual steps).
fn scales(v: &mut Vocabulary, with_claims: &[&Role]) {
    let Scales {
        off: off_scale,
        on_main,
        on_alt,
    } = classify_values(with_claims);
    for (code, values) in &off_scale {
        v.unconfirmed.insert(
            (*code).to_string(),
            format!(
                "this Halo shows {code} with {} (off the scale halo-onboard knows for it)",
                values
                    .iter()
                    .map(|x| format!("{code}={x}"))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        );
    }
    for code in on_alt.iter().filter(|c| !on_main.contains(*c)) {
        v.alt_scale.insert((*code).to_string());
    }
    let off: Vec<String> = off_scale
        .iter()
        .flat_map(|(code, vals)| vals.iter().map(move |x| format!("{code}={x}")))
        .collect();
    let alt: Vec<String> = v.alt_scale.iter().cloned().collect();
    v.assumptions.push(Assumption {
        id: "scales",
        what: "each area's values lie on its own scale (e.g. Tickets 0-2, Clients 0-3)".into(),
        holds: off.is_empty(),
        evidence: match (off.is_empty(), alt.is_empty()) {
            (true, true) => "every known code's value is on its scale".into(),
            (true, false) => format!(
                "every known code's value is on a scale halo-onboard knows; on their other scale: {} (written there)",
                alt.join(", ")
            ),
            (false, _) => format!(
                "off-scale values: {} (those codes only are left to manual steps)",
                list(&off, 5)
            ),
        },
        confidence: "C",
        source: CLAIMS_SOURCE,
    });
}

/// Older long names: the code they stand for is unconfirmed unless this Halo also shows
/// today's code on some role (then it accepts it).
fn legacy_names(v: &mut Vocabulary) {
    let mut legacy = Vec::new();
    for (long, short) in &evidence::claims().legacy {
        if !v.codes.contains_key(long.as_str()) {
            continue;
        }
        legacy.push(format!("{long} (today {short})"));
        if !v.codes.contains_key(short.as_str()) {
            v.unconfirmed
                .entry(short.clone())
                .or_insert_with(|| format!("this Halo stores it under the older name {long}"));
        }
    }
    v.assumptions.push(Assumption {
        id: "no-legacy-names",
        what: "claims use today's short codes, not the older long names".into(),
        holds: legacy.is_empty(),
        evidence: if legacy.is_empty() {
            "no older long claim name seen".into()
        } else {
            format!(
                "older names seen: {} (only the settings stored under them are left to manual steps)",
                list(&legacy, 4)
            )
        },
        confidence: "C",
        source: CLAIMS_SOURCE,
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::halo::model::Claim;

    fn role(name: &str, claims: &[(&str, &str)]) -> Role {
        Role {
            id: Some(name.to_lowercase()),
            name: name.into(),
            claims: claims
                .iter()
                .map(|(t, v)| Claim {
                    claim_type: (*t).into(),
                    value: (*v).into(),
                })
                .collect(),
            ..Role::default()
        }
    }

    #[test]
    fn todays_codes_are_confirmed() {
        let v = confirm(&[
            role("Administrator", &[("SA", "true")]),
            role("1st Line Support", &[("Tx", "2"), ("Ux", "2"), ("l6", "1")]),
        ]);
        assert!(v.confirmed(), "{:?}", v.assumptions);
        assert_eq!(v.codes.get("Tx"), Some(&1));
        assert!(v.disagreement().is_none());
    }

    #[test]
    fn long_names_and_missing_sa_disagree_in_plain_words() {
        let v = confirm(&[
            role("Administrator", &[("Administration", "true")]),
            role(
                "1st Line Support",
                &[("Ticket_Level", "2"), ("Can_Log_Tickets", "1")],
            ),
        ]);
        assert!(!v.confirmed() && !v.speaks());
        assert_eq!(v.failed().unwrap().id, "admin-role-sa");
        let d = v.disagreement().unwrap();
        assert!(
            d.contains("Administration=true") && d.contains("set them by hand"),
            "{d}"
        );
        assert!(
            v.assumptions
                .iter()
                .any(|a| a.id == "no-legacy-names" && !a.holds)
        );
    }

    /// An upgraded instance: the Administrator role still carries the older `Administration`
    /// while the other roles use today's codes. Only "Is a HaloPSA Administrator" goes to the
    /// manual steps; the area levels and switches are written.
    #[test]
    fn a_long_name_on_the_administrator_role_holds_back_sa_alone() {
        let v = confirm(&[
            role("Administrator", &[("Administration", "true")]),
            role("1st Line Support", &[("Tx", "2"), ("Ux", "2"), ("l6", "1")]),
        ]);
        assert!(v.speaks(), "today's area codes are in use");
        assert!(v.disagreement().is_none());
        let why = v.writable("SA").unwrap_err().to_string();
        assert!(why.contains("Administration=true"), "{why}");
        for code in ["Tx", "Ux", "l6", "l8"] {
            assert!(v.writable(code).is_ok(), "{code}");
        }
    }

    #[test]
    fn off_scale_values_and_unread_roles_disagree() {
        let v = confirm(&[role("Administrator", &[("SA", "true"), ("Tx", "7")])]);
        assert_eq!(v.failed().unwrap().id, "scales");
        let v = confirm(&[role("Administrator", &[])]);
        assert!(!v.confirmed() && !v.speaks());
    }

    /// One unknown never holds back every claim: a mixed instance (a long name for tickets,
    /// today's codes elsewhere), an off-scale value and `l0` on its 0/1 scale each affect only
    /// their own code.
    #[test]
    fn each_code_is_judged_on_its_own() {
        let v = confirm(&[
            role("Administrator", &[("SA", "true")]),
            role(
                "1st Line Support",
                &[("Ticket_Level", "2"), ("Ux", "2"), ("l0", "1"), ("Dx", "9")],
            ),
        ]);
        assert!(v.speaks(), "{:?}", v.assumptions);
        assert!(!v.confirmed());
        let why = v.writable("Tx").unwrap_err().to_string();
        assert!(why.contains("Ticket_Level"), "{why}");
        assert!(v.writable("Dx").unwrap_err().to_string().contains("Dx=9"));
        assert!(v.writable("Ux").is_ok() && v.writable("l6").is_ok());
        assert!(v.writable("l0").is_ok() && v.alt_scale.contains("l0"));
        assert!(v.disagreement().is_none());
        assert!(v.summary().contains("except"), "{}", v.summary());
        // Today's code beside the long name: this Halo accepts it.
        let v = confirm(&[
            role("Administrator", &[("SA", "true")]),
            role("A", &[("Ticket_Level", "2")]),
            role("B", &[("Tx", "1")]),
        ]);
        assert!(v.writable("Tx").is_ok());
        for a in &v.assumptions {
            assert!(["C", "I", "W"].contains(&a.confidence) && !a.source.is_empty());
        }
    }
}
