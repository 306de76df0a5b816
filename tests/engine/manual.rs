//! The guided manual fallback against the emulator: Halo refuses a write, the user makes the
//! object by hand (here: straight into the emulator's state), apply adopts it and continues,
//! verification decides, and rollback leaves what the user made in place.

use halo_onboard::halo::model::{Application, GRANT_CLIENT_CREDENTIALS, LOGIN_ENTITY_AGENT, Role};
use halo_onboard::journal::{Event, Session, Status, Subject};
use halo_onboard::plan::Object;
use halo_onboard::plan::apply::{ApplyError, Finished};
use halo_onboard::plan::manual::{ManualCredentials, NotAdopted};
use secrecy::{ExposeSecret, SecretString};
use serde_json::json;

use crate::common::emulator::*;

async fn run(e: &Env, s: &mut Session) -> Result<Finished, ApplyError> {
    let a = applier(&e.admin, &e.journal);
    let lk = a.lookups(s).await.unwrap();
    a.apply_and_verify(s, lk).await
}

fn counts(e: &Env, s: &Session) -> (usize, usize, usize) {
    named(&e.sim, s)
}

/// The application as a user makes it in Halo's form; returns its client id and secret.
fn make_app_by_hand(e: &Env, s: &Session) -> (String, String) {
    let (cid, secret) = (
        uuid::Uuid::new_v4().to_string(),
        "hand-made-secret-1".to_string(),
    );
    let agent_id = s.objects.agent_id.unwrap();
    let scopes = s.answers.scopes.clone();
    let name = s.answers.application.name.clone();
    let (c, sec) = (cid.clone(), secret.clone());
    e.sim.with_state(move |st| {
        st.add_application(json!({
            "clientId": c,
            "clientSecret": sec,
            "displayName": name,
            "grant_type": GRANT_CLIENT_CREDENTIALS,
            "loginentity": LOGIN_ENTITY_AGENT,
            "loginas_agent_id": agent_id,
            "scopes": scopes.iter().map(|n| json!({"name": n})).collect::<Vec<_>>(),
        }))
    });
    (cid, secret)
}

fn creds(cid: &str, secret: &str) -> ManualCredentials {
    ManualCredentials {
        client_id: cid.into(),
        client_secret: SecretString::from(secret.to_string()),
    }
}

