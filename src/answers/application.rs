//! The application's attribute table: each attribute of Halo's API application
//! (`NHD_Identity_Application`) once, in the order of Halo's form, with its key in answers
//! files and profiles, its Halo field (from the dialect), its label in Halo's web UI, how it is
//! built into the application Halo gets, how Halo's value is read and compared, which `check`
//! judges it, its manual step, and (for the wizard's Application step) its label, place and
//! limit. Build (`plan::objects`), the read-back differences (`plan::diff`), the manual
//! steps (`plan::manual`), `check` and the wizard read [`ROWS`].
//!
//! The Client ID and the secret are not attributes: they are credentials, made and handed over
//! by the apply and rotate workflows.

use serde::{Deserialize, Serialize};

use crate::halo::columns;
use crate::halo::dialect::fields::{self, application as halo};
use crate::halo::model::{
    Application, GRANT_CLIENT_CREDENTIALS, LOGIN_ENTITY_AGENT, ScopeRef, id_words,
};
use crate::halo::scopes;

/// The application's answers, as profiles, answers files and journals hold them (the scopes
/// are the answers' own `scopes` list: the Permissions step).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ApplicationAnswers {
    /// The application's name as Halo lists it (Halo's `displayName`).
    pub name: String,
    /// Halo's `description` (optional).
    pub description: String,
    /// Whether the application can sign in (Halo stores the opposite, `inactive`).
    pub active: bool,
    /// Agent to log in as, by username; `None` = the agent of the Agent step.
    pub login_agent: Option<String>,
}

impl Default for ApplicationAnswers {
    fn default() -> Self {
        Self {
            name: String::new(),
            description: String::new(),
            active: true,
            login_agent: None,
        }
    }
}

/// What the application Halo gets is built from ([`super::Answers::application_want`]).
pub struct Want<'a> {
    pub answers: &'a ApplicationAnswers,
    /// The username of the agent this setup makes.
    pub agent: &'a str,
    pub scopes: &'a [String],
    /// The Halo id of that agent (0: not made yet).
    pub agent_id: i64,
}

impl Want<'_> {
    /// The username the application logs in as.
    pub fn login_agent(&self) -> String {
        self.answers
            .login_agent
            .clone()
            .filter(|n| !n.trim().is_empty())
            .unwrap_or_else(|| self.agent.trim().to_string())
    }
}

/// What an attribute holds, and how the wizard asks it.
#[derive(Clone, Copy)]
pub(crate) enum Value {
    /// One line of text (a text field on the Application step).
    Text {
        get: fn(&ApplicationAnswers) -> &String,
        slot: fn(&mut ApplicationAnswers) -> &mut String,
        /// Halo's limit on a non-empty value.
        rule: fn(&str) -> Option<String>,
        /// The wizard and the plan refuse an empty value.
        required: bool,
        /// The wizard's placeholder.
        hint: &'static str,
        /// Halo's label for it where a limit is said (`plan::limits`).
        label: &'static str,
        /// Several lines (line breaks and tabs are fine; the headless limits check only
        /// control characters, the wizard also the rule).
        multiline: bool,
    },
    /// Yes or no (a toggle on the Application step).
    Flag {
        get: fn(&ApplicationAnswers) -> bool,
        slot: fn(&mut ApplicationAnswers) -> &mut bool,
    },
    /// Always the same: what halo-onboard's integration needs (`shown` in Halo's words).
    Fixed { shown: &'static str },
    /// The agent to log in as: the agent this setup makes (a choice on the Application step).
    LoginAgent,
    /// The scopes (the Permissions step, one toggle per scope).
    Scopes,
}

/// How a read-back difference of the attribute reads (`plan::diff::Form`), if it is compared.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Compare {
    /// Not compared: the API does not hold it, or `check` alone judges it.
    No,
    /// "name: asked 'a', Halo has 'b'".
    Quoted,
    /// Quoted, where Halo reports a value at all (older builds leave it out).
    QuotedWhereReported,
    /// "active: asked true, Halo has false".
    Plain,
    /// "scopes: missing [a], extra [b]".
    Scopes,
}

