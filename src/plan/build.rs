//! Answers + what Halo has now → the objects to write and a plan of actions with risks.
//! Pure: planning never talks to Halo; the caller passes the lookups it fetched.

use serde::{Deserialize, Serialize};

use crate::answers::{Answers, RoleMode};
use crate::halo::model::*;
use crate::halo::scopes;
use crate::journal::Objects;
use crate::plan::ownership::{self, ANY_SETUP, AgentProof};

pub use super::diff::{Difference, Object, diff_agent, diff_application, diff_role};
use super::lookups::find_by_name;
pub use super::lookups::{Lookups, Recorded};
pub use super::objects::{agent_object, application_object, role_object, role_object_with};
pub use super::role_steps::split_claims;
use super::role_steps::{description_note, role_gaps, role_manual_steps, scope_risks};
use crate::halo::dialect::claims::{ClaimDef, Level};

/// What apply does with one object.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Kind {
    /// Nothing suitable exists: create it.
    Create,
    /// The object exists but differs from the answers: apply writes the `changes`.
    Update,
    /// The object exists and matches (or was made by hand in Halo): no write.
    Keep,
    /// An existing role the user chose (not this setup's) is used as it is: no write.
    Reuse,
}

/// One step of a plan: what happens to one object.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Action {
    /// The object the step is about.
    pub object: Object,
    /// What apply does with it.
    pub kind: Kind,
    /// The object's name in Halo, from the answers or the existing object; may be empty (see
    /// [`Action::shown_name`]).
    pub name: String,
    /// Existing id for update/keep/reuse.
    pub id: Option<String>,
    /// Risks the user confirms before apply, in words ("grants admin: …").
    pub risks: Vec<String>,
    /// Field-level differences for an update.
    pub changes: Vec<Difference>,
}

impl Action {
    /// The object's name as a plan shows it: "(no name yet)" where the answers leave it empty
    /// (a custom profile), never a blank.
    pub fn shown_name(&self) -> &str {
        match self.name.trim() {
            "" => "(no name yet)",
            n => n,
        }
    }
}

/// What apply will do, built from the answers and what Halo has now; shown before any write and
/// kept in the journal.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Plan {
    /// One step per object, in the order apply takes them (role, agent, application).
    pub actions: Vec<Action>,
    /// Problems that block apply (unresolved names, conflicts with strangers' objects).
    pub problems: Vec<String>,
    /// The HTTP requests apply will send, in order (method + path).
    pub requests: Vec<String>,
    /// Steps the user does by hand in Halo's web UI (in Halo's words): role settings the claim
    /// vocabulary cannot express, and all of the role's permissions when this Halo does not
    /// confirm the vocabulary.
    #[serde(default)]
    pub manual: Vec<String>,
    /// The permission claims apply writes on the role it creates or repairs: those this Halo
    /// confirms, on the scale it uses (`dialect::confirm`); the rest are in `manual`.
    #[serde(default)]
    pub role_claims: Vec<Claim>,
    /// What is said about the plan as a whole, before its steps, never counted as a step left:
    /// what the answers ask that the API does not set and the integration does not need (an
    /// application's description), why the role's permissions are steps by hand on this Halo.
    #[serde(default)]
    pub notes: Vec<String>,
}

impl Plan {
    /// Something blocks apply (see `problems`).
    pub fn is_blocked(&self) -> bool {
        !self.problems.is_empty()
    }
    /// The step for object `o`; `None` if the plan has none.
    pub fn action(&self, o: Object) -> Option<&Action> {
        self.actions.iter().find(|a| a.object == o)
    }
    /// Number of writes (create/update) the plan makes.
    pub fn writes(&self) -> usize {
        self.actions
            .iter()
            .filter(|a| matches!(a.kind, Kind::Create | Kind::Update))
            .count()
    }
}

