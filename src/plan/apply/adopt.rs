//! Adopting what the admin made by hand in Halo's web UI after Halo refused a write.

use super::*;

impl Applier<'_> {
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
    pub(super) fn adopt_secret(
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
}
