//! What `check` found: its rows, the verdict, and the report as printed.

use serde::Serialize;

use crate::headless::common::*;
use crate::plan::verify::{Layer, Verdict};

/// The outcome of one check row.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Status {
    /// Proven as the profile wants it.
    Pass,
    /// Not as the profile wants it: drift, with a fix.
    Fail,
    /// Not run: what it needs is missing (bootstrap credentials, a token, the object it
    /// reads) or unknown (a secret not issued by a setup here).
    Skip,
    /// Could not run or proves nothing (a path Halo does not serve, no records to see): not a
    /// pass, and keeps the integration from being called verified.
    CouldNotCheck,
    /// Said, not judged: what Halo reports outside its published schema.
    Info,
}

impl Status {
    /// The word `check` prints in the row's status column (`FAIL` in capitals to stand out).
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
    /// What is checked, e.g. `application scopes`; one spelling per check.
    pub name: String,
    /// How it came out.
    pub status: Status,
    /// Where a failure lies (credentials, scope, role, visibility, network, rate limit,
    /// server); set on failed rows.
    pub layer: Option<Layer>,
    /// What was found, in words.
    pub detail: String,
    /// What to change in Halo (empty unless failed).
    pub fix: String,
}

/// Everything one `check` found; `--json` prints it (fields marked `skip` are not printed).
#[derive(Debug, Clone, Default, Serialize)]
pub struct Report {
    /// The verdict is `verified`.
    pub ok: bool,
    /// `verified` | `manual_steps_left` | `failed` | `could_not_check`.
    pub verdict: Option<Verdict>,
    /// The setup audited, when it is one of this journal's.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub setup: Option<String>,
    /// The setup's manual steps not yet confirmed done (`check SETUP` only).
    pub manual_steps_left: Vec<String>,
    /// The rows, in the order they ran.
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
    /// The exit code: 2 when incomplete, else the verdict's (0 verified, 3 manual steps left,
    /// 1 otherwise; 1 before it is judged).
    pub fn code(&self) -> u8 {
        if self.incomplete {
            EXIT_CANNOT_RUN
        } else {
            verdict_code(self.verdict.unwrap_or(Verdict::Failed))
        }
    }

    /// The verdict of the rows and the manual steps left.
    pub(super) fn judge(&mut self) {
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

    /// The row of the check `name`, if it ran or was skipped.
    pub fn row(&self, name: &str) -> Option<&CheckRow> {
        self.checks.iter().find(|c| c.name == name)
    }

    /// A check could not run for a reason outside Halo's settings: the audit is incomplete.
    /// The first reason is the one said.
    pub(super) fn stopped(&mut self, layer: Layer) {
        if !self.incomplete {
            self.why = layer.why();
        }
        self.incomplete = true;
    }

    pub(super) fn push(&mut self, row: CheckRow) {
        self.checks.push(row);
    }

    pub(super) fn pass(&mut self, name: &str, detail: impl Into<String>) {
        self.push(CheckRow {
            name: name.into(),
            status: Status::Pass,
            layer: None,
            detail: detail.into(),
            fix: String::new(),
        });
    }

    pub(super) fn info(&mut self, name: &str, detail: impl Into<String>) {
        self.push(CheckRow {
            name: name.into(),
            status: Status::Info,
            layer: None,
            detail: detail.into(),
            fix: String::new(),
        });
    }

    pub(super) fn could_not_check(&mut self, name: &str, detail: impl Into<String>) {
        self.push(CheckRow {
            name: name.into(),
            status: Status::CouldNotCheck,
            layer: None,
            detail: detail.into(),
            fix: String::new(),
        });
    }

    pub(super) fn skip(&mut self, name: &str, detail: impl Into<String>) {
        self.push(CheckRow {
            name: name.into(),
            status: Status::Skip,
            layer: None,
            detail: detail.into(),
            fix: String::new(),
        });
    }

    pub(super) fn fail(
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

    pub(super) fn drift(&mut self, d: impl Into<String>) {
        let d = d.into();
        if !self.drift.contains(&d) {
            self.drift.push(d);
        }
    }
}

/// The names of the object checks, as `check` prints them: one spelling each.
pub(crate) mod check {
    pub(crate) const APP_ACTIVE: &str = "application active";
    pub(crate) const APP_SCOPES: &str = "application scopes";
    pub(crate) const APP_LOGIN: &str = "application login";
    pub(crate) const AGENT_ACTIVE: &str = "agent active";
    pub(crate) const AGENT_API_ONLY: &str = "agent API-only";
    pub(crate) const AGENT_ROLE: &str = "agent role";
    /// The agent's attributes the table marks as audited (`answers::agent::Attr::audited`).
    pub(crate) const AGENT_DETAILS: &str = "agent details";
    pub(crate) const ROLE_ADMIN: &str = "role admin";
    pub(crate) const ROLE_PERMISSIONS: &str = "role permissions";
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

/// The human table.
pub fn report_text(r: &Report) -> String {
    let w = r
        .checks
        .iter()
        .map(|c| c.name.len())
        .max()
        .unwrap_or(5)
        .max(5);
    let quiet = crate::headless::output::quiet();
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
                s.push_str(&format!("Result: all checks passed ({skipped} skipped).\n"));
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
