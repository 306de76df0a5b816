//! `halo-onboard apply` (and `resume`): plan, apply, verify, hand over — without the wizard.

use std::path::PathBuf;

use serde::Serialize;
use serde_json::json;

use super::common::*;
use crate::answers::Answers;
use crate::halo::{Client, ClientOptions, Endpoint};
use crate::journal::{Journal, Session};
use crate::plan::apply::ProgressFn;
use crate::plan::apply::{Applier, ApplyError, GivenSecret, Progress, VerifiedWith};
use crate::plan::build::{Kind, Lookups, Object, Plan};
use crate::plan::handover;
use crate::plan::manual;
use crate::plan::session::{self, For};
use crate::plan::verify::{Verdict, Verification};
use crate::profile::{Profile, Trap};

#[derive(Debug, Clone, clap::Args)]
pub struct ApplyArgs {
    #[command(flatten)]
    pub connect: ConnectArgs,
    /// Apply again what an earlier setup applied: its Halo address, bootstrap client id and
    /// answers (a setup id, a unique prefix of one, or `last`). Repairs drift `check` found.
    #[arg(long, value_name = "SETUP", conflicts_with_all = ["url", "resource_url", "profile", "answers", "batch"], add = clap_complete::engine::ArgValueCompleter::new(crate::headless::complete::setups))]
    pub setup: Option<String>,
    /// Integration profile: an id (see `halo-onboard profiles`) or the path of a profile
    /// TOML file (e.g. one `profiles show ID --toml` printed). Required (except with --setup
    /// and --batch).
    #[arg(long, add = clap_complete::engine::ArgValueCompleter::new(crate::headless::complete::profiles))]
    pub profile: Option<String>,
    /// TOML answers laid over the profile (any field of any step).
    #[arg(long)]
    pub answers: Option<PathBuf>,
    /// Apply to many instances from a TOML file of `[[instance]]` entries (see README).
    #[arg(long, value_name = "FILE")]
    pub batch: Option<PathBuf>,
    /// With --batch: how many instances run at the same time.
    #[arg(long, default_value_t = 4, requires = "batch")]
    pub concurrency: usize,
    /// Stop after this long (e.g. 90s, 30m, 1h30m; default 10m): what was cut off is said, and
    /// `halo-onboard resume` continues it. With --batch: the whole batch (no default); instances
    /// not finished by then are reported as failed, and `resume` finishes each later.
    #[arg(long, value_name = "DURATION", value_parser = super::batch::parse_duration)]
    pub deadline: Option<std::time::Duration>,
    #[command(flatten)]
    pub run: RunArgs,
}

#[derive(Debug, Clone, Default, clap::Args)]
pub struct RunArgs {
    /// Apply without asking; without it the plan is printed and nothing is written.
    #[arg(long)]
    pub yes: bool,
    /// Print one machine-readable JSON result on stdout.
    #[arg(long)]
    pub json: bool,
    /// Print the plan and stop (never writes to Halo).
    #[arg(long)]
    pub dry_run: bool,
    /// Where to save the new credentials (0600); .env, .json or .toml. Default: the state dir.
    /// An existing file is never replaced without --force; the folder must exist.
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Replace the --out file if it exists.
    #[arg(long, requires = "out")]
    pub force: bool,
    /// Replace the secret of an application an earlier setup made, in place: the vendor's copy
    /// stops working at once (downtime until it has the new one). `halo-onboard rotate` hands
    /// over a new secret without downtime.
    #[arg(long)]
    pub new_secret: bool,
    /// For an application that already exists: a file holding its secret, to verify the
    /// result with (otherwise HALO_APP_CLIENT_SECRET, else the hand-over an earlier setup wrote).
    #[arg(long, value_name = "FILE")]
    pub app_secret_file: Option<PathBuf>,
    /// Accept a repair whose credentials cannot be verified (no secret at hand): exit 0.
    #[arg(long)]
    pub no_verify: bool,
}

pub fn plan_text(plan: &Plan) -> String {
    let mut s = String::new();
    for a in &plan.actions {
        let kind = match a.kind {
            Kind::Create => "create",
            Kind::Update => "update",
            Kind::Keep => "keep",
            Kind::Reuse => "reuse",
        };
        let id =
            a.id.as_deref()
                .map(|i| format!(" (id {i})"))
                .unwrap_or_default();
        s.push_str(&format!(
            "  {kind:<7} {:<12} {}{id}\n",
            a.object.label(),
            a.shown_name()
        ));
        for c in &a.changes {
            s.push_str(&format!("            change: {c}\n"));
        }
        for r in &a.risks {
            s.push_str(&format!("            risk: {r}\n"));
        }
    }
    for p in &plan.problems {
        s.push_str(&format!("  BLOCKED: {p}\n"));
    }
    s
}

/// What the user does by hand in Halo's web UI (the API cannot) and the profile's known traps,
/// as printed lines; said once per run (the plan before a prompt, else the result).
pub fn notes_text(plan: &Plan, traps: &[Trap]) -> String {
    let mut s = String::new();
    if !plan.manual.is_empty() {
        s.push_str("Set by hand in Halo's web UI (the API does not; not verified until done):\n");
        for m in &plan.manual {
            s.push_str(&format!("  - {m}\n"));
        }
    }
    s.push_str(&extras_text(plan, traps));
    s
}

