//! Saved Halo instances: `[instance.NAME]` in the config file. An instance says where a Halo is
//! (a hosted URL, or the on-premise resource and authorisation servers and tenant), which
//! bootstrap application to log in with, and where that application's secret is kept (an
//! environment variable or a file) — never the secret itself.
//!
//! The wizard saves an instance after a successful connect with [`save`]: the file is edited
//! in place (toml_edit), so the user's comments, order and other keys stay as they were, and an
//! instance of the same name that says something else is replaced only when asked.

use std::path::{Path, PathBuf};

use super::error::ConfigError;

/// Longest instance name (it is typed on command lines and names table rows).
pub const MAX_NAME: usize = 64;

/// The keys an `[instance.NAME]` table takes, in the order they are written.
pub(super) const KEYS: [&str; 8] = [
    "url",
    "resource_url",
    "auth_url",
    "tenant",
    "client_id",
    "secret_env",
    "secret_file",
    "ca_file",
];

/// Where a bootstrap secret is kept (never the secret itself).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SecretSource {
    /// An environment variable holding it.
    Env(String),
    /// A file holding it (only the secret).
    File(PathBuf),
}

/// One saved Halo.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Instance {
    /// A hosted Halo's URL (its authorisation server and tenant are discovered).
    pub url: Option<String>,
    /// On-premise: the resource server (…/api); with `url`: unused.
    pub resource_url: Option<String>,
    /// On-premise: the authorisation server (…/auth); with `url`: confirms a login server on
    /// another host (as `--auth-url` does).
    pub auth_url: Option<String>,
    /// With `resource_url`: the tenant added to token requests (`?tenant=`) when the
    /// authorisation server is shared; `None`: none sent.
    pub tenant: Option<String>,
    /// The bootstrap application's Client ID.
    pub client_id: Option<String>,
    /// Where its secret is; `None`: `HALO_CLIENT_SECRET` (or a prompt on a terminal).
    pub secret: Option<SecretSource>,
    /// A certificate authority (PEM) to trust for this Halo besides the system's: an
    /// on-premise Halo on a private CA.
    pub ca_file: Option<PathBuf>,
    /// The rotation policy of the application secrets set up here (`rotate_after_days`):
    /// `check` fails once one is older. Overrides the file's top-level key.
    pub rotate_after_days: Option<u32>,
    /// `fail_on_reported_expiry`: let an expiry Halo reports (a field outside its published
    /// schema) fail `check` when near. Overrides the file's top-level key.
    pub fail_on_reported_expiry: Option<bool>,
}

/// The policy keys an instance table may carry besides [`KEYS`] (not strings).
pub const POLICY_KEYS: [&str; 2] = ["rotate_after_days", "fail_on_reported_expiry"];

/// `rotate_after_days`: whole days, 1 to 3650.
pub(super) fn parse_rotate_after_days(v: &toml::Value) -> Option<u32> {
    v.as_integer()
        .and_then(|n| u32::try_from(n).ok())
        .filter(|n| (1..=3650).contains(n))
}

/// Whether an environment variable is named like a Halo secret: `HALO` is one of its
/// `_`-separated words (`HALO_CLIENT_SECRET`, `ACME_HALO_SECRET`). A config or batch file
/// names only such variables, so it cannot send, say, `AWS_SECRET_ACCESS_KEY` to a server.
pub fn looks_like_halo_secret(var: &str) -> bool {
    var.split('_').any(|w| w.eq_ignore_ascii_case("HALO"))
}

/// Whether `name` may name an instance: letters, digits, `-`, `_` and `.`, at most
/// [`MAX_NAME`] characters.
pub fn valid_name(name: &str) -> bool {
    !name.is_empty()
        && name.chars().count() <= MAX_NAME
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
}

/// A name for the instance at `address` (a URL): the first label of its host, e.g. `acme` for
/// `https://acme.halopsa.com`; `halo` when that gives nothing usable (an IP address).
pub fn suggest_name(address: &str) -> String {
    let host = url::Url::parse(address.trim())
        .ok()
        .and_then(|u| u.host_str().map(str::to_string))
        .unwrap_or_default();
    let first = host
        .split('.')
        .next()
        .unwrap_or_default()
        .to_ascii_lowercase();
    let name: String = first
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '-')
        .take(MAX_NAME)
        .collect();
    if name.is_empty() || name.chars().all(|c| c.is_ascii_digit()) {
        "halo".into()
    } else {
        name
    }
}

