//! The writes of one setup, object by object: role, agent, application (with its secret).

use super::*;

impl Applier<'_> {
    pub(super) async fn apply_role(
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
    pub(super) async fn apply_agent(
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

    /// The application: kept, repaired or created, then its secret made sure of. Returns
    /// its id, its Client ID, the secret to hand over (`None`: already handed over) and the
    /// expiry Halo reports.
    #[allow(clippy::too_many_arguments)]
    pub(super) async fn apply_application(
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
        let (id, client_id, mut expires) = match (action.kind, action.id.clone()) {
            (Kind::Keep | Kind::Update, Some(id)) => {
                self.keep_application(s, action, lk, &want, id, rb, writes)
                    .await?
            }
            _ => {
                self.create_application(s, &want, agent_id, rb, writes)
                    .await?
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
        let (secret, regenerated) = self
            .application_secret(s, action, &id, &client_id, secret_known, writes)
            .await?;
        if regenerated {
            // A new secret may come with a new expiry.
            if let Ok(got) = self.client.get_application(&id).await {
                expires = expiry_of(&got).or(expires);
            }
        }
        Ok((id, client_id, secret, expires))
    }

    /// An application that exists and is ours: kept, or repaired where Halo holds otherwise.
    /// Its id, the Client ID the vendor holds, and the expiry Halo lists.
    #[allow(clippy::too_many_arguments)]
    async fn keep_application(
        &self,
        s: &mut Session,
        action: &build::Action,
        lk: &Lookups,
        want: &Application,
        id: String,
        rb: &mut ReadBacks,
        writes: &mut usize,
    ) -> Result<(String, String, Option<String>), ApplyError> {
        let listed = lk
            .applications
            .iter()
            .find(|a| a.id.as_deref() == Some(id.as_str()));
        // The client id the vendor holds is Halo's: the journal's, else the one Halo lists
        // for this application (an adopted one has none in this journal).
        let mut client_id = s
            .objects
            .client_id
            .clone()
            .filter(|c| !c.is_empty())
            .or(listed.map(|a| a.client_id.clone()))
            .unwrap_or_default();
        if action.kind == Kind::Update {
            let got = self.client.get_application(&id).await?;
            if client_id.is_empty() {
                client_id = got.client_id.clone();
            }
            match repair::application(want, &got) {
                Some(patch) => {
                    self.write(s, Subject::Application, "update", || {
                        self.client.update_application_fields(&patch, None)
                    })
                    .await?;
                    *writes += 1;
                    self.say(updated(action));
                    rb.application(self.client, &id, want);
                }
                None => self.say(format!("Application '{}': kept (id {id})", action.name)),
            }
        } else {
            self.say(format!("Application '{}': kept (id {id})", action.name));
        }
        let expires = listed.and_then(expiry_of);
        Ok((id, client_id, expires))
    }

    /// Creates the application with a secret journaled before Halo sees it, proves what Halo
    /// saved is what was sent, and takes a secret Halo issued instead. Its id, Client ID
    /// (Halo's, if it assigned its own) and the expiry Halo reports.
    async fn create_application(
        &self,
        s: &mut Session,
        want: &Application,
        agent_id: i64,
        rb: &mut ReadBacks,
        writes: &mut usize,
    ) -> Result<(String, String, Option<String>), ApplyError> {
        // The secret is journaled before Halo sees it, so a kill between the POST and its
        // answer still leaves resume with the matching secret.
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
        self.check_created_application(&id, &saved, want, agent_id, &client_id)
            .await?;
        s.objects.application_created = true;
        self.say(format!(
            "Application '{}': created (id {id})",
            want.display_name
        ));
        rb.application(self.client, &id, want);
        self.take_issued_secret(s, &saved, &secret)?;
        let expires = expiry_of(&saved);
        // Halo may assign its own client id on save; the saved one wins.
        let cid = if saved.client_id.is_empty() {
            client_id
        } else {
            saved.client_id
        };
        Ok((id, cid, expires))
    }

    /// The secret to hand over, and whether a new one was set. Halo shows a secret once:
    /// without the journaled one, a new secret is generated for the existing application
    /// rather than a second application created.
    async fn application_secret(
        &self,
        s: &mut Session,
        action: &build::Action,
        id: &str,
        client_id: &str,
        secret_known: bool,
        writes: &mut usize,
    ) -> Result<(Option<SecretString>, bool), ApplyError> {
        let pending_regen = regeneration_unconfirmed(s);
        match self.journal.load_secret(&s.id) {
            // A regeneration that may not have reached Halo is sent again with the same secret
            // (setting the same value twice is harmless).
            Some(sec) if pending_regen => {
                self.say("Re-sending an interrupted secret regeneration");
                let got = self.client.get_application(id).await?;
                let sec = self.regenerate(s, &got, &sec).await?;
                *writes += 1;
                Ok((Some(sec), true))
            }
            Some(sec) => Ok((Some(sec), false)),
            // Not in the journal, but in this setup's hand-over file (a kill inside the wipe
            // that follows the hand-over): it was handed over, not lost.
            None if !handed_out(s)
                && let Some(k) = known_app_secret(self.journal, id, client_id) =>
            {
                self.say(format!(
                    "Application '{}': its secret was already handed over ({}); left unchanged",
                    action.name,
                    k.describe()
                ));
                s.handed_over = true;
                s.credentials_file = k.file;
                self.journal.save(s)?;
                Ok((None, false))
            }
            // The vendor already has the secret (handed over by this or an earlier setup):
            // it stays unless a rotation was asked for, which would break their copy.
            None if handed_out(s) && !self.regenerate_secret => {
                self.say(format!(
                    "Application '{}': secret left unchanged (the vendor has it from the hand-over; `halo-onboard rotate` hands over a new one without downtime)",
                    action.name
                ));
                Ok((None, false))
            }
            None => {
                if secret_known {
                    return Err(ApplyError::NoId("application secret"));
                }
                self.new_application_secret(s, action, id, writes)
                    .await
                    .map(|sec| (Some(sec), true))
            }
        }
    }

    /// A new secret for an application whose secret nobody knows (or a rotation asked for
    /// with `--new-secret`), journaled before Halo sees it.
    async fn new_application_secret(
        &self,
        s: &mut Session,
        action: &build::Action,
        id: &str,
        writes: &mut usize,
    ) -> Result<SecretString, ApplyError> {
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
        let got = self.client.get_application(id).await?;
        let sec = self.regenerate(s, &got, &sec).await?;
        *writes += 1;
        Ok(sec)
    }

    /// Halo may ignore a posted secret and answer with one it generated (shown once, in this
    /// answer): that one is the application's secret, journaled like ours.
    pub(super) fn take_issued_secret(
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
    pub(super) async fn regenerate(
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
        let saved = Client::saved_application(answer);
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
}
