//! `sessions`, `resume ID`, `rollback ID`.

use super::common::*;
use super::execute::{RunArgs, run_session};
pub use super::open::resolve;
use super::open::{Opened, journal, open_session};
use crate::journal::{Journal, Session};
use crate::plan::Object;
use crate::plan::manual;
use crate::plan::rollback;
use crate::plan::session;

/// `halo-onboard sessions`'s command line.
#[derive(Debug, Clone, clap::Args)]
#[command(args_conflicts_with_subcommands = true)]
pub struct SessionsArgs {
    /// `discard`; `None` lists the setups.
    #[command(subcommand)]
    pub action: Option<SessionsAction>,
    /// Include finished setups (handed over or rolled back).
    #[arg(long)]
    pub all: bool,
    /// Print one JSON object on stdout: `sessions` (id, status, profile, url, updated_unix,
    /// objects) and `unreadable` (journal files that could not be read).
    #[arg(long)]
    pub json: bool,
}

/// The subcommands of `halo-onboard sessions`.
#[derive(Debug, Clone, clap::Subcommand)]
pub enum SessionsAction {
    /// Forget setups: their journal, a secret still waiting in it, their last check. Exactly
    /// the setups named; Halo is not touched (`rollback` deletes objects) and hand-over files
    /// stay (`handover clean SETUP`). Lists them and asks; --yes forgets without asking.
    Discard {
        /// Setup ids, unique prefixes of ids, or `last`.
        #[arg(value_name = "SETUP", required = true, add = clap_complete::engine::ArgValueCompleter::new(crate::headless::complete::setups))]
        setups: Vec<String>,
        /// Forget without asking.
        #[arg(long)]
        yes: bool,
    },
}

/// `halo-onboard resume`'s command line.
#[derive(Debug, Clone, clap::Args)]
pub struct ResumeArgs {
    /// Setup id, a unique prefix of one, or `last` (see `halo-onboard sessions`).
    #[arg(add = clap_complete::engine::ArgValueCompleter::new(crate::headless::complete::setups))]
    pub id: String,
    /// The bootstrap secret, saved instance and certificate authority that reach the setup's
    /// Halo.
    #[command(flatten)]
    pub access: super::open::SetupAccess,
    /// Stop after this long (e.g. 90s, 30m, 1h30m; default 10m). What was cut off is said,
    /// and `resume` continues it.
    #[arg(long, value_name = "DURATION", value_parser = super::deadline::parse_duration)]
    pub deadline: Option<std::time::Duration>,
    /// The step Halo refused and you did by hand in Halo's web UI: `role`, `agent` or
    /// `application`. It is found by name, adopted as is (never deleted by rollback), and the
    /// setup continues.
    #[arg(long, value_name = "STEP", value_parser = ["role", "agent", "application"])]
    pub manual: Option<String>,
    /// With `--manual application`: the Client ID you copied from Halo.
    #[arg(long, value_name = "ID", requires = "manual")]
    pub manual_client_id: Option<String>,
    /// With `--manual application`: file holding the Client Secret you copied (otherwise
    /// HALO_APP_CLIENT_SECRET).
    #[arg(long, value_name = "FILE", requires = "manual")]
    pub manual_secret_file: Option<std::path::PathBuf>,
    /// The steps to do by hand in Halo's web UI that this setup listed ("Manual steps left")
    /// are done: records them as done, then applies (a repair) and verifies again. Until then
    /// the setup is "applied, N manual steps left", never verified (exit 3).
    #[arg(long, requires = "yes")]
    pub confirm_manual: bool,
    /// What applying may do and where the hand-over goes (`--yes`, `--out`, `--json`, ...).
    #[command(flatten)]
    pub run: RunArgs,
}