/// A URL as compared: trimmed, without a trailing `/`, lower case.
pub fn normal_address(url: &str) -> String {
    url.trim().trim_end_matches('/').to_ascii_lowercase()
}

impl Instance {
    /// The address that identifies this Halo: the hosted URL, else the resource server.
    pub fn address(&self) -> Option<&str> {
        self.url.as_deref().or(self.resource_url.as_deref())
    }

    /// Whether this instance is the Halo at `address` (a hosted URL or a resource server).
    pub fn is_at(&self, address: &str) -> bool {
        self.address()
            .is_some_and(|a| normal_address(a) == normal_address(address))
    }

    /// What the table says, as `key = value` pairs in [`KEYS`] order (values as written).
    fn pairs(&self) -> Vec<(&'static str, String)> {
        let (env, file) = match &self.secret {
            Some(SecretSource::Env(v)) => (Some(v.clone()), None),
            Some(SecretSource::File(f)) => (None, Some(f.display().to_string())),
            None => (None, None),
        };
        let values = [
            self.url.clone(),
            self.resource_url.clone(),
            self.auth_url.clone(),
            self.tenant.clone(),
            self.client_id.clone(),
            env,
            file,
            self.ca_file.as_ref().map(|f| f.display().to_string()),
        ];
        KEYS.iter()
            .zip(values)
            .filter_map(|(k, v)| Some((*k, v?)))
            .collect()
    }
}

/// Reads `[instance.NAME]` (`value`); relative secret files are relative to `base` (the config
/// file's folder). Errors say what to change, never a secret's value.
pub(super) fn parse(name: &str, value: &toml::Value, base: &Path) -> Result<Instance, ConfigError> {
    let at = format!("[instance.{}]", crate::text::line_max(name, MAX_NAME));
    if !valid_name(name) {
        return Err(ConfigError::BadName { at, max: MAX_NAME });
    }
    let Some(table) = value.as_table() else {
        return Err(ConfigError::NotATable { at });
    };
    let mut got: [Option<String>; 8] = Default::default();
    let mut rotate_after_days = None;
    let mut fail_on_reported_expiry = None;
    for (key, v) in table {
        match key.as_str() {
            "rotate_after_days" => {
                rotate_after_days = Some(
                    parse_rotate_after_days(v)
                        .ok_or_else(|| ConfigError::InstanceRotateAfterDays { at: at.clone() })?,
                );
                continue;
            }
            "fail_on_reported_expiry" => {
                fail_on_reported_expiry = Some(
                    v.as_bool()
                        .ok_or_else(|| ConfigError::NotABool { at: at.clone() })?,
                );
                continue;
            }
            _ => {}
        }
        let (i, s) = string_key(&at, name, key, v)?;
        got[i] = Some(s.trim().to_string()).filter(|s| !s.is_empty());
    }
    let [
        url,
        resource_url,
        auth_url,
        tenant,
        client_id,
        secret_env,
        secret_file,
        ca_file,
    ] = got;
    check_address(&at, &url, &resource_url, &auth_url)?;
    let secret = secret_source(&at, name, secret_env, secret_file, base)?;
    let ca_file = ca_file
        .map(PathBuf::from)
        .map(|f| if f.is_relative() { base.join(f) } else { f });
    Ok(Instance {
        url,
        resource_url,
        auth_url,
        tenant,
        client_id,
        secret,
        ca_file,
        rotate_after_days,
        fail_on_reported_expiry,
    })
}

/// The instance name as the stem of an environment variable (`acme-eu` → `ACME_EU`).
fn env_stem(name: &str) -> String {
    name.to_ascii_uppercase()
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
        .collect()
}