#[tokio::test]
async fn refused_application_made_by_hand_is_adopted_and_verified() {
    let e = env().await;
    e.sim.refuse_writes(&["application"]);
    let mut s = e.journal.create(topleft(), Some(e.ep.clone())).unwrap();

    let err = run(&e, &mut s).await.unwrap_err();
    match &err {
        ApplyError::Refused { object, error } => {
            assert_eq!(*object, Object::Application);
            assert!(error.to_string().contains("403"), "{error}");
        }
        other => panic!("expected Refused, got {other:?}"),
    }
    assert!(
        err.hint().contains("--manual application"),
        "{}",
        err.hint()
    );
    assert!(s.entries.iter().any(|x| matches!(
        &x.event,
        Event::Failed {
            subject: Subject::Application,
            ..
        }
    )));
    assert_eq!(counts(&e, &s), (1, 1, 0));

    // Adopting before the user made it says so and changes nothing.
    let a = applier(&e.admin, &e.journal);
    let lk = a.lookups(&s).await.unwrap();
    let c0 = creds("x", "y");
    match a.adopt_manual(&mut s, &lk, Object::Application, Some(&c0)) {
        Err(ApplyError::NotAdopted(NotAdopted::Missing { name, .. })) => {
            assert_eq!(name, "TopLeft");
        }
        other => panic!("expected Missing, got {other:?}"),
    }
    assert!(!s.objects.application_manual);

    let (cid, secret) = make_app_by_hand(&e, &s);
    // Without the secret, or with another client id, nothing is adopted.
    let lk = a.lookups(&s).await.unwrap();
    assert!(matches!(
        a.adopt_manual(&mut s, &lk, Object::Application, None),
        Err(ApplyError::NotAdopted(NotAdopted::CredentialsMissing))
    ));
    assert!(matches!(
        a.adopt_manual(
            &mut s,
            &lk,
            Object::Application,
            Some(&creds("other", &secret))
        ),
        Err(ApplyError::NotAdopted(NotAdopted::ClientIdDiffers { .. }))
    ));

    let f = a
        .adopt_and_continue(&mut s, Object::Application, Some(&creds(&cid, &secret)))
        .await
        .unwrap();
    let v = f
        .verification
        .expect("the secret is known, so it is verified");
    assert!(v.passed(), "{:#?}", v.failures().collect::<Vec<_>>());
    assert_eq!(f.applied.client_id, cid);
    assert_eq!(
        f.applied.client_secret.as_ref().unwrap().expose_secret(),
        secret
    );
    assert_eq!(f.applied.writes, 0);
    assert_eq!(counts(&e, &s), (1, 1, 1));
    assert_eq!(s.status, Status::Verified);
    assert!(s.objects.application_manual && !s.objects.application_created);
    assert!(s.entries.iter().any(|x| matches!(
        &x.event,
        Event::Done { subject: Subject::Application, action, .. } if action == "manual"
    )));
    assert_eq!(
        e.journal.load_secret(&s.id).unwrap().expose_secret(),
        secret
    );

    // Rollback deletes what the setup created, never what the user made by hand.
    let done = halo_onboard::plan::rollback::rollback(&e.admin, &e.journal, &mut s)
        .await
        .unwrap();
    assert!(
        !done
            .iter()
            .any(|d| d.object == halo_onboard::plan::Object::Application),
        "{done:?}"
    );
    assert_eq!(counts(&e, &s), (0, 0, 1));
}

#[tokio::test]
async fn refused_role_made_by_hand_is_adopted_and_apply_continues() {
    let e = env().await;
    e.sim.refuse_writes(&["Roles"]);
    let mut s = e.journal.create(topleft(), Some(e.ep.clone())).unwrap();
    match run(&e, &mut s).await {
        Err(ApplyError::Refused { object, .. }) => assert_eq!(object, Object::Role),
        other => panic!("expected Refused, got {other:?}"),
    }
    assert_eq!(counts(&e, &s), (0, 0, 0));

    // Made by hand without the setup marker and with a different note: still adopted, kept.
    let name = s.answers.role.name.clone();
    e.sim.with_state(move |st| {
        // As TopLeft's checklist says: administrator, and the two ticket view switches.
        st.add_role(json!({
            "id_int": 99,
            "name": name,
            "notes": "made by hand",
            "claims": [{"type": "SA", "value": "true"}, {"type": "l8", "value": "1"},
                       {"type": "l9", "value": "1"}],
        }))
    });
    let f = applier(&e.admin, &e.journal)
        .adopt_and_continue(&mut s, Object::Role, None)
        .await
        .unwrap();
    let v = f.verification.unwrap();
    assert!(v.passed(), "{:#?}", v.failures().collect::<Vec<_>>());
    assert_eq!(f.applied.writes, 2, "agent and application, no role update");
    assert!(
        f.applied.differences.is_empty(),
        "{:?}",
        f.applied.differences
    );
    assert_eq!(counts(&e, &s), (1, 1, 1));
    assert!(s.objects.role_manual && !s.objects.role_created);

    // A second run keeps everything (no write to the refused endpoint).
    e.sim.clear_requests();
    let again = run(&e, &mut s).await.unwrap();
    assert_eq!(again.applied.writes, 0);
    assert_eq!(counts(&e, &s), (1, 1, 1));
}