/// Builds the plan. `objects` holds what this setup already created (from its journal);
/// `marker` is this setup's marker. Which existing objects are ours follows
/// [`crate::plan::ownership`]: the role by the marker in its notes, the agent by username plus
/// our role (or logging in for our application, or recorded by an earlier setup), the
/// application by name plus the Client ID a setup recorded or logging in as our agent.
pub fn plan(a: &Answers, lk: &Lookups, objects: &Objects, marker: &str) -> Plan {
    let c = Ctx {
        a,
        lk,
        objects,
        marker,
    };
    let mut p = Plan::default();
    p.requests.extend(
        [
            "GET /api/Roles",
            "GET /api/Roles/{id}?includedetails=true (Administrator and the roles named)",
            "GET /api/Team",
            "GET /api/TopLevel",
            "GET /api/Workday",
            "GET /api/Agent?search=…",
            "GET /api/Application",
        ]
        .map(String::from),
    );
    let claims = role_claims(&c, &mut p);
    p.notes.extend(description_note(a));
    let mut our_role_id: Option<String> = None;
    let role_id_for_agent = match &a.role.mode {
        RoleMode::Reuse(key) => reuse_role(&c, key, &mut p),
        RoleMode::Create => create_role(&c, &mut p, &mut our_role_id),
    };
    let role_name = p
        .action(Object::Role)
        .map_or_else(|| a.role.name.trim().to_string(), |x| x.name.clone());
    p.manual.extend(role_manual_steps(
        a,
        &claims.held,
        claims.all_held.as_deref(),
        &role_name,
    ));
    let our_agent_id = plan_agent(&c, &role_id_for_agent, our_role_id.as_deref(), &mut p);
    plan_application(&c, claims.speaks, our_agent_id, &mut p);
    keep_manual(objects, &mut p);
    verification_requests(&scopes::normalise(&a.scopes), &mut p);
    p
}

/// What [`plan`] works from.
struct Ctx<'a> {
    a: &'a Answers,
    lk: &'a Lookups,
    objects: &'a Objects,
    marker: &'a str,
}

/// Which of the role's claims this Halo confirms (written), which it does not (manual steps).
struct RoleClaims {
    held: Vec<(&'static ClaimDef, &'static Level, String)>,
    /// Why none is written (this Halo does not confirm the vocabulary), if so.
    all_held: Option<String>,
    /// This Halo speaks today's claim codes.
    speaks: bool,
}

fn role_claims(c: &Ctx<'_>, p: &mut Plan) -> RoleClaims {
    let a = c.a;
    let lk = c.lk;
    // Which of the role's claims this Halo confirms: those are written, the rest are steps.
    let wants_claims = matches!(a.role.mode, RoleMode::Create) && !a.role.permissions.is_empty();
    let mut held = Vec::new();
    let mut all_held = None;
    let mut speaks = true;
    if wants_claims {
        let vocab = lk.vocabulary();
        speaks = vocab.speaks();
        all_held = vocab.disagreement();
        let (write, h) = split_claims(&a.role.permissions, &vocab);
        p.role_claims = write;
        held = h;
        // Why is said about the plan; "Set by hand" lists steps only (each a place in Halo).
        if let Some(why) = &all_held {
            p.notes.push(format!("Role permissions: {why}."));
        }
    }
    RoleClaims {
        held,
        all_held,
        speaks,
    }
}

/// The role of the Role step reused by id or name: its id for the agent.
fn reuse_role(c: &Ctx<'_>, key: &String, p: &mut Plan) -> String {
    let lk = c.lk;
    let existing = lk.role_by_key(key);
    let id = existing
        .and_then(|r| r.id.clone())
        .unwrap_or_else(|| key.clone());
    let mut risks = vec!["reuses an existing role".to_string()];
    match existing {
        Some(r) => {
            if r.is_admin() {
                risks.push("grants admin: the role is a HaloPSA Administrator".into());
            }
            p.actions.push(Action {
                object: Object::Role,
                kind: Kind::Reuse,
                name: r.name.clone(),
                id: Some(id.clone()),
                risks,
                changes: vec![],
            });
        }
        None => p.problems.push(format!(
            "Role: the role to reuse ('{key}') does not exist in Halo"
        )),
    }
    id.clone()
}

