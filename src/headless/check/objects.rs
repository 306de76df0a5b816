//! The object checks (with the bootstrap credentials): the application, the agent, the role.

use crate::answers::{Answers, RoleMode};
use crate::answers::{agent, application};
use crate::halo::model::*;
use crate::halo::{Client, HaloError, scopes};
use crate::plan::build::{self, Lookups};
use crate::plan::session::{self, For};
use crate::plan::verify::{self, Layer};

use super::input::*;
use super::report::*;
use super::token::reported_expiry;
use crate::halo::dialect::ui::{AGENTS, HALO_API, ROLES};

/// Object-level checks with the bootstrap client.
pub(super) async fn objects(a: &Audit<'_>, b: &Client, r: &mut Report) -> Known {
    let ans = a.answers;
    let Some(lk) = read_objects(a, b, r).await else {
        return Known::default();
    };
    let mut known = Known::default();
    let agent = lk
        .agents
        .iter()
        .find(|x| x.name.trim().eq_ignore_ascii_case(ans.agent.name.trim()));
    known.agent_id = agent.and_then(|x| x.id);
    let app = lk
        .applications
        .iter()
        .find(|x| x.client_id.eq_ignore_ascii_case(a.app_client_id.trim()));
    match app {
        None => not_found(r, Missing::application(a)),
        Some(app) => check_application(a, app, agent, r, &mut known),
    }
    let role = setup_role(ans, &lk.roles);
    match agent {
        None => not_found(r, Missing::agent(ans)),
        Some(g) => check_agent(a, g, role, r, &mut known),
    }
    match role {
        None => not_found(r, Missing::role(ans)),
        Some(role) => check_role(ans, role, r, a.adopted),
    }
    known
}

/// The setup's objects as Halo holds them (the role read with its details: its claims are
/// what is checked); `None` when they cannot be read, said in `r`.
async fn read_objects(a: &Audit<'_>, b: &Client, r: &mut Report) -> Option<Lookups> {
    match session::lookups(b, For::Setup(a.answers)).await {
        Ok(lk) => Some(lk),
        Err(e) => {
            let layer = verify::outside_layer(&e).unwrap_or(Layer::Transport);
            r.fail("read objects", layer, e.to_string(), e.hint());
            if e.is_transient() || matches!(e, HaloError::Connect(_)) {
                r.stopped(layer);
            }
            None
        }
    }
}

/// The role the answers create (by name) or reuse (by id, then name).
fn setup_role<'a>(ans: &Answers, roles: &'a [Role]) -> Option<&'a Role> {
    let named = |n: &str| {
        roles
            .iter()
            .find(|x| x.name.trim().eq_ignore_ascii_case(n.trim()))
    };
    match &ans.role.mode {
        RoleMode::Reuse(key) => roles
            .iter()
            .find(|x| x.id.as_deref() == Some(key.as_str()))
            .or_else(|| named(key)),
        RoleMode::Create => named(&ans.role.name),
    }
}

/// An object Halo does not have: its first check fails, the checks that read it are skipped.
struct Missing {
    /// The object, as "skipped: … not found" names it.
    what: &'static str,
    first: &'static str,
    layer: Layer,
    said: String,
    fix: String,
    drift: String,
    skipped: &'static [&'static str],
}

impl Missing {
    fn application(a: &Audit<'_>) -> Self {
        Self {
            what: "application",
            first: check::APP_ACTIVE,
            layer: Layer::Credentials,
            said: format!("no application has client id {}", a.app_client_id),
            fix: format!(
                "Check --app-client-id against {HALO_API} (the application may have been deleted)"
            ),
            drift: "application not found".into(),
            skipped: &[check::APP_SCOPES, check::APP_LOGIN],
        }
    }

    fn agent(ans: &Answers) -> Self {
        Self {
            what: "agent",
            first: check::AGENT_ACTIVE,
            layer: Layer::Credentials,
            said: format!("no agent with username '{}'", ans.agent.name),
            fix: format!(
                "In Halo: {AGENTS}: the agent was renamed or deleted; run `halo-onboard apply` again to recreate it"
            ),
            drift: format!("agent '{}' not found", ans.agent.name),
            skipped: &[check::AGENT_API_ONLY, check::AGENT_ROLE],
        }
    }

