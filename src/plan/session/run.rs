//! The step order of a setup, written once. From a connected bootstrap client:
//!
//! 1. claim the setup ([`Hooks::claim`]: locks, anything that must hold before Halo is read);
//! 2. read Halo: who we are and what it has (one round trip);
//! 3. adopt what the admin made by hand, when the setup continues after a refused write;
//! 4. plan, and ask ([`Hooks::confirm`]) whether to go on;
//! 5. the last checks before writing ([`Hooks::before_journal`], e.g. the hand-over file);
//! 6. journal the setup (a draft becomes resumable), then apply, read back and verify;
//! 7. settle it in the journal and hand the new secret over ([`Hooks::hand_over`]).
//!
//! The wizard and the headless commands supply [`Hooks`] (progress, confirmation, where the
//! secret goes) and never order a step themselves; tests drive the same order with their own.

use std::path::PathBuf;

use crate::halo::model::Agent;
use crate::halo::{Client, Endpoint, HaloError};
use crate::journal::{Journal, JournalError, Session};
use crate::plan::apply::{Applier, ApplyError, Finished, GivenSecret, ProgressFn};
use crate::plan::build::{Lookups, Object, Plan, Recorded};
use crate::plan::handover::Handover;
use crate::plan::manual::ManualCredentials;
use crate::plan::survey::{For, survey};

/// What a front end brings to a run.
pub struct Setup<'a> {
    /// A client signed in with the bootstrap credentials.
    pub client: &'a Client,
    /// Where the setup is journaled.
    pub journal: &'a Journal,
    /// A draft (journaled only once the plan is confirmed and the last checks pass) or a
    /// journaled setup to continue.
    pub session: &'a mut Session,
    /// The object the admin made by hand in Halo's web UI after Halo refused the write.
    pub adopt: Option<Adopt>,
    /// The existing application's secret, to verify with (`--app-secret-file`, the env).
    pub given: Option<GivenSecret>,
    /// Replace the secret of an application an earlier setup made (`--new-secret`).
    pub regenerate_secret: bool,
    /// Close the setup even when its credentials could not be verified (`--no-verify`).
    pub accept_unverified: bool,
}

/// What the admin made by hand, to adopt before planning.
#[derive(Debug, Clone)]
pub struct Adopt {
    /// The kind of object made by hand.
    pub object: Object,
    /// For an application: the Client ID and Secret copied from Halo.
    pub credentials: Option<ManualCredentials>,
}

/// The answer to the plan.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Go {
    /// Write the plan to Halo.
    Apply,
    /// Write nothing; the run ends with [`Ran::Stopped`].
    Stop,
}

/// Where the new secret went.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Delivery {
    /// Saved to this file: the journal forgets the secret.
    Saved(PathBuf),
    /// The front end hands it over later (the wizard's screen): the journal keeps it until then.
    Later,
}

/// What a front end does at each step. Only [`Hooks::confirm`] and [`Hooks::hand_over`] have no
/// default: whether to write and where the secret goes are always the front end's choice.
pub trait Hooks: Send {
    /// What stops a run on the front end's side (a lock held elsewhere, an unwritable file).
    type Error: Send;

    /// Progress as it happens (steps, read-back differences).
    fn progress(&self) -> Option<ProgressFn> {
        None
    }
    /// Before Halo is read: locks and anything else the setup must hold for the whole run.
    fn claim(&mut self, _s: &Session) -> Result<(), Self::Error> {
        Ok(())
    }
    /// Halo was read; `me` is the bootstrap agent.
    fn surveyed(&mut self, _s: &Session, _me: &Agent) {}
    /// `object` made by hand was adopted; `secret_only`: only the secret of an application
    /// this setup created was copied (it stays this setup's own).
    fn adopted(&mut self, _object: Object, _secret_only: bool) {}
    /// The plan before anything is written; the front end may add notes to it.
    fn confirm(&mut self, s: &Session, plan: &mut Plan) -> Go;
    /// The last checks before the journal and Halo are written.
    fn before_journal(&mut self, _s: &Session) -> Result<(), Self::Error> {
        Ok(())
    }
    /// The setup is journaled and writing starts.
    fn started(&mut self, _s: &Session, _plan: &Plan) {}
    /// A new secret to hand over.
    fn hand_over(&mut self, s: &Session, handover: &Handover) -> Result<Delivery, Self::Error>;
}

/// How a run ended.
pub enum Ran {
    /// The front end stopped at the plan: nothing was written.
    Stopped {
        /// The plan the front end declined.
        plan: Plan,
    },
    /// Applied and verified (as far as it could be).
    Done(Box<Done>),
}

/// A run that wrote.
pub struct Done {
    /// The plan as confirmed.
    pub plan: Plan,
    /// What apply produced and how it was verified.
    pub finished: Finished,
    /// When the secret was issued (before a hand-over makes the journal forget it).
    pub secret_issued: Option<u64>,
    /// A secret not handed over yet ([`Delivery::Later`]).
    pub handover: Option<Handover>,
    /// Where the secret was saved ([`Delivery::Saved`]).
    pub delivered: Option<PathBuf>,
}

