//! The one tmux driver: the real wizard binary in a detached tmux session on a private socket
//! (one tmux server per test, killed on drop even when the test fails), in a private [`Home`]
//! (the one headless runs use, so a test can run both on the same state). After the binary
//! exits, the pane's shell prints `EXIT=<code>` and saves `stty -a`, so a test can check the
//! terminal the user gets back.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use super::bin::{BIN, Home};

static SEQ: AtomicUsize = AtomicUsize::new(0);

pub(crate) fn have_tmux() -> bool {
    Command::new("tmux")
        .arg("-V")
        .output()
        .is_ok_and(|o| o.status.success())
}

pub(crate) struct Tui {
    pub socket: String,
    /// State dir, profiles dir, and the `after` file; `home.run` runs headless commands on the
    /// same state.
    pub home: Home,
}

impl Tui {
    /// Starts `BIN args` (args are shell words, already quoted) with a clean environment plus
    /// `env`, in a `w`x`h` pane.
    pub(crate) fn start(name: &str, env: &[(&str, &str)], args: &str, w: u16, h: u16) -> Self {
        Self::start_in(Home::new(), name, env, args, w, h)
    }

    /// [`Tui::start`] in a home the test prepared (setups, profiles, config).
    pub(crate) fn start_in(
        home: Home,
        name: &str,
        env: &[(&str, &str)],
        args: &str,
        w: u16,
        h: u16,
    ) -> Self {
        let mut vars: Vec<(String, String)> = home
            .vars()
            .into_iter()
            .map(|(k, v)| (k.to_string(), v))
            .collect();
        vars.extend(env.iter().map(|(k, v)| (k.to_string(), v.to_string())));
        let vars: Vec<String> = vars.iter().map(|(k, v)| format!("{k}='{v}'")).collect();
        // TERM comes from tmux; everything else from us (no RUST_BACKTRACE, no secrets).
        let command = format!("env -i TERM=\"$TERM\" {} '{BIN}' {args}", vars.join(" "));
        Self::start_command(home, name, &command, w, h)
    }

    /// Runs `command` (a shell command line, e.g. `ssh -tt … halo-onboard`) in a `w`x`h` pane;
    /// its exit code and the terminal it leaves are recorded as for the wizard itself.
    pub(crate) fn start_command(home: Home, name: &str, command: &str, w: u16, h: u16) -> Self {
        let n = SEQ.fetch_add(1, Ordering::Relaxed);
        let socket = format!("halo-tui-{name}-{}-{n}", std::process::id());
        let t = Self { socket, home };
        let script = format!(
            "{command}; code=$?; echo \"EXIT=$code\"; echo $code > '{}'; stty -a > '{}'; sleep 600",
            t.exit_file().display(),
            t.after().display()
        );
        let (w, h) = (w.to_string(), h.to_string());
        let ok = t
            .cmd(&[
                "-f",
                "/dev/null",
                "new-session",
                "-d",
                "-s",
                "w",
                "-x",
                &w,
                "-y",
                &h,
                &script,
            ])
            .status()
            .unwrap()
            .success();
        assert!(ok, "tmux new-session failed");
        // Manual sizes stick (resize-window), and the history keeps the whole run.
        let _ = t
            .cmd(&["set-option", "-g", "history-limit", "50000"])
            .status();
        t
    }

    pub(crate) fn home(&self) -> &Path {
        self.home.dir.path()
    }
    pub(crate) fn state(&self) -> PathBuf {
        self.home.state()
    }
    pub(crate) fn after(&self) -> PathBuf {
        self.home().join("after")
    }

    pub(crate) fn cmd(&self, args: &[&str]) -> Command {
        let mut c = Command::new("tmux");
        c.arg("-L").arg(&self.socket).args(args);
        c
    }

    pub(crate) fn keys(&self, keys: &[&str]) {
        for k in keys {
            self.cmd(&["send-keys", "-t", "w", k]).status().unwrap();
            std::thread::sleep(Duration::from_millis(30));
        }
    }

