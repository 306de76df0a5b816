//! The sanitiser: every string that Halo or a file provides passes here before it is printed,
//! logged or written. Control characters (C0, DEL, C1), bidi overrides and isolates, and Unicode
//! line separators are shown escaped (`\x1b`, `\u{202e}`), so nothing reaches a terminal raw
//! and tampering stays visible; one-line text is capped with an ellipsis.

use std::borrow::Cow;

use serde_json::Value;

/// Longest one-line text shown from a server or a file (names, messages, URLs).
pub const LINE_MAX: usize = 300;

/// JSON keys whose values are multi-line by nature (role notes, application description):
/// line breaks survive there; every other string is one line.
const MULTILINE_KEYS: &[&str] = &["notes", "description"];

/// Bidi embeddings, overrides, isolates and marks: they reorder what a terminal shows.
pub fn is_bidi(c: char) -> bool {
    matches!(
        c,
        '\u{061C}' | '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}'
    )
}

/// What never reaches a terminal, a log or a hand-over file as is.
pub fn is_unsafe(c: char) -> bool {
    c.is_control() || is_bidi(c) || matches!(c, '\u{2028}' | '\u{2029}')
}

fn escape(c: char, out: &mut String) {
    use std::fmt::Write;
    let _ = match c {
        '\n' => out.write_str("\\n"),
        '\r' => out.write_str("\\r"),
        c if u32::from(c) < 0x100 => write!(out, "\\x{:02x}", u32::from(c)),
        c => write!(out, "\\u{{{:x}}}", u32::from(c)),
    };
}

/// `s` as one line, every unsafe character escaped (a tab becomes a space), at most `max`
/// characters plus an ellipsis.
pub fn line_max(s: &str, max: usize) -> String {
    let mut out = String::with_capacity(s.len().min(max.saturating_mul(4)) + 3);
    // Output characters so far (escapes are ASCII, so their byte length is their width).
    let mut n = 0usize;
    let mut piece = String::new();
    for c in s.chars() {
        piece.clear();
        match c {
            '\t' => piece.push(' '),
            c if is_unsafe(c) => escape(c, &mut piece),
            c => piece.push(c),
        }
        let w = piece.chars().count();
        if n.saturating_add(w) > max {
            out.push('…');
            break;
        }
        out.push_str(&piece);
        n += w;
    }
    out
}

/// `s` as one line of at most [`LINE_MAX`] characters (plus an ellipsis).
pub fn line(s: &str) -> String {
    line_max(s, LINE_MAX)
}

/// `s` as one line, uncapped: for data kept and compared (names Halo stores), not for display.
pub fn line_full(s: &str) -> Cow<'_, str> {
    if s.chars().any(is_unsafe) {
        Cow::Owned(line_max(s, usize::MAX))
    } else {
        Cow::Borrowed(s)
    }
}

/// `s` as a multi-line block: newlines and tabs kept (`\r\n` becomes `\n`), every other unsafe
/// character escaped. Uncapped: blocks are our own texts with server values already cut.
pub fn block(s: &str) -> Cow<'_, str> {
    if !s.chars().any(|c| is_unsafe(c) && c != '\n' && c != '\t') {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\r' if chars.peek() == Some(&'\n') => {}
            '\n' | '\t' => out.push(c),
            c if is_unsafe(c) => escape(c, &mut out),
            c => out.push(c),
        }
    }
    Cow::Owned(out)
}

/// The first unsafe character of one-line input (a tab counts), with its position: for a
/// validation message that says what to remove.
pub fn first_unsafe(s: &str) -> Option<(usize, char)> {
    s.chars().enumerate().find(|(_, c)| is_unsafe(*c))
}

/// How a character is named in a message: `U+001B`.
pub fn code_point(c: char) -> String {
    format!("U+{:04X}", u32::from(c))
}

/// Cleans every string in a JSON answer in place: one line each, except under
/// [`MULTILINE_KEYS`], where line breaks are kept. Nothing is cut (the plan compares these
/// values with what it asked for; the body cap bounds their size).
pub fn clean_json(v: &mut Value) {
    clean_value(v, false);
}

fn clean_value(v: &mut Value, multiline: bool) {
    match v {
        Value::String(s) => {
            let cleaned = if multiline {
                block(s).into_owned()
            } else {
                line_full(s).into_owned()
            };
            if cleaned != *s {
                *s = cleaned;
            }
        }
        Value::Array(items) => items.iter_mut().for_each(|x| clean_value(x, multiline)),
        Value::Object(map) => {
            for (k, x) in map.iter_mut() {
                let ml = MULTILINE_KEYS.iter().any(|m| k.eq_ignore_ascii_case(m));
                clean_value(x, ml);
            }
        }
        _ => {}
    }
}

