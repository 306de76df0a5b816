//! `session::run` owns a setup's step order: a front end only answers hooks. Recording hooks
//! pin the order, and that a stop at the plan or at the last checks writes nothing to Halo and
//! leaves no setup in the journal.

use std::sync::{Arc, Mutex};

use halo_onboard::halo::model::Agent;
use halo_onboard::journal::Session;
use halo_onboard::plan::Plan;
use halo_onboard::plan::apply::ProgressFn;
use halo_onboard::plan::handover::Handover;
use halo_onboard::plan::session::{self, Delivery, Go, Hooks, Ran, RunError, Setup};

use crate::common::emulator::*;

/// Hooks that record each call; `go` answers the plan, `refuse_last_checks` fails them.
struct Recorder {
    calls: Arc<Mutex<Vec<String>>>,
    go: Go,
    refuse_last_checks: bool,
    /// Journaled setups seen at each hook (the journal must not have the draft before `started`).
    journal_dir: std::path::PathBuf,
}

impl Recorder {
    fn note(&self, what: &str, s: &Session) {
        let journaled = session_ids(&self.journal_dir).contains(&s.id);
        self.calls.lock().unwrap().push(format!(
            "{what}{}",
            if journaled { " (journaled)" } else { "" }
        ));
    }
}

impl Hooks for Recorder {
    type Error = String;

    fn progress(&self) -> Option<ProgressFn> {
        let calls = self.calls.clone();
        Some(Arc::new(move |_| {
            let mut c = calls.lock().unwrap();
            if c.last().map(String::as_str) != Some("progress") {
                c.push("progress".into());
            }
        }))
    }
    fn claim(&mut self, s: &Session) -> Result<(), String> {
        self.note("claim", s);
        Ok(())
    }
    fn surveyed(&mut self, s: &Session, me: &Agent) {
        assert!(!me.name.is_empty(), "who we are is known after the survey");
        self.note("surveyed", s);
    }
    fn confirm(&mut self, s: &Session, plan: &mut Plan) -> Go {
        assert!(!plan.actions.is_empty());
        self.note("confirm", s);
        self.go
    }
    fn before_journal(&mut self, s: &Session) -> Result<(), String> {
        self.note("before_journal", s);
        if self.refuse_last_checks {
            return Err("the hand-over file cannot be written".into());
        }
        Ok(())
    }
    fn started(&mut self, s: &Session, _plan: &Plan) {
        self.note("started", s);
    }
    fn hand_over(&mut self, s: &Session, ho: &Handover) -> Result<Delivery, String> {
        assert!(!ho.client_id.is_empty());
        self.note("hand_over", s);
        Ok(Delivery::Later)
    }
}

async fn run_with(
    go: Go,
    refuse_last_checks: bool,
) -> (Env, Vec<String>, Session, Result<Ran, RunError<String>>) {
    let e = env().await;
    let mut s = e.journal.draft(topleft(), Some(e.ep.clone()));
    let calls = Arc::new(Mutex::new(Vec::new()));
    let mut hooks = Recorder {
        calls: calls.clone(),
        go,
        refuse_last_checks,
        journal_dir: e.dir.path().join("state"),
    };
    let setup = Setup {
        client: &e.admin,
        journal: &e.journal,
        session: &mut s,
        adopt: None,
        given: None,
        regenerate_secret: false,
        accept_unverified: false,
    };
    let r = session::run(setup, &mut hooks).await;
    let calls = calls.lock().unwrap().clone();
    (e, calls, s, r)
}

fn writes(e: &Env) -> usize {
    e.sim
        .requests()
        .iter()
        .filter(|r| r.method != "GET" && !r.path.to_ascii_lowercase().contains("/token"))
        .count()
}

#[tokio::test]
async fn a_setup_runs_in_one_order() {
    let (e, calls, s, r) = run_with(Go::Apply, false).await;
    let Ok(Ran::Done(done)) = r else {
        panic!("the run did not end: {calls:?}");
    };
    assert_eq!(
        calls,
        [
            "claim",
            "surveyed",
            "confirm",
            "before_journal",
            "started (journaled)",
            "progress",
            "hand_over (journaled)",
        ],
        "the step order"
    );
    assert!(
        done.handover.is_some(),
        "a secret left for the front end (Later)"
    );
    assert!(done.delivered.is_none());
    assert!(
        done.finished
            .verification
            .as_ref()
            .is_some_and(halo_onboard::plan::verify::Verification::passed)
    );
    assert_eq!(
        named(&e.sim, &s),
        (1, 1, 1),
        "one role, agent and application"
    );
}

#[tokio::test]
async fn a_stop_at_the_plan_writes_nothing_and_journals_nothing() {
    let (e, calls, s, r) = run_with(Go::Stop, false).await;
    assert!(matches!(r, Ok(Ran::Stopped { .. })));
    assert_eq!(calls, ["claim", "surveyed", "confirm"]);
    assert_eq!(writes(&e), 0, "nothing written to Halo");
    assert!(!session_ids(&e.dir.path().join("state")).contains(&s.id));
}

#[tokio::test]
async fn a_failed_last_check_writes_nothing_and_journals_nothing() {
    let (e, calls, s, r) = run_with(Go::Apply, true).await;
    assert!(matches!(r, Err(RunError::Hook(ref m)) if m.contains("hand-over file")));
    assert_eq!(calls, ["claim", "surveyed", "confirm", "before_journal"]);
    assert_eq!(writes(&e), 0, "nothing written to Halo");
    assert!(!session_ids(&e.dir.path().join("state")).contains(&s.id));
}
