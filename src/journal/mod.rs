//! Resumable setups. One JSON file per setup under the state dir; every Halo write is bracketed by
//! an "about to" entry before and a "done, id=..." entry after, so that a resume after a kill at
//! any instant knows exactly what may exist in Halo. Each object this setup creates carries
//! [`Session::marker`] so resume recognises its own objects and never adopts a stranger's.
//!
//! The bootstrap secret is never written. The new application's secret is kept, until the
//! hand-over is confirmed, in a separate `<id>.secret` file (0600), so the journal itself never
//! holds a secret and wiping it is a file removal.

pub mod fsutil;
pub mod lock;
pub mod rotation;

use std::fs;
use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Serialize};

use crate::answers::Answers;
use crate::halo::Endpoint;

/// Bump when the file format changes incompatibly.
pub const FORMAT_VERSION: u32 = 1;
/// Overrides the platform state dir (tests, portable installs).
pub const STATE_DIR_ENV: &str = "HALO_ONBOARD_STATE_DIR";

#[derive(Debug, thiserror::Error)]
pub enum JournalError {
    #[error("cannot use state directory {path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("journal {path} is damaged at line {line}, column {column}: {message}")]
    Corrupt {
        path: PathBuf,
        line: usize,
        column: usize,
        message: String,
    },
    #[error(
        "journal {path} was written by a newer halo-onboard (format {found}, this one reads {FORMAT_VERSION})"
    )]
    TooNew { path: PathBuf, found: u32 },
    #[error("journal {path} is too large (more than {}); it was not read", crate::limits::human(*cap))]
    TooLarge { path: PathBuf, cap: usize },
    #[error("no setup with id '{0}'")]
    NotFound(String),
    #[error("setup '{reference}' is ambiguous: {} setups start with it ({})", .matches.len(), .matches.join(", "))]
    Ambiguous {
        reference: String,
        matches: Vec<String>,
    },
    #[error("no platform state directory; set {STATE_DIR_ENV}")]
    NoStateDir,
    #[error("{} is not a regular file (a pipe, a device, a folder or a link); it was not read", .path.display())]
    NotRegular { path: PathBuf },
    #[error(
        "{what} is being written by another halo-onboard run ({holder}); this run was refused so that nothing is created twice"
    )]
    Busy { what: String, holder: String },
}

impl JournalError {
    pub fn hint(&self) -> String {
        match self {
            Self::Io { .. } => format!(
                "Check the directory's owner and permissions, or set {STATE_DIR_ENV} to a writable directory."
            ),
            Self::Corrupt { path, .. } => format!(
                "The file was left untouched. Fix or move it aside ({}) and run `halo-onboard sessions` again; objects already created in Halo carry the setup's marker in their notes.",
                path.display()
            ),
            Self::TooNew { .. } => "Use the newer halo-onboard to resume this setup.".into(),
            Self::TooLarge { path, .. } => format!(
                "A setup's journal is a few KiB; this file is not one. Move it aside ({}); nothing else is affected.",
                path.display()
            ),
            Self::NotFound(_) => "Run `halo-onboard sessions --all` to list setups; `last` names the most recent one.".into(),
            Self::Ambiguous { .. } => {
                "Give more of the id (`halo-onboard sessions --all` lists them).".into()
            }
            Self::NoStateDir => format!("Set {STATE_DIR_ENV}=/some/private/dir."),
            Self::NotRegular { path } => format!(
                "Move it out of the folder ({}); setups are plain files. Nothing else is affected.",
                path.display()
            ),
            Self::Busy { .. } => "Wait for that run to finish (`halo-onboard sessions` shows where the setup stands), then run this again if something is left. The lock goes with its process: if that run was killed, nothing holds it any more and a new run proceeds.".into(),
        }
    }
}

pub type Result<T> = std::result::Result<T, JournalError>;

/// Where a setup stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Status {
    Planned,
    Applying,
    Applied,
    Verified,
    HandedOver,
    RolledBack,
}

impl Status {
    pub fn is_finished(self) -> bool {
        matches!(self, Self::HandedOver | Self::RolledBack)
    }

    /// Where the setup stands, in words for people (tables, messages); JSON keeps the
    /// kebab-case names.
    pub fn words(self) -> &'static str {
        match self {
            Self::Planned => "planned, nothing written",
            Self::Applying => "applying, not finished",
            Self::Applied => "applied, not verified",
            Self::Verified => "verified, not handed over",
            Self::HandedOver => "done, handed over",
            Self::RolledBack => "rolled back",
        }
    }
}

/// The object a journal entry is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Subject {
    Role,
    Agent,
    Application,
    Secret,
    Verify,
    Handover,
    /// A second application of the setup (rotate, tighten) and the deletion of the first.
    Rotation,
}

impl Subject {
    /// The subject in words, for messages.
    pub fn words(self) -> &'static str {
        match self {
            Self::Role => "role",
            Self::Agent => "agent",
            Self::Application => "application",
            Self::Secret => "secret",
            Self::Verify => "verification",
            Self::Handover => "hand-over",
            Self::Rotation => "rotation",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "event", rename_all = "kebab-case")]
