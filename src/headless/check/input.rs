//! What one audit is given, and what its object checks tell its token checks.

use secrecy::SecretString;

use crate::answers::Answers;
use crate::halo::{Client, ClientOptions, Endpoint};

use crate::halo::dialect::ui::HALO_API;

/// What to audit.
pub struct Audit<'a> {
    /// The Halo the integration is on.
    pub endpoint: &'a Endpoint,
    /// The profile's answers (with any overlay), i.e. what the integration should look like.
    pub answers: &'a Answers,
    /// The integration's own application's Client ID, whose token the checks ask for.
    pub app_client_id: &'a str,
    /// That application's secret (from the hand-over file, `HALO_APP_CLIENT_SECRET` or
    /// `--app-secret-file`); never printed.
    pub app_secret: &'a SecretString,
    /// Admin client for object-level checks; `None` skips them.
    pub bootstrap: Option<&'a Client>,
    /// The setup adopted a hand-made integration: an administrator role it reuses is drift.
    pub adopted: bool,
    /// The setup this integration is, when known: its fixes name `rotate --setup`.
    pub setup: Option<&'a str>,
    /// Timeouts, retries, extra CA and request log for the integration's own client.
    pub opts: ClientOptions,
    /// When halo-onboard issued the secret (`check SETUP`: from the journal).
    pub secret_issued_unix: Option<u64>,
    /// The setup's manual steps not yet confirmed done.
    pub manual_left: Vec<String>,
    /// The admin's rotation policy and whether a reported expiry may fail the check.
    pub policy: crate::config::SecretPolicy,
}

/// What the object-level checks learned that the token checks use.
#[derive(Default)]
pub(super) struct Known {
    /// Id of the profile's agent in Halo.
    pub(super) agent_id: Option<i64>,
    /// Token rejection is explained by an inactive application or a disabled agent.
    pub(super) token_failure_explained: bool,
}

pub(super) const NEEDS_BOOTSTRAP: &str = "skipped: needs the bootstrap credentials (HALO_CLIENT_SECRET, and --client-id unless checking a setup)";

pub(super) fn app_fix(app: &str, what: &str) -> String {
    format!("In Halo: {HALO_API} > {app} > {what}")
}
