//! Apply a plan in dependency order (role → agent → application), journaling every write before
//! and after, reading each object back and comparing it with what was asked.
//!
//! Idempotency: a write that was started but not confirmed (kill mid-request) is resolved by
//! looking the object up in Halo by the ownership chain of [`crate::plan::ownership`] (the role
//! by this setup's marker, the agent by username and role, the application by marker or login
//! agent and name); the application's secret is written to
//! the journal's secret file *before* the create, so whether or not Halo saw the create, resume
//! knows the secret that goes with it. If the secret is lost, a new one is generated for the
//! existing application instead of creating a second one.

mod adopt;
mod in_doubt;
mod objects;
mod readback;

use readback::{ReadBack, ReadBacks};

use secrecy::{ExposeSecret, SecretString};

use crate::answers::RoleMode;
use crate::halo::model::*;
use crate::halo::{Client, ClientOptions, HaloError};
use crate::journal::{Event, Journal, JournalError, Session, Status, Subject};
use crate::plan::build::{self, Kind, Lookups, Object, Plan};
use crate::plan::diff::Difference;
use crate::plan::handover::known_app_secret;
use crate::plan::manual::{self, ManualCredentials};
use crate::plan::ownership;
use crate::plan::repair;
use crate::plan::survey::For;
use crate::plan::verify::{self, Target, Verification};

/// Progress lines for the wizard's log pane and headless output.
#[derive(Debug, Clone, PartialEq)]
pub enum Progress {
    /// A step started or finished, in words.
    Step(String),
    /// A read-back difference (boxed: the message stays small).
    Difference(Box<Difference>),
}

/// Where progress goes: the wizard's message channel, a printer, or nowhere.
pub type ProgressFn = std::sync::Arc<dyn Fn(Progress) + Send + Sync>;

/// Why an apply (or an adoption, or a verification again) stopped; [`ApplyError::hint`] says what
/// to do next.
#[derive(Debug, thiserror::Error)]
pub enum ApplyError {
    /// Halo could not be reached or answered with an error.
    #[error("{0}")]
    Halo(#[from] HaloError),
    /// The journal could not be read or saved; nothing more was sent to Halo.
    #[error("{0}")]
    Journal(#[from] JournalError),
    /// The plan has blockers (each in words) and nothing was written.
    #[error("the plan cannot be applied: {}", .0.join("; "))]
    Blocked(Vec<String>),
    /// Halo accepted a create (the object named) but its answer carries no id.
    #[error("Halo accepted the {0} but returned no id")]
    NoId(&'static str),
    /// Halo refused a write (not a transport failure): the step can be done by hand in Halo's
    /// web UI ([`crate::plan::manual::checklist`]) and adopted with [`Applier::adopt_manual`].
    #[error("Halo refused to save the {}: {error}", .object.label().to_lowercase())]
    Refused {
        /// The object whose save was refused.
        object: Object,
        /// Halo's answer.
        error: HaloError,
    },
    /// Adoption after a manual step found nothing (yet) or the credentials do not match.
    #[error("{0}")]
    NotAdopted(#[from] crate::plan::manual::NotAdopted),
    /// Halo refused the application's secret on the first token: it neither kept the secret
    /// halo-onboard sent nor returned one of its own. The admin generates and copies it in
    /// Halo's web UI ([`crate::plan::manual::secret_checklist`]); it is then proved with a token.
    #[error(
        "Halo did not accept the client secret of application '{name}' (it keeps a secret of its own and does not show it through the API)"
    )]
    SecretNeeded {
        /// The application's name in Halo.
        name: String,
    },
    /// Halo's answer to a create is not the object that was sent (another name, no marker,
    /// an id of another shape): it is not taken for this setup's, and the setup stops.
    #[error(
        "Halo answered the {} create with another object than the one sent ({why}); the setup stopped and nothing was recorded as its own",
        .object.label().to_lowercase()
    )]
    NotWhatWasSent {
        /// The object whose create got the unexpected answer.
        object: Object,
        /// What differs, in words.
        why: String,
    },
    /// Verifying again needs the application's secret, and neither the hand-over screen nor an
    /// earlier hand-over of this application has it.
    #[error(
        "the application's secret is not at hand any more (handed over, not saved here); verify with it: HALO_APP_CLIENT_SECRET=… halo-onboard check {setup}"
    )]
    SecretNotAtHand {
        /// The setup's id, for the command in the message.
        setup: String,
    },
}

