//! The attribute tables drive the plan: every row of the role's and the application's table
//! is built, compared (where it says so) and shown as a manual step; none is spelled again
//! here.

use super::*;
use crate::answers::{application, role};
use crate::plan::manual::checklist;

/// TopLeft's answers with every text of the role's and the application's tables answered
/// (an optional text left empty asks for nothing).
fn topleft() -> Answers {
    let mut a = crate::profile::answers_for("topleft").unwrap();
    for r in application::ROWS {
        if let application::Value::Text { slot, .. } = r.value
            && slot(&mut a.application).is_empty()
        {
            *slot(&mut a.application) = format!("v-{}", r.key);
        }
    }
    for r in role::ROWS {
        if let role::Value::Text { slot, .. } = r.value
            && slot(&mut a.role).is_empty()
        {
            *slot(&mut a.role) = format!("v-{}", r.key);
        }
    }
    a.role.other_permissions = vec!["Something by hand".into()];
    a
}

/// Every application row the table compares is a read-back difference when Halo holds
/// otherwise, named as the row names it; every row is a step of the manual checklist in the
/// words of Halo's form.
#[test]
fn every_application_row_is_compared_and_shown_as_the_table_says() {
    let a = topleft();
    let want = application_object(&a, 7);
    let got = Application {
        id: Some("app-1".into()),
        grant_type: "password".into(),
        inactive: true,
        ..Application::default()
    };
    let d = diff_application(&want, &got);
    for r in application::ROWS {
        let reported = d.iter().find(|x| x.attribute == r.words);
        assert_eq!(
            reported.is_some(),
            r.compare != application::Compare::No,
            "{}: {d:?}",
            r.words
        );
        if let Some(x) = reported {
            assert!(x.ui.starts_with(r.ui), "{}", x.ui);
        }
    }
    // A repair sends each compared row, under the row's Halo field.
    let patch = crate::plan::repair::application(&want, &got).expect("all differ");
    for r in application::ROWS {
        let sent = patch.contains_key(r.halo);
        assert_eq!(
            sent,
            r.compare != application::Compare::No,
            "{}: {patch:?}",
            r.halo
        );
    }
    let steps = checklist(Object::Application, &a, &Lookups::default(), "m").steps;
    for r in application::ROWS {
        assert!(
            steps.iter().any(|s| s.starts_with(r.ui)),
            "{}: {steps:?}",
            r.ui
        );
    }
}

/// Every role row is built into the role Halo gets, compared where the table says, and a
/// step of the manual checklist.
#[test]
fn every_role_row_is_built_compared_and_shown_as_the_table_says() {
    let a = topleft();
    let want = role_object(&a, "[halo-onboard:x]");
    assert_eq!(want.name, a.role.name.trim());
    assert!(want.notes.contains("[halo-onboard:x]"));
    assert_eq!(want.claims, a.role.permissions.claims());
    let d = diff_role(&want, &Role::default());
    for r in role::ROWS {
        let reported = d.iter().any(|x| x.attribute.starts_with(r.words));
        assert_eq!(
            reported,
            r.compare != role::Compare::No,
            "{}: {d:?}",
            r.words
        );
    }
    let steps = checklist(Object::Role, &a, &Lookups::default(), "m").steps;
    for r in role::ROWS.iter().filter(|r| !r.ui.is_empty()) {
        assert!(
            steps.iter().any(|s| s.starts_with(r.ui)),
            "{}: {steps:?}",
            r.ui
        );
    }
}
