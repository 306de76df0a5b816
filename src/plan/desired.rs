//! Desired state: what the wizard's answers mean as Halo objects, with team, department, work
//! hours and role names resolved against what Halo has. Pure: no I/O, so the Submit screen, the
//! apply engine and the tests all see the same objects.

use crate::halo::model::{
    Access, Agent, AgentDepartment, AgentTeam, Application, CLAIM_FEATURE_PREFIX, CLAIM_IS_ADMIN,
    Claim, Department, GRANT_CLIENT_CREDENTIALS, LOGIN_ENTITY_AGENT, Role, RoleRef, ScopeRef, Team,
    Workday,
};
use crate::plan::answers::{Answers, RoleMode};

/// What Halo already has, loaded after connecting.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Lookups {
    pub roles: Vec<Role>,
    pub teams: Vec<Team>,
    pub departments: Vec<Department>,
    pub workdays: Vec<Workday>,
    /// Agents including API agents (for duplicate-username warnings and "log in as").
    pub agents: Vec<Agent>,
}

impl Lookups {
    pub fn role_by_id(&self, id: &str) -> Option<&Role> {
        self.roles.iter().find(|r| r.id.as_deref() == Some(id))
    }
    /// Agents whose username equals `name` (case-insensitive, trimmed).
    pub fn agents_named(&self, name: &str) -> Vec<&Agent> {
        let name = name.trim();
        if name.is_empty() {
            return Vec::new();
        }
        self.agents
            .iter()
            .filter(|a| a.name.trim().eq_ignore_ascii_case(name))
            .collect()
    }
}

/// One HTTP request the plan would send.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlannedRequest {
    pub method: &'static str,
    pub path: String,
    pub why: &'static str,
}

/// The objects to POST, in apply order, and the problems that stop the plan.
#[derive(Debug, Clone, PartialEq)]
pub struct Desired {
    /// `None` when an existing role is reused.
    pub role: Option<Role>,
    /// The role the agent gets (existing id, or the new role by name with an empty id).
    pub role_ref: RoleRef,
    pub agent: Agent,
    /// Client id and secret are generated at apply time, so they are empty here.
    pub application: Application,
    pub requests: Vec<PlannedRequest>,
    /// Names that did not resolve and other blockers; non-empty means the plan cannot apply.
    pub errors: Vec<String>,
}

/// The role claims for the answers' "Is a HaloPSA Administrator" and feature access levels.
pub fn role_claims(answers: &Answers) -> Vec<Claim> {
    let mut claims = Vec::new();
    if answers.role.is_admin {
        claims.push(Claim {
            claim_type: CLAIM_IS_ADMIN.into(),
            value: "true".into(),
        });
    }
    for (area, access) in &answers.role.features {
        if *access != Access::None {
            claims.push(Claim {
                claim_type: format!("{CLAIM_FEATURE_PREFIX}{area}"),
                value: access.as_str().into(),
            });
        }
    }
    claims
}

