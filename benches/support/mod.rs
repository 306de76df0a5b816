//! Shared by the bench binaries: how a figure is printed, so `run-all.sh` can collect it.
#![allow(dead_code)]

use std::path::{Path, PathBuf};

/// Prints one table row, `ROW | metric | value | target | verdict |`; `run-all.sh` keeps the
/// lines that start with `ROW ` and drops the prefix.
pub(crate) fn row(metric: &str, value: &str, target: &str, ok: Option<bool>) {
    let verdict = match ok {
        Some(true) => "ok",
        Some(false) => "**over target**",
        None => "-",
    };
    println!("ROW | {metric} | {value} | {target} | {verdict} |");
}

/// A duration in the most readable unit.
pub(crate) fn fmt_ns(ns: f64) -> String {
    if ns >= 1e9 {
        format!("{:.2} s", ns / 1e9)
    } else if ns >= 1e6 {
        format!("{:.2} ms", ns / 1e6)
    } else if ns >= 1e3 {
        format!("{:.1} µs", ns / 1e3)
    } else {
        format!("{ns:.0} ns")
    }
}

/// The release binary: `CARGO_BIN_EXE_*` points at the profile the bench was built with
/// (`cargo bench` builds with the release settings), overridable with `HALO_ONBOARD_BIN`.
pub(crate) fn binary() -> PathBuf {
    std::env::var_os("HALO_ONBOARD_BIN").map_or_else(
        || PathBuf::from(env!("CARGO_BIN_EXE_halo-onboard")),
        PathBuf::from,
    )
}

/// An example built next to the binary (`target/<profile>/examples/NAME`).
pub(crate) fn example(name: &str) -> PathBuf {
    let bin = binary();
    bin.parent()
        .unwrap_or(Path::new("."))
        .join("examples")
        .join(name)
}

pub(crate) mod proc {
    //! Child processes: pseudo-terminals, CPU ticks and peak memory from /proc and wait4.

    use std::fs::File;
    use std::io::Read;
    use std::os::fd::{FromRawFd, OwnedFd};
    use std::os::unix::process::CommandExt;
    use std::process::{Child, Command, ExitStatus, Stdio};
    use std::sync::mpsc;
    use std::time::{Duration, Instant};

    /// A child whose stdin, stdout and stderr are one pseudo-terminal; its output arrives on
    /// `rx` in chunks, read by a thread (so the child never blocks on a full pty).
    pub(crate) struct PtyChild {
        pub child: Child,
        pub rx: mpsc::Receiver<Vec<u8>>,
        pub started: Instant,
        /// Everything read so far.
        pub seen: Vec<u8>,
        /// The master side, for typing.
        writer: File,
    }

    impl PtyChild {
        /// Spawns `cmd` as a session leader on a new `cols`x`rows` pty.
        pub(crate) fn spawn(mut cmd: Command, cols: u16, rows: u16) -> std::io::Result<Self> {
            let (mut m, mut s) = (-1, -1);
            let ws = libc::winsize {
                ws_row: rows,
                ws_col: cols,
                ws_xpixel: 0,
                ws_ypixel: 0,
            };
            // SAFETY: out-pointers to two ints; name and termios are allowed to be null.
            let rc = unsafe {
                libc::openpty(&mut m, &mut s, std::ptr::null_mut(), std::ptr::null(), &ws)
            };
            if rc != 0 {
                return Err(std::io::Error::last_os_error());
            }
            // SAFETY: openpty returned two fresh descriptors that nothing else owns.
            let (master, slave) = unsafe { (OwnedFd::from_raw_fd(m), OwnedFd::from_raw_fd(s)) };
            cmd.stdin(Stdio::from(slave.try_clone()?))
                .stdout(Stdio::from(slave.try_clone()?))
                .stderr(Stdio::from(slave))
                .env("TERM", "xterm-256color");
            // SAFETY: only async-signal-safe calls between fork and exec.
            unsafe {
                cmd.pre_exec(|| {
                    if libc::setsid() == -1 || libc::ioctl(0, libc::TIOCSCTTY, 0) == -1 {
                        return Err(std::io::Error::last_os_error());
                    }
                    Ok(())
                });
            }
            let started = Instant::now();
            let child = cmd.spawn()?;
            // The parent's copies of the slave end close with `cmd`.
            drop(cmd);
            let writer = File::from(master.try_clone()?);
            let mut reader = File::from(master);
            let (tx, rx) = mpsc::channel();
            std::thread::spawn(move || {
                let mut buf = [0u8; 16384];
                while let Ok(n) = reader.read(&mut buf) {
                    if n == 0 || tx.send(buf[..n].to_vec()).is_err() {
                        break;
                    }
                }
            });
            Ok(Self {
                child,
                rx,
                started,
                seen: Vec::new(),
                writer,
            })
        }

