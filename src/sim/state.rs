//! The emulator's data: the Halo objects it serves, seeded like a fresh tenant, and their
//! persistence to a state file (write temp + rename, so a crash never leaves half a file).

use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::halo::dialect::Permissions;
use crate::halo::dialect::claims::LEGACY_NAMES;
use crate::halo::model::*;

/// A claim as the seed writes it: (type, value).
type Pair = (&'static str, &'static str);

/// Which claim vocabulary the emulated Halo speaks.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "kebab-case")]
pub enum SimDialect {
    /// Today's short codes (`SA`, `Tx`, `l6`, …), as halo-api.md §3.2a documents them.
    #[default]
    Current,
    /// The older long claim names public role reports still map (`Administration`,
    /// `Ticket_Level`, `Can_Log_Tickets`, …): for the doctor and refusal tests. Short codes
    /// mean nothing to it.
    Legacy,
}

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
    /// The claim vocabulary of this instance.
    pub dialect: SimDialect,
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
        Self::seed_with(client_id, client_secret, SimDialect::Current)
    }

    /// [`State::seed`] speaking `dialect`: the Administrator role carries "Is a Halo
    /// Administrator" and "1st Line Support" a limited set of area levels and ticket switches,
    /// in that dialect's claim names.
    pub fn seed_with(client_id: String, client_secret: String, dialect: SimDialect) -> Self {
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
        let (admin_claims, first_line): (&[Pair], &[Pair]) = match dialect {
            SimDialect::Current => (
                &[("SA", "true")],
                &[
                    ("SA", "false"),
                    ("Tx", "2"),
                    ("Ux", "2"),
                    ("Fx", "2"),
                    ("Dx", "1"),
                    ("Bx", "1"),
                    ("l6", "1"),
                    ("l8", "1"),
                    ("l9", "1"),
                    ("Ft", "1"),
                ],
            ),
            SimDialect::Legacy => (
                &[("Administration", "true")],
                &[
                    ("Administration", "false"),
                    ("Ticket_Level", "2"),
                    ("Customers_Level", "2"),
                    ("Assets_Level", "1"),
                    ("KB_Level", "1"),
                    ("Can_Log_Tickets", "1"),
                    ("Can_View_Tech_Tickets", "1"),
                    ("Can_View_Unassigned_Tickets", "1"),
                ],
            ),
        };
        let claims = |c: &[(&str, &str)]| c.iter().map(|(t, v)| claim(t, v)).collect();
        let roles = vec![
            Role {
                id: Some(ADMIN_ROLE_ID.into()),
                id_int: Some(1),
                name: "Administrator".into(),
                notes: "Built-in administrator role".into(),
                claims: claims(admin_claims),
            },
            Role {
                id: Some(FIRST_LINE_ROLE_ID.into()),
                id_int: Some(2),
                name: "1st Line Support".into(),
                notes: String::new(),
                claims: claims(first_line),
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
            secret_expiry_days: None,
            secret_expires: String::new(),
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
            dialect,
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

    /// Claims as this instance understands them: in the legacy dialect the long names are
    /// today's codes and the short codes mean nothing.
    fn understood(&self, claims: &[Claim]) -> Vec<Claim> {
        match self.dialect {
            SimDialect::Current => claims.to_vec(),
            SimDialect::Legacy => claims
                .iter()
                .filter_map(|c| {
                    LEGACY_NAMES
                        .iter()
                        .find(|(long, _)| *long == c.claim_type.trim())
                        .map(|(_, short)| Claim {
                            claim_type: (*short).into(),
                            value: c.value.clone(),
                        })
                })
                .collect(),
        }
    }

    /// What an agent may do: the union of its own claims and its roles' claims.
    pub fn agent_permissions(&self, agent: &Agent) -> Permissions {
        let mut p = Permissions::from_claims(&self.understood(&agent.claims));
        for r in self.agent_roles(agent) {
            p.merge(&Permissions::from_claims(&self.understood(&r.claims)));
        }
        p
    }

    /// Administrator through its own claims or any of its roles ("Is a Halo Administrator").
    pub fn agent_is_admin(&self, agent: &Agent) -> bool {
        self.agent_permissions(agent).admin()
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
        let sam = s.agent(3).unwrap();
        assert!(!s.agent_is_admin(sam));
        assert_eq!(
            s.agent_permissions(sam).get("Tx").map(|l| l.label),
            Some("Read and Modify")
        );
    }

    #[test]
    fn legacy_dialect_understands_long_names_only() {
        let mut s = State::seed_with("cid".into(), "sec".into(), SimDialect::Legacy);
        let boot = s.agent(BOOTSTRAP_AGENT_ID).unwrap().clone();
        assert!(s.agent_is_admin(&boot));
        // An agent's own claims count too, in the instance's own names.
        let sam = s.agent_mut(3).unwrap();
        sam.claims = vec![claim("SA", "true")];
        let sam = s.agent(3).unwrap().clone();
        assert!(!s.agent_is_admin(&sam));
        s.agent_mut(3).unwrap().claims = vec![claim("Administration", "true")];
        let sam = s.agent(3).unwrap().clone();
        assert!(s.agent_is_admin(&sam));
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
