//! "Nothing lost, nothing clobbered" (issue 11): each of its six repros and each "Done when"
//! line, at engine level (apply and rollback against the emulator) and at CLI level (the real
//! binary). The wizard's side (second confirmation, overwrite prompt, r/p, exit summary) is in
//! `tui/apply.rs`, the snapshots and `e2e/wizard.rs`; the file rules in `journal::fsutil`'s unit tests.

use halo_onboard::journal::{Journal, Session};
use halo_onboard::plan::Object;
use halo_onboard::plan::apply::{Applier, Finished, VerifiedWith};
use halo_onboard::plan::handover::Handover;
use halo_onboard::plan::rollback::{self, Fate};
use halo_onboard::sim::SimHandle;
use secrecy::{ExposeSecret, SecretString};
use serde_json::Value;

use crate::common::bin::*;
use crate::common::emulator::*;

async fn apply(e: &Env, s: &mut Session, rotate: bool) -> Finished {
    let a = Applier {
        regenerate_secret: rotate,
        ..applier(&e.admin, &e.journal)
    };
    let lk = a.lookups(s).await.unwrap();
    a.apply_and_verify(s, lk).await.unwrap()
}

/// A first setup, applied, verified and handed over to its default file (as `apply --yes`
/// does): (session, client id, secret, hand-over file).
async fn first_setup(e: &Env) -> (Session, String, String, std::path::PathBuf) {
    let mut s = e.journal.create(topleft(), Some(e.ep.clone())).unwrap();
    let f = apply(e, &mut s, false).await;
    assert!(f.verification.unwrap().passed());
    let secret = f.applied.client_secret.unwrap();
    let file = e.journal.default_handover(&s.id);
    Handover::new(&e.ep, &f.applied.client_id, &secret, f.applied.agent_id)
        .save(&file, false)
        .unwrap();
    e.journal.hand_over(&mut s, Some(file.clone())).unwrap();
    let secret = secret.expose_secret().to_string();
    (s, f.applied.client_id, secret, file)
}

/// Unticks every scope but `all:standard` on the setup's application, as the README's curl does.
fn untick_two_scopes(sim: &SimHandle, s: &Session) {
    let id = s.objects.application_id.clone().unwrap();
    sim.with_state(|st| {
        let app = st.application_mut(&id).unwrap();
        assert_eq!(app.list("scopes").len(), 3, "topleft has three scopes");
        app.set("scopes", serde_json::json!([{"name": "all:standard"}]));
    });
}

/// (client id, secret, scope count) Halo holds for the setup's application.
fn app_in_halo(sim: &SimHandle, s: &Session) -> (String, String, usize) {
    let id = s.objects.application_id.clone().unwrap();
    sim.with_state(|st| {
        let a = st.application(&id).unwrap();
        (
            a.str("clientId").to_string(),
            a.str("clientSecret").to_string(),
            a.list("scopes").len(),
        )
    })
}

// --- Repro 1 and 2 at engine level: re-apply is a repair, verified with the real credentials.

#[tokio::test]
async fn reapply_repairs_only_what_differs_and_verifies_with_the_handed_over_secret() {
    let e = env().await;
    let (first, client_id, secret, file) = first_setup(&e).await;
    untick_two_scopes(&e.sim, &first);

    let mut again = e.journal.create(topleft(), Some(e.ep.clone())).unwrap();
    let f = apply(&e, &mut again, false).await;
    assert_eq!(f.applied.writes, 1, "only the application is written");
    assert_eq!(f.applied.client_id, client_id, "the real client id, not ''");
    assert!(
        f.applied.client_secret.is_none(),
        "the secret is left alone"
    );
    // Halo still has the original credentials, and the scopes are back.
    assert_eq!(
        app_in_halo(&e.sim, &first),
        (client_id.clone(), secret.clone(), 3)
    );
    let v = f.verification.expect("verified with the secret at hand");
    assert!(v.passed(), "{:?}", v.failures().collect::<Vec<_>>());
    match f.verified_with {
        Some(VerifiedWith::Existing {
            file: Some(f),
            source,
        }) => {
            assert_eq!(f, file);
            assert!(source.contains(&first.id), "{source}");
        }
        other => panic!("verified with {other:?}"),
    }
    assert_eq!(again.credentials_file.as_deref(), Some(file.as_path()));
    let scopes = first.answers.scopes.clone();
    let agent = first.objects.agent_id.unwrap();
    creds_work(&e.sim, &client_id, &secret, &scopes, agent)
        .await
        .unwrap();
    // Nothing this second setup touched is its to delete.
    let o = &again.objects;
    assert!(!o.role_created && !o.agent_created && !o.application_created);
}

