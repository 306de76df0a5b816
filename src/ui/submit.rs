//! The Submit step: the real plan (from `plan::build`), then apply progress, verification and
//! the hand-over screen.

use ratatui::text::{Line, Span};
use secrecy::ExposeSecret;

use crate::app::apply::{current_plan, headless_command};
use crate::app::{Field, LogKind, Model, ObjState, Phase};
use crate::plan::build::{self, Kind, Object, Plan};
use crate::plan::verify::Verification;
use crate::profile::{HandoverField, Severity};

use super::body::Body;
use super::{SPINNER, Theme};

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
        Phase::Done => handover(m, t, b),
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

/// What the user sets by hand in Halo: settings the API cannot express, and the role's
/// permissions when this Halo does not confirm the claim vocabulary.
fn manual_steps(t: &Theme, b: &mut Body, steps: &[String]) {
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
    let marker = m
        .apply
        .resume
        .as_ref()
        .map(|s| s.marker())
        .unwrap_or_default();
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
            "Enter: try again (continues the same setup)   Esc: back to the answers",
        );
        if let Some(o) = m.apply.refused {
            b.note(
                t.accent,
                format!(
                    "m: do the {} step by hand in Halo's web UI (shows every field, then checks it)",
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
            super::form::mask(n, b.width.saturating_sub(20))
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

fn differences(m: &Model, t: &Theme, b: &mut Body) {
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

fn handover(m: &Model, t: &Theme, b: &mut Body) {
    let ap = &m.apply;
    let id = ap.session_id.clone().unwrap_or_default();
    // The result, wrapped rather than cut at the edge of a narrow screen. "Verified" only
    // when every need was proven and no manual step is left.
    use crate::plan::verify::Verdict;
    match (ap.verdict(), &ap.verification) {
        (Verdict::Verified, Some(v)) => b.wrapped(
            t.success,
            "",
            &format!(
                "✓ Setup {id} applied and verified ({} checks passed)",
                v.checks.len()
            ),
        ),
        (Verdict::Failed, Some(v)) => b.wrapped(
            t.error,
            "",
            &format!(
                "✗ Setup {id} applied; verification: {} of {} checks FAILED (see below)",
                v.failures().count(),
                v.checks.len()
            ),
        ),
        (Verdict::ManualStepsLeft, _) => b.wrapped(
            t.warning,
            "",
            &format!(
                "! Setup {id} {}: not verified until they are done in Halo (listed below); then press m to record them and check again",
                crate::plan::verify::steps_left(ap.manual_left.len())
            ),
        ),
        (_, Some(v)) => b.wrapped(
            t.warning,
            "",
            &format!(
                "! Setup {id} applied; not verified: {} of {} needs could not be checked on this Halo (see below)",
                v.unproven().count(),
                v.checks.len()
            ),
        ),
        (_, None) => b.wrapped(
            t.warning,
            "",
            &format!(
                "! Setup {id}: objects applied; credentials not verified (the vendor keeps its secret, which is not at hand here)"
            ),
        ),
    }
    if let Some(w @ crate::plan::apply::VerifiedWith::Existing { .. }) = &ap.verified_with
        && ap.verification.is_some()
    {
        b.wrapped(t.muted, "", &format!("verified with {}", w.describe()));
    }
    if ap.reverifying {
        let spin = SPINNER[m.spinner % SPINNER.len()];
        b.note(t.accent, format!("{spin} verifying again…"));
    } else if ap.needs_attention() {
        let steps = if ap.manual_left.is_empty() {
            ""
        } else {
            "m: the manual steps are done (records them, then checks)   "
        };
        b.wrapped(
            t.accent,
            "",
            &format!("{steps}r: verify again once what the failed checks name is fixed in Halo   p: repair (apply the plan again; only what differs is written)"),
        );
    }
    b.blank();
    if let Some(h) = &ap.handover {
        if ap.secret.is_some() {
            b.wrapped(
                t.warning,
                "",
                "⚠ The client secret is shown ONCE: Halo will not show it again. Copy it (c) or save it (s), give it to the vendor, then confirm the hand-over (Enter) to wipe it here and from the journal.",
            );
        } else if ap.discarded {
            b.wrapped(
                t.error,
                "",
                &format!(
                    "✗ Not handed over: the secret was wiped before it was copied or saved, and exists nowhere. Give the application a new one: {}",
                    crate::plan::handover::new_secret_command(m.apply.session_id.as_deref().unwrap_or("ID"))
                ),
            );
        } else {
            b.wrapped(
                t.success,
                "",
                "✓ Handed over: the secret was wiped from this screen and the journal.",
            );
        }
        b.blank();
        let wanted: Vec<HandoverField> = m
            .profile
            .as_ref()
            .map(|p| p.handover.clone())
            .unwrap_or_default();
        if let Some(p) = &m.profile
            && !wanted.is_empty()
        {
            b.note(t.muted, format!("★ = what {} asks for", p.vendor));
        }
        for f in HandoverField::ALL {
            let value = match f {
                HandoverField::ClientId => h.client_id.clone(),
                HandoverField::ClientSecret => match &ap.secret {
                    Some(s) => s.expose_secret().to_string(),
                    None => "(wiped after the hand-over)".into(),
                },
                HandoverField::Tenant => {
                    if h.tenant.is_empty() {
                        "(not set)".into()
                    } else {
                        h.tenant.clone()
                    }
                }
                HandoverField::AgentId => h.agent_id.to_string(),
                _ => f.url_form(&h.resource_url, &h.auth_url).unwrap_or_default(),
            };
            let star = wanted.contains(&f);
            let style = if f == HandoverField::ClientSecret && ap.secret.is_some() {
                t.warning
            } else if star {
                t.accent
            } else {
                t.text
            };
            let mark = if star { "★" } else { " " };
            let row = format!("{mark} {:<36} {value}", f.label());
            if row.chars().count() + 6 <= b.width {
                b.note(style, row);
            } else {
                // Narrow: the value under its label, never word-wrapped: a secret copied with
                // the mouse must come out whole.
                b.note(style, format!("{mark} {}", f.label()));
                if b.verbatim(style, &value) {
                    let how = if f == HandoverField::ClientSecret {
                        "copy it with c or save it with s, or "
                    } else {
                        ""
                    };
                    b.note(
                        t.warning,
                        format!(
                            "the {} above is wider than this terminal and shown in pieces: {how}widen the terminal to {} columns",
                            f.label(),
                            value.chars().count() + 2
                        ),
                    );
                }
            }
        }
        if !h.secret_issued.is_empty() {
            b.note(
                t.muted,
                format!(
                    "  {:<36} {} (halo-onboard's journal)",
                    "Secret issued",
                    crate::halo::expiry::day(&h.secret_issued)
                ),
            );
        }
        if let Some(r) = &h.reported_expiry {
            b.wrapped(t.muted, "  ", &r.words());
        }
        if let Some(p) = &ap.saved_to {
            b.note(t.muted, format!("saved to {}", p.display()));
        }
    }
    // The result and the credentials are seen whole (the footer names the keys); the rest
    // scrolls.
    b.keep_all();
    manual_steps(t, b, &crate::app::apply::current_plan(m).manual);
    if let Some((kind, note)) = &ap.note {
        let style = match kind {
            LogKind::Error => t.error,
            LogKind::Warn => t.warning,
            _ => t.success,
        };
        b.blank();
        b.wrapped(style, "", note);
    }
    b.blank();
    let keys = if ap.secret_pending() {
        "c copy secret (OSC 52)   s save to a file   a save answers   Enter/y confirm hand-over"
    } else {
        "a save answers   n next integration on this Halo   q quit"
    };
    b.wrapped(t.accent, "", keys);
    b.blank();
    b.header(
        t,
        "Same setup without the wizard (the secret comes from HALO_CLIENT_SECRET)",
    );
    b.note(t.text, headless_command(m));
    match &ap.answers_file {
        Some(p) => b.note(t.muted, format!("answers saved to {}", p.display())),
        None => b.note(t.muted, "a saves the answers file the command names"),
    }
    if let Some(v) = &ap.verification {
        b.blank();
        b.header(t, "Verification");
        verification_table(v, t, b);
    }
    differences(m, t, b);
}
