//! Turns HTTP statuses, Halo's many error-body shapes and transport failures into [`HaloError`].

use std::error::Error as StdError;
use std::time::Duration;

use serde_json::Value;

use super::redact::Redactor;
use crate::halo::error::HaloError;
use crate::text::line_max;

/// Longest message taken from a server body.
const MAX_MESSAGE: usize = 300;

/// A readable, redacted, bounded message from an error body of any shape Halo uses:
/// `{ClassName, Message}`, `{resultCode, errorMessage}`, `{Message}`, `{message}`,
/// `{error, error_description}`, a JSON string, plain text or an HTML page.
pub fn body_message(body: &[u8], status: u16, redactor: &Redactor) -> String {
    let text = String::from_utf8_lossy(body);
    let raw = match serde_json::from_slice::<Value>(body) {
        Ok(v) => json_message(&v).unwrap_or_else(|| text.trim().to_owned()),
        Err(_) => plain_message(&text),
    };
    let collapsed = raw.split_whitespace().collect::<Vec<_>>().join(" ");
    let msg = if collapsed.is_empty() {
        reason(status).to_owned()
    } else {
        collapsed
    };
    // Redacted before it is cut and escaped, so no part of a secret survives either step.
    line_max(&redactor.redact(&msg), MAX_MESSAGE)
}

fn json_message(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Array(items) => items.first().and_then(json_message),
        Value::Object(map) => {
            let get = |k: &str| {
                map.iter()
                    .find(|(key, _)| key.eq_ignore_ascii_case(k))
                    .and_then(|(_, v)| v.as_str())
                    .filter(|s| !s.trim().is_empty())
            };
            if let Some(desc) = get("error_description") {
                return Some(match get("error") {
                    Some(code) => format!("{code}: {desc}"),
                    None => desc.to_owned(),
                });
            }
            ["message", "errorMessage", "error", "title", "detail"]
                .iter()
                .find_map(|k| get(k))
                .map(str::to_owned)
                .or_else(|| {
                    // ASP.NET validation shape: {"errors": {"field": ["msg"]}}.
                    map.get("errors").and_then(json_message_nested)
                })
        }
        _ => None,
    }
}

fn json_message_nested(v: &Value) -> Option<String> {
    match v {
        Value::Object(m) => m.values().find_map(json_message_nested),
        Value::Array(a) => a.iter().find_map(json_message_nested),
        Value::String(s) => Some(s.clone()),
        _ => None,
    }
}

fn plain_message(text: &str) -> String {
    let t = text.trim();
    if t.starts_with('<') {
        // An HTML error page (proxy, IIS): its title is the only readable part.
        let lower = t.to_ascii_lowercase();
        if let (Some(a), Some(b)) = (lower.find("<title>"), lower.find("</title>")) {
            if a + 7 <= b {
                return t[a + 7..b].to_owned();
            }
        }
        return "an HTML error page".to_owned();
    }
    t.to_owned()
}

fn reason(status: u16) -> &'static str {
    reqwest::StatusCode::from_u16(status)
        .ok()
        .and_then(|s| s.canonical_reason())
        .unwrap_or("no details")
}

/// Maps a non-2xx API response. `what` names the request (method and path).
pub(super) fn api_error(status: u16, what: &str, body: &[u8], redactor: &Redactor) -> HaloError {
    let msg = || body_message(body, status, redactor);
    let what = what.to_owned();
    match status {
        400 => HaloError::BadRequest(what, msg()),
        401 => HaloError::Unauthorized(what),
        403 => HaloError::Forbidden(what, msg()),
        404 => HaloError::NotFound(what),
        429 => HaloError::RateLimited(msg()),
        500..=599 => HaloError::Server(status, what, msg()),
        _ => HaloError::Http(status, what, msg()),
    }
}

/// Maps a non-2xx token response (OpenIddict `{error, error_description}`).
pub(super) fn token_error(status: u16, body: &[u8], redactor: &Redactor) -> HaloError {
    let parsed = serde_json::from_slice::<Value>(body).ok();
    let field = |k: &str| {
        parsed
            .as_ref()
            .and_then(|v| v.get(k))
            .and_then(Value::as_str)
            .map(str::to_owned)
    };
    let desc = || {
        field("error_description")
            .map(|d| line_max(&redactor.redact(&d), MAX_MESSAGE))
            .unwrap_or_default()
    };
    match field("error").as_deref() {
        Some("invalid_client") => HaloError::InvalidClient,
        Some("invalid_scope") => HaloError::InvalidScope(desc()),
        Some("invalid_grant") => HaloError::InvalidGrant(desc()),
        _ if status == 429 => HaloError::RateLimited(body_message(body, status, redactor)),
        _ => HaloError::TokenError(status, body_message(body, status, redactor)),
    }
}

/// Classifies a transport failure by walking the error's source chain. `host` names the server.
pub(super) fn transport_error(err: &reqwest::Error, host: &str, timeout: Duration) -> HaloError {
    if err.is_timeout() {
        return HaloError::Timeout(host.to_owned(), timeout);
    }
    classify_chain(err, host, timeout, err.is_connect())
}

