//! `halo-onboard status`: what is managed from here — the saved instances, every setup by
//! instance and profile (its Client ID, where it stands, the last `check` and when, the
//! secret's expiry), and the hand-over files still on disk with their age (each holds a
//! secret; old ones are flagged). `halo-onboard handover clean` deletes those files, each
//! overwritten with zeros and synced first, never through a symlink.

use std::path::Path;

use serde::Serialize;

use super::common::*;
pub use super::handover_clean::{HandoverAction, HandoverArgs, run_handover};
use super::handover_files::{HandoverFile, OLD_DAYS, handover_files};
pub(crate) use super::status_story::state_words;
use super::status_story::story;
use super::table::{capped, col, lines};
use crate::config::{Config, Instance, SecretSource};
use crate::journal::{CheckRecord, Journal, Session, ago, now_unix};

/// `halo-onboard status`'s command line.
#[derive(Debug, Clone, clap::Args)]
pub struct StatusArgs {
    /// One setup's whole story (an id, a unique prefix of one, or `last`): what was written
    /// to Halo and when, its objects, where its secret is, the last check, what is left.
    #[arg(value_name = "SETUP", add = clap_complete::engine::ArgValueCompleter::new(crate::headless::complete::setups))]
    pub setup: Option<String>,
    /// Print one JSON object on stdout: `instances`, `setups` (with `instance`, `profile`,
    /// `state`, `verdict`, `manual_steps_left`, `client_id`, `last_check`, `secret_issued`,
    /// `rotation_due`, `secret_expiry_halo_reports`), `handover_files` (path, setup, age in
    /// days, `old`) and `unreadable`.
    #[arg(long)]
    pub json: bool,
}

/// Where a saved instance's secret comes from, and whether it is there now (never its value).
fn secret_words(i: &Instance) -> String {
    match &i.secret {
        Some(SecretSource::Env(v)) => format!(
            "{v} ({})",
            if env_value(v).is_some() {
                "set"
            } else {
                "not set"
            }
        ),
        Some(SecretSource::File(f)) => format!(
            "{} ({})",
            f.display(),
            if f.is_file() { "there" } else { "missing" }
        ),
        None => format!("{SECRET_ENV} or asked"),
    }
}

/// The secret's age in a table cell: "2026-01-02, 45 d", "2026-01-02, 95 d: rotate", "-".
fn secret_cell(r: &SetupRow) -> String {
    let Some(issued) = &r.secret_issued else {
        return "-".into();
    };
    let due = match (&r.rotate_by, r.rotation_due) {
        (Some(by), true) => format!(": rotate (due {by})"),
        (Some(by), false) => format!(", rotate by {by}"),
        (None, _) => String::new(),
    };
    format!(
        "{}, {} d{due}",
        crate::halo::expiry::day(issued),
        r.secret_age_days.unwrap_or_default(),
    )
}

/// One setup as `status` shows it.
#[derive(Debug, Clone, Serialize)]
struct SetupRow {
    id: String,
    /// The saved instance at its Halo, if any.
    instance: Option<String>,
    /// Its Halo is an emulator on this machine (`--demo`, `sandbox`), not a real one.
    emulator: bool,
    address: String,
    profile: Option<String>,
    /// In words ("done, handed over", "applied, 2 manual steps left"); `status` has the
    /// stable name.
    state: String,
    status: crate::journal::Status,
    /// The setup's manual steps not yet confirmed done: until they are, it is not verified.
    manual_steps_left: Vec<String>,
    /// The last check's verdict, if it recorded one.
    verdict: Option<String>,
    client_id: Option<String>,
    created_unix: u64,
    updated_unix: u64,
    last_check: Option<CheckRecord>,
    /// When halo-onboard issued the secret (RFC 3339, from the journal), and its age.
    secret_issued: Option<String>,
    secret_age_days: Option<i64>,
    /// The admin's rotation policy (`rotate_after_days`) says it is due.
    rotation_due: bool,
    /// What Halo reports about the secret's expiry, never fact.
    #[serde(rename = "secret_expiry_halo_reports")]
    reported_expiry: Option<String>,
    /// When the admin's policy wants it rotated (`YYYY-MM-DD`), where a policy is set.
    rotate_by: Option<String>,
    /// A rotation or tightening in progress, in words.
    rotation: Option<String>,
    /// Adopted from a hand-made integration (`adopt`).
    adopted: bool,
}

