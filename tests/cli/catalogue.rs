//! The bad-input catalogue of issue 12 ("Hostile Halo, hostile files"): one table of (input,
//! expected outcome), driven by one test that counts what held. Every item of the issue is a
//! row: escapes from the server, the secret's routes, memory and time bounds, input Halo
//! would refuse, retries. The Done-when runs through the real binary with a whole fake Halo
//! are `tests/hostile.rs` and `tests/hostile_tui.rs`.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use axum::response::IntoResponse;
use halo_onboard::halo::{ClientOptions, HaloError};
use serde_json::json;

use crate::common::bin::{Home, Run, apply_topleft};
use crate::common::fake::{Seen, client, client_with, json, serve, text, with_token};
use crate::common::hostile::{BEL, CSI2J, OSC0, OSC8, OSC52, RLO, assert_clean, payloads};

type Outcome = Result<(), String>;
type Check = fn() -> Pin<Box<dyn Future<Output = Outcome> + Send>>;

/// One row: what was tried, what must happen, and the check.
struct Case {
    input: &'static str,
    expect: &'static str,
    run: Check,
}

macro_rules! case {
    ($input:expr, $expect:expr, $body:expr) => {
        Case {
            input: $input,
            expect: $expect,
            run: || Box::pin($body),
        }
    };
}

macro_rules! ensure {
    ($c:expr, $($m:tt)*) => {
        if !$c {
            return Err(format!($($m)*));
        }
    };
}

/// The error of a call that must fail.
fn failed<T>(r: Result<T, HaloError>) -> Result<HaloError, String> {
    r.map(|_| ())
        .err()
        .ok_or_else(|| "it succeeded".to_string())
}

/// The call failed, and its message shows `shown` (the escape, escaped) and nothing raw.
fn fails_escaped<T>(r: Result<T, HaloError>, shown: &str) -> Outcome {
    let e = failed(r)?.to_string();
    ensure!(clean(&e) && e.contains(shown), "{e}");
    Ok(())
}

/// The page a paged list request asks for (0: the first, unpaged one).
fn page_no(s: &Seen) -> i64 {
    s.query()
        .get("page_no")
        .and_then(|x| x.parse().ok())
        .unwrap_or(0)
}

/// Page `p` of a team list that claims a million teams: `n` of them.
fn million_teams(p: i64, n: i64) -> axum::response::Response {
    let rows: Vec<_> = (0..n)
        .map(|i| json!({"id": p * 1000 + i, "name": "x"}))
        .collect();
    json(200, json!({"record_count": 1_000_000, "teams": rows}))
}

/// The counter says `want` (connections, requests, …).
fn times(n: &AtomicUsize, want: usize, what: &str) -> Outcome {
    let got = n.load(Ordering::SeqCst);
    ensure!(got == want, "{got} {what} (want {want})");
    Ok(())
}

/// No raw control or bidi character (newline and tab allowed in blocks).
fn clean(s: &str) -> bool {
    !s.chars()
        .any(|c| halo_onboard::text::is_unsafe(c) && c != '\n' && c != '\t')
}

fn opts(timeout_ms: u64, retries: u32) -> ClientOptions {
    ClientOptions {
        timeout: Duration::from_millis(timeout_ms),
        max_retries: retries,
        ..crate::common::fake::fast_opts()
    }
}

/// An API answer from a fake Halo: `f` gets the request.
async fn api<F>(f: F) -> crate::common::fake::Fake
where
    F: Fn(Seen) -> axum::response::Response + Clone + Send + Sync + 'static,
{
    with_token(move |s| {
        let f = f.clone();
        async move { f(s) }
    })
    .await
}

/// A fake Halo whose API answers `total` bytes of `fill`, without (or with) Content-Length.
async fn endless(fill: u8, total: usize, declared: bool) -> crate::common::fake::Fake {
    api(move |_| {
        let chunk = axum::body::Bytes::from(vec![fill; 64 << 10]);
        let n = total / chunk.len();
        let s = futures::stream::iter((0..n).map(move |_| Ok::<_, std::io::Error>(chunk.clone())));
        let mut r = axum::response::Response::new(axum::body::Body::from_stream(s));
        if declared {
            r.headers_mut()
                .insert("content-length", total.to_string().parse().unwrap());
        }
        r
    })
    .await
}