    /// Typed text (one key per character).
    pub(crate) fn text(&self, s: &str) {
        self.cmd(&["send-keys", "-t", "w", "-l", s])
            .status()
            .unwrap();
        std::thread::sleep(Duration::from_millis(60));
    }

    /// A bracketed paste (the wizard enables bracketed paste mode).
    pub(crate) fn paste(&self, s: &str) {
        assert!(
            self.cmd(&["set-buffer", "-b", "p", "--", s])
                .status()
                .unwrap()
                .success()
        );
        assert!(
            self.cmd(&["paste-buffer", "-p", "-d", "-b", "p", "-t", "w"])
                .status()
                .unwrap()
                .success()
        );
        std::thread::sleep(Duration::from_millis(60));
    }

    pub(crate) fn resize(&self, w: u16, h: u16) {
        let ok = self
            .cmd(&[
                "resize-window",
                "-t",
                "w",
                "-x",
                &w.to_string(),
                "-y",
                &h.to_string(),
            ])
            .status()
            .unwrap()
            .success();
        assert!(ok, "resize-window");
    }

    /// The visible screen.
    pub(crate) fn screen(&self) -> String {
        let out = self
            .cmd(&["capture-pane", "-p", "-t", "w"])
            .output()
            .unwrap();
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    /// The visible screen plus all the history of the pane's current screen.
    pub(crate) fn history(&self) -> String {
        let out = self
            .cmd(&["capture-pane", "-p", "-J", "-S", "-", "-E", "-", "-t", "w"])
            .output()
            .unwrap();
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    pub(crate) fn display(&self, fmt: &str) -> String {
        let out = self
            .cmd(&["display-message", "-p", "-t", "w", fmt])
            .output()
            .unwrap();
        String::from_utf8_lossy(&out.stdout).trim().to_string()
    }

    pub(crate) fn wait_until(
        &self,
        what: &str,
        secs: u64,
        mut ok: impl FnMut(&str) -> bool,
    ) -> String {
        let start = Instant::now();
        loop {
            let s = self.screen();
            if ok(&s) {
                return s;
            }
            assert!(
                start.elapsed() < Duration::from_secs(secs),
                "timed out waiting for {what}; screen:\n{s}"
            );
            std::thread::sleep(Duration::from_millis(30));
        }
    }

    pub(crate) fn wait_for(&self, needle: &str) -> String {
        self.wait_until(needle, 20, |s| s.contains(needle))
    }

    /// `--demo`: waits until its emulator (started after the first frame) filled the Connect
    /// step and focused Test connection; returns that screen.
    pub(crate) fn wait_demo(&self) -> String {
        self.wait_for("1 · Connect");
        self.wait_for("▶ [ Test connection ]")
    }

    /// The wizard's pid: the child of the pane's shell.
    pub(crate) fn wizard_pid(&self) -> i32 {
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
            std::thread::sleep(Duration::from_millis(30));
        }
    }

    pub(crate) fn signal(&self, sig: i32) {
        let pid = self.wizard_pid();
        // SAFETY: plain kill(2) on a process this test started.
        assert_eq!(unsafe { libc::kill(pid, sig) }, 0);
    }

    /// Waits for the wrapper to record the exit code (in a file: after a SIGKILL the terminal is
    /// left raw and the on-screen `EXIT=` line may wrap anywhere).
    pub(crate) fn exit_code(&self) -> i32 {
        let start = Instant::now();
        loop {
            if let Ok(c) = std::fs::read_to_string(self.exit_file()) {
                if let Ok(code) = c.trim().parse() {
                    return code;
                }
            }
            assert!(
                start.elapsed() < Duration::from_secs(20),
                "timed out waiting for the exit code; screen:\n{}",
                self.screen()
            );
            std::thread::sleep(Duration::from_millis(30));
        }
    }

    fn exit_file(&self) -> std::path::PathBuf {
        self.home().join("exit-code")
    }

    /// `stty -a` as the shell saw it after the binary exited.
    pub(crate) fn stty_after(&self) -> String {
        let start = Instant::now();
        loop {
            if let Ok(s) = std::fs::read_to_string(self.after())
                && !s.is_empty()
            {
                return s;
            }
            assert!(
                start.elapsed() < Duration::from_secs(15),
                "stty never saved; screen:\n{}",
                self.screen()
            );
            std::thread::sleep(Duration::from_millis(30));
        }
    }

    /// Quits with `key` (`q` or `C-c`), says yes to the question, and expects exit 0.
    pub(crate) fn quit(&self, key: &str) {
        self.keys(&[key]);
        self.wait_for("Quit halo-onboard?");
        self.keys(&["y"]);
        assert_eq!(self.exit_code(), 0, "{}", self.history());
    }

    /// Fails with what is wrong unless the terminal came back as the user had it.
    pub(crate) fn assert_restored(&self) {
        let bad = self.restore_problems();
        assert!(bad.is_empty(), "terminal not restored: {bad:?}");
    }

    /// Cooked mode (icanon, echo, isig, icrnl, opost: the opposites of raw), cursor shown,
    /// alternate screen left. Returns the problems, empty when restored.
    pub(crate) fn restore_problems(&self) -> Vec<String> {
        let stty = self.stty_after();
        let words: Vec<&str> = stty.split_whitespace().collect();
        let mut bad: Vec<String> = ["icanon", "echo", "isig", "icrnl", "opost"]
            .iter()
            .filter(|w| !words.contains(w))
            .map(|w| format!("{w} off"))
            .collect();
        if self.display("#{alternate_on}") != "0" {
            bad.push("still in the alternate screen".into());
        }
        if self.display("#{cursor_flag}") != "1" {
            bad.push("cursor hidden".into());
        }
        bad
    }
}

impl Drop for Tui {
    fn drop(&mut self) {
        let socket = self.display("#{socket_path}");
        let _ = self.cmd(&["kill-server"]).status();
        // tmux leaves the socket file behind.
        if socket.contains(&self.socket) {
            let _ = std::fs::remove_file(socket);
        }
    }
}

/// Every regular file under `dir`, recursively.
pub(crate) fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let Ok(rd) = std::fs::read_dir(dir) else {
        return out;
    };
    for e in rd.flatten() {
        let p = e.path();
        if p.is_dir() {
            out.extend(files_under(&p));
        } else {
            out.push(p);
        }
    }
    out
}

