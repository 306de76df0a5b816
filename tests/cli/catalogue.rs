//! The bad-input catalogue of issues 12 ("Hostile Halo, hostile files") and 21 ("held against
//! a hostile world, round 2"): one table of (input, expected outcome, test that holds it),
//! driven by one test that counts what held. Every item of either issue is a row: escapes from
//! the server and from files, the secret's routes, memory and time bounds, input Halo would
//! refuse, retries, two writers at once, ids that would name another resource, answers that
//! are not the object sent, real TLS. A row of issue 21 runs the same check as its own test
//! (`cli/held.rs`, which may try it more often); the Done-when runs through the real binary
//! with a whole fake Halo are `cli/hostile.rs` and `e2e/hostile.rs`.

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
use crate::held;

type Outcome = Result<(), String>;
type Check = fn() -> Pin<Box<dyn Future<Output = Outcome> + Send>>;

/// One row: what was tried, what must happen, the test that holds it, and the check.
struct Case {
    input: &'static str,
    expect: &'static str,
    /// The test that holds it (this catalogue's own rows: [`bad_input_catalogue`]).
    test: &'static str,
    run: Check,
}

macro_rules! case {
    ($input:expr, $expect:expr, $body:expr) => {
        Case {
            input: $input,
            expect: $expect,
            test: "bad_input_catalogue",
            run: || Box::pin($body),
        }
    };
    ($input:expr, $expect:expr, test = $test:ident, $body:expr) => {
        Case {
            input: $input,
            expect: $expect,
            test: stringify!($test),
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
        // --- Issue 21, 1. One writer per setup ------------------------------------------------
        case!(
            "two `resume` runs of one setup at once, after a kill once its role was made",
            "one runs, the other is refused naming the holder's pid and start time; one agent, one application",
            test = two_resumes_of_one_setup_at_once_leave_one_agent_and_one_application,
            async { held::two_resumes_after_a_kill(25).await.map(|_| ()) }
        ),
        case!(
            "two `apply` runs of one profile on one Halo at once",
            "one is refused by the integration's lock (not by a duplicate name); one of each",
            test = two_applies_of_one_profile_on_one_halo_are_refused_by_the_lock,
            held::two_applies_of_one_profile()
        ),
        // --- 2. Secrets go only where named ------------------------------------------------
        case!(
            "batch client_secret_file: an absolute path, '../', a link out, a linked folder",
            "refused, never read or sent; inside the batch's folder or in allow_secret_files: read",
            test = a_batch_sends_only_secret_files_of_its_own_folder_or_listed,
            held::batch_secret_files_are_confined()
        ),
        // --- 3 and 4. No raw escape from any file ------------------------------------------
        case!(
            "answers agent.workday with OSC 52 and CSI 2J",
            "refused before Halo, the field named, nothing raw",
            test = escapes_in_each_answers_field_are_refused_before_halo_and_never_printed_raw,
            answers_field(0)
        ),
        case!(
            "answers agent.default_team with OSC 52 and CSI 2J",
            "refused before Halo, the field named, nothing raw",
            test = escapes_in_each_answers_field_are_refused_before_halo_and_never_printed_raw,
            answers_field(1)
        ),
        case!(
            "answers [[agent.teams]].name with OSC 52 and CSI 2J",
            "refused before Halo, the field named, nothing raw",
            test = escapes_in_each_answers_field_are_refused_before_halo_and_never_printed_raw,
            answers_field(2)
        ),
        case!(
            "answers [[agent.departments]].name with OSC 52 and CSI 2J",
            "refused before Halo, the field named, nothing raw",
            test = escapes_in_each_answers_field_are_refused_before_halo_and_never_printed_raw,
            answers_field(3)
        ),
        case!(
            "answers agent.extra_roles with OSC 52 and CSI 2J",
            "refused before Halo, the field named, nothing raw",
            test = escapes_in_each_answers_field_are_refused_before_halo_and_never_printed_raw,
            answers_field(4)
        ),
        case!(
            "answers scopes with OSC 52 and CSI 2J",
            "refused before Halo, the field named, nothing raw",
            test = escapes_in_each_answers_field_are_refused_before_halo_and_never_printed_raw,
            answers_field(5)
        ),
        case!(
            "answers role.other_permissions with OSC 52 and CSI 2J",
            "refused before Halo, the field named, nothing raw",
            test = escapes_in_each_answers_field_are_refused_before_halo_and_never_printed_raw,
            answers_field(6)
        ),
        case!(
            "--theme naming OSC 52 and CSI 2J",
            "exit 2, the name shown escaped",
            test = a_theme_name_with_escapes_is_echoed_escaped,
            held::theme_flag_escaped()
        ),
        case!(
            "the config's theme value and a theme file's value with escapes",
            "the warning shows them escaped",
            test = escapes_from_a_theme_name_or_file_come_back_escaped,
            async {
                use halo_onboard::ui::theme::{ColorMode, Origin, Request, Theme};
                let evil = format!("drak{OSC52}");
                let d = tempfile::tempdir().unwrap();
                let p = d.path().join("t.toml");
                std::fs::write(
                    &p,
                    "name = \"x\"\nmuted = { fg = \"\\u001b]0;t\\u0007\" }\n",
                )
                .unwrap();
                for choice in [evil.as_str(), p.to_str().unwrap()] {
                    let req = Request {
                        choice: Some((choice, Origin::Config)),
                        color: ColorMode::Auto,
                        no_color_env: false,
                    };
                    let (_, w) = Theme::resolve(req, || None).map_err(|e| e.to_string())?;
                    let w = w.unwrap_or_default();
                    ensure!(!w.is_empty() && clean(&w), "{w:?}");
                }
                Ok(())
            }
        ),
        // --- 5. A file is deleted only when proven to be the setup's ----------------------
        case!(
            "a journal's credentials_file pointing at another integration's hand-over file",
            "handover clean --yes leaves it whole (its Client ID is not the setup's)",
            test = handover_clean_deletes_only_files_holding_their_setups_client_id,
            held::handover_clean_proves_the_client_id()
        ),
        case!(
            "the state dir's handover/ replaced by a symlink to a 0755 folder",
            "refused; nothing behind it chmod'ed or deleted",
            test = a_linked_handover_folder_is_refused_not_followed,
            held::linked_handover_folder_refused()
        ),
        // --- 6. Plain http only to loopback addresses --------------------------------------
        case!(
            "http://NAME.localhost resolving to 192.0.2.1, or to 127.0.0.1 and 10.0.0.5",
            "refused by the connection's own resolver; nothing sent",
            test = plain_http_goes_only_to_names_that_resolve_to_loopback,
            held::localhost_names_must_resolve_to_loopback()
        ),
        // --- 7. Ids are checked before they become a URL -----------------------------------
        case!(
            "journal ids '..' (application), '../Agent' (role), 0 (agent)",
            "rollback and resume refuse the journal; no DELETE, no request at all",
            test = ids_of_the_wrong_shape_in_a_journal_never_reach_halo,
            held::a_dotdot_id_in_a_journal_is_refused()
        ),
        case!(
            "ids '..', '', 'a/b', 'x?y=1' given to the client's get and delete",
            "refused before any request",
            test = ids_of_the_wrong_shape_are_refused_before_any_request,
            async {
                let f = api(|_| json(200, json!({}))).await;
                let c = client(&f.url);
                for bad in ["..", "", "a/b", "x?y=1"] {
                    ensure!(c.delete_application(bad).await.is_err(), "{bad}");
                    ensure!(c.get_role(bad).await.is_err(), "{bad}");
                }
                ensure!(
                    f.seen().iter().all(|s| !s.path.starts_with("/api/")),
                    "{:?}",
                    f.seen()
                );
                Ok(())
            }
        ),
        // --- 8. Listings open regular files only -------------------------------------------
        case!(
            "FIFOs in the sessions folder (one named like a setup) and as a pending secret",
            "sessions, status, resume and handover clean finish with a warning; none hangs",
            test = a_fifo_in_the_sessions_folder_hangs_no_listing,
            held::fifos_do_not_hang_listings()
        ),
        // --- 9. A create answer is ours only if it is the object sent ----------------------
        case!(
            "POST /api/Roles answered with the Administrator role",
            "the setup stops, nothing recorded as ours; resume finds the real role by its marker",
            test = a_create_answered_with_another_object_stops_and_records_nothing,
            held::foreign_create_answers_are_not_taken("role")
        ),
        case!(
            "POST /api/Agent answered with the bootstrap agent",
            "the setup stops, nothing recorded as ours; resume finishes with one agent",
            test = a_create_answered_with_another_object_stops_and_records_nothing,
            held::foreign_create_answers_are_not_taken("agent")
        ),
        case!(
            "POST /api/Application answered with the bootstrap application",
            "the setup stops, nothing recorded as ours; resume finishes with one application",
            test = a_create_answered_with_another_object_stops_and_records_nothing,
            held::foreign_create_answers_are_not_taken("application")
        ),
        // --- Minor -------------------------------------------------------------------------
        case!(
            "--dry-run with --out naming an existing file, or a missing folder",
            "exit 2 as a real run; the file untouched, Halo not asked",
            test = a_dry_run_checks_out_like_a_real_run,
            held::dry_run_checks_out()
        ),
        case!(
            "429 with Retry-After: 3600 on every call (apply, resume, check, doctor)",
            "each stops at --deadline (exit 2), says what was cut off and how to continue",
            test = a_long_retry_after_cannot_stall_a_command_past_its_deadline,
            held::deadlines_stop_every_command()
        ),
        case!(
            "a TLS certificate of an untrusted CA, an expired one, one for another name; an https Halo whose login is http",
            "refused, what to do named (--ca-file, renew, the name); nothing sent; with the CA trusted the apply works",
            test = tls_refuses_an_untrusted_expired_or_misnamed_certificate_and_works_with_the_ca,
            held::tls_is_checked_for_real()
        ),
        case!(
            "--ca-file naming a file that holds no certificate",
            "exit 2 naming the file, before Halo is asked",
            test = a_ca_file_that_holds_no_certificate_is_refused,
            held::a_bad_ca_file_is_refused()
        ),
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

/// Row `i` of [`held::answers_fields`].
async fn answers_field(i: usize) -> Outcome {
    let (field, text) = held::answers_fields().swap_remove(i);
    held::answers_field_refused(field, &text).await
}

/// How many rows each issue added (issue 12's 47, issue 21's 25): the count the issues' closing
/// notes report, held to what the table has.
const ROWS: usize = 47 + 25;

/// Every row names a test that exists (in `tests/` or a unit test in `src/`).
#[test]
fn every_row_names_a_test_that_exists() {
    fn sources(dir: &std::path::Path, out: &mut String) {
        for e in std::fs::read_dir(dir).into_iter().flatten().flatten() {
            let p = e.path();
            if p.is_dir() {
                sources(&p, out);
            } else if p.extension().is_some_and(|x| x == "rs") {
                out.push_str(&std::fs::read_to_string(&p).unwrap_or_default());
            }
        }
    }
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut all = String::new();
    sources(&root.join("tests"), &mut all);
    sources(&root.join("src"), &mut all);
    let rows = cases();
    assert_eq!(rows.len(), ROWS, "the catalogue's count");
    for c in &rows {
        assert!(
            all.contains(&format!("fn {}(", c.test)),
            "{}: no test {}",
            c.input,
            c.test
        );
    }
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
                "held  {} -> {} [{}] ({} ms)",
                c.input,
                c.expect,
                c.test,
                t.elapsed().as_millis()
            ),
            Ok(Ok(Err(why))) => failed.push(format!("{} (want: {}): {why}", c.input, c.expect)),
            Ok(Err(panic)) => failed.push(format!("{} (want: {}): {panic}", c.input, c.expect)),
            Err(_) => failed.push(format!("{} (want: {}): timed out", c.input, c.expect)),
        }
    }
    println!("bad inputs tried: {tried}, held: {}", tried - failed.len());
    assert_eq!(tried, ROWS, "the catalogue's count");
    assert!(failed.is_empty(), "{}", failed.join("\n"));
}
