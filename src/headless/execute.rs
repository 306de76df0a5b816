//! Running a setup headless: look-ups, plan, confirmation, journal, apply, verification and
//! the hand-over file, with the checks before anything reaches Halo.

use std::path::PathBuf;

use super::common::*;
use super::outcome::*;
use crate::answers::Answers;
use crate::halo::{Client, ClientOptions, Endpoint};
use crate::journal::{Journal, Session};
use crate::plan::apply::{Applier, ApplyError, GivenSecret, Progress, ProgressFn};
use crate::plan::build::{Kind, Lookups, Object};
use crate::plan::handover;
use crate::plan::manual;
use crate::plan::session;
use crate::plan::survey::For;
use crate::plan::verify::Verification;
use crate::profile::{Profile, Trap};

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

/// Progress as printed lines: steps as they happen, read-back differences as the fix to make.
pub(crate) fn printer(log: Log, a: &Answers) -> ProgressFn {
    let names = [
        a.role.name.trim().to_string(),
        a.agent.name.trim().to_string(),
        a.application.name.trim().to_string(),
    ];
    std::sync::Arc::new(move |p| match p {
        Progress::Step(m) => log(&format!("  {m}")),
        Progress::Difference(d) => {
            let o = d.object;
            let name = &names[match o {
                Object::Role => 0,
                Object::Agent => 1,
                Object::Application => 2,
            }];
            log(&format!("  read-back {}: {}", o.label(), d.fix_line(name)))
        }
    })
}

pub(super) fn journal_failure(e: crate::journal::JournalError) -> Failure {
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

/// Whether a run may write to Halo: `--yes`, or a terminal that will be asked (never a dry run).
pub fn will_write(run: &RunArgs) -> bool {
    !run.dry_run && (run.yes || (!run.json && super::prompt::interactive()))
}

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
    #[arg(long, value_name = "DURATION", value_parser = super::deadline::parse_duration)]
    pub deadline: Option<std::time::Duration>,
    #[command(flatten)]
    pub run: RunArgs,
}
