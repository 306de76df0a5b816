//! `update`: the only place the model changes. Returns the effects for the runtime to run.

use crossterm::event::{Event, KeyCode, KeyEvent, KeyEventKind, KeyModifiers};
use tui_input::InputRequest;
use tui_input::backend::crossterm::to_input_request;

use crate::answers::{ConnectionMode, DepartmentAnswer, RoleMode, TeamAnswer};
use crate::halo::model::MembershipLevel;
use crate::halo::scopes;
use crate::plan::session::Place;
use crate::profile::Question;

use super::apply::{self as ap, Phase};
use super::fields::{Field, Kind, feature_area, scope_name, set_text};
use super::log::{LogKind, format_request};
use super::model::{Backoff, ConnInfo, ConnState, Model, Overlay, Step};
use super::msg::{ConnectRequest, Effect, Msg};
use super::validate::validate;

/// Lines a PageUp/PageDown moves the log.
const LOG_PAGE: usize = 10;
/// The runtime's spinner tick while a request runs (the backoff countdown counts it).
pub const TICK_MS: u64 = 100;

pub fn update(m: &mut Model, msg: Msg) -> Vec<Effect> {
    let mut fx = Vec::new();
    match msg {
        Msg::Key(k) => on_key(m, k, &mut fx),
        Msg::Paste(text) => paste(m, &text, &mut fx),
        Msg::Resize => {}
        Msg::Tick => {
            m.spinner = m.spinner.wrapping_add(1);
            if let Some(b) = &mut m.backoff {
                b.left_ms = b.left_ms.saturating_sub(TICK_MS);
            }
        }
        Msg::Request(e) => request(m, &mut fx, e),
        Msg::Log(kind, text) => log(m, &mut fx, kind, text),
        Msg::ApplyStarted(id) => ap::started(m, &mut fx, id),
        Msg::Progress(p) => ap::progress(m, &mut fx, p),
        Msg::Verifying => ap::verifying(m, &mut fx),
        Msg::Applied(o) => ap::applied(m, &mut fx, *o),
        Msg::ApplyFailed { message, hint } => ap::failed(m, &mut fx, message, hint),
        Msg::ApplyRefused {
            object,
            message,
            hint,
        } => ap::refused(m, &mut fx, object, message, hint),
        Msg::SecretNeeded { message, hint } => ap::secret_needed(m, &mut fx, message, hint),
        Msg::ManualNotAdopted(message) => super::manual::not_adopted(m, &mut fx, message),
        Msg::HandoverSaved(r) => ap::saved(m, &mut fx, r),
        Msg::HandoverExists(p) => ap::exists(m, &mut fx, p),
        Msg::Reverified(r) => ap::reverified(m, &mut fx, r),
        Msg::AnswersSaved(r) => ap::answers_saved(m, &mut fx, r),
        Msg::HandedOver(r) => ap::handed_over(m, &mut fx, r),
        Msg::Connected(res) => {
            m.in_flight = m.in_flight.saturating_sub(1);
            match *res {
                Ok(c) => {
                    m.backoff = None;
                    let admin = agent_is_admin(&c.agent, &c.lookups);
                    let missing = missing_capabilities(&c.token.scopes, admin.unwrap_or(true));
                    let vocab = c.lookups.vocabulary();
                    match vocab.disagreement() {
                        None => log(
                            m,
                            &mut fx,
                            LogKind::Info,
                            format!(
                                "Halo's permission codes confirmed on {} role(s) (SA, area levels)",
                                vocab.roles_read
                            ),
                        ),
                        Some(why) => log(m, &mut fx, LogKind::Warn, why),
                    }
                    let name = c.agent.name.clone();
                    log(m, &mut fx, LogKind::Info, format!("connected as {name}"));
                    for what in &missing {
                        log(
                            m,
                            &mut fx,
                            LogKind::Warn,
                            format!("bootstrap credential: {what}"),
                        );
                    }
                    m.lookups = c.lookups;
                    log(
                        m,
                        &mut fx,
                        LogKind::Info,
                        format!(
                            "loaded {} roles, {} teams, {} departments, {} work hours, {} agents",
                            m.lookups.roles.len(),
                            m.lookups.teams.len(),
                            m.lookups.departments.len(),
                            m.lookups.workdays.len(),
                            m.lookups.agents.len()
                        ),
                    );
                    // Work hours are referred to by name; fall back to what this Halo has.
                    let wd = &m.answers.agent.workday;
                    if !m.lookups.workdays.is_empty()
                        && !m
                            .lookups
                            .workdays
                            .iter()
                            .any(|w| w.name.eq_ignore_ascii_case(wd))
                    {
                        m.answers.agent.workday = m.lookups.workdays[0].name.clone();
                    }
                    m.conn = ConnState::Connected(ConnInfo {
                        agent_name: name,
                        agent_id: c.agent.id,
                        scopes: c.token.scopes,
                        missing,
                    });
                    // A resumed setup has its answers: straight to Submit, where apply continues.
                    if let Some(id) = m.apply.resume.as_ref().map(|s| s.id.clone())
                        && m.step == Step::Connect
                        && m.apply.phase == Phase::Idle
                    {
                        m.done = [true, true, true, true, true, false];
                        m.step = Step::Submit;
                        log(
                            m,
                            &mut fx,
                            LogKind::Info,
                            format!("setup {id}: review the plan and apply to continue it"),
                        );
                    }
                }
                Err(f) => {
                    m.backoff = None;
                    if let Some(url) = &f.confirm_auth_url {
                        m.overlay = Overlay::ConfirmAuthUrl(url.clone());
                    }
                    log(
                        m,
                        &mut fx,
                        LogKind::Error,
                        format!("connection failed: {}", f.message),
                    );
                    m.conn = ConnState::Failed {
                        message: f.message,
                        hint: f.hint,
                    };
                }
            }
        }
    }
    fx
}

