//! `halo-onboard adopt --application ID --profile P`: brings a hand-made integration under
//! management. A setup is journaled whose objects are the existing application, its login
//! agent and that agent's roles, recorded as adopted (rollback never deletes them). Ownership
//! rests on what Halo shows — the application's id and Client ID and the agent it logs in as,
//! as read now — never on a name. Nothing is written to Halo.
//!
//! Halo shows an application's secret once, to whoever made it: halo-onboard does not have it.
//! `check` then runs the object-level checks alone unless the secret is given
//! (`HALO_APP_CLIENT_SECRET`, `--app-secret-file`); `rotate` and `tighten` hand over new
//! credentials and need none.

use std::path::PathBuf;

use serde_json::json;

use super::common::*;
use crate::answers::{RoleAnswers, RoleMode};
use crate::halo::HaloError;
use crate::journal::rotation::Adoption;
use crate::journal::{Event, Journal, Status, Subject, now_unix};
use crate::plan::audit::{self, Managed};
use crate::plan::inventory::{self, AgentRead, RoleRead};

/// `halo-onboard adopt`'s command line.
#[derive(Debug, Clone, clap::Args)]
pub struct AdoptArgs {
    /// Which Halo, and the bootstrap application that reads it (flags, `--instance` or the
    /// `HALO_*` environment).
    #[command(flatten)]
    pub connect: ConnectArgs,
    /// The application's id in Halo (`halo-onboard audit` lists them; a GUID).
    #[arg(long, value_name = "ID")]
    pub application: String,
    /// The vendor's profile: what the integration should need (`halo-onboard profiles`), or a
    /// profile file. `check` compares with it and `tighten` brings the integration to it.
    #[arg(long)]
    pub profile: String,
    /// TOML answers laid over the profile (e.g. the teams its agent joins).
    #[arg(long)]
    pub answers: Option<PathBuf>,
    /// Print one JSON object on stdout.
    #[arg(long)]
    pub json: bool,
    /// Stop after this long (e.g. 90s; default 10m).
    #[arg(long, value_name = "DURATION", value_parser = super::batch::parse_duration)]
    pub deadline: Option<std::time::Duration>,
}

/// `halo-onboard adopt`.
pub async fn run(args: &AdoptArgs) -> u8 {
    super::deadline::run_command(args.deadline, "adopt", args.json, try_run(args)).await
}

/// The application to adopt, with its login agent and roles as Halo shows them.
async fn integration(
    client: &crate::halo::Client,
    application: &str,
) -> Result<inventory::Integration, Failure> {
    match inventory::integration(client, application).await {
        Ok(i) => Ok(i),
        Err(HaloError::NotFound(_)) => Err(Failure::new(
            format!("this Halo has no application with id {application}"),
            "`halo-onboard audit` lists every application with its id.",
        )),
        Err(e) => Err(Failure::halo(&e)),
    }
}

/// The agent the application logs in as: adoption rests on what Halo shows of it.
fn login_agent(i: &inventory::Integration) -> Result<crate::halo::Agent, Failure> {
    let app = &i.app;
    match &i.agent {
        AgentRead::Read(a) => Ok((**a).clone()),
        AgentRead::None => Err(Failure::new(
            format!(
                "application '{}' logs in as no agent: it is not an agent integration halo-onboard manages",
                app.display_name
            ),
            "halo-onboard manages applications with login type Agent (Client ID and Secret).",
        )),
        AgentRead::Unreadable { id, why, .. } => Err(Failure::new(
            format!(
                "the agent {id} that application '{}' logs in as could not be read: {why}",
                app.display_name
            ),
            "The adoption rests on what Halo shows of the agent: check the bootstrap application's scopes (admin) and agent (an administrator), then run it again.",
        )),
    }
}

