//! The emulator's data: the Halo objects it serves, seeded like a fresh tenant, and their
//! persistence to a state file (write temp + rename, so a crash never leaves half a file).

use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::halo::model::*;

/// A ticket, reduced to what the visibility rules need.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Ticket {
    pub id: i64,
    pub summary: String,
    pub team_id: i64,
    pub team: String,
    pub client_id: i64,
    pub client_name: String,
    pub status: String,
}

/// Everything the emulator stores. Public so tests can reach in through `SimHandle::with_state`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct State {
    pub agents: Vec<Agent>,
    pub roles: Vec<Role>,
    pub teams: Vec<Team>,
    pub departments: Vec<Department>,
    pub workdays: Vec<Workday>,
    pub applications: Vec<Application>,
    pub tickets: Vec<Ticket>,
    /// Id of the seeded admin application whose credentials `SimHandle` reports.
    pub bootstrap_app_id: String,
    /// Last integer id handed out per kind; ids are never reused, like SQL identity columns.
    pub last_ids: LastIds,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct LastIds {
    pub agent: i64,
    pub role: i64,
    pub team: i64,
    pub department: i64,
    pub workday: i64,
}

pub const UNASSIGNED_AGENT_ID: i64 = 1;
pub const BOOTSTRAP_AGENT_ID: i64 = 2;
pub const ADMIN_ROLE_ID: &str = "4f0e5f5c-3d4e-4b8a-9a43-0c1f7f0d2a11";
pub const FIRST_LINE_ROLE_ID: &str = "9b2d7c1e-6a5f-4e0b-8c3d-2e4f6a8b0c22";
/// Scopes of the bootstrap application.
pub const BOOTSTRAP_SCOPES: [&str; 4] = ["all", "admin", "all:teams", "admin:webhooks"];

pub fn new_guid() -> String {
    uuid::Uuid::new_v4().to_string()
}

/// Halo's client secret format: two GUIDs joined by '-'.
pub fn new_secret() -> String {
    format!("{}-{}", new_guid(), new_guid())
}

fn claim(t: &str, v: &str) -> Claim {
    Claim {
        claim_type: t.into(),
        value: v.into(),
    }
}

fn team_member(id: i64, name: &str) -> AgentTeam {
    AgentTeam {
        team_id: id,
        team_name: name.into(),
        unassigned_access: true,
        otheragent_access: true,
    }
}

impl State {
    /// A fresh tenant: departments, teams, work hours, two roles, the system "Unassigned" agent,
    /// one human agent, the bootstrap admin (API-only) and its application, and a few tickets.
    pub fn seed(client_id: String, client_secret: String) -> Self {
        let departments = vec![
            Department {
                id: Some(1),
                name: "Support".into(),
            },
            Department {
                id: Some(2),
                name: "Sales".into(),
            },
            Department {
                id: Some(3),
                name: "Projects".into(),
            },
        ];
        let team = |id, name: &str, department_id| Team {
            id: Some(id),
            name: name.into(),
            department_id,
            inactive: false,
        };
        let teams = vec![
            team(1, "Service Desk", 1),
            team(2, "Operations", 1),
            team(3, "Projects", 3),
        ];
        let workdays = vec![
            Workday {
                id: Some(1),
                name: "Default Working Hours".into(),
                timezone: "GMT Standard Time".into(),
            },
            Workday {
                id: Some(2),
                name: "24 Hours".into(),
                timezone: "GMT Standard Time".into(),
            },
        ];
        let roles = vec![
            Role {
                id: Some(ADMIN_ROLE_ID.into()),
                id_int: Some(1),
                name: "Administrator".into(),
                notes: "Built-in administrator role".into(),
                claims: vec![claim(CLAIM_IS_ADMIN, "true")],
            },
            Role {
                id: Some(FIRST_LINE_ROLE_ID.into()),
                id_int: Some(2),
                name: "1st Line Support".into(),
                notes: String::new(),
                claims: vec![
                    claim("feature:tickets", "edit"),
                    claim("feature:customers", "read"),
                    claim("feature:assets", "read"),
                    claim("feature:kb", "read"),
                ],
            },
        ];
        let unassigned = Agent {
            id: Some(UNASSIGNED_AGENT_ID),
            name: "Unassigned".into(),
            initials: "U".into(),
            colour: "#808080".into(),
            ..Agent::default()
        };
        let admin = Agent {
            id: Some(BOOTSTRAP_AGENT_ID),
            name: "Bootstrap Admin".into(),
            firstname: "Bootstrap".into(),
            surname: "Admin".into(),
            initials: "BA".into(),
            email: "bootstrap.admin@sandbox.example".into(),
            isapiagent: true,
            is_admin: true,
            team: "Service Desk".into(),
            teams: vec![
                team_member(1, "Service Desk"),
                team_member(2, "Operations"),
                team_member(3, "Projects"),
            ],
            roles: vec![RoleRef {
                id: ADMIN_ROLE_ID.into(),
                name: "Administrator".into(),
            }],
            workday_id: Some(1),
            workday_name: "Default Working Hours".into(),
            colour: "#1f77b4".into(),
            ..Agent::default()
        };
        let human = Agent {
            id: Some(3),
            name: "Sam Support".into(),
            firstname: "Sam".into(),
            surname: "Support".into(),
            initials: "SS".into(),
            email: "sam.support@sandbox.example".into(),
            team: "Service Desk".into(),
            teams: vec![team_member(1, "Service Desk")],
            roles: vec![RoleRef {
                id: FIRST_LINE_ROLE_ID.into(),
                name: "1st Line Support".into(),
            }],
            workday_id: Some(1),
            workday_name: "Default Working Hours".into(),
            colour: "#2ca02c".into(),
            ..Agent::default()
        };
        let app_id = new_guid();
        let app = Application {
            id: Some(app_id.clone()),
            client_id,
            client_secret,
            display_name: "Bootstrap Admin App".into(),
            description: "Seeded by the emulator".into(),
            inactive: false,
            grant_type: GRANT_CLIENT_CREDENTIALS.into(),
            loginentity: LOGIN_ENTITY_AGENT,
            loginas_agent_id: Some(BOOTSTRAP_AGENT_ID),
            loginas_agent_name: "Bootstrap Admin".into(),
            scopes: BOOTSTRAP_SCOPES
                .iter()
                .map(|s| ScopeRef { name: (*s).into() })
                .collect(),
        };
        let ticket = |id, summary: &str, team_id, team: &str, client_id, client: &str| Ticket {
            id,
            summary: summary.into(),
            team_id,
            team: team.into(),
            client_id,
            client_name: client.into(),
            status: "New".into(),
        };
        let tickets = vec![
            ticket(1001, "Printer offline", 1, "Service Desk", 1, "Acme Ltd"),
            ticket(1002, "New starter laptop", 1, "Service Desk", 2, "Globex"),
            ticket(1003, "Backup job failed", 2, "Operations", 1, "Acme Ltd"),
            ticket(
                1004,
                "Firewall firmware update",
                2,
                "Operations",
                3,
                "Initech",
            ),
            ticket(1005, "Office move", 3, "Projects", 2, "Globex"),
        ];
        State {
            agents: vec![unassigned, admin, human],
            roles,
            teams,
            departments,
            workdays,
            applications: vec![app],
            tickets,
            bootstrap_app_id: app_id,
            last_ids: LastIds {
                agent: 3,
                role: 2,
                team: 3,
                department: 3,
                workday: 2,
            },
        }
    }

