//! One setup as journaled: its answers, objects, events and where it stands.

use std::path::PathBuf;
use std::time::{SystemTime, UNIX_EPOCH};

use serde::{Deserialize, Serialize};

use crate::answers::Answers;
use crate::halo::Endpoint;

use super::records::*;
use super::rotation;

/// One setup as saved in `<state dir>/sessions/<id>.json`: what was asked, what exists in Halo,
/// what happened.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Session {
    /// The file format version ([`FORMAT_VERSION`] when written by this build).
    pub version: u32,
    /// The setup's id, `YYYYMMDD-HHMMSS-<slug>-<hex>` (see [`valid_id`]); also names its files.
    pub id: String,
    /// When the setup was drafted, Unix time in seconds.
    pub created_unix: u64,
    /// Milliseconds since the epoch at creation: orders setups started in the same second
    /// (`last`); 0 in journals written before it existed.
    #[serde(default)]
    pub created_ms: u64,
    /// When the journal was last saved, Unix time in seconds (set by every save).
    pub updated_unix: u64,
    /// Where the setup stands.
    pub status: Status,
    /// The Halo instance the setup writes to; `None` until a run has connected.
    pub endpoint: Option<Endpoint>,
    /// What the user answered (vendor profile, names, scopes); never a secret.
    pub answers: Answers,
    /// The plan as shown to the user (kept as JSON so the journal format does not chase it).
    #[serde(default)]
    pub plan: Option<serde_json::Value>,
    /// Ids of the objects the setup created or adopted in Halo.
    #[serde(default)]
    pub objects: Objects,
    /// The setup's history, oldest first.
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

/// The current time, Unix time in seconds (0 if the clock is before 1970).
pub fn now_unix() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
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

    /// Appends `event` to the history, stamped with the current time; the caller saves.
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

/// The marker `[halo-onboard:<id>]` of setup `id`, as [`Session::marker`] puts it in its role's
/// notes.
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

impl Session {
    /// Is a second application of this setup being brought in?
    pub fn rotating(&self) -> bool {
        self.rotation.is_some()
    }
}
