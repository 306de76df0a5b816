//! One writer at a time: an advisory lock (`flock`) on a file under `<state dir>/locks/`,
//! held for the whole run of a command that writes a setup or Halo's objects for it (apply,
//! resume, rollback, `apply --setup`, the wizard's apply, `handover clean`). Two locks are
//! taken:
//!
//! - **the setup's**, by its id: two `resume` runs of one setup after a kill would both find
//!   the interrupted write unsettled and both create the rest;
//! - **the integration's**, by the Halo address and the profile: two applies of one profile
//!   on one instance (no setup id in common yet) would each create a role, an agent and an
//!   application of the same names.
//!
//! The kernel releases a lock when its holder exits, however it exits, so a killed run never
//! leaves one behind: the file stays (it is a few bytes) but is no longer locked. The holder
//! writes its pid, command and start time into the file, so a refused run can say who holds it.

use std::fs::{File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};

use super::{JournalError, fsutil};

/// Who holds a lock, as its holder wrote it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Holder {
    pub pid: Option<u32>,
    pub command: Option<String>,
    /// RFC 3339 UTC.
    pub started: Option<String>,
}

impl Holder {
    /// "pid 4242 (`resume`), started 2026-12-01T10:00:00.000Z" — or what is known of it.
    pub(crate) fn words(&self) -> String {
        let pid = self
            .pid
            .map_or_else(|| "pid not written yet".to_string(), |p| format!("pid {p}"));
        let cmd = self
            .command
            .as_deref()
            .map(|c| format!(" (`{c}`)"))
            .unwrap_or_default();
        let since = self
            .started
            .as_deref()
            .map(|s| format!(", started {s}"))
            .unwrap_or_default();
        format!("{pid}{cmd}{since}")
    }

    fn parse(text: &str) -> Self {
        let mut h = Self::default();
        for line in text.lines() {
            let Some((k, v)) = line.split_once('=') else {
                continue;
            };
            // Written by another process: kept to one clean line each.
            let v = crate::text::line_max(v.trim(), 80);
            match k.trim() {
                "pid" => h.pid = v.parse().ok(),
                "command" => h.command = Some(v),
                "started" => h.started = Some(v),
                _ => {}
            }
        }
        h
    }
}

/// A held lock; released when dropped (or when the process ends).
#[derive(Debug)]
pub struct Lock {
    _file: File,
    pub path: PathBuf,
}

/// The locks a writing command holds: the setup's and the integration's.
#[derive(Debug, Default)]
pub struct Held(Vec<Lock>);

