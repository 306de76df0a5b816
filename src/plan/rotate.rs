//! Rotation without downtime: the evidenced route (halo-api.md §7a; TimeZest's "Rotating your
//! HaloPSA credentials" does the same by hand). Halo's API has no call that regenerates a
//! secret, but several applications may log in as one agent, so:
//!
//! 1. `begin`: the application in use is read from Halo and proven to be the setup's (the id,
//!    the Client ID and the login agent the journal recorded, as Halo shows them; never a name);
//!    the new Client ID and secret are journaled before Halo sees them.
//! 2. `create`: a second application for the same agent with the same scopes, bracketed by
//!    journal entries; after a kill the one created is found again (it logs in as the agent and
//!    is none of the applications listed before), so there is never a third.
//! 3. `verify`: a token with the new credentials, `Agent/me`, one probe per granted area.
//! 4. `hand_over`: a NEW credentials file (never the old one's path); the vendor gets it.
//!    Until `finish`, both credentials work.
//! 5. `finish`: the new credentials verified again, the old application proven to be the one
//!    recorded, deleted, and the rotation recorded in the journal.
//!
//! Tightening ([`crate::plan::tighten`]) uses the same record for its new agent's application.

mod create;
mod finish;

use std::path::{Path, PathBuf};

use secrecy::{ExposeSecret, SecretString};

use crate::halo::model::{Application, GRANT_CLIENT_CREDENTIALS, LOGIN_ENTITY_AGENT};
use crate::halo::{Client, ClientOptions, Endpoint, HaloError};
use crate::journal::rotation::{Purpose, Rotation, RotationDone};
use crate::journal::{Entry, Event, Journal, JournalError, Session, Status, Subject, now_unix};
use crate::plan::apply::ProgressFn;
use crate::plan::apply::{ApplyError, GivenSecret, Progress};
use crate::plan::handover::{self, Handover, SaveError, read_credentials};
use crate::plan::repair;
use crate::plan::verify::{self, Target, Verification};

#[derive(Debug, thiserror::Error)]
pub(crate) enum RotateError {
    #[error("{0}")]
    Halo(#[from] HaloError),
    #[error("{0}")]
    Journal(#[from] JournalError),
    #[error("{0}")]
    Apply(#[from] ApplyError),
    /// The setup is not in a state this step can run in (why, what to do).
    #[error("{0}")]
    NotReady(String, String),
    /// The application to delete (or to rotate) is not provably the one the journal recorded.
    #[error("{0}")]
    NotOurs(NotRecorded),
    /// The new credentials did not pass verification: nothing was handed over or deleted.
    #[error("the new credentials did not pass verification ({} check(s) failed)", .0.failures().count())]
    Unverified(Verification),
    /// Halo keeps the new application's secret to itself (it neither honoured the one sent nor
    /// returned one): the admin copies it from Halo's web UI.
    #[error(
        "Halo did not accept the secret of the new application '{name}' (id {id}, Client ID {client_id}): it keeps a secret of its own and does not show it through the API"
    )]
    SecretNeeded {
        name: String,
        id: String,
        client_id: String,
    },
    #[error("{0}")]
    Handover(#[from] SaveError),
}

impl RotateError {
    pub(crate) fn hint(&self, setup: &str) -> String {
        match self {
            Self::Halo(e) => format!(
                "{} Run the same command again: the journal knows where the rotation stands and nothing is created twice.",
                e.hint()
            ),
            Self::Journal(e) => e.hint(),
            Self::Apply(e) => e.hint(),
            Self::NotReady(_, hint) => hint.clone(),
            Self::NotOurs(e) => e.hint(),
            Self::Unverified(_) => format!(
                "Fix what the failed checks name in Halo and run it again, or give up on the new application with `halo-onboard rotate --abandon {setup}` (the old one keeps working)."
            ),
            Self::SecretNeeded {
                name, client_id, ..
            } => format!(
                "In Halo: Configuration > Integrations > Halo API > View Applications > '{name}' (Client ID {client_id}): press Generate next to Client Secret and copy it; then run `halo-onboard rotate --setup {setup}` again with it in HALO_APP_CLIENT_SECRET (or --app-secret-file FILE)."
            ),
            Self::Handover(e) => format!(
                "{} The new secret is still kept for setup {setup}: run `halo-onboard rotate --setup {setup} --out <path>` to hand it over.",
                e.hint()
            ),
        }
    }
}

/// The rotation engine of one setup.
pub(crate) struct Rotator<'a> {
    pub client: &'a Client,
    pub journal: &'a Journal,
    pub progress: Option<ProgressFn>,
}

/// What `finish` did.
#[derive(Debug, Clone)]
pub(crate) struct Finished {
    pub done: RotationDone,
    /// The old application was already gone (deleted by an earlier, interrupted finish).
    pub already_gone: bool,
    pub verification: Verification,
    /// The old hand-over file, wiped: it held the deleted application's credentials.
    pub old_file_wiped: Option<PathBuf>,
}

fn new_secret() -> SecretString {
    SecretString::from(format!("{}-{}", uuid::Uuid::new_v4(), uuid::Uuid::new_v4()))
}

fn not_found_is_none<T>(r: Result<T, HaloError>) -> Result<Option<T>, HaloError> {
    match r {
        Ok(v) => Ok(Some(v)),
        Err(HaloError::NotFound(_)) => Ok(None),
        Err(e) => Err(e),
    }
}

/// Why an application Halo shows is not provably the one the journal recorded.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub(crate) enum NotRecorded {
    /// Halo answered for the id with another application (or none with an id).
    #[error("Halo answered with application '{shown}' for id {id}")]
    OtherApplication { id: String, shown: String },
    /// Its Client ID changed since it was recorded.
    #[error("application {id} '{name}' now has Client ID {found}, not {recorded} as recorded")]
    OtherClientId {
        id: String,
        name: String,
        found: String,
        recorded: String,
    },
    /// It logs in as another agent than recorded.
    #[error("application {id} '{name}' logs in as agent {found}, not agent {recorded} as recorded")]
    OtherAgent {
        id: String,
        name: String,
        found: i64,
        recorded: i64,
    },
    /// The old application to delete is the rotation's new one.
    #[error("the application to delete ({id}) is the new one")]
    TheNewOne { id: String },
}