#[tokio::test]
async fn reapply_without_the_secret_at_hand_is_repaired_but_not_verified() {
    let e = env().await;
    let (first, client_id, secret, file) = first_setup(&e).await;
    std::fs::remove_file(&file).unwrap();
    untick_two_scopes(&e.sim, &first);
    let mut again = e.journal.create(topleft(), Some(e.ep.clone())).unwrap();
    let f = apply(&e, &mut again, false).await;
    assert_eq!(f.applied.writes, 1);
    assert_eq!(f.applied.client_id, client_id);
    assert!(f.verification.is_none() && f.verified_with.is_none());
    assert_eq!(app_in_halo(&e.sim, &first), (client_id, secret, 3));
}

#[tokio::test]
async fn a_rotation_asked_for_changes_the_secret_and_nothing_else() {
    let e = env().await;
    let (first, client_id, old, _) = first_setup(&e).await;
    let mut again = e.journal.create(topleft(), Some(e.ep.clone())).unwrap();
    let f = apply(&e, &mut again, true).await;
    let new = f
        .applied
        .client_secret
        .clone()
        .expect("a new secret to hand over");
    assert_ne!(new.expose_secret(), old);
    assert_eq!(f.applied.client_id, client_id);
    assert_eq!(f.verified_with, Some(VerifiedWith::NewSecret));
    assert!(f.verification.unwrap().passed());
    let (cid, held, scopes) = app_in_halo(&e.sim, &first);
    assert_eq!(
        (cid, held.as_str(), scopes),
        (client_id.clone(), new.expose_secret(), 3)
    );
    let agent = first.objects.agent_id.unwrap();
    let s = &first.answers.scopes;
    assert!(
        creds_work(&e.sim, &client_id, &old, s, agent)
            .await
            .is_err()
    );
}

#[tokio::test]
async fn resume_after_the_hand_over_never_regenerates_the_secret() {
    // Verification failed, the credentials were handed over anyway: a resume must not rotate
    // the secret the vendor has.
    let e = env().await;
    let (mut first, client_id, secret, _) = first_setup(&e).await;
    first.status = halo_onboard::journal::Status::Applied;
    e.journal.save(&mut first).unwrap();
    let f = apply(&e, &mut first, false).await;
    assert!(f.applied.client_secret.is_none());
    assert!(
        f.verification.unwrap().passed(),
        "verified with the hand-over file"
    );
    assert_eq!(app_in_halo(&e.sim, &first).1, secret);
    assert_eq!(f.applied.client_id, client_id);
}

// --- Repro 5 at engine level: rollback proves ownership before each delete.

#[tokio::test]
async fn rollback_after_the_agent_id_points_at_another_agent_keeps_it_and_says_why() {
    let e = env().await;
    let (mut s, ..) = first_setup(&e).await;
    let ours = s.objects.agent_id.unwrap();
    // An edited journal: the agent id now names Sam Support (a human agent, id 3).
    s.objects.agent_id = Some(3);
    let items = rollback::rollback(&e.admin, &e.journal, &mut s)
        .await
        .unwrap();
    let agent = items.iter().find(|i| i.object == Object::Agent).unwrap();
    match &agent.fate {
        Fate::Kept(why) => assert!(
            why.contains("Sam Support") && why.contains("topleft"),
            "{why}"
        ),
        other => panic!("agent 3: {other:?}"),
    }
    assert!(agent.line(true).contains("not ours any more, kept"));
    assert!(e.sim.with_state(|st| st.agent(3).is_some()), "Sam stays");
    // What is provably ours goes: the application (marker) and the role (marker).
    for o in [Object::Application, Object::Role] {
        let i = items.iter().find(|i| i.object == o).unwrap();
        assert_eq!(i.fate, Fate::Delete, "{o:?}");
    }
    assert!(
        e.sim.with_state(|st| st.applications.len()) == 1,
        "only the bootstrap app"
    );
    // The real agent was not named by the journal any more: rollback cannot prove it, so it
    // is left (orphaned, visible in Halo) rather than guessed at.
    assert!(e.sim.with_state(|st| st.agent(ours).is_some()));
    assert_eq!(s.status, halo_onboard::journal::Status::RolledBack);
}

