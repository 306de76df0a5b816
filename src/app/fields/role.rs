//! The Role step's fields: create or reuse, the role's own attributes (rows of
//! `answers::role::ROWS`), then one choice per permission (Halo's claim table).

use super::spec::*;
use crate::answers::RoleMode as AnswerRoleMode;
use crate::answers::role;
use crate::app::field::Field;
use crate::app::model::Model;
use crate::halo::dialect::ClaimDef;
use crate::halo::dialect::claims;
use crate::profile::Question;

/// The spec of a Role field.
pub(super) fn spec(f: Field) -> Spec {
    match f {
        Field::RoleMode => mode(),
        Field::RolePick => pick(),
        Field::RoleAttr(i) => row_field::<Table>(i),
        Field::RoleFeature(_) => feature(),
        _ => Spec::of(Behaviour::Log),
    }
}

/// The role ids offered when reusing a role.
fn role_ids(m: &Model) -> Vec<String> {
    m.lookups
        .roles
        .iter()
        .filter_map(|r| r.id.clone())
        .collect()
}

/// Create a new role or reuse one.
pub(super) fn mode() -> Spec {
    Spec::of(Behaviour::Choice(choice(
        Label::Fixed("Role"),
        |_, _| vec!["Create a new role".into(), "Reuse an existing role".into()],
        |m, _| Some(matches!(m.answers.role.mode, AnswerRoleMode::Reuse(_)).into()),
        |m, _, j| {
            m.answers.role.mode = match j {
                0 => AnswerRoleMode::Create,
                _ => AnswerRoleMode::Reuse(role_ids(m).into_iter().next().unwrap_or_default()),
            }
        },
        nothing,
    )))
}

/// The role reused.
pub(super) fn pick() -> Spec {
    Spec::of(Behaviour::Choice(choice(
        Label::Fixed("Existing role"),
        |m, _| {
            m.lookups
                .roles
                .iter()
                .filter(|r| r.id.is_some())
                .map(|r| r.name.clone())
                .collect()
        },
        |m, _| match &m.answers.role.mode {
            AnswerRoleMode::Reuse(key) => {
                let id = m.lookups.role_by_key(key)?.id.clone()?;
                role_ids(m).iter().position(|x| *x == id)
            }
            AnswerRoleMode::Create => None,
        },
        |m, _, j| {
            if let Some(id) = role_ids(m).get(j) {
                m.answers.role.mode = AnswerRoleMode::Reuse(id.clone());
            }
        },
        |m, _| match &m.answers.role.mode {
            AnswerRoleMode::Reuse(_) => "(none: connect to load roles)".into(),
            AnswerRoleMode::Create => String::new(),
        },
    )))
    .check(|m, _| match &m.answers.role.mode {
        AnswerRoleMode::Reuse(id) if id.is_empty() || m.lookups.role_by_key(id).is_none() => {
            Some("pick an existing role (Left/Right)".into())
        }
        _ => None,
    })
}

/// One permission, on its own scale ("Not set" first).
pub(super) fn feature() -> Spec {
    Spec::of(Behaviour::Choice(ChoiceSpec {
        muted_first: true,
        ..choice(
            Label::Of(|_, i| feature_area(i).map_or("?", |a| a.label).into()),
            |_, i| {
                let scale = feature_area(i).map(|d| d.scale).unwrap_or_default();
                std::iter::once("Not set")
                    .chain(scale.iter().map(|l| l.label))
                    .map(String::from)
                    .collect()
            },
            |m, i| {
                let d = feature_area(i)?;
                match m.answers.role.permissions.get(d.code) {
                    None => Some(0),
                    Some(l) => d.scale.iter().position(|x| x == l).map(|p| p + 1),
                }
            },
            |m, i, j| {
                let Some(d) = feature_area(i) else { return };
                let level = j.checked_sub(1).and_then(|p| d.scale.get(p));
                m.answers.role.permissions.set(d, level);
                // The scopes follow the areas when the profile leaves them to the user.
                if m.asks(Question::Areas) {
                    crate::profile::derive_scopes(&mut m.answers);
                }
            },
            |m, i| {
                feature_area(i)
                    .and_then(|d| m.answers.role.permissions.get(d.code))
                    .map_or("Not set", |l| l.label)
                    .into()
            },
        )
    }))
    .asked(Question::Areas)
}

/// The role permissions the Role step offers: every Feature Access area (Users and Projects
/// included), then the other settings in Halo's order (ticket switches, appointments,
/// restrictions, other rights). "Is a HaloPSA Administrator" is a row of the role's table.
pub fn feature_areas() -> impl Iterator<Item = &'static ClaimDef> {
    claims::areas().chain(claims::settings())
}

/// The `i`-th of [`feature_areas`] (`Field::RoleFeature(i)`); `None` past the end.
pub fn feature_area(i: usize) -> Option<&'static ClaimDef> {
    feature_areas().nth(i)
}

/// The role's table, as fields.
struct Table;

fn value(i: usize) -> Option<role::Value> {
    role::ROWS.get(i).map(|r| r.value)
}

static NO_TEXT: String = String::new();

impl Rows for Table {
    fn prompt(i: usize) -> &'static str {
        role::ROWS.get(i).map_or("", |r| r.prompt)
    }
    fn hint(i: usize) -> Option<&'static str> {
        match value(i) {
            Some(role::Value::Text { hint, .. }) => Some(hint),
            _ => None,
        }
    }
    fn get(a: &crate::answers::Answers, i: usize) -> &String {
        match value(i) {
            Some(role::Value::Text { get, .. }) => get(&a.role),
            _ => &NO_TEXT,
        }
    }
    fn slot(a: &mut crate::answers::Answers, i: usize) -> &mut String {
        match value(i) {
            Some(role::Value::Text { slot, .. }) => slot(&mut a.role),
            // Never reached: only text rows get a text field.
            _ => &mut a.role.notes,
        }
    }
    fn limit(v: &str, i: usize) -> Option<String> {
        match value(i) {
            Some(role::Value::Text { rule, .. }) => rule(v),
            _ => None,
        }
    }
    fn required(i: usize) -> bool {
        matches!(value(i), Some(role::Value::Text { required: true, .. }))
    }
    fn flag(a: &crate::answers::Answers, i: usize) -> bool {
        match value(i) {
            Some(role::Value::Flag { get, .. }) => get(&a.role),
            _ => false,
        }
    }
    fn flip(a: &mut crate::answers::Answers, i: usize) {
        if let Some(role::Value::Flag { flip, .. }) = value(i) {
            flip(&mut a.role);
        }
    }
}
