//! `tighten`: an over-privileged integration down to its profile's least privilege, without
//! cutting the vendor off.
//!
//! Two routes, chosen from what Halo shows:
//! - **In place**, when the agent may stay (API-only, not an administrator the profile does not
//!   ask for, its one role held by no other agent): the application's scopes, then the role's
//!   permissions, are set to the profile's, one step at a time. Each step is journaled with what
//!   it replaced, checked with the application's own credentials, and put back at once if a
//!   check that passed before fails after it (the vendor's needs stopped being met).
//! - **A new agent** (the rotation route), when the agent must change (a person's account, an
//!   administrator, a role shared with other agents or unreadable): a new role, API-only agent
//!   and application from the profile, verified and handed over; `rotate --finish` then
//!   deletes the old application. The old agent, the person's account and any Administrator
//!   role are never edited or deleted. If the new credentials do not verify, what was created
//!   is deleted again and the setup is as it was.

use std::collections::BTreeMap;

use secrecy::SecretString;
use serde::Serialize;
use serde_json::{Map, Value, json};

use crate::answers::{Answers, RoleAnswers, RoleMode};
use crate::halo::dialect::Permissions;
use crate::halo::dialect::claims::{self, ADMIN};
use crate::halo::model::Claim;
use crate::halo::{Client, ClientOptions, HaloError};
use crate::journal::rotation::{Previous, Purpose, Rotation, Undo};
use crate::journal::{Event, Journal, Objects, Session, Status, Subject, now_unix};
use crate::plan::apply::ProgressFn;
use crate::plan::apply::{Applier, GivenSecret, Progress};
use crate::plan::inventory::{self, AgentRead, Integration, RoleRead};
use crate::plan::rotate::{RotateError, Rotator, is_recorded};
use crate::plan::survey::For;
use crate::plan::verify::{self, Target, Verification};

/// One in-place step.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "kebab-case", tag = "step")]
pub enum Step {
    /// The application's scopes set to the profile's.
    Scopes {
        application_id: String,
        name: String,
        from: Vec<String>,
        to: Vec<String>,
    },
    /// The role's permissions set to the profile's.
    Role {
        role_id: String,
        name: String,
        from: Vec<Claim>,
        to: Vec<Claim>,
        /// Each change in Halo's words ("Tickets: Read and Modify → Read Only").
        changes: Vec<String>,
    },
}

impl Step {
    pub fn words(&self) -> String {
        match self {
            Self::Scopes { name, from, to, .. } => {
                let drop: Vec<&str> = from
                    .iter()
                    .filter(|s| !to.contains(s))
                    .map(String::as_str)
                    .collect();
                let add: Vec<&str> = to
                    .iter()
                    .filter(|s| !from.contains(s))
                    .map(String::as_str)
                    .collect();
                let mut w = format!(
                    "application '{name}': scopes {} → {}",
                    from.join(" "),
                    to.join(" ")
                );
                if !drop.is_empty() {
                    w.push_str(&format!(" (drops {})", drop.join(", ")));
                }
                if !add.is_empty() {
                    w.push_str(&format!(
                        " (adds {}, which the profile needs)",
                        add.join(", ")
                    ));
                }
                w
            }
            Self::Role { name, changes, .. } => {
                format!("role '{name}': {}", changes.join("; "))
            }
        }
    }
}

/// The new agent, role and application of the rotation route.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct NewAgent {
    /// Why the agent changes.
    pub reasons: Vec<String>,
    pub role: String,
    pub agent: String,
    pub application: String,
    pub scopes: Vec<String>,
    /// What the integration has now that it will not have, in words.
    pub drops: Vec<String>,
}

/// What `tighten` would do.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Plan {
    pub new_agent: Option<NewAgent>,
    pub steps: Vec<Step>,
    /// What is left as it is, and why.
    pub notes: Vec<String>,
}

impl Plan {
    pub fn is_empty(&self) -> bool {
        self.new_agent.is_none() && self.steps.is_empty()
    }

