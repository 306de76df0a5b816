//! Reading one setup's file: capped, checked, and stripped of what a tampered file could
//! smuggle to a terminal.

use std::path::Path;

use serde::Deserialize;

use super::error::*;
use super::records::*;
use super::session::*;

pub(super) fn load_file(path: &Path) -> Result<Session> {
    let bytes = read_capped(path)?;
    let s = parse(path, &bytes)?;
    check_ids(path, &bytes, &s)?;
    Ok(s)
}

/// Bytes, not a string: invalid UTF-8 is a damaged journal (with a position), not an I/O
/// problem of the state directory. Capped: a huge file is refused without being read whole.
/// A listing opens what it finds: a FIFO or a device there must not hang it.
fn read_capped(path: &Path) -> Result<Vec<u8>> {
    crate::limits::read_regular_capped(path, crate::limits::MAX_JOURNAL).map_err(|e| match e {
        crate::limits::ReadError::Io(source) => JournalError::Io {
            path: path.into(),
            source,
        },
        crate::limits::ReadError::TooLarge { cap } => JournalError::TooLarge {
            path: path.into(),
            cap,
        },
        crate::limits::ReadError::NotRegular => JournalError::NotRegular { path: path.into() },
    })
}

/// The session the bytes hold, its strings cleaned; a newer format is refused by its version.
fn parse(path: &Path, bytes: &[u8]) -> Result<Session> {
    let corrupt = |e: serde_json::Error| JournalError::Corrupt {
        path: path.into(),
        line: e.line(),
        column: e.column(),
        message: crate::text::line(&e.to_string()),
    };
    let mut v: serde_json::Value = serde_json::from_slice(bytes).map_err(corrupt)?;
    // Read the version first so a newer format gets a precise message rather than a parse error.
    if let Some(found) = v.get("version").and_then(serde_json::Value::as_u64) {
        if found > u64::from(FORMAT_VERSION) {
            return Err(JournalError::TooNew {
                path: path.into(),
                found: u32::try_from(found).unwrap_or(u32::MAX),
            });
        }
    }
    // A journal is a file like any other: its strings are shown (`sessions`, resume) only clean.
    crate::text::clean_json(&mut v);
    Session::deserialize(&v).map_err(|_| {
        // Parse the bytes again for the message: it has the line and column.
        serde_json::from_slice::<Session>(bytes).err().map_or(
            JournalError::Corrupt {
                path: path.into(),
                line: 0,
                column: 0,
                message: "a control character in a field".into(),
            },
            corrupt,
        )
    })
}

/// The ids a journal holds become paths: of its own file and of Halo's requests.
fn check_ids(path: &Path, bytes: &[u8], s: &Session) -> Result<()> {
    // The stored id names the file every later save writes: it must be the file's own name,
    // in the shape this tool makes (an edited `../../x` would write outside the state dir).
    let stem = path
        .file_stem()
        .and_then(|n| n.to_str())
        .unwrap_or_default();
    if !valid_id(&s.id) || s.id != stem {
        let at = find_bytes(bytes, b"\"id\"").unwrap_or(0);
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
        let at = find_bytes(bytes, format!("\"{key}\"").as_bytes()).unwrap_or(0);
        let line = bytes[..at].iter().filter(|b| **b == b'\n').count() + 1;
        return Err(JournalError::Corrupt {
            path: path.into(),
            line,
            column: 1,
            message,
        });
    }
    Ok(())
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
