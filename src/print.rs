//! Printing that never stops the program. `println!` and friends panic when the reader went
//! away (`| head`: EPIPE, Rust ignores SIGPIPE) or the disk is full; a panic between two Halo
//! writes would leave a setup half-applied. Here a failed write is remembered instead: the
//! command carries on to its end (its result is in the journal) and exits with
//! [`EXIT_OUTPUT_LOST`]. Every print of the program goes through these macros
//! ([`outln!`], [`out!`], [`errln!`]; a test keeps `println!` out of `src/`).

use std::io::Write;
use std::sync::atomic::{AtomicBool, Ordering};

/// Exit code of a command that ran but could not write all of its output.
pub const EXIT_OUTPUT_LOST: u8 = 4;

static LOST: AtomicBool = AtomicBool::new(false);

/// Writes to stdout; a failure is remembered, never raised.
pub fn stdout(args: std::fmt::Arguments<'_>) {
    let mut o = std::io::stdout().lock();
    if o.write_fmt(args).and_then(|()| o.flush()).is_err() {
        LOST.store(true, Ordering::Relaxed);
    }
}

/// Writes to stderr; a failure is remembered, never raised.
pub fn stderr(args: std::fmt::Arguments<'_>) {
    if std::io::stderr().lock().write_fmt(args).is_err() {
        LOST.store(true, Ordering::Relaxed);
    }
}

/// Writes `bytes` to stdout (documents such as a man page); a failure is remembered.
pub fn stdout_bytes(bytes: &[u8]) {
    let mut o = std::io::stdout().lock();
    if o.write_all(bytes).and_then(|()| o.flush()).is_err() {
        LOST.store(true, Ordering::Relaxed);
    }
}

/// Whether some output could not be written.
pub fn lost() -> bool {
    // What is still buffered must reach its reader too.
    if std::io::stdout().lock().flush().is_err() {
        LOST.store(true, Ordering::Relaxed);
    }
    LOST.load(Ordering::Relaxed)
}

/// The exit code of a command that finished with `code`: [`EXIT_OUTPUT_LOST`] when its output
/// was lost (the reader closed the pipe, the disk was full), so a script never mistakes a
/// result it did not see for one it saw.
pub fn exit_code(code: u8) -> u8 {
    if lost() { EXIT_OUTPUT_LOST } else { code }
}

/// `println!` that never panics.
#[macro_export]
macro_rules! outln {
    () => { $crate::print::stdout(format_args!("\n")) };
    ($($t:tt)*) => { $crate::print::stdout(format_args!("{}\n", format_args!($($t)*))) };
}

/// `print!` that never panics.
#[macro_export]
macro_rules! out {
    ($($t:tt)*) => { $crate::print::stdout(format_args!($($t)*)) };
}

/// `eprint!` that never panics.
#[macro_export]
macro_rules! err {
    ($($t:tt)*) => { $crate::print::stderr(format_args!($($t)*)) };
}

/// `eprintln!` that never panics.
#[macro_export]
macro_rules! errln {
    () => { $crate::print::stderr(format_args!("\n")) };
    ($($t:tt)*) => { $crate::print::stderr(format_args!("{}\n", format_args!($($t)*))) };
}

#[cfg(test)]
mod tests {
    /// No `println!`, `print!`, `eprintln!` or `eprint!` in the program (the emulator aside,
    /// which prints its own request log): each would panic on a closed pipe.
    #[test]
    fn no_print_macro_that_panics() {
        let src = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
        let mut files = Vec::new();
        let mut stack = vec![src.clone()];
        while let Some(d) = stack.pop() {
            for e in std::fs::read_dir(&d).into_iter().flatten().flatten() {
                let p = e.path();
                if p.is_dir() {
                    if p != src.join("sim") {
                        stack.push(p);
                    }
                } else if p.extension().is_some_and(|x| x == "rs") && p != src.join("print.rs") {
                    files.push(p);
                }
            }
        }
        let mut bad = Vec::new();
        for f in files {
            let text = std::fs::read_to_string(&f).unwrap_or_default();
            for (n, line) in text.lines().enumerate() {
                let code = line.split("//").next().unwrap_or_default();
                for m in ["println!", "print!(", "eprintln!", "eprint!("] {
                    let at = code.find(m);
                    // `outln!`, `errln!` are ours; a word character before means another name.
                    let ours = at.is_some_and(|i| {
                        code[..i]
                            .chars()
                            .last()
                            .is_some_and(|c| c.is_ascii_alphanumeric() || c == '_')
                    });
                    if at.is_some() && !ours {
                        bad.push(format!("{}:{}: {}", f.display(), n + 1, line.trim()));
                    }
                }
            }
        }
        assert!(
            bad.is_empty(),
            "use outln!/out!/errln! (src/print.rs):\n{}",
            bad.join("\n")
        );
    }
}
