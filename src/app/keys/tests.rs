//! The key table's own rules: order within a context, letters and Ctrl-letters, labels, help.

use crossterm::event::{KeyCode, KeyModifiers};

use super::bind::row;
use super::*;

fn press(code: KeyCode, mods: KeyModifiers) -> KeyEvent {
    KeyEvent::new(code, mods)
}

#[test]
fn an_any_row_comes_last_in_its_context() {
    // An overlay's "any other key" row comes after the rows naming keys.
    for c in TABLE.iter().map(|b| b.ctx) {
        let rows: Vec<&Bind> = TABLE.iter().filter(|b| b.ctx == c).collect();
        if let Some(i) = rows.iter().position(|b| b.keys.contains(&K::Any)) {
            assert_eq!(i, rows.len() - 1, "{c:?}: an Any row shadows later rows");
        }
    }
}

#[test]
fn letters_and_ctrl_letters_are_told_apart() {
    let m = Model::default();
    // The URL field has focus: a letter is typed, Ctrl-C asks to quit.
    assert_eq!(
        intent(&m, &press(KeyCode::Char('q'), KeyModifiers::NONE)),
        Some(Intent::Edit)
    );
    assert_eq!(
        intent(&m, &press(KeyCode::Char('c'), KeyModifiers::CONTROL)),
        Some(Intent::AskQuit)
    );
    assert_eq!(
        intent(&m, &press(KeyCode::Char('L'), KeyModifiers::SHIFT)),
        Some(Intent::Edit)
    );
}

#[test]
fn labels() {
    assert_eq!(K::Ctrl('n').label(), "Ctrl-N");
    assert_eq!(K::Code(KeyCode::BackTab).label(), "Shift-Tab");
    assert_eq!(K::Ch(' ').label(), "Space");
    let b = row(Ctx::ConfirmQuit, &[K::Ch('y'), K::Ch('Y')], Intent::Quit);
    assert_eq!(b.hint_label(), "y");
}

#[test]
fn help_names_every_context_with_help_words() {
    let h = help();
    assert_eq!(h[0].0, "Everywhere");
    assert!(h.iter().any(|(t, rows)| *t == "Apply failed"
        && rows.iter().any(|(k, w)| k == "m" && w.contains("by hand"))));
}

#[test]
fn binds_follows_the_table() {
    assert!(binds(Ctx::HandOver, K::Ch('c'), Intent::Copy));
    assert!(!binds(Ctx::HandOver, K::Ch('c'), Intent::Repair));
    assert!(!binds(Ctx::HandOver, K::Ch('z'), Intent::Copy));
    // A key no row names falls to the context's any-key row.
    assert!(binds(Ctx::ConfirmApply, K::Ch('n'), Intent::CloseOverlay));
    assert!(!binds(Ctx::ConfirmApply, K::Ch('y'), Intent::CloseOverlay));
    assert_eq!(
        key_of(Ctx::Failed, K::Code(KeyCode::Enter), Intent::Retry),
        "Enter"
    );
}

/// A screen that names a key the table does not bind to that action stops the tests (every
/// screen is drawn by them), so screen words cannot drift from the keys.
#[test]
#[should_panic(expected = "which the key table does not bind")]
fn a_screen_naming_an_unbound_key_fails() {
    key_of(Ctx::HandOver, K::Ch('z'), Intent::Copy);
}
