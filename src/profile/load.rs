//! Loading profiles: built-ins embedded at compile time, user profiles from the config dir.

use std::fmt;
use std::path::{Path, PathBuf};

use super::types::Profile;

macro_rules! builtin_files {
    ($($name:literal),* $(,)?) => {
        &[$(($name, include_str!(concat!("builtin/", $name, ".toml")))),*]
    };
}

/// (file stem, TOML text) of every built-in profile, in listing order.
const BUILTIN: &[(&str, &str)] = builtin_files![
    // The four origin vendors.
    "propel",
    "humanizeit",
    "topleft",
    "guardz",
    // Vendors whose own guides state scopes and settings (confidence H in the research).
    "immybot",
    "timezest",
    "rewst",
    "hudu",
    "hudu-kb",
    "thread",
    "neoagent",
    "saasalerts",
    "scalepad-lm",
    "gradient",
    "mesh",
    "altpayments",
    "perimeters",
    "cipp",
    "365sentri",
    "msp360",
    "connectsecure",
    "optimize365",
    "threatlocker",
    "trend-v1msp",
    "limacharlie",
    "vciotoolbox",
    "autoelevate",
    "blacksmith",
    "palisade",
    "crushbank",
    "appxite",
    "cyrisma",
    "roboshadow",
    "squaredup",
    "cc365",
    "billingbot",
    "n8n",
    // Generic starting points.
    "custom",
    "least-privilege",
];

/// A profile file that could not be used. Display: `path:line:column: message`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoadError {
    /// The profile file (a built-in's is `<built-in>/ID.toml`).
    pub path: PathBuf,
    /// 1-based line and column, when known.
    pub line: Option<usize>,
    /// 1-based column, when known (only with `line`).
    pub column: Option<usize>,
    /// What is wrong: the TOML parser's words, or the profile's problems joined by `; `.
    pub message: String,
}

impl fmt::Display for LoadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.path.display())?;
        if let Some(l) = self.line {
            write!(f, ":{l}")?;
            if let Some(c) = self.column {
                write!(f, ":{c}")?;
            }
        }
        write!(f, ": {}", self.message)
    }
}

impl std::error::Error for LoadError {}

/// Why a profile could not be had: its file is not usable, or no profile has that id.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ProfileError {
    /// The profile's file could not be read, parsed or validated.
    #[error("{0}")]
    Load(#[from] LoadError),
    /// No built-in or user profile has this id.
    #[error("unknown profile '{id}' (known: {})", .known.join(", "))]
    Unknown {
        /// The id asked for.
        id: String,
        /// The ids of every profile loaded.
        known: Vec<String>,
    },
}

impl ProfileError {
    /// What to do next.
    pub fn hint(&self) -> &'static str {
        match self {
            Self::Load(_) => {
                "Fix the file at the place named (or move it aside); the built-in profiles are not affected."
            }
            Self::Unknown { .. } => "`halo-onboard profiles` lists the profiles there are.",
        }
    }
}

/// 1-based (line, column) of a byte offset.
fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let offset = offset.min(text.len());
    let before = text.get(..offset).unwrap_or(text);
    let line = before.matches('\n').count() + 1;
    let col = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, col)
}

/// Parses and validates one profile. `path` is only used in errors.
pub fn parse(text: &str, path: &Path) -> Result<Profile, LoadError> {
    let profile: Profile = toml::from_str(text).map_err(|e| {
        let (line, column) = match e.span() {
            Some(span) => {
                let (l, c) = line_col(text, span.start);
                (Some(l), Some(c))
            }
            None => (None, None),
        };
        LoadError {
            path: path.to_path_buf(),
            line,
            column,
            message: e.message().trim().to_string(),
        }
    })?;
    let problems = profile.validate();
    if let Some(first) = problems.first() {
        // Point at the first offending value when it appears literally in the file.
        let pos = first.value.as_ref().and_then(|v| {
            text.find(&format!("\"{v}\""))
                .or_else(|| text.find(v.as_str()))
        });
        let (line, column) = match pos {
            Some(p) => {
                let (l, c) = line_col(text, p);
                (Some(l), Some(c))
            }
            None => (None, None),
        };
        let message = problems
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join("; ");
        return Err(LoadError {
            path: path.to_path_buf(),
            line,
            column,
            message,
        });
    }
    Ok(profile)
}

/// Reads, parses and validates one user profile file.
pub fn load_file(path: &Path) -> Result<Profile, LoadError> {
    let bad = |message: String| LoadError {
        path: path.to_path_buf(),
        line: None,
        column: None,
        message,
    };
    let text = crate::limits::read_text_capped(path, crate::limits::MAX_TEXT_FILE)
        .map_err(|e| bad(format!("cannot read: {e}")))?;
    // Its texts are shown (`profiles show`, the wizard) and sent to Halo: no escapes in them,
    // not even written as TOML's \u001b.
    if let Ok(v) = toml::from_str::<toml::Value>(&text) {
        if let Some((field, c)) = first_unsafe_string(&v, "") {
            return Err(bad(format!(
                "{field} has a control character ({}): remove it",
                crate::text::code_point(c)
            )));
        }
    }
    let mut p = parse(&text, path)?;
    p.file = Some(path.to_path_buf());
    Ok(p)
}