pub enum Event {
    /// Written before a Halo write; `action` is e.g. "create", "update", "delete", "regenerate".
    About {
        subject: Subject,
        action: String,
    },
    /// Written after Halo confirmed the write.
    Done {
        subject: Subject,
        action: String,
        id: String,
    },
    Failed {
        subject: Subject,
        action: String,
        error: String,
    },
    Note {
        text: String,
    },
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Entry {
    pub at_unix: u64,
    #[serde(flatten)]
    pub event: Event,
}

/// Ids of what this setup created or adopted.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Objects {
    pub role_id: Option<String>,
    pub role_created: bool,
    pub agent_id: Option<i64>,
    pub agent_created: bool,
    pub application_id: Option<String>,
    pub application_created: bool,
    pub client_id: Option<String>,
    /// Made by hand in Halo's web UI after Halo refused the write, then adopted: apply keeps
    /// these as they are (a write would be refused again) and rollback never deletes them.
    pub role_manual: bool,
    pub agent_manual: bool,
    pub application_manual: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Session {
    pub version: u32,
    pub id: String,
    pub created_unix: u64,
    /// Milliseconds since the epoch at creation: orders setups started in the same second
    /// (`last`); 0 in journals written before it existed.
    #[serde(default)]
    pub created_ms: u64,
    pub updated_unix: u64,
    pub status: Status,
    pub endpoint: Option<Endpoint>,
    pub answers: Answers,
    /// The plan as shown to the user (kept as JSON so the journal format does not chase it).
    #[serde(default)]
    pub plan: Option<serde_json::Value>,
    #[serde(default)]
    pub objects: Objects,
    #[serde(default)]
    pub entries: Vec<Entry>,
    /// A new client secret is waiting in `<id>.secret` for the hand-over.
    #[serde(default)]
    pub secret_pending: bool,
    /// The application's secret was handed over (written to a file or confirmed in the wizard)
    /// and then wiped here: it is not lost, so it is never regenerated unasked.
    #[serde(default)]
    pub handed_over: bool,
    /// The hand-over file holding the application's credentials: the one this setup wrote, or
    /// the earlier setup's one it verified with. `check SETUP` reads the secret from it.
    #[serde(default)]
    pub credentials_file: Option<PathBuf>,
    /// What Halo reported about the secret's expiry (`expiry::Reported::short`, e.g.
    /// `apiKey1ExpiryDate = 2027-02-28T…`), for `status`: a weakly evidenced field, never fact.
    /// (Journals before it read the bare date from `secret_expires`.)
    #[serde(
        default,
        alias = "secret_expires",
        skip_serializing_if = "Option::is_none"
    )]
    pub reported_expiry: Option<String>,
    /// The steps to do by hand in Halo's web UI this setup needs (its plan's `manual`, as of
    /// its last apply): until confirmed, the setup is "applied, N manual steps left", never
    /// verified.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub manual_steps: Vec<String>,
    /// The steps the admin confirmed done (`resume ID --confirm-manual`, the wizard's `m`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub manual_confirmed: Vec<String>,
    /// A second application being brought in (rotate, tighten), until `rotate --finish`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rotation: Option<rotation::Rotation>,
    /// Rotations and tightenings finished, oldest first.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub rotations: Vec<rotation::RotationDone>,
    /// How a hand-made integration was adopted (`adopt`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub adoption: Option<rotation::Adoption>,
    /// An in-place tightening not checked yet: what each step changed, newest last.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub undo: Vec<rotation::Undo>,
    /// The secret was wiped before it was handed over (neither copied nor saved): it exists
    /// nowhere; the application needs a new one.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub secret_discarded: bool,
    /// Hand-over files this setup wrote before its current one (a rotation handed over a new
    /// secret elsewhere): `status` lists them while they still hold credentials.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub earlier_credentials_files: Vec<PathBuf>,
}

/// The last `check` of a setup, kept beside the journal (`<state dir>/checks/<id>.json`) so a
/// check never rewrites the setup's own file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CheckRecord {
    pub at_unix: u64,
    /// Every check passed.
    pub ok: bool,
    /// `verified`, `manual_steps_left`, `failed` or `could_not_check` (absent in records
    /// written before it existed).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub verdict: Option<String>,
    /// Halo could not be reached part-way: the audit did not finish.
    #[serde(default)]
    pub incomplete: bool,
    /// Why it did not finish, in words (records before it existed: Halo unreachable).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub why: Option<String>,
    pub passed: usize,
    pub failed: usize,
    pub skipped: usize,
    /// What differs from the profile, in short stable words ("extra scope admin").
    #[serde(default)]
    pub drift: Vec<String>,
    /// What Halo reported about the secret's expiry (`expiry::Reported::short`), never fact.
    #[serde(default, alias = "secret_expires")]
    pub reported_expiry: Option<String>,
    /// When halo-onboard issued the secret (from the setup's journal), RFC 3339.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub secret_issued: Option<String>,
    /// The admin's rotation policy said the secret is due.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub rotation_due: bool,
}

impl CheckRecord {
    /// The result in words: "passed", "2 failed: extra scope admin, …", "did not finish".
    pub fn words(&self) -> String {
        if self.incomplete {
            format!(
                "did not finish ({})",
                self.why.as_deref().unwrap_or("Halo unreachable")
            )
        } else if self.ok {
            format!("passed ({} checks)", self.passed)
        } else if self.verdict.as_deref() == Some("manual_steps_left") {
            format!("{} passed; manual steps left", self.passed)
        } else if self.verdict.as_deref() == Some("could_not_check") {
            format!("{} passed; some could not be checked", self.passed)
        } else if self.drift.is_empty() {
            format!("{} failed", self.failed)
        } else {
            format!("{} failed: {}", self.failed, self.drift.join(", "))
        }
    }
}

pub fn now_unix() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

impl Session {
    /// How long ago it was last written, e.g. "5m ago".
    pub fn age(&self) -> String {
        ago(self.updated_unix)
    }

    /// Text put in the notes of the role this setup creates, to recognise it on resume
    /// (`plan::ownership`: the role's notes are the one field Halo has for a marker).
    pub fn marker(&self) -> String {
        marker_for(&self.id)
    }

