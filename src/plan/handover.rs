//! Hand-over of the new credentials in the forms vendors ask for: full resource URL, base URL
//! without `/api`, hostname only, authorisation server, tenant. Written to a 0600 file (env, JSON
//! or TOML), or copied to the clipboard with OSC 52 (works over SSH).
//!
//! Saving never loses anything: an existing file is replaced only when asked (the wizard's
//! prompt, `--force`), a missing folder is an error rather than created, a name whose
//! extension is not one of the three formats is refused, and a symlink is never written through.

use std::path::{Path, PathBuf};

use base64::Engine as _;
use secrecy::{ExposeSecret, SecretString};

use crate::halo::Endpoint;
use crate::journal::{Journal, fsutil};

/// The file format of a hand-over, chosen by the file name's extension ([`Format::from_path`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// `KEY=value` lines (`.env`).
    Env,
    /// One JSON object.
    Json,
    /// One TOML table.
    Toml,
}

impl Format {
    /// The format a file name asks for: `*.env` (or a file named `.env`), `*.json`, `*.toml`.
    pub fn from_path(p: &Path) -> Result<Self, SaveError> {
        let name = p.file_name().and_then(|n| n.to_str()).unwrap_or_default();
        let ext = match name.rsplit_once('.') {
            Some((_, ext)) => ext.to_ascii_lowercase(),
            None => String::new(),
        };
        match ext.as_str() {
            "env" => Ok(Self::Env),
            "json" => Ok(Self::Json),
            "toml" => Ok(Self::Toml),
            _ => Err(SaveError::Extension(p.to_path_buf())),
        }
    }
}

/// Why the credentials were not saved. Nothing was written in any of these cases.
#[derive(Debug, thiserror::Error)]
pub enum SaveError {
    /// The file exists; it is never overwritten unasked.
    #[error("{} already exists", .0.display())]
    Exists(PathBuf),
    /// The name's extension is not `.env`, `.json` or `.toml`.
    #[error("cannot save the credentials to {}: halo-onboard writes .env, .json or .toml files (by the name's extension)", .0.display())]
    Extension(PathBuf),
    /// The folder (second path) of the file (first path) does not exist; it is not created.
    #[error("cannot save the credentials to {}: the folder {} does not exist", .0.display(), .1.display())]
    NoFolder(PathBuf, PathBuf),
    /// The second path, the file's folder, is not a folder.
    #[error("cannot save the credentials to {}: {} is not a folder", .0.display(), .1.display())]
    NotAFolder(PathBuf, PathBuf),
    /// Writing the file failed.
    #[error("cannot save the credentials to {}: {}", .0.display(), .1)]
    Io(PathBuf, std::io::Error),
}

impl SaveError {
    /// What to do next (the headless wording; the wizard's prompt offers the same choices).
    pub fn hint(&self) -> String {
        match self {
            Self::Exists(_) => {
                "It was left as it is. Choose another path, or pass --force to replace it.".into()
            }
            Self::Extension(_) => {
                "Choose a name ending in .env, .json or .toml (e.g. topleft.env).".into()
            }
            Self::NoFolder(_, dir) => format!(
                "halo-onboard does not create folders: create it first (mkdir -p {}) or choose another path.",
                dir.display()
            ),
            Self::NotAFolder(..) => "Choose a path inside a folder.".into(),
            Self::Io(..) => "Check the path and its permissions, or choose another path.".into(),
        }
    }
}

/// Checks that `path` can take a hand-over file without losing anything, and returns its
/// format. Run before anything is written to Halo, so a bad `--out` stops the apply early.
pub fn check_target(path: &Path, overwrite: bool) -> Result<Format, SaveError> {
    let format = Format::from_path(path)?;
    let dir = path
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    if !dir.is_dir() {
        return Err(if dir.exists() {
            SaveError::NotAFolder(path.into(), dir.into())
        } else {
            SaveError::NoFolder(path.into(), dir.into())
        });
    }
    fsutil::refuse_symlink(path).map_err(|e| SaveError::Io(path.into(), e))?;
    if !overwrite && std::fs::symlink_metadata(path).is_ok() {
        return Err(SaveError::Exists(path.into()));
    }
    Ok(format)
}