/// Types the bootstrap credentials into the Connect step and connects.
pub(crate) fn connect(t: &Tui, url: &str, client_id: &str, secret: &str) {
    t.wait_for("1 · Connect");
    t.text(url);
    // The field shows it: no key went to the terminal's background question.
    t.wait_for(url);
    t.keys(&["Tab"]);
    t.text(client_id);
    t.keys(&["Tab"]);
    t.text(secret);
    t.keys(&["Tab", "Enter"]);
    t.wait_for("✓ Connected as");
}

/// From a connected Connect step: pick the topleft profile, walk every step to Submit and
/// answer the apply question with `y`.
pub(crate) fn topleft_to_apply(t: &Tui) {
    t.keys(&["Tab", "Tab", "Enter"]);
    t.wait_for("Profile  (vendor, id, confidence H/M/L)");
    t.text("topleft");
    t.wait_for("▶ TopLeft");
    t.keys(&["Enter"]);
    t.wait_for("TopLeft (topleft, confidence M)");
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
    t.wait_for("Role         create  'TopLeft Role'");
    t.wait_for("grants admin");
    t.keys(&["Enter"]);
    t.wait_for("Write to Halo now?");
    t.keys(&["y"]);
}

/// The newest setup's journal as JSON (None before it exists).
pub(crate) fn journal_json(state: &Path) -> Option<(String, serde_json::Value)> {
    let id = super::emulator::session_ids(state).pop()?;
    let p = state.join("sessions").join(format!("{id}.json"));
    let v = serde_json::from_slice(&std::fs::read(p).ok()?).ok()?;
    Some((id, v))
}