#[tokio::test]
async fn rollback_after_a_restore_keeps_the_human_that_got_the_id_and_reports_gone_ones() {
    let e = env().await;
    let (mut s, ..) = first_setup(&e).await;
    let agent_id = s.objects.agent_id.unwrap();
    let role_id = s.objects.role_id.clone().unwrap();
    let app_id = s.objects.application_id.clone().unwrap();
    // Halo restored from a backup: the application is gone, and a human agent with our
    // username got our agent's id (someone even gave it our role).
    e.sim.with_state(|st| {
        st.applications.retain(|a| !a.is(&app_id));
        let a = st.agent_mut(agent_id).unwrap();
        a.set("isapiagent", false);
        a.set("email", "robin@acme.example");
    });
    let listed = rollback::assess(&e.admin, &s).await.unwrap();
    let line = |o: Object| listed.iter().find(|i| i.object == o).unwrap().line(false);
    assert!(line(Object::Application).contains("already gone"));
    assert!(
        line(Object::Agent).contains("would be kept"),
        "{}",
        line(Object::Agent)
    );
    assert!(line(Object::Role).contains("would delete"));
    let items = rollback::rollback(&e.admin, &e.journal, &mut s)
        .await
        .unwrap();
    let fate = |o: Object| items.iter().find(|i| i.object == o).unwrap().fate.clone();
    assert_eq!(fate(Object::Application), Fate::AlreadyGone);
    match fate(Object::Agent) {
        Fate::Kept(why) => assert!(why.contains("full agent"), "{why}"),
        other => panic!("{other:?}"),
    }
    assert_eq!(fate(Object::Role), Fate::Delete);
    assert!(
        e.sim.with_state(|st| st.agent(agent_id).is_some()),
        "the human stays"
    );
    assert!(e.sim.with_state(|st| st.role(&role_id).is_none()));
    // A second rollback finds nothing left to do.
    assert!(
        rollback::rollback(&e.admin, &e.journal, &mut s)
            .await
            .unwrap()
            .is_empty()
    );
}

// --- CLI level.

