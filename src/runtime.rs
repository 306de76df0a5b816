//! The runtime: terminal setup and restore, the event loop, and the effect runner
//! ([`effects`]). Everything with I/O lives here; `app::update` and `ui::view` stay pure.

#![warn(missing_docs)]

mod effects;
mod fault;
mod setup_run;

pub use effects::{DEMO_LATENCY_ENV, load};
pub use fault::TEST_FAULT_ENV;
use fault::TestFault;

use std::io::Write;
use std::path::PathBuf;
use std::time::Duration;

use crossterm::event::{
    DisableBracketedPaste, EnableBracketedPaste, Event, EventStream, KeyEventKind,
};
use futures::StreamExt;
use tokio::signal::unix::{SignalKind, signal};
use tokio::sync::mpsc;

use crate::app::{self, LogKind, Model, Msg, StartupRequest};
use crate::ui::{self, Theme};
use effects::Runner;

/// Everything [`run`] needs to start the wizard, gathered by `main` from the command line,
/// the config file and a resumed setup.
pub struct Options {
    /// The starting model (a resumed setup's state, the Connect step filled from a saved
    /// instance or the environment).
    pub model: Model,
    /// The colours every frame is drawn with.
    pub theme: Theme,
    /// Lines to show in the log pane at start (theme errors, demo notes).
    pub startup: Vec<(LogKind, String)>,
    /// What to load once the first frame is drawn (profiles, unfinished setups, the demo).
    pub load: StartupRequest,
    /// Log file path; default `<state dir>/halo-onboard.log`.
    pub log_file: Option<PathBuf>,
    /// A certificate authority to trust for Halo besides the system's (the config file's
    /// `ca_file`, or the saved instance's).
    pub ca: Option<crate::halo::ExtraCa>,
    /// What the terminal can show (ASCII, 16 colours, bracketed paste).
    pub caps: ui::caps::Caps,
}

/// What the terminal can show, for every frame of this process (one terminal per process).
static CAPS: std::sync::OnceLock<ui::caps::Caps> = std::sync::OnceLock::new();

/// How the loop ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Exit {
    /// The user quit, or the terminal's input ended; terminal restored.
    Quit,
    /// Terminated by a signal (its number), terminal restored.
    Signal(i32),
    /// Closed to rotate this setup's secret on the terminal (`r` on its line).
    Rotate(String),
}

fn map_event(ev: Event) -> Option<Msg> {
    match ev {
        Event::Key(k) if k.kind != KeyEventKind::Release => Some(Msg::Key(k)),
        Event::Paste(s) => Some(Msg::Paste(s)),
        Event::Resize(..) => Some(Msg::Resize),
        _ => None,
    }
}

/// Held while a frame is written, and by a panic hook from then until the process exits: a
/// worker task that panics while the loop draws must not restore the terminal in the middle of
/// a frame, nor let the loop draw again (hiding the cursor) after it was restored.
static TERMINAL_GATE: std::sync::Mutex<()> = std::sync::Mutex::new(());

