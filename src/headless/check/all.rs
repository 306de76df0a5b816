//! `halo-onboard check --all`: every setup managed here, on every Halo, for cron and RMM jobs.
//! One line each (or one JSON object), and the exit code is the worst result: 0 all verified,
//! 3 manual steps left somewhere, 1 drift or a need that could not be checked, 2 a setup could
//! not be checked at all (2 > 1 > 3 > 0).
//!
//! Which setups: the newest finished setup of each application (an older setup of the same
//! application — a repair, a rotation's history — is the same integration). Unfinished and
//! rolled-back setups are listed, not checked. Where the bootstrap secret comes from: a setup
//! at a saved instance uses that instance's `secret_env`/`secret_file`; a setup whose Halo is
//! no saved instance uses `HALO_CLIENT_SECRET` when set (with the bootstrap Client ID its
//! journal recorded), else only the checks its own credentials can run.

use futures::StreamExt;
use serde::Serialize;
use serde_json::json;

use super::args::CheckArgs;
use super::one::try_run;
use super::report::Report;
use crate::headless::common::*;
use crate::journal::{Journal, Session, Status};

/// How many setups are checked at once (each on its own Halo connection).
const CONCURRENCY: usize = 4;

/// One setup's line.
#[derive(Debug, Clone, Serialize)]
pub(super) struct Line {
    pub setup: String,
    /// The saved instance at its Halo, else the address.
    pub instance: Option<String>,
    pub address: String,
    pub profile: Option<String>,
    /// `ok`, `manual` (steps left to do by hand), `fail`, `error` (could not check) or
    /// `skipped`.
    pub result: &'static str,
    pub code: u8,
    /// What happened, in words.
    pub words: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub drift: Vec<String>,
    /// A rotation or tightening in progress.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rotation: Option<String>,
}

/// The setups to check (newest of each application) and those only listed, with why.
fn select(sessions: &[Session]) -> (Vec<&Session>, Vec<(&Session, String)>) {
    let mut check: Vec<&Session> = Vec::new();
    let mut listed = Vec::new();
    let mut seen: Vec<String> = Vec::new();
    for s in sessions {
        let key = s
            .objects
            .application_id
            .clone()
            .or_else(|| s.objects.client_id.clone())
            .unwrap_or_default()
            .to_ascii_lowercase();
        if s.status == Status::RolledBack {
            continue;
        }
        if !matches!(s.status, Status::HandedOver | Status::Verified) || key.is_empty() {
            listed.push((
                s,
                format!(
                    "not finished ({}): `halo-onboard resume {}` finishes it",
                    s.status.words(),
                    s.id
                ),
            ));
            continue;
        }
        // An older setup of an application a newer setup holds: the same integration.
        if seen.contains(&key) {
            continue;
        }
        seen.push(key);
        check.push(s);
    }
    (check, listed)
}

fn words(r: &Report) -> String {
    let count = |st: super::report::Status| r.checks.iter().filter(|c| c.status == st).count();
    let failed = count(super::report::Status::Fail);
    let skipped = count(super::report::Status::Skip);
    if r.incomplete {
        "did not finish (Halo could not be reached part-way)".into()
    } else if failed == 0 && !r.manual_steps_left.is_empty() {
        format!("{} manual step(s) left", r.manual_steps_left.len())
    } else if failed == 0 && count(super::report::Status::CouldNotCheck) > 0 {
        format!(
            "nothing failed; {} could not be checked",
            count(super::report::Status::CouldNotCheck)
        )
    } else if failed == 0 {
        format!(
            "passed ({} checks{})",
            count(super::report::Status::Pass),
            if skipped > 0 {
                format!(", {skipped} skipped")
            } else {
                String::new()
            }
        )
    } else if r.drift.is_empty() {
        format!("{failed} failed")
    } else {
        format!("{failed} failed: {}", r.drift.join(", "))
    }
}

/// `check --all`.
pub(super) async fn run(args: &CheckArgs) -> u8 {
    let j = match Journal::open_default() {
        Ok(j) => j,
        Err(e) => {
            let f = Failure::new(e.to_string(), e.hint());
            print_failure(&f, args.json);
            return f.code;
        }
    };
    let (cfg, _) = config();
    let (sessions, bad) = j.list();
    let here = match setups_here(args, &cfg, sessions) {
        Ok(here) => here,
        Err(f) => {
            print_failure(&f, args.json);
            return f.code;
        }
    };
    let (to_check, listed) = select(&here);
    let checks = check_each(args, &to_check).await;
    let lines = lines_of(&cfg, &to_check, &listed, &checks);
    let worst = worst_of(&lines);
    print_all(args, &lines, worst, &bad);
    worst
}

/// The setups `--all` covers: every one here, or the named instance's (`--instance NAME`).
fn setups_here(
    args: &CheckArgs,
    cfg: &crate::config::Config,
    sessions: Vec<Session>,
) -> Result<Vec<Session>, Failure> {
    let only = match &args.connect.instance {
        Some(name) => match cfg.instance(name, crate::config::default_path().as_deref()) {
            Ok(i) => Some(i.address().unwrap_or_default().to_string()),
            Err(e) => {
                return Err(Failure::new(
                    e.to_string(),
                    "`halo-onboard status` lists the saved instances.",
                ));
            }
        },
        None => None,
    };
    Ok(sessions
        .into_iter()
        .filter(|s| {
            only.as_deref().is_none_or(|a| {
                crate::config::normal_address(&setup_address(s)) == crate::config::normal_address(a)
            })
        })
        .collect())
}

type Checked = Vec<(String, Result<Report, Failure>)>;