/// "Done when", the README's drift flow against `halo-onboard sandbox`: apply, untick two
/// scopes, `check last` exits 1, apply again exits 0 with the original client id, `check last`
/// exits 0 with the credentials handed over the first time.
#[tokio::test]
async fn sandbox_drift_is_found_repaired_and_checked_with_the_first_credentials() {
    let sb = sandbox(&[]).await;
    let home = Home::new();
    let boot = [("HALO_CLIENT_SECRET", sb.client_secret.as_str())];
    let apply_args = apply_topleft(&sb.url, &["--client-id", &sb.client_id, "--json"]);
    let r = home.run(&apply_args, &boot).await;
    assert_eq!(r.code, 0, "{}\n{}", r.stdout, r.stderr);
    let first = r.json();
    let client_id = first["client_id"].as_str().unwrap().to_string();
    let app_id = first["application_id"].as_str().unwrap().to_string();
    let file = first["credentials_file"].as_str().unwrap().to_string();
    let handed = read_env_file(std::path::Path::new(&file));
    let secret = handed["HALO_APP_CLIENT_SECRET"].clone();
    assert_eq!(handed["HALO_APP_CLIENT_ID"], client_id);

    // The curl of the README: POST the application with one scope.
    let admin = sb.admin();
    let patch = serde_json::json!({"id": app_id, "scopes": [{"name": "all:standard"}]});
    admin
        .update_application_fields(patch.as_object().unwrap(), None)
        .await
        .unwrap();

    // `check last` needs nothing else: the journal and the hand-over know the rest.
    let r = home.run(&["check", "last"], &boot).await;
    assert_eq!(r.code, 1, "{}\n{}", r.stdout, r.stderr);
    assert!(
        r.stdout.contains("missing [all:teams admin:webhooks]"),
        "{}",
        r.stdout
    );
    let repair = format!(
        "halo-onboard apply --setup {} --yes",
        first["session"].as_str().unwrap()
    );
    let fix = r
        .stdout
        .lines()
        .find(|l| l.contains("fix:") && l.contains("Permissions"))
        .unwrap_or_default();
    assert!(fix.trim_end().ends_with(&format!("`{repair}`")), "{fix}");
    assert!(!r.stdout.contains(&secret) && !r.stderr.contains(&secret));

    // The long form of apply again: a repair, verified with the first hand-over.
    let r = home.run(&apply_args, &boot).await;
    assert_eq!(r.code, 0, "{}\n{}", r.stdout, r.stderr);
    let again = r.json();
    assert_eq!(again["ok"], true);
    assert_eq!(again["writes"], 1);
    assert_eq!(again["client_id"], client_id.as_str());
    assert_eq!(again["verified"], true);
    assert_eq!(again["new_secret"], false);
    assert_eq!(again["verified_with"]["kind"], "existing");
    assert_eq!(again["credentials_file"], file.as_str());
    let apps = admin.applications().await.unwrap();
    let app = apps
        .iter()
        .find(|a| a.id.as_deref() == Some(app_id.as_str()))
        .unwrap();
    assert_eq!(
        app.client_id, client_id,
        "GET /api/Application: the original client id"
    );
    assert_eq!(app.scopes.len(), 3);

    // `check last` is now the re-apply's setup (started within the same second); it finds
    // the first hand-over.
    let r = home.run(&["check", "last"], &boot).await;
    assert_eq!(r.code, 0, "{}\n{}", r.stdout, r.stderr);
    let second = again["session"].as_str().unwrap();
    assert!(
        r.stderr.contains(&format!("Checking setup {second}")),
        "{}",
        r.stderr
    );
    assert!(r.stdout.contains("all checks passed"), "{}", r.stdout);
    // Without the bootstrap secret too (token and probes only).
    let r = home.run(&["check", "last", "--json"], &[]).await;
    assert_eq!(r.code, 0, "{}\n{}", r.stdout, r.stderr);
    assert_eq!(r.json()["ok"], true);
}

#[tokio::test]
async fn an_existing_out_file_exits_2_and_stays_byte_identical() {
    let sim = spawn(Default::default()).await;
    let home = Home::new();
    let f = home.dir.path().join("existing.env");
    let bytes = b"UNRELATED=1\nkeep me\n".to_vec();
    std::fs::write(&f, &bytes).unwrap();
    let f_s = f.to_str().unwrap();
    let apply_to = |out: &str, force: bool| {
        let mut args = vec!["apply", "--url", &sim.url, "--profile", "topleft"];
        args.extend(["--out", out, "--yes"]);
        if force {
            args.push("--force");
        }
        args.into_iter().map(String::from).collect::<Vec<_>>()
    };
    let (home, sim) = (&home, &sim);
    let run = |args: Vec<String>| async move { home.run_sim(sim, &args).await.parts() };
    let (code, out, err) = run(apply_to(f_s, false)).await;
    assert_eq!(code, 2, "{out}\n{err}");
    assert!(
        err.contains("already exists") && err.contains("--force"),
        "{err}"
    );
    assert_eq!(std::fs::read(&f).unwrap(), bytes, "byte-identical");
    let writes = sim.requests().iter().filter(|r| r.method != "GET").count();
    assert!(
        sim.requests()
            .iter()
            .all(|r| !r.path.starts_with("/api/") || r.method == "GET"),
        "nothing reached Halo ({writes} writes)"
    );
    assert!(home.session_ids().is_empty(), "no setup was started");

    // Other names it does not write, a folder it would have to create, a symlink.
    let link = home.dir.path().join("link.env");
    #[cfg(unix)]
    std::os::unix::fs::symlink(&f, &link).unwrap();
    let missing = home.dir.path().join("no/such/dir/creds.env");
    for (out, want) in [
        (home.dir.path().join("creds.yaml"), ".env, .json or .toml"),
        (missing.clone(), "does not exist"),
        (link, "symbolic link"),
    ] {
        let o = out.to_str().unwrap();
        let (code, _, err) = run(apply_to(o, false)).await;
        assert_eq!(code, 2, "{o}: {err}");
        assert!(err.contains(want), "{o}: {err}");
    }
    assert!(!home.dir.path().join("creds.yaml").exists());
    assert!(!home.dir.path().join("no").exists(), "no folder created");
    assert_eq!(std::fs::read(&f).unwrap(), bytes);

    // --force replaces it (the user asked), still 0600.
    let (code, out, err) = run(apply_to(f_s, true)).await;
    assert_eq!(code, 0, "{out}\n{err}");
    assert!(read_env_file(&f).contains_key("HALO_APP_CLIENT_SECRET"));
}