/// The plan's notes (what the API does not set and nothing needs, why steps are by hand on
/// this Halo, what becomes of the secret) and the profile's traps.
fn extras_text(plan: &Plan, traps: &[Trap]) -> String {
    let mut s = String::new();
    if !plan.notes.is_empty() {
        s.push_str("Notes on this plan (not steps to do):\n");
        for n in &plan.notes {
            s.push_str(&format!("  - {n}\n"));
        }
    }
    if !traps.is_empty() {
        s.push_str("Known traps of this integration (from its profile):\n");
        let mut sorted: Vec<&Trap> = traps.iter().collect();
        sorted.sort_by_key(|t| std::cmp::Reverse(t.severity));
        for t in sorted {
            s.push_str(&format!("  - [{}] {}\n", t.severity.as_str(), t.text));
        }
    }
    s
}

pub(crate) fn checks_text<'a>(
    checks: impl Iterator<Item = &'a crate::plan::verify::Check>,
) -> String {
    let mut s = String::new();
    for c in checks {
        s.push_str(&format!("  {:<5} {:<36} {}\n", c.mark(), c.name, c.detail));
        if let Some(l) = c.layer {
            s.push_str(&format!(
                "        blocked by: {}; fix: {}\n",
                l.label(),
                c.fix
            ));
        } else if c.could_not_check && !c.fix.is_empty() {
            s.push_str(&format!("        to check it: {}\n", c.fix));
        }
    }
    s
}

/// What is left to do by hand, and the command that records it done and checks again. Each
/// step is said once per run: after a plan shown before the prompt, by its number only.
fn manual_left_text(o: &Outcome) -> String {
    let mut s = String::new();
    if o.manual_left.is_empty() {
        return s;
    }
    if o.plan_shown {
        s.push_str(&format!(
            "Manual steps left: the {} listed with the plan above.\n",
            o.manual_left.len()
        ));
    } else {
        s.push_str("Manual steps left (in Halo's web UI):\n");
        for m in &o.manual_left {
            s.push_str(&format!("  - {m}\n"));
        }
    }
    s.push_str(&format!(
        "When they are done: halo-onboard resume {} --confirm-manual --yes (records them as done, then verifies again).\n",
        o.session
    ));
    s
}

/// Where progress lines go: stderr with a prefix, or nowhere (`--json`).
pub type Log = std::sync::Arc<dyn Fn(&str) + Send + Sync>;

/// One field Halo stored differently from what was asked.
#[derive(Debug, Clone, Serialize)]
pub struct Difference {
    pub object: Object,
    pub difference: String,
}

/// What one run of a session produced; printed by `apply`/`resume`, tabulated by `--batch`.
/// Never holds the secret: the credentials file path only.
#[derive(Debug, Clone, Serialize)]
pub struct Outcome {
    /// `--no-verify`: an unverified result is accepted.
    #[serde(skip)]
    pub no_verify: bool,
    /// Which credentials the verification used (`None`: not verified, or a dry run).
    pub verified_with: Option<VerifiedWith>,
    /// The secret was generated by this run and handed over (in `credentials_file`).
    pub new_secret: bool,
    pub session: String,
    pub plan: Plan,
    /// Planned only (`--dry-run` or no `--yes`): nothing was written.
    pub dry_run: bool,
    pub role_id: Option<String>,
    pub agent_id: Option<i64>,
    pub application_id: Option<String>,
    pub client_id: Option<String>,
    pub writes: usize,
    /// Read-back differences, per object.
    pub differences: Vec<Difference>,
    /// `None` when nothing was verified (dry run, or an adopted application kept its secret).
    pub verification: Option<Verification>,
    pub credentials_file: Option<PathBuf>,
    /// What Halo reports about the secret's expiry (`expiry::Reported::short`), if anything:
    /// a field outside the published schema, said as "Halo reports …", never as fact.
    pub reported_expiry: Option<String>,
    /// When halo-onboard issued the secret (RFC 3339, from the journal), if it did.
    pub secret_issued: Option<String>,
    /// The profile's known traps (pitfalls, follow-up steps), said with the manual steps.
    pub traps: Vec<Trap>,
    /// The plan, its manual steps and traps were printed before the "Apply?" prompt: the
    /// result does not repeat them.
    #[serde(skip)]
    pub plan_shown: bool,
    /// The setup's manual steps not yet confirmed done: until they are, it is not verified.
    #[serde(rename = "manual_steps_left")]
    pub manual_left: Vec<String>,
}

impl Outcome {
    fn planned(s: &Session, plan: Plan) -> Self {
        Self {
            no_verify: false,
            verified_with: None,
            new_secret: false,
            session: s.id.clone(),
            plan,
            dry_run: true,
            role_id: None,
            agent_id: None,
            application_id: None,
            client_id: None,
            writes: 0,
            differences: Vec::new(),
            verification: None,
            credentials_file: None,
            reported_expiry: None,
            secret_issued: None,
            traps: Vec::new(),
            plan_shown: false,
            manual_left: Vec::new(),
        }
    }

