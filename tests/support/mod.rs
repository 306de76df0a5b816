//! Shared helpers for the reliability tests: an emulator per case, the real binary run with a
//! private state dir, hand-over parsing, and the "exactly one of each, working credentials" check.
#![allow(dead_code)]

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::Duration;

use halo_onboard::halo::{Client, ClientOptions, Credentials, Endpoint};
use halo_onboard::journal::{Journal, Session};
use halo_onboard::sim::{self, SimConfig, SimHandle};

pub const BIN: &str = env!("CARGO_BIN_EXE_halo-onboard");

pub fn fast_opts() -> ClientOptions {
    ClientOptions {
        timeout: Duration::from_secs(5),
        max_retries: 3,
        backoff_base: Duration::from_millis(5),
        backoff_max: Duration::from_millis(50),
        events: None,
    }
}

pub async fn spawn_sim(cfg: SimConfig) -> SimHandle {
    sim::spawn(cfg, "127.0.0.1:0".parse().unwrap())
        .await
        .unwrap()
}

pub fn admin(sim: &SimHandle) -> Client {
    let ep = Endpoint::hosted(&sim.url).unwrap();
    let creds = Credentials::new(&sim.client_id, &sim.client_secret, &["all", "admin"]);
    Client::new(ep, creds, fast_opts()).unwrap()
}

/// An emulator, an admin client on it and a private journal: what engine-level tests start from.
pub struct Env {
    pub sim: SimHandle,
    pub ep: Endpoint,
    pub admin: Client,
    pub dir: tempfile::TempDir,
    pub journal: Journal,
}

