//! Effects run: each `app::Effect` becomes I/O (the workflow of `plan::session`, the journal,
//! files, the clipboard), and what comes of it goes back to `update` as a `Msg`.

use std::io::Write;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use secrecy::ExposeSecret;
use tokio::sync::mpsc;

use crate::app::msg::Failed;
use crate::app::{
    ApplyOutcome, ConnectFailure, ConnectRequest, Connected, DemoHalo, Effect, LogKind, Msg,
    ResumeRow, Started, StartupRequest,
};
use crate::halo::{Client, ClientOptions, EventSink, HaloError};
use crate::journal::{Journal, fsutil};
use crate::plan::handover::SaveError;
use crate::plan::session::{self, For};

use super::fault::{TEST_FAULT_ENV, TestFault};
use super::setup_run::Locks;

pub(super) struct Runner {
    tx: mpsc::UnboundedSender<Msg>,
    events: EventSink,
    log: Option<std::fs::File>,
    /// The bootstrap client, kept for apply.
    client: Arc<Mutex<Option<Client>>>,
    /// `--demo`'s emulator: it serves until the wizard ends.
    demo: Arc<Mutex<Option<crate::sim::SimHandle>>>,
    /// The locks of the setup the wizard writes (its id with them), held from its apply until
    /// the wizard ends or applies another setup: no other run writes it meanwhile.
    locks: Locks,
    /// The certificate authority every connection trusts besides the system's.
    ca: Option<crate::halo::ExtraCa>,
    fault: TestFault,
}

impl Runner {
    /// The runner, with the log file (`log_file`, else `<state dir>/halo-onboard.log`) open; the
    /// messages say where it logs.
    pub(super) fn new(
        tx: mpsc::UnboundedSender<Msg>,
        fault: TestFault,
        log_file: Option<PathBuf>,
        ca: Option<crate::halo::ExtraCa>,
    ) -> (Self, Vec<Msg>) {
        // Requests are reported on the one message channel: a request's event is sent before
        // its answer reaches the task that reports what came of it ("created"), so the log
        // keeps the order things happened in.
        let events = {
            let tx = tx.clone();
            EventSink::new(move |e| {
                let _ = tx.send(Msg::Request(e));
            })
        };
        let path = log_file
            .or_else(|| crate::journal::default_state_dir().map(|d| d.join("halo-onboard.log")));
        let (log, said) = match &path {
            Some(p) => match fsutil::open_append(p) {
                Ok(f) => (
                    Some(f),
                    (LogKind::Info, format!("log file: {}", p.display())),
                ),
                Err(e) => (
                    None,
                    (
                        LogKind::Warn,
                        format!("could not open log file {}: {e}", p.display()),
                    ),
                ),
            },
            None => (
                None,
                (LogKind::Warn, "no state dir: not logging to a file".into()),
            ),
        };
        let runner = Self {
            tx,
            events,
            log,
            client: Arc::new(Mutex::new(None)),
            demo: Arc::new(Mutex::new(None)),
            locks: Arc::new(Mutex::new(None)),
            ca,
            fault,
        };
        (runner, vec![Msg::Log(said.0, said.1)])
    }

    /// Runs an apply-like job on the connected client; its outcome comes back as a message.
    /// Without a connection the apply fails at once with what to do.
    fn spawn_apply<F, Fut>(&self, job: F)
    where
        F: FnOnce(Client, mpsc::UnboundedSender<Msg>) -> Fut,
        Fut: std::future::Future<Output = Result<ApplyOutcome, Msg>> + Send + 'static,
    {
        let tx = self.tx.clone();
        let Some(client) = self.client.lock().ok().and_then(|c| c.clone()) else {
            let _ = tx.send(Msg::ApplyFailed {
                message: "not connected".into(),
                hint: "Test the connection on the Connect step first.".into(),
            });
            return;
        };
        let fut = job(client, tx.clone());
        tokio::spawn(async move {
            let msg = match fut.await {
                Ok(o) => Msg::Applied(Box::new(o)),
                Err(m) => m,
            };
            let _ = tx.send(msg);
        });
    }