/// Whether the bootstrap agent is a HaloPSA Administrator: its own claims or a role read with
/// its details carries `SA`=`true`. `None` when none of its roles' details were read.
pub fn agent_is_admin(
    agent: &crate::halo::model::Agent,
    lk: &crate::plan::Lookups,
) -> Option<bool> {
    let mut p = crate::halo::dialect::Permissions::from_claims(&agent.claims);
    let mut known = !agent.claims.is_empty();
    for r in &agent.roles {
        if let Some(role) = lk
            .roles
            .iter()
            .find(|x| x.id.as_deref() == Some(r.id.as_str()))
            && !role.claims.is_empty()
        {
            known = true;
            p.merge(&role.permissions());
        }
    }
    known.then(|| p.admin())
}

/// A finished request is logged; one waiting to retry starts the countdown the screen shows.
fn request(m: &mut Model, fx: &mut Vec<Effect>, e: crate::halo::RequestEvent) {
    match e.waiting {
        Some(wait) => {
            let b = Backoff {
                method: e.method.clone(),
                path: e.path.clone(),
                status: e.status,
                left_ms: u64::try_from(wait.as_millis()).unwrap_or(u64::MAX),
            };
            let text = format!("{} {}: {}", e.method, e.path, b.text());
            m.backoff = Some(b);
            log(m, fx, LogKind::Warn, text);
        }
        None => {
            if m.backoff
                .as_ref()
                .is_some_and(|b| b.method == e.method && b.path == e.path)
            {
                m.backoff = None;
            }
            log(m, fx, LogKind::Http, format_request(&e));
        }
    }
}

/// What the bootstrap credential lacks to create roles, agents and applications.
pub fn missing_capabilities(scopes: &[String], agent_is_admin: bool) -> Vec<String> {
    let mut out = Vec::new();
    if !scopes.iter().any(|s| s == "admin") {
        out.push("the token has no 'admin' scope (tick it on the bootstrap application)".into());
    }
    if !scopes.iter().any(|s| s == "all") {
        out.push("the token has no 'all' scope (tick it on the bootstrap application)".into());
    }
    if !agent_is_admin {
        out.push("the agent it logs in as is not a HaloPSA Administrator".into());
    }
    out
}

pub(crate) fn log(m: &mut Model, fx: &mut Vec<Effect>, kind: LogKind, text: String) {
    fx.push(Effect::AppendLog(format!("{} {}", kind.tag(), text)));
    m.log.push(kind, text);
    if m.log_scroll > 0 {
        // Keep the view still while the user reads older entries.
        m.log_scroll = (m.log_scroll + 1).min(m.log.len());
    }
}