/// One of the instance's string keys: its place in [`KEYS`] and its text. A secret, an unknown
/// key, a value that is not a string or one with a control character is refused.
fn string_key<'v>(
    at: &str,
    name: &str,
    key: &str,
    v: &'v toml::Value,
) -> Result<(usize, &'v str), ConfigError> {
    let at = at.to_string();
    if matches!(
        key.to_ascii_lowercase().as_str(),
        "client_secret" | "secret" | "password"
    ) {
        return Err(ConfigError::SecretInFile {
            at,
            key: key.to_string(),
            stem: env_stem(name),
        });
    }
    let Some(i) = KEYS.iter().position(|k| *k == key) else {
        return Err(ConfigError::UnknownKey {
            at,
            key: crate::text::line_max(key, 64),
            takes: format!("{}, {}", KEYS.join(", "), POLICY_KEYS.join(", ")),
        });
    };
    let key = key.to_string();
    let Some(s) = v.as_str() else {
        return Err(ConfigError::NotAString { at, key });
    };
    if let Some((pos, c)) = crate::text::first_unsafe(s) {
        return Err(ConfigError::ControlCharacter {
            at,
            key,
            code: crate::text::code_point(c),
            position: pos + 1,
        });
    }
    Ok((i, s))
}

/// One Halo address: `url` (hosted), or `resource_url` with `auth_url` (on-premise).
fn check_address(
    at: &str,
    url: &Option<String>,
    resource_url: &Option<String>,
    auth_url: &Option<String>,
) -> Result<(), ConfigError> {
    let at = at.to_string();
    match (&url, &resource_url, &auth_url) {
        (Some(_), None, _) | (None, Some(_), Some(_)) => Ok(()),
        (Some(_), Some(_), _) => Err(ConfigError::TwoAddresses { at }),
        (None, Some(_), None) => Err(ConfigError::NoAuthUrl { at }),
        (None, None, _) => Err(ConfigError::NoAddress { at }),
    }
}

/// Where the instance's secret comes from: a variable named like a Halo secret, or a file
/// (relative to the config file); never both.
fn secret_source(
    at: &str,
    name: &str,
    secret_env: Option<String>,
    secret_file: Option<String>,
    base: &Path,
) -> Result<Option<SecretSource>, ConfigError> {
    let at = at.to_string();
    Ok(match (secret_env, secret_file) {
        (Some(_), Some(_)) => {
            return Err(ConfigError::TwoSecretSources { at });
        }
        (Some(env), None) if !looks_like_halo_secret(&env) => {
            return Err(ConfigError::NotAHaloVariable {
                at,
                var: crate::text::line_max(&env, 64),
                stem: env_stem(name),
            });
        }
        (Some(env), None) => Some(SecretSource::Env(env)),
        (None, Some(f)) => {
            let f = PathBuf::from(f);
            Some(SecretSource::File(if f.is_relative() {
                base.join(f)
            } else {
                f
            }))
        }
        (None, None) => None,
    })
}

/// What [`save`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Saved {
    /// There was no instance of that name; it was written.
    Added,
    /// An instance of that name that said something else was overwritten (`replace` was
    /// given).
    Replaced,
    /// The file already says exactly this: nothing was written.
    Unchanged,
}

/// Why nothing was saved.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SaveError {
    /// An instance of that name says something else (or cannot be read): replaced only when
    /// asked.
    #[error("the config file already has an instance '{0}' that says something else")]
    Exists(String),
    /// The name as given, capped and clean.
    #[error(
        "'{0}' cannot name an instance: use letters, digits, '-', '_' or '.' (at most {MAX_NAME})"
    )]
    InvalidName(String),
    /// Reading or writing the config file failed: its path and the reason.
    #[error("cannot save to the config file {}: {}", .0.display(), .1)]
    File(PathBuf, String),
}