thread_local! {
    /// This thread holds [`TERMINAL_GATE`] (a panic inside `view` must not wait for itself).
    static DRAWING: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// Takes the gate for good before a panic restores the terminal: waits for a frame being
/// written on another thread (at most a second), never for this thread's own.
fn close_terminal_gate() {
    if DRAWING.with(std::cell::Cell::get) {
        return;
    }
    let deadline = std::time::Instant::now() + Duration::from_secs(1);
    loop {
        match TERMINAL_GATE.try_lock() {
            Ok(g) => return std::mem::forget(g),
            Err(std::sync::TryLockError::Poisoned(p)) => return std::mem::forget(p.into_inner()),
            Err(std::sync::TryLockError::WouldBlock) if std::time::Instant::now() < deadline => {
                std::thread::sleep(Duration::from_millis(2));
            }
            Err(std::sync::TryLockError::WouldBlock) => return,
        }
    }
}

/// The wizard's terminal. Frames go through one buffer as large as a big frame, so each frame
/// leaves in one write instead of stdout's 1 KiB pieces (one wake-up of the terminal, not
/// several, and a first frame that arrives whole).
type Term =
    ratatui::Terminal<ratatui::backend::CrosstermBackend<std::io::BufWriter<std::io::Stdout>>>;

/// Raw mode and the alternate screen, as `ratatui::try_init` sets them up (its panic hook
/// aside: ours restores), drawing through [`Term`]'s buffer. Undone if any step fails.
fn init_terminal() -> std::io::Result<Term> {
    crossterm::terminal::enable_raw_mode()?;
    let backend = ratatui::backend::CrosstermBackend::new(std::io::BufWriter::with_capacity(
        64 * 1024,
        std::io::stdout(),
    ));
    crossterm::execute!(std::io::stdout(), crossterm::terminal::EnterAlternateScreen)
        .and_then(|()| ratatui::Terminal::new(backend))
        .inspect_err(|_| restore())
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

/// Runs the wizard until the user quits or a signal arrives. The first frame is drawn before
/// anything else is started (the async runtime, the log file, loading profiles and setups,
/// asking the terminal for its background), so the screen appears at once. The terminal is
/// restored on every way out of this function.
pub fn run(opts: Options) -> std::io::Result<Exit> {
    let Options {
        model,
        mut theme,
        startup,
        load,
        log_file,
        ca,
        caps,
    } = opts;
    let _ = CAPS.set(caps);
    // A signal before the loop listens must not leave a raw terminal: it is noted here and
    // ends the wizard as soon as the loop starts.
    let early = EarlySignals::register();
    let fault = TestFault::from_env();
    let mut terminal = init_terminal()?;
    restore_terminal_on_panic();
    if caps.bracketed_paste {
        let _ = crossterm::execute!(std::io::stdout(), EnableBracketedPaste);
    }
    let mut model = model;
    // Tags the log file's lines of this run until a setup id is known.
    model.run_tag = format!("{:08x}", rand::random::<u32>());
    let result = (|| {
        draw(&mut terminal, &model, &theme, fault)?;
        let typed = ask_background(&mut terminal, &model, &mut theme, fault)?;
        let rt = tokio::runtime::Runtime::new()?;
        rt.block_on(async {
            let (tx, mut rx) = mpsc::unbounded_channel::<Msg>();
            let (mut runner, mut pending) = Runner::new(tx, fault, log_file, ca);
            pending.extend(startup.into_iter().map(|(k, s)| Msg::Log(k, s)));
            pending.extend(typed.into_iter().filter_map(map_event));
            for msg in pending {
                for e in app::update(&mut model, msg) {
                    runner.run(e);
                }
            }
            if load != StartupRequest::default() {
                runner.run(app::Effect::Startup(load));
            }
            let mut signals = Signals::listen()?;
            if let Some(n) = early.arrived() {
                return Ok(Exit::Signal(n));
            }
            event_loop(
                &mut model,
                &theme,
                &mut terminal,
                &mut runner,
                &mut rx,
                &mut signals,
                fault,
            )
            .await
        })
    })();
    restore();
    if result.is_ok() {
        print_exit_summary(&model);
    }
    result
}

/// A panic restores the terminal before its report, and ends the wizard.
fn restore_terminal_on_panic() {
    let prev = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        close_terminal_gate();
        restore();
        // The report (main's hook: Rust's, then a line saying it is a bug), on the normal screen.
        prev(info);
        // A panic anywhere ends the wizard, a worker task's too: that task's answer would never
        // come, and the screen would spin on a request that died. The report is on stderr.
        std::process::exit(101);
    }));
}

/// The default theme asks the terminal for its background now, before the event loop reads
/// keys; keys typed meanwhile come back with the answer and are returned, to be replayed.
fn ask_background(
    terminal: &mut Term,
    model: &Model,
    theme: &mut Theme,
    fault: TestFault,
) -> std::io::Result<Vec<Event>> {
    if !theme.background_unknown() {
        return Ok(Vec::new());
    }
    let answer = ui::background::query();
    if let Some(bg) = answer.background {
        *theme = Theme::auto(Some(bg));
        draw(terminal, model, theme, fault)?;
    }
    Ok(answer.typed)
}

