//! Running a setup headless: look-ups, plan, confirmation, journal, apply, verification and
//! the hand-over file, with the checks before anything reaches Halo.

use std::path::PathBuf;

use super::common::*;
use super::outcome::*;
use crate::answers::Answers;
use crate::halo::{Client, ClientOptions, Endpoint};
use crate::journal::{Journal, Session};
use crate::plan::apply::{ApplyError, GivenSecret};
use crate::plan::build::{Lookups, Object};
use crate::plan::manual;
use crate::plan::session;
use crate::profile::{Profile, Trap};

pub(crate) use super::hooks::{Confirm, Execution};
pub(crate) use super::run_args::{RunArgs, check_out, will_write};

pub(super) fn journal_failure(e: crate::journal::JournalError) -> Failure {
    Failure::new(e.to_string(), e.hint())
}

/// Runs a session from where it stands, in the one order ([`session::run`]): plan (and stop
/// unless `--yes` or `confirm` says yes), apply, verify, hand over. Prints nothing itself
/// except through `log` and `confirm`; the caller reports the [`Outcome`].
pub(crate) async fn execute(e: Execution<'_>, s: &mut Session) -> Result<Outcome, Failure> {
    let given = given_app_secret(e.run)?;
    let mut hooks = super::hooks::Headless::new(&e, &s.answers);
    let setup = session::Setup {
        client: e.client,
        journal: e.journal,
        session: s,
        adopt: e.adopt,
        given,
        regenerate_secret: e.run.new_secret,
        accept_unverified: e.run.no_verify,
    };
    let ran = match session::run(setup, &mut hooks).await {
        Ok(r) => r,
        Err(err) => return Err(run_failure(err, s)),
    };
    let done = match ran {
        session::Ran::Stopped { plan } => {
            let mut o = Outcome::planned(s, plan);
            o.plan_shown = hooks.plan_shown;
            return Ok(o);
        }
        session::Ran::Done(d) => d,
    };
    let f = done.finished;
    let mut out = outcome(s, done.plan, &f.applied);
    out.no_verify = e.run.no_verify;
    out.plan_shown = hooks.plan_shown;
    out.manual_left = s.manual_left().into_iter().map(String::from).collect();
    out.secret_issued = done.secret_issued.map(crate::halo::expiry::format_unix);
    out.verification = f.verification;
    out.verified_with = f.verified_with;
    match done.delivered {
        // The hand-over file is the one place meant for the secret; the journal forgot it.
        Some(path) => {
            out.new_secret = true;
            out.credentials_file = Some(path);
        }
        // The application keeps the secret its vendor already has: nothing to hand over.
        None => out.credentials_file = s.credentials_file.clone(),
    }
    Ok(out)
}

/// What a run that stopped tells the user.
fn run_failure(e: session::RunError<Failure>, s: &Session) -> Failure {
    match e {
        session::RunError::Halo(e) => Failure::halo(&e),
        session::RunError::Journal(e) => journal_failure(e),
        session::RunError::Hook(f) => f,
        session::RunError::Apply { error, lookups } => apply_failure(&error, s, &lookups),
        session::RunError::Adopt {
            error,
            object,
            lookups,
        } => Failure {
            code: EXIT_FAILED,
            message: error.to_string(),
            hint: format!("{}\n{}", error.hint(), manual_hint(object, s, &lookups)),
        },
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
pub(crate) fn apply_failure(e: &ApplyError, s: &Session, lk: &Lookups) -> Failure {
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
pub(crate) fn secret_hint(s: &Session) -> String {
    let c = manual::secret_checklist(&s.answers);
    format!(
        "generate and copy the secret in Halo's web UI:\n  {}\nThen continue (the secret from {} or --manual-secret-file, never the command line):\n  halo-onboard resume {} --yes --manual application --manual-client-id CLIENT_ID",
        c.lines().join("\n  "),
        APP_SECRET_ENV,
        s.id
    )
}

/// The checklist for `object` and the command that adopts it and continues.
pub(crate) fn manual_hint(object: Object, s: &Session, lk: &Lookups) -> String {
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
pub(crate) async fn run_session(
    client: &Client,
    journal: &Journal,
    s: &mut Session,
    run: &RunArgs,
    traps: Vec<Trap>,
    adopt: Option<session::Adopt>,
    lock_as: Option<&'static str>,
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
    let e = Execution {
        client,
        journal,
        run,
        log: stderr_log("", run.json),
        confirm,
        adopt,
        lock_as,
    };
    let mut o = execute(e, s).await?;
    o.traps = traps;
    print_outcome(&o, run.json);
    Ok(o.code())
}

/// The traps of the profile a setup was made from, when this installation still has it.
pub(crate) fn traps_of(answers: &Answers) -> Vec<Trap> {
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
pub(crate) async fn connect(
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
pub(crate) fn open_session(journal: &Journal, answers: Answers, ep: &Endpoint) -> Session {
    match session::same_integration(journal, &answers, ep) {
        Some(mut s) => {
            s.answers = answers;
            s
        }
        None => journal.draft(answers, Some(ep.clone())),
    }
}

/// `halo-onboard apply`'s command line.
#[derive(Debug, Clone, clap::Args)]
pub struct ApplyArgs {
    /// Which Halo, and the bootstrap application that reads it (flags, `--instance` or the
    /// `HALO_*` environment).
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
    /// What applying may do and where the hand-over goes (`--yes`, `--out`, `--json`, ...).
    #[command(flatten)]
    pub run: RunArgs,
}
