//! The agent's attribute table: each plain attribute of Halo's agent (`Uname`) once, with its
//! key in profiles and answers files (one spelling; the older one still loads), its Halo field,
//! how it is built into the agent Halo gets, how Halo's value is read for a comparison, its
//! label in Halo's web UI (manual steps, fixes) and in the wizard, and the limit Halo puts on
//! it. The plan (build, read-back differences, manual steps, fixes), the answers checks, the
//! profile checks and the wizard's Agent step read [`ROWS`]; adding a field is one row here
//! (plus its slot in [`AgentDetails`] and in Halo's model).
//!
//! The agent's memberships (roles, teams, departments, default team) and its work hours are
//! names resolved against what Halo has: the plan builds those itself.

use serde::{Deserialize, Serialize};

use crate::halo::columns::{self, Column};
use crate::halo::model::Agent;

/// The agent's plain attributes, as profiles, answers files and journals hold them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct AgentDetails {
    /// Username (Halo's `name`). Answers files and journals written before the one spelling
    /// say `name`.
    #[serde(rename = "username", alias = "name")]
    pub name: String,
    /// First name (Halo's `firstname`; optional).
    pub firstname: String,
    /// Surname (Halo's `surname`; optional).
    pub surname: String,
    /// At most 3 characters.
    pub initials: String,
    /// Email address (Halo's `email`; optional, checked for shape when given).
    pub email: String,
    /// The agent's phone number (Halo's `sms`; optional).
    pub phone: String,
    /// Whether the agent may sign in (Halo stores the opposite, `isdisabled`); default on.
    pub active: bool,
    /// An API-only agent (Halo's `isapiagent`): takes no licence and cannot log into the web or
    /// mobile apps; default on.
    pub api_only: bool,
    /// Work hours by name, e.g. "Default Working Hours" or "24 Hours" (resolved to Halo's id
    /// by the plan). Answers files and journals written before the one spelling say `workday`.
    #[serde(rename = "work_hours", alias = "workday")]
    pub workday: String,
    /// Halo's `can_approve_purchaseorder`; default off.
    pub can_approve_purchaseorder: bool,
    /// Halo's `can_approve_invoice`; default off.
    pub can_approve_invoice: bool,
}

impl Default for AgentDetails {
    fn default() -> Self {
        Self {
            name: String::new(),
            firstname: String::new(),
            surname: String::new(),
            initials: String::new(),
            email: String::new(),
            phone: String::new(),
            active: true,
            api_only: true,
            workday: "Default Working Hours".into(),
            can_approve_purchaseorder: false,
            can_approve_invoice: false,
        }
    }
}

/// Where a row stands among the agent's attributes: its identity comes before the
/// memberships (roles, default team, work hours, teams, departments), its rights after.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Group {
    Identity,
    Rights,
}

/// What kind of value an attribute holds, and how it is read and written in the answers.
#[derive(Clone, Copy)]
pub enum Value {
    /// One line of text.
    Text {
        get: fn(&AgentDetails) -> &String,
        slot: fn(&mut AgentDetails) -> &mut String,
        /// The limit Halo puts on a non-empty value (its column, `halo::columns`).
        rule: fn(&str) -> Option<String>,
        /// Halo's column, for its label and size.
        column: Column,
        /// The wizard and the plan refuse an empty value.
        required: bool,
        /// Shown as a manual step even when empty.
        always_shown: bool,
        /// The wizard's placeholder.
        hint: &'static str,
    },
    /// Yes or no.
    Flag {
        slot: fn(&mut AgentDetails) -> &mut bool,
        get: fn(&AgentDetails) -> bool,
    },
}

