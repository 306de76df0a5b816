//! The one emulator fixture: an in-process emulator per test, the admin client on it, a private
//! journal, and the checks most tests end with (exactly one of each object, working
//! credentials, a finished journal).

use std::collections::HashMap;
use std::path::Path;
use std::time::Duration;

use halo_onboard::halo::{Client, ClientOptions, Credentials, Endpoint};
use halo_onboard::journal::{Journal, Session};
use halo_onboard::plan::apply::{Applied, Applier};
use halo_onboard::plan::verify::{self, Target, Verification};
use halo_onboard::sim::{self, SimConfig, SimHandle};
use secrecy::SecretString;

use super::bin::Home;

/// Client options for tests: short timeout, quick retries.
pub(crate) fn fast_opts() -> ClientOptions {
    ClientOptions {
        timeout: Duration::from_secs(5),
        max_retries: 3,
        backoff_base: Duration::from_millis(5),
        backoff_max: Duration::from_millis(50),
        events: None,
        ca: None,
    }
}

/// An emulator on 127.0.0.1, configured as `cfg`.
pub(crate) async fn spawn(cfg: SimConfig) -> SimHandle {
    sim::spawn(cfg, "127.0.0.1:0".parse().unwrap())
        .await
        .unwrap()
}

/// An emulator as `SimConfig::default()` seeds it.
pub(crate) async fn emulator() -> SimHandle {
    spawn(SimConfig::default()).await
}

/// A client on a hosted Halo at `url` with these credentials and the bootstrap scopes.
pub(crate) fn client(url: &str, client_id: &str, secret: &str) -> Client {
    client_with(url, client_id, secret, fast_opts())
}

/// [`client`] with other client options.
pub(crate) fn client_with(url: &str, client_id: &str, secret: &str, opts: ClientOptions) -> Client {
    let ep = Endpoint::hosted(url).unwrap();
    let creds = Credentials::new(client_id, secret, &["all", "admin"]);
    Client::new(ep, creds, opts).unwrap()
}

/// The emulator's bootstrap (admin) client.
pub(crate) fn admin(sim: &SimHandle) -> Client {
    client(&sim.url, &sim.client_id, &sim.client_secret)
}

/// An emulator, an admin client on it and a private journal: what engine-level tests start from.
pub(crate) struct Env {
    pub sim: SimHandle,
    pub ep: Endpoint,
    pub admin: Client,
    pub dir: tempfile::TempDir,
    pub journal: Journal,
}

pub(crate) async fn env() -> Env {
    env_with(SimConfig::default()).await
}

pub(crate) async fn env_with(cfg: SimConfig) -> Env {
    let sim = spawn(cfg).await;
    let ep = Endpoint::hosted(&sim.url).unwrap();
    let admin = admin(&sim);
    let dir = tempfile::tempdir().unwrap();
    let journal = Journal::open(&dir.path().join("state")).unwrap();
    Env {
        sim,
        ep,
        admin,
        dir,
        journal,
    }
}

pub(crate) fn session_ids(state: &Path) -> Vec<String> {
    let Ok(rd) = std::fs::read_dir(state.join("sessions")) else {
        return Vec::new();
    };
    let mut v: Vec<String> = rd
        .flatten()
        .filter_map(|e| e.file_name().to_str().map(String::from))
        .filter(|n| n.ends_with(".json") && !n.starts_with('.'))
        .map(|n| n.trim_end_matches(".json").to_string())
        .collect();
    v.sort();
    v
}

/// `KEY='value'` lines of an env hand-over file.
pub(crate) fn read_env_file(p: &Path) -> HashMap<String, String> {
    let text = std::fs::read_to_string(p).unwrap_or_default();
    text.lines()
        .filter_map(|l| l.split_once('='))
        .map(|(k, v)| (k.to_string(), v.trim_matches('\'').to_string()))
        .collect()
}

