//! One error type for everything the Halo client can hit, each with a message that says what
//! failed and a hint that says what to do next.

use std::time::Duration;

use crate::text::line;

/// Every text field may come from Halo or from what a user typed: `Display` shows each through
/// the sanitiser (one line, escaped, capped), so an error message never carries a raw escape.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum HaloError {
    /// The Halo address as typed does not parse as a URL.
    #[error("'{}' is not a valid URL", line(.0))]
    InvalidUrl(String),
    /// The address has a scheme other than https (or http to loopback); holds the scheme.
    #[error("{}:// is not how Halo is reached", line(.0))]
    UnsupportedScheme(String),
    #[error(
        "refusing plain http:// to {}: Halo credentials would cross the network unencrypted",
        line(.0)
    )]
    /// A plain http:// address to a host other than loopback; holds the host.
    InsecureUrl(String),
    /// The host name did not resolve; holds the host.
    #[error("could not resolve host {}", line(.0))]
    Dns(String),
    /// No TCP connection could be made to the host; holds the host.
    #[error("could not connect to {}", line(.0))]
    Connect(String),
    /// The TLS handshake failed for another reason than the certificate; holds the host.
    #[error("TLS handshake with {} failed", line(.0))]
    Tls(String),
    #[error(
        "the certificate of {} is not signed by an authority this machine trusts, so it cannot be told from an impostor; nothing was sent",
        line(.0)
    )]
    /// The server's certificate chain ends at no trusted authority; holds the host.
    TlsUntrusted(String),
    /// The server's certificate has expired: host, and when it expired.
    #[error("the certificate of {} has expired ({}); nothing was sent", line(.0), line(.1))]
    TlsExpired(String, String),
    #[error(
        "the certificate of {} is for another name ({}); nothing was sent",
        line(.0),
        line(.1)
    )]
    /// The certificate is for other names: the host asked for, and the names it holds.
    TlsWrongName(String, String),
    /// The extra CA file (`ExtraCa`) could not be read or parsed: path, and why.
    #[error("cannot use the CA file {}: {}", line(.0), line(.1))]
    CaFile(String, String),
    #[error(
        "{} resolves to {}, which is not this machine: plain http:// (and a connection without the proxy) is only allowed to loopback addresses, so nothing was sent",
        line(.0),
        line(.1)
    )]
    /// An http:// host resolves to a non-loopback address: host, and that address.
    NotLoopback(String, String),
    /// An id does not have the shape Halo gives that kind of object: the kind in words, the id as
    /// given, and the shape expected. Raised before any request is sent.
    #[error("'{}' is not {} id Halo makes ({}); it was not sent to Halo", line(.1), article(.0), line(.2))]
    InvalidId(String, String, String),
    /// No answer within the timeout: host, and the timeout that applied.
    #[error("{} did not answer within {:?}", line(.0), .1)]
    Timeout(String, Duration),
    /// The connection dropped mid-request; holds the host.
    #[error("the connection was dropped: {}", line(.0))]
    ConnectionReset(String),
    /// The token endpoint answered `invalid_client`: the Client ID or secret is wrong or disabled.
    #[error("Halo rejected the client id or secret (invalid_client)")]
    InvalidClient,
    /// The token endpoint answered `invalid_scope`; holds Halo's description.
    #[error("Halo rejected the requested scopes (invalid_scope): {}", line(.0))]
    InvalidScope(String),
    /// The token endpoint answered `invalid_grant`; holds Halo's description.
    #[error("Halo rejected the grant (invalid_grant): {}", line(.0))]
    InvalidGrant(String),
    /// Any other token endpoint failure: HTTP status, and Halo's description.
    #[error("Halo's token endpoint answered {}: {}", .0, line(.1))]
    TokenError(u16, String),
    /// An API call answered 401 with a token; holds the request (method and redacted path).
    #[error("Halo refused the token (401) for {}", line(.0))]
    Unauthorized(String),
    /// An API call answered 403: request (method and redacted path), and Halo's message.
    #[error("Halo denied access (403) to {}: {}", line(.0), line(.1))]
    Forbidden(String, String),
    /// An API call answered 404; holds the request (method and redacted path).
    #[error("{} was not found (404)", line(.0))]
    NotFound(String),
    /// An API call answered 400: request (method and redacted path), and Halo's message.
    #[error("Halo rejected the request (400) to {}: {}", line(.0), line(.1))]
    BadRequest(String, String),
    /// An API call answered 429 (rate limited); holds Halo's message.
    #[error("Halo's rate limit was reached: {}", line(.0))]
    RateLimited(String),
    /// An API call answered 5xx: status, request (method and redacted path), and Halo's message.
    #[error("Halo answered {} for {}: {}", .0, line(.1), line(.2))]
    Server(u16, String, String),
    /// Any other non-success status: status, request (method and redacted path), and Halo's message.
    #[error("Halo answered {} for {}: {}", .0, line(.1), line(.2))]
    Http(u16, String, String),
    #[error(
        "Halo answered {} for {} with a redirect to {}; refused, so that nothing (the secret least of all) is sent to another place than the one shown",
        .0,
        line(.1),
        line(.2)
    )]
    /// A 3xx answer, never followed: status, the redacted path, and the redirect target (redacted).
    Redirect(u16, String, String),
    #[error(
        "Halo's answer to {} is larger than this program reads ({} MiB at most); stopped reading it",
        line(.0),
        .1 >> 20
    )]
    /// An answer body over the size cap: the redacted path and query, and the cap in bytes.
    TooLarge(String, usize),
    #[error(
        "Halo at {} sends the login to another server, {}: the client secret would be sent there",
        line(.0),
        line(.1)
    )]
    /// The auth server Halo names is on another host: Halo's address, and that auth server.
    AuthElsewhere(String, String),
    /// An answer that is not the JSON expected: what was read, and the parser's detail.
    #[error("could not read Halo's answer from {}: {}", line(.0), line(.1))]
    Decode(String, String),
    /// Anything else (an encoding or client set-up failure), as a finished message.
    #[error("{}", line(.0))]
    Other(String),
}

