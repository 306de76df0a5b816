//! Issue 12, "Hostile Halo, hostile files", through the real binary: a fake Halo whose agent
//! name, tenant, token errors and API error bodies carry terminal escapes; a 500 MB answer; a
//! token that claims to live forever; a proxy in the environment. The bad-input catalogue
//! (every item of the issue in one table) is `cli/catalogue.rs`.

use halo_onboard::sim::SimConfig;

use crate::common::bin::*;
use crate::common::emulator::*;
use crate::common::hostile::*;
use crate::common::tmux::files_under;

/// Runs the binary (this home, the emulator's bootstrap credentials) with extra env vars.
async fn run_env(
    home: &Home,
    sim: &halo_onboard::sim::SimHandle,
    args: &[&str],
    env: &[(&str, &str)],
) -> (i32, String, String) {
    let vars = [&boot_env(sim)[..], env].concat();
    home.run(args, &vars).await.parts()
}

fn clean_run(what: &str, (code, out, err): &(i32, String, String)) {
    assert_clean(&format!("{what} stdout (exit {code})"), out.as_bytes());
    assert_clean(&format!("{what} stderr (exit {code})"), err.as_bytes());
}

/// Done when: against a fake Halo whose agent name, error bodies and tenant carry escapes,
/// neither the headless output, `check`, rollback nor the hand-over file holds a byte below
/// 0x20 other than newline and tab; the values are there, escaped visibly.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn escapes_never_reach_headless_output_check_or_handover() {
    let (sim, fr) = hostile_halo().await;
    let home = Home::new();
    let apply = |extra: &'static [&'static str]| {
        let mut args = vec!["apply", "--url", &fr.url, "--profile", "topleft"];
        args.extend_from_slice(extra);
        let (home, sim) = (&home, &sim);
        async move { home.run_sim(sim, &args).await.parts() }
    };

    // apply: "Connected to … as <name>", the plan, verification lines, the hand-over file.
    let r = apply(&["--yes"]).await;
    clean_run("apply", &r);
    assert_eq!(r.0, 0, "{}\n{}", r.1, r.2);
    assert!(
        r.2.contains("as Eve\\x1b]52;c;aGFja2VkIQ==\\x07\\x1b]0;pwned title\\x07\\x1b[2J"),
        "the name is shown, escaped: {}",
        r.2
    );
    assert!(
        r.2.contains("\\u{202e}") && r.2.contains("\\x9b31m"),
        "{}",
        r.2
    );
    assert!(
        !r.2.lines().any(|l| l.starts_with("2026-01-01")),
        "a newline in the name forged no line: {}",
        r.2
    );
    let id = home.session_ids().pop().unwrap();
    let ho = std::fs::read(home.handover(&id)).unwrap();
    assert_clean("hand-over file", &ho);
    let env = read_env_file(&home.handover(&id));
    assert!(
        env["HALO_TENANT"].starts_with("acme\\x1b]52;c;"),
        "{:?}",
        env["HALO_TENANT"]
    );

    // The same setup as JSON and as a dry run.
    let r = apply(&["--dry-run", "--json"]).await;
    clean_run("apply --json", &r);

    // check: every line from Halo (probe errors) escaped; --json too.
    fr.set(|k| k.probe_403 = Some(format!("denied{}", payloads())));
    let (cid, secret) = (
        env["HALO_APP_CLIENT_ID"].clone(),
        env["HALO_APP_CLIENT_SECRET"].clone(),
    );
    for json in [false, true] {
        let mut args = vec![
            "check",
            "--url",
            &fr.url,
            "--profile",
            "topleft",
            "--app-client-id",
            &cid,
            "--client-id",
            &sim.client_id,
        ];
        if json {
            args.push("--json");
        }
        let r = run_env(&home, &sim, &args, &[("HALO_APP_CLIENT_SECRET", &secret)]).await;
        clean_run("check", &r);
        assert_eq!(r.0, 1, "probes refused: drift (exit 1): {}\n{}", r.1, r.2);
        assert!(
            r.1.contains("denied\\\\x1b]52") || r.1.contains("denied\\x1b]52"),
            "{}",
            r.1
        );
    }

    // A token error with escapes in error_description.
    let r = apply(&["--client-id", BAD_CLIENT]).await;
    clean_run("apply, token refused", &r);
    assert_eq!(r.0, 2);
    assert!(r.2.contains("bad request\\x1b]52"), "{}", r.2);

    // rollback: Halo's error body on DELETE.
    fr.set(|k| k.delete_500 = Some(format!("cannot delete{}", payloads())));
    let r = home
        .run_sim(&sim, &["rollback", &id, "--yes"])
        .await
        .parts();
    clean_run("rollback", &r);
    assert_ne!(r.0, 0, "{}\n{}", r.1, r.2);
    assert!(r.2.contains("cannot delete"), "{}", r.2);

    // sessions lists the journal (which holds the tenant).
    let r = home.run_sim(&sim, &["sessions", "--all"]).await.parts();
    clean_run("sessions", &r);
    let r = home
        .run_sim(&sim, &["sessions", "--all", "--json"])
        .await
        .parts();
    clean_run("sessions --json", &r);
    for p in files_under(&home.state()) {
        if p.extension().is_some_and(|e| e == "json" || e == "env") {
            assert_clean(&p.display().to_string(), &std::fs::read(&p).unwrap());
        }
    }
}