/// Which row of `check` judges the attribute.
#[derive(Clone, Copy)]
pub(crate) enum Audit {
    No,
    /// "application active": an inactive application gets no token.
    Active,
    /// "application scopes".
    Scopes,
    /// "application login": how the application logs in, and as whom.
    Login {
        /// What `check` says when Halo holds otherwise (`got`; `agent`: the answers' agent).
        said: fn(got: &Application, agent: &str) -> String,
        /// The drift it is.
        drift: &'static str,
        /// The setting, in the words of `check`'s fix ("login type Agent").
        fix: fn(agent: &str) -> String,
    },
}

/// One attribute of the application.
#[derive(Clone, Copy)]
pub(crate) struct Attr {
    /// The key in answers files and profiles (`[application]` table; the scopes are the
    /// top-level `scopes`); empty for a fixed attribute nobody answers.
    pub key: &'static str,
    /// Halo's field (held to `evidence/halo-api/schemas.json`, unless `api` is false).
    #[allow(
        dead_code,
        reason = "the table's record of Halo's field; tests hold it to the evidence"
    )]
    pub halo: &'static str,
    /// The API has the field (the form's Description does not: newer builds only).
    #[allow(
        dead_code,
        reason = "the table's record of Halo's field; tests hold it to the evidence"
    )]
    pub api: bool,
    /// The field's label on Halo's application form (manual steps, fixes).
    pub ui: &'static str,
    /// How a read-back difference names it.
    pub words: &'static str,
    /// The wizard's label (empty: not a field of the Application step).
    pub prompt: &'static str,
    /// Where the wizard asks it on the Application step (the table's order is Halo's form).
    pub ask: u8,
    pub value: Value,
    pub compare: Compare,
    pub audit: Audit,
    /// Puts the answer into the application Halo gets.
    pub build: fn(&Want<'_>, &mut Application),
    /// Halo's value as compared and shown.
    pub found: fn(&Application) -> String,
    /// Puts the wanted value (from `want`) into what a repair sends (`plan::repair`).
    pub repair: fn(want: &Application, desired: &mut Application),
}

impl Attr {
    /// The answers-file key with its table, e.g. `application.name`.
    pub(crate) fn path(&self) -> String {
        match self.value {
            Value::Scopes => self.key.to_string(),
            _ => format!("application.{}", self.key),
        }
    }

    /// Does Halo hold `got` otherwise than `want` asks? (Read-backs compare only the rows
    /// with a [`Compare`]; `check` judges its own.)
    pub(crate) fn differs(&self, want: &Application, got: &Application) -> bool {
        let (w, g) = ((self.found)(want), (self.found)(got));
        match self.compare {
            Compare::QuotedWhereReported => !g.is_empty() && w != g,
            Compare::Scopes => {
                let sorted = |a: &Application| {
                    let mut v = a.scope_names();
                    v.sort();
                    v
                };
                sorted(want) != sorted(got)
            }
            Compare::No | Compare::Quoted | Compare::Plain => w != g,
        }
    }

    /// Can the wanted value be judged? The agent to log in as is not known before the agent
    /// is made (id 0).
    pub(crate) fn known(&self, want: &Application) -> bool {
        !matches!(self.value, Value::LoginAgent) || want.loginas_agent_id.is_some_and(|i| i > 0)
    }

    /// Where a difference is fixed on the form: the label, with the value for a fixed one.
    pub(crate) fn fix_ui(&self) -> String {
        match self.value {
            Value::Fixed { shown } => format!("{} = {shown}", self.ui),
            _ => self.ui.to_string(),
        }
    }

    /// The manual step that sets it on Halo's form (`None`: an empty optional text).
    pub(crate) fn step(&self, a: &Want<'_>, want: &Application) -> Option<String> {
        match self.value {
            Value::Text { get, required, .. } => {
                let v = get(a.answers).trim().replace('\n', " ");
                (required || !v.is_empty()).then(|| format!("{} = '{v}'", self.ui))
            }
            Value::Flag { get, .. } => Some(format!(
                "{} = {}",
                self.ui,
                if get(a.answers) { "Yes" } else { "No" }
            )),
            Value::Fixed { .. } => Some(self.fix_ui()),
            Value::LoginAgent => Some(format!("{} = {}", self.ui, a.login_agent())),
            Value::Scopes => Some(format!(
                "{}: tick {}",
                self.ui,
                want.scope_names().join(", ")
            )),
        }
    }
}

