//! `halo-onboard apply --batch FILE`: one profile per Halo instance, many instances, bounded
//! concurrency. Each instance gets its own client (its own token and rate-limit backoff) and at
//! most one apply in flight; one instance failing never stops the others.
//!
//! ```toml
//! [[instance]]
//! name = "acme"
//! url = "https://acme.halopsa.com"      # or resource_url + auth_url (+ tenant)
//! client_id = "bootstrap-client-id"
//! client_secret_env = "ACME_HALO_SECRET" # or client_secret_file = "acme.secret"
//! profile = "topleft"                  # or a profile file
//! answers = "acme-answers.toml"         # optional
//! out = "acme-topleft.env"              # optional hand-over file
//!
//! [[instance]]
//! name = "globex"
//! instance = "globex"                   # a saved [instance.globex] of the config file:
//! profile = "topleft"                   # its url, client_id and secret source
//! ```
//! Relative paths are relative to the batch file's directory. `client_secret_env` names only
//! variables that look like Halo secrets (`HALO_*`, `*_HALO_*`) or are listed in a top-level
//! `allow_secret_env = ["…"]`: a batch file must not be a way to send any secret of the
//! environment to a server. `client_secret_file` is confined the same way: a file inside the
//! batch file's folder (no `..`, no symbolic link, no absolute path), or one listed in a
//! top-level `allow_secret_files = ["…"]`. `url` with `auth_url` confirms an authorisation
//! server on another host (as `--auth-url` does).

use std::collections::HashMap;
use std::path::Path;
use std::sync::Arc;

use serde::Serialize;
use tokio::sync::{Mutex, Semaphore};

use super::common::*;
use super::execute::{ApplyArgs, RunArgs, check_questions, connect, load_answers, open_session};
use super::outcome::{Log, Outcome, notes_text, plan_text, stderr_log};
// Where the commands' `--deadline` parsers name it.
pub use super::batch_file::{Instance, SecretSource, load, load_with, looks_like_halo_secret};
pub use super::deadline::parse_duration;
use crate::halo::ClientOptions;
use crate::journal::Journal;
use crate::plan::verify::Verdict;

/// How the batch runs.
#[derive(Clone)]
pub struct BatchOptions {
    /// Apply; without it each instance is only planned.
    pub yes: bool,
    /// Plan only, never write to Halo (`--dry-run`), even with `yes`.
    pub dry_run: bool,
    /// Replace the secret of applications earlier setups made, in place (`--new-secret`):
    /// the vendor's copy stops working at once.
    pub new_secret: bool,
    /// Replace existing `out` files.
    pub force: bool,
    /// Accept repairs whose credentials cannot be verified.
    pub no_verify: bool,
    /// How many instances run at once (`--concurrency`; 0 counts as 1).
    pub concurrency: usize,
    /// Progress lines on stderr (off under `--json`).
    pub progress: bool,
    /// Timeouts, retries and request log for each instance's client (an entry's own
    /// certificate authority is added to it).
    pub client: ClientOptions,
    /// The whole batch stops after this long (`--deadline`).
    pub deadline: Option<std::time::Duration>,
}

/// One instance's result; never holds a secret.
#[derive(Debug, Clone, Serialize)]
pub struct InstanceResult {
    /// The entry's `name` in the batch file.
    pub name: String,
    /// "ok", "manual steps left" or "failed".
    pub status: &'static str,
    /// `verified` | `manual_steps_left` | `failed` | `could_not_check` (after an apply).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub verdict: Option<&'static str>,
    /// What the plan or the apply did; `None` when the instance failed before it ran.
    #[serde(flatten)]
    pub outcome: Option<Outcome>,
    /// Why it is not ok, in one line; `None` when it is.
    pub error: Option<String>,
    /// What to do next; `None` when it is ok or there is nothing to add.
    pub hint: Option<String>,
}

impl InstanceResult {
    /// Planned or applied and verified (`status` is "ok").
    pub fn ok(&self) -> bool {
        self.status == "ok"
    }
}

fn read_instance_secret(
    src: &SecretSource,
    confined: bool,
) -> Result<secrecy::SecretString, Failure> {
    match src {
        // The batch's own file: opened without following a link (one swapped in since the
        // batch was read is refused), and only if it is a plain file.
        SecretSource::File(f) if confined => {
            let shown = crate::text::line(&f.display().to_string());
            let bytes = crate::limits::read_regular_capped(f, crate::limits::MAX_SECRET_FILE)
                .map_err(|e| {
                    Failure::new(
                        format!("cannot read the secret file {shown}: {e}"),
                        "A batch's secret file is a plain file inside its folder holding only the secret.",
                    )
                })?;
            let text = String::from_utf8(bytes).map_err(|_| {
                Failure::new(
                    format!("the secret file {shown} is not text"),
                    "Put only the secret in it, as Halo shows it.",
                )
            })?;
            secret_from_text(&text, &format!("the secret file {shown}"))
        }
        SecretSource::File(f) => read_secret(Some(f), SECRET_ENV),
        SecretSource::Env(name) => match std::env::var(name) {
            Ok(v) if !v.trim().is_empty() => {
                secret_from_text(&v, &format!("the environment variable {name}"))
            }
            _ => Err(Failure::new(
                format!(
                    "no client secret: the environment variable {name} (client_secret_env) is not set or empty"
                ),
                format!(
                    "export {name} before running the batch (read -rs {name} && export {name})."
                ),
            )),
        },
    }
}

