//! The apply engine against the emulator: from scratch, twice, killed at every journal
//! boundary and mid-request, lost secret, rollback, and verification failing per layer.

use halo_onboard::answers::Answers;
use halo_onboard::journal::{Journal, Session, Status};
use halo_onboard::plan::apply::{Applied, ApplyError};
use halo_onboard::plan::verify::{self, Check, Layer, Target, Verification};
use halo_onboard::sim::DropMode;

use crate::common::emulator::*;

async fn apply(e: &Env, j: &Journal, s: &mut Session) -> Result<Applied, ApplyError> {
    applier(&e.admin, j).apply(s).await
}

/// (roles, agents, applications) named like the answers.
fn counts(e: &Env, s: &Session) -> (usize, usize, usize) {
    named(&e.sim, s)
}

fn posts(e: &Env) -> usize {
    e.sim
        .requests()
        .iter()
        .filter(|r| r.method == "POST" && r.path.starts_with("/api/"))
        .count()
}

#[tokio::test]
async fn from_scratch_then_again_creates_nothing_more() {
    let e = env().await;
    let mut s = e.journal.create(topleft(), Some(e.ep.clone())).unwrap();
    let a = apply(&e, &e.journal, &mut s).await.unwrap();
    assert_eq!(a.writes, 3);
    assert!(a.differences.is_empty(), "{:?}", a.differences);
    assert_eq!(counts(&e, &s), (1, 1, 1));
    assert_eq!(s.status, Status::Applied);
    let v = verify_applied(&e, &s, &a).await;
    assert!(v.passed(), "{:#?}", v.failures().collect::<Vec<_>>());

    // The same setup again (resume of a finished apply): nothing is written.
    e.sim.clear_requests();
    let again = apply(&e, &e.journal, &mut s).await.unwrap();
    assert_eq!(again.writes, 0);
    assert_eq!(posts(&e), 0);
    assert_eq!(counts(&e, &s), (1, 1, 1));
    assert_eq!(again.client_id, a.client_id);

    // A new setup with the same answers adopts, writes nothing and keeps the vendor's secret.
    let mut s2 = e.journal.create(topleft(), Some(e.ep.clone())).unwrap();
    e.sim.clear_requests();
    let third = apply(&e, &e.journal, &mut s2).await.unwrap();
    assert_eq!((third.writes, posts(&e)), (0, 0));
    assert!(third.client_secret.is_none());
    assert!(
        verify_applied(&e, &s, &a).await.passed(),
        "old secret still works"
    );
}

#[tokio::test]
async fn killed_at_every_journal_boundary_resumes_to_exactly_one_of_each() {
    // Count the saves of a full apply, then crash at each one in turn.
    let probe = env().await;
    let mut s = probe.journal.create(topleft(), None).unwrap();
    let counter = probe.journal.crashing_after(10_000);
    apply(&probe, &counter, &mut s).await.unwrap();
    let total = s.entries.len() + 4; // entries plus status saves; extra rounds are harmless
    let mut tried = 0;
    for n in 0..total {
        let e = env().await;
        let mut s = e.journal.create(topleft(), Some(e.ep.clone())).unwrap();
        let id = s.id.clone();
        let crashing = e.journal.crashing_after(n);
        let first = apply(&e, &crashing, &mut s).await;
        if first.is_ok() {
            break; // n is past the last boundary
        }
        tried += 1;
        // Resume from what is on disk, as a new process would.
        let mut resumed = e.journal.load(&id).unwrap();
        let a = apply(&e, &e.journal, &mut resumed)
            .await
            .unwrap_or_else(|err| panic!("resume after crash {n}: {err}"));
        assert_eq!(counts(&e, &resumed), (1, 1, 1), "crash at save {n}");
        let v = verify_applied(&e, &resumed, &a).await;
        assert!(
            v.passed(),
            "crash at save {n}: {:#?}",
            v.failures().collect::<Vec<_>>()
        );
    }
    assert!(tried >= 8, "only {tried} boundaries exercised");
}

