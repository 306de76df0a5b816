//! What Halo has that a plan depends on ([`Lookups`]), and what earlier setups of this journal
//! recorded creating there ([`Recorded`]).

use crate::answers::Answers;
use crate::halo::dialect::confirm::{Vocabulary, confirm};
use crate::halo::model::*;

/// What Halo has that the plan depends on.
#[derive(Debug, Clone, Default)]
pub struct Lookups {
    /// Halo's roles; claims are read in detail for the roles the answers name.
    pub roles: Vec<Role>,
    /// Halo's teams, to resolve the team names in the answers.
    pub teams: Vec<Team>,
    /// Halo's departments, to resolve the department names in the answers.
    pub departments: Vec<Department>,
    /// Halo's workdays, to resolve the workday name in the answers.
    pub workdays: Vec<Workday>,
    /// Agents whose username matches the answers (API-only and disabled included).
    pub agents: Vec<Agent>,
    /// Halo's API applications.
    pub applications: Vec<Application>,
    /// What earlier setups of this journal recorded creating on this Halo (see
    /// [`Recorded`]); empty where no journal was consulted.
    pub recorded: Recorded,
}

/// Ids earlier setups of this journal recorded creating on this Halo: proof, besides the role
/// marker, that an agent or application a new setup finds by name is one halo-onboard made
/// (`plan::ownership`). Filled from the journal by [`Recorded::from_journal`].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Recorded {
    /// Ids of agents earlier setups created on this Halo.
    pub agent_ids: Vec<i64>,
    /// (application id, Client ID) pairs.
    pub applications: Vec<(String, String)>,
}

impl Recorded {
    /// What the setups of `journal` other than `except` created on the Halo at `endpoint`
    /// (ids are per instance: another Halo's agent 7 is someone else).
    pub fn from_journal(
        journal: &crate::journal::Journal,
        endpoint: &crate::halo::Endpoint,
        except: &str,
    ) -> Self {
        let mut r = Self::default();
        let same_halo = |e: &Option<crate::halo::Endpoint>| {
            e.as_ref().is_some_and(|e| {
                e.resource_url
                    .trim_end_matches('/')
                    .eq_ignore_ascii_case(endpoint.resource_url.trim_end_matches('/'))
            })
        };
        for s in journal.list().0 {
            if s.id == except || !same_halo(&s.endpoint) {
                continue;
            }
            let o = &s.objects;
            if let (true, Some(id)) = (o.agent_created, o.agent_id) {
                r.agent_ids.push(id);
            }
            if let (true, Some(id), Some(cid)) =
                (o.application_created, &o.application_id, &o.client_id)
            {
                r.applications.push((id.clone(), cid.clone()));
            }
        }
        r
    }

    /// The Client ID an earlier setup recorded for application `id`.
    pub fn client_id_of(&self, id: Option<&str>) -> Option<&str> {
        let id = id?;
        self.applications
            .iter()
            .find(|(a, _)| a == id)
            .map(|(_, c)| c.as_str())
    }
}

impl Lookups {
    /// A role by Halo id, or else by name (answers from a profile name the role).
    pub fn role_by_key(&self, key: &str) -> Option<&Role> {
        self.roles
            .iter()
            .find(|r| r.id.as_deref() == Some(key))
            .or_else(|| find_by_name(&self.roles, key, |r| &r.name))
    }
    /// Does this Halo speak halo-onboard's claim vocabulary (judged from the roles' details)?
    pub fn vocabulary(&self) -> Vocabulary {
        confirm(&self.roles)
    }
    /// Work hours are referred to by name: answers naming hours this Halo does not have fall
    /// back to the first it has.
    pub fn settle_workday(&self, a: &mut Answers) {
        let wd = &a.agent.workday;
        if let Some(first) = self.workdays.first()
            && !self
                .workdays
                .iter()
                .any(|w| w.name.eq_ignore_ascii_case(wd))
        {
            a.agent.workday = first.name.clone();
        }
    }
    /// Agents whose username equals `name` (case-insensitive, trimmed).
    pub fn agents_named(&self, name: &str) -> Vec<&Agent> {
        if name.trim().is_empty() {
            return Vec::new();
        }
        self.agents
            .iter()
            .filter(|a| a.name.trim().eq_ignore_ascii_case(name.trim()))
            .collect()
    }
}

/// The item whose name is `name` (case-insensitive, trimmed).
pub(crate) fn find_by_name<'a, T>(
    items: &'a [T],
    name: &str,
    get: impl Fn(&T) -> &str,
) -> Option<&'a T> {
    let n = name.trim();
    items.iter().find(|t| get(t).trim().eq_ignore_ascii_case(n))
}
