//! What an agent may do, read off the role claims the instance understands
//! (`evidence/claims.toml`): the union of the agent's own claims and its roles' claims, each
//! code at the most its values allow.
//!
//! Which claim types an instance understands is its dialect: today's codes, the older long
//! names (`[legacy]` of the claims table), or both. A claim the instance does not understand —
//! an unknown type, or a value off the scale it uses — grants nothing, but it is stored and read
//! back as sent (see `crud`: no source shows Halo refusing a claim type).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::record::Record;
use crate::evidence::{self, Access};

/// Which claim vocabulary the emulated Halo speaks.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "kebab-case")]
pub enum SimDialect {
    /// Today's codes (`SA`, `Tx`, `l6`, …).
    #[default]
    Current,
    /// Only the older long names public role reports still map (`Administration`,
    /// `Ticket_Level`, `Can_Log_Tickets`, …): short codes mean nothing to it.
    Legacy,
    /// Both: the built-in Administrator role in long names, the other roles in codes (an
    /// instance upgraded from an older build).
    Mixed,
    /// Today's codes, with "Editing of own Preferences" (`l0`) on the 0/1 scale the same report
    /// decodes on some instances instead of true/false.
    #[value(name = "l0-numeric")]
    #[serde(rename = "l0-numeric")]
    L0Numeric,
}

impl SimDialect {
    /// Today's code for a claim type this instance understands.
    pub fn code(self, claim_type: &str) -> Option<&'static str> {
        let c = evidence::claims();
        let t = claim_type.trim();
        let short = || c.get(t).map(|cl| cl.code.as_str());
        let long = || c.legacy_code(t);
        match self {
            Self::Current | Self::L0Numeric => short(),
            Self::Legacy => long(),
            Self::Mixed => short().or_else(long),
        }
    }

    /// The levels of the scale this instance uses for `code` (`l0`: 0/1 on an `l0-numeric`
    /// instance, true/false elsewhere).
    fn levels(self, code: &str) -> &'static [evidence::Level] {
        let c = evidence::claims();
        let Some(claim) = c.get(code) else {
            return &[];
        };
        let scale = match (self, claim.alt_scales.first()) {
            (Self::L0Numeric, Some(alt)) => alt,
            _ => &claim.scale,
        };
        c.scales.get(scale).map_or(&[], Vec::as_slice)
    }

    /// What `value` of claim `code` allows on the scale this instance uses for it.
    pub fn access(self, code: &str, value: &str) -> Access {
        self.levels(code)
            .iter()
            .find(|l| l.value == value.trim())
            .map_or(Access::None, |l| l.access)
    }

    /// Does this instance understand the claim `claim_type = value` (a type it speaks, a value
    /// on its scale)?
    pub(crate) fn understands(self, claim_type: &str, value: &str) -> bool {
        self.code(claim_type)
            .is_some_and(|code| self.levels(code).iter().any(|l| l.value == value.trim()))
    }

    /// The claim this instance writes for "code = value" in its own vocabulary (the seed).
    pub fn claim(self, code: &str, value: &str) -> Value {
        let long = || {
            evidence::claims()
                .legacy
                .iter()
                .find(|(_, c)| c.as_str() == code)
                .map(|(l, _)| l.clone())
        };
        let t = match self {
            Self::Legacy => long().unwrap_or_else(|| code.to_string()),
            _ => code.to_string(),
        };
        serde_json::json!({ "type": t, "value": value })
    }
}

/// The type and value of each `{type, value}` claim in a record's `claims`.
pub(crate) fn claim_pairs(r: &Record) -> Vec<(String, String)> {
    r.list("claims")
        .iter()
        .map(|c| {
            let s = |k| {
                c.get(k)
                    .map(|v| v.as_str().map_or_else(|| v.to_string(), str::to_string))
                    .unwrap_or_default()
            };
            (s("type"), s("value"))
        })
        .collect()
}

