//! What differs between what was asked and what Halo holds, typed: one [`Difference`] per
//! attribute (object, attribute, wanted, found, and where Halo's web UI sets it). The plan's
//! changes, the read-backs and the manual fixes carry it; every printer formats it with
//! `Display` (the text is the one the plan and apply have always shown), and the fix in
//! Halo's words comes from its fields, never from parsing that text again.

use serde::{Deserialize, Serialize};

use crate::answers::agent::{self, Group};
use crate::answers::{application, role};
use crate::halo::dialect::claims;
use crate::halo::dialect::ui;
use crate::halo::model::*;

/// The kinds of object a setup writes to Halo.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Object {
    /// A Halo Role (its permissions).
    Role,
    /// A Halo Agent (the API-only agent the application logs in as).
    Agent,
    /// A Halo API Application (Client ID and secret).
    Application,
}

impl Object {
    /// The object as Halo's web UI names it ("Role", "Agent", "Application").
    pub fn label(self) -> &'static str {
        match self {
            Self::Role => "Role",
            Self::Agent => "Agent",
            Self::Application => "Application",
        }
    }

    /// Where Halo's web UI lists objects of this kind.
    pub fn ui_path(self) -> &'static str {
        match self {
            Self::Role => ui::ROLES,
            Self::Agent => ui::AGENTS,
            Self::Application => ui::APPLICATIONS,
        }
    }
}

/// How a difference reads.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Form {
    /// "username: asked 'a', Halo has 'b'".
    Quoted,
    /// "active: asked true, Halo has false".
    Plain,
    /// "roles: 'Vendor' missing" (`wanted` is the member).
    Missing,
    /// "teams: 'Desk' visibility flags differ" (`wanted` is the team).
    FlagsDiffer,
    /// "departments: 'Support' membership asked View All, Halo has Member".
    Membership(String),
    /// "notes: the setup marker is missing".
    Marker,
    /// "scopes: missing [a], extra [b]".
    Scopes,
    /// "could not read it back: …": nothing was compared (`found` says why, if known).
    Unread,
}

/// One attribute Halo holds otherwise than asked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Difference {
    /// The object the attribute belongs to.
    pub object: Object,
    /// How the attribute is named in the difference ("first name", "permission Tickets").
    pub attribute: String,
    /// What the answers ask, as shown in the difference.
    pub wanted: String,
    /// What Halo has, as shown; for [`Form::Unread`] why nothing was read, if known.
    pub found: String,
    /// Where it is set on the object's page in Halo's web UI ("First Name"); empty where the
    /// whole object must be checked.
    pub ui: String,
    /// How the difference reads.
    pub form: Form,
}

impl std::fmt::Display for Difference {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let (a, w, g) = (&self.attribute, &self.wanted, &self.found);
        match &self.form {
            Form::Quoted => write!(f, "{a}: asked '{w}', Halo has '{g}'"),
            Form::Plain => write!(f, "{a}: asked {w}, Halo has {g}"),
            Form::Missing => write!(f, "{a}: '{w}' missing"),
            Form::FlagsDiffer => write!(f, "{a}: '{w}' visibility flags differ"),
            Form::Membership(item) => {
                write!(f, "{a}: '{item}' membership asked {w}, Halo has {g}")
            }
            Form::Marker => write!(f, "{a}: the setup marker is missing"),
            Form::Scopes => write!(f, "{a}: missing [{w}], extra [{g}]"),
            Form::Unread if g.is_empty() => write!(f, "{a}"),
            Form::Unread => write!(f, "{a}: {g}"),
        }
    }
}

impl Difference {
    fn new(object: Object, attribute: &str, form: Form, ui: &str) -> Self {
        Self {
            object,
            attribute: attribute.into(),
            wanted: String::new(),
            found: String::new(),
            ui: ui.into(),
            form,
        }
    }

    fn values(mut self, wanted: impl Into<String>, found: impl Into<String>) -> Self {
        self.wanted = wanted.into();
        self.found = found.into();
        self
    }

