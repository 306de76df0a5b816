//! Tests of `plan::build` against instances that speak (or not) today's claim codes.

use super::*;
use crate::answers::TeamAnswer;

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
        p.manual[0].contains("Tickets = Read and Modify") && p.manual[0].contains("Ticket_Level"),
        "{:?}",
        p.manual
    );
}