    /// When halo-onboard issued the application's secret in this setup: the journal's
    /// timestamp of the create that sent it (journaled just before Halo saw it), or of the
    /// latest regeneration or pasted secret. `None` for an application whose secret came from
    /// elsewhere (adopted from an earlier setup or another tool).
    pub fn secret_issued_unix(&self) -> Option<u64> {
        let created = self.objects.application_created;
        self.entries
            .iter()
            .rev()
            .find(|e| match &e.event {
                Event::About {
                    subject: Subject::Application,
                    action,
                } => created && action == "create",
                Event::Done {
                    subject: Subject::Secret,
                    ..
                } => true,
                _ => false,
            })
            .map(|e| e.at_unix)
    }

    /// The manual steps not confirmed yet.
    pub fn manual_left(&self) -> Vec<&str> {
        if self.status == Status::RolledBack {
            return Vec::new();
        }
        self.manual_steps
            .iter()
            .filter(|m| !self.manual_confirmed.contains(m))
            .map(String::as_str)
            .collect()
    }

    /// The admin says every manual step this setup lists is done.
    pub fn confirm_manual(&mut self) {
        for m in &self.manual_steps {
            if !self.manual_confirmed.contains(m) {
                self.manual_confirmed.push(m.clone());
            }
        }
    }

    /// Finished: handed over (or rolled back) with no manual step left.
    pub fn finished(&self) -> bool {
        self.status.is_finished() && self.manual_left().is_empty()
    }

    /// Where the setup stands, in words: the status, or "applied, N manual steps left" while
    /// steps are not confirmed.
    pub fn state_words(&self) -> String {
        match self.manual_left().len() {
            0 => self.status.words().to_string(),
            _ if matches!(self.status, Status::Planned | Status::Applying) => {
                self.status.words().to_string()
            }
            n => format!(
                "applied, {n} manual step{} left",
                if n == 1 { "" } else { "s" }
            ),
        }
    }

    /// The last write that was started but not confirmed, if any: after a kill this is the
    /// write whose outcome resume must find out from Halo.
    pub fn in_doubt(&self) -> Option<(Subject, String)> {
        let mut open: Option<(Subject, String)> = None;
        for e in &self.entries {
            match &e.event {
                Event::About { subject, action } => open = Some((*subject, action.clone())),
                Event::Done { subject, .. } | Event::Failed { subject, .. } => {
                    if open.as_ref().map(|(s, _)| s) == Some(subject) {
                        open = None;
                    }
                }
                Event::Note { .. } => {}
            }
        }
        open
    }

    pub fn push(&mut self, event: Event) {
        self.entries.push(Entry {
            at_unix: now_unix(),
            event,
        });
    }
}

/// How long ago `unix` was, e.g. "5m ago".
pub fn ago(unix: u64) -> String {
    let secs = now_unix().saturating_sub(unix);
    match secs {
        0..=119 => format!("{secs}s ago"),
        120..=7199 => format!("{}m ago", secs / 60),
        7200..=172_799 => format!("{}h ago", secs / 3600),
        _ => format!("{}d ago", secs / 86_400),
    }
}

/// `YYYYMMDD-HHMMSS` in UTC, so setup ids sort and read as times.
pub fn utc_stamp(unix: u64) -> String {
    crate::timestamp::compact_utc(unix)
}

pub fn marker_for(id: &str) -> String {
    format!("[halo-onboard:{id}]")
}

/// Whether `id` has the shape [`Journal::draft`] gives setup ids, `YYYYMMDD-HHMMSS-<slug>-<hex>`:
/// ASCII letters, digits and dashes only, so an id can never name a path outside the state dir
/// (no separator, no `..`, no control character).
pub fn valid_id(id: &str) -> bool {
    let b = id.as_bytes();
    let digits =
        |r: std::ops::Range<usize>| b.get(r).is_some_and(|x| x.iter().all(u8::is_ascii_digit));
    let tail = id.get(16..).unwrap_or_default();
    let rand = tail.rsplit('-').next().unwrap_or_default();
    id.len() <= 64
        && digits(0..8)
        && b.get(8) == Some(&b'-')
        && digits(9..15)
        && b.get(15) == Some(&b'-')
        && tail.bytes().all(|c| c.is_ascii_alphanumeric() || c == b'-')
        && rand.len() == 6
        && rand.bytes().all(|c| c.is_ascii_hexdigit())
}

/// The journal directory and its files.
#[derive(Debug, Clone)]
pub struct Journal {
    dir: PathBuf,
    /// Test hook: saves left before every save fails, as if the process died at that boundary.
    crash_after: Option<std::sync::Arc<std::sync::atomic::AtomicUsize>>,
}

impl Journal {
    /// `$HALO_ONBOARD_STATE_DIR`, else the platform state dir (`~/.local/state/halo-onboard`).
    pub fn open_default() -> Result<Self> {
        let dir = default_state_dir().ok_or(JournalError::NoStateDir)?;
        Self::open(&dir)
    }

    pub fn open(dir: &Path) -> Result<Self> {
        let sessions = dir.join("sessions");
        fsutil::private_dir(dir).map_err(|source| JournalError::Io {
            path: dir.into(),
            source,
        })?;
        // The folders inside hold setups and secrets: real folders of this user, never a link
        // (which would be followed, and its target chmod'ed and written to).
        fsutil::private_subdir(&sessions).map_err(|source| JournalError::Io {
            path: sessions.clone(),
            source,
        })?;
        // The default home of hand-over files: saving never creates folders, so it exists.
        let handover = dir.join("handover");
        fsutil::private_subdir(&handover).map_err(|source| JournalError::Io {
            path: handover,
            source,
        })?;
        // A kill mid-write leaves a temp file (possibly a secret) beside the real ones.
        fsutil::sweep_stale_temps(&sessions);
        fsutil::sweep_stale_temps(&dir.join("handover"));
        Ok(Self {
            dir: dir.to_path_buf(),
            crash_after: None,
        })
    }

