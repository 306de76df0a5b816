//! Is the terminal's background dark or light? Asked once, right after the first frame, so the
//! default theme can keep the terminal's own colours and still pick readable accents.
//!
//! Order: `COLORFGBG` (set by rxvt, Konsole and others; costs nothing), then an OSC 11 query
//! paired with a DA1 query every terminal answers, so a terminal that cannot report its
//! colours is recognised after one round trip instead of a timeout. No answer means "unknown"
//! and the theme stays relative to the terminal's colours.
//!
//! The answers arrive on the same input as the keys. Keys typed while the question is out
//! (over SSH that is a whole round trip) are kept and handed back with the answer, so the
//! wizard replays them: nothing the admin types is lost to the question.

use std::time::{Duration, Instant};

use crossterm::event::{Event, KeyCode, KeyEvent, KeyModifiers};

/// The terminal's background as it reported it, which picks the default theme's accents.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Background {
    /// A dark background: `auto-dark` accents.
    Dark,
    /// A light background: `auto-light` accents.
    Light,
}

/// Longest wait for the terminal's answer (one round trip, even over a slow SSH link).
const QUERY_TIMEOUT: Duration = Duration::from_millis(500);

/// `COLORFGBG` is "fg;bg" (sometimes "fg;default;bg") in ANSI palette numbers: 0-6 and 8 are
/// dark backgrounds, 7 and 9-15 light ones.
pub(crate) fn from_colorfgbg(value: &str) -> Option<Background> {
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

/// The terminal's answer, and the input that arrived around it.
#[derive(Debug, Default)]
pub struct Answer {
    /// The background, when the environment or the terminal said; `None`: unknown.
    pub background: Option<Background>,
    /// Keys (and pastes) typed while the question was out, in order: to be handled as if
    /// they had been read by the event loop.
    pub typed: Vec<Event>,
}

/// Asks the terminal (one round trip; at most [`QUERY_TIMEOUT`] when it never answers). The
/// terminal must be in raw mode (the wizard's is, once the first frame is drawn).
pub fn query() -> Answer {
    use std::io::{IsTerminal, Write};
    // Never write a query into a pipe or a file.
    if !std::io::stdin().is_terminal() || !std::io::stdout().is_terminal() {
        return Answer::default();
    }
    let mut out = std::io::stdout();
    // OSC 11 (background colour?) then DA1 (device attributes), which every terminal answers.
    if out
        .write_all(b"\x1b]11;?\x1b\\\x1b[c")
        .and_then(|()| out.flush())
        .is_err()
    {
        return Answer::default();
    }
    let input = read_until_da1(QUERY_TIMEOUT);
    let (reply, rest) = split_replies(&input);
    Answer {
        background: reply.as_deref().and_then(parse_osc11),
        typed: keys(&rest),
    }
}

/// Reads standard input until the DA1 answer (`ESC [ ? … c`) has arrived or `timeout` passed.
fn read_until_da1(timeout: Duration) -> Vec<u8> {
    let deadline = Instant::now() + timeout;
    let mut buf = Vec::new();
    loop {
        if da1_end(&buf).is_some() {
            return buf;
        }
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return buf;
        }
        let mut fds = libc::pollfd {
            fd: libc::STDIN_FILENO,
            events: libc::POLLIN,
            revents: 0,
        };
        let ms = libc::c_int::try_from(left.as_millis().max(1)).unwrap_or(libc::c_int::MAX);
        // SAFETY: one valid pollfd; poll only reads and writes that struct.
        let n = unsafe { libc::poll(&mut fds, 1, ms) };
        if n <= 0 {
            if n < 0 && std::io::Error::last_os_error().kind() == std::io::ErrorKind::Interrupted {
                continue;
            }
            return buf;
        }
        let mut chunk = [0u8; 256];
        // SAFETY: reads at most chunk.len() bytes into chunk.
        let got = unsafe { libc::read(libc::STDIN_FILENO, chunk.as_mut_ptr().cast(), chunk.len()) };
        match usize::try_from(got) {
            Ok(0) | Err(_) => return buf,
            Ok(n) => buf.extend_from_slice(&chunk[..n]),
        }
    }
}

/// Where the DA1 answer `ESC [ ? <digits and ;> c` starts and ends in `buf`.
fn da1_end(buf: &[u8]) -> Option<(usize, usize)> {
    let mut i = 0;
    while i + 2 < buf.len() {
        if buf[i] == 0x1b && buf[i + 1] == b'[' && buf[i + 2] == b'?' {
            let mut j = i + 3;
            while j < buf.len() && (buf[j].is_ascii_digit() || buf[j] == b';') {
                j += 1;
            }
            if j < buf.len() && buf[j] == b'c' {
                return Some((i, j + 1));
            }
        }
        i += 1;
    }
    None
}

