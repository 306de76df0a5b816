//! The guided manual fallback, pure part: what to set in Halo's web UI when Halo refuses an
//! automated write, in Halo's own words and menu paths; how to fix a read-back difference by
//! hand; and how to find the object the user made by hand so apply can adopt it.
//!
//! Objects made by hand carry no setup marker, so they are adopted by name (role by name,
//! agent by username, application by name) only when the user says they made them.

use crate::answers::agent::{self, Group};
use crate::answers::{Answers, RoleMode};
use crate::answers::{application, role};
use crate::halo::dialect::claims;
use crate::halo::model::*;
use crate::plan::build::{self, Lookups, Object};

use crate::halo::dialect::ui::{
    AGENTS as AGENTS_PATH, APPLICATIONS as APPLICATIONS_PATH, ROLES as ROLES_PATH,
};

/// What to do in Halo's web UI for one object, in order.
#[derive(Debug, Clone, PartialEq)]
pub struct Checklist {
    /// The object to make by hand.
    pub object: Object,
    /// The name the object must have (how adoption finds it).
    pub name: String,
    /// Menu path to the "New" form, e.g. "Configuration > Teams & Agents > Roles > New".
    pub path: String,
    /// One field or action per line, in the order the form shows them.
    pub steps: Vec<String>,
}

impl Checklist {
    /// The checklist as plain lines: the path, then the numbered steps.
    pub fn lines(&self) -> Vec<String> {
        let mut out = vec![format!("In Halo's web UI: {}", self.path)];
        out.extend(
            self.steps
                .iter()
                .enumerate()
                .map(|(i, s)| format!("{:>2}. {s}", i + 1)),
        );
        out
    }
}

fn yes(b: bool) -> &'static str {
    if b { "Yes" } else { "No" }
}

/// The role name the agent must get: the new role, or the reused one as Halo names it.
fn role_name(a: &Answers, lk: &Lookups) -> String {
    match &a.role.mode {
        RoleMode::Create => a.role.name.trim().to_string(),
        RoleMode::Reuse(key) => lk
            .role_by_key(key)
            .map_or_else(|| key.clone(), |r| r.name.clone()),
    }
}

/// The checklist for one object, from the answers and what Halo has (names resolved as apply
/// would resolve them; `marker` goes into the notes so a later resume recognises the object).
pub fn checklist(object: Object, a: &Answers, lk: &Lookups, marker: &str) -> Checklist {
    match object {
        Object::Role => role_checklist(a, marker),
        Object::Agent => agent_checklist(a, lk),
        Object::Application => application_checklist(a),
    }
}

/// The role's form, row by row of its table (`answers::role::ROWS`).
fn role_checklist(a: &Answers, marker: &str) -> Checklist {
    let want = build::role_object(a, marker);
    let mut steps = Vec::new();
    for r in role::ROWS {
        match r.value {
            role::Value::Claims => steps.extend(claim_steps(r, &a.role.permissions)),
            role::Value::Manual => steps.extend(
                a.role
                    .other_permissions
                    .iter()
                    .map(|other| format!("{}: {other}", r.ui)),
            ),
            _ => steps.extend(r.step(&want, &a.role)),
        }
    }
    steps.push("Save".into());
    Checklist {
        object: Object::Role,
        name: want.name,
        path: format!("{ROLES_PATH} > New"),
        steps,
    }
}

/// The areas and settings to set (the administrator switch is a row of its own), and that
/// the rest stays Not set.
fn claim_steps(r: &role::Attr, p: &claims::Permissions) -> Vec<String> {
    let set: Vec<_> = p
        .entries()
        .into_iter()
        .filter(|(d, _)| d.code != claims::ADMIN)
        .collect();
    if set.is_empty() && p.admin() {
        return vec![format!(
            "{} > Feature Access: nothing to set (a HaloPSA Administrator has access to every area)",
            r.ui
        )];
    }
    let mut steps: Vec<String> = set
        .iter()
        .map(|(def, level)| {
            format!(
                "{} > {}: {} = {}",
                r.ui,
                def.group.label(),
                def.label,
                level.label
            )
        })
        .collect();
    if !p.admin() {
        steps.push(format!("{}: everything else stays Not set", r.ui));
    }
    steps
}

/// Where to generate and copy an application's secret when Halo keeps its own and does not
/// show it through the API (the form has a Generate button; the secret is shown once).
pub fn secret_checklist(a: &Answers) -> Checklist {
    let name = a.application.name.trim().to_string();
    Checklist {
        object: Object::Application,
        name: name.clone(),
        path: format!("{APPLICATIONS_PATH} > '{name}' > Details"),
        steps: vec![
            "Client Secret: press Generate (this replaces the secret no one has seen)".into(),
            "Copy the Client ID and the new Client Secret (Halo shows the secret once)".into(),
            "Save".into(),
            "Paste both here: the secret is proved with a token before the setup continues".into(),
        ],
    }
}

