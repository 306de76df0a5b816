//! What the headless commands share: reading the bootstrap secret (never from argv), connecting,
//! building answers from a profile and an answers file, and printing.

use std::path::{Path, PathBuf};

use secrecy::SecretString;

use crate::answers::{Answers, ConnectionMode};
use crate::halo::{ClientOptions, Endpoint, HaloError};
use crate::limits::{self, MAX_SECRET_FILE};
use crate::plan::session::{self, Connection, Place};

/// Exit codes shared by the headless commands.
pub const EXIT_OK: u8 = 0;
/// Verification failed, drift found, or the plan is blocked.
pub const EXIT_FAILED: u8 = 1;
/// Could not run (bad arguments, unreachable Halo, bad credentials).
pub const EXIT_CANNOT_RUN: u8 = 2;

/// Env var holding the bootstrap client secret.
pub const SECRET_ENV: &str = "HALO_CLIENT_SECRET";

/// The bootstrap secret, as a prompt names it.
pub const BOOTSTRAP_SECRET_WORDS: &str = "Client Secret of the bootstrap application";

/// Env var holding an integration's own client secret (`check`, verifying a re-apply,
/// `resume --manual application`).
pub const APP_SECRET_ENV: &str = "HALO_APP_CLIENT_SECRET";

/// A user-facing failure: what went wrong and what to do.
#[derive(Debug)]
pub struct Failure {
    pub message: String,
    pub hint: String,
    pub code: u8,
}

impl Failure {
    pub fn new(message: impl Into<String>, hint: impl Into<String>) -> Self {
        Self {
            message: message.into(),
            hint: hint.into(),
            code: EXIT_CANNOT_RUN,
        }
    }
    pub fn halo(e: &HaloError) -> Self {
        Self::new(e.to_string(), e.hint())
    }
}

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

/// A pasted or stored secret: surrounding whitespace and NULs trimmed (editors and `printf`
/// leave a newline, some tools a NUL); empty or with control characters inside is refused.
pub fn secret_from_text(raw: &str, source: &str) -> Result<SecretString, Failure> {
    let t = raw.trim_matches(|c: char| c.is_whitespace() || c == '\0');
    if t.is_empty() {
        return Err(Failure::new(
            format!("the client secret from {source} is empty"),
            "Copy the secret again from Halo (or generate a new one there).",
        ));
    }
    if let Some((i, c)) = crate::text::first_unsafe(t) {
        return Err(Failure::new(
            format!(
                "the client secret from {source} has a control character ({}) at position {}",
                crate::text::code_point(c),
                i + 1
            ),
            "A Halo secret is letters, digits and dashes: copy it again from Halo.",
        ));
    }
    Ok(SecretString::from(t.to_string()))
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

/// Where the Halo instance is, from the connection flags.
#[derive(Debug, Clone, Default, clap::Args)]
pub struct ConnectArgs {
    /// Halo URL of a hosted instance, e.g. https://acme.halopsa.com (auth server and tenant are discovered).
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
    /// Bootstrap application client id (an application with admin rights).
    #[arg(long, env = "HALO_CLIENT_ID")]
    pub client_id: Option<String>,
    /// File holding the bootstrap client secret (otherwise HALO_CLIENT_SECRET).
    #[arg(long)]
    pub client_secret_file: Option<PathBuf>,
}

/// The bootstrap client id (`--client-id` / `HALO_CLIENT_ID`) and its secret (never argv).
pub fn bootstrap_credentials(args: &ConnectArgs) -> Result<(String, SecretString), Failure> {
    let client_id = args.client_id.clone().ok_or_else(|| {
        Failure::new(
            "no bootstrap client id",
            "Pass --client-id or set HALO_CLIENT_ID.",
        )
    })?;
    let secret = secret_or_ask(
        args.client_secret_file.as_deref(),
        SECRET_ENV,
        BOOTSTRAP_SECRET_WORDS,
    )?;
    Ok((client_id, secret))
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
        _ => Err(Failure::new(
            "no Halo instance given",
            "Pass --url https://acme.halopsa.com (or --resource-url and --auth-url).",
        )),
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
    let mut merged =
        toml::Table::try_from(base).map_err(|e| Failure::new(format!("internal: {e}"), ""))?;
    merge(&mut merged, file);
    let out: Answers = toml::Value::Table(merged)
        .try_into()
        .map_err(|e: toml::de::Error| {
            Failure::new(
                format!("answers file {}: {}", path.display(), e.message()),
                "Check field names and types against the README's answers example.",
            )
        })?;
    Ok(out)
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

/// Prints a failure. Its text may carry a server's or a file's words: it goes through the
/// sanitiser (a checklist keeps its line breaks, nothing else).
pub fn print_failure(f: &Failure, json: bool) {
    let (message, hint) = (crate::text::block(&f.message), crate::text::block(&f.hint));
    if json {
        let v = serde_json::json!({"ok": false, "error": message, "hint": hint});
        println!("{v}");
    } else {
        eprintln!("error: {message}");
        if !hint.is_empty() {
            eprintln!("  what to do: {hint}");
        }
    }
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
}
