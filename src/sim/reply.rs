//! Response builders in Halo's shapes: JSON bodies, serialised .NET exceptions
//! (`{"ClassName","Message"}`) on the resource server, OpenIddict errors on the token endpoint.

use std::collections::HashMap;

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use serde_json::{Value, json};

pub(super) type Query = HashMap<String, String>;

pub(super) fn parse_query(q: Option<&str>) -> Query {
    url::form_urlencoded::parse(q.unwrap_or("").as_bytes())
        .map(|(k, v)| (k.to_ascii_lowercase(), v.into_owned()))
        .collect()
}

/// Halo's boolean query flags (`includeapiagents=true`).
pub(super) fn flag(q: &Query, name: &str) -> bool {
    q.get(name)
        .is_some_and(|v| v.eq_ignore_ascii_case("true") || v == "1")
}

pub(super) fn number(q: &Query, name: &str) -> Option<usize> {
    q.get(name).and_then(|v| v.trim().parse().ok())
}

fn status(code: u16) -> StatusCode {
    StatusCode::from_u16(code).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
}

pub(super) fn json<T: Serialize>(code: u16, body: &T) -> Response {
    match serde_json::to_string(body) {
        Ok(s) => (
            status(code),
            [(header::CONTENT_TYPE, "application/json; charset=utf-8")],
            s,
        )
            .into_response(),
        Err(e) => text(500, &format!("could not serialise the answer: {e}")),
    }
}

pub(super) fn text(code: u16, body: &str) -> Response {
    (
        status(code),
        [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
        body.to_string(),
    )
        .into_response()
}

pub(super) fn empty(code: u16) -> Response {
    status(code).into_response()
}

/// A serialised .NET exception, the most common error body of Halo's resource server.
pub(super) fn exception(code: u16, class: &str, message: &str) -> Response {
    json(code, &json!({ "ClassName": class, "Message": message }))
}

pub(super) fn bad_request(message: &str) -> Response {
    exception(400, "System.ArgumentException", message)
}

pub(super) fn not_found(message: &str) -> Response {
    exception(
        404,
        "System.Collections.Generic.KeyNotFoundException",
        message,
    )
}

pub(super) fn forbidden(message: &str) -> Response {
    exception(403, "System.UnauthorizedAccessException", message)
}

/// 401 from bearer validation: no body, like an ASP.NET JWT/OpenIddict validation failure.
pub(super) fn unauthorized(reason: &str) -> Response {
    let mut r = empty(401);
    let v = format!("Bearer error=\"invalid_token\", error_description=\"{reason}\"");
    if let Ok(v) = HeaderValue::from_str(&v) {
        r.headers_mut().insert(header::WWW_AUTHENTICATE, v);
    }
    r
}

/// OpenIddict-style token endpoint error.
pub(super) fn oauth_error(code: u16, error: &str, description: &str) -> Response {
    json(
        code,
        &json!({ "error": error, "error_description": description }),
    )
}

pub(super) fn method_not_allowed() -> Response {
    empty(405)
}

/// A path and method of Halo's published API that this emulator does not play: 501 with a body
/// that says so, never a made-up success, so a test that reaches it notices.
pub(super) fn not_emulated(what: &str) -> Response {
    exception(
        501,
        "System.NotImplementedException",
        &format!(
            "not emulated: {what} is in Halo's published API, but the emulator does not play it"
        ),
    )
}

/// Applies `count` (without paging) or `pageinate/page_size/page_no` and shapes the answer:
/// a bare array unless paging was asked for (`envelope` forces the envelope, as the area
/// endpoints always answer with one).
pub(super) fn list(rows: Vec<Value>, q: &Query, plural: &str, envelope: bool) -> Response {
    let total = rows.len();
    if flag(q, "pageinate") {
        let size = number(q, "page_size").filter(|n| *n > 0).unwrap_or(50);
        let page = number(q, "page_no").filter(|n| *n > 0).unwrap_or(1);
        let rows: Vec<Value> = rows
            .into_iter()
            .skip(size.saturating_mul(page - 1))
            .take(size)
            .collect();
        return json(
            200,
            &json!({ "page_no": page, "page_size": size, "record_count": total, plural: rows }),
        );
    }
    let rows: Vec<Value> = match number(q, "count") {
        Some(n) => rows.into_iter().take(n).collect(),
        None => rows,
    };
    if envelope {
        json(200, &json!({ "record_count": total, plural: rows }))
    } else {
        json(200, &rows)
    }
}
