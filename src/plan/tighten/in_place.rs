//! Tightening in place: scopes, then the role, each step checked with the integration's own
//! credentials and everything put back when a need that passed fails.

use super::plan::*;
use crate::answers::{Answers, RoleAnswers, RoleMode};
use crate::halo::{Client, ClientOptions, HaloError};
use crate::journal::rotation::Undo;
use crate::journal::{Event, Journal, Session, Subject};
use crate::plan::apply::Progress;
use crate::plan::apply::ProgressFn;
use crate::plan::rotate::RotateError;
use crate::plan::verify::{self, Target, Verification};
use secrecy::SecretString;
use serde_json::{Map, Value, json};

/// The in-place route and its checks.
pub(crate) struct InPlace<'a> {
    pub client: &'a Client,
    pub journal: &'a Journal,
    pub progress: Option<ProgressFn>,
}

/// How an in-place tightening ended.
#[derive(Debug, Clone)]
pub(crate) struct InPlaceDone {
    /// The steps applied (in order) and kept.
    pub applied: Vec<String>,
    /// The last check.
    pub verification: Verification,
}

/// The checks with the integration's own credentials that passed `before` and fail `after`.
fn regressions(before: &Verification, after: &Verification) -> Vec<String> {
    after
        .failures()
        .filter(|f| before.checks.iter().any(|b| b.name == f.name && b.pass))
        .map(|f| format!("{}: {}", f.name, f.detail))
        .collect()
}

