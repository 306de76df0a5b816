//! Resumable setups. One JSON file per setup under the state dir; every Halo write is bracketed by
//! an "about to" entry before and a "done, id=..." entry after, so that a resume after a kill at
//! any instant knows exactly what may exist in Halo. Each object this setup creates carries
//! [`Session::marker`] so resume recognises its own objects and never adopts a stranger's.
//!
//! The bootstrap secret is never written. The new application's secret is kept, until the
//! hand-over is confirmed, in a separate `<id>.secret` file (0600), so the journal itself never
//! holds a secret and wiping it is a file removal.

#![warn(missing_docs)]

mod error;
pub(crate) mod fsutil;
mod load;
pub(crate) mod lock;
mod next_secret;
mod records;
pub(crate) mod rotation;
mod session;
mod store;

pub use error::{JournalError, Result};
pub use records::{
    CheckRecord, Entry, Event, FORMAT_VERSION, Objects, STATE_DIR_ENV, Status, Subject,
};
pub use session::{Session, ago, marker_for, now_unix, utc_stamp, valid_id};
pub use store::{Journal, default_state_dir};

#[cfg(test)]
mod tests;