#[tokio::test]
async fn reapply_says_what_happened_once_and_exit_1_means_not_verified() {
    let sim = spawn(Default::default()).await;
    let home = Home::new();
    let base = ["apply", "--url", &sim.url, "--profile", "topleft"];
    let (code, _, err) = home
        .run_sim(&sim, &[&base[..], &["--yes"]].concat())
        .await
        .parts();
    assert_eq!(code, 0, "{err}");
    let first = home.session_ids().pop().unwrap();
    let file = home.handover(&first);
    let client_id = read_env_file(&file)["HALO_APP_CLIENT_ID"].clone();
    // The plan says what apply will do with the secret: nothing.
    let (code, out, _) = home.run_sim(&sim, &base).await.parts();
    assert_eq!(code, 0);
    assert!(!out.contains("new one will be generated"), "{out}");
    assert!(out.contains("a new secret only with --new-secret"), "{out}");
    // The hand-over file is gone (given to the vendor, deleted): nothing can verify.
    std::fs::remove_file(&file).unwrap();
    let s = home.journal().load(&first).unwrap();
    untick_two_scopes(&sim, &s);
    let (code, out, err) = home
        .run_sim(&sim, &[&base[..], &["--yes"]].concat())
        .await
        .parts();
    assert_eq!(code, 1, "{out}\n{err}");
    assert!(
        out.contains("Objects repaired; credentials not verified."),
        "{out}"
    );
    assert!(out.contains("Application updated"), "{out}");
    assert!(out.contains(&format!("Client ID: {client_id}")), "{out}");
    assert!(!out.contains("already exists and matches"), "{out}");
    assert!(
        err.contains("Application 'TopLeft': updated (scopes: missing"),
        "{err}"
    );
    assert!(err.contains("secret left unchanged"), "{err}");
    assert!(!err.contains("generat"), "{err}");
    // JSON says the same; --no-verify accepts it.
    let (code, out, _) = home
        .run_sim(
            &sim,
            &[&base[..], &["--yes", "--json", "--no-verify"]].concat(),
        )
        .await
        .parts();
    assert_eq!(code, 0, "{out}");
    let v: Value = serde_json::from_str(out.trim()).unwrap();
    assert_eq!(v["ok"], true);
    assert_eq!(v["verified"], false);
    assert_eq!(v["verification"], Value::Null);
    assert_eq!(v["writes"], 0);
    assert_eq!(v["client_id"], client_id.as_str());
    assert!(v["message"].as_str().unwrap().contains("not verified"));
    // With the secret given, it is verified (exit 0) and nothing changes in Halo.
    let secret = sim.with_state(|st| {
        st.application(s.objects.application_id.as_deref().unwrap())
            .unwrap()
            .str("clientSecret")
            .to_string()
    });
    let sf = home.dir.path().join("app.secret");
    std::fs::write(&sf, &secret).unwrap();
    let sf_s = sf.to_str().unwrap();
    let (code, out, err) = home
        .run_sim(
            &sim,
            &[&base[..], &["--yes", "--app-secret-file", sf_s]].concat(),
        )
        .await
        .parts();
    assert_eq!(code, 0, "{out}\n{err}");
    assert!(out.contains("Nothing to change in Halo"), "{out}");
    assert!(
        out.contains(&format!(
            "the existing credentials from --app-secret-file {sf_s}"
        )),
        "{out}"
    );
    assert!(!out.contains(&secret) && !err.contains(&secret));
}

