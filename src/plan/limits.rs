//! Answers checked against Halo's own limits ([`crate::halo::columns`]) before Halo sees them:
//! from an answers file, a profile or a journal, for the headless commands. The wizard checks
//! the same rules field by field (`app::validate`).

use crate::halo::columns::{self, Column};
use crate::text;

use crate::answers::{Answers, RoleMode};

/// One value Halo would refuse or cut: where it is in the answers, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// The answers key, e.g. `agent.initials`.
    pub field: &'static str,
    /// Halo's label for it, e.g. `Initials`.
    pub label: &'static str,
    pub message: String,
}

impl std::fmt::Display for Problem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} ({}): {}", self.field, self.label, self.message)
    }
}

/// Every value of `a` that Halo would refuse or cut. Empty values are not problems here
/// (the plan names what is missing).
pub fn problems(a: &Answers) -> Vec<Problem> {
    let mut out = Vec::new();
    let mut one = |field, col: Column, value: &str, rule: &dyn Fn(&str) -> Option<String>| {
        let v = value.trim();
        if let Some(message) = (!v.is_empty()).then(|| rule(v)).flatten() {
            out.push(Problem {
                field,
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
    let g = &a.agent;
    one(
        "agent.name",
        columns::AGENT_USERNAME,
        &g.name,
        &name(columns::AGENT_USERNAME),
    );
    one(
        "agent.firstname",
        columns::FIRST_NAME,
        &g.firstname,
        &name(columns::FIRST_NAME),
    );
    one(
        "agent.surname",
        columns::SURNAME,
        &g.surname,
        &name(columns::SURNAME),
    );
    one(
        "agent.initials",
        columns::INITIALS,
        &g.initials,
        &columns::check_initials,
    );
    one(
        "agent.email",
        columns::EMAIL,
        &g.email,
        &columns::check_email,
    );
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
                field,
                label,
                message: format!(
                    "has a control character ({}): remove it",
                    text::code_point(c)
                ),
            });
        }
    }
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
        let fields: Vec<_> = p.iter().map(|x| x.field).collect();
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
}
