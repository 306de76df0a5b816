//! The Submit step: the real plan (from `plan::build`), then apply progress, verification and
//! the hand-over screen.

use ratatui::text::{Line, Span};

use crate::app::applying::current_plan;
use crate::app::{Field, LogKind, Model, ObjState, Phase};
use crate::plan::build::{self, Kind, Object, Plan};
use crate::profile::Severity;

use super::Theme;
use super::body::Body;
use super::named;
use super::results::{differences, manual_steps};
use super::spinner::SPINNER;
use crate::app::keys::{Ctx, Intent};

pub(super) fn render(m: &Model, t: &Theme, b: &mut Body) {
    b.focus_line = Some(0);
    match &m.apply.phase {
        Phase::Idle => {
            let p = current_plan(m);
            apply_button(m, t, b, &p);
            plan_view(m, t, b, &p);
        }
        // Short screens, each a result: seen whole.
        Phase::Failed { .. } if m.apply.manual.is_some() => {
            manual(m, t, b);
            b.keep_all();
        }
        Phase::Running | Phase::Verifying | Phase::Failed { .. } => {
            progress(m, t, b);
            b.keep_all();
        }
        Phase::Done => super::handover::handover(m, t, b),
    }
}

fn apply_button(m: &Model, t: &Theme, b: &mut Body, p: &Plan) {
    let focus = m.focused() == Field::ApplyButton;
    let (label, style) = if p.is_blocked() {
        (
            "[ Apply ] (fix the problems below first)",
            if focus { t.selection } else { t.muted },
        )
    } else {
        ("[ Apply ]", if focus { t.selection } else { t.accent })
    };
    let mut parts = vec![
        ((if focus { "▶ " } else { "  " }).to_string(), t.accent),
        (label.to_string(), style),
    ];
    if let Some(s) = &m.apply.resume {
        parts.push((format!("  continues setup {}", s.id), t.muted));
    }
    b.parts(parts);
    b.blank();
}

fn kind_label(k: Kind) -> &'static str {
    match k {
        Kind::Create => "create",
        Kind::Update => "update",
        Kind::Keep => "keep",
        Kind::Reuse => "reuse",
    }
}

fn plan_view(m: &Model, t: &Theme, b: &mut Body, p: &Plan) {
    if m.apply.reading_roles {
        // Judged without the roles' permissions the plan would say things that are not so.
        b.header(t, "Plan");
        b.wrapped(
            t.accent,
            "",
            &format!(
                "{} reading the permissions of the setup's roles from Halo…",
                SPINNER[m.spinner % SPINNER.len()]
            ),
        );
        return;
    }
    if !p.problems.is_empty() {
        b.header(t, "Problems (block apply)");
        for e in &p.problems {
            b.note(t.error, format!("✗ {e}"));
        }
        b.blank();
    }
    b.header(t, "Plan");
    for a in &p.actions {
        let id =
            a.id.as_deref()
                .map(|i| format!(" (id {i})"))
                .unwrap_or_default();
        b.note(
            t.text,
            format!(
                "{:<12} {:<7} {}{id}",
                a.object.label(),
                kind_label(a.kind),
                match a.name.trim() {
                    "" => a.shown_name().to_string(),
                    n => format!("'{n}'"),
                }
            ),
        );
        for c in &a.changes {
            b.note(t.muted, format!("             change: {c}"));
        }
        for r in &a.risks {
            b.note(t.warning, format!("             ⚠ {r}"));
        }
    }
    // Up to here (what blocks apply, what it would do) is seen whole; the rest scrolls.
    b.keep_all();
    manual_steps(t, b, &p.manual);
    if !p.notes.is_empty() {
        b.blank();
        b.header(t, "Notes on this plan (not steps to do)");
        for n in &p.notes {
            b.wrapped(t.muted, "  ", &format!("• {n}"));
        }
    }
    details(m, t, b);
    if let Some(prof) = &m.profile {
        let mut traps: Vec<_> = prof.traps.iter().collect();
        traps.sort_by_key(|x| std::cmp::Reverse(x.severity));
        if !traps.is_empty() {
            b.blank();
            b.header(t, &format!("{}: manual steps and traps", prof.vendor));
            for tr in traps {
                let style = match tr.severity {
                    Severity::Critical => t.error,
                    Severity::Warning => t.warning,
                    Severity::Info => t.muted,
                };
                b.note(style, format!("[{}] {}", tr.severity.as_str(), tr.text));
            }
        }
    }
    b.blank();
    b.header(t, "Requests apply will send");
    for r in &p.requests {
        b.note(t.text, r.clone());
    }
    objects_json(m, t, b, p);
}