    /// The result in one word (after an apply; a dry run has none).
    pub fn verdict(&self) -> Verdict {
        Verdict::of(self.verification.as_ref(), self.manual_left.len())
    }

    pub fn ok(&self) -> bool {
        if self.dry_run {
            return !self.plan.is_blocked();
        }
        match self.verdict() {
            Verdict::Verified => true,
            // Exit 0 means "done and verified": unverified only when asked to accept it.
            Verdict::CouldNotCheck => self.verification.is_none() && self.no_verify,
            _ => false,
        }
    }

    /// Applied, but nothing could verify the credentials (no secret at hand).
    pub fn unverified(&self) -> bool {
        !self.dry_run && self.verification.is_none()
    }

    pub fn code(&self) -> u8 {
        if self.ok() {
            EXIT_OK
        } else if self.dry_run {
            EXIT_FAILED
        } else {
            verdict_code(self.verdict())
        }
    }
}

/// Progress as printed lines: steps as they happen, read-back differences as the fix to make.
pub(crate) fn printer(log: Log, a: &Answers) -> ProgressFn {
    let names = [
        a.role.name.trim().to_string(),
        a.agent.name.trim().to_string(),
        a.application.name.trim().to_string(),
    ];
    std::sync::Arc::new(move |p| match p {
        Progress::Step(m) => log(&format!("  {m}")),
        Progress::Difference(o, d) => {
            let name = &names[match o {
                Object::Role => 0,
                Object::Agent => 1,
                Object::Application => 2,
            }];
            log(&format!(
                "  read-back {}: {}",
                o.label(),
                manual::fix_line(o, name, &d)
            ))
        }
    })
}

fn journal_failure(e: crate::journal::JournalError) -> Failure {
    Failure::new(e.to_string(), e.hint())
}

/// Asked with the plan when `--yes` was not given (a terminal's "Apply? [y/N]"): true applies.
pub type Confirm = dyn Fn(&Outcome) -> bool + Send + Sync;

/// Runs a session from where it stands: plan (and stop unless `--yes` or `confirm` says yes),
/// apply, verify, hand over. Prints nothing itself except through `log` and `confirm`; the
/// caller reports the [`Outcome`].
pub async fn execute(
    client: &Client,
    journal: &Journal,
    s: &mut Session,
    ep: &Endpoint,
    run: &RunArgs,
    log: Option<Log>,
    confirm: Option<&Confirm>,
) -> Result<Outcome, Failure> {
    let say = |m: &str| {
        if let Some(l) = &log {
            l(m);
        }
    };
    let given = given_app_secret(run)?;
    let applier = Applier {
        client,
        journal,
        // Progress is reported as it happens, so a slow Halo shows where it is.
        progress: log.clone().map(|l| printer(l, &s.answers)),
        regenerate_secret: run.new_secret,
    };
    let (me, mut lk) = session::survey(client, For::Setup(&s.answers))
        .await
        .map_err(|e| Failure::halo(&e))?;
    lk.recorded = crate::plan::build::Recorded::from_journal(journal, ep, &s.id);
    say(&format!("Connected to {} as {}", ep.base_url(), me.name));
    let mut plan = crate::plan::plan(&s.answers, &lk, &s.objects, &s.marker());
    // Continuing an integration whose secret the vendor has: the plan says what becomes of it.
    let kept_app = plan
        .action(Object::Application)
        .is_some_and(|a| matches!(a.kind, Kind::Keep | Kind::Update));
    if kept_app && s.handed_over {
        plan.notes.push(if run.new_secret {
            "Application: a new secret is generated and handed over (--new-secret); the vendor's copy stops working".into()
        } else {
            "Application: its Client ID and secret stay as handed over (a new secret only with --new-secret)".into()
        });
    }
    let mut plan_shown = false;
    let confirmed;
    let run = if run.yes && !run.dry_run {
        // A plan that cannot run writes nothing and leaves no setup behind to resume.
        if plan.is_blocked() {
            return Ok(Outcome::planned(s, plan));
        }
        run
    } else if run.dry_run {
        return Ok(Outcome::planned(s, plan));
    } else {
        let mut planned = Outcome::planned(s, plan);
        match confirm.filter(|_| !planned.plan.is_blocked()) {
            Some(ask) => {
                planned.plan_shown = true;
                if !ask(&planned) {
                    return Ok(planned);
                }
                plan = planned.plan;
                plan_shown = true;
                confirmed = RunArgs {
                    yes: true,
                    ..run.clone()
                };
                &confirmed
            }
            None => return Ok(planned),
        }
    };
    // Nothing is written to Halo before it is sure the hand-over file can be written too.
    check_out(run, journal)?;
    // The draft becomes a journaled setup before anything reaches Halo.
    journal.save(s).map_err(journal_failure)?;
    super::deadline::working_on(&s.id);
    say(&format!("Setup {}: applying\n{}", s.id, plan_text(&plan)));
    // Kept for the manual checklist should Halo refuse a write.
    let lk_kept = lk.clone();
    let f = applier
        .apply_and_verify_with(s, lk, given)
        .await
        .map_err(|e| apply_failure(&e, s, &lk_kept))?;
    let mut out = outcome(s, plan, &f.applied);
    out.no_verify = run.no_verify;
    out.plan_shown = plan_shown;
    out.manual_left = s.manual_left().into_iter().map(String::from).collect();
    out.secret_issued = journal
        .secret_issued_unix(s)
        .map(crate::halo::expiry::format_unix);
    let handover = session::settle(journal, ep, s, &f, run.no_verify).map_err(journal_failure)?;
    let verified = f.verification.as_ref().is_some_and(Verification::passed);
    out.verification = f.verification;
    out.verified_with = f.verified_with;
    let Some(ho) = handover else {
        // The application keeps the secret its vendor already has: nothing to hand over.
        out.credentials_file = s.credentials_file.clone();
        return Ok(out);
    };
    // Hand over: the file is the one place meant for the secret; then the journal forgets it.
    let path = match &run.out {
        Some(p) => p.clone(),
        None => journal.default_handover(&s.id),
    };
    // The default file is this setup's own (in the state dir): a new secret replaces a stale
    // one there. A file the user named is replaced only with --force.
    ho.save(&path, run.force || run.out.is_none()).map_err(|e| {
        Failure::new(
            e.to_string(),
            format!(
                "{} The secret is still kept for setup {}; run `halo-onboard resume {} --yes --out <path>` to hand it over.",
                e.hint(),
                s.id,
                s.id
            ),
        )
    })?;
    session::handed_over(journal, s, Some(path.clone()), verified).map_err(journal_failure)?;
    out.new_secret = true;
    out.credentials_file = Some(path);
    Ok(out)
}

