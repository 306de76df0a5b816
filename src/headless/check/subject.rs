//! Where an audit's subject comes from: a setup's journal or the long form's flags.

use std::path::PathBuf;

use secrecy::SecretString;

use crate::answers::Answers;
use crate::halo::{ClientOptions, Endpoint};
use crate::headless::apply::load_answers;
use crate::headless::common::*;
use crate::journal::Session;

use super::args::CheckArgs;

pub(super) fn app_secret(args: &CheckArgs) -> Result<Option<SecretString>, Failure> {
    optional_secret(args.app_secret_file.as_deref(), APP_SECRET_ENV)
}

pub(super) fn no_app_secret(extra: &str) -> Failure {
    Failure::new(
        format!("no application secret: set {APP_SECRET_ENV} or pass --app-secret-file{extra}"),
        format!(
            "e.g. read -rs {APP_SECRET_ENV} && export {APP_SECRET_ENV}  (the secret is never taken from the command line)"
        ),
    )
}

/// Everything one audit needs, from the flags (long form) or a setup's journal.
pub(super) struct Subject {
    pub(super) endpoint: Endpoint,
    pub(super) answers: Answers,
    pub(super) app_client_id: String,
    /// `None`: not at hand (an adopted application: halo-onboard never had it); only the
    /// object-level checks run.
    pub(super) app_secret: Option<SecretString>,
    /// Bootstrap application id and secret, when given: object-level checks.
    pub(super) bootstrap: Option<(String, SecretString)>,
    /// Shown in the heading.
    pub(super) what: String,
    pub(super) repair: String,
    /// The command that rotates the secret (a new one, handed over).
    pub(super) rotate: String,
    /// The setup this integration is (its journal keeps the last check's result for `status`).
    pub(super) setup: Option<String>,
    /// The certificate authority to trust for this Halo besides the system's, if any.
    pub(super) ca_file: Option<PathBuf>,
    /// When halo-onboard issued the secret (from that setup's journal).
    pub(super) secret_issued_unix: Option<u64>,
    /// That setup's manual steps not yet confirmed done.
    pub(super) manual_left: Vec<String>,
    /// The setup adopted a hand-made integration.
    pub(super) adopted: bool,
}

/// `check SETUP`: the journal knows where, what and which application; the hand-over (or the
/// environment) knows the secret.
pub(super) fn from_setup(args: &CheckArgs, reference: &str) -> Result<Subject, Failure> {
    let j = crate::journal::Journal::open_default()
        .map_err(|e| Failure::new(e.to_string(), e.hint()))?;
    let s = crate::headless::sessions::resolve(&j, reference)?;
    let (endpoint, app_client_id) = recorded(&s)?;
    let app_secret = match app_secret(args)? {
        Some(sec) => Some(sec),
        None => {
            let app_id = s.objects.application_id.clone().unwrap_or_default();
            crate::plan::handover::known_app_secret(&j, &app_id, &app_client_id).map(|k| k.secret)
        }
    };
    let (bootstrap, ca_file) = setup_bootstrap(args, &s)?;
    // Without the application's secret only the bootstrap credentials can see anything.
    if app_secret.is_none() && bootstrap.is_none() {
        return Err(no_secret_for(&s));
    }
    // An adopted integration is brought to its profile by `tighten`, not by a re-apply.
    let repair = if s.adoption.is_some() {
        format!("halo-onboard tighten --setup {}", s.id)
    } else {
        format!("halo-onboard apply --setup {} --yes", s.id)
    };
    Ok(Subject {
        adopted: s.adoption.is_some(),
        endpoint,
        what: format!(
            "setup {} (application {app_client_id}, profile {})",
            s.id,
            s.answers.profile.as_deref().unwrap_or("-")
        ),
        repair,
        rotate: crate::plan::handover::rotate_command(&s.id),
        setup: Some(s.id.clone()),
        ca_file,
        secret_issued_unix: j.secret_issued_unix(&s),
        manual_left: s.manual_left().into_iter().map(String::from).collect(),
        answers: s.answers,
        app_client_id,
        app_secret,
        bootstrap,
    })
}

/// What the journal must hold to check a setup: its Halo and its application's Client ID.
fn recorded(s: &Session) -> Result<(Endpoint, String), Failure> {
    let endpoint = s.endpoint.clone().ok_or_else(|| {
        Failure::new(
            format!("setup {} has no Halo address recorded", s.id),
            "Use the long form: halo-onboard check --url … --profile … --app-client-id …",
        )
    })?;
    let app_client_id = s
        .objects
        .client_id
        .clone()
        .filter(|c| !c.is_empty())
        .ok_or_else(|| {
            Failure::new(
                format!("setup {} has no application yet", s.id),
                format!("Finish it first: halo-onboard resume {} --yes", s.id),
            )
        })?;
    Ok((endpoint, app_client_id))
}

/// A bootstrap application's Client ID and secret.
type Bootstrap = (String, SecretString);

