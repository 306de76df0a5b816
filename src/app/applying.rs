//! After Submit: the plan's roles read, apply and its progress, a refusal or a failure, and
//! resuming an earlier setup. The hand-over's actions are in `handover`, the closing summary in
//! `summary`; pure like the rest of `app` (the runtime does the I/O).

use secrecy::SecretString;

use crate::plan::apply::Progress;
use crate::plan::build::Object;
use crate::plan::handover::Handover;

use super::keys::{Ctx, Intent, K, key_of};
use super::log::LogKind;
use super::model::{Model, Overlay, Step};
use super::msg::{ApplyOutcome, ApplyRequest, Effect, Failed};
pub use super::planned::{current_plan, marker, risks};
use super::state::fresh_objects;
pub use super::state::{ApplyState, ObjState, Phase, ResumeRow};
pub use super::summary::exit_summary;

/// On to the Submit step: the plan compares the setup's roles (its own, a reused one, extra
/// ones) with what Halo holds, so their details (permissions) are read first where the connect
/// did not read them (it reads a few of many). Until they are in, Apply waits.
pub(crate) fn enter_submit(m: &mut Model, fx: &mut Vec<Effect>) {
    if !m.is_connected() || m.apply.reading_roles {
        return;
    }
    let wanted = crate::plan::session::wanted_roles(&m.answers);
    let unread = |w: &str| {
        m.lookups.roles.iter().any(|r| {
            let named = !w.trim().is_empty()
                && (r.name.trim().eq_ignore_ascii_case(w.trim())
                    || r.id.as_deref() == Some(w.trim()));
            named && r.claims.is_empty() && !m.roles_read.iter().any(|id| Some(id) == r.id.as_ref())
        })
    };
    if !wanted.iter().any(|w| unread(w)) {
        return;
    }
    m.apply.reading_roles = true;
    m.in_flight += 1;
    m.log(
        fx,
        LogKind::Info,
        "reading the permissions of the setup's roles from Halo before the plan judges them",
    );
    fx.push(Effect::ReadRoles(wanted));
}

/// The roles' details are in: the plan judges with them.
pub(crate) fn roles_read(
    m: &mut Model,
    fx: &mut Vec<Effect>,
    r: Result<Vec<crate::halo::model::Role>, Failed>,
) {
    m.in_flight = m.in_flight.saturating_sub(1);
    m.apply.reading_roles = false;
    match r {
        Ok(roles) => {
            for got in roles.into_iter().filter(|r| !r.claims.is_empty()) {
                if let Some(id) = got.id.clone() {
                    if !m.roles_read.contains(&id) {
                        m.roles_read.push(id);
                    }
                }
                match m.lookups.roles.iter_mut().find(|r| r.id == got.id) {
                    Some(known) => *known = got,
                    None => m.lookups.roles.push(got),
                }
            }
            // A role read with no permissions at all is known too (none to compare).
            for w in crate::plan::session::wanted_roles(&m.answers) {
                for r in &m.lookups.roles {
                    if r.name.trim().eq_ignore_ascii_case(w.trim())
                        && let Some(id) = r.id.clone()
                        && !m.roles_read.contains(&id)
                    {
                        m.roles_read.push(id);
                    }
                }
            }
        }
        Err(e) => m.log(
            fx,
            LogKind::Warn,
            format!("could not read the roles' details ({e}); the plan compares what the role list shows, apply reads them again"),
        ),
    }
}

/// Enter on Apply: blocked plans show their problems, others ask for confirmation.
pub(crate) fn request_apply(m: &mut Model, fx: &mut Vec<Effect>) {
    if m.apply.reading_roles {
        m.log(
            fx,
            LogKind::Info,
            "still reading the roles' permissions from Halo: the plan is shown once they are in",
        );
        return;
    }
    let p = current_plan(m);
    if p.is_blocked() {
        m.show_errors[Step::Submit.index()] = true;
        m.log(
            fx,
            LogKind::Warn,
            format!("plan has {} problem(s); fix them first", p.problems.len()),
        );
        return;
    }
    m.overlay = Overlay::ConfirmApply;
}