impl ApplyError {
    /// What the user should do about this error, in one or two sentences for the terminal.
    pub fn hint(&self) -> String {
        match self {
            Self::Halo(e) => format!(
                "{} Run `halo-onboard resume <id>` to continue; nothing will be created twice.",
                e.hint()
            ),
            Self::Journal(e) => e.hint(),
            Self::Blocked(_) => "Change the answers named above and plan again.".into(),
            Self::NoId(_) => "Check in Halo whether the object exists, then resume.".into(),
            Self::Refused { object, error } => format!(
                "{} Or do this step by hand in Halo's web UI (the checklist names every field) and continue with `halo-onboard resume <id> --yes --manual {}`.",
                error.hint(),
                crate::plan::manual::object_word(*object)
            ),
            Self::NotAdopted(_) => {
                "Create it in Halo's web UI exactly as the checklist says, then try again.".into()
            }
            Self::SecretNeeded { .. } => "Generate and copy the secret in Halo's web UI (the checklist says where), then continue with `halo-onboard resume <id> --yes --manual application --manual-client-id CLIENT_ID`.".into(),
            Self::SecretNotAtHand { setup } => format!(
                "Give check the secret the vendor has: HALO_APP_CLIENT_SECRET=… halo-onboard check {setup}"
            ),
            Self::NotWhatWasSent { .. } => "Something answered for Halo with another object (a proxy, or a Halo build that answers differently); the object named in the answer was not touched. Check it in Halo; the object really created (if any) carries this setup's marker, and `halo-onboard resume <id> --yes` finds it by that marker and continues, creating nothing twice.".into(),
        }
    }
}

/// What apply produced.
#[derive(Debug, Default)]
pub struct Applied {
    /// Halo's id of the Role.
    pub role_id: String,
    /// Halo's id of the Agent.
    pub agent_id: i64,
    /// Halo's id of the API Application.
    pub application_id: String,
    /// The application's Client ID as sent or found.
    pub client_id: String,
    /// The application's secret (from this run or kept in the journal since the create).
    /// `None` when an adopted application keeps the secret its vendor already has.
    pub client_secret: Option<SecretString>,
    /// Read-back differences, per object (after [`Applied::finish_read_backs`]).
    pub differences: Vec<Difference>,
    /// The client id Halo holds after the save, when it differs from the one used.
    pub read_back_client_id: Option<String>,
    /// Halo writes this run made.
    pub writes: usize,
    /// What Halo reports about the secret's expiry, if anything (`expiry::Reported::short`):
    /// a weakly evidenced field, shown only as "Halo reports …".
    pub reported_expiry: Option<String>,
    read_backs: Option<ReadBacks>,
}

impl Applied {
    /// Waits for the read-backs and records the field-by-field differences.
    pub async fn finish_read_backs(&mut self) {
        let Some(rb) = self.read_backs.take() else {
            return;
        };
        for task in rb.tasks {
            match task.await {
                Ok(ReadBack::Diffs(d)) => self.differences.extend(d),
                Ok(ReadBack::ClientId(cid, d)) => {
                    if !cid.is_empty() && cid != self.client_id {
                        self.read_back_client_id = Some(cid);
                    }
                    self.differences.extend(d);
                }
                Err(e) => self
                    .differences
                    .push(Difference::unfinished(Object::Application, &e.to_string())),
            }
        }
    }
}