/// Writes `[instance.NAME]` into the config file at `path` (created, with its folder, when
/// missing), keeping everything else in it as it was. An instance of that name that differs is
/// replaced only with `replace`. The write is atomic; a symlinked config file (dotfiles) is
/// written where it points.
pub fn save(path: &Path, name: &str, inst: &Instance, replace: bool) -> Result<Saved, SaveError> {
    if !valid_name(name) {
        return Err(SaveError::InvalidName(crate::text::line_max(
            name, MAX_NAME,
        )));
    }
    let file_err = |e: String| SaveError::File(path.to_path_buf(), e);
    let text = match crate::limits::read_text_capped(path, crate::limits::MAX_TEXT_FILE) {
        Ok(t) => t,
        Err(crate::limits::ReadError::Io(e)) if e.kind() == std::io::ErrorKind::NotFound => {
            String::new()
        }
        Err(e) => return Err(file_err(e.to_string())),
    };
    let mut doc: toml_edit::DocumentMut = text.parse().map_err(|e: toml_edit::TomlError| {
        file_err(format!(
            "it is not valid TOML ({}); fix it first, nothing was written",
            e.message().trim()
        ))
    })?;
    let base = path.parent().unwrap_or(Path::new("."));
    let instances = doc
        .entry("instance")
        .or_insert_with(|| {
            let mut t = toml_edit::Table::new();
            t.set_implicit(true);
            toml_edit::Item::Table(t)
        })
        .as_table_mut()
        .ok_or_else(|| file_err("its 'instance' key is not a table; fix it first".into()))?;
    let outcome = match instances.get(name) {
        None => Saved::Added,
        Some(item) => {
            let existing = toml::from_str::<toml::Table>(&format!("x = {}", item_inline(item)))
                .ok()
                .and_then(|t| t.get("x").cloned())
                .and_then(|v| parse(name, &v, base).ok());
            if existing.as_ref() == Some(inst) {
                return Ok(Saved::Unchanged);
            }
            if !replace {
                return Err(SaveError::Exists(name.to_string()));
            }
            Saved::Replaced
        }
    };
    let mut table = toml_edit::Table::new();
    for (k, v) in inst.pairs() {
        table.insert(k, toml_edit::value(v));
    }
    // The policy is the admin's: kept from the table it replaces unless this one sets it.
    let old = instances.get(name).and_then(|i| i.as_table_like());
    for key in POLICY_KEYS {
        let set = match key {
            "rotate_after_days" => inst
                .rotate_after_days
                .map(|d| toml_edit::value(i64::from(d))),
            _ => inst.fail_on_reported_expiry.map(toml_edit::value),
        };
        match (set, old.and_then(|o| o.get(key))) {
            (Some(v), _) => {
                table.insert(key, v);
            }
            (None, Some(v)) => {
                table.insert(key, v.clone());
            }
            (None, None) => {}
        }
    }
    instances.insert(name, toml_edit::Item::Table(table));
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(|e| file_err(e.to_string()))?;
    }
    // A config file kept elsewhere and linked here (dotfiles) is updated where it lives.
    let target = std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf());
    crate::journal::fsutil::write_atomic(&target, doc.to_string().as_bytes())
        .map_err(|e| file_err(e.to_string()))?;
    Ok(outcome)
}