/// Separates the OSC 11 answer (its payload, `rgb:…`) and the DA1 answer from the rest of the
/// input, which is what the admin typed.
fn split_replies(buf: &[u8]) -> (Option<String>, Vec<u8>) {
    let mut rest = buf.to_vec();
    if let Some((a, b)) = da1_end(&rest) {
        rest.drain(a..b);
    }
    let mut reply = None;
    if let Some(a) = find(&rest, b"\x1b]11;") {
        let body = a + 5;
        let end = rest[body..]
            .iter()
            .position(|&c| c == 0x07 || c == 0x1b)
            .map(|p| body + p);
        if let Some(e) = end {
            reply = Some(String::from_utf8_lossy(&rest[body..e]).into_owned());
            // BEL ends it, or ST (`ESC \`).
            let stop = if rest[e] == 0x1b && rest.get(e + 1) == Some(&b'\\') {
                e + 2
            } else {
                e + 1
            };
            rest.drain(a..stop);
        }
    }
    (reply, rest)
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

/// `rgb:RRRR/GGGG/BBBB` (1 to 4 hex digits each) → dark or light, by perceived lightness.
fn parse_osc11(payload: &str) -> Option<Background> {
    let rgb = payload.trim().strip_prefix("rgb:")?;
    let mut parts = rgb.split('/').map(|p| {
        let p = p.trim();
        let v = u32::from_str_radix(p, 16).ok()?;
        let max = (1u32 << (4 * u32::try_from(p.len()).ok()?.clamp(1, 4))) - 1;
        Some(f64::from(v) / f64::from(max))
    });
    let (r, g, b) = (parts.next()??, parts.next()??, parts.next()??);
    let lin = |c: f64| {
        if c <= 0.04045 {
            c / 12.92
        } else {
            ((c + 0.055) / 1.055).powf(2.4)
        }
    };
    let y = 0.2126 * lin(r) + 0.7152 * lin(g) + 0.0722 * lin(b);
    // CIE L*: below 50 the background is dark.
    let l = if y > 0.008856 {
        116.0 * y.cbrt() - 16.0
    } else {
        903.3 * y
    };
    Some(if l < 50.0 {
        Background::Dark
    } else {
        Background::Light
    })
}

fn key(code: KeyCode, modifiers: KeyModifiers) -> Event {
    Event::Key(KeyEvent::new(code, modifiers))
}

/// The keys a terminal sends as bytes in raw mode: text, Tab, Enter, Backspace, Ctrl-letters,
/// Esc, arrows, Shift-Tab, Home/End, PgUp/PgDn, Delete, F1-F4 and bracketed pastes. Any other
/// escape sequence is dropped whole (never typed as text).
fn keys(bytes: &[u8]) -> Vec<Event> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        if b == 0x1b {
            i += escape(&bytes[i..], &mut out);
            continue;
        }
        i += 1;
        let ev = match b {
            b'\r' | b'\n' => key(KeyCode::Enter, KeyModifiers::NONE),
            b'\t' => key(KeyCode::Tab, KeyModifiers::NONE),
            0x7f | 0x08 => key(KeyCode::Backspace, KeyModifiers::NONE),
            0x01..=0x1a => key(
                KeyCode::Char(char::from(b - 1 + b'a')),
                KeyModifiers::CONTROL,
            ),
            0x00..=0x1f => continue,
            _ => {
                // A UTF-8 character: its length from the first byte.
                let len = match b {
                    0xc0..=0xdf => 2,
                    0xe0..=0xef => 3,
                    0xf0..=0xf7 => 4,
                    _ => 1,
                };
                let end = (i - 1 + len).min(bytes.len());
                let s = String::from_utf8_lossy(&bytes[i - 1..end]).into_owned();
                i = end;
                match s.chars().next() {
                    Some(c) if !c.is_control() && c != char::REPLACEMENT_CHARACTER => {
                        key(KeyCode::Char(c), KeyModifiers::NONE)
                    }
                    _ => continue,
                }
            }
        };
        out.push(ev);
    }
    out
}