/// An apply and its verification.
#[derive(Debug)]
pub struct Finished {
    /// What apply did.
    pub applied: Applied,
    /// `None`: not verified (an existing application whose secret is not at hand).
    pub verification: Option<Verification>,
    /// Which credentials the verification used; `None` when there was none.
    pub verified_with: Option<VerifiedWith>,
}

/// The credentials a verification ran with.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case", tag = "kind")]
pub enum VerifiedWith {
    /// The secret this setup generated (to be handed over).
    NewSecret,
    /// The secret the vendor already has, from `source` (e.g. "the hand-over file F of setup
    /// X", "HALO_APP_CLIENT_SECRET"); `file` when it is a hand-over file.
    Existing {
        /// Where the secret came from, in words.
        source: String,
        /// The hand-over file it was read from; `None` for other sources.
        file: Option<std::path::PathBuf>,
    },
}

impl VerifiedWith {
    /// How the credentials are named in messages ("the new credentials", "the existing credentials
    /// from …").
    pub fn describe(&self) -> String {
        match self {
            Self::NewSecret => "the new credentials".into(),
            Self::Existing { source, .. } => format!("the existing credentials from {source}"),
        }
    }
}

/// An application secret the caller has at hand (`--app-secret-file`, `HALO_APP_CLIENT_SECRET`)
/// to verify an existing integration with. Debug never shows it.
#[derive(Clone)]
pub struct GivenSecret {
    /// The secret itself; exposed only to build the token request.
    pub secret: SecretString,
    /// Where it came from, for messages ("HALO_APP_CLIENT_SECRET", "--app-secret-file F").
    pub source: String,
}

impl std::fmt::Debug for GivenSecret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("GivenSecret")
            .field("source", &self.source)
            .finish_non_exhaustive()
    }
}

/// Applies a plan to Halo, journaling every write so a resume never creates anything twice.
pub struct Applier<'a> {
    /// The Halo client, signed in with the bootstrap credentials.
    pub client: &'a Client,
    /// Where each write is journaled before and after it is sent.
    pub journal: &'a Journal,
    /// Where progress lines go; `None` for none.
    pub progress: Option<ProgressFn>,
    /// Rotate the secret of an application adopted from an earlier setup.
    pub regenerate_secret: bool,
}

fn new_secret() -> SecretString {
    SecretString::from(format!("{}-{}", uuid::Uuid::new_v4(), uuid::Uuid::new_v4()))
}

