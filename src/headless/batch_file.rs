//! A batch file read and checked: one `[[instance]]` per Halo, every problem named with its
//! file and line, secrets only from places meant for them.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use super::common::*;
pub use crate::config::{SecretSource, looks_like_halo_secret};

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct BatchFile {
    /// Environment variables allowed as `client_secret_env` although not named like Halo's.
    #[serde(default)]
    allow_secret_env: Vec<String>,
    /// Files allowed as `client_secret_file` although outside the batch file's folder.
    #[serde(default)]
    allow_secret_files: Vec<PathBuf>,
    #[serde(default)]
    instance: Vec<toml::Spanned<InstanceSpec>>,
}

/// Longest instance name (it prefixes every progress line and names a table row).
const MAX_INSTANCE_NAME: usize = 64;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct InstanceSpec {
    name: String,
    /// A saved instance (`[instance.NAME]` in the config file) for what the entry leaves out.
    instance: Option<String>,
    url: Option<String>,
    resource_url: Option<String>,
    auth_url: Option<String>,
    tenant: Option<String>,
    #[serde(default)]
    client_id: String,
    client_secret_env: Option<String>,
    client_secret_file: Option<PathBuf>,
    profile: String,
    answers: Option<PathBuf>,
    out: Option<PathBuf>,
    /// A certificate authority (PEM) to trust for this Halo besides the system's.
    ca_file: Option<PathBuf>,
}

/// One validated `[[instance]]` entry.
#[derive(Debug, Clone)]
pub struct Instance {
    /// The entry's `name`: unique in the file, printable, at most 64 characters; it prefixes
    /// the entry's progress lines.
    pub name: String,
    /// The Halo's address and certificate authority: the entry's keys, then its saved
    /// `instance` for what it leaves out.
    pub connect: ConnectArgs,
    /// The bootstrap application's Client ID (never empty).
    pub client_id: String,
    /// Where the bootstrap secret is read from: an allowed environment variable or file.
    pub secret: SecretSource,
    /// The secret file is the batch file's (not a saved instance's): read only as a regular
    /// file, never through a link.
    pub secret_confined: bool,
    /// The profile to apply: an id, or a profile file's path (a relative one resolved against
    /// the batch file's folder). Never empty.
    pub profile: String,
    /// An answers file over the profile, relative paths resolved against the batch file's
    /// folder.
    pub answers: Option<PathBuf>,
    /// Where this instance's hand-over file goes (resolved likewise); `None`: the state
    /// folder.
    pub out: Option<PathBuf>,
    /// Line of the entry in the batch file.
    pub line: usize,
}

impl Instance {
    /// Identifies the Halo instance, so two entries for the same Halo never apply at once.
    pub(super) fn halo_key(&self) -> String {
        self.connect
            .url
            .as_deref()
            .or(self.connect.resource_url.as_deref())
            .unwrap_or_default()
            .trim()
            .trim_end_matches('/')
            .to_ascii_lowercase()
    }
}

fn line_of(text: &str, offset: usize) -> usize {
    text.as_bytes()[..offset.min(text.len())]
        .iter()
        .filter(|b| **b == b'\n')
        .count()
        + 1
}

fn non_empty(s: Option<String>) -> Option<String> {
    s.map(|v| v.trim().to_string()).filter(|v| !v.is_empty())
}

/// Reads and validates a batch file; every error names the file and the line. An entry may
/// name a saved instance of the config file for its address, client id and secret source.
pub fn load(path: &Path) -> Result<Vec<Instance>, Failure> {
    let cfg_path = crate::config::default_path();
    let (cfg, _) = crate::config::load(cfg_path.as_deref());
    load_with(path, &cfg, cfg_path.as_deref())
}

