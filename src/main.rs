use std::process::ExitCode;

use halo_onboard::answers::Answers;
use halo_onboard::app::{LogKind, Model, StartupRequest};
use halo_onboard::cli::{Cli, Command};
use halo_onboard::errln;
use halo_onboard::headless;
use halo_onboard::journal::Journal;
use halo_onboard::runtime::{self, Exit};
use halo_onboard::ui::Theme;
use halo_onboard::ui::theme::{self, Origin};

/// Runs an async command on a fresh runtime; a runtime that cannot start is exit 2.
fn block_on<F: std::future::Future<Output = u8>>(f: F) -> u8 {
    match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt.block_on(async {
            // --verbose: request lines while it runs, every one out before the exit.
            let printer = headless::output::start();
            let code = f.await;
            headless::output::finish(printer).await;
            code
        }),
        Err(e) => {
            errln!("error: cannot start the async runtime: {e}");
            2
        }
    }
}

/// Any panic, on any thread, ends the process with exit 101 after Rust's report (message and
/// place; a backtrace with RUST_BACKTRACE=1) and a line saying it is a bug. The release profile
/// aborts on panic (Cargo.toml says why), which would end with SIGABRT; unwinding (the tests'
/// profile) would let a panicking task's run go on with a piece missing. Either way the exit is
/// this one. The wizard's hook restores the terminal first, then calls this one.
fn exit_on_panic() {
    let report = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        report(info);
        errln!(
            "halo-onboard stopped on an internal error (a bug, not something you did). Please report the message above."
        );
        std::process::exit(101);
    }));
}

fn main() -> ExitCode {
    // Before any secret is read: no core dump of this process, ever.
    halo_onboard::hardening::no_core_dumps();
    exit_on_panic();
    // A shell asking for completions (the script `completions SHELL` printed): answer, exit.
    halo_onboard::cli::complete_if_asked();
    let cli = Cli::parse_args();
    headless::output::set(cli.top.quiet, cli.top.verbose);
    let code = match &cli.command {
        None => wizard(&cli, None),
        // The emulator prints its own log; its exit is its own.
        Some(Command::Sandbox(args)) => return halo_onboard::sim::sandbox::run(args.clone()),
        Some(Command::Apply(args)) => block_on(headless::apply::run(args)),
        Some(Command::Check(args)) => block_on(headless::check::run(args)),
        Some(Command::Profiles(args)) => headless::profiles::run(args),
        Some(Command::Sessions(args)) => headless::sessions::run_sessions(args),
        // At a terminal without a secret in the environment, the wizard continues the setup.
        Some(Command::Resume(args)) if resume_in_wizard(args) => wizard(&cli, Some(&args.id)),
        Some(Command::Resume(args)) => block_on(headless::sessions::run_resume(args)),
        Some(Command::Rollback(args)) => block_on(headless::sessions::run_rollback(args)),
        Some(Command::Doctor(args)) => block_on(headless::doctor::run(args)),
        Some(Command::Rotate(args)) => block_on(headless::rotate::run(args)),
        Some(Command::Audit(args)) => block_on(headless::audit::run(args)),
        Some(Command::Adopt(args)) => block_on(headless::adopt::run(args)),
        Some(Command::Tighten(args)) => block_on(headless::tighten::run(args)),
        Some(Command::Status(args)) => headless::status::run_status(args),
        Some(Command::Handover(args)) => headless::status::run_handover(args),
        // A document read by a reader that may stop early (`man | head`): not an error.
        Some(Command::Completions { shell }) => {
            return printed(
                halo_onboard::cli::completions(*shell, &mut std::io::stdout()),
                "the completion script",
            );
        }
        Some(Command::Man(args)) => return man(args),
    };
    // A reader that went away or a full disk never stopped the command; the exit says the
    // output was lost (the result is in the journal: `halo-onboard status`).
    ExitCode::from(halo_onboard::print::exit_code(code))
}