impl Applier<'_> {
    fn say(&self, s: impl Into<String>) {
        self.report(Progress::Step(s.into()));
    }

    fn report(&self, p: Progress) {
        if let Some(f) = &self.progress {
            f(p);
        }
    }

    /// The look-ups for this setup ([`crate::plan::session::lookups`]), with what earlier
    /// setups of this journal recorded creating on this Halo.
    pub async fn lookups(&self, s: &Session) -> Result<Lookups, HaloError> {
        let mut lk = crate::plan::survey::lookups(self.client, For::Setup(&s.answers)).await?;
        lk.recorded = build::Recorded::from_journal(self.journal, self.client.endpoint(), &s.id);
        Ok(lk)
    }

    /// Plans against the current Halo state and applies. Safe to call again after any failure.
    pub async fn apply(&self, s: &mut Session) -> Result<Applied, ApplyError> {
        self.say("Reading roles, teams, departments, work hours, agents and applications");
        let lk = self.lookups(s).await?;
        let mut applied = self.apply_with(s, lk).await?;
        applied.finish_read_backs().await;
        for d in &applied.differences {
            self.report(Progress::Difference(Box::new(d.clone())));
        }
        Ok(applied)
    }

    /// Applies, then verifies with the new credentials while the read-backs finish (no extra
    /// round trip), re-verifying if Halo changed the client id on save. `verification` is
    /// `None` when an adopted application keeps the secret its vendor already has. The one
    /// place the wizard and the headless commands share this sequence.
    pub async fn apply_and_verify(
        &self,
        s: &mut Session,
        lk: Lookups,
    ) -> Result<Finished, ApplyError> {
        self.apply_and_verify_with(s, lk, None).await
    }

    /// [`Applier::apply_and_verify`]; when the application keeps the secret its vendor has,
    /// verifies with that secret if it is at hand: `given`, else what an earlier setup of this
    /// application left (its pending secret or hand-over file). Without one, `verification`
    /// is `None` and the caller says plainly that the credentials were not verified.
    pub async fn apply_and_verify_with(
        &self,
        s: &mut Session,
        lk: Lookups,
        given: Option<GivenSecret>,
    ) -> Result<Finished, ApplyError> {
        let mut applied = self.apply_with(s, lk).await?;
        let (secret, with) = match applied.client_secret.clone() {
            Some(secret) => (secret, VerifiedWith::NewSecret),
            None => {
                let known = given.map(|g| (g.secret, g.source, None)).or_else(|| {
                    known_app_secret(self.journal, &applied.application_id, &applied.client_id).map(
                        |k| {
                            let d = k.describe();
                            (k.secret, d, k.file)
                        },
                    )
                });
                let Some((secret, source, file)) = known else {
                    applied.finish_read_backs().await;
                    return Ok(Finished {
                        applied,
                        verification: None,
                        verified_with: None,
                    });
                };
                (secret, VerifiedWith::Existing { source, file })
            }
        };
        self.say(format!("Verifying with {}", with.describe()));
        let (used, agent_id) = (applied.client_id.clone(), applied.agent_id);
        let ((), mut verification) = tokio::join!(
            applied.finish_read_backs(),
            verify_setup(self.client, &s.answers, &used, agent_id, &secret)
        );
        if let Some(cid) = applied.read_back_client_id.clone() {
            // Halo changed the client id on save: the saved one is what the vendor needs.
            self.say(format!(
                "Halo reports client id {cid} after the save; verifying with it"
            ));
            verification =
                verify_setup(self.client, &s.answers, &cid, applied.agent_id, &secret).await;
            // The journal names the Client ID the hand-over file carries (what proves the file
            // is this setup's before `handover clean` deletes it).
            s.objects.client_id = Some(cid.clone());
            applied.client_id = cid;
        }
        if verification.invalid_client && with == VerifiedWith::NewSecret {
            // Halo kept a secret of its own (and did not show it): the one journaled is not
            // the application's. Forget it; the admin copies the real one from Halo.
            self.journal.wipe_secret(s)?;
            self.journal.record(
                s,
                Event::Note {
                    text: "Halo refused the application's secret on the first token: it keeps its own; waiting for the one copied from Halo".into(),
                },
            )?;
            self.say("Halo did not accept the client secret: it keeps a secret of its own. Generate and copy it in Halo's web UI, then continue.");
            return Err(ApplyError::SecretNeeded {
                name: s.answers.application.name.trim().to_string(),
            });
        }
        if let VerifiedWith::Existing { file: Some(f), .. } = &with {
            // `check SETUP` finds the credentials where this verification found them.
            s.credentials_file = Some(f.clone());
        }
        if verification.passed() && s.manual_left().is_empty() {
            s.status = Status::Verified;
        }
        self.journal.save(s)?;
        Ok(Finished {
            applied,
            verification: Some(verification),
            verified_with: Some(with),
        })
    }

    /// Applies against lookups the caller already fetched (saves a round trip). The read-backs
    /// of the written objects are still running when this returns: they overlap the
    /// verification; [`Applied::finish_read_backs`] collects them.
    pub async fn apply_with(&self, s: &mut Session, lk: Lookups) -> Result<Applied, ApplyError> {
        self.settle_in_doubt(s, &lk)?;
        let marker = s.marker();
        let plan = build::plan(&s.answers, &lk, &s.objects, &marker);
        // Objects made by hand are kept (see `build::plan`): what differs is reported instead.
        let manual_differences: Vec<Difference> = plan
            .actions
            .iter()
            .filter(|a| a.kind == Kind::Keep && is_manual(s, a.object))
            .flat_map(|a| a.changes.iter().cloned())
            .collect();
        s.plan = serde_json::to_value(&plan).ok();
        // The steps this setup needs done by hand: until confirmed, it is not verified (a
        // step confirmed for this application in an earlier setup is done).
        s.manual_steps = plan.manual.clone();
        if s.objects.application_id.is_none()
            && let Some(id) = plan.action(Object::Application).and_then(|a| a.id.clone())
        {
            // An adopted application: its earlier setups are found by its id.
            let mut probe = s.clone();
            probe.objects.application_id = Some(id);
            self.journal.inherit(&mut probe);
            s.manual_confirmed = probe.manual_confirmed;
        } else {
            self.journal.inherit(s);
        }
        if plan.is_blocked() {
            self.journal.save(s)?;
            return Err(ApplyError::Blocked(plan.problems.clone()));
        }
        s.status = Status::Applying;
        self.journal.save(s)?;
        let mut rb = ReadBacks { tasks: Vec::new() };
        let mut writes = 0;

        let role_id = self
            .apply_role(s, &plan, &marker, &mut rb, &mut writes)
            .await?;
        let agent_id = self
            .apply_agent(s, &plan, &lk, &role_id, &mut rb, &mut writes)
            .await?;
        let (application_id, client_id, secret, reported_expiry) = self
            .apply_application(s, &plan, &lk, agent_id, &mut rb, &mut writes)
            .await?;

        s.status = Status::Applied;
        self.journal.save(s)?;
        Ok(Applied {
            role_id,
            agent_id,
            application_id,
            client_id,
            client_secret: secret,
            differences: manual_differences,
            read_back_client_id: None,
            writes,
            reported_expiry,
            read_backs: Some(rb),
        })
    }

    /// Brackets one Halo write with journal entries.
    async fn write<T, F, Fut>(
        &self,
        s: &mut Session,
        subject: Subject,
        action: &str,
        f: F,
    ) -> Result<T, ApplyError>
    where
        F: FnOnce() -> Fut,
        Fut: std::future::Future<Output = Result<T, HaloError>>,
    {
        self.journal.record(
            s,
            Event::About {
                subject,
                action: action.into(),
            },
        )?;
        match f().await {
            Ok(v) => Ok(v),
            Err(e) => {
                // A transport failure leaves the write in doubt: keep the "about" open so
                // resume looks the object up. A refusal from Halo is final for this attempt.
                if !e.is_transient() {
                    self.journal.record(
                        s,
                        Event::Failed {
                            subject,
                            action: action.into(),
                            error: e.to_string(),
                        },
                    )?;
                }
                match object_of(subject) {
                    Some(object) if is_refusal(&e) => Err(ApplyError::Refused { object, error: e }),
                    _ => Err(e.into()),
                }
            }
        }
    }
}

