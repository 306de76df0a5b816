//! `halo-onboard check`: audits an existing integration against its profile, for cron and RMM
//! scripts. With the application's own credentials: token, `Agent/me`, one probe per scope area.
//! With the (optional) bootstrap credentials as well: the Application, Agent and Role objects,
//! to find drift a token cannot show (extra scopes, inactive application, agent no longer
//! API-only, role changed). Exit 0 all good, 1 drift or failure, 2 could not run.

use std::path::PathBuf;

use secrecy::SecretString;
use serde::Serialize;

use super::apply::load_answers;
use super::common::*;
use crate::answers::agent;
use crate::answers::{Answers, RoleMode};
use crate::halo::model::*;
use crate::halo::{Client, ClientOptions, Credentials, Endpoint, HaloError, scopes};
use crate::plan::session::{self, For, Place};
use crate::plan::verify::{self, Layer, Target, Verdict};

use crate::halo::dialect::ui::{AGENTS, HALO_API, ROLES};

#[derive(Debug, Clone, clap::Args)]
pub struct CheckArgs {
    /// The setup to audit: its id, a unique prefix of one, or `last`. The Halo address,
    /// answers and client ids come from its journal, the secret from its hand-over file (or
    /// HALO_APP_CLIENT_SECRET / --app-secret-file); bootstrap checks run when
    /// HALO_CLIENT_SECRET is set.
    #[arg(
        value_name = "SETUP",
        conflicts_with_all = ["url", "resource_url", "auth_url", "profile", "answers", "app_client_id", "all"]
    , add = clap_complete::engine::ArgValueCompleter::new(crate::headless::complete::setups))]
    pub setup: Option<String>,
    /// Check every setup managed here, on every Halo (one line each, or --json); the exit
    /// code is the worst result. Setups whose Halo is no saved instance use
    /// HALO_CLIENT_SECRET for the object checks, if it is set.
    #[arg(
        long,
        conflicts_with_all = ["url", "resource_url", "auth_url", "profile", "answers", "app_client_id", "app_secret_file"]
    )]
    pub all: bool,
    #[command(flatten)]
    pub connect: ConnectArgs,
    /// Profile the integration was set up with: an id (see `halo-onboard profiles`) or a
    /// profile TOML file.
    #[arg(long, required_unless_present_any = ["setup", "all"], add = clap_complete::engine::ArgValueCompleter::new(crate::headless::complete::profiles))]
    pub profile: Option<String>,
    /// TOML answers laid over the profile, as given to `apply` (e.g. the chosen default team).
    #[arg(long)]
    pub answers: Option<PathBuf>,
    /// Client ID of the application to audit.
    #[arg(long, required_unless_present_any = ["setup", "all"])]
    pub app_client_id: Option<String>,
    /// File holding the audited application's secret (otherwise HALO_APP_CLIENT_SECRET).
    #[arg(long)]
    pub app_secret_file: Option<PathBuf>,
    /// Print one JSON object on stdout.
    #[arg(long)]
    pub json: bool,
    /// Stop after this long (e.g. 90s, 30m, 1h30m; default 10m); nothing is changed either way.
    #[arg(long, value_name = "DURATION", value_parser = super::batch::parse_duration)]
    pub deadline: Option<std::time::Duration>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Status {
    Pass,
    Fail,
    Skip,
    /// Could not run or proves nothing (a path Halo does not serve, no records to see): not a
    /// pass, and keeps the integration from being called verified.
    CouldNotCheck,
    /// Said, not judged: what Halo reports outside its published schema.
    Info,
}

impl Status {
    pub fn mark(self) -> &'static str {
        match self {
            Self::Pass => "pass",
            Self::Fail => "FAIL",
            Self::Skip => "skip",
            Self::CouldNotCheck => "could not check",
            Self::Info => "info",
        }
    }
}

/// One row of the audit.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CheckRow {
    pub name: String,
    pub status: Status,
    pub layer: Option<Layer>,
    pub detail: String,
    /// What to change in Halo (empty unless failed).
    pub fix: String,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct Report {
    pub ok: bool,
    /// `verified` | `manual_steps_left` | `failed` | `could_not_check`.
    pub verdict: Option<Verdict>,
    /// The setup audited, when it is one of this journal's.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub setup: Option<String>,
    /// The setup's manual steps not yet confirmed done (`check SETUP` only).
    pub manual_steps_left: Vec<String>,
    pub checks: Vec<CheckRow>,
    /// Each difference from the profile, in a short stable form (e.g. "extra scope admin").
    pub drift: Vec<String>,
    /// Halo could not be reached part-way: the audit is incomplete (exit 2).
    #[serde(skip)]
    pub incomplete: bool,
    /// Why it did not finish, in words ("Halo kept answering 429 (rate limit)").
    #[serde(skip)]
    pub why: &'static str,
    /// The command that repairs what drifted (every failed fix line ends with it).
    pub repair: Option<String>,
    /// What Halo reports about the secret's expiry (`field = value`), never fact.
    #[serde(
        rename = "secret_expiry_halo_reports",
        skip_serializing_if = "Option::is_none"
    )]
    pub reported_expiry: Option<String>,
    /// When halo-onboard issued the secret (RFC 3339, from the setup's journal).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub secret_issued: Option<String>,
    /// The rotation policy says the secret is due.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub rotation_due: bool,
}

impl Report {
    pub fn code(&self) -> u8 {
        if self.incomplete {
            EXIT_CANNOT_RUN
        } else {
            verdict_code(self.verdict.unwrap_or(Verdict::Failed))
        }
    }

    /// The verdict of the rows and the manual steps left.
    fn judge(&mut self) {
        let verdict = if self.checks.iter().any(|c| c.status == Status::Fail) {
            Verdict::Failed
        } else if !self.manual_steps_left.is_empty() {
            Verdict::ManualStepsLeft
        } else if self
            .checks
            .iter()
            .any(|c| c.status == Status::CouldNotCheck)
        {
            Verdict::CouldNotCheck
        } else {
            Verdict::Verified
        };
        self.verdict = Some(verdict);
        self.ok = verdict == Verdict::Verified;
    }

