//! Ending a rotation: the old application retired once the new one is proven, or the new one
//! abandoned.

use super::*;

impl Rotator<'_> {
    /// Ends the rotation: the new credentials verified again, the old application proven to be
    /// the one recorded (id, Client ID, login agent as Halo shows them) and deleted, the
    /// rotation recorded. Safe to run again after a kill: an old application already gone is
    /// the same end.
    pub(crate) async fn finish(
        &self,
        s: &mut Session,
        given: Option<&GivenSecret>,
    ) -> Result<Finished, RotateError> {
        let r = rotation(s)?.clone();
        handed_over_first(s, &r)?;
        let (new_id, new_cid) = (
            r.new_application_id.clone().unwrap_or_default(),
            r.new_client_id.clone().unwrap_or_default(),
        );
        let deleting = delete_in_doubt(s);
        let secret = self.new_secret_of(s, given, false)?;
        self.say(format!(
            "Checking that the new credentials (Client ID {new_cid}) still work"
        ));
        let v = self.verify_with(s, &r, &new_cid, &secret).await;
        if !works(&v) {
            return Err(RotateError::Unverified(v));
        }
        let already_gone = self.retire_old(s, &r, &new_id, deleting).await?;
        let old_file_wiped = wipe_old_file(s, &r);
        let done = switch_to_new(s, &r, new_id, new_cid);
        self.journal.save(s)?;
        let _ = self.journal.wipe_next_secret(&s.id);
        Ok(Finished {
            done,
            already_gone,
            verification: v,
            old_file_wiped,
        })
    }

    /// Deletes the old application, only while Halo still shows it as recorded (and never the
    /// new one), and journals it. Returns whether it was already gone.
    async fn retire_old(
        &self,
        s: &mut Session,
        r: &Rotation,
        new_id: &str,
        deleting: bool,
    ) -> Result<bool, RotateError> {
        let old = not_found_is_none(self.client.get_application(&r.old_application_id).await)?;
        let already_gone = old.is_none();
        if let Some(app) = &old {
            if app
                .id
                .as_deref()
                .is_some_and(|i| i.eq_ignore_ascii_case(new_id))
            {
                return Err(RotateError::NotOurs(NotRecorded::TheNewOne {
                    id: r.old_application_id.clone(),
                }));
            }
            is_recorded(app, &r.old_application_id, &r.old_client_id, r.old_agent_id)
                .map_err(RotateError::NotOurs)?;
            self.delete_old(s, r, deleting).await?;
            self.say(format!(
                "Deleted the old application '{}' (id {}, Client ID {}): its secret stops working now",
                app.display_name, r.old_application_id, r.old_client_id
            ));
        } else {
            self.say(format!(
                "The old application {} is already gone from Halo",
                r.old_application_id
            ));
        }
        self.journal.record(
            s,
            Event::Done {
                subject: Subject::Rotation,
                action: "delete".into(),
                id: r.old_application_id.clone(),
            },
        )?;
        Ok(already_gone)
    }

    /// The delete itself, journaled before Halo sees it (unless an earlier run already did);
    /// a refusal that will not pass by itself is journaled as failed.
    async fn delete_old(
        &self,
        s: &mut Session,
        r: &Rotation,
        deleting: bool,
    ) -> Result<(), RotateError> {
        if !deleting {
            self.journal.record(
                s,
                Event::About {
                    subject: Subject::Rotation,
                    action: "delete".into(),
                },
            )?;
        }
        match self.client.delete_application(&r.old_application_id).await {
            Ok(()) | Err(HaloError::NotFound(_)) => Ok(()),
            Err(e) => {
                if !e.is_transient() {
                    self.journal.record(
                        s,
                        Event::Failed {
                            subject: Subject::Rotation,
                            action: "delete".into(),
                            error: e.to_string(),
                        },
                    )?;
                }
                Err(e.into())
            }
        }
    }

    /// Gives up on the second application: deletes it (when Halo still shows it as the one
    /// created: its id, and logging in as the rotation's agent; never the old one) and forgets
    /// the rotation. The old application is untouched and keeps working. Returns what it did.
    pub(crate) async fn abandon(&self, s: &mut Session) -> Result<Vec<String>, RotateError> {
        let r = rotation(s)?.clone();
        let mut done = Vec::new();
        let id = match (&r.new_application_id, create_in_doubt(s)) {
            (Some(id), _) => Some(id.clone()),
            (None, true) => self.find_created(&r).await?.and_then(|a| a.id),
            (None, false) => None,
        };
        if let Some(id) = id.filter(|i| !i.eq_ignore_ascii_case(&r.old_application_id)) {
            match not_found_is_none(self.client.get_application(&id).await)? {
                Some(app) if app.loginas_agent_id == Some(r.agent_id) => {
                    self.journal.record(
                        s,
                        Event::About {
                            subject: Subject::Rotation,
                            action: "abandon".into(),
                        },
                    )?;
                    match self.client.delete_application(&id).await {
                        Ok(()) | Err(HaloError::NotFound(_)) => {}
                        Err(e) => return Err(e.into()),
                    }
                    self.journal.record(
                        s,
                        Event::Done {
                            subject: Subject::Rotation,
                            action: "abandon".into(),
                            id: id.clone(),
                        },
                    )?;
                    done.push(format!(
                        "deleted the new application '{}' (id {id})",
                        app.display_name
                    ));
                }
                Some(app) => done.push(format!(
                    "kept application {id} '{}': it does not log in as agent {} any more",
                    app.display_name, r.agent_id
                )),
                None => done.push(format!("the new application {id} is already gone")),
            }
        }
        if let Some(f) = &r.credentials_file
            && read_credentials(f).is_some_and(|(cid, _)| {
                r.new_client_id
                    .as_deref()
                    .is_some_and(|n| cid.eq_ignore_ascii_case(n))
            })
            && crate::journal::fsutil::wipe(f).is_ok()
        {
            done.push(format!("wiped the new credentials file {}", f.display()));
        }
        let _ = self.journal.wipe_next_secret(&s.id);
        s.rotation = None;
        self.journal.record(
            s,
            Event::Note {
                text: format!(
                    "{} abandoned; the old application {} was left as it is",
                    r.purpose.words(),
                    r.old_application_id
                ),
            },
        )?;
        Ok(done)
    }
}