/// [`load`] with the config given.
pub fn load_with(
    path: &Path,
    cfg: &crate::config::Config,
    cfg_path: Option<&Path>,
) -> Result<Vec<Instance>, Failure> {
    let shown = path.display().to_string();
    let (text, file) = read(path, &shown)?;
    let BatchFile {
        allow_secret_env,
        allow_secret_files,
        instance,
    } = file;
    let allowed = Allowed {
        env: &allow_secret_env,
        files: &allow_secret_files,
    };
    let base = path.parent().unwrap_or(Path::new("."));
    let mut seen: HashMap<String, usize> = HashMap::new();
    let mut out = Vec::new();
    for spanned in instance {
        let at = Entry {
            shown: &shown,
            line: line_of(&text, spanned.span().start),
            base,
        };
        out.push(at.instance(spanned.into_inner(), cfg, cfg_path, &allowed, &mut seen)?);
    }
    Ok(out)
}

/// The batch file's text and its entries; a file with none is refused.
fn read(path: &Path, shown: &str) -> Result<(String, BatchFile), Failure> {
    let text =
        crate::limits::read_text_capped(path, crate::limits::MAX_TEXT_FILE).map_err(|e| {
            Failure::new(
                format!("cannot read batch file {shown}: {e}"),
                "Check the path (a batch file is a small TOML file).",
            )
        })?;
    let file: BatchFile = toml::from_str(&text).map_err(|e| {
        let at = e
            .span()
            .map(|s| format!(" line {}", line_of(&text, s.start)))
            .unwrap_or_default();
        Failure::new(
            format!("batch file {shown}{at}: {}", e.message().trim()),
            "Each [[instance]] needs name, url (or resource_url and auth_url), client_id, client_secret_env or client_secret_file, and profile; instance = \"NAME\" takes the first three from a saved instance.",
        )
    })?;
    if file.instance.is_empty() {
        return Err(Failure::new(
            format!("batch file {shown} line 1: no [[instance]] entries"),
            "Add one [[instance]] table per Halo instance.",
        ));
    }
    Ok((text, file))
}

/// What the top of the batch file allows besides secrets named like Halo's and kept beside it.
struct Allowed<'a> {
    env: &'a [String],
    files: &'a [PathBuf],
}

/// One `[[instance]]` entry's place: the file (as shown), its line, the file's folder.
struct Entry<'a> {
    shown: &'a str,
    line: usize,
    base: &'a Path,
}

