//! Themes: named styles loaded from TOML (`themes/*.toml` embedded, or a user file).
//! Unknown keys and bad colours are errors that name the file and line.

use std::str::FromStr;

use ratatui::style::{Color, Modifier, Style};
use serde::{Deserialize, Deserializer};

use super::background::Background;
use super::error::ThemeError;

/// The names `--theme` and the config file accept (besides a path to a theme file). `auto`, the
/// default, keeps the terminal's own colours and picks accents for its background.
pub const CHOICES: [&str; 5] = ["auto", "dark", "light", "high-contrast", "monochrome"];

/// `--color`: whether the wizard may use colour at all. `Auto`: colour unless `NO_COLOR` is set
/// and not empty; `Always`: colour even then; `Never`: the `monochrome` theme, whatever
/// `--theme` says.
// The variants have no doc comments of their own: clap would show them in `--help` as each
// value's help, and `--color`'s own help already says it.
#[allow(missing_docs)]
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum ColorMode {
    #[default]
    Auto,
    Always,
    Never,
}

/// Where the theme choice came from: a bad `--theme` stops the program (the user typed it just
/// now), a bad config entry only warns (a preference never blocks the wizard).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Origin {
    /// `--theme` on the command line.
    Flag,
    /// `theme` in the config file.
    Config,
}

/// What the caller decided about colour before the theme is chosen.
#[derive(Debug, Clone, Copy)]
pub struct Request<'a> {
    /// The theme name or file path asked for, and where it was asked; `None`: the default.
    pub choice: Option<(&'a str, Origin)>,
    /// What `--color` says.
    pub color: ColorMode,
    /// `NO_COLOR` is set and not empty.
    pub no_color_env: bool,
}

/// The embedded themes, by name: their TOML text.
pub(crate) const BUILTIN: [(&str, &str); 7] = [
    ("auto", include_str!("../../themes/auto.toml")),
    ("auto-dark", include_str!("../../themes/auto-dark.toml")),
    ("auto-light", include_str!("../../themes/auto-light.toml")),
    ("dark", include_str!("../../themes/dark.toml")),
    ("light", include_str!("../../themes/light.toml")),
    (
        "high-contrast",
        include_str!("../../themes/high-contrast.toml"),
    ),
    ("monochrome", include_str!("../../themes/monochrome.toml")),
];

/// The styles every frame is drawn with, one per role a piece of text plays.
#[derive(Debug, Clone, PartialEq)]
pub struct Theme {
    /// The theme file's `name`; `auto` is the default while the background is unknown.
    pub name: String,
    /// Ordinary text.
    pub text: Style,
    /// Secondary text: hints, separators, what is not in focus.
    pub muted: Style,
    /// What to notice: keys to press, the focused pane's and overlays' borders.
    pub accent: Style,
    /// Failures and invalid input.
    pub error: Style,
    /// Warnings and manual steps.
    pub warning: Style,
    /// What passed or was done.
    pub success: Style,
    /// The selected row of a list.
    pub selection: Style,
    /// Borders of panes not in focus, and the step bar's separators.
    pub border: Style,
    /// Titles of panes and overlays.
    pub title: Style,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ThemeFile {
    name: String,
    text: Spec,
    muted: Spec,
    accent: Spec,
    error: Spec,
    warning: Spec,
    success: Spec,
    selection: Spec,
    border: Spec,
    title: Spec,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields, default)]
struct Spec {
    #[serde(deserialize_with = "de_color")]
    fg: Option<Color>,
    #[serde(deserialize_with = "de_color")]
    bg: Option<Color>,
    bold: bool,
    dim: bool,
    italic: bool,
    underline: bool,
    reversed: bool,
}

fn de_color<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Color>, D::Error> {
    let s = String::deserialize(d)?;
    Color::from_str(&s).map(Some).map_err(|_| {
        serde::de::Error::custom(format!(
            "'{s}' is not a colour (a name like \"cyan\" or \"#rrggbb\")"
        ))
    })
}

impl Spec {
    fn style(&self) -> Style {
        let mut s = Style::default();
        if let Some(c) = self.fg {
            s = s.fg(c);
        }
        if let Some(c) = self.bg {
            s = s.bg(c);
        }
        let mods = [
            (self.bold, Modifier::BOLD),
            (self.dim, Modifier::DIM),
            (self.italic, Modifier::ITALIC),
            (self.underline, Modifier::UNDERLINED),
            (self.reversed, Modifier::REVERSED),
        ];
        for (on, m) in mods {
            if on {
                s = s.add_modifier(m);
            }
        }
        s
    }
}