fn rows(journal: &Journal, cfg: &Config, sessions: &[Session]) -> Vec<SetupRow> {
    let mut out: Vec<SetupRow> = sessions
        .iter()
        .map(|s| {
            let address = setup_address(s);
            let last_check = journal.last_check(&s.id);
            let reported_expiry = last_check
                .as_ref()
                .and_then(|c| c.reported_expiry.clone())
                .or_else(|| s.reported_expiry.clone());
            let age = journal.secret_issued_unix(s).map(|issued| {
                crate::halo::expiry::Age::new(
                    issued,
                    now_unix(),
                    cfg.secret_policy(&address).rotate_after_days,
                )
            });
            SetupRow {
                rotation: s
                    .rotation
                    .as_ref()
                    .map(crate::journal::rotation::Rotation::words),
                rotate_by: age.as_ref().and_then(|a| {
                    a.rotate_after_days.map(|d| {
                        crate::halo::expiry::day(&crate::halo::expiry::format_unix(
                            a.issued_unix + u64::from(d) * 86_400,
                        ))
                    })
                }),
                adopted: s.adoption.is_some(),
                id: s.id.clone(),
                instance: cfg.instance_at(&address).map(|(n, _)| n.to_string()),
                emulator: on_emulator(s),
                profile: s.answers.profile.clone(),
                state: state_words(s),
                status: s.status,
                manual_steps_left: s.manual_left().into_iter().map(String::from).collect(),
                verdict: last_check.as_ref().and_then(|c| c.verdict.clone()),
                secret_issued: age
                    .as_ref()
                    .map(|a| crate::halo::expiry::format_unix(a.issued_unix)),
                secret_age_days: age.as_ref().map(|a| a.days),
                rotation_due: age.as_ref().is_some_and(crate::halo::expiry::Age::due),
                client_id: s.objects.client_id.clone(),
                created_unix: s.created_unix,
                updated_unix: s.updated_unix,
                last_check,
                reported_expiry,
                address,
            }
        })
        .collect();
    // By instance (saved ones first, by name), then address, then profile; newest first.
    out.sort_by(|a, b| {
        let key = |r: &SetupRow| {
            (
                r.instance.is_none(),
                r.instance.clone().unwrap_or_default(),
                crate::config::normal_address(&r.address),
                r.profile.clone().unwrap_or_default(),
            )
        };
        key(a)
            .cmp(&key(b))
            .then(b.created_unix.cmp(&a.created_unix))
    });
    out
}

fn text(
    cfg: &Config,
    cfg_path: Option<&Path>,
    setups: &[SetupRow],
    files: &[HandoverFile],
) -> String {
    let mut o = instances_text(cfg, cfg_path);
    o.push('\n');
    if setups.is_empty() {
        o.push_str("No setups here yet.\n");
    }
    let mut i = 0;
    while i < setups.len() {
        let head = &setups[i];
        let group: Vec<&SetupRow> = setups[i..]
            .iter()
            .take_while(|r| {
                r.instance == head.instance
                    && crate::config::normal_address(&r.address)
                        == crate::config::normal_address(&head.address)
            })
            .collect();
        i += group.len();
        o.push_str(&group_text(&group));
    }
    o.push_str(&files_text(files));
    o
}

