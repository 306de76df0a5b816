//! The hand-over screen after apply: the result, the credentials (the new secret shown once),
//! what is left to do and the headless command for the same setup.

use secrecy::ExposeSecret;

use crate::app::handover::headless_command;
use crate::app::{LogKind, Model};
use crate::plan::handover::Handover;
use crate::profile::HandoverField;

use super::Theme;
use super::body::Body;
use super::named::{ch, enter};
use super::results::{differences, manual_steps, verification_table};
use super::spinner::SPINNER;
use crate::app::keys::{Ctx, Intent};

/// The hand-over screen: the result, the credentials (the secret shown once), the keys, the
/// same setup as a headless command, the checks.
pub(super) fn handover(m: &Model, t: &Theme, b: &mut Body) {
    let ap = &m.apply;
    result(m, t, b);
    attention(m, t, b);
    b.blank();
    if let Some(h) = &ap.handover {
        banner(m, t, b);
        b.blank();
        credentials(m, t, b, h);
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
    manual_steps(t, b, &crate::app::applying::current_plan(m).manual);
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
    b.wrapped(t.accent, "", &keys(ap.secret_pending()));
    b.blank();
    b.header(
        t,
        "Same setup without the wizard (the secret comes from HALO_CLIENT_SECRET)",
    );
    b.note(t.text, headless_command(m));
    match &ap.answers_file {
        Some(p) => b.note(t.muted, format!("answers saved to {}", p.display())),
        None => b.note(
            t.muted,
            format!(
                "{} saves the answers file the command names",
                ch(HO, 'a', Intent::SaveAnswers)
            ),
        ),
    }
    if let Some(v) = &ap.verification {
        b.blank();
        b.header(t, "Verification");
        verification_table(v, t, b);
    }
    differences(m, t, b);
}

/// The result in one line: "verified" only when every need was proven.
fn result(m: &Model, t: &Theme, b: &mut Body) {
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
}

/// How it was verified, and what the admin can do when it is not.
fn attention(m: &Model, t: &Theme, b: &mut Body) {
    let ap = &m.apply;
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
            &format!(
                "{}: the manual steps are done (records them, then checks)   ",
                ch(HO, 'm', Intent::ConfirmManual)
            )
        };
        b.wrapped(
            t.accent,
            "",
            &format!(
                "{steps}{}: verify again once what the failed checks name is fixed in Halo   {}: repair (apply the plan again; only what differs is written)",
                ch(HO, 'r', Intent::VerifyAgain),
                ch(HO, 'p', Intent::Repair)
            ),
        );
    }
}

/// Whether the secret is still to hand over, was handed over, or was lost.
fn banner(m: &Model, t: &Theme, b: &mut Body) {
    let ap = &m.apply;
    if ap.secret.is_some() {
        b.wrapped(
            t.warning,
            "",
            &format!(
                "⚠ The client secret is shown ONCE: Halo will not show it again. Copy it ({}) or save it ({}), give it to the vendor, then confirm the hand-over ({}) to wipe it here and from the journal.",
                ch(HO, 'c', Intent::Copy),
                ch(HO, 's', Intent::SavePrompt),
                enter(HO, Intent::ConfirmHandOver)
            ),
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
}

/// The credentials, one row each, starred where the vendor asks for them.
fn credentials(m: &Model, t: &Theme, b: &mut Body, h: &Handover) {
    let ap = &m.apply;
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
}

/// The hand-over screen's context in the key table.
const HO: Ctx = Ctx::HandOver;

/// The keys of the hand-over screen, named by the key table.
fn keys(secret_pending: bool) -> String {
    let save_answers = ch(HO, 'a', Intent::SaveAnswers);
    if secret_pending {
        format!(
            "{} copy secret (OSC 52)   {} save to a file   {save_answers} save answers   {}/{} confirm hand-over",
            ch(HO, 'c', Intent::Copy),
            ch(HO, 's', Intent::SavePrompt),
            enter(HO, Intent::ConfirmHandOver),
            ch(HO, 'y', Intent::ConfirmHandOver)
        )
    } else {
        format!(
            "{save_answers} save answers   {} next integration on this Halo   {} quit",
            ch(HO, 'n', Intent::NextIntegration),
            ch(HO, 'q', Intent::AskQuit)
        )
    }
}