    pub fn agent(&self, id: i64) -> Option<&Agent> {
        self.agents.iter().find(|a| a.id == Some(id))
    }

    pub fn agent_mut(&mut self, id: i64) -> Option<&mut Agent> {
        self.agents.iter_mut().find(|a| a.id == Some(id))
    }

    pub fn role(&self, id: &str) -> Option<&Role> {
        self.roles
            .iter()
            .find(|r| r.id.as_deref().is_some_and(|i| i.eq_ignore_ascii_case(id)))
    }

    pub fn application(&self, id: &str) -> Option<&Application> {
        self.applications
            .iter()
            .find(|a| a.id.as_deref().is_some_and(|i| i.eq_ignore_ascii_case(id)))
    }

    pub fn application_mut(&mut self, id: &str) -> Option<&mut Application> {
        self.applications
            .iter_mut()
            .find(|a| a.id.as_deref().is_some_and(|i| i.eq_ignore_ascii_case(id)))
    }

    pub fn bootstrap_app(&self) -> Option<&Application> {
        self.application(&self.bootstrap_app_id)
    }

    /// The roles an agent holds (unknown role references are ignored).
    pub fn agent_roles(&self, agent: &Agent) -> Vec<&Role> {
        agent
            .roles
            .iter()
            .filter_map(|r| self.role(&r.id))
            .collect()
    }

    /// Administrator through any of its roles.
    pub fn agent_is_admin(&self, agent: &Agent) -> bool {
        self.agent_roles(agent).iter().any(|r| r.is_admin())
    }

    /// Best feature access over the agent's roles.
    pub fn agent_access(&self, agent: &Agent, area: &str) -> Access {
        self.agent_roles(agent)
            .iter()
            .map(|r| r.access(area))
            .max()
            .unwrap_or(Access::None)
    }

    pub fn load(path: &Path) -> std::io::Result<Option<Self>> {
        match std::fs::read(path) {
            Ok(bytes) => serde_json::from_slice(&bytes)
                .map(Some)
                .map_err(|e| std::io::Error::other(format!("{}: {e}", path.display()))),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// Atomic save; the file holds client secrets, so it is private to the user.
    pub fn save(&self, path: &Path) -> std::io::Result<()> {
        use std::io::Write;
        let json = serde_json::to_vec_pretty(self).map_err(std::io::Error::other)?;
        let mut tmp = path.as_os_str().to_owned();
        tmp.push(".tmp");
        let tmp = std::path::PathBuf::from(tmp);
        let mut opts = std::fs::OpenOptions::new();
        opts.write(true).create(true).truncate(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            opts.mode(0o600);
        }
        let mut f = opts.open(&tmp)?;
        f.write_all(&json)?;
        f.sync_all()?;
        std::fs::rename(&tmp, path)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seed_has_admin_app_logged_in_as_admin() {
        let s = State::seed("cid".into(), "sec".into());
        let app = s.bootstrap_app().unwrap();
        let agent = s.agent(app.loginas_agent_id.unwrap()).unwrap();
        assert!(s.agent_is_admin(agent));
        assert!(!s.agent_is_admin(s.agent(3).unwrap()));
        assert_eq!(s.agent_access(s.agent(3).unwrap(), "tickets"), Access::Edit);
    }

    #[test]
    fn save_then_load_roundtrips() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("state.json");
        assert_eq!(State::load(&path).unwrap(), None);
        let s = State::seed("cid".into(), "sec".into());
        s.save(&path).unwrap();
        assert_eq!(State::load(&path).unwrap(), Some(s));
    }
}
