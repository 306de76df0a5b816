//! The checks the application's own credentials run (token, `Agent/me`, one probe per
//! scope area) and the secret's age.

use crate::halo::model::*;
use crate::halo::{Client, Credentials, HaloError, scopes};
use crate::plan::verify::{self, Layer, Target};

use super::input::*;
use super::report::*;
use crate::halo::dialect::ui::HALO_API;

/// The secret's age, from halo-onboard's journal (a fact), against the admin's rotation policy:
/// a failure once it is due, with the command that rotates it.
pub(super) fn secret_age(a: &Audit<'_>, r: &mut Report, now_unix: u64) {
    use crate::halo::expiry::{self, Age};
    let Some(issued) = a.secret_issued_unix else {
        r.skip(
            "secret age",
            "unknown: this secret was not issued by a setup in this journal",
        );
        return;
    };
    let age = Age::new(issued, now_unix, a.policy.rotate_after_days);
    r.secret_issued = Some(expiry::format_unix(issued));
    if age.due() {
        r.rotation_due = true;
        r.fail(
            "secret age",
            Layer::Credentials,
            age.words(),
            rotate_command(a),
        );
        r.drift("secret due for rotation");
    } else {
        r.pass("secret age", age.words());
    }
}

/// The fix of a secret due for rotation; `add_repair` adds the command that rotates it
/// ([`crate::plan::handover::rotate_command`]), never the repair, which keeps the secret.
pub(super) fn rotate_command(_a: &Audit<'_>) -> String {
    "rotate it, then give the vendor the new secret".into()
}

/// Rows whose fix is a rotation (a new secret), not a repair.
pub(super) fn rotates(name: &str) -> bool {
    name == "secret age" || name.starts_with("secret expiry")
}

/// What Halo reports about the secret's expiry, where it reports it: said as reported (a field
/// outside the published API schema, W), never as fact. It fails the check only when the admin
/// opted in (`fail_on_reported_expiry`) and the date is near; otherwise it is information.
pub(super) fn reported_expiry(
    a: &Audit<'_>,
    app: &Application,
    r: &mut Report,
    now: time::OffsetDateTime,
) {
    use crate::halo::expiry::{self, Reported};
    let Some(rep) = Reported::of(app) else {
        return;
    };
    r.reported_expiry = Some(rep.short());
    let issued = a
        .secret_issued_unix
        .and_then(|u| i64::try_from(u).ok())
        .and_then(|u| time::OffsetDateTime::from_unix_timestamp(u).ok());
    let near = rep
        .date(issued)
        .map(|d| (d - now).whole_days())
        .filter(|days| *days <= expiry::WARN_DAYS);
    let words = rep.words();
    match near {
        Some(days) if a.policy.fail_on_reported_expiry => {
            let detail = if days < 0 {
                format!("{words}: past (fail_on_reported_expiry = true)")
            } else {
                format!("{words}: in {days} day(s) (fail_on_reported_expiry = true)")
            };
            r.fail("secret expiry (Halo reports)", Layer::Credentials, detail, rotate_command(a));
            r.drift("Halo reports the secret expiring");
        }
        Some(days) => r.info(
            "secret expiry (Halo reports)",
            format!(
                "{words}: {} if it is this secret's expiry (not proven; fail_on_reported_expiry = true makes this fail)",
                if days < 0 { "past".to_string() } else { format!("in {days} day(s)") }
            ),
        ),
        None => r.info("secret expiry (Halo reports)", words),
    }
}

/// Token with the application's credentials, then `plan::verify` (agent and probes).
pub(super) async fn token_checks(a: &Audit<'_>, known: &Known, r: &mut Report) {
    let ans = a.answers;
    let requested = scopes::normalise(&ans.scopes);
    let app_name = ans.application.name.as_str();
    let (info, me) = match first_token(a, &requested).await {
        Ok(x) => x,
        Err(e) => return token_refused(&e, known, app_name, r),
    };
    // The token only grants what was requested, so it shows missing scopes, not extra ones.
    let granted = scopes::normalise(&info.scopes);
    if !info.scopes.is_empty() {
        for s in requested.iter().filter(|s| !granted.contains(s)) {
            r.drift(format!("missing scope {s}"));
        }
    }
    if a.bootstrap.is_none() {
        login_agent(a, &me, r);
    }
    let agent_id = known.agent_id.or(me.id).unwrap_or_default();
    let target = Target {
        endpoint: a.endpoint,
        client_id: a.app_client_id.trim(),
        client_secret: a.app_secret,
        scopes: &requested,
        agent_id,
        role: &ans.role,
        application_name: app_name,
    };
    let role = match ans.role.mode {
        crate::answers::RoleMode::Create => Some(ans.role.permissions.clone()),
        crate::answers::RoleMode::Reuse(_) => None,
    };
    let v = verify::verify_with_role(&target, role.as_ref(), a.opts.clone(), a.bootstrap).await;
    probe_rows(v, r);
}