#[tokio::test]
async fn connection_dropped_mid_request_resumes_without_duplicates() {
    // For each of the three creates: the request reaches Halo, the answer is lost.
    for write in 0..3 {
        for mode in [DropMode::AfterProcessing, DropMode::BeforeProcessing] {
            let e = env().await;
            let mut s = e.journal.create(topleft(), Some(e.ep.clone())).unwrap();
            let id = s.id.clone();
            e.sim.drop_nth_write(write, mode);
            let result = apply(&e, &e.journal, &mut s).await;
            // A write whose answer is lost is never retried blindly: apply stops, resumable.
            assert!(
                result.is_err(),
                "write {write} {mode:?}: the drop must surface"
            );
            let mut resumed = e.journal.load(&id).unwrap();
            let a = apply(&e, &e.journal, &mut resumed).await.unwrap();
            let v = verify_applied(&e, &resumed, &a).await;
            assert!(
                v.passed(),
                "write {write} {mode:?}: {:#?}",
                v.failures().collect::<Vec<_>>()
            );
            assert_eq!(counts(&e, &resumed), (1, 1, 1), "write {write} {mode:?}");
        }
    }
}

#[tokio::test]
async fn lost_secret_is_regenerated_not_duplicated() {
    let e = env().await;
    let mut s = e.journal.create(topleft(), Some(e.ep.clone())).unwrap();
    let first = apply(&e, &e.journal, &mut s).await.unwrap();
    e.journal.wipe_secret(&mut s).unwrap(); // e.g. the hand-over file was lost before use
    let again = apply(&e, &e.journal, &mut s).await.unwrap();
    assert_eq!(again.writes, 1, "one write: the secret");
    assert_eq!(counts(&e, &s), (1, 1, 1));
    assert_eq!(again.application_id, first.application_id);
    assert!(verify_applied(&e, &s, &again).await.passed());
    // The old secret no longer works.
    let stale = Target {
        endpoint: &e.ep,
        client_id: &first.client_id,
        client_secret: first.client_secret.as_ref().unwrap(),
        scopes: &s.answers.scopes,
        agent_id: first.agent_id,
        role: &s.answers.role,
        application_name: "",
    };
    let v = verify::verify(&stale, fast_opts(), None).await;
    assert_eq!(v.checks[0].layer, Some(Layer::Credentials));
}

#[tokio::test]
async fn rollback_deletes_only_what_the_setup_created() {
    let e = env().await;
    let mut a = topleft();
    a.role.mode = halo_onboard::answers::RoleMode::Reuse("Administrator".into());
    let mut s = e.journal.create(a, Some(e.ep.clone())).unwrap();
    apply(&e, &e.journal, &mut s).await.unwrap();
    let roles_before = e.sim.with_state(|st| st.roles.len());
    let done = halo_onboard::plan::rollback::rollback(&e.admin, &e.journal, &mut s)
        .await
        .unwrap();
    assert_eq!(done.len(), 2, "{done:?}");
    assert_eq!(s.status, Status::RolledBack);
    let (apps, agents, roles) = e.sim.with_state(|st| {
        (
            st.count_named("applications", "TopLeft"),
            st.count_named("agents", "topleft"),
            st.roles.len(),
        )
    });
    assert_eq!(
        (apps, agents, roles),
        (0, 0, roles_before),
        "the reused Administrator role stays"
    );
    let back = e.journal.load(&s.id).unwrap();
    assert!(
        back.entries
            .iter()
            .filter(|x| format!("{:?}", x.event).contains("delete"))
            .count()
            >= 4
    );
}

