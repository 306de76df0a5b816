//! The journal directory: one JSON file per setup, its secret apart, its locks and checks.

use std::fs;
use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

use secrecy::{ExposeSecret, SecretString};
use serde::Deserialize;

use crate::answers::Answers;
use crate::halo::Endpoint;

use super::error::*;
use super::load::load_file;
use super::records::*;
use super::records::{FORMAT_VERSION, STATE_DIR_ENV};
use super::session::*;
use super::{fsutil, lock};

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

    /// Opens the state directory `dir`, creating it and its `sessions` and `handover` folders
    /// (0700, never through a link), and sweeps temp files a killed write left.
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

    /// The state directory this journal lives in.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// `<state dir>/handover`: where hand-over files go unless asked otherwise (0700).
    pub fn handover_dir(&self) -> PathBuf {
        self.dir.join("handover")
    }

    /// The default hand-over file of setup `id`.
    pub fn default_handover(&self, id: &str) -> PathBuf {
        self.handover_dir().join(format!("{id}.env"))
    }

    pub(super) fn path(&self, id: &str) -> PathBuf {
        self.dir.join("sessions").join(format!("{id}.json"))
    }

    pub(super) fn secret_path(&self, id: &str) -> PathBuf {
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
                .map_or(0, |d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX)),
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

    /// Reads setup `id`; [`JournalError::NotFound`] if no such file or the id is not valid.
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

    /// The application's secret waiting in `<id>.secret` for the hand-over; `None` if there is
    /// none, it is unreadable, or a wipe was interrupted.
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

/// The state directory: [`STATE_DIR_ENV`] if set and not empty, else the platform's state (or local
/// data) directory; `None` if the platform has neither.
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
