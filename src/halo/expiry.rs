//! The application secret's expiry, where Halo reports one (2026 builds: `apiKeyExpiryDays`,
//! default 90, and the expiry date; `shared/reference/halo-api.md` §3.3). The hand-over shows
//! the date and `check` warns from [`WARN_DAYS`] before it.

use time::format_description::well_known::Rfc3339;
use time::macros::format_description;
use time::{Date, OffsetDateTime, PrimitiveDateTime};

/// `check` exits 1 this many days before the secret expires.
pub const WARN_DAYS: i64 = 14;

/// RFC 3339 in UTC, e.g. `2027-02-28T04:55:00Z`.
pub fn format_date(t: OffsetDateTime) -> String {
    t.replace_nanosecond(0)
        .unwrap_or(t)
        .format(&Rfc3339)
        .unwrap_or_default()
}

/// Parses the forms Halo's .NET back end writes: RFC 3339, a local date-time without zone
/// (taken as UTC), or a bare date.
pub fn parse(s: &str) -> Option<OffsetDateTime> {
    let s = s.trim();
    if let Ok(t) = OffsetDateTime::parse(s, &Rfc3339) {
        return Some(t);
    }
    let no_frac = s.split('.').next().unwrap_or(s);
    if let Ok(t) = PrimitiveDateTime::parse(
        no_frac,
        format_description!("[year]-[month]-[day]T[hour]:[minute]:[second]"),
    ) {
        return Some(t.assume_utc());
    }
    Date::parse(s.get(..10)?, format_description!("[year]-[month]-[day]"))
        .ok()
        .map(|d| d.midnight().assume_utc())
}

/// The date part, for people: `2027-02-28`.
pub fn day(s: &str) -> String {
    parse(s)
        .map(|t| t.date().to_string())
        .unwrap_or_else(|| s.trim().to_string())
}

/// Whole days from `now` until the expiry (negative once expired).
pub fn days_left(s: &str, now: OffsetDateTime) -> Option<i64> {
    parse(s).map(|t| (t - now).whole_days())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_halo_forms_and_counts_days() {
        let now = parse("2026-11-30T00:00:00Z").unwrap();
        assert_eq!(days_left("2026-12-10T00:00:00Z", now), Some(10));
        assert_eq!(days_left("2026-12-10T00:00:00.123", now), Some(10));
        assert_eq!(days_left("2026-12-10", now), Some(10));
        assert_eq!(days_left("2026-11-20", now), Some(-10));
        assert_eq!(days_left("soon", now), None);
        assert_eq!(day("2027-02-28T04:55:00Z"), "2027-02-28");
        assert_eq!(format_date(now), "2026-11-30T00:00:00Z");
    }
}
