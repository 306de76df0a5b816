//! What the terminal can show, from the environment: `TERM=dumb` (or none) cannot run the
//! wizard at all; a locale that is not UTF-8 (`LANG=C`) gets plain ASCII instead of box
//! drawing and symbols; a terminal without 256 colours (`TERM=vt100`, `xterm`) gets the 16 ANSI
//! colours at most; only terminals known to understand it are asked for bracketed paste. The
//! screen is drawn as always and then [`Caps::downgrade`]d, so no view needs to know.

use ratatui::buffer::Buffer;
use ratatui::style::Color;

use super::error::CapsError;

/// How many colours the terminal shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Colours {
    /// 256 colours or 24-bit: whatever the theme says.
    Full,
    /// The 16 ANSI colours: anything else is drawn as the nearest of them.
    Sixteen,
}

/// What the terminal can show.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Caps {
    /// UTF-8 symbols and box drawing; otherwise ASCII only.
    pub unicode: bool,
    /// How many colours it shows; styles are drawn as the nearest it has.
    pub colours: Colours,
    /// Bracketed paste (`ESC [ ? 2004 h`) is understood.
    pub bracketed_paste: bool,
}

impl Default for Caps {
    fn default() -> Self {
        Self {
            unicode: true,
            colours: Colours::Full,
            bracketed_paste: true,
        }
    }
}

/// Hardware terminals and their emulations: no UTF-8, no bracketed paste.
fn vt(term: &str) -> bool {
    ["vt52", "vt100", "vt102", "vt220", "vt320", "ansi"]
        .iter()
        .any(|t| term == *t || term.starts_with(&format!("{t}-")))
}

impl Caps {
    /// From `TERM`, `COLORTERM` and the locale (`LC_ALL`, else `LC_CTYPE`, else `LANG`). An
    /// error says why the wizard cannot run on this terminal (and what to do instead).
    pub fn from_env(var: impl Fn(&str) -> Option<String>) -> Result<Self, CapsError> {
        let term = var("TERM").unwrap_or_default().trim().to_ascii_lowercase();
        if term.is_empty() || term == "dumb" {
            let shown = if term.is_empty() { "not set" } else { "dumb" };
            return Err(CapsError::CannotRedraw { shown });
        }
        // The first locale variable that is set decides, as for every program (POSIX).
        let locale = ["LC_ALL", "LC_CTYPE", "LANG"]
            .iter()
            .find_map(|k| var(k).filter(|v| !v.trim().is_empty()));
        let utf8_locale = locale.is_none_or(|l| {
            let l = l.to_ascii_lowercase();
            l.contains("utf-8") || l.contains("utf8")
        });
        let colorterm = var("COLORTERM").unwrap_or_default().to_ascii_lowercase();
        let many = colorterm.contains("truecolor")
            || colorterm.contains("24bit")
            || term.contains("256color")
            || term.contains("direct")
            || [
                "xterm-kitty",
                "alacritty",
                "wezterm",
                "foot",
                "xterm-ghostty",
            ]
            .contains(&term.as_str());
        Ok(Self {
            unicode: utf8_locale && !vt(&term),
            colours: if many {
                Colours::Full
            } else {
                Colours::Sixteen
            },
            bracketed_paste: !vt(&term) && term != "linux",
        })
    }

    /// What the process's environment says.
    pub fn detect() -> Result<Self, CapsError> {
        Self::from_env(|k| std::env::var(k).ok())
    }

    /// Redraws `buf` within what the terminal shows: ASCII for symbols, the nearest of the 16
    /// ANSI colours for others.
    pub fn downgrade(&self, buf: &mut Buffer) {
        if *self == Self::default() {
            return;
        }
        for cell in &mut buf.content {
            // A wide symbol's second column is already blank: one ASCII column replaces it.
            if !self.unicode && !cell.symbol().is_ascii() {
                cell.set_symbol(ascii(cell.symbol()));
            }
            if self.colours == Colours::Sixteen {
                cell.fg = sixteen(cell.fg);
                cell.bg = sixteen(cell.bg);
                cell.underline_color = sixteen(cell.underline_color);
            }
        }
    }
}

/// The ASCII a symbol is drawn as (one column, like the symbol).
pub fn ascii(symbol: &str) -> &'static str {
    let Some(c) = symbol.chars().next() else {
        return " ";
    };
    match c {
        '─' | '━' | '═' | '—' | '–' | '‒' | '┄' | '┈' => "-",
        '│' | '┃' | '║' | '┆' | '┊' => "|",
        '┌' | '┐' | '└' | '┘' | '├' | '┤' | '┬' | '┴' | '┼' | '╭' | '╮' | '╯' | '╰' | '╔' | '╗'
        | '╚' | '╝' => "+",
        '▶' | '►' | '▸' | '›' | '→' | '»' => ">",
        '◀' | '◄' | '◂' | '‹' | '←' | '«' => "<",
        '↑' | '▲' => "^",
        '↓' | '▼' => "v",
        '✓' | '✔' => "+",
        '✗' | '✘' | '×' => "x",
        '⚠' | '⚑' | '!' => "!",
        '•' | '★' | '●' | '∙' => "*",
        '·' | '…' => ".",
        '‘' | '’' => "'",
        '“' | '”' => "\"",
        // The spinner's braille dots.
        '\u{2800}'..='\u{28ff}' => "*",
        _ => "?",
    }
}