/// The rows the wizard's Application step asks, in its order.
pub(crate) fn asked() -> Vec<(usize, &'static Attr)> {
    let mut v: Vec<_> = ROWS
        .iter()
        .enumerate()
        .filter(|(_, r)| !r.prompt.is_empty())
        .collect();
    v.sort_by_key(|(_, r)| r.ask);
    v
}

/// The index of the row with this key (at compile time; a key the table lacks fails the
/// build).
pub(crate) const fn index_of(key: &str) -> usize {
    let mut i = 0;
    while i < ROWS.len() {
        if super::agent::same(ROWS[i].key.as_bytes(), key.as_bytes()) {
            return i;
        }
        i += 1;
    }
    panic!("no such application attribute")
}

fn required_name(v: &str) -> Option<String> {
    columns::check(columns::APPLICATION_NAME, v)
}

/// The application's attributes, in the order of Halo's form.
pub(crate) const ROWS: &[Attr] = &[
    Attr {
        key: "name",
        halo: halo::NAME,
        api: true,
        ui: "Application Name",
        words: "name",
        prompt: "Application name",
        ask: 0,
        value: Value::Text {
            get: |a| &a.name,
            slot: |a| &mut a.name,
            rule: required_name,
            required: true,
            hint: "e.g. Vendor integration",
            label: columns::APPLICATION_NAME.label,
            multiline: false,
        },
        compare: Compare::Quoted,
        audit: Audit::No,
        build: |w, g| g.display_name = w.answers.name.trim().into(),
        found: |g| g.display_name.clone(),
        repair: |w, d| d.display_name = w.display_name.clone(),
    },
    Attr {
        key: "active",
        halo: halo::INACTIVE,
        api: true,
        ui: "Active",
        words: "active",
        prompt: "Active",
        ask: 2,
        value: Value::Flag {
            get: |a| a.active,
            slot: |a| &mut a.active,
        },
        compare: Compare::Plain,
        audit: Audit::Active,
        build: |w, g| g.inactive = !w.answers.active,
        found: |g| (!g.inactive).to_string(),
        repair: |w, d| d.inactive = w.inactive,
    },
    Attr {
        key: "",
        halo: halo::GRANT_TYPE,
        api: true,
        ui: "Authentication Method",
        words: "authentication method",
        prompt: "",
        ask: 0,
        value: Value::Fixed {
            shown: "Client ID and Secret (Services)",
        },
        compare: Compare::QuotedWhereReported,
        audit: Audit::Login {
            said: |g, _| format!("authentication method is '{}'", g.grant_type),
            drift: "application authentication method changed",
            fix: |_| "authentication method 'Client ID and Secret (Services)'".into(),
        },
        build: |_, g| g.grant_type = GRANT_CLIENT_CREDENTIALS.into(),
        found: |g| g.grant_type.clone(),
        repair: |w, d| d.grant_type = w.grant_type.clone(),
    },
    Attr {
        key: "",
        halo: halo::LOGIN_TYPE,
        api: true,
        ui: "Login Type",
        words: "login type",
        prompt: "",
        ask: 0,
        value: Value::Fixed { shown: "Agent" },
        // Not a read-back difference: `check` judges it.
        compare: Compare::No,
        audit: Audit::Login {
            said: |_, _| "login type is not Agent".into(),
            drift: "application login type changed",
            fix: |_| "login type Agent".into(),
        },
        build: |_, g| g.loginentity = LOGIN_ENTITY_AGENT,
        found: |g| g.loginentity.to_string(),
        repair: |w, d| d.loginentity = w.loginentity,
    },
    // The application logs in as the agent this setup makes: the plan refuses another.
    Attr {
        key: "login_agent",
        halo: halo::LOGIN_AGENT,
        api: true,
        ui: "Agent to log in as",
        words: "agent to log in as",
        prompt: "Agent to log in as",
        ask: 3,
        value: Value::LoginAgent,
        compare: Compare::Plain,
        audit: Audit::Login {
            said: |g, agent| {
                let shown = if g.loginas_agent_name.is_empty() {
                    format!("agent id {}", g.loginas_agent_id.unwrap_or_default())
                } else {
                    format!("'{}'", g.loginas_agent_name)
                };
                format!("logs in as {shown}, not the profile's agent '{agent}'")
            },
            drift: "application logs in as another agent",
            fix: |agent| format!("agent to log in as '{agent}'"),
        },
        build: |w, g| g.loginas_agent_id = Some(w.agent_id),
        found: |g| id_words(g.loginas_agent_id),
        repair: |w, d| d.loginas_agent_id = w.loginas_agent_id,
    },
    // The form's Description (newer builds): not a property of the API's application, so
    // the API never sets it (`dialect::fields::APP_DESCRIPTION`); a manual step at most.
    Attr {
        key: "description",
        halo: fields::APP_DESCRIPTION,
        api: false,
        ui: "Description (newer builds)",
        words: "description",
        prompt: "Description",
        ask: 1,
        value: Value::Text {
            get: |a| &a.description,
            slot: |a| &mut a.description,
            rule: columns::at_most_1000,
            required: false,
            hint: "",
            label: "Description",
            multiline: true,
        },
        compare: Compare::No,
        audit: Audit::No,
        build: |_, _| {},
        found: |_| String::new(),
        repair: |_, _| {},
    },
    Attr {
        key: "scopes",
        halo: halo::SCOPES,
        api: true,
        ui: "Permissions",
        words: "scopes",
        prompt: "",
        ask: 0,
        value: Value::Scopes,
        compare: Compare::Scopes,
        audit: Audit::Scopes,
        build: |w, g| {
            g.scopes = scopes::normalise(w.scopes)
                .into_iter()
                .map(|name| ScopeRef { name })
                .collect();
        },
        found: |g| g.scope_names().join(" "),
        repair: |w, d| d.scopes = w.scopes.clone(),
    },
];

