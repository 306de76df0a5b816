//! `halo-onboard tighten --setup ID`: a setup's integration down to its profile's least
//! privilege ([`crate::plan::tighten`]), shown as a plan first (`--yes`, or "y" on a
//! terminal, applies it).
//!
//! In place (the agent may stay): scopes, then the role's permissions, one step at a time,
//! each checked with the integration's own credentials and put back if a need stops being met.
//! Through a new agent (a person's account, an administrator, a shared role): a new role,
//! API-only agent and application, verified and handed over in a new file; `rotate --finish`
//! then deletes the old application. The vendor is never cut off.
//!
//! Exit 0 done (or nothing to do, or the plan shown); 1 a need stopped being met or the new
//! credentials did not verify (everything was put back), or the application is not provably
//! the setup's; 2 could not run.

use std::path::PathBuf;

use serde_json::json;

use super::common::*;
use super::open::{Opened, open_session};
use super::rotate::{failure, go_ahead, progress};
use crate::journal::Session;
use crate::journal::rotation::Purpose;
use crate::plan::apply::GivenSecret;
use crate::plan::rotate::{RotateError, Rotator};
use crate::plan::tighten::{self, InPlace, TightenError};

/// `halo-onboard tighten`'s command line.
#[derive(Debug, Clone, clap::Args)]
pub struct TightenArgs {
    /// The setup to tighten (an id, a unique prefix of one, or `last`); an adopted one
    /// (`halo-onboard adopt`) or one halo-onboard made.
    #[arg(long, value_name = "SETUP")]
    pub setup: String,
    /// The profile to tighten to (default: the setup's own).
    #[arg(long)]
    pub profile: Option<String>,
    /// TOML answers laid over the profile (e.g. another username for the new agent, its teams).
    #[arg(long)]
    pub answers: Option<PathBuf>,
    /// Take the route through a new agent, role and application even where the agent could
    /// stay (no secret of the application is needed then).
    #[arg(long)]
    pub new_agent: bool,
    /// Apply the plan without asking.
    #[arg(long)]
    pub yes: bool,
    /// In place: a file holding the application's secret, to check each step (otherwise
    /// HALO_APP_CLIENT_SECRET, else the setup's hand-over file).
    #[arg(long, value_name = "FILE")]
    pub app_secret_file: Option<PathBuf>,
    /// Through a new agent, where Halo keeps the new application's secret to itself: a file
    /// holding the secret you copied from Halo's web UI.
    #[arg(long, value_name = "FILE")]
    pub new_secret_file: Option<PathBuf>,
    /// Through a new agent: the new credentials file (default: a new file in the state dir's
    /// handover folder; never an existing file without --force).
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
    /// Replace an existing --out file (never the one holding the old credentials).
    #[arg(long, requires = "out")]
    pub force: bool,
    /// The bootstrap secret, saved instance and certificate authority that reach the setup's
    /// Halo.
    #[command(flatten)]
    pub access: super::open::SetupAccess,
    /// Print one JSON object on stdout.
    #[arg(long)]
    pub json: bool,
    /// Stop after this long (e.g. 90s, 30m; default 10m); running it again continues.
    #[arg(long, value_name = "DURATION", value_parser = super::batch::parse_duration)]
    pub deadline: Option<std::time::Duration>,
}

/// `halo-onboard tighten`.
pub async fn run(args: &TightenArgs) -> u8 {
    super::deadline::run_command(args.deadline, "tighten", args.json, try_run(args)).await
}

/// The profile to tighten to: the one given, else the setup's own.
fn profile_of(args: &TightenArgs, s: &Session) -> Result<String, Failure> {
    args.profile
        .clone()
        .or_else(|| s.answers.profile.clone())
        .ok_or_else(|| {
            Failure::new(
                format!("setup {} names no profile", s.id),
                "Say which: --profile ID (`halo-onboard profiles`).",
            )
        })
}

/// A rotation is under way: tightening waits until it is finished or abandoned.
fn rotation_in_progress(s: &Session, rot: &crate::journal::rotation::Rotation) -> Failure {
    Failure::new(
        format!(
            "a rotation of setup {} is in progress ({})",
            s.id,
            rot.words()
        ),
        format!(
            "Finish it (`halo-onboard rotate --finish {0}`) or abandon it (`halo-onboard rotate --abandon {0}`), then tighten.",
            s.id
        ),
    )
}

