//! `halo-onboard status SETUP`: one setup's whole story in words (its objects, its journal,
//! where its secret is, the last check and what is left to do).

use super::common::*;
use super::handover_files::HandoverFile;
pub(crate) use super::standing::state_words;
use crate::config::Config;
use crate::journal::{CheckRecord, Journal, Session, ago};

/// The setup's story as text: see [`StatusArgs::setup`].
pub(super) fn story(j: &Journal, cfg: &Config, s: &Session, files: &[HandoverFile]) -> String {
    let mut o = heading(cfg, s);
    o.push_str(&objects(s));
    o.push_str(&history(s));
    let mine: Vec<&HandoverFile> = files
        .iter()
        .filter(|f| f.setup.as_deref() == Some(s.id.as_str()))
        .collect();
    o.push_str(&secret(s, &mine));
    let check = j.last_check(&s.id);
    o.push_str(&format!(
        "Last check: {}\n",
        check.as_ref().map_or_else(
            || "never".into(),
            |c| format!("{}, {}", c.words(), ago(c.at_unix))
        )
    ));
    o.push_str(&left_to_do(s, check.as_ref(), &mine));
    o
}

/// Which setup, where, its state and when it started.
fn heading(cfg: &Config, s: &Session) -> String {
    let mut o = String::new();
    let address = setup_address(s);
    let instance = cfg
        .instance_at(&address)
        .map(|(n, _)| format!(" (saved instance {n})"))
        .unwrap_or_default();
    o.push_str(&format!(
        "Setup {} — profile {}, Halo {address}{instance}\n",
        s.id,
        s.answers.profile.as_deref().unwrap_or("-")
    ));
    o.push_str(&format!("State: {}\n", state_words(s)));
    o.push_str(&format!(
        "Started {}; last change {}\n",
        crate::timestamp::rfc3339_utc(
            std::time::UNIX_EPOCH + std::time::Duration::from_secs(s.created_unix)
        ),
        ago(s.updated_unix)
    ));
    o
}

/// The setup's objects in Halo and how each came to be.
fn objects(s: &Session) -> String {
    let mut o = String::new();
    let a = &s.answers;
    let ob = &s.objects;
    let how = |created: bool, manual: bool| {
        if manual {
            "made by hand in Halo, adopted (rollback leaves it)"
        } else if created {
            "created by this setup"
        } else {
            "existing, adopted or reused (rollback leaves it)"
        }
    };
    o.push_str("\nObjects in Halo:\n");
    match &ob.role_id {
        Some(id) => o.push_str(&format!(
            "  Role '{}' (id {id}): {}\n",
            a.role.name.trim(),
            how(ob.role_created, ob.role_manual)
        )),
        None => o.push_str(&format!(
            "  Role '{}': not written yet\n",
            a.role.name.trim()
        )),
    }
    match ob.agent_id {
        Some(id) => o.push_str(&format!(
            "  Agent '{}' (id {id}): {}\n",
            a.agent.name.trim(),
            how(ob.agent_created, ob.agent_manual)
        )),
        None => o.push_str(&format!(
            "  Agent '{}': not written yet\n",
            a.agent.name.trim()
        )),
    }
    match &ob.application_id {
        Some(id) => o.push_str(&format!(
            "  Application '{}' (id {id}, Client ID {}): {}\n",
            a.application.name.trim(),
            ob.client_id.as_deref().unwrap_or("-"),
            how(ob.application_created, ob.application_manual)
        )),
        None => o.push_str(&format!(
            "  Application '{}': not written yet\n",
            a.application.name.trim()
        )),
    }
    o
}