fn on_key(m: &mut Model, k: KeyEvent, fx: &mut Vec<Effect>) {
    if k.kind == KeyEventKind::Release {
        return;
    }
    let ctrl = k.modifiers.contains(KeyModifiers::CONTROL);
    match &m.overlay {
        Overlay::ConfirmQuit => {
            match k.code {
                KeyCode::Char('y') | KeyCode::Char('Y') => {
                    m.quit = true;
                    fx.push(Effect::Quit);
                }
                KeyCode::Char('c') if ctrl => {
                    m.quit = true;
                    fx.push(Effect::Quit);
                }
                _ => m.overlay = Overlay::None,
            }
            return;
        }
        Overlay::ConfirmAuthUrl(url) => {
            let url = url.clone();
            m.overlay = Overlay::None;
            match k.code {
                KeyCode::Char('y') | KeyCode::Char('Y') => {
                    log(
                        m,
                        fx,
                        LogKind::Warn,
                        format!("login server {url} confirmed: the secret is sent there"),
                    );
                    m.trusted_auth_url = Some(url);
                    test_connection(m, fx);
                }
                KeyCode::Char('c') if ctrl => m.overlay = Overlay::ConfirmQuit,
                _ => log(
                    m,
                    fx,
                    LogKind::Info,
                    format!("not sending the secret to {url}; check the Halo URL"),
                ),
            }
            return;
        }
        Overlay::ProfilePicker(i) => return profile_picker_key(m, *i, k, fx),
        Overlay::Resume(i) => return resume_key(m, *i, k, fx),
        Overlay::ConfirmApply => {
            match k.code {
                KeyCode::Char('y') | KeyCode::Char('Y') | KeyCode::Enter => ap::start_apply(m, fx),
                KeyCode::Char('c') if ctrl => m.overlay = Overlay::ConfirmQuit,
                _ => m.overlay = Overlay::None,
            }
            return;
        }
        Overlay::SavePath(p) => {
            let mut p = p.clone();
            match (k.code, ctrl) {
                (KeyCode::Enter, _) => return ap::save_to(m, p, fx),
                (KeyCode::Esc, _) => return m.overlay = Overlay::None,
                (KeyCode::Char('c'), true) => return m.overlay = Overlay::ConfirmQuit,
                (KeyCode::Char('u'), true) => p.clear(),
                (KeyCode::Backspace, _) => {
                    p.pop();
                }
                (KeyCode::Char(c), false) => p.push(c),
                _ => {}
            }
            m.overlay = Overlay::SavePath(p);
            return;
        }
        Overlay::ConfirmOverwrite(p) => {
            let p = p.clone();
            match k.code {
                KeyCode::Char('y') | KeyCode::Char('Y') => ap::overwrite(m, p, fx),
                KeyCode::Char('c') if ctrl => m.overlay = Overlay::ConfirmQuit,
                // Anything else keeps the file: back to the path, to choose another one.
                _ => m.overlay = Overlay::SavePath(p),
            }
            return;
        }
        Overlay::ConfirmWipe => {
            match k.code {
                // A key of its own: the Enter/y that led here must not wipe the only copy.
                KeyCode::Char('w') => ap::wipe(m, fx),
                KeyCode::Char('c') if ctrl => m.overlay = Overlay::ConfirmQuit,
                _ => {
                    m.overlay = Overlay::None;
                    m.apply.note = Some((
                        LogKind::Info,
                        "Kept: copy the secret (c) or save it (s), then confirm.".into(),
                    ));
                }
            }
            return;
        }
        Overlay::Help | Overlay::Message(_) => {
            if ctrl && k.code == KeyCode::Char('c') {
                m.overlay = Overlay::ConfirmQuit;
            } else {
                m.overlay = Overlay::None;
            }
            return;
        }
        Overlay::None => {}
    }
    if m.step == Step::Submit && m.apply.phase != Phase::Idle && submit_phase_key(m, k, fx) {
        return;
    }
    let focus = m.focused();
    let typing = focus.takes_text();
    match (k.code, ctrl) {
        (KeyCode::Char('c'), true) => return m.overlay = Overlay::ConfirmQuit,
        (KeyCode::Char('n'), true) => return next_step(m, fx),
        (KeyCode::Char('p'), true) => return prev_step(m),
        (KeyCode::PageDown, _) if focus != Field::LogPane => return next_step(m, fx),
        (KeyCode::PageUp, _) if focus != Field::LogPane => return prev_step(m),
        (KeyCode::F(1), _) => return m.overlay = Overlay::Help,
        (KeyCode::F(2), _) => return toggle_log(m),
        (KeyCode::F(3), _) => return enlarge_log(m),
        (KeyCode::Tab, _) => return move_focus(m, 1),
        (KeyCode::BackTab, _) => return move_focus(m, -1),
        (KeyCode::Esc, _) => return prev_step(m),
        _ => {}
    }
    if focus == Field::LogPane {
        let max = m.log.len().saturating_sub(1);
        match k.code {
            KeyCode::Up | KeyCode::Char('k') => {
                m.log_scroll = (m.log_scroll + 1).min(max);
                return;
            }
            KeyCode::Down | KeyCode::Char('j') => {
                m.log_scroll = m.log_scroll.saturating_sub(1);
                return;
            }
            KeyCode::PageUp => return m.log_scroll = (m.log_scroll + LOG_PAGE).min(max),
            KeyCode::PageDown => return m.log_scroll = m.log_scroll.saturating_sub(LOG_PAGE),
            KeyCode::Home => return m.log_scroll = max,
            KeyCode::End => return m.log_scroll = 0,
            _ => {}
        }
    }
    if m.step == Step::Submit && focus != Field::LogPane {
        match k.code {
            KeyCode::Down | KeyCode::Char('j') => return m.plan_scroll += 1,
            KeyCode::Up | KeyCode::Char('k') => {
                return m.plan_scroll = m.plan_scroll.saturating_sub(1);
            }
            _ => {}
        }
    }
    match k.code {
        KeyCode::Down => return move_focus(m, 1),
        KeyCode::Up => return move_focus(m, -1),
        _ => {}
    }
    if typing {
        if k.code == KeyCode::Enter {
            return move_focus(m, 1);
        }
        if focus == Field::ClientSecret {
            match (k.code, ctrl) {
                (KeyCode::Backspace, _) => m.secret.pop(),
                (KeyCode::Char('u'), true) => m.secret.clear(),
                (KeyCode::Char(c), false) => m.secret.push_str(&c.to_string()),
                _ => return,
            }
            connection_edited(m, fx);
            return;
        }
        if let Some(req) = to_input_request(&Event::Key(k)) {
            edit_text(m, focus, req, fx);
        }
        return;
    }
    match k.code {
        KeyCode::Char('j') => move_focus(m, 1),
        KeyCode::Char('k') => move_focus(m, -1),
        KeyCode::Char('q') => m.overlay = Overlay::ConfirmQuit,
        KeyCode::Char('?') => m.overlay = Overlay::Help,
        KeyCode::Char('l') => toggle_log(m),
        KeyCode::Char('L') => enlarge_log(m),
        KeyCode::Char('t') if m.step == Step::Connect => test_connection(m, fx),
        KeyCode::Enter | KeyCode::Char(' ') => activate(m, focus, fx),
        KeyCode::Right => cycle(m, focus, 1, fx),
        KeyCode::Left => cycle(m, focus, -1, fx),
        _ => {}
    }
}

