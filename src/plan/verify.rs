//! Verification with the NEW credentials: a token for exactly the granted scopes, `Agent/me` is
//! the new agent, and one cheap probe per granted area on the path `evidence/areas.toml` names
//! for it. Each failure names the layer that blocks it — the application's scopes, the agent's
//! role, or team/department visibility — and what to change in Halo.
//!
//! "Verified" is a promise about the real Halo, so a probe proves an area only when it could
//! run and saw records: a path Halo does not serve (404, 405, 501, or none in the published
//! API) is "could not check", never a pass; so is an empty list when the bootstrap
//! administrator sees no records either (an empty answer cannot tell access from a denial that
//! Halo answers with an empty list). An empty list where the administrator sees records is a
//! visibility failure. [`Verdict`] puts it together with the manual steps left.

use secrecy::SecretString;
use serde::Serialize;

use crate::halo::dialect::Permissions;
use crate::halo::dialect::claims::{self, Grade};
use crate::halo::dialect::paths::{self, ProbeArea};
use crate::halo::scopes::{self, AREAS};
use crate::halo::{Client, ClientOptions, Credentials, Endpoint, HaloError};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Layer {
    /// The token could not be obtained at all.
    Credentials,
    /// The application's ticked permissions.
    Scope,
    /// The agent's role (feature access).
    Role,
    /// Team/department membership of the agent.
    Visibility,
    /// The network: Halo could not be reached (DNS, connect, TLS, timeout, a dropped
    /// connection).
    Transport,
    /// Halo's rate limit (429) held the requests back: not a setting, try again later.
    RateLimit,
    /// Halo answered with a server error (5xx) or something that is not an answer of its
    /// API: not a setting.
    Server,
}

impl Layer {
    pub fn label(self) -> &'static str {
        match self {
            Self::Credentials => "credentials",
            Self::Scope => "application scope",
            Self::Role => "agent role",
            Self::Visibility => "team/department visibility",
            Self::Transport => "network",
            Self::RateLimit => "Halo's rate limit (429)",
            Self::Server => "Halo's server (an HTTP error)",
        }
    }

    /// Not a setting in Halo: the check could not run, so nothing about the setup was learnt.
    pub fn not_a_setting(self) -> bool {
        matches!(self, Self::Transport | Self::RateLimit | Self::Server)
    }

    /// Why a check could not run, in words (for "did not finish: …").
    pub fn why(self) -> &'static str {
        match self {
            Self::RateLimit => "Halo kept answering 429 (rate limit)",
            Self::Server => "Halo answered with a server error",
            _ => "Halo could not be reached",
        }
    }
}

/// The layer of an error that is not about a setting (the network, the rate limit, Halo's
/// server), if it is one.
pub fn outside_layer(e: &HaloError) -> Option<Layer> {
    match e {
        HaloError::RateLimited(_) => Some(Layer::RateLimit),
        HaloError::Server(..)
        | HaloError::Http(..)
        | HaloError::Decode(..)
        | HaloError::TooLarge(..) => Some(Layer::Server),
        HaloError::Dns(_)
        | HaloError::Connect(_)
        | HaloError::Tls(_)
        | HaloError::Timeout(..)
        | HaloError::ConnectionReset(_) => Some(Layer::Transport),
        _ => None,
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Check {
    pub name: String,
    pub pass: bool,
    /// The check could not run or proves nothing (a path Halo does not serve, no records to
    /// see): not a pass, not a finding about a setting either.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub could_not_check: bool,
    pub layer: Option<Layer>,
    pub detail: String,
    /// What to change in Halo (empty when passed), or what would let it be checked.
    pub fix: String,
}

impl Check {
    /// `pass`, `FAIL` or `could not check`, as the result lists say it.
    pub fn mark(&self) -> &'static str {
        if self.pass {
            "pass"
        } else if self.could_not_check {
            "could not check"
        } else {
            "FAIL"
        }
    }
}

#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Verification {
    pub checks: Vec<Check>,
    /// The token endpoint said `invalid_client`: Halo does not hold this secret for this
    /// client id (right after a create: Halo issued a secret of its own).
    #[serde(skip)]
    pub invalid_client: bool,
}