async fn run_one(
    inst: &Instance,
    journal: &Journal,
    opts: &BatchOptions,
    log: Option<Log>,
) -> Result<Outcome, Failure> {
    let say = |m: &str| {
        if let Some(l) = &log {
            l(m);
        }
    };
    let run = RunArgs {
        yes: opts.yes,
        json: true,
        dry_run: opts.dry_run,
        out: inst.out.clone(),
        force: opts.force,
        new_secret: opts.new_secret,
        // One secret in the environment cannot belong to every instance: each one verifies
        // with what its earlier setup handed over.
        app_secret_file: None,
        no_verify: opts.no_verify,
    };
    // Nothing reaches Halo before the hand-over file is known to be writable.
    super::execute::check_out(&run, journal)?;
    let profile = super::profiles::resolve(&inst.profile)?;
    let mut answers = load_answers(&profile, inst.answers.as_deref())?;
    check_questions(&profile, &answers)?;
    let secret = read_instance_secret(&inst.secret, inst.secret_confined)?;
    say(&format!("connecting (profile {})", inst.profile));
    let client_opts = match inst.connect.ca_file {
        Some(_) => ClientOptions {
            ca: inst.connect.client_options()?.ca,
            ..opts.client.clone()
        },
        None => opts.client.clone(),
    };
    let (client, ep) = connect(
        &inst.connect,
        &inst.client_id,
        secret,
        &mut answers,
        client_opts,
    )
    .await?;
    say(&format!("connected to {}", ep.base_url()));
    let mut s = open_session(journal, answers, &ep);
    let e = super::execute::Execution {
        client: &client,
        journal,
        run: &run,
        log,
        confirm: None,
        adopt: None,
        // One writer per setup and per integration, across processes too.
        lock_as: (opts.yes && !opts.dry_run).then_some("apply --batch"),
    };
    let mut o = super::execute::execute(e, &mut s).await?;
    o.traps = profile.traps;
    Ok(o)
}

/// Runs every instance, at most `concurrency` at a time, and returns results in file order.
pub async fn run_batch(
    instances: &[Instance],
    journal: &Journal,
    opts: &BatchOptions,
) -> Vec<InstanceResult> {
    let sem = Arc::new(Semaphore::new(opts.concurrency.max(1)));
    let mut locks: HashMap<String, Arc<Mutex<()>>> = HashMap::new();
    // Far enough when there is no deadline; checked so no duration can overflow it.
    let start = tokio::time::Instant::now();
    let deadline = opts
        .deadline
        .and_then(|d| start.checked_add(d))
        .unwrap_or_else(|| start + std::time::Duration::from_secs(100 * 365 * 86_400));
    let jobs = instances.iter().map(|inst| {
        let lock = locks.entry(inst.halo_key()).or_default().clone();
        let sem = sem.clone();
        async move {
            let log = stderr_log(&format!("[{}] ", inst.name), !opts.progress);
            let started = std::sync::atomic::AtomicBool::new(false);
            let work = async {
                // Same Halo twice in the file: one apply at a time there.
                let _one_per_halo = lock.lock().await;
                let _slot = sem.acquire().await;
                // A slot freed by an instance the deadline cut off comes too late to start.
                if tokio::time::Instant::now() >= deadline {
                    return Err(deadline_failure(opts, false));
                }
                started.store(true, std::sync::atomic::Ordering::SeqCst);
                run_one(inst, journal, opts, log.clone()).await
            };
            let r = match tokio::time::timeout_at(deadline, work).await {
                Ok(r) => r,
                Err(_) => Err(deadline_failure(
                    opts,
                    started.load(std::sync::atomic::Ordering::SeqCst),
                )),
            };
            let result = match r {
                Ok(o) => InstanceResult {
                    name: inst.name.clone(),
                    status: if o.ok() {
                        "ok"
                    } else if !o.dry_run && o.verdict() == Verdict::ManualStepsLeft {
                        "manual steps left"
                    } else {
                        "failed"
                    },
                    verdict: (!o.dry_run).then(|| o.verdict().word()),
                    error: (!o.ok()).then(|| failure_summary(&o)),
                    hint: (!o.ok()).then(|| failure_hint(&o)),
                    outcome: Some(o),
                },
                Err(f) => InstanceResult {
                    name: inst.name.clone(),
                    status: "failed",
                    verdict: None,
                    outcome: None,
                    error: Some(f.message),
                    hint: Some(f.hint).filter(|h| !h.is_empty()),
                },
            };
            if let Some(l) = &log {
                match &result.error {
                    None => l(if opts.yes && !opts.dry_run {
                        "done"
                    } else {
                        "planned"
                    }),
                    Some(e) => l(&format!("failed: {e}")),
                }
            }
            result
        }
    });
    let jobs: Vec<_> = jobs.collect();
    futures::future::join_all(jobs).await
}

