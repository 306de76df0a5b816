//! Issue 21, "held against a hostile world (round 2)": one writer per setup, secrets go only
//! where named, no raw escape from any file, no object mistaken for ours. Each item of the
//! issue has a check here (an async fn returning what did not hold); the tests run them, and
//! the bad-input catalogue (`cli/catalogue.rs`) runs each once more as one of its rows.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use futures::StreamExt;
use halo_onboard::sim::{SimConfig, SimHandle};
use serde_json::json;

use crate::common::bin::{Home, Run, apply_topleft, boot_env};
use crate::common::emulator::{named, spawn};
use crate::common::fake::{self, Fake, json, serve};
use crate::common::hostile::{CSI2J, Knobs, OSC52, front};

pub(crate) type Outcome = Result<(), String>;

macro_rules! ensure {
    ($c:expr, $($m:tt)*) => {
        if !$c {
            return Err(format!($($m)*));
        }
    };
}

/// No raw control or bidi character (newline and tab allowed).
fn clean(s: &str) -> bool {
    !s.chars()
        .any(|c| halo_onboard::text::is_unsafe(c) && c != '\n' && c != '\t')
}

/// A run that may not take longer than `secs` (a hang is a failure, not a stuck test).
async fn run_within(
    home: &Home,
    args: &[&str],
    env: &[(&str, &str)],
    secs: u64,
) -> Result<Run, String> {
    let c = home.command(args, env).output();
    match tokio::time::timeout(Duration::from_secs(secs), c).await {
        Ok(Ok(out)) => Ok(Run {
            code: out.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        }),
        Ok(Err(e)) => Err(format!("{args:?}: {e}")),
        Err(_) => Err(format!("{args:?} did not finish within {secs} s")),
    }
}

/// The one setup of `home`, loaded.
fn only_setup(home: &Home) -> Result<halo_onboard::journal::Session, String> {
    let ids = home.session_ids();
    ensure!(ids.len() == 1, "setups: {ids:?}");
    home.journal().load(&ids[0]).map_err(|e| e.to_string())
}

/// A refusal of a second writer names the holder: its pid and when it started.
fn names_the_holder(r: &Run) -> bool {
    r.stderr
        .contains("is being written by another halo-onboard run (pid ")
        && r.stderr.contains("started 20")
}

// --- 1. One writer per setup ------------------------------------------------------------

/// One try: an apply killed right after Halo created its role, then two `resume` runs of that
/// setup at once. Exactly one agent and one application must come of it; a resume that could
/// not run says who holds the setup. Returns whether the two met (one refused as busy).
pub(crate) async fn two_resumes_after_a_kill(latency_ms: u64) -> Result<bool, String> {
    let sim = spawn(SimConfig {
        latency: Duration::from_millis(latency_ms),
        ..SimConfig::default()
    })
    .await;
    let home = Home::new();
    let mut child = home
        .cmd(&sim, apply_topleft(&sim.url, &[]))
        .spawn()
        .unwrap();
    let t = Instant::now();
    loop {
        let role_made = sim
            .requests()
            .iter()
            .any(|r| r.method == "POST" && r.path.eq_ignore_ascii_case("/api/Roles"));
        if role_made {
            let _ = child.start_kill();
            break;
        }
        ensure!(
            child.try_wait().ok().flatten().is_none(),
            "the apply ended before its role was made"
        );
        ensure!(t.elapsed() < Duration::from_secs(30), "no role after 30 s");
        tokio::time::sleep(Duration::from_micros(300)).await;
    }
    let _ = child.wait().await;
    let id = home.session_ids().pop().ok_or("no setup journaled")?;
    let args = ["resume", id.as_str(), "--yes"];
    let (a, b) = tokio::join!(home.run_sim(&sim, args), home.run_sim(&sim, args));
    let s = home.journal().load(&id).map_err(|e| e.to_string())?;
    let counts = named(&sim, &s);
    ensure!(
        counts == (1, 1, 1),
        "roles, agents, applications: {counts:?}\nresume A ({}): {}\nresume B ({}): {}",
        a.code,
        a.stderr,
        b.code,
        b.stderr
    );
    let (won, lost) = if a.code == 0 { (&a, &b) } else { (&b, &a) };
    ensure!(
        won.code == 0,
        "neither resume finished: {} / {}",
        a.stderr,
        b.stderr
    );
    let collided = lost.code == 2 && names_the_holder(lost);
    // The other one ran after the first had finished: nothing left to do.
    let after = lost.code == 2 && lost.stderr.contains("already finished");
    ensure!(
        collided || after,
        "the second resume: exit {}: {}",
        lost.code,
        lost.stderr
    );
    sim.shutdown().await;
    Ok(collided)
}