/// Halo said no to the write itself (validation, permission, endpoint missing or not allowed):
/// retrying will not help, doing it by hand may.
fn is_refusal(e: &HaloError) -> bool {
    matches!(
        e,
        HaloError::BadRequest(..)
            | HaloError::Forbidden(..)
            | HaloError::NotFound(_)
            | HaloError::Http(405, ..)
    )
}

fn object_of(subject: Subject) -> Option<Object> {
    match subject {
        Subject::Role => Some(Object::Role),
        Subject::Agent => Some(Object::Agent),
        // A refused secret regeneration is fixed by hand on the application too.
        Subject::Application | Subject::Secret => Some(Object::Application),
        _ => None,
    }
}

/// Verifies a setup's credentials (token, `Agent/me` is `agent_id`, one probe per granted area),
/// with the bootstrap `client` to tell which layer blocks a failure. Used after apply and for
/// the wizard's "verify again" once the admin fixed Halo.
pub async fn verify_setup(
    client: &Client,
    answers: &crate::answers::Answers,
    client_id: &str,
    agent_id: i64,
    secret: &SecretString,
) -> Verification {
    let scopes = crate::halo::scopes::normalise(&answers.scopes);
    // The role the agent has decides which umbrella-scope areas are probed; a reused role is
    // not known here, so every area is.
    let role = match answers.role.mode {
        RoleMode::Create => Some(answers.role.permissions.clone()),
        RoleMode::Reuse(_) => None,
    };
    let ep = client.endpoint().clone();
    let target = Target {
        endpoint: &ep,
        client_id,
        client_secret: secret,
        scopes: &scopes,
        agent_id,
        role: &answers.role,
        application_name: &answers.application.name,
    };
    // The new credentials' requests are reported where the bootstrap client's are (the
    // wizard's log), so the log shows every request of the setup.
    let opts = ClientOptions {
        events: client.events(),
        // The same certificate authority: the new credentials go to the same Halo.
        ca: client.ca(),
        ..ClientOptions::default()
    };
    verify::verify_with_role(&target, role.as_ref(), opts, Some(client)).await
}