fn edit_text(m: &mut Model, f: Field, req: InputRequest, fx: &mut Vec<Effect>) {
    let input = m.inputs.entry(f).or_default();
    let changed = input.handle(req).is_some_and(|c| c.value);
    if changed {
        let v = input.value().to_string();
        set_text(&mut m.answers, f, &v);
        if matches!(
            f,
            Field::Url | Field::ResourceUrl | Field::AuthUrl | Field::Tenant | Field::ClientId
        ) {
            connection_edited(m, fx);
        }
    }
}

/// Any change to the connection details invalidates an earlier test.
fn connection_edited(m: &mut Model, fx: &mut Vec<Effect>) {
    if matches!(m.conn, ConnState::Connected(_) | ConnState::Failed { .. }) {
        if m.is_connected() {
            log(
                m,
                fx,
                LogKind::Info,
                "connection details changed: test again".into(),
            );
        }
        m.conn = ConnState::NotConnected;
        m.done[Step::Connect.index()] = false;
    }
    // A confirmed login server belongs to the details it was confirmed for.
    m.trusted_auth_url = None;
}

fn paste(m: &mut Model, text: &str, fx: &mut Vec<Effect>) {
    if m.step == Step::Submit && super::manual::paste(m, text) {
        return;
    }
    // Fields are single-line: a pasted newline would only ever be a mistake.
    let clean: String = text.chars().filter(|c| !c.is_control()).collect();
    let f = m.focused();
    match f.kind() {
        Kind::Secret => {
            m.secret.push_str(&clean);
            connection_edited(m, fx);
        }
        Kind::Text => {
            for c in clean.chars() {
                edit_text(m, f, InputRequest::InsertChar(c), fx);
            }
        }
        _ => {}
    }
}

