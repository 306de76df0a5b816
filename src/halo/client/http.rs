//! One logical HTTP request: attempts with retries and backoff, transport error mapping, and
//! exactly one [`RequestEvent`] per logical request (after its last attempt).

use std::time::Instant;

use reqwest::Method;
use reqwest::header::{ACCEPT, AUTHORIZATION, CONTENT_TYPE, HeaderValue, RETRY_AFTER};
use secrecy::{ExposeSecret, SecretString};
use url::Url;

use super::errmap::transport_error;
use super::redact::Redactor;
use super::retry::{self, Kind};
use super::urls::{host_of, path_and_query};
use super::{ClientOptions, RequestEvent};
use crate::halo::error::{HaloError, Result};

pub enum Body {
    None,
    /// `application/x-www-form-urlencoded`, already encoded.
    Form(String),
    Json(Vec<u8>),
}

pub struct Request {
    pub method: Method,
    pub url: Url,
    pub bearer: Option<SecretString>,
    pub body: Body,
}

impl Request {
    pub fn get(url: Url) -> Self {
        Self {
            method: Method::GET,
            url,
            bearer: None,
            body: Body::None,
        }
    }
}

/// A finished exchange with a 2xx status.
pub struct Response {
    pub status: u16,
    pub body: Vec<u8>,
}

/// What one attempt produced before the retry decision.
struct Attempt {
    status: u16,
    retry_after: Option<std::time::Duration>,
    body: Vec<u8>,
}

/// The shared HTTP layer: a reqwest client, options, and the redactor for everything it reports.
pub struct Http {
    client: reqwest::Client,
    pub opts: ClientOptions,
    pub redactor: Redactor,
}

/// Follows a redirect only to the same host without an https→http downgrade: a 307 from the
/// token endpoint would otherwise replay the form, client secret included, to wherever it points.
/// A refused redirect surfaces as its 3xx status.
fn same_host_redirects(attempt: reqwest::redirect::Attempt<'_>) -> reqwest::redirect::Action {
    let Some(prev) = attempt.previous().last() else {
        return attempt.stop();
    };
    let next = attempt.url();
    let downgrade = prev.scheme() == "https" && next.scheme() != "https";
    if attempt.previous().len() > 5 || downgrade || prev.host_str() != next.host_str() {
        attempt.stop()
    } else {
        attempt.follow()
    }
}

impl Http {
    pub fn new(opts: ClientOptions, redactor: Redactor) -> Result<Self> {
        let client = reqwest::Client::builder()
            .user_agent(concat!("halo-onboard/", env!("CARGO_PKG_VERSION")))
            .connect_timeout(opts.timeout)
            .redirect(reqwest::redirect::Policy::custom(same_host_redirects))
            .build()
            .map_err(|e| HaloError::Other(format!("could not set up the HTTP client: {e}")))?;
        Ok(Self {
            client,
            opts,
            redactor,
        })
    }

    /// Runs `req` with retries suited to `kind`. Non-2xx final statuses become the error `map`
    /// returns (it gets the status and body).
    pub async fn exchange(
        &self,
        req: &Request,
        kind: Kind,
        map: &(dyn Fn(u16, &[u8]) -> HaloError + Sync),
    ) -> Result<Response> {
        let start = Instant::now();
        let mut retries = 0;
        loop {
            let outcome = self.attempt(req).await;
            let (transient, retry_after) = match &outcome {
                Ok(a) => (retry::retry_status(kind, a.status), a.retry_after),
                Err(e) => (retry::retry_transport(kind, e), None),
            };
            if transient && retries < self.opts.max_retries {
                let wait = retry::delay(
                    self.opts.backoff_base,
                    self.opts.backoff_max,
                    retries,
                    retry_after,
                );
                tracing::debug!(retries, ?wait, "transient failure, retrying");
                tokio::time::sleep(wait).await;
                retries += 1;
                continue;
            }
            let status = outcome.as_ref().ok().map(|a| a.status);
            let result = match outcome {
                Ok(a) if (200..300).contains(&a.status) => Ok(Response {
                    status: a.status,
                    body: a.body,
                }),
                Ok(a) => Err(map(a.status, &a.body)),
                Err(e) => Err(e),
            };
            self.emit(RequestEvent {
                method: req.method.as_str().to_owned(),
                path: self.redactor.redact(&path_and_query(&req.url)),
                status,
                latency: start.elapsed(),
                retries,
                error: result
                    .as_ref()
                    .err()
                    .map(|e| self.redactor.redact(&e.to_string())),
            });
            return result;
        }
    }

    async fn attempt(&self, req: &Request) -> Result<Attempt> {
        let host = host_of(&req.url);
        let timeout = self.opts.timeout;
        let mut rb = self
            .client
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
        let resp = rb
            .send()
            .await
            .map_err(|e| transport_error(&e, &host, timeout))?;
        let status = resp.status().as_u16();
        let retry_after = resp
            .headers()
            .get(RETRY_AFTER)
            .and_then(|v| v.to_str().ok())
            .and_then(retry::parse_retry_after);
        let body = resp
            .bytes()
            .await
            .map_err(|e| transport_error(&e, &host, timeout))?
            .to_vec();
        Ok(Attempt {
            status,
            retry_after,
            body,
        })
    }

    fn emit(&self, event: RequestEvent) {
        if let Some(sink) = &self.opts.events {
            // A closed log pane must not fail the request.
            let _ = sink.send(event);
        }
    }
}
