//! End to end: the wizard (real binary in tmux) is SIGKILLed mid-apply right after the role was
//! created; `halo-onboard resume ID --yes` then finishes headless with exactly one role, agent
//! and application. The emulator runs in this process, so both runs see the same Halo.

mod support;

use std::process::Command;
use std::time::{Duration, Instant};

use halo_onboard::sim::SimConfig;
use support::*;

struct Tmux {
    socket: String,
}

impl Tmux {
    fn cmd(&self, args: &[&str]) -> Command {
        let mut c = Command::new("tmux");
        c.arg("-L").arg(&self.socket).args(args);
        c
    }
    fn keys(&self, keys: &[&str]) {
        for k in keys {
            self.cmd(&["send-keys", "-t", "w", k]).status().unwrap();
            std::thread::sleep(Duration::from_millis(40));
        }
    }
    fn text(&self, s: &str) {
        self.cmd(&["send-keys", "-t", "w", "-l", s])
            .status()
            .unwrap();
        std::thread::sleep(Duration::from_millis(60));
    }
    fn screen(&self) -> String {
        let out = self
            .cmd(&["capture-pane", "-p", "-t", "w"])
            .output()
            .unwrap();
        String::from_utf8_lossy(&out.stdout).into_owned()
    }
    fn wait_until(&self, what: &str, mut ok: impl FnMut(&str) -> bool) -> String {
        let start = Instant::now();
        loop {
            let s = self.screen();
            if ok(&s) {
                return s;
            }
            assert!(
                start.elapsed() < Duration::from_secs(20),
                "timed out waiting for {what}; screen:\n{s}"
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }
    fn wait_for(&self, needle: &str) -> String {
        self.wait_until(needle, |s| s.contains(needle))
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        let _ = self.cmd(&["kill-server"]).status();
    }
}

fn journal_json(home: &Home, id: &str) -> serde_json::Value {
    let p = home.state().join("sessions").join(format!("{id}.json"));
    std::fs::read(p)
        .ok()
        .and_then(|b| serde_json::from_slice(&b).ok())
        .unwrap_or_default()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn wizard_killed_after_role_then_headless_resume_finishes_once() {
    if Command::new("tmux").arg("-V").output().is_err() {
        eprintln!("tmux not installed; skipping");
        return;
    }
    // Latency leaves time to kill between the role and the agent.
    let sim = spawn_sim(SimConfig {
        latency: Duration::from_millis(150),
        ..SimConfig::default()
    })
    .await;
    let home = Home::new();
    let t = Tmux {
        socket: format!("halo-e2e-resume-{}", std::process::id()),
    };
    let script = format!(
        "env HALO_ONBOARD_STATE_DIR='{}' HALO_ONBOARD_PROFILES_DIR='{}' '{BIN}'; sleep 600",
        home.state().display(),
        home.dir.path().join("profiles").display()
    );
    let ok = t
        .cmd(&[
            "-f",
            "/dev/null",
            "new-session",
            "-d",
            "-s",
            "w",
            "-x",
            "120",
            "-y",
            "40",
            &script,
        ])
        .status()
        .unwrap()
        .success();
    assert!(ok);
    t.wait_for("1 · Connect");
    t.text(&sim.url);
    t.keys(&["Tab"]);
    t.text(&sim.client_id);
    t.keys(&["Tab"]);
    t.text(&sim.client_secret);
    t.keys(&["Tab", "Enter"]);
    t.wait_for("✓ Connected as");
    t.keys(&["Tab", "Tab", "Enter"]);
    t.wait_for("Profile  (vendor, id, confidence H/M/L)");
    t.keys(&["t"]);
    t.wait_for("▶ TopLeft");
    t.keys(&["Enter"]);
    t.wait_for("TopLeft (topleft, confidence M)");
    for step in [
        "2 · Role",
        "3 · Agent",
        "4 · Application",
        "5 · Permissions",
        "6 · Submit",
    ] {
        t.keys(&["C-n"]);
        t.wait_for(step);
    }
    t.wait_for("Role         create  'TopLeft Role'");
    t.keys(&["Enter"]);
    t.wait_for("Write to Halo now?");
    t.keys(&["y"]);
    // Kill as soon as the journal records the role (the agent is not written yet).
    let start = Instant::now();
    let id = loop {
        if let Some(id) = home.session_ids().pop()
            && journal_json(&home, &id)["objects"]["role_id"].is_string()
        {
            break id;
        }
        assert!(
            start.elapsed() < Duration::from_secs(20),
            "no role; screen:\n{}",
            t.screen()
        );
        std::thread::sleep(Duration::from_millis(2));
    };
    let pane: i32 = String::from_utf8_lossy(
        &t.cmd(&["display-message", "-p", "-t", "w", "#{pane_pid}"])
            .output()
            .unwrap()
            .stdout,
    )
    .trim()
    .parse()
    .unwrap();
    let children = std::fs::read_to_string(format!("/proc/{pane}/task/{pane}/children")).unwrap();
    let pid: i32 = children.split_whitespace().next().unwrap().parse().unwrap();
    // SAFETY: plain kill(2) on the wizard this test started.
    assert_eq!(unsafe { libc::kill(pid, libc::SIGKILL) }, 0);
    let marker = halo_onboard::journal::marker_for(&id);
    let (roles, agents, apps) = marked(&sim, &marker);
    assert_eq!(roles, 1, "the role was created before the kill");
    assert!(apps == 0, "killed before the application");
    let before = journal_json(&home, &id);
    assert_ne!(before["status"], "handed-over");

    // Headless resume with the bootstrap secret in the environment.
    let (code, out, err) = home.run(&sim, &["resume", &id, "--yes"]).await;
    assert_eq!(code, 0, "resume failed:\n{out}\n{err}");
    assert_eq!(
        marked(&sim, &marker),
        (1, 1, 1),
        "exactly one of each (agents before: {agents})"
    );
    let s = home.journal().load(&id).unwrap();
    assert_eq!(named(&sim, &s), (1, 1, 1), "no orphans by name");
    assert_eq!(journal_json(&home, &id)["status"], "handed-over");
    let creds = read_env_file(&home.handover(&id));
    assert!(
        creds
            .get("HALO_APP_CLIENT_SECRET")
            .is_some_and(|s| !s.is_empty())
    );
    assert!(
        !out.contains(creds["HALO_APP_CLIENT_SECRET"].as_str()),
        "secret printed"
    );
}