    /// The plan for people.
    pub fn text(&self) -> String {
        let mut o = String::new();
        match &self.new_agent {
            Some(n) => {
                o.push_str("Tighten through a new agent (the old application keeps working until `rotate --finish`):\n");
                for r in &n.reasons {
                    o.push_str(&format!("  why: {r}\n"));
                }
                o.push_str(&format!(
                    "  create role '{}' (the profile's permissions), API-only agent '{}' with it, application '{}' logging in as it with scopes {}\n",
                    n.role,
                    n.agent,
                    n.application,
                    n.scopes.join(" ")
                ));
                o.push_str("  verify the new credentials; hand them over in a new file; then `halo-onboard rotate --finish` deletes the old application\n");
                for d in &n.drops {
                    o.push_str(&format!("  drops: {d}\n"));
                }
            }
            None if self.steps.is_empty() => o.push_str(
                "Nothing to tighten: the integration has exactly what its profile needs.\n",
            ),
            None => {
                o.push_str("Tighten in place, one step at a time, each checked with the integration's own credentials and put back if a need stops being met:\n");
                for (i, s) in self.steps.iter().enumerate() {
                    o.push_str(&format!("  {}. {}\n", i + 1, s.words()));
                }
            }
        }
        for n in &self.notes {
            o.push_str(&format!("  note: {n}\n"));
        }
        o
    }
}

/// What Halo shows of the setup's integration, proven to be the one the journal recorded.
#[derive(Debug, Clone)]
pub struct Current {
    pub integration: Integration,
    /// Role id → how many other agents hold it (`None`: the agent list could not be read).
    pub others: Option<BTreeMap<String, usize>>,
}

/// Reads the integration the setup manages: its application (id, Client ID and login agent as
/// recorded), agent, roles, and who else holds those roles.
pub async fn read(client: &Client, s: &Session) -> Result<Current, RotateError> {
    let o = &s.objects;
    let (Some(app_id), Some(cid), Some(agent_id)) = (
        o.application_id.clone().filter(|x| !x.is_empty()),
        o.client_id.clone().filter(|x| !x.is_empty()),
        o.agent_id,
    ) else {
        return Err(RotateError::NotReady(
            format!("setup {} has no application yet", s.id),
            format!("Finish it first: halo-onboard resume {} --yes", s.id),
        ));
    };
    let app = client.get_application(&app_id).await?;
    is_recorded(&app, &app_id, &cid, agent_id).map_err(RotateError::NotOurs)?;
    let integration = inventory::around(client, app).await;
    let others = client.agents_with_roles().await.ok().map(|agents| {
        integration
            .roles
            .iter()
            .map(|r| {
                let n = inventory::holders(&agents, r.id())
                    .iter()
                    .filter(|a| a.id != Some(agent_id))
                    .count();
                (r.id().to_ascii_lowercase(), n)
            })
            .collect()
    });
    Ok(Current {
        integration,
        others,
    })
}

/// Each difference between two permission sets, in Halo's words, and whether `have` grants
/// something `want` does not.
fn differences(have: &Permissions, want: &Permissions) -> (Vec<String>, Vec<String>) {
    let mut changes = Vec::new();
    let mut beyond = Vec::new();
    let label = |p: &Permissions, code: &str| p.get(code).map_or("Not set", |l| l.label);
    let mut codes: Vec<&'static str> = have.codes();
    for c in want.codes() {
        if !codes.contains(&c) {
            codes.push(c);
        }
    }
    for code in codes {
        let (h, w) = (have.get(code), want.get(code));
        if h.map(|l| l.value) == w.map(|l| l.value) {
            continue;
        }
        let name = claims::by_code(code).map_or(code, |d| d.label);
        changes.push(format!(
            "{name}: {} → {}",
            label(have, code),
            label(want, code)
        ));
        let more = if code == ADMIN {
            have.admin() && !want.admin()
        } else {
            h.map(|l| l.grade).unwrap_or_default() > w.map(|l| l.grade).unwrap_or_default()
        };
        if more {
            beyond.push(format!("{name} ({})", label(have, code)));
        }
    }
    (changes, beyond)
}