/// A token with the application's own credentials and the agent it logs in as.
async fn first_token(
    a: &Audit<'_>,
    requested: &[String],
) -> Result<(crate::halo::TokenInfo, Agent), HaloError> {
    let creds = Credentials {
        client_id: a.app_client_id.trim().to_string(),
        client_secret: a.app_secret.clone(),
        scopes: requested.to_vec(),
    };
    let c = Client::new(a.endpoint.clone(), creds, a.opts.clone())?;
    let info = c.token().await?;
    let me = c.me().await?;
    Ok((info, me))
}

/// No token: a network trouble stops the checks at its layer; a refusal is the credentials'
/// failure (with why, when an earlier row has not said it already) and no probe runs.
fn token_refused(e: &HaloError, known: &Known, app_name: &str, r: &mut Report) {
    if e.is_transient() || matches!(e, HaloError::Connect(_) | HaloError::Dns(_)) {
        let layer = verify::outside_layer(e).unwrap_or(Layer::Transport);
        r.fail("token", layer, e.to_string(), e.hint());
        r.stopped(layer);
        return;
    }
    let detail = match e {
        HaloError::InvalidClient => format!(
            "Halo refused the application's Client ID or secret (invalid_client): the secret is wrong or was regenerated{}",
            if known.token_failure_explained {
                ", or the application is inactive (see above)"
            } else {
                ", or the application is inactive or deleted"
            }
        ),
        _ => e.to_string(),
    };
    let fix = match e {
        HaloError::InvalidClient => format!(
            "Check the secret given to check (and to the vendor); if lost, generate a new one in {HALO_API} > {app_name} and hand it over again"
        ),
        _ => e.hint().to_string(),
    };
    r.fail("token", Layer::Credentials, detail, fix);
    if !known.token_failure_explained {
        r.drift(match e {
            HaloError::InvalidClient => "application credentials rejected",
            HaloError::InvalidGrant(_) => "application cannot log in as its agent",
            _ => "token refused",
        });
    }
    r.skip("scope probes", "skipped: no token");
}

/// Without the bootstrap credentials the token is all there is: the agent it logs in as is
/// compared with the profile's, and extra scopes cannot be seen.
fn login_agent(a: &Audit<'_>, me: &Agent, r: &mut Report) {
    let ans = a.answers;
    let app_name = ans.application.name.as_str();
    if me.name.trim().eq_ignore_ascii_case(ans.agent.name.trim()) {
        r.pass("login agent", format!("logs in as '{}'", me.name));
    } else {
        r.fail(
            "login agent",
            Layer::Credentials,
            format!(
                "logs in as '{}', not the profile's agent '{}'",
                me.name, ans.agent.name
            ),
            app_fix(
                app_name,
                &format!("Details, set 'Agent to log in as' to '{}'", ans.agent.name),
            ),
        );
        r.drift("application logs in as another agent");
    }
    r.skip(
        "extra scopes",
        "skipped: a token shows only the scopes requested; extra ticked scopes need the bootstrap credentials",
    );
}

/// The verification's checks as report rows; one outside the settings stops its layer.
fn probe_rows(v: verify::Verification, r: &mut Report) {
    for c in v.checks {
        if let Some(l) = c.layer.filter(|l| l.not_a_setting()) {
            r.stopped(l);
        }
        r.push(CheckRow {
            status: if c.pass {
                Status::Pass
            } else if c.could_not_check {
                Status::CouldNotCheck
            } else {
                Status::Fail
            },
            name: c.name,
            layer: c.layer,
            detail: c.detail,
            fix: c.fix,
        });
    }
}
