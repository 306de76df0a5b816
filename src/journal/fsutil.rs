//! Private, atomic file writes: dir 0700 and owned by the user, files 0600, temp + fsync +
//! rename, so a kill at any instant leaves either the old or the new file, never a torn one.
//!
//! Nothing here follows a symlink it did not expect: temp files get unpredictable names and are
//! created `O_EXCL|O_NOFOLLOW` (a name planted beforehand makes the write fail rather than
//! receive a secret), a final path that is a symlink is refused, and sweeps and wipes never
//! write through a link.

use std::fs::{self, File, OpenOptions};
use std::io::{self, Write};
use std::path::{Path, PathBuf};

/// Creates `dir` (and parents) with mode 0700 on the leaf, tightening an existing leaf too.
/// The leaf must belong to the current user: a directory someone else owns could be read or
/// swapped under us (the error names the path and the owner).
pub(crate) fn private_dir(dir: &Path) -> io::Result<()> {
    fs::create_dir_all(dir)?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        owned_by_me(dir)?;
        fs::set_permissions(dir, fs::Permissions::from_mode(0o700))?;
    }
    Ok(())
}

/// A folder inside the state dir (`sessions`, `handover`, `checks`, `locks`): created 0700
/// when missing; an existing one must be a real folder of this user, never a symbolic link.
/// It is opened without following a link and judged and tightened through that open handle
/// (fstat, fchmod), so a link put in its place is refused rather than followed, and nothing it
/// points to is chmod'ed.
pub(crate) fn private_subdir(dir: &Path) -> io::Result<()> {
    let mut b = fs::DirBuilder::new();
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        b.mode(0o700);
    }
    match b.create(dir) {
        Ok(()) => {}
        Err(e) if e.kind() == io::ErrorKind::AlreadyExists => {}
        Err(e) => return Err(e),
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::{MetadataExt, OpenOptionsExt, PermissionsExt};
        let refused = || {
            io::Error::new(
                io::ErrorKind::InvalidInput,
                format!(
                    "{} is a symbolic link (or not a folder); halo-onboard keeps secrets there, so it must be a real folder of yours: remove the link (the files it points to were not touched)",
                    dir.display()
                ),
            )
        };
        let d = OpenOptions::new()
            .read(true)
            .custom_flags(libc::O_NOFOLLOW | libc::O_DIRECTORY)
            .open(dir)
            .map_err(|e| match e.raw_os_error() {
                Some(libc::ELOOP | libc::ENOTDIR) => refused(),
                _ => e,
            })?;
        let meta = d.metadata()?;
        if !meta.is_dir() {
            return Err(refused());
        }
        // SAFETY: geteuid has no preconditions and cannot fail.
        if meta.uid() != unsafe { libc::geteuid() } {
            return owned_by_me(dir);
        }
        d.set_permissions(fs::Permissions::from_mode(0o700))?;
    }
    Ok(())
}

/// Fails (with the path and the owner in the message) unless `path` belongs to this user.
#[cfg(unix)]
pub(crate) fn owned_by_me(path: &Path) -> io::Result<()> {
    use std::os::unix::fs::MetadataExt;
    let meta = fs::metadata(path)?;
    // SAFETY: geteuid has no preconditions and cannot fail.
    let me = unsafe { libc::geteuid() };
    if meta.uid() == me {
        return Ok(());
    }
    Err(io::Error::new(
        io::ErrorKind::PermissionDenied,
        format!(
            "{} is owned by {} (uid {}), not by you ({}, uid {me}); halo-onboard keeps secrets there, so it must be yours",
            path.display(),
            user_name(meta.uid()).unwrap_or_else(|| "another user".into()),
            meta.uid(),
            user_name(me).unwrap_or_else(|| "you".into()),
        ),
    ))
}