fn move_focus(m: &mut Model, delta: isize) {
    let n = m.fields().len() as isize;
    if n == 0 {
        return;
    }
    let i = m.step.index();
    let cur = (m.focus[i] as isize).min(n - 1);
    m.focus[i] = (cur + delta).rem_euclid(n) as usize;
}

fn toggle_log(m: &mut Model) {
    let was_focused = m.focused() == Field::LogPane;
    m.log_visible = !m.log_visible;
    if was_focused {
        m.focus[m.step.index()] = 0;
    }
}

fn enlarge_log(m: &mut Model) {
    m.log_visible = true;
    m.log_large = !m.log_large;
}

fn next_step(m: &mut Model, fx: &mut Vec<Effect>) {
    let step = m.step;
    let Some(next) = step.next() else { return };
    let issues = validate(m, step);
    if step == Step::Connect && issues.is_empty() && !m.is_connected() {
        m.show_errors[step.index()] = true;
        log(
            m,
            fx,
            LogKind::Warn,
            "Connect: test the connection first (t)".into(),
        );
        return;
    }
    if !issues.is_empty() {
        m.show_errors[step.index()] = true;
        log(
            m,
            fx,
            LogKind::Warn,
            format!("{}: {} problem(s) to fix", step.title(), issues.len()),
        );
        return;
    }
    m.done[step.index()] = true;
    log(
        m,
        fx,
        LogKind::Info,
        format!("step {} validated", step.title()),
    );
    m.step = next;
}

fn prev_step(m: &mut Model) {
    // Answers cannot change under a running apply or after it.
    if m.step == Step::Submit && (m.apply.running() || m.apply.phase == Phase::Done) {
        return;
    }
    if let Some(p) = m.step.prev() {
        m.step = p;
    }
}

fn test_connection(m: &mut Model, fx: &mut Vec<Effect>) {
    if m.conn == ConnState::Connecting {
        return;
    }
    if !validate(m, Step::Connect).is_empty() {
        m.show_errors[Step::Connect.index()] = true;
        return;
    }
    let c = &m.answers.connection;
    let place = match c.mode {
        ConnectionMode::Hosted => Place::Hosted {
            url: c.url.trim().to_string(),
            auth_url: m.trusted_auth_url.clone(),
            tenant: None,
        },
        ConnectionMode::OnPremise => Place::OnPremise {
            resource_url: c.resource_url.trim().to_string(),
            auth_url: c.auth_url.trim().to_string(),
            tenant: Some(c.tenant.trim().to_string()),
        },
    };
    let req = ConnectRequest {
        place,
        client_id: c.client_id.trim().to_string(),
        secret: m.secret.secret(),
    };
    let target = match c.mode {
        ConnectionMode::Hosted => c.url.clone(),
        ConnectionMode::OnPremise => c.resource_url.clone(),
    };
    m.conn = ConnState::Connecting;
    m.in_flight += 1;
    log(m, fx, LogKind::Info, format!("connecting to {target}"));
    fx.push(Effect::Connect(req));
}

fn toggle_bool(b: &mut bool) {
    *b = !*b;
}