/// The plan: `target` is the profile's answers (names, role, scopes); `new_agent` forces the
/// rotation route.
pub fn plan(cur: &Current, target: &Answers, new_agent: bool) -> Result<Plan, RotateError> {
    let i = &cur.integration;
    let Some(agent) = i.agent() else {
        // Say why: a refusal, a rate limit and an outage each have their own fix.
        let why = match &i.agent {
            AgentRead::Unreadable { why, .. } => format!(": {why}"),
            _ => " (it names no agent)".into(),
        };
        return Err(RotateError::NotReady(
            format!(
                "the agent application '{}' logs in as could not be read{why}",
                i.app.display_name
            ),
            "If Halo refused it, check that the bootstrap application may read agents (admin scope, an administrator agent); then run it again.".into(),
        ));
    };
    let want = &target.role.permissions;
    let have = i.permissions();
    let mut reasons = Vec::new();
    let mut notes = Vec::new();
    if !agent.isapiagent && target.agent.api_only {
        reasons.push(format!(
            "it logs in as '{}', a person's account (not API-only)",
            agent.name
        ));
    }
    match i.admin() {
        Some(true) if !want.admin() => reasons.push(format!(
            "its agent '{}' is a HaloPSA Administrator; the profile does not ask for one",
            agent.name
        )),
        None => reasons.push(format!(
            "the roles of agent '{}' could not be read, so its rights cannot be judged or edited",
            agent.name
        )),
        _ => {}
    }
    let own = Permissions::from_claims(&agent.claims);
    if !differences(&own, want).1.is_empty() {
        reasons.push(format!(
            "agent '{}' carries permissions of its own beyond the profile's (halo-onboard does not edit an agent's own claims)",
            agent.name
        ));
    }
    let (role_changes, beyond) = differences(&have, want);
    let role_step = match i.roles.as_slice() {
        _ if role_changes.is_empty() => None,
        // An administrator role is never edited in place (other agents may come to hold it,
        // and it is the one an admin would least expect to change).
        [RoleRead::Read(role)] if role.is_admin() => {
            if reasons.is_empty() {
                reasons.push(format!(
                    "its role '{}' is an administrator role, which halo-onboard does not edit",
                    role.name
                ));
            }
            None
        }
        [RoleRead::Read(role)] => {
            let id = role.id.clone().unwrap_or_default();
            let shared = cur
                .others
                .as_ref()
                .map(|o| o.get(&id.to_ascii_lowercase()).copied().unwrap_or(0));
            match shared {
                Some(0) => Some(Step::Role {
                    role_id: id,
                    name: role.name.clone(),
                    from: role.claims.clone(),
                    to: want.claims(),
                    changes: role_changes.clone(),
                }),
                Some(n) if reasons.is_empty() => {
                    reasons.push(format!(
                        "its role '{}' is held by {n} other agent(s): changing it would change them too",
                        role.name
                    ));
                    None
                }
                Some(_) => None,
                None if reasons.is_empty() => {
                    reasons.push(format!(
                        "who else holds role '{}' could not be read (the agent list), so it is not changed",
                        role.name
                    ));
                    None
                }
                None => None,
            }
        }
        [] => {
            reasons.push(format!("agent '{}' has no role to tighten", agent.name));
            None
        }
        roles => {
            reasons.push(format!(
                "agent '{}' has {} roles ({}): their rights add up, so no one of them can be set to the profile's",
                agent.name,
                roles.len(),
                roles.iter().map(RoleRead::name).collect::<Vec<_>>().join(", ")
            ));
            None
        }
    };
    if new_agent {
        reasons.push("--new-agent asks for it".into());
    }
    let want_scopes = crate::halo::scopes::normalise(&target.scopes);
    let have_scopes = crate::halo::scopes::normalise(&i.app.scope_names());
    let extra_scopes: Vec<String> = have_scopes
        .iter()
        .filter(|s| !want_scopes.contains(s))
        .cloned()
        .collect();
    if !reasons.is_empty() {
        let mut drops = Vec::new();
        if !beyond.is_empty() {
            drops.push(format!(
                "rights beyond the profile's: {}",
                beyond.join(", ")
            ));
        }
        if !extra_scopes.is_empty() {
            drops.push(format!("scopes: {}", extra_scopes.join(", ")));
        }
        notes.push(format!(
            "agent '{}' (id {}) and its roles ({}) are left as they are: halo-onboard never edits or deletes a person's account, an Administrator role or a role other agents hold; once the old application is deleted, disable or remove what nothing else uses in Halo",
            agent.name,
            agent.id.unwrap_or_default(),
            i.roles.iter().map(RoleRead::name).collect::<Vec<_>>().join(", ")
        ));
        return Ok(Plan {
            new_agent: Some(NewAgent {
                reasons,
                role: target.role.name.trim().to_string(),
                agent: target.agent.name.trim().to_string(),
                application: target.application.name.trim().to_string(),
                scopes: want_scopes,
                drops,
            }),
            steps: Vec::new(),
            notes,
        });
    }
    let mut steps = Vec::new();
    if have_scopes != want_scopes {
        steps.push(Step::Scopes {
            application_id: i.app.id.clone().unwrap_or_default(),
            name: i.app.display_name.clone(),
            from: have_scopes,
            to: want_scopes,
        });
    }
    steps.extend(role_step);
    Ok(Plan {
        new_agent: None,
        steps,
        notes,
    })
}