    pub fn row(&self, name: &str) -> Option<&CheckRow> {
        self.checks.iter().find(|c| c.name == name)
    }

    /// A check could not run for a reason outside Halo's settings: the audit is incomplete.
    /// The first reason is the one said.
    fn stopped(&mut self, layer: Layer) {
        if !self.incomplete {
            self.why = layer.why();
        }
        self.incomplete = true;
    }

    fn push(&mut self, row: CheckRow) {
        self.checks.push(row);
    }

    fn pass(&mut self, name: &str, detail: impl Into<String>) {
        self.push(CheckRow {
            name: name.into(),
            status: Status::Pass,
            layer: None,
            detail: detail.into(),
            fix: String::new(),
        });
    }

    fn info(&mut self, name: &str, detail: impl Into<String>) {
        self.push(CheckRow {
            name: name.into(),
            status: Status::Info,
            layer: None,
            detail: detail.into(),
            fix: String::new(),
        });
    }

    fn could_not_check(&mut self, name: &str, detail: impl Into<String>) {
        self.push(CheckRow {
            name: name.into(),
            status: Status::CouldNotCheck,
            layer: None,
            detail: detail.into(),
            fix: String::new(),
        });
    }

    fn skip(&mut self, name: &str, detail: impl Into<String>) {
        self.push(CheckRow {
            name: name.into(),
            status: Status::Skip,
            layer: None,
            detail: detail.into(),
            fix: String::new(),
        });
    }

    fn fail(
        &mut self,
        name: &str,
        layer: Layer,
        detail: impl Into<String>,
        fix: impl Into<String>,
    ) {
        self.push(CheckRow {
            name: name.into(),
            status: Status::Fail,
            layer: Some(layer),
            detail: detail.into(),
            fix: fix.into(),
        });
    }

    fn drift(&mut self, d: impl Into<String>) {
        let d = d.into();
        if !self.drift.contains(&d) {
            self.drift.push(d);
        }
    }
}

/// What to audit.
pub struct Audit<'a> {
    pub endpoint: &'a Endpoint,
    /// The profile's answers (with any overlay), i.e. what the integration should look like.
    pub answers: &'a Answers,
    pub app_client_id: &'a str,
    pub app_secret: &'a SecretString,
    /// Admin client for object-level checks; `None` skips them.
    pub bootstrap: Option<&'a Client>,
    /// The setup adopted a hand-made integration: an administrator role it reuses is drift.
    pub adopted: bool,
    /// The setup this integration is, when known: its fixes name `rotate --setup`.
    pub setup: Option<&'a str>,
    pub opts: ClientOptions,
    /// When halo-onboard issued the secret (`check SETUP`: from the journal).
    pub secret_issued_unix: Option<u64>,
    /// The setup's manual steps not yet confirmed done.
    pub manual_left: Vec<String>,
    /// The admin's rotation policy and whether a reported expiry may fail the check.
    pub policy: crate::config::SecretPolicy,
}

/// What the object-level checks learned that the token checks use.
#[derive(Default)]
struct Known {
    /// Id of the profile's agent in Halo.
    agent_id: Option<i64>,
    /// Token rejection is explained by an inactive application or a disabled agent.
    token_failure_explained: bool,
}

/// The names of the object checks, as `check` prints them: one spelling each.
pub mod check {
    pub const APP_ACTIVE: &str = "application active";
    pub const APP_SCOPES: &str = "application scopes";
    pub const APP_LOGIN: &str = "application login";
    pub const AGENT_ACTIVE: &str = "agent active";
    pub const AGENT_API_ONLY: &str = "agent API-only";
    pub const AGENT_ROLE: &str = "agent role";
    /// The agent's attributes the table marks as audited (`answers::agent::Attr::audited`).
    pub const AGENT_DETAILS: &str = "agent details";
    pub const ROLE_ADMIN: &str = "role admin";
    pub const ROLE_PERMISSIONS: &str = "role permissions";
}

/// The checks that read the objects with the bootstrap credentials (skipped without them).
pub const BOOTSTRAP_CHECKS: [&str; 8] = [
    check::APP_ACTIVE,
    check::APP_SCOPES,
    check::APP_LOGIN,
    check::AGENT_ACTIVE,
    check::AGENT_API_ONLY,
    check::AGENT_ROLE,
    check::ROLE_ADMIN,
    check::ROLE_PERMISSIONS,
];

const NEEDS_BOOTSTRAP: &str = "skipped: needs the bootstrap credentials (HALO_CLIENT_SECRET, and --client-id unless checking a setup)";

/// Runs every check. Never fails: problems are rows; unreachable Halo marks it incomplete.
pub async fn audit(a: &Audit<'_>) -> Report {
    let mut r = Report::default();
    let known = match a.bootstrap {
        Some(b) => objects(a, b, &mut r).await,
        None => {
            for name in BOOTSTRAP_CHECKS {
                r.skip(name, NEEDS_BOOTSTRAP);
            }
            Known::default()
        }
    };
    if !r.incomplete {
        token_checks(a, &known, &mut r).await;
    }
    secret_age(a, &mut r, crate::journal::now_unix());
    // What the profile has set by hand cannot be read through the API: said, not judged
    // (while it is a step left, the verdict says so instead).
    let by_hand = &a.answers.role.other_permissions;
    if !by_hand.is_empty() && a.manual_left.is_empty() {
        r.info(
            "settings by hand",
            format!(
                "the API cannot read them, so check cannot tell whether they are still set: {}",
                by_hand.join("; ")
            ),
        );
    }
    r.manual_steps_left = a.manual_left.clone();
    r.judge();
    r
}

fn app_fix(app: &str, what: &str) -> String {
    format!("In Halo: {HALO_API} > {app} > {what}")
}

