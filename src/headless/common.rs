//! What the headless commands share: reading the bootstrap secret (never from argv), connecting,
//! building answers from a profile and an answers file, and printing.

use std::path::{Path, PathBuf};

use secrecy::SecretString;

use crate::answers::{Answers, ConnectionMode};
use crate::config::SecretSource;
use crate::halo::{ClientOptions, Endpoint, HaloError};
use crate::limits::{self, MAX_SECRET_FILE};
use crate::plan::session::{self, Connection, Place};

pub use super::failure::{
    EXIT_CANNOT_RUN, EXIT_FAILED, EXIT_MANUAL_LEFT, EXIT_OK, Failure, print_failure,
    secret_from_text, verdict_code,
};

/// Env var holding the bootstrap client secret.
pub const SECRET_ENV: &str = "HALO_CLIENT_SECRET";

/// The bootstrap secret, as a prompt names it.
pub const BOOTSTRAP_SECRET_WORDS: &str = "Client Secret of the bootstrap application";

/// Env var holding an integration's own client secret (`check`, verifying a re-apply,
/// `resume --manual application`).
pub const APP_SECRET_ENV: &str = "HALO_APP_CLIENT_SECRET";

/// The secret from `--client-secret-file` or the env var named `env`. Never accepted on the
/// command line, where `ps` would show it.
pub fn read_secret(file: Option<&Path>, env: &str) -> Result<SecretString, Failure> {
    if let Some(p) = file {
        return read_secret_file(p);
    }
    let raw = std::env::var(env).map_err(|_| {
        Failure::new(
            format!("no client secret: set {env} or pass --client-secret-file"),
            format!("e.g. read -rs {env} && export {env}  (the secret is never taken from the command line)"),
        )
    })?;
    secret_from_text(&raw, &format!("the environment variable {env}"))
}

/// A secret file, at most [`MAX_SECRET_FILE`] bytes (`/dev/zero` or a wrong path to a big file
/// is refused without being read whole).
pub fn read_secret_file(p: &Path) -> Result<SecretString, Failure> {
    let shown = crate::text::line(&p.display().to_string());
    let bytes = limits::read_capped(p, MAX_SECRET_FILE).map_err(|e| {
        Failure::new(
            format!("cannot read the secret file {shown}: {e}"),
            format!(
                "A Halo secret file holds only the secret (73 characters); check the path (at most {} is read).",
                limits::human(MAX_SECRET_FILE)
            ),
        )
    })?;
    let text = String::from_utf8(bytes).map_err(|_| {
        Failure::new(
            format!("the secret file {shown} is not text"),
            "Put only the secret in it, as Halo shows it.",
        )
    })?;
    secret_from_text(&text, &format!("the secret file {shown}"))
}

/// [`read_secret`], but on a terminal a secret that is not set is asked for (masked) instead
/// of failing; `what` names it in the question.
pub fn secret_or_ask(file: Option<&Path>, env: &str, what: &str) -> Result<SecretString, Failure> {
    let unset = file.is_none() && std::env::var(env).is_err();
    if unset && super::prompt::interactive() {
        return super::prompt::secret(what, env);
    }
    read_secret(file, env)
}

/// A secret the user may have given: the file if one is named (it must then be readable and
/// not empty), else the env var `env` when set and not empty; `None` when neither.
pub fn optional_secret(file: Option<&Path>, env: &str) -> Result<Option<SecretString>, Failure> {
    if file.is_some() {
        return read_secret(file, env).map(Some);
    }
    match std::env::var(env) {
        Ok(v) if !v.trim().is_empty() => {
            secret_from_text(&v, &format!("the environment variable {env}")).map(Some)
        }
        _ => Ok(None),
    }
}