/// `man [SUBCOMMAND...]` prints a page; `man --dir DIR` writes them all and lists them.
fn man(args: &halo_onboard::cli::ManArgs) -> ExitCode {
    let Some(dir) = &args.dir else {
        return match halo_onboard::cli::man_page(&args.subcommand, &mut std::io::stdout()) {
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                errln!("error: {e}\n  what to do: `halo-onboard --help` lists the subcommands");
                ExitCode::from(2)
            }
            r => printed(r, "the man page"),
        };
    };
    match halo_onboard::cli::man_pages_to(dir, args.force) {
        Ok(paths) => {
            for p in paths {
                halo_onboard::outln!("{}", p.display());
            }
            ExitCode::from(halo_onboard::print::exit_code(0))
        }
        Err(e) => {
            errln!(
                "error: cannot write the man pages into {}: {e}\n  what to do: pick another directory, or add --force to replace the pages there",
                dir.display()
            );
            ExitCode::from(2)
        }
    }
}

/// The exit of a command that prints a document. A reader that stops early (`man | head`)
/// closes the pipe: that is not an error.
fn printed(r: std::io::Result<()>, what: &str) -> ExitCode {
    match r {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => ExitCode::SUCCESS,
        Err(e) => {
            errln!("error: cannot write {what}: {e}");
            ExitCode::from(2)
        }
    }
}

/// The Connect step's address and client id: a saved `--instance`, else `HALO_URL` and
/// `HALO_CLIENT_ID` (never a secret).
fn prefill(
    cli: &Cli,
    config: &halo_onboard::config::Config,
) -> Result<halo_onboard::answers::ConnectionAnswers, halo_onboard::config::ConfigError> {
    use halo_onboard::answers::{ConnectionAnswers, ConnectionMode};
    use halo_onboard::headless::common::{CLIENT_ID_ENV, URL_ENV, env_value};
    let mut c = ConnectionAnswers::default();
    let Some(name) = &cli.top.instance else {
        c.url = env_value(URL_ENV).unwrap_or_default();
        c.client_id = env_value(CLIENT_ID_ENV).unwrap_or_default();
        return Ok(c);
    };
    let path = halo_onboard::config::default_path();
    let i = config.instance(name, path.as_deref())?;
    let s = |v: &Option<String>| v.clone().unwrap_or_default();
    c.client_id = s(&i.client_id);
    c.tenant = s(&i.tenant);
    match &i.url {
        Some(url) => c.url = url.clone(),
        None => {
            c.mode = ConnectionMode::OnPremise;
            c.resource_url = s(&i.resource_url);
            c.auth_url = s(&i.auth_url);
        }
    }
    Ok(c)
}

/// The bootstrap secret where saved instance `name` keeps it (its `secret_env` or
/// `secret_file`), and where that is in words; `None` when the instance names no source.
fn instance_secret(
    config: &halo_onboard::config::Config,
    name: &str,
) -> Result<Option<(secrecy::SecretString, String)>, headless::failure::Failure> {
    use halo_onboard::config::SecretSource;
    use headless::failure::Failure;
    let path = halo_onboard::config::default_path();
    let i = config
        .instance(name, path.as_deref())
        .map_err(|e| Failure::new(e.to_string(), e.hint()))?;
    let Some(source) = i.secret.clone() else {
        return Ok(None);
    };
    let from = match &source {
        SecretSource::Env(v) => v.clone(),
        SecretSource::File(f) => f.display().to_string(),
    };
    let args = headless::common::ConnectArgs {
        secret_source: Some(source),
        ..Default::default()
    };
    match args.optional_secret() {
        Ok(Some(s)) => Ok(Some((s, from))),
        Ok(None) => Err(Failure::new(
            format!("{from} is not set"),
            "Set it, or type the secret in the wizard.",
        )),
        Err(f) => Err(f),
    }
}

fn resume_in_wizard(args: &headless::sessions::ResumeArgs) -> bool {
    use std::io::IsTerminal;
    let secret_set = std::env::var_os(headless::common::SECRET_ENV).is_some_and(|v| !v.is_empty());
    !secret_set
        && !args.run.yes
        && !args.run.json
        && args.access.client_secret_file.is_none()
        && args.manual.is_none()
        && std::io::stdin().is_terminal()
        && std::io::stdout().is_terminal()
}