/// Without the application's secret: the object-level checks only, and the token checks
/// named as skipped with the reason (Halo shows a secret once; an adopted application's was
/// never handed to halo-onboard).
pub async fn audit_without_token(a: &Audit<'_>) -> Report {
    let mut r = Report::default();
    if let Some(b) = a.bootstrap {
        objects(a, b, &mut r).await;
    }
    let why = format!(
        "skipped: halo-onboard does not have this application's secret (Halo shows it once); put it in {APP_SECRET_ENV} or --app-secret-file to check the token, the login agent and each area"
    );
    // Not proven: the verdict cannot be "verified" without them.
    r.could_not_check("token", why.clone());
    r.could_not_check("scope probes", why);
    secret_age(a, &mut r, crate::journal::now_unix());
    r.manual_steps_left = a.manual_left.clone();
    r.judge();
    r
}

/// Object-level checks with the bootstrap client.
async fn objects(a: &Audit<'_>, b: &Client, r: &mut Report) -> Known {
    let ans = a.answers;
    // The setup's role is read with its details: its claims are what is checked.
    let (apps, roles, agents) = match session::lookups(b, For::Setup(ans)).await {
        Ok(lk) => (lk.applications, lk.roles, lk.agents),
        Err(e) => {
            let layer = verify::outside_layer(&e).unwrap_or(Layer::Transport);
            r.fail("read objects", layer, e.to_string(), e.hint());
            if e.is_transient() || matches!(e, HaloError::Connect(_)) {
                r.stopped(layer);
            }
            return Known::default();
        }
    };
    let mut known = Known::default();
    let agent = agents
        .iter()
        .find(|x| x.name.trim().eq_ignore_ascii_case(ans.agent.name.trim()));
    known.agent_id = agent.and_then(|x| x.id);

    // Application.
    let app = apps
        .iter()
        .find(|x| x.client_id.eq_ignore_ascii_case(a.app_client_id.trim()));
    match app {
        None => {
            r.fail(
                check::APP_ACTIVE,
                Layer::Credentials,
                format!("no application has client id {}", a.app_client_id),
                format!("Check --app-client-id against {HALO_API} (the application may have been deleted)"),
            );
            r.drift("application not found");
            r.skip(check::APP_SCOPES, "skipped: application not found");
            r.skip(check::APP_LOGIN, "skipped: application not found");
        }
        Some(app) => check_application(a, app, agent, r, &mut known),
    }

    // Agent.
    let role = match &ans.role.mode {
        RoleMode::Reuse(key) => roles
            .iter()
            .find(|x| x.id.as_deref() == Some(key.as_str()))
            .or_else(|| {
                roles
                    .iter()
                    .find(|x| x.name.trim().eq_ignore_ascii_case(key.trim()))
            }),
        RoleMode::Create => roles
            .iter()
            .find(|x| x.name.trim().eq_ignore_ascii_case(ans.role.name.trim())),
    };
    match agent {
        None => {
            r.fail(
                check::AGENT_ACTIVE,
                Layer::Credentials,
                format!("no agent with username '{}'", ans.agent.name),
                format!("In Halo: {AGENTS}: the agent was renamed or deleted; run `halo-onboard apply` again to recreate it"),
            );
            r.drift(format!("agent '{}' not found", ans.agent.name));
            r.skip(check::AGENT_API_ONLY, "skipped: agent not found");
            r.skip(check::AGENT_ROLE, "skipped: agent not found");
        }
        Some(g) => check_agent(a, g, role, r, &mut known),
    }

    // Role.
    match role {
        None => {
            r.fail(
                check::ROLE_ADMIN,
                Layer::Role,
                format!("no role named '{}'", ans.role.name),
                format!("In Halo: {ROLES}: the role was renamed or deleted; run `halo-onboard apply` again to recreate it"),
            );
            r.drift(format!("role '{}' not found", ans.role.name));
            r.skip(check::ROLE_PERMISSIONS, "skipped: role not found");
        }
        Some(role) => check_role(ans, role, r, a.adopted),
    }
    known
}

fn check_application(
    a: &Audit<'_>,
    app: &Application,
    agent: Option<&Agent>,
    r: &mut Report,
    known: &mut Known,
) {
    let name = app.display_name.as_str();
    if app.inactive {
        r.fail(
            check::APP_ACTIVE,
            Layer::Credentials,
            format!("application '{name}' is inactive: every token request is refused"),
            app_fix(name, "Details, untick 'Inactive'"),
        );
        r.drift("application inactive");
        known.token_failure_explained = true;
    } else {
        r.pass(check::APP_ACTIVE, format!("application '{name}' is active"));
    }

    reported_expiry(a, app, r, time::OffsetDateTime::now_utc());

    let want = scopes::normalise(&a.answers.scopes);
    let have = scopes::normalise(&app.scope_names());
    let missing: Vec<_> = want.iter().filter(|s| !have.contains(s)).cloned().collect();
    let extra: Vec<_> = have.iter().filter(|s| !want.contains(s)).cloned().collect();
    if missing.is_empty() && extra.is_empty() {
        r.pass(
            check::APP_SCOPES,
            format!("ticked as the profile says: {}", want.join(" ")),
        );
    } else {
        let mut fix = Vec::new();
        if !missing.is_empty() {
            fix.push(format!("tick {}", missing.join(", ")));
        }
        if !extra.is_empty() {
            fix.push(format!("untick {}", extra.join(", ")));
        }
        r.fail(
            check::APP_SCOPES,
            Layer::Scope,
            format!(
                "missing [{}], extra [{}]",
                missing.join(" "),
                extra.join(" ")
            ),
            app_fix(name, &format!("Permissions: {}", fix.join("; "))),
        );
        for s in &missing {
            r.drift(format!("missing scope {s}"));
        }
        for s in &extra {
            r.drift(format!("extra scope {s}"));
        }
    }

    let mut login = Vec::new();
    if !app.grant_type.is_empty() && app.grant_type != GRANT_CLIENT_CREDENTIALS {
        login.push(format!("authentication method is '{}'", app.grant_type));
        r.drift("application authentication method changed");
    }
    if app.loginentity != LOGIN_ENTITY_AGENT {
        login.push("login type is not Agent".to_string());
        r.drift("application login type changed");
    }
    let want_agent = agent.and_then(|g| g.id);
    if want_agent.is_some() && app.loginas_agent_id != want_agent {
        let shown = if app.loginas_agent_name.is_empty() {
            format!("agent id {}", app.loginas_agent_id.unwrap_or_default())
        } else {
            format!("'{}'", app.loginas_agent_name)
        };
        login.push(format!(
            "logs in as {shown}, not the profile's agent '{}'",
            a.answers.agent.name
        ));
        r.drift("application logs in as another agent");
    }
    if login.is_empty() {
        r.pass(
            check::APP_LOGIN,
            "Client ID and Secret, logs in as the profile's agent",
        );
    } else {
        r.fail(
            check::APP_LOGIN,
            Layer::Credentials,
            login.join("; "),
            app_fix(
                name,
                &format!(
                    "Details: authentication method 'Client ID and Secret (Services)', login type Agent, agent to log in as '{}'",
                    a.answers.agent.name
                ),
            ),
        );
    }
}

