//! What the Connect step's URL fields accept and what a short one means: a leaf, so the field
//! specs and the validation both read it.

use crate::halo::HaloError;

/// Why a URL field's value is refused, in the form's short words (shown under the field).
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub(crate) enum UrlProblem {
    #[error("required")]
    Required,
    #[error("use https:// (plain http only for localhost)")]
    Insecure,
    /// The scheme as typed, capped.
    #[error("scheme {0}: use https://")]
    Scheme(String),
    #[error("{0} (e.g. https://acme.halopsa.com)")]
    Invalid(HaloError),
}

/// `Ok` for https, or plain http to a loopback host; a bare host means `https://`. The client's
/// one URL parser decides (headless and the connection use it too), the words are the form's.
pub(crate) fn check_url(s: &str) -> Result<(), UrlProblem> {
    if s.trim().is_empty() {
        return Err(UrlProblem::Required);
    }
    match crate::halo::normalise_url(s) {
        Ok(_) => Ok(()),
        Err(HaloError::InsecureUrl(_)) => Err(UrlProblem::Insecure),
        Err(HaloError::UnsupportedScheme(other)) => {
            Err(UrlProblem::Scheme(crate::text::line_max(&other, 20)))
        }
        Err(e) => Err(UrlProblem::Invalid(e)),
    }
}

/// What a URL field's value means when it is not written out in full (`acme.halopsa.com` →
/// `https://acme.halopsa.com`); `None` when it is, or is not a URL.
pub(crate) fn url_meaning(s: &str) -> Option<String> {
    let s = s.trim();
    if s.is_empty() || s.contains("://") {
        return None;
    }
    crate::halo::normalise_url(s).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls() {
        assert!(check_url("https://acme.halopsa.com").is_ok());
        assert!(check_url("http://127.0.0.1:8080").is_ok());
        assert!(check_url("http://localhost").is_ok());
        assert!(check_url("http://[::1]:9").is_ok());
        assert!(
            check_url("http://acme.halopsa.com")
                .unwrap_err()
                .to_string()
                .contains("https")
        );
        assert!(
            check_url("ftp://x")
                .unwrap_err()
                .to_string()
                .contains("scheme")
        );
        assert!(
            check_url("not a url")
                .unwrap_err()
                .to_string()
                .contains("not a valid URL")
        );
        assert_eq!(check_url(" ").unwrap_err(), UrlProblem::Required);
        assert_eq!(UrlProblem::Required.to_string(), "required");
        // A bare host means https://; plain http stays refused but for loopback.
        assert!(check_url("acme.halopsa.com").is_ok());
        assert!(check_url("acme.halopsa.com/api").is_ok());
        assert_eq!(
            url_meaning(" acme.halopsa.com ").as_deref(),
            Some("https://acme.halopsa.com")
        );
        assert_eq!(url_meaning("https://acme.halopsa.com"), None);
        assert_eq!(url_meaning("not a url"), None);
    }
}
