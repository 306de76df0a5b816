//! What the wizard prints on the normal screen when it closes: the setup, where it stands and
//! what is left to do.

use crate::plan::verify::Verdict;

use super::model::Model;
use super::state::{ApplyState, Phase};

/// What the user needs after the wizard closes, printed on the normal screen (so an SSH user
/// can scroll back to it): the setup, the client id, where the credentials are, what is left.
/// Never the secret. `None` when nothing was started.
pub fn exit_summary(m: &Model) -> Option<String> {
    let a = &m.apply;
    let id = a.session_id.as_deref()?;
    let mut s = format!("halo-onboard: setup {id}\n");
    let client_id = a
        .handover
        .as_ref()
        .map(|h| h.client_id.clone())
        .filter(|c| !c.is_empty())
        .unwrap_or_else(|| a.client_id.clone());
    if !client_id.is_empty() {
        s.push_str(&format!("  Client ID:        {client_id}\n"));
    }
    let mut todo = Vec::new();
    match &a.phase {
        Phase::Idle => {
            s.push_str("  Status:           not applied yet\n");
            todo.push(format!("continue it: halo-onboard resume {id}"));
        }
        Phase::Running | Phase::Verifying => {
            s.push_str("  Status:           interrupted while applying\n");
            todo.push(format!(
                "continue it: halo-onboard resume {id} (nothing is created twice)"
            ));
        }
        Phase::Failed { message, .. } => {
            s.push_str(&format!("  Status:           stopped: {message}\n"));
            todo.push(format!("continue it: halo-onboard resume {id}"));
        }
        Phase::Done => done(a, id, &mut s, &mut todo),
    }
    credentials(a, id, &mut s, &mut todo);
    if todo.is_empty() {
        s.push_str("  Left to do:       nothing\n");
    } else {
        s.push_str("  Left to do:\n");
        for t in todo {
            s.push_str(&format!("    - {t}\n"));
        }
    }
    Some(s)
}

/// An applied setup: its verdict, and what the manual steps and the checks leave to do.
fn done(a: &ApplyState, id: &str, s: &mut String, todo: &mut Vec<String>) {
    let verdict = a.verdict();
    let status = match (verdict, &a.verification) {
        (Verdict::Verified, Some(v)) => {
            format!("applied and verified ({} checks)", v.checks.len())
        }
        (Verdict::Failed, Some(v)) => format!(
            "applied; verification FAILED ({} of {} checks)",
            v.failures().count(),
            v.checks.len()
        ),
        (Verdict::ManualStepsLeft, _) => format!(
            "{}; not verified",
            crate::plan::verify::steps_left(a.manual_left.len())
        ),
        (_, Some(v)) => format!(
            "applied; not verified: {} of {} needs could not be checked",
            v.unproven().count(),
            v.checks.len()
        ),
        (_, None) => "applied; credentials not verified".into(),
    };
    s.push_str(&format!("  Status:           {status}\n"));
    for step in &a.manual_left {
        todo.push(format!("by hand in Halo: {step}"));
    }
    if !a.manual_left.is_empty() {
        todo.push(format!(
            "then record them as done and verify: halo-onboard resume {id} --confirm-manual --yes"
        ));
    }
    match (verdict, &a.verification) {
        (Verdict::Failed, _) => todo.push(format!(
            "fix what the failed checks name in Halo, then: halo-onboard check {id}"
        )),
        (Verdict::CouldNotCheck, Some(_)) => todo.push(format!(
            "some needs could not be checked on this Halo: halo-onboard doctor shows which paths it serves; halo-onboard check {id} tries again"
        )),
        (_, None) => todo.push(format!(
            "verify with the application's secret: HALO_APP_CLIENT_SECRET=… halo-onboard check {id}"
        )),
        _ => {}
    }
}

/// Where the credentials went, and what is left for the secret.
fn credentials(a: &ApplyState, id: &str, s: &mut String, todo: &mut Vec<String>) {
    match (&a.saved_to, a.secret_pending()) {
        (Some(p), _) => {
            s.push_str(&format!(
                "  Credentials file: {} (mode 0600, holds the secret)\n",
                p.display()
            ));
            todo.push("give the credentials file to the vendor, then delete it".into());
        }
        (None, true) => s.push_str("  Credentials file: not saved\n"),
        (None, false) if a.paste_confirmed => {
            s.push_str("  Credentials:      copied to the clipboard (paste confirmed)\n");
        }
        (None, false) => {}
    }
    if a.secret_pending() {
        let copied = if a.copied {
            " (it was sent to the clipboard, but the paste was not confirmed: OSC 52 may have gone nowhere)"
        } else {
            ""
        };
        todo.push(format!(
            "the hand-over is not confirmed{copied}: the secret is kept in the journal until `halo-onboard resume {id}` hands it over"
        ));
    }
    if a.discarded {
        s.push_str("  Secret:           wiped before it was copied or saved: it exists nowhere\n");
        todo.push(format!(
            "give the application a new secret and hand it over: {}",
            crate::plan::handover::new_secret_command(id)
        ));
    }
}