fn check_agent(a: &Audit<'_>, g: &Agent, role: Option<&Role>, r: &mut Report, known: &mut Known) {
    let ans = &a.answers.agent;
    let who = format!("In Halo: {AGENTS} > {}", g.name);
    if ans.active && g.isdisabled {
        r.fail(
            check::AGENT_ACTIVE,
            Layer::Credentials,
            format!(
                "agent '{}' is disabled: the application cannot log in",
                g.name
            ),
            format!("{who}: enable the agent again (untick 'Disabled')"),
        );
        r.drift("agent disabled");
        known.token_failure_explained = true;
    } else {
        r.pass(
            check::AGENT_ACTIVE,
            format!("agent '{}' is enabled", g.name),
        );
    }
    if ans.api_only && !g.isapiagent {
        r.fail(
            check::AGENT_API_ONLY,
            Layer::Credentials,
            format!(
                "agent '{}' is no longer API-only: it takes a licence and can log in to the web UI",
                g.name
            ),
            format!("{who}: tick 'Is an API-only agent'"),
        );
        r.drift("agent not API-only");
    } else if ans.api_only {
        r.pass(check::AGENT_API_ONLY, "API-only, as the profile says");
    } else {
        r.pass(
            check::AGENT_API_ONLY,
            "the profile does not ask for an API-only agent",
        );
    }
    check_details(ans, g, r);
    match role {
        Some(role) if g.roles.iter().any(|x| Some(&x.id) == role.id.as_ref()) => {
            r.pass(check::AGENT_ROLE, format!("has role '{}'", role.name));
        }
        _ => {
            r.fail(
                check::AGENT_ROLE,
                Layer::Role,
                format!(
                    "agent '{}' does not have role '{}'",
                    g.name, a.answers.role.name
                ),
                format!("{who} > Roles: add '{}'", a.answers.role.name),
            );
            r.drift(format!("role '{}' removed from agent", a.answers.role.name));
        }
    }
}

/// The agent's attributes the table marks as audited, compared with what Halo holds: one
/// row, present only when the table audits any.
fn check_details(ans: &crate::answers::AgentAnswers, g: &Agent, r: &mut Report) {
    let audited: Vec<_> = agent::ROWS.iter().filter(|x| x.audited).collect();
    if audited.is_empty() {
        return;
    }
    let mut want = Agent::default();
    for row in &audited {
        (row.build)(ans, &mut want);
    }
    let d = crate::plan::diff::diff_attrs(&want, g, audited.iter().copied());
    let names: Vec<&str> = audited.iter().map(|x| x.words).collect();
    match d.first() {
        None => r.pass(
            check::AGENT_DETAILS,
            format!("{}: as the profile says", names.join(", ")),
        ),
        Some(first) => {
            let said: Vec<String> = d.iter().map(ToString::to_string).collect();
            r.fail(
                check::AGENT_DETAILS,
                // The agent the application logs in as: its record, not an access layer.
                Layer::Credentials,
                said.join("; "),
                format!("In Halo: {}", first.place(&g.name)),
            );
            for x in &d {
                r.drift(format!("agent {} changed", x.attribute));
            }
        }
    }
}

fn check_role(ans: &Answers, role: &Role, r: &mut Report, adopted: bool) {
    let fix = format!("In Halo: {ROLES} > {}", role.name);
    let created = ans.role.mode == RoleMode::Create;
    let have = role.permissions();
    match (ans.role.permissions.admin(), have.admin()) {
        (true, false) => {
            r.fail(
                check::ROLE_ADMIN,
                Layer::Role,
                format!("role '{}' is no longer a HaloPSA Administrator", role.name),
                format!("{fix}: tick 'Is a HaloPSA Administrator'"),
            );
            r.drift("role lost admin");
        }
        (false, true) if created => {
            r.fail(
                check::ROLE_ADMIN,
                Layer::Role,
                format!(
                    "role '{}' was made a HaloPSA Administrator; the profile does not ask for it",
                    role.name
                ),
                format!("{fix}: untick 'Is a HaloPSA Administrator'"),
            );
            r.drift("role gained admin");
        }
        (false, true) if adopted => {
            r.fail(
                check::ROLE_ADMIN,
                Layer::Role,
                format!(
                    "the agent's role '{}' is a HaloPSA Administrator; the profile does not ask for one",
                    role.name
                ),
                "Do not untick it on a role other agents may hold: `halo-onboard tighten` moves the integration to an API-only agent with a role of its own (the role itself is left as it is)",
            );
            r.drift("agent is an administrator");
        }
        (false, true) => r.pass(
            check::ROLE_ADMIN,
            format!(
                "HaloPSA Administrator: '{}' is an existing role this setup reuses",
                role.name
            ),
        ),
        (want, _) => r.pass(
            check::ROLE_ADMIN,
            if want {
                "HaloPSA Administrator, as the profile says"
            } else {
                "not an administrator"
            },
        ),
    }
    // Each permission the profile sets, judged on its own scale (an administrator has all).
    let mut short = Vec::new();
    for (def, want) in ans.role.permissions.entries() {
        if def.code == crate::halo::dialect::claims::ADMIN || have.admin() {
            continue;
        }
        let got = have.get(def.code);
        if got.map(|l| l.grade).unwrap_or_default() < want.grade {
            let now = got.map_or("Not set", |l| l.label);
            short.push(format!("{}: {now} (needs {})", def.label, want.label));
            r.drift(format!("role {} below {}", def.label, want.label));
        }
    }
    if short.is_empty() {
        r.pass(
            check::ROLE_PERMISSIONS,
            "permissions as the profile sets them",
        );
    } else {
        r.fail(
            check::ROLE_PERMISSIONS,
            Layer::Role,
            short.join("; "),
            format!("{fix} > Permissions: raise {}", short.join(", ")),
        );
    }
}

