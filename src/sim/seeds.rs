//! Seed data beyond a fresh tenant (`halo-onboard sandbox --seed audit`): the integrations an
//! MSP's instance carries after years of hand-made setups, so an audit has something worth
//! reading. Every object holds only fields of its published schema (`State::sanitize` runs on
//! it like on any other) and role permissions in the claims table's codes.
//!
//! Each is a pattern vendor guides themselves describe (shared/reference/vendor-profiles.md):
//! an application logging in as a "system admin" (Appxite, CloudRadial Chat; Rewst recommends
//! administrator rights; CIPP's agent "needs to be an administrator") with the `all` scope
//! (TimeZest, Rewst); an application on a person's account; an agent switched off while its
//! application stays active; the same vendor set up twice (TimeZest's rotation guide leaves two
//! keys until the old one is deleted; halo-api.md §7a).

use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use super::state::{
    ADMIN_ROLE_ID, FIRST_LINE_ROLE_ID, GRANT_CLIENT_CREDENTIALS, HUMAN_AGENT_ID, State, new_guid,
    new_secret,
};

/// Which data a new instance starts with.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "snake_case")]
pub enum SeedData {
    /// A fresh tenant: the bootstrap application and nothing else integrated.
    #[default]
    Fresh,
    /// A fresh tenant plus hand-made integrations with the risks an audit flags.
    Audit,
}

/// The hand-made integrations of `--seed audit`, by application name: (name, agent, what it
/// shows). Tests and the README name them.
pub const AUDIT_APPLICATIONS: [(&str, &str, &str); 7] = [
    (
        "Hudu",
        "Hudu Sync",
        "an API-only administrator with the all scope",
    ),
    (
        "Power BI Reports",
        "Alex Admin",
        "a person who is an administrator",
    ),
    (
        "Rewst",
        "Sam Support",
        "a person's account with the all scope",
    ),
    (
        "Legacy Sync",
        "Old PSA Sync",
        "a disabled agent, the application still active",
    ),
    ("TimeZest", "TimeZest API", "the same vendor twice"),
    ("IT Glue", "IT Glue API", "least privilege: nothing to flag"),
    ("Old Vendor", "IT Glue API", "an inactive application"),
];

fn app(name: &str, agent: i64, agent_name: &str, scopes: &[&str], inactive: bool) -> Value {
    json!({
        "id": new_guid(), "clientId": new_guid(), "clientSecret": new_secret(),
        "displayName": name, "inactive": inactive,
        "grant_type": GRANT_CLIENT_CREDENTIALS, "loginentity": 0,
        "loginas_agent_id": agent, "loginas_agent_name": agent_name,
        "scopes": scopes.iter().map(|s| json!({"name": s})).collect::<Vec<_>>(),
    })
}

fn agent(
    name: &str,
    first: &str,
    last: &str,
    api: bool,
    disabled: bool,
    role: (&str, &str),
) -> Value {
    let initials: String = [first, last]
        .iter()
        .filter_map(|w| w.chars().next())
        .collect();
    json!({
        "name": name, "firstname": first, "surname": last, "initials": initials,
        "email": format!("{}@sandbox.example", name.to_lowercase().replace(' ', ".")),
        "isapiagent": api, "isdisabled": disabled,
        "can_approve_purchaseorder": false, "can_approve_invoice": false,
        "team": "", "teams": [], "departments": [],
        "roles": [{"id": role.0, "name": role.1}],
        "workday_id": 1, "workday_name": "Default Working Hours",
    })
}

impl State {
    /// Adds the hand-made integrations of `--seed audit` (see [`AUDIT_APPLICATIONS`]).
    pub(crate) fn seed_audit(&mut self) {
        let admin = (ADMIN_ROLE_ID, "Administrator");
        let first_line = (FIRST_LINE_ROLE_ID, "1st Line Support");
        let d = self.dialect;
        let claims = |pairs: &[(&str, &str)]| -> Vec<Value> {
            pairs.iter().map(|(c, v)| d.claim(c, v)).collect()
        };
        let tz_role = self.add_role(json!({"name": "TimeZest Scheduling", "notes": "",
            "claims": claims(&[("SA", "false"), ("Ax", "2"), ("Tx", "1"), ("Ux", "2")])}));
        let glue_role = self.add_role(json!({"name": "IT Glue Read", "notes": "",
            "claims": claims(&[("SA", "false"), ("Ux", "2"), ("Dx", "1")])}));
        let hudu = self.add_agent(agent("Hudu Sync", "Hudu", "Sync", true, false, admin));
        let alex = self.add_agent(agent("Alex Admin", "Alex", "Admin", false, false, admin));
        let old = self.add_agent(agent("Old PSA Sync", "Old", "Sync", true, true, first_line));
        let tz = self.add_agent(agent(
            "TimeZest API",
            "TimeZest",
            "API",
            true,
            false,
            (&tz_role, "TimeZest Scheduling"),
        ));
        let glue = self.add_agent(agent(
            "IT Glue API",
            "IT Glue",
            "API",
            true,
            false,
            (&glue_role, "IT Glue Read"),
        ));
        let apps = [
            app("Hudu", hudu, "Hudu Sync", &["all"], false),
            app(
                "Power BI Reports",
                alex,
                "Alex Admin",
                &["read:tickets", "read:customers", "read:reporting"],
                false,
            ),
            app("Rewst", HUMAN_AGENT_ID, "Sam Support", &["all"], false),
            app("Legacy Sync", old, "Old PSA Sync", &["read:tickets"], false),
            app(
                "TimeZest",
                tz,
                "TimeZest API",
                &["read:calendar", "edit:calendar", "read:tickets"],
                false,
            ),
            app(
                "TimeZest",
                tz,
                "TimeZest API",
                &["read:calendar", "edit:calendar", "read:tickets"],
                false,
            ),
            app(
                "IT Glue",
                glue,
                "IT Glue API",
                &["read:customers", "read:assets"],
                false,
            ),
            app("Old Vendor", glue, "IT Glue API", &["read:customers"], true),
        ];
        for a in apps {
            self.add_application(a);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The audit seed stores only schema fields and speaks the instance's own claim names.
    #[test]
    fn audit_seed_is_schema_clean_and_has_each_pattern() {
        for d in [
            super::super::SimDialect::Current,
            super::super::SimDialect::Legacy,
        ] {
            let mut s = State::seed_with("c".into(), "s".into(), d);
            s.seed_audit();
            assert_eq!(s.sanitize(), Vec::<String>::new(), "{d:?}");
            let hudu = s.named("applications", "Hudu").unwrap();
            let agent = s.agent(hudu.i64("loginas_agent_id").unwrap()).unwrap();
            assert!(s.is_admin(agent) && agent.bool("isapiagent"), "{d:?}");
            assert_eq!(hudu.names("scopes"), ["all"]);
            let rewst = s.named("applications", "Rewst").unwrap();
            let sam = s.agent(rewst.i64("loginas_agent_id").unwrap()).unwrap();
            assert!(!sam.bool("isapiagent") && !s.is_admin(sam));
            assert_eq!(s.count_named("applications", "TimeZest"), 2);
            let legacy = s.named("applications", "Legacy Sync").unwrap();
            assert!(
                s.agent(legacy.i64("loginas_agent_id").unwrap())
                    .unwrap()
                    .bool("isdisabled")
            );
            for (name, agent, _) in AUDIT_APPLICATIONS {
                let a = s.named("applications", name).unwrap();
                assert_eq!(a.str("loginas_agent_name"), agent);
            }
        }
    }
}