async fn try_run(args: &TightenArgs) -> Result<u8, Failure> {
    if let Some(out) = &args.out {
        crate::plan::rotate::check_new_file(out, args.force)
            .map_err(|e| Failure::new(e.to_string(), e.hint()))?;
    }
    let Opened {
        journal: j,
        session: mut s,
        client,
        endpoint: ep,
        _locks,
    } = open_session(&args.setup, &args.access, "tighten").await?;
    let profile_id = profile_of(args, &s)?;
    let profile = super::profiles::resolve(&profile_id)?;
    let target = super::apply::load_answers(&profile, args.answers.as_deref())?;
    let r = Rotator {
        client: &client,
        journal: &j,
        progress: progress(args.json),
    };
    match &s.rotation {
        Some(rot) if rot.purpose == Purpose::Rotate => return Err(rotation_in_progress(&s, rot)),
        // A tightening through a new agent already under way: continue it where it stands.
        Some(_) => return new_agent(args, &r, &mut s, &ep, &target).await,
        None => {}
    }
    let cur = tighten::read(&client, &s)
        .await
        .map_err(|e| failure(&e, &s))?;
    let plan = tighten::plan(&cur, &target, args.new_agent).map_err(|e| failure(&e, &s))?;
    if plan.is_empty() {
        if args.json {
            outln!(
                "{}",
                json!({"ok": true, "setup": s.id, "plan": plan, "done": []})
            );
        } else {
            out!("{}", crate::text::block(&plan.text()));
        }
        return Ok(EXIT_OK);
    }
    if plan.new_agent.is_some() {
        super::apply::check_questions(&profile, &target)?;
    }
    let cmd = format!("halo-onboard tighten --setup {} --yes", s.id);
    let shown = format!(
        "Setup {} ({}):\n{}",
        s.id,
        s.answers.application.name,
        plan.text()
    );
    if !args.yes {
        if !go_ahead(false, args.json, &shown, "Apply this plan to Halo?", &cmd) {
            return Ok(EXIT_OK);
        }
    } else if !args.json && !super::output::quiet() {
        out!("{}", crate::text::block(&shown));
    }
    if plan.new_agent.is_some() {
        let start = tighten::begin_new_agent(&r, &mut s, &target).await;
        start.map_err(|e| failure(&e, &s))?;
        return new_agent(args, &r, &mut s, &ep, &target).await;
    }
    in_place(args, &client, &j, &mut s, &plan, &target).await
}

/// The application's secret for the in-place checks: given, else what a hand-over left.
fn app_secret(
    args: &TightenArgs,
    j: &crate::journal::Journal,
    s: &Session,
) -> Result<secrecy::SecretString, Failure> {
    if let Some(sec) = optional_secret(args.app_secret_file.as_deref(), APP_SECRET_ENV)? {
        return Ok(sec);
    }
    let o = &s.objects;
    crate::plan::handover::known_app_secret(
        j,
        o.application_id.as_deref().unwrap_or_default(),
        o.client_id.as_deref().unwrap_or_default(),
    )
    .map(|k| k.secret)
    .ok_or_else(|| {
        Failure::new(
            format!(
                "tightening in place checks each step with the application's own credentials, and its secret is not at hand{}",
                if s.adoption.is_some() { " (an adopted application's secret was never handed to halo-onboard)" } else { "" }
            ),
            format!(
                "Give the secret the vendor uses in {APP_SECRET_ENV} (or --app-secret-file FILE), or take the route that needs none: halo-onboard tighten --setup {} --new-agent",
                s.id
            ),
        )
    })
}

async fn in_place(
    args: &TightenArgs,
    client: &crate::halo::Client,
    j: &crate::journal::Journal,
    s: &mut Session,
    plan: &tighten::Plan,
    target: &crate::answers::Answers,
) -> Result<u8, Failure> {
    let secret = app_secret(args, j, s)?;
    let ip = InPlace {
        client,
        journal: j,
        progress: progress(args.json),
    };
    match ip.run(s, plan, target, &secret).await {
        Ok(done) => {
            if args.json {
                outln!(
                    "{}",
                    json!({"ok": true, "setup": s.id, "plan": plan, "done": done.applied, "verification": done.verification})
                );
            } else {
                let mut o = super::apply::checks_text(done.verification.checks.iter());
                o.push_str(&format!(
                    "Tightened setup {} in place ({} step(s)); every need that was met still is.\n",
                    s.id,
                    done.applied.len()
                ));
                if !done.verification.passed() {
                    o.push_str("Some checks failed before the tightening too (see FAIL above): `halo-onboard check` names what to fix.\n");
                }
                out!("{}", crate::text::block(&o));
            }
            Ok(EXIT_OK)
        }
        Err(TightenError::NeedsNotMet {
            failed,
            undone,
            verification,
        }) => {
            if args.json {
                outln!(
                    "{}",
                    json!({"ok": false, "setup": s.id, "error": "a need of the vendor stopped being met; every change was put back", "failed": failed, "undone": undone, "verification": verification})
                );
            } else {
                let mut o = String::from(
                    "A need of the vendor stopped being met after a step, so every change was put back:\n",
                );
                for f in &failed {
                    o.push_str(&format!("  FAIL {f}\n"));
                }
                for u in &undone {
                    o.push_str(&format!("  undone: {u}\n"));
                }
                o.push_str("The integration is as it was. The profile may ask for less than the vendor uses: check the vendor's guide, adjust the profile (--answers), and try again.\n");
                err!("{}", crate::text::block(&o));
            }
            Ok(EXIT_FAILED)
        }
        Err(TightenError::Rotate(e)) => Err(failure(&e, s)),
    }
}