impl HaloError {
    /// What the user should do about it.
    pub fn hint(&self) -> &'static str {
        self.reach_hint().unwrap_or_else(|| self.answer_hint())
    }

    /// Halo could not be reached (the address, the certificate, the network), or `None`.
    fn reach_hint(&self) -> Option<&'static str> {
        Some(match self {
            Self::InvalidUrl(_) => {
                "Enter the address you open Halo at, e.g. https://acme.halopsa.com."
            }
            Self::UnsupportedScheme(_) => {
                "Use the https:// address you open Halo at, e.g. https://acme.halopsa.com."
            }
            Self::InsecureUrl(_) => "Use https:// (plain http is only allowed for localhost).",
            Self::Dns(_) => {
                "Check the host name for typos and that this machine's DNS can resolve it."
            }
            Self::Connect(_) => {
                "Check the URL and port, and that a firewall or proxy does not block this host."
            }
            Self::TlsUntrusted(_) => {
                "If this Halo (or the proxy in front of it) uses a private certificate authority, trust it for halo-onboard: --ca-file CA.pem, or ca_file = \"CA.pem\" in the config file (top level, or in the saved instance). Otherwise the certificate must chain to a public authority: install the full chain on the server."
            }
            Self::TlsExpired(..) => {
                "Renew the certificate on the Halo server (or the proxy in front of it); also check this machine's clock. halo-onboard never skips the check."
            }
            Self::TlsWrongName(..) => {
                "Use the address the certificate names (the one Halo's API Details page shows), or issue the server a certificate for the name you use."
            }
            Self::CaFile(..) => {
                "Give a PEM file with the certificate authority's certificate (-----BEGIN CERTIFICATE-----), at most 1 MiB."
            }
            Self::NotLoopback(..) => {
                "Use https:// to reach Halo on another machine; for a local server use http://127.0.0.1:PORT (or fix the hosts entry that maps the name elsewhere)."
            }
            Self::InvalidId(..) => {
                "The id came from a journal or an answer that was edited or forged: check the object in Halo; a journal can be moved aside and the setup applied again (nothing is created twice)."
            }
            Self::Tls(_) => {
                "Halo's certificate is not trusted here; on-premise Halo needs a complete certificate chain. An address without a scheme is read as https://: a local server that speaks plain http (localhost only) needs http:// written out."
            }
            Self::Timeout(..) | Self::ConnectionReset(_) => {
                "The network or Halo is slow; try again. Nothing is lost: resume continues where it stopped."
            }
            _ => return None,
        })
    }

    /// What Halo (or something answering for it) said.
    fn answer_hint(&self) -> &'static str {
        match self {
            Self::InvalidClient => {
                "Check the Client ID and Secret in Halo: Configuration > Integrations > Halo API > your application. The secret is shown only when created; generate a new one if lost."
            }
            Self::InvalidScope(_) => {
                "Request only scopes the application has ticked in its Permissions tab."
            }
            Self::InvalidGrant(_) => {
                "The application's authentication method must be 'Client ID and Secret (Services)'."
            }
            Self::TokenError(..) => {
                "Check the authorisation server URL and tenant (Configuration > Integrations > Halo API > API Details)."
            }
            Self::Unauthorized(_) => {
                "The token was refused: check that the application is active and its agent is enabled."
            }
            Self::Forbidden(..) => {
                "Tick the needed permission on the application and give its agent a role that allows it."
            }
            Self::NotFound(_) => {
                "The object was deleted or the id is wrong; refresh and pick it again."
            }
            Self::BadRequest(..) => "Correct the field Halo names and try again.",
            Self::RateLimited(_) => {
                "Halo allows a limited number of requests per rolling window; wait a minute and resume."
            }
            Self::Server(..) => {
                "Halo had an internal error; try again shortly. If it persists, check Halo's status."
            }
            Self::Redirect(..) => {
                "Check the URL: use the address Halo's API Details page shows (Configuration > Integrations > Halo API)."
            }
            Self::AuthElsewhere(..) => {
                "Send the secret there only if Configuration > Integrations > Halo API > API Details shows that authorisation server: confirm it with --auth-url (headless) or y (wizard); otherwise check the Halo URL."
            }
            Self::TooLarge(..) => {
                "This is not an answer Halo gives; check that the URL points at Halo's resource server, not a download or a proxy page."
            }
            // The reach errors have their own hint ([`HaloError::reach_hint`]).
            _ => "Check that the URL points at Halo's resource server.",
        }
    }

    /// Whether the request may be retried safely (for reads; creates look up first).
    pub(crate) fn is_transient(&self) -> bool {
        matches!(
            self,
            Self::Timeout(..)
                | Self::ConnectionReset(_)
                | Self::RateLimited(_)
                | Self::Server(502..=504, ..)
        )
    }
}

/// A result whose error is a [`HaloError`].
pub type Result<T, E = HaloError> = std::result::Result<T, E>;

/// "a role", "an application": for [`HaloError::InvalidId`].
fn article(what: &str) -> String {
    let vowel = what.starts_with(|c: char| "aeiou".contains(c));
    format!("{} {what}", if vowel { "an" } else { "a" })
}