/// The nearest of the 16 ANSI colours (xterm's palette) to a 256-colour index or 24-bit colour.
pub(crate) fn sixteen(c: Color) -> Color {
    let (r, g, b) = match c {
        Color::Rgb(r, g, b) => (r, g, b),
        Color::Indexed(i) if i >= 16 => indexed_rgb(i),
        Color::Indexed(i) => return BASIC[usize::from(i)].0,
        other => return other,
    };
    let d = |(pr, pg, pb): (u8, u8, u8)| {
        let sq = |a: u8, b: u8| (i32::from(a) - i32::from(b)).pow(2);
        sq(r, pr) + sq(g, pg) + sq(b, pb)
    };
    BASIC
        .iter()
        .min_by_key(|(_, rgb)| d(*rgb))
        .map_or(Color::Reset, |(c, _)| *c)
}

const BASIC: [(Color, (u8, u8, u8)); 16] = [
    (Color::Black, (0, 0, 0)),
    (Color::Red, (205, 0, 0)),
    (Color::Green, (0, 205, 0)),
    (Color::Yellow, (205, 205, 0)),
    (Color::Blue, (0, 0, 238)),
    (Color::Magenta, (205, 0, 205)),
    (Color::Cyan, (0, 205, 205)),
    (Color::Gray, (229, 229, 229)),
    (Color::DarkGray, (127, 127, 127)),
    (Color::LightRed, (255, 0, 0)),
    (Color::LightGreen, (0, 255, 0)),
    (Color::LightYellow, (255, 255, 0)),
    (Color::LightBlue, (92, 92, 255)),
    (Color::LightMagenta, (255, 0, 255)),
    (Color::LightCyan, (0, 255, 255)),
    (Color::White, (255, 255, 255)),
];

/// The colour of a 256-colour index from 16 up (the 6x6x6 cube, then the greys).
fn indexed_rgb(i: u8) -> (u8, u8, u8) {
    if i >= 232 {
        let v = 8 + (i - 232) * 10;
        return (v, v, v);
    }
    let i = i - 16;
    let step = |v: u8| if v == 0 { 0 } else { 55 + v * 40 };
    (step(i / 36), step((i / 6) % 6), step(i % 6))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn caps(vars: &[(&str, &str)]) -> Result<Caps, CapsError> {
        Caps::from_env(|k| {
            vars.iter()
                .find(|(n, _)| *n == k)
                .map(|(_, v)| v.to_string())
        })
    }

    #[test]
    fn what_each_terminal_gets() {
        for term in [&[("TERM", "dumb")][..], &[], &[("TERM", " ")]] {
            let e = caps(term).unwrap_err().to_string();
            assert!(e.contains("TERM") && e.contains("apply --help"), "{e}");
        }
        let full = caps(&[("TERM", "xterm-256color"), ("LANG", "en_GB.UTF-8")]).unwrap();
        assert_eq!(full, Caps::default());
        // No locale set at all: assumed UTF-8 (most SSH sessions that forward none are).
        assert_eq!(caps(&[("TERM", "tmux-256color")]).unwrap(), Caps::default());
        let c = caps(&[("TERM", "xterm-256color"), ("LANG", "C")]).unwrap();
        assert!(!c.unicode && c.colours == Colours::Full && c.bracketed_paste);
        // LC_ALL wins over LANG.
        let c = caps(&[
            ("TERM", "xterm"),
            ("LANG", "en_US.UTF-8"),
            ("LC_ALL", "POSIX"),
        ])
        .unwrap();
        assert!(!c.unicode && c.colours == Colours::Sixteen, "{c:?}");
        let c = caps(&[("TERM", "vt100"), ("LANG", "en_US.UTF-8")]).unwrap();
        assert_eq!(
            c,
            Caps {
                unicode: false,
                colours: Colours::Sixteen,
                bracketed_paste: false,
            }
        );
        let c = caps(&[("TERM", "xterm"), ("COLORTERM", "truecolor")]).unwrap();
        assert_eq!(c.colours, Colours::Full);
    }

    #[test]
    fn downgraded_frames_hold_ascii_and_sixteen_colours() {
        use ratatui::layout::Rect;
        use ratatui::style::Style;
        let mut b = Buffer::empty(Rect::new(0, 0, 12, 1));
        b.set_string(
            0,
            0,
            "─│▶✓ é⠋…",
            Style::default().fg(Color::Rgb(0x8a, 0x5a, 0)),
        );
        b.set_string(9, 0, "x", Style::default().bg(Color::Indexed(196)));
        Caps {
            unicode: false,
            colours: Colours::Sixteen,
            bracketed_paste: false,
        }
        .downgrade(&mut b);
        let text: String = b
            .content
            .iter()
            .map(ratatui::buffer::Cell::symbol)
            .collect();
        assert_eq!(text, "-|>+ ?*. x  ");
        assert!(text.is_ascii());
        assert_eq!(b.content[0].fg, Color::Red, "#8a5a00 is nearest red");
        assert_eq!(b.content[9].bg, Color::LightRed, "index 196 is bright red");
    }
}