    /// Test hook: the journal accepts `n` more saves, then every save fails (simulated kill at
    /// that journal boundary; nothing after it reaches Halo or the disk).
    #[doc(hidden)]
    pub fn crashing_after(&self, n: usize) -> Self {
        Self {
            dir: self.dir.clone(),
            crash_after: Some(std::sync::Arc::new(n.into())),
        }
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    pub fn log_path(&self) -> PathBuf {
        self.dir.join("halo-onboard.log")
    }

    /// `<state dir>/handover`: where hand-over files go unless asked otherwise (0700).
    pub fn handover_dir(&self) -> PathBuf {
        self.dir.join("handover")
    }

    /// The default hand-over file of setup `id`.
    pub fn default_handover(&self, id: &str) -> PathBuf {
        self.handover_dir().join(format!("{id}.env"))
    }

    fn path(&self, id: &str) -> PathBuf {
        self.dir.join("sessions").join(format!("{id}.json"))
    }

    fn secret_path(&self, id: &str) -> PathBuf {
        self.dir.join("sessions").join(format!("{id}.secret"))
    }

    /// Starts a new setup and writes it before anything touches Halo.
    pub fn create(&self, answers: Answers, endpoint: Option<Endpoint>) -> Result<Session> {
        let mut s = self.draft(answers, endpoint);
        self.save(&mut s)?;
        Ok(s)
    }

    /// A setup that is not written yet (dry runs; the wizard before Submit).
    pub fn draft(&self, answers: Answers, endpoint: Option<Endpoint>) -> Session {
        let now = now_unix();
        let slug: String = answers
            .profile
            .as_deref()
            .unwrap_or("setup")
            .chars()
            .filter(|c| c.is_ascii_alphanumeric() || *c == '-')
            .take(24)
            .collect();
        let rand: String = uuid::Uuid::new_v4().simple().to_string()[..6].to_string();
        let id = format!("{}-{slug}-{rand}", utc_stamp(now));
        Session {
            version: FORMAT_VERSION,
            id,
            created_unix: now,
            created_ms: SystemTime::now()
                .duration_since(UNIX_EPOCH)
                .map(|d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
                .unwrap_or(0),
            updated_unix: now,
            status: Status::Planned,
            endpoint,
            answers,
            plan: None,
            objects: Objects::default(),
            entries: Vec::new(),
            secret_pending: false,
            handed_over: false,
            credentials_file: None,
            reported_expiry: None,
            manual_steps: Vec::new(),
            manual_confirmed: Vec::new(),
            rotation: None,
            rotations: Vec::new(),
            adoption: None,
            undo: Vec::new(),
            secret_discarded: false,
            earlier_credentials_files: Vec::new(),
        }
    }

    /// Atomically replaces the setup's file.
    pub fn save(&self, s: &mut Session) -> Result<()> {
        if let Some(left) = &self.crash_after {
            use std::sync::atomic::Ordering;
            if left
                .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1))
                .is_err()
            {
                return Err(JournalError::Io {
                    path: self.dir.clone(),
                    source: std::io::Error::other("simulated crash"),
                });
            }
        }
        if !valid_id(&s.id) {
            return Err(JournalError::Io {
                path: self.dir.join("sessions"),
                source: std::io::Error::new(
                    std::io::ErrorKind::InvalidInput,
                    format!(
                        "refusing to save setup id '{}': not an id halo-onboard makes",
                        s.id.escape_debug()
                    ),
                ),
            });
        }
        s.updated_unix = now_unix();
        let path = self.path(&s.id);
        let bytes = serde_json::to_vec_pretty(s).map_err(|e| JournalError::Io {
            path: path.clone(),
            source: std::io::Error::other(e),
        })?;
        fsutil::write_atomic(&path, &bytes).map_err(|source| JournalError::Io { path, source })
    }

    /// Records an event and saves at once (the "about to" / "done" brackets).
    pub fn record(&self, s: &mut Session, event: Event) -> Result<()> {
        s.push(event);
        self.save(s)
    }

    pub fn load(&self, id: &str) -> Result<Session> {
        if !valid_id(id) {
            return Err(JournalError::NotFound(id.into()));
        }
        let path = self.path(id);
        if !path.exists() {
            return Err(JournalError::NotFound(id.into()));
        }
        load_file(&path)
    }

    /// A setup named the way users name them: its full id, a unique prefix of one, or `last`
    /// (the most recently started). Ambiguous and unknown references are errors that say so.
    pub fn resolve(&self, reference: &str) -> Result<Session> {
        let r = reference.trim();
        if r.eq_ignore_ascii_case("last") {
            let (list, mut bad) = self.list();
            return match list.into_iter().next() {
                Some(s) => Ok(s),
                // The newest may be the damaged one: say so rather than "no setups".
                None if !bad.is_empty() => Err(bad.remove(0)),
                None => Err(JournalError::NotFound("last".into())),
            };
        }
        if valid_id(r) && self.path(r).exists() {
            return self.load(r);
        }
        let usable = !r.is_empty() && r.bytes().all(|c| c.is_ascii_alphanumeric() || c == b'-');
        let mut matches: Vec<String> = if usable {
            self.ids()
                .into_iter()
                .filter(|id| id.starts_with(r))
                .collect()
        } else {
            Vec::new()
        };
        match matches.len() {
            0 => Err(JournalError::NotFound(r.into())),
            1 => self.load(&matches.remove(0)),
            _ => {
                matches.sort();
                Err(JournalError::Ambiguous {
                    reference: r.into(),
                    matches,
                })
            }
        }
    }

