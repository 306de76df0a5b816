//! The journal's own tests.

use std::fs;

use secrecy::{ExposeSecret, SecretString};

use super::*;
use crate::answers::Answers;

fn journal() -> (tempfile::TempDir, Journal) {
    let t = tempfile::tempdir().unwrap();
    let j = Journal::open(&t.path().join("state")).unwrap();
    (t, j)
}

#[test]
fn create_save_load_roundtrip() {
    let (_t, j) = journal();
    let a = Answers {
        profile: Some("topleft".into()),
        ..Answers::default()
    };
    let mut s = j.create(a, None).unwrap();
    assert!(s.id.contains("topleft"));
    j.record(
        &mut s,
        Event::About {
            subject: Subject::Role,
            action: "create".into(),
        },
    )
    .unwrap();
    assert_eq!(s.in_doubt(), Some((Subject::Role, "create".into())));
    j.record(
        &mut s,
        Event::Done {
            subject: Subject::Role,
            action: "create".into(),
            id: "g-1".into(),
        },
    )
    .unwrap();
    assert_eq!(s.in_doubt(), None);
    let back = j.load(&s.id).unwrap();
    assert_eq!(back, s);
    assert_eq!(j.unfinished().0.len(), 1);
}

#[test]
fn corrupt_file_is_reported_with_line_and_kept() {
    let (_t, j) = journal();
    let s = j.create(Answers::default(), None).unwrap();
    let p = j.path(&s.id);
    let text = fs::read_to_string(&p).unwrap();
    fs::write(&p, &text[..text.len() / 2]).unwrap();
    let (ok, bad) = j.list();
    assert!(ok.is_empty());
    match &bad[0] {
        JournalError::Corrupt { line, path, .. } => {
            assert!(*line > 1);
            assert_eq!(path, &p);
        }
        e => panic!("unexpected {e:?}"),
    }
    assert!(p.exists(), "a damaged journal must never be deleted");
    assert!(bad[0].hint().contains("untouched"));
}

#[test]
fn newer_format_is_refused_clearly() {
    let (_t, j) = journal();
    let s = j.create(Answers::default(), None).unwrap();
    let p = j.path(&s.id);
    let text = fs::read_to_string(&p)
        .unwrap()
        .replacen("\"version\": 1", "\"version\": 99", 1);
    fs::write(&p, text).unwrap();
    assert!(matches!(
        j.load(&s.id),
        Err(JournalError::TooNew { found: 99, .. })
    ));
}

#[test]
fn secret_lives_apart_and_is_wiped() {
    let (_t, j) = journal();
    let mut s = j.create(Answers::default(), None).unwrap();
    j.store_secret(&mut s, &SecretString::from("s3cr3t-value".to_string()))
        .unwrap();
    let journal_text = fs::read_to_string(j.path(&s.id)).unwrap();
    assert!(!journal_text.contains("s3cr3t-value"));
    assert_eq!(
        j.load_secret(&s.id).unwrap().expose_secret(),
        "s3cr3t-value"
    );
    j.wipe_secret(&mut s).unwrap();
    assert!(j.load_secret(&s.id).is_none());
    assert!(!s.secret_pending);
}

#[test]
fn stamps_are_utc_calendar_times() {
    assert_eq!(utc_stamp(0), "19700101-000000");
    assert_eq!(utc_stamp(951_782_400), "20000229-000000");
    assert_eq!(utc_stamp(1_795_443_958), "20261123-142558");
}

#[test]
fn huge_journals_are_refused_unread_and_kept() {
    let (_t, j) = journal();
    let s = j.create(Answers::default(), None).unwrap();
    let p = j.path(&s.id);
    let f = fs::OpenOptions::new().append(true).open(&p).unwrap();
    f.set_len(crate::limits::MAX_JOURNAL as u64 + 1).unwrap();
    let (ok, bad) = j.list();
    assert!(ok.is_empty());
    assert!(
        matches!(bad[0], JournalError::TooLarge { .. }),
        "{:?}",
        bad[0]
    );
    assert!(bad[0].to_string().contains("too large"));
    assert!(p.exists(), "never deleted");
}