impl Entry<'_> {
    /// A problem with this entry, named with the file and line.
    fn bad(&self, m: String) -> Failure {
        Failure::new(
            format!("batch file {} line {}: {m}", self.shown, self.line),
            "Fix that [[instance]] entry.",
        )
    }

    /// A path the entry gives, relative to the batch file.
    fn rel(&self, p: PathBuf) -> PathBuf {
        if p.is_relative() {
            self.base.join(p)
        } else {
            p
        }
    }

    /// The entry checked in the order a reader fixes it: name, saved instance, address,
    /// client id, secret, profile.
    fn instance(
        &self,
        spec: InstanceSpec,
        cfg: &crate::config::Config,
        cfg_path: Option<&Path>,
        allowed: &Allowed<'_>,
        seen: &mut HashMap<String, usize>,
    ) -> Result<Instance, Failure> {
        let name = self.name(&spec.name, seen)?;
        let saved = match non_empty(spec.instance) {
            Some(n) => Some(
                cfg.instance(&n, cfg_path)
                    .map_err(|e| self.bad(format!("'{name}': {e}")))?,
            ),
            None => None,
        };
        let mut connect = ConnectArgs {
            url: non_empty(spec.url),
            resource_url: non_empty(spec.resource_url),
            auth_url: non_empty(spec.auth_url),
            tenant: non_empty(spec.tenant),
            client_id: non_empty(Some(spec.client_id)),
            ..ConnectArgs::default()
        };
        connect.ca_file = spec.ca_file.map(|f| self.rel(f));
        if let Some(inst) = saved {
            connect.apply_instance(inst);
        }
        self.address(&name, &connect)?;
        let Some(client_id) = connect.client_id.clone() else {
            return Err(self.bad(format!("'{name}': client_id is empty")));
        };
        let saved_source = connect.secret_source.take();
        let confined = spec.client_secret_file.is_some();
        let given = (non_empty(spec.client_secret_env), spec.client_secret_file);
        let secret = self.secret(&name, given, saved_source, allowed)?;
        let profile = self.profile(&name, &spec.profile)?;
        Ok(Instance {
            name,
            connect,
            client_id,
            secret,
            secret_confined: confined,
            profile,
            answers: spec.answers.map(|f| self.rel(f)),
            out: spec.out.map(|f| self.rel(f)),
            line: self.line,
        })
    }

    /// The entry's name: not empty, printable, not too long, not used by an earlier entry.
    fn name(&self, given: &str, seen: &mut HashMap<String, usize>) -> Result<String, Failure> {
        let name = given.trim().to_string();
        if name.is_empty() {
            return Err(self.bad("name is empty".into()));
        }
        if let Some((i, c)) = crate::text::first_unsafe(&name) {
            return Err(self.bad(format!(
                "name has a control character ({}) at position {}",
                crate::text::code_point(c),
                i + 1
            )));
        }
        if name.chars().count() > MAX_INSTANCE_NAME {
            return Err(self.bad(format!(
                "name is longer than {MAX_INSTANCE_NAME} characters"
            )));
        }
        if let Some(first) = seen.insert(name.clone(), self.line) {
            return Err(self.bad(format!(
                "instance name '{name}' is used twice (first at line {first})"
            )));
        }
        Ok(name)
    }

    /// One Halo address: `url`, or `resource_url` with `auth_url` (after the saved instance).
    fn address(&self, name: &str, connect: &ConnectArgs) -> Result<(), Failure> {
        match (&connect.url, &connect.resource_url, &connect.auth_url) {
            (Some(_), None, _) | (None, Some(_), Some(_)) => Ok(()),
            (Some(_), Some(_), _) => Err(self.bad(format!(
                "'{name}': give url or resource_url/auth_url, not both"
            ))),
            (None, Some(_), None) => {
                Err(self.bad(format!("'{name}': resource_url needs auth_url")))
            }
            (None, _, _) => Err(self.bad(format!(
                "'{name}': no Halo address (url, or resource_url and auth_url)"
            ))),
        }
    }

    /// Where the entry's secret comes from: its own variable (named like Halo's, or allowed)
    /// or file (beside the batch file, or allowed), else the saved instance's source.
    fn secret(
        &self,
        name: &str,
        given: (Option<String>, Option<PathBuf>),
        saved: Option<SecretSource>,
        allowed: &Allowed<'_>,
    ) -> Result<SecretSource, Failure> {
        match (given, saved) {
            // The saved instance's own source (checked when the config was read).
            ((None, None), Some(src)) => Ok(src),
            ((Some(env), None), _)
                if !looks_like_halo_secret(&env) && !allowed.env.contains(&env) =>
            {
                Err(self.env_refused(name, &env))
            }
            ((Some(env), None), _) => Ok(SecretSource::Env(env)),
            ((None, Some(f)), _) => confined_secret_file(self.base, &f, allowed.files)
                .map(SecretSource::File)
                .map_err(|why| self.file_refused(name, &f, &why)),
            ((Some(_), Some(_)), _) => Err(self.bad(format!(
                "'{name}': give client_secret_env or client_secret_file, not both"
            ))),
            ((None, None), None) => Err(self.bad(format!(
                "'{name}': no secret source: set client_secret_env (the name of an environment variable) or client_secret_file"
            ))),
        }
    }

    /// A `client_secret_env` not named like a Halo secret and not allowed.
    fn env_refused(&self, name: &str, env: &str) -> Failure {
        Failure::new(
            format!(
                "batch file {} line {}: '{name}': client_secret_env {} does not look like a Halo secret, so it is not read",
                self.shown,
                self.line,
                crate::text::line(env)
            ),
            format!(
                "Only variables named HALO_* or *_HALO_* are sent to Halo as a client secret (a batch file must not send, say, AWS_SECRET_ACCESS_KEY). Rename the variable (e.g. {}_HALO_SECRET), or list it at the top of the batch file: allow_secret_env = [\"{}\"]",
                name.to_ascii_uppercase()
                    .chars()
                    .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
                    .collect::<String>(),
                crate::text::line(env)
            ),
        )
    }

    /// A `client_secret_file` outside the batch file's folder and not allowed.
    fn file_refused(&self, name: &str, f: &Path, why: &NotConfined) -> Failure {
        Failure::new(
            format!(
                "batch file {} line {}: '{name}': client_secret_file {}: {why}, so it is not read",
                self.shown,
                self.line,
                crate::text::line(&f.display().to_string())
            ),
            "A batch file names secret files only inside its own folder (a plain file, no '..', no link), so it cannot send, say, ~/.vault-token to a server. Move the secret file next to the batch file, or list it at the top of the batch file: allow_secret_files = [\"/path/to/file\"]",
        )
    }

    /// The profile: an id, or a file relative to the batch file, like the other paths.
    fn profile(&self, name: &str, given: &str) -> Result<String, Failure> {
        let profile = given.trim().to_string();
        if profile.is_empty() {
            return Err(self.bad(format!("'{name}': profile is empty")));
        }
        if super::profiles::is_path(&profile) && Path::new(&profile).is_relative() {
            return Ok(self.base.join(&profile).display().to_string());
        }
        Ok(profile)
    }
}

