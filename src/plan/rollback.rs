//! Rollback deletes what a setup created, newest first, and only what it can prove is still its
//! own: each object is read from Halo first and must pass [`crate::plan::ownership`] (the role's
//! marker, the application's recorded Client ID, the chain) and still be what the journal recorded (its name; an API-only agent still API-only).
//! A journal id can point at a stranger — Halo restored from a backup reuses ids, a journal can
//! be edited — so an object that fails the proof is kept and reported with the reason; one Halo
//! no longer has is reported as already gone.

use serde::Serialize;

use crate::halo::model::{Agent, Application, Role};
use crate::halo::{Client, HaloError};
use crate::journal::{Event, Journal, Session, Status, Subject};
use crate::plan::apply::ApplyError;
use crate::plan::build::Object;
use crate::plan::ownership::{self, Verdict};

/// What rollback does with one object the setup created.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case", tag = "fate", content = "reason")]
pub enum Fate {
    /// Proven ours: deleted (or, before `--yes`, would be).
    Delete,
    /// Halo has no such object any more.
    AlreadyGone,
    /// Not provably ours any more: kept, with the reason.
    Kept(String),
}

/// One object of the setup and its fate.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Item {
    /// The kind of object.
    pub object: Object,
    /// Halo's id of the object, as the journal recorded it.
    pub id: String,
    /// The name Halo shows for it now (empty when gone).
    pub name: String,
    /// In JSON: `"fate": "delete" | "already-gone" | "kept"`, and `"reason"` when kept.
    #[serde(flatten)]
    pub fate: Fate,
}

impl Item {
    /// One line for people: what happened (`done`) or would happen.
    pub fn line(&self, done: bool) -> String {
        let what = format!("{} {}", self.object.label().to_lowercase(), self.id);
        match (&self.fate, done) {
            (Fate::Delete, true) => format!("deleted {what} '{}'", self.name),
            (Fate::Delete, false) => format!("would delete {what} '{}'", self.name),
            (Fate::AlreadyGone, _) => format!("{what}: already gone (Halo has no such object)"),
            (Fate::Kept(why), true) => format!("{what}: not ours any more, kept ({why})"),
            (Fate::Kept(why), false) => {
                format!("{what}: not ours any more, would be kept ({why})")
            }
        }
    }
}

/// A read that found nothing is `None`; any other failure stops the rollback.
fn found<T>(r: Result<T, HaloError>) -> Result<Option<T>, HaloError> {
    match r {
        Ok(v) => Ok(Some(v)),
        Err(HaloError::NotFound(_)) => Ok(None),
        Err(e) => Err(e),
    }
}

fn fate(v: Verdict) -> Fate {
    match v {
        Verdict::Ours => Fate::Delete,
        Verdict::NotOurs(why) => Fate::Kept(why),
    }
}

/// Reads what the journal names and decides each created object's fate. Writes nothing, so
/// it also serves the listing shown before `--yes`. Order: application, agent, role (newest
/// first, the order of deletion).
pub async fn assess(client: &Client, s: &Session) -> Result<Vec<Item>, HaloError> {
    let o = &s.objects;
    let named = Named::read(client, s).await?;
    let verdicts = Verdicts::of(s, &named);
    let mut items = Vec::new();
    if let (true, Some(id)) = (o.application_created, &named.app_id) {
        items.push(Item {
            object: Object::Application,
            id: id.clone(),
            name: named
                .app
                .as_ref()
                .map(|x| x.display_name.clone())
                .unwrap_or_default(),
            fate: verdicts.app.map_or(Fate::AlreadyGone, fate),
        });
    }
    if let (true, Some(id)) = (o.agent_created, o.agent_id) {
        items.push(Item {
            object: Object::Agent,
            id: id.to_string(),
            name: named
                .agent
                .as_ref()
                .map(|g| g.name.clone())
                .unwrap_or_default(),
            fate: verdicts.agent.map_or(Fate::AlreadyGone, fate),
        });
    }
    if let (true, Some(id)) = (o.role_created, &named.role_id) {
        items.push(Item {
            object: Object::Role,
            id: id.clone(),
            name: named
                .role
                .as_ref()
                .map(|r| r.name.clone())
                .unwrap_or_default(),
            fate: verdicts.role.map_or(Fate::AlreadyGone, fate),
        });
    }
    Ok(items)
}

/// What Halo shows of the objects the journal names (`None`: no such object, or none named).
struct Named {
    role_id: Option<String>,
    app_id: Option<String>,
    role: Option<Role>,
    agent: Option<Agent>,
    app: Option<Application>,
}