/// The theme `--theme`, the config file and the terminal ask for, and the warning about a bad
/// config entry; `Err(2)` (said on the normal screen) when `--theme` names nothing.
fn theme_of(
    cli: &Cli,
    config: &halo_onboard::config::Config,
) -> Result<(Theme, Option<String>), u8> {
    // --theme wins over the config file.
    let choice = match (cli.top.theme.as_deref(), config.theme.as_deref()) {
        (Some(t), _) => Some((t, Origin::Flag)),
        (None, Some(t)) => Some((t, Origin::Config)),
        (None, None) => None,
    };
    let request = theme::Request {
        choice,
        color: cli.top.color,
        no_color_env: std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty()),
    };
    // Only what costs nothing here; the terminal is asked once the first frame is drawn.
    match Theme::resolve(request, halo_onboard::ui::background::from_env) {
        Ok(t) => Ok(t),
        Err(e) => {
            errln!(
                "error: {}\n  what to do: {}",
                halo_onboard::text::line(&e.to_string()),
                e.hint()
            );
            Err(2)
        }
    }
}

/// A private certificate authority for Halo: the saved instance's, else the config's;
/// `Err(2)` when its file cannot be read.
fn ca_of(
    cli: &Cli,
    config: &halo_onboard::config::Config,
) -> Result<Option<halo_onboard::halo::ExtraCa>, u8> {
    let ca_file = cli
        .top
        .instance
        .as_deref()
        .and_then(|n| config.instance(n, None).ok())
        .and_then(|i| i.ca_file.clone())
        .or_else(|| config.ca_file.clone());
    match ca_file.map(|f| halo_onboard::halo::ExtraCa::from_file(&f)) {
        None => Ok(None),
        Some(Ok(ca)) => Ok(Some(ca)),
        Some(Err(e)) => {
            errln!("error: {e}\n  what to do: {}", e.hint());
            Err(2)
        }
    }
}

/// The wizard's model before the first frame: the prefilled connection, a saved instance's
/// secret, the state dir and the instances it may offer to save; notes go to `startup`.
fn model_of(
    cli: &Cli,
    config: &halo_onboard::config::Config,
    prefill: halo_onboard::answers::ConnectionAnswers,
    startup: &mut Vec<(LogKind, String)>,
) -> Model {
    let mut answers = Answers::default();
    if !cli.top.demo {
        answers.connection = prefill;
    }
    let mut model = Model::new(answers);
    // A saved instance's secret source, read as the headless commands read it.
    if !cli.top.demo
        && let Some(name) = &cli.top.instance
    {
        match instance_secret(config, name) {
            Ok(Some((secret, from))) => {
                model.secret = halo_onboard::app::SecretInput::from_secret(&secret);
                model.focus_on(halo_onboard::app::Field::TestButton);
                startup.push((
                    LogKind::Info,
                    format!("bootstrap secret read from {from} (saved instance {name}): press Enter to connect"),
                ));
            }
            Ok(None) => {}
            Err(e) => startup.push((
                LogKind::Warn,
                format!(
                    "saved instance {name}: its secret could not be read ({}); type it",
                    e.message
                ),
            )),
        }
    }
    model.state_dir = halo_onboard::journal::default_state_dir();
    // After a connect the wizard offers to save the Halo as an instance (not in the demo: its
    // emulator is new each run).
    if !cli.top.demo
        && let Some(path) = halo_onboard::config::default_path()
    {
        model.instances = Some(halo_onboard::app::instance::Instances {
            path,
            saved: config
                .instances
                .iter()
                .filter_map(|(n, i)| Some((n.clone(), i.clone().ok()?)))
                .collect(),
        });
    }
    model
}

/// Continuing a setup (`resume ID`): it is found (or refused, `Err(2)`) before the terminal is
/// taken, with the profiles and setups loaded now rather than after the first frame.
fn resume_setup(
    model: &mut Model,
    reference: &str,
    load: StartupRequest,
    startup: &mut Vec<(LogKind, String)>,
) -> Result<(), u8> {
    let loaded = runtime::load(load);
    model.profiles = loaded.profiles.unwrap_or_default();
    model.resumable = loaded.resumable;
    startup.extend(loaded.warnings.into_iter().map(|w| (LogKind::Warn, w)));
    // An id, a unique prefix of one, or `last`.
    let id = match Journal::open_default().and_then(|j| j.resolve(reference)) {
        Ok(s) => s.id,
        Err(e) => {
            errln!("halo-onboard: {e}\n  what to do: {}", e.hint());
            return Err(2);
        }
    };
    match model.resumable.iter().find(|r| r.session.id == id).cloned() {
        Some(row) => {
            halo_onboard::app::applying::resume(model, &row, &mut Vec::new());
            Ok(())
        }
        None => {
            errln!("halo-onboard: no unfinished setup {id} (see `halo-onboard sessions`)");
            Err(2)
        }
    }
}