/// The journal's entries, oldest first.
fn history(s: &Session) -> String {
    use crate::journal::Event;
    let mut o = String::from("\nWhat happened (the journal, oldest first):\n");
    if s.entries.is_empty() {
        o.push_str("  nothing written to Halo yet\n");
    }
    for e in &s.entries {
        let when = crate::timestamp::rfc3339_utc(
            std::time::UNIX_EPOCH + std::time::Duration::from_secs(e.at_unix),
        );
        let what = match &e.event {
            Event::About { subject, action } => {
                format!("about to {action} the {}", subject.words())
            }
            Event::Done {
                subject,
                action,
                id,
            } => {
                format!("{} {action}: done (id {id})", subject.words())
            }
            Event::Failed {
                subject,
                action,
                error,
            } => format!("{} {action}: FAILED: {error}", subject.words()),
            Event::Note { text } => text.clone(),
        };
        o.push_str(&format!("  {when}  {what}\n"));
    }
    o
}

/// Where the setup's secret is, and which of its hand-over files a rotation superseded.
fn secret(s: &Session, mine: &[&HandoverFile]) -> String {
    let ob = &s.objects;
    let mut o = String::from("\nSecret: ");
    if s.secret_pending {
        o.push_str("kept in the journal until it is handed over\n");
    } else if s.secret_discarded {
        o.push_str("wiped before it was copied or saved: it exists nowhere\n");
    } else if s.handed_over {
        match &s.credentials_file {
            Some(f) => o.push_str(&format!("handed over in {}\n", f.display())),
            None => o.push_str("handed over (copied from the wizard)\n"),
        }
    } else if ob.application_id.is_some() {
        o.push_str("not handed over and not kept: resume gives the application a new one\n");
    } else {
        o.push_str("none yet\n");
    }
    for f in mine {
        if let Some(by) = &f.superseded_by {
            o.push_str(&format!(
                "  {} is superseded by {} (its secret no longer works)\n",
                f.path.display(),
                by.display()
            ));
        }
    }
    o
}

/// What is left to do for the setup, each with the command that does it.
fn left_to_do(s: &Session, check: Option<&CheckRecord>, mine: &[&HandoverFile]) -> String {
    use crate::journal::Status;
    let ob = &s.objects;
    let mut o = String::new();
    let mut todo: Vec<String> = Vec::new();
    match s.status {
        Status::RolledBack => {}
        Status::Planned | Status::Applying => todo.push(format!(
            "continue it: halo-onboard resume {} --yes (nothing is created twice)",
            s.id
        )),
        _ if s.secret_pending => todo.push(format!(
            "hand the secret over: halo-onboard resume {} --yes (writes the credentials file)",
            s.id
        )),
        _ if s.secret_discarded || (ob.application_id.is_some() && !s.handed_over) => todo.push(
            format!(
                "give the application a new secret: {}",
                crate::plan::handover::new_secret_command(&s.id)
            ),
        ),
        Status::Applied | Status::Verified => todo.push(format!(
            "verify it: halo-onboard check {} (the application's secret in HALO_APP_CLIENT_SECRET if no file has it)",
            s.id
        )),
        Status::HandedOver => {}
    }
    if let Some(c) = check.filter(|c| !c.ok && !c.incomplete) {
        todo.push(format!(
            "fix what the last check found ({}): halo-onboard check {}",
            c.words(),
            s.id
        ));
    }
    // What the API cannot set, from the plan as it was shown.
    if s.status != Status::RolledBack
        && let Some(manual) = s
            .plan
            .as_ref()
            .and_then(|p| p.get("manual"))
            .and_then(|m| m.as_array())
    {
        for m in manual.iter().filter_map(|m| m.as_str()) {
            todo.push(format!("by hand in Halo's web UI: {m}"));
        }
    }
    for f in mine.iter().filter(|f| f.superseded_by.is_none()) {
        todo.push(format!(
            "give {} to the vendor, then delete it (`halo-onboard handover clean {}`)",
            f.path.display(),
            s.id
        ));
    }
    if todo.is_empty() {
        o.push_str("Left to do: nothing\n");
    } else {
        o.push_str("Left to do:\n");
        for t in todo {
            o.push_str(&format!("  - {t}\n"));
        }
    }
    o
}