#[tokio::test]
async fn verification_names_the_blocking_layer() {
    // Scope layer: the application's scopes were changed in Halo after the setup.
    let e = env().await;
    let mut s = e.journal.create(topleft(), Some(e.ep.clone())).unwrap();
    let a = apply(&e, &e.journal, &mut s).await.unwrap();
    e.sim.with_state(|st| {
        let app = st.application_mut(&a.application_id).unwrap();
        app.list_mut("scopes")
            .retain(|x| x["name"] != "admin:webhooks");
    });
    let v = verify_applied(&e, &s, &a).await;
    assert!(!v.passed());
    assert!(
        v.failures()
            .any(|c| c.layer == Some(Layer::Scope) && c.fix.contains("admin:webhooks")),
        "{v:#?}"
    );

    // Role layer: a non-admin role without Tickets access but the scope granted.
    let mut ans = topleft();
    ans.role.permissions.set_admin(false);
    ans.role.name = "Tickets-less".into();
    ans.scopes = vec!["read:tickets".into(), "read:assets".into()];
    ans.role
        .permissions
        .set_labels("assets", "Read Only")
        .unwrap();
    let v = applied_and_verified(ans).await;
    let tickets = check(&v, "tickets");
    assert_eq!(tickets.layer, Some(Layer::Role), "{v:#?}");
    assert!(tickets.fix.contains("Tickets-less"));
    assert!(check(&v, "assets").pass);

    // Visibility layer: Tickets access and scope, but no team and no all:teams.
    let mut ans = topleft();
    ans.role.permissions.set_admin(false);
    ans.role.name = "Ticket reader".into();
    ans.role
        .permissions
        .set_labels("tickets", "Read Only")
        .unwrap();
    ans.scopes = vec!["read:tickets".into()];
    ans.agent.teams.clear();
    let v = applied_and_verified(ans).await;
    assert_eq!(
        check(&v, "tickets").layer,
        Some(Layer::Visibility),
        "{v:#?}"
    );
}

/// `ans` applied on a fresh emulator, then verified with its new credentials.
async fn applied_and_verified(ans: Answers) -> Verification {
    let e = env().await;
    let mut s = e.journal.create(ans, Some(e.ep.clone())).unwrap();
    let a = apply(&e, &e.journal, &mut s).await.unwrap();
    verify_applied(&e, &s, &a).await
}

/// The verification's check whose name mentions `what`.
fn check<'a>(v: &'a Verification, what: &str) -> &'a Check {
    v.checks.iter().find(|c| c.name.contains(what)).unwrap()
}

/// Without agent notes, an agent whose create lost its answer is found by the chain: its
/// username and the role this setup gave it — also when that role is a reused one (SaaS
/// Alerts reuses "Administrator"), and also when Halo drops the application's description.
#[tokio::test]
async fn in_doubt_writes_settle_by_the_ownership_chain() {
    for (profile, drop_description) in [("saasalerts", false), ("topleft", true)] {
        // Writes: (role,) agent, application. Lose the answer of each create.
        let first = usize::from(profile == "saasalerts");
        for write in 0..(3 - first) {
            let e = env().await;
            if drop_description {
                e.sim
                    .with_faults(|f| f.drop_fields = vec!["application.description".into()]);
            }
            let answers = halo_onboard::profile::answers_for(profile).unwrap();
            let mut s = e.journal.create(answers, Some(e.ep.clone())).unwrap();
            let id = s.id.clone();
            e.sim
                .drop_nth_write(u32::try_from(write).unwrap(), DropMode::AfterProcessing);
            assert!(apply(&e, &e.journal, &mut s).await.is_err());
            let mut resumed = e.journal.load(&id).unwrap();
            let a = apply(&e, &e.journal, &mut resumed)
                .await
                .unwrap_or_else(|x| panic!("{profile} write {write}: {x}"));
            let agents = e
                .sim
                .with_state(|st| st.count_named("agents", &resumed.answers.agent.name));
            assert_eq!(agents, 1, "{profile} write {write}: one agent");
            let apps = e
                .sim
                .with_state(|st| st.count_named("applications", &resumed.answers.application.name));
            assert_eq!(apps, 1, "{profile} write {write}: one application");
            assert!(a.agent_id > 0);
        }
    }
}
