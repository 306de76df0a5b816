//! The tmux driver of the end-to-end tests: the real binary in a detached session on a private
//! socket, keys in, captured screen out; the server is killed even on failure.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

pub const BIN: &str = env!("CARGO_BIN_EXE_halo-onboard");

pub struct Tmux {
    socket: String,
    session: String,
    pub dir: tempfile::TempDir,
}

impl Tmux {
    /// Starts `args` under `sh -c` in a 120x40 pane, then records the exit code and the tty
    /// mode afterwards.
    pub fn start(name: &str, args: &str) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let socket = format!("halo-e2e-{name}-{}", std::process::id());
        let state = dir.path().join("state");
        let after = dir.path().join("after");
        let script = format!(
            "env HALO_ONBOARD_STATE_DIR='{}' '{BIN}' {args}; echo \"EXIT=$?\"; stty -a > '{}'; sleep 600",
            state.display(),
            after.display()
        );
        let t = Self {
            socket,
            session: "wizard".into(),
            dir,
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
                "40",
                &script,
            ])
            .status()
            .unwrap()
            .success();
        assert!(ok, "tmux new-session failed");
        t
    }

    pub fn cmd(&self, args: &[&str]) -> Command {
        let mut c = Command::new("tmux");
        c.arg("-L").arg(&self.socket).args(args);
        c
    }

    pub fn keys(&self, keys: &[&str]) {
        for k in keys {
            self.cmd(&["send-keys", "-t", &self.session, k])
                .status()
                .unwrap();
            std::thread::sleep(Duration::from_millis(30));
        }
    }

    pub fn text(&self, s: &str) {
        self.cmd(&["send-keys", "-t", &self.session, "-l", s])
            .status()
            .unwrap();
        std::thread::sleep(Duration::from_millis(50));
    }

    pub fn screen(&self) -> String {
        let out = self
            .cmd(&["capture-pane", "-p", "-t", &self.session])
            .output()
            .unwrap();
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    pub fn display(&self, fmt: &str) -> String {
        let out = self
            .cmd(&["display-message", "-p", "-t", &self.session, fmt])
            .output()
            .unwrap();
        String::from_utf8_lossy(&out.stdout).trim().to_string()
    }

    /// Waits until the screen contains `needle`; panics with the screen on timeout.
    pub fn wait_for(&self, needle: &str) -> String {
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

    pub fn after_file(&self) -> PathBuf {
        self.dir.path().join("after")
    }

    pub fn wait_file(&self, p: &Path) -> String {
        let start = Instant::now();
        while start.elapsed() < Duration::from_secs(15) {
            if let Ok(s) = std::fs::read_to_string(p)
                && !s.is_empty()
            {
                return s;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        panic!("{} never written; screen:\n{}", p.display(), self.screen());
    }

    /// The wizard's pid: the child of the pane's shell.
    pub fn wizard_pid(&self) -> i32 {
        let sh: i32 = self.display("#{pane_pid}").parse().unwrap();
        let start = Instant::now();
        loop {
            let children = std::fs::read_to_string(format!("/proc/{sh}/task/{sh}/children"))
                .unwrap_or_default();
            if let Some(pid) = children.split_whitespace().next() {
                return pid.parse().unwrap();
            }
            assert!(
                start.elapsed() < Duration::from_secs(10),
                "no wizard process"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// The terminal came back: not in the alternate screen, canonical mode and echo on.
    pub fn assert_restored(&self) {
        let stty = self.wait_file(&self.after_file());
        let words: Vec<&str> = stty.split_whitespace().collect();
        assert!(words.contains(&"icanon"), "icanon off after exit: {stty}");
        assert!(words.contains(&"echo"), "echo off after exit: {stty}");
        assert_eq!(
            self.display("#{alternate_on}"),
            "0",
            "still in the alternate screen"
        );
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        let _ = self.cmd(&["kill-server"]).status();
    }
}

pub fn have_tmux() -> bool {
    Command::new("tmux")
        .arg("-V")
        .output()
        .is_ok_and(|o| o.status.success())
}