/// The role to create, or ours to keep or repair: its id for the agent (empty until made).
fn create_role(c: &Ctx<'_>, p: &mut Plan, our_role_id: &mut Option<String>) -> String {
    let (a, lk, objects, marker) = (c.a, c.lk, c.objects, c.marker);
    let want = role_object_with(a, marker, p.role_claims.clone());
    let mut risks = Vec::new();
    if a.role.permissions.admin() {
        risks.push("grants admin: Is a HaloPSA Administrator".into());
    }
    let ours = objects
        .role_id
        .as_deref()
        .and_then(|id| lk.roles.iter().find(|r| r.id.as_deref() == Some(id)));
    let same_name = find_by_name(&lk.roles, &want.name, |r| &r.name);
    if want.name.is_empty() {
        p.problems.push("Role: a name is required".into());
    }
    match (ours, same_name) {
            (Some(r), _) => {
                let action = existing(Object::Role, &r.name, r.id.clone(), risks, diff_role(&want, r));
                if action.kind == Kind::Update {
                    p.requests.push("POST /api/Roles (update)".into());
                }
                *our_role_id = r.id.clone();
                p.actions.push(action);
            }
            (None, Some(r)) if ownership::role(r, marker, &want.name).is_ours() => {
                *our_role_id = r.id.clone();
                p.actions.push(Action { object: Object::Role, kind: Kind::Keep, name: r.name.clone(), id: r.id.clone(), risks, changes: vec![] });
            }
            (None, Some(r)) if ownership::role(r, ANY_SETUP, &want.name).is_ours() => {
                risks.push("adopts a role made by an earlier halo-onboard setup".into());
                let changes = diff_role(&Role { notes: r.notes.clone(), ..want.clone() }, r);
                *our_role_id = r.id.clone();
                p.actions.push(existing(Object::Role, &r.name, r.id.clone(), risks, changes));
            }
            (None, Some(r)) => p.problems.push(format!(
                "Role: a role named '{}' already exists and was not made by halo-onboard ({}); reuse it (Role step: reuse) or choose another name",
                r.name,
                ownership::role(r, ANY_SETUP, &want.name).reason()
            )),
            (None, None) => {
                p.requests.push("POST /api/Roles".into());
                p.requests.push("GET /api/Roles/{id} (read back)".into());
                p.actions.push(Action { object: Object::Role, kind: Kind::Create, name: want.name.clone(), id: None, risks, changes: vec![] });
            }
        }
    p.action(Object::Role)
        .and_then(|x| x.id.clone())
        .unwrap_or_default()
}

/// The agent: to create, ours to keep or repair, or a stranger's (a problem). Its Halo id if
/// it exists and is ours.
fn plan_agent(
    c: &Ctx<'_>,
    role_id_for_agent: &str,
    our_role_id: Option<&str>,
    p: &mut Plan,
) -> Option<i64> {
    let mut agent_problems = Vec::new();
    let want_agent = agent_object(c.a, role_id_for_agent, c.lk, &mut agent_problems);
    p.problems.extend(agent_problems);
    if want_agent.name.is_empty() {
        p.problems.push("Agent: a username is required".into());
    }
    let mut agent_risks = agent_risks(&want_agent);
    let g = existing_agent(c, &want_agent, our_role_id, &mut agent_risks, p)?;
    let want = Agent {
        roles: known_roles(&want_agent),
        ..want_agent.clone()
    };
    p.actions.push(existing(
        Object::Agent,
        &g.name,
        g.id.map(|i| i.to_string()),
        agent_risks,
        diff_agent(&want, g),
    ));
    g.id
}

/// What the agent asked for risks: a licence and a login, approving money.
fn agent_risks(want: &Agent) -> Vec<String> {
    let mut risks = Vec::new();
    if !want.isapiagent {
        risks.push("full (non API-only) agent: takes a licence and can log in".into());
    }
    if want.can_approve_purchaseorder || want.can_approve_invoice {
        risks.push("can approve purchase orders or invoices".into());
    }
    risks
}

/// The agent that logs in for an application with the name asked for whose Client ID this
/// setup or an earlier one recorded (the chain's last link for an agent whose role is not
/// ours, e.g. a reused Administrator role).
fn recorded_login(c: &Ctx<'_>) -> Option<i64> {
    let (lk, objects) = (c.lk, c.objects);
    let app_name = c.a.application.name.trim();
    find_by_name(&lk.applications, app_name, |x| &x.display_name)
        .filter(|g| {
            let cid = objects
                .client_id
                .as_deref()
                .filter(|_| objects.application_id.is_some() && objects.application_id == g.id)
                .or_else(|| lk.recorded.client_id_of(g.id.as_deref()));
            cid.is_some() && ownership::application(g, app_name, cid, None).is_ours()
        })
        .and_then(|g| g.loginas_agent_id)
}