/// Where the Halo instance is, from the connection flags, a saved instance or the environment.
#[derive(Debug, Clone, Default, clap::Args)]
pub struct ConnectArgs {
    /// A saved Halo: `[instance.NAME]` in the config file gives the address, the bootstrap
    /// client id and where its secret is. Flags given as well win over it; HALO_URL and
    /// HALO_CLIENT_ID are not used with it.
    #[arg(long, value_name = "NAME", add = clap_complete::engine::ArgValueCompleter::new(crate::headless::complete::instances))]
    pub instance: Option<String>,
    /// Halo URL of a hosted instance, e.g. https://acme.halopsa.com (auth server and tenant
    /// are discovered). Otherwise --instance, else HALO_URL.
    #[arg(long)]
    pub url: Option<String>,
    /// On-premise: resource server URL (…/api). Use with --auth-url.
    #[arg(long, conflicts_with = "url")]
    pub resource_url: Option<String>,
    /// On-premise: authorisation server URL (…/auth). With --url: confirms an authorisation
    /// server on another host than Halo (the client secret is sent there).
    #[arg(long)]
    pub auth_url: Option<String>,
    /// Tenant (shared-auth hosted instances); overrides the discovered one.
    #[arg(long)]
    pub tenant: Option<String>,
    /// Bootstrap application client id (an application with admin rights). Otherwise
    /// --instance, else HALO_CLIENT_ID.
    #[arg(long)]
    pub client_id: Option<String>,
    /// File holding the bootstrap client secret (otherwise the instance's secret_env or
    /// secret_file, else HALO_CLIENT_SECRET; on a terminal you are asked).
    #[arg(long)]
    pub client_secret_file: Option<PathBuf>,
    /// A certificate authority (PEM file) to trust for Halo besides the system's: an
    /// on-premise Halo on a private CA. Otherwise the saved instance's ca_file, else the config
    /// file's top-level ca_file. Certificates are always checked.
    #[arg(long, value_name = "FILE")]
    pub ca_file: Option<PathBuf>,
    /// Where a saved instance keeps the bootstrap secret (set by [`ConnectArgs::resolved`]).
    #[arg(skip)]
    pub secret_source: Option<SecretSource>,
}

/// Env var naming a hosted Halo's URL (headless commands and the wizard's Connect step).
pub const URL_ENV: &str = "HALO_URL";
/// Env var holding the bootstrap application's client id.
pub const CLIENT_ID_ENV: &str = "HALO_CLIENT_ID";

/// A non-empty environment variable, trimmed.
pub fn env_value(name: &str) -> Option<String> {
    std::env::var(name)
        .ok()
        .map(|v| v.trim().to_string())
        .filter(|v| !v.is_empty())
}

/// The config file and what it says; its warnings (a broken instance, a secret in it, an
/// unknown key) go to stderr.
pub fn config() -> (crate::config::Config, Option<PathBuf>) {
    let path = crate::config::default_path();
    let (c, warn) = crate::config::load(path.as_deref());
    if let Some(w) = warn {
        for line in crate::text::block(&w).lines() {
            errln!("warning: {line}");
        }
    }
    (c, path)
}

impl ConnectArgs {
    /// The connection with every source laid in, highest first: the flags, then the saved
    /// instance `--instance` names, else the environment (`HALO_URL`, `HALO_CLIENT_ID`). An
    /// explicitly named instance never mixes with an address from the environment.
    pub fn resolved(&self) -> Result<Self, Failure> {
        let mut out = self.clone();
        let Some(name) = &self.instance else {
            if out.url.is_none() && out.resource_url.is_none() {
                out.url = env_value(URL_ENV);
            }
            if out.client_id.is_none() {
                out.client_id = env_value(CLIENT_ID_ENV);
            }
            return Ok(out);
        };
        let (cfg, path) = config();
        let inst = cfg.instance(name, path.as_deref()).map_err(|e| {
            Failure::new(
                e.to_string(),
                "Change what the message names. A new instance is a table [instance.NAME] in the config file (url, client_id, secret_env), or connect once in the wizard and let it save one; `halo-onboard status` lists the saved ones.",
            )
        })?;
        out.apply_instance(inst);
        Ok(out)
    }