/// The classification behind [`transport_error`], on any error chain (testable without sockets).
pub(super) fn classify_chain(
    err: &(dyn StdError + 'static),
    host: &str,
    timeout: Duration,
    is_connect: bool,
) -> HaloError {
    let mut texts = Vec::new();
    let mut cur: Option<&(dyn StdError + 'static)> = Some(err);
    while let Some(e) = cur {
        if let Some(n) = e.downcast_ref::<super::loopback::NotLoopback>() {
            return HaloError::NotLoopback(n.host.clone(), n.addr.to_string());
        }
        if let Some(io) = e.downcast_ref::<std::io::Error>() {
            use std::io::ErrorKind as K;
            match io.kind() {
                K::ConnectionRefused => return HaloError::Connect(host.to_owned()),
                K::TimedOut => return HaloError::Timeout(host.to_owned(), timeout),
                K::ConnectionReset | K::ConnectionAborted | K::BrokenPipe | K::UnexpectedEof
                    if !is_connect =>
                {
                    return HaloError::ConnectionReset(host.to_owned());
                }
                _ => {}
            }
        }
        texts.push(e.to_string().to_ascii_lowercase());
        cur = e.source();
    }
    let all = texts.join(" | ");
    let has = |needles: &[&str]| needles.iter().any(|n| all.contains(n));
    // The resolver's refusal, when the chain carries it as text only.
    if let Some(at) = all.find(" which is not a loopback address") {
        let before = &all[..at];
        let addr = before
            .rsplit(" resolves to ")
            .next()
            .unwrap_or("another address")
            .trim_end_matches(',');
        return HaloError::NotLoopback(host.to_owned(), addr.to_owned());
    }
    if has(&[
        "dns error",
        "failed to lookup address",
        "name or service not known",
    ]) {
        HaloError::Dns(host.to_owned())
    } else if let Some(tls) = certificate_error(&all, host) {
        tls
    } else if has(&[
        "certificate",
        "tls",
        "handshake",
        "corrupt message",
        "invalidcontenttype",
        "peer is incompatible",
    ]) {
        HaloError::Tls(host.to_owned())
    } else if has(&["connection refused"]) {
        HaloError::Connect(host.to_owned())
    } else if has(&[
        "connection reset",
        "connection closed",
        "incomplete message",
        "broken pipe",
        "unexpected eof",
        "connection aborted",
    ]) {
        HaloError::ConnectionReset(host.to_owned())
    } else if has(&["timed out", "timeout"]) {
        HaloError::Timeout(host.to_owned(), timeout)
    } else if is_connect {
        HaloError::Connect(host.to_owned())
    } else {
        HaloError::ConnectionReset(host.to_owned())
    }
}

/// The certificate failures a user can act on, told apart (rustls words them in its
/// `CertificateError`): not trusted here, expired, issued for another name.
fn certificate_error(all: &str, host: &str) -> Option<HaloError> {
    let host = host.to_owned();
    if all.contains("unknownissuer") || all.contains("unknown issuer") {
        return Some(HaloError::TlsUntrusted(host));
    }
    if all.contains("certificate expired") || all.contains("invalid peer certificate: expired") {
        let when = all
            .split("not valid after ")
            .nth(1)
            .and_then(|r| r.split_whitespace().next())
            .and_then(|secs| secs.parse::<u64>().ok())
            .map_or_else(
                || "its validity has ended".into(),
                |secs| {
                    let at = std::time::UNIX_EPOCH + Duration::from_secs(secs);
                    format!("it was valid until {}", crate::timestamp::rfc3339_utc(at))
                },
            );
        return Some(HaloError::TlsExpired(host, when));
    }
    if all.contains("not valid for name") || all.contains("notvalidforname") {
        let names = all
            .split("certificate is only valid for ")
            .nth(1)
            .map(|r| r.split(" | ").next().unwrap_or(r).trim().to_string())
            .map_or_else(
                || "it does not name this host".into(),
                |n| format!("it is only valid for {n}"),
            );
        return Some(HaloError::TlsWrongName(host, names));
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn msg(body: &str) -> String {
        body_message(body.as_bytes(), 500, &Redactor::default())
    }

    #[test]
    fn body_shapes() {
        assert_eq!(
            msg(r#"{"ClassName":"System.Exception","Message":"Boom here"}"#),
            "Boom here"
        );
        assert_eq!(
            msg(r#"{"resultCode":1,"errorMessage":"Bad thing"}"#),
            "Bad thing"
        );
        assert_eq!(msg(r#"{"Message":"Upper"}"#), "Upper");
        assert_eq!(msg(r#"{"message":"lower"}"#), "lower");
        assert_eq!(
            msg(r#"{"error":"invalid_request","error_description":"nope"}"#),
            "invalid_request: nope"
        );
        assert_eq!(msg(r#"{"error":"just code"}"#), "just code");
        assert_eq!(msg(r#""a json string""#), "a json string");
        assert_eq!(msg("plain   text\nbody"), "plain text body");
        assert_eq!(
            msg("<html><head><title>502 Bad Gateway</title></head></html>"),
            "502 Bad Gateway"
        );
        assert_eq!(msg(""), "Internal Server Error");
        assert_eq!(
            msg(r#"{"errors":{"name":["Name is required"]}}"#),
            "Name is required"
        );
    }

    #[test]
    fn truncated_and_redacted() {
        let long = "x".repeat(1000);
        let m = msg(&long);
        assert_eq!(m.chars().count(), MAX_MESSAGE + 1);
        let m = msg(r#"{"Message":"bad client_secret=topsecret1 sent"}"#);
        assert!(!m.contains("topsecret1"), "{m}");
    }

    #[test]
    fn statuses() {
        let r = Redactor::default();
        let b = br#"{"message":"why"}"#;
        let w = "GET /api/x";
        assert_eq!(
            api_error(400, w, b, &r),
            HaloError::BadRequest(w.into(), "why".into())
        );
        assert_eq!(api_error(401, w, b, &r), HaloError::Unauthorized(w.into()));
        assert_eq!(
            api_error(403, w, b, &r),
            HaloError::Forbidden(w.into(), "why".into())
        );
        assert_eq!(api_error(404, w, b, &r), HaloError::NotFound(w.into()));
        assert_eq!(
            api_error(429, w, b, &r),
            HaloError::RateLimited("why".into())
        );
        assert_eq!(
            api_error(503, w, b, &r),
            HaloError::Server(503, w.into(), "why".into())
        );
        assert_eq!(
            api_error(409, w, b, &r),
            HaloError::Http(409, w.into(), "why".into())
        );
    }

    #[test]
    fn token_errors() {
        let r = Redactor::default();
        assert_eq!(
            token_error(401, br#"{"error":"invalid_client"}"#, &r),
            HaloError::InvalidClient
        );
        assert_eq!(
            token_error(
                400,
                br#"{"error":"invalid_scope","error_description":"read:actions"}"#,
                &r
            ),
            HaloError::InvalidScope("read:actions".into())
        );
        assert_eq!(
            token_error(400, br#"{"error":"invalid_grant"}"#, &r),
            HaloError::InvalidGrant(String::new())
        );
        assert_eq!(
            token_error(500, b"oops", &r),
            HaloError::TokenError(500, "oops".into())
        );
    }

    #[derive(Debug)]
    struct Wrap(&'static str, std::io::Error);
    impl std::fmt::Display for Wrap {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str(self.0)
        }
    }
    impl StdError for Wrap {
        fn source(&self) -> Option<&(dyn StdError + 'static)> {
            Some(&self.1)
        }
    }

    #[test]
    fn chains() {
        let t = Duration::from_secs(1);
        let dns = Wrap(
            "client error (Connect)",
            std::io::Error::other("dns error: failed to lookup address information"),
        );
        assert_eq!(
            classify_chain(&dns, "h", t, true),
            HaloError::Dns("h".into())
        );
        let refused = Wrap(
            "client error (Connect)",
            std::io::Error::from(std::io::ErrorKind::ConnectionRefused),
        );
        assert_eq!(
            classify_chain(&refused, "h", t, true),
            HaloError::Connect("h".into())
        );
        let tls = Wrap(
            "client error (Connect)",
            std::io::Error::other("received fatal alert: HandshakeFailure"),
        );
        assert_eq!(
            classify_chain(&tls, "h", t, true),
            HaloError::Tls("h".into())
        );
        let reset = Wrap(
            "error sending request",
            std::io::Error::from(std::io::ErrorKind::ConnectionReset),
        );
        assert_eq!(
            classify_chain(&reset, "h", t, false),
            HaloError::ConnectionReset("h".into())
        );
        let incomplete = Wrap(
            "connection closed before message completed",
            std::io::Error::other("x"),
        );
        assert_eq!(
            classify_chain(&incomplete, "h", t, false),
            HaloError::ConnectionReset("h".into())
        );
        let tls = |text: &'static str| {
            classify_chain(
                &Wrap("client error (Connect)", std::io::Error::other(text)),
                "h",
                t,
                true,
            )
        };
        assert_eq!(
            tls("invalid peer certificate: UnknownIssuer"),
            HaloError::TlsUntrusted("h".into())
        );
        assert!(matches!(
            tls("invalid peer certificate: certificate expired: verification time 1800000000 (UNIX), but certificate is not valid after 1700000000 (100000000 seconds ago)"),
            HaloError::TlsExpired(_, w) if w.contains("2023-11-14")
        ));
        assert!(matches!(
            tls("invalid peer certificate: certificate not valid for name \"127.0.0.1\"; certificate is only valid for DnsName(\"halo.example\")"),
            HaloError::TlsWrongName(_, w) if w.contains("halo.example")
        ));
        let loop_ = Wrap(
            "client error (Connect)",
            std::io::Error::other(super::super::loopback::NotLoopback {
                host: "halo.localhost".into(),
                addr: "10.0.0.5".parse().unwrap(),
            }),
        );
        assert!(matches!(
            classify_chain(&loop_, "halo.localhost:80", t, true),
            HaloError::NotLoopback(_, a) if a == "10.0.0.5"
        ));
    }
}
