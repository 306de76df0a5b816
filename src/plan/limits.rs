//! Answers checked against Halo's own limits ([`crate::halo::columns`]) before Halo sees them:
//! from an answers file, a profile or a journal, for the headless commands. The wizard checks
//! the same rules field by field (`app::validate`).

use crate::text;

use crate::answers::{Answers, RoleMode, application, role};

/// One value Halo would refuse or cut: where it is in the answers, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Problem {
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

/// The texts of the role's and the application's tables: each row's key, its label, its
/// value in `a`, its rule and whether it is multi-line (`answers::{role, application}`).
fn table_texts(a: &Answers) -> Vec<(String, &'static str, &String, Rule, bool)> {
    let mut out = Vec::new();
    for r in role::ROWS {
        if let role::Value::Text {
            get,
            rule,
            label,
            multiline,
            ..
        } = r.value
        {
            out.push((r.path(), label, get(&a.role), rule, multiline));
        }
    }
    for r in application::ROWS {
        if let application::Value::Text {
            get,
            rule,
            label,
            multiline,
            ..
        } = r.value
        {
            out.push((r.path(), label, get(&a.application), rule, multiline));
        }
    }
    out
}

type Rule = fn(&str) -> Option<String>;

/// Every string of the answers (wherever they came from: an answers file, a profile, a
/// journal) with a control or bidi character, by its key: such a value would reach a
/// terminal, a log or a file raw in the plan's lines ("BLOCKED: team '…' does not exist",
/// "change: scopes …", the manual steps), and Halo has no name that holds one.
fn unsafe_strings(a: &Answers, out: &mut Vec<Problem>) {
    fn walk(v: &serde_json::Value, at: &str, multi: &[String], out: &mut Vec<(String, char)>) {
        match v {
            serde_json::Value::String(s) => {
                let multiline = multi.iter().any(|m| m == at);
                if let Some(c) = s
                    .chars()
                    .find(|c| text::is_unsafe(*c) && !(multiline && matches!(c, '\n' | '\t')))
                {
                    out.push((at.to_string(), c));
                }
            }
            serde_json::Value::Array(items) => {
                for (i, x) in items.iter().enumerate() {
                    walk(x, &format!("{at}[{i}]"), multi, out);
                }
            }
            serde_json::Value::Object(map) => {
                for (k, x) in map {
                    let here = if at.is_empty() {
                        k.clone()
                    } else {
                        format!("{at}.{k}")
                    };
                    walk(x, &here, multi, out);
                }
            }
            _ => {}
        }
    }
    let Ok(v) = serde_json::to_value(a) else {
        return;
    };
    // Multi-line texts: line breaks and tabs are fine there.
    let multi: Vec<String> = table_texts(a)
        .into_iter()
        .filter(|t| t.4)
        .map(|t| t.0)
        .collect();
    let mut found = Vec::new();
    walk(&v, "", &multi, &mut found);
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
pub(crate) fn problems(a: &Answers) -> Vec<Problem> {
    let mut out = Vec::new();
    let mut one =
        |field: &str, label: &'static str, value: &str, rule: &dyn Fn(&str) -> Option<String>| {
            let v = value.trim();
            if let Some(message) = (!v.is_empty()).then(|| rule(v)).flatten() {
                out.push(Problem {
                    field: field.to_string(),
                    label,
                    message,
                });
            }
        };
    let texts = table_texts(a);
    // One-line texts by their rules (a reused role's name is Halo's, not the answers'),
    // the role's, the agent's, then the application's.
    let one_line = |role_rows: bool| {
        texts.iter().filter(move |t| {
            !t.4 && t.0.starts_with("role.") == role_rows
                && (!role_rows || a.role.mode == RoleMode::Create)
        })
    };
    for (field, label, value, rule, _) in one_line(true) {
        one(field, label, value, rule);
    }
    for r in crate::answers::agent::ROWS {
        if let crate::answers::agent::Value::Text {
            get, rule, column, ..
        } = r.value
        {
            one(&r.path(), column.label, get(&a.agent), &rule);
        }
    }
    for (field, label, value, rule, _) in one_line(false) {
        one(field, label, value, rule);
    }
    // Multi-line texts: line breaks and tabs are fine, other control characters are not.
    for (field, label, value, _, _) in texts.iter().filter(|t| t.4) {
        if let Some(c) = value
            .chars()
            .find(|c| text::is_unsafe(*c) && !matches!(c, '\n' | '\t'))
        {
            out.push(Problem {
                field: field.clone(),
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
                a.agent.default_team = Some(v.into());
            }),
            ("agent.teams[0].name", |a, v| {
                a.agent.teams = vec![crate::answers::TeamAnswer {
                    name: v.into(),
                    ..Default::default()
                }];
            }),
            ("agent.departments[0].name", |a, v| {
                a.agent.departments = vec![crate::answers::DepartmentAnswer {
                    name: v.into(),
                    ..Default::default()
                }];
            }),
            ("agent.extra_roles[1]", |a, v| {
                a.agent.extra_roles = vec!["Helpdesk".into(), v.into()];
            }),
            ("scopes[0]", |a, v| a.scopes = vec![v.into()]),
            ("role.other_permissions[0]", |a, v| {
                a.role.other_permissions = vec![v.into()];
            }),
            ("application.login_agent", |a, v| {
                a.application.login_agent = Some(v.into());
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