/// The login name of `uid`, when the system knows it.
#[cfg(unix)]
fn user_name(uid: libc::uid_t) -> Option<String> {
    let mut buf = vec![0 as libc::c_char; 4096];
    // SAFETY: a zeroed passwd is a valid out-parameter for getpwuid_r.
    let mut pwd: libc::passwd = unsafe { std::mem::zeroed() };
    let mut out: *mut libc::passwd = std::ptr::null_mut();
    // SAFETY: every pointer is valid for the lengths given; `out` is checked before use.
    let r = unsafe { libc::getpwuid_r(uid, &mut pwd, buf.as_mut_ptr(), buf.len(), &mut out) };
    if r != 0 || out.is_null() || pwd.pw_name.is_null() {
        return None;
    }
    // SAFETY: getpwuid_r succeeded, so pw_name points to a NUL-terminated string in `buf`.
    let name = unsafe { std::ffi::CStr::from_ptr(pwd.pw_name) };
    Some(name.to_string_lossy().into_owned())
}

#[cfg(unix)]
fn no_follow(o: &mut OpenOptions) {
    use std::os::unix::fs::OpenOptionsExt;
    o.custom_flags(libc::O_NOFOLLOW).mode(0o600);
}
#[cfg(not(unix))]
fn no_follow(_o: &mut OpenOptions) {}

fn open_private(path: &Path, append: bool) -> io::Result<File> {
    let mut o = OpenOptions::new();
    o.write(true).create(true);
    if append {
        o.append(true);
    } else {
        o.truncate(true);
    }
    no_follow(&mut o);
    let f = o.open(path)?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        f.set_permissions(fs::Permissions::from_mode(0o600))?;
    }
    Ok(f)
}

/// Refuses a path that is a symlink: a write would land wherever it points.
pub(crate) fn refuse_symlink(path: &Path) -> io::Result<()> {
    match fs::symlink_metadata(path) {
        Ok(m) if m.file_type().is_symlink() => Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            format!(
                "{} is a symbolic link; halo-onboard does not write through links (remove it or choose another path)",
                path.display()
            ),
        )),
        _ => Ok(()),
    }
}

/// A new temp file beside `path`: `.<name>.<pid>.<random>.tmp`, created exclusively (never an
/// existing file, never through a symlink) with mode 0600. The pid lets a later sweep tell a
/// live writer's file from a dead one's; the random part makes the name unguessable.
fn create_temp(path: &Path) -> io::Result<(PathBuf, File)> {
    let dir = path.parent().filter(|d| !d.as_os_str().is_empty());
    let dir = dir.unwrap_or(Path::new("."));
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("file");
    loop {
        let rand = uuid::Uuid::new_v4().simple().to_string();
        let tmp = dir.join(format!(
            ".{name}.{}.{}.tmp",
            std::process::id(),
            &rand[..16]
        ));
        let mut o = OpenOptions::new();
        o.write(true).create_new(true);
        no_follow(&mut o);
        match o.open(&tmp) {
            Ok(f) => return Ok((tmp, f)),
            // 64 random bits: a collision means someone planted this very name; draw again.
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => {}
            Err(e) => return Err(e),
        }
    }
}

fn write_temp(path: &Path, bytes: &[u8]) -> io::Result<PathBuf> {
    let (tmp, mut f) = create_temp(path)?;
    let written = f.write_all(bytes).and_then(|()| f.sync_all());
    if let Err(e) = written {
        let _ = wipe(&tmp);
        return Err(e);
    }
    Ok(tmp)
}

fn sync_dir(path: &Path) {
    let dir = path.parent().filter(|d| !d.as_os_str().is_empty());
    // fsync the directory so the rename itself survives a crash.
    if let Ok(d) = File::open(dir.unwrap_or(Path::new("."))) {
        let _ = d.sync_all();
    }
}

/// Writes `bytes` to `path` atomically with mode 0600, replacing an existing regular file.
/// A `path` that is a symlink is refused.
pub(crate) fn write_atomic(path: &Path, bytes: &[u8]) -> io::Result<()> {
    refuse_symlink(path)?;
    let tmp = write_temp(path, bytes)?;
    if let Err(e) = fs::rename(&tmp, path) {
        let _ = wipe(&tmp);
        return Err(e);
    }
    sync_dir(path);
    Ok(())
}