        /// Waits until the output so far contains `marker`; returns the time since spawn.
        pub(crate) fn wait_for(&mut self, marker: &str, timeout: Duration) -> Option<Duration> {
            let deadline = Instant::now() + timeout;
            loop {
                if contains(&self.seen, marker.as_bytes()) {
                    return Some(self.started.elapsed());
                }
                let left = deadline.checked_duration_since(Instant::now())?;
                match self.rx.recv_timeout(left) {
                    Ok(chunk) => self.seen.extend_from_slice(&chunk),
                    Err(_) => return None,
                }
            }
        }

        /// Drops whatever arrived, keeping the reader drained.
        pub(crate) fn drain(&mut self) {
            while let Ok(c) = self.rx.try_recv() {
                self.seen.extend_from_slice(&c);
            }
        }

        /// Types `bytes` into the terminal.
        pub(crate) fn send(&mut self, bytes: &[u8]) -> std::io::Result<()> {
            use std::io::Write;
            self.writer.write_all(bytes)
        }

        /// Peak resident memory so far (VmHWM), in KiB.
        pub(crate) fn vm_hwm_kib(&self) -> Option<u64> {
            vm_hwm_kib(self.child.id())
        }

        /// Kills the child (SIGTERM, then SIGKILL after 2 s) and reaps it.
        pub(crate) fn stop(mut self) {
            // SAFETY: plain kill(2) on our own child's pid.
            unsafe { libc::kill(self.child.id() as i32, libc::SIGTERM) };
            let deadline = Instant::now() + Duration::from_secs(2);
            while Instant::now() < deadline {
                if let Ok(Some(_)) = self.child.try_wait() {
                    return;
                }
                self.drain();
                std::thread::sleep(Duration::from_millis(20));
            }
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }

    /// Peak resident memory (VmHWM) of a running process, in KiB.
    pub(crate) fn vm_hwm_kib(pid: u32) -> Option<u64> {
        let s = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
        let line = s.lines().find(|l| l.starts_with("VmHWM:"))?;
        line.split_whitespace().nth(1)?.parse().ok()
    }

    /// CPU time (user + system, all threads) of a running process.
    pub(crate) fn cpu_time(pid: u32) -> Option<Duration> {
        let s = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
        // Fields after the command name (which may hold spaces) start at state, field 3.
        let rest = &s[s.rfind(')')? + 2..];
        let f: Vec<&str> = rest.split_whitespace().collect();
        let ticks: u64 = f.get(11)?.parse::<u64>().ok()? + f.get(12)?.parse::<u64>().ok()?;
        // SAFETY: sysconf has no preconditions.
        let hz = unsafe { libc::sysconf(libc::_SC_CLK_TCK) }.max(1) as u64;
        Some(Duration::from_nanos(ticks * 1_000_000_000 / hz))
    }

    /// CPU time at nanosecond resolution: the sum of the live threads' `schedstat` run times
    /// (utime+stime in `stat` counts whole clock ticks, 10 ms here).
    pub(crate) fn cpu_time_precise(pid: u32) -> Option<Duration> {
        let mut ns = 0u64;
        for t in std::fs::read_dir(format!("/proc/{pid}/task")).ok()? {
            let s = std::fs::read_to_string(t.ok()?.path().join("schedstat")).ok()?;
            ns += s.split_whitespace().next()?.parse::<u64>().ok()?;
        }
        Some(Duration::from_nanos(ns))
    }

    /// What `run` measured.
    pub(crate) struct Finished {
        pub status: ExitStatus,
        pub wall: Duration,
        /// Peak resident memory from wait4's rusage (the kernel's VmHWM at exit), KiB.
        pub max_rss_kib: u64,
        /// User + system CPU time of the process (all threads), from the same rusage.
        pub cpu: Duration,
        pub stdout: String,
        pub stderr: String,
    }

