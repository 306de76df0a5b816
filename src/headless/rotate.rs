//! `halo-onboard rotate`: a new secret without downtime ([`crate::plan::rotate`]).
//!
//! - `rotate --setup ID`: a second application for the same agent with the same scopes,
//!   verified, handed over in a new credentials file. Both credentials work from then on.
//! - `rotate --finish ID`: the new credentials checked again, the old application proven to be
//!   the setup's and deleted, the rotation recorded.
//! - `rotate --abandon ID`: the second application deleted, the old one kept.
//!
//! Each writes to Halo only with `--yes` or a "y" on a terminal; run again after any failure
//! or kill, it continues where the journal says the rotation stands.

use std::path::PathBuf;

use serde_json::json;

use super::common::*;
use super::open::{Opened, open_session};
use crate::journal::Session;
use crate::journal::rotation::Purpose;
use crate::plan::apply::ProgressFn;
use crate::plan::apply::{GivenSecret, Progress};
use crate::plan::rotate::{RotateError, Rotator};

/// `halo-onboard rotate`'s command line: exactly one of `--setup`, `--finish`, `--abandon`.
#[derive(Debug, Clone, clap::Args)]
#[command(group(clap::ArgGroup::new("step").required(true).args(["setup", "finish", "abandon"])))]
pub struct RotateArgs {
    /// Start (or continue) the rotation of this setup: a second application for the same
    /// agent with the same scopes, verified and handed over in a new credentials file. An id,
    /// a unique prefix of one, or `last`.
    #[arg(long, value_name = "SETUP")]
    pub setup: Option<String>,
    /// End the rotation: check the new credentials still work, prove the old application is
    /// this setup's, delete it (its secret stops working) and record the rotation.
    #[arg(long, value_name = "SETUP")]
    pub finish: Option<String>,
    /// Give up on a rotation: delete the second application (never the old one) and the new
    /// credentials file.
    #[arg(long, value_name = "SETUP")]
    pub abandon: Option<String>,
    /// Write to Halo without asking (otherwise what would happen is shown and, on a terminal,
    /// you are asked).
    #[arg(long)]
    pub yes: bool,
    /// The new credentials file (.env, .json or .toml; mode 0600). Default:
    /// `<state dir>/handover/<setup>-rotated-<time>.env`. Never the old credentials' file;
    /// an existing file only with --force.
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
    /// Replace an existing --out file (never the file holding the old credentials).
    #[arg(long, requires = "out")]
    pub force: bool,
    /// Where Halo keeps the new application's secret to itself: a file holding the secret you
    /// copied from Halo's web UI (Generate on the new application).
    #[arg(long, value_name = "FILE")]
    pub new_secret_file: Option<PathBuf>,
    /// `--finish` when the new credentials file is gone: a file holding the new secret
    /// (otherwise HALO_APP_CLIENT_SECRET).
    #[arg(long, value_name = "FILE")]
    pub app_secret_file: Option<PathBuf>,
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

/// A rotation or tightening in progress owns the setup: `resume` and `apply --setup` would
/// work on half of it. The refusal names the commands that continue or end it.
pub(crate) fn busy(s: &Session) -> Option<Failure> {
    let r = s.rotation.as_ref()?;
    let cont = match r.purpose {
        Purpose::Rotate => format!("halo-onboard rotate --setup {}", s.id),
        Purpose::Tighten => format!("halo-onboard tighten --setup {}", s.id),
    };
    Some(Failure::new(
        format!(
            "setup {} is in the middle of a {} ({})",
            s.id,
            r.purpose.words(),
            r.words()
        ),
        format!(
            "Continue it with `{cont}` and end it with `halo-onboard rotate --finish {0}`, or give it up with `halo-onboard rotate --abandon {0}`.",
            s.id
        ),
    ))
}

/// An adopted setup is brought to its profile by `tighten`: a re-apply would plan against
/// names halo-onboard did not make.
pub(crate) fn adopted(s: &Session) -> Option<Failure> {
    s.adoption.as_ref()?;
    Some(Failure::new(
        format!(
            "setup {} adopted a hand-made integration: `apply --setup` repairs only what halo-onboard made",
            s.id
        ),
        format!(
            "`halo-onboard tighten --setup {0}` brings it to its profile (a new agent where needed, never cutting the vendor off); `halo-onboard check {0}` shows what differs.",
            s.id
        ),
    ))
}

impl RotateArgs {
    /// `rotate --setup ID` with every other option at its default (the wizard's hand-off).
    pub fn setup(id: &str) -> Self {
        Self {
            setup: Some(id.to_string()),
            finish: None,
            abandon: None,
            yes: false,
            out: None,
            force: false,
            new_secret_file: None,
            app_secret_file: None,
            access: Default::default(),
            json: false,
            deadline: None,
        }
    }
}

/// `halo-onboard rotate`.
pub async fn run(args: &RotateArgs) -> u8 {
    super::deadline::run_command(args.deadline, "rotate", args.json, try_run(args)).await
}

/// Progress lines on stderr (none under `--json` or `--quiet`).
pub(crate) fn progress(json: bool) -> Option<ProgressFn> {
    let log = super::outcome::stderr_log("", json)?;
    Some(std::sync::Arc::new(move |p| {
        if let Progress::Step(m) = p {
            log(&format!("  {m}"));
        }
    }))
}

/// A rotation error in the headless words and exit codes: a finding (not verified, not ours,
/// a secret to copy) is 1, anything that kept it from running 2.
pub(crate) fn failure(e: &RotateError, s: &Session) -> Failure {
    let code = match e {
        RotateError::Unverified(_) | RotateError::NotOurs(_) | RotateError::SecretNeeded { .. } => {
            EXIT_FAILED
        }
        _ => EXIT_CANNOT_RUN,
    };
    let mut message = e.to_string();
    if let RotateError::Unverified(v) = e {
        message = format!(
            "{message}:\n{}",
            super::outcome::checks_text(v.failures()).trim_end()
        );
    }
    Failure {
        message,
        hint: e.hint(&s.id),
        code,
    }
}

/// Asks before a write (on a terminal), or says how to make it; true when it may go ahead.
pub(crate) fn go_ahead(yes: bool, json: bool, what: &str, question: &str, command: &str) -> bool {
    if yes {
        return true;
    }
    if !json {
        out!("{}", crate::text::block(what));
    }
    if !json && super::prompt::interactive() && super::prompt::yes_no(question) {
        return true;
    }
    if json {
        outln!(
            "{}",
            json!({"ok": true, "dry_run": true, "plan": what.trim(), "command": command})
        );
    } else {
        outln!("Nothing was written. Run `{command}` to do it.");
    }
    false
}

fn given(
    file: Option<&std::path::Path>,
    env: Option<&str>,
) -> Result<Option<GivenSecret>, Failure> {
    match (file, env) {
        (Some(f), _) => Ok(Some(GivenSecret {
            secret: read_secret_file(f)?,
            source: format!("--app-secret-file {}", f.display()),
        })),
        (None, Some(env)) => Ok(optional_secret(None, env)?.map(|secret| GivenSecret {
            secret,
            source: env.to_string(),
        })),
        (None, None) => Ok(None),
    }
}

async fn try_run(args: &RotateArgs) -> Result<u8, Failure> {
    let (reference, command) = match (&args.setup, &args.finish, &args.abandon) {
        (Some(r), _, _) => (r, "rotate"),
        (_, Some(r), _) => (r, "rotate --finish"),
        (_, _, Some(r)) => (r, "rotate --abandon"),
        _ => unreachable!("clap requires one of --setup, --finish, --abandon"),
    };
    // A bad --out stops before anything connects.
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
    } = open_session(reference, &args.access, command).await?;
    let r = Rotator {
        client: &client,
        journal: &j,
        progress: progress(args.json),
    };
    if args.setup.is_some() {
        setup(args, &r, &mut s, &ep).await
    } else if args.finish.is_some() {
        finish(args, &r, &mut s).await
    } else {
        abandon(args, &r, &mut s).await
    }
}