/// A listener that accepts and never answers; counts connections.
async fn silent() -> (String, Arc<AtomicUsize>) {
    let l = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", l.local_addr().unwrap());
    let n = Arc::new(AtomicUsize::new(0));
    let seen = n.clone();
    tokio::spawn(async move {
        let mut held = Vec::new();
        while let Ok((s, _)) = l.accept().await {
            seen.fetch_add(1, Ordering::SeqCst);
            held.push(s);
        }
    });
    (url, n)
}

/// A run in a home of its own (kept while the caller looks at what it wrote).
async fn bin(args: &[&str], env: &[(&str, &str)]) -> (Run, Home) {
    let home = Home::new();
    (home.run(args, env).await, home)
}

/// A headless failure: exit 2, `error:` and `what to do:`, nothing raw.
fn refused(r: &Run, must: &str) -> Outcome {
    ensure!(r.code == 2, "exit {} (want 2): {}", r.code, r.stderr);
    ensure!(
        r.stderr.contains("error: ") && r.stderr.contains("what to do: "),
        "no error/what to do: {}",
        r.stderr
    );
    ensure!(r.stderr.contains(must), "missing {must:?} in: {}", r.stderr);
    ensure!(
        clean(&r.stderr) && clean(&r.stdout),
        "raw escape in: {}",
        r.stderr
    );
    Ok(())
}

/// `apply` with an answers file laid over topleft, against a Halo that must see nothing.
async fn answers_refused(toml: &str, must: &str) -> Outcome {
    let fake = serve(|_| async { text(500, "must not be asked") }).await;
    let d = tempfile::tempdir().unwrap();
    let p = d.path().join("answers.toml");
    std::fs::write(&p, toml).unwrap();
    let (r, _d) = bin(
        &apply_topleft(&fake.url, &["--answers", p.to_str().unwrap()]),
        &[("HALO_CLIENT_ID", "cid"), ("HALO_CLIENT_SECRET", "sec")],
    )
    .await;
    refused(&r, must)?;
    ensure!(fake.seen().is_empty(), "Halo was asked: {:?}", fake.seen());
    Ok(())
}

/// A Halo whose authinfo puts the login on another host (`localhost` for `127.0.0.1`), and
/// that other server (it refuses every client): (Halo, other, the auth URL).
async fn login_elsewhere() -> (crate::common::fake::Fake, crate::common::fake::Fake, String) {
    let other = serve(|_| async { json(401, json!({"error": "invalid_client"})) }).await;
    let to = format!("{}/auth", other.url.replace("127.0.0.1", "localhost"));
    let auth = to.clone();
    let f = serve(move |_| {
        let auth = auth.clone();
        async move { json(200, json!({"auth_url": auth})) }
    })
    .await;
    (f, other, to)
}

/// `apply` against `url` with the bootstrap secret from `file`.
async fn secret_file_apply(url: &str, file: &str) -> Run {
    let args = [
        "apply",
        "--url",
        url,
        "--profile",
        "topleft",
        "--client-id",
        "c",
    ];
    let mut args = args.to_vec();
    args.extend(["--client-secret-file", file]);
    bin(&args, &[]).await.0
}

/// `apply --batch` with `text` as the batch file.
async fn batch(text: &str, env: &[(&str, &str)]) -> Run {
    let d = tempfile::tempdir().unwrap();
    let p = d.path().join("fleet.toml");
    std::fs::write(&p, text).unwrap();
    let (r, _d) = bin(&["apply", "--batch", p.to_str().unwrap(), "--yes"], env).await;
    r
}