/// An instance cut off by `--deadline`. A write in flight may or may not have reached Halo;
/// the journal says what was about to happen, so resume finds out and creates nothing twice.
fn deadline_failure(opts: &BatchOptions, started: bool) -> Failure {
    let after = match opts.deadline {
        Some(d) if d.subsec_millis() == 0 => format!("{}s", d.as_secs()),
        Some(d) => format!("{}ms", d.as_millis()),
        None => String::new(),
    };
    if started {
        Failure {
            code: EXIT_FAILED,
            message: format!("stopped at the batch deadline (--deadline, {after}) before it finished"),
            hint: "Nothing is lost: `halo-onboard sessions` lists its setup, `halo-onboard resume ID --yes` finishes it (nothing is created twice).".into(),
        }
    } else {
        Failure {
            code: EXIT_FAILED,
            message: format!("not started: the batch deadline (--deadline, {after}) came first"),
            hint: "Run the batch again (instances already done are kept as they are), or give a longer --deadline or a higher --concurrency.".into(),
        }
    }
}

/// Why an outcome is not ok, in one line.
fn failure_summary(o: &Outcome) -> String {
    if o.dry_run {
        return format!("plan blocked: {}", o.plan.problems.join("; "));
    }
    if o.verdict() == Verdict::ManualStepsLeft {
        return crate::plan::verify::steps_left(o.manual_left.len());
    }
    match &o.verification {
        Some(v) if v.failures().next().is_none() => {
            let names: Vec<_> = v.unproven().map(|c| c.name.clone()).collect();
            format!("could not check: {}", names.join(", "))
        }
        Some(v) => {
            let names: Vec<_> = v.failures().map(|c| c.name.clone()).collect();
            let more = names.len().saturating_sub(4);
            let mut shown = names.into_iter().take(4).collect::<Vec<_>>().join(", ");
            if more > 0 {
                shown.push_str(&format!(" and {more} more"));
            }
            format!("verification failed: {shown}")
        }
        None => {
            "objects repaired; credentials not verified (the application's secret is not at hand)"
                .into()
        }
    }
}

fn failure_hint(o: &Outcome) -> String {
    if !o.dry_run && o.verdict() == Verdict::ManualStepsLeft {
        return format!(
            "Do the steps in Halo's web UI (`halo-onboard resume {} --yes` lists them), then `halo-onboard resume {} --confirm-manual --yes`.",
            o.session, o.session
        );
    }
    if o.dry_run {
        "Change the answers named above (answers file of this instance) and run again.".into()
    } else if o.unverified() {
        format!(
            "Verify with the application's secret: HALO_APP_CLIENT_SECRET=… halo-onboard check {}; or run the batch with --no-verify to accept this.",
            o.session
        )
    } else {
        format!(
            "The objects exist and the credentials were saved; fix what each failed check names (see --json, or `halo-onboard check {}`), nothing needs re-applying.",
            o.session
        )
    }
}

/// A GUID cut to its first block, enough to find it in Halo.
fn short_id(id: &str) -> String {
    match id.split_once('-') {
        Some((head, _)) if id.len() > 12 => format!("{head}…"),
        _ => id.to_string(),
    }
}

fn objects_cell(o: &Outcome) -> String {
    let mut parts = Vec::new();
    if let Some(r) = &o.role_id {
        parts.push(format!("role {}", short_id(r)));
    }
    if let Some(a) = o.agent_id {
        parts.push(format!("agent {a}"));
    }
    if let Some(a) = &o.client_id {
        parts.push(format!("client id {}", short_id(a)));
    }
    parts.join(", ")
}

fn verification_cell(o: Option<&Outcome>) -> String {
    match o.and_then(|o| o.verification.as_ref()) {
        Some(v) => {
            let passed = v.checks.iter().filter(|c| c.pass).count();
            format!("{passed}/{} pass", v.checks.len())
        }
        None if o.is_some_and(|o| !o.dry_run) => "not verified".into(),
        None => "-".into(),
    }
}

