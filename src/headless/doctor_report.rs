//! `doctor`'s report: what it found, and the report as text (whole, or `--quiet`'s failures and
//! verdict).

use std::collections::BTreeMap;

use serde::Serialize;

use super::doctor_paths::{ProbePath, Swagger};
use crate::halo::dialect::confirm::Assumption;

/// One claim code found on this Halo's roles.
#[derive(Debug, Clone, Serialize)]
pub struct ClaimCode {
    /// The code as Halo stores it on a role's claims, e.g. `Tx`.
    pub code: String,
    /// Roles (read with their details) that carry it.
    pub roles: usize,
    /// Halo's UI label when halo-onboard knows the code.
    pub label: Option<String>,
    /// The code halo-onboard writes instead, for an older long name.
    pub today: Option<String>,
}

/// What `doctor` found on one Halo (read-only); `--json` prints it as is.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    /// halo-onboard's version, which the assumptions belong to.
    pub halo_onboard: &'static str,
    /// How many roles `GET /Roles` listed.
    pub roles: usize,
    /// How many of them were read one by one with their claims (at most 25).
    pub roles_read_with_details: usize,
    /// Every claim code on the roles read, with how many carry it.
    pub claim_codes: Vec<ClaimCode>,
    /// List endpoint → "bare array" or "envelope (key)".
    pub list_shapes: BTreeMap<String, String>,
    /// The fields an agent really carries (the bootstrap's own agent, `GET /Agent/me`).
    pub agent_fields: Vec<String>,
    /// The fields an application really carries (the bootstrap's own, else the first listed).
    pub application_fields: Vec<String>,
    /// The scopes in the bootstrap's token.
    pub scopes_granted: Vec<String>,
    /// The bootstrap's token has the `admin` scope.
    pub admin_granted: bool,
    /// The bootstrap's token has the `all:teams` scope.
    pub all_teams_granted: bool,
    /// Claim codes this Halo does not confirm (each goes to the manual steps alone), with why.
    pub unconfirmed_codes: BTreeMap<String, String>,
    /// The probe paths the built-in profiles' verification uses, and what this Halo answered.
    pub probe_paths: Vec<ProbePath>,
    /// This Halo's own swagger document, where it serves one, against the paths used.
    pub swagger: Swagger,
    /// Each of halo-onboard's assumptions about Halo, and whether it holds here.
    pub assumptions: Vec<Assumption>,
}

impl Report {
    /// The first assumption that does not hold here; `None`: every one holds (exit 0).
    pub fn failed(&self) -> Option<&Assumption> {
        self.assumptions.iter().find(|a| !a.holds)
    }
}

pub(super) fn text(r: &Report) -> String {
    let mut s = format!(
        "halo-onboard {} doctor\n\nAssumptions (confidence before asking this Halo: C confirmed, I inferred, W weak):\n",
        r.halo_onboard
    );
    for a in &r.assumptions {
        let mark = if a.holds { "✓" } else { "✗" };
        s.push_str(&format!(
            "  {mark} {}: {}\n      here: {}\n      [{}] {}\n",
            a.id, a.what, a.evidence, a.confidence, a.source
        ));
    }
    if !r.unconfirmed_codes.is_empty() {
        s.push_str("\nClaim codes left to manual steps on this Halo (the others are written):\n");
        for (code, why) in &r.unconfirmed_codes {
            s.push_str(&format!("  {code:<6} {why}\n"));
        }
    }
    s.push_str(&paths_text(r));
    s.push_str(&dialect_text(r));
    match r.failed() {
        None => s.push_str("\nEvery assumption holds.\n"),
        Some(f) => s.push_str(&format!(
            "\nFAILED: {} — {}. Where this Halo does not confirm a permission code, apply writes the others and lists that one as a manual step (all of them when it does not speak today's codes at all).\n",
            f.id, f.what
        )),
    }
    s
}

/// The probe paths and the instance's own swagger, as found.
fn paths_text(r: &Report) -> String {
    let mut s = String::from("\nProbe paths the profiles' verification uses:\n");
    for p in &r.probe_paths {
        s.push_str(&format!(
            "  {:<28} {:<40} {}\n",
            p.path,
            p.found,
            p.areas.join(", ")
        ));
    }
    match &r.swagger.served_at {
        Some(at) if r.swagger.missing_here.is_empty() => s.push_str(&format!(
            "\nThis Halo's swagger ({at}): every path halo-onboard uses is in it ({} paths).\n",
            r.swagger.paths
        )),
        Some(at) => s.push_str(&format!(
            "\nThis Halo's swagger ({at}) lacks: {}\n",
            r.swagger.missing_here.join(", ")
        )),
        None => s.push_str(&format!(
            "\nThis Halo serves no swagger document (tried {}); compared with the published one in evidence/ only.\n",
            r.swagger.tried.join(", ")
        )),
    }
    s
}

/// The dialect this Halo speaks: claim codes, list shapes, fields and the bootstrap's scopes.
fn dialect_text(r: &Report) -> String {
    let mut s = String::new();
    s.push_str(&format!(
        "\nClaim codes on {} role(s) read with their details (of {}):\n",
        r.roles_read_with_details, r.roles
    ));
    for c in &r.claim_codes {
        let what = match (&c.label, &c.today) {
            (Some(l), _) => l.clone(),
            (None, Some(t)) => format!("older name of {t}"),
            (None, None) => "not in halo-onboard's vocabulary".into(),
        };
        s.push_str(&format!(
            "  {:<28} {:<52} on {} role(s)\n",
            c.code, what, c.roles
        ));
    }
    s.push_str("\nList shapes:\n");
    for (k, v) in &r.list_shapes {
        s.push_str(&format!("  {k:<12} {v}\n"));
    }
    s.push_str(&format!(
        "\nAgent fields ({}): {}\n",
        r.agent_fields.len(),
        r.agent_fields.join(", ")
    ));
    s.push_str(&format!(
        "Application fields ({}): {}\n",
        r.application_fields.len(),
        r.application_fields.join(", ")
    ));
    s.push_str(&format!(
        "\nBootstrap scopes granted: {} (admin: {}, all:teams: {})\n",
        r.scopes_granted.join(" "),
        if r.admin_granted { "yes" } else { "no" },
        if r.all_teams_granted { "yes" } else { "no" }
    ));
    s
}

/// `--quiet`: the assumptions that do not hold and the verdict line, nothing else.
pub(super) fn quiet_text(r: &Report) -> String {
    let mut s = String::new();
    for a in r.assumptions.iter().filter(|a| !a.holds) {
        s.push_str(&format!(
            "  ✗ {}: {}\n      here: {}\n",
            a.id, a.what, a.evidence
        ));
    }
    match r.failed() {
        None => s.push_str("Every assumption holds.\n"),
        Some(f) => s.push_str(&format!("FAILED: {} — {}.\n", f.id, f.what)),
    }
    s
}