/// The secret's age, from halo-onboard's journal (a fact), against the admin's rotation policy:
/// a failure once it is due, with the command that rotates it.
fn secret_age(a: &Audit<'_>, r: &mut Report, now_unix: u64) {
    use crate::halo::expiry::{self, Age};
    let Some(issued) = a.secret_issued_unix else {
        r.skip(
            "secret age",
            "unknown: this secret was not issued by a setup in this journal",
        );
        return;
    };
    let age = Age::new(issued, now_unix, a.policy.rotate_after_days);
    r.secret_issued = Some(expiry::format_unix(issued));
    if age.due() {
        r.rotation_due = true;
        r.fail(
            "secret age",
            Layer::Credentials,
            age.words(),
            rotate_command(a),
        );
        r.drift("secret due for rotation");
    } else {
        r.pass("secret age", age.words());
    }
}

/// The fix of a secret due for rotation; `add_repair` adds the command that rotates it
/// ([`crate::plan::handover::rotate_command`]), never the repair, which keeps the secret.
fn rotate_command(_a: &Audit<'_>) -> String {
    "rotate it, then give the vendor the new secret".into()
}

/// Rows whose fix is a rotation (a new secret), not a repair.
fn rotates(name: &str) -> bool {
    name == "secret age" || name.starts_with("secret expiry")
}

/// What Halo reports about the secret's expiry, where it reports it: said as reported (a field
/// outside the published API schema, W), never as fact. It fails the check only when the admin
/// opted in (`fail_on_reported_expiry`) and the date is near; otherwise it is information.
fn reported_expiry(a: &Audit<'_>, app: &Application, r: &mut Report, now: time::OffsetDateTime) {
    use crate::halo::expiry::{self, Reported};
    let Some(rep) = Reported::of(app) else {
        return;
    };
    r.reported_expiry = Some(rep.short());
    let issued = a
        .secret_issued_unix
        .and_then(|u| i64::try_from(u).ok())
        .and_then(|u| time::OffsetDateTime::from_unix_timestamp(u).ok());
    let near = rep
        .date(issued)
        .map(|d| (d - now).whole_days())
        .filter(|days| *days <= expiry::WARN_DAYS);
    let words = rep.words();
    match near {
        Some(days) if a.policy.fail_on_reported_expiry => {
            let detail = if days < 0 {
                format!("{words}: past (fail_on_reported_expiry = true)")
            } else {
                format!("{words}: in {days} day(s) (fail_on_reported_expiry = true)")
            };
            r.fail("secret expiry (Halo reports)", Layer::Credentials, detail, rotate_command(a));
            r.drift("Halo reports the secret expiring");
        }
        Some(days) => r.info(
            "secret expiry (Halo reports)",
            format!(
                "{words}: {} if it is this secret's expiry (not proven; fail_on_reported_expiry = true makes this fail)",
                if days < 0 { "past".to_string() } else { format!("in {days} day(s)") }
            ),
        ),
        None => r.info("secret expiry (Halo reports)", words),
    }
}

/// Token with the application's credentials, then `plan::verify` (agent and probes).
async fn token_checks(a: &Audit<'_>, known: &Known, r: &mut Report) {
    let ans = a.answers;
    let requested = scopes::normalise(&ans.scopes);
    let app_name = ans.application.name.as_str();
    let creds = Credentials {
        client_id: a.app_client_id.trim().to_string(),
        client_secret: a.app_secret.clone(),
        scopes: requested.clone(),
    };
    let me = async {
        let c = Client::new(a.endpoint.clone(), creds, a.opts.clone())?;
        let info = c.token().await?;
        let me = c.me().await?;
        Ok::<_, HaloError>((info, me))
    }
    .await;
    let (info, me) = match me {
        Ok(x) => x,
        Err(e) => {
            if e.is_transient() || matches!(e, HaloError::Connect(_) | HaloError::Dns(_)) {
                let layer = verify::outside_layer(&e).unwrap_or(Layer::Transport);
                r.fail("token", layer, e.to_string(), e.hint());
                r.stopped(layer);
                return;
            }
            let detail = match &e {
                HaloError::InvalidClient => format!(
                    "Halo refused the application's Client ID or secret (invalid_client): the secret is wrong or was regenerated{}",
                    if known.token_failure_explained {
                        ", or the application is inactive (see above)"
                    } else {
                        ", or the application is inactive or deleted"
                    }
                ),
                _ => e.to_string(),
            };
            let fix = match &e {
                HaloError::InvalidClient => format!(
                    "Check the secret given to check (and to the vendor); if lost, generate a new one in {HALO_API} > {app_name} and hand it over again"
                ),
                _ => e.hint().to_string(),
            };
            r.fail("token", Layer::Credentials, detail, fix);
            if !known.token_failure_explained {
                r.drift(match e {
                    HaloError::InvalidClient => "application credentials rejected",
                    HaloError::InvalidGrant(_) => "application cannot log in as its agent",
                    _ => "token refused",
                });
            }
            r.skip("scope probes", "skipped: no token");
            return;
        }
    };
    // The token only grants what was requested, so it shows missing scopes, not extra ones.
    let granted = scopes::normalise(&info.scopes);
    if !info.scopes.is_empty() {
        for s in requested.iter().filter(|s| !granted.contains(s)) {
            r.drift(format!("missing scope {s}"));
        }
    }
    if a.bootstrap.is_none() {
        if me.name.trim().eq_ignore_ascii_case(ans.agent.name.trim()) {
            r.pass("login agent", format!("logs in as '{}'", me.name));
        } else {
            r.fail(
                "login agent",
                Layer::Credentials,
                format!(
                    "logs in as '{}', not the profile's agent '{}'",
                    me.name, ans.agent.name
                ),
                app_fix(
                    app_name,
                    &format!("Details, set 'Agent to log in as' to '{}'", ans.agent.name),
                ),
            );
            r.drift("application logs in as another agent");
        }
        r.skip(
            "extra scopes",
            "skipped: a token shows only the scopes requested; extra ticked scopes need the bootstrap credentials",
        );
    }
    let agent_id = known.agent_id.or(me.id).unwrap_or_default();
    let target = Target {
        endpoint: a.endpoint,
        client_id: a.app_client_id.trim(),
        client_secret: a.app_secret,
        scopes: &requested,
        agent_id,
        role: &ans.role,
        application_name: app_name,
    };
    let role = match ans.role.mode {
        crate::answers::RoleMode::Create => Some(ans.role.permissions.clone()),
        crate::answers::RoleMode::Reuse(_) => None,
    };
    let v = verify::verify_with_role(&target, role.as_ref(), a.opts.clone(), a.bootstrap).await;
    for c in v.checks {
        if let Some(l) = c.layer.filter(|l| l.not_a_setting()) {
            r.stopped(l);
        }
        r.push(CheckRow {
            status: if c.pass {
                Status::Pass
            } else if c.could_not_check {
                Status::CouldNotCheck
            } else {
                Status::Fail
            },
            name: c.name,
            layer: c.layer,
            detail: c.detail,
            fix: c.fix,
        });
    }
}