/// `--out` must be a file halo-onboard may write: checked before anything reaches Halo, so a
/// file that exists (without `--force`), a missing folder or a foreign extension stops early.
/// An existing file that an earlier setup handed over to (the same command run again) is let
/// through: it is only replaced if a new secret must be handed over, and then only with
/// `--force` (the hand-over says so and the secret stays in the journal).
pub fn check_out(run: &RunArgs, journal: &Journal) -> Result<(), Failure> {
    let Some(out) = &run.out else {
        return Ok(());
    };
    // A dry run says what a real one would: an --out it could not write is an error there too.
    if !run.yes && !run.dry_run {
        return Ok(());
    }
    match handover::check_target(out, run.force) {
        Ok(_) => Ok(()),
        Err(handover::SaveError::Exists(_)) if journal.handed_over_to(out) => Ok(()),
        Err(e) => Err(Failure::new(e.to_string(), e.hint())),
    }
}

/// The existing application's secret the user gave for verification, if any.
fn given_app_secret(run: &RunArgs) -> Result<Option<GivenSecret>, Failure> {
    let env = APP_SECRET_ENV;
    let source = match &run.app_secret_file {
        Some(f) => format!("--app-secret-file {}", f.display()),
        None => env.to_string(),
    };
    Ok(optional_secret(run.app_secret_file.as_deref(), env)?
        .map(|secret| GivenSecret { secret, source }))
}

/// What a failed apply tells the user. A refused write stops with exit 1 and the checklist for
/// doing that step by hand in Halo's web UI, then the exact command that continues.
pub fn apply_failure(e: &ApplyError, s: &Session, lk: &Lookups) -> Failure {
    match e {
        ApplyError::SecretNeeded { .. } => Failure {
            code: EXIT_FAILED,
            message: e.to_string(),
            hint: secret_hint(s),
        },
        ApplyError::Refused { object, .. } => Failure {
            code: EXIT_FAILED,
            message: e.to_string(),
            hint: manual_hint(*object, s, lk),
        },
        _ => Failure {
            code: if matches!(e, ApplyError::Blocked(_)) {
                EXIT_FAILED
            } else {
                EXIT_CANNOT_RUN
            },
            message: e.to_string(),
            hint: format!("{} (setup {})", e.hint(), s.id),
        },
    }
}

/// Where to generate and copy the secret Halo kept, and the command that proves it and
/// continues the same setup.
pub fn secret_hint(s: &Session) -> String {
    let c = manual::secret_checklist(&s.answers);
    format!(
        "generate and copy the secret in Halo's web UI:\n  {}\nThen continue (the secret from {} or --manual-secret-file, never the command line):\n  halo-onboard resume {} --yes --manual application --manual-client-id CLIENT_ID",
        c.lines().join("\n  "),
        APP_SECRET_ENV,
        s.id
    )
}

/// The checklist for `object` and the command that adopts it and continues.
pub fn manual_hint(object: Object, s: &Session, lk: &Lookups) -> String {
    let c = manual::checklist(object, &s.answers, lk, &s.marker());
    let mut out = format!(
        "do this step by hand in Halo's web UI, exactly as follows:\n  {}\n",
        c.lines().join("\n  ")
    );
    let word = manual::object_word(object);
    if object == Object::Application {
        out.push_str(&format!(
            "Then continue (the secret from {} or --manual-secret-file, never the command line):\n  halo-onboard resume {} --yes --manual application --manual-client-id CLIENT_ID",
            APP_SECRET_ENV, s.id
        ));
    } else {
        out.push_str(&format!(
            "Then continue:\n  halo-onboard resume {} --yes --manual {word}",
            s.id
        ));
    }
    out.push_str("\nWhat you make by hand is adopted as is; rollback never deletes it.");
    out
}