/// Why a run stopped before it ended.
#[derive(Debug, thiserror::Error)]
pub enum RunError<E> {
    /// Halo could not be reached or answered with an error.
    #[error(transparent)]
    Halo(#[from] HaloError),
    /// The journal could not be read or saved.
    #[error(transparent)]
    Journal(#[from] JournalError),
    /// Apply stopped; `lookups` are what Halo had (for the manual checklist).
    #[error("{error}")]
    Apply {
        /// Why apply stopped.
        error: ApplyError,
        /// What Halo had when the plan was made.
        lookups: Box<Lookups>,
    },
    /// What the admin made by hand could not be adopted.
    #[error("{error}")]
    Adopt {
        /// Why adoption failed.
        error: ApplyError,
        /// The object that was to be adopted.
        object: Object,
        /// What Halo had when adoption was tried.
        lookups: Box<Lookups>,
    },
    /// A hook stopped the run.
    #[error("the run was stopped before it wrote")]
    Hook(E),
}

/// Runs a setup in the one order (see the module's text).
pub async fn run<H: Hooks>(setup: Setup<'_>, hooks: &mut H) -> Result<Ran, RunError<H::Error>> {
    let Setup {
        client,
        journal,
        session: s,
        adopt,
        given,
        regenerate_secret,
        accept_unverified,
    } = setup;
    hooks.claim(s).map_err(RunError::Hook)?;
    let applier = Applier {
        client,
        journal,
        progress: hooks.progress(),
        regenerate_secret,
    };
    let (me, mut lk) = survey(client, For::Setup(&s.answers)).await?;
    lk.recorded = Recorded::from_journal(journal, client.endpoint(), &s.id);
    hooks.surveyed(s, &me);
    if let Some(a) = adopt {
        adopt_by_hand(&applier, s, &lk, a, hooks)?;
    }
    let mut plan = crate::plan::plan(&s.answers, &lk, &s.objects, &s.marker());
    if hooks.confirm(s, &mut plan) == Go::Stop {
        return Ok(Ran::Stopped { plan });
    }
    hooks.before_journal(s).map_err(RunError::Hook)?;
    // The draft becomes a journaled setup before anything reaches Halo.
    journal.save(s)?;
    hooks.started(s, &plan);
    let finished = match applier.apply_and_verify_with(s, lk.clone(), given).await {
        Ok(f) => f,
        Err(error) => {
            return Err(RunError::Apply {
                error,
                lookups: Box::new(lk),
            });
        }
    };
    let ending = Ending {
        journal,
        ep: client.endpoint(),
        accept_unverified,
    };
    ending
        .hand_over(s, plan, finished, hooks)
        .map(|d| Ran::Done(Box::new(d)))
}

/// Step 3: adopts `a` (made by hand) into `s`.
fn adopt_by_hand<H: Hooks>(
    applier: &Applier<'_>,
    s: &mut Session,
    lk: &Lookups,
    a: Adopt,
    hooks: &mut H,
) -> Result<(), RunError<H::Error>> {
    // Halo kept the secret of an application this setup created: only the secret was copied
    // by hand, the application stays this setup's own (and rollback deletes it).
    let secret_only = a.object == Object::Application && s.objects.application_created;
    match applier.adopt_manual(s, lk, a.object, a.credentials.as_ref()) {
        Ok(_) => {
            hooks.adopted(a.object, secret_only);
            Ok(())
        }
        Err(error) => Err(RunError::Adopt {
            error,
            object: a.object,
            lookups: Box::new(lk.clone()),
        }),
    }
}

/// Step 7's inputs.
struct Ending<'a> {
    journal: &'a Journal,
    ep: &'a Endpoint,
    accept_unverified: bool,
}

impl Ending<'_> {
    /// Settles the setup and hands its new secret over.
    fn hand_over<H: Hooks>(
        &self,
        s: &mut Session,
        plan: Plan,
        finished: Finished,
        hooks: &mut H,
    ) -> Result<Done, RunError<H::Error>> {
        let journal = self.journal;
        let secret_issued = journal.secret_issued_unix(s);
        let handover = super::settle(journal, self.ep, s, &finished, self.accept_unverified)?;
        let mut done = Done {
            plan,
            finished,
            secret_issued,
            handover: None,
            delivered: None,
        };
        let Some(ho) = handover else {
            return Ok(done);
        };
        match hooks.hand_over(s, &ho).map_err(RunError::Hook)? {
            Delivery::Saved(path) => {
                let verified = done
                    .finished
                    .verification
                    .as_ref()
                    .is_some_and(crate::plan::verify::Verification::passed);
                super::handed_over(journal, s, Some(path.clone()), verified)?;
                done.delivered = Some(path);
            }
            Delivery::Later => done.handover = Some(ho),
        }
        Ok(done)
    }
}