/// Like [`write_atomic`], but never replaces anything: fails with `AlreadyExists` when `path`
/// exists (also when it appears between the check and the write: the final step is a hard
/// link, which the kernel refuses onto an existing name).
pub(crate) fn write_new(path: &Path, bytes: &[u8]) -> io::Result<()> {
    refuse_symlink(path)?;
    if fs::symlink_metadata(path).is_ok() {
        return Err(io::Error::new(
            io::ErrorKind::AlreadyExists,
            format!("{} already exists", path.display()),
        ));
    }
    let tmp = write_temp(path, bytes)?;
    match fs::hard_link(&tmp, path) {
        // The temp name goes; the data lives on under `path`.
        Ok(()) => {
            let _ = fs::remove_file(&tmp);
        }
        Err(e) if e.kind() == io::ErrorKind::AlreadyExists => {
            let _ = wipe(&tmp);
            return Err(e);
        }
        // A file system without hard links: check again, then rename (a narrower window).
        Err(_) if fs::symlink_metadata(path).is_err() => {
            if let Err(e) = fs::rename(&tmp, path) {
                let _ = wipe(&tmp);
                return Err(e);
            }
        }
        Err(e) => {
            let _ = wipe(&tmp);
            return Err(e);
        }
    }
    sync_dir(path);
    Ok(())
}

/// The pid in a temp file name of [`create_temp`] (also the older `.<name>.<pid>.tmp` form).
fn temp_pid(name: &str) -> Option<u32> {
    let inner = name.strip_prefix('.')?.strip_suffix(".tmp")?;
    let mut parts = inner.rsplit('.');
    let last = parts.next()?;
    if let Ok(pid) = last.parse::<u32>() {
        return Some(pid);
    }
    let is_rand = last.len() == 16 && last.chars().all(|c| c.is_ascii_hexdigit());
    if !is_rand {
        return None;
    }
    parts.next()?.parse().ok()
}

/// Removes (wiping first: it may be a secret) the temp files `write_atomic` leaves when the
/// process that wrote them was killed before the rename. A temp file of a live process is kept.
/// Only regular files are touched: a symlink or directory with a temp-like name is left alone.
pub(crate) fn sweep_stale_temps(dir: &Path) {
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    for e in entries.flatten() {
        // `DirEntry::file_type` does not follow symlinks.
        if !e.file_type().is_ok_and(|t| t.is_file()) {
            continue;
        }
        let name = e.file_name();
        let Some(pid) = name.to_str().and_then(temp_pid) else {
            continue;
        };
        if pid != std::process::id() && !process_alive(pid) {
            let _ = wipe(&e.path());
        }
    }
}

fn process_alive(pid: u32) -> bool {
    #[cfg(unix)]
    {
        let Ok(pid) = libc::pid_t::try_from(pid) else {
            return false;
        };
        // Signal 0 checks existence; EPERM means it exists but belongs to someone else.
        // SAFETY: kill with signal 0 sends nothing.
        let r = unsafe { libc::kill(pid, 0) };
        r == 0 || std::io::Error::last_os_error().raw_os_error() == Some(libc::EPERM)
    }
    #[cfg(not(unix))]
    {
        let _ = pid;
        true
    }
}

/// Opens a log file for appending: the folders it needs are made 0700 (existing ones are left
/// as they are: a `--log-file` may sit in a shared one), the file is 0600, never a symlink.
pub(crate) fn open_append(path: &Path) -> io::Result<File> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        let mut b = fs::DirBuilder::new();
        b.recursive(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::DirBuilderExt;
            b.mode(0o700);
        }
        b.create(dir)?;
    }
    open_private(path, true)
}