/// What the terminal can show; `Err(2)` when it is not one, or cannot redraw (TERM=dumb), before
/// it is touched.
fn terminal_caps() -> Result<halo_onboard::ui::caps::Caps, u8> {
    use std::io::IsTerminal;
    if !std::io::stdin().is_terminal() || !std::io::stdout().is_terminal() {
        errln!(
            "error: the wizard needs an interactive terminal (stdin and stdout are not one here)\n  what to do: run it in a terminal, or use the headless commands: `halo-onboard apply --help`"
        );
        return Err(2);
    }
    // A terminal that cannot redraw (TERM=dumb) is refused before it is touched; others get
    // what they can show (ASCII on a locale that is not UTF-8, 16 colours, no bracketed paste).
    halo_onboard::ui::caps::Caps::detect().map_err(|e| {
        errln!("error: {e}");
        2
    })
}

/// The wizard (default command), optionally against the embedded emulator (`--demo`), or
/// continuing setup `resume_id`.
fn wizard(cli: &Cli, resume_id: Option<&str>) -> u8 {
    // The theme is settled before the terminal is taken: a `--theme` that names nothing is a
    // usage error (exit 2) on the normal screen.
    let (config, config_err) =
        halo_onboard::config::load(halo_onboard::config::default_path().as_deref());
    let (theme, theme_err) = match theme_of(cli, &config) {
        Ok(t) => t,
        Err(code) => return code,
    };
    // Where to connect, before the terminal is taken: a saved instance that is not there is a
    // usage error like a --theme that names nothing.
    let prefill = match prefill(cli, &config) {
        Ok(p) => p,
        Err(e) => {
            errln!(
                "error: {}\n  what to do: `halo-onboard status` lists the saved instances",
                halo_onboard::text::line(&e.to_string())
            );
            return 2;
        }
    };
    let ca = match ca_of(cli, &config) {
        Ok(ca) => ca,
        Err(code) => return code,
    };
    let caps = match terminal_caps() {
        Ok(c) => c,
        Err(code) => return code,
    };
    let mut startup = Vec::new();
    for e in [config_err, theme_err].into_iter().flatten() {
        // Text from the config and theme files: shown only clean.
        errln!("halo-onboard: {}", halo_onboard::text::block(&e));
        startup.push((LogKind::Error, e));
    }
    let mut model = model_of(cli, &config, prefill, &mut startup);
    // Profiles, unfinished setups and the demo's emulator come after the first frame.
    let mut load = StartupRequest {
        profiles: true,
        // The demo's emulator is new each run: earlier setups against it cannot be continued.
        unfinished: !cli.top.demo,
        demo: cli.top.demo,
    };
    if let Some(reference) = resume_id {
        if let Err(code) = resume_setup(&mut model, reference, load, &mut startup) {
            return code;
        }
        load = StartupRequest {
            demo: cli.top.demo,
            ..StartupRequest::default()
        };
    }
    let opts = runtime::Options {
        model,
        theme,
        startup,
        load,
        log_file: cli.top.log_file.clone(),
        ca,
        caps,
    };
    match runtime::run(opts) {
        Ok(Exit::Quit) => 0,
        // `r` on a finished setup: the rotation continues on the normal screen, asking there.
        Ok(Exit::Rotate(id)) => block_on(headless::rotate::run(
            &headless::rotate::RotateArgs::setup(&id),
        )),
        Ok(Exit::Signal(n)) => (128 + n).clamp(0, 255) as u8,
        Err(e) => {
            errln!("halo-onboard: {e}");
            1
        }
    }
}
