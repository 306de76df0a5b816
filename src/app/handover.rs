//! The hand-over screen's actions after apply: copy or save the new secret, save the answers,
//! confirm (wipe the secret) or discard, verify again, repair, record the manual steps.

use std::path::PathBuf;

use crate::plan::apply::VerifiedWith;
use crate::plan::handover::Handover;
use crate::plan::verify::{Verdict, Verification};

use super::applying::start_apply;
use super::keys::{Ctx, Intent, K, key_of};
use super::log::LogKind;
use super::model::{Model, Overlay};
use super::msg::{Effect, Failed, ReverifyRequest};
use super::state::Phase;

/// The full hand-over (with the secret) for copying or saving; `None` once confirmed.
fn full_handover(m: &Model) -> Option<Handover> {
    let h = m.apply.handover.as_ref()?;
    let s = m.apply.secret.as_ref()?;
    Some(Handover {
        client_secret: s.clone(),
        ..h.clone()
    })
}

/// Default hand-over file: `<state dir>/handover/<id>.env`.
pub(crate) fn default_save_path(m: &Model) -> String {
    let id = m.apply.session_id.as_deref().unwrap_or("setup");
    match &m.state_dir {
        Some(d) => d
            .join("handover")
            .join(format!("{id}.env"))
            .display()
            .to_string(),
        None => format!("{id}.env"),
    }
}

/// Where `a` saves the answers: `<state dir>/answers/<id>.toml`.
pub(crate) fn answers_path(m: &Model) -> PathBuf {
    let id = m.apply.session_id.as_deref().unwrap_or("setup");
    let name = format!("{id}.toml");
    match &m.state_dir {
        Some(d) => d.join("answers").join(name),
        None => PathBuf::from(name),
    }
}

/// The headless command that does the same setup again (never with a secret).
pub fn headless_command(m: &Model) -> String {
    let c = &m.answers.connection;
    // Written out in full (a bare host means https://), as the wizard used it.
    let full = |u: &str| crate::halo::normalise_url(u).unwrap_or_else(|_| u.to_string());
    let mut s = String::from("halo-onboard apply");
    match c.mode {
        crate::answers::ConnectionMode::Hosted => s.push_str(&format!(" --url {}", full(&c.url))),
        crate::answers::ConnectionMode::OnPremise => {
            s.push_str(&format!(
                " --resource-url {} --auth-url {}",
                full(&c.resource_url),
                full(&c.auth_url)
            ));
            if !c.tenant.is_empty() {
                s.push_str(&format!(" --tenant {}", c.tenant));
            }
        }
    }
    s.push_str(&format!(" --client-id {}", c.client_id));
    if let Some(p) = &m.answers.profile {
        s.push_str(&format!(" --profile {p}"));
    }
    s.push_str(&format!(" --answers {}", answers_path(m).display()));
    s.push_str(" --yes");
    s
}

/// `c`: the secret to the terminal's clipboard.
pub(crate) fn copy(m: &mut Model, fx: &mut Vec<Effect>) {
    match full_handover(m) {
        Some(h) => {
            fx.push(Effect::Clipboard(h.client_secret));
            m.apply.copied = true;
            m.apply.note = Some((
                LogKind::Info,
                "Copy sent to the terminal clipboard (OSC 52), which a terminal, tmux or SSH client may drop: paste it where it goes and check it is all there before confirming (or save it with s).".into(),
            ));
            m.log(
                fx,
                LogKind::Info,
                "client secret sent to the clipboard (OSC 52)",
            );
        }
        None => m.apply.note = Some((LogKind::Warn, "The secret is gone (handed over).".into())),
    }
}

/// `s`: asks where to save the hand-over.
pub(crate) fn save_prompt(m: &mut Model) {
    m.overlay = Overlay::SavePath(default_save_path(m));
}

/// `a`: saves the answers for a headless re-run.
pub(crate) fn save_answers(m: &mut Model, fx: &mut Vec<Effect>) {
    fx.push(Effect::SaveAnswers {
        path: answers_path(m),
        answers: Box::new(m.answers.clone()),
    });
}

/// `p`: apply this setup's plan again. No confirmation overlay: its plan would be drawn from
/// the lookups of the connect, before this setup's objects existed; the key is explicit and the
/// apply re-reads Halo, writing only what differs on objects the setup already has.
pub(crate) fn repair(m: &mut Model, fx: &mut Vec<Effect>) {
    m.log(
        fx,
        LogKind::Info,
        "repair: applying the plan again; only what differs from it is written",
    );
    start_apply(m, fx);
}

/// `m` on the hand-over screen: the admin says the manual steps are done in Halo. Recorded in
/// the journal, then checked: the setup is verified again.
pub(crate) fn confirm_manual(m: &mut Model, fx: &mut Vec<Effect>) {
    if m.apply.phase != Phase::Done || m.apply.manual_left.is_empty() || m.apply.reverifying {
        return;
    }
    let n = m.apply.manual_left.len();
    m.apply.manual_left.clear();
    if let Some(s) = m.apply.session.as_mut() {
        s.confirm_manual();
        fx.push(Effect::ConfirmManual(Box::new(s.clone())));
    }
    m.log(
        fx,
        LogKind::Info,
        format!(
            "{n} manual step{} recorded as done in Halo; checking",
            if n == 1 { "" } else { "s" }
        ),
    );
    reverify(m, fx);
}