#[tokio::test]
async fn rollback_from_the_cli_keeps_what_is_not_ours_and_retries_with_rollback() {
    let sim = spawn(Default::default()).await;
    let home = Home::new();
    let args = apply_topleft(&sim.url, &[]);
    let (code, _, err) = home.run_sim(&sim, &args).await.parts();
    assert_eq!(code, 0, "{err}");
    let id = home.session_ids().pop().unwrap();
    // The journal's agent id is pointed at another agent (Sam Support, id 3).
    let path = home.state().join("sessions").join(format!("{id}.json"));
    let mut j: Value = serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
    j["objects"]["agent_id"] = 3.into();
    std::fs::write(&path, serde_json::to_vec_pretty(&j).unwrap()).unwrap();

    let (code, out, err) = home.run_sim(&sim, &["rollback", "last"]).await.parts();
    assert_eq!(code, 0, "{err}");
    assert!(
        out.contains("agent 3: not ours any more, would be kept"),
        "{out}"
    );
    assert!(
        out.contains("'Sam Support'") || out.contains("Sam Support"),
        "{out}"
    );
    // A refused delete stops it: the retry is the rollback command, not resume.
    sim.refuse_writes(&["application"]);
    let (code, _, err) = home
        .run_sim(&sim, &["rollback", &id[..12], "--yes"])
        .await
        .parts();
    assert_ne!(code, 0);
    assert!(
        err.contains(&format!("halo-onboard rollback {id} --yes")),
        "{err}"
    );
    assert!(!err.contains("resume"), "{err}");
    sim.refuse_writes(&[]);
    let (code, out, err) = home
        .run_sim(&sim, &["rollback", &id, "--yes", "--json"])
        .await
        .parts();
    assert_eq!(code, 0, "{err}");
    let v: Value = serde_json::from_str(out.trim()).unwrap();
    let fates: Vec<(String, String)> = v["objects"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| {
            (
                o["object"].as_str().unwrap().into(),
                o["fate"].as_str().unwrap().into(),
            )
        })
        .collect();
    assert_eq!(
        fates,
        [
            ("application".to_string(), "delete".to_string()),
            ("agent".into(), "kept".into()),
            ("role".into(), "delete".into())
        ]
    );
    let why = v["objects"][1]["reason"].as_str().unwrap();
    assert!(why.contains("Sam Support"), "{why}");
    assert!(
        sim.with_state(|st| st.agent(3).is_some()),
        "Sam Support stays"
    );
}

#[tokio::test]
async fn setup_references_resolve_or_say_why() {
    let sim = spawn(Default::default()).await;
    let home = Home::new();
    let j = home.journal();
    for slug in ["topleft-aaaaaa", "topleft-bbbbbb"] {
        let mut s = j.draft(topleft(), None);
        s.id = format!("20260101-000000-{slug}");
        j.save(&mut s).unwrap();
    }
    let (code, _, err) = home.run_sim(&sim, &["check", "20260101"]).await.parts();
    assert_eq!(code, 2);
    assert!(
        err.contains("ambiguous") && err.contains("topleft-aaaaaa"),
        "{err}"
    );
    let (code, _, err) = home.run_sim(&sim, &["rollback", "nope"]).await.parts();
    assert_eq!(code, 2);
    assert!(
        err.contains("no setup with id 'nope'") && err.contains("last"),
        "{err}"
    );
    let (code, _, err) = home
        .run_sim(&sim, &["check", "20260101-000000-topleft-a"])
        .await
        .parts();
    assert_eq!(code, 2);
    assert!(
        err.contains("has no Halo address") || err.contains("no application"),
        "{err}"
    );
}