pub async fn env() -> Env {
    let sim = spawn_sim(SimConfig::default()).await;
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

/// A private home for one run of the binary: state dir, empty user profiles dir.
pub struct Home {
    pub dir: tempfile::TempDir,
}

impl Home {
    pub fn new() -> Self {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("profiles")).unwrap();
        Self { dir }
    }
    pub fn state(&self) -> PathBuf {
        self.dir.path().join("state")
    }
    pub fn journal(&self) -> Journal {
        Journal::open(&self.state()).unwrap()
    }
    /// The binary with this home's env and the emulator's bootstrap credentials (secret via env).
    pub fn cmd(&self, sim: &SimHandle, args: &[&str]) -> tokio::process::Command {
        let mut c = tokio::process::Command::new(BIN);
        c.args(args)
            .env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env("HOME", self.dir.path())
            .env("XDG_STATE_HOME", self.dir.path().join("xdg-state"))
            .env("XDG_CONFIG_HOME", self.dir.path().join("xdg-config"))
            .env("HALO_ONBOARD_STATE_DIR", self.state())
            .env(
                "HALO_ONBOARD_PROFILES_DIR",
                self.dir.path().join("profiles"),
            )
            .env("HALO_CLIENT_ID", &sim.client_id)
            .env("HALO_CLIENT_SECRET", &sim.client_secret)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .kill_on_drop(true);
        c
    }
    /// Runs to completion: (exit code, stdout, stderr).
    pub async fn run(&self, sim: &SimHandle, args: &[&str]) -> (i32, String, String) {
        let out = self.cmd(sim, args).output().await.unwrap();
        (
            out.status.code().unwrap_or(-1),
            String::from_utf8_lossy(&out.stdout).into_owned(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    }
    /// Ids of the setups on disk.
    pub fn session_ids(&self) -> Vec<String> {
        session_ids(&self.state())
    }
    pub fn handover(&self, id: &str) -> PathBuf {
        self.state().join("handover").join(format!("{id}.env"))
    }
}

pub fn session_ids(state: &Path) -> Vec<String> {
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
pub fn read_env_file(p: &Path) -> HashMap<String, String> {
    let text = std::fs::read_to_string(p).unwrap_or_default();
    text.lines()
        .filter_map(|l| l.split_once('='))
        .map(|(k, v)| (k.to_string(), v.trim_matches('\'').to_string()))
        .collect()
}

/// (roles, agents, applications) carrying `marker`.
pub fn marked(sim: &SimHandle, marker: &str) -> (usize, usize, usize) {
    sim.with_state(|st| {
        (
            st.roles.iter().filter(|r| r.notes.contains(marker)).count(),
            st.agents
                .iter()
                .filter(|a| a.notes.contains(marker))
                .count(),
            st.applications
                .iter()
                .filter(|a| a.description.contains(marker))
                .count(),
        )
    })
}

/// (roles, agents, applications) named like the setup's answers: catches orphans whatever
/// their marker.
pub fn named(sim: &SimHandle, s: &Session) -> (usize, usize, usize) {
    let a = &s.answers;
    sim.with_state(|st| {
        (
            st.roles.iter().filter(|r| r.name == a.role.name).count(),
            st.agents.iter().filter(|x| x.name == a.agent.name).count(),
            st.applications
                .iter()
                .filter(|x| x.display_name == a.application.name)
                .count(),
        )
    })
}

/// Objects carrying any halo-onboard marker: (roles, agents, applications).
pub fn any_marked(sim: &SimHandle) -> (usize, usize, usize) {
    marked(sim, "[halo-onboard:")
}

/// The credentials work: a token for the setup's scopes and `Agent/me` is the expected agent.
pub async fn creds_work(
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
pub async fn assert_finished(sim: &SimHandle, home: &Home, id: &str, ctx: &str) {
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

/// What a run of the binary printed.
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

/// Runs the binary with a private state dir, no user profiles and only the given HALO_*
/// variables (the caller's bootstrap and app secrets are removed first).
pub async fn bin(args: &[&str], env: &[(&str, &str)], state: &Path) -> Run {
    let mut c = tokio::process::Command::new(BIN);
    c.args(args)
        .env("HALO_ONBOARD_STATE_DIR", state)
        .env("HALO_ONBOARD_PROFILES_DIR", state.join("no-profiles"))
        .env_remove("HALO_CLIENT_ID")
        .env_remove("HALO_CLIENT_SECRET")
        .env_remove("HALO_APP_CLIENT_SECRET")
        .stdin(Stdio::null())
        .kill_on_drop(true);
    for (k, v) in env {
        c.env(k, v);
    }
    let out = tokio::time::timeout(Duration::from_secs(90), c.output())
        .await
        .expect("the binary finished in time")
        .unwrap();
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into(),
        stderr: String::from_utf8_lossy(&out.stderr).into(),
    }
}

/// `halo-onboard sandbox` as its own process: its URL and bootstrap credentials, from the one
/// JSON line it prints. Killed when dropped.
pub struct Sandbox {
    pub child: tokio::process::Child,
    pub url: String,
    pub client_id: String,
    pub client_secret: String,
}

pub async fn sandbox() -> Sandbox {
    use tokio::io::AsyncBufReadExt;
    let mut child = tokio::process::Command::new(BIN)
        .args(["sandbox", "--listen", "127.0.0.1:0"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .unwrap();
    let mut line = String::new();
    let mut out = tokio::io::BufReader::new(child.stdout.take().unwrap());
    tokio::time::timeout(Duration::from_secs(20), out.read_line(&mut line))
        .await
        .unwrap()
        .unwrap();
    let hello: serde_json::Value = serde_json::from_str(line.trim()).unwrap();
    let field = |k: &str| hello[k].as_str().unwrap().to_string();
    Sandbox {
        url: field("url"),
        client_id: field("client_id"),
        client_secret: field("client_secret"),
        child,
    }
}

impl Sandbox {
    /// An admin client on it (the bootstrap credentials): what a `curl` with a token does.
    pub fn admin(&self) -> Client {
        let ep = Endpoint::hosted(&self.url).unwrap();
        let creds = Credentials::new(&self.client_id, &self.client_secret, &["all", "admin"]);
        Client::new(ep, creds, fast_opts()).unwrap()
    }
}