/// The setup's record of what it adopts: the objects, the adoption as Halo showed it, and one
/// journal entry per object (the vendor has the secret already: handed over).
fn adopt_into(
    s: &mut crate::journal::Session,
    i: &inventory::Integration,
    agent: &crate::halo::Agent,
    role_id: Option<String>,
) {
    let app = &i.app;
    let app_id = app.id.clone().unwrap_or_default();
    let agent_id = agent.id.unwrap_or_default();
    s.objects.application_id = Some(app_id.clone());
    s.objects.client_id = Some(app.client_id.clone());
    s.objects.agent_id = Some(agent_id);
    s.objects.role_id = role_id;
    s.adoption = Some(Adoption {
        at_unix: now_unix(),
        application_id: app_id.clone(),
        client_id: app.client_id.clone(),
        application_name: app.display_name.clone(),
        agent_id,
        agent_name: agent.name.clone(),
        agent_api_only: agent.isapiagent,
        agent_admin: i.admin(),
        roles: i
            .roles
            .iter()
            .map(|r| (r.id().to_string(), r.name().to_string()))
            .collect(),
        scopes: crate::halo::scopes::normalise(&app.scope_names()),
    });
    // The vendor has the secret already (whoever made the application gave it to them).
    s.status = Status::HandedOver;
    s.handed_over = true;
    for (subject, id) in [
        (Subject::Application, app_id.clone()),
        (Subject::Agent, agent_id.to_string()),
    ]
    .into_iter()
    .chain(i.roles.iter().map(|r| (Subject::Role, r.id().to_string())))
    {
        s.push(Event::Done {
            subject,
            action: "adopt".into(),
            id,
        });
    }
}

/// What was adopted, its risks and what to do next, as text.
fn adopted_text(
    i: &inventory::Integration,
    agent: &crate::halo::Agent,
    row: &audit::Row,
    setup: &str,
    profile: &str,
) -> String {
    let app = &i.app;
    let app_id = app.id.clone().unwrap_or_default();
    let mut o = format!(
        "Adopted application '{}' (id {app_id}, Client ID {}) as setup {} (profile {}).\n",
        app.display_name, app.client_id, setup, profile
    );
    o.push_str(&format!(
        "  logs in as '{}' ({}, {}), administrator: {}, roles: {}\n  scopes: {}\n",
        agent.name,
        if agent.isapiagent {
            "API-only"
        } else {
            "a person's account"
        },
        if agent.isdisabled {
            "disabled"
        } else {
            "active"
        },
        match row.administrator {
            Some(true) => "yes",
            Some(false) => "no",
            None => "unknown (a role could not be read)",
        },
        if row.roles.is_empty() {
            "none".to_string()
        } else {
            row.roles
                .iter()
                .map(|r| r.name.clone())
                .collect::<Vec<_>>()
                .join(", ")
        },
        row.scopes.join(" ")
    ));
    for r in &row.risks {
        o.push_str(&format!("  risk: {}\n", r.words));
    }
    o.push_str("  Ownership rests on what Halo shows (this id, this Client ID, this login agent); rollback never deletes adopted objects.\n");
    o.push_str(&format!(
        "Halo showed this application's secret once, to whoever made it: halo-onboard does not have it. `check` runs the token checks only with it in {APP_SECRET_ENV} (or --app-secret-file); otherwise it checks what the bootstrap credentials can see.\n"
    ));
    o.push_str(&format!(
        "Next:\n  halo-onboard check {setup}\n  halo-onboard tighten --setup {setup}    (down to the profile's least privilege, without cutting the vendor off)\n  halo-onboard rotate --setup {setup}     (new credentials for the vendor, no downtime)\n"
    ));
    o
}

/// The setup's answers: the profile's needs, with the names Halo shows for what exists (the
/// first role is reused), and that role as (id, name).
fn answers_for(
    target: crate::answers::Answers,
    c: &ConnectArgs,
    ep: &crate::halo::Endpoint,
    i: &inventory::Integration,
    agent: &crate::halo::Agent,
) -> (crate::answers::Answers, Option<(String, String)>) {
    let app = &i.app;
    let mut answers = target;
    set_connection(&mut answers, c, ep);
    answers.application.name = app.display_name.clone();
    answers.agent.name = agent.name.clone();
    let first_role = i
        .roles
        .first()
        .map(|r| (r.id().to_string(), r.name().to_string()));
    if let Some((id, name)) = &first_role {
        answers.role = RoleAnswers {
            mode: RoleMode::Reuse(id.clone()),
            name: name.clone(),
            ..answers.role
        };
    }
    (answers, first_role)
}