impl Verification {
    /// Every check passed: every need was proven.
    pub fn passed(&self) -> bool {
        !self.checks.is_empty() && self.checks.iter().all(|c| c.pass)
    }
    /// The checks that found something wrong (not the ones that could not check).
    pub fn failures(&self) -> impl Iterator<Item = &Check> {
        self.checks.iter().filter(|c| !c.pass && !c.could_not_check)
    }
    /// The checks that could not run or proved nothing.
    pub fn unproven(&self) -> impl Iterator<Item = &Check> {
        self.checks.iter().filter(|c| c.could_not_check)
    }
    /// The checks that did not pass, failures and could-not-checks alike.
    pub fn not_passed(&self) -> impl Iterator<Item = &Check> {
        self.checks.iter().filter(|c| !c.pass)
    }
}

/// What a setup's result is, in one word: the promise "verified" only when every need was
/// proven and nothing is left to do by hand.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    /// Every check passed and no manual step is left.
    Verified,
    /// Applied; steps to do by hand in Halo's web UI are not confirmed yet.
    ManualStepsLeft,
    /// A check found something wrong.
    Failed,
    /// Nothing failed, but some need could not be proven (or nothing could be verified).
    CouldNotCheck,
}

impl Verdict {
    /// From the verification (`None`: the credentials could not be verified) and the number of
    /// manual steps not yet confirmed. A failure outranks steps left, which outrank what could
    /// not be checked — except a failure of the agent's role while steps are left: the role's
    /// permissions the API could not write are among those steps (an instance that does not
    /// confirm the claim codes), so Halo denying them is what is left to do, not drift.
    pub fn of(v: Option<&Verification>, manual_left: usize) -> Self {
        let explained_by_steps = |v: &Verification| {
            manual_left > 0 && v.failures().all(|c| c.layer == Some(Layer::Role))
        };
        match v {
            Some(v) if v.failures().next().is_some() && !explained_by_steps(v) => Self::Failed,
            _ if manual_left > 0 => Self::ManualStepsLeft,
            Some(v) if v.passed() => Self::Verified,
            _ => Self::CouldNotCheck,
        }
    }

    /// The word `--json` carries: `verified`, `manual_steps_left`, `failed`, `could_not_check`.
    pub fn word(self) -> &'static str {
        match self {
            Self::Verified => "verified",
            Self::ManualStepsLeft => "manual_steps_left",
            Self::Failed => "failed",
            Self::CouldNotCheck => "could_not_check",
        }
    }
}

/// "applied, 2 manual steps left" / "applied, 1 manual step left".
pub fn steps_left(n: usize) -> String {
    format!(
        "applied, {n} manual step{} left",
        if n == 1 { "" } else { "s" }
    )
}

/// What the verification needs to know about the setup.
pub struct Target<'a> {
    pub endpoint: &'a Endpoint,
    pub client_id: &'a str,
    pub client_secret: &'a SecretString,
    pub scopes: &'a [String],
    pub agent_id: i64,
    /// The setup's role: its name for the fixes, and whether it is an existing one the setup
    /// reuses (shared with other agents) rather than its own.
    pub role: &'a crate::answers::RoleAnswers,
    pub application_name: &'a str,
}

fn pass(name: impl Into<String>, detail: impl Into<String>) -> Check {
    Check {
        name: name.into(),
        pass: true,
        could_not_check: false,
        layer: None,
        detail: detail.into(),
        fix: String::new(),
    }
}

fn fail(
    name: impl Into<String>,
    layer: Layer,
    detail: impl Into<String>,
    fix: impl Into<String>,
) -> Check {
    Check {
        name: name.into(),
        pass: false,
        could_not_check: false,
        layer: Some(layer),
        detail: detail.into(),
        fix: fix.into(),
    }
}

/// A need that could not be proven: `detail` says why, `fix` what would let it be checked.
fn unchecked(name: impl Into<String>, detail: impl Into<String>, fix: impl Into<String>) -> Check {
    Check {
        name: name.into(),
        pass: false,
        could_not_check: true,
        layer: None,
        detail: detail.into(),
        fix: fix.into(),
    }
}