/// A table item as an inline table's text, to read it back with `toml`.
fn item_inline(item: &toml_edit::Item) -> String {
    match item {
        toml_edit::Item::Table(t) => t.clone().into_inline_table().to_string(),
        toml_edit::Item::Value(v) => v.to_string(),
        _ => "{}".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn val(text: &str) -> toml::Value {
        toml::from_str::<toml::Table>(text).unwrap()["x"].clone()
    }

    #[test]
    fn parses_hosted_and_on_premise_and_refuses_a_secret() {
        let base = Path::new("/cfg");
        let i = parse(
            "acme",
            &val("x = { url = \"https://acme.halopsa.com\", client_id = \"c\", secret_file = \"acme.secret\" }"),
            base,
        )
        .unwrap();
        assert_eq!(i.address(), Some("https://acme.halopsa.com"));
        assert_eq!(i.secret, Some(SecretSource::File(base.join("acme.secret"))));
        assert!(i.is_at("https://ACME.halopsa.com/"));
        let i = parse(
            "op",
            &val("x = { resource_url = \"https://h/api\", auth_url = \"https://h/auth\", tenant = \"t\", secret_env = \"OP_HALO_SECRET\" }"),
            base,
        )
        .unwrap();
        assert_eq!(i.secret, Some(SecretSource::Env("OP_HALO_SECRET".into())));
        let e = parse(
            "sb",
            &val("x = { url = \"https://a\", client_secret = \"s3cr3t-value\" }"),
            base,
        )
        .unwrap_err()
        .to_string();
        assert!(e.contains("[instance.sb] has client_secret"), "{e}");
        assert!(e.contains("secret_env = \"SB_HALO_SECRET\""), "{e}");
        assert!(!e.contains("s3cr3t-value"), "{e}");
        for (text, want) in [
            ("x = { client_id = \"c\" }", "no Halo address"),
            (
                "x = { url = \"https://a\", resource_url = \"https://b\" }",
                "not both",
            ),
            ("x = { resource_url = \"https://b\" }", "needs auth_url"),
            (
                "x = { url = \"https://a\", secret_env = \"AWS_SECRET_ACCESS_KEY\" }",
                "HALO_*",
            ),
            (
                "x = { url = \"https://a\", colour = \"x\" }",
                "unknown key 'colour'",
            ),
            ("x = { url = 3 }", "must be a string"),
            ("x = \"https://a\"", "is a table"),
            ("x = { url = \"https://a\\u001b\" }", "U+001B"),
        ] {
            let e = parse("a", &val(text), base).unwrap_err().to_string();
            assert!(e.contains(want), "{text}: {e}");
        }
        assert!(parse("a b", &val("x = { url = \"https://a\" }"), base).is_err());
    }

    #[test]
    fn names_are_suggested_from_the_host() {
        assert_eq!(suggest_name("https://acme.halopsa.com"), "acme");
        assert_eq!(suggest_name("http://127.0.0.1:8080"), "halo");
        assert_eq!(suggest_name("not a url"), "halo");
        assert!(valid_name("acme-eu.2") && !valid_name("") && !valid_name("a/b"));
    }

    #[test]
    fn save_keeps_comments_and_other_keys_and_asks_before_replacing() {
        let d = tempfile::tempdir().unwrap();
        let p = d.path().join("sub").join("config.toml");
        let acme = Instance {
            url: Some("https://acme.halopsa.com".into()),
            client_id: Some("boot".into()),
            ..Instance::default()
        };
        // A missing file (and folder) is created.
        assert_eq!(save(&p, "acme", &acme, false), Ok(Saved::Added));
        let mut text = std::fs::read_to_string(&p).unwrap();
        assert!(
            text.contains("[instance.acme]\nurl = \"https://acme.halopsa.com\""),
            "{text}"
        );
        assert!(!text.contains("[instance]\n"), "{text}");
        text = format!(
            "# my prefs\ntheme = \"light\" # cosy\n\n{text}\n[instance.other]\nurl = \"https://o\" # keep\n"
        );
        std::fs::write(&p, &text).unwrap();
        assert_eq!(save(&p, "acme", &acme, false), Ok(Saved::Unchanged));
        let moved = Instance {
            url: Some("https://acme2.halopsa.com".into()),
            ..acme.clone()
        };
        assert_eq!(
            save(&p, "acme", &moved, false),
            Err(SaveError::Exists("acme".into()))
        );
        assert_eq!(std::fs::read_to_string(&p).unwrap(), text, "untouched");
        assert_eq!(save(&p, "acme", &moved, true), Ok(Saved::Replaced));
        let after = std::fs::read_to_string(&p).unwrap();
        assert!(
            after.starts_with("# my prefs\ntheme = \"light\" # cosy\n"),
            "{after}"
        );
        assert!(after.contains("url = \"https://o\" # keep"), "{after}");
        assert!(after.contains("acme2"), "{after}");
        let (c, warn) = crate::config::load(Some(&p));
        assert_eq!(warn, None);
        assert_eq!(c.instances["acme"], Ok(moved));
        // A broken file is not touched.
        std::fs::write(&p, "theme = [\n").unwrap();
        assert!(matches!(
            save(&p, "x", &acme, false),
            Err(SaveError::File(..))
        ));
        assert_eq!(std::fs::read_to_string(&p).unwrap(), "theme = [\n");
    }

    #[cfg(unix)]
    #[test]
    fn a_symlinked_config_is_written_where_it_points() {
        let d = tempfile::tempdir().unwrap();
        let real = d.path().join("dotfiles.toml");
        std::fs::write(&real, "theme = \"dark\"\n").unwrap();
        let link = d.path().join("config.toml");
        std::os::unix::fs::symlink(&real, &link).unwrap();
        let i = Instance {
            url: Some("https://a.halopsa.com".into()),
            ..Instance::default()
        };
        assert_eq!(save(&link, "a", &i, false), Ok(Saved::Added));
        assert!(
            std::fs::symlink_metadata(&link)
                .unwrap()
                .file_type()
                .is_symlink()
        );
        assert!(
            std::fs::read_to_string(&real)
                .unwrap()
                .contains("[instance.a]")
        );
    }
}
