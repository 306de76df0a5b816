//! Is the terminal's background dark or light? Asked once before the wizard takes the screen,
//! so the default theme can keep the terminal's own colours and still pick readable accents.
//!
//! Order: `COLORFGBG` (set by rxvt, Konsole and others; costs nothing), then an OSC 11 query
//! through `terminal-colorsaurus`, which pairs it with a DA1 query every terminal answers, so a
//! terminal that cannot report its colours is recognised after one round trip instead of a
//! timeout. No answer means "unknown" and the theme stays relative to the terminal's colours.

use std::time::Duration;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Background {
    Dark,
    Light,
}

/// Longest wait for the terminal's answer (one round trip, even over a slow SSH link).
const QUERY_TIMEOUT: Duration = Duration::from_millis(500);

/// `COLORFGBG` is "fg;bg" (sometimes "fg;default;bg") in ANSI palette numbers: 0-6 and 8 are
/// dark backgrounds, 7 and 9-15 light ones.
pub fn from_colorfgbg(value: &str) -> Option<Background> {
    let bg: u8 = value.rsplit(';').next()?.trim().parse().ok()?;
    match bg {
        0..=6 | 8 => Some(Background::Dark),
        7 | 9..=15 => Some(Background::Light),
        _ => None,
    }
}

/// What the environment says (`COLORFGBG`); costs nothing.
pub fn from_env() -> Option<Background> {
    std::env::var("COLORFGBG")
        .ok()
        .as_deref()
        .and_then(from_colorfgbg)
}

/// Asks the terminal (one round trip; at most [`QUERY_TIMEOUT`] when it never answers). The
/// wizard asks once its first frame is drawn and before it reads keys, so nothing waits on it
/// and no key is taken for the answer.
pub fn query() -> Option<Background> {
    use std::io::IsTerminal;
    // Never write a query into a pipe or a file.
    if !std::io::stdin().is_terminal() || !std::io::stdout().is_terminal() {
        return None;
    }
    let mut opts = terminal_colorsaurus::QueryOptions::default();
    opts.timeout = QUERY_TIMEOUT;
    match terminal_colorsaurus::theme_mode(opts).ok()? {
        terminal_colorsaurus::ThemeMode::Dark => Some(Background::Dark),
        terminal_colorsaurus::ThemeMode::Light => Some(Background::Light),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn colorfgbg_forms() {
        assert_eq!(from_colorfgbg("15;0"), Some(Background::Dark));
        assert_eq!(from_colorfgbg("0;15"), Some(Background::Light));
        assert_eq!(from_colorfgbg("15;default;0"), Some(Background::Dark));
        assert_eq!(from_colorfgbg("0;7"), Some(Background::Light));
        assert_eq!(from_colorfgbg("0;default"), None);
        assert_eq!(from_colorfgbg(""), None);
        assert_eq!(from_colorfgbg("0;200"), None);
    }
}
