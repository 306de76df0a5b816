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

use secrecy::{ExposeSecret, SecretString};

use crate::answers::RoleMode;
use crate::halo::model::*;
use crate::halo::{Client, ClientOptions, HaloError};
use crate::journal::{Event, Journal, JournalError, Session, Status, Subject};
use crate::plan::build::{self, Kind, Lookups, Object, Plan};
use crate::plan::handover::known_app_secret;
use crate::plan::manual::{self, ManualCredentials};
use crate::plan::ownership;
use crate::plan::repair;
use crate::plan::survey::For;
use crate::plan::verify::{self, Target, Verification};

/// Progress lines for the wizard's log pane and headless output.
#[derive(Debug, Clone, PartialEq)]
pub enum Progress {
    Step(String),
    Difference(Object, String),
}

/// Where progress goes: the wizard's message channel, a printer, or nowhere.
pub type ProgressFn = std::sync::Arc<dyn Fn(Progress) + Send + Sync>;

#[derive(Debug, thiserror::Error)]
pub enum ApplyError {
    #[error("{0}")]
    Halo(#[from] HaloError),
    #[error("{0}")]
    Journal(#[from] JournalError),
    #[error("the plan cannot be applied: {}", .0.join("; "))]
    Blocked(Vec<String>),
    #[error("Halo accepted the {0} but returned no id")]
    NoId(&'static str),
    /// Halo refused a write (not a transport failure): the step can be done by hand in Halo's
    /// web UI ([`crate::plan::manual::checklist`]) and adopted with [`Applier::adopt_manual`].
    #[error("Halo refused to save the {}: {error}", .object.label().to_lowercase())]
    Refused { object: Object, error: HaloError },
    /// Adoption after a manual step found nothing (yet) or the credentials do not match.
    #[error("{0}")]
    NotAdopted(#[from] crate::plan::manual::NotAdopted),
    /// Halo refused the application's secret on the first token: it neither kept the secret
    /// halo-onboard sent nor returned one of its own. The admin generates and copies it in
    /// Halo's web UI ([`crate::plan::manual::secret_checklist`]); it is then proved with a token.
    #[error(
        "Halo did not accept the client secret of application '{name}' (it keeps a secret of its own and does not show it through the API)"
    )]
    SecretNeeded { name: String },
    /// Halo's answer to a create is not the object that was sent (another name, no marker,
    /// an id of another shape): it is not taken for this setup's, and the setup stops.
    #[error(
        "Halo answered the {} create with another object than the one sent ({why}); the setup stopped and nothing was recorded as its own",
        .object.label().to_lowercase()
    )]
    NotWhatWasSent { object: Object, why: String },
}

impl ApplyError {
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
            Self::NotWhatWasSent { .. } => "Something answered for Halo with another object (a proxy, or a Halo build that answers differently); the object named in the answer was not touched. Check it in Halo; the object really created (if any) carries this setup's marker, and `halo-onboard resume <id> --yes` finds it by that marker and continues, creating nothing twice.".into(),
        }
    }
}

/// What apply produced.
#[derive(Debug, Default)]
pub struct Applied {
    pub role_id: String,
    pub agent_id: i64,
    pub application_id: String,
    pub client_id: String,
    /// The application's secret (from this run or kept in the journal since the create).
    /// `None` when an adopted application keeps the secret its vendor already has.
    pub client_secret: Option<SecretString>,
    /// Read-back differences, per object (after [`Applied::finish_read_backs`]).
    pub differences: Vec<(Object, String)>,
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
                Err(e) => self.differences.push((
                    Object::Application,
                    format!("read-back did not finish: {e}"),
                )),
            }
        }
    }
}

enum ReadBack {
    Diffs(Vec<(Object, String)>),
    ClientId(String, Vec<(Object, String)>),
}

/// Read-backs run in the background while the next write goes out: each object's read-back
/// depends only on its own write, so they add no sequential round trip.
struct ReadBacks {
    tasks: Vec<tokio::task::JoinHandle<ReadBack>>,
}

impl std::fmt::Debug for ReadBacks {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "ReadBacks({} pending)", self.tasks.len())
    }
}

fn failed(o: Object, e: HaloError) -> Vec<(Object, String)> {
    vec![(o, format!("could not read it back: {e}"))]
}