/// The human table.
pub fn report_text(r: &Report) -> String {
    let w = r
        .checks
        .iter()
        .map(|c| c.name.len())
        .max()
        .unwrap_or(5)
        .max(5);
    let quiet = super::output::quiet();
    let mut s = if quiet {
        String::new()
    } else {
        format!("  {:<6}{:<w$}  DETAIL\n", "", "CHECK")
    };
    // --quiet: the failures and the result line only.
    for c in r
        .checks
        .iter()
        .filter(|c| !quiet || matches!(c.status, Status::Fail | Status::CouldNotCheck))
    {
        let mark = c.status.mark();
        s.push_str(&format!("  {mark:<6}{:<w$}  {}\n", c.name, c.detail));
        if matches!(c.status, Status::Fail | Status::CouldNotCheck) && !c.fix.is_empty() {
            let what = if c.status == Status::Fail {
                "fix"
            } else {
                "to check it"
            };
            s.push_str(&format!("  {:<6}{:<w$}  {what}: {}\n", "", "", c.fix));
        }
    }
    if !r.drift.is_empty() {
        s.push_str(&format!("Drift from the profile: {}\n", r.drift.join("; ")));
    }
    if !r.manual_steps_left.is_empty() {
        s.push_str("Manual steps left (in Halo's web UI):\n");
        for m in &r.manual_steps_left {
            s.push_str(&format!("  - {m}\n"));
        }
    }
    let count = |st: Status| r.checks.iter().filter(|c| c.status == st).count();
    let (failed, skipped, unchecked) = (
        count(Status::Fail),
        count(Status::Skip),
        count(Status::CouldNotCheck),
    );
    let n = r.manual_steps_left.len();
    if r.incomplete {
        s.push_str(&format!(
            "Result: the check did not finish ({}); it is incomplete: run it again later.\n",
            r.why
        ));
    } else {
        match r.verdict {
            Some(Verdict::Verified) => {
                s.push_str(&format!("Result: all checks passed ({skipped} skipped).\n"))
            }
            Some(Verdict::ManualStepsLeft) => s.push_str(&format!(
                "Result: {n} manual step{} left, so not verified{}. When done: halo-onboard resume {} --confirm-manual --yes\n",
                if n == 1 { "" } else { "s" },
                if unchecked > 0 {
                    format!(" ({unchecked} check(s) could not run either)")
                } else {
                    String::new()
                },
                r.setup.as_deref().unwrap_or("SETUP")
            )),
            Some(Verdict::CouldNotCheck) => s.push_str(&format!(
                "Result: nothing failed, but {unchecked} check(s) could not run on this Halo, so it is not verified (`halo-onboard doctor` shows which paths it serves).\n"
            )),
            _ => s.push_str(&format!(
                "Result: {failed} check(s) failed. Change what each 'fix' line says in Halo, then run check again.\n"
            )),
        }
    }
    s
}

fn app_secret(args: &CheckArgs) -> Result<Option<SecretString>, Failure> {
    optional_secret(args.app_secret_file.as_deref(), APP_SECRET_ENV)
}

fn no_app_secret(extra: &str) -> Failure {
    Failure::new(
        format!("no application secret: set {APP_SECRET_ENV} or pass --app-secret-file{extra}"),
        format!(
            "e.g. read -rs {APP_SECRET_ENV} && export {APP_SECRET_ENV}  (the secret is never taken from the command line)"
        ),
    )
}

/// Everything one audit needs, from the flags (long form) or a setup's journal.
struct Subject {
    endpoint: Endpoint,
    answers: Answers,
    app_client_id: String,
    /// `None`: not at hand (an adopted application: halo-onboard never had it); only the
    /// object-level checks run.
    app_secret: Option<SecretString>,
    /// Bootstrap application id and secret, when given: object-level checks.
    bootstrap: Option<(String, SecretString)>,
    /// Shown in the heading.
    what: String,
    repair: String,
    /// The command that rotates the secret (a new one, handed over).
    rotate: String,
    /// The setup this integration is (its journal keeps the last check's result for `status`).
    setup: Option<String>,
    /// The certificate authority to trust for this Halo besides the system's, if any.
    ca_file: Option<PathBuf>,
    /// When halo-onboard issued the secret (from that setup's journal).
    secret_issued_unix: Option<u64>,
    /// That setup's manual steps not yet confirmed done.
    manual_left: Vec<String>,
    /// The setup adopted a hand-made integration.
    adopted: bool,
}