impl Named {
    /// Everything the journal names is read, created or not: adopted objects can still prove
    /// the chain (an agent is ours by holding our role or logging in for our application).
    async fn read(client: &Client, s: &Session) -> Result<Self, HaloError> {
        let o = &s.objects;
        let role_id = o.role_id.clone().filter(|i| !i.is_empty());
        let app_id = o.application_id.clone().filter(|i| !i.is_empty());
        let (role, agent, app) = tokio::join!(
            async {
                match &role_id {
                    Some(id) => found(client.get_role(id).await),
                    None => Ok(None),
                }
            },
            async {
                match o.agent_id {
                    Some(id) => found(client.get_agent(id).await),
                    None => Ok(None),
                }
            },
            async {
                match &app_id {
                    Some(id) => found(client.get_application(id).await),
                    None => Ok(None),
                }
            }
        );
        Ok(Self {
            role_id,
            app_id,
            role: role?,
            agent: agent?,
            app: app?,
        })
    }
}

/// Whether each object read is provably this setup's (`None`: not there to judge).
struct Verdicts {
    role: Option<Verdict>,
    agent: Option<Verdict>,
    app: Option<Verdict>,
}

impl Verdicts {
    /// Along the chain: the role by its marker; the agent by our role or by logging in for the
    /// application with our recorded Client ID; the application by that Client ID or our agent.
    fn of(s: &Session, n: &Named) -> Self {
        let (o, a) = (&s.objects, &s.answers);
        let role = n
            .role
            .as_ref()
            .map(|r| ownership::role(r, &s.marker(), &a.role.name));
        let our_role = match (&role, &n.role_id) {
            (Some(Verdict::Ours), Some(id)) => Some(id.as_str()),
            _ => None,
        };
        // The application by the Client ID this journal recorded for it; its login agent is
        // then one link of the agent's chain.
        let app_by_client_id = n
            .app
            .as_ref()
            .map(|x| ownership::application(x, &a.application.name, o.client_id.as_deref(), None));
        let login_of_our_app = match (&app_by_client_id, &n.app) {
            (Some(Verdict::Ours), Some(x)) => x.loginas_agent_id,
            _ => None,
        };
        let agent = n.agent.as_ref().map(|g| {
            let proof = ownership::AgentProof {
                our_role_id: our_role,
                login_of_our_app,
                recorded: false,
            };
            still_api_only(
                g,
                a.agent.api_only,
                ownership::agent(g, &a.agent.name, proof),
            )
        });
        let our_agent = match (&agent, &n.agent) {
            (Some(Verdict::Ours), Some(g)) => g.id,
            _ => None,
        };
        let app = n.app.as_ref().map(|x| {
            ownership::application(x, &a.application.name, o.client_id.as_deref(), our_agent)
        });
        Self { role, agent, app }
    }
}

/// What the journal recorded: an API-only agent. A full agent with that id is someone.
fn still_api_only(g: &Agent, api_only: bool, v: Verdict) -> Verdict {
    if v.is_ours() && api_only && !g.isapiagent {
        Verdict::NotOurs(format!(
            "agent {} '{}' is a full agent that can log in, not the API-only agent this setup made",
            g.id.unwrap_or_default(),
            g.name
        ))
    } else {
        v
    }
}

fn subject(o: Object) -> Subject {
    match o {
        Object::Role => Subject::Role,
        Object::Agent => Subject::Agent,
        Object::Application => Subject::Application,
    }
}

/// Deletes what [`assess`] proves is this setup's, newest first, each delete journaled before
/// and after. Objects kept or already gone are journaled as notes. Safe to run again after a
/// failure: it reads Halo afresh, and what is gone is reported as such.
pub async fn rollback(
    client: &Client,
    journal: &Journal,
    s: &mut Session,
) -> Result<Vec<Item>, ApplyError> {
    let mut items = assess(client, s).await?;
    for item in &mut items {
        let subj = subject(item.object);
        if item.fate == Fate::Delete {
            journal.record(
                s,
                Event::About {
                    subject: subj,
                    action: "delete".into(),
                },
            )?;
            let r = match item.object {
                Object::Application => client.delete_application(&item.id).await,
                Object::Agent => match item.id.parse() {
                    Ok(id) => client.delete_agent(id).await,
                    Err(_) => Err(HaloError::NotFound(format!("agent {}", item.id))),
                },
                Object::Role => client.delete_role(&item.id).await,
            };
            match r {
                Ok(()) => {}
                // Gone between the read and the delete: the same end.
                Err(HaloError::NotFound(_)) => item.fate = Fate::AlreadyGone,
                Err(e) => {
                    journal.record(
                        s,
                        Event::Failed {
                            subject: subj,
                            action: "delete".into(),
                            error: e.to_string(),
                        },
                    )?;
                    return Err(e.into());
                }
            }
            journal.record(
                s,
                Event::Done {
                    subject: subj,
                    action: "delete".into(),
                    id: item.id.clone(),
                },
            )?;
        } else {
            journal.record(
                s,
                Event::Note {
                    text: item.line(true),
                },
            )?;
        }
        // Whatever its fate, the setup no longer owns it: a later rollback never touches it.
        match item.object {
            Object::Application => s.objects.application_created = false,
            Object::Agent => s.objects.agent_created = false,
            Object::Role => s.objects.role_created = false,
        }
    }
    if s.secret_pending {
        journal.wipe_secret(s)?;
    }
    s.status = Status::RolledBack;
    journal.save(s)?;
    Ok(items)
}
