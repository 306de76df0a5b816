//! Validation and normalisation of the URLs a user types: scheme, host, plain-http refusal.

use std::net::IpAddr;

use url::{Host, Url};

use crate::halo::error::{HaloError, Result};

/// Parses a user-typed URL (a bare host gets `https://`), refuses plain http to anything but
/// loopback, drops query and fragment, and returns it without a trailing slash.
pub fn normalise(input: &str) -> Result<String> {
    let trimmed = input.trim();
    let invalid = || HaloError::InvalidUrl(trimmed.to_owned());
    if trimmed.is_empty() || trimmed.chars().any(char::is_whitespace) {
        return Err(invalid());
    }
    let with_scheme = if trimmed.contains("://") {
        trimmed.to_owned()
    } else {
        format!("https://{trimmed}")
    };
    let mut url = Url::parse(&with_scheme).map_err(|_| invalid())?;
    let host = match url.host() {
        // DNS limits: 253 characters, 63 per label. A longer name cannot resolve; refusing it
        // here saves the retries a resolver failure would get.
        Some(Host::Domain(d))
            if d.trim_end_matches('.').len() > 253 || d.split('.').any(|l| l.len() > 63) =>
        {
            return Err(HaloError::InvalidUrl(format!(
                "{} (the host name is longer than DNS allows)",
                crate::text::line_max(trimmed, 80)
            )));
        }
        Some(Host::Domain(d)) if !d.is_empty() => d.to_owned(),
        Some(Host::Ipv4(ip)) => ip.to_string(),
        Some(Host::Ipv6(ip)) => ip.to_string(),
        _ => return Err(invalid()),
    };
    // Credentials in the URL would end up in logs; Halo never needs them there. The error
    // names the URL without them, so a typed password is not echoed either.
    if !url.username().is_empty() || url.password().is_some() {
        let _ = url.set_username("");
        let _ = url.set_password(None);
        return Err(HaloError::InvalidUrl(format!(
            "{} (with a user name or password in it)",
            url.as_str().trim_end_matches('/')
        )));
    }
    match url.scheme() {
        "https" => {}
        "http" if is_loopback(url.host()) => {}
        "http" => return Err(HaloError::InsecureUrl(host)),
        other => return Err(HaloError::UnsupportedScheme(other.to_owned())),
    }
    url.set_query(None);
    url.set_fragment(None);
    Ok(url.as_str().trim_end_matches('/').to_owned())
}

/// `https://acme.halopsa.com[/][api[/]]` → `https://acme.halopsa.com`.
pub(super) fn hosted_base(input: &str) -> Result<String> {
    let url = normalise(input)?;
    let base = strip_suffix_ci(&url, "/api").unwrap_or(&url);
    Ok(base.trim_end_matches('/').to_owned())
}

fn strip_suffix_ci<'a>(s: &'a str, suffix: &str) -> Option<&'a str> {
    let cut = s.len().checked_sub(suffix.len())?;
    (s.is_char_boundary(cut) && s[cut..].eq_ignore_ascii_case(suffix)).then(|| &s[..cut])
}

fn is_loopback(host: Option<Host<&str>>) -> bool {
    match host {
        Some(Host::Domain(d)) => {
            let d = d.trim_end_matches('.').to_ascii_lowercase();
            d == "localhost" || d.ends_with(".localhost")
        }
        Some(Host::Ipv4(ip)) => IpAddr::V4(ip).is_loopback(),
        Some(Host::Ipv6(ip)) => IpAddr::V6(ip).is_loopback(),
        None => false,
    }
}

/// Whether two URLs share scheme, host and port (the port a scheme implies counts).
pub(super) fn same_origin(a: &str, b: &str) -> bool {
    match (Url::parse(a), Url::parse(b)) {
        (Ok(a), Ok(b)) => {
            a.scheme() == b.scheme()
                && a.host_str().map(str::to_ascii_lowercase)
                    == b.host_str().map(str::to_ascii_lowercase)
                && a.port_or_known_default() == b.port_or_known_default()
        }
        _ => false,
    }
}

/// Whether two URLs name the same place: scheme, host, port (as [`same_origin`]) and path
/// (exactly; a trailing `/` aside). Query and fragment are not compared.
pub(super) fn same_place(a: &str, b: &str) -> bool {
    let path = |u: &str| Url::parse(u).map(|u| u.path().trim_end_matches('/').to_owned());
    same_origin(a, b) && matches!((path(a), path(b)), (Ok(x), Ok(y)) if x == y)
}

