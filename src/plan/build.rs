//! Answers + what Halo has now → the objects to write and a plan of actions with risks.
//! Pure: planning never talks to Halo; the caller passes the lookups it fetched.

use serde::{Deserialize, Serialize};

use crate::answers::{ALL, Answers, DepartmentAnswer, RoleMode, TeamAnswer};
use crate::halo::dialect::claims::{self, ClaimDef, Grade, Level, Permissions};
use crate::halo::dialect::confirm::{Vocabulary, confirm};
use crate::halo::model::*;
use crate::halo::scopes;
use crate::journal::Objects;
use crate::plan::ownership::{self, ANY_SETUP, AgentProof};

pub use super::diff::{Difference, Object, diff_agent, diff_application, diff_role};

/// What Halo has that the plan depends on.
#[derive(Debug, Clone, Default)]
pub struct Lookups {
    pub roles: Vec<Role>,
    pub teams: Vec<Team>,
    pub departments: Vec<Department>,
    pub workdays: Vec<Workday>,
    /// Agents whose username matches the answers (API-only and disabled included).
    pub agents: Vec<Agent>,
    pub applications: Vec<Application>,
    /// What earlier setups of this journal recorded creating on this Halo (see
    /// [`Recorded`]); empty where no journal was consulted.
    pub recorded: Recorded,
}

/// Ids earlier setups of this journal recorded creating on this Halo: proof, besides the role
/// marker, that an agent or application a new setup finds by name is one halo-onboard made
/// (`plan::ownership`). Filled from the journal by [`Recorded::from_journal`].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Recorded {
    pub agent_ids: Vec<i64>,
    /// (application id, Client ID) pairs.
    pub applications: Vec<(String, String)>,
}

impl Recorded {
    /// What the setups of `journal` other than `except` created on the Halo at `endpoint`
    /// (ids are per instance: another Halo's agent 7 is someone else).
    pub fn from_journal(
        journal: &crate::journal::Journal,
        endpoint: &crate::halo::Endpoint,
        except: &str,
    ) -> Self {
        let mut r = Self::default();
        let same_halo = |e: &Option<crate::halo::Endpoint>| {
            e.as_ref().is_some_and(|e| {
                e.resource_url
                    .trim_end_matches('/')
                    .eq_ignore_ascii_case(endpoint.resource_url.trim_end_matches('/'))
            })
        };
        for s in journal.list().0 {
            if s.id == except || !same_halo(&s.endpoint) {
                continue;
            }
            let o = &s.objects;
            if let (true, Some(id)) = (o.agent_created, o.agent_id) {
                r.agent_ids.push(id);
            }
            if let (true, Some(id), Some(cid)) =
                (o.application_created, &o.application_id, &o.client_id)
            {
                r.applications.push((id.clone(), cid.clone()));
            }
        }
        r
    }

    /// The Client ID an earlier setup recorded for application `id`.
    pub fn client_id_of(&self, id: Option<&str>) -> Option<&str> {
        let id = id?;
        self.applications
            .iter()
            .find(|(a, _)| a == id)
            .map(|(_, c)| c.as_str())
    }
}

