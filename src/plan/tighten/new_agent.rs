//! Tightening through a new agent: the rotation route (a new role, API-only agent and
//! application from the profile; the old ones untouched until `rotate --finish`).

use crate::answers::Answers;
use crate::journal::rotation::{Previous, Purpose, Rotation};
use crate::journal::{Event, Objects, Session, Status, Subject, now_unix};
use crate::plan::apply::{Applier, GivenSecret};
use crate::plan::rotate::{RotateError, Rotator, is_recorded};
use crate::plan::survey::For;
use crate::plan::verify::Verification;

/// The rotation route, step 1: the setup's application proven ours, the setup's answers and
/// objects kept aside (restored by `abandon`), the profile's answers in their place.
pub(crate) async fn begin_new_agent(
    r: &Rotator<'_>,
    s: &mut Session,
    target: &Answers,
) -> Result<(), RotateError> {
    if let Some(rot) = &s.rotation {
        if rot.purpose == Purpose::Tighten {
            return Ok(());
        }
        return Err(RotateError::NotReady(
            format!(
                "a rotation of setup {} is in progress ({})",
                s.id,
                rot.words()
            ),
            format!(
                "Finish it first (`halo-onboard rotate --finish {0}`) or abandon it (`halo-onboard rotate --abandon {0}`).",
                s.id
            ),
        ));
    }
    let o = s.objects.clone();
    let (app_id, cid, agent_id) = (
        o.application_id.clone().unwrap_or_default(),
        o.client_id.clone().unwrap_or_default(),
        o.agent_id.unwrap_or_default(),
    );
    let app = r.client.get_application(&app_id).await?;
    is_recorded(&app, &app_id, &cid, agent_id).map_err(RotateError::NotOurs)?;
    let mut answers = target.clone();
    answers.connection = s.answers.connection.clone();
    answers.profile = s.answers.profile.clone().or(target.profile.clone());
    s.rotation = Some(Rotation {
        purpose: Purpose::Tighten,
        started_unix: now_unix(),
        old_application_id: app_id.clone(),
        old_client_id: cid,
        old_agent_id: agent_id,
        before: Vec::new(),
        sent_client_id: String::new(),
        agent_id: 0,
        name: answers.application.name.trim().to_string(),
        scopes: crate::halo::scopes::normalise(&answers.scopes),
        new_application_id: None,
        new_client_id: None,
        created_unix: None,
        verified: false,
        credentials_file: None,
        handed_over: false,
        previous: Some(Box::new(Previous {
            answers: s.answers.clone(),
            objects: s.objects.clone(),
            credentials_file: s.credentials_file.clone(),
            handed_over: s.handed_over,
        })),
    });
    s.answers = answers;
    s.objects = Objects::default();
    s.credentials_file = None;
    s.handed_over = false;
    s.status = Status::Planned;
    r.journal.record(
        s,
        Event::Note {
            text: format!(
                "tightening started: a new role, API-only agent and application from the profile; application {app_id} stays until `rotate --finish`"
            ),
        },
    )?;
    Ok(())
}

/// The rotation route, step 2: the profile's role, agent and application created (the apply
/// engine: journaled, resumable, never twice), verified with the new credentials. A secret
/// `given` is one copied from Halo's web UI where Halo keeps its own.
pub(crate) async fn create_new_agent(
    r: &Rotator<'_>,
    s: &mut Session,
    given: Option<&GivenSecret>,
) -> Result<Verification, RotateError> {
    let rot = s.rotation.clone().ok_or_else(|| {
        RotateError::NotReady(
            format!("setup {} is not being tightened", s.id),
            String::new(),
        )
    })?;
    if rot.verified {
        return Ok(Verification::default());
    }
    if let Some(g) = given {
        r.journal.store_secret(s, &g.secret)?;
    }
    let applier = Applier {
        client: r.client,
        journal: r.journal,
        progress: r.progress.clone(),
        regenerate_secret: false,
    };
    let mut lk = crate::plan::survey::lookups(r.client, For::Setup(&s.answers)).await?;
    // The old application is not a stranger with the same name: it is the one being replaced.
    lk.applications.retain(|a| {
        !a.id
            .as_deref()
            .is_some_and(|i| i.eq_ignore_ascii_case(&rot.old_application_id))
    });
    let f = applier.apply_and_verify_with(s, lk, None).await?;
    let Some(v) = f.verification else {
        return Err(RotateError::NotReady(
            "the new credentials could not be verified".into(),
            format!("Abandon it: halo-onboard rotate --abandon {}", s.id),
        ));
    };
    if !crate::plan::rotate::works(&v) {
        return Err(RotateError::Unverified(v));
    }
    let created = s.secret_issued_unix().unwrap_or_else(now_unix);
    if let Some(x) = s.rotation.as_mut() {
        x.new_application_id = s.objects.application_id.clone();
        x.new_client_id = s.objects.client_id.clone();
        x.agent_id = s.objects.agent_id.unwrap_or_default();
        x.created_unix = Some(created);
        x.verified = true;
    }
    r.journal.record(
        s,
        Event::Done {
            subject: Subject::Verify,
            action: "rotation".into(),
            id: s.objects.application_id.clone().unwrap_or_default(),
        },
    )?;
    Ok(v)
}

/// Gives a tightening up: what it created (role, agent, application, each proven ours) is
/// deleted, and the setup's answers and objects are put back as they were. The old
/// application was never touched.
pub(crate) async fn abandon(r: &Rotator<'_>, s: &mut Session) -> Result<Vec<String>, RotateError> {
    let Some(rot) = s.rotation.clone() else {
        return Ok(Vec::new());
    };
    let mut done = Vec::new();
    let o = &s.objects;
    if o.role_created || o.agent_created || o.application_created {
        let items = crate::plan::rollback::rollback(r.client, r.journal, s).await?;
        done.extend(items.iter().map(|i| i.line(true)));
    }
    if let Some(f) = &rot.credentials_file
        && crate::plan::handover::read_credentials(f).is_some_and(|(cid, _)| {
            rot.new_client_id
                .as_deref()
                .is_some_and(|n| cid.eq_ignore_ascii_case(n))
        })
        && crate::journal::fsutil::wipe(f).is_ok()
    {
        done.push(format!("wiped the new credentials file {}", f.display()));
    }
    if s.secret_pending {
        r.journal.wipe_secret(s)?;
    }
    if let Some(p) = rot.previous {
        s.answers = p.answers;
        s.objects = p.objects;
        s.credentials_file = p.credentials_file;
        s.handed_over = p.handed_over;
    }
    s.status = Status::HandedOver;
    s.rotation = None;
    r.journal.record(
        s,
        Event::Note {
            text: format!(
                "tightening abandoned; the setup is as it was (application {})",
                rot.old_application_id
            ),
        },
    )?;
    Ok(done)
}
