//! One logical HTTP request: attempts with retries and backoff, transport error mapping, and
//! exactly one [`RequestEvent`] per logical request (after its last attempt).

use std::collections::HashMap;
use std::sync::{Mutex, OnceLock, PoisonError};
use std::time::{Duration, Instant};

use reqwest::Method;
use reqwest::header::{ACCEPT, AUTHORIZATION, CONTENT_TYPE, HeaderValue, LOCATION, RETRY_AFTER};
use secrecy::{ExposeSecret, SecretString};
use url::Url;

use super::errmap::transport_error;
use super::options::{ClientOptions, ExtraCa, RequestEvent};
use super::redact::Redactor;
use super::retry::{self, Access};
use super::urls::{host_of, is_loopback_url, path_and_query};
use crate::halo::error::{HaloError, Result};
use crate::limits::{MAX_BODIES, MAX_BODY};
use std::sync::atomic::{AtomicUsize, Ordering};

pub(super) enum Body {
    None,
    /// `application/x-www-form-urlencoded`, already encoded.
    Form(String),
    Json(Vec<u8>),
}

pub(super) struct Request {
    pub method: Method,
    pub url: Url,
    pub bearer: Option<SecretString>,
    pub body: Body,
}

impl Request {
    pub(super) fn get(url: Url) -> Self {
        Self {
            method: Method::GET,
            url,
            bearer: None,
            body: Body::None,
        }
    }
}

/// A finished exchange with a 2xx status. Its body counts against the process-wide budget
/// until it is dropped.
pub(super) struct Response {
    pub status: u16,
    pub body: Vec<u8>,
    _budget: BodyBudget,
}

/// Bytes of answer bodies held right now, process-wide (see [`MAX_BODIES`]).
static BODY_BYTES: AtomicUsize = AtomicUsize::new(0);

/// One body's share of [`BODY_BYTES`], given back when dropped.
#[derive(Default)]
struct BodyBudget(usize);

impl BodyBudget {
    /// Takes `n` more bytes; false (and nothing taken) if that would pass the budget.
    fn take(&mut self, n: usize) -> bool {
        let before = BODY_BYTES.fetch_add(n, Ordering::SeqCst);
        if before.saturating_add(n) > MAX_BODIES {
            BODY_BYTES.fetch_sub(n, Ordering::SeqCst);
            return false;
        }
        self.0 += n;
        true
    }
}

impl Drop for BodyBudget {
    fn drop(&mut self) {
        BODY_BYTES.fetch_sub(self.0, Ordering::SeqCst);
    }
}

/// What one attempt produced before the retry decision.
struct Attempt {
    status: u16,
    retry_after: Option<std::time::Duration>,
    /// Where a 3xx pointed (only when the redirect was refused).
    location: Option<String>,
    body: Vec<u8>,
    budget: BodyBudget,
}

/// The shared HTTP layer: reqwest clients, options, and the redactor for everything it reports.
pub(super) struct Http {
    /// Honours the system proxy settings (`https_proxy`, `NO_PROXY`, ...).
    client: reqwest::Client,
    /// Never uses a proxy: for loopback targets (the sandbox, `--demo`), where a proxy from the
    /// environment would receive the form with the client secret in clear.
    direct: reqwest::Client,
    pub opts: ClientOptions,
    pub redactor: Redactor,
}

/// Follows a redirect only to the same scheme, host and port: a 307 from the token endpoint
/// would otherwise replay the form, client secret included, to wherever it points (another
/// port of the same host is another server). A refused redirect surfaces as its 3xx status.
fn same_origin_redirects(attempt: reqwest::redirect::Attempt<'_>) -> reqwest::redirect::Action {
    let Some(prev) = attempt.previous().last() else {
        return attempt.stop();
    };
    let next = attempt.url();
    let same = prev.scheme() == next.scheme()
        && prev.host_str() == next.host_str()
        && prev.port_or_known_default() == next.port_or_known_default();
    if attempt.previous().len() > 5 || !same {
        attempt.stop()
    } else {
        attempt.follow()
    }
}