/// The bootstrap credentials for a setup's Halo (optional: without them the object checks
/// are skipped) and the certificate authority to trust there.
fn setup_bootstrap(
    args: &CheckArgs,
    s: &Session,
) -> Result<(Option<Bootstrap>, Option<PathBuf>), Failure> {
    // The bootstrap secret where the saved instance of this Halo keeps it (or --instance
    // says), else HALO_CLIENT_SECRET.
    let c = &args.connect;
    let lent = for_setup(
        c.instance.as_deref(),
        &setup_address(s),
        c.client_secret_file.clone(),
    )?;
    let boot_id = c
        .client_id
        .clone()
        .filter(|c| !c.trim().is_empty())
        .or_else(|| Some(s.answers.connection.client_id.clone()).filter(|c| !c.trim().is_empty()))
        .or(lent.client_id.clone())
        .unwrap_or_default();
    let given = lent.optional_secret()?;
    let ca_file = c.ca_file.clone().or(lent.ca_file.clone());
    let bootstrap = match given {
        Some(sec) if !boot_id.trim().is_empty() => Some((boot_id, sec)),
        _ => None,
    };
    Ok((bootstrap, ca_file))
}

/// Neither the application's secret nor the bootstrap credentials: why the secret is not
/// at hand, and what to set.
fn no_secret_for(s: &Session) -> Failure {
    let why = if s.adoption.is_some() {
        format!(
            " (setup {} adopted a hand-made application: Halo showed its secret once, to whoever made it)",
            s.id
        )
    } else {
        format!(
            " (the hand-over file of setup {} is gone{})",
            s.id,
            s.credentials_file
                .as_ref()
                .map(|f| format!(": {}", f.display()))
                .unwrap_or_default()
        )
    };
    no_app_secret(&format!(
        "{why}; or set {SECRET_ENV} to run the object-level checks alone"
    ))
}

/// The long form: every fact from the flags.
pub(super) async fn from_flags(args: &CheckArgs, opts: &ClientOptions) -> Result<Subject, Failure> {
    let profile = args.profile.clone().unwrap_or_default();
    let app_client_id = args.app_client_id.clone().unwrap_or_default();
    let answers = load_answers(
        &crate::headless::profiles::resolve(&profile)?,
        args.answers.as_deref(),
    )?;
    let app_secret = Some(app_secret(args)?.ok_or_else(|| no_app_secret(""))?);
    let boot_secret = match (&args.connect.client_id, &args.connect.client_secret_file) {
        (Some(_), _) => Some(args.connect.secret()?),
        (None, Some(_)) => {
            return Err(Failure::new(
                "--client-secret-file needs --client-id (the bootstrap application)",
                "Pass --client-id, or leave both out to skip the object-level checks.",
            ));
        }
        (None, None) => None,
    };
    let endpoint = endpoint_from(&args.connect, opts).await?;
    let mut repair = String::from("halo-onboard apply");
    match (
        &args.connect.url,
        &args.connect.resource_url,
        &args.connect.auth_url,
    ) {
        (Some(u), _, _) => repair.push_str(&format!(" --url {u}")),
        (None, Some(r), Some(a)) => repair.push_str(&format!(" --resource-url {r} --auth-url {a}")),
        _ => {}
    }
    if let Some(t) = &args.connect.tenant {
        repair.push_str(&format!(" --tenant {t}"));
    }
    let boot = args.connect.client_id.clone();
    repair.push_str(&format!(
        " --client-id {} --profile {profile}",
        boot.as_deref().unwrap_or("<bootstrap client id>")
    ));
    if let Some(a) = &args.answers {
        repair.push_str(&format!(" --answers {}", a.display()));
    }
    repair.push_str(" --yes");
    // The setup that made this application, when it was made here: when it issued the
    // secret and what it left to do by hand.
    let journal = crate::journal::Journal::open_default().ok();
    let made_here = journal.as_ref().and_then(|j| {
        j.list()
            .0
            .into_iter()
            .find(|s| s.objects.client_id.as_deref() == Some(app_client_id.trim()))
    });
    // The same apply, giving the application a new secret.
    let rotate = match &made_here {
        Some(s) => crate::plan::handover::rotate_command(&s.id),
        None => format!("{repair} --new-secret"),
    };
    Ok(Subject {
        adopted: false,
        ca_file: args.connect.ca_file.clone(),
        setup: made_here.as_ref().map(|s| s.id.clone()),
        secret_issued_unix: journal
            .as_ref()
            .zip(made_here.as_ref())
            .and_then(|(j, s)| j.secret_issued_unix(s)),
        manual_left: made_here
            .as_ref()
            .map(|s| s.manual_left().into_iter().map(String::from).collect())
            .unwrap_or_default(),
        endpoint,
        what: format!("application {app_client_id} against profile {profile}"),
        answers,
        app_client_id,
        app_secret,
        bootstrap: boot.zip(boot_secret),
        repair,
        rotate,
    })
}