/// `check SETUP`: the journal knows where, what and which application; the hand-over (or the
/// environment) knows the secret.
fn from_setup(args: &CheckArgs, reference: &str) -> Result<Subject, Failure> {
    let j = crate::journal::Journal::open_default()
        .map_err(|e| Failure::new(e.to_string(), e.hint()))?;
    let s = super::sessions::resolve(&j, reference)?;
    let endpoint = s.endpoint.clone().ok_or_else(|| {
        Failure::new(
            format!("setup {} has no Halo address recorded", s.id),
            "Use the long form: halo-onboard check --url … --profile … --app-client-id …",
        )
    })?;
    let app_client_id = s
        .objects
        .client_id
        .clone()
        .filter(|c| !c.is_empty())
        .ok_or_else(|| {
            Failure::new(
                format!("setup {} has no application yet", s.id),
                format!("Finish it first: halo-onboard resume {} --yes", s.id),
            )
        })?;
    let app_secret = match app_secret(args)? {
        Some(sec) => Some(sec),
        None => {
            let app_id = s.objects.application_id.clone().unwrap_or_default();
            crate::plan::handover::known_app_secret(&j, &app_id, &app_client_id).map(|k| k.secret)
        }
    };
    // The bootstrap secret where the saved instance of this Halo keeps it (or --instance
    // says), else HALO_CLIENT_SECRET; optional: without it the object checks are skipped.
    let c = &args.connect;
    let lent = for_setup(
        c.instance.as_deref(),
        &setup_address(&s),
        c.client_secret_file.clone(),
    )?;
    let boot_id = c
        .client_id
        .clone()
        .filter(|c| !c.trim().is_empty())
        .or_else(|| Some(s.answers.connection.client_id.clone()).filter(|c| !c.trim().is_empty()))
        .or(lent.client_id.clone())
        .unwrap_or_default();
    let given = lent.optional_secret()?;
    let ca_file = c.ca_file.clone().or(lent.ca_file.clone());
    let bootstrap = match given {
        Some(sec) if !boot_id.trim().is_empty() => Some((boot_id, sec)),
        _ => None,
    };
    // Without the application's secret only the bootstrap credentials can see anything.
    if app_secret.is_none() && bootstrap.is_none() {
        let why = if s.adoption.is_some() {
            format!(
                " (setup {} adopted a hand-made application: Halo showed its secret once, to whoever made it)",
                s.id
            )
        } else {
            format!(
                " (the hand-over file of setup {} is gone{})",
                s.id,
                s.credentials_file
                    .as_ref()
                    .map(|f| format!(": {}", f.display()))
                    .unwrap_or_default()
            )
        };
        return Err(no_app_secret(&format!(
            "{why}; or set {SECRET_ENV} to run the object-level checks alone"
        )));
    }
    // An adopted integration is brought to its profile by `tighten`, not by a re-apply.
    let repair = if s.adoption.is_some() {
        format!("halo-onboard tighten --setup {}", s.id)
    } else {
        format!("halo-onboard apply --setup {} --yes", s.id)
    };
    Ok(Subject {
        adopted: s.adoption.is_some(),
        endpoint,
        what: format!(
            "setup {} (application {app_client_id}, profile {})",
            s.id,
            s.answers.profile.as_deref().unwrap_or("-")
        ),
        repair,
        rotate: crate::plan::handover::rotate_command(&s.id),
        setup: Some(s.id.clone()),
        ca_file,
        secret_issued_unix: j.secret_issued_unix(&s),
        manual_left: s.manual_left().into_iter().map(String::from).collect(),
        answers: s.answers,
        app_client_id,
        app_secret,
        bootstrap,
    })
}

/// The long form: every fact from the flags.
async fn from_flags(args: &CheckArgs, opts: &ClientOptions) -> Result<Subject, Failure> {
    let profile = args.profile.clone().unwrap_or_default();
    let app_client_id = args.app_client_id.clone().unwrap_or_default();
    let answers = load_answers(
        &super::profiles::resolve(&profile)?,
        args.answers.as_deref(),
    )?;
    let app_secret = Some(app_secret(args)?.ok_or_else(|| no_app_secret(""))?);
    let boot_secret = match (&args.connect.client_id, &args.connect.client_secret_file) {
        (Some(_), _) => Some(args.connect.secret()?),
        (None, Some(_)) => {
            return Err(Failure::new(
                "--client-secret-file needs --client-id (the bootstrap application)",
                "Pass --client-id, or leave both out to skip the object-level checks.",
            ));
        }
        (None, None) => None,
    };
    let endpoint = endpoint_from(&args.connect, opts).await?;
    let mut repair = String::from("halo-onboard apply");
    match (
        &args.connect.url,
        &args.connect.resource_url,
        &args.connect.auth_url,
    ) {
        (Some(u), _, _) => repair.push_str(&format!(" --url {u}")),
        (None, Some(r), Some(a)) => repair.push_str(&format!(" --resource-url {r} --auth-url {a}")),
        _ => {}
    }
    if let Some(t) = &args.connect.tenant {
        repair.push_str(&format!(" --tenant {t}"));
    }
    let boot = args.connect.client_id.clone();
    repair.push_str(&format!(
        " --client-id {} --profile {profile}",
        boot.as_deref().unwrap_or("<bootstrap client id>")
    ));
    if let Some(a) = &args.answers {
        repair.push_str(&format!(" --answers {}", a.display()));
    }
    repair.push_str(" --yes");
    // The setup that made this application, when it was made here: when it issued the
    // secret and what it left to do by hand.
    let journal = crate::journal::Journal::open_default().ok();
    let made_here = journal.as_ref().and_then(|j| {
        j.list()
            .0
            .into_iter()
            .find(|s| s.objects.client_id.as_deref() == Some(app_client_id.trim()))
    });
    // The same apply, giving the application a new secret.
    let rotate = match &made_here {
        Some(s) => crate::plan::handover::rotate_command(&s.id),
        None => format!("{repair} --new-secret"),
    };
    Ok(Subject {
        adopted: false,
        ca_file: args.connect.ca_file.clone(),
        setup: made_here.as_ref().map(|s| s.id.clone()),
        secret_issued_unix: journal
            .as_ref()
            .zip(made_here.as_ref())
            .and_then(|(j, s)| j.secret_issued_unix(s)),
        manual_left: made_here
            .as_ref()
            .map(|s| s.manual_left().into_iter().map(String::from).collect())
            .unwrap_or_default(),
        endpoint,
        what: format!("application {app_client_id} against profile {profile}"),
        answers,
        app_client_id,
        app_secret,
        bootstrap: boot.zip(boot_secret),
        repair,
        rotate,
    })
}