/// `r`: verify again, after the admin changed what the failed checks named in Halo.
pub(crate) fn reverify(m: &mut Model, fx: &mut Vec<Effect>) {
    if m.apply.reverifying {
        return;
    }
    let Some(session) = m.apply.session.clone() else {
        return;
    };
    let (client_id, agent_id) = match &m.apply.handover {
        Some(h) => (h.client_id.clone(), h.agent_id),
        None => (
            m.apply.client_id.clone(),
            session.objects.agent_id.unwrap_or_default(),
        ),
    };
    m.apply.reverifying = true;
    m.in_flight += 1;
    m.log(
        fx,
        LogKind::Info,
        "verifying again with the setup's credentials",
    );
    fx.push(Effect::Reverify(Box::new(ReverifyRequest {
        session,
        client_id,
        agent_id,
        secret: m.apply.secret.clone(),
    })));
}

pub(crate) fn reverified(m: &mut Model, fx: &mut Vec<Effect>, r: Result<Verification, Failed>) {
    m.in_flight = m.in_flight.saturating_sub(1);
    m.apply.reverifying = false;
    match r {
        Ok(v) => {
            let left = m.apply.manual_left.len();
            let (kind, text) = match Verdict::of(Some(&v), left) {
                Verdict::Verified => (
                    LogKind::Info,
                    format!("verified again: {} checks passed", v.checks.len()),
                ),
                Verdict::Failed => (
                    LogKind::Error,
                    format!(
                        "verified again: {} of {} checks still fail",
                        v.failures().count(),
                        v.checks.len()
                    ),
                ),
                Verdict::ManualStepsLeft => (
                    LogKind::Warn,
                    format!(
                        "checked again: nothing failed; {} (press {} once they are done)",
                        crate::plan::verify::steps_left(left),
                        key_of(Ctx::HandOver, K::Ch('m'), Intent::ConfirmManual)
                    ),
                ),
                Verdict::CouldNotCheck => (
                    LogKind::Warn,
                    format!(
                        "checked again: {} of {} needs could not be checked on this Halo; not verified",
                        v.unproven().count(),
                        v.checks.len()
                    ),
                ),
            };
            m.log(fx, kind, text.clone());
            m.apply.note = Some((kind, text));
            if m.apply.verified_with.is_none() {
                m.apply.verified_with = Some(VerifiedWith::NewSecret);
            }
            m.apply.verification = Some(v);
        }
        Err(Failed(e)) => {
            m.log(fx, LogKind::Error, e.clone());
            m.apply.note = Some((LogKind::Error, e));
        }
    }
}

/// Saves the hand-over to `path` (from the prompt).
pub(crate) fn save_to(m: &mut Model, path: String, fx: &mut Vec<Effect>) {
    m.overlay = Overlay::None;
    let path = path.trim();
    if path.is_empty() {
        return;
    }
    // A name in a format it does not write is refused here, prompt kept: nothing is lost.
    if let Err(e) = crate::plan::handover::Format::from_path(std::path::Path::new(path)) {
        let msg = format!("{e}. {}", e.hint());
        m.log(fx, LogKind::Error, msg.clone());
        m.apply.note = Some((LogKind::Error, msg));
        m.overlay = Overlay::SavePath(path.to_string());
        return;
    }
    save(m, PathBuf::from(path), false, fx);
}

fn save(m: &mut Model, path: PathBuf, overwrite: bool, fx: &mut Vec<Effect>) {
    if let Some(h) = full_handover(m) {
        fx.push(Effect::SaveHandover {
            path,
            handover: Box::new(h),
            overwrite,
        });
    }
}

/// The file exists: ask before replacing it.
pub(crate) fn exists(m: &mut Model, fx: &mut Vec<Effect>, path: PathBuf) {
    m.log(
        fx,
        LogKind::Warn,
        format!("{} already exists; nothing was written", path.display()),
    );
    m.overlay = Overlay::ConfirmOverwrite(path.display().to_string());
}

/// `y` on "replace it?": save over the existing file.
pub(crate) fn overwrite(m: &mut Model, path: String, fx: &mut Vec<Effect>) {
    m.overlay = Overlay::None;
    save(m, PathBuf::from(path), true, fx);
}

/// `Msg::HandoverSaved`: where the file went (confirming then wipes at once), or why not.
pub(crate) fn saved(m: &mut Model, fx: &mut Vec<Effect>, r: Result<PathBuf, Failed>) {
    match r {
        Ok(p) => {
            let msg = format!("credentials saved to {} (mode 0600)", p.display());
            m.log(fx, LogKind::Info, msg.clone());
            m.apply.note = Some((LogKind::Info, msg));
            m.apply.saved_to = Some(p);
        }
        Err(Failed(e)) => {
            m.log(fx, LogKind::Error, e.clone());
            m.apply.note = Some((LogKind::Error, e));
        }
    }
}