/// Agent and application settings in words (teams, work hours, scopes).
fn details(m: &Model, t: &Theme, b: &mut Body) {
    let a = &m.answers;
    let mut probs = Vec::new();
    let ag = build::agent_object(a, "", &m.lookups, &mut probs);
    let teams: Vec<String> = ag.teams.iter().map(|x| x.team_name.clone()).collect();
    let deps: Vec<String> = ag
        .departments
        .iter()
        .map(|x| {
            format!(
                "{} ({})",
                x.department_name,
                crate::halo::model::MembershipLevel::from_code(x.membershiplevel).label()
            )
        })
        .collect();
    let none = |v: &[String]| {
        if v.is_empty() {
            "none".to_string()
        } else {
            v.join(", ")
        }
    };
    b.note(
        t.muted,
        format!(
            "Agent: {}{}; default team: {}; teams: {}; departments: {}; work hours: {}",
            if ag.isapiagent {
                "API-only"
            } else {
                "full agent"
            },
            if ag.isdisabled {
                ", inactive"
            } else {
                ", active"
            },
            if ag.team.is_empty() { "none" } else { &ag.team },
            none(&teams),
            none(&deps),
            a.agent.workday
        ),
    );
    let login = a
        .application
        .login_agent
        .clone()
        .unwrap_or_else(|| format!("the new agent ({})", a.agent.name));
    b.note(
        t.muted,
        format!(
            "Application: Client ID and Secret (Services), login type Agent, log in as {login}"
        ),
    );
    let scopes = crate::halo::scopes::normalise(&a.scopes);
    b.note(t.muted, format!("Scopes: {}", scopes.join(" ")));
}

fn objects_json(m: &Model, t: &Theme, b: &mut Body, p: &Plan) {
    let a = &m.answers;
    let marker = crate::app::applying::marker(m);
    b.blank();
    b.header(
        t,
        "Objects to POST (JSON; ids and the secret are filled in at apply)",
    );
    let writes = |o: Object| {
        p.action(o)
            .is_some_and(|x| matches!(x.kind, Kind::Create | Kind::Update))
    };
    let mut probs = Vec::new();
    let role_id = p
        .action(Object::Role)
        .and_then(|x| x.id.clone())
        .unwrap_or_default();
    let objs = [
        (
            Object::Role,
            "POST /api/Roles",
            serde_json::to_string_pretty(&[build::role_object_with(
                a,
                &marker,
                p.role_claims.clone(),
            )])
            .ok(),
        ),
        (
            Object::Agent,
            "POST /api/Agent",
            serde_json::to_string_pretty(&[build::agent_object(
                a, &role_id, &m.lookups, &mut probs,
            )])
            .ok(),
        ),
        (
            Object::Application,
            "POST /api/Application",
            serde_json::to_string_pretty(&[build::application_object(a, 0)]).ok(),
        ),
    ];
    for (o, what, json) in objs {
        if !writes(o) {
            continue;
        }
        if let Some(json) = json {
            b.note(t.accent, what);
            for l in json.lines() {
                b.note(t.muted, l.to_string());
            }
        }
    }
}

