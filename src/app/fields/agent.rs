//! The Agent step's fields: the agent's attributes (rows of `answers::agent::ROWS`), its
//! default team, teams, departments and work hours.

use super::spec::*;
use crate::answers::agent;
use crate::answers::{ALL, Answers, DepartmentAnswer, TeamAnswer};
use crate::app::field::Field;
use crate::app::model::Model;
use crate::halo::model::MembershipLevel;
use crate::profile::Question;

/// A switch of the agent's membership of team `i` (shown once it is ticked).
macro_rules! team_switch {
    ($label:expr, $switch:ident) => {
        toggle(
            Label::Fixed($label),
            |m, i| m.team_answer(team_name(m, i)).is_some_and(|t| t.$switch),
            |m, i| {
                if let Some(t) = team_answer_mut(m, i) {
                    t.$switch ^= true;
                }
            },
        )
    };
}

/// The spec of an Agent field.
pub(super) fn spec(f: Field) -> Spec {
    match f {
        Field::AgentAttr(i) => row_field::<Table>(i),
        Field::DefaultTeam => default_team(),
        Field::Team(_) => team(),
        Field::TeamUnassigned(_) => team_switch!("  can see unassigned tickets", unassigned_access),
        Field::TeamOthers(_) => team_switch!("  can see other agents' tickets", otheragent_access),
        Field::Department(_) => department(),
        Field::Workday => work_hours(),
        _ => Spec::of(Behaviour::Log),
    }
}

/// Option `j` of a list that offers "none" first, then `names`.
fn none_or(mut names: impl Iterator<Item = String>, j: usize) -> Option<String> {
    names.nth(j.checked_sub(1)?)
}

/// Where `chosen` stands in that list (`None`: a name the list does not have).
fn none_or_pos<'a>(
    chosen: Option<&str>,
    mut names: impl Iterator<Item = &'a str>,
) -> Option<usize> {
    match chosen {
        None => Some(0),
        Some(n) => names.position(|x| x == n).map(|p| p + 1),
    }
}

fn team_name(m: &Model, i: usize) -> &str {
    m.lookups.teams.get(i).map_or("", |t| t.name.as_str())
}

fn department_name(m: &Model, i: usize) -> &str {
    m.lookups.departments.get(i).map_or("", |d| d.name.as_str())
}

/// The team answer for team `i`, to change one of its switches.
fn team_answer_mut(m: &mut Model, i: usize) -> Option<&mut TeamAnswer> {
    let name = team_name(m, i).to_string();
    m.answers
        .agent
        .teams
        .iter_mut()
        .find(|t| t.name.eq_ignore_ascii_case(&name))
}

const DEPARTMENT_LEVELS: [Option<MembershipLevel>; 4] = [
    None,
    Some(MembershipLevel::Member),
    Some(MembershipLevel::ViewAll),
    Some(MembershipLevel::ModifyAll),
];

/// The default team ("No Default Team" first).
pub(super) fn default_team() -> Spec {
    Spec::of(Behaviour::Choice(choice(
        Label::Fixed("Default team"),
        |m, _| {
            std::iter::once("No Default Team".to_string())
                .chain(m.lookups.teams.iter().map(|t| t.name.clone()))
                .collect()
        },
        |m, _| {
            let teams = m.lookups.teams.iter().map(|t| t.name.as_str());
            none_or_pos(m.answers.agent.default_team.as_deref(), teams)
        },
        |m, _, j| {
            let teams = m.lookups.teams.iter().map(|t| t.name.clone());
            m.answers.agent.default_team = none_or(teams, j);
        },
        |m, _| match m.answers.agent.default_team.as_deref() {
            Some("") | None => "(choose one)".into(),
            Some(n) => n.to_string(),
        },
    )))
    .asked(Question::DefaultTeam)
    .check(|m, _| {
        let none = m
            .answers
            .agent
            .default_team
            .as_deref()
            .is_none_or(|t| t.trim().is_empty());
        (m.asks(Question::DefaultTeam) && none)
            .then(|| "the profile needs a default team: pick one (Left/Right)".into())
    })
}