/// One attribute of the agent.
#[derive(Clone, Copy)]
pub struct Attr {
    /// The key in profiles and answers files (`[agent]` table).
    pub key: &'static str,
    /// Halo's field on `Uname` (held to `evidence/halo-api/schemas.json` by the dialect).
    pub halo: &'static str,
    /// The field's label in Halo's web UI (manual steps, fixes).
    pub ui: &'static str,
    /// How a read-back difference names it.
    pub words: &'static str,
    /// The wizard's label.
    pub prompt: &'static str,
    /// Where the wizard asks it among the rows of its group (the table's order is the order
    /// of Halo's form, which the plan and the manual steps follow; the wizard asks Active
    /// before API-only).
    pub ask: u8,
    pub group: Group,
    /// `check` compares it with what Halo holds (the "agent details" check). Active and
    /// API-only have checks of their own, with what they mean for the integration.
    pub audited: bool,
    pub value: Value,
    /// Puts the answer into the agent Halo gets.
    pub build: fn(&AgentDetails, &mut Agent),
    /// Halo's value as compared and shown (`true`/`false` for a flag).
    pub found: fn(&Agent) -> String,
    /// Puts the wanted value (from `want`) into what a repair sends (`plan::repair`).
    pub repair: fn(want: &Agent, desired: &mut Agent),
}

impl Attr {
    /// The answers-file key with its table, e.g. `agent.username`.
    pub fn path(&self) -> String {
        format!("agent.{}", self.key)
    }

    /// Does Halo hold `got` otherwise than `want` asks? An optional text the answers leave
    /// empty asks for nothing: what Halo holds stays (a repair never blanks a phone number or
    /// an email someone set).
    pub fn differs(&self, want: &Agent, got: &Agent) -> bool {
        let (w, g) = ((self.found)(want), (self.found)(got));
        let optional = matches!(
            self.value,
            Value::Text {
                required: false,
                always_shown: false,
                ..
            }
        );
        w != g && !(optional && w.trim().is_empty())
    }

    /// What is wrong with the answer `d` holds, by Halo's limits (`None`: fine; an empty
    /// value is fine here, the plan names what is missing).
    pub fn limit(&self, d: &AgentDetails) -> Option<String> {
        match self.value {
            Value::Text { get, rule, .. } => {
                let v = get(d).trim();
                (!v.is_empty()).then(|| rule(v)).flatten()
            }
            Value::Flag { .. } => None,
        }
    }

    /// The manual step that sets it in Halo's web UI, for the agent `want` (`None`: an empty
    /// optional text, nothing to set).
    pub fn step(&self, want: &Agent) -> Option<String> {
        let v = (self.found)(want);
        match self.value {
            Value::Text { always_shown, .. } if v.is_empty() && !always_shown => None,
            Value::Text { .. } => Some(format!("{} = '{v}'", self.ui)),
            Value::Flag { .. } => Some(format!(
                "{} = {}",
                self.ui,
                if v == "true" { "Yes" } else { "No" }
            )),
        }
    }
}

/// The rows of `group` in the order the wizard asks them.
pub(crate) fn asked(group: Group) -> Vec<(usize, &'static Attr)> {
    let mut v: Vec<_> = ROWS
        .iter()
        .enumerate()
        .filter(|(_, r)| r.group == group)
        .collect();
    v.sort_by_key(|(_, r)| r.ask);
    v
}

/// The index of the row with this key (at compile time; a key the table lacks fails the
/// build).
pub(crate) const fn index_of(key: &str) -> usize {
    let mut i = 0;
    while i < ROWS.len() {
        if same(ROWS[i].key.as_bytes(), key.as_bytes()) {
            return i;
        }
        i += 1;
    }
    panic!("no such agent attribute")
}

/// Are the two byte strings the same (a `const` comparison for the tables' `index_of`)?
pub(crate) const fn same(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    let mut i = 0;
    while i < a.len() {
        if a[i] != b[i] {
            return false;
        }
        i += 1;
    }
    true
}

/// The row with this key.
pub(crate) fn row(key: &str) -> Option<&'static Attr> {
    ROWS.iter().find(|r| r.key == key)
}

fn optional_email(v: &str) -> Option<String> {
    columns::check_email(v)
}

