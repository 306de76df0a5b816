//! After Submit: apply, verification and hand-over, and resuming an earlier setup. The state and
//! its transitions; pure like the rest of `app` (the runtime does the I/O).

use std::path::PathBuf;

use secrecy::SecretString;

use crate::journal::Session;
use crate::plan::apply::{Progress, VerifiedWith};
use crate::plan::build::{Object, Plan};
use crate::plan::diff::Difference;
use crate::plan::handover::Handover;
use crate::plan::verify::{Verdict, Verification};

use super::log::LogKind;
use super::model::{Model, Overlay, Step};
use super::msg::{ApplyOutcome, ApplyRequest, Effect, ReverifyRequest};

/// An unfinished setup offered at start. `age` is computed by the caller (the model is pure).
#[derive(Debug, Clone)]
pub struct ResumeRow {
    pub session: Session,
    pub age: String,
}

impl ResumeRow {
    /// Where the setup stands, in words (not the journal's name for it).
    pub fn status(&self) -> String {
        use crate::journal::Status;
        let left = self.session.manual_left().len();
        if left > 0 && !matches!(self.session.status, Status::Planned | Status::Applying) {
            return crate::plan::verify::steps_left(left);
        }
        match self.session.status {
            Status::Planned => "planned, nothing written",
            Status::Applying => "stopped while applying",
            Status::Applied => "applied, not verified",
            Status::Verified => "verified, not handed over",
            Status::HandedOver => "handed over",
            Status::RolledBack => "rolled back",
        }
        .to_string()
    }
    pub fn profile(&self) -> &str {
        self.session.answers.profile.as_deref().unwrap_or("-")
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ObjState {
    Pending,
    Done,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum Phase {
    /// Nothing applied yet (the plan is shown).
    #[default]
    Idle,
    Running,
    Verifying,
    Failed {
        message: String,
        hint: String,
    },
    /// Applied (and verified): the hand-over screen.
    Done,
}

#[derive(Debug, Clone)]
pub struct ApplyState {
    pub phase: Phase,
    /// The journaled setup: created by this apply, or the one being resumed.
    pub session_id: Option<String>,
    /// The setup being resumed (its objects and marker feed the plan).
    pub resume: Option<Session>,
    /// Per object: state and the last progress line about it.
    pub objects: [(Object, ObjState, String); 3],
    pub verification: Option<Verification>,
    pub differences: Vec<Difference>,
    /// URL forms and client id; its secret field is always empty (the secret lives in `secret`).
    pub handover: Option<Handover>,
    /// The new client secret, until the hand-over is confirmed. Dropping it zeroes it.
    pub secret: Option<SecretString>,
    /// The session after apply (for the journal wipe on confirm).
    pub session: Option<Session>,
    pub confirmed: bool,
    /// The secret was sent to the clipboard (`c`): it may be in the user's hands, or nowhere
    /// (OSC 52 is not always passed on); only the admin's "the paste arrived" says so.
    pub copied: bool,
    /// The admin said the paste of the copied secret arrived (the hand-over was by clipboard).
    pub paste_confirmed: bool,
    /// The secret was wiped without being copied or saved: it exists nowhere now.
    pub discarded: bool,
    pub saved_to: Option<PathBuf>,
    pub answers_file: Option<PathBuf>,
    /// Which credentials the verification used (`None`: not verified).
    pub verified_with: Option<VerifiedWith>,
    /// Halo's client id of the application (known also when there is nothing to hand over).
    pub client_id: String,
    /// A re-verification is running.
    pub reverifying: bool,
    /// Result of the last copy/save, shown under the keys.
    pub note: Option<(LogKind, String)>,
    /// The object whose write Halo refused (the failure screen offers `m`).
    pub refused: Option<Object>,
    /// The "do this step by hand" screen, while open.
    pub manual: Option<super::manual::ManualState>,
    /// Halo kept the application's secret: `m` asks for the one copied from Halo.
    pub secret_needed: bool,
    /// The setup's steps to do by hand in Halo's web UI, not yet confirmed done (`m` on the
    /// hand-over screen confirms them): until then it is not verified.
    pub manual_left: Vec<String>,
    /// The details of the roles the plan compares are being read: Apply waits for them.
    pub reading_roles: bool,
}

impl Default for ApplyState {
    fn default() -> Self {
        Self {
            phase: Phase::Idle,
            session_id: None,
            resume: None,
            objects: fresh_objects(),
            verification: None,
            differences: Vec::new(),
            handover: None,
            secret: None,
            session: None,
            confirmed: false,
            copied: false,
            paste_confirmed: false,
            discarded: false,
            saved_to: None,
            answers_file: None,
            verified_with: None,
            client_id: String::new(),
            reverifying: false,
            note: None,
            refused: None,
            manual: None,
            secret_needed: false,
            manual_left: Vec::new(),
            reading_roles: false,
        }
    }
}

fn fresh_objects() -> [(Object, ObjState, String); 3] {
    [Object::Role, Object::Agent, Object::Application]
        .map(|o| (o, ObjState::Pending, String::new()))
}

impl ApplyState {
    pub fn running(&self) -> bool {
        matches!(self.phase, Phase::Running | Phase::Verifying)
    }
    /// The secret exists only in the journal (and on this screen) until confirmed.
    pub fn secret_pending(&self) -> bool {
        self.phase == Phase::Done && self.secret.is_some() && !self.confirmed
    }
    /// The result in one word: verified only when every need was proven and no manual step
    /// is left.
    pub fn verdict(&self) -> Verdict {
        Verdict::of(self.verification.as_ref(), self.manual_left.len())
    }
    /// Applied, but not verified (a check failed or could not run, or manual steps are left):
    /// the screen offers verifying again and repairing.
    pub fn needs_attention(&self) -> bool {
        self.phase == Phase::Done && self.verdict() != Verdict::Verified
    }
    /// The secret would be lost by wiping it now: neither copied nor saved.
    pub fn secret_only_here(&self) -> bool {
        self.secret_pending() && !self.copied && self.saved_to.is_none()
    }
    /// Whether the secret verifiably reached the admin: saved to a file, or the paste of the
    /// copy confirmed. A copy sent with OSC 52 alone may have gone nowhere.
    pub fn secret_delivered(&self) -> bool {
        self.saved_to.is_some() || self.paste_confirmed
    }
}

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

/// On to the Submit step: the plan compares the setup's roles (its own, a reused one, extra
/// ones) with what Halo holds, so their details (permissions) are read first where the connect
/// did not read them (it reads a few of many). Until they are in, Apply waits.
pub fn enter_submit(m: &mut Model, fx: &mut Vec<Effect>) {
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
pub fn roles_read(
    m: &mut Model,
    fx: &mut Vec<Effect>,
    r: Result<Vec<crate::halo::model::Role>, String>,
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
pub fn request_apply(m: &mut Model, fx: &mut Vec<Effect>) {
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
pub fn start_apply(m: &mut Model, fx: &mut Vec<Effect>) {
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

pub fn started(m: &mut Model, fx: &mut Vec<Effect>, id: String) {
    // Known first, so this line already carries the setup's tag in the log file.
    m.apply.session_id = Some(id.clone());
    m.log(
        fx,
        LogKind::Info,
        format!("setup {id} journaled; it can be resumed if interrupted"),
    );
}

pub fn progress(m: &mut Model, fx: &mut Vec<Effect>, p: Progress) {
    match p {
        Progress::Step(s) => {
            for (o, st, line) in m.apply.objects.iter_mut() {
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

pub fn verifying(m: &mut Model, fx: &mut Vec<Effect>) {
    m.apply.phase = Phase::Verifying;
    for o in m.apply.objects.iter_mut() {
        o.1 = ObjState::Done;
    }
    m.log(fx, LogKind::Info, "verifying with the new credentials");
}

pub fn applied(m: &mut Model, fx: &mut Vec<Effect>, o: ApplyOutcome) {
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
    match &verification {
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
    if !manual_left.is_empty() {
        m.log(
            fx,
            LogKind::Warn,
            format!(
                "{}: do them in Halo's web UI, then press m (not verified until then)",
                crate::plan::verify::steps_left(manual_left.len())
            ),
        );
    }
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
    for o in a.objects.iter_mut() {
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

pub fn failed(m: &mut Model, fx: &mut Vec<Effect>, message: String, hint: String) {
    m.in_flight = m.in_flight.saturating_sub(1);
    let id = m.apply.session_id.clone();
    let resume = match &id {
        Some(id) => format!(
            " Setup {id} can be resumed: Enter retries here, or `halo-onboard resume {id}` later."
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
pub fn refused(m: &mut Model, fx: &mut Vec<Effect>, object: Object, message: String, hint: String) {
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
pub fn secret_needed(m: &mut Model, fx: &mut Vec<Effect>, message: String, hint: String) {
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
pub fn default_save_path(m: &Model) -> String {
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
pub fn answers_path(m: &Model) -> PathBuf {
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
pub fn copy(m: &mut Model, fx: &mut Vec<Effect>) {
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
pub fn save_prompt(m: &mut Model) {
    m.overlay = Overlay::SavePath(default_save_path(m));
}

/// `a`: saves the answers for a headless re-run.
pub fn save_answers(m: &mut Model, fx: &mut Vec<Effect>) {
    fx.push(Effect::SaveAnswers {
        path: answers_path(m),
        answers: Box::new(m.answers.clone()),
    });
}

/// `p`: apply this setup's plan again. No confirmation overlay: its plan would be drawn from
/// the lookups of the connect, before this setup's objects existed; the key is explicit and the
/// apply re-reads Halo, writing only what differs on objects the setup already has.
pub fn repair(m: &mut Model, fx: &mut Vec<Effect>) {
    m.log(
        fx,
        LogKind::Info,
        "repair: applying the plan again; only what differs from it is written",
    );
    start_apply(m, fx);
}

/// `m` on the hand-over screen: the admin says the manual steps are done in Halo. Recorded in
/// the journal, then checked: the setup is verified again.
pub fn confirm_manual(m: &mut Model, fx: &mut Vec<Effect>) {
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

/// `n` after the hand-over: the next vendor on the same Halo. The connection (and the bootstrap
/// secret) stay; the answers, the setup and the plan go; Halo's objects are read again (the
/// last setup added some) and the profile picker opens.
pub fn next_integration(m: &mut Model, fx: &mut Vec<Effect>) {
    if m.apply.phase != Phase::Done || m.apply.secret_pending() {
        return;
    }
    let done = m.apply.session_id.clone().unwrap_or_default();
    m.apply = ApplyState::default();
    m.answers = crate::answers::Answers {
        connection: m.answers.connection.clone(),
        ..Default::default()
    };
    m.profile = None;
    m.sync_inputs();
    m.roles_read.clear();
    m.done = [false; 6];
    m.show_errors = [false; 6];
    m.plan_scroll = 0;
    m.step = Step::Connect;
    m.log(
        fx,
        LogKind::Info,
        format!("setup {done} is done; next integration on the same Halo: pick its profile"),
    );
    super::connect::test(m, fx);
    super::picker::open(m);
}

/// `r`: verify again, after the admin changed what the failed checks named in Halo.
pub fn reverify(m: &mut Model, fx: &mut Vec<Effect>) {
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

pub fn reverified(m: &mut Model, fx: &mut Vec<Effect>, r: Result<Verification, String>) {
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
                        "checked again: nothing failed; {} (press m once they are done)",
                        crate::plan::verify::steps_left(left)
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
        Err(e) => {
            m.log(fx, LogKind::Error, e.clone());
            m.apply.note = Some((LogKind::Error, e));
        }
    }
}

/// Saves the hand-over to `path` (from the prompt).
pub fn save_to(m: &mut Model, path: String, fx: &mut Vec<Effect>) {
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
pub fn exists(m: &mut Model, fx: &mut Vec<Effect>, path: PathBuf) {
    m.log(
        fx,
        LogKind::Warn,
        format!("{} already exists; nothing was written", path.display()),
    );
    m.overlay = Overlay::ConfirmOverwrite(path.display().to_string());
}

/// `y` on "replace it?": save over the existing file.
pub fn overwrite(m: &mut Model, path: String, fx: &mut Vec<Effect>) {
    m.overlay = Overlay::None;
    save(m, PathBuf::from(path), true, fx);
}

pub fn saved(m: &mut Model, fx: &mut Vec<Effect>, r: Result<PathBuf, String>) {
    match r {
        Ok(p) => {
            let msg = format!("credentials saved to {} (mode 0600)", p.display());
            m.log(fx, LogKind::Info, msg.clone());
            m.apply.note = Some((LogKind::Info, msg));
            m.apply.saved_to = Some(p);
        }
        Err(e) => {
            m.log(fx, LogKind::Error, e.clone());
            m.apply.note = Some((LogKind::Error, e));
        }
    }
}

pub fn answers_saved(m: &mut Model, fx: &mut Vec<Effect>, r: Result<PathBuf, String>) {
    match r {
        Ok(p) => {
            let msg = format!("answers saved to {}", p.display());
            m.log(fx, LogKind::Info, msg.clone());
            m.apply.note = Some((LogKind::Info, msg));
            m.apply.answers_file = Some(p);
        }
        Err(e) => {
            m.log(fx, LogKind::Error, e.clone());
            m.apply.note = Some((LogKind::Error, e));
        }
    }
}

/// The user has the credentials: forget the secret here and in the journal. Saved to a file,
/// it goes at once. Copied (OSC 52, which may have gone nowhere), only once the admin says the
/// paste arrived. Neither: it is the only copy, and only an explicit `w` throws it away.
pub fn confirm(m: &mut Model, fx: &mut Vec<Effect>) {
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
pub fn keep_secret(m: &mut Model) {
    m.overlay = Overlay::None;
    m.apply.note = Some((
        LogKind::Info,
        "Kept: copy the secret (c) or save it (s), then confirm.".into(),
    ));
}

/// The hand-over is confirmed (saved to a file, or the paste arrived): wipe the secret here and
/// in the journal.
pub fn wipe(m: &mut Model, fx: &mut Vec<Effect>) {
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
        if m.apply.verification.as_ref().is_some_and(|v| v.passed()) {
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
pub fn discard(m: &mut Model, fx: &mut Vec<Effect>) {
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

pub fn handed_over(m: &mut Model, fx: &mut Vec<Effect>, r: Result<(), String>) {
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
            m.log(fx, LogKind::Error, e);
        }
    }
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
    m.focus_on(super::Field::ClientSecret);
    m.log(
        fx,
        LogKind::Info,
        format!(
            "resuming setup {}: enter the bootstrap secret and test the connection (t)",
            s.id
        ),
    );
}

/// What the user needs after the wizard closes, printed on the normal screen (so an SSH user
/// can scroll back to it): the setup, the client id, where the credentials are, what is left.
/// Never the secret. `None` when nothing was started.
pub fn exit_summary(m: &Model) -> Option<String> {
    let a = &m.apply;
    let id = a.session_id.as_deref()?;
    let mut s = format!("halo-onboard: setup {id}\n");
    let client_id = a
        .handover
        .as_ref()
        .map(|h| h.client_id.clone())
        .filter(|c| !c.is_empty())
        .unwrap_or_else(|| a.client_id.clone());
    if !client_id.is_empty() {
        s.push_str(&format!("  Client ID:        {client_id}\n"));
    }
    let mut todo = Vec::new();
    match &a.phase {
        Phase::Idle => {
            s.push_str("  Status:           not applied yet\n");
            todo.push(format!("continue it: halo-onboard resume {id}"));
        }
        Phase::Running | Phase::Verifying => {
            s.push_str("  Status:           interrupted while applying\n");
            todo.push(format!(
                "continue it: halo-onboard resume {id} (nothing is created twice)"
            ));
        }
        Phase::Failed { message, .. } => {
            s.push_str(&format!("  Status:           stopped: {message}\n"));
            todo.push(format!("continue it: halo-onboard resume {id}"));
        }
        Phase::Done => {
            let verdict = a.verdict();
            let status = match (verdict, &a.verification) {
                (Verdict::Verified, Some(v)) => {
                    format!("applied and verified ({} checks)", v.checks.len())
                }
                (Verdict::Failed, Some(v)) => format!(
                    "applied; verification FAILED ({} of {} checks)",
                    v.failures().count(),
                    v.checks.len()
                ),
                (Verdict::ManualStepsLeft, _) => format!(
                    "{}; not verified",
                    crate::plan::verify::steps_left(a.manual_left.len())
                ),
                (_, Some(v)) => format!(
                    "applied; not verified: {} of {} needs could not be checked",
                    v.unproven().count(),
                    v.checks.len()
                ),
                (_, None) => "applied; credentials not verified".into(),
            };
            s.push_str(&format!("  Status:           {status}\n"));
            for step in &a.manual_left {
                todo.push(format!("by hand in Halo: {step}"));
            }
            if !a.manual_left.is_empty() {
                todo.push(format!(
                    "then record them as done and verify: halo-onboard resume {id} --confirm-manual --yes"
                ));
            }
            match (verdict, &a.verification) {
                (Verdict::Failed, _) => todo.push(format!(
                    "fix what the failed checks name in Halo, then: halo-onboard check {id}"
                )),
                (Verdict::CouldNotCheck, Some(_)) => todo.push(format!(
                    "some needs could not be checked on this Halo: halo-onboard doctor shows which paths it serves; halo-onboard check {id} tries again"
                )),
                (_, None) => todo.push(format!(
                    "verify with the application's secret: HALO_APP_CLIENT_SECRET=… halo-onboard check {id}"
                )),
                _ => {}
            }
        }
    }
    match (&a.saved_to, a.secret_pending()) {
        (Some(p), _) => {
            s.push_str(&format!(
                "  Credentials file: {} (mode 0600, holds the secret)\n",
                p.display()
            ));
            todo.push("give the credentials file to the vendor, then delete it".into());
        }
        (None, true) => s.push_str("  Credentials file: not saved\n"),
        (None, false) if a.paste_confirmed => {
            s.push_str("  Credentials:      copied to the clipboard (paste confirmed)\n")
        }
        (None, false) => {}
    }
    if a.secret_pending() {
        let copied = if a.copied {
            " (it was sent to the clipboard, but the paste was not confirmed: OSC 52 may have gone nowhere)"
        } else {
            ""
        };
        todo.push(format!(
            "the hand-over is not confirmed{copied}: the secret is kept in the journal until `halo-onboard resume {id}` hands it over"
        ));
    }
    if a.discarded {
        s.push_str("  Secret:           wiped before it was copied or saved: it exists nowhere\n");
        todo.push(format!(
            "give the application a new secret and hand it over: {}",
            crate::plan::handover::new_secret_command(id)
        ));
    }
    if todo.is_empty() {
        s.push_str("  Left to do:       nothing\n");
    } else {
        s.push_str("  Left to do:\n");
        for t in todo {
            s.push_str(&format!("    - {t}\n"));
        }
    }
    Some(s)
}