/// The command that gives setup `setup`'s integration a new secret without downtime and hands
/// it over: a second application beside the first, which stays until `rotate --finish`. The one
/// place that spells it (the expiry warning, `check`'s fix, the wizard, `status`).
pub fn rotate_command(setup: &str) -> String {
    format!("halo-onboard rotate --setup {setup}")
}

/// The command that gives setup `setup`'s application a new secret in place, for a secret
/// nobody holds (wiped before its hand-over): no vendor is cut off, so no second application.
pub fn new_secret_command(setup: &str) -> String {
    format!("halo-onboard apply --setup {setup} --new-secret --yes")
}

/// The client id and secret of a hand-over file this tool wrote (any of the three formats).
pub fn read_credentials(path: &Path) -> Option<(String, SecretString)> {
    let format = Format::from_path(path).ok()?;
    // A hand-over file is a few hundred bytes; anything past the text cap is not one.
    // Found by listing (status, handover clean, a setup's recorded file): a regular file
    // only, never through a link, so a FIFO or a link there cannot hang or misdirect the read.
    let text = crate::limits::read_regular_text_capped(path, crate::limits::MAX_TEXT_FILE).ok()?;
    let (id, secret) = match format {
        Format::Env => {
            let value = |key: &str| {
                text.lines().find_map(|l| {
                    let v = l.trim().strip_prefix(key)?.strip_prefix('=')?;
                    Some(unquote_env(v))
                })
            };
            (value("HALO_APP_CLIENT_ID"), value("HALO_APP_CLIENT_SECRET"))
        }
        Format::Json => {
            let v: serde_json::Value = serde_json::from_str(&text).ok()?;
            let get = |k: &str| v.get(k).and_then(|x| x.as_str()).map(String::from);
            (get("client_id"), get("client_secret"))
        }
        Format::Toml => {
            let t: toml::Table = toml::from_str(&text).ok()?;
            let get = |k: &str| t.get(k).and_then(|x| x.as_str()).map(String::from);
            (get("client_id"), get("client_secret"))
        }
    };
    let secret = secret
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())?;
    Some((id.unwrap_or_default(), SecretString::from(secret)))
}

/// `'it'\''s'` → `it's` (the quoting [`Handover::render`] uses); bare values are taken as is.
fn unquote_env(v: &str) -> String {
    let v = v.trim();
    match v.strip_prefix('\'').and_then(|x| x.strip_suffix('\'')) {
        Some(inner) => inner.replace("'\\''", "'"),
        None => v.to_string(),
    }
}

/// Everything a vendor may ask for. Debug never shows the secret.
#[derive(Clone)]
pub struct Handover {
    /// The application's Client ID.
    pub client_id: String,
    /// The application's client secret; written only to the hand-over file or clipboard.
    pub client_secret: SecretString,
    /// Halo's resource server, `https://host/api`, without a trailing slash.
    pub resource_url: String,
    /// The resource URL without its `/api` suffix.
    pub base_url: String,
    /// The host of `base_url`, without scheme or path.
    pub hostname: String,
    /// Halo's authorisation server URL (from `authinfo`), without a trailing slash.
    pub auth_url: String,
    /// `auth_url` without its scheme (host and path).
    pub auth_hostname: String,
    /// The tenant (hosted, shared-auth instances); empty when Halo names none.
    pub tenant: String,
    /// Halo's id of the API-only Agent the application logs in as.
    pub agent_id: i64,
    /// When halo-onboard issued the secret (RFC 3339, from its journal).
    pub secret_issued: String,
    /// What Halo reports about the secret's expiry (`expiry::Reported`), if anything: a field
    /// outside the published API schema, handed over under a name that says so.
    pub reported_expiry: Option<crate::halo::expiry::Reported>,
}

impl std::fmt::Debug for Handover {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Handover")
            .field("client_id", &self.client_id)
            .field("client_secret", &"[redacted]")
            .field("resource_url", &self.resource_url)
            .finish_non_exhaustive()
    }
}

fn host_and_path(url: &str) -> String {
    let no_scheme = url.split_once("://").map_or(url, |(_, r)| r);
    no_scheme.trim_end_matches('/').to_string()
}