/// A setup here already manages this application: adopting it again would make two owners.
fn not_managed(row: &audit::Row, name: &str) -> Result<(), Failure> {
    match &row.managed_by {
        Some(setup) => Err(Failure::new(
            format!("application '{name}' is already managed here by setup {setup}"),
            format!(
                "Use that setup: halo-onboard check {setup}, halo-onboard tighten --setup {setup}."
            ),
        )),
        None => Ok(()),
    }
}

async fn try_run(args: &AdoptArgs) -> Result<u8, Failure> {
    // What is asked for is checked before anything connects.
    let profile = super::profiles::resolve(&args.profile)?;
    let target = super::apply::load_answers(&profile, args.answers.as_deref())?;
    let c = args.connect.resolved()?;
    let place = place(&c)?;
    let (boot_id, secret) = bootstrap_credentials(&c)?;
    let conn = connect_bootstrap(&place, &boot_id, secret, c.client_options()?).await?;
    let client = &conn.client;
    let ep = conn.endpoint().clone();
    let i = integration(client, args.application.trim()).await?;
    let app = &i.app;
    let app_id = app.id.clone().unwrap_or_default();
    let agent = login_agent(&i)?;
    if app.client_id.eq_ignore_ascii_case(boot_id.trim()) {
        return Err(Failure::new(
            format!(
                "application '{}' is the bootstrap application this run connects with",
                app.display_name
            ),
            "halo-onboard does not manage its own credentials: adopt the vendor's application.",
        ));
    }
    let j = Journal::open_default().map_err(|e| Failure::new(e.to_string(), e.hint()))?;
    let (sessions, _) = j.list();
    let managed = Managed::from_sessions(&sessions, &ep.resource_url);
    let row = audit::report(std::slice::from_ref(&i), Vec::new(), &managed, &boot_id)
        .applications
        .remove(0);
    not_managed(&row, &app.display_name)?;
    let (answers, first_role) = answers_for(target, &c, &ep, &i, &agent);
    let mut s = j
        .create(answers, Some(ep.clone()))
        .map_err(|e| Failure::new(e.to_string(), e.hint()))?;
    let _locks = j
        .lock(&s, "adopt")
        .map_err(|e| Failure::new(e.to_string(), e.hint()))?;
    let agent_id = agent.id.unwrap_or_default();
    adopt_into(
        &mut s,
        &i,
        &agent,
        first_role.as_ref().map(|(id, _)| id.clone()),
    );
    let journal_err = |e: crate::journal::JournalError| Failure::new(e.to_string(), e.hint());
    j.record(
        &mut s,
        Event::Note {
            text: format!(
                "adopted application {app_id} (Client ID {}) logging in as agent {agent_id}, proven by what Halo shows; never deleted by rollback",
                app.client_id
            ),
        },
    )
    .map_err(journal_err)?;
    if args.json {
        outln!(
            "{}",
            json!({
                "ok": true,
                "setup": s.id,
                "application": row,
                "unreadable_roles": i.roles.iter().filter(|r| matches!(r, RoleRead::Unreadable { .. })).map(RoleRead::id).collect::<Vec<_>>(),
                "next": [format!("halo-onboard check {}", s.id), format!("halo-onboard tighten --setup {}", s.id), format!("halo-onboard rotate --setup {}", s.id)],
            })
        );
    } else {
        let o = adopted_text(&i, &agent, &row, &s.id, &profile.id);
        out!("{}", crate::text::block(&o));
    }
    Ok(EXIT_OK)
}
