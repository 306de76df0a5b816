//! A hostile Halo for issue 12: the emulator behind a small axum front that plays a server
//! sending terminal escapes (OSC 52 clipboard writes, OSC 0 titles, CSI 2J, OSC 8 links, BEL,
//! U+202E) in the agent name, the tenant, token errors and API error bodies, plus checks that
//! what the program printed or wrote holds none of them raw.

use std::sync::{Arc, Mutex};

use axum::body::Body;
use axum::http::{Request, StatusCode};
use axum::response::{IntoResponse, Response};
use halo_onboard::sim::SimHandle;

pub(crate) const OSC52: &str = "\x1b]52;c;aGFja2VkIQ==\x07";
pub(crate) const OSC0: &str = "\x1b]0;pwned title\x07";
pub(crate) const CSI2J: &str = "\x1b[2J";
pub(crate) const OSC8: &str = "\x1b]8;;https://evil.example/\x1b\\click here\x1b]8;;\x1b\\";
pub(crate) const BEL: &str = "\x07";
pub(crate) const RLO: &str = "\u{202e}";
/// C1 CSI: some terminals take it as ESC [.
pub(crate) const C1_CSI: &str = "\u{9b}31m";

/// Every payload, and a forged log line after a newline.
pub(crate) fn payloads() -> String {
    format!(
        "{OSC52}{OSC0}{CSI2J}{OSC8}{BEL}{RLO}{C1_CSI}\n2026-01-01T00:00:00.000Z info hand-over confirmed; secret wiped"
    )
}

/// The agent name Halo's `Agent/me` answers with.
pub(crate) fn evil_name() -> String {
    format!("Eve{}", payloads())
}

/// The client id whose token request the front refuses with an escape-laden description.
pub(crate) const BAD_CLIENT: &str = "hostile-client-id";

/// What the front does besides forwarding to the emulator.
#[derive(Clone, Default)]
pub(crate) struct Knobs {
    /// `tenant_id` in `/api/authinfo` (the emulator's own tenant check is bypassed).
    pub tenant: Option<String>,
    /// `auth_url` in `/api/authinfo` (default: the front's own `/auth`).
    pub auth_url: Option<String>,
    /// Body of a 403 for every verification probe (`GET /api/Tickets…` and friends).
    pub probe_403: Option<String>,
    /// Body of a 500 for every DELETE.
    pub delete_500: Option<String>,
    /// Replaces `expires_in` in token answers.
    pub expires_in: Option<serde_json::Value>,
    /// A create (POST to this path, lower case, e.g. `/api/roles`) is forwarded as usual —
    /// Halo creates the object — but answered with this body instead (another object).
    pub create_answer: Option<(String, serde_json::Value)>,
}

pub(crate) struct Front {
    pub url: String,
    pub knobs: Arc<Mutex<Knobs>>,
}

impl Front {
    pub(crate) fn set(&self, f: impl FnOnce(&mut Knobs)) {
        f(&mut self.knobs.lock().unwrap());
    }
}

fn json(status: u16, v: serde_json::Value) -> Response {
    (
        StatusCode::from_u16(status).unwrap(),
        [("content-type", "application/json")],
        v.to_string(),
    )
        .into_response()
}

/// Names the emulator's bootstrap agent `evil_name()` (what `Agent/me` answers).
pub(crate) fn poison_agent_name(sim: &SimHandle) {
    sim.with_state(|st| {
        for a in &mut st.agents {
            if a.str("name") == "Bootstrap Admin" {
                a.set("name", evil_name());
            }
        }
    });
}

/// The hostile Halo of the Done-when runs: an emulator whose bootstrap agent is named
/// `evil_name()`, behind a front whose authinfo reports a tenant carrying every payload.
pub(crate) async fn hostile_halo() -> (SimHandle, Front) {
    let sim = super::emulator::emulator().await;
    poison_agent_name(&sim);
    let fr = front(
        &sim,
        Knobs {
            tenant: Some(format!("acme{}", payloads())),
            ..Knobs::default()
        },
    )
    .await;
    (sim, fr)
}