/// The agent Halo has that is ours (recorded, or proven by [`ownership::agent`]); none to
/// create (planned here with its risks), or a stranger's with the name (a problem).
fn existing_agent<'a>(
    c: &Ctx<'a>,
    want: &Agent,
    our_role_id: Option<&str>,
    risks: &mut Vec<String>,
    p: &mut Plan,
) -> Option<&'a Agent> {
    let lk = c.lk;
    let ours = c
        .objects
        .agent_id
        .and_then(|id| lk.agents.iter().find(|x| x.id == Some(id)));
    match (ours, find_by_name(&lk.agents, &want.name, |x| &x.name)) {
        (Some(g), _) => Some(g),
        (None, Some(g)) => {
            let verdict = ownership::agent(
                g,
                &want.name,
                AgentProof {
                    our_role_id,
                    login_of_our_app: recorded_login(c),
                    recorded: g.id.is_some_and(|id| lk.recorded.agent_ids.contains(&id)),
                },
            );
            if verdict.is_ours() {
                risks.push("adopts an agent made by an earlier halo-onboard setup".into());
                return Some(g);
            }
            p.problems.push(format!(
                "Agent: an agent with username '{}' already exists (id {}) and was not made by halo-onboard ({}); choose another username",
                g.name,
                g.id.unwrap_or_default(),
                verdict.reason()
            ));
            None
        }
        (None, None) => {
            p.requests.push("POST /api/Agent".into());
            p.requests.push("GET /api/Agent/{id} (read back)".into());
            p.actions.push(Action {
                object: Object::Agent,
                kind: Kind::Create,
                name: want.name.clone(),
                id: None,
                risks: std::mem::take(risks),
                changes: vec![],
            });
            None
        }
    }
}

/// The application: to create, ours to keep or repair, or a stranger's (a problem); the
/// scopes checked and their risks.
fn plan_application(c: &Ctx<'_>, speaks: bool, our_agent_id: Option<i64>, p: &mut Plan) {
    let a = c.a;
    let names = scopes::normalise(&a.scopes);
    application_problems(a, &names, p);
    let mut app_risks = scope_risks(&names);
    if speaks {
        app_risks.extend(role_gaps(a, &names));
    }
    let agent_id = p
        .action(Object::Agent)
        .and_then(|x| x.id.as_deref())
        .and_then(|i| i.parse().ok())
        .unwrap_or(0);
    let Some(g) = existing_application(c, our_agent_id, &mut app_risks, p) else {
        return;
    };
    // Without the agent's id (still to be created) the login agent cannot be compared.
    let changes = if agent_id == 0 {
        vec![]
    } else {
        diff_application(&application_object(a, agent_id), g)
    };
    p.actions.push(existing(
        Object::Application,
        &g.display_name,
        g.id.clone(),
        app_risks,
        changes,
    ));
}

/// What the answers ask of the application that cannot be planned: scopes Halo does not
/// have or none, no name, another agent to log in as.
fn application_problems(a: &Answers, names: &[String], p: &mut Plan) {
    let app_name = a.application.name.trim();
    for n in names {
        if !scopes::is_known(n) {
            let why = scopes::known_trap(n).unwrap_or("not a Halo scope");
            p.problems
                .push(format!("Permissions: '{n}' is not a valid scope ({why})"));
        }
    }
    if names.is_empty() {
        p.problems
            .push("Permissions: tick at least one scope".into());
    }
    if app_name.is_empty() {
        p.problems.push("Application: a name is required".into());
    }
    // The application logs in as the agent this setup makes: its role is what the vendor may
    // do, and verification proves it. Another agent (an existing one) would carry permissions
    // nobody planned or checked, so it is refused rather than silently ignored.
    if let Some(other) = a
        .application
        .login_agent
        .as_deref()
        .map(str::trim)
        .filter(|n| !n.is_empty() && *n != a.agent.name.trim())
    {
        p.problems.push(format!(
            "Application: logging in as another agent ('{other}') is not something halo-onboard does: the application logs in as the agent this setup makes, whose role the plan sets and verification proves. Leave 'Agent to log in as' on the new agent (answers: remove application.login_agent); to use an existing agent, set it afterwards in Halo: {} > '{app_name}' > Agent to log in as",
            crate::halo::dialect::ui::APPLICATIONS
        ));
    }
}

