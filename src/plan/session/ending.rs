//! How a setup ends in the journal: settled after apply and verification, handed over (or its
//! secret discarded), verified again later.

use std::path::PathBuf;

use secrecy::SecretString;

use crate::halo::{Client, Endpoint};
use crate::journal::{Journal, JournalError, Session, Status};
use crate::plan::apply::{ApplyError, Finished, verify_setup};
use crate::plan::handover::{Handover, known_app_secret};
use crate::plan::verify::Verification;

/// How the apply ended, in the journal. Without a new secret there is nothing to hand over: a
/// stale pending one goes (e.g. zeroed by a kill inside the wipe), and the setup is finished
/// once verified or when the caller accepts it unverified. With one, the hand-over (for `ep`)
/// the caller delivers (a file, the wizard's screen); the journal keeps the secret until
/// [`handed_over`].
pub fn settle(
    journal: &Journal,
    ep: &Endpoint,
    s: &mut Session,
    f: &Finished,
    accept_unverified: bool,
) -> Result<Option<Handover>, JournalError> {
    let verified = f
        .verification
        .as_ref()
        .is_some_and(crate::plan::verify::Verification::passed);
    // Remembered for `status`, as Halo reported it (never as fact).
    if f.applied.reported_expiry.is_some() {
        s.reported_expiry = f.applied.reported_expiry.clone();
    }
    let Some(secret) = &f.applied.client_secret else {
        if s.secret_pending {
            journal.wipe_secret(s)?;
        }
        if verified || accept_unverified {
            s.status = Status::HandedOver;
        }
        journal.save(s)?;
        return Ok(None);
    };
    journal.save(s)?;
    let a = &f.applied;
    let issued = s
        .secret_issued_unix()
        .unwrap_or_else(crate::journal::now_unix);
    Ok(Some(
        Handover::new(ep, &a.client_id, secret, a.agent_id)
            .with_issued(issued)
            .with_reported_expiry(a.reported_expiry.as_deref()),
    ))
}

/// The secret reached its owner (saved to `file`, or confirmed on the wizard's screen): the
/// journal forgets it; `finished` closes the setup.
pub fn handed_over(
    journal: &Journal,
    s: &mut Session,
    file: Option<PathBuf>,
    finished: bool,
) -> Result<(), JournalError> {
    journal.hand_over(s, file)?;
    if finished {
        s.status = Status::HandedOver;
    }
    journal.save(s)
}

/// The admin threw the secret away before handing it over (neither copied nor saved): the
/// journal forgets it and says so; the setup is not handed over, and a resume gives the
/// application a new secret (the lost-secret route).
pub fn discarded(journal: &Journal, s: &mut Session) -> Result<(), JournalError> {
    s.secret_discarded = true;
    s.push(crate::journal::Event::Note {
        text: "the secret was wiped before it was copied or saved: the application needs a new one"
            .into(),
    });
    journal.wipe_secret(s)
}

/// Verifies a setup again (after the admin fixed what failed in Halo) with `secret`, the one
/// still on the hand-over screen, else with what an earlier hand-over of this application left.
/// The secret is never kept beyond this call.
pub async fn verify_again(
    client: &Client,
    s: &Session,
    client_id: &str,
    agent_id: i64,
    secret: Option<SecretString>,
) -> Result<Verification, ApplyError> {
    let secret = match secret {
        Some(sec) => sec,
        None => {
            let journal = Journal::open_default()?;
            let app_id = s.objects.application_id.clone().unwrap_or_default();
            known_app_secret(&journal, &app_id, client_id)
                .map(|k| k.secret)
                .ok_or_else(|| ApplyError::SecretNotAtHand {
                    setup: s.id.clone(),
                })?
        }
    };
    Ok(verify_setup(client, &s.answers, client_id, agent_id, &secret).await)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::answers::Answers;
    use crate::plan::apply::Applied;
    use crate::plan::verify::Check;

    fn finished(secret: Option<&str>, passed: Option<bool>) -> Finished {
        let mut applied = Applied::default();
        applied.client_id = "cid".into();
        applied.agent_id = 7;
        applied.client_secret = secret.map(|s| SecretString::from(s.to_string()));
        Finished {
            applied,
            verification: passed.map(|pass| Verification {
                checks: vec![Check {
                    name: "token".into(),
                    pass,
                    could_not_check: false,
                    layer: None,
                    detail: String::new(),
                    fix: String::new(),
                }],
                invalid_client: false,
            }),
            verified_with: None,
        }
    }

    #[test]
    fn how_a_setup_ends() {
        let d = tempfile::tempdir().unwrap();
        let j = Journal::open(d.path()).unwrap();
        let ep = Endpoint::hosted("https://acme.halopsa.com").unwrap();
        // No new secret, verified: finished, and a stale pending secret goes.
        let mut s = j.create(Answers::default(), Some(ep.clone())).unwrap();
        j.store_secret(&mut s, &SecretString::from("stale".to_string()))
            .unwrap();
        assert!(
            settle(&j, &ep, &mut s, &finished(None, Some(true)), false)
                .unwrap()
                .is_none()
        );
        assert_eq!(s.status, Status::HandedOver);
        assert!(!s.secret_pending && j.load_secret(&s.id).is_none());
        // Not verified: open, unless the caller accepts it.
        let mut s = j.create(Answers::default(), Some(ep.clone())).unwrap();
        settle(&j, &ep, &mut s, &finished(None, None), false).unwrap();
        assert_ne!(s.status, Status::HandedOver);
        settle(&j, &ep, &mut s, &finished(None, None), true).unwrap();
        assert_eq!(s.status, Status::HandedOver);
        // A new secret: the hand-over to deliver; the setup stays open until it is handed over.
        let mut s = j.create(Answers::default(), Some(ep.clone())).unwrap();
        let ho = settle(&j, &ep, &mut s, &finished(Some("new"), Some(true)), false)
            .unwrap()
            .expect("a hand-over");
        assert_eq!((ho.client_id.as_str(), ho.agent_id), ("cid", 7));
        assert_ne!(s.status, Status::HandedOver);
        handed_over(&j, &mut s, None, true).unwrap();
        assert_eq!(j.load(&s.id).unwrap().status, Status::HandedOver);
    }
}
