//! The tightening plan: what the integration has against what its profile asks, and the route
//! (in place, or through a new agent).

use std::collections::BTreeMap;

use serde::Serialize;

use crate::answers::Answers;
use crate::halo::Client;
use crate::halo::dialect::Permissions;
use crate::halo::dialect::claims::{self, ADMIN};
use crate::halo::model::{Agent, Claim};
use crate::journal::Session;
use crate::plan::inventory::{self, AgentRead, Integration, RoleRead};
use crate::plan::rotate::{RotateError, is_recorded};

/// One in-place step.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "kebab-case", tag = "step")]
pub(crate) enum Step {
    /// The application's scopes set to the profile's.
    Scopes {
        application_id: String,
        name: String,
        from: Vec<String>,
        to: Vec<String>,
    },
    /// The role's permissions set to the profile's.
    Role {
        role_id: String,
        name: String,
        from: Vec<Claim>,
        to: Vec<Claim>,
        /// Each change in Halo's words ("Tickets: Read and Modify → Read Only").
        changes: Vec<String>,
    },
}

impl Step {
    pub(crate) fn words(&self) -> String {
        match self {
            Self::Scopes { name, from, to, .. } => {
                let drop: Vec<&str> = from
                    .iter()
                    .filter(|s| !to.contains(s))
                    .map(String::as_str)
                    .collect();
                let add: Vec<&str> = to
                    .iter()
                    .filter(|s| !from.contains(s))
                    .map(String::as_str)
                    .collect();
                let mut w = format!(
                    "application '{name}': scopes {} → {}",
                    from.join(" "),
                    to.join(" ")
                );
                if !drop.is_empty() {
                    w.push_str(&format!(" (drops {})", drop.join(", ")));
                }
                if !add.is_empty() {
                    w.push_str(&format!(
                        " (adds {}, which the profile needs)",
                        add.join(", ")
                    ));
                }
                w
            }
            Self::Role { name, changes, .. } => {
                format!("role '{name}': {}", changes.join("; "))
            }
        }
    }
}

/// The new agent, role and application of the rotation route.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub(crate) struct NewAgent {
    /// Why the agent changes.
    pub reasons: Vec<String>,
    pub role: String,
    pub agent: String,
    pub application: String,
    pub scopes: Vec<String>,
    /// What the integration has now that it will not have, in words.
    pub drops: Vec<String>,
}

/// What `tighten` would do.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub(crate) struct Plan {
    pub new_agent: Option<NewAgent>,
    pub steps: Vec<Step>,
    /// What is left as it is, and why.
    pub notes: Vec<String>,
}

impl Plan {
    pub(crate) fn is_empty(&self) -> bool {
        self.new_agent.is_none() && self.steps.is_empty()
    }

    /// The plan for people.
    pub(crate) fn text(&self) -> String {
        let mut o = String::new();
        match &self.new_agent {
            Some(n) => {
                o.push_str("Tighten through a new agent (the old application keeps working until `rotate --finish`):\n");
                for r in &n.reasons {
                    o.push_str(&format!("  why: {r}\n"));
                }
                o.push_str(&format!(
                    "  create role '{}' (the profile's permissions), API-only agent '{}' with it, application '{}' logging in as it with scopes {}\n",
                    n.role,
                    n.agent,
                    n.application,
                    n.scopes.join(" ")
                ));
                o.push_str("  verify the new credentials; hand them over in a new file; then `halo-onboard rotate --finish` deletes the old application\n");
                for d in &n.drops {
                    o.push_str(&format!("  drops: {d}\n"));
                }
            }
            None if self.steps.is_empty() => o.push_str(
                "Nothing to tighten: the integration has exactly what its profile needs.\n",
            ),
            None => {
                o.push_str("Tighten in place, one step at a time, each checked with the integration's own credentials and put back if a need stops being met:\n");
                for (i, s) in self.steps.iter().enumerate() {
                    o.push_str(&format!("  {}. {}\n", i + 1, s.words()));
                }
            }
        }
        for n in &self.notes {
            o.push_str(&format!("  note: {n}\n"));
        }
        o
    }
}

/// What Halo shows of the setup's integration, proven to be the one the journal recorded.
#[derive(Debug, Clone)]
pub(crate) struct Current {
    pub integration: Integration,
    /// Role id → how many other agents hold it (`None`: the agent list could not be read).
    pub others: Option<BTreeMap<String, usize>>,
}