fn progress(m: &Model, t: &Theme, b: &mut Body) {
    let spin = SPINNER[m.spinner % SPINNER.len()];
    let title = match &m.apply.phase {
        Phase::Running => format!("{spin} Applying"),
        Phase::Verifying => format!("{spin} Verifying with the new credentials"),
        _ => "✗ Apply stopped".into(),
    };
    let style = if matches!(m.apply.phase, Phase::Failed { .. }) {
        t.error
    } else {
        t.accent
    };
    let mut l = vec![(title, style)];
    if let Some(id) = &m.apply.session_id {
        l.push((format!("  setup {id}"), t.muted));
    }
    b.parts(l);
    if let Some(w) = m.backoff.as_ref().filter(|_| m.apply.running()) {
        b.note(t.warning, w.text());
    }
    b.blank();
    let mut running_shown = false;
    for (o, st, line) in &m.apply.objects {
        let (mark, style, text) = match st {
            ObjState::Done => ("✓", t.success, line.clone()),
            ObjState::Pending if m.apply.phase == Phase::Running && !running_shown => {
                running_shown = true;
                (spin, t.accent, format!("{}: working…", o.label()))
            }
            ObjState::Pending => ("·", t.muted, format!("{}: waiting", o.label())),
        };
        b.note(style, format!("{mark} {text}"));
    }
    if m.apply.phase == Phase::Verifying {
        b.note(
            t.accent,
            format!("{spin} token, Agent/me and one probe per area"),
        );
    }
    if let Phase::Failed { message, hint } = &m.apply.phase {
        b.blank();
        b.wrapped(t.error, "", &format!("✗ {message}"));
        b.note(t.warning, hint.clone());
        b.blank();
        b.note(
            t.muted,
            format!(
                "{}: try again (continues the same setup)   {}: back to the answers",
                named::enter(Ctx::Failed, Intent::Retry),
                named::esc(Ctx::Failed, Intent::PrevStep)
            ),
        );
        if let Some(o) = m.apply.refused {
            b.note(
                t.accent,
                format!(
                    "{}: do the {} step by hand in Halo's web UI (shows every field, then checks it)",
                    named::ch(Ctx::Failed, 'm', Intent::ManualOpen),
                    crate::plan::manual::object_word(o)
                ),
            );
        }
    }
    differences(m, t, b);
}

/// "Do this step by hand": the checklist for the refused object, the fields for what the user
/// copied from Halo (application only), and the result of the last look in Halo.
fn manual(m: &Model, t: &Theme, b: &mut Body) {
    let Some(st) = &m.apply.manual else {
        return;
    };
    let word = crate::plan::manual::object_word(st.object);
    let title = if m.apply.secret_needed {
        "✎ Copy the application's secret from Halo's web UI".to_string()
    } else {
        format!("✎ Do the {word} step by hand in Halo's web UI")
    };
    let mut l = vec![(title, t.accent)];
    if let Some(id) = &m.apply.session_id {
        l.push((format!("  setup {id}"), t.muted));
    }
    b.parts(l);
    b.wrapped(t.error, "", &format!("✗ {}", st.failure.0));
    b.blank();
    b.header(t, &format!("In Halo's web UI: {}", st.checklist.path));
    for (i, step) in st.checklist.steps.iter().enumerate() {
        b.wrapped(t.text, "", &format!("{:>3}. {step}", i + 1));
    }
    b.blank();
    if st.needs_credentials() {
        let field = |label: &str, value: String, focus: bool, b: &mut Body| {
            let marker = if focus { "▶ " } else { "  " };
            let lstyle = if focus { t.selection } else { t.text };
            b.push(Line::from(vec![
                Span::styled(marker, t.accent),
                Span::styled(format!("{label:<15}"), lstyle),
                Span::styled(value, t.text),
            ]));
        };
        let id = if st.client_id.is_empty() {
            "(paste the Client ID)".to_string()
        } else {
            st.client_id.clone()
        };
        field("Client ID", id, st.field == 0, b);
        let n = st.secret.chars();
        let secret = if n == 0 {
            "(paste the Client Secret; never stored but for the hand-over)".to_string()
        } else {
            super::mask::mask(n, b.width.saturating_sub(20))
        };
        field("Client Secret", secret, st.field == 1, b);
        b.blank();
    }
    if let Some((kind, text)) = &st.message {
        let style = match kind {
            LogKind::Warn => t.warning,
            LogKind::Error => t.error,
            _ => t.accent,
        };
        b.wrapped(style, "", text);
        b.blank();
    }
    b.note(
        t.muted,
        if m.apply.secret_needed {
            "Press Enter: the wizard gets a token with the pasted secret to prove it, then continues the same setup (the application stays this setup's own: rollback deletes it)."
        } else {
            "When it is saved in Halo, press Enter: the wizard finds it by name, adopts it and continues. What you make by hand is never deleted by rollback."
        },
    );
}
