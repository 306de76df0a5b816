//! The one way the tests run the binary: in a private home (state dir, config and profile
//! dirs, HOME) with a clean environment, so nothing of the caller's (a HALO_* secret, a theme,
//! a user profile) leaks into a run.

use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::Duration;

use halo_onboard::journal::Journal;
use halo_onboard::sim::SimHandle;

pub(crate) const BIN: &str = env!("CARGO_BIN_EXE_halo-onboard");

/// What a run printed.
#[derive(Debug)]
pub(crate) struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    fn from(out: std::process::Output) -> Self {
        Self {
            code: out.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        }
    }
    /// (exit code, stdout, stderr).
    pub(crate) fn parts(self) -> (i32, String, String) {
        (self.code, self.stdout, self.stderr)
    }
    /// The JSON object printed on stdout (`--json`).
    pub(crate) fn json(&self) -> serde_json::Value {
        serde_json::from_str(self.stdout.trim())
            .unwrap_or_else(|e| panic!("stdout is not JSON ({e}): {}", self.stdout))
    }
}

/// The emulator's bootstrap credentials, as the binary reads them (the secret never on argv).
pub(crate) fn boot_env(sim: &SimHandle) -> [(&'static str, &str); 2] {
    [
        ("HALO_CLIENT_ID", sim.client_id.as_str()),
        ("HALO_CLIENT_SECRET", sim.client_secret.as_str()),
    ]
}

/// `apply --url URL --profile topleft --yes` then `extra`: the run most tests start from.
pub(crate) fn apply_topleft<'a>(url: &'a str, extra: &[&'a str]) -> Vec<&'a str> {
    let mut v = vec!["apply", "--url", url, "--profile", "topleft", "--yes"];
    v.extend_from_slice(extra);
    v
}

/// `apply --instance sb --profile topleft --yes`: the same run through the saved instance `sb`.
pub(crate) const APPLY_TOPLEFT_SB: [&str; 6] =
    ["apply", "--instance", "sb", "--profile", "topleft", "--yes"];

/// A private home for runs of the binary.
pub(crate) struct Home {
    pub dir: tempfile::TempDir,
}

impl Default for Home {
    fn default() -> Self {
        Self::new()
    }
}

impl Home {
    pub(crate) fn new() -> Self {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("profiles")).unwrap();
        Self { dir }
    }
    pub(crate) fn path(&self) -> &Path {
        self.dir.path()
    }
    pub(crate) fn state(&self) -> PathBuf {
        self.path().join("state")
    }
    pub(crate) fn journal(&self) -> Journal {
        Journal::open(&self.state()).unwrap()
    }
    /// Ids of the setups on disk, oldest first.
    pub(crate) fn session_ids(&self) -> Vec<String> {
        super::emulator::session_ids(&self.state())
    }
    /// The default hand-over file of setup `id`.
    pub(crate) fn handover(&self, id: &str) -> PathBuf {
        self.state().join("handover").join(format!("{id}.env"))
    }

    /// The variables a run gets: this home's directories and PATH, nothing else of ours.
    pub(crate) fn vars(&self) -> Vec<(&'static str, String)> {
        let p = |x: &Path| x.display().to_string();
        vec![
            ("PATH", std::env::var("PATH").unwrap_or_default()),
            ("HOME", p(self.path())),
            ("XDG_STATE_HOME", p(&self.path().join("xdg-state"))),
            ("XDG_CONFIG_HOME", p(&self.path().join("xdg-config"))),
            ("HALO_ONBOARD_STATE_DIR", p(&self.state())),
            (
                "HALO_ONBOARD_PROFILES_DIR",
                p(&self.path().join("profiles")),
            ),
        ]
    }

    /// The binary with `args`, this home's variables and `env`; stdin empty, output captured.
    pub(crate) fn command<I, S>(&self, args: I, env: &[(&str, &str)]) -> tokio::process::Command
    where
        I: IntoIterator<Item = S>,
        S: AsRef<OsStr>,
    {
        let mut c = std::process::Command::new(BIN);
        c.args(args).env_clear();
        for (k, v) in self.vars() {
            c.env(k, v);
        }
        for (k, v) in env {
            c.env(k, v);
        }
        c.stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        let mut c = tokio::process::Command::from(c);
        c.kill_on_drop(true);
        c
    }

    /// Runs to completion (at most 90 s).
    pub(crate) async fn run<I, S>(&self, args: I, env: &[(&str, &str)]) -> Run
    where
        I: IntoIterator<Item = S>,
        S: AsRef<OsStr>,
    {
        let out = tokio::time::timeout(Duration::from_secs(90), self.command(args, env).output())
            .await
            .expect("the binary finished in time")
            .unwrap();
        Run::from(out)
    }

    /// [`Home::run`] from a test without a runtime.
    pub(crate) fn run_blocking<I, S>(&self, args: I, env: &[(&str, &str)]) -> Run
    where
        I: IntoIterator<Item = S>,
        S: AsRef<OsStr>,
    {
        let mut c = self.command(args, env).into_std();
        Run::from(c.output().unwrap())
    }

    /// The binary with the emulator's bootstrap credentials in the environment.
    pub(crate) fn cmd<I, S>(&self, sim: &SimHandle, args: I) -> tokio::process::Command
    where
        I: IntoIterator<Item = S>,
        S: AsRef<OsStr>,
    {
        self.command(args, &boot_env(sim))
    }

    /// [`Home::run`] with the emulator's bootstrap credentials.
    pub(crate) async fn run_sim<I, S>(&self, sim: &SimHandle, args: I) -> Run
    where
        I: IntoIterator<Item = S>,
        S: AsRef<OsStr>,
    {
        self.run(args, &boot_env(sim)).await
    }
}

/// `halo-onboard sandbox` as its own process: its URL and bootstrap credentials, from the one
/// JSON line it prints. Killed when dropped.
pub(crate) struct Sandbox {
    pub child: tokio::process::Child,
    pub url: String,
    pub client_id: String,
    pub client_secret: String,
    _home: Home,
}

/// Starts `halo-onboard sandbox --listen 127.0.0.1:0` with `extra` arguments.
pub(crate) async fn sandbox(extra: &[&str]) -> Sandbox {
    use tokio::io::AsyncBufReadExt;
    let home = Home::new();
    let mut args = vec!["sandbox", "--listen", "127.0.0.1:0"];
    args.extend_from_slice(extra);
    let mut c = home.command(&args, &[]);
    c.stderr(Stdio::null());
    let mut child = c.spawn().unwrap();
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
        _home: home,
    }
}

impl Sandbox {
    /// An admin client on it (the bootstrap credentials): what a `curl` with a token does.
    pub(crate) fn admin(&self) -> halo_onboard::halo::Client {
        super::emulator::client(&self.url, &self.client_id, &self.client_secret)
    }
    /// Its bootstrap credentials, as the binary reads them.
    pub(crate) fn boot_env(&self) -> [(&'static str, &str); 2] {
        [
            ("HALO_CLIENT_ID", self.client_id.as_str()),
            ("HALO_CLIENT_SECRET", self.client_secret.as_str()),
        ]
    }
}