impl Held {
    pub fn push(&mut self, l: Lock) {
        self.0.push(l);
    }
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

/// The lock file of a setup.
pub(crate) fn setup_file(locks: &Path, id: &str) -> PathBuf {
    locks.join(format!("setup-{id}.lock"))
}

/// The lock file of an integration: the Halo address (its resource server, in one spelling)
/// and the profile, hashed into a name that is safe whatever they hold.
pub(crate) fn integration_file(locks: &Path, resource_url: &str, profile: &str) -> PathBuf {
    let address = resource_url
        .trim()
        .trim_end_matches('/')
        .to_ascii_lowercase();
    let key = format!("{address}\n{}", profile.trim().to_ascii_lowercase());
    locks.join(format!("apply-{:016x}.lock", fnv1a(key.as_bytes())))
}

/// FNV-1a, 64 bits: a stable name for a key (the same in every build, unlike std's hasher).
fn fnv1a(bytes: &[u8]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in bytes {
        h ^= u64::from(*b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    h
}

/// Takes the lock of `path` without waiting. `what` names it for the message when another run
/// holds it ("setup X", "TopLeft on https://acme.halopsa.com").
pub(crate) fn take(path: &Path, what: &str, command: &str) -> Result<Lock, JournalError> {
    let io = |source| JournalError::Io {
        path: path.to_path_buf(),
        source,
    };
    let mut o = OpenOptions::new();
    o.read(true).write(true).create(true).truncate(false);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        o.mode(0o600)
            .custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK);
    }
    let mut f = o.open(path).map_err(io)?;
    if !f.metadata().map_err(io)?.is_file() {
        return Err(io(std::io::Error::new(
            std::io::ErrorKind::InvalidInput,
            "not a regular file",
        )));
    }
    #[cfg(unix)]
    {
        use std::os::unix::io::AsRawFd;
        // A holder that is ending (killed a moment ago: SIGKILL pending, a zombie, gone)
        // still holds the lock until the kernel closes its files; a resume typed right after
        // a kill waits for that, briefly, instead of being refused by a run that is over.
        let deadline = std::time::Instant::now() + ENDING_GRACE;
        loop {
            // SAFETY: a valid open descriptor; flock has no other preconditions.
            let r = unsafe { libc::flock(f.as_raw_fd(), libc::LOCK_EX | libc::LOCK_NB) };
            if r == 0 {
                break;
            }
            let e = std::io::Error::last_os_error();
            if e.raw_os_error() != Some(libc::EWOULDBLOCK) {
                return Err(io(e));
            }
            let h = holder(path);
            if std::time::Instant::now() < deadline && h.pid.is_some_and(ending) {
                std::thread::sleep(std::time::Duration::from_millis(10));
                continue;
            }
            return Err(JournalError::Busy {
                what: what.to_string(),
                holder: h.words(),
            });
        }
    }
    let started = crate::timestamp::rfc3339_utc(std::time::SystemTime::now());
    let text = format!(
        "pid={}\ncommand={}\nstarted={started}\nwhat={}\n",
        std::process::id(),
        crate::text::line_max(command, 40),
        crate::text::line_max(what, 200)
    );
    f.set_len(0).map_err(io)?;
    f.write_all(text.as_bytes()).map_err(io)?;
    Ok(Lock {
        _file: f,
        path: path.to_path_buf(),
    })
}

/// How long a run waits for a lock whose holder is ending.
const ENDING_GRACE: std::time::Duration = std::time::Duration::from_secs(3);

/// Is process `pid` on its way out: gone, a zombie, or with SIGKILL pending (Linux `/proc`)?
/// Anywhere else (or unreadable) it counts as alive, and the lock is refused as before.
fn ending(pid: u32) -> bool {
    let Ok(status) = std::fs::read_to_string(format!("/proc/{pid}/status")) else {
        // No such process any more (the lock is about to be released).
        return std::path::Path::new("/proc/self").exists();
    };
    let field = |name: &str| {
        status
            .lines()
            .find_map(|l| l.strip_prefix(name))
            .map(str::trim)
            .unwrap_or_default()
            .to_string()
    };
    let state = field("State:");
    if state.starts_with('Z') || state.starts_with('X') {
        return true;
    }
    // SIGKILL is signal 9: bit 8 of the pending masks (thread and process-wide).
    let killed = |mask: String| u64::from_str_radix(&mask, 16).is_ok_and(|m| m & (1 << 8) != 0);
    killed(field("ShdPnd:")) || killed(field("SigPnd:"))
}

/// Who holds the lock of `path`. A holder writes itself in just after it took the lock: a
/// run refused in that instant waits a moment for the words rather than say nothing.
fn holder(path: &Path) -> Holder {
    let mut h = Holder::default();
    for _ in 0..40 {
        let text = crate::limits::read_regular_text_capped(path, 4096).unwrap_or_default();
        h = Holder::parse(&text);
        if h.pid.is_some() && h.started.is_some() {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
    h
}

/// `<state dir>/locks`, 0700, a real folder of this user.
pub(crate) fn dir(state: &Path) -> Result<PathBuf, JournalError> {
    let d = state.join("locks");
    fsutil::private_subdir(&d).map_err(|source| JournalError::Io {
        path: d.clone(),
        source,
    })?;
    Ok(d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_second_holder_is_refused_with_the_first_ones_pid() {
        let t = tempfile::tempdir().unwrap();
        let d = dir(t.path()).unwrap();
        let p = setup_file(&d, "20260101-000000-topleft-abc123");
        let held = take(&p, "setup X", "resume").unwrap();
        // Another open file description: flock refuses it, in this process too.
        match take(&p, "setup X", "resume") {
            Err(JournalError::Busy { what, holder }) => {
                assert_eq!(what, "setup X");
                assert!(
                    holder.contains(&format!("pid {}", std::process::id()))
                        && holder.contains("`resume`")
                        && holder.contains("started 20"),
                    "{holder}"
                );
            }
            other => panic!("unexpected {other:?}"),
        }
        drop(held);
        take(&p, "setup X", "resume").expect("released when dropped");
    }

    #[test]
    fn a_run_waits_for_a_holder_that_is_ending_and_only_for_it() {
        assert!(!ending(std::process::id()), "this process is alive");
        assert!(ending(u32::MAX), "no such process: it is gone");
        let t = tempfile::tempdir().unwrap();
        let d = dir(t.path()).unwrap();
        let p = setup_file(&d, "20260101-000000-topleft-abc123");
        // A holder that was killed a moment ago: its pid is gone, its lock not yet released.
        let held = take(&p, "setup X", "wizard").unwrap();
        std::fs::write(&p, format!("pid={}\ncommand=wizard\nstarted=x\n", u32::MAX)).unwrap();
        let release = std::thread::spawn(move || {
            std::thread::sleep(std::time::Duration::from_millis(150));
            drop(held);
        });
        let t0 = std::time::Instant::now();
        take(&p, "setup X", "resume").expect("taken once the ended holder let go");
        assert!(t0.elapsed() >= std::time::Duration::from_millis(100));
        release.join().unwrap();
        // A living holder is refused at once, not waited for.
        let _held = take(&p, "setup Y", "resume").unwrap();
        let t0 = std::time::Instant::now();
        assert!(matches!(
            take(&p, "setup Y", "resume"),
            Err(JournalError::Busy { .. })
        ));
        assert!(t0.elapsed() < ENDING_GRACE / 2);
    }

    #[test]
    fn integration_keys_ignore_case_and_a_trailing_slash() {
        let d = Path::new("/s/locks");
        let a = integration_file(d, "https://Acme.halopsa.com/api/", "topleft");
        assert_eq!(
            a,
            integration_file(d, "https://acme.halopsa.com/api", "TopLeft")
        );
        assert_ne!(
            a,
            integration_file(d, "https://acme.halopsa.com/api", "guardz")
        );
        assert_ne!(
            a,
            integration_file(d, "https://beta.halopsa.com/api", "topleft")
        );
        let name = a.file_name().unwrap().to_str().unwrap();
        assert!(
            name.starts_with("apply-") && name.ends_with(".lock"),
            "{name}"
        );
    }
}