fn agent_checklist(a: &Answers, lk: &Lookups) -> Checklist {
    let mut problems = Vec::new();
    let want = build::agent_object(a, "", lk, &mut problems);
    let rows = |group| agent::ROWS.iter().filter(move |r| r.group == group);
    let mut steps: Vec<String> = rows(Group::Identity)
        .filter_map(|r| r.step(&want))
        .collect();
    let mut roles = vec![role_name(a, lk)];
    roles.extend(want.roles.iter().skip(1).map(|r| r.name.clone()));
    steps.push(format!("Roles = {}", roles.join(", ")));
    steps.push(format!(
        "Default Team = {}",
        if want.team.is_empty() {
            "No Default Team"
        } else {
            want.team.as_str()
        }
    ));
    let workday = lk
        .workdays
        .iter()
        .find(|w| w.id.is_some() && w.id == want.workday_id)
        .map_or_else(|| a.agent.workday.trim().to_string(), |w| w.name.clone());
    if !workday.is_empty() {
        steps.push(format!("Work Hours = {workday}"));
    }
    for t in &want.teams {
        steps.push(format!(
            "Departments & Teams: add team '{}'; Can see Unassigned Tickets for this Team = {}; Can see Tickets assigned to other Agents in this Team = {}",
            t.team_name,
            yes(t.unassigned_access),
            yes(t.otheragent_access)
        ));
    }
    for d in &want.departments {
        steps.push(format!(
            "Departments & Teams: add department '{}'; Membership Level = {}",
            d.department_name,
            MembershipLevel::from_code(d.membershiplevel).label()
        ));
    }
    if want.teams.is_empty() && want.departments.is_empty() {
        steps.push("Departments & Teams: none".into());
    }
    steps.extend(rows(Group::Rights).filter_map(|r| r.step(&want)));
    for p in problems {
        steps.push(format!("Check first: {p}"));
    }
    steps.push("Save".into());
    Checklist {
        object: Object::Agent,
        name: want.name,
        path: format!("{AGENTS_PATH} > New"),
        steps,
    }
}

/// The application's form, row by row of its table (`answers::application::ROWS`).
fn application_checklist(a: &Answers) -> Checklist {
    let want = build::application_object(a, 0);
    let asked = a.application_want(0);
    let mut steps: Vec<String> = application::ROWS
        .iter()
        .filter_map(|r| r.step(&asked, &want))
        .collect();
    steps.extend([
        "Copy the Client ID and Client Secret before saving (Halo shows the secret once)".into(),
        "Save".into(),
    ]);
    Checklist {
        object: Object::Application,
        name: want.display_name,
        path: format!("{APPLICATIONS_PATH} > New"),
        steps,
    }
}

/// The Client ID and Client Secret the user copied from Halo's form for an application made by
/// hand. The secret never shows in Debug output.
#[derive(Clone)]
pub struct ManualCredentials {
    /// The Client ID as copied from Halo's form.
    pub client_id: String,
    /// The client secret as copied from Halo's form (Halo shows it once).
    pub client_secret: secrecy::SecretString,
}

impl std::fmt::Debug for ManualCredentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ManualCredentials")
            .field("client_id", &self.client_id)
            .field("client_secret", &"[redacted]")
            .finish()
    }
}

/// `role`, `agent`, `application` → the object (the `--manual` values).
pub fn parse_object(word: &str) -> Option<Object> {
    match word.trim().to_ascii_lowercase().as_str() {
        "role" => Some(Object::Role),
        "agent" => Some(Object::Agent),
        "application" | "app" => Some(Object::Application),
        _ => None,
    }
}

/// Why adoption could not find what the user made by hand.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum NotAdopted {
    /// Halo has no object of that kind and name yet.
    #[error("no {} named '{name}' in Halo yet", object_word(*object))]
    Missing {
        /// The kind of object looked for.
        object: Object,
        /// The name it must have.
        name: String,
    },
    /// The application found by name has another Client ID than the one the user entered.
    #[error(
        "application '{name}' has client id {halo} in Halo, not the one entered ({entered}); copy the Client ID again"
    )]
    ClientIdDiffers {
        /// The application's name.
        name: String,
        /// The Client ID Halo has.
        halo: String,
        /// The Client ID the user entered.
        entered: String,
    },
    /// The Client ID or the client secret was not given.
    #[error("the client id and the client secret copied from Halo are both needed")]
    CredentialsMissing,
}

/// "role", "agent", "application" (also the `--manual` values).
pub fn object_word(o: Object) -> &'static str {
    match o {
        Object::Role => "role",
        Object::Agent => "agent",
        Object::Application => "application",
    }
}