    /// Runs `cmd` to the end, capturing its output, its wall time and its peak memory.
    pub(crate) fn run(mut cmd: Command) -> std::io::Result<Finished> {
        use std::os::unix::process::ExitStatusExt;
        cmd.stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        let started = Instant::now();
        let mut child = cmd.spawn()?;
        let slurp = |r: Option<Box<dyn Read + Send>>| {
            std::thread::spawn(move || {
                let mut s = String::new();
                if let Some(mut r) = r {
                    let _ = r.read_to_string(&mut s);
                }
                s
            })
        };
        let out = slurp(
            child
                .stdout
                .take()
                .map(|o| Box::new(o) as Box<dyn Read + Send>),
        );
        let err = slurp(
            child
                .stderr
                .take()
                .map(|o| Box::new(o) as Box<dyn Read + Send>),
        );
        let mut status = 0;
        // SAFETY: zeroed rusage is a valid out-parameter.
        let mut ru: libc::rusage = unsafe { std::mem::zeroed() };
        // SAFETY: waits for our own child; std never waits for it after this.
        let rc = unsafe { libc::wait4(child.id() as i32, &mut status, 0, &mut ru) };
        let wall = started.elapsed();
        if rc < 0 {
            return Err(std::io::Error::last_os_error());
        }
        Ok(Finished {
            status: ExitStatus::from_raw(status),
            wall,
            max_rss_kib: u64::try_from(ru.ru_maxrss).unwrap_or(0),
            cpu: tv(ru.ru_utime) + tv(ru.ru_stime),
            stdout: out.join().unwrap_or_default(),
            stderr: err.join().unwrap_or_default(),
        })
    }

    fn tv(t: libc::timeval) -> Duration {
        Duration::from_secs(u64::try_from(t.tv_sec).unwrap_or(0))
            + Duration::from_micros(u64::try_from(t.tv_usec).unwrap_or(0))
    }

    fn contains(hay: &[u8], needle: &[u8]) -> bool {
        hay.windows(needle.len()).any(|w| w == needle)
    }
}

pub(crate) mod sandbox {
    //! `halo-onboard sandbox` as a child process, and plain HTTP/1.0 GETs of its `/_sim/` API.

    use std::io::{BufRead, BufReader, Read, Write};
    use std::process::{Child, Command, Stdio};

    pub(crate) struct Sandbox {
        child: Child,
        pub url: String,
        pub client_id: String,
        pub client_secret: String,
    }

    impl Sandbox {
        /// Starts the sandbox with `args` and reads its hello line (URL and credentials).
        pub(crate) fn start(args: &[&str]) -> std::io::Result<Self> {
            let mut child = Command::new(super::binary())
                .arg("sandbox")
                .args(args)
                .stdin(Stdio::null())
                .stdout(Stdio::piped())
                .stderr(Stdio::null())
                .spawn()?;
            let mut line = String::new();
            if let Some(out) = child.stdout.take() {
                BufReader::new(out).read_line(&mut line)?;
            }
            let v: serde_json::Value = serde_json::from_str(line.trim())
                .map_err(|e| std::io::Error::other(format!("sandbox hello: {e}: {line}")))?;
            let s = |k: &str| v[k].as_str().unwrap_or_default().to_string();
            Ok(Self {
                url: s("url"),
                client_id: s("client_id"),
                client_secret: s("client_secret"),
                child,
            })
        }

        /// GET `path` on the sandbox; the body.
        pub(crate) fn get(&self, path: &str) -> std::io::Result<String> {
            get(&self.url, path)
        }
    }

    impl Drop for Sandbox {
        fn drop(&mut self) {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }

    /// A plain HTTP/1.0 GET (no chunked bodies, the server closes the connection).
    pub(crate) fn get(base: &str, path: &str) -> std::io::Result<String> {
        let host = base
            .trim_start_matches("http://")
            .split('/')
            .next()
            .unwrap_or_default();
        let mut s = std::net::TcpStream::connect(host)?;
        write!(s, "GET {path} HTTP/1.0\r\nHost: {host}\r\n\r\n")?;
        let mut resp = String::new();
        s.read_to_string(&mut resp)?;
        Ok(resp
            .split_once("\r\n\r\n")
            .map(|(_, b)| b.to_string())
            .unwrap_or_default())
    }
}

pub(crate) mod reqlog {
    //! The emulator's request log (`GET /_sim/requests`) and the critical path through it.