/// Confirmed: start (or continue) the journaled setup.
pub(crate) fn start_apply(m: &mut Model, fx: &mut Vec<Effect>) {
    m.overlay = Overlay::None;
    let a = &mut m.apply;
    a.phase = Phase::Running;
    a.objects = fresh_objects();
    a.verification = None;
    a.differences.clear();
    a.refused = None;
    a.manual = None;
    a.secret_needed = false;
    // The progress view starts at the top, whatever part of the plan was scrolled to.
    m.plan_scroll = 0;
    m.in_flight += 1;
    let resume_id = m
        .apply
        .session_id
        .clone()
        .or_else(|| m.apply.resume.as_ref().map(|s| s.id.clone()));
    m.log(fx, LogKind::Info, "applying the plan");
    fx.push(Effect::Apply(Box::new(ApplyRequest {
        answers: m.answers.clone(),
        resume_id,
    })));
}

/// `Msg::ApplyStarted`: the setup is journaled under `id`; the log file tags its lines with it.
pub(crate) fn started(m: &mut Model, fx: &mut Vec<Effect>, id: String) {
    // Known first, so this line already carries the setup's tag in the log file.
    m.apply.session_id = Some(id.clone());
    m.log(
        fx,
        LogKind::Info,
        format!("setup {id} journaled; it can be resumed if interrupted"),
    );
}

/// `Msg::Progress`: a written object turns done in the progress view; a read-back difference
/// is logged and kept for the result screen.
pub(crate) fn progress(m: &mut Model, fx: &mut Vec<Effect>, p: Progress) {
    match p {
        Progress::Step(s) => {
            for (o, st, line) in &mut m.apply.objects {
                if s.starts_with(&format!("{} '", o.label())) {
                    *st = ObjState::Done;
                    *line = s.clone();
                }
            }
            m.log(fx, LogKind::Info, s);
        }
        Progress::Difference(d) => {
            m.log(
                fx,
                LogKind::Warn,
                format!("read-back {}: {d}", d.object.label()),
            );
            m.apply.differences.push(*d);
        }
    }
}

pub(crate) fn verifying(m: &mut Model, fx: &mut Vec<Effect>) {
    m.apply.phase = Phase::Verifying;
    for o in &mut m.apply.objects {
        o.1 = ObjState::Done;
    }
    m.log(fx, LogKind::Info, "verifying with the new credentials");
}

/// The log's lines about the result of an apply: the verification and the manual steps left.
fn log_result(
    m: &mut Model,
    fx: &mut Vec<Effect>,
    verification: Option<&crate::plan::verify::Verification>,
    manual_left: usize,
) {
    match verification {
        Some(v) if v.failures().next().is_some() => {
            let n = v.failures().count();
            m.log(fx, LogKind::Error,
                format!("verification: {n} check(s) failed"),
            );
        }
        Some(v) if v.passed() => m.log(fx, LogKind::Info,
            format!("verification passed ({} checks)", v.checks.len()),
        ),
        Some(v) => m.log(fx, LogKind::Warn,
            format!(
                "verification: {} of {} needs could not be checked on this Halo; not verified",
                v.unproven().count(),
                v.checks.len()
            ),
        ),
        None => m.log(fx, LogKind::Warn,
            "objects applied; credentials not verified: the application keeps the secret the vendor has, and it is not at hand here",
        ),
    }
    if manual_left > 0 {
        m.log(
            fx,
            LogKind::Warn,
            format!(
                "{}: do them in Halo's web UI, then press m (not verified until then)",
                crate::plan::verify::steps_left(manual_left)
            ),
        );
    }
}

/// `Msg::Applied`: the hand-over screen. The secret moves into `ApplyState::secret` (the
/// hand-over keeps an empty one); no secret to hand over counts as confirmed.
pub(crate) fn applied(m: &mut Model, fx: &mut Vec<Effect>, o: ApplyOutcome) {
    m.in_flight = m.in_flight.saturating_sub(1);
    let ApplyOutcome {
        session,
        verification,
        differences,
        handover,
        verified_with,
        client_id,
    } = o;
    for d in &differences {
        if !m.apply.differences.contains(d) {
            m.apply.differences.push(d.clone());
        }
    }
    let manual_left: Vec<String> = session
        .manual_left()
        .into_iter()
        .map(String::from)
        .collect();
    log_result(m, fx, verification.as_ref(), manual_left.len());
    let a = &mut m.apply;
    a.manual_left = manual_left;
    a.session_id = Some(session.id.clone());
    // A repair plans against this setup's own objects, like a resume.
    a.resume = Some(session.clone());
    a.session = Some(session);
    a.verification = verification;
    a.verified_with = verified_with;
    a.client_id = client_id;
    a.reverifying = false;
    for o in &mut a.objects {
        o.1 = ObjState::Done;
    }
    match handover {
        Some(h) => {
            a.secret = Some(h.client_secret.clone());
            a.handover = Some(Handover {
                client_secret: SecretString::from(String::new()),
                ..h
            });
        }
        None => {
            a.secret = None;
            a.confirmed = true;
        }
    }
    a.phase = Phase::Done;
    a.refused = None;
    a.manual = None;
    a.secret_needed = false;
    m.done = [true; 6];
}

