//! Property/fuzz tests (proptest) of every parser that reads outside input: the journal loader,
//! the answers overlay, the profile parser, and the client's response decoding (lists, single
//! objects, error bodies, the JWT agent id). Each must answer Ok or a typed error — never panic —
//! and the error must point inside the input.
//!
//! Case counts are bounded so this runs in seconds in CI. For a longer run:
//!   PROPTEST_CASES=100000 cargo test --release --test fuzz -- --nocapture
//! The theme parser (src/ui/theme.rs) is fuzzed too: its errors go to the log pane as one line.

// A test is a scenario read top to bottom; the 80-line limit (clippy.toml) is for the code.
#![allow(clippy::too_many_lines)]

use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};

use base64::Engine as _;
use halo_onboard::answers::Answers;
use halo_onboard::halo::client::decode;
use halo_onboard::halo::client::{Redactor, agent_id_from_jwt};
use halo_onboard::halo::{Agent, Application, Department, Role, Team, Workday};
use halo_onboard::journal::{Event, Journal, JournalError, Subject};
use proptest::prelude::*;
use serde_json::Value;

static EXECUTIONS: AtomicU64 = AtomicU64::new(0);

fn ran() {
    EXECUTIONS.fetch_add(1, Ordering::Relaxed);
}

/// Default 256 cases per property; PROPTEST_CASES overrides (proptest reads it).
fn config() -> ProptestConfig {
    ProptestConfig {
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

// --- journal -------------------------------------------------------------------------------

/// A valid journal with entries of every kind, as bytes.
fn valid_journal() -> (tempfile::TempDir, Journal, String, Vec<u8>) {
    let t = tempfile::tempdir().unwrap();
    let j = Journal::open(t.path()).unwrap();
    let a = halo_onboard::profile::answers_for("topleft").unwrap();
    let ep = halo_onboard::halo::Endpoint::hosted("https://acme.halopsa.com").unwrap();
    let mut s = j.create(a, Some(ep)).unwrap();
    for (subject, id) in [(Subject::Role, "g-1"), (Subject::Agent, "7")] {
        j.record(
            &mut s,
            Event::About {
                subject,
                action: "create".into(),
            },
        )
        .unwrap();
        j.record(
            &mut s,
            Event::Done {
                subject,
                action: "create".into(),
                id: id.into(),
            },
        )
        .unwrap();
    }
    j.record(
        &mut s,
        Event::Failed {
            subject: Subject::Application,
            action: "create".into(),
            error: "x".into(),
        },
    )
    .unwrap();
    j.record(
        &mut s,
        Event::Note {
            text: "ü note".into(),
        },
    )
    .unwrap();
    let p = t.path().join("sessions").join(format!("{}.json", s.id));
    let bytes = std::fs::read(&p).unwrap();
    (t, j, s.id, bytes)
}

#[derive(Debug, Clone)]
enum Mutation {
    Flip(usize, u8),
    Delete(usize, usize),
    Insert(usize, Vec<u8>),
    Truncate(usize),
}

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        (any::<usize>(), any::<u8>()).prop_map(|(i, b)| Mutation::Flip(i, b)),
        (any::<usize>(), 1usize..40).prop_map(|(i, n)| Mutation::Delete(i, n)),
        (any::<usize>(), prop::collection::vec(any::<u8>(), 1..8))
            .prop_map(|(i, v)| Mutation::Insert(i, v)),
        (
            any::<usize>(),
            prop::sample::select(vec![
                b"\"version\": 9".to_vec(),
                b"null".to_vec(),
                b"\"".to_vec(),
                b"{".to_vec(),
                b"]".to_vec(),
                b"\"status\": \"nope\"".to_vec(),
                b"-1".to_vec(),
                b"1e999".to_vec(),
                b"\xff\xfe".to_vec(),
            ])
        )
            .prop_map(|(i, v)| Mutation::Insert(i, v)),
        any::<usize>().prop_map(Mutation::Truncate),
    ]
}

fn mutate(mut b: Vec<u8>, ms: &[Mutation]) -> Vec<u8> {
    for m in ms {
        let len = b.len().max(1);
        match m {
            Mutation::Flip(i, x) => {
                if !b.is_empty() {
                    let i = i % len;
                    b[i] ^= x;
                }
            }
            Mutation::Delete(i, n) => {
                let i = i % len;
                let end = (i + n).min(b.len());
                if i < end {
                    b.drain(i..end);
                }
            }
            Mutation::Insert(i, v) => {
                let i = i % (b.len() + 1);
                b.splice(i..i, v.iter().copied());
            }
            Mutation::Truncate(i) => b.truncate(i % len),
        }
    }
    b
}

