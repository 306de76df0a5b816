//! The single axum handler: every request goes through latency, rate limiting and faults, is
//! dispatched on its lower-cased path (Halo paths are case-insensitive), and is logged.

use std::sync::Arc;
use std::time::{Instant, SystemTime, UNIX_EPOCH};

use axum::body::{Body, Bytes};
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, Method, Uri, header};
use axum::response::Response;

use super::gate::Gate;
use super::reply::{self, parse_query};
use super::req::Req;
use super::shared::{RequestRecord, Shared};
use super::{api, simapi};

pub(crate) async fn handle(
    State(sh): State<Arc<Shared>>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let mut path = uri.path().to_ascii_lowercase();
    while path.len() > 1 && path.ends_with('/') {
        path.pop();
    }
    let req = Req {
        method: &method,
        path,
        raw_path: uri.path(),
        query: parse_query(uri.query()),
        headers: &headers,
        body: &body,
    };
    // The test control API is never delayed, limited, faulted or logged.
    if req.path == "/_sim" || req.path.starts_with("/_sim/") {
        return simapi::handle(&sh, &req);
    }
    let started = Instant::now();
    let latency = sh.lock().faults.latency;
    if !latency.is_zero() {
        tokio::time::sleep(latency).await;
    }

    let (response, dropped) = answer(&sh, &req);
    let notes = std::mem::take(&mut sh.lock().notes);

    let status = response.as_ref().map_or(0, |r| r.status().as_u16());
    let record = RequestRecord {
        method: method.to_string(),
        path: uri.path().to_string(),
        status,
        dropped,
        ts_ms: SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX)),
        dropped_fields: notes.dropped,
        ignored_claims: notes.ignored_claims,
    };
    if sh.log_requests {
        log_line(&record, started);
    }
    sh.lock().log.push(record);

    match response {
        Some(r) if !dropped => r,
        _ => dropped_connection(),
    }
}

/// The answer to one request after the fault stage (`None` when its connection is dropped
/// before it is processed), and whether the answer is lost.
fn answer(sh: &Shared, req: &Req) -> (Option<Response>, bool) {
    let mut g = sh.lock();
    let is_write = *req.method != Method::GET && req.path.starts_with("/api/");
    match g.gate(req.path.starts_with("/api/"), is_write) {
        Gate::Drop => (None, true),
        Gate::Limited(msg, retry_after) => {
            let mut r = reply::text(429, &msg);
            if let Some(secs) = retry_after {
                r.headers_mut()
                    .insert(header::RETRY_AFTER, HeaderValue::from(secs));
            }
            (Some(r), false)
        }
        Gate::ServerError(code) => (
            Some(reply::exception(
                code,
                "System.Exception",
                "An unexpected error occurred (injected by the emulator)",
            )),
            false,
        ),
        Gate::Pass if is_write && g.faults.refuses(&req.path) => (
            Some(reply::forbidden(
                "You do not have permission to perform this action (refused by the emulator's refuse_writes fault)",
            )),
            false,
        ),
        Gate::Pass
            if !is_write && req.path.starts_with("/api/") && g.faults.refuses_read(&req.path) =>
        {
            (
                Some(reply::forbidden(
                    "You do not have permission to view this (refused by the emulator's refuse_reads fault)",
                )),
                false,
            )
        }
        Gate::Pass => {
            let r = api::route(sh, &mut g, req);
            let lost = g.take_drop_after(is_write);
            (Some(r), lost)
        }
    }
}

/// One request on stderr: method, path (never the query or body: they could carry
/// credentials), status and time, and the names (never values) of what was not stored.
fn log_line(record: &RequestRecord, started: Instant) {
    // Path only: queries and bodies could carry credentials.
    // Field names only (never values): what Halo's schema would not have stored.
    let mut fields = String::new();
    if !record.dropped_fields.is_empty() {
        fields += &format!(
            " — not stored (not in Halo's schema): {}",
            record.dropped_fields.join(", ")
        );
    }
    if !record.ignored_claims.is_empty() {
        fields += &format!(
            " — claims this instance does not understand (stored, grant nothing): {}",
            record.ignored_claims.join(", ")
        );
    }
    eprintln!(
        "{} {} -> {}{} ({} ms){fields}",
        record.method,
        record.path,
        if record.dropped { "dropped " } else { "" },
        record.status,
        started.elapsed().as_millis()
    );
}

/// A response whose body fails at once: hyper aborts the connection, so the client sees a reset
/// or an incomplete message instead of an answer.
fn dropped_connection() -> Response {
    let stream = futures::stream::once(async {
        Err::<Bytes, std::io::Error>(std::io::Error::other("connection dropped by the emulator"))
    });
    let mut r = Response::new(Body::from_stream(stream));
    r.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    r
}