    pub(super) fn run(&mut self, e: Effect) {
        match e {
            Effect::Startup(req) => self.startup(req),
            Effect::AppendLog(line) => self.append_log(line),
            Effect::Connect(req) => self.connect(req),
            Effect::Apply(req) => {
                let locks = self.locks.clone();
                self.spawn_apply(move |c, tx| async move {
                    super::setup_run::apply(&c, *req, &tx, &locks).await
                });
            }
            Effect::AdoptManual(req) => {
                let locks = self.locks.clone();
                self.spawn_apply(move |c, tx| async move {
                    super::setup_run::adopt(&c, *req, &tx, &locks).await
                });
            }
            Effect::Clipboard(secret) => {
                // Straight to the terminal: never through the log or the model.
                let seq = crate::plan::handover::osc52(secret.expose_secret());
                let mut out = std::io::stdout();
                let _ = out.write_all(seq.as_bytes());
                let _ = out.flush();
            }
            Effect::SaveHandover {
                path,
                handover,
                overwrite,
            } => {
                let msg = match handover.save(&path, overwrite) {
                    Ok(()) => Msg::HandoverSaved(Ok(path)),
                    Err(SaveError::Exists(p)) => Msg::HandoverExists(p),
                    Err(e) => Msg::HandoverSaved(Err(Failed(format!("{e}. {}", wizard_hint(&e))))),
                };
                let _ = self.tx.send(msg);
            }
            Effect::Reverify(req) => self.reverify(req),
            Effect::ReadRoles(wanted) => self.read_roles(wanted),
            Effect::SaveAnswers { path, answers } => {
                let r = save_answers(&path, &answers)
                    .map(|()| path.clone())
                    .map_err(|e| Failed(format!("cannot write {}: {e}", path.display())));
                let _ = self.tx.send(Msg::AnswersSaved(r));
            }
            Effect::ConfirmHandover(mut s) => {
                let r = Journal::open_default().and_then(|j| {
                    let file = s.credentials_file.clone();
                    // Finished only once verified: a failed verification stays open (`status`
                    // says so, `check` and `resume` continue it).
                    let verified = s.status == crate::journal::Status::Verified;
                    session::handed_over(&j, &mut s, file, verified)
                });
                let _ = self.tx.send(Msg::HandedOver(
                    r.map_err(|e| Failed::with_hint(&e, e.hint())),
                ));
            }
            Effect::ConfirmManual(s) => self.confirm_manual(s),
            Effect::DiscardSecret(mut s) => {
                let r = Journal::open_default().and_then(|j| session::discarded(&j, &mut s));
                let _ = self.tx.send(Msg::HandedOver(
                    r.map_err(|e| Failed::with_hint(&e, e.hint())),
                ));
            }
            Effect::SaveInstance {
                path,
                name,
                instance,
                replace,
            } => {
                let r = crate::config::save_instance(&path, &name, &instance, replace)
                    .map(|how| (name, how))
                    .map_err(Failed::of);
                let _ = self.tx.send(Msg::InstanceSaved(r));
            }
            Effect::Quit => {}
        }
    }

    fn startup(&mut self, req: crate::app::StartupRequest) {
        let (tx, slot) = (self.tx.clone(), self.demo.clone());
        tokio::spawn(async move {
            let mut s = tokio::task::spawn_blocking(move || load(req))
                .await
                .unwrap_or_default();
            if req.demo {
                s.demo = Some(start_demo(&slot).await.map_err(Failed::of));
            }
            let _ = tx.send(Msg::Started(Box::new(s)));
        });
    }

    fn append_log(&mut self, line: String) {
        if let Some(f) = &mut self.log {
            // One line per event, RFC 3339 UTC, nothing raw: a name with a newline
            // cannot forge a second event.
            let entry = crate::text::log_line(std::time::SystemTime::now(), &line);
            if writeln!(f, "{entry}").is_err() {
                self.log = None;
                let _ = self.tx.send(Msg::Log(
                    LogKind::Warn,
                    "could not write the log file; logging to the pane only".into(),
                ));
            }
        }
    }

    fn connect(&mut self, req: crate::app::ConnectRequest) {
        let tx = self.tx.clone();
        let events = self.events.clone();
        let slot = self.client.clone();
        let fault = self.fault;
        let ca = self.ca.clone();
        tokio::spawn(async move {
            assert!(
                fault != TestFault::PanicInTask,
                "test fault in the connect task ({TEST_FAULT_ENV})"
            );
            let res = match connect(req, events, ca).await {
                Ok((c, client)) => {
                    let _ = tx.send(Msg::Log(
                        LogKind::Info,
                        format!(
                            "token endpoint: {} (the only place the secret is sent)",
                            client.endpoint().token_url()
                        ),
                    ));
                    if let Ok(mut s) = slot.lock() {
                        *s = Some(client);
                    }
                    Ok(c)
                }
                Err(e) => Err(ConnectFailure::from(&e)),
            };
            let _ = tx.send(Msg::Connected(Box::new(res)));
        });
    }

    fn reverify(&mut self, req: Box<crate::app::ReverifyRequest>) {
        let tx = self.tx.clone();
        let Some(client) = self.client.lock().ok().and_then(|c| c.clone()) else {
            let _ = tx.send(Msg::Reverified(Err(
                "not connected: test the connection on the Connect step first".into(),
            )));
            return;
        };
        tokio::spawn(async move {
            let r = session::verify_again(
                &client,
                &req.session,
                &req.client_id,
                req.agent_id,
                req.secret,
            )
            .await
            .map_err(|e| match e {
                crate::plan::apply::ApplyError::Journal(j) => Failed::with_hint(&j, j.hint()),
                e => Failed::of(e),
            });
            let _ = tx.send(Msg::Reverified(r));
        });
    }

