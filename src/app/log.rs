//! The live log: a bounded ring buffer, so memory and render cost stay flat however long the
//! session runs. Entries never hold secrets (the client redacts paths; the wizard never logs
//! the bootstrap secret).

use std::collections::VecDeque;

use crate::halo::RequestEvent;

/// Entries kept in memory; older ones stay only in the log file.
pub const LOG_CAP: usize = 10_000;

/// What a log line is; the pane colours it and the log file tags it ([`LogKind::tag`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogKind {
    /// Progress and results.
    Info,
    /// A finished HTTP exchange (method, redacted path, status, latency); never counted as a
    /// repeat.
    Http,
    /// Something the user should look at; the wizard goes on.
    Warn,
    /// Something failed.
    Error,
}

impl LogKind {
    /// The word that tags the line in the log file (`info`, `http`, `warn`, `error`).
    pub fn tag(self) -> &'static str {
        match self {
            Self::Info => "info",
            Self::Http => "http",
            Self::Warn => "warn",
            Self::Error => "error",
        }
    }
}

/// One line of the log pane.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogEntry {
    /// Its kind (the pane's colour).
    pub kind: LogKind,
    /// The line, without the file's tags (never a secret).
    pub text: String,
    /// How many times in a row it was said (shown as "(×N)"): the same warning again is
    /// counted, not repeated down the pane.
    pub repeats: u32,
}

/// The log pane's entries: the newest `cap` (default [`LOG_CAP`]), a repeat counted on the
/// newest line instead of added.
#[derive(Debug, Clone)]
pub struct LogBuffer {
    entries: VecDeque<LogEntry>,
    cap: usize,
    total: u64,
}

impl Default for LogBuffer {
    fn default() -> Self {
        Self::with_capacity(LOG_CAP)
    }
}

impl LogBuffer {
    /// A buffer keeping the newest `cap` entries (at least one).
    pub fn with_capacity(cap: usize) -> Self {
        Self {
            entries: VecDeque::new(),
            cap: cap.max(1),
            total: 0,
        }
    }
    /// Adds an entry; the same one as the newest (not a request line) only counts it again.
    /// Returns whether a line was added.
    pub fn push(&mut self, kind: LogKind, text: impl Into<String>) -> bool {
        let text = text.into();
        self.total += 1;
        if let Some(last) = self.entries.back_mut()
            && kind != LogKind::Http
            && last.kind == kind
            && last.text == text
        {
            last.repeats = last.repeats.saturating_add(1);
            return false;
        }
        if self.entries.len() == self.cap {
            self.entries.pop_front();
        }
        self.entries.push_back(LogEntry {
            kind,
            text,
            repeats: 1,
        });
        true
    }
    /// Entries held now (at most the capacity).
    pub fn len(&self) -> usize {
        self.entries.len()
    }
    /// Nothing was logged yet.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
    /// Entries ever pushed, including the ones evicted.
    pub fn total(&self) -> u64 {
        self.total
    }
    /// The newest entry.
    pub fn last(&self) -> Option<&LogEntry> {
        self.entries.back()
    }
    /// The `height` entries ending `scroll` entries above the newest (0 = follow the newest).
    pub fn window(&self, height: usize, scroll: usize) -> impl Iterator<Item = &LogEntry> {
        let end = self.entries.len().saturating_sub(scroll);
        let start = end.saturating_sub(height);
        self.entries.range(start..end)
    }
}

/// One line for a finished HTTP exchange.
pub(crate) fn format_request(e: &RequestEvent) -> String {
    e.line()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ring_evicts_oldest_and_windows_from_the_bottom() {
        let mut b = LogBuffer::with_capacity(3);
        for i in 0..5 {
            b.push(LogKind::Info, format!("e{i}"));
        }
        assert_eq!(b.len(), 3);
        assert_eq!(b.total(), 5);
        let w: Vec<_> = b.window(2, 0).map(|e| e.text.clone()).collect();
        assert_eq!(w, ["e3", "e4"]);
        let w: Vec<_> = b.window(2, 1).map(|e| e.text.clone()).collect();
        assert_eq!(w, ["e2", "e3"]);
        assert_eq!(b.window(10, 99).count(), 0);
        // The same entry again is counted on the newest line.
        assert!(!b.push(LogKind::Info, "e4"));
        assert_eq!((b.len(), b.last().unwrap().repeats), (3, 2));
        assert!(b.push(LogKind::Warn, "e4"), "another kind is another line");
    }

    #[test]
    fn request_line() {
        let e = RequestEvent {
            method: "GET".into(),
            path: "/api/Agent/me".into(),
            status: Some(200),
            latency: std::time::Duration::from_millis(12),
            retries: 2,
            error: None,
            waiting: None,
        };
        assert_eq!(
            format_request(&e),
            "GET /api/Agent/me -> 200 12 ms (2 retries)"
        );
    }
}