impl Handover {
    /// The hand-over for `client_id` and `secret` on instance `ep`; not yet stamped with an issue
    /// time ([`Handover::with_issued`]).
    pub fn new(ep: &Endpoint, client_id: &str, secret: &SecretString, agent_id: i64) -> Self {
        let base = ep.base_url().trim_end_matches('/').to_string();
        let hostname = host_and_path(&base);
        let hostname = hostname.split('/').next().unwrap_or_default().to_string();
        Self {
            client_id: client_id.into(),
            client_secret: secret.clone(),
            resource_url: ep.resource_url.trim_end_matches('/').into(),
            base_url: base,
            hostname,
            auth_url: ep.auth_url.trim_end_matches('/').into(),
            auth_hostname: host_and_path(&ep.auth_url),
            tenant: ep.tenant.clone().unwrap_or_default(),
            agent_id,
            secret_issued: String::new(),
            reported_expiry: None,
        }
    }

    /// The same hand-over, with when the secret was issued (Unix time, from the journal).
    pub fn with_issued(mut self, unix: u64) -> Self {
        self.secret_issued = crate::halo::expiry::format_unix(unix);
        self
    }

    /// The same hand-over, with what Halo reported about the secret's expiry
    /// (`expiry::Reported::short`).
    pub fn with_reported_expiry(mut self, reported: Option<&str>) -> Self {
        self.reported_expiry = reported.and_then(crate::halo::expiry::Reported::parse_short);
        self
    }

    /// Field name, value pairs in a stable order; the secret is included (this is the hand-over).
    pub fn fields(&self) -> Vec<(&'static str, String)> {
        let mut f = vec![
            // HALO_APP_* so that sourcing the file does not replace the bootstrap credentials
            // (HALO_CLIENT_ID/SECRET) and `halo-onboard check` finds the secret it expects.
            ("HALO_APP_CLIENT_ID", self.client_id.clone()),
            (
                "HALO_APP_CLIENT_SECRET",
                self.client_secret.expose_secret().to_string(),
            ),
            ("HALO_RESOURCE_URL", self.resource_url.clone()),
            ("HALO_BASE_URL", self.base_url.clone()),
            ("HALO_HOSTNAME", self.hostname.clone()),
            ("HALO_AUTH_URL", self.auth_url.clone()),
            ("HALO_AUTH_HOSTNAME", self.auth_hostname.clone()),
            ("HALO_TENANT", self.tenant.clone()),
            ("HALO_AGENT_ID", self.agent_id.to_string()),
        ];
        if !self.secret_issued.is_empty() {
            f.push(("HALO_APP_SECRET_ISSUED", self.secret_issued.clone()));
        }
        // Not "expires": nobody has shown that this field is the client secret's expiry.
        if let Some(r) = &self.reported_expiry {
            f.push(("HALO_APP_SECRET_EXPIRY_HALO_REPORTS", r.value.clone()));
            f.push((
                "HALO_APP_SECRET_EXPIRY_HALO_REPORTS_FIELD",
                format!(
                    "{} ({})",
                    r.field,
                    crate::halo::dialect::fields::REPORTED_EXPIRY_SOURCE
                ),
            ));
        }
        f
    }

    /// The hand-over as the text of a file in `format`; every value from Halo is stripped of
    /// control characters.
    pub fn render(&self, format: Format) -> String {
        // The tenant and URLs come from Halo (authinfo): one clean line each, whatever it sent.
        let fields: Vec<_> = self
            .fields()
            .into_iter()
            .map(|(k, v)| (k, crate::text::line_full(&v).into_owned()))
            .collect();
        match format {
            Format::Env => fields
                .iter()
                .map(|(k, v)| format!("{k}='{}'\n", v.replace('\'', "'\\''")))
                .collect(),
            Format::Json => {
                let map: serde_json::Map<String, serde_json::Value> = fields
                    .iter()
                    .map(|(k, v)| (json_key(k), serde_json::Value::String(v.clone())))
                    .collect();
                serde_json::to_string_pretty(&map).unwrap_or_default() + "\n"
            }
            Format::Toml => {
                let mut t = toml::Table::new();
                for (k, v) in &fields {
                    t.insert(json_key(k), toml::Value::String(v.clone()));
                }
                toml::to_string(&t).unwrap_or_default()
            }
        }
    }

