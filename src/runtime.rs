//! The runtime: terminal setup and restore, the event loop, and the effect runner.
//! Everything with I/O lives here; `app::update` and `ui::view` stay pure.

use std::io::Write;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use crossterm::event::{
    DisableBracketedPaste, EnableBracketedPaste, Event, EventStream, KeyEventKind,
};
use futures::StreamExt;
use tokio::signal::unix::{SignalKind, signal};
use tokio::sync::mpsc;

use secrecy::ExposeSecret;

use crate::app::{
    self, ApplyOutcome, ApplyRequest, ConnectFailure, ConnectRequest, Connected, Effect, LogKind,
    ManualRequest, Model, Msg,
};
use crate::halo::{Client, ClientOptions, EventSink, HaloError};
use crate::journal::{Journal, fsutil};
use crate::plan::apply::{ApplyError, Finished};
use crate::plan::handover::SaveError;
use crate::plan::session::{self, For, Workflow};
use crate::ui::{self, Theme};

/// TEST ONLY: `after-first-frame` panics and `error-after-first-frame` returns an error from
/// the event loop once the first frame is drawn, so the tests can check that the terminal is
/// restored on both ways out; `after-connect` panics after the first frame drawn once the
/// bootstrap credential is connected (a secret and a token are in memory then). Read once at
/// start; `in-connect-task` panics inside the task that tests the connection (a worker thread,
/// not the event loop: the process must end all the same). Any other value is ignored.
pub const TEST_FAULT_ENV: &str = "HALO_ONBOARD_TEST_PANIC";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum TestFault {
    None,
    Panic,
    Error,
    PanicConnected,
    PanicInTask,
}

impl TestFault {
    fn from_env() -> Self {
        match std::env::var(TEST_FAULT_ENV).as_deref() {
            Ok("after-first-frame") => Self::Panic,
            Ok("error-after-first-frame") => Self::Error,
            Ok("after-connect") => Self::PanicConnected,
            Ok("in-connect-task") => Self::PanicInTask,
            _ => Self::None,
        }
    }
}

pub struct Options {
    pub model: Model,
    pub theme: Theme,
    /// Lines to show in the log pane at start (theme errors, demo notes).
    pub startup: Vec<(LogKind, String)>,
    /// Log file path; default `<state dir>/halo-onboard.log`.
    pub log_file: Option<PathBuf>,
}

/// How the loop ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exit {
    Quit,
    /// Terminated by a signal (its number), terminal restored.
    Signal(i32),
}

/// Opens the log file for appending: parent dir 0700, file 0600.
pub fn open_log(path: &std::path::Path) -> std::io::Result<std::fs::File> {
    use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt, PermissionsExt};
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::DirBuilder::new()
            .recursive(true)
            .mode(0o700)
            .create(dir)?;
    }
    let f = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .mode(0o600)
        .open(path)?;
    // An existing file may have been created with a looser mode.
    f.set_permissions(std::fs::Permissions::from_mode(0o600))?;
    Ok(f)
}

fn map_event(ev: Event) -> Option<Msg> {
    match ev {
        Event::Key(k) if k.kind != KeyEventKind::Release => Some(Msg::Key(k)),
        Event::Paste(s) => Some(Msg::Paste(s)),
        Event::Resize(..) => Some(Msg::Resize),
        _ => None,
    }
}

struct Runner {
    tx: mpsc::UnboundedSender<Msg>,
    events: EventSink,
    log: Option<std::fs::File>,
    /// The bootstrap client, kept for apply.
    client: Arc<Mutex<Option<Client>>>,
    fault: TestFault,
}

impl Runner {
    /// Runs an apply-like job on the connected client; its outcome comes back as a message.
    /// Without a connection the apply fails at once with what to do.
    fn spawn_apply<F, Fut>(&self, job: F)
    where
        F: FnOnce(Client, mpsc::UnboundedSender<Msg>) -> Fut,
        Fut: std::future::Future<Output = Result<ApplyOutcome, Fail>> + Send + 'static,
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