/// The row with this key.
#[cfg(test)]
pub(crate) fn row(key: &str) -> Option<&'static Attr> {
    ROWS.iter().find(|r| r.key == key)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::halo::dialect::fields::Schema;

    #[test]
    fn every_row_is_a_field_of_halos_application_and_keys_are_unique() {
        for r in ROWS {
            assert_eq!(Schema::Application.has(r.halo), r.api, "{}", r.halo);
            if !r.key.is_empty() {
                assert_eq!(ROWS.iter().filter(|x| x.key == r.key).count(), 1);
            }
            assert_eq!(ROWS.iter().filter(|x| x.halo == r.halo).count(), 1);
        }
    }

    /// Every row builds what it reads back, and each has its manual step in Halo's words.
    #[test]
    fn each_row_round_trips_and_has_a_step() {
        let mut a = super::super::Answers::default();
        for r in ROWS {
            match r.value {
                Value::Text { slot, .. } => *slot(&mut a.application) = format!("v-{}", r.key),
                Value::Flag { slot, .. } => *slot(&mut a.application) ^= true,
                Value::Fixed { .. } | Value::LoginAgent | Value::Scopes => {}
            }
        }
        a.agent.name = "bot".into();
        a.scopes = vec!["read:tickets".into()];
        let w = a.application_want(7);
        let mut g = Application::default();
        for r in ROWS {
            (r.build)(&w, &mut g);
        }
        assert_eq!(g.display_name, "v-name");
        assert!(g.inactive);
        assert_eq!(g.loginas_agent_id, Some(7));
        assert_eq!(g.scope_names(), ["read:tickets"]);
        for r in ROWS.iter().filter(|r| r.api) {
            if let Value::Text { get, .. } = r.value {
                assert_eq!((r.found)(&g), *get(&a.application), "{}", r.key);
            }
            assert!(!r.differs(&g, &g.clone()), "{}", r.key);
            let mut other = Application::default();
            (r.repair)(&g, &mut other);
            assert_eq!((r.found)(&other), (r.found)(&g), "{}", r.key);
        }
        for r in ROWS {
            let step = r.step(&w, &g).unwrap_or_default();
            assert!(step.starts_with(r.ui), "{}: {step}", r.halo);
        }
    }

    /// The struct and the table agree: every key an `[application]` table holds is a row.
    #[test]
    fn the_answers_are_the_rows() {
        let v = toml::Table::try_from(ApplicationAnswers {
            login_agent: Some("x".into()),
            ..ApplicationAnswers::default()
        })
        .unwrap();
        for k in v.keys() {
            assert!(row(k).is_some(), "application.{k} has no row");
        }
        assert_eq!(row("scopes").map(Attr::path).as_deref(), Some("scopes"));
    }
}