    /// Fills what the flags leave open from a saved instance.
    pub fn apply_instance(&mut self, inst: &crate::config::Instance) {
        if self.url.is_none() && self.resource_url.is_none() {
            self.url = inst.url.clone();
            self.resource_url = inst.resource_url.clone();
            if self.auth_url.is_none() {
                self.auth_url = inst.auth_url.clone();
            }
        }
        if self.tenant.is_none() {
            self.tenant = inst.tenant.clone();
        }
        if self.client_id.is_none() {
            self.client_id = inst.client_id.clone();
        }
        if self.client_secret_file.is_none() {
            self.secret_source = inst.secret.clone();
        }
        if self.ca_file.is_none() {
            self.ca_file = inst.ca_file.clone();
        }
    }

    /// The client options of a command on this connection: the headless defaults, trusting
    /// the certificate authority `--ca-file` (else the instance's, else the config file's)
    /// names besides the system's.
    pub fn client_options(&self) -> Result<ClientOptions, Failure> {
        let mut opts = super::output::client_options();
        let file = match &self.ca_file {
            Some(f) => Some(f.clone()),
            None => {
                crate::config::load(crate::config::default_path().as_deref())
                    .0
                    .ca_file
            }
        };
        if let Some(f) = file {
            opts.ca = Some(crate::halo::ExtraCa::from_file(&f).map_err(|e| Failure::halo(&e))?);
        }
        Ok(opts)
    }

    /// The bootstrap secret when one is at hand (never asked for): for checks that only use
    /// it when given.
    pub fn optional_secret(&self) -> Result<Option<SecretString>, Failure> {
        match (&self.client_secret_file, &self.secret_source) {
            (Some(f), _) | (None, Some(SecretSource::File(f))) => {
                read_secret(Some(f), SECRET_ENV).map(Some)
            }
            (None, Some(SecretSource::Env(v))) => optional_secret(None, v),
            (None, None) => optional_secret(None, SECRET_ENV),
        }
    }

    /// The bootstrap secret: `--client-secret-file`, else where the instance keeps it, else
    /// `HALO_CLIENT_SECRET`; on a terminal, a secret that is not there is asked for.
    pub fn secret(&self) -> Result<SecretString, Failure> {
        let what = BOOTSTRAP_SECRET_WORDS;
        match (&self.client_secret_file, &self.secret_source) {
            (Some(f), _) | (None, Some(SecretSource::File(f))) => {
                secret_or_ask(Some(f), SECRET_ENV, what)
            }
            (None, Some(SecretSource::Env(v))) => secret_or_ask(None, v, what),
            (None, None) => secret_or_ask(None, SECRET_ENV, what),
        }
    }
}

/// Where the bootstrap secret of a recorded setup (resume, rollback, check, `apply --setup`)
/// at `address` is read from: the instance `--instance` names is used as it says; otherwise a
/// saved instance at that address lends its secret source when that source is there, else
/// `HALO_CLIENT_SECRET` (or `file`).
pub fn for_setup(
    instance: Option<&str>,
    address: &str,
    file: Option<PathBuf>,
) -> Result<ConnectArgs, Failure> {
    let mut c = ConnectArgs {
        instance: instance.map(str::to_string),
        url: Some(address.to_string()),
        client_secret_file: file,
        ..ConnectArgs::default()
    };
    if instance.is_some() {
        return c.resolved();
    }
    let (cfg, _) = crate::config::load(crate::config::default_path().as_deref());
    if let Some((_, inst)) = cfg.instance_at(address) {
        // That Halo's certificate authority, when the instance names one.
        c.ca_file = inst.ca_file.clone();
    }
    if c.client_secret_file.is_none() {
        if let Some((_, inst)) = cfg.instance_at(address) {
            let there = match &inst.secret {
                Some(SecretSource::Env(v)) => env_value(v).is_some(),
                Some(SecretSource::File(f)) => f.is_file(),
                None => false,
            };
            if there {
                c.secret_source = inst.secret.clone();
            }
        }
    }
    Ok(c)
}

