//! Themes: named styles loaded from TOML (`themes/*.toml` embedded, or a user file).
//! Unknown keys and bad colours are errors that name the file and line.

use std::str::FromStr;

use ratatui::style::{Color, Modifier, Style};
use serde::{Deserialize, Deserializer};

pub const BUILTIN: [(&str, &str); 4] = [
    ("dark", include_str!("../../themes/dark.toml")),
    ("light", include_str!("../../themes/light.toml")),
    (
        "high-contrast",
        include_str!("../../themes/high-contrast.toml"),
    ),
    ("monochrome", include_str!("../../themes/monochrome.toml")),
];

#[derive(Debug, Clone, PartialEq)]
pub struct Theme {
    pub name: String,
    pub text: Style,
    pub muted: Style,
    pub accent: Style,
    pub error: Style,
    pub warning: Style,
    pub success: Style,
    pub selection: Style,
    pub border: Style,
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
    pub fn parse(text: &str, origin: &str) -> Result<Self, String> {
        let f: ThemeFile = toml::from_str(text).map_err(|e| {
            let msg = e.message().trim().replace('\n', " ");
            match e.span().and_then(|sp| text.get(..sp.start)) {
                Some(before) => {
                    let line = before.matches('\n').count() + 1;
                    let col = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
                    format!("theme {origin}, line {line}, column {col}: {msg}")
                }
                None => format!("theme {origin}: {msg}"),
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

    pub fn builtin(name: &str) -> Option<Self> {
        BUILTIN
            .iter()
            .find(|(n, _)| *n == name)
            .and_then(|(n, text)| Self::parse(text, n).ok())
    }

    pub fn dark() -> Self {
        Self::builtin("dark").unwrap_or_else(Self::fallback)
    }

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

    /// `--theme NAME|PATH` and `NO_COLOR`: the theme to use, plus an error to show when the
    /// requested one could not be loaded (the default is used instead).
    pub fn resolve(arg: Option<&str>, no_color: bool) -> (Self, Option<String>) {
        if no_color {
            return (Self::monochrome(), None);
        }
        let Some(arg) = arg else {
            return (Self::dark(), None);
        };
        if let Some(t) = Self::builtin(arg) {
            return (t, None);
        }
        match crate::limits::read_text_capped(
            std::path::Path::new(arg),
            crate::limits::MAX_TEXT_FILE,
        ) {
            Ok(text) => match Self::parse(&text, arg) {
                Ok(t) => (t, None),
                Err(e) => (Self::dark(), Some(format!("{e}; using the dark theme"))),
            },
            Err(e) => (
                Self::dark(),
                Some(format!(
                    "theme '{arg}': not a built-in theme (dark, light, high-contrast, monochrome) and not a readable file ({e}); using the dark theme"
                )),
            ),
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
        let e = Theme::parse(bad, "my.toml").unwrap_err();
        assert!(e.contains("my.toml"), "{e}");
        assert!(e.contains("line 3"), "{e}");
        assert!(e.contains("nocolour"), "{e}");
        assert!(!e.contains('\n'), "one line for the log pane: {e}");
        let e = Theme::parse("name = \"x\"\nbogus = 1\n", "b.toml").unwrap_err();
        assert!(e.contains("line 2"), "{e}");
    }

    #[test]
    fn resolve_rules() {
        assert_eq!(Theme::resolve(Some("light"), true).0.name, "monochrome");
        assert_eq!(Theme::resolve(None, false).0.name, "dark");
        let (t, err) = Theme::resolve(Some("/nonexistent/theme.toml"), false);
        assert_eq!(t.name, "dark");
        assert!(err.unwrap().contains("/nonexistent/theme.toml"));
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("t.toml");
        std::fs::write(&p, "name = 1\n").unwrap();
        let (t, err) = Theme::resolve(p.to_str(), false);
        assert_eq!(t.name, "dark");
        assert!(err.unwrap().contains("line 1"));
    }
}