pub(crate) fn answers_saved(m: &mut Model, fx: &mut Vec<Effect>, r: Result<PathBuf, Failed>) {
    match r {
        Ok(p) => {
            let msg = format!("answers saved to {}", p.display());
            m.log(fx, LogKind::Info, msg.clone());
            m.apply.note = Some((LogKind::Info, msg));
            m.apply.answers_file = Some(p);
        }
        Err(Failed(e)) => {
            m.log(fx, LogKind::Error, e.clone());
            m.apply.note = Some((LogKind::Error, e));
        }
    }
}

/// The user has the credentials: forget the secret here and in the journal. Saved to a file,
/// it goes at once. Copied (OSC 52, which may have gone nowhere), only once the admin says the
/// paste arrived. Neither: it is the only copy, and only an explicit `w` throws it away.
pub(crate) fn confirm(m: &mut Model, fx: &mut Vec<Effect>) {
    if m.apply.phase != Phase::Done || m.apply.confirmed {
        return;
    }
    if m.apply.saved_to.is_some() {
        wipe(m, fx);
    } else if m.apply.copied {
        m.overlay = Overlay::ConfirmPasted;
    } else {
        m.overlay = Overlay::ConfirmWipe;
    }
}

/// Any other key on the second confirmation: the secret stays.
pub(crate) fn keep_secret(m: &mut Model) {
    m.overlay = Overlay::None;
    m.apply.note = Some((
        LogKind::Info,
        format!(
            "Kept: copy the secret ({}) or save it ({}), then confirm.",
            key_of(Ctx::HandOver, K::Ch('c'), Intent::Copy),
            key_of(Ctx::HandOver, K::Ch('s'), Intent::SavePrompt)
        ),
    ));
}

/// The hand-over is confirmed (saved to a file, or the paste arrived): wipe the secret here and
/// in the journal.
pub(crate) fn wipe(m: &mut Model, fx: &mut Vec<Effect>) {
    let copied_only = m.apply.saved_to.is_none();
    m.overlay = Overlay::None;
    if m.apply.phase != Phase::Done || m.apply.confirmed {
        return;
    }
    m.apply.confirmed = true;
    m.apply.paste_confirmed = copied_only;
    // Dropping the SecretString zeroes its memory.
    m.apply.secret = None;
    if let Some(mut s) = m.apply.session.clone() {
        // `check SETUP` reads the credentials from the file they were saved to.
        if m.apply.saved_to.is_some() {
            s.credentials_file = m.apply.saved_to.clone();
        }
        // A verification passed since (`r`) finishes the setup too.
        if m.apply
            .verification
            .as_ref()
            .is_some_and(crate::plan::verify::Verification::passed)
        {
            s.status = crate::journal::Status::Verified;
        }
        fx.push(Effect::ConfirmHandover(Box::new(s)));
    }
    m.log(
        fx,
        LogKind::Info,
        if copied_only {
            "hand-over confirmed (the paste of the copy arrived); wiping the secret from the journal"
        } else {
            "hand-over confirmed; wiping the secret from the journal"
        },
    );
}

/// `w` on "wipe the only copy?": thrown away although it was neither copied nor saved. Not a
/// hand-over: the journal says the secret is gone, and the application needs a new one.
pub(crate) fn discard(m: &mut Model, fx: &mut Vec<Effect>) {
    m.overlay = Overlay::None;
    if m.apply.phase != Phase::Done || m.apply.confirmed {
        return;
    }
    m.apply.confirmed = true;
    m.apply.discarded = true;
    m.apply.secret = None;
    if let Some(s) = m.apply.session.clone() {
        fx.push(Effect::DiscardSecret(Box::new(s)));
    }
    m.log(
        fx,
        LogKind::Warn,
        "secret wiped without being copied or saved: the vendor needs a new one",
    );
}

/// `Msg::HandedOver`: the journal's copy of the secret is wiped (a hand-over or a discard), or
/// the wipe failed (said under the keys, the secret stays in the journal).
pub(crate) fn handed_over(m: &mut Model, fx: &mut Vec<Effect>, r: Result<(), Failed>) {
    match r {
        Ok(()) if m.apply.discarded => {
            m.apply.note = None;
            m.log(
                fx,
                LogKind::Warn,
                "the journal's copy of the secret is wiped; the setup is not handed over",
            );
        }
        Ok(()) => {
            // The screen's own "✓ Handed over" line says it; a note would say it twice.
            m.apply.note = None;
            m.log(fx, LogKind::Info, "setup handed over");
        }
        Err(e) => {
            m.apply.note = Some((
                LogKind::Error,
                format!("could not wipe the journal secret: {e}"),
            ));
            m.log(fx, LogKind::Error, e.0);
        }
    }
}