    fn role(ans: &Answers) -> Self {
        Self {
            what: "role",
            first: check::ROLE_ADMIN,
            layer: Layer::Role,
            said: format!("no role named '{}'", ans.role.name),
            fix: format!(
                "In Halo: {ROLES}: the role was renamed or deleted; run `halo-onboard apply` again to recreate it"
            ),
            drift: format!("role '{}' not found", ans.role.name),
            skipped: &[check::ROLE_PERMISSIONS],
        }
    }
}

fn not_found(r: &mut Report, m: Missing) {
    r.fail(m.first, m.layer, m.said, m.fix);
    r.drift(m.drift);
    for c in m.skipped {
        r.skip(c, format!("skipped: {} not found", m.what));
    }
}

/// The application's checks: active, the secret's reported expiry, scopes, how it logs in.
pub(super) fn check_application(
    a: &Audit<'_>,
    app: &Application,
    agent: Option<&Agent>,
    r: &mut Report,
    known: &mut Known,
) {
    check_app_active(app, r, known);
    reported_expiry(a, app, r, time::OffsetDateTime::now_utc());
    check_app_scopes(a.answers, app, r);
    check_app_login(a.answers, app, agent, r);
}

fn check_app_active(app: &Application, r: &mut Report, known: &mut Known) {
    let name = app.display_name.as_str();
    if app.inactive {
        r.fail(
            check::APP_ACTIVE,
            Layer::Credentials,
            format!("application '{name}' is inactive: every token request is refused"),
            app_fix(name, "Details, untick 'Inactive'"),
        );
        r.drift("application inactive");
        known.token_failure_explained = true;
    } else {
        r.pass(check::APP_ACTIVE, format!("application '{name}' is active"));
    }
}

fn check_app_scopes(ans: &Answers, app: &Application, r: &mut Report) {
    let want = scopes::normalise(&ans.scopes);
    let have = scopes::normalise(&app.scope_names());
    let missing: Vec<_> = want.iter().filter(|s| !have.contains(s)).cloned().collect();
    let extra: Vec<_> = have.iter().filter(|s| !want.contains(s)).cloned().collect();
    if missing.is_empty() && extra.is_empty() {
        r.pass(
            check::APP_SCOPES,
            format!("ticked as the profile says: {}", want.join(" ")),
        );
        return;
    }
    let mut fix = Vec::new();
    if !missing.is_empty() {
        fix.push(format!("tick {}", missing.join(", ")));
    }
    if !extra.is_empty() {
        fix.push(format!("untick {}", extra.join(", ")));
    }
    r.fail(
        check::APP_SCOPES,
        Layer::Scope,
        format!(
            "missing [{}], extra [{}]",
            missing.join(" "),
            extra.join(" ")
        ),
        app_fix(name_of(app), &format!("Permissions: {}", fix.join("; "))),
    );
    for s in &missing {
        r.drift(format!("missing scope {s}"));
    }
    for s in &extra {
        r.drift(format!("extra scope {s}"));
    }
}

fn name_of(app: &Application) -> &str {
    app.display_name.as_str()
}

/// How the application logs in, and as whom: the rows of its table `check` judges as its
/// login (`application::Audit::Login`), each compared as the plan compares it. The login
/// agent is compared only when the answers' agent is known in Halo.
fn check_app_login(ans: &Answers, app: &Application, agent: Option<&Agent>, r: &mut Report) {
    let who = ans.agent.name.as_str();
    let want = build::application_object(ans, agent.and_then(|g| g.id).unwrap_or(0));
    let mut login = Vec::new();
    let mut fix = Vec::new();
    for row in application::ROWS {
        let application::Audit::Login {
            said,
            drift,
            fix: f,
        } = row.audit
        else {
            continue;
        };
        fix.push(f(who));
        if row.known(&want) && row.differs(&want, app) {
            login.push(said(app, who));
            r.drift(drift);
        }
    }
    if login.is_empty() {
        r.pass(
            check::APP_LOGIN,
            "Client ID and Secret, logs in as the profile's agent",
        );
    } else {
        r.fail(
            check::APP_LOGIN,
            Layer::Credentials,
            login.join("; "),
            app_fix(name_of(app), &format!("Details: {}", fix.join(", "))),
        );
    }
}