    /// Ids of every setup file (valid names only), unsorted.
    fn ids(&self) -> Vec<String> {
        let Ok(rd) = fs::read_dir(self.dir.join("sessions")) else {
            return Vec::new();
        };
        rd.flatten()
            .filter_map(|e| {
                let n = e.file_name().into_string().ok()?;
                let id = n.strip_suffix(".json")?;
                valid_id(id).then(|| id.to_string())
            })
            .collect()
    }

    /// Every setup, newest first, and the files that could not be read (left untouched).
    pub fn list(&self) -> (Vec<Session>, Vec<JournalError>) {
        let mut ok = Vec::new();
        let mut bad = Vec::new();
        let dir = self.dir.join("sessions");
        let entries = match fs::read_dir(&dir) {
            Ok(e) => e,
            Err(source) => return (ok, vec![JournalError::Io { path: dir, source }]),
        };
        for e in entries.flatten() {
            let p = e.path();
            let is_json = p.extension().is_some_and(|x| x == "json");
            let hidden = p
                .file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.starts_with('.'));
            if !is_json || hidden {
                continue;
            }
            match load_file(&p) {
                Ok(s) => ok.push(s),
                Err(err) => bad.push(err),
            }
        }
        ok.sort_by(|a, b| {
            let key = |s: &Session| (s.created_unix, s.created_ms);
            key(b).cmp(&key(a)).then(b.id.cmp(&a.id))
        });
        (ok, bad)
    }

    /// Setups that have not reached hand-over or rollback, or still have manual steps left.
    pub fn unfinished(&self) -> (Vec<Session>, Vec<JournalError>) {
        let (all, bad) = self.list();
        (all.into_iter().filter(|s| !s.finished()).collect(), bad)
    }

    /// Keeps the new client secret until the hand-over is confirmed.
    pub fn store_secret(&self, s: &mut Session, secret: &SecretString) -> Result<()> {
        let path = self.secret_path(&s.id);
        fsutil::write_atomic(&path, secret.expose_secret().as_bytes())
            .map_err(|source| JournalError::Io { path, source })?;
        s.secret_pending = true;
        s.secret_discarded = false;
        self.save(s)
    }

    pub fn load_secret(&self, id: &str) -> Option<SecretString> {
        let bytes = crate::limits::read_regular_capped(
            &self.secret_path(id),
            crate::limits::MAX_SECRET_FILE,
        )
        .ok()?;
        let text = String::from_utf8(bytes).ok()?;
        let t = text.trim();
        // A kill inside `wipe_secret` (zeroed, not yet removed) leaves NULs: that secret is gone,
        // and using it would hand over credentials that do not work.
        (!t.is_empty() && !t.contains('\0')).then(|| SecretString::from(t.to_string()))
    }

    /// Removes the pending secret (rollback; or after a hand-over, see [`Journal::hand_over`]).
    pub fn wipe_secret(&self, s: &mut Session) -> Result<()> {
        let path = self.secret_path(&s.id);
        fsutil::wipe(&path).map_err(|source| JournalError::Io { path, source })?;
        s.secret_pending = false;
        self.save(s)
    }

    /// The secret reached the user (saved to `file`, or copied and confirmed): wipe the
    /// journal's copy and remember that it was handed over, not lost.
    pub fn hand_over(&self, s: &mut Session, file: Option<PathBuf>) -> Result<()> {
        s.handed_over = true;
        if file.is_some() {
            if let Some(old) = s.credentials_file.take()
                && file.as_ref() != Some(&old)
                && !s.earlier_credentials_files.contains(&old)
            {
                s.earlier_credentials_files.push(old);
            }
            s.credentials_file = file;
        }
        self.wipe_secret(s)
    }

    /// Forgets a setup: its journal, a secret still waiting in it (overwritten first), its last
    /// check. Hand-over files and Halo are not touched.
    pub fn discard(&self, s: &Session) -> Result<()> {
        if !valid_id(&s.id) {
            return Err(JournalError::NotFound(s.id.clone()));
        }
        let secret = self.secret_path(&s.id);
        if secret.exists() {
            fsutil::wipe(&secret).map_err(|source| JournalError::Io {
                path: secret.clone(),
                source,
            })?;
        }
        let check = self.check_path(&s.id);
        if check.exists() {
            fs::remove_file(&check).map_err(|source| JournalError::Io {
                path: check.clone(),
                source,
            })?;
        }
        let path = self.path(&s.id);
        fs::remove_file(&path).map_err(|source| JournalError::Io { path, source })
    }

    fn check_path(&self, id: &str) -> PathBuf {
        self.dir.join("checks").join(format!("{id}.json"))
    }

    /// Keeps the result of the latest `check` of setup `id` (replacing the one before).
    pub fn record_check(&self, id: &str, r: &CheckRecord) -> Result<()> {
        if !valid_id(id) {
            return Err(JournalError::NotFound(id.into()));
        }
        let dir = self.dir.join("checks");
        fsutil::private_subdir(&dir).map_err(|source| JournalError::Io {
            path: dir.clone(),
            source,
        })?;
        let path = self.check_path(id);
        let bytes = serde_json::to_vec_pretty(r).map_err(|e| JournalError::Io {
            path: path.clone(),
            source: std::io::Error::other(e),
        })?;
        fsutil::write_atomic(&path, &bytes).map_err(|source| JournalError::Io { path, source })
    }

    /// The latest `check` of setup `id`, if one was recorded (and is readable).
    pub fn last_check(&self, id: &str) -> Option<CheckRecord> {
        if !valid_id(id) {
            return None;
        }
        let bytes =
            crate::limits::read_regular_capped(&self.check_path(id), crate::limits::MAX_JOURNAL)
                .ok()?;
        let mut v: serde_json::Value = serde_json::from_slice(&bytes).ok()?;
        // Shown on a terminal: its strings only clean.
        crate::text::clean_json(&mut v);
        CheckRecord::deserialize(&v).ok()
    }

    /// Takes the locks of a run of `command` that writes setup `s`: the setup's own, and the
    /// integration's (its Halo and profile), so that no other run writes this setup or the
    /// same objects at the same time. Refused at once ([`JournalError::Busy`], naming the
    /// holder) rather than waited for. Held until the returned value is dropped.
    pub fn lock(&self, s: &Session, command: &str) -> Result<lock::Held> {
        let locks = lock::dir(&self.dir)?;
        let mut held = lock::Held::default();
        // The setup's own first: a second run of one setup is told so in those words.
        held.push(self.lock_id(&locks, &s.id, command)?);
        if let Some(ep) = &s.endpoint {
            let profile = s.answers.profile.as_deref().unwrap_or("-");
            let what = format!(
                "the integration '{}' on {}",
                crate::text::line(profile),
                crate::text::line(ep.base_url())
            );
            held.push(lock::take(
                &lock::integration_file(&locks, &ep.resource_url, profile),
                &what,
                command,
            )?);
        }
        Ok(held)
    }

    /// Takes the lock of setup `id` alone (`handover clean`: its hand-over file).
    pub fn lock_setup(&self, id: &str, command: &str) -> Result<lock::Lock> {
        let locks = lock::dir(&self.dir)?;
        self.lock_id(&locks, id, command)
    }

    fn lock_id(&self, locks: &Path, id: &str, command: &str) -> Result<lock::Lock> {
        if !valid_id(id) {
            return Err(JournalError::NotFound(id.into()));
        }
        lock::take(
            &lock::setup_file(locks, id),
            &format!("setup {id}"),
            command,
        )
    }

    /// The other setups of the same application (same Halo, same application id): a repair
    /// (`apply --setup`) is a new setup of the application an earlier one made.
    fn same_application(&self, s: &Session) -> Vec<Session> {
        let Some(app) = s
            .objects
            .application_id
            .as_deref()
            .filter(|a| !a.is_empty())
        else {
            return Vec::new();
        };
        let halo = |x: &Session| {
            x.endpoint
                .as_ref()
                .map(|e| e.resource_url.trim_end_matches('/').to_ascii_lowercase())
        };
        self.list()
            .0
            .into_iter()
            .filter(|x| {
                x.id != s.id
                    && x.objects.application_id.as_deref() == Some(app)
                    && halo(x) == halo(s)
            })
            .collect()
    }

    /// Records `s`'s manual steps as done, in it and in every other setup of the same
    /// application (the admin did them once, in Halo).
    pub fn confirm_manual(&self, s: &mut Session) -> Result<()> {
        s.confirm_manual();
        self.save(s)?;
        for mut other in self.same_application(s) {
            if other.manual_left().is_empty() {
                continue;
            }
            other.confirm_manual();
            self.save(&mut other)?;
        }
        Ok(())
    }

    /// What the other setups of the same application know: the steps confirmed done there
    /// are done here too; when halo-onboard issued the secret there, if not here.
    pub fn inherit(&self, s: &mut Session) {
        for other in self.same_application(s) {
            for m in other.manual_confirmed {
                if !s.manual_confirmed.contains(&m) {
                    s.manual_confirmed.push(m);
                }
            }
        }
    }

    /// When halo-onboard issued the secret of `s`'s application: in `s`, else in the setup of
    /// the same application that created it (a repair adopts it).
    pub fn secret_issued_unix(&self, s: &Session) -> Option<u64> {
        s.secret_issued_unix().or_else(|| {
            self.same_application(s)
                .iter()
                .filter(|x| x.objects.client_id == s.objects.client_id)
                .filter_map(Session::secret_issued_unix)
                .max()
        })
    }

    /// Whether an earlier setup handed its credentials over to `file` (the same `--out` again).
    pub fn handed_over_to(&self, file: &Path) -> bool {
        let same = |p: &Path| match (p.canonicalize(), file.canonicalize()) {
            (Ok(a), Ok(b)) => a == b,
            _ => p == file,
        };
        self.list()
            .0
            .iter()
            .any(|s| s.credentials_file.as_deref().is_some_and(same))
    }
}