/// Loads `bytes` as the setup `id`: Ok, or Corrupt/TooNew naming the file — never a panic,
/// never an I/O error (the directory is fine), never a change to the file.
fn check_load(j: &Journal, dir: &Path, id: &str, bytes: &[u8]) -> Result<(), TestCaseError> {
    ran();
    let p = dir.join("sessions").join(format!("{id}.json"));
    std::fs::write(&p, bytes).unwrap();
    match j.load(id) {
        Ok(s) => prop_assert!(!s.id.is_empty()),
        Err(JournalError::Corrupt { path, line, .. }) => {
            prop_assert_eq!(&path, &p);
            let lines = bytes.iter().filter(|b| **b == b'\n').count() + 1;
            prop_assert!(line <= lines + 1, "line {} of {}", line, lines);
        }
        Err(JournalError::TooNew { path, .. }) => prop_assert_eq!(&path, &p),
        Err(e) => prop_assert!(false, "unexpected error kind: {e}"),
    }
    prop_assert_eq!(
        std::fs::read(&p).unwrap(),
        bytes.to_vec(),
        "the file was changed"
    );
    // The listing survives it too.
    let (ok, bad) = j.list();
    prop_assert_eq!(ok.len() + bad.len(), 1);
    Ok(())
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn journal_arbitrary_bytes(bytes in prop::collection::vec(any::<u8>(), 0..512)) {
        let (t, j, id, _) = valid_journal_cached();
        check_load(&j, t, &id, &bytes)?;
    }

    #[test]
    fn journal_mutated(ms in prop::collection::vec(mutation(), 1..6)) {
        let (t, j, id, valid) = valid_journal_cached();
        check_load(&j, t, &id, &mutate(valid, &ms))?;
    }
}

/// One valid journal per test thread (creating one per case would dominate the run time).
fn valid_journal_cached() -> (&'static Path, Journal, String, Vec<u8>) {
    thread_local! {
        static V: (&'static Path, Journal, String, Vec<u8>) = {
            let (t, j, id, b) = valid_journal();
            let dir: &'static tempfile::TempDir = Box::leak(Box::new(t));
            (dir.path(), j, id, b)
        };
    }
    V.with(|v| (v.0, v.1.clone(), v.2.clone(), v.3.clone()))
}

// --- TOML: answers overlay and profiles ----------------------------------------------------

fn toml_line() -> impl Strategy<Value = String> {
    prop_oneof![
        prop::sample::select(vec![
            "[agent]",
            "[role]",
            "[application]",
            "[connection]",
            "[[agent.teams]]",
            "[role.features]",
            "[role.access]",
            "[role.settings]",
            "tickets = \"Read and Modify\"",
            "clients = \"View (Names Only)\"",
            "add_tickets = true",
            "scopes = [\"all\"]",
            "scopes = \"all\"",
            "name = \"x\"",
            "id = \"p\"",
            "vendor = \"V\"",
            "is_admin = true",
            "is_admin = \"yes\"",
            "tickets = \"edit\"",
            "mode = \"reuse\"",
            "email = ",
            "= 3",
            "[",
            "]]",
            "\"",
            "'''",
            "name = \"\"\"",
            "x = 1979-05-27T07:32:00Z",
        ])
        .prop_map(String::from),
        "[a-z_]{1,10} = (\"[^\"\\\\]{0,12}\"|[0-9]{1,4}|true|\\[\\])",
        "\\PC{0,30}",
    ]
}

fn toml_text() -> impl Strategy<Value = String> {
    prop::collection::vec(toml_line(), 0..12).prop_map(|l| l.join("\n"))
}

fn base_answers() -> Answers {
    halo_onboard::profile::answers_for("topleft").unwrap()
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn answers_overlay_never_panics(text in prop_oneof![toml_text(), "\\PC{0,200}"]) {
        ran();
        let t = tempfile::tempdir().unwrap();
        let p = t.path().join("answers.toml");
        std::fs::write(&p, &text).unwrap();
        match halo_onboard::headless::common::overlay_answers(&base_answers(), &p) {
            Ok(_) => {}
            Err(f) => {
                prop_assert!(f.message.contains(&p.display().to_string()), "{}", f.message);
                prop_assert!(!f.hint.is_empty());
                if let Some(rest) = f.message.split(" at line ").nth(1) {
                    let n: usize = rest.split(':').next().unwrap_or("0").parse().unwrap_or(0);
                    prop_assert!(n >= 1 && n <= text.lines().count().max(1) + 1, "line {n}");
                }
            }
        }
    }

    #[test]
    fn profile_parse_never_panics(text in prop_oneof![toml_text(), "\\PC{0,200}", mutated_profile()]) {
        ran();
        let path = Path::new("/profiles/fuzz.toml");
        match halo_onboard::profile::parse(&text, path) {
            Ok(p) => prop_assert!(p.validate().is_empty()),
            Err(e) => {
                let shown = e.to_string();
                prop_assert!(shown.contains("fuzz.toml"), "{shown}");
                if let Some(line) = e.line {
                    prop_assert!(line >= 1 && line <= text.lines().count() + 1, "line {line}");
                }
            }
        }
    }
}