/// Overwrites a file's bytes before removing it, so a wiped secret is not left in the page cache
/// of a reused block as plainly. Best effort: the removal is what matters. A symlink is removed
/// without writing through it (its target is not ours to zero).
pub(crate) fn wipe(path: &Path) -> io::Result<()> {
    let Ok(meta) = fs::symlink_metadata(path) else {
        return Ok(());
    };
    if meta.file_type().is_file() {
        let mut o = OpenOptions::new();
        o.write(true);
        no_follow(&mut o);
        if let Ok(mut f) = o.open(path) {
            let zeros = vec![0u8; meta.len() as usize];
            let _ = f.write_all(&zeros);
            let _ = f.sync_all();
        }
    }
    fs::remove_file(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[cfg(unix)]
    #[test]
    fn modes_are_private() {
        use std::os::unix::fs::PermissionsExt;
        let t = tempfile::tempdir().unwrap();
        let d = t.path().join("a/b");
        private_dir(&d).unwrap();
        let f = d.join("x.json");
        write_atomic(&f, b"{}").unwrap();
        writeln!(open_append(&d.join("log")).unwrap(), "hello").unwrap();
        assert_eq!(
            fs::metadata(&d).unwrap().permissions().mode() & 0o777,
            0o700
        );
        assert_eq!(
            fs::metadata(&f).unwrap().permissions().mode() & 0o777,
            0o600
        );
        assert_eq!(
            fs::metadata(d.join("log")).unwrap().permissions().mode() & 0o777,
            0o600
        );
        write_atomic(&f, b"{\"a\":1}").unwrap();
        assert_eq!(fs::read_to_string(&f).unwrap(), "{\"a\":1}");
        wipe(&f).unwrap();
        assert!(!f.exists());
        // No temp files left behind.
        let left: Vec<_> = fs::read_dir(&d).unwrap().collect();
        assert_eq!(left.len(), 1);
    }

    #[test]
    fn stale_temps_of_dead_processes_are_swept() {
        let t = tempfile::tempdir().unwrap();
        let d = t.path();
        // pid_max is at most 2^22 on Linux, so this pid cannot be alive.
        fs::write(d.join(".x.json.99999999.tmp"), b"secret").unwrap();
        let mine = d.join(format!(".y.json.{}.tmp", std::process::id()));
        fs::write(&mine, b"in flight").unwrap();
        fs::write(d.join("keep.json"), b"{}").unwrap();
        sweep_stale_temps(d);
        let mut left: Vec<_> = fs::read_dir(d)
            .unwrap()
            .flatten()
            .map(|e| e.file_name().into_string().unwrap())
            .collect();
        left.sort();
        assert_eq!(
            left,
            vec![mine.file_name().unwrap().to_str().unwrap(), "keep.json"]
        );
    }

    #[test]
    fn stale_temps_with_random_names_are_swept_but_links_are_not_followed() {
        let t = tempfile::tempdir().unwrap();
        let d = t.path();
        let dead = d.join(".x.json.99999999.0123456789abcdef.tmp");
        fs::write(&dead, b"secret").unwrap();
        let live = d.join(format!(
            ".y.json.{}.0123456789abcdef.tmp",
            std::process::id()
        ));
        fs::write(&live, b"in flight").unwrap();
        // A planted link with a stale temp's name: the sweep must not zero what it points to.
        let victim = t.path().join("victim.txt");
        fs::write(&victim, b"precious").unwrap();
        #[cfg(unix)]
        std::os::unix::fs::symlink(&victim, d.join(".z.json.99999998.tmp")).unwrap();
        sweep_stale_temps(d);
        assert!(!dead.exists());
        assert!(live.exists());
        assert_eq!(fs::read(&victim).unwrap(), b"precious");
    }

    #[test]
    fn temp_names_are_unpredictable_and_carry_the_pid() {
        let t = tempfile::tempdir().unwrap();
        let target = t.path().join("s.secret");
        let (a, _fa) = create_temp(&target).unwrap();
        let (b, _fb) = create_temp(&target).unwrap();
        assert_ne!(a, b);
        for p in [&a, &b] {
            let n = p.file_name().unwrap().to_str().unwrap();
            assert_eq!(temp_pid(n), Some(std::process::id()), "{n}");
        }
        assert_eq!(temp_pid(".x.json.42.tmp"), Some(42));
        assert_eq!(temp_pid(".x.json.tmp"), None);
        assert_eq!(temp_pid("x.json.42.tmp"), None);
    }

    #[cfg(unix)]
    #[test]
    fn symlinks_are_refused_never_written_through() {
        let t = tempfile::tempdir().unwrap();
        let victim = t.path().join("victim.txt");
        fs::write(&victim, b"precious").unwrap();
        let link = t.path().join("creds.env");
        std::os::unix::fs::symlink(&victim, &link).unwrap();
        for r in [write_atomic(&link, b"SECRET"), write_new(&link, b"SECRET")] {
            let e = r.unwrap_err();
            assert!(e.to_string().contains("symbolic link"), "{e}");
        }
        assert_eq!(fs::read(&victim).unwrap(), b"precious");
        assert!(
            fs::symlink_metadata(&link)
                .unwrap()
                .file_type()
                .is_symlink()
        );
        // Wiping a link removes the link, not the target's bytes.
        wipe(&link).unwrap();
        assert_eq!(fs::read(&victim).unwrap(), b"precious");
        // The log append does not follow a link either.
        std::os::unix::fs::symlink(&victim, &link).unwrap();
        assert!(open_append(&link).is_err());
        assert_eq!(fs::read(&victim).unwrap(), b"precious");
        // No temp file is left behind by the refusals.
        let temps = fs::read_dir(t.path())
            .unwrap()
            .flatten()
            .filter(|e| e.file_name().to_string_lossy().ends_with(".tmp"))
            .count();
        assert_eq!(temps, 0);
    }

    #[test]
    fn write_new_never_replaces() {
        let t = tempfile::tempdir().unwrap();
        let p = t.path().join("creds.env");
        fs::write(&p, b"someone else's file").unwrap();
        let e = write_new(&p, b"SECRET").unwrap_err();
        assert_eq!(e.kind(), io::ErrorKind::AlreadyExists);
        assert_eq!(fs::read(&p).unwrap(), b"someone else's file");
        let q = t.path().join("new.env");
        write_new(&q, b"x=1").unwrap();
        assert_eq!(fs::read(&q).unwrap(), b"x=1");
        let left = fs::read_dir(t.path()).unwrap().count();
        assert_eq!(left, 2, "no temp files left");
    }

    /// A folder of the state dir replaced by a link is refused, and the folder the link points
    /// to is neither chmod'ed nor touched.
    #[cfg(unix)]
    #[test]
    fn a_linked_subfolder_is_refused_not_followed() {
        use std::os::unix::fs::PermissionsExt;
        let t = tempfile::tempdir().unwrap();
        let elsewhere = t.path().join("shared");
        fs::create_dir(&elsewhere).unwrap();
        fs::set_permissions(&elsewhere, fs::Permissions::from_mode(0o755)).unwrap();
        fs::write(elsewhere.join("keep.env"), b"x").unwrap();
        let link = t.path().join("handover");
        std::os::unix::fs::symlink(&elsewhere, &link).unwrap();
        let e = private_subdir(&link).unwrap_err();
        assert!(e.to_string().contains("symbolic link"), "{e}");
        assert_eq!(
            fs::metadata(&elsewhere).unwrap().permissions().mode() & 0o777,
            0o755
        );
        assert!(elsewhere.join("keep.env").exists());
        // A real one is made 0700, and tightened when it exists.
        let real = t.path().join("sessions");
        private_subdir(&real).unwrap();
        fs::set_permissions(&real, fs::Permissions::from_mode(0o755)).unwrap();
        private_subdir(&real).unwrap();
        assert_eq!(
            fs::metadata(&real).unwrap().permissions().mode() & 0o777,
            0o700
        );
        // A file in its place is refused too.
        let file = t.path().join("checks");
        fs::write(&file, b"").unwrap();
        assert!(private_subdir(&file).is_err());
    }

    #[cfg(unix)]
    #[test]
    fn a_directory_of_another_user_is_refused_with_its_owner() {
        let t = tempfile::tempdir().unwrap();
        // SAFETY: geteuid has no preconditions.
        let foreign = if unsafe { libc::geteuid() } == 0 {
            let d = t.path().join("theirs");
            fs::create_dir(&d).unwrap();
            std::os::unix::fs::chown(&d, Some(65534), Some(65534)).unwrap();
            d
        } else {
            // Not root: "/" belongs to root.
            PathBuf::from("/")
        };
        let e = private_dir(&foreign).unwrap_err();
        let msg = e.to_string();
        assert!(msg.contains(&foreign.display().to_string()), "{msg}");
        assert!(msg.contains("uid"), "{msg}");
        assert!(msg.contains("not by you"), "{msg}");
        owned_by_me(t.path()).unwrap();
    }
}