/// The new credentials are verified and handed over: where they are and what comes next.
fn print_handed_over(
    json: bool,
    s: &Session,
    v: Option<&crate::plan::verify::Verification>,
    path: &std::path::Path,
) {
    let rot = s.rotation.clone();
    let new_cid = rot
        .as_ref()
        .and_then(|x| x.new_client_id.clone())
        .unwrap_or_default();
    if json {
        outln!(
            "{}",
            json!({
                "ok": true,
                "setup": s.id,
                "stage": "handed-over",
                "application_id": rot.as_ref().and_then(|x| x.new_application_id.clone()),
                "client_id": new_cid,
                "old_application_id": rot.as_ref().map(|x| x.old_application_id.clone()),
                "old_client_id": rot.as_ref().map(|x| x.old_client_id.clone()),
                "credentials_file": path,
                "verification": v,
                "finish": format!("halo-onboard rotate --finish {} --yes", s.id),
            })
        );
    } else {
        let mut o = String::new();
        if let Some(v) = v
            && !super::output::quiet()
        {
            o.push_str(&super::outcome::checks_text(v.checks.iter()));
        }
        o.push_str(&format!(
            "New credentials verified and handed over: {} (Client ID {new_cid}).\n",
            path.display()
        ));
        o.push_str(&paste_words(s, path));
        out!("{}", crate::text::block(&o));
    }
}