impl NotRecorded {
    /// What to do next: nothing was deleted, and only the admin can tell whose it is.
    pub(crate) fn hint(&self) -> String {
        "Nothing was deleted. Check the application in Halo (Configuration > Integrations > Halo API); if it is really this integration's, delete it there by hand.".into()
    }
}

/// Proves `app` is the one the rotation recorded as the old application: its id, its Client ID
/// and its login agent as Halo shows them now.
pub(crate) fn is_recorded(
    app: &Application,
    id: &str,
    client_id: &str,
    agent_id: i64,
) -> Result<(), NotRecorded> {
    let same = |a: &str, b: &str| !a.is_empty() && a.eq_ignore_ascii_case(b);
    let shown = app.id.as_deref().unwrap_or_default();
    if !same(shown, id) {
        return Err(NotRecorded::OtherApplication {
            id: id.into(),
            shown: shown.into(),
        });
    }
    if !same(&app.client_id, client_id) {
        return Err(NotRecorded::OtherClientId {
            id: id.into(),
            name: app.display_name.clone(),
            found: app.client_id.clone(),
            recorded: client_id.into(),
        });
    }
    if app.loginas_agent_id != Some(agent_id) {
        return Err(NotRecorded::OtherAgent {
            id: id.into(),
            name: app.display_name.clone(),
            found: app.loginas_agent_id.unwrap_or_default(),
            recorded: agent_id,
        });
    }
    Ok(())
}

/// Whether a setup can be rotated, and why not.
pub(crate) fn ready(s: &Session) -> Result<(), (String, String)> {
    if s.rotation.is_some() {
        return Ok(());
    }
    let o = &s.objects;
    let (Some(app), Some(cid), Some(_)) = (
        o.application_id.as_deref().filter(|x| !x.is_empty()),
        o.client_id.as_deref().filter(|x| !x.is_empty()),
        o.agent_id,
    ) else {
        return Err((
            format!("setup {} has no application yet", s.id),
            format!("Finish it first: halo-onboard resume {} --yes", s.id),
        ));
    };
    let _ = (app, cid);
    if !matches!(s.status, Status::HandedOver | Status::Verified) {
        return Err((
            format!(
                "setup {} is not finished ({}): its credentials were never handed over, so there is nothing to rotate",
                s.id,
                s.status.words()
            ),
            format!("Finish it first: halo-onboard resume {} --yes", s.id),
        ));
    }
    Ok(())
}

