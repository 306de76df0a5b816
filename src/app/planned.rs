//! The plan the Submit step shows and Apply writes: computed from the answers and what Halo
//! holds, against the resumed setup's objects.

use crate::plan::build::Plan;

use super::model::Model;

/// The plan for the current answers: against the resumed setup's objects and marker if any.
pub fn current_plan(m: &Model) -> Plan {
    let objects = m
        .apply
        .resume
        .as_ref()
        .map(|s| s.objects.clone())
        .unwrap_or_default();
    crate::plan::plan(&m.answers, &m.lookups, &objects, &marker(m))
}

/// The marker of the setup being resumed (empty for a new one): how Halo's objects are known
/// to be this setup's.
pub fn marker(m: &Model) -> String {
    m.apply
        .resume
        .as_ref()
        .map_or_else(String::new, crate::journal::Session::marker)
}

/// Every risk of the plan, as "Object: risk" lines (for the confirmation).
pub fn risks(p: &Plan) -> Vec<String> {
    p.actions
        .iter()
        .flat_map(|a| {
            a.risks
                .iter()
                .map(move |r| format!("{}: {r}", a.object.label()))
        })
        .collect()
}