/// Rows in a list answer: a bare array, or the envelope's `key` (else its first array).
fn rows(v: &serde_json::Value, key: &str) -> usize {
    match v {
        serde_json::Value::Array(a) => a.len(),
        serde_json::Value::Object(o) => o
            .iter()
            .find(|(k, x)| k.eq_ignore_ascii_case(key) && x.is_array())
            .map(|(_, x)| x)
            .or_else(|| o.values().find(|x| x.is_array()))
            .and_then(|x| x.as_array().map(Vec::len))
            .unwrap_or(0),
        _ => 0,
    }
}

/// Runs every check. `bootstrap` (an admin client) tells an empty list caused by visibility from
/// one that is empty because Halo holds no such records.
pub async fn verify(
    t: &Target<'_>,
    opts: ClientOptions,
    bootstrap: Option<&Client>,
) -> Verification {
    verify_with_role(t, None, opts, bootstrap).await
}

/// As [`verify`], knowing the role the agent was given, so that areas reached only through an
/// umbrella scope are probed only where the role grants access.
pub async fn verify_with_role(
    t: &Target<'_>,
    role: Option<&Permissions>,
    opts: ClientOptions,
    bootstrap: Option<&Client>,
) -> Verification {
    let mut v = Verification::default();
    let requested = scopes::normalise(t.scopes);
    let creds = Credentials {
        client_id: t.client_id.to_string(),
        client_secret: t.client_secret.clone(),
        scopes: requested.clone(),
    };
    let client = match Client::new(t.endpoint.clone(), creds, opts) {
        Ok(c) => c,
        Err(e) => {
            v.checks
                .push(fail("token", Layer::Credentials, e.to_string(), e.hint()));
            return v;
        }
    };
    let app = t.application_name;
    let (granted, info_scopes) = match client.token().await {
        Ok(info) => {
            let got = scopes::normalise(&info.scopes);
            if got == requested || info.scopes.is_empty() {
                v.checks.push(pass(
                    "token",
                    format!("token granted for: {}", requested.join(" ")),
                ));
            } else {
                let missing: Vec<_> = requested
                    .iter()
                    .filter(|s| !got.contains(s))
                    .cloned()
                    .collect();
                let extra: Vec<_> = got
                    .iter()
                    .filter(|s| !requested.contains(s))
                    .cloned()
                    .collect();
                v.checks.push(fail(
                    "token",
                    Layer::Scope,
                    format!("token scopes differ: missing [{}], extra [{}]", missing.join(" "), extra.join(" ")),
                    format!("In Halo: Configuration > Integrations > Halo API > {app} > Permissions, tick exactly: {}", requested.join(", ")),
                ));
            }
            let granted = if info.scopes.is_empty() {
                requested.clone()
            } else {
                got
            };
            (granted, info.scopes)
        }
        Err(e) => {
            let layer = outside_layer(&e).unwrap_or(Layer::Credentials);
            v.invalid_client = matches!(e, HaloError::InvalidClient);
            v.checks.push(fail("token", layer, e.to_string(), e.hint()));
            return v;
        }
    };
    // Agent/me and every probe only need the token: run them together (one round trip).
    let me_check = async {
        match client.me().await {
            Ok(me) if me.id == Some(t.agent_id) => pass(
                "agent",
                format!("logged in as {} (id {})", me.name, t.agent_id),
            ),
            Ok(me) => fail(
                "agent",
                Layer::Credentials,
                format!(
                    "logged in as agent {} ({}), expected id {}",
                    me.id
                        .map_or_else(|| "without an id".into(), |i| format!("id {i}")),
                    me.name,
                    t.agent_id
                ),
                format!(
                    "In Halo: application {app} > Details, set 'Agent to log in as' to the new agent"
                ),
            ),
            Err(e) => fail("agent", classify_layer(&e), e.to_string(), e.hint()),
        }
    };
    // Areas named explicitly are always probed (the vendor asked for them). Areas reached only
    // through an umbrella scope (`all`, `all:standard`) are probed where the role grants access:
    // the rest would fail by design and only bury the real findings.
    let mut skipped = Vec::new();
    let probes: Vec<_> = AREAS
        .iter()
        .filter_map(|area| {
            let probe = scopes::probe(area)?;
            let needed = probe.read_scope();
            if !scopes::any_grants(&requested, &needed) {
                return None;
            }
            let explicit = area.scopes.iter().any(|x| requested.iter().any(|r| r == x));
            if !explicit && role.is_some_and(|r| r.grade_for_scope(area.key) == Grade::None) {
                skipped.push(area.key);
                return None;
            }
            let grade = role.map(|r| r.grade_for_scope(area.key));
            Some(probe_area(
                &client, bootstrap, t, area, probe, needed, &granted, grade,
            ))
        })
        .collect();
    let (me, probed) = tokio::join!(me_check, futures::future::join_all(probes));
    v.checks.push(me);
    v.checks.extend(probed);
    v.checks.extend(scope_only_needs(&requested, &info_scopes));
    if !skipped.is_empty() {
        v.checks.push(pass(
            "umbrella scope",
            format!(
                "not probed (the role gives no access, by design): {}",
                skipped.join(", ")
            ),
        ));
    }
    v
}