/// Every failed fix line ends with the command that repairs the drift: `apply` brings the
/// objects back to the answers; a rejected or expiring secret needs a new one handed over
/// (`rotate`: the repair keeps the secret).
fn add_repair(r: &mut Report, cmd: &str, rotate: &str, setup: Option<&str>) {
    let rejected = r
        .drift
        .iter()
        .any(|d| d == "application credentials rejected");
    let mut any = false;
    for c in r.checks.iter_mut() {
        if c.status != Status::Fail || c.layer.is_some_and(Layer::not_a_setting) {
            continue;
        }
        any = true;
        let line = if c.name == "token" && rejected {
            match setup {
                Some(_) => format!(
                    "or hand the vendor new credentials: `{rotate}` (a second application; the old one stays until `rotate --finish`)"
                ),
                None => format!(
                    "or rotate the secret and hand it over again: `{rotate}` (replaces the secret in place: the vendor's copy stops working at once)"
                ),
            }
        } else if rotates(&c.name) {
            format!("`{rotate}`")
        } else {
            format!("or repair: `{cmd}`")
        };
        c.fix = if c.fix.is_empty() || c.fix == line {
            line
        } else if rotates(&c.name) {
            format!("{}: {line}", c.fix.trim_end_matches('.'))
        } else {
            format!("{} — {line}", c.fix.trim_end_matches('.'))
        };
    }
    if any {
        r.repair = Some(cmd.to_string());
    }
}

pub(crate) async fn try_run(args: &CheckArgs) -> Result<Report, Failure> {
    let t = match &args.setup {
        Some(reference) => from_setup(args, reference)?,
        None => {
            let args = CheckArgs {
                connect: args.connect.resolved()?,
                ..args.clone()
            };
            from_flags(&args, &args.connect.client_options()?).await?
        }
    };
    let opts = ConnectArgs {
        ca_file: t.ca_file.clone(),
        ..ConnectArgs::default()
    }
    .client_options()?;
    let boot = match &t.bootstrap {
        Some((id, sec)) => {
            let place = Place::Recorded(t.endpoint.clone());
            Some(
                connect_bootstrap(&place, id, sec.clone(), opts.clone())
                    .await?
                    .client,
            )
        }
        None => None,
    };
    if !args.json && !super::output::quiet() {
        errln!(
            "Checking {} on {}",
            crate::text::line(&t.what),
            t.endpoint.base_url()
        );
    }
    let config = crate::config::load(crate::config::default_path().as_deref()).0;
    let address = match t.answers.connection.url.trim() {
        "" => t.endpoint.resource_url.clone(),
        u => u.to_string(),
    };
    let unknown = SecretString::from(String::new());
    let a = Audit {
        endpoint: &t.endpoint,
        answers: &t.answers,
        app_client_id: &t.app_client_id,
        app_secret: t.app_secret.as_ref().unwrap_or(&unknown),
        bootstrap: boot.as_ref(),
        adopted: t.adopted,
        opts,
        secret_issued_unix: t.secret_issued_unix,
        manual_left: t.manual_left.clone(),
        policy: config.secret_policy(&address),
        setup: t.setup.as_deref(),
    };
    let mut r = match &t.app_secret {
        Some(_) => audit(&a).await,
        None => audit_without_token(&a).await,
    };
    r.setup = t.setup.clone();
    add_repair(&mut r, &t.repair, &t.rotate, t.setup.as_deref());
    if let Some(id) = &t.setup {
        record(id, &r);
    }
    Ok(r)
}

/// Keeps the result for `status` (a check that cannot record it still reports it).
fn record(id: &str, r: &Report) {
    let count = |s: Status| r.checks.iter().filter(|c| c.status == s).count();
    let rec = crate::journal::CheckRecord {
        at_unix: crate::journal::now_unix(),
        ok: r.ok && !r.incomplete,
        verdict: r.verdict.map(|v| v.word().to_string()),
        incomplete: r.incomplete,
        why: r.incomplete.then(|| r.why.to_string()),
        passed: count(Status::Pass),
        failed: count(Status::Fail),
        skipped: count(Status::Skip),
        drift: r.drift.clone(),
        reported_expiry: r.reported_expiry.clone(),
        secret_issued: r.secret_issued.clone(),
        rotation_due: r.rotation_due,
    };
    if let Err(e) = crate::journal::Journal::open_default().and_then(|j| j.record_check(id, &rec)) {
        errln!("warning: the result was not recorded for `halo-onboard status`: {e}");
    }
}

/// `halo-onboard check`.
pub async fn run(args: &CheckArgs) -> u8 {
    if args.all {
        return super::deadline::within(
            args.deadline,
            "check --all",
            args.json,
            super::check_all::run(args),
        )
        .await;
    }
    super::deadline::within(args.deadline, "check", args.json, run_check(args)).await
}

async fn run_check(args: &CheckArgs) -> u8 {
    match try_run(args).await {
        Ok(r) => {
            if args.json {
                outln!("{}", serde_json::to_string(&r).unwrap_or_default());
            } else {
                // Names and messages from Halo are in it; cron mails and RMM consoles show it.
                out!("{}", crate::text::block(&report_text(&r)));
            }
            r.code()
        }
        Err(f) => {
            print_failure(&f, args.json);
            f.code
        }
    }
}
