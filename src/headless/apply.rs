//! `halo-onboard apply` (and `resume`): plan, apply, verify, hand over — without the wizard.

use std::path::PathBuf;

use serde_json::json;

use super::common::*;
use crate::halo::{Client, ClientOptions, Endpoint};
use crate::journal::{Journal, Session, Status, fsutil};
use crate::plan::apply::{Applier, Progress};
use crate::plan::build::{Kind, Plan};
use crate::plan::handover::{Format, Handover};
use crate::plan::verify::{self, Target, Verification};

#[derive(Debug, Clone, clap::Args)]
pub struct ApplyArgs {
    #[command(flatten)]
    pub connect: ConnectArgs,
    /// Integration profile id (see `halo-onboard profiles`).
    #[arg(long)]
    pub profile: Option<String>,
    /// TOML answers laid over the profile (any field of any step).
    #[arg(long)]
    pub answers: Option<PathBuf>,
    #[command(flatten)]
    pub run: RunArgs,
}

#[derive(Debug, Clone, Default, clap::Args)]
pub struct RunArgs {
    /// Apply without asking; without it the plan is printed and nothing is written.
    #[arg(long)]
    pub yes: bool,
    /// Print one machine-readable JSON result on stdout.
    #[arg(long)]
    pub json: bool,
    /// Print the plan and stop (never writes to Halo).
    #[arg(long)]
    pub dry_run: bool,
    /// Where to save the new credentials (0600); .env, .json or .toml. Default: the state dir.
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Rotate the secret of an application an earlier setup made (breaks the vendor's copy).
    #[arg(long)]
    pub new_secret: bool,
}

pub fn plan_text(plan: &Plan) -> String {
    let mut s = String::new();
    for a in &plan.actions {
        let kind = match a.kind {
            Kind::Create => "create",
            Kind::Update => "update",
            Kind::Keep => "keep",
            Kind::Reuse => "reuse",
        };
        let id =
            a.id.as_deref()
                .map(|i| format!(" (id {i})"))
                .unwrap_or_default();
        s.push_str(&format!(
            "  {kind:<7} {:<12} {}{id}\n",
            a.object.label(),
            a.name
        ));
        for c in &a.changes {
            s.push_str(&format!("            change: {c}\n"));
        }
        for r in &a.risks {
            s.push_str(&format!("            risk: {r}\n"));
        }
    }
    for p in &plan.problems {
        s.push_str(&format!("  BLOCKED: {p}\n"));
    }
    s
}

fn verification_text(v: &Verification) -> String {
    let mut s = String::new();
    for c in &v.checks {
        let mark = if c.pass { "pass" } else { "FAIL" };
        s.push_str(&format!("  {mark}  {:<36} {}\n", c.name, c.detail));
        if let Some(l) = c.layer {
            s.push_str(&format!(
                "        blocked by: {}; fix: {}\n",
                l.label(),
                c.fix
            ));
        }
    }
    s
}

/// Runs a session from where it stands: plan (and stop unless `--yes`), apply, verify, hand over.
pub async fn run_session(
    client: &Client,
    journal: &Journal,
    s: &mut Session,
    ep: &Endpoint,
    run: &RunArgs,
) -> Result<u8, Failure> {
    let json = run.json;
    let say = |m: &str| {
        if !json {
            eprintln!("{m}");
        }
    };
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    // Progress is printed as it happens (stderr), so a slow Halo shows where it is.
    let printer = tokio::spawn(async move {
        while let Some(p) = rx.recv().await {
            if json {
                continue;
            }
            match p {
                Progress::Step(m) => eprintln!("  {m}"),
                Progress::Difference(o, d) => eprintln!("  read-back {}: {d}", o.label()),
            }
        }
    });
    let applier = Applier {
        client,
        journal,
        progress: Some(tx),
        regenerate_secret: run.new_secret,
    };
    // Who we are and what Halo has: independent reads, one round trip.
    let (me, lk) = tokio::join!(client.me(), applier.lookups(s));
    let me = me.map_err(|e| Failure::halo(&e))?;
    let lk = lk.map_err(|e| Failure::halo(&e))?;
    say(&format!("Connected to {} as {}", ep.base_url(), me.name));
    let plan = crate::plan::plan(&s.answers, &lk, &s.objects, &s.marker());
    if run.dry_run || !run.yes {
        if json {
            println!(
                "{}",
                json!({"ok": !plan.is_blocked(), "session": s.id, "dry_run": true, "plan": plan})
            );
        } else {
            println!("Plan for setup {}:\n{}", s.id, plan_text(&plan));
            println!("Requests: {}", plan.requests.len());
            if !plan.is_blocked() {
                println!("Nothing was written. To apply, run the same command with --yes.");
            }
        }
        return Ok(if plan.is_blocked() {
            EXIT_FAILED
        } else {
            EXIT_OK
        });
    }
    say(&format!("Setup {}: applying\n{}", s.id, plan_text(&plan)));
    let result = applier.apply_with(s, lk).await;
    drop(applier);
    let _ = printer.await;
    let mut applied = match result {
        Ok(a) => a,
        Err(e) => {
            let code = if matches!(e, crate::plan::apply::ApplyError::Blocked(_)) {
                EXIT_FAILED
            } else {
                EXIT_CANNOT_RUN
            };
            return Err(Failure {
                message: e.to_string(),
                hint: format!("{} (setup {})", e.hint(), s.id),
                code,
            });
        }
    };
    let Some(secret) = applied.client_secret.clone() else {
        // Adopted application whose vendor already holds the secret: nothing to hand over.
        s.status = Status::HandedOver;
        journal
            .save(s)
            .map_err(|e| Failure::new(e.to_string(), e.hint()))?;
        if json {
            println!(
                "{}",
                json!({"ok": true, "session": s.id, "plan": plan, "role_id": applied.role_id, "agent_id": applied.agent_id, "application_id": applied.application_id, "client_id": applied.client_id, "writes": applied.writes, "credentials_file": null, "verification": null})
            );
        } else {
            println!(
                "Everything already exists and matches; the secret was left unchanged (the vendor already has it)."
            );
            println!(
                "Client ID: {}. To rotate the secret: add --new-secret. To audit: halo-onboard check.",
                applied.client_id
            );
        }
        return Ok(EXIT_OK);
    };
    say("Verifying with the new credentials");
    let scopes = crate::halo::scopes::normalise(&s.answers.scopes);
    let role_name = s.answers.role.name.clone();
    let used_client_id = applied.client_id.clone();
    let target = Target {
        endpoint: ep,
        client_id: &used_client_id,
        client_secret: &secret,
        scopes: &scopes,
        agent_id: applied.agent_id,
        role_name: &role_name,
        application_name: &s.answers.application.name,
    };
    // The read-backs of the last writes overlap the verification (no extra round trip).
    let (_, mut verification) = tokio::join!(
        applied.finish_read_backs(),
        verify::verify(&target, ClientOptions::default(), Some(client))
    );
    if let Some(cid) = applied.read_back_client_id.clone() {
        // Halo changed the client id on save: the saved one is what the vendor needs.
        say(&format!(
            "Halo reports client id {cid} after the save; verifying with it"
        ));
        let target = Target {
            client_id: &cid,
            ..target
        };
        verification = verify::verify(&target, ClientOptions::default(), Some(client)).await;
        applied.client_id = cid;
    }
    for (o, d) in &applied.differences {
        say(&format!("  read-back {}: {d}", o.label()));
    }
    if verification.passed() {
        s.status = Status::Verified;
    }
    // Hand over: the file is the one place meant for the secret; then the journal forgets it.
    let out = match &run.out {
        Some(p) => p.clone(),
        None => {
            let dir = journal.dir().join("handover");
            fsutil::private_dir(&dir).map_err(|e| {
                Failure::new(
                    format!("cannot create {}: {e}", dir.display()),
                    "Pass --out with a writable path.",
                )
            })?;
            dir.join(format!("{}.env", s.id))
        }
    };
    let ho = Handover::new(ep, &applied.client_id, &secret, applied.agent_id);
    ho.save(&out, Format::from_path(&out)).map_err(|e| {
        Failure::new(
            format!("cannot write the credentials to {}: {e}", out.display()),
            format!("The secret is still kept for setup {}; run `halo-onboard resume {} --yes --out <writable path>`.", s.id, s.id),
        )
    })?;
    journal
        .wipe_secret(s)
        .map_err(|e| Failure::new(e.to_string(), e.hint()))?;
    if verification.passed() {
        s.status = Status::HandedOver;
    }
    journal
        .save(s)
        .map_err(|e| Failure::new(e.to_string(), e.hint()))?;
    let ok = verification.passed();
    if json {
        let diffs: Vec<_> = applied
            .differences
            .iter()
            .map(|(o, d)| json!({"object": o, "difference": d}))
            .collect();
        println!(
            "{}",
            json!({
                "ok": ok,
                "session": s.id,
                "plan": plan,
                "role_id": applied.role_id,
                "agent_id": applied.agent_id,
                "application_id": applied.application_id,
                "client_id": applied.client_id,
                "writes": applied.writes,
                "differences": diffs,
                "verification": verification,
                "credentials_file": out,
            })
        );
    } else {
        println!("Verification:\n{}", verification_text(&verification));
        println!("Client ID: {}", applied.client_id);
        println!(
            "Credentials (with the secret) saved to {} (mode 0600).",
            out.display()
        );
        println!(
            "Give them to the vendor, then delete the file. Halo will not show the secret again."
        );
        if !ok {
            println!(
                "Some checks failed: change what each line says in Halo, then run `halo-onboard check`."
            );
        }
    }
    Ok(if ok { EXIT_OK } else { EXIT_FAILED })
}

/// `halo-onboard apply`.
pub async fn run(args: &ApplyArgs) -> u8 {
    match try_run(args).await {
        Ok(code) => code,
        Err(f) => {
            print_failure(&f, args.run.json);
            f.code
        }
    }
}

async fn try_run(args: &ApplyArgs) -> Result<u8, Failure> {
    let profile_id = args.profile.as_deref().unwrap_or("custom");
    let mut answers = crate::profile::answers_for(profile_id)
        .map_err(|m| Failure::new(m, "Run `halo-onboard profiles` to list the profile ids."))?;
    if let Some(p) = &args.answers {
        answers = overlay_answers(&answers, p)?;
    }
    let client_id = args.connect.client_id.clone().ok_or_else(|| {
        Failure::new(
            "no bootstrap client id",
            "Pass --client-id or set HALO_CLIENT_ID.",
        )
    })?;
    let secret = read_secret(args.connect.client_secret_file.as_deref(), SECRET_ENV)?;
    let opts = ClientOptions::default();
    let ep = endpoint_from(&args.connect, &opts).await?;
    set_connection(&mut answers, &args.connect, &ep);
    let client = bootstrap_client(&ep, &client_id, secret, opts)?;
    check_bootstrap(&client).await?;
    let journal = Journal::open_default().map_err(|e| Failure::new(e.to_string(), e.hint()))?;
    // A dry run leaves no setup behind in the journal.
    let mut s = if args.run.yes && !args.run.dry_run {
        journal.create(answers, Some(ep.clone()))
    } else {
        Ok(journal.draft(answers, Some(ep.clone())))
    }
    .map_err(|e| Failure::new(e.to_string(), e.hint()))?;
    run_session(&client, &journal, &mut s, &ep, &args.run).await
}