    fn read_roles(&mut self, wanted: Vec<String>) {
        let tx = self.tx.clone();
        let Some(client) = self.client.lock().ok().and_then(|c| c.clone()) else {
            let _ = tx.send(Msg::RolesRead(Err("not connected".into())));
            return;
        };
        tokio::spawn(async move {
            let names: Vec<&str> = wanted.iter().map(String::as_str).collect();
            let r = crate::halo::roles::read_roles(&client, &names)
                .await
                .map_err(Failed::of);
            let _ = tx.send(Msg::RolesRead(r));
        });
    }

    fn confirm_manual(&mut self, s: Box<crate::journal::Session>) {
        // The confirmation is the admin's word; the re-verification that follows is
        // the check. A failure to record it is said in the log.
        let r = Journal::open_default().and_then(|j| {
            let mut on_disk = j.load(&s.id)?;
            j.confirm_manual(&mut on_disk)
        });
        if let Err(e) = r {
            let _ = self.tx.send(Msg::Log(
                crate::app::LogKind::Error,
                format!(
                    "could not record the manual steps as done: {e} ({})",
                    e.hint()
                ),
            ));
        }
    }
}

/// The profiles and the unfinished setups `req` asks for; what could not be read becomes a
/// warning. (File reads and TOML parsing: run off the event loop, or before the wizard when
/// it continues a setup.)
pub fn load(req: StartupRequest) -> Started {
    let mut s = Started::default();
    if req.profiles {
        let (profiles, bad) =
            crate::profile::load_all(crate::profile::user_profiles_dir().as_deref());
        s.profiles = Some(profiles);
        s.warnings
            .extend(bad.iter().map(|e| format!("profile not loaded: {e}")));
    }
    // The demo's emulator is new each run: earlier setups against it cannot be continued.
    if req.unfinished
        && let Ok(j) = Journal::open_default()
    {
        // Finished ones too: each line offers a rotation of its secret.
        s.finished = j
            .list()
            .0
            .into_iter()
            .filter(|x| {
                x.status == crate::journal::Status::HandedOver && x.objects.application_id.is_some()
            })
            .map(|session| ResumeRow {
                age: session.age(),
                session,
            })
            .collect();
        let (list, bad) = j.unfinished();
        s.warnings
            .extend(bad.iter().map(|e| format!("{e} ({})", e.hint())));
        s.resumable = list
            .into_iter()
            // A tightening owns its setup until `rotate --finish` or `--abandon`.
            .filter(|session| session.rotation.is_none())
            .map(|session| ResumeRow {
                age: session.age(),
                session,
            })
            .collect();
    }
    s
}

/// Env var: emulated Halo latency of `--demo` in milliseconds, for benchmarks and recorded demos.
pub const DEMO_LATENCY_ENV: &str = "HALO_ONBOARD_DEMO_LATENCY_MS";

/// Starts `--demo`'s emulator on 127.0.0.1 and keeps it in `slot` while the wizard runs.
async fn start_demo(slot: &Mutex<Option<crate::sim::SimHandle>>) -> std::io::Result<DemoHalo> {
    let addr = std::net::SocketAddr::from(([127, 0, 0, 1], 0));
    let h = crate::sim::spawn(crate::sim::SimConfig::default(), addr).await?;
    let ms = std::env::var(DEMO_LATENCY_ENV).map_or(0, |v| v.parse().unwrap_or(0));
    h.set_latency(std::time::Duration::from_millis(ms));
    let demo = DemoHalo {
        url: h.url.clone(),
        client_id: h.client_id.clone(),
        client_secret: secrecy::SecretString::from(h.client_secret.clone()),
    };
    if let Ok(mut s) = slot.lock() {
        *s = Some(h);
    }
    Ok(demo)
}

/// The wizard's words for a failed save: the prompt, not `--force`, replaces a file.
fn wizard_hint(e: &SaveError) -> String {
    match e {
        SaveError::Exists(_) => "Press s and choose another path, or confirm replacing it.".into(),
        e => e.hint(),
    }
}

/// Saves the answers as TOML (no secret is in them), parent dir 0700.
fn save_answers(path: &std::path::Path, a: &crate::answers::Answers) -> std::io::Result<()> {
    let text = toml::to_string(a).map_err(std::io::Error::other)?;
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        fsutil::private_dir(dir)?;
    }
    fsutil::write_atomic(path, text.as_bytes())
}

/// A failed apply, as the message the wizard receives.
/// Tests the bootstrap credential and loads the lookups the later steps pick from.
pub(super) async fn connect(
    req: ConnectRequest,
    events: EventSink,
    ca: Option<crate::halo::ExtraCa>,
) -> Result<(Connected, Client), HaloError> {
    let opts = ClientOptions {
        events: Some(events),
        ca,
        ..ClientOptions::default()
    };
    let c = session::connect(&req.place, &req.client_id, req.secret, opts).await?;
    // Who we are and what Halo has only need the token: one round trip for all of them.
    // The Administrator role's details (and a few others) confirm Halo's claim vocabulary
    // before anything is planned; apply reads the setup's own roles again.
    let (agent, lookups) = session::survey(&c.client, For::Picking).await?;
    Ok((
        Connected {
            agent,
            token: c.token,
            lookups,
        },
        c.client,
    ))
}
