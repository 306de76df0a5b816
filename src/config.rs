//! The optional config file, `<config dir>/config.toml` (e.g. `~/.config/halo-onboard/config.toml`,
//! or `$HALO_ONBOARD_CONFIG`). Command-line flags win over it. A broken file is reported with its
//! path and line and the defaults are used: a typo in a preference never stops the wizard.
//!
//! ```toml
//! theme = "light"            # dark, light, high-contrast, monochrome, or a theme file path
//! ca_file = "private-ca.pem" # a certificate authority every connection trusts too (optional)
//!
//! [instance.acme]            # a saved Halo: `--instance acme` on any command that connects
//! url = "https://acme.halopsa.com"   # or resource_url + auth_url (+ tenant) on-premise
//! client_id = "…"            # the bootstrap application
//! secret_env = "ACME_HALO_SECRET"    # where its secret is (or secret_file = "path"); never the secret
//! ca_file = "acme-ca.pem"    # optional: this Halo's private certificate authority
//! ```

#![warn(missing_docs)]

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;

/// The environment variable that names the config file instead of the default path (empty:
/// ignored).
pub const CONFIG_ENV: &str = "HALO_ONBOARD_CONFIG";

/// The config file as read; [`Config::default`] when there is none or it cannot be parsed.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Config {
    /// Theme name or path, as `--theme` takes it.
    pub theme: Option<String>,
    /// Saved Halo instances by name (`[instance.NAME]`); one that cannot be used holds why.
    pub instances: BTreeMap<String, Result<Instance, ConfigError>>,
    /// A certificate authority (PEM) every connection trusts besides the system's (an
    /// instance's own `ca_file` and `--ca-file` win over it).
    pub ca_file: Option<PathBuf>,
    /// `rotate_after_days`: the application secrets' rotation policy (an instance's own wins).
    pub rotate_after_days: Option<u32>,
    /// `fail_on_reported_expiry`: an expiry Halo reports may fail `check` (an instance's own
    /// wins). Off by default: the field is not in Halo's published API.
    pub fail_on_reported_expiry: bool,
}

/// What the admin decided about application secrets, for one Halo.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SecretPolicy {
    /// Days after its issue that a secret is due for rotation (`rotate_after_days`, 1 to
    /// 3650); `None`: no policy, age is only reported.
    pub rotate_after_days: Option<u32>,
    /// Whether an expiry date Halo reports near or past fails `check`
    /// (`fail_on_reported_expiry`); off unless the admin set it.
    pub fail_on_reported_expiry: bool,
}

/// The file as written. Keys this version does not know are named in a warning, otherwise
/// ignored, so a typo or a newer version's setting never throws the whole file away.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct Raw {
    theme: Option<String>,
    ca_file: Option<String>,
    instance: BTreeMap<String, toml::Value>,
    rotate_after_days: Option<toml::Value>,
    fail_on_reported_expiry: Option<bool>,
    #[serde(flatten)]
    unknown: BTreeMap<String, toml::Value>,
}

/// The keys [`Config`] reads, for the unknown-key warning.
const KNOWN_KEYS: [&str; 5] = [
    "theme",
    "ca_file",
    "instance",
    "rotate_after_days",
    "fail_on_reported_expiry",
];

mod error;
mod instance;

pub use error::ConfigError;
pub use instance::{
    Instance, MAX_NAME, POLICY_KEYS, SaveError, Saved, SecretSource, looks_like_halo_secret,
    normal_address, save as save_instance, suggest_name, valid_name,
};

/// Where the config file is: `$HALO_ONBOARD_CONFIG` when set, else `config.toml` in the
/// platform's config folder; `None` when there is no home folder to find one in.
pub fn default_path() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os(CONFIG_ENV).filter(|p| !p.is_empty()) {
        return Some(PathBuf::from(p));
    }
    directories::ProjectDirs::from("", "", "halo-onboard")
        .map(|d| d.config_dir().join("config.toml"))
}