impl Theme {
    /// Parses a theme; the error is one line naming `origin` and the line and column (it is
    /// shown in the log pane, where the TOML crate's multi-line excerpt would be cut off before
    /// the part that says what happens next).
    pub fn parse(text: &str, origin: &str) -> Result<Self, ThemeError> {
        // The origin is a path the user gave and the message may quote the file: both are
        // shown on stderr and in the log pane, so only clean.
        let origin = crate::text::line(origin);
        let f: ThemeFile = toml::from_str(text).map_err(|e| {
            let msg = crate::text::line(e.message().trim());
            match e.span().and_then(|sp| text.get(..sp.start)) {
                Some(before) => ThemeError::Syntax {
                    origin: origin.clone(),
                    line: before.matches('\n').count() + 1,
                    column: before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1,
                    message: msg,
                },
                None => ThemeError::Invalid {
                    origin: origin.clone(),
                    message: msg,
                },
            }
        })?;
        Ok(Self {
            name: f.name,
            text: f.text.style(),
            muted: f.muted.style(),
            accent: f.accent.style(),
            error: f.error.style(),
            warning: f.warning.style(),
            success: f.success.style(),
            selection: f.selection.style(),
            border: f.border.style(),
            title: f.title.style(),
        })
    }

    /// The embedded theme `name`; `None` when there is none so named.
    pub(crate) fn builtin(name: &str) -> Option<Self> {
        BUILTIN
            .iter()
            .find(|(n, _)| *n == name)
            .and_then(|(n, text)| Self::parse(text, n).ok())
    }

    /// The embedded `dark` theme (the snapshot tests draw with it).
    pub fn dark() -> Self {
        Self::builtin("dark").unwrap_or_else(Self::fallback)
    }

    /// The embedded `monochrome` theme: no colour, meaning carried by bold, dim, underline and
    /// reverse (for `NO_COLOR` and `--color never`).
    pub fn monochrome() -> Self {
        Self::builtin("monochrome").unwrap_or_else(Self::fallback)
    }

    /// Used only if an embedded theme failed to parse (a build bug the tests catch).
    fn fallback() -> Self {
        Self {
            name: "fallback".into(),
            text: Style::default(),
            muted: Style::default(),
            accent: Style::default().add_modifier(Modifier::BOLD),
            error: Style::default().add_modifier(Modifier::BOLD),
            warning: Style::default(),
            success: Style::default(),
            selection: Style::default().add_modifier(Modifier::REVERSED),
            border: Style::default(),
            title: Style::default().add_modifier(Modifier::BOLD),
        }
    }

    /// The default theme while the terminal's background is not known: worth asking the
    /// terminal ([`super::background::query`]) and taking [`Theme::auto`] of its answer.
    pub(crate) fn background_unknown(&self) -> bool {
        self.name == "auto"
    }

    /// The default theme for a terminal whose background is `bg` (`None`: it did not say).
    pub fn auto(bg: Option<Background>) -> Self {
        let name = match bg {
            Some(Background::Dark) => "auto-dark",
            Some(Background::Light) => "auto-light",
            None => "auto",
        };
        Self::builtin(name).unwrap_or_else(Self::fallback)
    }