/// `halo-onboard rollback`'s command line.
#[derive(Debug, Clone, clap::Args)]
pub struct RollbackArgs {
    /// Setup id, a unique prefix of one, or `last` (see `halo-onboard sessions --all`).
    #[arg(add = clap_complete::engine::ArgValueCompleter::new(crate::headless::complete::setups))]
    pub id: String,
    /// The bootstrap secret, saved instance and certificate authority that reach the setup's
    /// Halo.
    #[command(flatten)]
    pub access: super::open::SetupAccess,
    /// Stop after this long (e.g. 90s, 30m, 1h30m; default 10m); running it again continues.
    #[arg(long, value_name = "DURATION", value_parser = super::deadline::parse_duration)]
    pub deadline: Option<std::time::Duration>,
    /// Delete without asking; without it the objects to delete are listed (and, on a
    /// terminal, you are asked).
    #[arg(long)]
    pub yes: bool,
    /// Print one JSON object on stdout: `ok`, `session`, `dry_run` (listed only) and
    /// `objects` (each with what happened to it: deleted, already gone, kept and why).
    #[arg(long)]
    pub json: bool,
}

/// After a dropped session the admin's own terminal may still be in the wizard's screen (raw
/// mode, the alternate screen): nothing on this side of the connection can undo that.
pub const RESET_HINT: &str = "A session that dropped may have left your terminal in the wizard's screen: `reset` restores it. `halo-onboard status SETUP` tells what was written and what is left.";

/// `sessions discard`: forgets exactly the setups named.
fn discard(setups: &[String], yes: bool) -> u8 {
    let j = match journal() {
        Ok(j) => j,
        Err(f) => {
            print_failure(&f, false);
            return f.code;
        }
    };
    let mut found: Vec<Session> = Vec::new();
    for r in setups {
        match resolve(&j, r) {
            Ok(s) if found.iter().any(|x| x.id == s.id) => {}
            Ok(s) => found.push(s),
            Err(f) => {
                print_failure(&f, false);
                return f.code;
            }
        }
    }
    for s in &found {
        let pending = if s.secret_pending {
            " — its secret, never handed over, goes too"
        } else {
            ""
        };
        let emulator = if on_emulator(s) { " (emulator)" } else { "" };
        outln!(
            "  {} {} {}{emulator}{pending}",
            s.id,
            s.answers.profile.as_deref().unwrap_or("-"),
            super::standing::state_words(s)
        );
    }
    let asked = !yes
        && super::prompt::interactive()
        && super::prompt::yes_no(&format!(
            "Forget these {} setup(s)? Halo is not touched.",
            found.len()
        ));
    if !yes && !asked {
        outln!(
            "Nothing was forgotten. To do it, add --yes (Halo is never touched; `rollback` deletes objects)."
        );
        return EXIT_OK;
    }
    let mut failed = false;
    for s in &found {
        match j.discard(s) {
            Ok(()) => outln!("forgot setup {}", s.id),
            Err(e) => {
                failed = true;
                errln!(
                    "could not forget setup {}: {e}\n  what to do: {}",
                    s.id,
                    e.hint()
                );
            }
        }
    }
    if failed { EXIT_FAILED } else { EXIT_OK }
}

/// `halo-onboard sessions`: lists the setups in the journal, or forgets the ones named; the
/// exit code.
pub fn run_sessions(args: &SessionsArgs) -> u8 {
    if let Some(SessionsAction::Discard { setups, yes }) = &args.action {
        return discard(setups, *yes);
    }
    let j = match journal() {
        Ok(j) => j,
        Err(f) => {
            print_failure(&f, args.json);
            return f.code;
        }
    };
    let (list, bad) = if args.all { j.list() } else { j.unfinished() };
    if args.json {
        let rows: Vec<_> = list
            .iter()
            .map(|s| serde_json::json!({"id": s.id, "status": s.status, "manual_steps_left": s.manual_left(), "profile": s.answers.profile, "url": s.endpoint.as_ref().map(|e| e.base_url().to_string()), "updated_unix": s.updated_unix, "objects": s.objects}))
            .collect();
        let errs: Vec<_> = bad.iter().map(std::string::ToString::to_string).collect();
        outln!(
            "{}",
            serde_json::json!({"sessions": rows, "unreadable": errs})
        );
    } else {
        if list.is_empty() {
            outln!("No {}setups.", if args.all { "" } else { "unfinished " });
        } else {
            let rows: Vec<Vec<String>> = list
                .iter()
                .map(|s| {
                    vec![
                        s.id.clone(),
                        super::standing::state_words(s),
                        s.answers.profile.clone().unwrap_or_else(|| "-".into()),
                        s.age(),
                        s.endpoint
                            .as_ref()
                            .map(|e| {
                                let mark = if on_emulator(s) { " (emulator)" } else { "" };
                                format!("{}{mark}", e.base_url())
                            })
                            .unwrap_or_default(),
                    ]
                })
                .collect();
            use super::table::{capped, col, render};
            out!(
                "{}",
                render(
                    &[
                        col("ID"),
                        col("STATUS"),
                        capped("PROFILE", 24),
                        col("UPDATED"),
                        col("URL")
                    ],
                    &rows
                )
            );
            if list.iter().any(|s| !s.finished()) {
                outln!(
                    "\nContinue one with: halo-onboard resume ID --yes   (bootstrap secret from HALO_CLIENT_SECRET)"
                );
                outln!("{RESET_HINT}");
            }
        }
        for e in &bad {
            errln!("warning: {e}\n  what to do: {}", e.hint());
        }
    }
    EXIT_OK
}