    /// Writes the hand-over file with mode 0600 (atomic), in the format its name asks for.
    /// An existing file is replaced only with `overwrite`; see [`check_target`] for the rest.
    pub fn save(&self, path: &Path, overwrite: bool) -> Result<(), SaveError> {
        let format = check_target(path, overwrite)?;
        let bytes = self.render(format);
        let written = if overwrite {
            fsutil::write_atomic(path, bytes.as_bytes())
        } else {
            fsutil::write_new(path, bytes.as_bytes())
        };
        written.map_err(|e| match e.kind() {
            std::io::ErrorKind::AlreadyExists => SaveError::Exists(path.into()),
            _ => SaveError::Io(path.into(), e),
        })
    }
}

fn json_key(k: &str) -> String {
    let k = k
        .strip_prefix("HALO_APP_")
        .or_else(|| k.strip_prefix("HALO_"))
        .unwrap_or(k);
    k.to_ascii_lowercase()
}

/// The OSC 52 escape sequence that asks the terminal (also over SSH, and through tmux with
/// `set-clipboard on`) to put `text` on the clipboard.
pub fn osc52(text: &str) -> String {
    let b64 = base64::engine::general_purpose::STANDARD.encode(text.as_bytes());
    format!("\x1b]52;c;{b64}\x07")
}

/// Where an application's secret was found for verifying an existing integration.
#[derive(Clone)]
pub struct KnownSecret {
    /// The secret itself.
    pub secret: SecretString,
    /// The setup whose journal or hand-over holds it.
    pub setup: String,
    /// The hand-over file it was read from (`None`: the setup's pending secret).
    pub file: Option<PathBuf>,
}

impl std::fmt::Debug for KnownSecret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("KnownSecret")
            .field("setup", &self.setup)
            .field("file", &self.file)
            .finish_non_exhaustive()
    }
}

impl KnownSecret {
    /// "the hand-over file F of setup X", for messages.
    pub fn describe(&self) -> String {
        match &self.file {
            Some(f) => format!("the hand-over file {} of setup {}", f.display(), self.setup),
            None => format!("the secret kept for setup {}", self.setup),
        }
    }
}

