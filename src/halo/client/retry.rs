//! Retry policy: which outcomes are retried for which kind of request, and how long to wait.
//! Reads are retried on 429, 500 (twice at most), 502-504, one timeout and dropped
//! connections; writes only on 429, which Halo sends before applying anything.
//!
//! A hand-written loop (in `http.rs`) uses this instead of a retry crate because the decision
//! depends on the request kind (a write must never be replayed after it may have been applied)
//! and on the HTTP status, the delay on the `Retry-After` header of the failed response, and
//! the per-request retry count must be reported in the request event.

use std::time::Duration;

use rand::Rng;

use crate::halo::error::HaloError;

/// How a request touches Halo, which decides whether replaying it is safe if Halo may have
/// applied it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Access {
    /// GETs and the token request: replay on any transient failure.
    Read,
    /// POST/DELETE: replay only when Halo certainly refused it before applying (429).
    Write,
}

/// Retries a read gets after a 500: often a bug that repeats, sometimes a blip (one apply died
/// on a single `GET /api/Workday -> 500`).
pub(super) const RETRIES_AFTER_500: u32 = 2;

/// Whether a response status deserves another attempt; `retries` were made already.
pub(super) fn retry_status(kind: Access, status: u16, retries: u32) -> bool {
    match status {
        429 => true,
        500 => kind == Access::Read && retries < RETRIES_AFTER_500,
        502..=504 => kind == Access::Read,
        _ => false,
    }
}

/// Whether a transport failure deserves another attempt. A timeout is retried once at most
/// (`timeouts` happened before this one): a silent host would otherwise cost every retry a
/// whole timeout.
pub(super) fn retry_transport(kind: Access, err: &HaloError, timeouts: u32) -> bool {
    kind == Access::Read
        && match err {
            HaloError::Timeout(..) => timeouts == 0,
            HaloError::ConnectionReset(_) => true,
            _ => false,
        }
}

/// Delay before retry number `retry` (0 = first retry): `base * 2^retry` plus up to half of
/// that again at random (so parallel clients spread out), never above `max`. A server-given
/// `Retry-After` wins (capped at `max`), so a rate limit is never hammered early.
pub(super) fn delay(
    base: Duration,
    max: Duration,
    retry: u32,
    retry_after: Option<Duration>,
) -> Duration {
    if let Some(ra) = retry_after {
        return ra.min(max);
    }
    let exp = base
        .saturating_mul(2u32.saturating_pow(retry.min(31)))
        .min(max);
    let spread = u64::try_from((exp / 2).as_nanos()).unwrap_or(u64::MAX);
    let jitter = if spread == 0 {
        0
    } else {
        rand::rng().random_range(0..=spread)
    };
    exp.saturating_add(Duration::from_nanos(jitter)).min(max)
}

/// `Retry-After` in seconds (integer or decimal). The HTTP-date form is ignored: Halo is not
/// known to send it and the exponential backoff is a safe fallback.
pub(super) fn parse_retry_after(value: &str) -> Option<Duration> {
    let secs: f64 = value.trim().parse().ok()?;
    (secs.is_finite() && secs >= 0.0).then(|| Duration::from_secs_f64(secs.min(86_400.0)))
}

#[cfg(test)]
mod tests {
    use super::*;

    const MS: Duration = Duration::from_millis(1);

    #[test]
    fn delays_grow_and_cap() {
        for retry in 0..40 {
            let d = delay(100 * MS, 5_000 * MS, retry, None);
            let exp = (100 * MS).saturating_mul(2u32.saturating_pow(retry.min(31)));
            let low = exp.min(5_000 * MS);
            let high = (exp + exp / 2).min(5_000 * MS);
            assert!(
                d >= low && d <= high,
                "retry {retry}: {d:?} vs {low:?}..{high:?}"
            );
        }
        assert_eq!(
            delay(Duration::ZERO, Duration::ZERO, 3, None),
            Duration::ZERO
        );
    }

    #[test]
    fn retry_after_wins_but_is_capped() {
        assert_eq!(delay(MS, 10 * MS, 0, Some(3 * MS)), 3 * MS);
        assert_eq!(
            delay(MS, 10 * MS, 0, Some(Duration::from_secs(60))),
            10 * MS
        );
    }

    #[test]
    fn retry_after_parsing() {
        assert_eq!(parse_retry_after("2"), Some(Duration::from_secs(2)));
        assert_eq!(parse_retry_after(" 0.5 "), Some(Duration::from_millis(500)));
        assert_eq!(parse_retry_after("-1"), None);
        assert_eq!(parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT"), None);
    }

    #[test]
    fn writes_are_not_replayed_blindly() {
        assert!(retry_status(Access::Read, 503, 4));
        assert!(!retry_status(Access::Write, 503, 0));
        assert!(retry_status(Access::Write, 429, 0));
        assert!(!retry_status(Access::Write, 500, 0));
        let t = HaloError::Timeout("h".into(), MS);
        assert!(retry_transport(Access::Read, &t, 0));
        assert!(!retry_transport(Access::Write, &t, 0));
        assert!(!retry_transport(
            Access::Read,
            &HaloError::Connect("h".into()),
            0
        ));
    }

    #[test]
    fn reads_retry_a_500_a_bounded_number_of_times() {
        assert!(retry_status(Access::Read, 500, 0));
        assert!(retry_status(Access::Read, 500, RETRIES_AFTER_500 - 1));
        assert!(!retry_status(Access::Read, 500, RETRIES_AFTER_500));
        assert!(!retry_status(Access::Read, 501, 0));
    }

    #[test]
    fn a_timeout_is_retried_once_at_most() {
        let t = HaloError::Timeout("h".into(), MS);
        assert!(retry_transport(Access::Read, &t, 0));
        assert!(!retry_transport(Access::Read, &t, 1));
        // Dropped connections keep the usual budget.
        let r = HaloError::ConnectionReset("h".into());
        assert!(retry_transport(Access::Read, &r, 1));
    }
}