/// The new agent's credentials did not pass verification: what was made goes again, and
/// the integration is as it was.
async fn undo_unverified(
    json: bool,
    r: &Rotator<'_>,
    s: &mut Session,
    v: &crate::plan::verify::Verification,
) -> Result<u8, Failure> {
    let undone = tighten::abandon(r, s).await.map_err(|e| failure(&e, s))?;
    if json {
        outln!(
            "{}",
            json!({"ok": false, "setup": s.id, "error": "the new agent's credentials did not pass verification; what was created was deleted again", "verification": v, "undone": undone})
        );
    } else {
        let mut o = super::apply::checks_text(v.failures());
        o.push_str("The new agent's credentials did not pass verification, so what was created was deleted again:\n");
        for u in &undone {
            o.push_str(&format!("  {u}\n"));
        }
        o.push_str("The integration is as it was (the old application was never touched).\n");
        err!("{}", crate::text::block(&o));
    }
    Ok(EXIT_FAILED)
}

/// The new credentials are handed over: where they are and what comes next.
fn handed_over_text(
    s: &Session,
    verified: &crate::plan::verify::Verification,
    path: &std::path::Path,
    cid: &str,
) -> String {
    let mut o = String::new();
    if !verified.checks.is_empty() && !super::output::quiet() {
        o.push_str(&super::apply::checks_text(verified.checks.iter()));
    }
    o.push_str(&format!(
        "New role, API-only agent and application verified; the new credentials are in {} (Client ID {cid}).\n",
        path.display()
    ));
    o.push_str(&format!(
        "Next: paste the Client ID and Secret from {} into the vendor's Halo settings (the old credentials keep working until you finish). Then:\n  halo-onboard rotate --finish {} --yes    (deletes the old application; the old agent and its roles are left as they are)\n",
        path.display(),
        s.id
    ));
    let left = s.manual_left();
    if !left.is_empty() {
        o.push_str("Left to do by hand in Halo's web UI (the API cannot set it):\n");
        for m in &left {
            o.push_str(&format!("  - {m}\n"));
        }
        o.push_str(&format!(
            "Once done and the rotation finished: halo-onboard resume {} --confirm-manual --yes\n",
            s.id
        ));
    }
    o
}

async fn new_agent(
    args: &TightenArgs,
    r: &Rotator<'_>,
    s: &mut Session,
    ep: &crate::halo::Endpoint,
    _target: &crate::answers::Answers,
) -> Result<u8, Failure> {
    let given = match &args.new_secret_file {
        Some(f) => Some(GivenSecret {
            secret: read_secret_file(f)?,
            source: format!("--new-secret-file {}", f.display()),
        }),
        None => None,
    };
    let verified = match tighten::create_new_agent(r, s, given.as_ref()).await {
        Ok(v) => v,
        Err(RotateError::Unverified(v)) => return undo_unverified(args.json, r, s, &v).await,
        Err(e) => return Err(failure(&e, s)),
    };
    let path = match (
        &args.out,
        s.rotation.as_ref().and_then(|x| x.credentials_file.clone()),
    ) {
        (Some(p), _) => p.clone(),
        (None, Some(p)) => p,
        (None, None) => r.default_file(s),
    };
    let path = r
        .hand_over(s, ep, &path, args.force)
        .map_err(|e| failure(&e, s))?;
    let rot = s.rotation.clone();
    let cid = rot
        .as_ref()
        .and_then(|x| x.new_client_id.clone())
        .unwrap_or_default();
    if args.json {
        outln!(
            "{}",
            json!({
                "ok": true,
                "setup": s.id,
                "stage": "handed-over",
                "application_id": rot.as_ref().and_then(|x| x.new_application_id.clone()),
                "client_id": cid,
                "agent_id": rot.as_ref().map(|x| x.agent_id),
                "old_application_id": rot.as_ref().map(|x| x.old_application_id.clone()),
                "credentials_file": path,
                "verification": verified,
                "finish": format!("halo-onboard rotate --finish {} --yes", s.id),
            })
        );
    } else {
        let o = handed_over_text(s, &verified, &path, &cid);
        out!("{}", crate::text::block(&o));
    }
    Ok(EXIT_OK)
}
