//! Settling what a dropped run left in doubt: a write that may or may not have reached Halo is
//! looked for (by the setup's marker) before anything is written again.

use super::*;

impl Applier<'_> {
    /// Settles a write the journal left in doubt: finds the object by marker and records it.
    pub(super) fn settle_in_doubt(&self, s: &mut Session, lk: &Lookups) -> Result<(), ApplyError> {
        let Some((subject, action)) = s.in_doubt() else {
            return Ok(());
        };
        // Whether a regeneration landed cannot be seen in Halo; apply re-sends it.
        if subject == Subject::Secret {
            return Ok(());
        }
        match written_by_us(s, lk, subject) {
            Some(id) => {
                self.say(format!(
                    "the interrupted {} {action} reached Halo (id {id}); adopting it",
                    subject.words()
                ));
                self.adopt_in_doubt(s, lk, subject, &action, &id)?;
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

    /// Records the object the interrupted write made as the setup's.
    fn adopt_in_doubt(
        &self,
        s: &mut Session,
        lk: &Lookups,
        subject: Subject,
        action: &str,
        id: &str,
    ) -> Result<(), ApplyError> {
        let created = action == "create";
        match subject {
            Subject::Role => {
                s.objects.role_id = Some(id.to_string());
                s.objects.role_created |= created;
            }
            Subject::Agent => {
                s.objects.agent_id = id.parse().ok();
                s.objects.agent_created |= created;
            }
            Subject::Application => {
                s.objects.application_id = Some(id.to_string());
                s.objects.application_created |= created;
                if let Some(app) = lk.applications.iter().find(|a| a.id.as_deref() == Some(id)) {
                    self.take_client_id(s, app, created)?;
                }
            }
            _ => {}
        }
        Ok(())
    }

    /// The adopted application's Client ID as Halo shows it. Where Halo issued credentials of
    /// its own on a create (its client id is not the one sent) and its answer, with its secret,
    /// was lost, the journaled secret is not the application's: it is forgotten, and the
    /// lost-secret route gives this same application a new one.
    fn take_client_id(
        &self,
        s: &mut Session,
        app: &Application,
        created: bool,
    ) -> Result<(), ApplyError> {
        let sent = s.objects.client_id.clone().unwrap_or_default();
        let halos = app.client_id.trim();
        if created && !halos.is_empty() && halos != sent.trim() {
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
        Ok(())
    }

    /// The id of the role Halo created, when its answer is the role that was sent: a role id
    /// (a GUID), the name sent, and this setup's marker in its notes. Where the answer leaves
    /// the notes out, the role is read back by that id to see the marker.
    pub(super) async fn created_role(
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
    pub(super) async fn check_created_application(
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
}

/// The id of the object an interrupted write of `subject` made, when Halo shows it. The chain
/// of `plan::ownership`: the role by this setup's marker, the agent by its username and the
/// role settled before it, the application by marker or login agent.
fn written_by_us(s: &Session, lk: &Lookups, subject: Subject) -> Option<String> {
    let a = &s.answers;
    match subject {
        Subject::Role => {
            let marker = s.marker();
            lk.roles
                .iter()
                .find(|r| ownership::role(r, &marker, &a.role.name).is_ours())
                .and_then(|r| r.id.clone())
        }
        Subject::Agent => {
            // The role settled before the agent: this setup's own, or the one it reuses.
            // A reused role proves nothing by itself, but the plan that started this write
            // found no agent with this username, so one holding the role this setup posted
            // is the one the interrupted write made.
            let proof = ownership::AgentProof {
                our_role_id: s.objects.role_id.as_deref(),
                ..Default::default()
            };
            lk.agents
                .iter()
                .find(|g| ownership::agent(g, &a.agent.name, proof).is_ours())
                .and_then(|g| g.id.map(|i| i.to_string()))
        }
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
    }
}
