//! What the plan says about the role besides writing it: the claims this Halo confirms and the
//! manual steps for the rest, the scopes the role does not back, and notes on what the API
//! cannot set.

use crate::answers::{Answers, RoleMode};
use crate::halo::dialect::claims::{self, ClaimDef, Grade, Level, Permissions};
use crate::halo::dialect::confirm::Vocabulary;
use crate::halo::model::*;
use crate::halo::scopes;

/// Explicitly granted scopes the new role does not back with Feature Access: Halo will refuse
/// those calls at the role layer (effective access is scope ∩ role).
pub(crate) fn role_gaps(a: &Answers, names: &[String]) -> Vec<String> {
    if a.role.permissions.admin() || matches!(a.role.mode, RoleMode::Reuse(_)) {
        return Vec::new();
    }
    names
        .iter()
        .filter_map(|n| {
            let (need, area) = match n.split_once(':')? {
                ("read", area) => (Grade::Names, area),
                ("edit" | "editMine", area) => (Grade::Modify, area),
                _ => return None,
            };
            let def = claims::area_for_scope(area)?;
            let has = a.role.permissions.grade_for_scope(area);
            (has < need).then(|| {
                let level = a
                    .role
                    .permissions
                    .get(def.code)
                    .map_or("Not set", |l| l.label);
                format!(
                    "scope {n}: the role gives {level} on {}, so Halo will refuse these calls (role layer)",
                    def.label
                )
            })
        })
        .collect()
}

pub(crate) fn scope_risks(names: &[String]) -> Vec<String> {
    names
        .iter()
        .filter_map(|n| scopes::warning(n).map(|w| format!("scope {n}: {w}")))
        .collect()
}

/// The role's claims this Halo confirms, on the scale it uses, and the ones it does not (each
/// with why): those become manual steps (`dialect::confirm`).
pub fn split_claims(
    p: &Permissions,
    vocab: &Vocabulary,
) -> (Vec<Claim>, Vec<(&'static ClaimDef, &'static Level, String)>) {
    let mut write = Vec::new();
    let mut held = Vec::new();
    for (def, level) in p.entries() {
        match vocab.writable(def.code) {
            Ok(()) => {
                let on = if vocab.alt_scale.contains(def.code) {
                    def.on_alt_scale(level).unwrap_or(level)
                } else {
                    level
                };
                write.push(Claim {
                    claim_type: def.code.into(),
                    value: on.value.into(),
                });
            }
            Err(why) => held.push((def, level, why.to_string())),
        }
    }
    (write, held)
}

/// Manual steps for the role: the permissions this Halo does not confirm (all of them when it
/// does not speak today's codes), and the settings the vocabulary cannot express, in Halo's
/// words.
pub(crate) fn role_manual_steps(
    a: &Answers,
    held: &[(&'static ClaimDef, &'static Level, String)],
    all_held: Option<&str>,
    role_name: &str,
) -> Vec<String> {
    let mut out = Vec::new();
    let path = format!(
        "{} > '{role_name}' > Permissions",
        crate::halo::dialect::ui::ROLES
    );
    for (def, level, why) in held {
        let step = format!(
            "{path}: {}: {} = {}",
            def.group.label(),
            def.label,
            level.label
        );
        out.push(if all_held.is_some() {
            step
        } else {
            format!("{step} ({why})")
        });
    }
    for other in &a.role.other_permissions {
        out.push(format!("{path}: {other}"));
    }
    out
}

/// The answers' application description: Halo's published API has no such field, so it is not
/// sent; newer builds show one on the application's form.
pub(crate) fn description_note(a: &Answers) -> Option<String> {
    let d = a.application.description.trim();
    (!d.is_empty()).then(|| {
        format!(
            "Application description '{}' is not set through the API (Halo's published API has no description on applications); newer builds show one on the form: {} > '{}' > Details",
            crate::text::line_max(d, 80),
            crate::halo::dialect::ui::APPLICATIONS,
            a.application.name.trim()
        )
    })
}
