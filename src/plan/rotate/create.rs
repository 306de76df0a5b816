//! Bringing in the rotation's new application, or a new secret for the same one: created
//! once (a drop in doubt is settled by the marker), adopted or regenerated.

use super::*;

impl Rotator<'_> {
    /// Creates the second application (nothing when it exists). A create whose answer was
    /// lost is found again instead of sent twice.
    pub(crate) async fn create(&self, s: &mut Session) -> Result<(), RotateError> {
        let r = rotation(s)?.clone();
        if r.new_application_id.is_some() {
            return Ok(());
        }
        if create_in_doubt(s)
            && let Some(found) = self.found_again(s, &r).await?
        {
            return self.adopt_created(s, found).await;
        }
        let secret = self.next_secret(s)?;
        let saved = self.send_create(s, &new_application(&r, &secret)).await?;
        let id = what_was_sent(&saved, &r)?;
        // Halo may issue its own secret and show it once, in this answer.
        let theirs = saved.client_secret.trim();
        if !theirs.is_empty() && theirs != secret.expose_secret() {
            self.journal
                .store_next_secret(&s.id, &SecretString::from(theirs.to_string()))?;
            self.say("Halo generated its own client secret for the new application and returned it once: kept for the hand-over");
        }
        let cid = if saved.client_id.is_empty() {
            r.sent_client_id.clone()
        } else {
            saved.client_id.clone()
        };
        self.created(s, &id, &cid)?;
        self.say(format!(
            "Application '{}': second application created (id {id}, Client ID {cid}), logging in as agent {}",
            r.name, r.agent_id
        ));
        Ok(())
    }

    /// A create whose answer was lost: the application it made, if Halo shows one; otherwise
    /// the journal says it did not reach Halo and it is sent again.
    async fn found_again(
        &self,
        s: &mut Session,
        r: &Rotation,
    ) -> Result<Option<Application>, RotateError> {
        if let Some(found) = self.find_created(r).await? {
            return Ok(Some(found));
        }
        self.journal.record(
            s,
            Event::Failed {
                subject: Subject::Rotation,
                action: "create".into(),
                error: "interrupted; not found in Halo".into(),
            },
        )?;
        self.say("The interrupted create did not reach Halo; sending it again");
        Ok(None)
    }

    /// The secret for the new application: the one stored by an earlier run, or a new one
    /// stored before Halo sees it (so a lost answer does not lose the secret).
    fn next_secret(&self, s: &Session) -> Result<SecretString, RotateError> {
        if let Some(sec) = self.journal.load_next_secret(&s.id) {
            return Ok(sec);
        }
        let sec = new_secret();
        self.journal.store_next_secret(&s.id, &sec)?;
        Ok(sec)
    }

    /// Sends the create, journaled before; a refusal is journaled as failed, while a transport
    /// failure leaves the create in doubt for the next run to look for.
    async fn send_create(
        &self,
        s: &mut Session,
        body: &Application,
    ) -> Result<Application, RotateError> {
        self.journal.record(
            s,
            Event::About {
                subject: Subject::Rotation,
                action: "create".into(),
            },
        )?;
        match self.client.save_application(body).await {
            Ok(v) => Ok(v),
            Err(e) => {
                if !e.is_transient() {
                    self.journal.record(
                        s,
                        Event::Failed {
                            subject: Subject::Rotation,
                            action: "create".into(),
                            error: e.to_string(),
                        },
                    )?;
                }
                Err(e.into())
            }
        }
    }

    /// Records the new application as created.
    pub(super) fn created(
        &self,
        s: &mut Session,
        id: &str,
        client_id: &str,
    ) -> Result<(), RotateError> {
        if let Some(r) = s.rotation.as_mut() {
            r.new_application_id = Some(id.to_string());
            r.new_client_id = Some(client_id.to_string());
            r.created_unix = Some(now_unix());
        }
        self.journal.record(
            s,
            Event::Done {
                subject: Subject::Rotation,
                action: "create".into(),
                id: id.to_string(),
            },
        )?;
        Ok(())
    }

    /// The application an interrupted create made: it logs in as the rotation's agent and is
    /// none of those that did before (and not the old one).
    pub(super) async fn find_created(
        &self,
        r: &Rotation,
    ) -> Result<Option<Application>, RotateError> {
        let apps = self.client.applications().await?;
        let mut found: Vec<Application> = apps
            .into_iter()
            .filter(|a| a.loginas_agent_id == Some(r.agent_id))
            .filter(|a| {
                let id = a.id.as_deref().unwrap_or_default();
                !id.is_empty()
                    && !id.eq_ignore_ascii_case(&r.old_application_id)
                    && !r.before.iter().any(|b| b.eq_ignore_ascii_case(id))
            })
            .collect();
        // Two strangers that appeared meanwhile would be a guess: prefer the Client ID sent.
        if found.len() > 1 {
            found.retain(|a| a.client_id.eq_ignore_ascii_case(&r.sent_client_id));
        }
        Ok((found.len() == 1).then(|| found.remove(0)))
    }

    /// Takes the application an interrupted create made. When Halo issued its own Client ID,
    /// the secret journaled is not its secret: the new application (which nobody uses yet)
    /// gets a new secret.
    pub(super) async fn adopt_created(
        &self,
        s: &mut Session,
        app: Application,
    ) -> Result<(), RotateError> {
        let id = app.id.clone().unwrap_or_default();
        let r = rotation(s)?.clone();
        self.say(format!(
            "The interrupted create reached Halo (application {id}); taking it, creating nothing twice"
        ));
        self.created(s, &id, &app.client_id)?;
        if !app.client_id.eq_ignore_ascii_case(&r.sent_client_id) {
            self.say("Halo issued its own credentials in the answer that was lost: giving the new application a new secret (nobody uses it yet)");
            self.regenerate(s, &app).await?;
        }
        Ok(())
    }

    /// A new secret for the NEW application (never the one in use), journaled.
    pub(super) async fn regenerate(
        &self,
        s: &mut Session,
        app: &Application,
    ) -> Result<(), RotateError> {
        let sec = new_secret();
        self.journal.store_next_secret(&s.id, &sec)?;
        let patch =
            repair::new_secret(app, sec.expose_secret()).ok_or(ApplyError::NoId("application"))?;
        self.journal.record(
            s,
            Event::About {
                subject: Subject::Rotation,
                action: "regenerate".into(),
            },
        )?;
        let answer = self
            .client
            .update_application_fields(&patch, Some(&sec))
            .await?;
        let saved = Client::saved_application(answer);
        let theirs = saved.client_secret.trim();
        if !theirs.is_empty() && theirs != sec.expose_secret() {
            self.journal
                .store_next_secret(&s.id, &SecretString::from(theirs.to_string()))?;
        }
        self.journal.record(
            s,
            Event::Done {
                subject: Subject::Rotation,
                action: "regenerate".into(),
                id: app.id.clone().unwrap_or_default(),
            },
        )?;
        Ok(())
    }

    /// The new application's secret: the one given first when `given_first` (copied from
    /// Halo's web UI), else the one journaled, else — once handed over — the new credentials
    /// file, else the one given.
    pub(super) fn new_secret_of(
        &self,
        s: &Session,
        given: Option<&GivenSecret>,
        given_first: bool,
    ) -> Result<SecretString, RotateError> {
        let r = rotation(s)?;
        if let Some(g) = given.filter(|_| given_first) {
            return Ok(g.secret.clone());
        }
        let pending = match r.purpose {
            Purpose::Rotate => self.journal.load_next_secret(&s.id),
            Purpose::Tighten => self.journal.load_secret(&s.id),
        };
        if let Some(sec) = pending {
            return Ok(sec);
        }
        let cid = r.new_client_id.clone().unwrap_or_default();
        if let Some((file_cid, sec)) = r.credentials_file.as_deref().and_then(read_credentials)
            && (file_cid.is_empty() || file_cid.eq_ignore_ascii_case(&cid))
        {
            return Ok(sec);
        }
        if let Some(g) = given {
            return Ok(g.secret.clone());
        }
        Err(RotateError::NotReady(
            format!(
                "the secret of the new application (Client ID {cid}) is not at hand: {}",
                r.credentials_file.as_ref().map_or_else(
                    || "it was never handed over".to_string(),
                    |f| format!("the new credentials file {} is gone", f.display())
                )
            ),
            format!(
                "Give it in HALO_APP_CLIENT_SECRET (or --app-secret-file FILE), or abandon this rotation: halo-onboard rotate --abandon {}",
                s.id
            ),
        ))
    }
}

