//! The emulator's run-time settings: injectable faults (latency, random 5xx, rate limiting with a
//! rolling window and forced bursts, dropped connections, refused reads and writes) and the
//! variant it plays of each behaviour the evidence leaves open (`variants`). Settable from
//! `SimConfig`, `SimHandle` and `POST /_sim/faults`.

use std::time::Duration;

use serde::{Deserialize, Serialize};

use super::settings::SimConfig;
use super::variants::{
    AgentListing, DEFAULT_EXPIRY_DAYS, Denial, ListShape, SecretExpiry, SecretMode,
    TicketVisibility,
};

/// When a dropped connection loses the request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum DropMode {
    /// The request is never applied.
    BeforeProcessing,
    /// The request is applied (e.g. a POST creates its object) but the answer is lost.
    AfterProcessing,
}

/// The faults in force and the variants played, as `POST /_sim/faults` reads and writes them
/// (durations in milliseconds there).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Faults {
    /// Extra wait before every answer (`latency_ms`).
    #[serde(with = "millis", rename = "latency_ms")]
    pub latency: Duration,
    /// Probability (0 to 1) that an API request answers 500/502/503.
    pub fail_rate: f64,
    /// Requests allowed per rolling window before 429s; 0: no limit.
    pub rate_limit: u32,
    /// The rolling window of `rate_limit` (`rate_window_ms`).
    #[serde(with = "millis", rename = "rate_window_ms")]
    pub rate_window: Duration,
    /// The next N requests answer 429.
    pub force_429: u32,
    /// `Retry-After` seconds sent with forced 429s.
    pub retry_after: Option<u64>,
    /// The next N matching requests lose their connection before they are applied.
    pub drop_before: u32,
    /// The next N matching requests are applied, then lose their connection before the answer.
    pub drop_after: u32,
    /// Drops hit only writes (POST/DELETE), so a test can lose exactly the N-th write.
    #[serde(default)]
    pub drop_writes_only: bool,
    /// Matching requests let through before the drops start.
    #[serde(default)]
    pub drop_skip: u32,
    /// Writes (POST/DELETE) to these resources answer 403 with a Halo-style body, as a real
    /// Halo may refuse an endpoint: lower-case first path segment after `/api/`, e.g.
    /// `"application"`, `"roles"`, `"agent"`. Reads still work.
    #[serde(default)]
    pub refuse_writes: Vec<String>,
    /// Reads (GET) of these resources answer 403 with a Halo-style body, as Halo does for an
    /// agent whose role lacks the area: e.g. `["tickets", "client"]` fails those verification
    /// probes while everything else works.
    #[serde(default)]
    pub refuse_reads: Vec<String>,
    /// How application secrets are issued (`secret_issuance`).
    pub secret_mode: SecretMode,
    /// Whether applications report their secret's expiry (`secret_expiry`).
    pub secret_expiry: SecretExpiry,
    /// Days a newly issued secret lives under `key_slots` (90 when unset).
    pub secret_expiry_days: Option<i64>,
    /// Schema fields to drop as a build without them would, as `object.field` (e.g.
    /// `agent.claims`).
    pub drop_fields: Vec<String>,
    /// Which tickets an agent that may read tickets sees in a list (`ticket_visibility`).
    pub ticket_visibility: TicketVisibility,
    /// What is answered when the role denies an area the scope allows (`denial`).
    pub denial: Denial,
    /// Who may list agents, `GET /api/Agent` (`agent_listing`).
    pub agent_listing: AgentListing,
    /// The shape of configuration lists without `pageinate=true`.
    pub list_shape: ListShape,
}

impl Default for Faults {
    fn default() -> Self {
        Self::from_config(&SimConfig::default())
    }
}

impl Faults {
    pub(crate) fn from_config(cfg: &SimConfig) -> Self {
        Self {
            latency: cfg.latency,
            fail_rate: cfg.fail_rate.clamp(0.0, 1.0),
            rate_limit: cfg.rate_limit,
            rate_window: cfg.rate_window,
            force_429: 0,
            retry_after: None,
            drop_before: 0,
            drop_after: 0,
            drop_writes_only: false,
            drop_skip: 0,
            refuse_writes: Vec::new(),
            refuse_reads: Vec::new(),
            secret_mode: cfg.secret_mode,
            // Asking for expiry days asks for the reading that reports them.
            secret_expiry: if cfg.secret_expiry_days.is_some() {
                SecretExpiry::KeySlots
            } else {
                cfg.secret_expiry
            },
            secret_expiry_days: cfg.secret_expiry_days,
            drop_fields: Vec::new(),
            ticket_visibility: cfg.ticket_visibility,
            denial: cfg.denial,
            agent_listing: cfg.agent_listing,
            list_shape: cfg.list_shape,
        }
    }

    /// Days a newly issued secret lives, where applications report it (`key_slots`).
    pub fn expiry_days(&self) -> Option<i64> {
        match self.secret_expiry {
            SecretExpiry::None => None,
            SecretExpiry::KeySlots => Some(
                self.secret_expiry_days
                    .filter(|d| *d > 0)
                    .unwrap_or(DEFAULT_EXPIRY_DAYS),
            ),
        }
    }

    /// Halo's wording, with this emulator's numbers.
    pub(crate) fn rate_limit_message(&self) -> String {
        let secs = self.rate_window.as_secs();
        let window = if secs > 0 && secs % 60 == 0 {
            format!("{} minute", secs / 60)
        } else if secs > 0 {
            format!("{secs} second")
        } else {
            format!("{} millisecond", self.rate_window.as_millis())
        };
        format!(
            "Rate Limit Reached - {} Requests per rolling {window} window",
            self.rate_limit
        )
    }
}

/// The resource of an `/api/...` path: its first segment, lower case.
pub(crate) fn resource(path: &str) -> &str {
    path.strip_prefix("/api/")
        .unwrap_or_default()
        .split('/')
        .next()
        .unwrap_or_default()
}

impl Faults {
    /// True when a write to `path` (already lower case) is to be refused.
    pub(crate) fn refuses(&self, path: &str) -> bool {
        listed(&self.refuse_writes, path)
    }

    /// True when a read of `path` (already lower case) is to be refused.
    pub(crate) fn refuses_read(&self, path: &str) -> bool {
        listed(&self.refuse_reads, path)
    }
}

/// Is the resource of `path` one of `list`?
fn listed(list: &[String], path: &str) -> bool {
    let r = resource(path);
    !r.is_empty() && list.iter().any(|x| x.eq_ignore_ascii_case(r))
}

/// Serialises a `Duration` as whole milliseconds (`latency_ms`-style JSON for `/_sim/faults`).
mod millis {
    use std::time::Duration;

    use serde::{Deserialize, Deserializer, Serializer};

    pub(super) fn serialize<S: Serializer>(d: &Duration, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_u64(u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
    }

    pub(super) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Duration, D::Error> {
        u64::deserialize(d).map(Duration::from_millis)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn message_uses_configured_numbers() {
        let f = Faults::default();
        assert_eq!(
            f.rate_limit_message(),
            "Rate Limit Reached - 300 Requests per rolling 5 minute window"
        );
        let f = Faults {
            rate_limit: 3,
            rate_window: Duration::from_secs(7),
            ..Faults::default()
        };
        assert_eq!(
            f.rate_limit_message(),
            "Rate Limit Reached - 3 Requests per rolling 7 second window"
        );
    }
}