fn activate(m: &mut Model, f: Field, fx: &mut Vec<Effect>) {
    let a = &mut m.answers;
    match f {
        Field::TestButton => test_connection(m, fx),
        Field::Profile => {
            let cur = m
                .profile
                .as_ref()
                .and_then(|p| m.profiles.iter().position(|x| x.id == p.id))
                .unwrap_or(0);
            m.overlay = Overlay::ProfilePicker(cur);
        }
        Field::ApplyButton => ap::request_apply(m, fx),
        Field::RoleAdmin => {
            let on = !a.role.permissions.admin();
            a.role.permissions.set_admin(on);
        }
        Field::Active => toggle_bool(&mut a.agent.active),
        Field::ApiOnly => toggle_bool(&mut a.agent.api_only),
        Field::ApprovePo => toggle_bool(&mut a.agent.can_approve_purchaseorder),
        Field::ApproveInvoice => toggle_bool(&mut a.agent.can_approve_invoice),
        Field::AppActive => toggle_bool(&mut a.application.active),
        Field::Team(i) => {
            let Some(team) = m.lookups.teams.get(i) else {
                return;
            };
            let name = team.name.clone();
            let teams = &mut m.answers.agent.teams;
            if let Some(pos) = teams
                .iter()
                .position(|t| t.name.eq_ignore_ascii_case(&name))
            {
                teams.remove(pos);
            } else {
                teams.push(TeamAnswer {
                    name,
                    ..TeamAnswer::default()
                });
            }
        }
        Field::TeamUnassigned(i) | Field::TeamOthers(i) => {
            let Some(team) = m.lookups.teams.get(i) else {
                return;
            };
            let name = team.name.clone();
            if let Some(t) = m
                .answers
                .agent
                .teams
                .iter_mut()
                .find(|t| t.name.eq_ignore_ascii_case(&name))
            {
                if matches!(f, Field::TeamUnassigned(_)) {
                    toggle_bool(&mut t.unassigned_access);
                } else {
                    toggle_bool(&mut t.otheragent_access);
                }
            }
        }
        Field::Scope(i) => {
            if let Some(name) = scope_name(i) {
                toggle_scope(&mut m.answers.scopes, name);
            }
        }
        _ if f.kind() == Kind::Choice => cycle(m, f, 1, fx),
        _ => {}
    }
}

/// Ticks or unticks a scope: ticking `edit:X` ticks `read:X`, unticking `read:X` unticks `edit:X`.
pub fn toggle_scope(scopes_v: &mut Vec<String>, name: &str) {
    if let Some(pos) = scopes_v.iter().position(|s| s == name) {
        scopes_v.remove(pos);
        if let Some(area) = name.strip_prefix("read:") {
            let edit = format!("edit:{area}");
            scopes_v.retain(|s| *s != edit);
        }
    } else if scopes::is_known(name) {
        scopes_v.push(name.to_string());
    }
    *scopes_v = scopes::normalise(scopes_v);
}

fn step_in<T: Clone>(options: &[T], cur: Option<usize>, delta: isize) -> Option<T> {
    if options.is_empty() {
        return None;
    }
    let n = options.len() as isize;
    let i = match cur {
        Some(i) => (i as isize + delta).rem_euclid(n),
        None if delta >= 0 => 0,
        None => n - 1,
    };
    options.get(i as usize).cloned()
}