/// Reads the config; a missing file is the defaults, a broken one the defaults plus a message.
pub fn load(path: Option<&Path>) -> (Config, Option<String>) {
    let Some(path) = path else {
        return (Config::default(), None);
    };
    let text = match crate::limits::read_text_capped(path, crate::limits::MAX_TEXT_FILE) {
        Ok(t) => t,
        Err(crate::limits::ReadError::Io(e)) if e.kind() == std::io::ErrorKind::NotFound => {
            return (Config::default(), None);
        }
        Err(e) => {
            return (
                Config::default(),
                Some(format!(
                    "config {}: cannot read it ({e}); using defaults",
                    path.display()
                )),
            );
        }
    };
    match toml::from_str::<Raw>(&text) {
        Ok(raw) => from_raw(raw, path),
        Err(e) => (Config::default(), Some(syntax_warning(&e, &text, path))),
    }
}

/// The settings of a parsed file, with a warning for each part that is not used.
fn from_raw(raw: Raw, path: &Path) -> (Config, Option<String>) {
    let mut warnings = Vec::new();
    if !raw.unknown.is_empty() {
        let keys: Vec<String> = raw
            .unknown
            .keys()
            .map(|k| format!("'{}'", printable(k)))
            .collect();
        warnings.push(format!(
            "config {}: unknown key{} {} ignored (known: {})",
            path.display(),
            if keys.len() == 1 { "" } else { "s" },
            keys.join(", "),
            KNOWN_KEYS.join(", ")
        ));
    }
    let base = path.parent().unwrap_or(Path::new("."));
    let instances: BTreeMap<String, Result<Instance, ConfigError>> = raw
        .instance
        .iter()
        .map(|(name, v)| (name.clone(), instance::parse(name, v, base)))
        .collect();
    for e in instances.values().filter_map(|r| r.as_ref().err()) {
        warnings.push(format!(
            "config {}: {e}; that instance is not used",
            path.display()
        ));
    }
    let ca_file = raw
        .ca_file
        .map(|f| f.trim().to_string())
        .filter(|f| !f.is_empty())
        .map(PathBuf::from)
        .map(|f| if f.is_relative() { base.join(f) } else { f });
    let rotate_after_days = match raw.rotate_after_days.as_ref() {
        Some(v) => match instance::parse_rotate_after_days(v) {
            Some(d) => Some(d),
            None => {
                let e = ConfigError::RotateAfterDays;
                warnings.push(format!("config {}: {e}; no policy set", path.display()));
                None
            }
        },
        None => None,
    };
    let c = Config {
        theme: raw.theme,
        instances,
        ca_file,
        rotate_after_days,
        fail_on_reported_expiry: raw.fail_on_reported_expiry.unwrap_or(false),
    };
    (c, (!warnings.is_empty()).then(|| warnings.join("\n")))
}

/// A file that is not valid TOML: the line and what is wrong (defaults are used).
fn syntax_warning(e: &toml::de::Error, text: &str, path: &Path) -> String {
    let line = e.span().map_or(1, |s| {
        text[..s.start.min(text.len())].lines().count().max(1)
    });
    let what = e
        .message()
        .lines()
        .next()
        .unwrap_or("invalid TOML")
        .to_string();
    format!(
        "config {}, line {line}: {what}; using defaults",
        path.display()
    )
}

impl Config {
    /// The saved instance `name`; an unknown name lists the ones there are, a broken one says
    /// what to fix. `path` is the config file, for the messages.
    pub fn instance(&self, name: &str, path: Option<&Path>) -> Result<&Instance, ConfigError> {
        let file = path.map_or_else(|| "the config file".into(), |p| p.display().to_string());
        match self.instances.get(name) {
            Some(Ok(i)) => Ok(i),
            Some(Err(e)) => Err(ConfigError::Unusable {
                file,
                problem: Box::new(e.clone()),
            }),
            None if self.instances.is_empty() => Err(ConfigError::NoInstances {
                name: printable(name),
                file,
            }),
            None => Err(ConfigError::UnknownInstance {
                name: printable(name),
                file,
                known: self.instances.keys().cloned().collect(),
            }),
        }
    }