/// The outcome of an applied session (before verification and hand-over).
fn outcome(s: &Session, plan: Plan, applied: &crate::plan::apply::Applied) -> Outcome {
    Outcome {
        dry_run: false,
        role_id: Some(applied.role_id.clone()),
        agent_id: Some(applied.agent_id),
        application_id: Some(applied.application_id.clone()),
        client_id: Some(applied.client_id.clone()),
        writes: applied.writes,
        reported_expiry: applied.reported_expiry.clone(),
        secret_issued: None,
        differences: applied
            .differences
            .iter()
            .map(|(o, d)| Difference {
                object: *o,
                difference: d.clone(),
            })
            .collect(),
        ..Outcome::planned(s, plan)
    }
}

/// Prints a session's outcome as `apply` and `resume` always have: JSON or text.
pub fn print_outcome(o: &Outcome, json: bool) {
    // Names and texts in it came from files (answers, profile, journal) and from Halo: through
    // the sanitiser, whatever checked them before.
    if json {
        outln!("{}", outcome_json(o));
    } else if super::output::quiet() {
        out!("{}", crate::text::block(&outcome_quiet(o)));
    } else {
        out!("{}", crate::text::block(&outcome_text(o)));
    }
}

/// `--quiet`: the result line(s) only — what blocks a plan, the verdict, where the new
/// credentials are.
pub fn outcome_quiet(o: &Outcome) -> String {
    let mut s = String::new();
    if o.dry_run {
        for p in &o.plan.problems {
            s.push_str(&format!("BLOCKED: {p}\n"));
        }
        if !o.plan_shown {
            s.push_str(&format!(
                "Plan for setup {}: {} write(s); nothing was written.\n",
                o.session,
                o.plan.writes()
            ));
        } else {
            s.push_str("Nothing was written.\n");
        }
        return s;
    }
    s.push_str(&format!("Setup {}: {}\n", o.session, result_line(o)));
    // Failed checks are errors: said even here, with what blocks them (as `check --quiet`);
    // so are the checks that could not run, and the steps left by hand.
    if let Some(v) = &o.verification {
        s.push_str(&checks_text(v.not_passed()));
    }
    s.push_str(&manual_left_text(o));
    if let (Some(path), true) = (&o.credentials_file, o.new_secret) {
        s.push_str(&format!(
            "Credentials (with the new secret) saved to {} (mode 0600).\n",
            path.display()
        ));
    }
    s
}

/// The `--json` result object.
pub fn outcome_json(o: &Outcome) -> serde_json::Value {
    if o.dry_run {
        return json!({"ok": o.ok(), "session": o.session, "dry_run": true, "plan": o.plan, "traps": o.traps});
    }
    json!({
        "ok": o.ok(),
        "verdict": o.verdict().word(),
        "manual_steps_left": o.manual_left,
        "session": o.session,
        "plan": o.plan,
        "role_id": o.role_id,
        "agent_id": o.agent_id,
        "application_id": o.application_id,
        "client_id": o.client_id,
        "writes": o.writes,
        "differences": o.differences,
        // True only when the verdict is `verified` (a verification that ran and failed, or
        // left steps by hand, is not "verified").
        "verified": o.verdict() == crate::plan::verify::Verdict::Verified,
        "verified_with": o.verified_with,
        "verification": o.verification,
        "new_secret": o.new_secret,
        "credentials_file": o.credentials_file,
        "secret_issued": o.secret_issued,
        "secret_expiry_halo_reports": o.reported_expiry,
        "traps": o.traps,
        "message": result_line(o),
    })
}

/// What the run did to Halo, one line: "Nothing to change: …" or the writes per object.
fn writes_line(o: &Outcome) -> String {
    let changed: Vec<String> = o
        .plan
        .actions
        .iter()
        .filter_map(|a| match a.kind {
            Kind::Create => Some(format!("{} created", a.object.label())),
            Kind::Update => Some(format!("{} updated", a.object.label())),
            _ => None,
        })
        .collect();
    if o.writes == 0 || changed.is_empty() {
        "Nothing to change in Halo: the role, agent and application already match the answers."
            .into()
    } else {
        format!("Halo writes: {} ({}).", o.writes, changed.join(", "))
    }
}