/// The saved instances as a table (or that there are none).
fn instances_text(cfg: &Config, cfg_path: Option<&Path>) -> String {
    let mut o = String::new();
    let shown = cfg_path.map_or_else(|| "no config file".into(), |p| p.display().to_string());
    if cfg.instances.is_empty() {
        o.push_str(&format!(
            "No saved instances ({shown}); the wizard offers to save one after it connects.\n"
        ));
    } else {
        o.push_str(&format!("Saved instances ({shown}):\n"));
        let rows: Vec<Vec<String>> = cfg
            .instances
            .iter()
            .map(|(n, i)| match i {
                Ok(i) => vec![
                    n.clone(),
                    i.address().unwrap_or_default().to_string(),
                    i.client_id.clone().unwrap_or_else(|| "-".into()),
                    secret_words(i),
                ],
                Err(e) => vec![n.clone(), format!("not usable: {e}")],
            })
            .collect();
        let cols = [
            col("NAME"),
            capped("ADDRESS", 60),
            col("CLIENT ID"),
            col("SECRET FROM"),
        ];
        for l in lines(&cols, &rows) {
            o.push_str(&format!("  {l}\n"));
        }
    }
    o
}

/// One Halo's setups: a title, their table, and what is due or reported under it.
fn group_text(group: &[&SetupRow]) -> String {
    let mut o = String::new();
    let Some(head) = group.first() else {
        return o;
    };
    let title = match &head.instance {
        Some(n) => format!("{n} — {}", head.address),
        None if head.emulator => format!(
            "{} (an emulator on this machine: --demo or sandbox, not a real Halo; `halo-onboard sessions discard SETUP` forgets a setup)",
            head.address
        ),
        None => format!("{} (not a saved instance)", head.address),
    };
    o.push_str(&format!("{}\n", crate::text::line(&title)));
    let rows: Vec<Vec<String>> = group
        .iter()
        .map(|r| {
            vec![
                r.profile.clone().unwrap_or_else(|| "-".into()),
                r.id.clone(),
                match (&r.rotation, r.adopted) {
                    (Some(_), _) => format!("{}; rotation in progress", r.state),
                    (None, true) => format!("{} (adopted)", r.state),
                    (None, false) => r.state.clone(),
                },
                r.client_id.clone().unwrap_or_else(|| "-".into()),
                r.last_check.as_ref().map_or_else(
                    || "never".into(),
                    |c| format!("{}, {}", c.words(), ago(c.at_unix)),
                ),
                secret_cell(r),
            ]
        })
        .collect();
    let cols = [
        capped("PROFILE", 24),
        col("SETUP"),
        col("STATE"),
        col("CLIENT ID"),
        capped("LAST CHECK", 48),
        col("SECRET ISSUED"),
    ];
    for l in lines(&cols, &rows) {
        o.push_str(&format!("  {l}\n"));
    }
    for r in group {
        if let Some(w) = &r.rotation {
            o.push_str(&format!(
                "  {}: {w}; `halo-onboard rotate --finish {}` once the vendor has the new credentials\n",
                r.id, r.id
            ));
        } else if r.rotation_due {
            o.push_str(&format!(
                "  {}: the secret is due for rotation (rotate_after_days); `halo-onboard rotate --setup {}` hands over a new one without downtime\n",
                r.id, r.id
            ));
        }
    }
    // What Halo reports is said as reported, under the table, never in a column of facts.
    for r in group {
        if let Some(rep) = r
            .reported_expiry
            .as_deref()
            .and_then(crate::halo::expiry::Reported::parse_short)
        {
            o.push_str(&format!("  {}: {}\n", r.id, rep.words()));
        }
    }
    o.push('\n');
    o
}

