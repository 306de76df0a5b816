//! A fresh tenant as the emulator seeds it: departments, teams, work hours, two roles in the
//! chosen dialect, the system "Unassigned" agent, one human agent, the bootstrap admin and its
//! application, and records in every probe area.

use serde_json::{Value, json};

use super::perms::SimDialect;
use super::record::Record;
use super::state::{
    ADMIN_ROLE_ID, BOOTSTRAP_AGENT_ID, BOOTSTRAP_SCOPES, FIRST_LINE_ROLE_ID,
    GRANT_CLIENT_CREDENTIALS, HUMAN_AGENT_ID, LastIds, State, UNASSIGNED_AGENT_ID, new_guid,
    seed_areas,
};
use crate::evidence;

impl State {
    /// A fresh tenant: departments, teams, work hours, two roles, the system "Unassigned" agent,
    /// one human agent, the bootstrap admin (API-only) and its application, and records in
    /// every probe area (tickets, clients, users, assets, …).
    pub fn seed(client_id: String, client_secret: String) -> Self {
        Self::seed_with(client_id, client_secret, SimDialect::Current)
    }

    /// [`State::seed`] speaking `dialect`: the Administrator role carries "Is a Halo
    /// Administrator" and "1st Line Support" a limited set of area levels and ticket switches,
    /// in that dialect's claim names (mixed: the Administrator role in the older long names).
    pub(crate) fn seed_with(client_id: String, client_secret: String, dialect: SimDialect) -> Self {
        let departments = [(1, "Support"), (2, "Sales"), (3, "Projects")]
            .iter()
            .map(|(id, name)| Record::new(json!({"id": id, "name": name})))
            .collect();
        let team = |id, name: &str, dep: i64, dep_name: &str| {
            Record::new(json!({"id": id, "name": name, "department_id": dep,
                "department_name": dep_name, "inactive": false}))
        };
        let teams = vec![
            team(1, "Service Desk", 1, "Support"),
            team(2, "Operations", 1, "Support"),
            team(3, "Projects", 3, "Projects"),
        ];
        let workdays = vec![
            Record::new(
                json!({"id": 1, "name": "Default Working Hours", "timezone": "GMT Standard Time"}),
            ),
            Record::new(json!({"id": 2, "name": "24 Hours", "timezone": "GMT Standard Time"})),
        ];
        let roles = roles(dialect);
        let [unassigned, admin, human] = agents();
        let app_id = new_guid();
        let app = Record::new(json!({
            "id": app_id, "clientId": client_id, "clientSecret": client_secret,
            "displayName": "Bootstrap Admin App", "inactive": false,
            "grant_type": GRANT_CLIENT_CREDENTIALS, "loginentity": 0,
            "loginas_agent_id": BOOTSTRAP_AGENT_ID, "loginas_agent_name": "Bootstrap Admin",
            "scopes": BOOTSTRAP_SCOPES.iter().map(|s| json!({"name": s})).collect::<Vec<_>>(),
        }));
        State {
            agents: vec![unassigned, admin, human],
            roles,
            teams,
            departments,
            workdays,
            applications: vec![app],
            areas: seed_areas(),
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
}

/// The two roles of a fresh tenant in `dialect`'s claim names: "Administrator" (Is a Halo
/// Administrator) and "1st Line Support" (a limited set of area levels and ticket switches).
fn roles(dialect: SimDialect) -> Vec<Record> {
    let preferences = if dialect == SimDialect::L0Numeric {
        "1"
    } else {
        "true"
    };
    let first_line: Vec<Value> = [
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
        ("l0", preferences),
    ]
    .iter()
    // The older builds' table maps no long name for some codes: they have none to write.
    .filter(|(code, _)| dialect != SimDialect::Legacy || legacy_name(code).is_some())
    .map(|(c, v)| dialect.claim(c, v))
    .collect();
    let admin_claim = match dialect {
        SimDialect::Mixed => SimDialect::Legacy.claim("SA", "true"),
        d => d.claim("SA", "true"),
    };
    vec![
        Record::new(
            json!({"id": ADMIN_ROLE_ID, "id_int": 1, "name": "Administrator",
            "notes": "Built-in administrator role", "claims": [admin_claim]}),
        ),
        Record::new(
            json!({"id": FIRST_LINE_ROLE_ID, "id_int": 2, "name": "1st Line Support",
            "notes": "", "claims": first_line}),
        ),
    ]
}

/// The agents of a fresh tenant: the system "Unassigned" agent, the bootstrap admin (API-only)
/// and one human agent.
fn agents() -> [Record; 3] {
    let agent = |id: i64, name: &str, extra: Value| {
        let mut r = Record::new(json!({"id": id, "name": name, "isapiagent": false,
            "isdisabled": false, "can_approve_purchaseorder": false,
            "can_approve_invoice": false, "teams": [], "departments": [], "roles": []}));
        if let Value::Object(m) = extra {
            r.fields_mut().extend(m);
        }
        r
    };
    let unassigned = agent(
        UNASSIGNED_AGENT_ID,
        "Unassigned",
        json!({"initials": "U", "colour": "#808080", "team": ""}),
    );
    let admin = agent(
        BOOTSTRAP_AGENT_ID,
        "Bootstrap Admin",
        json!({"firstname": "Bootstrap", "surname": "Admin", "initials": "BA",
            "email": "bootstrap.admin@sandbox.example", "isapiagent": true,
            "team": "Service Desk",
            "teams": [member(1, "Service Desk"), member(2, "Operations"), member(3, "Projects")],
            "roles": [{"id": ADMIN_ROLE_ID, "name": "Administrator"}],
            "workday_id": 1, "workday_name": "Default Working Hours", "colour": "#1f77b4"}),
    );
    let human = agent(
        HUMAN_AGENT_ID,
        "Sam Support",
        json!({"firstname": "Sam", "surname": "Support", "initials": "SS",
            "email": "sam.support@sandbox.example", "team": "Service Desk",
            "teams": [member(1, "Service Desk")],
            "departments": [{"department_id": 1, "department_name": "Support", "membershiplevel": 1}],
            "roles": [{"id": FIRST_LINE_ROLE_ID, "name": "1st Line Support"}],
            "workday_id": 1, "workday_name": "Default Working Hours", "colour": "#2ca02c"}),
    );
    [unassigned, admin, human]
}

fn member(id: i64, name: &str) -> Value {
    json!({"team_id": id, "team_name": name, "unassigned_access": true, "otheragent_access": true})
}

/// The older long name of a code, if the claims table maps one.
fn legacy_name(code: &str) -> Option<&'static str> {
    evidence::claims()
        .legacy
        .iter()
        .find(|(_, c)| c.as_str() == code)
        .map(|(l, _)| l.as_str())
}