impl ReadBacks {
    fn role(&mut self, c: &Client, id: &str, want: &Role) {
        let (c, id, want) = (c.clone(), id.to_string(), want.clone());
        self.tasks.push(tokio::spawn(async move {
            ReadBack::Diffs(match c.get_role(&id).await {
                Ok(got) => build::diff_role(&want, &got)
                    .into_iter()
                    .map(|d| (Object::Role, d))
                    .collect(),
                Err(e) => failed(Object::Role, e),
            })
        }));
    }
    fn agent(&mut self, c: &Client, id: i64, want: &Agent) {
        let (c, want) = (c.clone(), want.clone());
        self.tasks.push(tokio::spawn(async move {
            ReadBack::Diffs(match c.get_agent(id).await {
                Ok(got) => build::diff_agent(&want, &got)
                    .into_iter()
                    .map(|d| (Object::Agent, d))
                    .collect(),
                Err(e) => failed(Object::Agent, e),
            })
        }));
    }
    fn application(&mut self, c: &Client, id: &str, want: &Application) {
        let (c, id, want) = (c.clone(), id.to_string(), want.clone());
        self.tasks.push(tokio::spawn(async move {
            match c.get_application(&id).await {
                Ok(got) => ReadBack::ClientId(
                    got.client_id.clone(),
                    build::diff_application(&want, &got)
                        .into_iter()
                        .map(|d| (Object::Application, d))
                        .collect(),
                ),
                Err(e) => ReadBack::Diffs(failed(Object::Application, e)),
            }
        }));
    }
}

/// An apply and its verification.
#[derive(Debug)]
pub struct Finished {
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
        source: String,
        file: Option<std::path::PathBuf>,
    },
}

impl VerifiedWith {
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

pub struct Applier<'a> {
    pub client: &'a Client,
    pub journal: &'a Journal,
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

    /// Settles a write the journal left in doubt: finds the object by marker and records it.
    async fn settle_in_doubt(&self, s: &mut Session, lk: &Lookups) -> Result<(), ApplyError> {
        let Some((subject, action)) = s.in_doubt() else {
            return Ok(());
        };
        let marker = s.marker();
        // The chain of `plan::ownership`: the role by this setup's marker, the agent by its
        // username and the role settled before it, the application by marker or login agent.
        let a = &s.answers;
        let found: Option<String> = match subject {
            Subject::Role => lk
                .roles
                .iter()
                .find(|r| ownership::role(r, &marker, &a.role.name).is_ours())
                .and_then(|r| r.id.clone()),
            Subject::Agent => {
                // The role settled before the agent: this setup's own, or the one it reuses.
                // A reused role proves nothing by itself, but the plan that started this write
                // found no agent with this username, so one holding the role this setup posted
                // is the one the interrupted write made.
                let role_id = s.objects.role_id.clone();
                let proof = ownership::AgentProof {
                    our_role_id: role_id.as_deref(),
                    ..Default::default()
                };
                lk.agents
                    .iter()
                    .find(|g| ownership::agent(g, &a.agent.name, proof).is_ours())
                    .and_then(|g| g.id.map(|i| i.to_string()))
            }
            // Whether a regeneration landed cannot be seen in Halo; apply re-sends it.
            Subject::Secret => return Ok(()),
            // The Client ID journaled before the create, else the login agent settled before it
            // (Halo may have issued a Client ID of its own).
            Subject::Application => lk
                .applications
                .iter()
                .find(|g| {
                    ownership::application(
                        g,
                        &a.application.name,
                        s.objects.client_id.as_deref(),
                        s.objects.agent_id,
                    )
                    .is_ours()
                })
                .and_then(|g| g.id.clone()),
            _ => None,
        };
        match found {
            Some(id) => {
                self.say(format!(
                    "the interrupted {} {action} reached Halo (id {id}); adopting it",
                    subject.words()
                ));
                match subject {
                    Subject::Role => {
                        s.objects.role_id = Some(id.clone());
                        s.objects.role_created |= action == "create";
                    }
                    Subject::Agent => {
                        s.objects.agent_id = id.parse().ok();
                        s.objects.agent_created |= action == "create";
                    }
                    Subject::Application => {
                        s.objects.application_id = Some(id.clone());
                        s.objects.application_created |= action == "create";
                        if let Some(app) = lk
                            .applications
                            .iter()
                            .find(|a| a.id.as_deref() == Some(id.as_str()))
                        {
                            let sent = s.objects.client_id.clone().unwrap_or_default();
                            let halos = app.client_id.trim();
                            if action == "create" && !halos.is_empty() && halos != sent.trim() {
                                // Halo issued credentials of its own (its client id is not
                                // the one sent) and its answer, with its secret, was lost:
                                // the journaled secret is not the application's. Forget it;
                                // the lost-secret route gives this same application a new one.
                                self.journal.wipe_secret(s)?;
                                self.journal.record(
                                    s,
                                    Event::Note {
                                        text: format!(
                                            "Halo gave the application client id {halos}, not the one sent: it issued its own secret in the answer that was lost; a new secret is set for the same application"
                                        ),
                                    },
                                )?;
                                self.say("Halo issued its own client id and secret, and its answer was lost: giving the same application a new secret");
                            }
                            s.objects.client_id = Some(app.client_id.clone());
                        }
                    }
                    _ => {}
                }
                self.journal.record(
                    s,
                    Event::Done {
                        subject,
                        action,
                        id,
                    },
                )?;
            }
            None => {
                self.say(format!(
                    "{subject:?} {action} was interrupted before Halo saved it; doing it again"
                ));
                self.journal.record(
                    s,
                    Event::Failed {
                        subject,
                        action,
                        error: "interrupted; not found in Halo".into(),
                    },
                )?;
            }
        }
        Ok(())
    }

