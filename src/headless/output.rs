//! How much the headless commands say: `--quiet` prints only the result line(s) and errors,
//! `--verbose` adds every request to Halo (method, path, status, latency, retries) on stderr.
//! Request lines come from the client's events, whose paths are redacted: no secret, ever.

use std::sync::Mutex;
use std::sync::atomic::{AtomicU8, Ordering};

use tokio::sync::mpsc::UnboundedSender;

use crate::halo::{ClientOptions, RequestEvent};

const QUIET: u8 = 0;
const NORMAL: u8 = 1;
const VERBOSE: u8 = 2;

static LEVEL: AtomicU8 = AtomicU8::new(NORMAL);
/// Where the clients of this run send their request events (`--verbose` only).
static SINK: Mutex<Option<UnboundedSender<RequestEvent>>> = Mutex::new(None);

/// Set once from the command line, before the command runs.
pub fn set(quiet: bool, verbose: bool) {
    let level = match (quiet, verbose) {
        (true, _) => QUIET,
        (false, true) => VERBOSE,
        (false, false) => NORMAL,
    };
    LEVEL.store(level, Ordering::Relaxed);
}

/// `--quiet`: only the result line(s) and errors.
pub fn quiet() -> bool {
    LEVEL.load(Ordering::Relaxed) == QUIET
}

/// `--verbose`: every request line on stderr too.
pub fn verbose() -> bool {
    LEVEL.load(Ordering::Relaxed) == VERBOSE
}

/// A request as `--verbose` prints it.
pub(crate) fn request_line(e: &RequestEvent) -> String {
    match e.waiting {
        Some(wait) => format!(
            "http: {} {} -> {}: retrying in {} ms",
            e.method,
            e.path,
            e.status
                .map_or_else(|| "no answer".into(), |s| s.to_string()),
            wait.as_millis()
        ),
        None => format!("http: {}", e.line()),
    }
}

/// Starts printing request lines (with `--verbose`; otherwise nothing). Returns the printer,
/// to be [`finish`]ed after the command so no line is lost.
pub fn start() -> Option<tokio::task::JoinHandle<()>> {
    if !verbose() {
        return None;
    }
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel::<RequestEvent>();
    if let Ok(mut s) = SINK.lock() {
        *s = Some(tx);
    }
    Some(tokio::spawn(async move {
        while let Some(e) = rx.recv().await {
            // Paths and errors may carry what a server sent: through the sanitiser.
            errln!("{}", crate::text::line(&request_line(&e)));
        }
    }))
}

/// Stops the printer once every request line of the command is out.
pub async fn finish(printer: Option<tokio::task::JoinHandle<()>>) {
    if let Ok(mut s) = SINK.lock() {
        s.take();
    }
    if let Some(p) = printer {
        // Every client is gone with the command, so the channel closes; a stray one cannot hold
        // the exit up for long.
        let _ = tokio::time::timeout(std::time::Duration::from_secs(2), p).await;
    }
}

/// The client options of a headless command: the defaults, reporting requests under
/// `--verbose`.
pub(crate) fn client_options() -> ClientOptions {
    ClientOptions {
        // `Into`: the client's event sink may be the channel itself or built from it.
        #[allow(clippy::useless_conversion)]
        events: SINK.lock().ok().and_then(|s| s.clone()).map(Into::into),
        ..ClientOptions::default()
    }
}
