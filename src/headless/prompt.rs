//! On a terminal, ask; in a pipe, fail fast. A missing secret is asked for with echo off and
//! "Apply? [y/N]" follows a plan, but only when a person is there to answer: stdin and stderr
//! (where the questions go) are both terminals. Anywhere else (cron, CI, `| tee`, stdin from
//! a file) nothing waits for input and the usual errors stand.

use std::io::{BufRead, IsTerminal, Write};

use secrecy::SecretString;

use super::failure::{Failure, secret_from_text};

/// Whether a person can answer: stdin and stderr are terminals.
pub(crate) fn interactive() -> bool {
    std::io::stdin().is_terminal() && std::io::stderr().is_terminal()
}

/// Asks `question` with "[y/N]" on stderr and reads one line: only "y" or "yes" says yes
/// (end of input, anything else, or a read error is no).
pub(crate) fn yes_no(question: &str) -> bool {
    let _waiting = super::deadline::Person::waits();
    let mut err = std::io::stderr();
    let _ = write!(err, "{question} [y/N] ");
    let _ = err.flush();
    let mut line = String::new();
    match std::io::stdin().lock().read_line(&mut line) {
        Ok(0) | Err(_) => {
            let _ = writeln!(err);
            false
        }
        Ok(_) => matches!(line.trim().to_ascii_lowercase().as_str(), "y" | "yes"),
    }
}

/// Asks for a secret on the terminal with echo off (`what` names it, `env` says how to skip
/// the question next time). rpassword reads the controlling terminal with echo turned off and
/// restores it on every path, Ctrl-C included, with no raw-mode key handling of our own.
pub(crate) fn secret(what: &str, env: &str) -> Result<SecretString, Failure> {
    let _waiting = super::deadline::Person::waits();
    let prompt = format!("{what} (not shown; or set {env}): ");
    let typed = rpassword::prompt_password(prompt).map_err(|e| {
        Failure::new(
            format!("could not read the {what} from the terminal: {e}"),
            format!("Set {env} instead: read -rs {env} && export {env}"),
        )
    })?;
    secret_from_text(&typed, "the terminal")
}