/// (roles, agents, applications) carrying `marker`. Halo's published schema has a place for it
/// only on roles (`notes`): agents are marked through the marked role they hold, applications
/// through the marked agent they log in as (the 2024 schema has no application description).
pub(crate) fn marked(sim: &SimHandle, marker: &str) -> (usize, usize, usize) {
    sim.with_state(|st| {
        let agents: Vec<i64> = st
            .agents
            .iter()
            .filter(|a| {
                a.list("roles").iter().any(|r| {
                    st.role(r["id"].as_str().unwrap_or_default())
                        .is_some_and(|role| role.str("notes").contains(marker))
                })
            })
            .filter_map(|a| a.i64("id"))
            .collect();
        (
            st.roles
                .iter()
                .filter(|r| r.str("notes").contains(marker))
                .count(),
            agents.len(),
            st.applications
                .iter()
                .filter(|a| {
                    a.i64("loginas_agent_id")
                        .is_some_and(|id| agents.contains(&id))
                })
                .count(),
        )
    })
}

/// (roles, agents, applications) named like the setup's answers: catches orphans whatever
/// their marker.
pub(crate) fn named(sim: &SimHandle, s: &Session) -> (usize, usize, usize) {
    let a = &s.answers;
    sim.with_state(|st| {
        (
            st.count_named("roles", &a.role.name),
            st.count_named("agents", &a.agent.name),
            st.count_named("applications", &a.application.name),
        )
    })
}

/// Objects carrying any halo-onboard marker: (roles, agents, applications).
pub(crate) fn any_marked(sim: &SimHandle) -> (usize, usize, usize) {
    marked(sim, "[halo-onboard:")
}

/// The credentials work: a token for the setup's scopes and `Agent/me` is the expected agent.
pub(crate) async fn creds_work(
    sim: &SimHandle,
    client_id: &str,
    secret: &str,
    scopes: &[String],
    agent_id: i64,
) -> Result<(), String> {
    let ep = Endpoint::hosted(&sim.url).unwrap();
    let scopes = halo_onboard::halo::scopes::normalise(scopes);
    let refs: Vec<&str> = scopes.iter().map(String::as_str).collect();
    let c = Client::new(ep, Credentials::new(client_id, secret, &refs), fast_opts())
        .map_err(|e| e.to_string())?;
    c.token().await.map_err(|e| format!("token: {e}"))?;
    let me = c.me().await.map_err(|e| format!("Agent/me: {e}"))?;
    if me.id == Some(agent_id) {
        Ok(())
    } else {
        Err(format!("Agent/me is {:?}, expected {agent_id}", me.id))
    }
}

/// The whole "finished setup" check for a binary run: exactly one of each with the marker and
/// by name, hand-over file credentials work, journal handed over, pending secret wiped.
pub(crate) async fn assert_finished(sim: &SimHandle, home: &Home, id: &str, ctx: &str) {
    let s = home
        .journal()
        .load(id)
        .unwrap_or_else(|e| panic!("{ctx}: {e}"));
    assert_eq!(marked(sim, &s.marker()), (1, 1, 1), "{ctx}: by marker");
    assert_eq!(named(sim, &s), (1, 1, 1), "{ctx}: by name (orphans)");
    assert_eq!(any_marked(sim), (1, 1, 1), "{ctx}: any setup marker");
    assert_eq!(
        s.status,
        halo_onboard::journal::Status::HandedOver,
        "{ctx}: journal status"
    );
    assert!(!s.secret_pending, "{ctx}: secret still pending");
    let env = read_env_file(&home.handover(id));
    let (cid, sec, agent) = (
        env.get("HALO_APP_CLIENT_ID").cloned().unwrap_or_default(),
        env.get("HALO_APP_CLIENT_SECRET")
            .cloned()
            .unwrap_or_default(),
        env.get("HALO_AGENT_ID")
            .and_then(|a| a.parse::<i64>().ok())
            .unwrap_or_default(),
    );
    creds_work(sim, &cid, &sec, &s.answers.scopes, agent)
        .await
        .unwrap_or_else(|e| panic!("{ctx}: hand-over credentials: {e}"));
    assert_eq!(
        s.objects.agent_id,
        Some(agent),
        "{ctx}: hand-over agent id is the journal's"
    );
}

