//! The object checks (with the bootstrap credentials): the application, the agent, the role.

use crate::answers::agent;
use crate::answers::{Answers, RoleMode};
use crate::halo::model::*;
use crate::halo::{Client, HaloError, scopes};
use crate::plan::session::{self, For};
use crate::plan::verify::{self, Layer};

use super::input::*;
use super::report::*;
use super::token::reported_expiry;
use crate::halo::dialect::ui::{AGENTS, HALO_API, ROLES};

/// Object-level checks with the bootstrap client.
pub(super) async fn objects(a: &Audit<'_>, b: &Client, r: &mut Report) -> Known {
    let ans = a.answers;
    // The setup's role is read with its details: its claims are what is checked.
    let (apps, roles, agents) = match session::lookups(b, For::Setup(ans)).await {
        Ok(lk) => (lk.applications, lk.roles, lk.agents),
        Err(e) => {
            let layer = verify::outside_layer(&e).unwrap_or(Layer::Transport);
            r.fail("read objects", layer, e.to_string(), e.hint());
            if e.is_transient() || matches!(e, HaloError::Connect(_)) {
                r.stopped(layer);
            }
            return Known::default();
        }
    };
    let mut known = Known::default();
    let agent = agents
        .iter()
        .find(|x| x.name.trim().eq_ignore_ascii_case(ans.agent.name.trim()));
    known.agent_id = agent.and_then(|x| x.id);

    // Application.
    let app = apps
        .iter()
        .find(|x| x.client_id.eq_ignore_ascii_case(a.app_client_id.trim()));
    match app {
        None => {
            r.fail(
                check::APP_ACTIVE,
                Layer::Credentials,
                format!("no application has client id {}", a.app_client_id),
                format!("Check --app-client-id against {HALO_API} (the application may have been deleted)"),
            );
            r.drift("application not found");
            r.skip(check::APP_SCOPES, "skipped: application not found");
            r.skip(check::APP_LOGIN, "skipped: application not found");
        }
        Some(app) => check_application(a, app, agent, r, &mut known),
    }

    // Agent.
    let role = match &ans.role.mode {
        RoleMode::Reuse(key) => roles
            .iter()
            .find(|x| x.id.as_deref() == Some(key.as_str()))
            .or_else(|| {
                roles
                    .iter()
                    .find(|x| x.name.trim().eq_ignore_ascii_case(key.trim()))
            }),
        RoleMode::Create => roles
            .iter()
            .find(|x| x.name.trim().eq_ignore_ascii_case(ans.role.name.trim())),
    };
    match agent {
        None => {
            r.fail(
                check::AGENT_ACTIVE,
                Layer::Credentials,
                format!("no agent with username '{}'", ans.agent.name),
                format!("In Halo: {AGENTS}: the agent was renamed or deleted; run `halo-onboard apply` again to recreate it"),
            );
            r.drift(format!("agent '{}' not found", ans.agent.name));
            r.skip(check::AGENT_API_ONLY, "skipped: agent not found");
            r.skip(check::AGENT_ROLE, "skipped: agent not found");
        }
        Some(g) => check_agent(a, g, role, r, &mut known),
    }

    // Role.
    match role {
        None => {
            r.fail(
                check::ROLE_ADMIN,
                Layer::Role,
                format!("no role named '{}'", ans.role.name),
                format!("In Halo: {ROLES}: the role was renamed or deleted; run `halo-onboard apply` again to recreate it"),
            );
            r.drift(format!("role '{}' not found", ans.role.name));
            r.skip(check::ROLE_PERMISSIONS, "skipped: role not found");
        }
        Some(role) => check_role(ans, role, r, a.adopted),
    }
    known
}

pub(super) fn check_application(
    a: &Audit<'_>,
    app: &Application,
    agent: Option<&Agent>,
    r: &mut Report,
    known: &mut Known,
) {
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

    reported_expiry(a, app, r, time::OffsetDateTime::now_utc());

    let want = scopes::normalise(&a.answers.scopes);
    let have = scopes::normalise(&app.scope_names());
    let missing: Vec<_> = want.iter().filter(|s| !have.contains(s)).cloned().collect();
    let extra: Vec<_> = have.iter().filter(|s| !want.contains(s)).cloned().collect();
    if missing.is_empty() && extra.is_empty() {
        r.pass(
            check::APP_SCOPES,
            format!("ticked as the profile says: {}", want.join(" ")),
        );
    } else {
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
            app_fix(name, &format!("Permissions: {}", fix.join("; "))),
        );
        for s in &missing {
            r.drift(format!("missing scope {s}"));
        }
        for s in &extra {
            r.drift(format!("extra scope {s}"));
        }
    }

    let mut login = Vec::new();
    if !app.grant_type.is_empty() && app.grant_type != GRANT_CLIENT_CREDENTIALS {
        login.push(format!("authentication method is '{}'", app.grant_type));
        r.drift("application authentication method changed");
    }
    if app.loginentity != LOGIN_ENTITY_AGENT {
        login.push("login type is not Agent".to_string());
        r.drift("application login type changed");
    }
    let want_agent = agent.and_then(|g| g.id);
    if want_agent.is_some() && app.loginas_agent_id != want_agent {
        let shown = if app.loginas_agent_name.is_empty() {
            format!("agent id {}", app.loginas_agent_id.unwrap_or_default())
        } else {
            format!("'{}'", app.loginas_agent_name)
        };
        login.push(format!(
            "logs in as {shown}, not the profile's agent '{}'",
            a.answers.agent.name
        ));
        r.drift("application logs in as another agent");
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
            app_fix(
                name,
                &format!(
                    "Details: authentication method 'Client ID and Secret (Services)', login type Agent, agent to log in as '{}'",
                    a.answers.agent.name
                ),
            ),
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

pub(super) fn check_role(ans: &Answers, role: &Role, r: &mut Report, adopted: bool) {
    let fix = format!("In Halo: {ROLES} > {}", role.name);
    let created = ans.role.mode == RoleMode::Create;
    let have = role.permissions();
    match (ans.role.permissions.admin(), have.admin()) {
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
    // Each permission the profile sets, judged on its own scale (an administrator has all).
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