/// The in-place route and its checks.
pub struct InPlace<'a> {
    pub client: &'a Client,
    pub journal: &'a Journal,
    pub progress: Option<ProgressFn>,
}

/// How an in-place tightening ended.
#[derive(Debug, Clone)]
pub struct InPlaceDone {
    /// The steps applied (in order) and kept.
    pub applied: Vec<String>,
    /// The last check.
    pub verification: Verification,
}

/// The checks with the integration's own credentials that passed `before` and fail `after`.
fn regressions(before: &Verification, after: &Verification) -> Vec<String> {
    after
        .failures()
        .filter(|f| before.checks.iter().any(|b| b.name == f.name && b.pass))
        .map(|f| format!("{}: {}", f.name, f.detail))
        .collect()
}

impl InPlace<'_> {
    fn say(&self, s: impl Into<String>) {
        if let Some(f) = &self.progress {
            f(Progress::Step(s.into()));
        }
    }

    /// Verifies the integration as the profile needs it, with its own credentials.
    async fn check(
        &self,
        s: &Session,
        target: &Answers,
        client_id: &str,
        secret: &SecretString,
    ) -> Verification {
        let scopes = crate::halo::scopes::normalise(&target.scopes);
        let ep = self.client.endpoint().clone();
        let t = Target {
            endpoint: &ep,
            client_id,
            client_secret: secret,
            scopes: &scopes,
            agent_id: s.objects.agent_id.unwrap_or_default(),
            role: &target.role,
            application_name: &s.answers.application.name,
        };
        let opts = ClientOptions {
            events: self.client.events(),
            ca: self.client.ca(),
            ..ClientOptions::default()
        };
        verify::verify_with_role(&t, Some(&target.role.permissions), opts, Some(self.client)).await
    }

    async fn write(&self, s: &mut Session, step: &Step) -> Result<(), RotateError> {
        let (subject, patch, undo) = match step {
            Step::Scopes {
                application_id,
                from,
                to,
                ..
            } => {
                let mut p = Map::new();
                p.insert("id".into(), json!(application_id));
                p.insert(
                    "scopes".into(),
                    Value::Array(to.iter().map(|n| json!({"name": n})).collect()),
                );
                (
                    Subject::Application,
                    p,
                    Undo::Scopes {
                        application_id: application_id.clone(),
                        scopes: from.clone(),
                    },
                )
            }
            Step::Role {
                role_id, from, to, ..
            } => {
                let mut p = Map::new();
                p.insert("id".into(), json!(role_id));
                p.insert(
                    "claims".into(),
                    serde_json::to_value(to).unwrap_or_default(),
                );
                (
                    Subject::Role,
                    p,
                    Undo::Role {
                        role_id: role_id.clone(),
                        claims: from.clone(),
                    },
                )
            }
        };
        // What it replaces is journaled before Halo sees the change.
        s.undo.push(undo);
        self.journal.record(
            s,
            Event::About {
                subject,
                action: "tighten".into(),
            },
        )?;
        let id = patch
            .get("id")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string();
        match subject {
            Subject::Role => self.client.update_role_fields(&patch).await?,
            _ => self.client.update_application_fields(&patch, None).await?,
        };
        self.journal.record(
            s,
            Event::Done {
                subject,
                action: "tighten".into(),
                id,
            },
        )?;
        Ok(())
    }

    /// Puts back every change the journal holds, newest first.
    pub async fn undo_all(&self, s: &mut Session) -> Result<Vec<String>, RotateError> {
        let mut done = Vec::new();
        while let Some(u) = s.undo.last().cloned() {
            let (subject, patch, words) = match &u {
                Undo::Scopes {
                    application_id,
                    scopes,
                } => {
                    let mut p = Map::new();
                    p.insert("id".into(), json!(application_id));
                    p.insert(
                        "scopes".into(),
                        Value::Array(scopes.iter().map(|n| json!({"name": n})).collect()),
                    );
                    (
                        Subject::Application,
                        p,
                        format!(
                            "application {application_id}: scopes put back ({})",
                            scopes.join(" ")
                        ),
                    )
                }
                Undo::Role { role_id, claims } => {
                    let mut p = Map::new();
                    p.insert("id".into(), json!(role_id));
                    p.insert(
                        "claims".into(),
                        serde_json::to_value(claims).unwrap_or_default(),
                    );
                    (
                        Subject::Role,
                        p,
                        format!("role {role_id}: permissions put back"),
                    )
                }
            };
            self.journal.record(
                s,
                Event::About {
                    subject,
                    action: "undo".into(),
                },
            )?;
            match subject {
                Subject::Role => self.client.update_role_fields(&patch).await?,
                _ => self.client.update_application_fields(&patch, None).await?,
            };
            s.undo.pop();
            self.journal.record(
                s,
                Event::Done {
                    subject,
                    action: "undo".into(),
                    id: patch
                        .get("id")
                        .and_then(Value::as_str)
                        .unwrap_or_default()
                        .to_string(),
                },
            )?;
            self.say(words.clone());
            done.push(words);
        }
        Ok(done)
    }

    /// Applies the steps one at a time, each checked with the integration's credentials; a
    /// check that passed before and fails after puts every change of this tightening back.
    pub async fn run(
        &self,
        s: &mut Session,
        plan: &Plan,
        target: &Answers,
        secret: &SecretString,
    ) -> Result<InPlaceDone, TightenError> {
        let client_id = s.objects.client_id.clone().unwrap_or_default();
        if !s.undo.is_empty() {
            // An earlier run stopped between a change and its check: check now.
            let v = self.check(s, target, &client_id, secret).await;
            if !crate::plan::rotate::works(&v) {
                self.say("An earlier tightening was interrupted before its check, and the check fails now: putting its changes back");
                let undone = self.undo_all(s).await?;
                return Err(TightenError::NeedsNotMet {
                    failed: v
                        .failures()
                        .map(|f| format!("{}: {}", f.name, f.detail))
                        .collect(),
                    undone,
                    verification: v,
                });
            }
        }
        self.say("Checking the integration with its own credentials before any change");
        let before = self.check(s, target, &client_id, secret).await;
        if before.invalid_client
            || before
                .checks
                .first()
                .is_some_and(|c| c.name == "token" && !c.pass)
        {
            return Err(TightenError::Rotate(RotateError::NotReady(
                format!(
                    "the application's own credentials do not get a token ({}), so no step could be checked",
                    before.checks.first().map(|c| c.detail.clone()).unwrap_or_default()
                ),
                "Give the secret the vendor uses in HALO_APP_CLIENT_SECRET (or --app-secret-file FILE), or take the route that needs none: --new-agent.".into(),
            )));
        }
        let mut applied = Vec::new();
        let mut last = before.clone();
        for step in &plan.steps {
            self.say(format!("Tightening {}", step.words()));
            self.write(s, step).await?;
            let after = self.check(s, target, &client_id, secret).await;
            let lost = regressions(&before, &after);
            if !lost.is_empty() {
                self.say("A need of the vendor stopped being met: putting the changes back");
                let undone = self.undo_all(s).await?;
                return Err(TightenError::NeedsNotMet {
                    failed: lost,
                    undone,
                    verification: after,
                });
            }
            self.say("  checked: every need that was met still is");
            applied.push(step.words());
            last = after;
        }
        // Kept: the setup now says what the integration is.
        s.undo.clear();
        let i_role = plan.steps.iter().find_map(|st| match st {
            Step::Role { role_id, name, .. } => Some((role_id.clone(), name.clone())),
            _ => None,
        });
        s.answers.scopes = target.scopes.clone();
        let keep_mode = s.answers.role.mode.clone();
        let (mode, name) = match i_role {
            Some((id, name)) => (RoleMode::Reuse(id), name),
            None => (keep_mode, s.answers.role.name.clone()),
        };
        s.answers.role = RoleAnswers {
            mode,
            name,
            notes: s.answers.role.notes.clone(),
            permissions: target.role.permissions.clone(),
            other_permissions: target.role.other_permissions.clone(),
        };
        s.answers.agent.api_only = target.agent.api_only;
        self.journal.record(
            s,
            Event::Note {
                text: format!("tightened in place: {}", applied.join("; ")),
            },
        )?;
        Ok(InPlaceDone {
            applied,
            verification: last,
        })
    }
}