/// The reqwest clients for a connect timeout and an extra certificate authority (one honouring
/// the proxy settings, one direct for loopback), built once per process and shared: building
/// one loads the TLS roots (about 5 ms of CPU), and an apply makes several Halo clients
/// (discovery, the bootstrap, the new credentials' verification), a batch many times that.
/// Everything that differs between Halo clients (credentials, retries, the request timeout,
/// events) is per request.
fn shared_clients(
    connect_timeout: Duration,
    ca: Option<&ExtraCa>,
) -> Result<(reqwest::Client, reqwest::Client)> {
    type Pair = (reqwest::Client, reqwest::Client);
    type Key = (Duration, Option<std::path::PathBuf>);
    static BUILT: OnceLock<Mutex<HashMap<Key, Pair>>> = OnceLock::new();
    let key = (connect_timeout, ca.map(|c| c.path.clone()));
    let mut built = BUILT
        .get_or_init(Mutex::default)
        .lock()
        .unwrap_or_else(PoisonError::into_inner);
    if let Some(pair) = built.get(&key) {
        return Ok(pair.clone());
    }
    super::tls::install();
    let builder = || {
        let b = reqwest::Client::builder()
            .user_agent(concat!("halo-onboard/", env!("CARGO_PKG_VERSION")))
            .connect_timeout(connect_timeout)
            .redirect(reqwest::redirect::Policy::custom(same_origin_redirects));
        // The system's authorities and, where the admin named one, theirs as well.
        match ca {
            Some(ca) => b.tls_certs_merge(ca.certs.iter().cloned()),
            None => b,
        }
    };
    let setup =
        |e: reqwest::Error| HaloError::Other(format!("could not set up the HTTP client: {e}"));
    let pair = (
        builder().build().map_err(setup)?,
        // Loopback targets only: each address their name resolves to is checked (and is the
        // one connected to), so plain http and the bypassed proxy never reach another machine.
        builder()
            .no_proxy()
            .dns_resolver(super::loopback::LoopbackOnly)
            .build()
            .map_err(setup)?,
    );
    built.insert(key, pair.clone());
    Ok(pair)
}

impl Http {
    pub(super) fn new(opts: ClientOptions, redactor: Redactor) -> Result<Self> {
        let (client, direct) = shared_clients(opts.timeout, opts.ca.as_ref())?;
        Ok(Self {
            client,
            direct,
            opts,
            redactor,
        })
    }

    /// Runs `req` with retries suited to `kind`. Non-2xx final statuses become the error `map`
    /// returns (it gets the status and body); a refused redirect is [`HaloError::Redirect`].
    pub(super) async fn exchange(
        &self,
        req: &Request,
        kind: Access,
        map: &(dyn Fn(u16, &[u8]) -> HaloError + Sync),
    ) -> Result<Response> {
        let start = Instant::now();
        let mut retries = 0;
        let mut timeouts = 0;
        let path = self.redactor.redact(&path_and_query(&req.url));
        loop {
            let outcome = self.attempt(req).await;
            let (transient, retry_after) = match &outcome {
                Ok(a) => (retry::retry_status(kind, a.status, retries), a.retry_after),
                Err(e) => (retry::retry_transport(kind, e, timeouts), None),
            };
            if matches!(outcome, Err(HaloError::Timeout(..))) {
                timeouts += 1;
            }
            if transient && retries < self.opts.max_retries {
                let wait = retry::delay(
                    self.opts.backoff_base,
                    self.opts.backoff_max,
                    retries,
                    retry_after,
                );
                tracing::debug!(retries, ?wait, "transient failure, retrying");
                // Announced, so the wizard can count down instead of just spinning.
                self.emit(RequestEvent {
                    method: req.method.as_str().to_owned(),
                    path: path.clone(),
                    status: outcome.as_ref().ok().map(|a| a.status),
                    latency: start.elapsed(),
                    retries,
                    error: None,
                    waiting: Some(wait),
                });
                tokio::time::sleep(wait).await;
                retries += 1;
                continue;
            }
            let status = outcome.as_ref().ok().map(|a| a.status);
            let result = match outcome {
                Ok(a) if (200..300).contains(&a.status) => Ok(Response {
                    status: a.status,
                    body: a.body,
                    _budget: a.budget,
                }),
                Ok(a) if (300..400).contains(&a.status) => Err(HaloError::Redirect(
                    a.status,
                    path.clone(),
                    self.redactor
                        .redact(a.location.as_deref().unwrap_or("(no Location given)")),
                )),
                Ok(a) => Err(map(a.status, &a.body)),
                Err(e) => Err(e),
            };
            self.emit(RequestEvent {
                method: req.method.as_str().to_owned(),
                path,
                status,
                latency: start.elapsed(),
                retries,
                error: result
                    .as_ref()
                    .err()
                    .map(|e| self.redactor.redact(&e.to_string())),
                waiting: None,
            });
            return result;
        }
    }