    /// The object could not be read back (`why`), so nothing was compared.
    pub fn unread(object: Object, why: &str) -> Self {
        Self::new(object, "could not read it back", Form::Unread, "").values("", why)
    }

    /// The read-back did not finish (`why`: the task was lost).
    pub fn unfinished(object: Object, why: &str) -> Self {
        Self::new(object, "read-back did not finish", Form::Unread, "").values("", why)
    }

    /// Is it the role's setup marker (irrelevant for an object made by hand)?
    pub fn is_marker(&self) -> bool {
        self.form == Form::Marker
    }

    /// Where in Halo's web UI it is fixed: the difference, then the path to the field on the
    /// object named `name` in Halo.
    pub fn fix_line(&self, name: &str) -> String {
        if self.ui.is_empty() {
            return format!(
                "{self} — open it in Halo ({}) and check every field",
                self.place(name)
            );
        }
        format!("{self} — fix in Halo: {}", self.place(name))
    }

    /// The path in Halo's web UI to the field on the object named `name`.
    pub fn place(&self, name: &str) -> String {
        let base = self.object.ui_path();
        match self.ui.as_str() {
            "" => format!("{base} > '{name}'"),
            ui => format!("{base} > '{name}' > {ui}"),
        }
    }
}

/// The role's differences, row by row of its table (`answers::role::ROWS`): what was asked
/// and what Halo holds (read-back check).
pub fn diff_role(want: &Role, got: &Role) -> Vec<Difference> {
    let o = Object::Role;
    let mut d = Vec::new();
    for r in role::ROWS {
        match r.compare {
            role::Compare::No => {}
            role::Compare::Quoted => {
                let (w, g) = ((r.found)(want), (r.found)(got));
                if w != g {
                    d.push(Difference::new(o, r.words, Form::Quoted, r.ui).values(w, g));
                }
            }
            role::Compare::Marker if !got.notes.contains(want.notes.trim()) => {
                let ui = format!("{} (the setup marker is optional)", r.ui);
                d.push(Difference::new(o, r.words, Form::Marker, &ui));
            }
            role::Compare::Marker => {}
            role::Compare::Claims => d.extend(claim_differences(r, want, got)),
        }
    }
    d
}

/// The claims Halo holds otherwise than asked, each on its own scale.
fn claim_differences(r: &role::Attr, want: &Role, got: &Role) -> Vec<Difference> {
    let (w, g) = (
        claims::Permissions::from_claims(&want.claims),
        got.permissions(),
    );
    let mut d = Vec::new();
    for (def, level) in w.entries() {
        let have = g.get(def.code);
        if have != Some(level) {
            let ui = format!(
                "{} > {}: {} = {}",
                r.ui,
                def.group.label(),
                def.label,
                level.label
            );
            let attribute = format!("{} {}", r.words, def.label);
            d.push(
                Difference::new(Object::Role, &attribute, Form::Plain, &ui)
                    .values(level.label, have.map_or("Not set", |l| l.label)),
            );
        }
    }
    d
}

/// The agent's differences: its plain attributes (the table `answers::agent::ROWS`), its
/// default team and work hours, then its memberships.
pub fn diff_agent(want: &Agent, got: &Agent) -> Vec<Difference> {
    let o = Object::Agent;
    let rows = |group| agent::ROWS.iter().filter(move |r| r.group == group);
    let mut d = diff_attrs(want, got, rows(Group::Identity));
    for (field, ui, w, g) in [
        (
            "default team",
            "Default Team",
            want.team.clone(),
            got.team.clone(),
        ),
        (
            "work hours",
            "Work Hours",
            id_words(want.workday_id),
            id_words(got.workday_id),
        ),
    ] {
        if w != g {
            d.push(Difference::new(o, field, Form::Quoted, ui).values(w, g));
        }
    }
    d.extend(diff_attrs(want, got, rows(Group::Rights)));
    memberships(want, got, &mut d);
    d
}