    /// The secret policy for the Halo at `address`: its saved instance's keys, else the file's.
    pub(crate) fn secret_policy(&self, address: &str) -> SecretPolicy {
        let inst = self.instance_at(address).map(|(_, i)| i);
        SecretPolicy {
            rotate_after_days: inst
                .and_then(|i| i.rotate_after_days)
                .or(self.rotate_after_days),
            fail_on_reported_expiry: inst
                .and_then(|i| i.fail_on_reported_expiry)
                .unwrap_or(self.fail_on_reported_expiry),
        }
    }

    /// The usable instance at `address` (a hosted URL or a resource server), with its name.
    pub(crate) fn instance_at(&self, address: &str) -> Option<(&str, &Instance)> {
        self.instances.iter().find_map(|(n, i)| {
            let i = i.as_ref().ok()?;
            i.is_at(address).then_some((n.as_str(), i))
        })
    }
}

/// A key from the file as it may be shown on a terminal: control characters escaped, capped.
fn printable(key: &str) -> String {
    let mut out: String = key
        .chars()
        .take(64)
        .flat_map(|c| {
            if c.is_control() {
                c.escape_default().collect::<Vec<_>>()
            } else {
                vec![c]
            }
        })
        .collect();
    if key.chars().count() > 64 {
        out.push('…');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn missing_is_default_and_theme_is_read() {
        let d = tempfile::tempdir().unwrap();
        assert_eq!(
            load(Some(&d.path().join("none.toml"))),
            (Config::default(), None)
        );
        let p = d.path().join("config.toml");
        std::fs::write(&p, "theme = \"light\"\n").unwrap();
        assert_eq!(load(Some(&p)).0.theme.as_deref(), Some("light"));
    }

    #[test]
    fn broken_file_names_file_and_line_and_keeps_defaults() {
        let d = tempfile::tempdir().unwrap();
        let p = d.path().join("config.toml");
        std::fs::write(&p, "# prefs\ntheme = light\n").unwrap();
        let (c, err) = load(Some(&p));
        assert_eq!(c, Config::default());
        let err = err.unwrap();
        assert!(err.contains("config.toml, line 2"), "{err}");
        std::fs::write(&p, "theme = [\n").unwrap();
        assert!(load(Some(&p)).1.unwrap().contains("line 1"));
    }

    #[test]
    fn unknown_keys_are_named_and_the_rest_is_used() {
        let d = tempfile::tempdir().unwrap();
        let p = d.path().join("config.toml");
        std::fs::write(&p, "theme = \"light\"\ncolour = \"x\"\n[thme]\na = 1\n").unwrap();
        let (c, warn) = load(Some(&p));
        assert_eq!(c.theme.as_deref(), Some("light"));
        let warn = warn.unwrap();
        assert!(
            warn.contains("'colour'") && warn.contains("'thme'"),
            "{warn}"
        );
        assert!(warn.contains("known: theme, ca_file, instance"), "{warn}");
    }

    #[test]
    fn secret_policy_from_the_file_and_the_instance() {
        let d = tempfile::tempdir().unwrap();
        let p = d.path().join("config.toml");
        std::fs::write(
            &p,
            "rotate_after_days = 180\n[instance.acme]\nurl = \"https://acme.halopsa.com\"\nrotate_after_days = 90\nfail_on_reported_expiry = true\n[instance.other]\nurl = \"https://other.halopsa.com\"\n",
        )
        .unwrap();
        let (c, warn) = load(Some(&p));
        assert!(warn.is_none(), "{warn:?}");
        let acme = c.secret_policy("https://acme.halopsa.com/");
        assert_eq!(acme.rotate_after_days, Some(90));
        assert!(acme.fail_on_reported_expiry);
        let other = c.secret_policy("https://other.halopsa.com");
        assert_eq!(other.rotate_after_days, Some(180));
        assert!(!other.fail_on_reported_expiry);
        std::fs::write(&p, "rotate_after_days = \"soon\"\n").unwrap();
        let (c, warn) = load(Some(&p));
        assert_eq!(c.rotate_after_days, None);
        assert!(warn.unwrap().contains("whole number of days"));
    }
}