/// The results table (text): every header over its values, long cells cut with an ellipsis,
/// each failure's error and what to do under its row.
pub fn results_text(results: &[InstanceResult]) -> String {
    use super::table::{capped, col, lines};
    let rows: Vec<Vec<String>> = results
        .iter()
        .map(|r| {
            let o = r.outcome.as_ref();
            vec![
                r.name.clone(),
                r.status.to_string(),
                o.map(objects_cell)
                    .filter(|t| !t.is_empty())
                    .unwrap_or_else(|| "-".into()),
                verification_cell(o),
                o.and_then(|o| o.credentials_file.as_ref())
                    .map_or_else(|| "-".into(), |p| p.display().to_string()),
            ]
        })
        .collect();
    let columns = [
        col("NAME"),
        col("STATUS"),
        capped("OBJECTS", 48),
        capped("VERIFICATION", 24),
        col("CREDENTIALS FILE"),
    ];
    let table = lines(&columns, &rows);
    let w = table.first().map_or(4, |h| h.find("STATUS").unwrap_or(4));
    let mut s = String::new();
    for (i, line) in table.iter().enumerate() {
        s.push_str(line);
        s.push('\n');
        let Some(r) = i.checked_sub(1).and_then(|i| results.get(i)) else {
            continue;
        };
        // Under the row, past its name; their words may be Halo's or a file's.
        let under = |label: &str, text: &str| {
            let text = crate::text::block(text).replace('\n', &format!("\n{:<w$}  ", ""));
            format!("{:<w$}{label}: {text}\n", "")
        };
        if let Some(e) = r.error.as_deref().filter(|e| !e.is_empty()) {
            s.push_str(&under("error", e));
        }
        if let Some(h) = &r.hint {
            s.push_str(&under("what to do", h));
        }
    }
    s
}

fn reject_flags(args: &ApplyArgs) -> Result<(), Failure> {
    let c = &args.connect;
    let given: Vec<&str> = [
        ("--profile", args.profile.is_some()),
        ("--answers", args.answers.is_some()),
        ("--instance", c.instance.is_some()),
        ("--url", c.url.is_some()),
        ("--resource-url", c.resource_url.is_some()),
        ("--auth-url", c.auth_url.is_some()),
        ("--tenant", c.tenant.is_some()),
        ("--client-secret-file", c.client_secret_file.is_some()),
        ("--out", args.run.out.is_some()),
    ]
    .into_iter()
    .filter_map(|(f, set)| set.then_some(f))
    .collect();
    if given.is_empty() {
        Ok(())
    } else {
        Err(Failure::new(
            format!("--batch takes these from the file: {}", given.join(", ")),
            "Put them in each [[instance]] entry of the batch file instead.",
        ))
    }
}

/// `halo-onboard apply --batch FILE`.
pub async fn run(file: &Path, args: &ApplyArgs) -> u8 {
    let json = args.run.json;
    let prepared = reject_flags(args).and_then(|()| {
        let instances = load(file)?;
        let journal = Journal::open_default().map_err(|e| Failure::new(e.to_string(), e.hint()))?;
        Ok((instances, journal))
    });
    let (instances, journal) = match prepared {
        Ok(p) => p,
        Err(f) => {
            print_failure(&f, json);
            return f.code;
        }
    };
    let opts = BatchOptions {
        yes: args.run.yes,
        dry_run: args.run.dry_run,
        new_secret: args.run.new_secret,
        force: args.run.force,
        no_verify: args.run.no_verify,
        concurrency: args.concurrency,
        progress: !json && !super::output::quiet(),
        // The config file's certificate authority, if any (an entry's own wins).
        client: match ConnectArgs::default().client_options() {
            Ok(o) => o,
            Err(f) => {
                print_failure(&f, json);
                return f.code;
            }
        },
        deadline: args.deadline,
    };
    let results = run_batch(&instances, &journal, &opts).await;
    let all_ok = results.iter().all(InstanceResult::ok);
    let applying = opts.yes && !opts.dry_run;
    if json {
        outln!(
            "{}",
            serde_json::json!({"ok": all_ok, "dry_run": !applying, "instances": results})
        );
    } else {
        if !applying && !super::output::quiet() {
            for r in &results {
                if let Some(o) = &r.outcome {
                    outln!(
                        "[{}] plan:\n{}{}",
                        r.name,
                        plan_text(&o.plan),
                        notes_text(&o.plan, &o.traps)
                    );
                }
            }
        }
        out!("{}", results_text(&results));
        if !applying {
            outln!("Nothing was written. To apply, run the same command with --yes.");
        }
    }
    if all_ok {
        EXIT_OK
    } else if results
        .iter()
        .all(|r| r.ok() || r.status == "manual steps left")
    {
        EXIT_MANUAL_LEFT
    } else {
        EXIT_FAILED
    }
}

#[cfg(test)]
#[path = "batch_tests.rs"]
mod tests;