/// A Halo that answers its API with an endless body (`fill` repeated, no Content-Length).
async fn endless_halo(fill: u8, total: usize) -> String {
    use axum::response::IntoResponse;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let me = url.clone();
    let app = axum::Router::new().fallback(move |req: axum::http::Request<axum::body::Body>| {
        let me = me.clone();
        async move {
            match req.uri().path() {
                "/api/authinfo" => {
                    axum::Json(serde_json::json!({"auth_url": format!("{me}/auth")}))
                        .into_response()
                }
                "/auth/token" => axum::Json(serde_json::json!({
                    "access_token": "tok", "expires_in": 3600, "scope": "all admin"
                }))
                .into_response(),
                _ => {
                    let chunk = axum::body::Bytes::from(vec![fill; 64 << 10]);
                    let n = total / chunk.len();
                    let s = futures::stream::iter(
                        (0..n).map(move |_| Ok::<_, std::io::Error>(chunk.clone())),
                    );
                    axum::response::Response::new(axum::body::Body::from_stream(s))
                }
            }
        }
    });
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    url
}

/// Runs the binary as a plain child and reaps it with wait4: (exit code, peak RSS in KiB,
/// stdout, stderr).
// Reaped by wait4 (for its rusage), not by Child::wait.
#[allow(clippy::zombie_processes)]
fn run_measured(home: &Home, args: &[&str], env: &[(&str, &str)]) -> (i32, i64, String, String) {
    use std::io::Read;
    let mut child = home.command(args, env).into_std().spawn().unwrap();
    let pid = child.id() as libc::pid_t;
    let mut status = 0;
    // SAFETY: an all-zero rusage is valid; wait4 fills it for the child we spawned.
    let mut ru: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: wait4 on our own child's pid, with pointers to locals.
    let r = unsafe { libc::wait4(pid, &mut status, 0, &mut ru) };
    assert_eq!(r, pid);
    let code = if libc::WIFEXITED(status) {
        libc::WEXITSTATUS(status)
    } else {
        -1
    };
    let (mut out, mut err) = (String::new(), String::new());
    child
        .stdout
        .take()
        .unwrap()
        .read_to_string(&mut out)
        .unwrap();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut err)
        .unwrap();
    (code, ru.ru_maxrss, out, err)
}