/// The differences of the agent's attributes `rows` (rows of `answers::agent::ROWS`).
pub fn diff_attrs<'a>(
    want: &Agent,
    got: &Agent,
    rows: impl IntoIterator<Item = &'a agent::Attr>,
) -> Vec<Difference> {
    rows.into_iter()
        .filter(|r| r.differs(want, got))
        .map(|r| {
            Difference::new(Object::Agent, r.words, Form::Quoted, r.ui)
                .values((r.found)(want), (r.found)(got))
        })
        .collect()
}

fn memberships(want: &Agent, got: &Agent, d: &mut Vec<Difference>) {
    let o = Object::Agent;
    const TEAMS_UI: &str = "Departments & Teams";
    for r in &want.roles {
        if !got.roles.iter().any(|g| g.id == r.id) {
            d.push(Difference::new(o, "roles", Form::Missing, "Roles").values(&r.name, ""));
        }
    }
    for t in &want.teams {
        match got.teams.iter().find(|g| g.team_id == t.team_id) {
            None => d.push(
                Difference::new(o, "teams", Form::Missing, TEAMS_UI).values(&t.team_name, ""),
            ),
            Some(g)
                if g.unassigned_access != t.unassigned_access
                    || g.otheragent_access != t.otheragent_access =>
            {
                d.push(
                    Difference::new(o, "teams", Form::FlagsDiffer, TEAMS_UI)
                        .values(&t.team_name, ""),
                );
            }
            Some(_) => {}
        }
    }
    for dep in &want.departments {
        match got
            .departments
            .iter()
            .find(|g| g.department_id == dep.department_id)
        {
            None => d.push(
                Difference::new(o, "departments", Form::Missing, TEAMS_UI)
                    .values(&dep.department_name, ""),
            ),
            Some(g) if g.membershiplevel != dep.membershiplevel => d.push(
                Difference::new(
                    o,
                    "departments",
                    Form::Membership(dep.department_name.clone()),
                    TEAMS_UI,
                )
                .values(
                    MembershipLevel::from_code(dep.membershiplevel).label(),
                    MembershipLevel::from_code(g.membershiplevel).label(),
                ),
            ),
            Some(_) => {}
        }
    }
}

/// The application's differences: the attributes its table compares
/// (`answers::application::ROWS`), in the order of Halo's form.
pub fn diff_application(want: &Application, got: &Application) -> Vec<Difference> {
    application::ROWS
        .iter()
        .filter(|r| r.compare != application::Compare::No && r.differs(want, got))
        .map(|r| {
            let form = match r.compare {
                application::Compare::Scopes => return scopes_difference(r, want, got),
                application::Compare::Plain => Form::Plain,
                _ => Form::Quoted,
            };
            Difference::new(Object::Application, r.words, form, &r.fix_ui())
                .values((r.found)(want), (r.found)(got))
        })
        .collect()
}

/// The scopes Halo lacks and those it has besides.
fn scopes_difference(r: &application::Attr, want: &Application, got: &Application) -> Difference {
    let (w, g) = (want.scope_names(), got.scope_names());
    let sorted = |v: Vec<&String>| {
        let mut v: Vec<String> = v.into_iter().cloned().collect();
        v.sort();
        v.join(" ")
    };
    let missing = sorted(w.iter().filter(|s| !g.contains(s)).collect());
    let extra = sorted(g.iter().filter(|s| !w.contains(s)).collect());
    Difference::new(Object::Application, r.words, Form::Scopes, r.ui).values(missing, extra)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An optional attribute the answers leave empty is not a difference (a repair would
    /// blank what someone set in Halo); one the answers set is.
    #[test]
    fn an_empty_optional_answer_keeps_what_halo_holds() {
        let got = Agent {
            sms: "+44 20 7946 0000".into(),
            email: "ops@example.com".into(),
            ..Agent::default()
        };
        let rows = || agent::ROWS.iter().filter(|r| r.group == Group::Identity);
        assert!(diff_attrs(&Agent::default(), &got, rows()).is_empty());
        let want = Agent {
            sms: "+1 555 0100".into(),
            ..Agent::default()
        };
        let d = diff_attrs(&want, &got, rows());
        assert_eq!(d.len(), 1, "{d:?}");
        assert_eq!(d[0].attribute, "phone");
    }
}