/// The phone number's limit (inferred: Halo's column is not in the evidence).
const PHONE: Column = Column {
    label: "Phone Number",
    max: 50,
};

/// The agent's attributes, in the order of Halo's form (the plan's order; the wizard's is
/// [`Attr::ask`]).
pub(crate) const ROWS: &[Attr] = &[
    Attr {
        key: "username",
        halo: "name",
        ui: "Username",
        words: "username",
        prompt: "Username",
        ask: 0,
        group: Group::Identity,
        audited: false,
        value: Value::Text {
            get: |d| &d.name,
            slot: |d| &mut d.name,
            rule: |v| columns::check(columns::AGENT_USERNAME, v),
            column: columns::AGENT_USERNAME,
            required: true,
            always_shown: true,
            hint: "e.g. vendor-api",
        },
        build: |d, g| g.name = d.name.trim().into(),
        found: |g| g.name.clone(),
        repair: |w, d| d.name = w.name.clone(),
    },
    Attr {
        key: "firstname",
        halo: "firstname",
        ui: "First Name",
        words: "first name",
        prompt: "First name",
        ask: 1,
        group: Group::Identity,
        audited: false,
        value: Value::Text {
            get: |d| &d.firstname,
            slot: |d| &mut d.firstname,
            rule: |v| columns::check(columns::FIRST_NAME, v),
            column: columns::FIRST_NAME,
            required: true,
            always_shown: false,
            hint: "",
        },
        build: |d, g| g.firstname = d.firstname.trim().into(),
        found: |g| g.firstname.clone(),
        repair: |w, d| d.firstname = w.firstname.clone(),
    },
    Attr {
        key: "surname",
        halo: "surname",
        ui: "Surname",
        words: "last name",
        prompt: "Last name",
        ask: 2,
        group: Group::Identity,
        audited: false,
        value: Value::Text {
            get: |d| &d.surname,
            slot: |d| &mut d.surname,
            rule: |v| columns::check(columns::SURNAME, v),
            column: columns::SURNAME,
            required: false,
            always_shown: false,
            hint: "",
        },
        build: |d, g| g.surname = d.surname.trim().into(),
        found: |g| g.surname.clone(),
        repair: |w, d| d.surname = w.surname.clone(),
    },
    Attr {
        key: "initials",
        halo: "initials",
        ui: "Initials",
        words: "initials",
        prompt: "Initials",
        ask: 3,
        group: Group::Identity,
        audited: false,
        value: Value::Text {
            get: |d| &d.initials,
            slot: |d| &mut d.initials,
            rule: columns::check_initials,
            column: columns::INITIALS,
            required: false,
            always_shown: false,
            hint: "max 3",
        },
        build: |d, g| g.initials = d.initials.trim().into(),
        found: |g| g.initials.clone(),
        repair: |w, d| d.initials = w.initials.clone(),
    },
    Attr {
        key: "email",
        halo: "email",
        ui: "Email",
        words: "email",
        prompt: "Email",
        ask: 4,
        group: Group::Identity,
        audited: false,
        value: Value::Text {
            get: |d| &d.email,
            slot: |d| &mut d.email,
            rule: optional_email,
            column: columns::EMAIL,
            required: false,
            always_shown: false,
            hint: "(optional) name@example.com",
        },
        build: |d, g| g.email = d.email.trim().into(),
        found: |g| g.email.clone(),
        repair: |w, d| d.email = w.email.clone(),
    },
    // Uname has no `phonenumber`: its phone fields are `sms` (the agent's number, used for
    // SMS) and `extensionnumber` (evidence/halo-api/schemas.json, uname-2026.json). Halo's
    // new-agent form shows a phone number (guide kbid 877); its label and column size are
    // inferred [I], so 50 characters are allowed.
    Attr {
        key: "phone",
        halo: "sms",
        ui: "Phone Number",
        words: "phone",
        prompt: "Phone",
        ask: 4,
        group: Group::Identity,
        audited: true,
        value: Value::Text {
            get: |d| &d.phone,
            slot: |d| &mut d.phone,
            rule: |v| columns::check(PHONE, v),
            column: PHONE,
            required: false,
            always_shown: false,
            hint: "(optional) e.g. +44 20 7946 0000",
        },
        build: |d, g| g.sms = d.phone.trim().into(),
        found: |g| g.sms.clone(),
        repair: |w, d| d.sms = w.sms.clone(),
    },
    Attr {
        key: "api_only",
        halo: "isapiagent",
        ui: "Is an API-only Agent",
        words: "API-only",
        prompt: "API-only agent",
        ask: 6,
        group: Group::Identity,
        audited: false,
        value: Value::Flag {
            slot: |d| &mut d.api_only,
            get: |d| d.api_only,
        },
        build: |d, g| g.isapiagent = d.api_only,
        found: |g| g.isapiagent.to_string(),
        repair: |w, d| d.isapiagent = w.isapiagent,
    },
    Attr {
        key: "active",
        halo: "isdisabled",
        ui: "Active",
        words: "active",
        prompt: "Active",
        ask: 5,
        group: Group::Identity,
        audited: false,
        value: Value::Flag {
            slot: |d| &mut d.active,
            get: |d| d.active,
        },
        build: |d, g| g.isdisabled = !d.active,
        found: |g| (!g.isdisabled).to_string(),
        repair: |w, d| d.isdisabled = w.isdisabled,
    },
    Attr {
        key: "can_approve_purchaseorder",
        halo: "can_approve_purchaseorder",
        ui: "Can approve Purchase Orders",
        words: "can approve purchase orders",
        prompt: "Can approve purchase orders",
        ask: 0,
        group: Group::Rights,
        audited: false,
        value: Value::Flag {
            slot: |d| &mut d.can_approve_purchaseorder,
            get: |d| d.can_approve_purchaseorder,
        },
        build: |d, g| g.can_approve_purchaseorder = d.can_approve_purchaseorder,
        found: |g| g.can_approve_purchaseorder.to_string(),
        repair: |w, d| d.can_approve_purchaseorder = w.can_approve_purchaseorder,
    },
    Attr {
        key: "can_approve_invoice",
        halo: "can_approve_invoice",
        ui: "Can approve Invoices",
        words: "can approve invoices",
        prompt: "Can approve invoices",
        ask: 1,
        group: Group::Rights,
        audited: false,
        value: Value::Flag {
            slot: |d| &mut d.can_approve_invoice,
            get: |d| d.can_approve_invoice,
        },
        build: |d, g| g.can_approve_invoice = d.can_approve_invoice,
        found: |g| g.can_approve_invoice.to_string(),
        repair: |w, d| d.can_approve_invoice = w.can_approve_invoice,
    },
];