    fn run(&mut self, e: Effect) {
        match e {
            Effect::AppendLog(line) => {
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
            Effect::Connect(req) => {
                let tx = self.tx.clone();
                let events = self.events.clone();
                let slot = self.client.clone();
                let fault = self.fault;
                tokio::spawn(async move {
                    if fault == TestFault::PanicInTask {
                        panic!("test fault in the connect task ({TEST_FAULT_ENV})");
                    }
                    let res = match connect(req, events).await {
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
            Effect::Apply(req) => {
                self.spawn_apply(move |c, tx| async move { apply_task(&c, *req, &tx).await })
            }
            Effect::AdoptManual(req) => {
                self.spawn_apply(move |c, tx| async move { manual_task(&c, *req, &tx).await })
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
                    Err(e) => Msg::HandoverSaved(Err(format!("{e}. {}", wizard_hint(&e)))),
                };
                let _ = self.tx.send(msg);
            }
            Effect::Reverify(req) => {
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
                    .await;
                    let _ = tx.send(Msg::Reverified(r));
                });
            }
            Effect::SaveAnswers { path, answers } => {
                let r = save_answers(&path, &answers)
                    .map(|()| path.clone())
                    .map_err(|e| format!("cannot write {}: {e}", path.display()));
                let _ = self.tx.send(Msg::AnswersSaved(r));
            }
            Effect::ConfirmHandover(mut s) => {
                let r = Journal::open_default().and_then(|j| {
                    let file = s.credentials_file.clone();
                    session::handed_over(&j, &mut s, file, true)
                });
                let _ = self.tx.send(Msg::HandedOver(
                    r.map_err(|e| format!("{e} ({})", e.hint())),
                ));
            }
            Effect::Quit => {}
        }
    }
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
type Fail = Msg;

fn journal_fail(e: crate::journal::JournalError) -> Fail {
    Msg::ApplyFailed {
        message: e.to_string(),
        hint: e.hint(),
    }
}

/// A refused write becomes `ApplyRefused` (the screen offers doing it by hand); an adoption that
/// found nothing goes back to the checklist.
fn apply_fail(e: ApplyError) -> Fail {
    match e {
        ApplyError::Refused { object, .. } => Msg::ApplyRefused {
            object,
            message: e.to_string(),
            hint: e.hint(),
        },
        ApplyError::NotAdopted(n) => Msg::ManualNotAdopted(n.to_string()),
        ApplyError::SecretNeeded { .. } => Msg::SecretNeeded {
            message: e.to_string(),
            hint: e.hint(),
        },
        e => Msg::ApplyFailed {
            message: e.to_string(),
            hint: e.hint(),
        },
    }
}

/// The workflow on the connected client, its progress sent as messages.
fn workflow<'a>(
    client: &'a Client,
    journal: &'a Journal,
    tx: &mpsc::UnboundedSender<Msg>,
) -> Workflow<'a> {
    let tx = tx.clone();
    Workflow {
        client,
        journal,
        progress: Some(Arc::new(move |p| {
            let _ = tx.send(Msg::Progress(p));
        })),
        regenerate_secret: false,
    }
}

/// Adopts what the user made by hand (the session is the one whose write Halo refused), then
/// continues exactly like [`apply_task`].
async fn manual_task(
    client: &Client,
    req: ManualRequest,
    tx: &mpsc::UnboundedSender<Msg>,
) -> Result<ApplyOutcome, Fail> {
    let journal = Journal::open_default().map_err(journal_fail)?;
    let mut s = journal.load(&req.session_id).map_err(journal_fail)?;
    s.answers = req.answers.clone();
    let wf = workflow(client, &journal, tx);
    let f = wf
        .adopt_and_continue(&mut s, req.object, req.credentials.as_ref())
        .await
        .map_err(apply_fail)?;
    finish(&wf, s, f)
}

/// Journal (new or resumed setup), apply, then verify while the read-backs finish; the
/// hand-over is left to the user.
async fn apply_task(
    client: &Client,
    req: ApplyRequest,
    tx: &mpsc::UnboundedSender<Msg>,
) -> Result<ApplyOutcome, Fail> {
    let journal = Journal::open_default().map_err(journal_fail)?;
    let mut s = session::open(
        &journal,
        req.answers,
        client.endpoint(),
        req.resume_id.as_deref(),
    )
    .map_err(journal_fail)?;
    let _ = tx.send(Msg::ApplyStarted(s.id.clone()));
    let wf = workflow(client, &journal, tx);
    let halo = |e: HaloError| Msg::ApplyFailed {
        message: e.to_string(),
        hint: format!("{} Nothing will be created twice on resume.", e.hint()),
    };
    let lk = wf.lookups(&s).await.map_err(halo)?;
    let f = wf.apply(&mut s, lk, None).await.map_err(apply_fail)?;
    finish(&wf, s, f)
}

/// After apply and verification: what the hand-over screen needs (the hand-over is the user's).
fn finish(
    wf: &Workflow,
    mut s: crate::journal::Session,
    f: Finished,
) -> Result<ApplyOutcome, Fail> {
    let handover = wf.settle(&mut s, &f, false).map_err(journal_fail)?;
    Ok(ApplyOutcome {
        session: s,
        verification: f.verification,
        differences: f.applied.differences,
        handover,
        verified_with: f.verified_with,
        client_id: f.applied.client_id,
    })
}

/// Tests the bootstrap credential and loads the lookups the later steps pick from.
pub async fn connect(
    req: ConnectRequest,
    events: EventSink,
) -> Result<(Connected, Client), HaloError> {
    let opts = ClientOptions {
        events: Some(events),
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

/// Restores the terminal (also on panic: the hook restores before the report is printed).
fn restore() {
    let _ = crossterm::execute!(
        std::io::stdout(),
        DisableBracketedPaste,
        crossterm::cursor::Show
    );
    ratatui::restore();
}

/// Runs the wizard until the user quits or a signal arrives. The terminal is restored on
/// every way out of this function.
pub async fn run(opts: Options) -> color_eyre::Result<Exit> {
    let Options {
        mut model,
        theme,
        startup,
        log_file,
    } = opts;
    let (tx, mut rx) = mpsc::unbounded_channel::<Msg>();
    let (ev_tx, mut ev_rx) = mpsc::unbounded_channel();
    let log_path = log_file
        .or_else(|| crate::journal::default_state_dir().map(|d| d.join("halo-onboard.log")));
    let mut runner = Runner {
        tx: tx.clone(),
        events: ev_tx,
        log: None,
        client: Arc::new(Mutex::new(None)),
        fault: TestFault::from_env(),
    };
    let mut pending: Vec<Msg> = Vec::new();
    match &log_path {
        Some(p) => match open_log(p) {
            Ok(f) => {
                runner.log = Some(f);
                pending.push(Msg::Log(
                    LogKind::Info,
                    format!("log file: {}", p.display()),
                ));
            }
            Err(e) => pending.push(Msg::Log(
                LogKind::Warn,
                format!("could not open log file {}: {e}", p.display()),
            )),
        },
        None => pending.push(Msg::Log(
            LogKind::Warn,
            "no state dir: not logging to a file".into(),
        )),
    }
    pending.extend(startup.into_iter().map(|(k, s)| Msg::Log(k, s)));
    for msg in pending {
        for e in app::update(&mut model, msg) {
            runner.run(e);
        }
    }

    let mut signals = Signals {
        term: signal(SignalKind::terminate())?,
        hup: signal(SignalKind::hangup())?,
        // Raw mode turns Ctrl-C into a key, but `kill -INT` still arrives as a signal.
        int: signal(SignalKind::interrupt())?,
    };
    let mut terminal = ratatui::try_init()?;
    let prev = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        restore();
        prev(info);
        // A panic anywhere ends the wizard, a worker task's too: that task's answer would never
        // come, and the screen would spin on a request that died. The report is on stderr.
        std::process::exit(101);
    }));
    let _ = crossterm::execute!(std::io::stdout(), EnableBracketedPaste);
    let fault = runner.fault;
    let result = event_loop(
        &mut model,
        &theme,
        &mut terminal,
        &mut runner,
        &mut rx,
        &mut ev_rx,
        &mut signals,
        fault,
    )
    .await;
    restore();
    // On the normal screen, after the alternate one is gone: what an SSH user scrolls back to.
    if result.is_ok()
        && let Some(summary) = app::apply::exit_summary(&model)
    {
        let mut out = std::io::stdout();
        let _ = out.write_all(summary.as_bytes());
        let _ = out.flush();
    }
    result
}