/// `Msg::ApplyFailed`: the failure screen, its hint saying how to resume the journaled setup.
pub(crate) fn failed(m: &mut Model, fx: &mut Vec<Effect>, message: String, hint: String) {
    m.in_flight = m.in_flight.saturating_sub(1);
    let id = m.apply.session_id.clone();
    let resume = match &id {
        Some(id) => format!(
            " Setup {id} can be resumed: {} retries here, or `halo-onboard resume {id}` later.",
            key_of(
                Ctx::Failed,
                K::Code(crossterm::event::KeyCode::Enter),
                Intent::Retry
            )
        ),
        None => String::new(),
    };
    m.log(fx, LogKind::Error, format!("apply failed: {message}"));
    m.apply.refused = None;
    m.apply.manual = None;
    m.apply.secret_needed = false;
    m.apply.phase = Phase::Failed {
        message,
        hint: format!("{hint}{resume}"),
    };
}

/// Halo refused a write: the failure screen, plus `m` to do that step by hand.
pub(crate) fn refused(
    m: &mut Model,
    fx: &mut Vec<Effect>,
    object: Object,
    message: String,
    hint: String,
) {
    failed(m, fx, message, hint);
    m.apply.refused = Some(object);
    m.log(fx, LogKind::Info,
        format!(
            "press m to do the {} step by hand in Halo's web UI (the wizard shows every field and checks the result)",
            crate::plan::manual::object_word(object)
        ),
    );
}

/// Halo kept the application's secret: the failure screen, plus `m` to paste the one the admin
/// generates and copies in Halo's web UI.
pub(crate) fn secret_needed(m: &mut Model, fx: &mut Vec<Effect>, message: String, hint: String) {
    let pasted = m.apply.manual.is_some();
    failed(m, fx, message, hint);
    m.apply.refused = Some(Object::Application);
    m.apply.secret_needed = true;
    if pasted {
        // The secret pasted was refused too: back to the paste screen, saying so.
        super::manual::open(m, fx);
        if let Some(st) = m.apply.manual.as_mut() {
            st.message = Some((
                LogKind::Warn,
                "Halo refused this secret too: press Generate in Halo again, copy the new secret and paste it here.".into(),
            ));
        }
        return;
    }
    m.log(fx, LogKind::Info,
        "press m: generate and copy the client secret in Halo's web UI, paste it here; it is proved with a token",
    );
}

/// Continue an unfinished setup: its answers and connection, and only the secret to type.
pub fn resume(m: &mut Model, row: &ResumeRow, fx: &mut Vec<Effect>) {
    let s = &row.session;
    m.answers = s.answers.clone();
    if let Some(ep) = &s.endpoint {
        let c = &mut m.answers.connection;
        if c.url.trim().is_empty() && c.resource_url.trim().is_empty() {
            c.mode = crate::answers::ConnectionMode::OnPremise;
            c.resource_url = ep.resource_url.clone();
            c.auth_url = ep.auth_url.clone();
            c.tenant = ep.tenant.clone().unwrap_or_default();
        }
    }
    m.sync_inputs();
    m.profile = s
        .answers
        .profile
        .as_deref()
        .and_then(|id| m.profiles.iter().find(|p| p.id == id).cloned());
    m.apply.resume = Some(s.clone());
    m.apply.session_id = Some(s.id.clone());
    m.overlay = Overlay::None;
    m.step = Step::Connect;
    m.focus_on(super::field::Field::ClientSecret);
    m.log(
        fx,
        LogKind::Info,
        format!(
            "resuming setup {}: enter the bootstrap secret and test the connection ({})",
            s.id,
            key_of(Ctx::Connect, K::Ch('t'), Intent::TestConnection)
        ),
    );
}
