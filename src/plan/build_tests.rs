//! Tests of `plan::build`.

use super::*;
use crate::answers::{ALL, TeamAnswer};

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

/// "Agent to log in as" naming another agent is refused, never silently ignored (the
/// application would log in as the new agent while the admin chose another); the new
/// agent's own name is no problem.
#[test]
fn logging_in_as_another_agent_is_refused_not_ignored() {
    let mut a = answers();
    a.application.login_agent = Some("Existing Admin".into());
    let p = plan(&a, &lookups(), &Objects::default(), "[halo-onboard:x]");
    assert!(
        p.problems
            .iter()
            .any(|x| x.contains("'Existing Admin'") && x.contains("Agent to log in as")),
        "{:?}",
        p.problems
    );
    a.application.login_agent = Some(a.agent.name.clone());
    let p = plan(&a, &lookups(), &Objects::default(), "[halo-onboard:x]");
    assert!(p.problems.is_empty(), "{:?}", p.problems);
}