/// Builds the desired objects. Never fails: problems are listed in `Desired::errors`.
pub fn desired(answers: &Answers, lookups: &Lookups) -> Desired {
    let mut errors = Vec::new();
    let mut requests = Vec::new();

    let (role, role_ref) = match &answers.role.mode {
        RoleMode::Create => {
            let role = Role {
                name: answers.role.name.trim().to_string(),
                notes: answers.role.notes.trim().to_string(),
                claims: role_claims(answers),
                ..Role::default()
            };
            requests.push(PlannedRequest {
                method: "POST",
                path: "/api/Roles".into(),
                why: "create the role",
            });
            let r = RoleRef {
                id: String::new(),
                name: role.name.clone(),
            };
            (Some(role), r)
        }
        RoleMode::Reuse(id) => match lookups.role_by_id(id) {
            Some(r) => (
                None,
                RoleRef {
                    id: id.clone(),
                    name: r.name.clone(),
                },
            ),
            None => {
                errors.push(format!(
                    "role id {id} is not in Halo any more; pick it again"
                ));
                (
                    None,
                    RoleRef {
                        id: id.clone(),
                        name: String::new(),
                    },
                )
            }
        },
    };

    let a = &answers.agent;
    let find_team = |name: &str| {
        lookups
            .teams
            .iter()
            .find(|t| t.name.trim().eq_ignore_ascii_case(name.trim()))
    };
    let mut teams = Vec::new();
    for t in &a.teams {
        match find_team(&t.name) {
            Some(team) => teams.push(AgentTeam {
                team_id: team.id.unwrap_or_default(),
                team_name: team.name.clone(),
                unassigned_access: t.unassigned_access,
                otheragent_access: t.otheragent_access,
            }),
            None => errors.push(format!("team '{}' does not exist in Halo", t.name)),
        }
    }
    let default_team = match &a.default_team {
        Some(name) => match find_team(name) {
            Some(team) => team.name.clone(),
            None => {
                errors.push(format!("default team '{name}' does not exist in Halo"));
                String::new()
            }
        },
        None => String::new(),
    };
    let mut departments = Vec::new();
    for d in &a.departments {
        match lookups
            .departments
            .iter()
            .find(|x| x.name.trim().eq_ignore_ascii_case(d.name.trim()))
        {
            Some(dep) => departments.push(AgentDepartment {
                department_id: dep.id.unwrap_or_default(),
                department_name: dep.name.clone(),
                membershiplevel: d.level.code(),
            }),
            None => errors.push(format!("department '{}' does not exist in Halo", d.name)),
        }
    }
    let workday = lookups
        .workdays
        .iter()
        .find(|w| w.name.trim().eq_ignore_ascii_case(a.workday.trim()));
    if workday.is_none() {
        errors.push(format!("work hours '{}' do not exist in Halo", a.workday));
    }
    let mut roles = vec![role_ref.clone()];
    for extra in &a.extra_roles {
        match lookups
            .roles
            .iter()
            .find(|r| r.name.trim().eq_ignore_ascii_case(extra.trim()))
        {
            Some(r) => roles.push(RoleRef {
                id: r.id.clone().unwrap_or_default(),
                name: r.name.clone(),
            }),
            None => errors.push(format!("role '{extra}' does not exist in Halo")),
        }
    }
    let agent = Agent {
        name: a.name.trim().to_string(),
        firstname: a.firstname.trim().to_string(),
        surname: a.surname.trim().to_string(),
        initials: a.initials.trim().to_string(),
        email: a.email.trim().to_string(),
        isapiagent: a.api_only,
        isdisabled: !a.active,
        team: default_team,
        teams,
        departments,
        roles,
        workday_id: workday.and_then(|w| w.id),
        workday_name: workday.map(|w| w.name.clone()).unwrap_or_default(),
        can_approve_purchaseorder: a.can_approve_purchaseorder,
        can_approve_invoice: a.can_approve_invoice,
        ..Agent::default()
    };
    if !lookups.agents_named(&agent.name).is_empty() {
        errors.push(format!(
            "an agent named '{}' already exists in Halo; choose another username",
            agent.name
        ));
    }
    requests.push(PlannedRequest {
        method: "GET",
        path: format!("/api/Agent?search={}&includeapiagents=true", agent.name),
        why: "check the username is still free",
    });
    requests.push(PlannedRequest {
        method: "POST",
        path: "/api/Agent".into(),
        why: "create the agent",
    });

    let app = &answers.application;
    let (loginas_agent_id, loginas_agent_name) = match &app.login_agent {
        None => (None, agent.name.clone()),
        Some(name) => match lookups
            .agents
            .iter()
            .find(|x| x.name.trim().eq_ignore_ascii_case(name.trim()))
        {
            Some(x) => (x.id, x.name.clone()),
            None => {
                errors.push(format!(
                    "agent '{name}' to log in as does not exist in Halo"
                ));
                (None, name.clone())
            }
        },
    };
    let application = Application {
        display_name: app.name.trim().to_string(),
        description: app.description.trim().to_string(),
        inactive: !app.active,
        grant_type: GRANT_CLIENT_CREDENTIALS.into(),
        loginentity: LOGIN_ENTITY_AGENT,
        loginas_agent_id,
        loginas_agent_name,
        scopes: crate::halo::scopes::normalise(&answers.scopes)
            .into_iter()
            .map(|name| ScopeRef { name })
            .collect(),
        ..Application::default()
    };
    for s in &answers.scopes {
        if !crate::halo::scopes::is_known(s) {
            errors.push(format!("'{s}' is not a Halo scope"));
        }
    }
    if application.scopes.is_empty() {
        errors.push("no permission scopes are ticked".into());
    }
    requests.push(PlannedRequest {
        method: "POST",
        path: "/api/Application".into(),
        why: "create the application with its scopes",
    });
    requests.push(PlannedRequest {
        method: "POST",
        path: "/auth/token".into(),
        why: "verify: token with the new credentials",
    });
    requests.push(PlannedRequest {
        method: "GET",
        path: "/api/Agent/me".into(),
        why: "verify: the token belongs to the new agent",
    });

    Desired {
        role,
        role_ref,
        agent,
        application,
        requests,
        errors,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::halo::model::MembershipLevel;
    use crate::plan::answers::{DepartmentAnswer, TeamAnswer};

    fn lookups() -> Lookups {
        Lookups {
            roles: vec![Role {
                id: Some("r-1".into()),
                name: "Administrator".into(),
                ..Role::default()
            }],
            teams: vec![Team {
                id: Some(3),
                name: "Service Desk".into(),
                ..Team::default()
            }],
            departments: vec![Department {
                id: Some(7),
                name: "Support".into(),
            }],
            workdays: vec![Workday {
                id: Some(1),
                name: "Default Working Hours".into(),
                ..Workday::default()
            }],
            agents: vec![Agent {
                id: Some(9),
                name: "taken".into(),
                ..Agent::default()
            }],
        }
    }

    fn answers() -> Answers {
        let mut a = Answers::default();
        a.role.name = " Vendor Role ".into();
        a.role.features.insert("tickets".into(), Access::Edit);
        a.agent.name = "vendor".into();
        a.agent.firstname = "Vendor".into();
        a.agent.teams.push(TeamAnswer {
            name: "service desk".into(),
            ..TeamAnswer::default()
        });
        a.agent.default_team = Some("Service Desk".into());
        a.agent.departments.push(DepartmentAnswer {
            name: "Support".into(),
            level: MembershipLevel::ModifyAll,
        });
        a.application.name = "Vendor".into();
        a.scopes = vec!["edit:tickets".into()];
        a
    }

    #[test]
    fn resolves_names_and_orders_requests() {
        let d = desired(&answers(), &lookups());
        assert!(d.errors.is_empty(), "{:?}", d.errors);
        let role = d.role.unwrap();
        assert_eq!(role.name, "Vendor Role");
        assert_eq!(role.access("tickets"), Access::Edit);
        assert_eq!(d.agent.teams[0].team_id, 3);
        assert_eq!(d.agent.team, "Service Desk");
        assert_eq!(d.agent.departments[0].membershiplevel, 2);
        assert_eq!(d.agent.workday_id, Some(1));
        assert_eq!(d.agent.roles[0].name, "Vendor Role");
        let scopes = d.application.scope_names();
        assert_eq!(scopes, vec!["read:tickets", "edit:tickets"]);
        assert_eq!(d.application.grant_type, GRANT_CLIENT_CREDENTIALS);
        let methods: Vec<_> = d
            .requests
            .iter()
            .map(|r| (r.method, r.path.as_str()))
            .collect();
        assert_eq!(methods[0], ("POST", "/api/Roles"));
        assert!(methods.contains(&("POST", "/api/Application")));
    }

    #[test]
    fn unresolved_names_are_errors() {
        let mut a = answers();
        a.agent.teams[0].name = "Nope".into();
        a.agent.workday = "Never".into();
        a.agent.name = "TAKEN".into();
        a.role.mode = RoleMode::Reuse("missing".into());
        a.scopes.clear();
        let d = desired(&a, &lookups());
        let all = d.errors.join("\n");
        for needle in [
            "team 'Nope'",
            "work hours 'Never'",
            "already exists",
            "role id missing",
            "no permission",
        ] {
            assert!(all.contains(needle), "{needle} not in {all}");
        }
        assert!(d.role.is_none());
    }

    #[test]
    fn reuse_has_no_role_post() {
        let mut a = answers();
        a.role.mode = RoleMode::Reuse("r-1".into());
        let d = desired(&a, &lookups());
        assert!(d.requests.iter().all(|r| r.path != "/api/Roles"));
        assert_eq!(d.role_ref.id, "r-1");
    }
}