/// The address a setup was made against: the hosted URL typed, else the resource server.
/// Whether the setup's Halo is on this machine (loopback): the emulator of `--demo` or
/// `sandbox`, not a real Halo. `status` and `sessions` mark such setups.
pub fn on_emulator(s: &crate::journal::Session) -> bool {
    let Some(ep) = &s.endpoint else {
        return false;
    };
    url::Url::parse(&ep.resource_url)
        .ok()
        .and_then(|u| u.host().map(|h| h.to_owned()))
        .is_some_and(|h| match h {
            url::Host::Domain(d) => d.eq_ignore_ascii_case("localhost"),
            url::Host::Ipv4(a) => a.is_loopback(),
            url::Host::Ipv6(a) => a.is_loopback(),
        })
}

/// The Halo a setup is on, as the config file names instances: its hosted URL, else its
/// resource server; empty when its journal has neither.
pub(crate) fn setup_address(s: &crate::journal::Session) -> String {
    match s.answers.connection.url.trim() {
        "" => s
            .endpoint
            .as_ref()
            .map(|e| e.resource_url.clone())
            .unwrap_or_default(),
        url => url.to_string(),
    }
}

/// The bootstrap client id and its secret (never argv), from resolved connection args.
pub fn bootstrap_credentials(args: &ConnectArgs) -> Result<(String, SecretString), Failure> {
    let client_id = args.client_id.clone().ok_or_else(|| {
        Failure::new(
            "no bootstrap client id",
            "Pass --client-id, name a saved --instance, or set HALO_CLIENT_ID.",
        )
    })?;
    Ok((client_id, args.secret()?))
}

/// Nothing says where Halo is.
pub fn no_instance() -> Failure {
    Failure::new(
        "no Halo instance given",
        "Pass --url https://acme.halopsa.com (or --resource-url and --auth-url), name a saved --instance, or set HALO_URL; `halo-onboard apply --help` lists every flag.",
    )
}

/// Where the Halo instance is, from the connection flags.
pub fn place(args: &ConnectArgs) -> Result<Place, Failure> {
    match (&args.url, &args.resource_url, &args.auth_url) {
        (Some(url), _, auth) => Ok(Place::Hosted {
            url: url.clone(),
            auth_url: auth.clone(),
            tenant: args.tenant.clone(),
        }),
        (None, Some(r), Some(a)) => Ok(Place::OnPremise {
            resource_url: r.clone(),
            auth_url: a.clone(),
            tenant: args.tenant.clone(),
        }),
        (None, Some(_), None) => Err(Failure::new(
            "--resource-url needs --auth-url",
            "Both are on Halo's API Details page.",
        )),
        _ => Err(no_instance()),
    }
}

/// A failed connection in the headless words: a login server on another host is confirmed
/// with `--auth-url` (the client secret goes there).
pub fn connect_failure(e: &HaloError) -> Failure {
    match e {
        HaloError::AuthElsewhere(_, auth) => Failure::new(
            e.to_string(),
            format!(
                "If that is Halo's authorisation server (Configuration > Integrations > Halo API > API Details shows it), confirm it: add --auth-url {auth}"
            ),
        ),
        e => Failure::halo(e),
    }
}

/// Where the Halo instance is ([`session::endpoint`]).
pub async fn endpoint_from(args: &ConnectArgs, opts: &ClientOptions) -> Result<Endpoint, Failure> {
    session::endpoint(&place(args)?, opts)
        .await
        .map_err(|e| connect_failure(&e))
}

/// Connects with the bootstrap credential ([`session::connect`]) and checks it may administer
/// Halo: roles, agents and applications are admin endpoints.
pub async fn connect_bootstrap(
    place: &Place,
    client_id: &str,
    secret: SecretString,
    opts: ClientOptions,
) -> Result<Connection, Failure> {
    let c = session::connect(place, client_id, secret, opts)
        .await
        .map_err(|e| connect_failure(&e))?;
    if session::admin_scope_missing(&c.token) {
        return Err(Failure::new(
            "the bootstrap application was not granted the admin scope",
            "In Halo: Configuration > Integrations > Halo API > the bootstrap application > Permissions, tick 'admin'.",
        ));
    }
    Ok(c)
}

