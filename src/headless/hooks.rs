//! The headless side of a setup run ([`session::run`]): progress as printed lines, the plan
//! confirmed by `--yes` or the terminal's prompt, locks for the run's length, and the secret
//! saved to the hand-over file.

use std::path::PathBuf;

use super::common::*;
use super::outcome::{Log, Outcome, plan_text};
use super::run_args::{RunArgs, check_out};
use crate::answers::Answers;
use crate::halo::Client;
use crate::halo::model::Agent;
use crate::journal::{Journal, Session, lock::Held};
use crate::plan::Plan;
use crate::plan::apply::Progress;
use crate::plan::apply::ProgressFn;
use crate::plan::build::{Kind, Object};
use crate::plan::handover::Handover;
use crate::plan::session::{self, Delivery, Go, Hooks};

/// Asked with the plan when `--yes` was not given (a terminal's "Apply? [y/N]"): true applies.
pub(crate) type Confirm = dyn Fn(&Outcome) -> bool + Send + Sync;

/// How a headless run goes: where it writes, what it says and asks.
pub(crate) struct Execution<'a> {
    pub client: &'a Client,
    pub journal: &'a Journal,
    pub run: &'a RunArgs,
    /// Progress lines (none with `--json` or `--quiet`).
    pub log: Option<Log>,
    /// Asked with the plan when `--yes` was not given.
    pub confirm: Option<&'a Confirm>,
    /// What the admin made by hand (`resume --manual STEP`), adopted before planning.
    pub adopt: Option<session::Adopt>,
    /// The command the setup's locks are taken for, when this run takes them (a run that may
    /// write; `resume` holds them already).
    pub lock_as: Option<&'static str>,
}

/// Progress as printed lines: steps as they happen, read-back differences as the fix to make.
pub(crate) fn printer(log: Log, a: &Answers) -> ProgressFn {
    let names = [
        a.role.name.trim().to_string(),
        a.agent.name.trim().to_string(),
        a.application.name.trim().to_string(),
    ];
    std::sync::Arc::new(move |p| match p {
        Progress::Step(m) => log(&format!("  {m}")),
        Progress::Difference(d) => {
            let o = d.object;
            let name = &names[match o {
                Object::Role => 0,
                Object::Agent => 1,
                Object::Application => 2,
            }];
            log(&format!("  read-back {}: {}", o.label(), d.fix_line(name)));
        }
    })
}

pub(super) struct Headless<'a> {
    journal: &'a Journal,
    run: &'a RunArgs,
    log: Option<Log>,
    progress: Option<ProgressFn>,
    confirm: Option<&'a Confirm>,
    lock_as: Option<&'static str>,
    /// Held until the run ends.
    locks: Option<Held>,
    base_url: String,
    /// The plan was printed with the "Apply?" prompt.
    pub(super) plan_shown: bool,
    /// The prompt said yes: the run goes on as with `--yes`.
    confirmed: bool,
}

impl<'a> Headless<'a> {
    pub(super) fn new(e: &Execution<'a>, answers: &Answers) -> Self {
        Self {
            journal: e.journal,
            run: e.run,
            log: e.log.clone(),
            // Progress is reported as it happens, so a slow Halo shows where it is.
            progress: e.log.clone().map(|l| printer(l, answers)),
            confirm: e.confirm,
            lock_as: e.lock_as,
            locks: None,
            base_url: e.client.endpoint().base_url().to_string(),
            plan_shown: false,
            confirmed: false,
        }
    }

    fn say(&self, m: &str) {
        if let Some(l) = &self.log {
            l(m);
        }
    }

    /// Continuing an integration whose secret the vendor has: the plan says what becomes of it.
    fn note_kept_secret(&self, s: &Session, plan: &mut Plan) {
        let kept_app = plan
            .action(Object::Application)
            .is_some_and(|a| matches!(a.kind, Kind::Keep | Kind::Update));
        if kept_app && s.handed_over {
            plan.notes.push(if self.run.new_secret {
                "Application: a new secret is generated and handed over (--new-secret); the vendor's copy stops working".into()
            } else {
                "Application: its Client ID and secret stay as handed over (a new secret only with --new-secret)".into()
            });
        }
    }
}

impl Hooks for Headless<'_> {
    type Error = Failure;

    fn progress(&self) -> Option<ProgressFn> {
        self.progress.clone()
    }

    /// A run that may write holds the setup's and the integration's locks until it ends: a
    /// second apply of this profile on this Halo (or a resume of one of its setups) is refused.
    fn claim(&mut self, s: &Session) -> Result<(), Failure> {
        if let Some(command) = self.lock_as {
            let held = self
                .journal
                .lock(s, command)
                .map_err(|e| Failure::new(e.to_string(), e.hint()))?;
            self.locks = Some(held);
        }
        Ok(())
    }

    fn surveyed(&mut self, _s: &Session, me: &Agent) {
        self.say(&format!("Connected to {} as {}", self.base_url, me.name));
    }

    fn adopted(&mut self, object: Object, secret_only: bool) {
        if self.run.json || super::output::quiet() {
            return;
        }
        if secret_only {
            errln!(
                "Client secret copied from Halo: taken for the application this setup created (it stays this setup's own: rollback deletes it); continuing"
            );
        } else {
            errln!(
                "{} made by hand: adopted (rollback will leave it in place); continuing",
                object.label()
            );
        }
    }

    /// `--dry-run` stops; `--yes` goes on unless the plan cannot run (a blocked plan writes
    /// nothing and leaves no setup behind to resume); otherwise the terminal is asked, if any.
    fn confirm(&mut self, s: &Session, plan: &mut Plan) -> Go {
        self.note_kept_secret(s, plan);
        if self.run.dry_run || plan.is_blocked() {
            return Go::Stop;
        }
        if self.run.yes {
            return Go::Apply;
        }
        let Some(ask) = self.confirm else {
            return Go::Stop;
        };
        let mut planned = Outcome::planned(s, plan.clone());
        planned.plan_shown = true;
        self.plan_shown = true;
        if ask(&planned) {
            self.confirmed = true;
            Go::Apply
        } else {
            Go::Stop
        }
    }

    /// Nothing is written to Halo before it is sure the hand-over file can be written too.
    fn before_journal(&mut self, _s: &Session) -> Result<(), Failure> {
        let run = RunArgs {
            yes: self.run.yes || self.confirmed,
            ..self.run.clone()
        };
        check_out(&run, self.journal)
    }

    fn started(&mut self, s: &Session, plan: &Plan) {
        super::deadline::working_on(&s.id);
        self.say(&format!("Setup {}: applying\n{}", s.id, plan_text(plan)));
    }

    /// The file is the one place meant for the secret. The default file is this setup's own
    /// (in the state dir): a new secret replaces a stale one there. A file the user named is
    /// replaced only with --force.
    fn hand_over(&mut self, s: &Session, ho: &Handover) -> Result<Delivery, Failure> {
        let path: PathBuf = match &self.run.out {
            Some(p) => p.clone(),
            None => self.journal.default_handover(&s.id),
        };
        ho.save(&path, self.run.force || self.run.out.is_none())
            .map_err(|e| {
                Failure::new(
                    e.to_string(),
                    format!(
                        "{} The secret is still kept for setup {}; run `halo-onboard resume {} --yes --out <path>` to hand it over.",
                        e.hint(),
                        s.id,
                        s.id
                    ),
                )
            })?;
        Ok(Delivery::Saved(path))
    }
}
