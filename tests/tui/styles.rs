//! The styles that carry meaning, read from the drawn buffer's cells (the snapshots are plain
//! text): a failed check in the error colour, the focused row selected, the secret masked in
//! the text colour, in a colour theme and in the monochrome one.

use halo_onboard::app::Step;
use halo_onboard::ui::Theme;
use ratatui::style::{Color, Style};

use crate::common::screen::{draw, style_of, text};
use crate::common::wizard::SECRET;
use crate::snapshots::{errors, normal};

/// Fails unless the cell style `got` shows `want`: its colours and at least its modifiers.
fn assert_shows(got: Option<Style>, want: Style, what: &str) {
    let got = got.unwrap_or_else(|| panic!("{what}: not on screen"));
    // A theme's unset colour leaves the terminal's own: the cell says Reset.
    let or_reset = |c: Option<Color>| c.unwrap_or(Color::Reset);
    assert_eq!(or_reset(got.fg), or_reset(want.fg), "{what}: foreground");
    assert_eq!(or_reset(got.bg), or_reset(want.bg), "{what}: background");
    assert!(
        got.add_modifier.contains(want.add_modifier),
        "{what}: {:?} lacks {:?}",
        got.add_modifier,
        want.add_modifier
    );
}

#[test]
fn a_failed_check_is_in_the_error_colour() {
    for t in [Theme::dark(), Theme::monochrome()] {
        let b = draw(&errors(Step::Agent), &t, 100, 34);
        assert_shows(style_of(&b, "✗ required"), t.error, "failed check");
        assert_shows(style_of(&b, "✗ To fix"), t.error, "the summary");
        // The field's own label stays in the text colour.
        assert_shows(style_of(&b, "Last name"), t.text, "a good field");
    }
    assert_ne!(
        Theme::dark().error.fg,
        Theme::dark().text.fg,
        "error stands out"
    );
}

#[test]
fn the_focused_row_is_selected() {
    for t in [Theme::dark(), Theme::monochrome()] {
        let b = draw(&normal(Step::Agent), &t, 100, 34);
        assert_shows(style_of(&b, "▶ Username"), t.accent, "focus marker");
        assert_shows(style_of(&b, "Username"), t.selection, "focused row");
        assert_shows(style_of(&b, "First name"), t.text, "other row");
    }
}

#[test]
fn the_secret_is_masked_in_the_text_colour() {
    for t in [Theme::dark(), Theme::monochrome()] {
        let b = draw(&normal(Step::Connect), &t, 100, 34);
        assert!(!text(&b).contains(SECRET), "{}: secret on screen", t.name);
        let mask = "•".repeat(SECRET.len());
        assert_shows(style_of(&b, &mask), t.text, "secret mask");
    }
}