#[tokio::test]
async fn hand_made_role_missing_a_permission_is_reported_with_the_ui_field() {
    let e = env().await;
    let mut a = topleft();
    a.role.permissions.set_admin(false);
    a.role
        .permissions
        .set_labels("tickets", "Read and Modify")
        .unwrap();
    a.scopes = vec!["edit:tickets".into()];
    e.sim.refuse_writes(&["roles"]);
    let mut s = e.journal.create(a, Some(e.ep.clone())).unwrap();
    assert!(matches!(
        run(&e, &mut s).await,
        Err(ApplyError::Refused {
            object: Object::Role,
            ..
        })
    ));
    let name = s.answers.role.name.clone();
    e.sim
        .with_state(move |st| st.add_role(json!({ "name": name, "notes": "", "claims": [] })));
    let f = applier(&e.admin, &e.journal)
        .adopt_and_continue(&mut s, Object::Role, None)
        .await
        .unwrap();
    let lines: Vec<_> = f
        .applied
        .differences
        .iter()
        .map(|d| d.fix_line("TopLeft Role"))
        .collect();
    assert!(
        lines
            .iter()
            .any(|l| l.contains("Feature Access: Tickets = Read and Modify")),
        "{lines:?}"
    );
    // The role layer refuses ticket calls: verification says so.
    assert!(!f.verification.unwrap().passed());
}

#[tokio::test]
async fn refuse_writes_fault_is_settable_over_http_and_refuses_only_writes_there() {
    let e = env().await;
    let r = crate::common::http()
        .post(format!("{}/_sim/faults", e.sim.url))
        .json(&serde_json::json!({"refuse_writes": ["application"]}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(
        e.sim.faults().refuse_writes,
        vec!["application".to_string()]
    );
    let app = Application {
        display_name: "X".into(),
        ..Application::default()
    };
    match e.admin.save_application(&app).await {
        Err(halo_onboard::halo::HaloError::Forbidden(_, body)) => {
            assert!(body.contains("permission"), "{body}");
        }
        other => panic!("expected 403, got {other:?}"),
    }
    assert!(e.admin.applications().await.is_ok(), "reads still work");
    let role = Role {
        name: "Other".into(),
        ..Role::default()
    };
    assert!(
        e.admin.save_role(&role).await.is_ok(),
        "other resources unaffected"
    );
    e.sim.refuse_writes(&[]);
    assert!(e.admin.save_application(&app).await.is_ok());
}

#[tokio::test]
async fn refused_api_agent_made_by_hand_is_found_by_username() {
    let e = env().await;
    e.sim.refuse_writes(&["agent"]);
    let mut s = e.journal.create(topleft(), Some(e.ep.clone())).unwrap();
    match run(&e, &mut s).await {
        Err(ApplyError::Refused { object, .. }) => assert_eq!(object, Object::Agent),
        other => panic!("expected Refused, got {other:?}"),
    }
    let role_id = s.objects.role_id.clone().unwrap();
    let (role_name, username) = (s.answers.role.name.clone(), s.answers.agent.name.clone());
    let agent_id = e.sim.with_state(move |st| {
        st.add_agent(json!({
            "name": username.to_uppercase(),
            "isapiagent": true,
            "isdisabled": false,
            "roles": [{"id": role_id, "name": role_name}],
            "workday_id": 1,
        }))
    });
    let f = applier(&e.admin, &e.journal)
        .adopt_and_continue(&mut s, Object::Agent, None)
        .await
        .unwrap();
    assert_eq!(f.applied.agent_id, agent_id);
    assert!(f.verification.unwrap().passed());
    assert!(s.objects.agent_manual && !s.objects.agent_created);
    assert!(
        s.objects.role_created,
        "the role this setup made stays its own"
    );
    // Rollback deletes the application and the role it created, never the agent made by hand.
    halo_onboard::plan::rollback::rollback(&e.admin, &e.journal, &mut s)
        .await
        .unwrap();
    assert!(e.sim.with_state(|st| st.agent(agent_id).is_some()));
}
