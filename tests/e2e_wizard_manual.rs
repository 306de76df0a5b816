//! End to end in tmux: the demo's emulator refuses writes to the Application endpoint; the
//! wizard stops at the application, `m` shows the checklist, Enter with the copied credentials
//! goes through the runtime (journal, lookups, adoption) and comes back with "not found yet";
//! once Halo accepts again, Esc and Enter retry the same setup to the hand-over.

use std::process::Command;
use std::time::{Duration, Instant};

const BIN: &str = env!("CARGO_BIN_EXE_halo-onboard");

struct Tmux {
    socket: String,
    session: String,
    _dir: tempfile::TempDir,
}

impl Tmux {
    fn start(name: &str, args: &str) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let socket = format!("halo-e2e-{name}-{}", std::process::id());
        let script = format!(
            "env HALO_ONBOARD_STATE_DIR='{}' '{BIN}' {args}; echo \"EXIT=$?\"; sleep 600",
            dir.path().join("state").display(),
        );
        let t = Self {
            socket,
            session: "wizard".into(),
            _dir: dir,
        };
        let ok = t
            .cmd(&[
                "-f",
                "/dev/null",
                "new-session",
                "-d",
                "-s",
                &t.session,
                "-x",
                "120",
                "-y",
                "45",
                &script,
            ])
            .status()
            .unwrap()
            .success();
        assert!(ok, "tmux new-session failed");
        t
    }

    fn cmd(&self, args: &[&str]) -> Command {
        let mut c = Command::new("tmux");
        c.arg("-L").arg(&self.socket).args(args);
        c
    }

    fn keys(&self, keys: &[&str]) {
        for k in keys {
            self.cmd(&["send-keys", "-t", &self.session, k])
                .status()
                .unwrap();
            std::thread::sleep(Duration::from_millis(30));
        }
    }

    fn text(&self, s: &str) {
        self.cmd(&["send-keys", "-t", &self.session, "-l", s])
            .status()
            .unwrap();
        std::thread::sleep(Duration::from_millis(50));
    }

    fn screen(&self) -> String {
        let out = self
            .cmd(&["capture-pane", "-p", "-t", &self.session])
            .output()
            .unwrap();
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    fn wait_for(&self, needle: &str) -> String {
        let start = Instant::now();
        loop {
            let s = self.screen();
            if s.contains(needle) {
                return s;
            }
            if start.elapsed() > Duration::from_secs(15) {
                panic!("timed out waiting for {needle:?}; screen:\n{s}");
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        let _ = self.cmd(&["kill-server"]).status();
    }
}

fn have_tmux() -> bool {
    Command::new("tmux")
        .arg("-V")
        .output()
        .is_ok_and(|o| o.status.success())
}

fn set_faults(url: &str, body: serde_json::Value) {
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async {
        let r = reqwest::Client::new()
            .post(format!("{url}/_sim/faults"))
            .json(&body)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200);
    });
}

#[test]
fn refused_application_offers_the_manual_step_in_the_wizard() {
    if !have_tmux() {
        eprintln!("tmux not installed; skipping");
        return;
    }
    let t = Tmux::start("manual", "--demo");
    let s = t.wait_for("1 · Connect");
    let at = s.find("http://127.0.0.1:").expect("demo URL on screen");
    let url: String = s[at..].chars().take_while(|c| !c.is_whitespace()).collect();
    set_faults(&url, serde_json::json!({"refuse_writes": ["application"]}));

    t.keys(&["Enter"]);
    t.wait_for("✓ Connected as");
    t.keys(&["Tab", "Tab", "Enter"]);
    t.wait_for("Profile  (vendor, id, confidence H/M/L)");
    t.keys(&["t"]);
    t.wait_for("▶ TopLeft");
    t.keys(&["Enter"]);
    t.wait_for("every step pre-filled");
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
    t.wait_for("grants admin");
    t.keys(&["Enter"]);
    t.wait_for("Write to Halo now?");
    t.keys(&["y"]);
    t.wait_for("Halo refused to save the application");
    t.wait_for("m do this step by hand");

    t.keys(&["m"]);
    let s = t.wait_for("Configuration > Integrations > Halo API > View Applications > New");
    assert!(s.contains("Application Name = 'TopLeft'"), "{s}");
    assert!(s.contains("Agent to log in as = topleft"), "{s}");
    t.text("client-id-copied");
    t.keys(&["Tab"]);
    t.text("secret-copied-from-halo");
    let s = t.wait_for("•••");
    assert!(!s.contains("secret-copied-from-halo"), "masked: {s}");
    t.keys(&["Enter"]);
    t.wait_for("no application named 'TopLeft' in Halo yet — create it, then press Enter again");

    // Halo accepts again: back to the failure screen, and Enter retries the same setup.
    set_faults(&url, serde_json::json!({"refuse_writes": []}));
    t.keys(&["Escape"]);
    t.wait_for("m do this step by hand");
    t.keys(&["Enter"]);
    t.wait_for("Write to Halo now?");
    t.keys(&["y"]);
    t.wait_for("applied and verified");
}
