//! `check` of one integration: its subject, the audit, the repair it suggests, the record.

use secrecy::SecretString;

use crate::headless::common::*;
use crate::plan::session::Place;
use crate::plan::verify::Layer;

use super::args::CheckArgs;
use super::audit::*;
use super::input::*;
use super::report::*;
use super::subject::*;
use super::token::rotates;

/// Every failed fix line ends with the command that repairs the drift: `apply` brings the
/// objects back to the answers; a rejected or expiring secret needs a new one handed over
/// (`rotate`: the repair keeps the secret).
pub(super) fn add_repair(r: &mut Report, cmd: &str, rotate: &str, setup: Option<&str>) {
    let rejected = r
        .drift
        .iter()
        .any(|d| d == "application credentials rejected");
    let mut any = false;
    for c in &mut r.checks {
        if c.status != Status::Fail || c.layer.is_some_and(Layer::not_a_setting) {
            continue;
        }
        any = true;
        let line = if c.name == "token" && rejected {
            match setup {
                Some(_) => format!(
                    "or hand the vendor new credentials: `{rotate}` (a second application; the old one stays until `rotate --finish`)"
                ),
                None => format!(
                    "or rotate the secret and hand it over again: `{rotate}` (replaces the secret in place: the vendor's copy stops working at once)"
                ),
            }
        } else if rotates(&c.name) {
            format!("`{rotate}`")
        } else {
            format!("or repair: `{cmd}`")
        };
        c.fix = if c.fix.is_empty() || c.fix == line {
            line
        } else if rotates(&c.name) {
            format!("{}: {line}", c.fix.trim_end_matches('.'))
        } else {
            format!("{} — {line}", c.fix.trim_end_matches('.'))
        };
    }
    if any {
        r.repair = Some(cmd.to_string());
    }
}

pub(crate) async fn try_run(args: &CheckArgs) -> Result<Report, Failure> {
    let t = match &args.setup {
        Some(reference) => from_setup(args, reference)?,
        None => {
            let args = CheckArgs {
                connect: args.connect.resolved()?,
                ..args.clone()
            };
            from_flags(&args, &args.connect.client_options()?).await?
        }
    };
    let opts = ConnectArgs {
        ca_file: t.ca_file.clone(),
        ..ConnectArgs::default()
    }
    .client_options()?;
    let boot = match &t.bootstrap {
        Some((id, sec)) => {
            let place = Place::Recorded(t.endpoint.clone());
            Some(
                connect_bootstrap(&place, id, sec.clone(), opts.clone())
                    .await?
                    .client,
            )
        }
        None => None,
    };
    if !args.json && !crate::headless::output::quiet() {
        errln!(
            "Checking {} on {}",
            crate::text::line(&t.what),
            t.endpoint.base_url()
        );
    }
    let config = crate::config::load(crate::config::default_path().as_deref()).0;
    let address = match t.answers.connection.url.trim() {
        "" => t.endpoint.resource_url.clone(),
        u => u.to_string(),
    };
    let unknown = SecretString::from(String::new());
    let a = Audit {
        endpoint: &t.endpoint,
        answers: &t.answers,
        app_client_id: &t.app_client_id,
        app_secret: t.app_secret.as_ref().unwrap_or(&unknown),
        bootstrap: boot.as_ref(),
        adopted: t.adopted,
        opts,
        secret_issued_unix: t.secret_issued_unix,
        manual_left: t.manual_left.clone(),
        policy: config.secret_policy(&address),
        setup: t.setup.as_deref(),
    };
    let mut r = match &t.app_secret {
        Some(_) => audit(&a).await,
        None => audit_without_token(&a).await,
    };
    r.setup = t.setup.clone();
    add_repair(&mut r, &t.repair, &t.rotate, t.setup.as_deref());
    if let Some(id) = &t.setup {
        record(id, &r);
    }
    Ok(r)
}

/// Keeps the result for `status` (a check that cannot record it still reports it).
pub(super) fn record(id: &str, r: &Report) {
    let count = |s: Status| r.checks.iter().filter(|c| c.status == s).count();
    let rec = crate::journal::CheckRecord {
        at_unix: crate::journal::now_unix(),
        ok: r.ok && !r.incomplete,
        verdict: r.verdict.map(|v| v.word().to_string()),
        incomplete: r.incomplete,
        why: r.incomplete.then(|| r.why.to_string()),
        passed: count(Status::Pass),
        failed: count(Status::Fail),
        skipped: count(Status::Skip),
        drift: r.drift.clone(),
        reported_expiry: r.reported_expiry.clone(),
        secret_issued: r.secret_issued.clone(),
        rotation_due: r.rotation_due,
    };
    if let Err(e) = crate::journal::Journal::open_default().and_then(|j| j.record_check(id, &rec)) {
        errln!("warning: the result was not recorded for `halo-onboard status`: {e}");
    }
}