impl InPlace<'_> {
    fn say(&self, s: impl Into<String>) {
        if let Some(f) = &self.progress {
            f(Progress::Step(s.into()));
        }
    }

    /// Verifies the integration as the profile needs it, with its own credentials.
    async fn check(
        &self,
        s: &Session,
        target: &Answers,
        client_id: &str,
        secret: &SecretString,
    ) -> Verification {
        let scopes = crate::halo::scopes::normalise(&target.scopes);
        let ep = self.client.endpoint().clone();
        let t = Target {
            endpoint: &ep,
            client_id,
            client_secret: secret,
            scopes: &scopes,
            agent_id: s.objects.agent_id.unwrap_or_default(),
            role: &target.role,
            application_name: &s.answers.application.name,
        };
        let opts = ClientOptions {
            events: self.client.events(),
            ca: self.client.ca(),
            ..ClientOptions::default()
        };
        verify::verify_with_role(&t, Some(&target.role.permissions), opts, Some(self.client)).await
    }

    async fn write(&self, s: &mut Session, step: &Step) -> Result<(), RotateError> {
        let (subject, patch, undo) = match step {
            Step::Scopes {
                application_id,
                from,
                to,
                ..
            } => {
                let mut p = Map::new();
                p.insert("id".into(), json!(application_id));
                p.insert(
                    "scopes".into(),
                    Value::Array(to.iter().map(|n| json!({"name": n})).collect()),
                );
                (
                    Subject::Application,
                    p,
                    Undo::Scopes {
                        application_id: application_id.clone(),
                        scopes: from.clone(),
                    },
                )
            }
            Step::Role {
                role_id, from, to, ..
            } => {
                let mut p = Map::new();
                p.insert("id".into(), json!(role_id));
                p.insert(
                    "claims".into(),
                    serde_json::to_value(to).unwrap_or_default(),
                );
                (
                    Subject::Role,
                    p,
                    Undo::Role {
                        role_id: role_id.clone(),
                        claims: from.clone(),
                    },
                )
            }
        };
        // What it replaces is journaled before Halo sees the change.
        s.undo.push(undo);
        self.journal.record(
            s,
            Event::About {
                subject,
                action: "tighten".into(),
            },
        )?;
        let id = patch
            .get("id")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string();
        match subject {
            Subject::Role => self.client.update_role_fields(&patch).await?,
            _ => self.client.update_application_fields(&patch, None).await?,
        };
        self.journal.record(
            s,
            Event::Done {
                subject,
                action: "tighten".into(),
                id,
            },
        )?;
        Ok(())
    }

    /// Puts back every change the journal holds, newest first.
    pub(crate) async fn undo_all(&self, s: &mut Session) -> Result<Vec<String>, RotateError> {
        let mut done = Vec::new();
        while let Some(u) = s.undo.last().cloned() {
            let (subject, patch, words) = match &u {
                Undo::Scopes {
                    application_id,
                    scopes,
                } => {
                    let mut p = Map::new();
                    p.insert("id".into(), json!(application_id));
                    p.insert(
                        "scopes".into(),
                        Value::Array(scopes.iter().map(|n| json!({"name": n})).collect()),
                    );
                    (
                        Subject::Application,
                        p,
                        format!(
                            "application {application_id}: scopes put back ({})",
                            scopes.join(" ")
                        ),
                    )
                }
                Undo::Role { role_id, claims } => {
                    let mut p = Map::new();
                    p.insert("id".into(), json!(role_id));
                    p.insert(
                        "claims".into(),
                        serde_json::to_value(claims).unwrap_or_default(),
                    );
                    (
                        Subject::Role,
                        p,
                        format!("role {role_id}: permissions put back"),
                    )
                }
            };
            self.journal.record(
                s,
                Event::About {
                    subject,
                    action: "undo".into(),
                },
            )?;
            match subject {
                Subject::Role => self.client.update_role_fields(&patch).await?,
                _ => self.client.update_application_fields(&patch, None).await?,
            };
            s.undo.pop();
            self.journal.record(
                s,
                Event::Done {
                    subject,
                    action: "undo".into(),
                    id: patch
                        .get("id")
                        .and_then(Value::as_str)
                        .unwrap_or_default()
                        .to_string(),
                },
            )?;
            self.say(words.clone());
            done.push(words);
        }
        Ok(done)
    }

    /// Applies the steps one at a time, each checked with the integration's credentials; a
    /// check that passed before and fails after puts every change of this tightening back.
    pub(crate) async fn run(
        &self,
        s: &mut Session,
        plan: &Plan,
        target: &Answers,
        secret: &SecretString,
    ) -> Result<InPlaceDone, TightenError> {
        let client_id = s.objects.client_id.clone().unwrap_or_default();
        if !s.undo.is_empty() {
            self.recheck_interrupted(s, target, &client_id, secret)
                .await?;
        }
        let before = self.baseline(s, target, &client_id, secret).await?;
        let mut applied = Vec::new();
        let mut last = before.clone();
        for step in &plan.steps {
            last = self
                .step_checked(s, step, &before, target, &client_id, secret)
                .await?;
            applied.push(step.words());
        }
        self.keep(s, plan, target, &applied)?;
        Ok(InPlaceDone {
            applied,
            verification: last,
        })
    }

    /// An earlier run stopped between a change and its check: checks now, and puts its
    /// changes back if the integration no longer works.
    async fn recheck_interrupted(
        &self,
        s: &mut Session,
        target: &Answers,
        client_id: &str,
        secret: &SecretString,
    ) -> Result<(), TightenError> {
        let v = self.check(s, target, client_id, secret).await;
        if crate::plan::rotate::works(&v) {
            return Ok(());
        }
        self.say("An earlier tightening was interrupted before its check, and the check fails now: putting its changes back");
        let undone = self.undo_all(s).await?;
        Err(TightenError::NeedsNotMet {
            failed: v
                .failures()
                .map(|f| format!("{}: {}", f.name, f.detail))
                .collect(),
            undone,
            verification: v,
        })
    }

    /// The check before any change, which every step is measured against; refused when the
    /// integration's own credentials get no token (no step could be checked).
    async fn baseline(
        &self,
        s: &Session,
        target: &Answers,
        client_id: &str,
        secret: &SecretString,
    ) -> Result<Verification, TightenError> {
        self.say("Checking the integration with its own credentials before any change");
        let before = self.check(s, target, client_id, secret).await;
        if before.invalid_client
            || before
                .checks
                .first()
                .is_some_and(|c| c.name == "token" && !c.pass)
        {
            return Err(TightenError::Rotate(RotateError::NotReady(
                format!(
                    "the application's own credentials do not get a token ({}), so no step could be checked",
                    before.checks.first().map(|c| c.detail.clone()).unwrap_or_default()
                ),
                "Give the secret the vendor uses in HALO_APP_CLIENT_SECRET (or --app-secret-file FILE), or take the route that needs none: --new-agent.".into(),
            )));
        }
        Ok(before)
    }

    /// Writes one step and checks it; a need that was met `before` and is not now puts every
    /// change back.
    async fn step_checked(
        &self,
        s: &mut Session,
        step: &Step,
        before: &Verification,
        target: &Answers,
        client_id: &str,
        secret: &SecretString,
    ) -> Result<Verification, TightenError> {
        self.say(format!("Tightening {}", step.words()));
        self.write(s, step).await?;
        let after = self.check(s, target, client_id, secret).await;
        let lost = regressions(before, &after);
        if !lost.is_empty() {
            self.say("A need of the vendor stopped being met: putting the changes back");
            let undone = self.undo_all(s).await?;
            return Err(TightenError::NeedsNotMet {
                failed: lost,
                undone,
                verification: after,
            });
        }
        self.say("  checked: every need that was met still is");
        Ok(after)
    }

    /// Kept: the setup now says what the integration is (the profile's scopes and
    /// permissions, the role it was tightened in), and the journal notes what was done.
    fn keep(
        &self,
        s: &mut Session,
        plan: &Plan,
        target: &Answers,
        applied: &[String],
    ) -> Result<(), TightenError> {
        s.undo.clear();
        let i_role = plan.steps.iter().find_map(|st| match st {
            Step::Role { role_id, name, .. } => Some((role_id.clone(), name.clone())),
            Step::Scopes { .. } => None,
        });
        s.answers.scopes = target.scopes.clone();
        let keep_mode = s.answers.role.mode.clone();
        let (mode, name) = match i_role {
            Some((id, name)) => (RoleMode::Reuse(id), name),
            None => (keep_mode, s.answers.role.name.clone()),
        };
        s.answers.role = RoleAnswers {
            mode,
            name,
            notes: s.answers.role.notes.clone(),
            permissions: target.role.permissions.clone(),
            other_permissions: target.role.other_permissions.clone(),
        };
        s.answers.agent.api_only = target.agent.api_only;
        self.journal.record(
            s,
            Event::Note {
                text: format!("tightened in place: {}", applied.join("; ")),
            },
        )?;
        Ok(())
    }
}

#[derive(Debug, thiserror::Error)]
pub(crate) enum TightenError {
    #[error("{0}")]
    Rotate(#[from] RotateError),
    /// A check that passed before a step failed after it: every change was put back.
    #[error("a need of the vendor stopped being met ({}); every change was put back", .failed.join("; "))]
    NeedsNotMet {
        failed: Vec<String>,
        undone: Vec<String>,
        verification: Verification,
    },
}

impl From<HaloError> for TightenError {
    fn from(e: HaloError) -> Self {
        Self::Rotate(e.into())
    }
}

impl From<crate::journal::JournalError> for TightenError {
    fn from(e: crate::journal::JournalError) -> Self {
        Self::Rotate(e.into())
    }
}
