//! The hand-over files still on disk (each holds an application's secret): where they are,
//! which setup wrote them, how old they are and which a rotation superseded.

use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::journal::{Journal, Session, now_unix, valid_id};

/// A hand-over file older than this is flagged: the vendor should have it by now.
pub(crate) const OLD_DAYS: u64 = 7;

/// A file holding an application's credentials (with the secret).
#[derive(Debug, Clone, Serialize)]
pub(crate) struct HandoverFile {
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
pub(super) fn holds_credentials(path: &Path) -> bool {
    std::fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_file())
        && crate::plan::handover::read_credentials(path).is_some()
}

/// The hand-over files still on disk: those in the state dir's hand-over folder, and those
/// setups wrote elsewhere (`--out`) that still hold credentials.
pub(crate) fn handover_files(journal: &Journal, sessions: &[Session]) -> Vec<HandoverFile> {
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