/// Reads the integration the setup manages: its application (id, Client ID and login agent as
/// recorded), agent, roles, and who else holds those roles.
pub(crate) async fn read(client: &Client, s: &Session) -> Result<Current, RotateError> {
    let o = &s.objects;
    let (Some(app_id), Some(cid), Some(agent_id)) = (
        o.application_id.clone().filter(|x| !x.is_empty()),
        o.client_id.clone().filter(|x| !x.is_empty()),
        o.agent_id,
    ) else {
        return Err(RotateError::NotReady(
            format!("setup {} has no application yet", s.id),
            format!("Finish it first: halo-onboard resume {} --yes", s.id),
        ));
    };
    let app = client.get_application(&app_id).await?;
    is_recorded(&app, &app_id, &cid, agent_id).map_err(RotateError::NotOurs)?;
    let integration = inventory::around(client, app).await;
    let others = client.agents_with_roles().await.ok().map(|agents| {
        integration
            .roles
            .iter()
            .map(|r| {
                let n = inventory::holders(&agents, r.id())
                    .iter()
                    .filter(|a| a.id != Some(agent_id))
                    .count();
                (r.id().to_ascii_lowercase(), n)
            })
            .collect()
    });
    Ok(Current {
        integration,
        others,
    })
}

/// Each difference between two permission sets, in Halo's words, and whether `have` grants
/// something `want` does not.
fn differences(have: &Permissions, want: &Permissions) -> (Vec<String>, Vec<String>) {
    let mut changes = Vec::new();
    let mut beyond = Vec::new();
    let label = |p: &Permissions, code: &str| p.get(code).map_or("Not set", |l| l.label);
    let mut codes: Vec<&'static str> = have.codes();
    for c in want.codes() {
        if !codes.contains(&c) {
            codes.push(c);
        }
    }
    for code in codes {
        let (h, w) = (have.get(code), want.get(code));
        if h.map(|l| l.value) == w.map(|l| l.value) {
            continue;
        }
        let name = claims::by_code(code).map_or(code, |d| d.label);
        changes.push(format!(
            "{name}: {} → {}",
            label(have, code),
            label(want, code)
        ));
        let more = if code == ADMIN {
            have.admin() && !want.admin()
        } else {
            h.map(|l| l.grade).unwrap_or_default() > w.map(|l| l.grade).unwrap_or_default()
        };
        if more {
            beyond.push(format!("{name} ({})", label(have, code)));
        }
    }
    (changes, beyond)
}

/// The plan: `target` is the profile's answers (names, role, scopes); `new_agent` forces the
/// rotation route.
pub(crate) fn plan(cur: &Current, target: &Answers, new_agent: bool) -> Result<Plan, RotateError> {
    let i = &cur.integration;
    let agent = readable_agent(i)?;
    let want = &target.role.permissions;
    let mut reasons = agent_must_change(i, agent, target);
    let (role_changes, beyond) = differences(&i.permissions(), want);
    let role_step = if role_changes.is_empty() {
        None
    } else {
        role_step(cur, agent, want, role_changes, &mut reasons)
    };
    if new_agent {
        reasons.push("--new-agent asks for it".into());
    }
    let want_scopes = crate::halo::scopes::normalise(&target.scopes);
    let have_scopes = crate::halo::scopes::normalise(&i.app.scope_names());
    if !reasons.is_empty() {
        return Ok(through_new_agent(
            i,
            agent,
            target,
            reasons,
            &beyond,
            &have_scopes,
            want_scopes,
        ));
    }
    let mut steps = Vec::new();
    if have_scopes != want_scopes {
        steps.push(Step::Scopes {
            application_id: i.app.id.clone().unwrap_or_default(),
            name: i.app.display_name.clone(),
            from: have_scopes,
            to: want_scopes,
        });
    }
    steps.extend(role_step);
    Ok(Plan {
        new_agent: None,
        steps,
        notes: Vec::new(),
    })
}

/// The agent the application logs in as, or why it could not be read.
fn readable_agent(i: &Integration) -> Result<&Agent, RotateError> {
    if let Some(agent) = i.agent() {
        return Ok(agent);
    }
    // Say why: a refusal, a rate limit and an outage each have their own fix.
    let why = match &i.agent {
        AgentRead::Unreadable { why, .. } => format!(": {why}"),
        _ => " (it names no agent)".into(),
    };
    Err(RotateError::NotReady(
        format!(
            "the agent application '{}' logs in as could not be read{why}",
            i.app.display_name
        ),
        "If Halo refused it, check that the bootstrap application may read agents (admin scope, an administrator agent); then run it again.".into(),
    ))
}

