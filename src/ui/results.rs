//! Result pieces more than one Submit screen shows: the manual steps left, the read-back
//! differences and the verification table.

use crate::app::Model;
use crate::plan::build::Object;
use crate::plan::verify::Verification;

use super::Theme;
use super::body::Body;

/// What the user sets by hand in Halo: settings the API cannot express, and the role's
/// permissions when this Halo does not confirm the claim vocabulary.
pub(super) fn manual_steps(t: &Theme, b: &mut Body, steps: &[String]) {
    if steps.is_empty() {
        return;
    }
    b.blank();
    b.header(
        t,
        "Set by hand in Halo's web UI (the API does not; not verified until done)",
    );
    for s in steps {
        b.wrapped(t.warning, "  ", &format!("• {s}"));
    }
}

/// What Halo stored otherwise than asked, read back after the writes, as fix lines.
pub(super) fn differences(m: &Model, t: &Theme, b: &mut Body) {
    if m.apply.differences.is_empty() {
        return;
    }
    b.blank();
    b.header(t, "Read-back differences (Halo stored something else)");
    for d in &m.apply.differences {
        let o = d.object;
        let name = match o {
            Object::Role => m.answers.role.name.as_str(),
            Object::Agent => m.answers.agent.name.as_str(),
            Object::Application => m.answers.application.name.as_str(),
        };
        b.note(
            t.warning,
            format!("{}: {}", o.label(), d.fix_line(name.trim())),
        );
    }
}

/// One row per check: its mark, name and detail, and what blocks or would prove it.
pub(super) fn verification_table(v: &Verification, t: &Theme, b: &mut Body) {
    for c in &v.checks {
        let style = if c.pass {
            t.success
        } else if c.could_not_check {
            t.warning
        } else {
            t.error
        };
        b.note(style, format!("{}  {:<34} {}", c.mark(), c.name, c.detail));
        if let Some(l) = c.layer {
            b.note(
                t.warning,
                format!("      blocked by: {}; fix: {}", l.label(), c.fix),
            );
        } else if c.could_not_check && !c.fix.is_empty() {
            b.note(t.warning, format!("      to check it: {}", c.fix));
        }
    }
}