/// The second application as sent: the rotation's name, Client ID, scopes and agent.
fn new_application(r: &Rotation, secret: &SecretString) -> Application {
    Application {
        client_id: r.sent_client_id.clone(),
        client_secret: secret.expose_secret().to_string(),
        display_name: r.name.clone(),
        inactive: false,
        grant_type: GRANT_CLIENT_CREDENTIALS.into(),
        loginentity: LOGIN_ENTITY_AGENT,
        loginas_agent_id: Some(r.agent_id),
        scopes: r
            .scopes
            .iter()
            .map(|n| crate::halo::model::ScopeRef { name: n.clone() })
            .collect(),
        ..Application::default()
    }
}

/// The new application's id, once Halo's answer proves it is what was sent (a GUID, the name,
/// logging in as the rotation's agent).
fn what_was_sent(saved: &Application, r: &Rotation) -> Result<String, RotateError> {
    let id = saved
        .id
        .clone()
        .filter(|i| crate::halo::ids::is_guid(i))
        .ok_or(ApplyError::NoId("application"))?;
    if saved.loginas_agent_id.is_some_and(|a| a != r.agent_id)
        || !crate::plan::ownership::same_name(&saved.display_name, &r.name)
    {
        return Err(ApplyError::NotWhatWasSent {
            object: crate::plan::Object::Application,
            why: format!(
                "application {id} '{}' logging in as agent {}",
                saved.display_name,
                saved.loginas_agent_id.unwrap_or_default()
            ),
        }
        .into());
    }
    Ok(id)
}