/// Where a batch's `client_secret_file` may be read: a file the batch lists in
/// `allow_secret_files` (as written, or relative to the batch file's folder `base`), else a
/// relative path without `..` that stays inside `base` once every link on the way is resolved,
/// and is not itself a link. The error says why not.
/// Why a batch file's `client_secret_file` is not read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
enum NotConfined {
    #[error("an absolute path, not listed in allow_secret_files")]
    Absolute,
    #[error("it leaves the batch file's folder ('..')")]
    LeavesFolder,
    #[error("it is a symbolic link")]
    Link,
    #[error("it leads out of the batch file's folder through a symbolic link")]
    LinksOut,
}

fn confined_secret_file(
    base: &Path,
    f: &Path,
    allowed: &[PathBuf],
) -> Result<PathBuf, NotConfined> {
    let joined = if f.is_relative() {
        base.join(f)
    } else {
        f.to_path_buf()
    };
    let canon = |p: &Path| p.canonicalize().ok();
    let listed = allowed.iter().any(|a| {
        let a = if a.is_relative() {
            base.join(a)
        } else {
            a.clone()
        };
        a == joined || (canon(&a).is_some() && canon(&a) == canon(&joined))
    });
    if listed {
        return Ok(joined);
    }
    if f.is_absolute() {
        return Err(NotConfined::Absolute);
    }
    if f.components().any(|c| {
        !matches!(
            c,
            std::path::Component::Normal(_) | std::path::Component::CurDir
        )
    }) {
        return Err(NotConfined::LeavesFolder);
    }
    if std::fs::symlink_metadata(&joined).is_ok_and(|m| m.file_type().is_symlink()) {
        return Err(NotConfined::Link);
    }
    // Folders on the way may be links too: where it really is must still be inside.
    let inside = match (
        canon(base),
        canon(&joined).or_else(|| joined.parent().and_then(canon)),
    ) {
        (Some(b), Some(p)) => p.starts_with(&b),
        // Neither there yet: reading it fails later with its own message.
        _ => true,
    };
    if !inside {
        return Err(NotConfined::LinksOut);
    }
    Ok(joined)
}
