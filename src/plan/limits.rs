//! Answers checked against Halo's own limits ([`crate::halo::columns`]) before Halo sees them:
//! from an answers file, a profile or a journal, for the headless commands. The wizard checks
//! the same rules field by field (`app::validate`).

use crate::halo::columns::{self, Column};
use crate::text;

use crate::answers::{Answers, RoleMode};

/// One value Halo would refuse or cut: where it is in the answers, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// The answers key, e.g. `agent.initials`, `agent.teams[0].name`.
    pub field: String,
    /// Halo's label for it, e.g. `Initials` (empty where the key says it all).
    pub label: &'static str,
    pub message: String,
}

impl std::fmt::Display for Problem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.label.is_empty() {
            write!(f, "{}: {}", self.field, self.message)
        } else {
            write!(f, "{} ({}): {}", self.field, self.label, self.message)
        }
    }
}

/// Answers keys whose values are multi-line texts: line breaks and tabs are fine there.
const MULTILINE: [&str; 2] = ["role.notes", "application.description"];

/// Every string of the answers (wherever they came from: an answers file, a profile, a
/// journal) with a control or bidi character, by its key: such a value would reach a
/// terminal, a log or a file raw in the plan's lines ("BLOCKED: team '…' does not exist",
/// "change: scopes …", the manual steps), and Halo has no name that holds one.
fn unsafe_strings(a: &Answers, out: &mut Vec<Problem>) {
    fn walk(v: &serde_json::Value, at: &str, out: &mut Vec<(String, char)>) {
        match v {
            serde_json::Value::String(s) => {
                let multiline = MULTILINE.contains(&at);
                if let Some(c) = s
                    .chars()
                    .find(|c| text::is_unsafe(*c) && !(multiline && matches!(c, '\n' | '\t')))
                {
                    out.push((at.to_string(), c));
                }
            }
            serde_json::Value::Array(items) => {
                for (i, x) in items.iter().enumerate() {
                    walk(x, &format!("{at}[{i}]"), out);
                }
            }
            serde_json::Value::Object(map) => {
                for (k, x) in map {
                    let here = if at.is_empty() {
                        k.clone()
                    } else {
                        format!("{at}.{k}")
                    };
                    walk(x, &here, out);
                }
            }
            _ => {}
        }
    }
    let Ok(v) = serde_json::to_value(a) else {
        return;
    };
    let mut found = Vec::new();
    walk(&v, "", &mut found);
    for (field, c) in found {
        // A field the rules above already named is said once; a reused role's name is
        // Halo's (shown escaped like everything Halo sends), not the answers'.
        let halos = field == "role.name" && a.role.mode != RoleMode::Create;
        if halos || out.iter().any(|p| p.field == field) {
            continue;
        }
        out.push(Problem {
            field,
            label: "",
            message: format!(
                "has a control character ({}): remove it",
                text::code_point(c)
            ),
        });
    }
}

