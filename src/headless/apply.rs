//! `halo-onboard apply` (and `resume`): plan, apply, verify, hand over — without the wizard.

use super::common::*;
use super::execute::*;
use crate::answers::Answers;
use crate::journal::Journal;
use crate::profile::Trap;

// The engine and its texts live in `execute` and `outcome`; the other commands know them here.
pub use super::execute::{ApplyArgs, check_questions, load_answers};
pub(crate) use super::outcome::checks_text;
pub use super::run_args::RunArgs;

/// `halo-onboard apply`.
pub async fn run(args: &ApplyArgs) -> u8 {
    if let Some(file) = &args.batch {
        return super::batch::run(file, args).await;
    }
    let run = async {
        match try_run(args).await {
            Ok(code) => code,
            Err(f) => {
                print_failure(&f, args.run.json);
                f.code
            }
        }
    };
    super::deadline::within(args.deadline, "apply", args.run.json, run).await
}

/// `apply --setup SETUP`: the earlier setup's Halo address, bootstrap client id and answers.
fn from_setup(args: &ApplyArgs, reference: &str) -> Result<(ApplyArgs, Answers), Failure> {
    let j = Journal::open_default().map_err(journal_failure)?;
    let s = super::open::resolve(&j, reference)?;
    if let Some(f) = super::rotate::busy(&s).or_else(|| super::rotate::adopted(&s)) {
        return Err(f);
    }
    let c = &s.answers.connection;
    let ep = s.endpoint.clone();
    let mut out = args.clone();
    out.setup = None;
    if !c.url.trim().is_empty() {
        out.connect.url = Some(c.url.clone());
    } else if let Some(ep) = ep {
        out.connect.resource_url = Some(ep.resource_url.clone());
        out.connect.auth_url = Some(ep.auth_url.clone());
        if out.connect.tenant.is_none() {
            out.connect.tenant = ep.tenant.clone();
        }
    } else {
        return Err(Failure::new(
            format!("setup {} has no Halo address recorded", s.id),
            "Use --url (or --resource-url and --auth-url) with --profile instead.",
        ));
    }
    if out
        .connect
        .client_id
        .as_deref()
        .is_none_or(|c| c.trim().is_empty())
    {
        out.connect.client_id = Some(c.client_id.clone()).filter(|c| !c.trim().is_empty());
    }
    out.profile = s.answers.profile.clone();
    Ok((out, s.answers))
}

async fn try_run(args: &ApplyArgs) -> Result<u8, Failure> {
    if let Some(reference) = &args.setup {
        let (mut args, answers) = from_setup(args, reference)?;
        // The secret where the saved instance of that Halo keeps it (or --instance says).
        let c = &args.connect;
        let address = c.url.as_deref().or(c.resource_url.as_deref()).unwrap_or("");
        let lent = for_setup(c.instance.as_deref(), address, c.client_secret_file.clone())?;
        args.connect.secret_source = lent.secret_source;
        if args.connect.client_id.is_none() {
            args.connect.client_id = lent.client_id;
        }
        if args.connect.ca_file.is_none() {
            args.connect.ca_file = lent.ca_file;
        }
        let traps = traps_of(&answers);
        return run_with(&args, answers, traps).await;
    }
    let args = &ApplyArgs {
        connect: args.connect.resolved()?,
        ..args.clone()
    };
    // What is missing is named in the order a user fills it in: where, then what. An unknown
    // profile, or a choice it leaves open, stops before anything connects.
    if args.connect.url.is_none() && args.connect.resource_url.is_none() {
        return Err(no_instance());
    }
    let Some(profile) = args.profile.as_deref() else {
        return Err(Failure::new(
            "no profile given: --profile is required",
            "Pass --profile ID (`halo-onboard profiles` lists them; `custom` starts empty) or the path of a profile file.",
        ));
    };
    let profile = super::profiles::resolve(profile)?;
    let answers = load_answers(&profile, args.answers.as_deref())?;
    check_questions(&profile, &answers)?;
    run_with(args, answers, profile.traps).await
}

async fn run_with(args: &ApplyArgs, mut answers: Answers, traps: Vec<Trap>) -> Result<u8, Failure> {
    let journal = Journal::open_default().map_err(journal_failure)?;
    check_out(&args.run, &journal)?;
    let (client_id, secret) = bootstrap_credentials(&args.connect)?;
    let (client, ep) = connect(
        &args.connect,
        &client_id,
        secret,
        &mut answers,
        args.connect.client_options()?,
    )
    .await?;
    let mut s = open_session(&journal, answers, &ep);
    // A run that may write holds the setup's and the integration's locks until it ends.
    let lock_as = will_write(&args.run).then_some("apply");
    run_session(&client, &journal, &mut s, &args.run, traps, None, lock_as).await
}