    /// Adopts the object the user made by hand in Halo's web UI after Halo refused the write:
    /// finds it by name in `lk`, records it as done (action "manual") and as not created by
    /// this setup, so rollback never deletes it. For an application, `creds` are the Client ID
    /// and Secret the user copied; the secret is kept like a generated one, so verification
    /// and hand-over work as usual. Apply then continues with [`Applier::apply_and_verify`].
    pub fn adopt_manual(
        &self,
        s: &mut Session,
        lk: &Lookups,
        object: Object,
        creds: Option<&ManualCredentials>,
    ) -> Result<String, ApplyError> {
        if object == Object::Application && s.objects.application_created {
            return self.adopt_secret(s, lk, creds);
        }
        let id = manual::find_by_hand(object, &s.answers, lk)?;
        let subject = match object {
            Object::Role => {
                s.objects.role_id = Some(id.clone());
                s.objects.role_created = false;
                s.objects.role_manual = true;
                Subject::Role
            }
            Object::Agent => {
                s.objects.agent_id = id.parse().ok();
                s.objects.agent_created = false;
                s.objects.agent_manual = true;
                Subject::Agent
            }
            Object::Application => {
                let (entered, secret) = copied_credentials(s, lk, &id, creds)?;
                s.objects.application_id = Some(id.clone());
                s.objects.client_id = Some(entered);
                s.objects.application_created = false;
                s.objects.application_manual = true;
                self.journal.store_secret(s, &secret)?;
                Subject::Application
            }
        };
        self.journal.record(
            s,
            Event::Done {
                subject,
                action: "manual".into(),
                id: id.clone(),
            },
        )?;
        self.say(format!(
            "{} made by hand in Halo (id {id}): adopted; rollback will leave it in place",
            object.label()
        ));
        Ok(id)
    }

    /// The secret of an application this setup created, copied by the admin from Halo's web
    /// UI (Halo kept its own secret and did not show it through the API). The application stays
    /// this setup's own; verification proves the secret with a token.
    fn adopt_secret(
        &self,
        s: &mut Session,
        lk: &Lookups,
        creds: Option<&ManualCredentials>,
    ) -> Result<String, ApplyError> {
        let id = s.objects.application_id.clone().unwrap_or_default();
        let (entered, secret) = copied_credentials(s, lk, &id, creds)?;
        s.objects.client_id = Some(entered);
        self.journal.store_secret(s, &secret)?;
        self.journal.record(
            s,
            Event::Done {
                subject: Subject::Secret,
                action: "manual".into(),
                id: id.clone(),
            },
        )?;
        self.say(format!(
            "Client secret of application {id} copied from Halo: proving it with a token"
        ));
        Ok(id)
    }

