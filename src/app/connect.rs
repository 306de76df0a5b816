//! The Connect step's connection: testing it, what the test found (who the bootstrap
//! credential is, what it lacks, Halo's claim vocabulary, the look-ups the later steps pick
//! from), the login server on another host the user is asked about, and the request events
//! (a retry's countdown) the client reports while it runs.

use crate::answers::ConnectionMode;
use crate::halo::RequestEvent;
use crate::plan::session::{self, Place};

use super::keys::{Ctx, Intent, K, key_of};
use super::log::{LogKind, format_request};
use super::model::{Backoff, ConnInfo, ConnState, Model, Overlay, Step};
use super::msg::{ConnectFailure, ConnectRequest, Connected, Effect};
use super::state::Phase;
use super::validate::validate;

/// `t` or the Test button: checks the Connect step, then asks the runtime to connect.
pub(crate) fn test(m: &mut Model, fx: &mut Vec<Effect>) {
    if m.conn == ConnState::Connecting {
        return;
    }
    if !validate(m, Step::Connect).is_empty() {
        m.show_errors[Step::Connect.index()] = true;
        return;
    }
    let c = &m.answers.connection;
    let (place, target) = match c.mode {
        ConnectionMode::Hosted => (
            Place::Hosted {
                url: c.url.trim().to_string(),
                auth_url: m.trusted_auth_url.clone(),
                tenant: None,
            },
            c.url.clone(),
        ),
        ConnectionMode::OnPremise => (
            Place::OnPremise {
                resource_url: c.resource_url.trim().to_string(),
                auth_url: c.auth_url.trim().to_string(),
                tenant: Some(c.tenant.trim().to_string()),
            },
            c.resource_url.clone(),
        ),
    };
    let req = ConnectRequest {
        place,
        client_id: c.client_id.trim().to_string(),
        secret: m.secret.secret(),
    };
    m.conn = ConnState::Connecting;
    m.conn_stale = false;
    m.in_flight += 1;
    m.log(fx, LogKind::Info, format!("connecting to {target}"));
    fx.push(Effect::Connect(req));
}

/// The connection test's result; `true` when Ctrl-N waited for it and the next step follows
/// (the caller moves on: the step order is `nav`'s).
#[must_use]
pub(crate) fn finished(
    m: &mut Model,
    fx: &mut Vec<Effect>,
    res: Result<Connected, ConnectFailure>,
) -> bool {
    m.in_flight = m.in_flight.saturating_sub(1);
    m.backoff = None;
    if std::mem::take(&mut m.conn_stale) {
        // Tested with details that were changed since: it says nothing about these.
        m.conn = ConnState::NotConnected;
        m.next_after_connect = false;
        m.log(
            fx,
            LogKind::Info,
            format!(
                "the connection details changed during the test: test again ({})",
                key_of(Ctx::Connect, K::Ch('t'), Intent::TestConnection)
            ),
        );
        return false;
    }
    match res {
        Ok(c) => {
            connected(m, fx, c);
            // Ctrl-N asked for the test: on to the next step now that it passed.
            return std::mem::take(&mut m.next_after_connect) && m.step == Step::Connect;
        }
        Err(f) => {
            match &f.confirm_auth_url {
                // Confirming the login server tests again; Ctrl-N still holds for that test.
                Some(url) => m.overlay = Overlay::ConfirmAuthUrl(url.clone()),
                None => m.next_after_connect = false,
            }
            m.log(
                fx,
                LogKind::Error,
                format!("connection failed: {}", f.message),
            );
            m.conn = ConnState::Failed {
                message: f.message,
                hint: f.hint,
            };
        }
    }
    false
}

fn connected(m: &mut Model, fx: &mut Vec<Effect>, c: Connected) {
    let admin = session::agent_is_admin(&c.agent, &c.lookups);
    let missing = session::missing_capabilities(&c.token.scopes, admin.unwrap_or(true));
    let vocab = c.lookups.vocabulary();
    match vocab.disagreement() {
        None => m.log(
            fx,
            LogKind::Info,
            format!(
                "Halo's permission codes confirmed on {} role(s) (SA, area levels)",
                vocab.roles_read
            ),
        ),
        Some(why) => m.log(fx, LogKind::Warn, why),
    }
    let name = c.agent.name.clone();
    m.log(fx, LogKind::Info, format!("connected as {name}"));
    for what in &missing {
        m.log(fx, LogKind::Warn, format!("bootstrap credential: {what}"));
    }
    m.lookups = c.lookups;
    let lk = &m.lookups;
    let loaded = format!(
        "loaded {} roles, {} teams, {} departments, {} work hours, {} agents",
        lk.roles.len(),
        lk.teams.len(),
        lk.departments.len(),
        lk.workdays.len(),
        lk.agents.len()
    );
    m.log(fx, LogKind::Info, loaded);
    m.lookups.settle_workday(&mut m.answers);
    m.conn = ConnState::Connected(ConnInfo {
        agent_name: name,
        agent_id: c.agent.id,
        scopes: c.token.scopes,
        missing,
    });
    super::instance::offer(m, fx);
    // A resumed setup has its answers: straight to Submit, where apply continues.
    if let Some(id) = m.apply.resume.as_ref().map(|s| s.id.clone())
        && m.step == Step::Connect
        && m.apply.phase == Phase::Idle
    {
        m.done = [true, true, true, true, true, false];
        m.step = Step::Submit;
        super::applying::enter_submit(m, fx);
        m.log(
            fx,
            LogKind::Info,
            format!("setup {id}: review the plan and apply to continue it"),
        );
    }
}

/// Any change to the connection details invalidates an earlier test.
pub(crate) fn edited(m: &mut Model, fx: &mut Vec<Effect>) {
    if m.conn == ConnState::Connecting {
        m.conn_stale = true;
        m.next_after_connect = false;
    }
    if matches!(m.conn, ConnState::Connected(_) | ConnState::Failed { .. }) {
        if m.is_connected() {
            m.log(fx, LogKind::Info, "connection details changed: test again");
        }
        m.conn = ConnState::NotConnected;
        m.done[Step::Connect.index()] = false;
    }
    // A confirmed login server belongs to the details it was confirmed for.
    m.trusted_auth_url = None;
}

/// `y` on "another login server": the secret may go there; test again.
pub(crate) fn trust_auth_url(m: &mut Model, fx: &mut Vec<Effect>) {
    let Overlay::ConfirmAuthUrl(url) = std::mem::take(&mut m.overlay) else {
        return;
    };
    m.log(
        fx,
        LogKind::Warn,
        format!("login server {url} confirmed: the secret is sent there"),
    );
    m.trusted_auth_url = Some(url);
    test(m, fx);
}

/// Any other key: nothing is sent.
pub(crate) fn decline_auth_url(m: &mut Model, fx: &mut Vec<Effect>) {
    let Overlay::ConfirmAuthUrl(url) = std::mem::take(&mut m.overlay) else {
        return;
    };
    m.next_after_connect = false;
    m.log(
        fx,
        LogKind::Info,
        format!("not sending the secret to {url}; check the Halo URL"),
    );
}

/// A finished request is logged; one waiting to retry starts the countdown the screen shows.
pub(crate) fn request(m: &mut Model, fx: &mut Vec<Effect>, e: RequestEvent) {
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
            m.log(fx, LogKind::Warn, text);
        }
        None => {
            if m.backoff
                .as_ref()
                .is_some_and(|b| b.method == e.method && b.path == e.path)
            {
                m.backoff = None;
            }
            m.log(fx, LogKind::Http, format_request(&e));
        }
    }
}