impl Rotator<'_> {
    fn say(&self, s: impl Into<String>) {
        if let Some(f) = &self.progress {
            f(Progress::Step(s.into()));
        }
    }

    /// Starts a rotation of the setup's application (nothing when one is in progress): the
    /// application in use is read from Halo and must be the one recorded; the new Client ID
    /// and secret are journaled before anything is created.
    pub(crate) async fn begin(&self, s: &mut Session) -> Result<(), RotateError> {
        if s.rotation.is_some() {
            return Ok(());
        }
        ready(s).map_err(|(m, h)| RotateError::NotReady(m, h))?;
        let o = s.objects.clone();
        let (app_id, client_id, agent_id) = (
            o.application_id.unwrap_or_default(),
            o.client_id.unwrap_or_default(),
            o.agent_id.unwrap_or_default(),
        );
        let app = not_found_is_none(self.client.get_application(&app_id).await)?.ok_or_else(|| {
            RotateError::NotReady(
                format!("the application {app_id} of setup {} is gone from Halo", s.id),
                "There is nothing to rotate: set the integration up again (halo-onboard apply).".into(),
            )
        })?;
        is_recorded(&app, &app_id, &client_id, agent_id).map_err(RotateError::NotOurs)?;
        let before: Vec<String> = self
            .client
            .applications()
            .await?
            .into_iter()
            .filter(|a| a.loginas_agent_id == Some(agent_id))
            .filter_map(|a| a.id)
            .collect();
        let secret = new_secret();
        self.journal.store_next_secret(&s.id, &secret)?;
        s.rotation = Some(Rotation {
            purpose: Purpose::Rotate,
            started_unix: now_unix(),
            old_application_id: app_id.clone(),
            old_client_id: client_id,
            old_agent_id: agent_id,
            before,
            sent_client_id: uuid::Uuid::new_v4().to_string(),
            agent_id,
            new_application_id: None,
            new_client_id: None,
            created_unix: None,
            verified: false,
            credentials_file: None,
            handed_over: false,
            previous: None,
            scopes: app.scope_names(),
            name: app.display_name.clone(),
        });
        self.journal.record(
            s,
            Event::Note {
                text: format!(
                    "rotation started: a second application for agent {agent_id} with the scopes of application {app_id}"
                ),
            },
        )?;
        self.say(format!(
            "Application '{}' (id {app_id}) is this setup's: id, Client ID and login agent as recorded",
            app.display_name
        ));
        Ok(())
    }

    /// Verifies the new credentials: a token for the application's scopes, `Agent/me` is the
    /// agent, one probe per granted area. A secret `given` (copied from Halo) replaces the
    /// journaled one once it works.
    pub(crate) async fn verify(
        &self,
        s: &mut Session,
        given: Option<&GivenSecret>,
    ) -> Result<Verification, RotateError> {
        let r = rotation(s)?.clone();
        let (Some(id), Some(cid)) = (r.new_application_id.clone(), r.new_client_id.clone()) else {
            return Err(RotateError::NotReady(
                "the new application is not created yet".into(),
                format!("Run `halo-onboard rotate --setup {}`.", s.id),
            ));
        };
        let secret = self.new_secret_of(s, given, true)?;
        self.say(format!("Verifying the new credentials (Client ID {cid})"));
        let v = self.verify_with(s, &r, &cid, &secret).await;
        if v.invalid_client {
            return Err(RotateError::SecretNeeded {
                name: r.name.clone(),
                id,
                client_id: cid,
            });
        }
        if !works(&v) {
            return Err(RotateError::Unverified(v));
        }
        if let Some(g) = given {
            // The copied secret works: it is the one to hand over.
            match r.purpose {
                Purpose::Rotate => self.journal.store_next_secret(&s.id, &g.secret)?,
                Purpose::Tighten => self.journal.store_secret(s, &g.secret)?,
            }
        }
        if let Some(rot) = s.rotation.as_mut() {
            rot.verified = true;
        }
        self.journal.record(
            s,
            Event::Done {
                subject: Subject::Verify,
                action: "rotation".into(),
                id,
            },
        )?;
        Ok(v)
    }

    async fn verify_with(
        &self,
        s: &Session,
        r: &Rotation,
        client_id: &str,
        secret: &SecretString,
    ) -> Verification {
        let scopes = crate::halo::scopes::normalise(&r.scopes);
        let role = match s.answers.role.mode {
            crate::answers::RoleMode::Create => Some(s.answers.role.permissions.clone()),
            crate::answers::RoleMode::Reuse(_) => None,
        };
        let ep = self.client.endpoint().clone();
        let t = Target {
            endpoint: &ep,
            client_id,
            client_secret: secret,
            scopes: &scopes,
            agent_id: r.agent_id,
            role: &s.answers.role,
            application_name: &r.name,
        };
        let opts = ClientOptions {
            events: self.client.events(),
            ca: self.client.ca(),
            ..ClientOptions::default()
        };
        verify::verify_with_role(&t, role.as_ref(), opts, Some(self.client)).await
    }

    /// Hands the new credentials over in a NEW file (never the old credentials' path, never an
    /// existing file unless `force`), then forgets the journal's copy. Running it again after a
    /// kill finds the file it wrote (it holds the new Client ID) and goes on.
    pub(crate) fn hand_over(
        &self,
        s: &mut Session,
        ep: &Endpoint,
        path: &Path,
        force: bool,
    ) -> Result<PathBuf, RotateError> {
        let r = rotation(s)?.clone();
        if r.handed_over {
            return Ok(r
                .credentials_file
                .clone()
                .unwrap_or_else(|| path.to_path_buf()));
        }
        let cid = r.new_client_id.clone().unwrap_or_default();
        let same = |a: &Path, b: &Path| match (a.canonicalize(), b.canonicalize()) {
            (Ok(x), Ok(y)) => x == y,
            _ => a == b,
        };
        let old = match r.purpose {
            Purpose::Rotate => s.credentials_file.clone(),
            Purpose::Tighten => r.previous.as_ref().and_then(|p| p.credentials_file.clone()),
        };
        if old.as_deref().is_some_and(|o| same(o, path)) {
            return Err(RotateError::NotReady(
                format!(
                    "{} holds the credentials the vendor uses now: the new ones go to a new file",
                    path.display()
                ),
                "Choose another --out (or leave it out: a new file in the state dir's handover folder).".into(),
            ));
        }
        let written_before = read_credentials(path)
            .is_some_and(|(file_cid, _)| !cid.is_empty() && file_cid.eq_ignore_ascii_case(&cid));
        if !written_before {
            let secret = match r.purpose {
                Purpose::Rotate => self.journal.load_next_secret(&s.id),
                Purpose::Tighten => self.journal.load_secret(&s.id),
            }
            .ok_or_else(|| {
                RotateError::NotReady(
                    "the new secret is not kept any more".into(),
                    format!(
                        "Abandon this rotation and start again: halo-onboard rotate --abandon {}",
                        s.id
                    ),
                )
            })?;
            let ho = Handover::new(ep, &cid, &secret, r.agent_id);
            ho.save(path, force)?;
        }
        match r.purpose {
            Purpose::Rotate => {
                if let Some(rot) = s.rotation.as_mut() {
                    rot.credentials_file = Some(path.to_path_buf());
                    rot.handed_over = true;
                }
                self.journal.record(
                    s,
                    Event::Done {
                        subject: Subject::Handover,
                        action: "rotation".into(),
                        id: r.new_application_id.clone().unwrap_or_default(),
                    },
                )?;
                self.journal.wipe_next_secret(&s.id)?;
            }
            Purpose::Tighten => {
                if let Some(rot) = s.rotation.as_mut() {
                    rot.credentials_file = Some(path.to_path_buf());
                    rot.handed_over = true;
                }
                s.status = Status::HandedOver;
                self.journal.hand_over(s, Some(path.to_path_buf()))?;
            }
        }
        Ok(path.to_path_buf())
    }

    /// The default new credentials file: `<state dir>/handover/<id>.rotated-<stamp>.env`
    /// (beside the setup's own file; its name is not a setup id, so it is never taken for
    /// another setup's).
    pub(crate) fn default_file(&self, s: &Session) -> PathBuf {
        self.journal.handover_dir().join(format!(
            "{}.rotated-{}.env",
            s.id,
            crate::journal::utc_stamp(now_unix())
        ))
    }
}

