//! What is known about an application secret's age and expiry, and how sure it is.
//!
//! Known for certain: when halo-onboard issued the secret (its journal's timestamp), hence its
//! age, and the rotation policy the admin sets (`rotate_after_days`). Not known: whether Halo
//! expires client secrets at all. Some builds report `apiKeyExpiryDays` and an expiry date on
//! applications, fields of Halo's 2026 DB catalogue that the published API schema lacks, and
//! which may belong to Halo's separate "API Key" login method rather than the client secret
//! (`evidence/behaviours.toml` `secret_expiry`, W; halo-api.md §7a). Such a value is shown only
//! as "Halo reports <field> = <value> (…)", never as fact, and never decides an exit code unless
//! the admin opts in (`fail_on_reported_expiry`).

use time::format_description::well_known::Rfc3339;
use time::macros::format_description;
use time::{Date, OffsetDateTime, PrimitiveDateTime};

use crate::halo::dialect::fields::{
    APP_SECRET_EXPIRY_DATE, APP_SECRET_EXPIRY_DAYS, REPORTED_EXPIRY_SOURCE,
};
use crate::halo::model::Application;

/// `check` warns this many days before a reported expiry (and fails on it only when the admin
/// opted in).
pub const WARN_DAYS: i64 = 14;

/// An expiry Halo reports on an application: the field and its value as Halo wrote it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reported {
    /// Halo's field name, such as `apiKey1ExpiryDate`.
    pub field: &'static str,
    /// The value as Halo sent it (text, or a number as text), before any parsing.
    pub value: String,
}

impl Reported {
    /// What the application shows, if anything: the date field first, else the days.
    pub fn of(app: &Application) -> Option<Self> {
        let date = app.secret_expires.trim();
        if !date.is_empty() {
            return Some(Self {
                field: APP_SECRET_EXPIRY_DATE,
                value: date.to_string(),
            });
        }
        app.secret_expiry_days.filter(|d| *d > 0).map(|d| Self {
            field: APP_SECRET_EXPIRY_DAYS,
            value: d.to_string(),
        })
    }

    /// `apiKey1ExpiryDate = 2027-02-28T04:55:00Z`: how the journal and the hand-over keep it.
    pub fn short(&self) -> String {
        format!("{} = {}", self.field, self.value)
    }

    /// Back from [`Reported::short`].
    pub fn parse_short(s: &str) -> Option<Self> {
        let (field, value) = s.split_once(" = ")?;
        let field = [APP_SECRET_EXPIRY_DATE, APP_SECRET_EXPIRY_DAYS]
            .into_iter()
            .find(|f| *f == field.trim())?;
        Some(Self {
            field,
            value: value.trim().to_string(),
        })
    }

    /// "Halo reports apiKey1ExpiryDate = 2027-02-28 (field from Halo's 2026 DB catalogue; not
    /// in the published API schema)".
    pub fn words(&self) -> String {
        let value = if self.field == APP_SECRET_EXPIRY_DATE {
            day(&self.value)
        } else {
            self.value.clone()
        };
        format!(
            "Halo reports {} = {value} ({REPORTED_EXPIRY_SOURCE})",
            self.field
        )
    }

    /// The date it would mean, if the field means what its name says: the date itself, or
    /// `issued` plus the days.
    pub fn date(&self, issued: Option<OffsetDateTime>) -> Option<OffsetDateTime> {
        if self.field == APP_SECRET_EXPIRY_DATE {
            return parse(&self.value);
        }
        let days: i64 = self.value.parse().ok()?;
        issued.map(|t| t + time::Duration::days(days))
    }
}

/// RFC 3339 in UTC, e.g. `2027-02-28T04:55:00Z`.
pub fn format_date(t: OffsetDateTime) -> String {
    t.replace_nanosecond(0)
        .unwrap_or(t)
        .format(&Rfc3339)
        .unwrap_or_default()
}

