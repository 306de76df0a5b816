//! Hand-over of the new credentials in the forms vendors ask for: full resource URL, base URL
//! without `/api`, hostname only, authorisation server, tenant. Written to a 0600 file (env, JSON
//! or TOML), or copied to the clipboard with OSC 52 (works over SSH).

use std::path::Path;

use base64::Engine as _;
use secrecy::{ExposeSecret, SecretString};

use crate::halo::Endpoint;
use crate::journal::fsutil;

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Env,
    Json,
    Toml,
}

impl Format {
    pub fn from_path(p: &Path) -> Self {
        match p.extension().and_then(|e| e.to_str()) {
            Some("json") => Self::Json,
            Some("toml") => Self::Toml,
            _ => Self::Env,
        }
    }
}

/// Everything a vendor may ask for. Debug never shows the secret.
#[derive(Clone)]
pub struct Handover {
    pub client_id: String,
    pub client_secret: SecretString,
    pub resource_url: String,
    pub base_url: String,
    pub hostname: String,
    pub auth_url: String,
    pub auth_hostname: String,
    pub tenant: String,
    pub agent_id: i64,
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
    let no_scheme = url.split_once("://").map(|(_, r)| r).unwrap_or(url);
    no_scheme.trim_end_matches('/').to_string()
}

impl Handover {
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
        }
    }

    /// Field name, value pairs in a stable order; the secret is included (this is the hand-over).
    pub fn fields(&self) -> Vec<(&'static str, String)> {
        vec![
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
        ]
    }

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

    /// Writes the hand-over file with mode 0600 (atomic).
    pub fn save(&self, path: &Path, format: Format) -> std::io::Result<()> {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir)?;
        }
        fsutil::write_atomic(path, self.render(format).as_bytes())
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
        ho().save(&p, Format::from_path(&p)).unwrap();
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
    fn osc52_is_base64() {
        assert_eq!(osc52("hi"), "\x1b]52;c;aGk=\x07");
    }
}
