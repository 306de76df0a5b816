//! The wizard's side of a setup run ([`session::run`]): progress as messages, the plan already
//! confirmed on the Submit step, the setup's locks held until the wizard ends, and the secret
//! left on the hand-over screen for the admin.

use std::sync::{Arc, Mutex};

use tokio::sync::mpsc;

use crate::app::{ApplyOutcome, ApplyRequest, ManualRequest, Msg};
use crate::halo::{Client, HaloError};
use crate::journal::{Journal, JournalError, Session};
use crate::plan::Plan;
use crate::plan::apply::{ApplyError, ProgressFn};
use crate::plan::handover::Handover;
use crate::plan::session::{self, Adopt, Delivery, Go, Hooks, Ran, RunError, Setup};

/// The locks of the setup the wizard writes, with its id (see the runner's `locks`).
pub(super) type Locks = Arc<Mutex<Option<(String, crate::journal::lock::Held)>>>;

/// Applies a new or resumed setup; the hand-over is left to the user.
pub(super) async fn apply(
    client: &Client,
    req: ApplyRequest,
    tx: &mpsc::UnboundedSender<Msg>,
    locks: &Locks,
) -> Result<ApplyOutcome, Msg> {
    let journal = Journal::open_default().map_err(journal_fail)?;
    let s = match req.resume_id.as_deref() {
        Some(id) => {
            let mut s = journal.load(id).map_err(journal_fail)?;
            s.answers = req.answers;
            if s.endpoint.is_none() {
                s.endpoint = Some(client.endpoint().clone());
            }
            s
        }
        None => journal.draft(req.answers, Some(client.endpoint().clone())),
    };
    run(client, &journal, s, None, tx, locks).await
}

/// Adopts what the user made by hand (the setup is the one whose write Halo refused), then
/// continues exactly like [`apply`].
pub(super) async fn adopt(
    client: &Client,
    req: ManualRequest,
    tx: &mpsc::UnboundedSender<Msg>,
    locks: &Locks,
) -> Result<ApplyOutcome, Msg> {
    let journal = Journal::open_default().map_err(journal_fail)?;
    let mut s = journal.load(&req.session_id).map_err(journal_fail)?;
    s.answers = req.answers;
    let adopt = Adopt {
        object: req.object,
        credentials: req.credentials,
    };
    run(client, &journal, s, Some(adopt), tx, locks).await
}

async fn run(
    client: &Client,
    journal: &Journal,
    mut s: Session,
    adopt: Option<Adopt>,
    tx: &mpsc::UnboundedSender<Msg>,
    locks: &Locks,
) -> Result<ApplyOutcome, Msg> {
    let setup = Setup {
        client,
        journal,
        session: &mut s,
        adopt,
        given: None,
        regenerate_secret: false,
        accept_unverified: false,
    };
    let mut hooks = Wizard {
        tx: tx.clone(),
        journal,
        locks,
    };
    let ran = session::run(setup, &mut hooks).await.map_err(run_fail)?;
    let Ran::Done(done) = ran else {
        // The wizard's hooks always go on (the user confirmed on the Submit step).
        return Err(Msg::ApplyFailed {
            message: "the setup stopped at its plan".into(),
            hint: "Nothing was written; apply again.".into(),
        });
    };
    let f = done.finished;
    Ok(ApplyOutcome {
        session: s,
        verification: f.verification,
        differences: f.applied.differences,
        handover: done.handover,
        verified_with: f.verified_with,
        client_id: f.applied.client_id,
    })
}

/// The wizard's hooks.
struct Wizard<'a> {
    tx: mpsc::UnboundedSender<Msg>,
    journal: &'a Journal,
    locks: &'a Locks,
}

impl Hooks for Wizard<'_> {
    type Error = JournalError;

    fn progress(&self) -> Option<ProgressFn> {
        let tx = self.tx.clone();
        Some(Arc::new(move |p| {
            let _ = tx.send(Msg::Progress(p));
        }))
    }

    /// Locked before Halo is read: a setup another run writes (a `resume` in another terminal),
    /// or the same integration applied elsewhere, is refused here. Already held for it (a
    /// repair, the manual step), nothing more is taken.
    fn claim(&mut self, s: &Session) -> Result<(), JournalError> {
        let Ok(mut slot) = self.locks.lock() else {
            return Ok(());
        };
        if slot.as_ref().is_some_and(|(id, _)| *id == s.id) {
            return Ok(());
        }
        // One setup at a time: the earlier one's locks go before the next is locked.
        *slot = None;
        *slot = Some((s.id.clone(), self.journal.lock(s, "wizard")?));
        Ok(())
    }

    /// The user confirmed the plan on the Submit step.
    fn confirm(&mut self, _s: &Session, _plan: &mut Plan) -> Go {
        Go::Apply
    }

    fn started(&mut self, s: &Session, _plan: &Plan) {
        let _ = self.tx.send(Msg::ApplyStarted(s.id.clone()));
    }

    /// The hand-over screen shows the secret; the user copies or saves it there.
    fn hand_over(&mut self, _s: &Session, _ho: &Handover) -> Result<Delivery, JournalError> {
        Ok(Delivery::Later)
    }
}

fn journal_fail(e: JournalError) -> Msg {
    Msg::ApplyFailed {
        message: e.to_string(),
        hint: e.hint(),
    }
}

fn run_fail(e: RunError<JournalError>) -> Msg {
    match e {
        RunError::Halo(e) => halo_fail(&e),
        RunError::Journal(e) | RunError::Hook(e) => journal_fail(e),
        RunError::Apply { error, .. } | RunError::Adopt { error, .. } => apply_fail(error),
    }
}

fn halo_fail(e: &HaloError) -> Msg {
    Msg::ApplyFailed {
        message: e.to_string(),
        hint: format!("{} Nothing will be created twice on resume.", e.hint()),
    }
}

/// A refused write becomes `ApplyRefused` (the screen offers doing it by hand); an adoption that
/// found nothing goes back to the checklist.
fn apply_fail(e: ApplyError) -> Msg {
    match e {
        ApplyError::Refused { object, .. } => Msg::ApplyRefused {
            object,
            message: e.to_string(),
            hint: e.hint(),
        },
        ApplyError::NotAdopted(n) => Msg::ManualNotAdopted(n.to_string()),
        ApplyError::SecretNeeded { .. } => Msg::SecretNeeded {
            message: e.to_string(),
            hint: e.hint(),
        },
        e => Msg::ApplyFailed {
            message: e.to_string(),
            hint: e.hint(),
        },
    }
}