/// A Unix time as [`format_date`] writes it.
pub fn format_unix(unix: u64) -> String {
    i64::try_from(unix)
        .ok()
        .and_then(|u| OffsetDateTime::from_unix_timestamp(u).ok())
        .map(format_date)
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
    parse(s).map_or_else(|| s.trim().to_string(), |t| t.date().to_string())
}

/// Whole days from `now` until the expiry (negative once expired).
pub fn days_left(s: &str, now: OffsetDateTime) -> Option<i64> {
    parse(s).map(|t| (t - now).whole_days())
}

/// A secret's age and its rotation policy, in words and in a verdict: "issued 2026-01-02 by
/// halo-onboard (45 days ago); rotation due in 45 days (rotate_after_days = 90)".
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Age {
    /// When halo-onboard issued the secret (Unix time, seconds), from the journal.
    pub issued_unix: u64,
    /// Whole days since then.
    pub days: i64,
    /// The admin's policy, if set.
    pub rotate_after_days: Option<u32>,
}

impl Age {
    /// The age of a secret issued at `issued_unix` as of `now_unix` (both Unix seconds).
    pub fn new(issued_unix: u64, now_unix: u64, rotate_after_days: Option<u32>) -> Self {
        let days = i64::try_from(now_unix.saturating_sub(issued_unix) / 86_400).unwrap_or(0);
        Self {
            issued_unix,
            days,
            rotate_after_days,
        }
    }

    /// The policy says it is time to rotate.
    pub fn due(&self) -> bool {
        self.rotate_after_days
            .is_some_and(|p| self.days >= i64::from(p))
    }

    /// The age and the policy's verdict in one line, as in the type's example.
    pub fn words(&self) -> String {
        let issued = format!(
            "issued {} by halo-onboard ({} day{} ago)",
            day(&format_unix(self.issued_unix)),
            self.days,
            if self.days == 1 { "" } else { "s" }
        );
        match self.rotate_after_days {
            Some(p) if self.due() => {
                format!("{issued}: due for rotation (rotate_after_days = {p})")
            }
            Some(p) => format!(
                "{issued}; rotation due in {} days (rotate_after_days = {p})",
                i64::from(p) - self.days
            ),
            None => format!("{issued}; no rotation policy set (rotate_after_days in the config)"),
        }
    }
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
        assert_eq!(format_unix(86_400), "1970-01-02T00:00:00Z");
    }

    #[test]
    fn a_reported_expiry_is_said_as_reported_with_its_field() {
        let app = Application {
            secret_expires: "2027-02-28T04:55:00Z".into(),
            secret_expiry_days: Some(90),
            ..Application::default()
        };
        let r = Reported::of(&app).unwrap();
        assert_eq!(r.field, APP_SECRET_EXPIRY_DATE);
        let w = r.words();
        assert!(
            w.starts_with("Halo reports apiKey1ExpiryDate = 2027-02-28 (")
                && w.contains("not in the published API schema"),
            "{w}"
        );
        assert_eq!(Reported::parse_short(&r.short()), Some(r));
        let days = Reported::of(&Application {
            secret_expiry_days: Some(90),
            ..Application::default()
        })
        .unwrap();
        assert_eq!(days.short(), "apiKeyExpiryDays = 90");
        let issued = parse("2026-01-01").unwrap();
        assert_eq!(days.date(Some(issued)), parse("2026-04-01"));
        assert_eq!(days.date(None), None);
        assert!(Reported::of(&Application::default()).is_none());
    }

    #[test]
    fn age_and_policy() {
        let day = 86_400;
        let a = Age::new(0, 95 * day, Some(90));
        assert!(a.due());
        assert!(a.words().contains("95 days ago") && a.words().contains("due for rotation"));
        let a = Age::new(0, 30 * day, Some(90));
        assert!(!a.due() && a.words().contains("rotation due in 60 days"));
        let a = Age::new(0, day, None);
        assert!(
            !a.due() && a.words().contains("1 day ago") && a.words().contains("no rotation policy")
        );
    }
}