    /// Chooses the theme. `detect` is called only when the default (`auto`) is in play, since it
    /// talks to the terminal. `Ok` carries a warning to show when the requested theme could not
    /// be used (the default is used instead); `Err` is a `--theme` that names nothing (exit 2).
    pub fn resolve(
        req: Request<'_>,
        detect: impl FnOnce() -> Option<Background>,
    ) -> Result<(Self, Option<String>), ThemeError> {
        let colourless = match req.color {
            ColorMode::Never => true,
            ColorMode::Always => false,
            ColorMode::Auto => req.no_color_env,
        };
        if colourless {
            return Ok((Self::monochrome(), None));
        }
        let Some((arg, origin)) = req.choice.filter(|(a, _)| *a != "auto") else {
            return Ok((Self::auto(detect()), None));
        };
        if let Some(t) = Self::builtin(arg) {
            return Ok((t, None));
        }
        // From the command line or the config file: shown in messages only clean.
        let shown = crate::text::line(arg);
        let is_file = std::path::Path::new(arg).is_file();
        if !is_file {
            let msg = ThemeError::Unknown {
                shown,
                choices: CHOICES.join(", "),
            };
            return match origin {
                Origin::Flag => Err(msg),
                Origin::Config => Ok((
                    Self::auto(detect()),
                    Some(format!("{msg}; using the default theme")),
                )),
            };
        }
        let loaded = crate::limits::read_text_capped(
            std::path::Path::new(arg),
            crate::limits::MAX_TEXT_FILE,
        )
        .map_err(|e| ThemeError::Unreadable {
            shown,
            reason: e.to_string(),
        })
        .and_then(|text| Self::parse(&text, arg));
        match loaded {
            Ok(t) => Ok((t, None)),
            // A broken file is a message in the log pane, not a refusal to start: the wizard
            // runs with the default theme and nothing else changes.
            Err(e) => Ok((
                Self::auto(detect()),
                Some(format!("{e}; using the default theme")),
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtins_parse() {
        for (name, text) in BUILTIN {
            let t = Theme::parse(text, name).unwrap();
            assert_eq!(t.name, name);
        }
        assert_eq!(Theme::monochrome().text, Style::default());
    }

    #[test]
    fn errors_name_file_and_line() {
        let bad = "name = \"x\"\ntext = {}\nmuted = { fg = \"nocolour\" }\n";
        let e = Theme::parse(bad, "my.toml").unwrap_err().to_string();
        assert!(e.contains("my.toml"), "{e}");
        assert!(e.contains("line 3"), "{e}");
        assert!(e.contains("nocolour"), "{e}");
        assert!(!e.contains('\n'), "one line for the log pane: {e}");
        let e = Theme::parse("name = \"x\"\nbogus = 1\n", "b.toml")
            .unwrap_err()
            .to_string();
        assert!(e.contains("line 2"), "{e}");
    }

    fn req(choice: Option<(&str, Origin)>) -> Request<'_> {
        Request {
            choice,
            color: ColorMode::Auto,
            no_color_env: false,
        }
    }

    #[test]
    fn resolve_rules() {
        let dark = || Some(Background::Dark);
        let flag = |s| Some((s, Origin::Flag));
        // NO_COLOR and --color never win over any theme; --color always wins over NO_COLOR.
        let mut r = req(flag("light"));
        r.no_color_env = true;
        assert_eq!(Theme::resolve(r, dark).unwrap().0.name, "monochrome");
        r.color = ColorMode::Always;
        assert_eq!(Theme::resolve(r, dark).unwrap().0.name, "light");
        let mut r = req(None);
        r.color = ColorMode::Never;
        assert_eq!(Theme::resolve(r, dark).unwrap().0.name, "monochrome");
        // The default follows the terminal's background, or stays relative to its colours.
        assert_eq!(Theme::resolve(req(None), dark).unwrap().0.name, "auto-dark");
        assert_eq!(
            Theme::resolve(req(None), || Some(Background::Light))
                .unwrap()
                .0
                .name,
            "auto-light"
        );
        assert_eq!(
            Theme::resolve(req(flag("auto")), || None).unwrap().0.name,
            "auto"
        );
        // An explicit theme never asks the terminal.
        let t = Theme::resolve(req(flag("dark")), || panic!("no query")).unwrap();
        assert_eq!(t.0.name, "dark");
        // A typo on the command line stops; in the config file it warns.
        let e = Theme::resolve(req(flag("drak")), dark)
            .unwrap_err()
            .to_string();
        assert!(e.contains("'drak'") && e.contains("high-contrast"), "{e}");
        let (t, w) = Theme::resolve(req(Some(("drak", Origin::Config))), dark).unwrap();
        assert_eq!(t.name, "auto-dark");
        assert!(w.unwrap().contains("using the default theme"));
        // A broken file warns and falls back, naming the file and line.
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("t.toml");
        std::fs::write(&p, "name = 1\n").unwrap();
        let (t, err) = Theme::resolve(req(p.to_str().map(|s| (s, Origin::Flag))), dark).unwrap();
        assert_eq!(t.name, "auto-dark");
        assert!(err.unwrap().contains("line 1"));
    }

    /// Issue 21: a theme name (flag or config) or a theme file holding escapes is echoed in
    /// the message only escaped, whichever way the message goes (stderr, the log pane).
    #[test]
    fn escapes_from_a_theme_name_or_file_come_back_escaped() {
        let dark = || Some(Background::Dark);
        let raw = |m: &str| m.chars().any(crate::text::is_unsafe);
        let evil = "drak\u{1b}]52;c;aGk=\u{7}\u{1b}[2J";
        let e = Theme::resolve(req(Some((evil, Origin::Flag))), dark)
            .unwrap_err()
            .to_string();
        assert!(!raw(&e) && e.contains("\\x1b]52;c;"), "{e:?}");
        let (_, w) = Theme::resolve(req(Some((evil, Origin::Config))), dark).unwrap();
        let w = w.unwrap();
        assert!(!raw(&w) && w.contains("\\x1b[2J"), "{w:?}");
        // A value in a theme file that the error quotes.
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("t.toml");
        std::fs::write(
            &p,
            "name = \"x\"\nmuted = { fg = \"\\u001b]0;pwned\\u0007\" }\n",
        )
        .unwrap();
        let (_, w) = Theme::resolve(req(p.to_str().map(|s| (s, Origin::Config))), dark).unwrap();
        let w = w.unwrap();
        assert!(!raw(&w) && w.contains("line 2"), "{w:?}");
    }

    #[test]
    fn default_themes_keep_the_terminal_colours() {
        for name in ["auto", "auto-dark", "auto-light"] {
            let t = Theme::builtin(name).unwrap();
            assert_eq!(t.text.fg, None, "{name} forces a text colour");
            assert_eq!(t.text.bg, None, "{name} forces a background");
            assert_eq!(t.muted.fg, None, "{name} forces a muted colour");
        }
    }
}
