//! The plan the Submit step shows and Apply writes: computed from the answers and what Halo
//! holds, against the resumed setup's objects.

use crate::plan::build::Plan;

use super::model::Model;

/// The plan for the current answers: against the resumed setup's objects and marker if any.
pub fn current_plan(m: &Model) -> Plan {
    let (objects, marker) = match &m.apply.resume {
        Some(s) => (s.objects.clone(), s.marker()),
        None => (Default::default(), String::new()),
    };
    crate::plan::plan(&m.answers, &m.lookups, &objects, &marker)
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