/// The verdict, one line, as the exit code means it. "Verified" only when every need was
/// proven and no manual step is left.
fn result_line(o: &Outcome) -> String {
    let with = o
        .verified_with
        .as_ref()
        .map(VerifiedWith::describe)
        .unwrap_or_else(|| "the credentials".into());
    match (o.verdict(), &o.verification) {
        (Verdict::Verified, Some(v)) => {
            format!("Verified with {with}: {} checks passed.", v.checks.len())
        }
        (Verdict::Failed, Some(v)) => format!(
            "Verification with {with} failed: {} of {} checks.",
            v.failures().count(),
            v.checks.len()
        ),
        (Verdict::ManualStepsLeft, v) => format!(
            "Applied, {} manual step{} left: not verified until they are done and checked{}.",
            o.manual_left.len(),
            if o.manual_left.len() == 1 { "" } else { "s" },
            v.as_ref().map_or_else(
                || "; the credentials were not checked".to_string(),
                |v| format!(
                    " ({} of {} checks pass so far)",
                    v.checks.iter().filter(|c| c.pass).count(),
                    v.checks.len()
                )
            )
        ),
        (_, Some(v)) => format!(
            "Not verified: {} of {} needs could not be checked with {with} (nothing failed).",
            v.unproven().count(),
            v.checks.len()
        ),
        (_, None) if o.writes > 0 => "Objects repaired; credentials not verified.".into(),
        (_, None) => "Objects checked; credentials not verified.".into(),
    }
}

/// The plan of a session as printed before anything is written: actions, blocking problems,
/// the number of requests, manual steps and traps.
pub fn plan_block(o: &Outcome) -> String {
    format!(
        "Plan for setup {}:\n{}\nRequests to Halo (reads, writes and read-backs): {}\n{}",
        o.session,
        plan_text(&o.plan),
        o.plan.requests.len(),
        notes_text(&o.plan, &o.traps)
    )
}

/// The text result of an applied (or planned) session.
pub fn outcome_text(o: &Outcome) -> String {
    let mut s = String::new();
    if o.dry_run && o.plan_shown {
        // Declined at the prompt: the plan is on the screen already.
        s.push_str("Nothing was written.\n");
        return s;
    }
    if o.dry_run {
        s.push_str(&plan_block(o));
        if !o.plan.is_blocked() {
            s.push_str("Nothing was written. To apply, run the same command with --yes.\n");
        }
        return s;
    }
    let client_id = o.client_id.as_deref().unwrap_or_default();
    s.push_str(&format!("Setup {}. {}\n", o.session, writes_line(o)));
    if !o.differences.is_empty() {
        s.push_str("Read-back differences (Halo holds something else):\n");
        for d in &o.differences {
            let name = o
                .plan
                .action(d.object)
                .map(|a| a.name.as_str())
                .unwrap_or_default();
            s.push_str(&format!(
                "  {}: {}\n",
                d.object.label(),
                manual::fix_line(d.object, name, &d.difference)
            ));
        }
    }
    if let Some(v) = &o.verification {
        s.push_str(&format!("Verification:\n{}", checks_text(v.checks.iter())));
    }
    if !o.plan_shown {
        // The steps left are listed with the result (below); the rest of the notes here.
        if o.manual_left.is_empty() {
            s.push_str(&notes_text(&o.plan, &o.traps));
        } else {
            s.push_str(&extras_text(&o.plan, &o.traps));
        }
    }
    s.push_str(&format!("{}\n", result_line(o)));
    s.push_str(&format!("Client ID: {client_id}\n"));
    if let Some(when) = &o.secret_issued {
        s.push_str(&format!(
            "Secret issued {} (halo-onboard's journal); `check` warns when a rotation policy you set (rotate_after_days) says it is due, and `halo-onboard rotate --setup {}` hands over a new one without downtime.\n",
            crate::halo::expiry::day(when),
            o.session
        ));
    }
    if let Some(r) = o
        .reported_expiry
        .as_deref()
        .and_then(crate::halo::expiry::Reported::parse_short)
    {
        s.push_str(&format!(
            "{}. If it is this secret's expiry, rotate before then without downtime: `halo-onboard rotate --setup {}`.\n",
            r.words(),
            o.session
        ));
    }
    match (&o.credentials_file, o.new_secret) {
        (Some(path), true) => {
            s.push_str(&format!(
                "Credentials (with the new secret) saved to {} (mode 0600).\n",
                path.display()
            ));
            s.push_str(
                "Give them to the vendor, then delete the file. Halo will not show the secret again.\n",
            );
        }
        (Some(path), false) => s.push_str(&format!(
            "The secret is unchanged: the vendor's copy was handed over in {} (`halo-onboard rotate --setup {}` hands over a new one without downtime; --new-secret replaces it in place and cuts the vendor off until it has the new one).\n",
            path.display(),
            o.session
        )),
        (None, _) => s.push_str(&format!(
            "The secret is unchanged: the vendor already has it (`halo-onboard rotate --setup {}` hands over a new one without downtime; --new-secret replaces it in place and cuts the vendor off until it has the new one).\n",
            o.session
        )),
    }
    if o.unverified() {
        s.push_str(&format!(
            "The application's secret is not at hand (Halo shows it once), so nothing could check the credentials still work. To verify: put it in {app} (or pass --app-secret-file FILE) and run `halo-onboard check {id}`.{accept}\n",
            app = APP_SECRET_ENV,
            id = o.session,
            accept = if o.no_verify {
                " Accepted as asked (--no-verify)."
            } else {
                " Exit 1; --no-verify accepts this."
            }
        ));
    } else if o.verdict() == Verdict::Failed {
        s.push_str(&format!(
            "Some checks failed: change what each line says in Halo, then run `halo-onboard check {}`.\n",
            o.session
        ));
    } else if o.verdict() == Verdict::CouldNotCheck {
        s.push_str(&format!(
            "Some needs could not be checked on this Halo (see 'could not check' above): the setup is not verified. `halo-onboard doctor` shows which paths this Halo serves; `halo-onboard check {}` tries again.\n",
            o.session
        ));
    }
    s.push_str(&manual_left_text(o));
    s
}