/// The new credentials do what the old ones did: a token, the agent, and no probe that
/// found something wrong (a probe that could not check — no records, a path this Halo lacks —
/// is reported with the result, and could not check the old credentials either).
pub(crate) fn works(v: &Verification) -> bool {
    !v.checks.is_empty() && v.failures().next().is_none()
}

/// The rotation in progress.
fn rotation(s: &Session) -> Result<&Rotation, RotateError> {
    s.rotation.as_ref().ok_or_else(|| {
        RotateError::NotReady(
            format!("setup {} has no rotation in progress", s.id),
            format!("Start one with `halo-onboard rotate --setup {}`.", s.id),
        )
    })
}

/// The last rotation entry of `action` was started and neither done nor failed.
fn open(s: &Session, action: &str) -> bool {
    let last = s.entries.iter().rev().find_map(|e| match &e.event {
        Event::About {
            subject: Subject::Rotation,
            action: a,
        } if a == action => Some(true),
        Event::Done {
            subject: Subject::Rotation,
            action: a,
            ..
        }
        | Event::Failed {
            subject: Subject::Rotation,
            action: a,
            ..
        } if a == action => Some(false),
        _ => None,
    });
    last == Some(true)
}

fn create_in_doubt(s: &Session) -> bool {
    open(s, "create")
}

fn delete_in_doubt(s: &Session) -> bool {
    open(s, "delete")
}

/// The new hand-over path the rotation must not write over, for messages.
pub(crate) fn check_new_file(path: &Path, force: bool) -> Result<(), SaveError> {
    handover::check_target(path, force).map(|_| ())
}