/// Finishing needs the new credentials handed over first: the vendor must have them before the
/// old ones stop working.
fn handed_over_first(s: &Session, r: &Rotation) -> Result<(), RotateError> {
    if r.handed_over {
        return Ok(());
    }
    Err(RotateError::NotReady(
        format!(
            "the {} of setup {} has not handed the new credentials over yet",
            r.purpose.words(),
            s.id
        ),
        format!(
            "Run `halo-onboard {} --setup {}` first, give the vendor the new credentials, then finish.",
            if r.purpose == Purpose::Rotate {
                "rotate"
            } else {
                "tighten"
            },
            s.id
        ),
    ))
}

/// The old hand-over file holds the deleted application's credentials: wiped (only when it is
/// not the new file and still holds the old Client ID). Returns the file wiped.
fn wipe_old_file(s: &Session, r: &Rotation) -> Option<PathBuf> {
    let old_file = match r.purpose {
        Purpose::Rotate => s.credentials_file.clone(),
        Purpose::Tighten => r.previous.as_ref().and_then(|p| p.credentials_file.clone()),
    };
    old_file.filter(|f| {
        Some(f.as_path()) != r.credentials_file.as_deref()
            && read_credentials(f)
                .is_some_and(|(cid, _)| cid.eq_ignore_ascii_case(&r.old_client_id))
            && crate::journal::fsutil::wipe(f).is_ok()
    })
}

/// The setup now names the new application, file and secret; the rotation moves to the
/// finished ones. Returns the record of it.
fn switch_to_new(s: &mut Session, r: &Rotation, new_id: String, new_cid: String) -> RotationDone {
    let done = RotationDone {
        purpose: r.purpose,
        started_unix: r.started_unix,
        finished_unix: now_unix(),
        old_application_id: r.old_application_id.clone(),
        old_client_id: r.old_client_id.clone(),
        old_agent_id: r.old_agent_id,
        new_application_id: new_id.clone(),
        new_client_id: new_cid.clone(),
        agent_id: r.agent_id,
    };
    s.objects.application_id = Some(new_id.clone());
    s.objects.client_id = Some(new_cid);
    s.objects.agent_id = Some(r.agent_id);
    s.credentials_file = r.credentials_file.clone();
    s.handed_over = true;
    s.status = Status::HandedOver;
    // Halo reported nothing for the new secret yet: what was reported for the old one is
    // not this secret's.
    s.reported_expiry = None;
    // The secret now in force was issued when the new application was created.
    s.entries.push(Entry {
        at_unix: r.created_unix.unwrap_or(r.started_unix),
        event: Event::Done {
            subject: Subject::Secret,
            action: r.purpose.words().into(),
            id: new_id,
        },
    });
    s.rotations.push(done.clone());
    s.rotation = None;
    done
}