/// Done when: a 500 MB answer leaves peak RSS under 64 MiB and exits 2 with a message (it was
/// 1 GB); a 150 MB nested JSON answer likewise (it was 6.9 GB).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_500_mb_answer_stays_under_64_mib() {
    for (what, fill, total) in [
        ("500 MB of spaces", b' ', 500usize << 20),
        ("150 MB of nested JSON", b'[', 150 << 20),
    ] {
        let url = endless_halo(fill, total).await;
        let env = [("HALO_CLIENT_ID", "cid"), ("HALO_CLIENT_SECRET", "sec-ret")];
        let (code, rss_kib, _out, err) = tokio::task::spawn_blocking({
            let url = url.clone();
            move || run_measured(&Home::new(), &apply_topleft(&url, &[]), &env)
        })
        .await
        .unwrap();
        println!("{what}: exit {code}, peak RSS {} MiB", rss_kib / 1024);
        assert_eq!(code, 2, "{what}: {err}");
        assert!(err.contains("stopped reading it"), "{what}: {err}");
        assert!(err.contains("what to do:"), "{what}: {err}");
        assert!(rss_kib < 64 * 1024, "{what}: peak RSS {rss_kib} KiB");
    }
}

/// Done when: a huge `expires_in` does not panic (the Instant overflow exited 101).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_token_that_claims_to_live_forever_does_not_panic() {
    let sim = spawn(SimConfig::default()).await;
    for forever in [
        serde_json::json!(1e300),
        serde_json::json!(u64::MAX),
        serde_json::json!("18446744073709551615"),
    ] {
        let fr = front(
            &sim,
            Knobs {
                expires_in: Some(forever.clone()),
                ..Knobs::default()
            },
        )
        .await;
        let home = Home::new();
        let (code, _out, err) = home
            .run_sim(
                &sim,
                &[
                    "apply",
                    "--url",
                    &fr.url,
                    "--profile",
                    "topleft",
                    "--dry-run",
                ],
            )
            .await
            .parts();
        assert_eq!(code, 0, "expires_in {forever}: {err}");
        assert!(!err.contains("panicked"), "{err}");
    }
}

/// A listener standing in for a proxy: counts connections, answers nothing useful.
async fn proxy_listener() -> (String, std::sync::Arc<std::sync::atomic::AtomicUsize>) {
    let l = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", l.local_addr().unwrap());
    let n = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let seen = n.clone();
    tokio::spawn(async move {
        while let Ok((mut s, _)) = l.accept().await {
            seen.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            tokio::spawn(async move {
                use tokio::io::AsyncWriteExt;
                let _ = s
                    .write_all(b"HTTP/1.1 502 Bad Gateway\r\ncontent-length: 0\r\n\r\n")
                    .await;
            });
        }
    });
    (url, n)
}

/// Done when: `http_proxy` set for a loopback sandbox sees no request (it used to receive the
/// token form with the client secret in clear). The control: for a remote https host the proxy
/// is still honoured (it is asked to CONNECT), so only loopback is exempt.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_proxy_never_sees_loopback_traffic() {
    use std::sync::atomic::Ordering;
    let sim = spawn(SimConfig::default()).await;
    let (proxy, seen) = proxy_listener().await;
    let home = Home::new();
    let vars = [
        ("http_proxy", proxy.as_str()),
        ("HTTP_PROXY", proxy.as_str()),
        ("https_proxy", proxy.as_str()),
        ("HTTPS_PROXY", proxy.as_str()),
        ("ALL_PROXY", proxy.as_str()),
        ("all_proxy", proxy.as_str()),
    ];
    let r = run_env(&home, &sim, &apply_topleft(&sim.url, &[]), &vars).await;
    assert_eq!(r.0, 0, "{}\n{}", r.1, r.2);
    assert_eq!(
        seen.load(Ordering::SeqCst),
        0,
        "the proxy saw loopback traffic"
    );
    let token_posts = sim
        .requests()
        .iter()
        .filter(|x| x.path.starts_with("/auth/token"))
        .count();
    assert!(token_posts >= 1, "the secret went straight to the sandbox");

    // Control: a remote host goes through the proxy (which refuses it here).
    let r = run_env(
        &home,
        &sim,
        &[
            "apply",
            "--url",
            "https://acme.halopsa.invalid",
            "--profile",
            "topleft",
        ],
        &vars,
    )
    .await;
    assert_eq!(r.0, 2, "{}", r.2);
    assert!(
        seen.load(Ordering::SeqCst) >= 1,
        "the proxy is used for remote hosts"
    );
}