const TOPLEFT: &str = include_str!("../src/profile/builtin/topleft.toml");

fn mutated_profile() -> impl Strategy<Value = String> {
    prop::collection::vec(mutation(), 1..4).prop_map(|ms| {
        String::from_utf8_lossy(&mutate(TOPLEFT.as_bytes().to_vec(), &ms)).into_owned()
    })
}

// --- themes ---------------------------------------------------------------------------------

const DARK: &str = include_str!("../themes/dark.toml");

fn theme_line() -> impl Strategy<Value = String> {
    prop_oneof![
        prop::sample::select(vec![
            "name = \"t\"",
            "[text]",
            "[muted]",
            "text = {}",
            "accent = { fg = \"cyan\", bold = true }",
            "error = { fg = \"#ff00zz\" }",
            "error = { fg = \"#\" }",
            "warning = { bg = 3 }",
            "success = { fg = \"\u{1F600}\" }",
            "selection = { reversed = \"yes\" }",
            "border = { bogus = 1 }",
            "title = { fg = \"indexed(300)\" }",
            "fg = \"light-red\"",
            "[[text]]",
        ])
        .prop_map(String::from),
        toml_line(),
    ]
}

fn mutated_theme() -> impl Strategy<Value = String> {
    prop::collection::vec(mutation(), 1..4)
        .prop_map(|ms| String::from_utf8_lossy(&mutate(DARK.as_bytes().to_vec(), &ms)).into_owned())
}

proptest! {
    #![proptest_config(config())]

    /// Ok, or one line that names the file and, when it names a line, one inside the input.
    #[test]
    fn theme_parse_never_panics(text in prop_oneof![
        prop::collection::vec(theme_line(), 0..14).prop_map(|l| l.join("\n")),
        "\\PC{0,200}",
        mutated_theme(),
    ]) {
        ran();
        match halo_onboard::ui::Theme::parse(&text, "/themes/fuzz.toml") {
            Ok(_) => {}
            Err(e) => {
                let e = e.to_string();
                prop_assert!(e.starts_with("theme /themes/fuzz.toml"), "{e}");
                prop_assert!(!e.contains('\n'), "not one line: {e}");
                if let Some(rest) = e.split(", line ").nth(1) {
                    let n: usize = rest.split(',').next().unwrap_or("0").parse().unwrap_or(0);
                    prop_assert!(n >= 1 && n <= text.lines().count().max(1) + 1, "line {n}: {e}");
                }
            }
        }
    }
}

// --- the client's response decoding --------------------------------------------------------

fn json_key() -> impl Strategy<Value = String> {
    prop_oneof![
        prop::sample::select(vec![
            "record_count",
            "agents",
            "roles",
            "applications",
            "teams",
            "tree",
            "workdays",
            "id",
            "name",
            "clientId",
            "scopes",
            "claims",
            "teams",
            "roles",
            "Message",
            "message",
            "error",
            "error_description",
            "errors",
            "ClassName",
            "title",
            "isapiagent",
        ])
        .prop_map(String::from),
        "[a-zA-Z_]{0,8}",
    ]
}

fn json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<f64>()
            .prop_map(|f| serde_json::Number::from_f64(f).map_or(Value::Null, Value::Number)),
        "\\PC{0,16}".prop_map(Value::String),
        "[0-9]{1,4}".prop_map(Value::String),
    ];
    leaf.prop_recursive(4, 64, 8, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::vec((json_key(), inner), 0..6)
                .prop_map(|kv| Value::Object(kv.into_iter().collect())),
        ]
    })
}

const SECRET: &str = "fz-SECRET-0a1b2c3d4e5f";