/// Reads a TOML answers file and lays it over `base` (fields the file leaves out keep the base
/// values). Errors name the file and line.
pub fn overlay_answers(base: &Answers, path: &Path) -> Result<Answers, Failure> {
    let text = limits::read_text_capped(path, limits::MAX_TEXT_FILE).map_err(|e| {
        Failure::new(
            format!("cannot read answers file {}: {e}", path.display()),
            "Check the path (an answers file is a small TOML file).",
        )
    })?;
    let loc = |e: &toml::de::Error| -> String {
        e.span()
            .map(|s| {
                format!(
                    " at line {}",
                    text[..s.start.min(text.len())].lines().count().max(1)
                )
            })
            .unwrap_or_default()
    };
    let file: toml::Table = toml::from_str(&text).map_err(|e| {
        Failure::new(
            format!(
                "answers file {}{}: {}",
                path.display(),
                loc(&e),
                e.message()
            ),
            "Fix the TOML syntax at that line.",
        )
    })?;
    let mut file = file;
    if let Some(toml::Value::Table(agent)) = file.get_mut("agent") {
        crate::answers::agent::respell(agent);
    }
    let mut merged =
        toml::Table::try_from(base).map_err(|e| Failure::new(format!("internal: {e}"), ""))?;
    let known = merged.clone();
    merge(&mut merged, file);
    // A key the answers do not have would be dropped without a word (a typo like `emial`
    // would leave the setting unmade): every one is named, and nothing is planned.
    let mut unknown = match merged.get("agent") {
        Some(toml::Value::Table(agent)) => crate::answers::agent::unknown_keys(agent),
        _ => Vec::new(),
    };
    let out: Result<Answers, _> =
        serde_ignored::deserialize(toml::Value::Table(merged), |p| unknown.push(p.to_string()));
    let out = out.map_err(|e: toml::de::Error| {
        Failure::new(
            format!("answers file {}: {}", path.display(), e.message()),
            "Check field names and types against the README's answers example.",
        )
    })?;
    if !unknown.is_empty() {
        let lines: Vec<String> = unknown
            .iter()
            .map(|k| match near_key(&known, k) {
                Some(n) => format!("  {k} (did you mean {n}?)"),
                None => format!("  {k}"),
            })
            .collect();
        return Err(Failure::new(
            format!(
                "answers file {}: unknown key(s), nothing was planned:\n{}",
                path.display(),
                crate::text::block(&lines.join("\n"))
            ),
            "Fix the names. An answers file has the tables [role], [agent], [application] and a `scopes` list, with the keys the wizard writes when it saves its answers (`a` on the hand-over screen).",
        ));
    }
    Ok(out)
}

/// The known key closest to `path`'s last part, in the same table (`agent.emial` → `agent.email`).
fn near_key(known: &toml::Table, path: &str) -> Option<String> {
    let (table, key) = path.rsplit_once('.').map_or(("", path), |(t, k)| (t, k));
    let mut here = known;
    for part in table.split('.').filter(|p| !p.is_empty()) {
        here = here.get(part)?.as_table()?;
    }
    let best = here
        .keys()
        .map(|k| (crate::headless::profiles::edit_distance(key, k), k))
        .min()?;
    let prefix = if table.is_empty() {
        String::new()
    } else {
        format!("{table}.")
    };
    (best.0 <= 2).then(|| format!("{prefix}{}", best.1))
}

fn merge(base: &mut toml::Table, over: toml::Table) {
    for (k, v) in over {
        match (base.get_mut(&k), v) {
            (Some(toml::Value::Table(b)), toml::Value::Table(o)) => merge(b, o),
            (_, v) => {
                base.insert(k, v);
            }
        }
    }
}