/// The secret of application `application_id` (client id `client_id`) as an earlier setup
/// left it: its pending secret, or the hand-over file it wrote (still there, same client
/// id). Newest setup first. Used to verify an existing integration with its real credentials.
pub fn known_app_secret(
    journal: &Journal,
    application_id: &str,
    client_id: &str,
) -> Option<KnownSecret> {
    let same = |a: &str, b: &str| !a.is_empty() && a.eq_ignore_ascii_case(b);
    let (list, _) = journal.list();
    for s in list {
        let o = &s.objects;
        let app = o.application_id.as_deref().unwrap_or_default();
        let cid = o.client_id.as_deref().unwrap_or_default();
        if !same(app, application_id) && !same(cid, client_id) {
            continue;
        }
        if s.secret_pending
            && let Some(secret) = journal.load_secret(&s.id)
        {
            return Some(KnownSecret {
                secret,
                setup: s.id.clone(),
                file: None,
            });
        }
        let files = s
            .credentials_file
            .clone()
            .into_iter()
            .chain([journal.default_handover(&s.id)]);
        for f in files {
            let Some((file_cid, secret)) = read_credentials(&f) else {
                continue;
            };
            if !file_cid.is_empty() && !client_id.is_empty() && !same(&file_cid, client_id) {
                continue;
            }
            return Some(KnownSecret {
                secret,
                setup: s.id.clone(),
                file: Some(f),
            });
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ho() -> Handover {
        let ep = Endpoint {
            resource_url: "https://acme.halopsa.com/api".into(),
            auth_url: "https://acme.halopsa.com/auth".into(),
            tenant: Some("acme".into()),
        };
        Handover::new(&ep, "cid", &SecretString::from("sec'ret".to_string()), 42)
    }

    #[test]
    fn url_forms() {
        let h = ho();
        assert_eq!(h.base_url, "https://acme.halopsa.com");
        assert_eq!(h.hostname, "acme.halopsa.com");
        assert_eq!(h.auth_hostname, "acme.halopsa.com/auth");
        assert_eq!(h.resource_url, "https://acme.halopsa.com/api");
        assert!(!format!("{h:?}").contains("sec'ret"));
    }

    #[test]
    fn formats_parse_back() {
        let h = ho();
        let j: serde_json::Value = serde_json::from_str(&h.render(Format::Json)).unwrap();
        assert_eq!(j["client_secret"], "sec'ret");
        assert_eq!(j["tenant"], "acme");
        let t: toml::Table = toml::from_str(&h.render(Format::Toml)).unwrap();
        assert_eq!(t["hostname"].as_str(), Some("acme.halopsa.com"));
        assert!(
            h.render(Format::Env)
                .contains("HALO_APP_CLIENT_SECRET='sec'\\''ret'")
        );
    }

    #[cfg(unix)]
    #[test]
    fn file_is_private() {
        use std::os::unix::fs::PermissionsExt;
        let d = tempfile::tempdir().unwrap();
        let p = d.path().join("creds.env");
        ho().save(&p, false).unwrap();
        assert_eq!(
            std::fs::metadata(&p).unwrap().permissions().mode() & 0o777,
            0o600
        );
    }

    #[test]
    fn values_from_halo_are_one_clean_line_in_every_format() {
        let ep = Endpoint {
            resource_url: "https://acme.halopsa.com/api".into(),
            auth_url: "https://acme.halopsa.com/auth".into(),
            tenant: Some("acme\x1b]52;c;aGk=\x07\n\u{202e}X=1\x1b[2J".into()),
        };
        let h = Handover::new(&ep, "cid", &SecretString::from("s".to_string()), 1);
        for f in [Format::Env, Format::Json, Format::Toml] {
            let text = h.render(f);
            assert!(
                text.bytes().all(|b| b >= 0x20 || b == b'\n'),
                "{f:?}: {text:?}"
            );
            assert!(!text.contains('\u{202e}'), "{f:?}");
            // One line per field: the tenant's newline did not forge an `X=1` line.
            assert!(!text.lines().any(|l| l.starts_with("X=")), "{f:?}: {text}");
        }
    }

    #[test]
    fn saving_never_clobbers_creates_folders_or_guesses_a_format() {
        let d = tempfile::tempdir().unwrap();
        let p = d.path().join("existing.env");
        std::fs::write(&p, b"KEEP=1\n").unwrap();
        let e = ho().save(&p, false).unwrap_err();
        assert!(matches!(e, SaveError::Exists(_)), "{e}");
        assert!(e.hint().contains("--force"));
        assert_eq!(std::fs::read(&p).unwrap(), b"KEEP=1\n");
        ho().save(&p, true).unwrap();
        assert!(
            std::fs::read_to_string(&p)
                .unwrap()
                .contains("HALO_APP_CLIENT_ID")
        );

        let missing = d.path().join("nope/creds.env");
        let e = ho().save(&missing, false).unwrap_err();
        assert!(e.to_string().contains("does not exist"), "{e}");
        assert!(e.hint().contains("mkdir -p"), "{}", e.hint());
        assert!(!d.path().join("nope").exists());

        for bad in ["creds.yaml", "creds", "creds.env.bak"] {
            let e = ho().save(&d.path().join(bad), false).unwrap_err();
            assert!(matches!(e, SaveError::Extension(_)), "{bad}: {e}");
            assert!(e.to_string().contains(".env, .json or .toml"));
            assert!(!d.path().join(bad).exists());
        }
        assert_eq!(Format::from_path(Path::new(".env")).unwrap(), Format::Env);
        assert_eq!(
            Format::from_path(Path::new("a/B.JSON")).unwrap(),
            Format::Json
        );
    }

    #[test]
    fn credentials_read_back_from_every_format() {
        let d = tempfile::tempdir().unwrap();
        for name in ["c.env", "c.json", "c.toml"] {
            let p = d.path().join(name);
            ho().save(&p, false).unwrap();
            let (id, secret) = read_credentials(&p).unwrap();
            assert_eq!(id, "cid", "{name}");
            assert_eq!(secret.expose_secret(), "sec'ret", "{name}");
        }
        assert!(read_credentials(&d.path().join("missing.env")).is_none());
    }

    #[test]
    fn osc52_is_base64() {
        assert_eq!(osc52("hi"), "\x1b]52;c;aGk=\x07");
    }
}
