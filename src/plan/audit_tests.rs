//! Tests of `audit`.

use super::*;
use crate::halo::model::{Claim, RoleRef, ScopeRef};

fn app(id: &str, name: &str, agent: i64, scopes: &[&str]) -> Application {
    Application {
        id: Some(id.into()),
        client_id: format!("c-{id}"),
        display_name: name.into(),
        grant_type: "client_credentials".into(),
        loginas_agent_id: Some(agent),
        scopes: scopes
            .iter()
            .map(|s| ScopeRef {
                name: s.to_string(),
            })
            .collect(),
        ..Application::default()
    }
}

fn agent(id: i64, name: &str, api: bool, role: &str) -> Agent {
    Agent {
        id: Some(id),
        name: name.into(),
        isapiagent: api,
        roles: vec![RoleRef {
            id: role.into(),
            name: role.into(),
        }],
        ..Agent::default()
    }
}

fn role(id: &str, admin: bool) -> RoleRead {
    RoleRead::Read(Role {
        id: Some(id.into()),
        name: id.into(),
        claims: vec![Claim {
            claim_type: "SA".into(),
            value: admin.to_string(),
        }],
        ..Role::default()
    })
}

fn integ(app: Application, agent: Agent, roles: Vec<RoleRead>) -> Integration {
    Integration {
        app,
        agent: AgentRead::Read(Box::new(agent)),
        roles,
    }
}

#[test]
fn risks_in_plain_words_with_levels() {
    let list = vec![
        integ(
            app("a1", "Hudu", 5, &["all"]),
            agent(5, "Hudu Sync", true, "adm"),
            vec![role("adm", true)],
        ),
        integ(
            app("a2", "Reports", 3, &["read:tickets"]),
            agent(3, "Sam", false, "r1"),
            vec![role("r1", false)],
        ),
        integ(
            app("a3", "Thread", 6, &["read:tickets"]),
            agent(6, "Thread API", true, "r2"),
            vec![role("r2", false)],
        ),
        integ(
            app("a4", "TimeZest", 7, &["read:calendar"]),
            agent(7, "TZ", true, "r2"),
            vec![role("r2", false)],
        ),
        integ(
            app("a5", "timezest ", 7, &["read:calendar"]),
            agent(7, "TZ", true, "r2"),
            vec![role("r2", false)],
        ),
        integ(
            app("a6", "Boot", 2, &["all", "admin"]),
            agent(2, "Boot", true, "adm"),
            vec![role("adm", true)],
        ),
        Integration {
            app: app("a7", "Old", 8, &["read:tickets"]),
            agent: AgentRead::Read(Box::new(Agent {
                isdisabled: true,
                ..agent(8, "Old API", true, "r2")
            })),
            roles: vec![RoleRead::Unreadable {
                id: "r2".into(),
                name: "r2".into(),
            }],
        },
    ];
    let r = report(&list, vec![], &Managed::default(), "c-a6");
    let get = |id: &str| {
        r.applications
            .iter()
            .find(|x| x.application_id == id)
            .unwrap()
    };
    let codes = |id: &str| get(id).risks.iter().map(|x| x.code).collect::<Vec<_>>();
    assert_eq!(codes("a1"), ["admin-agent", "all-scope"]);
    assert_eq!(codes("a2"), ["person"]);
    assert!(codes("a3").is_empty());
    assert_eq!(codes("a4"), ["duplicate"]);
    assert_eq!(codes("a7"), ["inactive-agent"]);
    assert_eq!(get("a7").administrator, None, "a role unreadable: unknown");
    assert!(
        get("a6").this_audit && get("a6").high() == 0,
        "the audit's own credentials are accepted"
    );
    assert_eq!(r.high_risks, 2);
    assert_eq!(get("a1").access, "all");
    assert_eq!(get("a3").access, "read");
    // Worst first.
    assert!(r.applications[0].high() > 0);
}