/// The application Halo has that is ours (recorded, or proven by
/// [`ownership::application`]); none to create (planned here with its risks), or a
/// stranger's with the name (a problem).
fn existing_application<'a>(
    c: &Ctx<'a>,
    our_agent_id: Option<i64>,
    risks: &mut Vec<String>,
    p: &mut Plan,
) -> Option<&'a Application> {
    let lk = c.lk;
    let app_name = c.a.application.name.trim();
    let ours = c
        .objects
        .application_id
        .as_deref()
        .and_then(|id| lk.applications.iter().find(|x| x.id.as_deref() == Some(id)));
    match (
        ours,
        find_by_name(&lk.applications, app_name, |x| &x.display_name),
    ) {
        (Some(g), _) => Some(g),
        (None, Some(g)) => {
            let recorded = lk.recorded.client_id_of(g.id.as_deref());
            let verdict = ownership::application(g, app_name, recorded, our_agent_id);
            if verdict.is_ours() {
                risks.push("adopts an application made by an earlier halo-onboard setup; its Client ID and secret stay as handed over then (a new secret only with --new-secret)".into());
                return Some(g);
            }
            p.problems.push(format!(
                "Application: an application named '{}' already exists and was not made by halo-onboard ({}); choose another name",
                g.display_name,
                verdict.reason()
            ));
            None
        }
        (None, None) => {
            p.requests.push("POST /api/Application".into());
            p.requests
                .push("GET /api/Application/{id} (read back)".into());
            p.actions.push(Action {
                object: Object::Application,
                kind: Kind::Create,
                name: app_name.into(),
                id: None,
                risks: std::mem::take(risks),
                changes: vec![],
            });
            None
        }
    }
}

/// The requests the verification sends with the new credentials: a token, `Agent/me`, and one
/// probe per area the scopes grant.
fn verification_requests(names: &[String], p: &mut Plan) {
    p.requests.push("POST /auth/token (new credentials)".into());
    p.requests
        .push("GET /api/Agent/me (new credentials)".into());
    for area in scopes::AREAS {
        let Some(probe) = scopes::probe(area) else {
            continue;
        };
        if area.scopes.iter().any(|s| scopes::any_grants(names, s)) {
            p.requests.push(format!(
                "GET /api{} (probe {})",
                scopes::probe_request(probe),
                area.key
            ));
        }
    }
}

/// An object that already exists: kept when Halo holds what was asked, else updated.
fn existing(
    object: Object,
    name: &str,
    id: Option<String>,
    risks: Vec<String>,
    changes: Vec<Difference>,
) -> Action {
    Action {
        object,
        kind: if changes.is_empty() {
            Kind::Keep
        } else {
            Kind::Update
        },
        name: name.to_string(),
        id,
        risks,
        changes,
    }
}

/// Objects the user made by hand (after Halo refused the write) are kept as they are: an update
/// would be refused like the create was. Their differences stay listed as `changes` so apply
/// can report them with the Halo UI field to fix; the setup marker is irrelevant for them.
fn keep_manual(objects: &Objects, p: &mut Plan) {
    for a in &mut p.actions {
        let manual = match a.object {
            Object::Role => objects.role_manual,
            Object::Agent => objects.agent_manual,
            Object::Application => objects.application_manual,
        };
        if !manual {
            continue;
        }
        a.changes.retain(|c| !c.is_marker());
        if a.kind == Kind::Update {
            a.kind = Kind::Keep;
            if a.object == Object::Role {
                p.requests.retain(|r| r != "POST /api/Roles (update)");
            }
        }
    }
}

/// The wanted roles whose ids are known (a role still to be created has no id yet).
fn known_roles(want: &Agent) -> Vec<RoleRef> {
    want.roles
        .iter()
        .filter(|r| !r.id.is_empty())
        .cloned()
        .collect()
}

#[cfg(test)]
#[path = "build_tests.rs"]
mod tests;

#[cfg(test)]
#[path = "build_dialect_tests.rs"]
mod dialect_tests;

#[cfg(test)]
#[path = "table_tests.rs"]
mod table_tests;
