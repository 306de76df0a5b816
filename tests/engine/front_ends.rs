//! The wizard and the headless commands build the same setup from the same profile (issue 20
//! item 7): one source of truth for the defaults a profile leaves open (the agent's first name),
//! so a re-apply from one front end never "updates" what the other made.

use halo_onboard::plan::Object;
use halo_onboard::plan::build::Kind;
use halo_onboard::plan::session::{For, lookups};

use crate::common::emulator::*;

/// Every built-in profile pre-fills the wizard exactly as headless `apply --profile` reads it.
#[test]
fn the_wizard_and_headless_read_a_profile_the_same_way() {
    for p in halo_onboard::profile::builtin() {
        let wizard = halo_onboard::app::picker::prefill(&p);
        let headless = halo_onboard::headless::apply::load_answers(&p, None)
            .unwrap_or_else(|e| panic!("{}: {}", p.id, e.message));
        assert_eq!(
            wizard.agent, headless.agent,
            "{}: the agent differs between the wizard and headless",
            p.id
        );
        assert_eq!(wizard.role, headless.role, "{}", p.id);
        assert_eq!(wizard.application, headless.application, "{}", p.id);
    }
}

/// After a wizard Hudu setup, a headless dry run of the same profile plans to keep everything
/// (it planned to blank the agent's first name), and the other way round.
#[tokio::test]
async fn a_setup_from_one_front_end_is_kept_by_the_other() {
    let hudu = halo_onboard::profile::builtin()
        .into_iter()
        .find(|p| p.id == "hudu")
        .unwrap();
    let wizard = halo_onboard::app::picker::prefill(&hudu);
    let headless = halo_onboard::headless::apply::load_answers(&hudu, None).unwrap();
    for (made_by, other) in [(&wizard, &headless), (&headless, &wizard)] {
        let e = env().await;
        let mut s = e
            .journal
            .create(made_by.clone(), Some(e.ep.clone()))
            .unwrap();
        applier(&e.admin, &e.journal).apply(&mut s).await.unwrap();
        // The other front end's setup: a new draft, planned against what Halo has now.
        let lk = lookups(&e.admin, For::Setup(other)).await.unwrap();
        let draft = e.journal.draft(other.clone(), Some(e.ep.clone()));
        let plan = halo_onboard::plan::plan(other, &lk, &draft.objects, &draft.marker());
        for o in [Object::Role, Object::Agent, Object::Application] {
            let a = plan.action(o).unwrap();
            assert_ne!(
                a.kind,
                Kind::Update,
                "{o:?} would be updated: {:?}",
                a.changes
            );
            assert_ne!(a.kind, Kind::Create, "{o:?} would be created again");
        }
    }
}