/// Every value of `a` that Halo would refuse or cut. Empty values are not problems here
/// (the plan names what is missing).
pub fn problems(a: &Answers) -> Vec<Problem> {
    let mut out = Vec::new();
    let mut one = |field: &str, col: Column, value: &str, rule: &dyn Fn(&str) -> Option<String>| {
        let v = value.trim();
        if let Some(message) = (!v.is_empty()).then(|| rule(v)).flatten() {
            out.push(Problem {
                field: field.to_string(),
                label: col.label,
                message,
            });
        }
    };
    let name = |col: Column| move |v: &str| columns::check(col, v);
    if a.role.mode == RoleMode::Create {
        one(
            "role.name",
            columns::ROLE_NAME,
            &a.role.name,
            &name(columns::ROLE_NAME),
        );
    }
    for r in crate::answers::agent::ROWS {
        if let crate::answers::agent::Value::Text {
            get, rule, column, ..
        } = r.value
        {
            one(&r.path(), column, get(&a.agent), &rule);
        }
    }
    one(
        "application.name",
        columns::APPLICATION_NAME,
        &a.application.name,
        &name(columns::APPLICATION_NAME),
    );
    // Multi-line texts: line breaks and tabs are fine, other control characters are not.
    for (field, label, value) in [
        ("role.notes", "Notes", &a.role.notes),
        (
            "application.description",
            "Description",
            &a.application.description,
        ),
    ] {
        if let Some(c) = value
            .chars()
            .find(|c| text::is_unsafe(*c) && !matches!(c, '\n' | '\t'))
        {
            out.push(Problem {
                field: field.to_string(),
                label,
                message: format!(
                    "has a control character ({}): remove it",
                    text::code_point(c)
                ),
            });
        }
    }
    unsafe_strings(a, &mut out);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reports_each_field_in_halo_words() {
        let mut a = Answers::default();
        assert!(
            problems(&a).is_empty(),
            "empty answers: the plan names what is missing"
        );
        a.role.name = "r\u{1b}]0;x\u{7}".into();
        a.agent.name = "api".into();
        a.agent.initials = "🙂🙂🙂🙂".into();
        a.agent.email = "not-an-email".into();
        a.agent.firstname = "x".repeat(101);
        a.role.notes = "line one\nline two".into();
        a.application.description = "\u{202e}".into();
        let p = problems(&a);
        let fields: Vec<_> = p.iter().map(|x| x.field.as_str()).collect();
        assert_eq!(
            fields,
            [
                "role.name",
                "agent.firstname",
                "agent.initials",
                "agent.email",
                "application.description"
            ]
        );
        assert!(
            p[0].to_string()
                .starts_with("role.name (Role name): has a control character (U+001B)")
        );
        // A reused role's name is Halo's, not ours.
        a.role.mode = RoleMode::Reuse("Administrator".into());
        assert!(!problems(&a).iter().any(|x| x.field == "role.name"));
    }

    /// Issue 21: the names and texts an answers file gives that are not Halo columns (looked
    /// up by name, shown in the plan's lines and manual steps) are refused with a control
    /// character too, each by its key.
    #[test]
    fn every_string_with_a_control_character_is_named() {
        let osc52 = "x\u{1b}]52;c;aGk=\u{7}";
        type Set = fn(&mut Answers, &str);
        let table: [(&str, Set); 9] = [
            ("agent.work_hours", |a, v| a.agent.workday = v.into()),
            ("agent.default_team", |a, v| {
                a.agent.default_team = Some(v.into())
            }),
            ("agent.teams[0].name", |a, v| {
                a.agent.teams = vec![crate::answers::TeamAnswer {
                    name: v.into(),
                    ..Default::default()
                }]
            }),
            ("agent.departments[0].name", |a, v| {
                a.agent.departments = vec![crate::answers::DepartmentAnswer {
                    name: v.into(),
                    ..Default::default()
                }]
            }),
            ("agent.extra_roles[1]", |a, v| {
                a.agent.extra_roles = vec!["Helpdesk".into(), v.into()]
            }),
            ("scopes[0]", |a, v| a.scopes = vec![v.into()]),
            ("role.other_permissions[0]", |a, v| {
                a.role.other_permissions = vec![v.into()]
            }),
            ("application.login_agent", |a, v| {
                a.application.login_agent = Some(v.into())
            }),
            ("role.notes", |a, _| a.role.notes = "a\u{202e}b".into()),
        ];
        for (field, set) in table {
            let mut a = Answers::default();
            set(&mut a, osc52);
            let p = problems(&a);
            assert!(
                p.iter()
                    .any(|x| x.field == field && x.to_string().contains("control character (U+")),
                "{field}: {p:?}"
            );
            assert_eq!(p.len(), 1, "{field} said once: {p:?}");
        }
        // Line breaks are a note's, not a name's.
        let mut a = Answers::default();
        a.role.notes = "one\ntwo\tthree".into();
        assert!(problems(&a).is_empty());
        a.agent.workday = "Default\nWorking Hours".into();
        assert_eq!(problems(&a)[0].field, "agent.work_hours");
    }
}