/// Each setup's check, a few at a time, quiet (the lines printed after are the output).
async fn check_each(args: &CheckArgs, to_check: &[&Session]) -> Checked {
    futures::stream::iter(to_check.iter().map(|s| {
        let one = CheckArgs {
            setup: Some(s.id.clone()),
            all: false,
            // Quiet per setup: the lines below are the output.
            json: true,
            connect: ConnectArgs {
                instance: args.connect.instance.clone(),
                client_secret_file: args.connect.client_secret_file.clone(),
                ca_file: args.connect.ca_file.clone(),
                client_id: args.connect.client_id.clone(),
                ..ConnectArgs::default()
            },
            ..args.clone()
        };
        async move { (s.id.clone(), try_run(&one).await) }
    }))
    .buffer_unordered(CONCURRENCY)
    .collect::<Vec<_>>()
    .await
}

/// One line per setup checked or skipped, ordered by instance, address, profile and id.
fn lines_of(
    cfg: &crate::config::Config,
    to_check: &[&Session],
    listed: &[(&Session, String)],
    checks: &Checked,
) -> Vec<Line> {
    let instance_of = |s: &Session| {
        cfg.instance_at(&setup_address(s))
            .map(|(n, _)| n.to_string())
    };
    let mut lines: Vec<Line> = Vec::new();
    for s in to_check {
        let Some((_, result)) = checks.iter().find(|(id, _)| *id == s.id) else {
            continue;
        };
        let (result, code, words, drift) = match result {
            Ok(r) if r.incomplete => ("error", EXIT_CANNOT_RUN, self::words(r), r.drift.clone()),
            Ok(r) => match r.code() {
                EXIT_OK => ("ok", EXIT_OK, self::words(r), Vec::new()),
                EXIT_MANUAL_LEFT => ("manual", EXIT_MANUAL_LEFT, self::words(r), Vec::new()),
                c => ("fail", c, self::words(r), r.drift.clone()),
            },
            Err(f) => (
                "error",
                f.code.max(EXIT_FAILED),
                f.message.clone(),
                Vec::new(),
            ),
        };
        lines.push(Line {
            setup: s.id.clone(),
            instance: instance_of(s),
            address: setup_address(s),
            profile: s.answers.profile.clone(),
            result,
            code,
            words,
            drift,
            rotation: s
                .rotation
                .as_ref()
                .map(crate::journal::rotation::Rotation::words),
        });
    }
    for (s, why) in listed {
        lines.push(Line {
            setup: s.id.clone(),
            instance: instance_of(s),
            address: setup_address(s),
            profile: s.answers.profile.clone(),
            result: "skipped",
            code: EXIT_OK,
            words: why.clone(),
            drift: Vec::new(),
            rotation: None,
        });
    }
    lines.sort_by(|a, b| {
        let key = |l: &Line| {
            (
                l.instance.is_none(),
                l.instance.clone().unwrap_or_default(),
                crate::config::normal_address(&l.address),
                l.profile.clone().unwrap_or_default(),
                l.setup.clone(),
            )
        };
        key(a).cmp(&key(b))
    });
    lines
}

/// The exit code of the whole run: could not run (2) outranks a failure (1), which outranks
/// manual steps left (3).
fn worst_of(lines: &[Line]) -> u8 {
    let rank = |c: u8| match c {
        EXIT_OK => 0,
        EXIT_MANUAL_LEFT => 1,
        EXIT_FAILED => 2,
        _ => 3,
    };
    lines
        .iter()
        .map(|l| l.code)
        .max_by_key(|c| rank(*c))
        .unwrap_or(EXIT_OK)
}

/// The lines as text (or one JSON object), with the result and the journals not read.
fn print_all(args: &CheckArgs, lines: &[Line], worst: u8, bad: &[crate::journal::JournalError]) {
    if args.json {
        outln!(
            "{}",
            json!({
                "ok": worst == EXIT_OK,
                "code": worst,
                "setups": lines,
                "unreadable": bad.iter().map(std::string::ToString::to_string).collect::<Vec<_>>(),
            })
        );
    } else {
        let mut o = String::new();
        if lines.is_empty() {
            o.push_str("No setups here to check.\n");
        }
        for l in lines {
            let mark = match l.result {
                "ok" => "ok",
                "manual" => "STEPS",
                "fail" => "FAIL",
                "error" => "ERROR",
                _ => "skip",
            };
            let place = l.instance.clone().unwrap_or_else(|| l.address.clone());
            let mut w = l.words.clone();
            if let Some(r) = &l.rotation {
                w.push_str(&format!("; {r}"));
            }
            o.push_str(&format!(
                "{mark:<5} {place}  {}  {}  {}\n",
                l.profile.as_deref().unwrap_or("-"),
                l.setup,
                crate::text::line(&w)
            ));
        }
        let n = lines.iter().filter(|l| l.result != "skipped").count();
        o.push_str(&match worst {
            EXIT_OK => format!("Result: {n} setup(s) checked, all passed.\n"),
            EXIT_MANUAL_LEFT => format!(
                "Result: {n} setup(s) checked; manual steps left somewhere (exit 3): `halo-onboard check SETUP` lists them.\n"
            ),
            EXIT_FAILED => format!(
                "Result: {n} setup(s) checked; drift or failed checks (exit 1): `halo-onboard check SETUP` shows each.\n"
            ),
            _ => format!(
                "Result: {n} setup(s) checked; some could not be checked (exit 2): `halo-onboard check SETUP` says why.\n"
            ),
        });
        out!("{}", crate::text::block(&o));
        for e in bad {
            errln!("warning: {e}\n  what to do: {}", e.hint());
        }
    }
}
