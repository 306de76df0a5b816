//! The behaviours the evidence leaves open (`evidence/behaviours.toml`), each a setting the
//! emulator can play every reading of: a `SimConfig` field, a `halo-onboard sandbox` flag and a
//! key of `POST /_sim/faults`. The names of the variants are the evidence's own, and a test
//! checks that the emulator offers exactly the variants the evidence lists, with its defaults.

use std::collections::BTreeMap;
use std::time::Duration;

use clap::ValueEnum;
use serde::{Deserialize, Serialize};

/// Which tickets an agent that may read tickets sees in a list (`ticket_visibility`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, ValueEnum)]
#[serde(rename_all = "snake_case")]
pub enum TicketVisibility {
    /// Administrators, `all:teams`, or members of the ticket's team, whose membership flags
    /// (`unassigned_access`, `otheragent_access`) decide unassigned and others' tickets.
    #[default]
    Teams,
    /// Administrators, or the role switches: `l9` unassigned tickets, `l8` others' tickets.
    Switches,
    /// Administrators, `all:teams`, or members of the department that owns the ticket's team.
    Departments,
}

/// What Halo answers when the agent's role denies an area the scope allows (`denial`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, ValueEnum)]
#[serde(rename_all = "snake_case")]
pub enum Denial {
    /// 403 with a serialised .NET exception.
    #[default]
    Forbidden,
    /// 200 with an empty list.
    Empty,
}

/// Who may list agents, `GET /api/Agent` (`agent_listing`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, ValueEnum)]
#[serde(rename_all = "snake_case")]
pub enum AgentListing {
    /// Any agent whose application has a scope.
    #[default]
    Anyone,
    /// Only a HaloPSA Administrator (TopLeft's guide).
    Admin,
}

/// The sourced rate limits (`rate_limit`): requests per rolling window in seconds.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, ValueEnum)]
pub enum RatePreset {
    /// 300 per 5 minutes: Halo's own 429 message (C).
    #[default]
    #[value(name = "300/300")]
    #[serde(rename = "300/300")]
    Per5Min300,
    /// 450 per 5 minutes (W: MSPbots wiki).
    #[value(name = "450/300")]
    #[serde(rename = "450/300")]
    Per5Min450,
    /// 500 per 3 minutes (W: node-halopsa README).
    #[value(name = "500/180")]
    #[serde(rename = "500/180")]
    Per3Min500,
}

impl RatePreset {
    /// (requests, window).
    pub fn limits(self) -> (u32, Duration) {
        match self {
            Self::Per5Min300 => (300, Duration::from_secs(300)),
            Self::Per5Min450 => (450, Duration::from_secs(300)),
            Self::Per3Min500 => (500, Duration::from_secs(180)),
        }
    }
}

/// How the emulated Halo issues an application's secret (`secret_issuance`). Nobody has shown
/// which one real Halo does (halo-api.md §3.3 [W]), so the emulator plays each.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, ValueEnum)]
#[serde(rename_all = "snake_case")]
pub enum SecretMode {
    /// Keeps the posted client id and secret.
    #[default]
    Honour,
    /// Ignores them, generates its own and returns them once, in the POST answer (never on GET).
    Generate,
    /// Ignores them and never returns the secret: the admin generates and copies it in the web
    /// UI (`POST /_sim/applications/{id}/generate-secret` plays that).
    Hidden,
}

/// Whether applications report when their secret expires (`secret_expiry`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, ValueEnum)]
#[serde(rename_all = "snake_case")]
pub enum SecretExpiry {
    /// No expiry field: the 2024 API schema has none.
    #[default]
    None,
    /// Applications show `apiKeyExpiryDays` and `apiKey1ExpiryDate` for newly issued secrets
    /// (names from the 2026 DB catalogue, W).
    #[value(name = "key_slots", alias = "key-slots")]
    KeySlots,
}

/// Days a key-slot secret lives when nothing else is said: `apiKeyExpiryDays` defaults to 90 in
/// the 2026 DB catalogue (halo-api.md §3.3).
pub(crate) const DEFAULT_EXPIRY_DAYS: i64 = 90;

/// The shape of a configuration list without `pageinate=true` (`list_shape`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, ValueEnum)]
#[serde(rename_all = "snake_case")]
pub enum ListShape {
    /// A bare JSON array.
    #[default]
    Bare,
    /// `{record_count, <key>: [...]}`, the key from `evidence/lists.toml`.
    Envelope,
}

fn names<T: ValueEnum>() -> Vec<String> {
    T::value_variants()
        .iter()
        .filter_map(clap::ValueEnum::to_possible_value)
        .map(|p| p.get_name().to_string())
        .collect()
}

fn name<T: ValueEnum>(v: &T) -> String {
    v.to_possible_value()
        .map(|p| p.get_name().to_string())
        .unwrap_or_default()
}

/// Behaviour (as `evidence::behaviours()` names it) → the variants the emulator plays.
pub fn offered() -> BTreeMap<&'static str, Vec<String>> {
    BTreeMap::from([
        ("ticket_visibility", names::<TicketVisibility>()),
        ("denial", names::<Denial>()),
        ("agent_listing", names::<AgentListing>()),
        ("rate_limit", names::<RatePreset>()),
        ("secret_issuance", names::<SecretMode>()),
        ("secret_expiry", names::<SecretExpiry>()),
        ("list_shape", names::<ListShape>()),
    ])
}

/// Behaviour → the variant a default emulator plays.
pub fn defaults() -> BTreeMap<&'static str, String> {
    BTreeMap::from([
        ("ticket_visibility", name(&TicketVisibility::default())),
        ("denial", name(&Denial::default())),
        ("agent_listing", name(&AgentListing::default())),
        ("rate_limit", name(&RatePreset::default())),
        ("secret_issuance", name(&SecretMode::default())),
        ("secret_expiry", name(&SecretExpiry::default())),
        ("list_shape", name(&ListShape::default())),
    ])
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The emulator plays exactly the readings the evidence lists, defaulting to its default.
    #[test]
    fn offers_exactly_the_evidence_variants() {
        let evidence = crate::evidence::behaviours();
        let offered = offered();
        let defaults = defaults();
        assert_eq!(
            offered.keys().copied().collect::<Vec<_>>(),
            evidence.keys().map(String::as_str).collect::<Vec<_>>(),
            "one setting per open behaviour"
        );
        for (name, b) in evidence {
            assert_eq!(offered[name.as_str()], b.variants, "{name}");
            assert_eq!(defaults[name.as_str()], b.default, "{name}");
        }
        // Serde speaks the same names (`POST /_sim/faults`).
        assert_eq!(
            serde_json::to_value(SecretExpiry::KeySlots).unwrap(),
            "key_slots"
        );
        assert_eq!(
            serde_json::to_value(RatePreset::Per3Min500).unwrap(),
            "500/180"
        );
        assert_eq!(
            RatePreset::Per5Min450.limits(),
            (450, Duration::from_secs(300))
        );
    }
}