/// On the normal screen, after the alternate one is gone: what an SSH user scrolls back to.
fn print_exit_summary(model: &Model) {
    if let Some(summary) = app::applying::exit_summary(model) {
        let mut out = std::io::stdout();
        let _ = out.write_all(summary.as_bytes());
        let _ = out.flush();
    }
}

/// Draws a frame, then plays the test fault that goes with drawing.
fn draw(
    terminal: &mut Term,
    model: &Model,
    theme: &Theme,
    fault: TestFault,
) -> std::io::Result<()> {
    {
        let _gate = TERMINAL_GATE
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        DRAWING.with(|d| d.set(true));
        let drawn = terminal.draw(|f| {
            ui::view(model, theme, f);
            if let Some(c) = CAPS.get() {
                c.downgrade(f.buffer_mut());
            }
        });
        DRAWING.with(|d| d.set(false));
        drawn?;
    }
    match fault {
        TestFault::None | TestFault::PanicInTask => Ok(()),
        TestFault::PanicConnected if !model.is_connected() => Ok(()),
        TestFault::Panic | TestFault::PanicConnected => {
            panic!("test fault after the first frame ({TEST_FAULT_ENV})")
        }
        TestFault::Error => Err(std::io::Error::other(format!(
            "test fault after the first frame ({TEST_FAULT_ENV})"
        ))),
    }
}

/// SIGTERM, SIGHUP and SIGINT noted from the start, before the loop listens for them.
struct EarlySignals(Vec<(i32, std::sync::Arc<std::sync::atomic::AtomicBool>)>);

impl EarlySignals {
    fn register() -> Self {
        let flags = [libc::SIGTERM, libc::SIGHUP, libc::SIGINT]
            .into_iter()
            .filter_map(|sig| {
                let flag = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
                signal_hook::flag::register(sig, flag.clone())
                    .ok()
                    .map(|_| (sig, flag))
            })
            .collect();
        Self(flags)
    }

    /// The first signal that arrived, if any.
    fn arrived(&self) -> Option<i32> {
        self.0
            .iter()
            .find(|(_, f)| f.load(std::sync::atomic::Ordering::Relaxed))
            .map(|(sig, _)| *sig)
    }
}

/// The signals that end the wizard with the terminal restored.
struct Signals {
    term: tokio::signal::unix::Signal,
    hup: tokio::signal::unix::Signal,
    int: tokio::signal::unix::Signal,
}

impl Signals {
    /// Listens for the signals that end the wizard (inside the async runtime).
    fn listen() -> std::io::Result<Self> {
        Ok(Self {
            term: signal(SignalKind::terminate())?,
            hup: signal(SignalKind::hangup())?,
            // Raw mode turns Ctrl-C into a key, but `kill -INT` still arrives as a signal.
            int: signal(SignalKind::interrupt())?,
        })
    }
}

#[allow(clippy::too_many_arguments)]
async fn event_loop(
    model: &mut Model,
    theme: &Theme,
    terminal: &mut Term,
    runner: &mut Runner,
    rx: &mut mpsc::UnboundedReceiver<Msg>,
    sig: &mut Signals,
    fault: TestFault,
) -> std::io::Result<Exit> {
    let mut events = EventStream::new();
    let mut tick = tokio::time::interval(Duration::from_millis(100));
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    // The first frame is drawn; the startup messages may have changed the model since.
    let mut dirty = true;
    loop {
        if dirty {
            draw(terminal, model, theme, fault)?;
            dirty = false;
        }
        let busy = model.busy();
        let msg = tokio::select! {
            ev = events.next() => match ev {
                Some(Ok(ev)) => match map_event(ev) {
                    Some(m) => m,
                    None => continue,
                },
                Some(Err(e)) => return Err(e),
                None => return Ok(Exit::Quit),
            },
            Some(m) = rx.recv() => m,
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
            return Ok(match model.hand_off.take() {
                Some(id) => Exit::Rotate(id),
                None => Exit::Quit,
            });
        }
    }
}