/// Records the connection in the answers (no secret).
pub fn set_connection(a: &mut Answers, args: &ConnectArgs, ep: &Endpoint) {
    a.connection.mode = if args.url.is_some() {
        ConnectionMode::Hosted
    } else {
        ConnectionMode::OnPremise
    };
    a.connection.url = args.url.clone().unwrap_or_default();
    a.connection.resource_url = ep.resource_url.clone();
    a.connection.auth_url = ep.auth_url.clone();
    a.connection.tenant = ep.tenant.clone().unwrap_or_default();
    a.connection.client_id = args.client_id.clone().unwrap_or_default();
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secret_from_file_is_trimmed_and_empty_refused() {
        let d = tempfile::tempdir().unwrap();
        let p = d.path().join("s");
        std::fs::write(&p, "  abc-def \n").unwrap();
        use secrecy::ExposeSecret;
        assert_eq!(
            read_secret(Some(&p), "NOPE_X").unwrap().expose_secret(),
            "abc-def"
        );
        std::fs::write(&p, " \n").unwrap();
        assert!(
            read_secret(Some(&p), "NOPE_X")
                .unwrap_err()
                .message
                .contains("empty")
        );
        // A trailing NUL (and surrounding whitespace) is trimmed, not sent as %00.
        std::fs::write(&p, "abc-def\0\n").unwrap();
        assert_eq!(
            read_secret(Some(&p), "NOPE_X").unwrap().expose_secret(),
            "abc-def"
        );
        std::fs::write(&p, "abc\x1bdef").unwrap();
        let e = read_secret(Some(&p), "NOPE_X").unwrap_err();
        assert!(e.message.contains("U+001B"), "{}", e.message);
        // Never read whole: a device without end, a file past the cap.
        let e = read_secret(Some(Path::new("/dev/zero")), "NOPE_X").unwrap_err();
        assert!(e.message.contains("larger than 4 KiB"), "{}", e.message);
        std::fs::write(&p, "x".repeat(5000)).unwrap();
        assert!(read_secret(Some(&p), "NOPE_X").is_err());
        let e = read_secret(None, "HALO_ONBOARD_TEST_UNSET_VAR").unwrap_err();
        assert!(e.message.contains("HALO_ONBOARD_TEST_UNSET_VAR"));
    }

    #[test]
    fn answers_overlay_keeps_base_and_reports_lines() {
        let d = tempfile::tempdir().unwrap();
        let p = d.path().join("a.toml");
        let mut base = Answers::default();
        base.agent.name = "topleft".into();
        base.scopes = vec!["all".into()];
        std::fs::write(&p, "[agent]\nemail = \"api@acme.test\"\n").unwrap();
        let a = overlay_answers(&base, &p).unwrap();
        assert_eq!(a.agent.name, "topleft");
        assert_eq!(a.agent.email, "api@acme.test");
        assert_eq!(a.scopes, vec!["all"]);
        std::fs::write(&p, "[agent]\nemail = \n").unwrap();
        let e = overlay_answers(&base, &p).unwrap_err();
        assert!(e.message.contains("line 2"), "{}", e.message);
    }

    /// A mistyped key would be dropped without a word, leaving the setting unmade: each one
    /// is named (with the key it is probably meant to be) and nothing comes back. Keys of
    /// older files (`is_admin`, `features`) still load.
    #[test]
    fn answers_with_unknown_keys_are_refused_and_named() {
        let d = tempfile::tempdir().unwrap();
        let p = d.path().join("a.toml");
        let base = Answers::default();
        std::fs::write(
            &p,
            "foo = 1\n[agent]\nemial = \"x@y.test\"\n[agnet]\nname = \"x\"\n",
        )
        .unwrap();
        let e = overlay_answers(&base, &p).unwrap_err();
        assert!(
            e.message
                .contains("agent.emial (did you mean agent.email?)")
                && e.message.contains("agnet (did you mean agent?)")
                && e.message.contains("  foo"),
            "{}",
            e.message
        );
        std::fs::write(
            &p,
            "[role]\nis_admin = true\n[agent]\nemail = \"x@y.test\"\n",
        )
        .unwrap();
        let a = overlay_answers(&base, &p).unwrap();
        assert_eq!(a.agent.email, "x@y.test");
        assert!(a.role.permissions.admin());
    }
}
