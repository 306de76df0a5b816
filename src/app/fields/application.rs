//! The Application and Permissions steps' fields: the application's attributes (rows of
//! `answers::application::ROWS`), the agent it logs in as, one toggle per scope, and Apply.

use super::spec::*;
use crate::answers::Answers;
use crate::answers::application;
use crate::app::field::Field;
use crate::halo::scopes;

/// The row of the agent the application logs in as.
const LOGIN_AGENT: usize = application::index_of("login_agent");

/// The spec of an Application, Permissions or Submit field.
pub(super) fn spec(f: Field) -> Spec {
    match f {
        Field::AppAttr(i) => row_field::<Table>(i),
        Field::LoginAgent => login_agent(),
        Field::Scope(_) => scope(),
        Field::ApplyButton => Spec::of(Behaviour::Button(ButtonSpec {
            label: "Apply",
            press: Press::RequestApply,
            value: |_| (String::new(), Tone::Muted),
        })),
        _ => Spec::of(Behaviour::Log),
    }
}

// The application logs in as the agent this setup makes (the plan refuses another:
// its permissions would be nobody's plan). An answers file naming another agent shows
// it here, so the plan's refusal can be undone by picking the new agent.
pub(super) fn login_agent() -> Spec {
    Spec::of(Behaviour::Choice(choice(
        Label::Fixed(application::ROWS[LOGIN_AGENT].prompt),
        |m, _| {
            let a = &m.answers.agent;
            let new = if a.name.is_empty() {
                "Agent step"
            } else {
                a.name.as_str()
            };
            std::iter::once(format!("the new agent ({new})"))
                .chain(m.answers.application.login_agent.clone())
                .collect()
        },
        |m, _| Some(usize::from(m.answers.application.login_agent.is_some())),
        |m, _, j| {
            if j == 0 {
                m.answers.application.login_agent = None;
            }
        },
        |m, _| {
            m.answers
                .application
                .login_agent
                .clone()
                .unwrap_or_default()
        },
    )))
}

/// One scope, with its warning.
pub(super) fn scope() -> Spec {
    Spec::of(Behaviour::Toggle(ToggleSpec {
        label: Label::Of(|_, i| scope_name(i).unwrap_or("?").into()),
        get: |m, i| {
            let name = scope_name(i).unwrap_or("");
            m.answers.scopes.iter().any(|s| s == name)
        },
        flip: |m, i| {
            if let Some(name) = scope_name(i) {
                m.answers.toggle_scope(name);
            }
        },
        note: |i| scope_name(i).and_then(scopes::warning),
        muted_off: true,
    }))
}

/// The name of the `i`-th scope the Permissions step lists (`Field::Scope(i)`); `None` past
/// the end.
pub fn scope_name(i: usize) -> Option<&'static str> {
    scopes::all_names().nth(i)
}

/// The application's table, as fields.
struct Table;

fn value(i: usize) -> Option<application::Value> {
    application::ROWS.get(i).map(|r| r.value)
}

static NO_TEXT: String = String::new();

impl Rows for Table {
    fn prompt(i: usize) -> &'static str {
        application::ROWS.get(i).map_or("", |r| r.prompt)
    }
    fn hint(i: usize) -> Option<&'static str> {
        match value(i) {
            Some(application::Value::Text { hint, .. }) => Some(hint),
            _ => None,
        }
    }
    fn get(a: &Answers, i: usize) -> &String {
        match value(i) {
            Some(application::Value::Text { get, .. }) => get(&a.application),
            _ => &NO_TEXT,
        }
    }
    fn slot(a: &mut Answers, i: usize) -> &mut String {
        match value(i) {
            Some(application::Value::Text { slot, .. }) => slot(&mut a.application),
            // Never reached: only text rows get a text field.
            _ => &mut a.application.description,
        }
    }
    fn limit(v: &str, i: usize) -> Option<String> {
        match value(i) {
            Some(application::Value::Text { rule, .. }) => rule(v),
            _ => None,
        }
    }
    fn required(i: usize) -> bool {
        matches!(
            value(i),
            Some(application::Value::Text { required: true, .. })
        )
    }
    fn flag(a: &Answers, i: usize) -> bool {
        match value(i) {
            Some(application::Value::Flag { get, .. }) => get(&a.application),
            _ => false,
        }
    }
    fn flip(a: &mut Answers, i: usize) {
        if let Some(application::Value::Flag { slot, .. }) = value(i) {
            *slot(&mut a.application) ^= true;
        }
    }
}