/// `halo-onboard resume`: continues a setup from its journal, within its deadline; the exit
/// code.
pub async fn run_resume(args: &ResumeArgs) -> u8 {
    super::deadline::within(args.deadline, "resume", args.run.json, resume(args)).await
}

async fn resume(args: &ResumeArgs) -> u8 {
    let r = async {
        let Opened {
            journal: j,
            session: mut s,
            client,
            endpoint: _,
            _locks,
        } = open_session(&args.id, &args.access, "resume").await?;
        if let Some(f) = super::rotate::busy(&s) {
            return Err(f);
        }
        if !args.run.json && !super::output::quiet() {
            errln!("Resuming setup {}. {RESET_HINT}", s.id);
        }
        if s.finished() {
            return Err(Failure::new(
                format!("setup {} is already finished: {}", s.id, s.state_words()),
                "Nothing to resume; `halo-onboard check` audits it.",
            ));
        }
        super::execute::check_out(&args.run, &j)?;
        if args.confirm_manual {
            confirm_manual(&j, &mut s, args.run.json)?;
        }
        let adopt = match &args.manual {
            Some(word) => Some(made_by_hand(args, word)?),
            None => None,
        };
        let traps = super::execute::traps_of(&s.answers);
        // The locks are held since the setup was opened.
        run_session(&client, &j, &mut s, &args.run, traps, adopt, None).await
    }
    .await;
    r.unwrap_or_else(|f| {
        print_failure(&f, args.run.json);
        f.code
    })
}

/// `--confirm-manual`: the admin says the listed manual steps are done; the resume that
/// follows verifies again.
fn confirm_manual(j: &Journal, s: &mut Session, json: bool) -> Result<(), Failure> {
    let left: Vec<String> = s.manual_left().into_iter().map(String::from).collect();
    if !json && !super::output::quiet() {
        if left.is_empty() {
            errln!("No manual step of setup {} is left to confirm.", s.id);
        } else {
            errln!("Recorded as done in Halo's web UI:");
            for m in &left {
                errln!("  - {}", crate::text::line(m));
            }
        }
    }
    j.confirm_manual(s)
        .map_err(|e| Failure::new(e.to_string(), e.hint()))
}

/// `--manual STEP`: what the user made by hand; the run finds it in Halo and adopts it before
/// planning.
fn made_by_hand(args: &ResumeArgs, word: &str) -> Result<session::Adopt, Failure> {
    let object = manual::parse_object(word).ok_or_else(|| {
        Failure::new(
            format!("--manual {word}: not a step"),
            "Use role, agent or application.",
        )
    })?;
    let creds = if object == Object::Application {
        let client_id = args.manual_client_id.clone().unwrap_or_default();
        if client_id.trim().is_empty() {
            return Err(Failure::new(
                "--manual application needs the Client ID you copied from Halo",
                format!(
                    "Add --manual-client-id CLIENT_ID (and the secret in {APP_SECRET_ENV} or --manual-secret-file)."
                ),
            ));
        }
        let client_secret = secret_or_ask(
            args.manual_secret_file.as_deref(),
            APP_SECRET_ENV,
            "Client Secret you copied from Halo",
        )?;
        Some(manual::ManualCredentials {
            client_id: client_id.trim().to_string(),
            client_secret,
        })
    } else {
        None
    };
    Ok(session::Adopt {
        object,
        credentials: creds,
    })
}