proptest! {
    #![proptest_config(config())]

    #[test]
    fn list_and_object_decoding_reads_what_it_was_given(v in json(), plural in json_key()) {
        ran();
        let page = decode::page(v.clone(), &plural, "/api/X");
        match &v {
            // A bare array is the list; null is an empty one; any other scalar is refused.
            Value::Array(a) => {
                let p = page.as_ref().map_err(|e| TestCaseError::fail(e.to_string()))?;
                prop_assert_eq!(&p.rows, a);
                prop_assert_eq!(p.record_count, None);
            }
            Value::Null => prop_assert!(page.as_ref().is_ok_and(|p| p.rows.is_empty())),
            Value::Object(m) => {
                let arrays: Vec<&Vec<Value>> = m.values().filter_map(Value::as_array).collect();
                let named = m
                    .iter()
                    .find(|(k, x)| k.eq_ignore_ascii_case(&plural) && x.is_array())
                    .and_then(|(_, x)| x.as_array());
                match &page {
                    // The rows are the array named `plural`, else one of the object's arrays,
                    // else none (an envelope that only counts).
                    Ok(p) => match (named, arrays.is_empty()) {
                        (Some(rows), _) => prop_assert_eq!(&p.rows, rows),
                        (None, false) => prop_assert!(arrays.contains(&&p.rows)),
                        (None, true) => {
                            prop_assert!(p.rows.is_empty());
                            prop_assert!(p.record_count.is_some());
                        }
                    },
                    // Refused only when there is neither a list nor a count.
                    Err(_) => {
                        prop_assert!(arrays.is_empty());
                        prop_assert!(!m.get("record_count").is_some_and(Value::is_u64));
                    }
                }
            }
            _ => prop_assert!(page.is_err()),
        }
        if let Ok(page) = page {
            let rows = page.rows;
            // Typed decoding is all or nothing: every row or an error.
            for n in [
                decode::typed::<Agent>(rows.clone(), "x").map(|r| r.len()),
                decode::typed::<Role>(rows.clone(), "x").map(|r| r.len()),
                decode::typed::<Application>(rows.clone(), "x").map(|r| r.len()),
                decode::typed::<Team>(rows.clone(), "x").map(|r| r.len()),
                decode::typed::<Department>(rows.clone(), "x").map(|r| r.len()),
                decode::typed::<Workday>(rows.clone(), "x").map(|r| r.len()),
            ]
            .into_iter()
            .flatten()
            {
                prop_assert_eq!(n, rows.len());
            }
        }
        // A single object is the object itself or an array's first item; nothing else.
        let one = decode::single(v.clone(), "/api/X/1");
        match &v {
            Value::Object(_) => prop_assert_eq!(one.as_ref().ok(), Some(&v)),
            Value::Array(a) => prop_assert_eq!(one.as_ref().ok(), a.first()),
            _ => prop_assert!(one.is_err()),
        }
        if let Ok(one) = one {
            let _ = serde_json::from_value::<Agent>(one.clone());
            let _ = serde_json::from_value::<Application>(one);
        }
    }

    #[test]
    fn error_body_message_is_bounded_and_redacted(
        body in prop_oneof![
            json().prop_map(|v| v.to_string().into_bytes()),
            prop::collection::vec(any::<u8>(), 0..400),
            ("\\PC{0,40}", "\\PC{0,40}").prop_map(|(a, b)| format!("<html><title>{a}</title>{b}").into_bytes()),
        ],
        at in any::<usize>(),
        status in 100u16..600,
    ) {
        ran();
        // Put the known secret somewhere in the body too.
        let mut with_secret = body.clone();
        let i = at % (with_secret.len() + 1);
        with_secret.splice(i..i, format!(" {SECRET} ").into_bytes());
        let r = Redactor::default();
        r.add(SECRET);
        for b in [&body, &with_secret] {
            let m = decode::body_message(b, status, &r);
            prop_assert!(!m.is_empty());
            prop_assert!(m.chars().count() <= 301, "{} chars", m.chars().count());
            prop_assert!(!m.contains(SECRET), "{m}");
        }
        let json_body = serde_json::json!({"Message": format!("bad {SECRET}"), "error_description": SECRET}).to_string();
        prop_assert!(!decode::body_message(json_body.as_bytes(), status, &r).contains(SECRET));
    }

    #[test]
    fn jwt_agent_id_never_panics(
        raw in "\\PC{0,80}",
        payload in json(),
        id in any::<i64>(),
        parts in 1usize..5,
    ) {
        ran();
        let _ = agent_id_from_jwt(&raw);
        let b64 = |v: &Value| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(v.to_string());
        let tok = vec!["eyJhbGciOiJub25lIn0".to_string(), b64(&payload), "sig".into()][..parts.min(3)].join(".");
        let _ = agent_id_from_jwt(&tok);
        let good = format!("h.{}.s", b64(&serde_json::json!({"id": id, "name": "x"})));
        prop_assert_eq!(agent_id_from_jwt(&good), Some(id));
        let as_text = format!("h.{}.s", b64(&serde_json::json!({"id": id.to_string()})));
        prop_assert_eq!(agent_id_from_jwt(&as_text), Some(id));
    }
}

/// Runs last by name within this binary when the harness runs single-threaded; with threads
/// it reports what ran before it. The per-property counts are proptest's cases.
#[test]
fn zzz_executions() {
    println!(
        "fuzz executions so far in this binary: {}",
        EXECUTIONS.load(Ordering::Relaxed)
    );
}