pub fn default_state_dir() -> Option<PathBuf> {
    if let Some(d) = std::env::var_os(STATE_DIR_ENV).filter(|d| !d.is_empty()) {
        return Some(PathBuf::from(d));
    }
    let pd = directories::ProjectDirs::from("", "", "halo-onboard")?;
    Some(
        pd.state_dir()
            .unwrap_or_else(|| pd.data_local_dir())
            .to_path_buf(),
    )
}

fn load_file(path: &Path) -> Result<Session> {
    // Bytes, not a string: invalid UTF-8 is a damaged journal (with a position), not an I/O
    // problem of the state directory. Capped: a huge file is refused without being read whole.
    // A listing opens what it finds: a FIFO or a device there must not hang it.
    let bytes = crate::limits::read_regular_capped(path, crate::limits::MAX_JOURNAL).map_err(
        |e| match e {
            crate::limits::ReadError::Io(source) => JournalError::Io {
                path: path.into(),
                source,
            },
            crate::limits::ReadError::TooLarge { cap } => JournalError::TooLarge {
                path: path.into(),
                cap,
            },
            crate::limits::ReadError::NotRegular => JournalError::NotRegular { path: path.into() },
        },
    )?;
    let corrupt = |e: serde_json::Error| JournalError::Corrupt {
        path: path.into(),
        line: e.line(),
        column: e.column(),
        message: crate::text::line(&e.to_string()),
    };
    let mut v: serde_json::Value = serde_json::from_slice(&bytes).map_err(corrupt)?;
    // Read the version first so a newer format gets a precise message rather than a parse error.
    if let Some(found) = v.get("version").and_then(|x| x.as_u64()) {
        if found > u64::from(FORMAT_VERSION) {
            return Err(JournalError::TooNew {
                path: path.into(),
                found: u32::try_from(found).unwrap_or(u32::MAX),
            });
        }
    }
    // A journal is a file like any other: its strings are shown (`sessions`, resume) only clean.
    crate::text::clean_json(&mut v);
    let s = Session::deserialize(&v).map_err(|_| {
        // Parse the bytes again for the message: it has the line and column.
        serde_json::from_slice::<Session>(&bytes)
            .err()
            .map(corrupt)
            .unwrap_or(JournalError::Corrupt {
                path: path.into(),
                line: 0,
                column: 0,
                message: "a control character in a field".into(),
            })
    })?;
    // The stored id names the file every later save writes: it must be the file's own name,
    // in the shape this tool makes (an edited `../../x` would write outside the state dir).
    let stem = path
        .file_stem()
        .and_then(|n| n.to_str())
        .unwrap_or_default();
    if !valid_id(&s.id) || s.id != stem {
        let at = find_bytes(&bytes, b"\"id\"").unwrap_or(0);
        let line = bytes[..at].iter().filter(|b| **b == b'\n').count() + 1;
        let column = at
            - bytes[..at]
                .iter()
                .rposition(|b| *b == b'\n')
                .map_or(0, |p| p + 1)
            + 1;
        return Err(JournalError::Corrupt {
            path: path.into(),
            line,
            column,
            message: format!(
                "it holds the setup id '{}', which is not this file's name or not an id halo-onboard makes",
                s.id.escape_debug()
            ),
        });
    }
    // The ids of Halo's objects become paths of requests (`DELETE /api/Application/{id}`):
    // each must have the shape Halo's schema gives it, or the journal is not used.
    if let Some((key, message)) = bad_object_id(&s.objects) {
        let at = find_bytes(&bytes, format!("\"{key}\"").as_bytes()).unwrap_or(0);
        let line = bytes[..at].iter().filter(|b| **b == b'\n').count() + 1;
        return Err(JournalError::Corrupt {
            path: path.into(),
            line,
            column: 1,
            message,
        });
    }
    Ok(s)
}