/// A new rotation: the setup is ready for one, and the admin agrees to the second application.
fn start_asked(args: &RotateArgs, s: &Session) -> Result<bool, Failure> {
    crate::plan::rotate::ready(s).map_err(|(m, h)| Failure::new(m, h))?;
    let app = s.answers.application.name.trim();
    let what = format!(
        "Rotate setup {}: create a second application '{app}' logging in as agent {} with the same scopes, verify it, and hand its credentials over in a new file. The old application (Client ID {}) keeps working until `halo-onboard rotate --finish {}`.\n",
        s.id,
        s.objects.agent_id.unwrap_or_default(),
        s.objects.client_id.as_deref().unwrap_or("-"),
        s.id
    );
    let cmd = format!("halo-onboard rotate --setup {} --yes", s.id);
    if !go_ahead(
        args.yes,
        args.json,
        &what,
        "Create the second application?",
        &cmd,
    ) {
        return Ok(false);
    }
    Ok(true)
}

async fn setup(
    args: &RotateArgs,
    r: &Rotator<'_>,
    s: &mut Session,
    ep: &crate::halo::Endpoint,
) -> Result<u8, Failure> {
    match &s.rotation {
        Some(rot) if rot.purpose == Purpose::Tighten => {
            return Err(Failure::new(
                format!("setup {} is being tightened ({})", s.id, rot.words()),
                format!(
                    "Continue it with `halo-onboard tighten --setup {0}` (then `halo-onboard rotate --finish {0}`), or give it up with `halo-onboard rotate --abandon {0}`.",
                    s.id
                ),
            ));
        }
        Some(rot) if rot.handed_over => {
            return Ok(report_handed_over(args, s));
        }
        Some(_) => {}
        None => {
            if !start_asked(args, s)? {
                return Ok(EXIT_OK);
            }
        }
    }
    let given = given(args.new_secret_file.as_deref(), None)?;
    let step = async {
        r.begin(s).await?;
        r.create(s).await?;
        let v = match s.rotation.as_ref().is_some_and(|x| x.verified) {
            true => None,
            false => Some(r.verify(s, given.as_ref()).await?),
        };
        let path = match (
            &args.out,
            s.rotation.as_ref().and_then(|x| x.credentials_file.clone()),
        ) {
            (Some(p), _) => p.clone(),
            (None, Some(p)) => p,
            (None, None) => r.default_file(s),
        };
        let path = r.hand_over(s, ep, &path, args.force)?;
        Ok::<_, RotateError>((v, path))
    }
    .await;
    let (v, path) = step.map_err(|e| failure(&e, s))?;
    print_handed_over(args.json, s, v.as_ref(), &path);
    Ok(EXIT_OK)
}

/// What the admin does next: paste the new credentials into the vendor, then finish.
fn paste_words(s: &Session, path: &std::path::Path) -> String {
    let vendor = s
        .answers
        .profile
        .as_deref()
        .and_then(|p| super::profiles::resolve(p).ok())
        .map_or_else(|| "the vendor".to_string(), |p| p.vendor);
    format!(
        "Next: paste the Client ID and Secret from {} into {vendor}'s Halo settings (both the old and the new credentials work until you finish). Then:\n  halo-onboard rotate --finish {} --yes    (deletes the old application: its secret stops working)\n",
        path.display(),
        s.id
    )
}

fn report_handed_over(args: &RotateArgs, s: &Session) -> u8 {
    let Some(rot) = &s.rotation else {
        return EXIT_OK;
    };
    let path = rot.credentials_file.clone().unwrap_or_default();
    if args.json {
        outln!(
            "{}",
            json!({"ok": true, "setup": s.id, "stage": "handed-over",
                "application_id": rot.new_application_id, "client_id": rot.new_client_id,
                "credentials_file": path,
                "finish": format!("halo-onboard rotate --finish {} --yes", s.id)})
        );
    } else {
        out!(
            "{}",
            crate::text::block(&format!(
                "Setup {}: {}; the new credentials are in {}.\n{}",
                s.id,
                rot.words(),
                path.display(),
                paste_words(s, &path)
            ))
        );
    }
    EXIT_OK
}