fn cases() -> Vec<Case> {
    vec![
        // --- 1. Nothing from the server reaches a terminal, log or file raw ---------------
        case!(
            "Agent/me name with an OSC 52 clipboard write",
            "name shown escaped",
            async {
                let f = api(|_| json(200, json!({"id": 1, "name": format!("Eve{OSC52}")}))).await;
                let me = client(&f.url).me().await.map_err(|e| e.to_string())?;
                ensure!(
                    clean(&me.name) && me.name.contains("\\x1b]52;c;"),
                    "{:?}",
                    me.name
                );
                Ok(())
            }
        ),
        case!(
            "400 error body {Message} with an OSC 0 title",
            "error escaped",
            async {
                let f = api(|_| json(400, json!({"Message": format!("bad{OSC0}")}))).await;
                fails_escaped(client(&f.url).teams().await, "\\x1b]0;")
            }
        ),
        case!("plain-text 500 body with CSI 2J", "error escaped", async {
            let f = api(|_| text(500, &format!("boom{CSI2J}"))).await;
            fails_escaped(client(&f.url).teams().await, "\\x1b[2J")
        }),
        case!("token error_description with BEL", "error escaped", async {
            let f = serve(|_| async {
                json(
                    400,
                    json!({"error": "invalid_scope", "error_description": format!("nope{BEL}")}),
                )
            })
            .await;
            fails_escaped(client(&f.url).token().await, "nope\\x07")
        }),
        case!("403 body with an OSC 8 hyperlink", "error escaped", async {
            let f = api(|_| json(403, json!({"message": format!("denied {OSC8}")}))).await;
            fails_escaped(client(&f.url).roles().await, "\\x1b]8;;")
        }),
        case!(
            "team name with U+202E (right-to-left override)",
            "name escaped",
            async {
                let f =
                    api(|_| json(200, json!([{"id": 1, "name": format!("ops{RLO}gnp")}]))).await;
                let t = client(&f.url).teams().await.map_err(|e| e.to_string())?;
                ensure!(
                    clean(&t[0].name) && t[0].name.contains("\\u{202e}"),
                    "{:?}",
                    t[0].name
                );
                Ok(())
            }
        ),
        case!("role name with a C1 CSI (U+009B)", "name escaped", async {
            let f = api(|_| json(200, json!([{"id": "r", "name": "Admin\u{9b}31m"}]))).await;
            let r = client(&f.url).roles().await.map_err(|e| e.to_string())?;
            ensure!(clean(&r[0].name), "{:?}", r[0].name);
            Ok(())
        }),
        case!(
            "agent name with a newline that forges a log line",
            "one log line",
            async {
                let f = api(|_| json(200, json!({"id": 1, "name": format!("Eve{}", payloads())})))
                    .await;
                let me = client(&f.url).me().await.map_err(|e| e.to_string())?;
                let line = halo_onboard::text::log_line(
                    std::time::SystemTime::now(),
                    &format!("info connected as {}", me.name),
                );
                ensure!(line.lines().count() == 1 && clean(&line), "{line:?}");
                Ok(())
            }
        ),
        case!(
            "authinfo tenant with escapes",
            "tenant and hand-over clean",
            async {
                let f = serve(|_| async {
                    json(
                        200,
                        json!({"auth_url": "/auth", "tenant_id": format!("t{}", payloads())}),
                    )
                })
                .await;
                let ep = halo_onboard::halo::discover(&f.url, &crate::common::fake::fast_opts())
                    .await
                    .map_err(|e| e.to_string())?;
                let t = ep.tenant.clone().unwrap_or_default();
                ensure!(clean(&t), "{t:?}");
                let ho = halo_onboard::plan::handover::Handover::new(
                    &ep,
                    "cid",
                    &"s".to_string().into(),
                    1,
                );
                for fmt in [
                    halo_onboard::plan::handover::Format::Env,
                    halo_onboard::plan::handover::Format::Json,
                    halo_onboard::plan::handover::Format::Toml,
                ] {
                    assert_clean("hand-over", ho.render(fmt).as_bytes());
                }
                Ok(())
            }
        ),
        case!("token scope string with escapes", "scopes escaped", async {
            let f = serve(|_| async {
                json(200, json!({"access_token": "t", "expires_in": 60, "scope": format!("all admin{CSI2J}")}))
            })
            .await;
            let info = client(&f.url).token().await.map_err(|e| e.to_string())?;
            ensure!(info.scopes.iter().all(|s| clean(s)), "{:?}", info.scopes);
            Ok(())
        }),
        case!(
            "journal whose profile holds OSC 0 (listed by `sessions`)",
            "listing clean",
            async {
                let home = Home::new();
                let j = home.journal();
                let mut s = j.create(Default::default(), None).unwrap();
                s.answers.profile = Some(format!("top{OSC0}\nforged"));
                j.save(&mut s).unwrap();
                let r = home.run(["sessions"], &[]).await;
                ensure!(
                    r.code == 0 && clean(&r.stdout) && clean(&r.stderr),
                    "{} {}",
                    r.stdout,
                    r.stderr
                );
                ensure!(r.stdout.contains("\\x1b]0;"), "{}", r.stdout);
                Ok(())
            }
        ),
        case!("100 KB host name", "refused, echo capped", async {
            let url = format!("https://{}.com", "h".repeat(100_000));
            let (r, _d) = bin(
                &["apply", "--url", &url, "--profile", "topleft"],
                &[("HALO_CLIENT_ID", "c"), ("HALO_CLIENT_SECRET", "s")],
            )
            .await;
            ensure!(r.code == 2, "exit {}", r.code);
            ensure!(r.stderr.len() < 2_000, "{} bytes echoed", r.stderr.len());
            Ok(())
        }),
        case!("ESC in the URL", "refused, not echoed raw", async {
            let (r, _d) = bin(
                &[
                    "apply",
                    "--url",
                    "https://acme\x1b[2J.halopsa.com",
                    "--profile",
                    "topleft",
                ],
                &[("HALO_CLIENT_ID", "c"), ("HALO_CLIENT_SECRET", "s")],
            )
            .await;
            refused(&r, "is not a valid URL")
        }),
        // --- 2. The secret goes only to the token endpoint that was shown ---------------
        case!(
            "http_proxy set while the target is a loopback sandbox",
            "the proxy sees nothing",
            async {
                let sim = crate::common::emulator::spawn(Default::default()).await;
                let (proxy, n) = silent().await;
                let (r, _d) = bin(
                    &[
                        "apply",
                        "--url",
                        &sim.url,
                        "--profile",
                        "topleft",
                        "--dry-run",
                    ],
                    &[
                        ("HALO_CLIENT_ID", &sim.client_id),
                        ("HALO_CLIENT_SECRET", &sim.client_secret),
                        ("http_proxy", &proxy),
                        ("HTTP_PROXY", &proxy),
                        ("ALL_PROXY", &proxy),
                    ],
                )
                .await;
                ensure!(r.code == 0, "{}", r.stderr);
                ensure!(n.load(Ordering::SeqCst) == 0, "the proxy was used");
                Ok(())
            }
        ),
        case!(
            "307 from /auth/token to another port of the same host",
            "refused; the form is not replayed",
            async {
                let other = serve(|_| async { json(200, crate::common::fake::token_json()) }).await;
                let f = crate::common::fake::redirecting(
                    axum::http::StatusCode::TEMPORARY_REDIRECT,
                    &other.url,
                )
                .await;
                let e = failed(client(&f.url).token().await)?;
                ensure!(matches!(e, HaloError::Redirect(307, ..)), "{e:?}");
                ensure!(other.seen().is_empty(), "the secret went to the other port");
                Ok(())
            }
        ),
        case!("308 from an API call to another host", "refused", async {
            let f = crate::common::fake::redirecting(
                axum::http::StatusCode::PERMANENT_REDIRECT,
                "http://localhost:9",
            )
            .await;
            let e = failed(client(&f.url).teams().await)?;
            ensure!(matches!(e, HaloError::Redirect(308, ..)), "{e:?}");
            Ok(())
        }),
        case!(
            "authinfo sends the login to another server (no --auth-url)",
            "exit 2, the other server sees nothing",
            async {
                let (f, other, _) = login_elsewhere().await;
                let (r, _d) = bin(
                    &["apply", "--url", &f.url, "--profile", "topleft"],
                    &[("HALO_CLIENT_ID", "c"), ("HALO_CLIENT_SECRET", "s3cr3t")],
                )
                .await;
                refused(&r, "--auth-url")?;
                ensure!(other.seen().is_empty(), "the secret went there");
                Ok(())
            }
        ),
        case!(
            "the same, with --auth-url naming that server",
            "the token request goes there, and only there",
            async {
                let (f, other, to) = login_elsewhere().await;
                let (r, _d) = bin(
                    &[
                        "apply",
                        "--url",
                        &f.url,
                        "--auth-url",
                        &to,
                        "--profile",
                        "topleft",
                    ],
                    &[("HALO_CLIENT_ID", "c"), ("HALO_CLIENT_SECRET", "s3cr3t")],
                )
                .await;
                ensure!(
                    r.code == 2 && r.stderr.contains("invalid_client"),
                    "{}",
                    r.stderr
                );
                ensure!(other.hits("/auth/token").len() == 1, "{:?}", other.seen());
                ensure!(f.hits("/auth/token").is_empty(), "sent to the Halo URL too");
                Ok(())
            }
        ),
        case!(
            "authinfo auth_url with an escape in it",
            "refused, escaped",
            async {
                let f = serve(|_| async {
                    json(
                        200,
                        json!({"auth_url": format!("https://evil{CSI2J}.example/auth")}),
                    )
                })
                .await;
                let e = failed(
                    halo_onboard::halo::discover(&f.url, &crate::common::fake::fast_opts()).await,
                )?
                .to_string();
                ensure!(clean(&e), "{e}");
                Ok(())
            }
        ),
        // --- 3. Memory stays bounded ------------------------------------------------------
        case!(
            "500 MB answer body, no Content-Length",
            "refused at 16 MiB",
            async {
                let f = endless(b' ', 500 << 20, false).await;
                let t = Instant::now();
                let e = failed(client(&f.url).teams().await)?;
                ensure!(matches!(e, HaloError::TooLarge(..)), "{e:?}");
                ensure!(t.elapsed() < Duration::from_secs(10), "{:?}", t.elapsed());
                Ok(())
            }
        ),
        case!(
            "Content-Length of 500 MB",
            "refused before reading",
            async {
                let f = endless(b' ', 500 << 20, true).await;
                let e = failed(client(&f.url).teams().await)?;
                ensure!(
                    matches!(e, HaloError::TooLarge(_, c) if c == 16 << 20),
                    "{e:?}"
                );
                Ok(())
            }
        ),
        case!(
            "15 MiB of '[' (nested JSON under the cap)",
            "stops at depth 128",
            async {
                let f = endless(b'[', 15 << 20, false).await;
                let t = Instant::now();
                let e = failed(client(&f.url).teams().await)?.to_string();
                ensure!(e.contains("recursion limit"), "{e}");
                ensure!(t.elapsed() < Duration::from_secs(10), "{:?}", t.elapsed());
                Ok(())
            }
        ),
        case!("150 MB nested JSON", "refused at 16 MiB", async {
            let f = endless(b'[', 150 << 20, false).await;
            let e = failed(client(&f.url).teams().await)?;
            ensure!(matches!(e, HaloError::TooLarge(..)), "{e:?}");
            Ok(())
        }),
        case!(
            "--client-secret-file /dev/zero",
            "refused, read 4 KiB at most",
            async {
                let r = secret_file_apply("https://acme.halopsa.com", "/dev/zero").await;
                refused(&r, "larger than 4 KiB")
            }
        ),
        case!("secret file of 5,000 bytes", "refused", async {
            let d = tempfile::tempdir().unwrap();
            let p = d.path().join("s");
            std::fs::write(&p, "x".repeat(5_000)).unwrap();
            let r = secret_file_apply("https://acme.halopsa.com", p.to_str().unwrap()).await;
            refused(&r, "larger than 4 KiB")
        }),
        case!(
            "secret file ending in a NUL and a newline",
            "trimmed: no %00 sent",
            async {
                let f = serve(|_| async { json(401, json!({"error": "invalid_client"})) }).await;
                let d = tempfile::tempdir().unwrap();
                let p = d.path().join("s");
                std::fs::write(&p, "abc-def\0\n").unwrap();
                let r = secret_file_apply(&f.url, p.to_str().unwrap()).await;
                ensure!(r.code == 2, "{}", r.stderr);
                let sent = f.hits("/auth/token");
                ensure!(
                    sent.len() == 1 && sent[0].form()["client_secret"] == "abc-def",
                    "{sent:?}"
                );
                Ok(())
            }
        ),
        case!(
            "journal of 200 MB (sparse)",
            "`sessions` refuses it unread, quickly",
            async {
                let home = Home::new();
                let state = home.state();
                let j = home.journal();
                let s = j.create(Default::default(), None).unwrap();
                let p = state.join("sessions").join(format!("{}.json", s.id));
                std::fs::OpenOptions::new()
                    .write(true)
                    .open(&p)
                    .unwrap()
                    .set_len(200 << 20)
                    .unwrap();
                let t = Instant::now();
                let r = home.run(["sessions"], &[]).await;
                ensure!(
                    r.code == 0 && r.stderr.contains("too large"),
                    "{} {}",
                    r.stdout,
                    r.stderr
                );
                ensure!(t.elapsed() < Duration::from_secs(10), "{:?}", t.elapsed());
                ensure!(p.exists(), "the file is left alone");
                Ok(())
            }
        ),
        case!("expires_in 1e300", "no panic, token cached", async {
            let f = serve(|_| async {
                json(
                    200,
                    json!({"access_token": "t", "expires_in": 1e300, "scope": "all"}),
                )
            })
            .await;
            let c = client(&f.url);
            c.token().await.map_err(|e| e.to_string())?;
            c.token().await.map_err(|e| e.to_string())?;
            ensure!(f.hits("/auth/token").len() == 1, "cached");
            Ok(())
        }),
        case!("expires_in 18446744073709551615", "no panic", async {
            let f = serve(|_| async {
                json(
                    200,
                    json!({"access_token": "t", "expires_in": u64::MAX, "scope": "all"}),
                )
            })
            .await;
            let info = client(&f.url).token().await.map_err(|e| e.to_string())?;
            ensure!(info.expires_in <= 86_400, "{}", info.expires_in);
            Ok(())
        }),
        // --- 4. Time stays bounded --------------------------------------------------------
        case!(
            "silent host (accepts, never answers), 5 retries allowed",
            "two attempts, then a timeout",
            async {
                let (url, n) = silent().await;
                let c = client_with(&url, opts(200, 5));
                let e = failed(c.teams().await)?;
                ensure!(matches!(e, HaloError::Timeout(..)), "{e:?}");
                times(&n, 2, "connections")
            }
        ),
        case!(
            "record_count 1,000,000 and the same page again",
            "stops at the repeat",
            async {
                let f = api(|_| {
                    json(
                        200,
                        json!({"record_count": 1_000_000, "teams": [{"id": 1, "name": "a"}]}),
                    )
                })
                .await;
                let t = client(&f.url).teams().await.map_err(|e| e.to_string())?;
                ensure!(
                    t.len() == 1 && f.seen().len() <= 4,
                    "{} rows, {} requests",
                    t.len(),
                    f.seen().len()
                );
                Ok(())
            }
        ),
        case!(
            "record_count 1,000,000 and new full pages forever",
            "an error after 200 pages",
            async {
                let f = api(|s| {
                    let p = page_no(&s);
                    million_teams(p, 100)
                })
                .await;
                let e = failed(client(&f.url).teams().await)?.to_string();
                ensure!(e.contains("past page 200"), "{e}");
                ensure!(f.seen().len() <= 203, "{} requests", f.seen().len());
                Ok(())
            }
        ),
        case!(
            "record_count 1,000,000 and a short page",
            "stops at the short page",
            async {
                let f = api(|s| {
                    let p = page_no(&s);
                    let n = if p >= 2 { 3 } else { 100 };
                    million_teams(p, n)
                })
                .await;
                let t = client(&f.url).teams().await.map_err(|e| e.to_string())?;
                // The unpaged first answer, then pages 1 (100 rows) and 2 (3 rows: the end).
                ensure!(
                    t.len() == 103 && f.hits("/api/Team").len() == 3,
                    "{} rows, {} requests",
                    t.len(),
                    f.hits("/api/Team").len()
                );
                Ok(())
            }
        ),
        case!(
            "429 with Retry-After: 1",
            "the wait is announced before it is waited",
            async {
                let n = Arc::new(AtomicUsize::new(0));
                let m = n.clone();
                let f = api(move |_| {
                    if m.fetch_add(1, Ordering::SeqCst) == 0 {
                        (
                            axum::http::StatusCode::TOO_MANY_REQUESTS,
                            [("retry-after", "1")],
                            "Rate Limit Reached",
                        )
                            .into_response()
                    } else {
                        json(200, json!([]))
                    }
                })
                .await;
                let (c, mut rx) = crate::common::fake::client_events(&f.url);
                c.teams().await.map_err(|e| e.to_string())?;
                let waits: Vec<_> = crate::common::fake::drain_all(&mut rx)
                    .into_iter()
                    .filter_map(|e| e.waiting.map(|w| (e.status, w)))
                    .collect();
                let cap = crate::common::emulator::fast_opts().backoff_max;
                ensure!(
                    waits == [(Some(429), cap)],
                    "{waits:?} (backoff_max {cap:?} caps Retry-After)"
                );
                Ok(())
            }
        ),
        case!(
            "batch against a silent host, --deadline 1s",
            "stops on time, says how to resume",
            async {
                let (url, _n) = silent().await;
                let d = tempfile::tempdir().unwrap();
                let p = d.path().join("fleet.toml");
                std::fs::write(&p, format!("[[instance]]\nname=\"slow\"\nurl=\"{url}\"\nclient_id=\"c\"\nclient_secret_env=\"SLOW_HALO_SECRET\"\nprofile=\"topleft\"\n")).unwrap();
                let t = Instant::now();
                let (r, _d) = bin(
                    &[
                        "apply",
                        "--batch",
                        p.to_str().unwrap(),
                        "--yes",
                        "--deadline",
                        "1s",
                    ],
                    &[("SLOW_HALO_SECRET", "s")],
                )
                .await;
                ensure!(t.elapsed() < Duration::from_secs(15), "{:?}", t.elapsed());
                ensure!(
                    r.code == 1 && r.stdout.contains("batch deadline"),
                    "{} {}",
                    r.stdout,
                    r.stderr
                );
                Ok(())
            }
        ),
        // --- 5. Input Halo would refuse, caught before Halo sees it -----------------------
        case!(
            "initials of four emoji (answers file)",
            "refused before Halo",
            async {
                answers_refused(
                    "[agent]\ninitials = \"🙂🙂🙂🙂\"\n",
                    "agent.initials (Initials): only letters and digits",
                )
                .await
            }
        ),
        case!("initials ABCD", "refused before Halo", async {
            answers_refused(
                "[agent]\ninitials = \"ABCD\"\n",
                "at most 3 characters (now 4)",
            )
            .await
        }),
        case!(
            "role name with ESC (answers file)",
            "refused, the character named",
            async {
                answers_refused(
                    "[role]\nname = \"Top\\u001bLeft\"\n",
                    "role.name (Role name): has a control character (U+001B)",
                )
                .await
            }
        ),
        case!("email of 300 characters", "refused before Halo", async {
            answers_refused(
                &format!("[agent]\nemail = \"{}@acme.com\"\n", "x".repeat(291)),
                "at most 254",
            )
            .await
        }),
        case!(
            "first name of 101 characters",
            "refused before Halo",
            async {
                answers_refused(
                    &format!("[agent]\nfirstname = \"{}\"\n", "x".repeat(101)),
                    "agent.firstname (First Name): at most 100",
                )
                .await
            }
        ),
        case!(
            "profile with initials of two emoji",
            "the profile is invalid",
            async {
                let mut p = halo_onboard::profile::builtin().into_iter().next().unwrap();
                p.agent.initials = "🙂🙂".into();
                ensure!(
                    p.validate().iter().any(|x| x.field == "agent.initials"),
                    "{:?}",
                    p.validate()
                );
                Ok(())
            }
        ),
        case!(
            "batch client_secret_env = AWS_SECRET_ACCESS_KEY",
            "refused; the value is never read or sent",
            async {
                let f = serve(|_| async { json(200, json!({})) }).await;
                let r = batch(
                &format!("[[instance]]\nname=\"acme\"\nurl=\"{}\"\nclient_id=\"c\"\nclient_secret_env=\"AWS_SECRET_ACCESS_KEY\"\nprofile=\"topleft\"\n", f.url),
                &[("AWS_SECRET_ACCESS_KEY", "aws-very-secret-value")],
            )
            .await;
                refused(&r, "does not look like a Halo secret")?;
                ensure!(f.seen().is_empty(), "Halo was asked");
                ensure!(!r.stderr.contains("aws-very-secret-value"), "{}", r.stderr);
                Ok(())
            }
        ),
        case!(
            "batch instance name with ESC",
            "refused, the character named",
            async {
                let r = batch("[[instance]]\nname=\"a\\u001b]0;x\\u0007\"\nurl=\"https://a.halopsa.com\"\nclient_id=\"c\"\nclient_secret_env=\"HALO_S\"\nprofile=\"topleft\"\n", &[]).await;
                refused(&r, "U+001B")
            }
        ),
        // --- 6. Retries: reads on 500 too, bounded; writes never blindly ----------------
        case!(
            "GET /api/Workday answered 500 once",
            "retried, the read succeeds",
            async {
                let n = Arc::new(AtomicUsize::new(0));
                let m = n.clone();
                let f = api(move |_| {
                    if m.fetch_add(1, Ordering::SeqCst) == 0 {
                        text(500, "blip")
                    } else {
                        json(200, json!([]))
                    }
                })
                .await;
                client(&f.url).workdays().await.map_err(|e| e.to_string())?;
                times(&n, 2, "requests")
            }
        ),
        case!(
            "GET answered 500 every time",
            "three attempts, then the error",
            async {
                let f = api(|_| text(500, "bug")).await;
                let e = failed(client_with(&f.url, opts(5_000, 5)).teams().await)?;
                ensure!(matches!(e, HaloError::Server(500, ..)), "{e:?}");
                ensure!(
                    f.hits("/api/Team").len() == 3,
                    "{}",
                    f.hits("/api/Team").len()
                );
                Ok(())
            }
        ),
        case!("POST /api/Agent answered 500", "not replayed", async {
            let f = api(|_| text(500, "bug")).await;
            let e = failed(client(&f.url).save_agent(&Default::default()).await)?;
            ensure!(matches!(e, HaloError::Server(500, ..)), "{e:?}");
            ensure!(
                f.hits("/api/Agent").len() == 1,
                "{}",
                f.hits("/api/Agent").len()
            );
            Ok(())
        }),
        // --- 7. The process --------------------------------------------------------------
        case!(
            "a crash while a secret is in memory",
            "no core dump: RLIMIT_CORE 0",
            async {
                let home = Home::new();
                let mut c = home.command(["sandbox", "--listen", "127.0.0.1:0"], &[]);
                let mut child = c.stderr(std::process::Stdio::null()).spawn().unwrap();
                let pid = child.id().unwrap_or_default();
                // Wait for its JSON line: main has run by then.
                use tokio::io::AsyncBufReadExt;
                let mut out = tokio::io::BufReader::new(child.stdout.take().unwrap()).lines();
                let _ = tokio::time::timeout(Duration::from_secs(10), out.next_line()).await;
                let limits =
                    std::fs::read_to_string(format!("/proc/{pid}/limits")).unwrap_or_default();
                let _ = child.kill().await;
                let core = limits
                    .lines()
                    .find(|l| l.starts_with("Max core file size"))
                    .unwrap_or("");
                ensure!(
                    core.split_whitespace().nth(4) == Some("0")
                        && core.split_whitespace().nth(5) == Some("0"),
                    "{core:?}"
                );
                Ok(())
            }
        ),
    ]
}

/// Every row of the catalogue, one after the other; the count is what the issue's closing
/// note reports.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_input_catalogue() {
    let cases = cases();
    let tried = cases.len();
    let mut failed = Vec::new();
    for c in cases {
        // Each row in its own task: a panic is a row that did not hold, not the end of the table.
        let t = Instant::now();
        let r = tokio::time::timeout(Duration::from_secs(60), tokio::spawn((c.run)())).await;
        match r {
            Ok(Ok(Ok(()))) => println!(
                "held  {} -> {} ({} ms)",
                c.input,
                c.expect,
                t.elapsed().as_millis()
            ),
            Ok(Ok(Err(why))) => failed.push(format!("{} (want: {}): {why}", c.input, c.expect)),
            Ok(Err(panic)) => failed.push(format!("{} (want: {}): {panic}", c.input, c.expect)),
            Err(_) => failed.push(format!("{} (want: {}): timed out", c.input, c.expect)),
        }
    }
    println!("bad inputs tried: {tried}, held: {}", tried - failed.len());
    assert!(failed.is_empty(), "{}", failed.join("\n"));
}
