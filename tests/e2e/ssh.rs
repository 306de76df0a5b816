//! The wizard over a real SSH session (issue 20: the tool is used over SSH, so it is tested
//! over SSH). A private `sshd` on a loopback port (throw-away host and user keys, made here)
//! serves `ssh -tt` running in tmux; the wizard it starts applies TopLeft against a
//! `halo-onboard sandbox` process (with a state file) in each way Halo may issue a secret
//! (honour, generate, hidden). Mid-apply the connection is cut — the ssh client killed, or the
//! sshd child serving the session — and a new SSH connection resumes the setup. Then Halo holds
//! exactly one role, one agent and one application of the setup, and the hand-over works: the
//! credentials handed over get a token.
//!
//! `.ci/run` installs openssh-server where `sshd` is missing. The test skips (saying why) only
//! when no sshd can be started at all.

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::common::bin::{BIN, Home, Sandbox, sandbox};
use crate::common::tmux::{Tui, have_tmux, topleft_to_apply};

/// A private sshd on 127.0.0.1, killed (with its session children) when dropped.
struct Sshd {
    child: Child,
    port: u16,
    dir: tempfile::TempDir,
    user: String,
}

impl Drop for Sshd {
    fn drop(&mut self) {
        for c in children(self.child.id() as i32) {
            // SAFETY: plain kill(2) on a process this test's sshd started.
            unsafe { libc::kill(c, libc::SIGKILL) };
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn sshd_binary() -> Option<PathBuf> {
    ["/usr/sbin/sshd", "/usr/local/sbin/sshd", "/sbin/sshd"]
        .iter()
        .map(PathBuf::from)
        .find(|p| p.is_file())
}

fn keygen(path: &Path) -> Result<(), String> {
    let ok = Command::new("ssh-keygen")
        .args(["-q", "-t", "ed25519", "-N", "", "-f"])
        .arg(path)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .map_err(|e| format!("ssh-keygen: {e}"))?
        .success();
    if ok {
        Ok(())
    } else {
        Err("ssh-keygen failed".into())
    }
}

fn user() -> String {
    // SAFETY: getpwuid(3) on our own uid; the name is copied out at once.
    unsafe {
        let pw = libc::getpwuid(libc::getuid());
        if pw.is_null() {
            return "root".into();
        }
        std::ffi::CStr::from_ptr((*pw).pw_name)
            .to_string_lossy()
            .into_owned()
    }
}

/// Starts sshd with keys made here; `Err` says why it cannot run on this machine.
fn start_sshd() -> Result<Sshd, String> {
    let bin = sshd_binary().ok_or("no sshd (install openssh-server; .ci/run does)")?;
    // Privilege separation needs its empty directory.
    if !Path::new("/run/sshd").is_dir() {
        std::fs::create_dir_all("/run/sshd")
            .map_err(|e| format!("cannot create /run/sshd: {e}"))?;
    }
    let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
    let d = dir.path();
    keygen(&d.join("host_key"))?;
    keygen(&d.join("user_key"))?;
    std::fs::copy(d.join("user_key.pub"), d.join("authorized_keys")).map_err(|e| e.to_string())?;
    let port = TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map_err(|e| e.to_string())?
        .port();
    let config = format!(
        "Port {port}\nListenAddress 127.0.0.1\nHostKey {d}/host_key\nPidFile {d}/sshd.pid\n\
         AuthorizedKeysFile {d}/authorized_keys\nPubkeyAuthentication yes\n\
         PasswordAuthentication no\nKbdInteractiveAuthentication no\nUsePAM no\n\
         StrictModes no\nPermitRootLogin prohibit-password\nLogLevel ERROR\n",
        d = d.display()
    );
    std::fs::write(d.join("sshd_config"), config).map_err(|e| e.to_string())?;
    let mut child = Command::new(&bin)
        .arg("-f")
        .arg(d.join("sshd_config"))
        .args(["-D", "-e"])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|e| format!("{}: {e}", bin.display()))?;
    let start = Instant::now();
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        if let Ok(Some(st)) = child.try_wait() {
            return Err(format!("sshd exited at once ({st})"));
        }
        if start.elapsed() > Duration::from_secs(10) {
            let _ = child.kill();
            return Err("sshd did not listen within 10 s".into());
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    Ok(Sshd {
        child,
        port,
        dir,
        user: user(),
    })
}

impl Sshd {
    /// `ssh` to this sshd, as a shell command line running `remote` there.
    fn ssh(&self, tty: bool, remote: &str) -> String {
        format!(
            "ssh {} -p {} -i '{}' -o BatchMode=yes -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null -o LogLevel=ERROR {}@127.0.0.1 {}",
            if tty { "-tt" } else { "-T" },
            self.port,
            self.dir.path().join("user_key").display(),
            self.user,
            shell_quote(remote)
        )
    }

    /// Runs `remote` over a new SSH connection (no terminal: the headless commands).
    fn run(&self, remote: &str) -> crate::common::bin::Run {
        let out = Command::new("sh")
            .arg("-c")
            .arg(self.ssh(false, remote))
            .stdin(Stdio::null())
            .output()
            .unwrap();
        crate::common::bin::Run {
            code: out.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        }
    }
}

fn shell_quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', "'\\''"))
}

/// The children of process `pid`.
fn children(pid: i32) -> Vec<i32> {
    std::fs::read_to_string(format!("/proc/{pid}/task/{pid}/children"))
        .unwrap_or_default()
        .split_whitespace()
        .filter_map(|p| p.parse().ok())
        .collect()
}

/// The parent of process `pid` (from `/proc/PID/stat`, after the command's closing paren).
fn parent(pid: i32) -> Option<i32> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    stat.rsplit(')')
        .next()?
        .split_whitespace()
        .nth(1)?
        .parse()
        .ok()
}

/// halo-onboard processes whose environment mentions `needle` (the remote wizard, by its
/// private home).
fn running_with(needle: &str) -> Vec<i32> {
    let Ok(rd) = std::fs::read_dir("/proc") else {
        return Vec::new();
    };
    rd.flatten()
        .filter_map(|e| e.file_name().to_str()?.parse::<i32>().ok())
        .filter(|pid| {
            std::fs::read(format!("/proc/{pid}/environ"))
                .ok()
                .is_some_and(|b| String::from_utf8_lossy(&b).contains(needle))
                && std::fs::read_link(format!("/proc/{pid}/exe"))
                    .is_ok_and(|p| p.ends_with("halo-onboard"))
        })
        .collect()
}

/// The remote command: the binary in a clean environment on `home`'s state (the same machine,
/// so the test reads the journal the remote wizard writes).
fn remote(home: &Home, extra_env: &[(&str, String)], args: &str) -> String {
    let mut vars: Vec<String> = home
        .vars()
        .into_iter()
        .map(|(k, v)| format!("{k}={}", shell_quote(&v)))
        .collect();
    vars.extend(
        extra_env
            .iter()
            .map(|(k, v)| format!("{k}={}", shell_quote(v))),
    );
    format!(
        "exec env -i TERM=\"${{TERM:-xterm}}\" {} {} {args}",
        vars.join(" "),
        shell_quote(BIN)
    )
}

fn journal(home: &Home) -> Option<serde_json::Value> {
    let id = home.session_ids().pop()?;
    let p = home.state().join("sessions").join(format!("{id}.json"));
    serde_json::from_slice(&std::fs::read(p).ok()?).ok()
}

#[derive(Debug, Clone, Copy)]
enum Cut {
    /// The admin's ssh client dies (the laptop lid, the Wi-Fi).
    Client,
    /// The sshd process serving the session dies (the server side drops it).
    SshdChild,
}

async fn post(url: String) -> serde_json::Value {
    crate::common::http_builder()
        .no_proxy()
        .build()
        .unwrap()
        .post(url)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}

async fn get(url: String) -> serde_json::Value {
    crate::common::http_builder()
        .no_proxy()
        .build()
        .unwrap()
        .get(url)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}

/// One secret mode, one way of cutting the connection.
async fn case(sshd: std::sync::Arc<Sshd>, mode: &'static str, cut: Cut) {
    let ctx = format!("{mode} {cut:?}");
    let home = Home::new();
    let state_file = home.path().join("sandbox-state.json");
    let sb: Sandbox = sandbox(&[
        "--secret-mode",
        mode,
        "--latency-ms",
        "60",
        "--state-file",
        state_file.to_str().unwrap(),
    ])
    .await;
    if mode == "generate" {
        // Halo saves the application, its answer (with the secret it issued) never arrives.
        post_json(
            &format!("{}/_sim/faults", sb.url),
            serde_json::json!({"drop_after": 1, "drop_writes_only": true, "drop_skip": 2}),
        )
        .await;
    }
    // The bootstrap secret in a file the saved instance names: never on a command line.
    let secret_file = home.path().join("sb.secret");
    std::fs::write(&secret_file, &sb.client_secret).unwrap();
    let cfg = home.path().join("config.toml");
    std::fs::write(
        &cfg,
        format!(
            "[instance.sb]\nurl = \"{}\"\nclient_id = \"{}\"\nsecret_file = \"{}\"\n",
            sb.url,
            sb.client_id,
            secret_file.display()
        ),
    )
    .unwrap();
    let env = [("HALO_ONBOARD_CONFIG", cfg.display().to_string())];
    let marker_home = home.path().display().to_string();
    let command = sshd.ssh(true, &remote(&home, &env, "--instance sb"));
    let t = tokio::task::spawn_blocking({
        let sshd = sshd.clone();
        move || {
            let t = Tui::start_command(home, &format!("ssh-{mode}"), &command, 120, 40);
            t.wait_for("1 · Connect");
            t.wait_for("log file:");
            t.wait_for("▶ [ Test connection ]");
            t.keys(&["Enter"]);
            t.wait_for("✓ Connected as");
            topleft_to_apply(&t);
            // Cut once the application's write is under way.
            let since = Instant::now();
            loop {
                let about_app = journal(&t.home).is_some_and(|v| {
                    v["entries"].as_array().is_some_and(|es| {
                        es.iter()
                            .any(|e| e["event"] == "about" && e["subject"] == "application")
                    })
                });
                if about_app {
                    break;
                }
                assert!(
                    since.elapsed() < Duration::from_secs(20),
                    "the apply never reached the application; screen:\n{}",
                    t.screen()
                );
                std::thread::sleep(Duration::from_millis(2));
            }
            if mode == "generate" {
                // Halo saved the application and issued its secret; the answer was lost.
                t.wait_for("connection was dropped");
            }
            match cut {
                Cut::Client => t.signal(libc::SIGKILL),
                Cut::SshdChild => {
                    // The sshd process serving this session: the remote wizard's ancestor
                    // whose parent is the listening sshd (other cases' sessions stay).
                    let main = sshd.child.id() as i32;
                    let wizard = *running_with(&marker_home).first().expect("remote wizard");
                    let mut p = wizard;
                    while parent(p).is_some_and(|pp| pp != main && pp > 1) {
                        p = parent(p).unwrap_or(1);
                    }
                    assert_eq!(parent(p), Some(main), "the session's sshd process");
                    // SAFETY: plain kill(2) on the session process of this test's sshd.
                    assert_eq!(unsafe { libc::kill(p, libc::SIGKILL) }, 0);
                }
            }
            // The remote wizard goes with its session (SIGHUP); none may linger.
            let start = Instant::now();
            while !running_with(&marker_home).is_empty() {
                assert!(
                    start.elapsed() < Duration::from_secs(15),
                    "the remote wizard outlived the connection"
                );
                std::thread::sleep(Duration::from_millis(20));
            }
            let _ = t.exit_code();
            t
        }
    })
    .await
    .unwrap();
    let home = &t.home;
    let id = home.session_ids().pop().expect("the setup was journaled");

    // A new SSH connection resumes it (headless: no terminal).
    let out = home.path().join("vendor.env");
    let resume = format!(
        "resume {id} --yes --client-secret-file {} --out {}",
        shell_quote(&secret_file.display().to_string()),
        shell_quote(&out.display().to_string())
    );
    let r = sshd.run(&remote(home, &env, &resume));
    if mode == "hidden" {
        // Halo keeps its secret: the admin generates and copies it, then resumes again.
        assert_eq!(r.code, 1, "{ctx}: {}\n{}", r.stdout, r.stderr);
        assert!(r.stderr.contains("press Generate"), "{ctx}: {}", r.stderr);
        let st = get(format!("{}/_sim/state", sb.url)).await;
        let app = st["applications"]
            .as_array()
            .unwrap()
            .iter()
            .find(|a| a["displayName"] == "TopLeft")
            .unwrap()
            .clone();
        let g = post(format!(
            "{}/_sim/applications/{}/generate-secret",
            sb.url,
            app["id"].as_str().unwrap()
        ))
        .await;
        let copied = home.path().join("copied.secret");
        std::fs::write(&copied, g["client_secret"].as_str().unwrap()).unwrap();
        let manual = format!(
            "{resume} --manual application --manual-client-id {} --manual-secret-file {}",
            app["clientId"].as_str().unwrap(),
            shell_quote(&copied.display().to_string())
        );
        let r = sshd.run(&remote(home, &env, &manual));
        assert_eq!(r.code, 0, "{ctx}: {}\n{}", r.stdout, r.stderr);
    } else {
        assert_eq!(r.code, 0, "{ctx}: {}\n{}", r.stdout, r.stderr);
    }

    // Exactly one of each, carrying the setup's marker (the agent by its username).
    let marker = halo_onboard::journal::marker_for(&id);
    let st = get(format!("{}/_sim/state", sb.url)).await;
    let count = |list: &str, f: &dyn Fn(&serde_json::Value) -> bool| {
        st[list].as_array().unwrap().iter().filter(|x| f(x)).count()
    };
    assert_eq!(
        count("roles", &|r| r["notes"]
            .as_str()
            .is_some_and(|n| n.contains(&marker))),
        1,
        "{ctx}: roles"
    );
    assert_eq!(
        count("agents", &|a| a["name"] == "topleft"),
        1,
        "{ctx}: agents"
    );
    assert_eq!(
        count("applications", &|a| a["displayName"] == "TopLeft"),
        1,
        "{ctx}: applications"
    );
    // The hand-over works: its credentials get a token from Halo.
    let creds = crate::common::emulator::read_env_file(&out);
    let token = crate::common::http_builder()
        .no_proxy()
        .build()
        .unwrap()
        .post(format!("{}/auth/token?tenant=sandbox", sb.url))
        .form(&[
            ("grant_type", "client_credentials"),
            ("client_id", creds["HALO_APP_CLIENT_ID"].as_str()),
            ("client_secret", creds["HALO_APP_CLIENT_SECRET"].as_str()),
            ("scope", "all"),
        ])
        .send()
        .await
        .unwrap();
    assert!(
        token.status().is_success(),
        "{ctx}: token {}",
        token.status()
    );
}

async fn post_json(url: &str, body: serde_json::Value) {
    let r = crate::common::http_builder()
        .no_proxy()
        .build()
        .unwrap()
        .post(url)
        .json(&body)
        .send()
        .await
        .unwrap();
    assert!(r.status().is_success(), "{url}: {}", r.status());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_dropped_ssh_session_resumes_over_a_new_one_in_each_secret_mode() {
    if !have_tmux() {
        eprintln!("tmux not installed; skipping");
        return;
    }
    let sshd = match start_sshd() {
        Ok(s) => std::sync::Arc::new(s),
        Err(why) => {
            eprintln!(
                "SKIPPED: no sshd can be started here ({why}); .ci/run installs openssh-server"
            );
            return;
        }
    };
    let t0 = Instant::now();
    let cases = [
        ("honour", Cut::Client),
        ("honour", Cut::SshdChild),
        ("generate", Cut::Client),
        ("generate", Cut::SshdChild),
        ("hidden", Cut::Client),
        ("hidden", Cut::SshdChild),
    ];
    let tasks: Vec<_> = cases
        .into_iter()
        .map(|(mode, cut)| tokio::spawn(case(sshd.clone(), mode, cut)))
        .collect();
    for t in tasks {
        t.await.unwrap();
    }
    println!(
        "ssh drops resumed: {} ({:.1} s)",
        cases.len(),
        t0.elapsed().as_secs_f64()
    );
}