/// The TopLeft profile's answers: what most engine tests apply.
pub(crate) fn topleft() -> halo_onboard::answers::Answers {
    halo_onboard::profile::answers_for("topleft").unwrap()
}

/// The apply engine on `client` with journal `journal`, no progress, no rotation.
pub(crate) fn applier<'a>(client: &'a Client, journal: &'a Journal) -> Applier<'a> {
    Applier {
        client,
        journal,
        progress: None,
        regenerate_secret: false,
    }
}

/// Verifies an apply's new credentials (its secret must be at hand), with the admin client to
/// tell which layer blocks a failure.
pub(crate) async fn verify_applied(e: &Env, s: &Session, a: &Applied) -> Verification {
    let secret: SecretString = a.client_secret.clone().expect("a secret to hand over");
    let scopes = s.answers.scopes.clone();
    let t = Target {
        endpoint: &e.ep,
        client_id: &a.client_id,
        client_secret: &secret,
        scopes: &scopes,
        agent_id: a.agent_id,
        role: &s.answers.role,
        application_name: &s.answers.application.name,
    };
    verify::verify(&t, fast_opts(), Some(&e.admin)).await
}

/// An application that may only read tickets, logging in as the bootstrap agent: a bootstrap
/// credential without the admin permission.
pub(crate) fn add_read_only_app(sim: &SimHandle, client_id: &str, secret: &str) {
    let (client_id, secret) = (client_id.to_string(), secret.to_string());
    sim.with_state(move |st| {
        st.add_application(serde_json::json!({
            "id": "app-readonly",
            "clientId": client_id,
            "clientSecret": secret,
            "displayName": "Read only",
            "grant_type": "client_credentials",
            "loginas_agent_id": halo_onboard::sim::state::BOOTSTRAP_AGENT_ID,
            "scopes": [{"name": "read:tickets"}],
        }));
    });
}

/// The JSON answer of a request that must succeed at the transport level.
pub(crate) async fn json_of(rb: reqwest::RequestBuilder) -> serde_json::Value {
    rb.send().await.unwrap().json().await.unwrap()
}

/// After a kill at any instant: resume as a person would (the setup if one was journaled, else
/// the same apply again); then exactly one setup, finished, with working credentials.
pub(crate) async fn resume_and_finish(sim: &SimHandle, home: &Home, ctx: &str) {
    let leaked = |r: &super::bin::Run| {
        r.stdout.contains(&sim.client_secret) || r.stderr.contains(&sim.client_secret)
    };
    match home.session_ids().as_slice() {
        [] => {
            assert_eq!(
                any_marked(sim),
                (0, 0, 0),
                "{ctx}: objects without a journal"
            );
            let r = home
                .run_sim(sim, super::bin::apply_topleft(&sim.url, &[]))
                .await;
            assert_eq!(r.code, 0, "{ctx}: apply again: {}\n{}", r.stdout, r.stderr);
            assert!(!leaked(&r), "{ctx}: the bootstrap secret was printed");
        }
        [id] => {
            if !home.journal().load(id).unwrap().status.is_finished() {
                let r = home.run_sim(sim, ["resume", id, "--yes"]).await;
                assert_eq!(r.code, 0, "{ctx}: resume: {}\n{}", r.stdout, r.stderr);
                assert!(!leaked(&r), "{ctx}: the bootstrap secret was printed");
            }
        }
        many => panic!("{ctx}: several setups {many:?}"),
    }
    let ids = home.session_ids();
    assert_eq!(ids.len(), 1, "{ctx}");
    assert_finished(sim, home, &ids[0], ctx).await;
}