/// The first object id of a journal that Halo would not have made: (its key, why).
fn bad_object_id(o: &Objects) -> Option<(&'static str, String)> {
    use crate::halo::ids::{self, IdKind};
    let said = |key, kind: IdKind, id: &str| {
        (
            key,
            format!(
                "objects.{key} '{}' is not {} id Halo makes ({}), so it is never sent to Halo",
                crate::text::line(id),
                if kind == IdKind::Application || kind == IdKind::Agent {
                    format!("an {}", kind.words())
                } else {
                    format!("a {}", kind.words())
                },
                kind.shape()
            ),
        )
    };
    // An empty id is no id (older journals): nothing is read or deleted for it.
    let bad = |kind, i: &&str| !i.is_empty() && !ids::valid(kind, i);
    if let Some(id) = o.role_id.as_deref().filter(|i| bad(IdKind::Role, i)) {
        return Some(said("role_id", IdKind::Role, id));
    }
    if let Some(id) = o.agent_id.filter(|i| *i <= 0) {
        return Some(said("agent_id", IdKind::Agent, &id.to_string()));
    }
    if let Some(id) = o
        .application_id
        .as_deref()
        .filter(|i| bad(IdKind::Application, i))
    {
        return Some(said("application_id", IdKind::Application, id));
    }
    None
}