/// One escape sequence at the start of `s`; returns how many bytes it took.
fn escape(s: &[u8], out: &mut Vec<Event>) -> usize {
    const PASTE_START: &[u8] = b"\x1b[200~";
    const PASTE_END: &[u8] = b"\x1b[201~";
    if s.starts_with(PASTE_START) {
        let body = &s[PASTE_START.len()..];
        let len = find(body, PASTE_END).unwrap_or(body.len());
        out.push(Event::Paste(
            String::from_utf8_lossy(&body[..len]).into_owned(),
        ));
        return (PASTE_START.len() + len + PASTE_END.len()).min(s.len());
    }
    let none = KeyModifiers::NONE;
    match s.get(1) {
        None => {
            out.push(key(KeyCode::Esc, none));
            1
        }
        Some(b'[' | b'O') => {
            // CSI / SS3: parameters, then one final byte in @..~.
            let end = s[2..]
                .iter()
                .position(|c| (0x40..=0x7e).contains(c))
                .map_or(s.len(), |p| p + 3);
            let seq = &s[..end];
            let code = match seq {
                b"\x1b[A" | b"\x1bOA" => Some(KeyCode::Up),
                b"\x1b[B" | b"\x1bOB" => Some(KeyCode::Down),
                b"\x1b[C" | b"\x1bOC" => Some(KeyCode::Right),
                b"\x1b[D" | b"\x1bOD" => Some(KeyCode::Left),
                b"\x1b[H" | b"\x1bOH" | b"\x1b[1~" => Some(KeyCode::Home),
                b"\x1b[F" | b"\x1bOF" | b"\x1b[4~" => Some(KeyCode::End),
                b"\x1b[3~" => Some(KeyCode::Delete),
                b"\x1b[5~" => Some(KeyCode::PageUp),
                b"\x1b[6~" => Some(KeyCode::PageDown),
                b"\x1bOP" | b"\x1b[11~" => Some(KeyCode::F(1)),
                b"\x1bOQ" | b"\x1b[12~" => Some(KeyCode::F(2)),
                b"\x1bOR" | b"\x1b[13~" => Some(KeyCode::F(3)),
                b"\x1bOS" | b"\x1b[14~" => Some(KeyCode::F(4)),
                b"\x1b[Z" => {
                    out.push(key(KeyCode::BackTab, KeyModifiers::SHIFT));
                    None
                }
                _ => None,
            };
            if let Some(c) = code {
                out.push(key(c, none));
            }
            end
        }
        Some(_) => {
            // A lone Esc followed by more input.
            out.push(key(KeyCode::Esc, none));
            1
        }
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

    #[test]
    fn osc11_answers_tell_dark_from_light() {
        assert_eq!(parse_osc11("rgb:0000/0000/0000"), Some(Background::Dark));
        assert_eq!(parse_osc11("rgb:ffff/ffff/ffff"), Some(Background::Light));
        assert_eq!(parse_osc11("rgb:1e/1e/2e"), Some(Background::Dark));
        assert_eq!(parse_osc11("rgb:fd/f6/e3"), Some(Background::Light));
        assert_eq!(parse_osc11("rgba:0/0/0/0"), None);
        assert_eq!(parse_osc11("rgb:zz/00/00"), None);
    }

    /// Keys typed while the question is out come back in order, around both answers.
    #[test]
    fn typed_keys_survive_the_answers() {
        let input = b"htt\x1b]11;rgb:0000/0000/0000\x1b\\p:/\x1b[?62;22c/x\t\x0e";
        let (reply, rest) = split_replies(input);
        assert_eq!(reply.as_deref(), Some("rgb:0000/0000/0000"));
        assert_eq!(rest, b"http://x\t\x0e");
        let evs = keys(&rest);
        let text: String = evs
            .iter()
            .filter_map(|e| match e {
                Event::Key(KeyEvent {
                    code: KeyCode::Char(c),
                    modifiers: KeyModifiers::NONE,
                    ..
                }) => Some(*c),
                _ => None,
            })
            .collect();
        assert_eq!(text, "http://x");
        assert_eq!(evs[8], key(KeyCode::Tab, KeyModifiers::NONE));
        assert_eq!(evs[9], key(KeyCode::Char('n'), KeyModifiers::CONTROL));
        // No answer at all (DA1 only): nothing known, nothing lost.
        let (reply, rest) = split_replies(b"a\x1b[?1;2cb");
        assert_eq!((reply, rest), (None, b"ab".to_vec()));
    }

    #[test]
    fn escape_sequences_become_keys_or_nothing_never_text() {
        let evs = keys(b"\x1b[A\x1b[Z\x1b[200~p\x1bq\x1b[201~\x1b[99;5u\x1b[3~\x1b");
        assert_eq!(
            evs,
            vec![
                key(KeyCode::Up, KeyModifiers::NONE),
                key(KeyCode::BackTab, KeyModifiers::SHIFT),
                Event::Paste("p\x1bq".into()),
                key(KeyCode::Delete, KeyModifiers::NONE),
                key(KeyCode::Esc, KeyModifiers::NONE),
            ]
        );
        assert_eq!(
            keys("é".as_bytes()),
            vec![key(KeyCode::Char('é'), KeyModifiers::NONE)]
        );
    }
}
