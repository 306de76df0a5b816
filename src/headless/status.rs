//! `halo-onboard status`: what is managed from here — the saved instances, every setup by
//! instance and profile (its Client ID, where it stands, the last `check` and when, the
//! secret's expiry), and the hand-over files still on disk with their age (each holds a
//! secret; old ones are flagged). `halo-onboard handover clean` deletes those files, each
//! overwritten with zeros and synced first, never through a symlink.

use std::path::{Path, PathBuf};

use serde::Serialize;

use super::common::*;
use super::table::{capped, col, lines};
use crate::config::{Config, Instance, SecretSource};
use crate::journal::{CheckRecord, Journal, Session, ago, now_unix, valid_id};

/// A hand-over file older than this is flagged: the vendor should have it by now.
pub const OLD_DAYS: u64 = 7;

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

#[derive(Debug, Clone, clap::Args)]
pub struct HandoverArgs {
    #[command(subcommand)]
    pub action: HandoverAction,
}

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

/// A file holding an application's credentials (with the secret).
#[derive(Debug, Clone, Serialize)]
pub struct HandoverFile {
    pub path: PathBuf,
    /// The setup that wrote it, when known.
    pub setup: Option<String>,
    pub modified_unix: u64,
    pub age_days: u64,
    /// Older than [`OLD_DAYS`].
    pub old: bool,
    /// A newer hand-over file holds another secret for the same Client ID (a rotation,
    /// `--new-secret`): this one's secret no longer works. Not one to give to the vendor.
    pub superseded_by: Option<PathBuf>,
}

/// Whether `path` is a regular file (not a link) that holds hand-over credentials.
fn holds_credentials(path: &Path) -> bool {
    std::fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_file())
        && crate::plan::handover::read_credentials(path).is_some()
}

/// The hand-over files still on disk: those in the state dir's hand-over folder, and those
/// setups wrote elsewhere (`--out`) that still hold credentials.
pub fn handover_files(journal: &Journal, sessions: &[Session]) -> Vec<HandoverFile> {
    let mut found: Vec<(PathBuf, Option<String>)> = Vec::new();
    if let Ok(rd) = std::fs::read_dir(journal.handover_dir()) {
        let mut names: Vec<PathBuf> = rd.flatten().map(|e| e.path()).collect();
        names.sort();
        for p in names {
            let hidden = p
                .file_name()
                .and_then(|n| n.to_str())
                .is_none_or(|n| n.starts_with('.'));
            if hidden || !holds_credentials(&p) {
                continue;
            }
            let stem = p.file_stem().and_then(|s| s.to_str()).unwrap_or_default();
            let setup = valid_id(stem).then(|| stem.to_string());
            found.push((p, setup));
        }
    }
    let same = |a: &Path, b: &Path| match (a.canonicalize(), b.canonicalize()) {
        (Ok(x), Ok(y)) => x == y,
        _ => a == b,
    };
    for s in sessions {
        // A rotation's new file belongs to its setup too.
        let rotated = s
            .rotation
            .as_ref()
            .and_then(|r| r.credentials_file.as_ref());
        for f in s
            .earlier_credentials_files
            .iter()
            .chain(&s.credentials_file)
            .chain(rotated)
        {
            if let Some(known) = found.iter_mut().find(|(p, _)| same(p, f)) {
                known.1.get_or_insert_with(|| s.id.clone());
            } else if holds_credentials(f) {
                found.push((f.clone(), Some(s.id.clone())));
            }
        }
    }
    let now = now_unix();
    let modified = |path: &Path| {
        std::fs::symlink_metadata(path)
            .and_then(|m| m.modified())
            .ok()
            .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
    };
    let mut files: Vec<HandoverFile> = found
        .into_iter()
        .map(|(path, setup)| {
            let modified_unix = modified(&path).map_or(now, |d| d.as_secs());
            let age_days = now.saturating_sub(modified_unix) / 86_400;
            HandoverFile {
                path,
                setup,
                modified_unix,
                age_days,
                old: age_days > OLD_DAYS,
                superseded_by: None,
            }
        })
        .collect();
    mark_superseded(&mut files, |p| modified(p).unwrap_or_default());
    files
}

