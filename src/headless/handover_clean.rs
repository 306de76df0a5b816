//! `halo-onboard handover clean`: deletes the hand-over files still on disk, each proven to be
//! its setup's first, overwritten with zeros and synced, never through a symlink.

use super::common::*;
use super::handover_files::{HandoverFile, handover_files, holds_credentials};
use crate::journal::{Journal, Session};

/// `halo-onboard handover`'s command line.
#[derive(Debug, Clone, clap::Args)]
pub struct HandoverArgs {
    /// What to do with the hand-over files.
    #[command(subcommand)]
    pub action: HandoverAction,
}

/// The subcommands of `halo-onboard handover`.
#[derive(Debug, Clone, clap::Subcommand)]
pub enum HandoverAction {
    /// Delete the hand-over files still on disk (each overwritten with zeros first). Lists
    /// them and asks; --yes deletes without asking.
    Clean {
        /// Only the hand-over files of these setups (ids, unique prefixes or `last`); without
        /// any, every hand-over file.
        #[arg(value_name = "SETUP", add = clap_complete::engine::ArgValueCompleter::new(crate::headless::complete::setups))]
        setups: Vec<String>,
        /// Delete without asking.
        #[arg(long)]
        yes: bool,
        /// Print one JSON object on stdout: `deleted` and `failed` (path and why).
        #[arg(long)]
        json: bool,
    },
}

fn journal() -> Result<Journal, Failure> {
    Journal::open_default().map_err(|e| Failure::new(e.to_string(), e.hint()))
}

/// Proves `f` is the hand-over file of the setup it is listed for before it is deleted: that
/// setup is here, and the file (looked at again right before, never through a link) holds
/// that setup's Client ID. A file another integration wrote, or one a journal was edited to
/// point at, is left alone with the reason. The setup's lock is taken and returned: the file
/// is deleted while no other run writes that setup.
fn prove_ours(
    j: &Journal,
    sessions: &[Session],
    f: &HandoverFile,
) -> Result<crate::journal::lock::Lock, LeftAlone> {
    let Some(id) = &f.setup else {
        return Err(LeftAlone::NoSetup);
    };
    let Some(s) = sessions.iter().find(|s| &s.id == id) else {
        return Err(LeftAlone::SetupGone(id.clone()));
    };
    let want = s
        .objects
        .client_id
        .as_deref()
        .map(str::trim)
        .filter(|c| !c.is_empty())
        .ok_or_else(|| LeftAlone::NoClientId(id.clone()))?;
    if !holds_credentials(&f.path) {
        return Err(LeftAlone::NotAHandoverFile);
    }
    let got = crate::plan::handover::read_credentials(&f.path)
        .map(|(cid, _)| cid)
        .unwrap_or_default();
    if !got.trim().eq_ignore_ascii_case(want) {
        return Err(LeftAlone::OtherClientId {
            got: crate::text::line(if got.trim().is_empty() {
                "(none)"
            } else {
                got.trim()
            }),
            id: id.clone(),
            want: want.to_string(),
        });
    }
    j.lock_setup(id, "handover clean").map_err(LeftAlone::Busy)
}

/// Why a listed hand-over file was not deleted: nothing proves it is its setup's, or another
/// run writes that setup.
#[derive(Debug, thiserror::Error)]
enum LeftAlone {
    #[error(
        "no setup here names it (not a setup's default file, and no journal points at it): left alone"
    )]
    NoSetup,
    #[error("setup {0} is not here any more, so nothing proves the file is its own: left alone")]
    SetupGone(String),
    #[error("setup {0} records no Client ID to compare it with: left alone")]
    NoClientId(String),
    #[error("no longer a hand-over file (changed or a link): left alone")]
    NotAHandoverFile,
    #[error(
        "it holds the Client ID {got}, not setup {id}'s ({want}): another integration's file, left alone"
    )]
    OtherClientId {
        got: String,
        id: String,
        want: String,
    },
    #[error("{0}: left alone")]
    Busy(crate::journal::JournalError),
}

/// `halo-onboard handover clean`.
pub fn run_handover(args: &HandoverArgs) -> u8 {
    let HandoverAction::Clean {
        ref setups,
        yes,
        json,
    } = args.action;
    let j = match journal() {
        Ok(j) => j,
        Err(f) => {
            print_failure(&f, json);
            return f.code;
        }
    };
    // The setups named: their files only (exactly what is named, nothing else).
    let mut named: Vec<String> = Vec::new();
    for r in setups {
        match super::sessions::resolve(&j, r) {
            Ok(s) => named.push(s.id),
            Err(f) => {
                print_failure(&f, json);
                return f.code;
            }
        }
    }
    let (sessions, _bad) = j.list();
    let mut files = handover_files(&j, &sessions);
    if !named.is_empty() {
        files.retain(|f| f.setup.as_ref().is_some_and(|s| named.contains(s)));
    }
    if files.is_empty() {
        if json {
            outln!(
                "{}",
                serde_json::json!({"ok": true, "deleted": [], "failed": []})
            );
        } else {
            outln!("No hand-over files on disk.");
        }
        return EXIT_OK;
    }
    if !yes && !confirmed(&files, json) {
        return EXIT_OK;
    }
    let mut deleted = Vec::new();
    let mut failed = Vec::new();
    for f in &files {
        // Only a file proven to be its setup's, while no other run writes that setup.
        let r = prove_ours(&j, &sessions, f)
            .map_err(|e| e.to_string())
            .and_then(|_lock| crate::journal::fsutil::wipe(&f.path).map_err(|e| e.to_string()));
        match r {
            Ok(()) => deleted.push(f.path.clone()),
            Err(e) => failed.push((f.path.clone(), e)),
        }
    }
    report(&deleted, &failed, json);
    if failed.is_empty() {
        EXIT_OK
    } else {
        EXIT_FAILED
    }
}

/// Lists the files and asks before deleting them; without a terminal (or with --json) says
/// how to delete them and deletes nothing.
fn confirmed(files: &[HandoverFile], json: bool) -> bool {
    let list: Vec<String> = files
        .iter()
        .map(|f| format!("  {} ({}d old)", f.path.display(), f.age_days))
        .collect();
    let list = crate::text::block(&list.join("\n")).into_owned();
    let asked = !json && super::prompt::interactive();
    if !json {
        outln!("Hand-over files on disk (each holds a secret):\n{list}");
        outln!(
            "Deleting them is for good: `check SETUP` then needs the secret in {APP_SECRET_ENV}."
        );
    }
    if !asked || !super::prompt::yes_no(&format!("Delete these {} file(s)?", files.len())) {
        if json {
            outln!(
                "{}",
                serde_json::json!({"ok": true, "dry_run": true, "files": files})
            );
        } else {
            outln!("Nothing was deleted. To delete them, run `halo-onboard handover clean --yes`.");
        }
        return false;
    }
    true
}

/// What was deleted and what was left, with why.
fn report(deleted: &[std::path::PathBuf], failed: &[(std::path::PathBuf, String)], json: bool) {
    if json {
        let failed: Vec<_> = failed
            .iter()
            .map(|(p, e)| serde_json::json!({"path": p, "error": e}))
            .collect();
        outln!(
            "{}",
            serde_json::json!({"ok": failed.is_empty(), "deleted": deleted, "failed": failed})
        );
    } else {
        for p in deleted {
            outln!("deleted {}", crate::text::line(&p.display().to_string()));
        }
        for (p, e) in failed {
            errln!(
                "not deleted {}: {}",
                crate::text::line(&p.display().to_string()),
                crate::text::line(e)
            );
        }
    }
}