fn find_bytes(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn journal() -> (tempfile::TempDir, Journal) {
        let t = tempfile::tempdir().unwrap();
        let j = Journal::open(&t.path().join("state")).unwrap();
        (t, j)
    }

    #[test]
    fn create_save_load_roundtrip() {
        let (_t, j) = journal();
        let a = Answers {
            profile: Some("topleft".into()),
            ..Answers::default()
        };
        let mut s = j.create(a, None).unwrap();
        assert!(s.id.contains("topleft"));
        j.record(
            &mut s,
            Event::About {
                subject: Subject::Role,
                action: "create".into(),
            },
        )
        .unwrap();
        assert_eq!(s.in_doubt(), Some((Subject::Role, "create".into())));
        j.record(
            &mut s,
            Event::Done {
                subject: Subject::Role,
                action: "create".into(),
                id: "g-1".into(),
            },
        )
        .unwrap();
        assert_eq!(s.in_doubt(), None);
        let back = j.load(&s.id).unwrap();
        assert_eq!(back, s);
        assert_eq!(j.unfinished().0.len(), 1);
    }

    #[test]
    fn corrupt_file_is_reported_with_line_and_kept() {
        let (_t, j) = journal();
        let s = j.create(Answers::default(), None).unwrap();
        let p = j.path(&s.id);
        let text = fs::read_to_string(&p).unwrap();
        fs::write(&p, &text[..text.len() / 2]).unwrap();
        let (ok, bad) = j.list();
        assert!(ok.is_empty());
        match &bad[0] {
            JournalError::Corrupt { line, path, .. } => {
                assert!(*line > 1);
                assert_eq!(path, &p);
            }
            e => panic!("unexpected {e:?}"),
        }
        assert!(p.exists(), "a damaged journal must never be deleted");
        assert!(bad[0].hint().contains("untouched"));
    }

    #[test]
    fn newer_format_is_refused_clearly() {
        let (_t, j) = journal();
        let s = j.create(Answers::default(), None).unwrap();
        let p = j.path(&s.id);
        let text = fs::read_to_string(&p)
            .unwrap()
            .replacen("\"version\": 1", "\"version\": 99", 1);
        fs::write(&p, text).unwrap();
        assert!(matches!(
            j.load(&s.id),
            Err(JournalError::TooNew { found: 99, .. })
        ));
    }

    #[test]
    fn secret_lives_apart_and_is_wiped() {
        let (_t, j) = journal();
        let mut s = j.create(Answers::default(), None).unwrap();
        j.store_secret(&mut s, &SecretString::from("s3cr3t-value".to_string()))
            .unwrap();
        let journal_text = fs::read_to_string(j.path(&s.id)).unwrap();
        assert!(!journal_text.contains("s3cr3t-value"));
        assert_eq!(
            j.load_secret(&s.id).unwrap().expose_secret(),
            "s3cr3t-value"
        );
        j.wipe_secret(&mut s).unwrap();
        assert!(j.load_secret(&s.id).is_none());
        assert!(!s.secret_pending);
    }

    #[test]
    fn stamps_are_utc_calendar_times() {
        assert_eq!(utc_stamp(0), "19700101-000000");
        assert_eq!(utc_stamp(951_782_400), "20000229-000000");
        assert_eq!(utc_stamp(1_795_443_958), "20261123-142558");
    }

    #[test]
    fn huge_journals_are_refused_unread_and_kept() {
        let (_t, j) = journal();
        let s = j.create(Answers::default(), None).unwrap();
        let p = j.path(&s.id);
        let f = fs::OpenOptions::new().append(true).open(&p).unwrap();
        f.set_len(crate::limits::MAX_JOURNAL as u64 + 1).unwrap();
        let (ok, bad) = j.list();
        assert!(ok.is_empty());
        assert!(
            matches!(bad[0], JournalError::TooLarge { .. }),
            "{:?}",
            bad[0]
        );
        assert!(bad[0].to_string().contains("too large"));
        assert!(p.exists(), "never deleted");
    }

    #[test]
    fn strings_from_a_tampered_journal_come_back_clean() {
        let (_t, j) = journal();
        let mut s = j.create(Answers::default(), None).unwrap();
        s.answers.profile = Some("top\x1b]0;owned\x07\nleft".into());
        s.answers.role.notes = "line\nnext\x1b[2J".into();
        j.save(&mut s).unwrap();
        let back = j.load(&s.id).unwrap();
        assert_eq!(
            back.answers.profile.as_deref(),
            Some("top\\x1b]0;owned\\x07\\nleft")
        );
        assert_eq!(back.answers.role.notes, "line\nnext\\x1b[2J");
    }

    #[test]
    fn ids_cannot_escape_the_directory() {
        let (_t, j) = journal();
        assert!(matches!(
            j.load("../etc/passwd"),
            Err(JournalError::NotFound(_))
        ));
        assert!(matches!(j.load(""), Err(JournalError::NotFound(_))));
    }

    #[test]
    fn ids_have_the_shape_the_tool_makes() {
        let (_t, j) = journal();
        let s = j.create(Answers::default(), None).unwrap();
        assert!(valid_id(&s.id), "{}", s.id);
        for bad in [
            "",
            "../../../x",
            "20260101-000000-x/../../y-abcdef",
            "20260101-000000-setup-abcdeg",
            "20260101-000000-set\nup-abcdef",
            "2026010-000000-setup-abcdef",
            "..",
        ] {
            assert!(!valid_id(bad), "{bad:?}");
        }
        assert!(valid_id("20260101-000000-topleft-abc123"));
    }

    #[test]
    fn a_stored_id_that_escapes_is_refused_on_load_and_save() {
        let (t, j) = journal();
        let mut s = j.create(Answers::default(), None).unwrap();
        let p = j.path(&s.id);
        let text = fs::read_to_string(&p).unwrap().replacen(
            &format!("\"id\": \"{}\"", s.id),
            "\"id\": \"../../../x\"",
            1,
        );
        fs::write(&p, &text).unwrap();
        match j.load(&s.id) {
            Err(JournalError::Corrupt { message, line, .. }) => {
                assert!(message.contains("../../../x"), "{message}");
                assert_eq!(line, 3, "the line of the id field");
            }
            other => panic!("unexpected {other:?}"),
        }
        assert_eq!(fs::read_to_string(&p).unwrap(), text, "left untouched");
        s.id = "../../../x".into();
        assert!(j.save(&mut s).is_err());
        assert!(!t.path().join("x.json").exists());
        assert!(!t.path().join("state/x.json").exists());
    }

    #[test]
    fn setups_resolve_by_id_prefix_or_last() {
        let (_t, j) = journal();
        let mk = |stamp: &str, slug: &str, created: u64| {
            let mut s = j.draft(Answers::default(), None);
            s.id = format!("{stamp}-{slug}-abc123");
            s.created_unix = created;
            j.save(&mut s).unwrap();
            s.id
        };
        let a = mk("20260101-000000", "topleft", 10);
        let b = mk("20260102-000000", "topleft", 20);
        let c = mk("20260102-000001", "guardz", 30);
        assert_eq!(j.resolve(&a).unwrap().id, a);
        assert_eq!(j.resolve("last").unwrap().id, c);
        assert_eq!(j.resolve("LAST").unwrap().id, c);
        assert_eq!(j.resolve("20260101").unwrap().id, a);
        match j.resolve("20260102") {
            Err(e @ JournalError::Ambiguous { .. }) => {
                let m = e.to_string();
                assert!(m.contains(&b) && m.contains(&c), "{m}");
                assert!(e.hint().contains("more of the id"));
            }
            other => panic!("unexpected {other:?}"),
        }
        for unknown in ["2025", "../x", "", "nope"] {
            assert!(
                matches!(j.resolve(unknown), Err(JournalError::NotFound(_))),
                "{unknown}"
            );
        }
        let (_t2, empty) = journal();
        let e = empty.resolve("last").unwrap_err();
        assert!(e.hint().contains("sessions --all"), "{}", e.hint());
    }
}