/// An agent's effective permissions: code → the most any of its claims allows.
#[derive(Debug, Clone, Default)]
pub(crate) struct Perms(BTreeMap<&'static str, Access>);

impl Perms {
    /// Adds the claims of one record (an agent or a role) as `dialect` understands them.
    pub(crate) fn add(&mut self, dialect: SimDialect, r: &Record) {
        for (t, v) in claim_pairs(r) {
            if let Some(code) = dialect.code(&t) {
                let a = dialect.access(code, &v);
                let slot = self.0.entry(code).or_insert(Access::None);
                *slot = (*slot).max(a);
            }
        }
    }

    /// What the agent's claims allow for `code`. An administrator is not held to the other
    /// levels: TopLeft's guide gives its role only "Is a HaloPSA Administrator" and says "the
    /// scopes then restrict it" (shared/reference/vendor-profiles.md row 3) [I].
    pub(crate) fn access(&self, code: &str) -> Access {
        if self.admin() {
            return Access::Modify;
        }
        self.0.get(code).copied().unwrap_or(Access::None)
    }

    /// A switch or level that allows anything ("Yes", "Read Only", …).
    pub(crate) fn allows(&self, code: &str) -> bool {
        self.access(code) > Access::None
    }

    /// "Is a Halo Administrator".
    pub(crate) fn admin(&self) -> bool {
        self.0.get("SA").is_some_and(|a| *a >= Access::Modify)
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn perms(d: SimDialect, claims: Value) -> Perms {
        let mut p = Perms::default();
        p.add(d, &Record::new(json!({ "claims": claims })));
        p
    }

    #[test]
    fn each_dialect_understands_its_own_names() {
        let codes = json!([{"type": "SA", "value": "true"}, {"type": "Tx", "value": "1"}]);
        let long = json!([{"type": "Administration", "value": "true"}]);
        assert!(perms(SimDialect::Current, codes.clone()).admin());
        assert_eq!(
            perms(SimDialect::Current, json!([{"type": "Tx", "value": "1"}])).access("Tx"),
            Access::Read
        );
        assert_eq!(
            perms(SimDialect::Current, codes.clone()).access("Tx"),
            Access::Modify,
            "an administrator is not held to the levels"
        );
        assert!(!perms(SimDialect::Current, long.clone()).admin());
        assert!(!perms(SimDialect::Legacy, codes.clone()).admin());
        assert!(perms(SimDialect::Legacy, long.clone()).admin());
        assert!(perms(SimDialect::Mixed, long).admin());
        assert!(perms(SimDialect::Mixed, codes).admin());
        assert_eq!(
            SimDialect::Legacy.claim("Tx", "2"),
            json!({"type": "Ticket_Level", "value": "2"})
        );
    }

    #[test]
    fn the_most_any_claim_allows_counts_and_unknowns_grant_nothing() {
        let p = perms(
            SimDialect::Current,
            json!([{"type": "Ux", "value": "1"}, {"type": "Ux", "value": "3"},
                   {"type": "Zz", "value": "1"}, {"type": "Tx", "value": "9"}]),
        );
        assert_eq!(p.access("Ux"), Access::Modify);
        assert!(!p.allows("Zz") && !p.allows("Tx"));
        let names = perms(SimDialect::Current, json!([{"type": "Ux", "value": "1"}]));
        assert_eq!(names.access("Ux"), Access::Names);
    }

    #[test]
    fn l0_follows_the_instance_scale() {
        let t = json!([{"type": "l0", "value": "true"}]);
        let one = json!([{"type": "l0", "value": "1"}]);
        assert!(perms(SimDialect::Current, t.clone()).allows("l0"));
        assert!(!perms(SimDialect::Current, one.clone()).allows("l0"));
        assert!(perms(SimDialect::L0Numeric, one).allows("l0"));
        assert!(!perms(SimDialect::L0Numeric, t).allows("l0"));
    }
}