fn cycle(m: &mut Model, f: Field, delta: isize, fx: &mut Vec<Effect>) {
    match f {
        Field::Mode => {
            let c = &mut m.answers.connection;
            c.mode = match c.mode {
                ConnectionMode::Hosted => ConnectionMode::OnPremise,
                ConnectionMode::OnPremise => ConnectionMode::Hosted,
            };
            connection_edited(m, fx);
        }
        Field::RoleMode => {
            m.answers.role.mode = match m.answers.role.mode {
                RoleMode::Create => RoleMode::Reuse(
                    m.lookups
                        .roles
                        .first()
                        .and_then(|r| r.id.clone())
                        .unwrap_or_default(),
                ),
                RoleMode::Reuse(_) => RoleMode::Create,
            };
        }
        Field::RolePick => {
            let ids: Vec<String> = m
                .lookups
                .roles
                .iter()
                .filter_map(|r| r.id.clone())
                .collect();
            let cur = match &m.answers.role.mode {
                RoleMode::Reuse(key) => m
                    .lookups
                    .role_by_key(key)
                    .and_then(|r| ids.iter().position(|x| Some(x) == r.id.as_ref())),
                RoleMode::Create => None,
            };
            if let Some(id) = step_in(&ids, cur, delta) {
                m.answers.role.mode = RoleMode::Reuse(id);
            }
        }
        Field::RoleFeature(i) => {
            let Some(def) = feature_area(i) else { return };
            // Not set, then the levels of this area's own scale.
            let mut levels: Vec<Option<&'static crate::halo::dialect::Level>> = vec![None];
            levels.extend(def.scale.iter().map(Some));
            let cur = m.answers.role.permissions.get(def.code);
            let pos = levels.iter().position(|l| *l == cur);
            if let Some(next) = step_in(&levels, pos, delta) {
                m.answers.role.permissions.set(def, next);
                if m.asks(Question::Areas) {
                    derive_least_privilege(m);
                }
            }
        }
        Field::DefaultTeam => {
            let mut opts: Vec<Option<String>> = vec![None];
            opts.extend(m.lookups.teams.iter().map(|t| Some(t.name.clone())));
            let cur = opts.iter().position(|o| *o == m.answers.agent.default_team);
            if let Some(v) = step_in(&opts, cur, delta) {
                m.answers.agent.default_team = v;
            }
        }
        Field::Department(i) => {
            let Some(dep) = m.lookups.departments.get(i) else {
                return;
            };
            let name = dep.name.clone();
            let opts: [Option<MembershipLevel>; 4] = [
                None,
                Some(MembershipLevel::Member),
                Some(MembershipLevel::ViewAll),
                Some(MembershipLevel::ModifyAll),
            ];
            let deps = &mut m.answers.agent.departments;
            let pos = deps.iter().position(|d| d.name.eq_ignore_ascii_case(&name));
            let cur = pos.map(|p| deps[p].level);
            let cur_i = opts.iter().position(|o| *o == cur);
            match (step_in(&opts, cur_i, delta).flatten(), pos) {
                (None, Some(p)) => {
                    deps.remove(p);
                }
                (Some(level), Some(p)) => deps[p].level = level,
                (Some(level), None) => deps.push(DepartmentAnswer { name, level }),
                (None, None) => {}
            }
        }
        Field::Workday => {
            let opts: Vec<String> = m.lookups.workdays.iter().map(|w| w.name.clone()).collect();
            let cur = opts
                .iter()
                .position(|o| o.eq_ignore_ascii_case(&m.answers.agent.workday));
            if let Some(v) = step_in(&opts, cur, delta) {
                m.answers.agent.workday = v;
            }
        }
        Field::LoginAgent => {
            let mut opts: Vec<Option<String>> = vec![None];
            opts.extend(m.lookups.agents.iter().map(|a| Some(a.name.clone())));
            let cur = opts
                .iter()
                .position(|o| *o == m.answers.application.login_agent);
            if let Some(v) = step_in(&opts, cur, delta) {
                m.answers.application.login_agent = v;
            }
        }
        // Toggles also flip on Left/Right, so every field answers the arrow keys.
        _ if f.kind() == Kind::Toggle => activate(m, f, fx),
        _ => {}
    }
}

/// Least privilege: the areas marked on the Role step give the scopes (and the role's access).
pub fn derive_least_privilege(m: &mut Model) {
    let (reads, edits) = crate::profile::areas_of(&m.answers.role.permissions);
    m.answers.scopes = crate::profile::least_privilege_scopes(&reads, &edits);
}

/// Picks profile `i`: every step is pre-filled from it; the connection stays as typed.
pub fn pick_profile(m: &mut Model, i: usize, fx: &mut Vec<Effect>) {
    let Some(p) = m.profiles.get(i).cloned() else {
        return;
    };
    let mut a = p.to_answers();
    a.connection = m.answers.connection.clone();
    // Halo wants a first name; most guides leave it open, so the vendor's name stands in.
    if a.agent.firstname.trim().is_empty() {
        a.agent.firstname = p.vendor.clone();
    }
    let wd = a.agent.workday.clone();
    if !m.lookups.workdays.is_empty()
        && !m
            .lookups
            .workdays
            .iter()
            .any(|w| w.name.eq_ignore_ascii_case(&wd))
    {
        a.agent.workday = m.lookups.workdays[0].name.clone();
    }
    m.answers = a;
    m.sync_inputs();
    for s in 1..6 {
        m.done[s] = false;
        m.show_errors[s] = false;
    }
    let questions = p.questions();
    m.profile = Some(p);
    m.overlay = Overlay::None;
    let p = m.profile.as_ref().map(|p| (p.id.clone(), p.vendor.clone()));
    if let Some((id, vendor)) = p {
        log(
            m,
            fx,
            LogKind::Info,
            format!("profile {id} ({vendor}): every step pre-filled; all fields stay editable"),
        );
    }
    if !questions.is_empty() {
        log(
            m,
            fx,
            LogKind::Warn,
            format!(
                "the profile leaves {} choice(s) to you (marked ⚑)",
                questions.len()
            ),
        );
    }
}

