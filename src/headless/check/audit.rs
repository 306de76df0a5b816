//! One audit: the object checks, then the token checks, then the verdict.

use crate::headless::common::*;

use super::input::*;
use super::objects::objects;
use super::report::*;
use super::token::*;

/// Runs every check. Never fails: problems are rows; unreachable Halo marks it incomplete.
pub async fn audit(a: &Audit<'_>) -> Report {
    let mut r = Report::default();
    let known = match a.bootstrap {
        Some(b) => objects(a, b, &mut r).await,
        None => {
            for name in BOOTSTRAP_CHECKS {
                r.skip(name, NEEDS_BOOTSTRAP);
            }
            Known::default()
        }
    };
    if !r.incomplete {
        token_checks(a, &known, &mut r).await;
    }
    secret_age(a, &mut r, crate::journal::now_unix());
    // What the profile has set by hand cannot be read through the API: said, not judged
    // (while it is a step left, the verdict says so instead).
    let by_hand = &a.answers.role.other_permissions;
    if !by_hand.is_empty() && a.manual_left.is_empty() {
        r.info(
            "settings by hand",
            format!(
                "the API cannot read them, so check cannot tell whether they are still set: {}",
                by_hand.join("; ")
            ),
        );
    }
    r.manual_steps_left = a.manual_left.clone();
    r.judge();
    r
}

/// Without the application's secret: the object-level checks only, and the token checks
/// named as skipped with the reason (Halo shows a secret once; an adopted application's was
/// never handed to halo-onboard).
pub async fn audit_without_token(a: &Audit<'_>) -> Report {
    let mut r = Report::default();
    if let Some(b) = a.bootstrap {
        objects(a, b, &mut r).await;
    }
    let why = format!(
        "skipped: halo-onboard does not have this application's secret (Halo shows it once); put it in {APP_SECRET_ENV} or --app-secret-file to check the token, the login agent and each area"
    );
    // Not proven: the verdict cannot be "verified" without them.
    r.could_not_check("token", why.clone());
    r.could_not_check("scope probes", why);
    secret_age(a, &mut r, crate::journal::now_unix());
    r.manual_steps_left = a.manual_left.clone();
    r.judge();
    r
}