/// One log-file line: an RFC 3339 timestamp and the event, forced onto that one line.
pub fn log_line(t: std::time::SystemTime, event: &str) -> String {
    format!("{} {}", crate::timestamp::rfc3339_utc(t), line_full(event))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The real payloads of the adversarial review.
    const PAYLOADS: &[&str] = &[
        "\x1b]52;c;aGFja2Vk\x07",
        "\x1b]0;pwned title\x07",
        "\x1b[2J",
        "\x1b]8;;https://evil.example\x1b\\click\x1b]8;;\x1b\\",
        "\x07",
        "\u{202e}gnp.exe",
        "\u{9b}31m",
        "\x7f",
    ];

    fn clean_bytes(s: &str) -> bool {
        s.bytes().all(|b| b >= 0x20 && b != 0x7f) && !s.chars().any(is_unsafe)
    }

    #[test]
    fn payloads_are_escaped_visibly() {
        for p in PAYLOADS {
            let l = line(&format!("Bob {p} Smith"));
            assert!(clean_bytes(&l), "{l:?}");
            assert!(l.starts_with("Bob ") && l.ends_with(" Smith"), "{l}");
        }
        assert_eq!(line("a\x1b[2Jb"), "a\\x1b[2Jb");
        assert_eq!(line("x\u{202e}y"), "x\\u{202e}y");
        assert_eq!(
            line("forged\n2026 info hand-over confirmed"),
            "forged\\n2026 info hand-over confirmed"
        );
        assert_eq!(line("tab\there"), "tab here");
    }

    #[test]
    fn cap_and_ellipsis() {
        let long = "h".repeat(100_000);
        let l = line(&long);
        assert_eq!(l.chars().count(), LINE_MAX + 1);
        assert!(l.ends_with('…'));
        assert_eq!(line_max("abc", 3), "abc");
        assert_eq!(line_max("abcd", 3), "abc…");
        assert_eq!(line_max("", 0), "");
    }

    #[test]
    fn blocks_keep_newlines_and_tabs_only() {
        assert_eq!(block("a\r\nb\tc"), "a\nb\tc");
        assert_eq!(block("a\x1b]0;t\x07\nb"), "a\\x1b]0;t\\x07\nb");
        assert!(matches!(block("plain\ntext"), Cow::Borrowed(_)));
        assert_eq!(block("lone\rcr"), "lone\\rcr");
    }

    #[test]
    fn json_strings_are_cleaned_notes_keep_lines() {
        let mut v = serde_json::json!({
            "name": "evil\x1b]52;c;eA==\x07\nname",
            "notes": "line one\nline two\x1b[2J",
            "nested": [{"team_name": "\u{202e}x"}],
            "id": 3,
        });
        clean_json(&mut v);
        assert_eq!(v["name"], "evil\\x1b]52;c;eA==\\x07\\nname");
        assert_eq!(v["notes"], "line one\nline two\\x1b[2J");
        assert_eq!(v["nested"][0]["team_name"], "\\u{202e}x");
        assert_eq!(v["id"], 3);
    }

    #[test]
    fn first_unsafe_names_the_character() {
        assert_eq!(first_unsafe("ok"), None);
        assert_eq!(first_unsafe("a\x1bb"), Some((1, '\x1b')));
        assert_eq!(code_point('\x1b'), "U+001B");
        assert_eq!(code_point('\u{202e}'), "U+202E");
    }

    #[test]
    fn log_lines_are_one_line() {
        use std::time::UNIX_EPOCH;
        let l = log_line(UNIX_EPOCH, "info name\nforged");
        assert_eq!(l, "1970-01-01T00:00:00.000Z info name\\nforged");
    }

    proptest::proptest! {
        /// Arbitrary bytes (as a server or a file may send them) never yield a control or bidi
        /// character, and one-line text respects the cap.
        #[test]
        fn arbitrary_bytes_come_out_clean(bytes in proptest::collection::vec(proptest::num::u8::ANY, 0..600), cap in 0usize..400) {
            let s = String::from_utf8_lossy(&bytes);
            let l = line_max(&s, cap);
            proptest::prop_assert!(clean_bytes(&l), "{:?}", l);
            proptest::prop_assert!(l.chars().count() <= cap + 1);
            let b = block(&s);
            proptest::prop_assert!(b.bytes().all(|x| x >= 0x20 && x != 0x7f || x == b'\n' || x == b'\t'), "{:?}", b);
            proptest::prop_assert!(!b.chars().any(|c| is_unsafe(c) && c != '\n' && c != '\t'));
        }

        #[test]
        fn arbitrary_strings_come_out_clean(s in proptest::prelude::any::<String>()) {
            let l = line(&s);
            proptest::prop_assert!(clean_bytes(&l), "{:?}", l);
            proptest::prop_assert!(l.chars().count() <= LINE_MAX + 1);
            let mut v = serde_json::json!({"name": s.clone(), "notes": s.clone(), "list": [s]});
            clean_json(&mut v);
            proptest::prop_assert!(clean_bytes(v["name"].as_str().unwrap_or_default()));
            proptest::prop_assert!(clean_bytes(v["list"][0].as_str().unwrap_or_default()));
            let notes = v["notes"].as_str().unwrap_or_default();
            proptest::prop_assert!(!notes.chars().any(|c| is_unsafe(c) && c != '\n' && c != '\t'));
        }
    }
}
