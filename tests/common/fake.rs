//! Ad-hoc Halo stand-ins for the client tests: an axum server on 127.0.0.1:0 whose every
//! request is recorded and answered by a closure the test supplies.

use std::collections::HashMap;
use std::future::Future;
use std::sync::{Arc, Mutex};

use axum::body::Body;
use axum::http::{Request, StatusCode};
use axum::response::{IntoResponse, Response};
use halo_onboard::halo::{Client, ClientOptions, Credentials, Endpoint, RequestEvent};

pub(crate) use super::emulator::fast_opts;
use tokio::sync::mpsc::UnboundedReceiver;

pub(crate) const CLIENT_ID: &str = "11111111-2222-3333-4444-555555555555";
pub(crate) const SECRET: &str = "s3cr3t-aaaa-bbbb-cccc-SECRETVALUE";
pub(crate) const TOKEN: &str = "tok-AAAA.BBBB.CCCC";

/// One request as the server saw it.
#[derive(Debug, Clone)]
pub(crate) struct Seen {
    pub method: String,
    /// Path and query, e.g. `/api/Agent?search=x`.
    pub path: String,
    pub headers: HashMap<String, String>,
    pub body: String,
}

impl Seen {
    pub(crate) fn path_only(&self) -> &str {
        self.path.split('?').next().unwrap_or("")
    }
    pub(crate) fn query(&self) -> HashMap<String, String> {
        let q = self.path.split_once('?').map_or("", |(_, q)| q);
        url::form_urlencoded::parse(q.as_bytes())
            .into_owned()
            .collect()
    }
    pub(crate) fn form(&self) -> HashMap<String, String> {
        url::form_urlencoded::parse(self.body.as_bytes())
            .into_owned()
            .collect()
    }
}

pub(crate) struct Fake {
    pub url: String,
    seen: Arc<Mutex<Vec<Seen>>>,
}

impl Fake {
    pub(crate) fn seen(&self) -> Vec<Seen> {
        self.seen.lock().unwrap().clone()
    }
    /// Requests whose path (without query) is `path`.
    pub(crate) fn hits(&self, path: &str) -> Vec<Seen> {
        self.seen()
            .into_iter()
            .filter(|s| s.path_only().eq_ignore_ascii_case(path))
            .collect()
    }
}

/// Starts a server answering every request with `f`.
pub(crate) async fn serve<F, Fut>(f: F) -> Fake
where
    F: Fn(Seen) -> Fut + Clone + Send + Sync + 'static,
    Fut: Future<Output = Response> + Send + 'static,
{
    let seen = Arc::new(Mutex::new(Vec::new()));
    let log = seen.clone();
    let app = axum::Router::new().fallback(move |req: Request<Body>| {
        let f = f.clone();
        let log = log.clone();
        async move {
            let (parts, body) = req.into_parts();
            let bytes = axum::body::to_bytes(body, 1 << 20)
                .await
                .unwrap_or_default();
            let s = Seen {
                method: parts.method.to_string(),
                path: parts
                    .uri
                    .path_and_query()
                    .map(|p| p.as_str().to_owned())
                    .unwrap_or_default(),
                headers: parts
                    .headers
                    .iter()
                    .map(|(k, v)| {
                        (
                            k.as_str().to_ascii_lowercase(),
                            v.to_str().unwrap_or("").to_owned(),
                        )
                    })
                    .collect(),
                body: String::from_utf8_lossy(&bytes).into_owned(),
            };
            log.lock().unwrap().push(s.clone());
            f(s).await
        }
    });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        axum::serve(listener, app).await.unwrap();
    });
    Fake {
        url: format!("http://{addr}"),
        seen,
    }
}

pub(crate) fn json(status: u16, body: serde_json::Value) -> Response {
    (
        StatusCode::from_u16(status).unwrap(),
        [("content-type", "application/json")],
        body.to_string(),
    )
        .into_response()
}

pub(crate) fn text(status: u16, body: &str) -> Response {
    (StatusCode::from_u16(status).unwrap(), body.to_owned()).into_response()
}

/// A server that answers every request with `status` and `Location: <to><path>`.
pub(crate) async fn redirecting(status: StatusCode, to: &str) -> Fake {
    let to = to.to_owned();
    serve(move |s: Seen| {
        let location = format!("{to}{}", s.path);
        async move { (status, [("location", location)], "").into_response() }
    })
    .await
}

pub(crate) fn token_json() -> serde_json::Value {
    serde_json::json!({"access_token": TOKEN, "token_type": "Bearer", "expires_in": 3600, "scope": "all admin"})
}

/// Answers the token endpoint; everything else gets `api`.
pub(crate) async fn with_token<F, Fut>(api: F) -> Fake
where
    F: Fn(Seen) -> Fut + Clone + Send + Sync + 'static,
    Fut: Future<Output = Response> + Send + 'static,
{
    serve(move |s: Seen| {
        let api = api.clone();
        async move {
            if s.path_only() == "/auth/token" {
                json(200, token_json())
            } else {
                api(s).await
            }
        }
    })
    .await
}

pub(crate) fn creds() -> Credentials {
    Credentials::new(CLIENT_ID, SECRET, &["all", "admin"])
}

pub(crate) fn client(url: &str) -> Client {
    client_with(url, fast_opts())
}

pub(crate) fn client_with(url: &str, opts: ClientOptions) -> Client {
    Client::new(Endpoint::hosted(url).unwrap(), creds(), opts).unwrap()
}

/// A client whose events can be read back.
pub(crate) fn client_events(url: &str) -> (Client, UnboundedReceiver<RequestEvent>) {
    let (tx, rx) = tokio::sync::mpsc::unbounded_channel();
    let opts = ClientOptions {
        events: Some(tx.into()),
        ..fast_opts()
    };
    (client_with(url, opts), rx)
}

/// The final event of each logical request (waits announced before a retry left out).
pub(crate) fn drain(rx: &mut UnboundedReceiver<RequestEvent>) -> Vec<RequestEvent> {
    drain_all(rx)
        .into_iter()
        .filter(|e| e.waiting.is_none())
        .collect()
}

/// Every event, the announced waits included.
pub(crate) fn drain_all(rx: &mut UnboundedReceiver<RequestEvent>) -> Vec<RequestEvent> {
    let mut out = Vec::new();
    while let Ok(e) = rx.try_recv() {
        out.push(e);
    }
    out
}

/// Panics if any secret or token appears in `text`.
pub(crate) fn assert_no_secret(text: &str) {
    for s in [SECRET, TOKEN, "SECRETVALUE", "AAAA.BBBB"] {
        assert!(!text.contains(s), "secret {s:?} leaked in: {text}");
    }
}