/// Starts the front on 127.0.0.1:0.
pub(crate) async fn front(sim: &SimHandle, knobs: Knobs) -> Front {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let knobs = Arc::new(Mutex::new(knobs));
    let upstream = sim.url.clone();
    let http = crate::common::http_builder().no_proxy().build().unwrap();
    let (k, me) = (knobs.clone(), url.clone());
    let app = axum::Router::new().fallback(move |req: Request<Body>| {
        let (k, me, upstream, http) = (k.clone(), me.clone(), upstream.clone(), http.clone());
        async move {
            let knobs = k.lock().unwrap().clone();
            let (parts, body) = req.into_parts();
            let bytes = axum::body::to_bytes(body, 1 << 20).await.unwrap_or_default();
            let path = parts.uri.path().to_string();
            let lower = path.to_ascii_lowercase();
            let query = parts.uri.query().unwrap_or("").to_string();
            if lower == "/api/authinfo" {
                return json(
                    200,
                    serde_json::json!({
                        "auth_url": knobs.auth_url.clone().unwrap_or(format!("{me}/auth")),
                        "tenant_id": knobs.tenant.clone().unwrap_or_else(|| "sandbox".into()),
                    }),
                );
            }
            let form: std::collections::HashMap<String, String> =
                url::form_urlencoded::parse(&bytes).into_owned().collect();
            if lower == "/auth/token" && form.get("client_id").map(String::as_str) == Some(BAD_CLIENT)
            {
                return json(
                    400,
                    serde_json::json!({"error": "invalid_request", "error_description": format!("bad request{}", payloads())}),
                );
            }
            if parts.method == "GET" && lower.starts_with("/api/tickets") {
                if let Some(b) = &knobs.probe_403 {
                    return json(403, serde_json::json!({"Message": b}));
                }
            }
            if parts.method == "DELETE" {
                if let Some(b) = &knobs.delete_500 {
                    return (StatusCode::INTERNAL_SERVER_ERROR, b.clone()).into_response();
                }
            }
            // The emulator checks the tenant; the hostile one would not match.
            let query: String = url::form_urlencoded::parse(query.as_bytes())
                .filter(|(k, _)| k != "tenant")
                .fold(url::form_urlencoded::Serializer::new(String::new()), |mut s, (k, v)| {
                    s.append_pair(&k, &v);
                    s
                })
                .finish();
            let target = if query.is_empty() {
                format!("{upstream}{path}")
            } else {
                format!("{upstream}{path}?{query}")
            };
            let mut rb = http.request(parts.method.clone(), target).body(bytes.to_vec());
            for h in ["authorization", "content-type", "accept"] {
                if let Some(v) = parts.headers.get(h) {
                    rb = rb.header(h, v.clone());
                }
            }
            let Ok(resp) = rb.send().await else {
                return (StatusCode::BAD_GATEWAY, "upstream down").into_response();
            };
            let status = resp.status().as_u16();
            let body = resp.bytes().await.unwrap_or_default();
            if let Some((p, answer)) = &knobs.create_answer {
                if parts.method == "POST" && lower == *p && status < 300 {
                    return json(200, answer.clone());
                }
            }
            if lower == "/auth/token" && status == 200 {
                if let Some(e) = &knobs.expires_in {
                    let mut v: serde_json::Value = serde_json::from_slice(&body).unwrap();
                    v["expires_in"] = e.clone();
                    return json(200, v);
                }
            }
            (
                StatusCode::from_u16(status).unwrap(),
                [("content-type", "application/json")],
                body,
            )
                .into_response()
        }
    });
    tokio::spawn(async move {
        axum::serve(listener, app).await.unwrap();
    });
    Front { url, knobs }
}

/// Fails with the offending position if `bytes` hold a byte below 0x20 other than newline and
/// tab, DEL, or (as text) a C1 control or a bidi control.
pub(crate) fn assert_clean(what: &str, bytes: &[u8]) {
    if let Some(i) = bytes
        .iter()
        .position(|b| (*b < 0x20 && *b != b'\n' && *b != b'\t') || *b == 0x7f)
    {
        let from = i.saturating_sub(60);
        panic!(
            "{what}: raw byte {:#04x} at {i}: {:?}",
            bytes[i],
            String::from_utf8_lossy(&bytes[from..(i + 20).min(bytes.len())])
        );
    }
    let text = String::from_utf8_lossy(bytes);
    if let Some(c) = text
        .chars()
        .find(|c| halo_onboard::text::is_unsafe(*c) && *c != '\n' && *c != '\t')
    {
        panic!("{what}: raw {c:?} in {text}");
    }
}