    /// Reads Halo, adopts what the user made by hand, and continues the apply and verification.
    pub async fn adopt_and_continue(
        &self,
        s: &mut Session,
        object: Object,
        creds: Option<&ManualCredentials>,
    ) -> Result<Finished, ApplyError> {
        let lk = self.lookups(s).await?;
        self.adopt_manual(s, &lk, object, creds)?;
        self.apply_and_verify(s, lk).await
    }

    /// Plans against the current Halo state and applies. Safe to call again after any failure.
    pub async fn apply(&self, s: &mut Session) -> Result<Applied, ApplyError> {
        self.say("Reading roles, teams, departments, work hours, agents and applications");
        let lk = self.lookups(s).await?;
        let mut applied = self.apply_with(s, lk).await?;
        applied.finish_read_backs().await;
        for (o, d) in &applied.differences {
            self.report(Progress::Difference(*o, d.clone()));
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
        let (_, mut verification) = tokio::join!(
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
        self.settle_in_doubt(s, &lk).await?;
        let marker = s.marker();
        let plan = build::plan(&s.answers, &lk, &s.objects, &marker);
        // Objects made by hand are kept (see `build::plan`): what differs is reported instead.
        let manual_differences: Vec<(Object, String)> = plan
            .actions
            .iter()
            .filter(|a| a.kind == Kind::Keep && is_manual(s, a.object))
            .flat_map(|a| a.changes.iter().map(|c| (a.object, c.clone())))
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

    async fn apply_role(
        &self,
        s: &mut Session,
        plan: &Plan,
        marker: &str,
        rb: &mut ReadBacks,
        writes: &mut usize,
    ) -> Result<String, ApplyError> {
        let Some(action) = plan.action(Object::Role) else {
            return Err(ApplyError::NoId("role"));
        };
        // The claims this Halo confirmed; the others are the user's manual steps
        // (`plan.manual`).
        let want = build::role_object_with(&s.answers, marker, plan.role_claims.clone());
        let id = match (action.kind, action.id.clone()) {
            (Kind::Reuse | Kind::Keep, Some(id)) => {
                self.say(format!("Role '{}': kept (id {id})", action.name));
                id
            }
            (Kind::Update, Some(id)) => {
                // Read the whole role first: a list row may leave fields out, and the repair
                // sends only what differs from what Halo really holds.
                let got = self.client.get_role(&id).await?;
                match repair::role(&want, &got, marker) {
                    Some(patch) => {
                        self.write(s, Subject::Role, "update", || {
                            self.client.update_role_fields(&patch)
                        })
                        .await?;
                        *writes += 1;
                        self.say(updated(action));
                    }
                    None => self.say(format!("Role '{}': kept (id {id})", action.name)),
                }
                id
            }
            _ => {
                let saved = self
                    .write(s, Subject::Role, "create", || self.client.save_role(&want))
                    .await?;
                *writes += 1;
                // Only the object sent is taken for ours; otherwise the "about to create"
                // stays open, so a resume finds the real one by its marker.
                let id = self.created_role(saved, &want, marker).await?;
                s.objects.role_created = true;
                self.say(format!("Role '{}': created (id {id})", want.name));
                id
            }
        };
        s.objects.role_id = Some(id.clone());
        self.journal.record(
            s,
            Event::Done {
                subject: Subject::Role,
                action: "settled".into(),
                id: id.clone(),
            },
        )?;
        if matches!(action.kind, Kind::Create | Kind::Update) {
            rb.role(self.client, &id, &want);
        }
        Ok(id)
    }

    #[allow(clippy::too_many_arguments)]
    async fn apply_agent(
        &self,
        s: &mut Session,
        plan: &Plan,
        lk: &Lookups,
        role_id: &str,
        rb: &mut ReadBacks,
        writes: &mut usize,
    ) -> Result<i64, ApplyError> {
        let Some(action) = plan.action(Object::Agent) else {
            return Err(ApplyError::NoId("agent"));
        };
        let mut problems = Vec::new();
        let want = build::agent_object(&s.answers, role_id, lk, &mut problems);
        if !problems.is_empty() {
            return Err(ApplyError::Blocked(problems));
        }
        let existing: Option<i64> = action.id.as_deref().and_then(|i| i.parse().ok());
        let id = match (action.kind, existing) {
            (Kind::Keep, Some(id)) => {
                self.say(format!("Agent '{}': kept (id {id})", action.name));
                id
            }
            (Kind::Update, Some(id)) => {
                let got = self.client.get_agent(id).await?;
                match repair::agent(&want, &got) {
                    Some(patch) => {
                        self.write(s, Subject::Agent, "update", || {
                            self.client.update_agent_fields(&patch)
                        })
                        .await?;
                        *writes += 1;
                        self.say(updated(action));
                    }
                    None => self.say(format!("Agent '{}': kept (id {id})", action.name)),
                }
                id
            }
            _ => {
                let saved = self
                    .write(s, Subject::Agent, "create", || {
                        self.client.save_agent(&want)
                    })
                    .await?;
                *writes += 1;
                let id = saved
                    .id
                    .filter(|i| *i > 0)
                    .ok_or(ApplyError::NoId("agent"))?;
                if !ownership::same_name(&saved.name, &want.name) {
                    return Err(ApplyError::NotWhatWasSent {
                        object: Object::Agent,
                        why: format!(
                            "agent {id} '{}' instead of the agent '{}' sent",
                            saved.name, want.name
                        ),
                    });
                }
                s.objects.agent_created = true;
                self.say(format!("Agent '{}': created (id {id})", want.name));
                id
            }
        };
        s.objects.agent_id = Some(id);
        self.journal.record(
            s,
            Event::Done {
                subject: Subject::Agent,
                action: "settled".into(),
                id: id.to_string(),
            },
        )?;
        if matches!(action.kind, Kind::Create | Kind::Update) {
            rb.agent(self.client, id, &want);
        }
        Ok(id)
    }

    #[allow(clippy::too_many_arguments)]
    async fn apply_application(
        &self,
        s: &mut Session,
        plan: &Plan,
        lk: &Lookups,
        agent_id: i64,
        rb: &mut ReadBacks,
        writes: &mut usize,
    ) -> Result<(String, String, Option<SecretString>, Option<String>), ApplyError> {
        let Some(action) = plan.action(Object::Application) else {
            return Err(ApplyError::NoId("application"));
        };
        let want = build::application_object(&s.answers, agent_id);
        let secret_known = self.journal.load_secret(&s.id).is_some();
        let mut expires;
        let (id, client_id) = match (action.kind, action.id.clone()) {
            (Kind::Keep | Kind::Update, Some(id)) => {
                // The client id the vendor holds is Halo's: the journal's, else the one Halo
                // lists for this application (an adopted one has none in this journal).
                let listed = lk
                    .applications
                    .iter()
                    .find(|a| a.id.as_deref() == Some(id.as_str()))
                    .map(|a| a.client_id.clone());
                let mut client_id = s
                    .objects
                    .client_id
                    .clone()
                    .filter(|c| !c.is_empty())
                    .or(listed)
                    .unwrap_or_default();
                if action.kind == Kind::Update {
                    let got = self.client.get_application(&id).await?;
                    if client_id.is_empty() {
                        client_id = got.client_id.clone();
                    }
                    match repair::application(&want, &got) {
                        Some(patch) => {
                            self.write(s, Subject::Application, "update", || {
                                self.client.update_application_fields(&patch, None)
                            })
                            .await?;
                            *writes += 1;
                            self.say(updated(action));
                            rb.application(self.client, &id, &want);
                        }
                        None => self.say(format!("Application '{}': kept (id {id})", action.name)),
                    }
                } else {
                    self.say(format!("Application '{}': kept (id {id})", action.name));
                }
                expires = lk
                    .applications
                    .iter()
                    .find(|a| a.id.as_deref() == Some(id.as_str()))
                    .and_then(expiry_of);
                (id, client_id)
            }
            _ => {
                // The secret is journaled before Halo sees it, so a kill between the POST and
                // its answer still leaves resume with the matching secret.
                let secret = self.journal.load_secret(&s.id).unwrap_or_else(new_secret);
                self.journal.store_secret(s, &secret)?;
                let client_id = s
                    .objects
                    .client_id
                    .clone()
                    .unwrap_or_else(|| uuid::Uuid::new_v4().to_string());
                s.objects.client_id = Some(client_id.clone());
                let body = Application {
                    client_id: client_id.clone(),
                    client_secret: secret.expose_secret().to_string(),
                    ..want.clone()
                };
                let saved = self
                    .write(s, Subject::Application, "create", || {
                        self.client.save_application(&body)
                    })
                    .await?;
                *writes += 1;
                let id = saved
                    .id
                    .clone()
                    .filter(|i| !i.is_empty())
                    .ok_or(ApplyError::NoId("application"))?;
                self.check_created_application(&id, &saved, &want, agent_id, &client_id)
                    .await?;
                s.objects.application_created = true;
                self.say(format!(
                    "Application '{}': created (id {id})",
                    want.display_name
                ));
                rb.application(self.client, &id, &want);
                self.take_issued_secret(s, &saved, &secret)?;
                expires = expiry_of(&saved);
                // Halo may assign its own client id on save; the saved one wins.
                let cid = if saved.client_id.is_empty() {
                    client_id
                } else {
                    saved.client_id
                };
                (id, cid)
            }
        };
        s.objects.application_id = Some(id.clone());
        s.objects.client_id = Some(client_id.clone());
        self.journal.record(
            s,
            Event::Done {
                subject: Subject::Application,
                action: "settled".into(),
                id: id.clone(),
            },
        )?;
        // Halo shows a secret once: without the journaled one, generate a new secret for the
        // existing application rather than creating a second application.
        let pending_regen = regeneration_unconfirmed(s);
        let mut regenerated = false;
        let secret = match self.journal.load_secret(&s.id) {
            // A regeneration that may not have reached Halo is sent again with the same secret
            // (setting the same value twice is harmless).
            Some(sec) if pending_regen => {
                self.say("Re-sending an interrupted secret regeneration");
                let got = self.client.get_application(&id).await?;
                let sec = self.regenerate(s, &got, &sec).await?;
                *writes += 1;
                regenerated = true;
                Some(sec)
            }
            Some(sec) => Some(sec),
            // Not in the journal, but in this setup's hand-over file (a kill inside the wipe
            // that follows the hand-over): it was handed over, not lost.
            None if !handed_out(s)
                && let Some(k) = known_app_secret(self.journal, &id, &client_id) =>
            {
                self.say(format!(
                    "Application '{}': its secret was already handed over ({}); left unchanged",
                    action.name,
                    k.describe()
                ));
                s.handed_over = true;
                s.credentials_file = k.file;
                self.journal.save(s)?;
                None
            }
            // The vendor already has the secret (handed over by this or an earlier setup):
            // it stays unless a rotation was asked for, which would break their copy.
            None if handed_out(s) && !self.regenerate_secret => {
                self.say(format!(
                    "Application '{}': secret left unchanged (the vendor has it from the hand-over; `halo-onboard rotate` hands over a new one without downtime)",
                    action.name
                ));
                None
            }
            None => {
                if secret_known {
                    return Err(ApplyError::NoId("application secret"));
                }
                if handed_out(s) {
                    self.say(format!(
                        "Application '{}': generating a new secret as asked (the old one stops working)",
                        action.name
                    ));
                } else {
                    self.say("The client secret of this application is not known any more (Halo shows it once); generating a new one");
                }
                let sec = new_secret();
                self.journal.store_secret(s, &sec)?;
                let got = self.client.get_application(&id).await?;
                let sec = self.regenerate(s, &got, &sec).await?;
                *writes += 1;
                regenerated = true;
                Some(sec)
            }
        };
        if regenerated {
            // A new secret may come with a new expiry.
            if let Ok(got) = self.client.get_application(&id).await {
                expires = expiry_of(&got).or(expires);
            }
        }
        Ok((id, client_id, secret, expires))
    }

    /// The id of the role Halo created, when its answer is the role that was sent: a role id
    /// (a GUID), the name sent, and this setup's marker in its notes. Where the answer leaves
    /// the notes out, the role is read back by that id to see the marker.
    async fn created_role(
        &self,
        saved: Role,
        want: &Role,
        marker: &str,
    ) -> Result<String, ApplyError> {
        let id = saved
            .id
            .clone()
            .filter(|i| !i.is_empty())
            .ok_or(ApplyError::NoId("role"))?;
        let not_sent = |why: String| ApplyError::NotWhatWasSent {
            object: Object::Role,
            why,
        };
        if !crate::halo::ids::is_guid(&id) {
            return Err(not_sent(format!(
                "the id '{}' is not a role id (a GUID)",
                crate::text::line(&id)
            )));
        }
        let role = if saved.notes.trim().is_empty() {
            self.client.get_role(&id).await?
        } else {
            saved
        };
        if !ownership::same_name(&role.name, &want.name) {
            return Err(not_sent(format!(
                "role {id} '{}' instead of the role '{}' sent",
                role.name, want.name
            )));
        }
        if !role.notes.contains(marker) {
            return Err(not_sent(format!(
                "role {id} '{}' does not carry this setup's marker {marker} in its notes",
                role.name
            )));
        }
        Ok(id)
    }

    /// The application Halo created must be the one sent: an application id (a GUID) and the
    /// name sent, and either logging in as this setup's agent or holding the Client ID sent
    /// (read back when the answer shows neither; an application has no field for a marker).
    /// Its Client ID may differ where it logs in as ours: Halo may issue its own.
    async fn check_created_application(
        &self,
        id: &str,
        saved: &Application,
        want: &Application,
        agent_id: i64,
        sent_client_id: &str,
    ) -> Result<(), ApplyError> {
        let not_sent = |why: String| ApplyError::NotWhatWasSent {
            object: Object::Application,
            why,
        };
        if !crate::halo::ids::is_guid(id) {
            return Err(not_sent(format!(
                "the id '{}' is not an application id (a GUID)",
                crate::text::line(id)
            )));
        }
        let shows = |a: &Application| a.loginas_agent_id.is_some_and(|x| x != 0);
        let read;
        let app = if shows(saved) {
            saved
        } else {
            read = self.client.get_application(id).await?;
            &read
        };
        if !ownership::same_name(&app.display_name, &want.display_name) {
            return Err(not_sent(format!(
                "application {id} '{}' instead of the application '{}' sent",
                app.display_name, want.display_name
            )));
        }
        let logs_in_as_ours = app.loginas_agent_id == Some(agent_id);
        let client_id_sent = !sent_client_id.trim().is_empty()
            && app
                .client_id
                .trim()
                .eq_ignore_ascii_case(sent_client_id.trim());
        if !logs_in_as_ours && !client_id_sent {
            return Err(not_sent(format!(
                "application {id} '{}' logs in as agent {} (not this setup's agent {agent_id}) and holds another Client ID than the one sent",
                app.display_name,
                app.loginas_agent_id.unwrap_or_default()
            )));
        }
        Ok(())
    }

    /// Halo may ignore a posted secret and answer with one it generated (shown once, in this
    /// answer): that one is the application's secret, journaled like ours.
    fn take_issued_secret(
        &self,
        s: &mut Session,
        saved: &Application,
        sent: &SecretString,
    ) -> Result<Option<SecretString>, ApplyError> {
        let theirs = saved.client_secret.trim();
        if theirs.is_empty() || theirs == sent.expose_secret() {
            return Ok(None);
        }
        let sec = SecretString::from(theirs.to_string());
        self.journal.store_secret(s, &sec)?;
        self.say("Halo generated its own client secret on save and returned it once: kept for the hand-over");
        Ok(Some(sec))
    }

    /// Sets a new secret on an existing application, journaled. Returns the secret now in
    /// force: the one sent, or one Halo generated and returned instead.
    async fn regenerate(
        &self,
        s: &mut Session,
        app: &Application,
        sec: &SecretString,
    ) -> Result<SecretString, ApplyError> {
        let id = app.id.clone().unwrap_or_default();
        // Only the id and the new secret: the Client ID and everything else stay as they are.
        let patch =
            repair::new_secret(app, sec.expose_secret()).ok_or(ApplyError::NoId("application"))?;
        let answer = self
            .write(s, Subject::Secret, "regenerate", || {
                self.client.update_application_fields(&patch, Some(sec))
            })
            .await?;
        // Halo may answer with a secret of its own instead (generate mode).
        let first = match answer {
            serde_json::Value::Array(items) => items.into_iter().next(),
            v => Some(v),
        };
        let saved: Application = first
            .and_then(|v| serde_json::from_value(v).ok())
            .unwrap_or_default();
        self.journal.record(
            s,
            Event::Done {
                subject: Subject::Secret,
                action: "regenerate".into(),
                id,
            },
        )?;
        Ok(self
            .take_issued_secret(s, &saved, sec)?
            .unwrap_or_else(|| sec.clone()))
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
            a.changes.join("; ")
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