/// Why the agent itself must change (the rotation route), whatever its role: a person's
/// account, an administrator the profile does not ask for, unreadable roles, or claims of its
/// own beyond the profile's.
fn agent_must_change(i: &Integration, agent: &Agent, target: &Answers) -> Vec<String> {
    let want = &target.role.permissions;
    let mut reasons = Vec::new();
    if !agent.isapiagent && target.agent.api_only {
        reasons.push(format!(
            "it logs in as '{}', a person's account (not API-only)",
            agent.name
        ));
    }
    match i.admin() {
        Some(true) if !want.admin() => reasons.push(format!(
            "its agent '{}' is a HaloPSA Administrator; the profile does not ask for one",
            agent.name
        )),
        None => reasons.push(format!(
            "the roles of agent '{}' could not be read, so its rights cannot be judged or edited",
            agent.name
        )),
        _ => {}
    }
    let own = Permissions::from_claims(&agent.claims);
    if !differences(&own, want).1.is_empty() {
        reasons.push(format!(
            "agent '{}' carries permissions of its own beyond the profile's (halo-onboard does not edit an agent's own claims)",
            agent.name
        ));
    }
    reasons
}

/// The in-place role step, when the agent's one role may be edited; otherwise adds to
/// `reasons` why it may not (only the first reason is kept for a role another rule already
/// ruled out, so the plan says the deciding one).
fn role_step(
    cur: &Current,
    agent: &Agent,
    want: &Permissions,
    changes: Vec<String>,
    reasons: &mut Vec<String>,
) -> Option<Step> {
    let role = match cur.integration.roles.as_slice() {
        [RoleRead::Read(role)] => role,
        [] => {
            reasons.push(format!("agent '{}' has no role to tighten", agent.name));
            return None;
        }
        [RoleRead::Unreadable { .. }] | [_, _, ..] => {
            let roles = &cur.integration.roles;
            reasons.push(format!(
                "agent '{}' has {} roles ({}): their rights add up, so no one of them can be set to the profile's",
                agent.name,
                roles.len(),
                roles.iter().map(RoleRead::name).collect::<Vec<_>>().join(", ")
            ));
            return None;
        }
    };
    // An administrator role is never edited in place (other agents may come to hold it,
    // and it is the one an admin would least expect to change).
    if role.is_admin() {
        if reasons.is_empty() {
            reasons.push(format!(
                "its role '{}' is an administrator role, which halo-onboard does not edit",
                role.name
            ));
        }
        return None;
    }
    let id = role.id.clone().unwrap_or_default();
    let shared = cur
        .others
        .as_ref()
        .map(|o| o.get(&id.to_ascii_lowercase()).copied().unwrap_or(0));
    match shared {
        Some(0) => Some(Step::Role {
            role_id: id,
            name: role.name.clone(),
            from: role.claims.clone(),
            to: want.claims(),
            changes,
        }),
        Some(n) if reasons.is_empty() => {
            reasons.push(format!(
                "its role '{}' is held by {n} other agent(s): changing it would change them too",
                role.name
            ));
            None
        }
        None if reasons.is_empty() => {
            reasons.push(format!(
                "who else holds role '{}' could not be read (the agent list), so it is not changed",
                role.name
            ));
            None
        }
        Some(_) | None => None,
    }
}

/// The rotation route: a new role, agent and application from the profile, and what the
/// integration will lose by it.
fn through_new_agent(
    i: &Integration,
    agent: &Agent,
    target: &Answers,
    reasons: Vec<String>,
    beyond: &[String],
    have_scopes: &[String],
    scopes: Vec<String>,
) -> Plan {
    let extra_scopes: Vec<&str> = have_scopes
        .iter()
        .filter(|s| !scopes.contains(s))
        .map(String::as_str)
        .collect();
    let mut drops = Vec::new();
    if !beyond.is_empty() {
        drops.push(format!(
            "rights beyond the profile's: {}",
            beyond.join(", ")
        ));
    }
    if !extra_scopes.is_empty() {
        drops.push(format!("scopes: {}", extra_scopes.join(", ")));
    }
    let note = format!(
        "agent '{}' (id {}) and its roles ({}) are left as they are: halo-onboard never edits or deletes a person's account, an Administrator role or a role other agents hold; once the old application is deleted, disable or remove what nothing else uses in Halo",
        agent.name,
        agent.id.unwrap_or_default(),
        i.roles
            .iter()
            .map(RoleRead::name)
            .collect::<Vec<_>>()
            .join(", ")
    );
    Plan {
        new_agent: Some(NewAgent {
            reasons,
            role: target.role.name.trim().to_string(),
            agent: target.agent.name.trim().to_string(),
            application: target.application.name.trim().to_string(),
            scopes,
            drops,
        }),
        steps: Vec::new(),
        notes: vec![note],
    }
}
