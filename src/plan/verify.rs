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
use crate::halo::dialect::claims::Grade;
use crate::halo::scopes::{self, AREAS};
use crate::halo::{Client, ClientOptions, Credentials, Endpoint, HaloError};

mod check;
mod probe;

pub use check::{Check, Layer, outside_layer};
use check::{classify_layer, fail, pass, unchecked};
#[cfg(test)]
use probe::rows;

/// The result of verifying a setup's credentials against Halo: one [`Check`] per need.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Verification {
    /// Every check, in the order they ran.
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
    /// The Halo instance to sign in to.
    pub endpoint: &'a Endpoint,
    /// The application's Client ID.
    pub client_id: &'a str,
    /// The application's client secret.
    pub client_secret: &'a SecretString,
    /// The scopes the answers ask for; the token must grant each.
    pub scopes: &'a [String],
    /// Halo's id of the setup's Agent, which the token must act as.
    pub agent_id: i64,
    /// The setup's role: its name for the fixes, and whether it is an existing one the setup
    /// reuses (shared with other agents) rather than its own.
    pub role: &'a crate::answers::RoleAnswers,
    /// The application's name in Halo, for the fixes.
    pub application_name: &'a str,
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
    let Some(Granted { scopes, listed }) = token_check(&client, t, &requested, &mut v).await else {
        return v;
    };
    // Agent/me and every probe only need the token: run them together (one round trip).
    let (probes, skipped) = areas_to_probe(&requested, role);
    let by = probe::Prober {
        client: &client,
        bootstrap,
        application_name: t.application_name,
        role: t.role,
    };
    let probed = probes.iter().map(|p| probe::probe_area(&by, p, &scopes));
    let (me, probed) = tokio::join!(me_check(&client, t), futures::future::join_all(probed));
    v.checks.push(me);
    v.checks.extend(probed);
    v.checks.extend(scope_only_needs(&requested, &listed));
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

/// What the token grants: the scopes to judge the probes by (those asked for when Halo does
/// not list them), and the token's own list.
struct Granted {
    scopes: Vec<String>,
    listed: Vec<String>,
}

/// Gets a token and checks it grants exactly the scopes asked for. `None` (the failure in
/// `v`): no token, so nothing else can be checked.
async fn token_check(
    client: &Client,
    t: &Target<'_>,
    requested: &[String],
    v: &mut Verification,
) -> Option<Granted> {
    let info = match client.token().await {
        Ok(info) => info,
        Err(e) => {
            let layer = outside_layer(&e).unwrap_or(Layer::Credentials);
            v.invalid_client = matches!(e, HaloError::InvalidClient);
            v.checks.push(fail("token", layer, e.to_string(), e.hint()));
            return None;
        }
    };
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
            format!("In Halo: Configuration > Integrations > Halo API > {} > Permissions, tick exactly: {}", t.application_name, requested.join(", ")),
        ));
    }
    let scopes = if info.scopes.is_empty() {
        requested.to_vec()
    } else {
        got
    };
    Some(Granted {
        scopes,
        listed: info.scopes,
    })
}

/// `Agent/me`: the credentials log in as the setup's agent.
async fn me_check(client: &Client, t: &Target<'_>) -> Check {
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
                "In Halo: application {} > Details, set 'Agent to log in as' to the new agent",
                t.application_name
            ),
        ),
        Err(e) => fail("agent", classify_layer(&e), e.to_string(), e.hint()),
    }
}

/// The areas to probe, and those skipped by design. Areas named explicitly are always probed
/// (the vendor asked for them). Areas reached only through an umbrella scope (`all`,
/// `all:standard`) are probed where the role grants access: the rest would fail by design and
/// only bury the real findings.
fn areas_to_probe(
    requested: &[String],
    role: Option<&Permissions>,
) -> (Vec<probe::Probe>, Vec<&'static str>) {
    let mut skipped = Vec::new();
    let probes = AREAS
        .iter()
        .filter_map(|area| {
            let probe = scopes::probe(area)?;
            let needed = probe.read_scope();
            if !scopes::any_grants(requested, &needed) {
                return None;
            }
            let explicit = area.scopes.iter().any(|x| requested.iter().any(|r| r == x));
            if !explicit && role.is_some_and(|r| r.grade_for_scope(area.key) == Grade::None) {
                skipped.push(area.key);
                return None;
            }
            Some(probe::Probe {
                area,
                probe,
                needed,
                role_grade: role.map(|r| r.grade_for_scope(area.key)),
            })
        })
        .collect();
    (probes, skipped)
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

#[cfg(test)]
#[path = "verify_tests.rs"]
mod tests;