/// The work hours' key (a name the plan resolves; not a plain row).
pub(crate) const WORK_HOURS: &str = "work_hours";

/// The keys of the `[agent]` table besides the rows and the work hours.
const MEMBERSHIPS: [&str; 4] = ["extra_roles", "default_team", "teams", "departments"];

/// Older spellings of answers keys, and today's.
const RESPELLED: [(&str, &str); 2] = [("name", "username"), ("workday", WORK_HOURS)];

/// Puts today's spelling on the keys of an `[agent]` table written before the one spelling
/// (`name`, `workday`), so it can be laid over answers that already hold today's keys.
pub(crate) fn respell(agent: &mut toml::Table) {
    for (old, new) in RESPELLED {
        if let Some(v) = agent.remove(old) {
            agent.insert(new.into(), v);
        }
    }
}

/// The keys of an `[agent]` table that are no attribute of the agent, as `agent.KEY` (the
/// attributes are read through serde's `flatten`, which drops unknown keys unseen).
pub(crate) fn unknown_keys(agent: &toml::Table) -> Vec<String> {
    agent
        .keys()
        .filter(|k| {
            let k = k.as_str();
            row(k).is_none()
                && k != WORK_HOURS
                && !MEMBERSHIPS.contains(&k)
                && !RESPELLED.iter().any(|(old, _)| *old == k)
        })
        .map(|k| format!("agent.{k}"))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::halo::dialect::fields::Schema;

    #[test]
    fn every_row_is_a_field_of_halos_agent_and_keys_are_unique() {
        for r in ROWS {
            assert!(Schema::Agent.has(r.halo), "{}: no Uname.{}", r.key, r.halo);
            assert_eq!(
                ROWS.iter().filter(|x| x.key == r.key).count(),
                1,
                "{}",
                r.key
            );
        }
        assert!(Schema::Agent.has("workday_id"));
    }

    /// Every row builds what it reads back: the answer set, built, is found again.
    #[test]
    fn each_row_round_trips_through_halos_agent() {
        let mut d = AgentDetails::default();
        for r in ROWS {
            match r.value {
                Value::Text { slot, .. } => *slot(&mut d) = format!("v-{}", r.key),
                Value::Flag { slot, .. } => *slot(&mut d) ^= true,
            }
        }
        let mut g = Agent::default();
        for r in ROWS {
            (r.build)(&d, &mut g);
            let want = match r.value {
                Value::Text { get, .. } => get(&d).clone(),
                Value::Flag { get, .. } => get(&d).to_string(),
            };
            assert_eq!((r.found)(&g), want, "{}", r.key);
            assert!(r.step(&g).is_some_and(|s| s.starts_with(r.ui)), "{}", r.key);
        }
    }

    /// The struct and the table agree: every attribute an answers file holds is a row (or
    /// the work hours), so none is unknown and none is left out.
    #[test]
    fn the_details_are_the_rows() {
        let v = toml::Table::try_from(AgentDetails::default()).unwrap();
        let mut keys: Vec<&str> = v.keys().map(String::as_str).collect();
        keys.sort_unstable();
        let mut rows: Vec<&str> = ROWS.iter().map(|r| r.key).chain([WORK_HOURS]).collect();
        rows.sort_unstable();
        assert_eq!(keys, rows);
        let mut t: toml::Table = toml::from_str("name = 'x'\nemial = 'y'\nteams = []").unwrap();
        respell(&mut t);
        assert_eq!(unknown_keys(&t), ["agent.emial"]);
        assert!(t.contains_key("username"));
    }

    /// One spelling: `username` and `work_hours` in profiles and answers files alike; answers
    /// files and journals written with `name` and `workday` still load.
    #[test]
    fn the_older_answers_spelling_still_loads() {
        let old: AgentDetails =
            toml::from_str("name = \"bot\"\nworkday = \"24 Hours\"\n").expect("old spelling");
        let new: AgentDetails =
            toml::from_str("username = \"bot\"\nwork_hours = \"24 Hours\"\n").expect("new");
        assert_eq!(old, new);
        assert_eq!(
            (new.name.as_str(), new.workday.as_str()),
            ("bot", "24 Hours")
        );
        let json = serde_json::to_string(&new).unwrap();
        assert!(
            json.contains("\"username\"") && json.contains("\"work_hours\""),
            "{json}"
        );
        let old_json: AgentDetails =
            serde_json::from_str(r#"{"name":"bot","workday":"24 Hours"}"#).unwrap();
        assert_eq!(old_json, new);
        // A journal's answers, written before: the agent's table in full.
        let journal: crate::answers::Answers = serde_json::from_str(
            r#"{"agent":{"name":"bot","workday":"24 Hours","teams":[{"name":"Desk"}]}}"#,
        )
        .unwrap();
        assert_eq!(
            (journal.agent.name.as_str(), journal.agent.teams.len()),
            ("bot", 1)
        );
        assert_eq!(journal.agent.workday, "24 Hours");
    }
}
