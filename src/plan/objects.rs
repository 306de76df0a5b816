//! The objects a plan writes, built from the answers: the role (with the setup marker in its
//! notes), the agent (names resolved to Halo's ids; its plain attributes from the table
//! `answers::agent::ROWS`) and the application.

use crate::answers::{ALL, Answers, DepartmentAnswer, TeamAnswer, role};
use crate::halo::model::*;
use crate::plan::lookups::{Lookups, find_by_name};

/// The role to POST (without id): its permissions as Halo claim codes.
pub fn role_object(a: &Answers, marker: &str) -> Role {
    role_object_with(a, marker, a.role.permissions.claims())
}

/// The role to POST with the claims the plan writes ([`Plan::role_claims`]): its attributes
/// from the table `answers::role::ROWS`.
pub fn role_object_with(a: &Answers, marker: &str, claims: Vec<Claim>) -> Role {
    let want = role::Want {
        answers: &a.role,
        marker,
        claims: &claims,
    };
    let mut r = Role::default();
    for row in role::ROWS {
        (row.build)(&want, &mut r);
    }
    r
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
    let teams = agent_teams(ag, lk, problems);
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
    let departments = agent_departments(ag, lk, problems);
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

/// The application to POST (without id and secret): its attributes from the table
/// `answers::application::ROWS`. It carries no marker: Halo's published schema has no
/// description or notes on applications (`plan::ownership`).
pub fn application_object(a: &Answers, agent_id: i64) -> Application {
    let want = a.application_want(agent_id);
    let mut app = Application::default();
    for r in crate::answers::application::ROWS {
        (r.build)(&want, &mut app);
    }
    app
}

/// The teams the agent joins, resolved to Halo's ids; unresolved names go to `problems`.
fn agent_teams(
    ag: &crate::answers::AgentAnswers,
    lk: &Lookups,
    problems: &mut Vec<String>,
) -> Vec<AgentTeam> {
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
    teams
}

/// The departments the agent joins, resolved to Halo's ids; unresolved names go to
/// `problems`.
fn agent_departments(
    ag: &crate::answers::AgentAnswers,
    lk: &Lookups,
    problems: &mut Vec<String>,
) -> Vec<AgentDepartment> {
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
    departments
}