    /// One request as the emulator logged it.
    #[derive(Debug, Clone, serde::Deserialize)]
    pub(crate) struct Rec {
        pub method: String,
        pub path: String,
        pub status: u16,
        /// When the answer was ready (after the emulated latency), ms since the epoch.
        pub ts_ms: i64,
    }

    /// The longest chain of requests that cannot have overlapped: each starts (answer time
    /// minus `latency_ms`) after the previous one answered. Taking the earliest answer first
    /// finds the longest such chain, i.e. the number of dependent round trips.
    pub(crate) fn critical_path(recs: &[Rec], latency_ms: u64) -> Vec<Rec> {
        let mut by_end = recs.to_vec();
        by_end.sort_by_key(|r| r.ts_ms);
        let mut chain: Vec<Rec> = Vec::new();
        let mut last_end = i64::MIN / 2;
        for r in by_end {
            // 10 ms of slack for millisecond stamps; parallel requests overlap by ~latency.
            if r.ts_ms - latency_ms as i64 >= last_end - 10 {
                last_end = r.ts_ms;
                chain.push(r);
            }
        }
        chain
    }

    /// One line per request, by answer time, relative to the first start; `*` = on `chain`.
    pub(crate) fn timeline(recs: &[Rec], chain: &[Rec], latency_ms: u64) -> Vec<String> {
        let lat = latency_ms as i64;
        let first = recs.iter().map(|r| r.ts_ms).min().unwrap_or(0) - lat;
        let mut recs = recs.to_vec();
        recs.sort_by_key(|r| r.ts_ms);
        recs.iter()
            .map(|r| {
                let on = chain
                    .iter()
                    .any(|c| c.ts_ms == r.ts_ms && c.path == r.path && c.method == r.method);
                let end = r.ts_ms - first;
                format!(
                    "{:>5}..{:<5} ms {} {:<6} {} -> {}",
                    end - lat,
                    end,
                    if on { "*" } else { " " },
                    r.method,
                    r.path,
                    r.status
                )
            })
            .collect()
    }
}

pub(crate) mod tmux {
    //! The wizard in a detached tmux pane on a private server, for flows that need the
    //! rendered screen (the raw pty stream skips blank cells, so multi-word text never shows).

    use std::process::{Command, Stdio};
    use std::time::{Duration, Instant};

    pub(crate) struct Tmux {
        socket: String,
    }

    impl Tmux {
        /// Starts `cmd` (a shell command line) in a `cols`x`rows` pane without a status line.
        pub(crate) fn start(cmd: &str, cols: u16, rows: u16) -> Option<Self> {
            let t = Self {
                socket: format!("halo-bench-{}", std::process::id()),
            };
            let ok = t
                .tmux(&["-f", "/dev/null", "new-session", "-d", "-s", "b"])
                .args(["-x", &cols.to_string(), "-y", &rows.to_string(), cmd])
                .status()
                .ok()?
                .success();
            // The status line is off before the program draws its first frame.
            let _ = t.tmux(&["set", "-g", "status", "off"]).status();
            ok.then_some(t)
        }

        fn tmux(&self, args: &[&str]) -> Command {
            let mut c = Command::new("tmux");
            c.args(["-L", &self.socket])
                .args(args)
                .stdout(Stdio::piped())
                .stderr(Stdio::null());
            c
        }

        pub(crate) fn screen(&self) -> String {
            self.tmux(&["capture-pane", "-p", "-t", "b"])
                .output()
                .map(|o| String::from_utf8_lossy(&o.stdout).into_owned())
                .unwrap_or_default()
        }

        /// Sends tmux key names (`Enter`, `Tab`, `C-n`, `y`).
        pub(crate) fn keys(&self, keys: &[&str]) {
            let mut args = vec!["send-keys", "-t", "b"];
            args.extend_from_slice(keys);
            let _ = self.tmux(&args).status();
        }

        /// Polls the screen every 10 ms until it shows `text`; the moment it did.
        pub(crate) fn wait_for(&self, text: &str, timeout: Duration) -> Option<(Instant, String)> {
            let end = Instant::now() + timeout;
            while Instant::now() < end {
                let s = self.screen();
                if s.contains(text) {
                    return Some((Instant::now(), s));
                }
                std::thread::sleep(Duration::from_millis(10));
            }
            eprintln!("tmux: no '{text}' on screen:\n{}", self.screen());
            None
        }
    }

    impl Drop for Tmux {
        fn drop(&mut self) {
            let _ = self.tmux(&["kill-server"]).status();
        }
    }
}