fn profile_picker_key(m: &mut Model, i: usize, k: KeyEvent, fx: &mut Vec<Effect>) {
    let n = m.profiles.len();
    let ctrl = k.modifiers.contains(KeyModifiers::CONTROL);
    match k.code {
        KeyCode::Down | KeyCode::Char('j') if n > 0 => {
            m.overlay = Overlay::ProfilePicker((i + 1) % n)
        }
        KeyCode::Up | KeyCode::Char('k') if n > 0 => {
            m.overlay = Overlay::ProfilePicker((i + n - 1) % n)
        }
        KeyCode::Home => m.overlay = Overlay::ProfilePicker(0),
        KeyCode::End => m.overlay = Overlay::ProfilePicker(n.saturating_sub(1)),
        KeyCode::Enter | KeyCode::Char(' ') => pick_profile(m, i, fx),
        KeyCode::Char('c') if ctrl => m.overlay = Overlay::ConfirmQuit,
        KeyCode::Esc | KeyCode::Char('q') => m.overlay = Overlay::None,
        // A letter jumps to the next profile whose id starts with it.
        KeyCode::Char(c) if !ctrl && n > 0 => {
            let c = c.to_ascii_lowercase();
            if let Some(j) = (1..=n)
                .map(|d| (i + d) % n)
                .find(|&j| m.profiles[j].id.starts_with(c))
            {
                m.overlay = Overlay::ProfilePicker(j);
            }
        }
        _ => {}
    }
}

fn resume_key(m: &mut Model, i: usize, k: KeyEvent, fx: &mut Vec<Effect>) {
    let n = m.resumable.len();
    let ctrl = k.modifiers.contains(KeyModifiers::CONTROL);
    match k.code {
        KeyCode::Down | KeyCode::Char('j') if n > 0 => m.overlay = Overlay::Resume((i + 1) % n),
        KeyCode::Up | KeyCode::Char('k') if n > 0 => m.overlay = Overlay::Resume((i + n - 1) % n),
        KeyCode::Enter => {
            if let Some(row) = m.resumable.get(i).cloned() {
                ap::resume(m, &row, fx);
            }
        }
        KeyCode::Char('c') if ctrl => m.overlay = Overlay::ConfirmQuit,
        KeyCode::Esc | KeyCode::Char('n') => {
            m.overlay = Overlay::None;
            log(m, fx, LogKind::Info, "starting a new setup".into());
        }
        _ => {}
    }
}

/// Keys of the Submit step once apply has started. Returns whether the key was used.
fn submit_phase_key(m: &mut Model, k: KeyEvent, fx: &mut Vec<Effect>) -> bool {
    if matches!(m.apply.phase, Phase::Failed { .. }) && m.apply.manual.is_some() {
        return super::manual::key(m, k, fx);
    }
    let ctrl = k.modifiers.contains(KeyModifiers::CONTROL);
    if ctrl {
        return false;
    }
    match (&m.apply.phase, k.code) {
        (Phase::Failed { .. }, KeyCode::Char('m')) if m.apply.refused.is_some() => {
            super::manual::open(m, fx)
        }
        (Phase::Running | Phase::Verifying, KeyCode::Enter | KeyCode::Char(' ')) => true,
        (Phase::Failed { .. }, KeyCode::Enter) => {
            ap::request_apply(m, fx);
            true
        }
        (Phase::Done, KeyCode::Enter) => {
            ap::confirm(m, fx);
            true
        }
        (Phase::Done, KeyCode::Char(c @ ('c' | 's' | 'a' | 'y' | 'r' | 'p'))) => {
            ap::handover_key(m, c, fx);
            true
        }
        (Phase::Done, KeyCode::Down | KeyCode::Char('j')) => {
            m.plan_scroll += 1;
            true
        }
        (Phase::Done, KeyCode::Up | KeyCode::Char('k')) => {
            m.plan_scroll = m.plan_scroll.saturating_sub(1);
            true
        }
        _ => false,
    }
}
