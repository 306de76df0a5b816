//! Verification with the NEW credentials: a token for exactly the granted scopes, `Agent/me` is
//! the new agent, and one cheap probe per granted area. Each failure names the layer that blocks
//! it — the application's scopes, the agent's role, or team/department visibility — and what to
//! change in Halo.

use secrecy::SecretString;
use serde::Serialize;

use crate::halo::dialect::Permissions;
use crate::halo::dialect::claims::{self, Grade};
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
    /// Network or Halo trouble, not a setting.
    Transport,
}

impl Layer {
    pub fn label(self) -> &'static str {
        match self {
            Self::Credentials => "credentials",
            Self::Scope => "application scope",
            Self::Role => "agent role",
            Self::Visibility => "team/department visibility",
            Self::Transport => "network",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Check {
    pub name: String,
    pub pass: bool,
    pub layer: Option<Layer>,
    pub detail: String,
    /// What to change in Halo (empty when passed).
    pub fix: String,
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
    pub fn passed(&self) -> bool {
        !self.checks.is_empty() && self.checks.iter().all(|c| c.pass)
    }
    pub fn failures(&self) -> impl Iterator<Item = &Check> {
        self.checks.iter().filter(|c| !c.pass)
    }
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
        layer: Some(layer),
        detail: detail.into(),
        fix: fix.into(),
    }
}

/// Rows in a list answer (bare array or envelope).
fn rows(v: &serde_json::Value) -> usize {
    match v {
        serde_json::Value::Array(a) => a.len(),
        serde_json::Value::Object(o) => o
            .values()
            .find_map(|x| x.as_array().map(|a| a.len()))
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
    let granted = match client.token().await {
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
            if info.scopes.is_empty() {
                requested.clone()
            } else {
                got
            }
        }
        Err(e) => {
            let layer = if e.is_transient() {
                Layer::Transport
            } else {
                Layer::Credentials
            };
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
            let probe = area.probe?;
            let needed = scopes::probe_scope(area);
            if !scopes::any_grants(&requested, needed) {
                return None;
            }
            let explicit = area.scopes.iter().any(|x| requested.iter().any(|r| r == x));
            if !explicit && role.is_some_and(|r| r.grade_for_scope(area.key) == Grade::None) {
                skipped.push(area.key);
                return None;
            }
            Some(probe_area(
                &client, bootstrap, t, area, probe, needed, &granted,
            ))
        })
        .collect();
    let (me, probed) = tokio::join!(me_check, futures::future::join_all(probes));
    v.checks.push(me);
    v.checks.extend(probed);
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

async fn probe_area(
    client: &Client,
    bootstrap: Option<&Client>,
    t: &Target<'_>,
    area: &scopes::Area,
    probe: &str,
    needed: &str,
    granted: &[String],
) -> Check {
    let app = t.application_name;
    let name = format!("{} ({})", area.label, area.key);
    if !scopes::any_grants(granted, needed) {
        return fail(
            &name,
            Layer::Scope,
            format!("the token lacks {needed}"),
            format!("In Halo: application {app} > Permissions, tick {needed}"),
        );
    }
    match client.get_json(probe).await {
        Ok(val) => {
            let n = rows(&val);
            let admin_rows = match (n, bootstrap) {
                (0, Some(b)) => b.get_json(probe).await.map(|x| rows(&x)).unwrap_or(0),
                _ => 0,
            };
            if n == 0 && admin_rows > 0 {
                fail(
                    &name,
                    Layer::Visibility,
                    format!("sees 0 records where an administrator sees {admin_rows}"),
                    "In Halo: add the agent to the teams/departments that own these records (Agent > Departments & Teams), or tick all:teams on the application",
                )
            } else {
                pass(&name, format!("GET /api{probe}: {n} record(s)"))
            }
        }
        Err(HaloError::Forbidden(_, msg)) => {
            // An area with a Feature Access level names it; one without (teams and webhooks:
            // configuration) is open only to a HaloPSA Administrator.
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
            let fix = if matches!(t.role.mode, crate::answers::RoleMode::Reuse(_)) {
                format!(
                    "{fix}. {} is an existing role this setup reuses: the change applies to every agent with it",
                    t.role.name
                )
            } else {
                fix
            };
            fail(
                &name,
                Layer::Role,
                format!("the scope is granted but Halo denied access: {msg}"),
                fix,
            )
        }
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
        _ => Layer::Transport,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_counts_both_shapes() {
        assert_eq!(rows(&serde_json::json!([1, 2])), 2);
        assert_eq!(
            rows(&serde_json::json!({"record_count": 5, "tickets": [1]})),
            1
        );
        assert_eq!(rows(&serde_json::json!({"x": 1})), 0);
    }

    #[test]
    fn empty_verification_is_not_a_pass() {
        assert!(!Verification::default().passed());
    }
}
