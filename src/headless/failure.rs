//! A headless command's failure (what went wrong and what to do), its exit codes, and how it
//! is printed. A leaf: every command imports it, it imports none of them.

use secrecy::SecretString;

use crate::halo::HaloError;

/// Exit codes shared by the headless commands.
pub const EXIT_OK: u8 = 0;

/// Verification failed, drift found, or the plan is blocked.
pub const EXIT_FAILED: u8 = 1;

/// Could not run (bad arguments, unreachable Halo, bad credentials).
pub const EXIT_CANNOT_RUN: u8 = 2;

/// Applied, with steps to do by hand in Halo's web UI not yet confirmed: not verified.
pub const EXIT_MANUAL_LEFT: u8 = 3;

/// The exit code of a verdict: 0 verified, 3 manual steps left, 1 failed or could not check.
pub fn verdict_code(v: crate::plan::verify::Verdict) -> u8 {
    use crate::plan::verify::Verdict;
    match v {
        Verdict::Verified => EXIT_OK,
        Verdict::ManualStepsLeft => EXIT_MANUAL_LEFT,
        Verdict::Failed | Verdict::CouldNotCheck => EXIT_FAILED,
    }
}

/// A user-facing failure: what went wrong and what to do.
#[derive(Debug)]
pub struct Failure {
    /// What failed and why, one line (printed after `halo-onboard: `).
    pub message: String,
    /// What to do next, printed under the message.
    pub hint: String,
    /// The exit code; [`EXIT_CANNOT_RUN`] unless a command sets another.
    pub code: u8,
}

impl Failure {
    /// A failure that exits [`EXIT_CANNOT_RUN`].
    pub fn new(message: impl Into<String>, hint: impl Into<String>) -> Self {
        Self {
            message: message.into(),
            hint: hint.into(),
            code: EXIT_CANNOT_RUN,
        }
    }
    /// A Halo error as a failure: its message and its hint.
    pub fn halo(e: &HaloError) -> Self {
        Self::new(e.to_string(), e.hint())
    }
}

/// A pasted or stored secret: surrounding whitespace and NULs trimmed (editors and `printf`
/// leave a newline, some tools a NUL); empty or with control characters inside is refused.
pub fn secret_from_text(raw: &str, source: &str) -> Result<SecretString, Failure> {
    let t = raw.trim_matches(|c: char| c.is_whitespace() || c == '\0');
    if t.is_empty() {
        return Err(Failure::new(
            format!("the client secret from {source} is empty"),
            "Copy the secret again from Halo (or generate a new one there).",
        ));
    }
    if let Some((i, c)) = crate::text::first_unsafe(t) {
        return Err(Failure::new(
            format!(
                "the client secret from {source} has a control character ({}) at position {}",
                crate::text::code_point(c),
                i + 1
            ),
            "A Halo secret is letters, digits and dashes: copy it again from Halo.",
        ));
    }
    Ok(SecretString::from(t.to_string()))
}

/// Prints a failure. Its text may carry a server's or a file's words: it goes through the
/// sanitiser (a checklist keeps its line breaks, nothing else).
pub fn print_failure(f: &Failure, json: bool) {
    let (message, hint) = (crate::text::block(&f.message), crate::text::block(&f.hint));
    if json {
        let v = serde_json::json!({"ok": false, "error": message, "hint": hint});
        outln!("{v}");
    } else {
        errln!("error: {message}");
        if !hint.is_empty() {
            errln!("  what to do: {hint}");
        }
    }
}