async fn finish(args: &RotateArgs, r: &Rotator<'_>, s: &mut Session) -> Result<u8, Failure> {
    let Some(rot) = s.rotation.clone() else {
        return Err(Failure::new(
            format!("setup {} has no rotation in progress", s.id),
            format!("Start one with `halo-onboard rotate --setup {}`.", s.id),
        ));
    };
    if rot.handed_over {
        let what = format!(
            "Finish the {} of setup {}: check the new credentials (Client ID {}), then delete the old application {} (Client ID {}): whoever still uses the old secret is cut off. Make sure the vendor has the new credentials.\n",
            rot.purpose.words(),
            s.id,
            rot.new_client_id.as_deref().unwrap_or("-"),
            rot.old_application_id,
            rot.old_client_id
        );
        let cmd = format!("halo-onboard rotate --finish {} --yes", s.id);
        if !go_ahead(
            args.yes,
            args.json,
            &what,
            "Delete the old application?",
            &cmd,
        ) {
            return Ok(EXIT_OK);
        }
    }
    let fallback = given(args.app_secret_file.as_deref(), Some(APP_SECRET_ENV))?;
    let f = r
        .finish(s, fallback.as_ref())
        .await
        .map_err(|e| failure(&e, s))?;
    if args.json {
        outln!(
            "{}",
            json!({
                "ok": true,
                "setup": s.id,
                "stage": "finished",
                "rotation": f.done,
                "old_already_gone": f.already_gone,
                "old_file_wiped": f.old_file_wiped,
                "credentials_file": s.credentials_file,
                "verification": f.verification,
            })
        );
    } else {
        let mut o = format!(
            "{} finished: application {} (Client ID {}) is the one in use; the old application {} (Client ID {}) is {}.\n",
            capital(f.done.purpose.words()),
            f.done.new_application_id,
            f.done.new_client_id,
            f.done.old_application_id,
            f.done.old_client_id,
            if f.already_gone { "gone" } else { "deleted" }
        );
        if let Some(w) = &f.old_file_wiped {
            o.push_str(&format!(
                "The old credentials file {} was wiped (it held the deleted application's secret).\n",
                w.display()
            ));
        }
        if let Some(c) = &s.credentials_file {
            o.push_str(&format!(
                "Credentials file: {} (delete it once the vendor has them: halo-onboard handover clean)\n",
                c.display()
            ));
        }
        out!("{}", crate::text::block(&o));
    }
    Ok(EXIT_OK)
}

fn capital(s: &str) -> String {
    let mut c = s.chars();
    c.next()
        .map(|f| f.to_uppercase().collect::<String>() + c.as_str())
        .unwrap_or_default()
}

async fn abandon(args: &RotateArgs, r: &Rotator<'_>, s: &mut Session) -> Result<u8, Failure> {
    let Some(rot) = s.rotation.clone() else {
        return Err(Failure::new(
            format!("setup {} has no rotation in progress", s.id),
            "Nothing to abandon.",
        ));
    };
    let what = format!(
        "Abandon the {} of setup {}: delete the new application {} (never the old one, {}, which keeps working).\n",
        rot.purpose.words(),
        s.id,
        rot.new_application_id.as_deref().unwrap_or("(not created)"),
        rot.old_application_id
    );
    let cmd = format!("halo-onboard rotate --abandon {} --yes", s.id);
    if !go_ahead(
        args.yes,
        args.json,
        &what,
        "Delete the new application?",
        &cmd,
    ) {
        return Ok(EXIT_OK);
    }
    let done = if rot.purpose == Purpose::Tighten {
        crate::plan::tighten::abandon(r, s).await
    } else {
        r.abandon(s).await
    }
    .map_err(|e| failure(&e, s))?;
    if args.json {
        outln!(
            "{}",
            json!({"ok": true, "setup": s.id, "stage": "abandoned", "done": done})
        );
    } else {
        let mut o = String::new();
        for d in &done {
            o.push_str(&format!("  {d}\n"));
        }
        o.push_str(&format!(
            "The {} of setup {} was abandoned; the old application {} is as it was.\n",
            rot.purpose.words(),
            s.id,
            rot.old_application_id
        ));
        out!("{}", crate::text::block(&o));
    }
    Ok(EXIT_OK)
}