/// The signals that end the wizard with the terminal restored.
struct Signals {
    term: tokio::signal::unix::Signal,
    hup: tokio::signal::unix::Signal,
    int: tokio::signal::unix::Signal,
}

#[allow(clippy::too_many_arguments)]
async fn event_loop(
    model: &mut Model,
    theme: &Theme,
    terminal: &mut ratatui::DefaultTerminal,
    runner: &mut Runner,
    rx: &mut mpsc::UnboundedReceiver<Msg>,
    ev_rx: &mut mpsc::UnboundedReceiver<crate::halo::RequestEvent>,
    sig: &mut Signals,
    fault: TestFault,
) -> color_eyre::Result<Exit> {
    let mut events = EventStream::new();
    let mut tick = tokio::time::interval(Duration::from_millis(100));
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let mut dirty = true;
    loop {
        if dirty {
            terminal.draw(|f| ui::view(model, theme, f))?;
            dirty = false;
            match fault {
                TestFault::None | TestFault::PanicInTask => {}
                TestFault::PanicConnected if !model.is_connected() => {}
                TestFault::Panic | TestFault::PanicConnected => {
                    panic!("test fault after the first frame ({TEST_FAULT_ENV})")
                }
                TestFault::Error => {
                    return Err(color_eyre::eyre::eyre!(
                        "test fault after the first frame ({TEST_FAULT_ENV})"
                    ));
                }
            }
        }
        let busy = model.busy();
        let msg = tokio::select! {
            ev = events.next() => match ev {
                Some(Ok(ev)) => match map_event(ev) {
                    Some(m) => m,
                    None => continue,
                },
                Some(Err(e)) => return Err(e.into()),
                None => return Ok(Exit::Quit),
            },
            Some(m) = rx.recv() => m,
            Some(e) = ev_rx.recv() => Msg::Request(e),
            _ = tick.tick(), if busy => Msg::Tick,
            _ = sig.term.recv() => return Ok(Exit::Signal(libc::SIGTERM)),
            _ = sig.hup.recv() => return Ok(Exit::Signal(libc::SIGHUP)),
            _ = sig.int.recv() => return Ok(Exit::Signal(libc::SIGINT)),
        };
        for e in app::update(model, msg) {
            runner.run(e);
        }
        dirty = true;
        if model.quit {
            return Ok(Exit::Quit);
        }
    }
}