/// `halo-onboard rollback`: deletes what a setup created (each object proven ours first),
/// within its deadline; the exit code.
pub async fn run_rollback(args: &RollbackArgs) -> u8 {
    super::deadline::within(args.deadline, "rollback", args.json, rollback_run(args)).await
}

async fn rollback_run(args: &RollbackArgs) -> u8 {
    let r = async {
        let Opened {
            journal: j,
            session: mut s,
            client,
            _locks,
            ..
        } = open_session(&args.id, &args.access, "rollback").await?;
        let retry = format!("halo-onboard rollback {} --yes", s.id);
        if !args.yes && !rollback_asked(args, &client, &s, &retry).await? {
            return Ok(EXIT_OK);
        }
        let items = rollback::rollback(&client, &j, &mut s)
            .await
            .map_err(|e| retry_failure(e.to_string(), rollback_hint(&e), &retry))?;
        print_rolled_back(args, &s, &items);
        Ok(EXIT_OK)
    }
    .await;
    r.unwrap_or_else(|f| {
        print_failure(&f, args.json);
        f.code
    })
}

/// A rollback failure, with the command that retries it safely.
fn retry_failure(e: String, hint: String, retry: &str) -> Failure {
    Failure::new(
        e,
        format!("{hint} Then retry with `{retry}`: it reads Halo again and deletes nothing twice."),
    )
}

/// Without `--yes`: what a rollback would delete, then (on a terminal) the question. `true`
/// when the admin said yes; otherwise nothing is deleted and the command to do it is named.
async fn rollback_asked(
    args: &RollbackArgs,
    client: &crate::halo::Client,
    s: &Session,
    retry: &str,
) -> Result<bool, Failure> {
    let items = rollback::assess(client, s)
        .await
        .map_err(|e| retry_failure(e.to_string(), e.hint().to_string(), retry))?;
    if args.json {
        outln!(
            "{}",
            serde_json::json!({"ok": true, "session": s.id, "dry_run": true, "objects": items})
        );
    } else if items.is_empty() {
        outln!("Setup {} created nothing that is still there.", s.id);
    } else {
        outln!("Setup {}, newest first:", s.id);
        for i in &items {
            outln!("  {}", i.line(false));
        }
        outln!("Objects it reused, adopted or that are not provably its own are never deleted.");
    }
    // On a terminal the list is followed by the question; elsewhere by the command.
    let asked = !args.json
        && !items.is_empty()
        && super::prompt::interactive()
        && super::prompt::yes_no("Delete them from Halo?");
    if !asked && !args.json && !items.is_empty() {
        outln!("Nothing was deleted. Run `{retry}` to do it.");
    }
    Ok(asked)
}

/// What the rollback did to each object, and what it kept.
fn print_rolled_back(args: &RollbackArgs, s: &Session, items: &[rollback::Item]) {
    if args.json {
        outln!(
            "{}",
            serde_json::json!({"ok": true, "session": s.id, "objects": items})
        );
        return;
    }
    for i in items.iter().filter(|_| !super::output::quiet()) {
        outln!("{}", i.line(true));
    }
    let kept = items
        .iter()
        .filter(|i| matches!(i.fate, rollback::Fate::Kept(_)))
        .count();
    if kept == 0 {
        outln!("Setup {} rolled back.", s.id);
    } else {
        outln!(
            "Setup {} rolled back; {kept} object(s) kept because they are not provably this setup's any more (check them in Halo).",
            s.id
        );
    }
}

/// What to do about a failed rollback (the retry command is added by the caller).
fn rollback_hint(e: &crate::plan::apply::ApplyError) -> String {
    use crate::plan::apply::ApplyError;
    match e {
        ApplyError::Halo(h) => h.hint().to_string(),
        ApplyError::Journal(j) => j.hint(),
        other => other.to_string(),
    }
}