/// The hand-over files on disk as a table, the old ones flagged.
fn files_text(files: &[HandoverFile]) -> String {
    let mut o = String::new();
    if files.is_empty() {
        o.push_str("No hand-over files on disk.\n");
    } else {
        o.push_str("Hand-over files on disk (each holds a secret: give the current one to the vendor, then `halo-onboard handover clean`):\n");
        let rows: Vec<Vec<String>> = files
            .iter()
            .map(|f| {
                vec![
                    format!("{}d{}", f.age_days, if f.old { " OLD" } else { "" }),
                    f.path.display().to_string(),
                    f.setup.clone().unwrap_or_else(|| "-".into()),
                    match &f.superseded_by {
                        Some(p) => format!(
                            "superseded by {}: its secret no longer works (rotated); delete it",
                            p.display()
                        ),
                        None => "current".into(),
                    },
                ]
            })
            .collect();
        for l in lines(
            &[col("AGE"), col("FILE"), col("SETUP"), col("SECRET")],
            &rows,
        ) {
            o.push_str(&format!("  {l}\n"));
        }
        let old = files.iter().filter(|f| f.old).count();
        if old > 0 {
            o.push_str(&format!(
                "{old} file(s) older than {OLD_DAYS} days: the vendor should have them by now; delete them.\n"
            ));
        }
    }
    o
}

fn journal() -> Result<Journal, Failure> {
    Journal::open_default().map_err(|e| Failure::new(e.to_string(), e.hint()))
}

/// `halo-onboard status`.
pub fn run_status(args: &StatusArgs) -> u8 {
    let j = match journal() {
        Ok(j) => j,
        Err(f) => {
            print_failure(&f, args.json);
            return f.code;
        }
    };
    if let Some(reference) = &args.setup {
        return run_story(&j, reference, args.json);
    }
    let cfg_path = crate::config::default_path();
    let (cfg, warn) = crate::config::load(cfg_path.as_deref());
    let (sessions, bad) = j.list();
    let setups = rows(&j, &cfg, &sessions);
    let files = handover_files(&j, &sessions);
    if args.json {
        let v = serde_json::json!({
            "config": cfg_path,
            "instances": instances_json(&cfg),
            "setups": setups,
            "handover_files": files,
            "unreadable": bad.iter().map(std::string::ToString::to_string).collect::<Vec<_>>(),
        });
        outln!("{v}");
    } else {
        if let Some(w) = warn {
            for line in crate::text::block(&w).lines() {
                errln!("warning: {line}");
            }
        }
        out!(
            "{}",
            crate::text::block(&text(&cfg, cfg_path.as_deref(), &setups, &files))
        );
        for e in &bad {
            errln!("warning: {e}\n  what to do: {}", e.hint());
        }
    }
    EXIT_OK
}

/// The saved instances as JSON (where each one's secret comes from, never its value).
fn instances_json(cfg: &Config) -> Vec<serde_json::Value> {
    cfg.instances
        .iter()
        .map(|(n, i)| match i {
            Ok(i) => serde_json::json!({
                "name": n,
                "url": i.url,
                "resource_url": i.resource_url,
                "auth_url": i.auth_url,
                "tenant": i.tenant,
                "client_id": i.client_id,
                "secret_env": match &i.secret { Some(SecretSource::Env(v)) => Some(v), _ => None },
                "secret_file": match &i.secret { Some(SecretSource::File(f)) => Some(f), _ => None },
            }),
            Err(e) => serde_json::json!({"name": n, "error": e.to_string()}),
        })
        .collect()
}

/// `halo-onboard status SETUP`: one setup's story, or the same as one JSON object.
fn run_story(j: &Journal, reference: &str, json: bool) -> u8 {
    let s = match super::sessions::resolve(j, reference) {
        Ok(s) => s,
        Err(f) => {
            print_failure(&f, json);
            return f.code;
        }
    };
    let (cfg, _) = crate::config::load(crate::config::default_path().as_deref());
    let files = handover_files(j, std::slice::from_ref(&s));
    if json {
        outln!(
            "{}",
            serde_json::json!({
                "setup": s.id,
                "state": state_words(&s),
                "status": s.status,
                "objects": s.objects,
                "entries": s.entries,
                "secret_pending": s.secret_pending,
                "handed_over": s.handed_over,
                "secret_discarded": s.secret_discarded,
                "credentials_file": s.credentials_file,
                "last_check": j.last_check(&s.id),
                "handover_files": files,
            })
        );
    } else {
        out!("{}", crate::text::block(&story(j, &cfg, &s, &files)));
    }
    EXIT_OK
}