pub(super) fn check_agent(
    a: &Audit<'_>,
    g: &Agent,
    role: Option<&Role>,
    r: &mut Report,
    known: &mut Known,
) {
    let ans = &a.answers.agent;
    let who = format!("In Halo: {AGENTS} > {}", g.name);
    if ans.active && g.isdisabled {
        r.fail(
            check::AGENT_ACTIVE,
            Layer::Credentials,
            format!(
                "agent '{}' is disabled: the application cannot log in",
                g.name
            ),
            format!("{who}: enable the agent again (untick 'Disabled')"),
        );
        r.drift("agent disabled");
        known.token_failure_explained = true;
    } else {
        r.pass(
            check::AGENT_ACTIVE,
            format!("agent '{}' is enabled", g.name),
        );
    }
    if ans.api_only && !g.isapiagent {
        r.fail(
            check::AGENT_API_ONLY,
            Layer::Credentials,
            format!(
                "agent '{}' is no longer API-only: it takes a licence and can log in to the web UI",
                g.name
            ),
            format!("{who}: tick 'Is an API-only agent'"),
        );
        r.drift("agent not API-only");
    } else if ans.api_only {
        r.pass(check::AGENT_API_ONLY, "API-only, as the profile says");
    } else {
        r.pass(
            check::AGENT_API_ONLY,
            "the profile does not ask for an API-only agent",
        );
    }
    check_details(ans, g, r);
    match role {
        Some(role) if g.roles.iter().any(|x| Some(&x.id) == role.id.as_ref()) => {
            r.pass(check::AGENT_ROLE, format!("has role '{}'", role.name));
        }
        _ => {
            r.fail(
                check::AGENT_ROLE,
                Layer::Role,
                format!(
                    "agent '{}' does not have role '{}'",
                    g.name, a.answers.role.name
                ),
                format!("{who} > Roles: add '{}'", a.answers.role.name),
            );
            r.drift(format!("role '{}' removed from agent", a.answers.role.name));
        }
    }
}

/// The agent's attributes the table marks as audited, compared with what Halo holds: one
/// row, present only when the table audits any.
pub(super) fn check_details(ans: &crate::answers::AgentAnswers, g: &Agent, r: &mut Report) {
    let audited: Vec<_> = agent::ROWS.iter().filter(|x| x.audited).collect();
    if audited.is_empty() {
        return;
    }
    let mut want = Agent::default();
    for row in &audited {
        (row.build)(ans, &mut want);
    }
    let d = crate::plan::diff::diff_attrs(&want, g, audited.iter().copied());
    let names: Vec<&str> = audited.iter().map(|x| x.words).collect();
    match d.first() {
        None => r.pass(
            check::AGENT_DETAILS,
            format!("{}: as the profile says", names.join(", ")),
        ),
        Some(first) => {
            let said: Vec<String> = d.iter().map(ToString::to_string).collect();
            r.fail(
                check::AGENT_DETAILS,
                // The agent the application logs in as: its record, not an access layer.
                Layer::Credentials,
                said.join("; "),
                format!("In Halo: {}", first.place(&g.name)),
            );
            for x in &d {
                r.drift(format!("agent {} changed", x.attribute));
            }
        }
    }
}

/// The role's checks: the administrator switch, then each permission the profile sets.
pub(super) fn check_role(ans: &Answers, role: &Role, r: &mut Report, adopted: bool) {
    let fix = format!("In Halo: {ROLES} > {}", role.name);
    check_role_admin(ans, role, r, adopted, &fix);
    check_role_permissions(ans, role, r, &fix);
}