/// The application's secret already went to the vendor: an application this setup adopted (an
/// earlier setup handed its secret over), or one whose hand-over this setup already made.
fn handed_out(s: &Session) -> bool {
    !s.objects.application_created || s.handed_over
}

/// "Application 'TopLeft': updated (scopes: missing [all:teams])".
fn updated(a: &build::Action) -> String {
    if a.changes.is_empty() {
        format!("{} '{}': updated", a.object.label(), a.name)
    } else {
        format!(
            "{} '{}': updated ({})",
            a.object.label(),
            a.name,
            a.changes
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join("; ")
        )
    }
}

fn is_manual(s: &Session, o: Object) -> bool {
    match o {
        Object::Role => s.objects.role_manual,
        Object::Agent => s.objects.agent_manual,
        Object::Application => s.objects.application_manual,
    }
}

/// True when the last secret regeneration was started but never confirmed.
fn regeneration_unconfirmed(s: &Session) -> bool {
    let last = s.entries.iter().rev().find_map(|e| match &e.event {
        Event::About {
            subject: Subject::Secret,
            ..
        } => Some(false),
        Event::Done {
            subject: Subject::Secret,
            ..
        } => Some(true),
        _ => None,
    });
    last == Some(false)
}

/// The Client ID and Secret the user copied from Halo for application `id`: both present, and
/// the client id the one Halo lists for it.
fn copied_credentials(
    s: &Session,
    lk: &Lookups,
    id: &str,
    creds: Option<&ManualCredentials>,
) -> Result<(String, SecretString), ApplyError> {
    let Some(c) = creds.filter(|c| {
        !c.client_id.trim().is_empty() && !c.client_secret.expose_secret().trim().is_empty()
    }) else {
        return Err(manual::NotAdopted::CredentialsMissing.into());
    };
    let entered = c.client_id.trim().to_string();
    let listed = lk
        .applications
        .iter()
        .find(|a| a.id.as_deref() == Some(id))
        .map(|a| a.client_id.trim().to_string())
        .unwrap_or_default();
    if !listed.is_empty() && !listed.eq_ignore_ascii_case(&entered) {
        return Err(manual::NotAdopted::ClientIdDiffers {
            name: s.answers.application.name.trim().to_string(),
            halo: listed,
            entered,
        }
        .into());
    }
    let secret = SecretString::from(c.client_secret.expose_secret().trim().to_string());
    Ok((entered, secret))
}

/// What Halo reports on an application about its secret's expiry, as the journal keeps it.
fn expiry_of(app: &Application) -> Option<String> {
    crate::halo::expiry::Reported::of(app).map(|r| r.short())
}