impl Lookups {
    /// A role by Halo id, or else by name (answers from a profile name the role).
    pub fn role_by_key(&self, key: &str) -> Option<&Role> {
        self.roles
            .iter()
            .find(|r| r.id.as_deref() == Some(key))
            .or_else(|| find_by_name(&self.roles, key, |r| &r.name))
    }
    /// Does this Halo speak halo-onboard's claim vocabulary (judged from the roles' details)?
    pub fn vocabulary(&self) -> Vocabulary {
        confirm(&self.roles)
    }
    /// Work hours are referred to by name: answers naming hours this Halo does not have fall
    /// back to the first it has.
    pub fn settle_workday(&self, a: &mut Answers) {
        let wd = &a.agent.workday;
        if let Some(first) = self.workdays.first()
            && !self
                .workdays
                .iter()
                .any(|w| w.name.eq_ignore_ascii_case(wd))
        {
            a.agent.workday = first.name.clone();
        }
    }
    /// Agents whose username equals `name` (case-insensitive, trimmed).
    pub fn agents_named(&self, name: &str) -> Vec<&Agent> {
        if name.trim().is_empty() {
            return Vec::new();
        }
        self.agents
            .iter()
            .filter(|a| a.name.trim().eq_ignore_ascii_case(name.trim()))
            .collect()
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Kind {
    Create,
    Update,
    Keep,
    Reuse,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Action {
    pub object: Object,
    pub kind: Kind,
    pub name: String,
    /// Existing id for update/keep/reuse.
    pub id: Option<String>,
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

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Plan {
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
    pub fn is_blocked(&self) -> bool {
        !self.problems.is_empty()
    }
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

/// The role to POST (without id): its permissions as Halo claim codes.
pub fn role_object(a: &Answers, marker: &str) -> Role {
    role_object_with(a, marker, a.role.permissions.claims())
}

/// The role to POST with the claims the plan writes ([`Plan::role_claims`]).
pub fn role_object_with(a: &Answers, marker: &str, claims: Vec<Claim>) -> Role {
    Role {
        id: None,
        id_int: None,
        name: a.role.name.trim().into(),
        notes: with_marker(&a.role.notes, marker),
        claims,
    }
}

fn with_marker(text: &str, marker: &str) -> String {
    let t = text.trim();
    if marker.is_empty() || t.contains(marker) {
        t.to_string()
    } else if t.is_empty() {
        format!("Created by halo-onboard {marker}")
    } else {
        format!("{t}\n{marker}")
    }
}

fn find_by_name<'a, T>(items: &'a [T], name: &str, get: impl Fn(&T) -> &str) -> Option<&'a T> {
    let n = name.trim();
    items.iter().find(|t| get(t).trim().eq_ignore_ascii_case(n))
}

/// The agent to POST (without id), with names resolved to ids; unresolved names go to `problems`.
pub fn agent_object(a: &Answers, role_id: &str, lk: &Lookups, problems: &mut Vec<String>) -> Agent {
    let ag = &a.agent;
    let mut roles = vec![RoleRef {
        id: role_id.into(),
        name: a.role.name.clone(),
    }];
    for extra in &ag.extra_roles {
        match find_by_name(&lk.roles, extra, |r| &r.name) {
            Some(r) => roles.push(RoleRef {
                id: r.id.clone().unwrap_or_default(),
                name: r.name.clone(),
            }),
            None => problems.push(format!("Agent: role '{extra}' does not exist in Halo")),
        }
    }
    let mut teams = Vec::new();
    // "*" stands for every team of the instance (e.g. Rewst: "add all teams"); an unnamed
    // membership is the default team (profiles that say "the default team"). A team the
    // answers name says how it is joined: the default team and `*` only add the teams not
    // named already, so each team is joined once.
    let default = ag.default_team.as_deref().unwrap_or_default().trim();
    let (named, implied): (Vec<&TeamAnswer>, Vec<&TeamAnswer>) = ag
        .teams
        .iter()
        .partition(|t| !t.name.trim().is_empty() && t.name.trim() != ALL);
    let wanted_teams: Vec<TeamAnswer> = named
        .into_iter()
        .cloned()
        .chain(implied.into_iter().flat_map(|t| {
            if t.name.trim().is_empty() {
                return if default.is_empty() {
                    Vec::new()
                } else {
                    vec![TeamAnswer {
                        name: default.to_string(),
                        ..t.clone()
                    }]
                };
            }
            lk.teams
                .iter()
                .map(|x| TeamAnswer {
                    name: x.name.clone(),
                    ..t.clone()
                })
                .collect()
        }))
        .collect();
    for t in &wanted_teams {
        match find_by_name(&lk.teams, &t.name, |x| &x.name) {
            Some(team) if teams.iter().any(|x: &AgentTeam| Some(x.team_id) == team.id) => {}
            Some(team) => teams.push(AgentTeam {
                team_id: team.id.unwrap_or_default(),
                team_name: team.name.clone(),
                unassigned_access: t.unassigned_access,
                otheragent_access: t.otheragent_access,
            }),
            None => problems.push(format!("Agent: team '{}' does not exist in Halo", t.name)),
        }
    }
    let mut default_team = String::new();
    if let Some(dt) = ag.default_team.as_deref().filter(|d| !d.trim().is_empty()) {
        match find_by_name(&lk.teams, dt, |x| &x.name) {
            Some(team) => default_team = team.name.clone(),
            None => problems.push(format!("Agent: default team '{dt}' does not exist in Halo")),
        }
    } else if ag.default_team.is_some() {
        // `Some("")`: the profile needs a default team and leaves the choice to the user.
        problems.push(
            "Agent: choose a default team (team '' is not a team; the integration needs one)"
                .into(),
        );
    }
    let mut departments = Vec::new();
    let wanted_departments: Vec<DepartmentAnswer> = ag
        .departments
        .iter()
        .flat_map(|d| {
            if d.name.trim() == ALL {
                lk.departments
                    .iter()
                    .map(|x| DepartmentAnswer {
                        name: x.name.clone(),
                        level: d.level,
                    })
                    .collect()
            } else {
                vec![d.clone()]
            }
        })
        .collect();
    for d in &wanted_departments {
        match find_by_name(&lk.departments, &d.name, |x| &x.name) {
            Some(dep) => departments.push(AgentDepartment {
                department_id: dep.id.unwrap_or_default(),
                department_name: dep.name.clone(),
                membershiplevel: d.level.code(),
            }),
            None => problems.push(format!(
                "Agent: department '{}' does not exist in Halo",
                d.name
            )),
        }
    }
    let mut workday_id = None;
    if !ag.workday.trim().is_empty() {
        match find_by_name(&lk.workdays, &ag.workday, |x| &x.name) {
            Some(w) => workday_id = w.id,
            None => problems.push(format!(
                "Agent: work hours '{}' do not exist in Halo",
                ag.workday
            )),
        }
    }
    let mut agent = Agent {
        team: default_team,
        teams,
        departments,
        roles,
        workday_id,
        ..Agent::default()
    };
    for r in crate::answers::agent::ROWS {
        (r.build)(ag, &mut agent);
    }
    agent
}

/// The application to POST (without id and secret). It carries no marker: Halo's published
/// schema has no description or notes on applications (`plan::ownership`).
pub fn application_object(a: &Answers, agent_id: i64) -> Application {
    Application {
        id: None,
        client_id: String::new(),
        client_secret: String::new(),
        display_name: a.application.name.trim().into(),
        inactive: !a.application.active,
        grant_type: GRANT_CLIENT_CREDENTIALS.into(),
        loginentity: LOGIN_ENTITY_AGENT,
        loginas_agent_id: Some(agent_id),
        loginas_agent_name: String::new(),
        scopes: scopes::normalise(&a.scopes)
            .into_iter()
            .map(|name| ScopeRef { name })
            .collect(),
        secret_expiry_days: None,
        secret_expires: String::new(),
    }
}

/// Explicitly granted scopes the new role does not back with Feature Access: Halo will refuse
/// those calls at the role layer (effective access is scope ∩ role).
fn role_gaps(a: &Answers, names: &[String]) -> Vec<String> {
    if a.role.permissions.admin() || matches!(a.role.mode, RoleMode::Reuse(_)) {
        return Vec::new();
    }
    names
        .iter()
        .filter_map(|n| {
            let (need, area) = match n.split_once(':')? {
                ("read", area) => (Grade::Names, area),
                ("edit" | "editMine", area) => (Grade::Modify, area),
                _ => return None,
            };
            let def = claims::area_for_scope(area)?;
            let has = a.role.permissions.grade_for_scope(area);
            (has < need).then(|| {
                let level = a
                    .role
                    .permissions
                    .get(def.code)
                    .map_or("Not set", |l| l.label);
                format!(
                    "scope {n}: the role gives {level} on {}, so Halo will refuse these calls (role layer)",
                    def.label
                )
            })
        })
        .collect()
}

fn scope_risks(names: &[String]) -> Vec<String> {
    names
        .iter()
        .filter_map(|n| scopes::warning(n).map(|w| format!("scope {n}: {w}")))
        .collect()
}

/// The role's claims this Halo confirms, on the scale it uses, and the ones it does not (each
/// with why): those become manual steps (`dialect::confirm`).
pub fn split_claims(
    p: &Permissions,
    vocab: &Vocabulary,
) -> (Vec<Claim>, Vec<(&'static ClaimDef, &'static Level, String)>) {
    let mut write = Vec::new();
    let mut held = Vec::new();
    for (def, level) in p.entries() {
        match vocab.writable(def.code) {
            Ok(()) => {
                let on = if vocab.alt_scale.contains(def.code) {
                    def.on_alt_scale(level).unwrap_or(level)
                } else {
                    level
                };
                write.push(Claim {
                    claim_type: def.code.into(),
                    value: on.value.into(),
                });
            }
            Err(why) => held.push((def, level, why)),
        }
    }
    (write, held)
}

/// Manual steps for the role: the permissions this Halo does not confirm (all of them when it
/// does not speak today's codes), and the settings the vocabulary cannot express, in Halo's
/// words.
fn role_manual_steps(
    a: &Answers,
    held: &[(&'static ClaimDef, &'static Level, String)],
    all_held: Option<&str>,
    role_name: &str,
) -> Vec<String> {
    let mut out = Vec::new();
    let path = format!(
        "{} > '{role_name}' > Permissions",
        crate::halo::dialect::ui::ROLES
    );
    for (def, level, why) in held {
        let step = format!(
            "{path}: {}: {} = {}",
            def.group.label(),
            def.label,
            level.label
        );
        out.push(if all_held.is_some() {
            step
        } else {
            format!("{step} ({why})")
        });
    }
    for other in &a.role.other_permissions {
        out.push(format!("{path}: {other}"));
    }
    out
}

/// The answers' application description: Halo's published API has no such field, so it is not
/// sent; newer builds show one on the application's form.
fn description_note(a: &Answers) -> Option<String> {
    let d = a.application.description.trim();
    (!d.is_empty()).then(|| {
        format!(
            "Application description '{}' is not set through the API (Halo's published API has no description on applications); newer builds show one on the form: {} > '{}' > Details",
            crate::text::line_max(d, 80),
            crate::halo::dialect::ui::APPLICATIONS,
            a.application.name.trim()
        )
    })
}

/// Builds the plan. `objects` holds what this setup already created (from its journal);
/// `marker` is this setup's marker. Which existing objects are ours follows
/// [`crate::plan::ownership`]: the role by the marker in its notes, the agent by username plus
/// our role (or logging in for our application, or recorded by an earlier setup), the
/// application by name plus the Client ID a setup recorded or logging in as our agent.
pub fn plan(a: &Answers, lk: &Lookups, objects: &Objects, marker: &str) -> Plan {
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
    p.notes.extend(description_note(a));

    // Role.
    let mut our_role_id: Option<String> = None;
    let role_id_for_agent = match &a.role.mode {
        RoleMode::Reuse(key) => {
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
        RoleMode::Create => {
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
                    our_role_id = r.id.clone();
                    p.actions.push(action);
                }
                (None, Some(r)) if ownership::role(r, marker, &want.name).is_ours() => {
                    our_role_id = r.id.clone();
                    p.actions.push(Action { object: Object::Role, kind: Kind::Keep, name: r.name.clone(), id: r.id.clone(), risks, changes: vec![] });
                }
                (None, Some(r)) if ownership::role(r, ANY_SETUP, &want.name).is_ours() => {
                    risks.push("adopts a role made by an earlier halo-onboard setup".into());
                    let changes = diff_role(&Role { notes: r.notes.clone(), ..want.clone() }, r);
                    our_role_id = r.id.clone();
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
    };
    let role_name = p
        .action(Object::Role)
        .map_or_else(|| a.role.name.trim().to_string(), |x| x.name.clone());
    p.manual
        .extend(role_manual_steps(a, &held, all_held.as_deref(), &role_name));

    // Agent.
    let mut agent_problems = Vec::new();
    let want_agent = agent_object(a, &role_id_for_agent, lk, &mut agent_problems);
    p.problems.extend(agent_problems);
    if want_agent.name.is_empty() {
        p.problems.push("Agent: a username is required".into());
    }
    let mut agent_risks = Vec::new();
    if !want_agent.isapiagent {
        agent_risks.push("full (non API-only) agent: takes a licence and can log in".into());
    }
    if want_agent.can_approve_purchaseorder || want_agent.can_approve_invoice {
        agent_risks.push("can approve purchase orders or invoices".into());
    }
    let app_name = a.application.name.trim();
    // An application with the name asked for whose Client ID this setup or an earlier one
    // recorded names its login agent (the chain's last link for an agent whose role is not
    // ours, e.g. a reused Administrator role).
    let recorded_app = find_by_name(&lk.applications, app_name, |x| &x.display_name).filter(|g| {
        let cid = objects
            .client_id
            .as_deref()
            .filter(|_| objects.application_id.is_some() && objects.application_id == g.id)
            .or_else(|| lk.recorded.client_id_of(g.id.as_deref()));
        cid.is_some() && ownership::application(g, app_name, cid, None).is_ours()
    });
    let recorded_login = recorded_app.and_then(|g| g.loginas_agent_id);
    let ours = objects
        .agent_id
        .and_then(|id| lk.agents.iter().find(|x| x.id == Some(id)));
    let same_name = find_by_name(&lk.agents, &want_agent.name, |x| &x.name);
    let mut our_agent_id: Option<i64> = None;
    let existing_agent = match (ours, same_name) {
        (Some(g), _) => Some(g),
        (None, Some(g)) => {
            let verdict = ownership::agent(
                g,
                &want_agent.name,
                AgentProof {
                    our_role_id: our_role_id.as_deref(),
                    login_of_our_app: recorded_login,
                    recorded: g.id.is_some_and(|id| lk.recorded.agent_ids.contains(&id)),
                },
            );
            if verdict.is_ours() {
                agent_risks.push("adopts an agent made by an earlier halo-onboard setup".into());
                Some(g)
            } else {
                p.problems.push(format!(
                    "Agent: an agent with username '{}' already exists (id {}) and was not made by halo-onboard ({}); choose another username",
                    g.name,
                    g.id.unwrap_or_default(),
                    verdict.reason()
                ));
                None
            }
        }
        (None, None) => {
            p.requests.push("POST /api/Agent".into());
            p.requests.push("GET /api/Agent/{id} (read back)".into());
            p.actions.push(Action {
                object: Object::Agent,
                kind: Kind::Create,
                name: want_agent.name.clone(),
                id: None,
                risks: std::mem::take(&mut agent_risks),
                changes: vec![],
            });
            None
        }
    };
    if let Some(g) = existing_agent {
        let want = Agent {
            roles: known_roles(&want_agent),
            ..want_agent.clone()
        };
        our_agent_id = g.id;
        p.actions.push(existing(
            Object::Agent,
            &g.name,
            g.id.map(|i| i.to_string()),
            agent_risks,
            diff_agent(&want, g),
        ));
    }

    // Application.
    let names = scopes::normalise(&a.scopes);
    for n in &names {
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
    let mut app_risks = scope_risks(&names);
    if speaks {
        app_risks.extend(role_gaps(a, &names));
    }
    let agent_id = p
        .action(Object::Agent)
        .and_then(|x| x.id.as_deref())
        .and_then(|i| i.parse().ok())
        .unwrap_or(0);
    let want_app = application_object(a, agent_id);
    let ours = objects
        .application_id
        .as_deref()
        .and_then(|id| lk.applications.iter().find(|x| x.id.as_deref() == Some(id)));
    let same_name = find_by_name(&lk.applications, app_name, |x| &x.display_name);
    let existing_app = match (ours, same_name) {
        (Some(g), _) => Some(g),
        (None, Some(g)) => {
            let recorded = lk.recorded.client_id_of(g.id.as_deref());
            let verdict = ownership::application(g, app_name, recorded, our_agent_id);
            if verdict.is_ours() {
                app_risks.push("adopts an application made by an earlier halo-onboard setup; its Client ID and secret stay as handed over then (a new secret only with --new-secret)".into());
                Some(g)
            } else {
                p.problems.push(format!(
                    "Application: an application named '{}' already exists and was not made by halo-onboard ({}); choose another name",
                    g.display_name,
                    verdict.reason()
                ));
                None
            }
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
                risks: std::mem::take(&mut app_risks),
                changes: vec![],
            });
            None
        }
    };
    if let Some(g) = existing_app {
        // Without the agent's id (still to be created) the login agent cannot be compared.
        let changes = if agent_id == 0 {
            vec![]
        } else {
            diff_application(&want_app, g)
        };
        p.actions.push(existing(
            Object::Application,
            &g.display_name,
            g.id.clone(),
            app_risks,
            changes,
        ));
    }
    keep_manual(objects, &mut p);
    p.requests.push("POST /auth/token (new credentials)".into());
    p.requests
        .push("GET /api/Agent/me (new credentials)".into());
    for area in scopes::AREAS {
        let Some(probe) = scopes::probe(area) else {
            continue;
        };
        if area.scopes.iter().any(|s| scopes::any_grants(&names, s)) {
            p.requests.push(format!(
                "GET /api{} (probe {})",
                scopes::probe_request(probe),
                area.key
            ));
        }
    }
    p
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
    for a in p.actions.iter_mut() {
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
mod tests {
    use super::*;

    fn answers() -> Answers {
        let mut a = Answers::default();
        a.role.name = "TopLeft Role".into();
        a.role.permissions.set_admin(true);
        a.agent.name = "topleft".into();
        a.agent.teams = vec![TeamAnswer {
            name: "Service Desk".into(),
            ..TeamAnswer::default()
        }];
        a.application.name = "TopLeft".into();
        a.scopes = vec!["all:standard".into(), "edit:tickets".into()];
        a
    }

    fn claim(t: &str, v: &str) -> Claim {
        Claim {
            claim_type: t.into(),
            value: v.into(),
        }
    }

    /// Roles read with their details, as a fresh Halo shows them.
    fn halo_roles() -> Vec<Role> {
        vec![
            Role {
                id: Some("g-admin".into()),
                name: "Administrator".into(),
                claims: vec![claim("SA", "true")],
                ..Role::default()
            },
            Role {
                id: Some("g-1st".into()),
                name: "1st Line Support".into(),
                claims: vec![claim("Tx", "2"), claim("l6", "1")],
                ..Role::default()
            },
        ]
    }

    fn lookups() -> Lookups {
        Lookups {
            roles: halo_roles(),
            teams: vec![Team::new(3, "Service Desk")],
            workdays: vec![Workday::new(1, "Default Working Hours")],
            ..Lookups::default()
        }
    }

    #[test]
    fn fresh_instance_plans_three_creates_with_risks() {
        let p = plan(
            &answers(),
            &lookups(),
            &Objects::default(),
            "[halo-onboard:x]",
        );
        assert!(p.problems.is_empty(), "{:?}", p.problems);
        let kinds: Vec<_> = p.actions.iter().map(|a| (a.object, a.kind)).collect();
        assert_eq!(
            kinds,
            vec![
                (Object::Role, Kind::Create),
                (Object::Agent, Kind::Create),
                (Object::Application, Kind::Create)
            ]
        );
        assert!(
            p.action(Object::Role)
                .unwrap()
                .risks
                .iter()
                .any(|r| r.contains("admin"))
        );
        assert!(
            p.action(Object::Application)
                .unwrap()
                .risks
                .iter()
                .any(|r| r.contains("all:standard"))
        );
        assert!(p.requests.iter().any(|r| r.contains("probe tickets")));
        assert_eq!(p.writes(), 3);
    }

    #[test]
    fn strangers_objects_block_and_ours_are_kept() {
        let mut lk = lookups();
        lk.roles.push(Role {
            id: Some("r1".into()),
            name: "TopLeft Role".into(),
            ..Role::default()
        });
        let p = plan(&answers(), &lk, &Objects::default(), "[halo-onboard:x]");
        assert!(
            p.problems
                .iter()
                .any(|m| m.contains("already exists") && m.contains("TopLeft Role"))
        );

        let a = answers();
        let mut ours = role_object(&a, "[halo-onboard:x]");
        ours.id = Some("r1".into());
        lk.roles = vec![ours];
        let p = plan(&a, &lk, &Objects::default(), "[halo-onboard:x]");
        let r = p.action(Object::Role).unwrap();
        assert_eq!((r.kind, r.id.as_deref()), (Kind::Keep, Some("r1")));
    }

    #[test]
    fn unresolved_names_and_bad_scopes_are_problems() {
        let mut a = answers();
        a.agent.teams.push(TeamAnswer {
            name: "Nope".into(),
            ..TeamAnswer::default()
        });
        a.agent.workday = "Moon Hours".into();
        a.scopes.push("read:actions".into());
        let p = plan(&a, &lookups(), &Objects::default(), "m");
        let all = p.problems.join("\n");
        assert!(all.contains("team 'Nope'"), "{all}");
        assert!(all.contains("Moon Hours"), "{all}");
        assert!(all.contains("read:actions"), "{all}");
        assert!(p.is_blocked());
    }

    #[test]
    fn objects_carry_marker_and_normalised_scopes() {
        let a = answers();
        let mut probs = vec![];
        let ag = agent_object(&a, "rid", &lookups(), &mut probs);
        assert!(
            ag.claims.is_empty(),
            "an agent carries no marker and no claims of its own"
        );
        assert_eq!(ag.teams[0].team_id, 3);
        assert_eq!(ag.workday_id, Some(1));
        let app = application_object(&a, 7);
        assert_eq!(
            app.scope_names(),
            vec!["all:standard", "read:tickets", "edit:tickets"]
        );
        let body = serde_json::to_string(&app).unwrap();
        assert!(
            !body.contains("description") && !body.contains("halo-onboard"),
            "{body}"
        );
        assert_eq!(app.loginas_agent_id, Some(7));
    }

    #[test]
    fn read_back_differences_are_field_by_field() {
        let a = answers();
        let want = application_object(&a, 7);
        let mut got = want.clone();
        got.scopes.pop();
        got.loginas_agent_id = Some(8);
        let d = diff_application(&want, &got);
        assert_eq!(d.len(), 2, "{d:?}");
        assert!(d[1].to_string().contains("missing [edit:tickets]"));
    }

    #[test]
    fn scopes_without_role_access_are_flagged_and_unnamed_team_is_the_default() {
        let mut a = answers();
        a.role.permissions.set_admin(false);
        a.scopes = vec!["read:crm".into(), "edit:tickets".into()];
        a.role
            .permissions
            .set_labels("tickets", "Read and Modify")
            .unwrap();
        a.agent.default_team = Some("Service Desk".into());
        a.agent.teams = vec![TeamAnswer {
            name: String::new(),
            ..TeamAnswer::default()
        }];
        let p = plan(&a, &lookups(), &Objects::default(), "m");
        assert!(p.problems.is_empty(), "{:?}", p.problems);
        let risks = &p.action(Object::Application).unwrap().risks;
        assert!(
            risks
                .iter()
                .any(|r| r.contains("read:crm") && r.contains("Not set on CRM")),
            "{risks:?}"
        );
        assert!(!risks.iter().any(|r| r.contains("tickets")), "{risks:?}");
        let mut probs = vec![];
        let ag = agent_object(&a, "r", &lookups(), &mut probs);
        assert_eq!(ag.teams.len(), 1);
        assert_eq!(ag.teams[0].team_id, 3);
    }

    /// Issue 20 item 2: a team ticked by name that is also the default team (which an unnamed
    /// membership or `*` stands for too) is one membership, with the flags of the named one.
    #[test]
    fn a_team_named_twice_is_joined_once() {
        let mut a = answers();
        a.agent.default_team = Some("Service Desk".into());
        a.agent.teams = vec![
            TeamAnswer {
                name: String::new(),
                ..TeamAnswer::default()
            },
            TeamAnswer {
                name: "service desk".into(),
                unassigned_access: true,
                ..TeamAnswer::default()
            },
            TeamAnswer {
                name: ALL.into(),
                ..TeamAnswer::default()
            },
        ];
        let mut lk = lookups();
        lk.teams.push(Team::new(4, "Operations"));
        let mut probs = vec![];
        let ag = agent_object(&a, "r", &lk, &mut probs);
        assert!(probs.is_empty(), "{probs:?}");
        assert_eq!(
            ag.teams.iter().map(|t| t.team_id).collect::<Vec<_>>(),
            vec![3, 4]
        );
        assert!(ag.teams[0].unassigned_access, "the named entry's flags");
    }

    #[test]
    fn star_means_every_team_and_reuse_works_by_name() {
        let mut a = answers();
        a.agent.teams = vec![TeamAnswer {
            name: ALL.into(),
            ..TeamAnswer::default()
        }];
        a.role.mode = RoleMode::Reuse("administrator".into());
        let mut lk = lookups();
        lk.teams.push(Team::new(4, "Operations"));
        let p = plan(&a, &lk, &Objects::default(), "m");
        assert!(p.problems.is_empty(), "{:?}", p.problems);
        let r = p.action(Object::Role).unwrap();
        assert_eq!((r.kind, r.id.as_deref()), (Kind::Reuse, Some("g-admin")));
        assert!(r.risks.iter().any(|x| x.contains("admin")));
        let mut probs = vec![];
        let ag = agent_object(&a, "g-admin", &lk, &mut probs);
        assert_eq!(
            ag.teams.iter().map(|t| t.team_id).collect::<Vec<_>>(),
            vec![3, 4]
        );
    }
}

#[cfg(test)]
mod dialect_tests {
    use super::*;

    fn guardz() -> Answers {
        let mut a = crate::profile::answers_for("guardz").unwrap();
        a.agent.teams = vec![TeamAnswer {
            name: "Service Desk".into(),
            ..TeamAnswer::default()
        }];
        a
    }

    fn lk(admin_claims: &[(&str, &str)]) -> Lookups {
        let claims = admin_claims
            .iter()
            .map(|(t, v)| Claim {
                claim_type: (*t).into(),
                value: (*v).into(),
            })
            .collect();
        Lookups {
            roles: vec![
                Role {
                    id: Some("a".into()),
                    name: "Administrator".into(),
                    claims,
                    ..Role::default()
                },
                Role {
                    id: Some("b".into()),
                    name: "1st Line Support".into(),
                    claims: vec![Claim {
                        claim_type: "Tx".into(),
                        value: "1".into(),
                    }],
                    ..Role::default()
                },
            ],
            teams: vec![Team::new(1, "Service Desk")],
            workdays: vec![Workday::new(1, "Default Working Hours")],
            ..Lookups::default()
        }
    }

    #[test]
    fn guardz_role_speaks_halo_codes() {
        let r = role_object(&guardz(), "m");
        let got: Vec<(String, String)> = r
            .claims
            .iter()
            .map(|c| (c.claim_type.clone(), c.value.clone()))
            .collect();
        for want in [("Tx", "2"), ("l6", "1"), ("l8", "1"), ("Ft", "1")] {
            assert!(
                got.contains(&(want.0.to_string(), want.1.to_string())),
                "{want:?} in {got:?}"
            );
        }
        assert!(got.iter().all(|(t, _)| !t.contains(':') && t != "is_admin"));
        let p = plan(&guardz(), &lk(&[("SA", "true")]), &Objects::default(), "m");
        assert!(
            !p.role_claims.is_empty() && p.manual.is_empty(),
            "{:?}",
            p.manual
        );
    }

    /// An instance that does not confirm the vocabulary (older long names on every role) gets
    /// no claims, and the permissions become manual steps in Halo's words.
    #[test]
    fn a_disagreeing_halo_gets_manual_steps_not_claims() {
        let mut legacy = lk(&[("Administration", "true")]);
        legacy.roles[1].claims = vec![Claim {
            claim_type: "Ticket_Level".into(),
            value: "1".into(),
        }];
        // Upgraded (mixed): today's codes on the other roles are written; no SA is asked for.
        let mixed = plan(
            &guardz(),
            &lk(&[("Administration", "true")]),
            &Objects::default(),
            "m",
        );
        assert!(
            !mixed.role_claims.is_empty() && mixed.manual.is_empty(),
            "{:?}",
            mixed.manual
        );
        let p = plan(&guardz(), &legacy, &Objects::default(), "m");
        assert!(p.role_claims.is_empty());
        // Why is said about the plan; "Set by hand" lists only steps, each a place in Halo
        // (issue 20 item 9: the summary was a step).
        assert!(
            p.notes.iter().any(|n| n.contains("does not confirm")),
            "{:?}",
            p.notes
        );
        assert!(
            p.manual.iter().all(|m| m.starts_with("Configuration >")),
            "{:?}",
            p.manual
        );
        let text = p.manual.join("\n");
        assert!(
            text.contains("Feature Access: Tickets = Read and Modify")
                && text.contains("Tickets: Can add new Tickets = Yes")
                && text.contains("Restrictions: Allow use of all Ticket Types = Yes"),
            "{text}"
        );
        assert!(!p.is_blocked(), "{:?}", p.problems);
    }

    /// Re-apply adopts by the chain: role by marker, agent by username + our role, application
    /// by name + login agent (it carries no marker: Halo's schema has no field for one).
    #[test]
    fn adoption_follows_the_ownership_chain() {
        let a = guardz();
        let mut l = lk(&[("SA", "true")]);
        let mut role = role_object(&a, "[halo-onboard:old]");
        role.id = Some("r-old".into());
        l.roles.push(role);
        let mut probs = vec![];
        let mut agent = agent_object(&a, "r-old", &l, &mut probs);
        agent.id = Some(40);
        l.agents.push(agent);
        let mut app = application_object(&a, 40);
        app.id = Some("app-old".into());
        app.client_id = "cid-old".into();
        l.applications.push(app);
        let p = plan(&a, &l, &Objects::default(), "[halo-onboard:new]");
        assert!(p.problems.is_empty(), "{:?}", p.problems);
        for o in [Object::Role, Object::Agent, Object::Application] {
            let act = p.action(o).unwrap();
            assert_eq!(act.kind, Kind::Keep, "{o:?}: {act:?}");
        }
        // A same-named agent that does not hold our role is a stranger's, and so is the
        // application that logs in as it.
        l.agents[0].roles.clear();
        let p = plan(&a, &l, &Objects::default(), "[halo-onboard:new]");
        assert!(
            p.problems
                .iter()
                .any(|x| x.contains("Agent") && x.contains("neither holds")),
            "{:?}",
            p.problems
        );
        assert!(
            p.problems
                .iter()
                .any(|x| x.contains("Application") && x.contains("Client ID")),
            "{:?}",
            p.problems
        );
        // Unless an earlier setup of this journal recorded the application (its id and Client
        // ID): then its login agent is ours too (a reused role proves nothing).
        l.recorded.applications = vec![("app-old".into(), "cid-old".into())];
        let p = plan(&a, &l, &Objects::default(), "[halo-onboard:new]");
        assert!(p.problems.is_empty(), "{:?}", p.problems);
        // A recorded id with another Client ID is not that application.
        l.recorded.applications = vec![("app-old".into(), "cid-other".into())];
        let p = plan(&a, &l, &Objects::default(), "[halo-onboard:new]");
        assert!(p.is_blocked());
        // An agent an earlier setup recorded creating is ours by itself.
        l.recorded = Recorded {
            agent_ids: vec![40],
            applications: vec![],
        };
        let p = plan(&a, &l, &Objects::default(), "[halo-onboard:new]");
        assert!(p.problems.is_empty(), "{:?}", p.problems);
    }

    /// Only the claims this Halo confirms are written, on the scale it uses; the rest are
    /// manual steps, each with why.
    #[test]
    fn unconfirmed_codes_go_to_manual_steps_alone() {
        let mut a = guardz();
        a.role
            .permissions
            .set_labels("edit_own_preferences", "true")
            .unwrap();
        let mut l = lk(&[("SA", "true")]);
        l.roles[1].claims = vec![
            Claim {
                claim_type: "Ticket_Level".into(),
                value: "2".into(),
            },
            Claim {
                claim_type: "Ux".into(),
                value: "2".into(),
            },
            Claim {
                claim_type: "l0".into(),
                value: "0".into(),
            },
        ];
        let p = plan(&a, &l, &Objects::default(), "m");
        let written: Vec<(String, String)> = p
            .role_claims
            .iter()
            .map(|c| (c.claim_type.clone(), c.value.clone()))
            .collect();
        assert!(!written.iter().any(|(t, _)| t == "Tx"), "{written:?}");
        assert!(written.contains(&("l6".into(), "1".into())), "{written:?}");
        assert!(
            written.contains(&("l0".into(), "1".into())),
            "0/1 scale: {written:?}"
        );
        assert_eq!(p.manual.len(), 1, "{:?}", p.manual);
        assert!(
            p.manual[0].contains("Tickets = Read and Modify")
                && p.manual[0].contains("Ticket_Level"),
            "{:?}",
            p.manual
        );
    }
}