/// Whether a URL points at this machine (no proxy is ever used for it).
pub(super) fn is_loopback_url(url: &Url) -> bool {
    is_loopback(url.host())
}

/// The host (and port, when not the scheme's default) of a URL, for error messages.
pub(super) fn host_of(url: &Url) -> String {
    let host = url.host_str().unwrap_or("?");
    match url.port() {
        Some(p) => format!("{host}:{p}"),
        None => host.to_owned(),
    }
}

/// Path and query relative to the host, e.g. `/api/Agent?search=x`.
pub(super) fn path_and_query(url: &Url) -> String {
    match url.query() {
        Some(q) => format!("{}?{q}", url.path()),
        None => url.path().to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table() {
        let ok = [
            ("https://acme.halopsa.com", "https://acme.halopsa.com"),
            ("  https://acme.halopsa.com/  ", "https://acme.halopsa.com"),
            ("acme.halopsa.com", "https://acme.halopsa.com"),
            (
                "https://acme.halopsa.com/api?x=1#f",
                "https://acme.halopsa.com/api",
            ),
            ("http://localhost:8080", "http://localhost:8080"),
            ("http://127.0.0.5:9/", "http://127.0.0.5:9"),
            ("http://[::1]:80", "http://[::1]"),
        ];
        for (input, want) in ok {
            assert_eq!(normalise(input).as_deref(), Ok(want), "{input}");
        }
        let insecure = ["http://acme.halopsa.com", "http://10.0.0.1", "http://[::2]"];
        for input in insecure {
            assert!(
                matches!(normalise(input), Err(HaloError::InsecureUrl(_))),
                "{input}"
            );
        }
        let long_label = format!("https://{}.com", "h".repeat(64));
        let long_name = format!("https://{}.com", ["h"; 130].join("."));
        let invalid = [
            long_label.as_str(),
            long_name.as_str(),
            "",
            "   ",
            "not a url",
            "https://",
            "https://user:pw@acme.halopsa.com",
            "file:///etc/passwd",
            "mailto:x@y",
        ];
        for input in invalid {
            assert!(
                matches!(normalise(input), Err(HaloError::InvalidUrl(_))),
                "{input}: {:?}",
                normalise(input)
            );
        }
        assert_eq!(
            normalise("ftp://acme.halopsa.com"),
            Err(HaloError::UnsupportedScheme("ftp".into()))
        );
        // A password typed into the URL is not echoed back in the error.
        let e = normalise("https://admin:hunter2@acme.halopsa.com").unwrap_err();
        assert!(!e.to_string().contains("hunter2"), "{e}");
        assert!(e.to_string().contains("acme.halopsa.com"), "{e}");
    }

    #[test]
    fn origins() {
        assert!(same_origin(
            "https://acme.halopsa.com/api",
            "https://ACME.halopsa.com:443/auth"
        ));
        assert!(!same_origin(
            "https://acme.halopsa.com/api",
            "https://auth.halopsa.com/auth"
        ));
        assert!(!same_origin(
            "http://127.0.0.1:80/api",
            "http://127.0.0.1:81/auth"
        ));
        assert!(!same_origin("https://a/api", "http://a/auth"));
        assert!(!same_origin("nonsense", "nonsense"));
    }

    #[test]
    fn places() {
        assert!(same_place(
            "https://acme.halopsa.com/auth",
            "https://ACME.halopsa.com:443/auth/"
        ));
        // Another path on the same host is another server as far as the secret goes.
        assert!(!same_place(
            "https://acme.halopsa.com/auth",
            "https://acme.halopsa.com/auth2"
        ));
        assert!(!same_place(
            "https://acme.halopsa.com/auth",
            "https://acme.halopsa.com/AUTH"
        ));
        assert!(!same_place(
            "https://acme.halopsa.com/auth",
            "https://auth.halopsa.com/auth"
        ));
        assert!(!same_place(
            "http://127.0.0.1:80/auth",
            "http://127.0.0.1:81/auth"
        ));
        assert!(!same_place("nonsense", "nonsense"));
    }

    #[test]
    fn hosted_strips_api() {
        for input in [
            "https://acme.halopsa.com",
            "https://acme.halopsa.com/",
            "https://acme.halopsa.com/api",
            "https://acme.halopsa.com/API/",
        ] {
            assert_eq!(
                hosted_base(input).as_deref(),
                Ok("https://acme.halopsa.com"),
                "{input}"
            );
        }
    }
}