/// The Done-when: two concurrent resumes leave exactly one agent and one application
/// in 20 of 20 tries.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_resumes_of_one_setup_at_once_leave_one_agent_and_one_application() {
    const TRIES: usize = 20;
    let results: Vec<Result<bool, String>> = futures::stream::iter(0..TRIES)
        .map(|_| two_resumes_after_a_kill(25))
        .buffer_unordered(4)
        .collect()
        .await;
    let held = results.iter().filter(|r| r.is_ok()).count();
    let met = results.iter().filter(|r| matches!(r, Ok(true))).count();
    println!(
        "concurrent resumes: {held} of {TRIES} tries left one agent and one application ({met} met the lock)"
    );
    let failed: Vec<&String> = results.iter().filter_map(|r| r.as_ref().err()).collect();
    assert!(failed.is_empty(), "{failed:#?}");
    assert!(
        met > 0,
        "the two resumes never ran at the same time: the test proves nothing"
    );
}

/// Two applies of one profile on one Halo at once (no setup id in common yet): one is refused
/// by the integration's lock, naming the holder, whatever the role's name.
pub(crate) async fn two_applies_of_one_profile() -> Outcome {
    // Each request takes 100 ms, so the winner holds its locks for seconds: under load the
    // second process may start up to a second late (it did at 25 ms) and must still overlap.
    let sim = spawn(SimConfig {
        latency: Duration::from_millis(100),
        ..SimConfig::default()
    })
    .await;
    let home = Home::new();
    let args = apply_topleft(&sim.url, &[]);
    let (a, b) = tokio::join!(home.run_sim(&sim, &args), home.run_sim(&sim, &args));
    let (won, lost) = if a.code == 0 { (&a, &b) } else { (&b, &a) };
    ensure!(
        won.code == 0,
        "neither apply finished: {} / {}",
        a.stderr,
        b.stderr
    );
    // Refused by the integration's lock, or, once the winner's setup is journaled (the second
    // apply of one integration continues that setup: issue 20), by that setup's own lock.
    let s = only_setup(&home)?;
    ensure!(
        lost.code == 2
            && names_the_holder(lost)
            && (lost.stderr.contains("the integration 'topleft'")
                || lost.stderr.contains(&format!("setup {}", s.id))),
        "the second apply: exit {}: {}",
        lost.code,
        lost.stderr
    );
    let counts = named(&sim, &s);
    ensure!(counts == (1, 1, 1), "{counts:?}");
    sim.shutdown().await;
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_applies_of_one_profile_on_one_halo_are_refused_by_the_lock() {
    two_applies_of_one_profile().await.unwrap();
}

// --- 2. Batch secret files are confined -----------------------------------------------------

/// A batch whose one entry reads its secret from `secret_file` (as written in the file), with
/// `head` above the entry. The batch lives in `dir`. Returns the run and the fake Halo.
async fn batch_secret(dir: &Path, head: &str, secret_file: &str) -> (Run, Fake) {
    let f = serve(|_| async { json(401, json!({"error": "invalid_client"})) }).await;
    let p = dir.join("fleet.toml");
    std::fs::write(
        &p,
        format!(
            "{head}\n[[instance]]\nname=\"acme\"\nurl=\"{}\"\nclient_id=\"c\"\nclient_secret_file={}\nprofile=\"topleft\"\n",
            f.url,
            toml::Value::String(secret_file.to_string())
        ),
    )
    .unwrap();
    let home = Home::new();
    let r = home
        .run(["apply", "--batch", p.to_str().unwrap(), "--yes"], &[])
        .await;
    (r, f)
}

/// Secret files outside the batch file's folder are not read, let alone sent; inside (or
/// listed in `allow_secret_files`) they are.
pub(crate) async fn batch_secret_files_are_confined() -> Outcome {
    let t = tempfile::tempdir().unwrap();
    let batch_dir = t.path().join("batch");
    let home_dir = t.path().join("home");
    std::fs::create_dir_all(&batch_dir).unwrap();
    std::fs::create_dir_all(&home_dir).unwrap();
    let token = "vault-token-must-stay-home";
    let vault = home_dir.join(".vault-token");
    std::fs::write(&vault, token).unwrap();
    std::os::unix::fs::symlink(&vault, batch_dir.join("link.secret")).unwrap();
    std::os::unix::fs::symlink(&home_dir, batch_dir.join("sub")).unwrap();
    let abs = vault.to_str().unwrap().to_string();
    for (file, why) in [
        (abs.as_str(), "an absolute path"),
        ("../home/.vault-token", "'..'"),
        ("link.secret", "a symbolic link"),
        ("sub/.vault-token", "through a symbolic link"),
    ] {
        let (r, f) = batch_secret(&batch_dir, "", file).await;
        ensure!(
            r.code == 2 && r.stderr.contains(why) && r.stderr.contains("allow_secret_files"),
            "{file}: exit {}: {}",
            r.code,
            r.stderr
        );
        ensure!(
            f.seen().is_empty(),
            "{file}: Halo was asked: {:?}",
            f.seen()
        );
        ensure!(
            !r.stderr.contains(token) && !r.stdout.contains(token),
            "{file}: the token was printed"
        );
    }
    // Listed explicitly: read and sent (the fake refuses it, exit 1).
    let head = format!(
        "allow_secret_files = [{}]",
        toml::Value::String(abs.clone())
    );
    let (r, f) = batch_secret(&batch_dir, &head, &abs).await;
    let sent = f.hits("/auth/token");
    ensure!(
        sent.len() == 1 && sent[0].form()["client_secret"] == token,
        "listed: exit {}: {} {:?}",
        r.code,
        r.stderr,
        f.seen()
    );
    // Inside the folder: read.
    std::fs::write(batch_dir.join("acme.secret"), "inside-secret\n").unwrap();
    let (r, f) = batch_secret(&batch_dir, "", "acme.secret").await;
    let sent = f.hits("/auth/token");
    ensure!(
        sent.len() == 1 && sent[0].form()["client_secret"] == "inside-secret",
        "inside: exit {}: {}",
        r.code,
        r.stderr
    );
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_batch_sends_only_secret_files_of_its_own_folder_or_listed() {
    batch_secret_files_are_confined().await.unwrap();
}

// --- 3 and 4. No raw escape from any file ---------------------------------------------------

/// The seven answers fields of the issue, each with an OSC 52 clipboard write: the key of the
/// field, and the answers file that sets it.
pub(crate) fn answers_fields() -> Vec<(&'static str, String)> {
    let v = "\"Desk\\u001b]52;c;aGFja2Vk\\u0007\\u001b[2J\"";
    vec![
        ("agent.work_hours", format!("[agent]\nworkday = {v}\n")),
        (
            "agent.default_team",
            format!("[agent]\ndefault_team = {v}\n"),
        ),
        (
            "agent.teams[0].name",
            format!("[[agent.teams]]\nname = {v}\n"),
        ),
        (
            "agent.departments[0].name",
            format!("[[agent.departments]]\nname = {v}\n"),
        ),
        (
            "agent.extra_roles[0]",
            format!("[agent]\nextra_roles = [{v}]\n"),
        ),
        ("scopes[0]", format!("scopes = [{v}]\n")),
        (
            "role.other_permissions[0]",
            format!("[role]\nother_permissions = [{v}]\n"),
        ),
    ]
}

/// An answers field with escapes stops the run before Halo is asked, naming the field; no
/// raw escape reaches the output.
pub(crate) async fn answers_field_refused(field: &str, toml_text: &str) -> Outcome {
    let f = serve(|_| async { json(500, json!({"message": "must not be asked"})) }).await;
    let d = tempfile::tempdir().unwrap();
    let p = d.path().join("answers.toml");
    std::fs::write(&p, toml_text).unwrap();
    let home = Home::new();
    let r = home
        .run(
            apply_topleft(&f.url, &["--answers", p.to_str().unwrap()]),
            &[("HALO_CLIENT_ID", "cid"), ("HALO_CLIENT_SECRET", "sec")],
        )
        .await;
    ensure!(
        r.code == 2
            && r.stderr
                .contains(&format!("{field}: has a control character (U+001B)")),
        "{field}: exit {}: {}",
        r.code,
        r.stderr
    );
    ensure!(
        clean(&r.stderr) && clean(&r.stdout),
        "{field}: raw escape: {:?}",
        r.stderr
    );
    ensure!(f.seen().is_empty(), "{field}: Halo was asked");
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn escapes_in_each_answers_field_are_refused_before_halo_and_never_printed_raw() {
    for (field, text) in answers_fields() {
        answers_field_refused(field, &text).await.unwrap();
    }
}

/// `--theme` with escapes: exit 2 and the name shown escaped.
pub(crate) async fn theme_flag_escaped() -> Outcome {
    let home = Home::new();
    let evil = format!("drak{OSC52}{CSI2J}");
    let r = home.run(["--theme", evil.as_str()], &[]).await;
    ensure!(
        r.code == 2 && clean(&r.stderr) && r.stderr.contains("\\x1b]52;c;"),
        "exit {}: {:?}",
        r.code,
        r.stderr
    );
    Ok(())
}

#[tokio::test]
async fn a_theme_name_with_escapes_is_echoed_escaped() {
    theme_flag_escaped().await.unwrap();
}

// --- 5. handover clean deletes only files proven to be the setup's ---------------------------

/// A journal whose `credentials_file` points at another integration's hand-over file: `handover
/// clean --yes` leaves that file whole, and still deletes the setup's own.
pub(crate) async fn handover_clean_proves_the_client_id() -> Outcome {
    let sim = crate::common::emulator::emulator().await;
    let home = Home::new();
    let r = home.run_sim(&sim, apply_topleft(&sim.url, &[])).await;
    ensure!(r.code == 0, "{}", r.stderr);
    let own = home.handover(&only_setup(&home)?.id);
    ensure!(own.exists(), "no hand-over file");
    // Another integration's file, named by a forged journal.
    let other = home.path().join("other-vendor.env");
    let text = "HALO_APP_CLIENT_ID='99999999-8888-7777-6666-555555555555'\nHALO_APP_CLIENT_SECRET='their-secret'\n";
    std::fs::write(&other, text).unwrap();
    let j = home.journal();
    let mut forged = j
        .create(Default::default(), None)
        .map_err(|e| e.to_string())?;
    forged.objects.client_id = Some("11111111-2222-3333-4444-555555555555".into());
    forged.credentials_file = Some(other.clone());
    j.save(&mut forged).map_err(|e| e.to_string())?;
    let r = home.run(["handover", "clean", "--yes"], &[]).await;
    ensure!(
        r.code == 1 && r.stderr.contains("another integration's file, left alone"),
        "exit {}: {}\n{}",
        r.code,
        r.stdout,
        r.stderr
    );
    ensure!(
        std::fs::read_to_string(&other).unwrap_or_default() == text,
        "the other integration's file was touched"
    );
    ensure!(
        !own.exists(),
        "the setup's own file was not deleted: {}",
        r.stdout
    );
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn handover_clean_deletes_only_files_holding_their_setups_client_id() {
    handover_clean_proves_the_client_id().await.unwrap();
}

/// A `handover/` folder replaced by a symbolic link: every command that opens the state dir
/// refuses it; the folder it points to is neither chmod'ed nor emptied.
pub(crate) async fn linked_handover_folder_refused() -> Outcome {
    use std::os::unix::fs::PermissionsExt;
    let home = Home::new();
    let state = home.state();
    std::fs::create_dir_all(&state).unwrap();
    let shared = home.path().join("shared");
    std::fs::create_dir(&shared).unwrap();
    std::fs::set_permissions(&shared, std::fs::Permissions::from_mode(0o755)).unwrap();
    let keep = shared.join("20260101-000000-topleft-abc123.env");
    std::fs::write(
        &keep,
        "HALO_APP_CLIENT_ID='x'\nHALO_APP_CLIENT_SECRET='y'\n",
    )
    .unwrap();
    std::os::unix::fs::symlink(&shared, state.join("handover")).unwrap();
    for args in [&["handover", "clean", "--yes"][..], &["status"]] {
        let r = home.run(args, &[]).await;
        ensure!(
            r.code == 2 && r.stderr.contains("symbolic link"),
            "{args:?}: exit {}: {}",
            r.code,
            r.stderr
        );
    }
    let mode = std::fs::metadata(&shared).unwrap().permissions().mode() & 0o777;
    ensure!(mode == 0o755, "chmod'ed to {mode:o}");
    ensure!(keep.exists(), "a file behind the link was deleted");
    Ok(())
}

#[tokio::test]
async fn a_linked_handover_folder_is_refused_not_followed() {
    linked_handover_folder_refused().await.unwrap();
}

// --- 6. Plain http only to addresses that resolve to loopback -------------------------------

/// `http://NAME.localhost` whose name resolves (also) to another machine: refused before
/// anything is sent, by the resolver the connection itself uses.
pub(crate) async fn localhost_names_must_resolve_to_loopback() -> Outcome {
    use halo_onboard::halo::client::loopback::test_host;
    use std::net::IpAddr;
    let f = serve(|_| async { json(200, json!({})) }).await;
    let port = f.url.rsplit(':').next().unwrap_or_default().to_string();
    let ip = |s: &str| s.parse::<IpAddr>().unwrap();
    test_host("elsewhere-21.localhost", &[ip("192.0.2.1")]);
    test_host("mixed-21.localhost", &[ip("127.0.0.1"), ip("10.0.0.5")]);
    test_host("home-21.localhost", &[ip("127.0.0.1")]);
    for (name, addr) in [
        ("elsewhere-21.localhost", "192.0.2.1"),
        ("mixed-21.localhost", "10.0.0.5"),
    ] {
        let url = format!("http://{name}:{port}");
        let e = halo_onboard::halo::discover(&url, &fake::fast_opts())
            .await
            .err()
            .ok_or(format!("{name}: connected"))?;
        ensure!(
            matches!(e, halo_onboard::halo::HaloError::NotLoopback(..))
                && e.to_string().contains(addr)
                && e.to_string().contains("plain http"),
            "{name}: {e:?}"
        );
    }
    ensure!(f.seen().is_empty(), "something was sent: {:?}", f.seen());
    // A name that resolves to this machine only is used, through the same resolver.
    let url = format!("http://home-21.localhost:{port}");
    halo_onboard::halo::discover(&url, &fake::fast_opts())
        .await
        .map_err(|e| format!("home-21.localhost: {e}"))?;
    ensure!(f.hits("/api/authinfo").len() == 1, "{:?}", f.seen());
    Ok(())
}

#[tokio::test]
async fn plain_http_goes_only_to_names_that_resolve_to_loopback() {
    localhost_names_must_resolve_to_loopback().await.unwrap();
}

// --- 7. Object ids are checked before they become a URL ------------------------------------

/// A journal whose application id is `..`: rollback (and resume) refuse the journal; Halo
/// sees no DELETE and no read of the application collection.
pub(crate) async fn a_dotdot_id_in_a_journal_is_refused() -> Outcome {
    let sim = crate::common::emulator::emulator().await;
    let home = Home::new();
    let r = home.run_sim(&sim, apply_topleft(&sim.url, &[])).await;
    ensure!(r.code == 0, "{}", r.stderr);
    let id = only_setup(&home)?.id;
    let p = home.state().join("sessions").join(format!("{id}.json"));
    let v: serde_json::Value = serde_json::from_slice(&std::fs::read(&p).unwrap()).unwrap();
    for (key, bad) in [
        ("application_id", json!("..")),
        ("role_id", json!("../Agent")),
        ("agent_id", json!(0)),
    ] {
        let mut edited = v.clone();
        edited["objects"][key] = bad;
        edited["objects"]["application_created"] = json!(true);
        std::fs::write(&p, serde_json::to_vec_pretty(&edited).unwrap()).unwrap();
        sim.clear_requests();
        for args in [
            &["rollback", id.as_str(), "--yes"][..],
            &["resume", id.as_str(), "--yes"],
        ] {
            let r = home.run_sim(&sim, args).await;
            ensure!(
                r.code == 2
                    && r.stderr.contains(&format!("objects.{key}"))
                    && r.stderr.contains("damaged"),
                "{key} {args:?}: exit {}: {}",
                r.code,
                r.stderr
            );
        }
        let seen = sim.requests();
        ensure!(
            !seen
                .iter()
                .any(|r| r.method == "DELETE" || r.path.starts_with("/api/")),
            "{key}: Halo was asked: {:?}",
            seen.iter()
                .map(|r| format!("{} {}", r.method, r.path))
                .collect::<Vec<_>>()
        );
    }
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ids_of_the_wrong_shape_in_a_journal_never_reach_halo() {
    a_dotdot_id_in_a_journal_is_refused().await.unwrap();
}

// --- 8. Listings open regular files only ----------------------------------------------------

fn mkfifo(p: &Path) {
    let c = std::ffi::CString::new(p.to_str().unwrap()).unwrap();
    // SAFETY: a valid NUL-terminated path.
    assert_eq!(
        unsafe { libc::mkfifo(c.as_ptr(), 0o600) },
        0,
        "{}",
        p.display()
    );
}

/// FIFOs in the sessions folder (one named like a setup) and as a setup's pending secret:
/// `sessions`, `status`, `resume` and `handover clean` finish (with a warning), none hangs.
pub(crate) async fn fifos_do_not_hang_listings() -> Outcome {
    let home = Home::new();
    let j = home.journal();
    let s = j
        .create(Default::default(), None)
        .map_err(|e| e.to_string())?;
    let sessions = home.state().join("sessions");
    let fifo_id = "20990101-000000-topleft-fff000";
    mkfifo(&sessions.join(format!("{fifo_id}.json")));
    mkfifo(&sessions.join("zz.json"));
    mkfifo(&sessions.join(format!("{}.secret", s.id)));
    let env = [("HALO_CLIENT_SECRET", "s"), ("HALO_CLIENT_ID", "c")];
    let cases: [(&[&str], &str); 5] = [
        (&["sessions"], "not a regular file"),
        (&["status"], "not a regular file"),
        (&["handover", "clean", "--yes"], ""),
        (&["resume", "last", "--yes"], ""),
        (&["resume", fifo_id, "--yes"], "not a regular file"),
    ];
    for (args, says) in cases {
        let r = run_within(&home, args, &env, 20).await?;
        ensure!(
            r.stderr.contains(says),
            "{args:?}: exit {}: {}{}",
            r.code,
            r.stdout,
            r.stderr
        );
    }
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_fifo_in_the_sessions_folder_hangs_no_listing() {
    fifos_do_not_hang_listings().await.unwrap();
}

// --- 9. A create answer is ours only if it is the object sent --------------------------------

/// Each create answered with another object (the Administrator role, the bootstrap agent, the
/// bootstrap application): the setup stops, records nothing of it as its own, and a resume
/// (with Halo answering truly again) finishes with exactly one of each.
pub(crate) async fn foreign_create_answers_are_not_taken(object: &str) -> Outcome {
    use halo_onboard::sim::state::{ADMIN_ROLE_ID, BOOTSTRAP_AGENT_ID};
    let sim = crate::common::emulator::emulator().await;
    let boot_app = sim.with_state(|st| {
        st.applications
            .iter()
            .find(|a| a.str("clientId") == sim.client_id)
            .map(halo_onboard::sim::Record::key)
            .unwrap_or_default()
    });
    let (path, answer, foreign) = match object {
        "role" => (
            "/api/roles",
            json!([{"id": ADMIN_ROLE_ID, "name": "Administrator", "notes": "built in"}]),
            ADMIN_ROLE_ID.to_string(),
        ),
        "agent" => (
            "/api/agent",
            json!([{"id": BOOTSTRAP_AGENT_ID, "name": "Bootstrap Admin"}]),
            BOOTSTRAP_AGENT_ID.to_string(),
        ),
        _ => (
            "/api/application",
            json!([{"id": boot_app, "displayName": "Bootstrap Admin App", "clientId": sim.client_id, "loginas_agent_id": BOOTSTRAP_AGENT_ID}]),
            boot_app.clone(),
        ),
    };
    let fr = front(
        &sim,
        Knobs {
            create_answer: Some((path.into(), answer)),
            ..Knobs::default()
        },
    )
    .await;
    let home = Home::new();
    let r = home.run_sim(&sim, apply_topleft(&fr.url, &[])).await;
    ensure!(
        r.code == 2
            && r.stderr
                .contains(&format!("answered the {object} create with another object"))
            && r.stderr.contains("nothing was recorded as its own"),
        "{object}: exit {}: {}",
        r.code,
        r.stderr
    );
    let s = only_setup(&home)?;
    let o = &s.objects;
    let recorded = [
        o.role_id.clone().unwrap_or_default(),
        o.agent_id.map(|a| a.to_string()).unwrap_or_default(),
        o.application_id.clone().unwrap_or_default(),
    ];
    ensure!(
        !recorded.contains(&foreign),
        "{object}: the journal records {foreign} as this setup's: {o:?}"
    );
    // Halo answers truly again: resume finds what was really created by its marker.
    fr.set(|k| k.create_answer = None);
    let r = home.run_sim(&sim, ["resume", s.id.as_str(), "--yes"]).await;
    ensure!(r.code == 0, "{object}: resume: {}", r.stderr);
    let s = home.journal().load(&s.id).map_err(|e| e.to_string())?;
    ensure!(
        named(&sim, &s) == (1, 1, 1),
        "{object}: {:?}",
        named(&sim, &s)
    );
    ensure!(
        s.objects.role_id.as_deref() != Some(ADMIN_ROLE_ID)
            && s.objects.agent_id != Some(BOOTSTRAP_AGENT_ID)
            && s.objects.application_id.as_deref() != Some(boot_app.as_str()),
        "{object}: {:?}",
        s.objects
    );
    let admin = sim.with_state(|st| st.role(ADMIN_ROLE_ID).map(|r| r.str("name").to_string()));
    ensure!(admin.as_deref() == Some("Administrator"), "{admin:?}");
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_create_answered_with_another_object_stops_and_records_nothing() {
    for object in ["role", "agent", "application"] {
        foreign_create_answers_are_not_taken(object).await.unwrap();
    }
}

// --- Minor: --dry-run checks --out; the overall deadline ------------------------------------

/// `--dry-run --out` refuses what a real run would: an existing file, a missing folder.
pub(crate) async fn dry_run_checks_out() -> Outcome {
    let f = serve(|_| async { json(500, json!({})) }).await;
    let home = Home::new();
    let existing = home.path().join("creds.env");
    std::fs::write(&existing, "mine").unwrap();
    let missing = home.path().join("nope").join("creds.env");
    for (out, says) in [(&existing, "already exists"), (&missing, "does not exist")] {
        let r = home
            .run(
                [
                    "apply",
                    "--url",
                    &f.url,
                    "--profile",
                    "topleft",
                    "--dry-run",
                    "--out",
                    out.to_str().unwrap(),
                ],
                &[("HALO_CLIENT_ID", "c"), ("HALO_CLIENT_SECRET", "s")],
            )
            .await;
        ensure!(
            r.code == 2 && r.stderr.contains(says),
            "{says}: exit {}: {}",
            r.code,
            r.stderr
        );
    }
    ensure!(
        std::fs::read_to_string(&existing).unwrap() == "mine",
        "replaced"
    );
    ensure!(f.seen().is_empty(), "Halo was asked");
    Ok(())
}

#[tokio::test]
async fn a_dry_run_checks_out_like_a_real_run() {
    dry_run_checks_out().await.unwrap();
}

/// A Halo that answers every API call with 429 and `Retry-After: 3600`.
async fn rate_limited_forever() -> Fake {
    serve(|s| async move {
        use axum::response::IntoResponse;
        match s.path_only() {
            "/api/authinfo" => json(404, json!({})),
            "/auth/token" => json(200, fake::token_json()),
            _ => (
                axum::http::StatusCode::TOO_MANY_REQUESTS,
                [("retry-after", "3600")],
                "Rate Limit Reached",
            )
                .into_response(),
        }
    })
    .await
}

/// Every command that talks to Halo stops at `--deadline`, says what was cut off, and (with a
/// setup) the command that continues it: exit 2, within seconds, not hours.
pub(crate) async fn deadlines_stop_every_command() -> Outcome {
    let f = rate_limited_forever().await;
    let home = Home::new();
    let j = home.journal();
    let mut answers = halo_onboard::profile::answers_for("topleft").unwrap();
    answers.connection.url = f.url.clone();
    answers.connection.client_id = "c".into();
    let ep = halo_onboard::halo::Endpoint::hosted(&f.url).unwrap();
    let s = j.create(answers, Some(ep)).map_err(|e| e.to_string())?;
    let env = [
        ("HALO_CLIENT_ID", "c"),
        ("HALO_CLIENT_SECRET", "s"),
        ("HALO_APP_CLIENT_SECRET", "a"),
    ];
    let url = f.url.as_str();
    let continues = format!("`halo-onboard resume {} --yes` continues", s.id);
    let cases: [(&[&str], &str); 4] = [
        (
            &[
                "apply",
                "--url",
                url,
                "--profile",
                "topleft",
                "--yes",
                "--deadline",
                "2s",
            ],
            "nothing was written to Halo",
        ),
        (
            &["resume", s.id.as_str(), "--yes", "--deadline", "2s"],
            continues.as_str(),
        ),
        (
            &[
                "check",
                "--url",
                url,
                "--profile",
                "topleft",
                "--app-client-id",
                "x",
                "--deadline",
                "2s",
            ],
            "nothing changed",
        ),
        (
            &["doctor", "--url", url, "--deadline", "2s"],
            "nothing changed",
        ),
    ];
    for (args, says) in cases {
        let t = Instant::now();
        let r = run_within(&home, args, &env, 30).await?;
        let cmd = args[0];
        ensure!(
            r.code == 2
                && r.stderr
                    .contains(&format!("{cmd} stopped at its deadline (2s, --deadline)"))
                && r.stderr.contains(says),
            "{args:?}: exit {}: {}",
            r.code,
            r.stderr
        );
        ensure!(
            t.elapsed() < Duration::from_secs(20),
            "{args:?}: {:?}",
            t.elapsed()
        );
    }
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_long_retry_after_cannot_stall_a_command_past_its_deadline() {
    deadlines_stop_every_command().await.unwrap();
}

// --- Minor: real TLS ------------------------------------------------------------------------

/// `apply` through a local HTTPS front with certificate `leaf` of a private CA; `trust` adds
/// `--ca-file` with that CA. Returns the run, the emulator and the front.
async fn tls_apply(
    leaf: crate::common::tls::Leaf,
    trust: bool,
) -> (Run, SimHandle, crate::common::tls::Front, Home) {
    let sim = crate::common::emulator::emulator().await;
    let ca = crate::common::tls::ca();
    let (chain, key) = ca.leaf(leaf);
    let fr = crate::common::tls::front(&sim.url, chain, key).await;
    let home = Home::new();
    let ca_file: PathBuf = home.path().join("private-ca.pem");
    std::fs::write(&ca_file, &ca.pem).unwrap();
    let resource = format!("{}/api", fr.url);
    let auth = format!("{}/auth", fr.url);
    let mut args = vec![
        "apply",
        "--resource-url",
        resource.as_str(),
        "--auth-url",
        auth.as_str(),
        "--profile",
        "topleft",
        "--yes",
    ];
    if trust {
        args.extend(["--ca-file", ca_file.to_str().unwrap()]);
    }
    let r = home.run(&args, &boot_env(&sim)).await;
    (r, sim, fr, home)
}

/// Real TLS: refused unless the admin trusts the CA, and then the whole apply works over it;
/// an expired certificate and one for another name are refused even with the CA trusted; an
/// https Halo whose login is plain http is refused (no downgrade of the secret's route).
/// Each refusal says what to do, and nothing reaches Halo (no secret, no request).
pub(crate) async fn tls_is_checked_for_real() -> Outcome {
    use crate::common::tls::Leaf;
    let cases = [
        (
            Leaf::Good,
            false,
            "not signed by an authority this machine trusts",
            "--ca-file",
        ),
        (Leaf::Expired, true, "has expired", "Renew the certificate"),
        (Leaf::OtherName, true, "is for another name", "halo.example"),
    ];
    for (leaf, trust, says, todo) in cases {
        let (r, sim, fr, _home) = tls_apply(leaf, trust).await;
        ensure!(
            r.code == 2 && r.stderr.contains(says) && r.stderr.contains(todo),
            "{leaf:?}: exit {}: {}",
            r.code,
            r.stderr
        );
        ensure!(
            sim.requests().is_empty() && fr.handshakes() == 0,
            "{leaf:?}: something reached Halo: {:?}",
            sim.requests()
                .iter()
                .map(|r| r.path.clone())
                .collect::<Vec<_>>()
        );
        ensure!(
            !r.stderr.contains(&sim.client_secret),
            "{leaf:?}: secret printed"
        );
    }
    // A downgrade: Halo over https whose authinfo sends the login to plain http (the
    // emulator behind the front names its own http:// address) is refused, no secret sent.
    {
        let sim = crate::common::emulator::emulator().await;
        let ca = crate::common::tls::ca();
        let (chain, key) = ca.leaf(Leaf::Good);
        let fr = crate::common::tls::front(&sim.url, chain, key).await;
        let home = Home::new();
        let ca_file = home.path().join("ca.pem");
        std::fs::write(&ca_file, &ca.pem).unwrap();
        let r = home
            .run(
                apply_topleft(&fr.url, &["--ca-file", ca_file.to_str().unwrap()]),
                &boot_env(&sim),
            )
            .await;
        ensure!(
            r.code == 2 && r.stderr.contains("sends the login to another server"),
            "https to http login: exit {}: {}",
            r.code,
            r.stderr
        );
        // The token may be asked at the https URL typed (beside authinfo, before it names
        // the http login): the front forwards that one to the emulator. Every token request
        // the emulator saw must have come that way, none straight to its plain port. (Fewer
        // may arrive than the front saw: the early request is cancelled once authinfo names
        // another server, sometimes after the front forwarded its first bytes.)
        let tokens = sim
            .requests()
            .iter()
            .filter(|x| x.path == "/auth/token")
            .count();
        ensure!(
            tokens <= fr.token_posts(),
            "the secret went to the http login: {tokens} token requests at the emulator, {} through the https front",
            fr.token_posts()
        );
    }
    let (r, sim, fr, _home) = tls_apply(Leaf::Good, true).await;
    ensure!(r.code == 0, "trusted CA: exit {}: {}", r.code, r.stderr);
    ensure!(
        fr.handshakes() > 0 && sim.requests().iter().any(|x| x.path == "/auth/token"),
        "not over the front"
    );
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tls_refuses_an_untrusted_expired_or_misnamed_certificate_and_works_with_the_ca() {
    tls_is_checked_for_real().await.unwrap();
}

/// A `--ca-file` that is not a CA certificate: exit 2 naming the file, before Halo is asked.
pub(crate) async fn a_bad_ca_file_is_refused() -> Outcome {
    let f = serve(|_| async { json(200, json!({})) }).await;
    let home = Home::new();
    let bad = home.path().join("ca.pem");
    std::fs::write(&bad, "not a certificate").unwrap();
    let r = home
        .run(
            apply_topleft(&f.url, &["--ca-file", bad.to_str().unwrap()]),
            &[("HALO_CLIENT_ID", "c"), ("HALO_CLIENT_SECRET", "s")],
        )
        .await;
    ensure!(
        r.code == 2 && r.stderr.contains("cannot use the CA file") && r.stderr.contains("ca.pem"),
        "exit {}: {}",
        r.code,
        r.stderr
    );
    ensure!(f.seen().is_empty(), "Halo was asked");
    Ok(())
}

#[tokio::test]
async fn a_ca_file_that_holds_no_certificate_is_refused() {
    a_bad_ca_file_is_refused().await.unwrap();
}