#[derive(Debug, thiserror::Error)]
pub enum TightenError {
    #[error("{0}")]
    Rotate(#[from] RotateError),
    /// A check that passed before a step failed after it: every change was put back.
    #[error("a need of the vendor stopped being met ({}); every change was put back", .failed.join("; "))]
    NeedsNotMet {
        failed: Vec<String>,
        undone: Vec<String>,
        verification: Verification,
    },
}

impl From<HaloError> for TightenError {
    fn from(e: HaloError) -> Self {
        Self::Rotate(e.into())
    }
}

impl From<crate::journal::JournalError> for TightenError {
    fn from(e: crate::journal::JournalError) -> Self {
        Self::Rotate(e.into())
    }
}

/// The rotation route, step 1: the setup's application proven ours, the setup's answers and
/// objects kept aside (restored by `abandon`), the profile's answers in their place.
pub async fn begin_new_agent(
    r: &Rotator<'_>,
    s: &mut Session,
    target: &Answers,
) -> Result<(), RotateError> {
    if let Some(rot) = &s.rotation {
        if rot.purpose == Purpose::Tighten {
            return Ok(());
        }
        return Err(RotateError::NotReady(
            format!(
                "a rotation of setup {} is in progress ({})",
                s.id,
                rot.words()
            ),
            format!(
                "Finish it first (`halo-onboard rotate --finish {0}`) or abandon it (`halo-onboard rotate --abandon {0}`).",
                s.id
            ),
        ));
    }
    let o = s.objects.clone();
    let (app_id, cid, agent_id) = (
        o.application_id.clone().unwrap_or_default(),
        o.client_id.clone().unwrap_or_default(),
        o.agent_id.unwrap_or_default(),
    );
    let app = r.client.get_application(&app_id).await?;
    is_recorded(&app, &app_id, &cid, agent_id).map_err(RotateError::NotOurs)?;
    let mut answers = target.clone();
    answers.connection = s.answers.connection.clone();
    answers.profile = s.answers.profile.clone().or(target.profile.clone());
    s.rotation = Some(Rotation {
        purpose: Purpose::Tighten,
        started_unix: now_unix(),
        old_application_id: app_id.clone(),
        old_client_id: cid,
        old_agent_id: agent_id,
        before: Vec::new(),
        sent_client_id: String::new(),
        agent_id: 0,
        name: answers.application.name.trim().to_string(),
        scopes: crate::halo::scopes::normalise(&answers.scopes),
        new_application_id: None,
        new_client_id: None,
        created_unix: None,
        verified: false,
        credentials_file: None,
        handed_over: false,
        previous: Some(Box::new(Previous {
            answers: s.answers.clone(),
            objects: s.objects.clone(),
            credentials_file: s.credentials_file.clone(),
            handed_over: s.handed_over,
        })),
    });
    s.answers = answers;
    s.objects = Objects::default();
    s.credentials_file = None;
    s.handed_over = false;
    s.status = Status::Planned;
    r.journal.record(
        s,
        Event::Note {
            text: format!(
                "tightening started: a new role, API-only agent and application from the profile; application {app_id} stays until `rotate --finish`"
            ),
        },
    )?;
    Ok(())
}

/// The rotation route, step 2: the profile's role, agent and application created (the apply
/// engine: journaled, resumable, never twice), verified with the new credentials. A secret
/// `given` is one copied from Halo's web UI where Halo keeps its own.
pub async fn create_new_agent(
    r: &Rotator<'_>,
    s: &mut Session,
    given: Option<&GivenSecret>,
) -> Result<Verification, RotateError> {
    let rot = s.rotation.clone().ok_or_else(|| {
        RotateError::NotReady(
            format!("setup {} is not being tightened", s.id),
            String::new(),
        )
    })?;
    if rot.verified {
        return Ok(Verification::default());
    }
    if let Some(g) = given {
        r.journal.store_secret(s, &g.secret)?;
    }
    let applier = Applier {
        client: r.client,
        journal: r.journal,
        progress: r.progress.clone(),
        regenerate_secret: false,
    };
    let mut lk = crate::plan::survey::lookups(r.client, For::Setup(&s.answers)).await?;
    // The old application is not a stranger with the same name: it is the one being replaced.
    lk.applications.retain(|a| {
        !a.id
            .as_deref()
            .is_some_and(|i| i.eq_ignore_ascii_case(&rot.old_application_id))
    });
    let f = applier.apply_and_verify_with(s, lk, None).await?;
    let Some(v) = f.verification else {
        return Err(RotateError::NotReady(
            "the new credentials could not be verified".into(),
            format!("Abandon it: halo-onboard rotate --abandon {}", s.id),
        ));
    };
    if !crate::plan::rotate::works(&v) {
        return Err(RotateError::Unverified(v));
    }
    let created = s.secret_issued_unix().unwrap_or_else(now_unix);
    if let Some(x) = s.rotation.as_mut() {
        x.new_application_id = s.objects.application_id.clone();
        x.new_client_id = s.objects.client_id.clone();
        x.agent_id = s.objects.agent_id.unwrap_or_default();
        x.created_unix = Some(created);
        x.verified = true;
    }
    r.journal.record(
        s,
        Event::Done {
            subject: Subject::Verify,
            action: "rotation".into(),
            id: s.objects.application_id.clone().unwrap_or_default(),
        },
    )?;
    Ok(v)
}

/// Gives a tightening up: what it created (role, agent, application, each proven ours) is
/// deleted, and the setup's answers and objects are put back as they were. The old
/// application was never touched.
pub async fn abandon(r: &Rotator<'_>, s: &mut Session) -> Result<Vec<String>, RotateError> {
    let Some(rot) = s.rotation.clone() else {
        return Ok(Vec::new());
    };
    let mut done = Vec::new();
    let o = &s.objects;
    if o.role_created || o.agent_created || o.application_created {
        let items = crate::plan::rollback::rollback(r.client, r.journal, s).await?;
        done.extend(items.iter().map(|i| i.line(true)));
    }
    if let Some(f) = &rot.credentials_file
        && crate::plan::handover::read_credentials(f).is_some_and(|(cid, _)| {
            rot.new_client_id
                .as_deref()
                .is_some_and(|n| cid.eq_ignore_ascii_case(n))
        })
        && crate::journal::fsutil::wipe(f).is_ok()
    {
        done.push(format!("wiped the new credentials file {}", f.display()));
    }
    if s.secret_pending {
        r.journal.wipe_secret(s)?;
    }
    if let Some(p) = rot.previous {
        s.answers = p.answers;
        s.objects = p.objects;
        s.credentials_file = p.credentials_file;
        s.handed_over = p.handed_over;
    }
    s.status = Status::HandedOver;
    s.rotation = None;
    r.journal.record(
        s,
        Event::Note {
            text: format!(
                "tightening abandoned; the setup is as it was (application {})",
                rot.old_application_id
            ),
        },
    )?;
    Ok(done)
}

#[cfg(test)]
#[path = "tighten_tests.rs"]
mod tests;