    async fn attempt(&self, req: &Request) -> Result<Attempt> {
        let host = host_of(&req.url);
        let timeout = self.opts.timeout;
        let client = if is_loopback_url(&req.url) {
            &self.direct
        } else {
            &self.client
        };
        let mut rb = client
            .request(req.method.clone(), req.url.clone())
            .timeout(timeout)
            .header(ACCEPT, "application/json");
        if let Some(token) = &req.bearer {
            let mut value = HeaderValue::from_str(&format!("Bearer {}", token.expose_secret()))
                .map_err(|_| HaloError::Other("the access token has invalid characters".into()))?;
            value.set_sensitive(true);
            rb = rb.header(AUTHORIZATION, value);
        }
        rb = match &req.body {
            Body::None => rb,
            Body::Form(s) => rb
                .header(CONTENT_TYPE, "application/x-www-form-urlencoded")
                .body(s.clone()),
            Body::Json(b) => rb.header(CONTENT_TYPE, "application/json").body(b.clone()),
        };
        let mut resp = rb
            .send()
            .await
            .map_err(|e| transport_error(&e, &host, timeout))?;
        let status = resp.status().as_u16();
        let header = |name| {
            resp.headers()
                .get(name)
                .and_then(|v: &HeaderValue| v.to_str().ok())
                .map(str::to_owned)
        };
        let retry_after = header(RETRY_AFTER).and_then(|v| retry::parse_retry_after(&v));
        let location = header(LOCATION);
        // Read as a stream and stop at the cap (one body) or the budget (all bodies at once):
        // a hostile or broken server cannot make its answer sit in memory. Chunks are kept as
        // they come and joined once, so no growing buffer is copied over and over.
        let too_large =
            |cap| HaloError::TooLarge(self.redactor.redact(&path_and_query(&req.url)), cap);
        if resp.content_length().is_some_and(|n| n > MAX_BODY as u64) {
            return Err(too_large(MAX_BODY));
        }
        let mut budget = BodyBudget::default();
        let mut chunks = Vec::new();
        let mut len = 0usize;
        while let Some(chunk) = resp
            .chunk()
            .await
            .map_err(|e| transport_error(&e, &host, timeout))?
        {
            if len + chunk.len() > MAX_BODY {
                return Err(too_large(MAX_BODY));
            }
            if !budget.take(chunk.len()) {
                return Err(too_large(MAX_BODIES));
            }
            len += chunk.len();
            chunks.push(chunk);
        }
        let mut body = Vec::with_capacity(len);
        for c in &chunks {
            body.extend_from_slice(c);
        }
        Ok(Attempt {
            status,
            retry_after,
            location,
            body,
            budget,
        })
    }

    fn emit(&self, event: RequestEvent) {
        if let Some(sink) = &self.opts.events {
            sink.send(event);
        }
    }
}