#[tokio::test]
async fn a_journal_whose_id_escapes_is_refused_and_nothing_is_written_outside() {
    let sim = spawn(Default::default()).await;
    let home = Home::new();
    let j = home.journal();
    let mut s = j.create(topleft(), None).unwrap();
    let path = home.state().join("sessions").join(format!("{}.json", s.id));
    let text = std::fs::read_to_string(&path).unwrap().replacen(
        &format!("\"id\": \"{}\"", s.id),
        "\"id\": \"../../../x\"",
        1,
    );
    std::fs::write(&path, &text).unwrap();
    let (code, _, err) = home
        .run_sim(&sim, &["resume", &s.id, "--yes"])
        .await
        .parts();
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains("is damaged") && err.contains("../../../x"),
        "{err}"
    );
    let (code, _, err) = home.run_sim(&sim, &["sessions"]).await.parts();
    assert_eq!(code, 0);
    assert!(err.contains("not this file's name"), "{err}");
    assert_eq!(
        std::fs::read_to_string(&path).unwrap(),
        text,
        "left untouched"
    );
    assert!(!home.dir.path().join("x.json").exists());
    s.id = "../../../x".into();
    assert!(j.save(&mut s).is_err());
}

#[cfg(unix)]
#[tokio::test]
async fn a_state_dir_of_another_user_is_refused_with_path_and_owner() {
    // SAFETY: geteuid has no preconditions.
    if unsafe { libc::geteuid() } != 0 {
        eprintln!("not root: cannot make a directory another user owns; skipping");
        return;
    }
    let sim = spawn(Default::default()).await;
    let home = Home::new();
    std::fs::create_dir_all(home.state()).unwrap();
    std::os::unix::fs::chown(home.state(), Some(65534), Some(65534)).unwrap();
    let (code, _, err) = home.run_sim(&sim, &["sessions"]).await.parts();
    assert_eq!(code, 2, "{err}");
    assert!(err.contains(&home.state().display().to_string()), "{err}");
    assert!(err.contains("uid 65534"), "{err}");
    let _ = Journal::open(&home.dir.path().join("mine")).unwrap();
}

#[tokio::test]
async fn a_planted_temp_name_or_symlink_never_receives_the_secret() {
    // The old temp name was `.<name>.<pid>.tmp`: plant links on it and on the final name.
    let e = env().await;
    let mut s = e.journal.create(topleft(), Some(e.ep.clone())).unwrap();
    let sessions = e.journal.dir().join("sessions");
    let victim = e.dir.path().join("victim");
    std::fs::write(&victim, b"precious").unwrap();
    #[cfg(unix)]
    {
        let planted = sessions.join(format!(".{}.secret.{}.tmp", s.id, std::process::id()));
        std::os::unix::fs::symlink(&victim, planted).unwrap();
    }
    let secret = SecretString::from("SECRET-0123456789abcdef".to_string());
    e.journal.store_secret(&mut s, &secret).unwrap();
    assert_eq!(std::fs::read(&victim).unwrap(), b"precious");
    assert_eq!(
        e.journal.load_secret(&s.id).unwrap().expose_secret(),
        secret.expose_secret()
    );
    #[cfg(unix)]
    {
        let final_name = sessions.join(format!("{}.secret", s.id));
        std::fs::remove_file(&final_name).unwrap();
        std::os::unix::fs::symlink(&victim, &final_name).unwrap();
        assert!(e.journal.store_secret(&mut s, &secret).is_err());
        assert_eq!(std::fs::read(&victim).unwrap(), b"precious");
        // Opening the journal again sweeps temps without following the planted link.
        let _ = Journal::open(e.journal.dir()).unwrap();
        assert_eq!(std::fs::read(&victim).unwrap(), b"precious");
    }
}