/// Scopes asked for by name that no endpoint of the evidence stands for: `all:teams` only
/// widens what the other lists show, so the token granting it is its proof; `access:*` has
/// nothing to read, so it cannot be checked.
fn scope_only_needs(requested: &[String], token_scopes: &[String]) -> Vec<Check> {
    let mut out = Vec::new();
    for r in requested {
        let area = scopes::area_of(r);
        if area.is_some_and(|a| scopes::probe(a).is_some_and(|p| p.read_scope() == *r))
            || area.is_some_and(|a| a.key == "umbrella")
            || r.starts_with("read:")
            || r.starts_with("edit:")
            || r.starts_with("editMine:")
            || r == "admin:webhooks"
        {
            continue;
        }
        let name = format!("scope {r}");
        if r == "all:teams" && token_scopes.iter().any(|s| s == r) {
            out.push(pass(
                name,
                "granted in the token (it widens what the probed lists show; no endpoint of its own)",
            ));
        } else if r == "all:teams" {
            out.push(unchecked(
                name,
                "Halo did not list the token's scopes, and no endpoint proves all:teams on its own",
                "check in Halo: Configuration > Integrations > Halo API > the application > Permissions shows all:teams ticked",
            ));
        } else {
            out.push(unchecked(
                name,
                format!("no endpoint in Halo's published API proves {r} (nothing to read for it)"),
                "try the vendor's feature that needs it once the integration runs",
            ));
        }
    }
    out
}

/// What to change on the role for an area it does not open: its Feature Access level, or (for
/// configuration, which has none) the administrator switch; said of a reused role too.
fn role_fix(t: &Target<'_>, area: &scopes::Area) -> String {
    let fix = match claims::area_for_scope(area.key) {
        Some(d) => format!(
            "In Halo: Configuration > Teams & Agents > Roles > {} > Permissions > Feature Access, set {} to at least Read Only",
            t.role.name, d.label
        ),
        None => format!(
            "In Halo: Configuration > Teams & Agents > Roles > {} > Permissions > General, tick Is a HaloPSA Administrator ({} is configuration, open only to administrators; there is no Feature Access level for it)",
            t.role.name, area.label
        ),
    };
    if matches!(t.role.mode, crate::answers::RoleMode::Reuse(_)) {
        format!(
            "{fix}. {} is an existing role this setup reuses: the change applies to every agent with it",
            t.role.name
        )
    } else {
        fix
    }
}