#[test]
fn strings_from_a_tampered_journal_come_back_clean() {
    let (_t, j) = journal();
    let mut s = j.create(Answers::default(), None).unwrap();
    s.answers.profile = Some("top\x1b]0;owned\x07\nleft".into());
    s.answers.role.notes = "line\nnext\x1b[2J".into();
    j.save(&mut s).unwrap();
    let back = j.load(&s.id).unwrap();
    assert_eq!(
        back.answers.profile.as_deref(),
        Some("top\\x1b]0;owned\\x07\\nleft")
    );
    assert_eq!(back.answers.role.notes, "line\nnext\\x1b[2J");
}

#[test]
fn ids_cannot_escape_the_directory() {
    let (_t, j) = journal();
    assert!(matches!(
        j.load("../etc/passwd"),
        Err(JournalError::NotFound(_))
    ));
    assert!(matches!(j.load(""), Err(JournalError::NotFound(_))));
}

#[test]
fn ids_have_the_shape_the_tool_makes() {
    let (_t, j) = journal();
    let s = j.create(Answers::default(), None).unwrap();
    assert!(valid_id(&s.id), "{}", s.id);
    for bad in [
        "",
        "../../../x",
        "20260101-000000-x/../../y-abcdef",
        "20260101-000000-setup-abcdeg",
        "20260101-000000-set\nup-abcdef",
        "2026010-000000-setup-abcdef",
        "..",
    ] {
        assert!(!valid_id(bad), "{bad:?}");
    }
    assert!(valid_id("20260101-000000-topleft-abc123"));
}

#[test]
fn a_stored_id_that_escapes_is_refused_on_load_and_save() {
    let (t, j) = journal();
    let mut s = j.create(Answers::default(), None).unwrap();
    let p = j.path(&s.id);
    let text = fs::read_to_string(&p).unwrap().replacen(
        &format!("\"id\": \"{}\"", s.id),
        "\"id\": \"../../../x\"",
        1,
    );
    fs::write(&p, &text).unwrap();
    match j.load(&s.id) {
        Err(JournalError::Corrupt { message, line, .. }) => {
            assert!(message.contains("../../../x"), "{message}");
            assert_eq!(line, 3, "the line of the id field");
        }
        other => panic!("unexpected {other:?}"),
    }
    assert_eq!(fs::read_to_string(&p).unwrap(), text, "left untouched");
    s.id = "../../../x".into();
    assert!(j.save(&mut s).is_err());
    assert!(!t.path().join("x.json").exists());
    assert!(!t.path().join("state/x.json").exists());
}

#[test]
fn setups_resolve_by_id_prefix_or_last() {
    let (_t, j) = journal();
    let mk = |stamp: &str, slug: &str, created: u64| {
        let mut s = j.draft(Answers::default(), None);
        s.id = format!("{stamp}-{slug}-abc123");
        s.created_unix = created;
        j.save(&mut s).unwrap();
        s.id
    };
    let a = mk("20260101-000000", "topleft", 10);
    let b = mk("20260102-000000", "topleft", 20);
    let c = mk("20260102-000001", "guardz", 30);
    assert_eq!(j.resolve(&a).unwrap().id, a);
    assert_eq!(j.resolve("last").unwrap().id, c);
    assert_eq!(j.resolve("LAST").unwrap().id, c);
    assert_eq!(j.resolve("20260101").unwrap().id, a);
    match j.resolve("20260102") {
        Err(e @ JournalError::Ambiguous { .. }) => {
            let m = e.to_string();
            assert!(m.contains(&b) && m.contains(&c), "{m}");
            assert!(e.hint().contains("more of the id"));
        }
        other => panic!("unexpected {other:?}"),
    }
    for unknown in ["2025", "../x", "", "nope"] {
        assert!(
            matches!(j.resolve(unknown), Err(JournalError::NotFound(_))),
            "{unknown}"
        );
    }
    let (_t2, empty) = journal();
    let e = empty.resolve("last").unwrap_err();
    assert!(e.hint().contains("sessions --all"), "{}", e.hint());
}