/// Whether the agent joins team `i`.
pub(super) fn team() -> Spec {
    toggle(
        Label::Of(|m, i| format!("Team {}", non_empty(team_name(m, i)))),
        |m, i| m.team_answer(team_name(m, i)).is_some() || m.team_answer(ALL).is_some(),
        |m, i| {
            let name = team_name(m, i).to_string();
            if name.is_empty() {
                return;
            }
            let teams = &mut m.answers.agent.teams;
            match teams
                .iter()
                .position(|t| t.name.eq_ignore_ascii_case(&name))
            {
                Some(pos) => {
                    teams.remove(pos);
                }
                None => teams.push(TeamAnswer {
                    name,
                    ..TeamAnswer::default()
                }),
            }
        },
    )
    .asked(Question::Teams)
}

/// The agent's membership level in department `i`.
pub(super) fn department() -> Spec {
    Spec::of(Behaviour::Choice(choice(
        Label::Of(|m, i| format!("Department {}", non_empty(department_name(m, i)))),
        |_, _| {
            DEPARTMENT_LEVELS
                .iter()
                .map(|l| l.map_or("Not a member", |l| l.label()).to_string())
                .collect()
        },
        |m, i| {
            let name = department_name(m, i);
            let level = m
                .answers
                .agent
                .departments
                .iter()
                .find(|d| d.name.eq_ignore_ascii_case(name))
                .map(|d| d.level);
            DEPARTMENT_LEVELS.iter().position(|l| *l == level)
        },
        |m, i, j| {
            let name = department_name(m, i).to_string();
            if name.is_empty() {
                return;
            }
            let deps = &mut m.answers.agent.departments;
            let pos = deps.iter().position(|d| d.name.eq_ignore_ascii_case(&name));
            match (DEPARTMENT_LEVELS.get(j).copied().flatten(), pos) {
                (None, Some(p)) => {
                    deps.remove(p);
                }
                (Some(level), Some(p)) => deps[p].level = level,
                (Some(level), None) => deps.push(DepartmentAnswer { name, level }),
                (None, None) => {}
            }
        },
        nothing,
    )))
    .asked(Question::Departments)
}

/// The work hours, by name.
pub(super) fn work_hours() -> Spec {
    Spec::of(Behaviour::Choice(choice(
        Label::Fixed("Work hours"),
        |m, _| m.lookups.workdays.iter().map(|w| w.name.clone()).collect(),
        |m, _| {
            m.lookups
                .workdays
                .iter()
                .position(|w| w.name.eq_ignore_ascii_case(&m.answers.agent.workday))
        },
        |m, _, j| {
            if let Some(w) = m.lookups.workdays.get(j) {
                m.answers.agent.workday = w.name.clone();
            }
        },
        |m, _| m.answers.agent.workday.clone(),
    )))
    .check(|m, _| required(&m.answers.agent.workday))
}

fn non_empty(s: &str) -> &str {
    if s.is_empty() { "?" } else { s }
}

/// The agent's table, as fields.
struct Table;

fn value(i: usize) -> Option<agent::Value> {
    agent::ROWS.get(i).map(|r| r.value)
}

static NO_TEXT: String = String::new();

impl Rows for Table {
    fn prompt(i: usize) -> &'static str {
        agent::ROWS.get(i).map_or("", |r| r.prompt)
    }
    fn hint(i: usize) -> Option<&'static str> {
        match value(i) {
            Some(agent::Value::Text { hint, .. }) => Some(hint),
            _ => None,
        }
    }
    fn get(a: &Answers, i: usize) -> &String {
        match value(i) {
            Some(agent::Value::Text { get, .. }) => get(&a.agent),
            _ => &NO_TEXT,
        }
    }
    fn slot(a: &mut Answers, i: usize) -> &mut String {
        match value(i) {
            Some(agent::Value::Text { slot, .. }) => slot(&mut a.agent),
            // Never reached: only text rows get a text field.
            _ => &mut a.agent.details.email,
        }
    }
    fn limit(v: &str, i: usize) -> Option<String> {
        match value(i) {
            Some(agent::Value::Text { rule, .. }) => rule(v),
            _ => None,
        }
    }
    fn required(i: usize) -> bool {
        matches!(value(i), Some(agent::Value::Text { required: true, .. }))
    }
    fn flag(a: &Answers, i: usize) -> bool {
        match value(i) {
            Some(agent::Value::Flag { get, .. }) => get(&a.agent),
            _ => false,
        }
    }
    fn flip(a: &mut Answers, i: usize) {
        if let Some(agent::Value::Flag { slot, .. }) = value(i) {
            *slot(&mut a.agent) ^= true;
        }
    }
}