/// Repro 2 in a batch: a re-run whose hand-over is gone repairs but is not "ok" unless
/// `--no-verify`; with the hand-over in place it verifies with it.
#[tokio::test]
async fn batch_reapply_is_verified_with_the_hand_over_or_reported_unverified() {
    use halo_onboard::headless::batch::{self, BatchOptions};
    let sim = spawn(Default::default()).await;
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("boot.secret"), &sim.client_secret).unwrap();
    let file = dir.path().join("fleet.toml");
    std::fs::write(
        &file,
        format!(
            "[[instance]]\nname = \"acme\"\nurl = \"{}\"\nclient_id = \"{}\"\nclient_secret_file = \"boot.secret\"\nprofile = \"topleft\"\nout = \"acme.env\"\n",
            sim.url, sim.client_id
        ),
    )
    .unwrap();
    let journal = Journal::open(&dir.path().join("state")).unwrap();
    let instances = batch::load(&file).unwrap();
    let opts = |no_verify: bool| BatchOptions {
        yes: true,
        dry_run: false,
        new_secret: false,
        force: false,
        no_verify,
        concurrency: 1,
        progress: false,
        client: fast_opts(),
        deadline: None,
    };
    let first = batch::run_batch(&instances, &journal, &opts(false)).await;
    assert!(first[0].ok(), "{:?}", first[0]);
    let out = dir.path().join("acme.env");
    let client_id = read_env_file(&out)["HALO_APP_CLIENT_ID"].clone();
    // The same batch again: the existing acme.env is this setup's own hand-over, so it runs,
    // changes nothing, and verifies with it.
    let again = batch::run_batch(&instances, &journal, &opts(false)).await;
    let o = again[0].outcome.as_ref().unwrap();
    assert!(again[0].ok(), "{:?}", again[0]);
    assert_eq!(o.writes, 0);
    assert!(matches!(
        o.verified_with,
        Some(VerifiedWith::Existing { .. })
    ));
    assert_eq!(o.client_id.as_deref(), Some(client_id.as_str()));
    // Given to the vendor and deleted: not verified, so not ok, and the table says why.
    std::fs::remove_file(&out).unwrap();
    let r = batch::run_batch(&instances, &journal, &opts(false)).await;
    assert!(!r[0].ok());
    let e = r[0].error.as_deref().unwrap();
    assert!(e.contains("credentials not verified"), "{e}");
    let table = batch::results_text(&r);
    assert!(
        table.contains("not verified") && table.contains("--no-verify"),
        "{table}"
    );
    let r = batch::run_batch(&instances, &journal, &opts(true)).await;
    assert!(r[0].ok(), "--no-verify accepts it: {:?}", r[0]);
    assert!(
        !out.exists(),
        "nothing handed over: the secret did not change"
    );
}

/// Issue 20 item 10a: Halo issues its own client id and secret (generate mode) and the session
/// dies after Halo saved the application but before its answer was read. The journal holds a
/// secret Halo never took: resume finds out which credentials Halo holds (its own client id
/// for the application) and gives that same application a fresh secret through the lost-secret
/// route, instead of blaming Halo and sending the admin to the web UI. Exactly one of each.
#[tokio::test]
async fn a_lost_create_answer_in_generate_mode_resumes_with_a_fresh_secret() {
    use halo_onboard::sim::{DropMode, SecretMode, SimConfig};
    let e = env_with(SimConfig {
        secret_mode: SecretMode::Generate,
        ..SimConfig::default()
    })
    .await;
    let mut s = e.journal.create(topleft(), Some(e.ep.clone())).unwrap();
    let id = s.id.clone();
    // Writes: 0 role, 1 agent, 2 application. Halo saves it; its answer never arrives.
    e.sim.drop_nth_write(2, DropMode::AfterProcessing);
    let a = applier(&e.admin, &e.journal);
    let lk = a.lookups(&s).await.unwrap();
    assert!(
        a.apply_and_verify(&mut s, lk).await.is_err(),
        "the drop surfaces"
    );
    // A new process resumes from the journal.
    let mut resumed = e.journal.load(&id).unwrap();
    let lk = a.lookups(&resumed).await.unwrap();
    let f = a
        .apply_and_verify(&mut resumed, lk)
        .await
        .unwrap_or_else(|err| panic!("resume blamed Halo: {err}"));
    assert!(
        f.verification
            .as_ref()
            .is_some_and(halo_onboard::plan::verify::Verification::passed),
        "{:#?}",
        f.verification
    );
    assert_eq!(named(&e.sim, &resumed), (1, 1, 1));
    // The credentials handed over are the ones Halo holds.
    let (cid, secret, _) = app_in_halo(&e.sim, &resumed);
    assert_eq!(f.applied.client_id, cid);
    assert_eq!(
        f.applied.client_secret.as_ref().unwrap().expose_secret(),
        secret
    );
}