/// `role_grade`: what the role the setup wrote gives on this area, where known (a reused
/// role is not): an empty list it explains is a denial, not a visibility gap.
#[allow(clippy::too_many_arguments)]
async fn probe_area(
    client: &Client,
    bootstrap: Option<&Client>,
    t: &Target<'_>,
    area: &scopes::Area,
    probe: &ProbeArea,
    needed: String,
    granted: &[String],
    role_grade: Option<Grade>,
) -> Check {
    let app = t.application_name;
    let name = format!("{} ({})", area.label, area.key);
    if !scopes::any_grants(granted, &needed) {
        return fail(
            &name,
            Layer::Scope,
            format!("the token lacks {needed}"),
            format!("In Halo: application {app} > Permissions, tick {needed}"),
        );
    }
    // Only a path Halo's published API has can prove anything.
    if !paths::published("GET", &probe.path) {
        return unchecked(
            &name,
            format!("GET /api{} is not in Halo's published API", probe.path),
            "none: halo-onboard has no endpoint to prove this area",
        );
    }
    let request = scopes::probe_request(probe);
    let what = area.label.to_lowercase();
    match client.get_json(&request).await {
        Ok(val) => {
            let n = rows(&val, &probe.list_key);
            if n > 0 {
                return pass(&name, format!("GET /api{request}: {n} record(s)"));
            }
            let admin = match bootstrap {
                Some(b) => Some(
                    b.get_json(&request)
                        .await
                        .map(|x| rows(&x, &probe.list_key)),
                ),
                None => None,
            };
            match admin {
                // Halo may answer a denial with an empty list: a role that gives nothing here
                // is the layer that blocks it.
                Some(Ok(admin_rows)) if admin_rows > 0 && role_grade == Some(Grade::None) => fail(
                    &name,
                    Layer::Role,
                    format!(
                        "sees 0 records where an administrator sees {admin_rows}: the role gives no access to it (Halo answered the denial with an empty list)"
                    ),
                    role_fix(t, area),
                ),
                Some(Ok(admin_rows)) if admin_rows > 0 => fail(
                    &name,
                    Layer::Visibility,
                    format!("sees 0 records where an administrator sees {admin_rows}"),
                    "In Halo: add the agent to the teams/departments that own these records (Agent > Departments & Teams), or tick all:teams on the application",
                ),
                Some(Ok(_)) => unchecked(
                    &name,
                    format!(
                        "Halo has no {what} to see: GET /api{} answered an empty list for the administrator too, and an empty answer cannot tell access from denial",
                        probe.path
                    ),
                    format!("once Halo holds {what}, run `halo-onboard check` again"),
                ),
                Some(Err(e)) => unchecked(
                    &name,
                    format!("sees 0 records, and the administrator's read to compare failed: {e}"),
                    "run `halo-onboard check` again with the bootstrap credentials",
                ),
                None => unchecked(
                    &name,
                    format!(
                        "GET /api{request}: 0 records; without the bootstrap credentials halo-onboard cannot tell whether Halo has none or hides them"
                    ),
                    "run `halo-onboard check` with the bootstrap credentials (HALO_CLIENT_SECRET)",
                ),
            }
        }
        Err(e @ (HaloError::NotFound(_) | HaloError::Http(405, ..) | HaloError::Http(501, ..))) => {
            unchecked(
                &name,
                format!(
                    "this Halo does not serve GET /api{} ({e}), so the area could not be proven",
                    probe.path
                ),
                "run `halo-onboard doctor` to compare this Halo's paths with the published API",
            )
        }
        // An area with a Feature Access level names it; one without (teams and webhooks:
        // configuration) is open only to a HaloPSA Administrator.
        Err(HaloError::Forbidden(_, msg)) => fail(
            &name,
            Layer::Role,
            format!("the scope is granted but Halo denied access: {msg}"),
            role_fix(t, area),
        ),
        Err(e) => fail(&name, classify_layer(&e), e.to_string(), e.hint()),
    }
}

fn classify_layer(e: &HaloError) -> Layer {
    match e {
        HaloError::Forbidden(..) => Layer::Role,
        HaloError::Unauthorized(_) | HaloError::InvalidClient | HaloError::InvalidGrant(_) => {
            Layer::Credentials
        }
        HaloError::InvalidScope(_) => Layer::Scope,
        e => outside_layer(e).unwrap_or(Layer::Transport),
    }
}

#[cfg(test)]
#[path = "verify_tests.rs"]
mod tests;