/// Progress to stderr, each line prefixed (e.g. "[acme] "); `None` under `--json`.
pub fn stderr_log(prefix: &str, json: bool) -> Option<Log> {
    if json || super::output::quiet() {
        return None;
    }
    let prefix = prefix.to_string();
    Some(std::sync::Arc::new(move |m: &str| {
        // Progress carries Halo's names and messages: through the sanitiser, line by line.
        for line in crate::text::block(m).lines() {
            errln!("{prefix}{line}");
        }
    }))
}

/// `execute` + `print_outcome`: the `apply` and `resume` behaviour. Without `--yes` on a
/// terminal, the plan is followed by "Apply? [y/N]"; elsewhere it is printed and nothing is
/// written.
pub async fn run_session(
    client: &Client,
    journal: &Journal,
    s: &mut Session,
    ep: &Endpoint,
    run: &RunArgs,
    traps: Vec<Trap>,
) -> Result<u8, Failure> {
    let shown = traps.clone();
    let ask = move |planned: &Outcome| {
        let mut o = planned.clone();
        o.traps = shown.clone();
        out!("{}", crate::text::block(&plan_block(&o)));
        super::prompt::yes_no("Apply these changes to Halo?")
    };
    let confirm: Option<&Confirm> =
        (!run.json && super::prompt::interactive()).then_some(&ask as &Confirm);
    let mut o = execute(
        client,
        journal,
        s,
        ep,
        run,
        stderr_log("", run.json),
        confirm,
    )
    .await?;
    o.traps = traps;
    print_outcome(&o, run.json);
    Ok(o.code())
}

/// The traps of the profile a setup was made from, when this installation still has it.
pub fn traps_of(answers: &Answers) -> Vec<Trap> {
    answers
        .profile
        .as_deref()
        .and_then(|id| super::profiles::resolve(id).ok())
        .map(|p| p.traps)
        .unwrap_or_default()
}

/// `halo-onboard apply`.
pub async fn run(args: &ApplyArgs) -> u8 {
    if let Some(file) = &args.batch {
        return super::batch::run(file, args).await;
    }
    let run = async {
        match try_run(args).await {
            Ok(code) => code,
            Err(f) => {
                print_failure(&f, args.run.json);
                f.code
            }
        }
    };
    super::deadline::within(args.deadline, "apply", args.run.json, run).await
}

/// The profile's answers with an answers file laid over them, checked against Halo's limits.
pub fn load_answers(profile: &Profile, file: Option<&std::path::Path>) -> Result<Answers, Failure> {
    let mut answers = profile.to_answers();
    if let Some(p) = file {
        answers = overlay_answers(&answers, p)?;
    }
    // A profile that leaves the areas to the user grants the smallest scope set for the areas
    // the answers give, as the wizard's Role step does (unless the file names scopes itself).
    if profile.ask_areas && answers.scopes.is_empty() {
        crate::profile::derive_scopes(&mut answers);
    }
    // Halo's own limits, before Halo sees anything.
    let bad = crate::plan::limits::problems(&answers);
    if !bad.is_empty() {
        let lines: Vec<String> = bad.iter().map(|p| format!("  {p}")).collect();
        return Err(Failure::new(
            format!(
                "these answers would be refused or cut by Halo:\n{}",
                lines.join("\n")
            ),
            "Change them in the answers file (--answers), or in the profile.",
        ));
    }
    Ok(answers)
}

/// The choices the profile leaves to the user must be answered before anything is planned
/// against Halo (the wizard stops on them too): exit 1, naming each question, the answers-file
/// key that answers it and the lines to write.
pub fn check_questions(profile: &Profile, answers: &Answers) -> Result<(), Failure> {
    let open: Vec<_> = profile
        .questions()
        .into_iter()
        .filter(|q| !q.answered(answers))
        .collect();
    if open.is_empty() {
        return Ok(());
    }
    let what: Vec<String> = open
        .iter()
        .map(|q| format!("{} (answers key {})", q.words(), q.key()))
        .collect();
    let examples: Vec<String> = open
        .iter()
        .map(|q| format!("    {}", q.example().replace('\n', "\n    ")))
        .collect();
    Err(Failure {
        code: EXIT_FAILED,
        message: format!(
            "the profile {} leaves {} to you: {}; nothing was planned or written",
            profile.id,
            if open.len() == 1 {
                "a choice"
            } else {
                "choices"
            },
            what.join("; ")
        ),
        hint: format!(
            "answer in a TOML file and pass it with --answers FILE (use the names this Halo has), e.g.:\n{}",
            examples.join("\n")
        ),
    })
}