/// The object the user made by hand, by name: its Halo id (and for an application the
/// client id Halo lists, possibly empty).
pub fn find_by_hand(object: Object, a: &Answers, lk: &Lookups) -> Result<String, NotAdopted> {
    let missing = |name: &str| NotAdopted::Missing {
        object,
        name: name.trim().to_string(),
    };
    let same = |x: &str, y: &str| x.trim().eq_ignore_ascii_case(y.trim());
    match object {
        Object::Role => {
            let name = role_name(a, lk);
            lk.roles
                .iter()
                .find(|r| same(&r.name, &name))
                .and_then(|r| r.id.clone())
                .filter(|i| !i.is_empty())
                .ok_or_else(|| missing(&name))
        }
        Object::Agent => lk
            .agents_named(&a.agent.name)
            .into_iter()
            .find_map(|g| g.id.filter(|i| *i > 0))
            .map(|i| i.to_string())
            .ok_or_else(|| missing(&a.agent.name)),
        Object::Application => lk
            .applications
            .iter()
            .find(|x| same(&x.display_name, &a.application.name))
            .and_then(|x| x.id.clone())
            .filter(|i| !i.is_empty())
            .ok_or_else(|| missing(&a.application.name)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::answers::{DepartmentAnswer, TeamAnswer};

    fn topleft() -> Answers {
        crate::profile::answers_for("topleft").unwrap()
    }

    fn lookups() -> Lookups {
        Lookups {
            teams: vec![Team::new(1, "Service Desk"), Team::new(2, "Operations")],
            departments: vec![Department::new(1, "Support")],
            workdays: vec![Workday::new(1, "Default Working Hours")],
            ..Lookups::default()
        }
    }

    /// Each needle appears in the joined text, and after the previous one.
    fn in_order(text: &str, needles: &[&str]) {
        let mut at = 0;
        for n in needles {
            let found = text[at..]
                .find(n)
                .unwrap_or_else(|| panic!("'{n}' missing (or out of order) in:\n{text}"));
            at += found + n.len();
        }
    }

    #[test]
    fn topleft_role_checklist_names_every_field_in_order() {
        let c = checklist(Object::Role, &topleft(), &lookups(), "[halo-onboard:x]");
        assert_eq!(c.name, "TopLeft Role");
        let text = c.lines().join("\n");
        in_order(
            &text,
            &[
                "Configuration > Teams & Agents > Roles > New",
                "Name = 'TopLeft Role'",
                "[halo-onboard:x]",
                "Permissions > General: Is a HaloPSA Administrator = Yes",
                "Permissions > Tickets: Can View Unassigned Tickets = Yes",
                "Permissions > Tickets: Can view Tickets that are assigned to other Agents = Yes",
                "Save",
            ],
        );
        // An administrator role with nothing else set says so rather than listing nothing.
        let mut admin_only = topleft();
        admin_only.role.permissions = crate::halo::dialect::Permissions::default();
        admin_only.role.permissions.set_admin(true);
        let c = checklist(Object::Role, &admin_only, &lookups(), "m");
        in_order(
            &c.lines().join("\n"),
            &[
                "Is a HaloPSA Administrator = Yes",
                "Feature Access: nothing to set",
                "Save",
            ],
        );
    }

    #[test]
    fn topleft_agent_checklist_names_every_field_in_order() {
        let c = checklist(Object::Agent, &topleft(), &lookups(), "m");
        let text = c.lines().join("\n");
        in_order(
            &text,
            &[
                "Configuration > Teams & Agents > Agents > New",
                "Username = 'topleft'",
                "Is an API-only Agent = Yes",
                "Active = Yes",
                "Roles = TopLeft Role",
                "Default Team = No Default Team",
                "Work Hours = Default Working Hours",
                "Departments & Teams: none",
                "Save",
            ],
        );
    }

    #[test]
    fn topleft_application_checklist_names_every_field_in_order() {
        let c = checklist(Object::Application, &topleft(), &lookups(), "m");
        let text = c.lines().join("\n");
        in_order(
            &text,
            &[
                "Configuration > Integrations > Halo API > View Applications > New",
                "Application Name = 'TopLeft'",
                "Active = Yes",
                "Authentication Method = Client ID and Secret (Services)",
                "Login Type = Agent",
                "Agent to log in as = topleft",
                "Permissions: tick all:standard, all:teams, admin:webhooks",
                "Copy the Client ID and Client Secret before saving",
                "Save",
            ],
        );
    }

    #[test]
    fn agent_teams_departments_and_default_team_are_resolved() {
        let mut a = topleft();
        a.agent.default_team = Some("service desk".into());
        a.agent.teams = vec![TeamAnswer {
            name: "*".into(),
            unassigned_access: false,
            otheragent_access: true,
        }];
        a.agent.departments = vec![DepartmentAnswer {
            name: "Support".into(),
            level: MembershipLevel::ViewAll,
        }];
        let text = checklist(Object::Agent, &a, &lookups(), "m")
            .lines()
            .join("\n");
        in_order(
            &text,
            &[
                "Default Team = Service Desk",
                "add team 'Service Desk'; Can see Unassigned Tickets for this Team = No; Can see Tickets assigned to other Agents in this Team = Yes",
                "add team 'Operations'",
                "add department 'Support'; Membership Level = View All",
            ],
        );
        assert!(!text.contains("Departments & Teams: none"));
    }

    #[test]
    fn least_privilege_role_lists_feature_access_and_no_admin() {
        let mut a = crate::profile::answers_for("least-privilege").unwrap();
        a.role.name = "LP".into();
        let p = &mut a.role.permissions;
        p.set_labels("tickets", "Read and Modify").unwrap();
        p.set_labels("clients", "View (Names Only)").unwrap();
        p.set_labels("add_tickets", "Yes").unwrap();
        let text = checklist(Object::Role, &a, &lookups(), "m")
            .lines()
            .join("\n");
        assert!(text.contains("Is a HaloPSA Administrator = No"), "{text}");
        in_order(
            &text,
            &[
                "Permissions > Feature Access: Tickets = Read and Modify",
                "Permissions > Feature Access: Clients = View (Names Only)",
                "Permissions > Tickets: Can add new Tickets = Yes",
                "everything else stays Not set",
                "Save",
            ],
        );
        assert!(!text.contains("CRM"), "{text}");
    }

    #[test]
    fn secret_checklist_says_where_to_generate_and_copy() {
        let text = secret_checklist(&topleft()).lines().join("\n");
        in_order(
            &text,
            &[
                "View Applications > 'TopLeft' > Details",
                "press Generate",
                "Copy the Client ID and the new Client Secret",
                "Save",
            ],
        );
    }

    #[test]
    fn differences_keep_their_text_and_gain_the_ui_path() {
        use crate::plan::diff::{diff_agent, diff_application, diff_role};
        let a = topleft();
        let want = build::role_object(&a, "m");
        let l = diff_role(&want, &Role::default())
            .iter()
            .map(|d| d.fix_line("R"))
            .find(|l| l.starts_with("permission Is a HaloPSA Administrator"))
            .unwrap();
        assert!(
            l.starts_with("permission Is a HaloPSA Administrator: asked Yes, Halo has Not set"),
            "{l}"
        );
        assert!(
            l.ends_with("Roles > 'R' > Permissions > General: Is a HaloPSA Administrator = Yes"),
            "{l}"
        );
        let got = Agent {
            team: "X".into(),
            ..Agent::default()
        };
        let l: Vec<String> = diff_agent(&Agent::default(), &got)
            .iter()
            .map(|d| d.fix_line("bot"))
            .collect();
        assert_eq!(
            l,
            [
                "default team: asked '', Halo has 'X' — fix in Halo: Configuration > Teams & Agents > Agents > 'bot' > Default Team"
            ]
        );
        let want = build::application_object(&a, 0);
        let got = Application {
            scopes: vec![],
            ..want.clone()
        };
        let l = diff_application(&want, &got)[0].fix_line("App");
        assert!(l.starts_with("scopes: missing ["), "{l}");
        assert!(l.contains("View Applications > 'App' > Permissions"), "{l}");
        let l = crate::plan::diff::Difference::unread(Object::Agent, "timed out").fix_line("bot");
        assert_eq!(
            l,
            "could not read it back: timed out — open it in Halo (Configuration > Teams & Agents > Agents > 'bot') and check every field"
        );
    }

    #[test]
    fn finds_what_the_user_made_by_name_or_says_what_is_missing() {
        let a = topleft();
        let mut lk = lookups();
        assert_eq!(
            find_by_hand(Object::Role, &a, &lk).unwrap_err().to_string(),
            "no role named 'TopLeft Role' in Halo yet"
        );
        lk.roles.push(Role {
            id: Some("r9".into()),
            name: "topleft role".into(),
            ..Role::default()
        });
        lk.agents.push(Agent {
            id: Some(12),
            name: "TopLeft".into(),
            isapiagent: true,
            ..Agent::default()
        });
        lk.applications.push(Application {
            id: Some("a1".into()),
            display_name: "TopLeft".into(),
            ..Application::default()
        });
        assert_eq!(find_by_hand(Object::Role, &a, &lk).unwrap(), "r9");
        assert_eq!(find_by_hand(Object::Agent, &a, &lk).unwrap(), "12");
        assert_eq!(find_by_hand(Object::Application, &a, &lk).unwrap(), "a1");
    }
}
