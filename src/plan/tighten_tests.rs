//! Tests of `tighten`.

use super::*;
use crate::answers::Answers;
use crate::halo::model::Claim;
use crate::halo::model::{Agent, Application, Role, RoleRef, ScopeRef};
use crate::plan::inventory::{AgentRead, Integration, RoleRead};

fn role(id: &str, claims: &[(&str, &str)]) -> Role {
    Role {
        id: Some(id.into()),
        name: format!("role {id}"),
        claims: claims
            .iter()
            .map(|(t, v)| Claim {
                claim_type: (*t).into(),
                value: (*v).into(),
            })
            .collect(),
        ..Role::default()
    }
}

fn current(api: bool, r: Role, others: usize, scopes: &[&str]) -> Current {
    let id = r.id.clone().unwrap();
    Current {
        integration: Integration {
            app: Application {
                id: Some("app".into()),
                display_name: "Hudu".into(),
                loginas_agent_id: Some(9),
                scopes: scopes
                    .iter()
                    .map(|s| ScopeRef {
                        name: s.to_string(),
                    })
                    .collect(),
                ..Application::default()
            },
            agent: AgentRead::Read(Box::new(Agent {
                id: Some(9),
                name: "Hudu Sync".into(),
                isapiagent: api,
                roles: vec![RoleRef {
                    id: id.clone(),
                    name: String::new(),
                }],
                ..Agent::default()
            })),
            roles: vec![RoleRead::Read(r)],
        },
        others: Some([(id.to_ascii_lowercase(), others)].into()),
    }
}

fn hudu() -> Answers {
    crate::profile::answers_for("hudu").unwrap()
}

#[test]
fn an_administrator_or_a_person_moves_to_a_new_agent() {
    let admin = current(true, role("r", &[("SA", "true")]), 0, &["all"]);
    let p = plan(&admin, &hudu(), false).unwrap();
    let n = p.new_agent.expect("a new agent");
    assert!(n.reasons[0].contains("Administrator"), "{:?}", n.reasons);
    assert!(n.drops.iter().any(|d| d.contains("all")), "{:?}", n.drops);
    assert!(p.notes[0].contains("left as they are"));
    let person = current(
        false,
        role("r", &[("Ux", "2"), ("Dx", "1")]),
        0,
        &["read:customers", "read:assets"],
    );
    let n = plan(&person, &hudu(), false).unwrap().new_agent.unwrap();
    assert!(n.reasons[0].contains("person's account"), "{:?}", n.reasons);
}

#[test]
fn a_role_of_its_own_is_tightened_in_place_a_shared_one_is_not() {
    let wide = [("Ux", "3"), ("Dx", "3"), ("Tx", "2")];
    let own = current(
        true,
        role("r", &wide),
        0,
        &["read:customers", "read:assets", "edit:tickets"],
    );
    let p = plan(&own, &hudu(), false).unwrap();
    assert!(p.new_agent.is_none());
    assert_eq!(p.steps.len(), 2, "{p:?}");
    assert!(
        p.steps[0]
            .words()
            .contains("drops read:tickets, edit:tickets"),
        "{}",
        p.steps[0].words()
    );
    let words = p.steps[1].words();
    assert!(
        words.contains("Tickets: Read and Modify → Not set"),
        "{words}"
    );
    let shared = current(
        true,
        role("r", &wide),
        2,
        &["read:customers", "read:assets"],
    );
    let n = plan(&shared, &hudu(), false).unwrap().new_agent.unwrap();
    assert!(n.reasons[0].contains("2 other agent"), "{:?}", n.reasons);
}

#[test]
fn nothing_to_do_when_it_is_the_profile() {
    let want = hudu();
    let claims: Vec<(String, String)> = want
        .role
        .permissions
        .claims()
        .into_iter()
        .map(|c| (c.claim_type, c.value))
        .collect();
    let refs: Vec<(&str, &str)> = claims
        .iter()
        .map(|(a, b)| (a.as_str(), b.as_str()))
        .collect();
    let cur = current(
        true,
        role("r", &refs),
        0,
        &["read:customers", "read:assets"],
    );
    let p = plan(&cur, &want, false).unwrap();
    assert!(p.is_empty(), "{p:?}");
    assert!(p.text().contains("Nothing to tighten"));
    assert!(plan(&cur, &want, true).unwrap().new_agent.is_some());
}