/// "Is a HaloPSA Administrator": lost, gained on a role this setup made, held by a reused
/// role an adopted integration logs in with, or as the profile says.
fn check_role_admin(ans: &Answers, role: &Role, r: &mut Report, adopted: bool, fix: &str) {
    let created = ans.role.mode == RoleMode::Create;
    match (ans.role.permissions.admin(), role.permissions().admin()) {
        (true, false) => {
            r.fail(
                check::ROLE_ADMIN,
                Layer::Role,
                format!("role '{}' is no longer a HaloPSA Administrator", role.name),
                format!("{fix}: tick 'Is a HaloPSA Administrator'"),
            );
            r.drift("role lost admin");
        }
        (false, true) if created => {
            r.fail(
                check::ROLE_ADMIN,
                Layer::Role,
                format!(
                    "role '{}' was made a HaloPSA Administrator; the profile does not ask for it",
                    role.name
                ),
                format!("{fix}: untick 'Is a HaloPSA Administrator'"),
            );
            r.drift("role gained admin");
        }
        (false, true) if adopted => {
            r.fail(
                check::ROLE_ADMIN,
                Layer::Role,
                format!(
                    "the agent's role '{}' is a HaloPSA Administrator; the profile does not ask for one",
                    role.name
                ),
                "Do not untick it on a role other agents may hold: `halo-onboard tighten` moves the integration to an API-only agent with a role of its own (the role itself is left as it is)",
            );
            r.drift("agent is an administrator");
        }
        (false, true) => r.pass(
            check::ROLE_ADMIN,
            format!(
                "HaloPSA Administrator: '{}' is an existing role this setup reuses",
                role.name
            ),
        ),
        (want, _) => r.pass(
            check::ROLE_ADMIN,
            if want {
                "HaloPSA Administrator, as the profile says"
            } else {
                "not an administrator"
            },
        ),
    }
}

/// Each permission the profile sets, judged on its own scale (an administrator has all).
fn check_role_permissions(ans: &Answers, role: &Role, r: &mut Report, fix: &str) {
    let have = role.permissions();
    let mut short = Vec::new();
    for (def, want) in ans.role.permissions.entries() {
        if def.code == crate::halo::dialect::claims::ADMIN || have.admin() {
            continue;
        }
        let got = have.get(def.code);
        if got.map(|l| l.grade).unwrap_or_default() < want.grade {
            let now = got.map_or("Not set", |l| l.label);
            short.push(format!("{}: {now} (needs {})", def.label, want.label));
            r.drift(format!("role {} below {}", def.label, want.label));
        }
    }
    if short.is_empty() {
        r.pass(
            check::ROLE_PERMISSIONS,
            "permissions as the profile sets them",
        );
    } else {
        r.fail(
            check::ROLE_PERMISSIONS,
            Layer::Role,
            short.join("; "),
            format!("{fix} > Permissions: raise {}", short.join(", ")),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `check`'s login row reads the application's table: each row it audits as the login is
    /// said, counted as drift and named in the fix when Halo holds otherwise.
    #[test]
    fn the_login_check_reads_every_login_row_of_the_table() {
        let a = crate::profile::answers_for("topleft").unwrap();
        let agent = Agent {
            id: Some(7),
            name: a.agent.name.clone(),
            ..Agent::default()
        };
        let good = build::application_object(&a, 7);
        let mut r = Report::default();
        check_app_login(&a, &good, Some(&agent), &mut r);
        assert_eq!(r.checks[0].status, Status::Pass, "{:?}", r.checks);
        let bad = Application {
            grant_type: "password".into(),
            loginentity: LOGIN_ENTITY_AGENT + 1,
            loginas_agent_id: Some(9),
            ..good.clone()
        };
        let mut r = Report::default();
        check_app_login(&a, &bad, Some(&agent), &mut r);
        let row = &r.checks[0];
        let rows: Vec<_> = application::ROWS
            .iter()
            .filter_map(|x| match x.audit {
                application::Audit::Login { said, drift, fix } => Some((said, drift, fix)),
                _ => None,
            })
            .collect();
        assert_eq!(rows.len(), 3);
        for (said, drift, fix) in rows {
            assert!(
                row.detail.contains(&said(&bad, &a.agent.name)),
                "{}",
                row.detail
            );
            assert!(row.fix.contains(&fix(&a.agent.name)), "{}", row.fix);
            assert!(r.drift.iter().any(|d| d == drift), "{:?}", r.drift);
        }
    }
}