/// A file whose Client ID a newer file holds with another secret was replaced by a rotation:
/// Halo accepts only the newest secret of an application.
fn mark_superseded(files: &mut [HandoverFile], modified: impl Fn(&Path) -> std::time::Duration) {
    use secrecy::ExposeSecret;
    let creds: Vec<Option<(String, secrecy::SecretString, std::time::Duration)>> = files
        .iter()
        .map(|f| {
            let (id, secret) = crate::plan::handover::read_credentials(&f.path)?;
            (!id.is_empty()).then(|| (id, secret, modified(&f.path)))
        })
        .collect();
    let newer: Vec<Option<usize>> = creds
        .iter()
        .enumerate()
        .map(|(i, c)| {
            let (id, secret, at) = c.as_ref()?;
            creds
                .iter()
                .enumerate()
                .filter_map(|(j, o)| Some((j, o.as_ref()?)))
                .filter(|(j, (oid, osecret, oat))| {
                    *j != i
                        && oid == id
                        && oat > at
                        && osecret.expose_secret() != secret.expose_secret()
                })
                .max_by_key(|(_, (_, _, oat))| *oat)
                .map(|(j, _)| j)
        })
        .collect();
    let paths: Vec<PathBuf> = files.iter().map(|f| f.path.clone()).collect();
    for (f, n) in files.iter_mut().zip(newer) {
        f.superseded_by = n.map(|j| paths[j].clone());
    }
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
                rotation: s.rotation.as_ref().map(|r| r.words()),
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
                rotation_due: age.as_ref().is_some_and(|a| a.due()),
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
                        (None, false) => r.state.to_string(),
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
        for r in &group {
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
        for r in &group {
            if let Some(rep) = r
                .reported_expiry
                .as_deref()
                .and_then(crate::halo::expiry::Reported::parse_short)
            {
                o.push_str(&format!("  {}: {}\n", r.id, rep.words()));
            }
        }
        o.push('\n');
    }
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

/// Where a setup stands, in words that never claim more than the journal knows: a secret
/// thrown away or lost before its hand-over is said, not hidden behind "applied".
pub fn state_words(s: &Session) -> String {
    use crate::journal::Status;
    let app_made = s.objects.application_id.is_some();
    if s.secret_discarded && !s.secret_pending {
        return "applied; secret wiped before its hand-over (rotate it)".into();
    }
    match s.status {
        Status::Applied | Status::Verified if s.secret_pending => {
            "applied; secret waiting for its hand-over".into()
        }
        Status::Applied | Status::Verified if app_made && !s.handed_over => {
            "applied; secret not handed over (resume gives it a new one)".into()
        }
        _ => s.state_words(),
    }
}

/// The setup's story as text: see [`StatusArgs::setup`].
fn story(j: &Journal, cfg: &Config, s: &Session, files: &[HandoverFile]) -> String {
    use crate::journal::{Event, Status};
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
    o.push_str("\nWhat happened (the journal, oldest first):\n");
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
    o.push_str("\nSecret: ");
    let mine: Vec<&HandoverFile> = files
        .iter()
        .filter(|f| f.setup.as_deref() == Some(s.id.as_str()))
        .collect();
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
    for f in &mine {
        if let Some(by) = &f.superseded_by {
            o.push_str(&format!(
                "  {} is superseded by {} (its secret no longer works)\n",
                f.path.display(),
                by.display()
            ));
        }
    }
    let check = j.last_check(&s.id);
    o.push_str(&format!(
        "Last check: {}\n",
        check.as_ref().map_or_else(
            || "never".into(),
            |c| format!("{}, {}", c.words(), ago(c.at_unix))
        )
    ));
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
    if let Some(c) = check.as_ref().filter(|c| !c.ok && !c.incomplete) {
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
        let s = match super::sessions::resolve(&j, reference) {
            Ok(s) => s,
            Err(f) => {
                print_failure(&f, args.json);
                return f.code;
            }
        };
        let (cfg, _) = crate::config::load(crate::config::default_path().as_deref());
        let files = handover_files(&j, std::slice::from_ref(&s));
        if args.json {
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
            out!("{}", crate::text::block(&story(&j, &cfg, &s, &files)));
        }
        return EXIT_OK;
    }
    let cfg_path = crate::config::default_path();
    let (cfg, warn) = crate::config::load(cfg_path.as_deref());
    let (sessions, bad) = j.list();
    let setups = rows(&j, &cfg, &sessions);
    let files = handover_files(&j, &sessions);
    if args.json {
        let instances: Vec<_> = cfg
            .instances
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
                Err(e) => serde_json::json!({"name": n, "error": e}),
            })
            .collect();
        let v = serde_json::json!({
            "config": cfg_path,
            "instances": instances,
            "setups": setups,
            "handover_files": files,
            "unreadable": bad.iter().map(|e| e.to_string()).collect::<Vec<_>>(),
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

/// Proves `f` is the hand-over file of the setup it is listed for before it is deleted: that
/// setup is here, and the file (looked at again right before, never through a link) holds
/// that setup's Client ID. A file another integration wrote, or one a journal was edited to
/// point at, is left alone with the reason. The setup's lock is taken and returned: the file
/// is deleted while no other run writes that setup.
fn prove_ours(
    j: &Journal,
    sessions: &[Session],
    f: &HandoverFile,
) -> Result<crate::journal::lock::Lock, String> {
    let Some(id) = &f.setup else {
        return Err(
            "no setup here names it (not a setup's default file, and no journal points at it): left alone"
                .into(),
        );
    };
    let Some(s) = sessions.iter().find(|s| &s.id == id) else {
        return Err(format!(
            "setup {id} is not here any more, so nothing proves the file is its own: left alone"
        ));
    };
    let want = s
        .objects
        .client_id
        .as_deref()
        .map(str::trim)
        .filter(|c| !c.is_empty())
        .ok_or_else(|| format!("setup {id} records no Client ID to compare it with: left alone"))?;
    if !holds_credentials(&f.path) {
        return Err("no longer a hand-over file (changed or a link): left alone".into());
    }
    let got = crate::plan::handover::read_credentials(&f.path)
        .map(|(cid, _)| cid)
        .unwrap_or_default();
    if !got.trim().eq_ignore_ascii_case(want) {
        return Err(format!(
            "it holds the Client ID {}, not setup {id}'s ({want}): another integration's file, left alone",
            crate::text::line(if got.trim().is_empty() {
                "(none)"
            } else {
                got.trim()
            })
        ));
    }
    j.lock_setup(id, "handover clean")
        .map_err(|e| format!("{e}: left alone"))
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
    if !yes {
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
                outln!(
                    "Nothing was deleted. To delete them, run `halo-onboard handover clean --yes`."
                );
            }
            return EXIT_OK;
        }
    }
    let mut deleted = Vec::new();
    let mut failed = Vec::new();
    for f in &files {
        // Only a file proven to be its setup's, while no other run writes that setup.
        let r = prove_ours(&j, &sessions, f)
            .and_then(|_lock| crate::journal::fsutil::wipe(&f.path).map_err(|e| e.to_string()));
        match r {
            Ok(()) => deleted.push(f.path.clone()),
            Err(e) => failed.push((f.path.clone(), e)),
        }
    }
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
        for p in &deleted {
            outln!("deleted {}", crate::text::line(&p.display().to_string()));
        }
        for (p, e) in &failed {
            errln!(
                "not deleted {}: {}",
                crate::text::line(&p.display().to_string()),
                crate::text::line(e)
            );
        }
    }
    if failed.is_empty() {
        EXIT_OK
    } else {
        EXIT_FAILED
    }
}