/// Connects with the bootstrap credentials and checks they can administer Halo; records the
/// connection in the answers. Who it logged in as is reported by [`execute`], which asks
/// together with the lookups.
pub async fn connect(
    connect: &ConnectArgs,
    client_id: &str,
    secret: secrecy::SecretString,
    answers: &mut Answers,
    opts: ClientOptions,
) -> Result<(Client, Endpoint), Failure> {
    let c = connect_bootstrap(&place(connect)?, client_id, secret, opts).await?;
    let ep = c.endpoint().clone();
    set_connection(answers, connect, &ep);
    Ok((c.client, ep))
}

/// The setup to run: the same integration's when this Halo has one journaled here (one setup
/// id per integration: a repair, `--setup` or a rotation continues it), else a draft that
/// [`execute`] journals once the plan can run and the hand-over file can be written, before the
/// first write to Halo (a blocked plan or a dry run leaves nothing behind).
pub fn open_session(journal: &Journal, answers: Answers, ep: &Endpoint) -> Session {
    match session::same_integration(journal, &answers, ep) {
        Some(mut s) => {
            s.answers = answers;
            s
        }
        None => journal.draft(answers, Some(ep.clone())),
    }
}

/// `apply --setup SETUP`: the earlier setup's Halo address, bootstrap client id and answers.
fn from_setup(args: &ApplyArgs, reference: &str) -> Result<(ApplyArgs, Answers), Failure> {
    let j = Journal::open_default().map_err(journal_failure)?;
    let s = super::sessions::resolve(&j, reference)?;
    if let Some(f) = super::rotate::busy(&s).or_else(|| super::rotate::adopted(&s)) {
        return Err(f);
    }
    let c = &s.answers.connection;
    let ep = s.endpoint.clone();
    let mut out = args.clone();
    out.setup = None;
    if !c.url.trim().is_empty() {
        out.connect.url = Some(c.url.clone());
    } else if let Some(ep) = ep {
        out.connect.resource_url = Some(ep.resource_url.clone());
        out.connect.auth_url = Some(ep.auth_url.clone());
        if out.connect.tenant.is_none() {
            out.connect.tenant = ep.tenant.clone();
        }
    } else {
        return Err(Failure::new(
            format!("setup {} has no Halo address recorded", s.id),
            "Use --url (or --resource-url and --auth-url) with --profile instead.",
        ));
    }
    if out
        .connect
        .client_id
        .as_deref()
        .is_none_or(|c| c.trim().is_empty())
    {
        out.connect.client_id = Some(c.client_id.clone()).filter(|c| !c.trim().is_empty());
    }
    out.profile = s.answers.profile.clone();
    Ok((out, s.answers))
}

async fn try_run(args: &ApplyArgs) -> Result<u8, Failure> {
    if let Some(reference) = &args.setup {
        let (mut args, answers) = from_setup(args, reference)?;
        // The secret where the saved instance of that Halo keeps it (or --instance says).
        let c = &args.connect;
        let address = c.url.as_deref().or(c.resource_url.as_deref()).unwrap_or("");
        let lent = for_setup(c.instance.as_deref(), address, c.client_secret_file.clone())?;
        args.connect.secret_source = lent.secret_source;
        if args.connect.client_id.is_none() {
            args.connect.client_id = lent.client_id;
        }
        if args.connect.ca_file.is_none() {
            args.connect.ca_file = lent.ca_file;
        }
        let traps = traps_of(&answers);
        return run_with(&args, answers, traps).await;
    }
    let args = &ApplyArgs {
        connect: args.connect.resolved()?,
        ..args.clone()
    };
    // What is missing is named in the order a user fills it in: where, then what. An unknown
    // profile, or a choice it leaves open, stops before anything connects.
    if args.connect.url.is_none() && args.connect.resource_url.is_none() {
        return Err(no_instance());
    }
    let Some(profile) = args.profile.as_deref() else {
        return Err(Failure::new(
            "no profile given: --profile is required",
            "Pass --profile ID (`halo-onboard profiles` lists them; `custom` starts empty) or the path of a profile file.",
        ));
    };
    let profile = super::profiles::resolve(profile)?;
    let answers = load_answers(&profile, args.answers.as_deref())?;
    check_questions(&profile, &answers)?;
    run_with(args, answers, profile.traps).await
}

async fn run_with(args: &ApplyArgs, mut answers: Answers, traps: Vec<Trap>) -> Result<u8, Failure> {
    let journal = Journal::open_default().map_err(journal_failure)?;
    check_out(&args.run, &journal)?;
    let (client_id, secret) = bootstrap_credentials(&args.connect)?;
    let (client, ep) = connect(
        &args.connect,
        &client_id,
        secret,
        &mut answers,
        args.connect.client_options()?,
    )
    .await?;
    let mut s = open_session(&journal, answers, &ep);
    // A run that may write holds the setup's and the integration's locks until it ends: a
    // second apply of this profile on this Halo (or a resume of one of its setups) is refused.
    let _locks = if will_write(&args.run) {
        Some(journal.lock(&s, "apply").map_err(journal_failure)?)
    } else {
        None
    };
    run_session(&client, &journal, &mut s, &ep, &args.run, traps).await
}

/// Whether a run may write to Halo: `--yes`, or a terminal that will be asked (never a dry run).
pub fn will_write(run: &RunArgs) -> bool {
    !run.dry_run && (run.yes || (!run.json && super::prompt::interactive()))
}