/// The first string in `v` with a control or bidi character (line breaks and tabs allowed),
/// and where it is (`traps[1].text`).
fn first_unsafe_string(v: &toml::Value, at: &str) -> Option<(String, char)> {
    match v {
        toml::Value::String(s) => s
            .chars()
            .find(|c| crate::text::is_unsafe(*c) && !matches!(c, '\n' | '\t'))
            .map(|c| (at.to_string(), c)),
        toml::Value::Array(a) => a
            .iter()
            .enumerate()
            .find_map(|(i, x)| first_unsafe_string(x, &format!("{at}[{i}]"))),
        toml::Value::Table(t) => t.iter().find_map(|(k, x)| {
            let here = if at.is_empty() {
                k.clone()
            } else {
                format!("{at}.{k}")
            };
            first_unsafe_string(x, &here)
        }),
        _ => None,
    }
}

fn builtin_checked() -> (Vec<Profile>, Vec<LoadError>) {
    let mut ok = Vec::new();
    let mut errs = Vec::new();
    for (name, text) in BUILTIN {
        let path = PathBuf::from(format!("<built-in>/{name}.toml"));
        match parse(text, &path) {
            Ok(p) => ok.push(p),
            Err(e) => errs.push(e),
        }
    }
    (ok, errs)
}

/// Every built-in profile. A unit test guarantees they all parse and validate.
pub fn builtin() -> Vec<Profile> {
    builtin_checked().0
}

/// `<config dir>/profiles`, e.g. `~/.config/halo-onboard/profiles` on Linux.
pub fn user_profiles_dir() -> Option<PathBuf> {
    if let Some(d) = std::env::var_os("HALO_ONBOARD_PROFILES_DIR").filter(|d| !d.is_empty()) {
        return Some(PathBuf::from(d));
    }
    directories::ProjectDirs::from("", "", "halo-onboard").map(|d| d.config_dir().join("profiles"))
}

/// Built-ins plus `user_dir/*.toml` (in file-name order). A user profile with the id of an
/// earlier one replaces it. Broken files are reported and skipped; the rest still load.
/// A missing `user_dir` is not an error.
pub fn load_all(user_dir: Option<&Path>) -> (Vec<Profile>, Vec<LoadError>) {
    let (mut profiles, mut errors) = builtin_checked();
    let Some(dir) = user_dir else {
        return (profiles, errors);
    };
    let entries = match std::fs::read_dir(dir) {
        Ok(e) => e,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return (profiles, errors),
        Err(e) => {
            errors.push(LoadError {
                path: dir.to_path_buf(),
                line: None,
                column: None,
                message: format!("cannot read directory: {e}"),
            });
            return (profiles, errors);
        }
    };
    let mut files: Vec<PathBuf> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "toml") && p.is_file())
        .collect();
    files.sort();
    for path in files {
        match load_file(&path) {
            Ok(p) => match profiles.iter_mut().find(|q| q.id == p.id) {
                Some(slot) => *slot = p,
                None => profiles.push(p),
            },
            Err(e) => errors.push(e),
        }
    }
    (profiles, errors)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_builtin_parses_and_validates() {
        let (ok, errs) = builtin_checked();
        assert!(errs.is_empty(), "{errs:#?}");
        assert_eq!(ok.len(), BUILTIN.len());
        for (p, (name, _)) in ok.iter().zip(BUILTIN) {
            assert_eq!(&p.id, name, "file name and id differ");
        }
    }

    #[test]
    fn ids_are_unique() {
        let ps = builtin();
        for (i, p) in ps.iter().enumerate() {
            assert!(!ps[..i].iter().any(|q| q.id == p.id), "{} twice", p.id);
        }
    }

    #[test]
    fn line_col_counts_from_one() {
        assert_eq!(line_col("ab\ncd", 0), (1, 1));
        assert_eq!(line_col("ab\ncd", 4), (2, 2));
    }

    #[test]
    fn a_user_profile_with_escapes_is_refused_by_field() {
        let d = tempfile::tempdir().unwrap();
        let p = d.path().join("evil.toml");
        let good = BUILTIN[0].1;
        std::fs::write(
            &p,
            format!("{good}\n[[traps]]\ntext = \"x\\u001b]0;t\\u0007\"\n"),
        )
        .unwrap();
        let e = load_file(&p).unwrap_err();
        assert!(e.message.contains("U+001B"), "{e}");
        assert!(e.message.contains("traps["), "{e}");
    }
}
