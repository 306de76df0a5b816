//! Error mapping, retries and backoff, transport failures, request events, and secret hygiene.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use crate::common::fake::*;
use axum::response::IntoResponse;
use halo_onboard::halo::{Agent, ClientOptions, Endpoint, HaloError, discover};
use serde_json::json;

/// Counts API calls (not token calls) and answers with `f(call_number)`, 0-based.
async fn counting<F>(f: F) -> (Fake, Arc<AtomicUsize>)
where
    F: Fn(usize) -> axum::response::Response + Clone + Send + Sync + 'static,
{
    let n = Arc::new(AtomicUsize::new(0));
    let n2 = n.clone();
    let fake = with_token(move |_| {
        let f = f.clone();
        let n = n2.clone();
        async move { f(n.fetch_add(1, Ordering::SeqCst)) }
    })
    .await;
    (fake, n)
}

#[test]
fn endpoint_url_table() {
    let ep = Endpoint::hosted(" https://acme.halopsa.com/api/ ").unwrap();
    assert_eq!(ep.resource_url, "https://acme.halopsa.com/api");
    assert_eq!(ep.auth_url, "https://acme.halopsa.com/auth");
    assert_eq!(ep.base_url(), "https://acme.halopsa.com");
    assert_eq!(ep.tenant, None);
    assert!(Endpoint::hosted("http://127.0.0.1:8080").is_ok());
    assert!(Endpoint::hosted("http://localhost").is_ok());
    assert!(Endpoint::hosted("http://[::1]:9").is_ok());
    for bad in ["http://acme.halopsa.com", "http://192.168.1.10/api"] {
        assert!(
            matches!(Endpoint::hosted(bad), Err(HaloError::InsecureUrl(_))),
            "{bad}"
        );
    }
    for bad in ["", "::::", "https://", "not a url", "javascript:alert(1)"] {
        assert!(
            matches!(Endpoint::hosted(bad), Err(HaloError::InvalidUrl(_))),
            "{bad}"
        );
    }
    assert!(matches!(
        Endpoint::hosted("ftp://acme.halopsa.com"),
        Err(HaloError::UnsupportedScheme(_))
    ));

    let ep = Endpoint::on_premise(
        "https://halo.corp.local/api/",
        "https://halo.corp.local/auth",
        Some(" t1 "),
    )
    .unwrap();
    assert_eq!(ep.resource_url, "https://halo.corp.local/api");
    assert_eq!(ep.auth_url, "https://halo.corp.local/auth");
    assert_eq!(ep.tenant.as_deref(), Some("t1"));
    let ep = Endpoint::on_premise(
        "https://halo.corp.local",
        "https://auth.haloservicedesk.com",
        Some(""),
    )
    .unwrap();
    assert_eq!(ep.resource_url, "https://halo.corp.local/api");
    assert_eq!(ep.tenant, None);
    assert!(matches!(
        Endpoint::on_premise("https://halo.corp", "http://auth.corp", None),
        Err(HaloError::InsecureUrl(_))
    ));
    assert!(matches!(
        Endpoint::on_premise("garbage here", "https://auth.corp", None),
        Err(HaloError::InvalidUrl(_))
    ));
}

#[tokio::test]
async fn every_error_status_and_body_shape() {
    let cases: Vec<(u16, &str, HaloError)> = vec![
        (
            400,
            r#"{"ClassName":"System.Exception","Message":"Name is required"}"#,
            HaloError::BadRequest("/api/Agent/me".into(), "Name is required".into()),
        ),
        (401, "", HaloError::Unauthorized("/api/Agent/me".into())),
        (
            403,
            r#"{"resultCode":4,"errorMessage":"You do not have permission"}"#,
            HaloError::Forbidden("/api/Agent/me".into(), "You do not have permission".into()),
        ),
        (
            404,
            r#"{"Message":"gone"}"#,
            HaloError::NotFound("/api/Agent/me".into()),
        ),
        (
            409,
            r#"{"message":"conflict here"}"#,
            HaloError::Http(409, "/api/Agent/me".into(), "conflict here".into()),
        ),
        (
            500,
            r#"{"error":"server_error","error_description":"db down"}"#,
            HaloError::Server(500, "/api/Agent/me".into(), "server_error: db down".into()),
        ),
        (
            501,
            "plain words",
            HaloError::Server(501, "/api/Agent/me".into(), "plain words".into()),
        ),
    ];
    for (status, body, want) in cases {
        let (fake, _) = counting(move |_| text(status, body)).await;
        let err = client(&fake.url).me().await.unwrap_err();
        assert_eq!(err, want, "status {status}");
        assert!(!err.hint().is_empty());
    }
    // Long bodies are cut.
    let (fake, _) = counting(|_| text(400, &"y".repeat(5000))).await;
    let err = client(&fake.url).me().await.unwrap_err();
    assert!(err.to_string().len() < 500, "{err}");
}

#[tokio::test]
async fn rate_limit_burst_is_survived_and_reported() {
    let (fake, n) = counting(|i| {
        if i < 2 {
            text(
                429,
                "Rate Limit Reached - 300 Requests per rolling 5 minute window",
            )
        } else {
            json(200, json!([{"id": 1, "name": "T"}]))
        }
    })
    .await;
    let (client, mut rx) = client_events(&fake.url);
    let teams = client.teams().await.unwrap();
    assert_eq!(teams.len(), 1);
    assert_eq!(n.load(Ordering::SeqCst), 3);
    let events = drain(&mut rx);
    let api: Vec<_> = events.iter().filter(|e| e.path == "/api/Team").collect();
    assert_eq!(api.len(), 1, "{events:?}");
    assert_eq!(api[0].retries, 2);
    assert_eq!(api[0].status, Some(200));
    assert_eq!(api[0].method, "GET");
    assert_eq!(api[0].error, None);
    let tok: Vec<_> = events.iter().filter(|e| e.path == "/auth/token").collect();
    assert_eq!(
        (tok.len(), tok[0].method.as_str(), tok[0].retries),
        (1, "POST", 0)
    );
}

#[tokio::test]
async fn rate_limit_exhausted_is_rate_limited() {
    let (fake, n) = counting(|_| text(429, "Rate Limit Reached")).await;
    let (client, mut rx) = client_events(&fake.url);
    let err = client.teams().await.unwrap_err();
    assert_eq!(err, HaloError::RateLimited("Rate Limit Reached".into()));
    assert_eq!(n.load(Ordering::SeqCst), 4); // 1 + max_retries (3)
    let ev = drain(&mut rx)
        .into_iter()
        .find(|e| e.path == "/api/Team")
        .unwrap();
    assert_eq!((ev.status, ev.retries), (Some(429), 3));
    assert!(ev.error.unwrap().contains("Rate Limit Reached"));
}

#[tokio::test]
async fn retry_after_is_honoured() {
    let (fake, _) = counting(|i| {
        if i == 0 {
            (
                axum::http::StatusCode::TOO_MANY_REQUESTS,
                [("retry-after", "1")],
                "slow down",
            )
                .into_response()
        } else {
            json(200, json!([]))
        }
    })
    .await;
    let opts = ClientOptions {
        backoff_base: Duration::from_millis(1),
        backoff_max: Duration::from_secs(5),
        ..fast_opts()
    };
    let c = client_with(&fake.url, opts);
    c.token().await.unwrap();
    let start = Instant::now();
    c.teams().await.unwrap();
    assert!(
        start.elapsed() >= Duration::from_millis(950),
        "{:?}",
        start.elapsed()
    );

    // ...but never beyond backoff_max.
    let (fake, _) = counting(|i| {
        if i == 0 {
            (
                axum::http::StatusCode::TOO_MANY_REQUESTS,
                [("retry-after", "3600")],
                "",
            )
                .into_response()
        } else {
            json(200, json!([]))
        }
    })
    .await;
    let c = client(&fake.url);
    let start = Instant::now();
    c.teams().await.unwrap();
    assert!(start.elapsed() < Duration::from_secs(2));
}

#[tokio::test]
async fn gateway_errors_retried_on_get_not_on_post() {
    let (fake, n) = counting(|i| {
        if i == 0 {
            text(503, "busy")
        } else {
            json(200, json!([]))
        }
    })
    .await;
    let c = client(&fake.url);
    c.teams().await.unwrap();
    assert_eq!(n.load(Ordering::SeqCst), 2);

    let (fake, n) = counting(|i| {
        if i == 0 {
            text(503, "busy")
        } else {
            json(201, json!({"id": 9}))
        }
    })
    .await;
    let c = client(&fake.url);
    let err = c.save_agent(&Agent::default()).await.unwrap_err();
    assert_eq!(
        err,
        HaloError::Server(503, "/api/Agent".into(), "busy".into())
    );
    assert_eq!(
        n.load(Ordering::SeqCst),
        1,
        "a write must not be replayed after a 503"
    );

    let (fake, n) = counting(|_| text(502, "")).await;
    let err = client(&fake.url).delete_agent(1).await.unwrap_err();
    assert!(matches!(err, HaloError::Server(502, ..)), "{err:?}");
    assert_eq!(n.load(Ordering::SeqCst), 1);

    // A read answered 500 is retried, a bounded number of times (one apply died on a single
    // `GET /api/Workday -> 500`); a write never is.
    let (fake, n) = counting(|i| {
        if i == 0 {
            text(500, "blip")
        } else {
            json(200, json!([]))
        }
    })
    .await;
    client(&fake.url).workdays().await.unwrap();
    assert_eq!(n.load(Ordering::SeqCst), 2);
    let (fake, n) = counting(|_| text(500, "bug")).await;
    client(&fake.url).teams().await.unwrap_err();
    assert_eq!(n.load(Ordering::SeqCst), 3, "first try and two retries");
    let (fake, n) = counting(|_| text(500, "bug")).await;
    client(&fake.url)
        .save_agent(&Agent::default())
        .await
        .unwrap_err();
    assert_eq!(n.load(Ordering::SeqCst), 1, "a write is never replayed");
}

#[tokio::test]
async fn rate_limit_on_a_write_is_retried() {
    let (fake, n) = counting(|i| {
        if i == 0 {
            text(429, "")
        } else {
            json(201, json!({"id": 4}))
        }
    })
    .await;
    let saved = client(&fake.url)
        .save_agent(&Agent::default())
        .await
        .unwrap();
    assert_eq!(saved.id, Some(4));
    assert_eq!(n.load(Ordering::SeqCst), 2);
}

/// A server whose API answers the first call only after `delay`.
async fn slow_first(delay: Duration) -> (Fake, Arc<AtomicUsize>) {
    let n = Arc::new(AtomicUsize::new(0));
    let n2 = n.clone();
    let fake = with_token(move |_| {
        let n = n2.clone();
        async move {
            if n.fetch_add(1, Ordering::SeqCst) == 0 {
                tokio::time::sleep(delay).await;
            }
            json(201, json!([{"id": 1}]))
        }
    })
    .await;
    (fake, n)
}

#[tokio::test]
async fn timeout_on_get_is_retried_but_not_on_post() {
    let opts = || ClientOptions {
        timeout: Duration::from_millis(300),
        ..fast_opts()
    };
    let (fake, n) = slow_first(Duration::from_secs(3)).await;
    let (c, mut rx) = {
        let (tx, rx) = tokio::sync::mpsc::unbounded_channel();
        (
            client_with(
                &fake.url,
                ClientOptions {
                    events: Some(tx.into()),
                    ..opts()
                },
            ),
            rx,
        )
    };
    c.token().await.unwrap();
    assert_eq!(c.teams().await.unwrap().len(), 1);
    assert_eq!(n.load(Ordering::SeqCst), 2);
    let ev = drain(&mut rx)
        .into_iter()
        .find(|e| e.path == "/api/Team")
        .unwrap();
    assert_eq!(ev.retries, 1);

    let (fake, n) = slow_first(Duration::from_secs(3)).await;
    let c = client_with(&fake.url, opts());
    c.token().await.unwrap();
    let err = c.save_agent(&Agent::default()).await.unwrap_err();
    assert!(
        matches!(err, HaloError::Timeout(_, d) if d == Duration::from_millis(300)),
        "{err:?}"
    );
    assert_eq!(n.load(Ordering::SeqCst), 1);
}

#[tokio::test]
async fn dropped_connection_is_retried_on_get() {
    // A raw TCP server that hangs up without answering on the first connection.
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let fake = with_token(|_| async { json(200, json!([])) }).await;
    tokio::spawn(async move {
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        let mut first = true;
        loop {
            let (mut sock, _) = listener.accept().await.unwrap();
            let mut buf = vec![0u8; 8192];
            let _ = sock.read(&mut buf).await;
            if first {
                first = false;
                drop(sock);
                continue;
            }
            // Later connections: a canned empty list.
            let _ = sock
                .write_all(b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 2\r\nconnection: close\r\n\r\n[]")
                .await;
        }
    });
    let ep = Endpoint::on_premise(
        &format!("http://{addr}/api"),
        &format!("{}/auth", fake.url),
        None,
    )
    .unwrap();
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    let c = halo_onboard::halo::Client::new(
        ep,
        creds(),
        ClientOptions {
            events: Some(tx.into()),
            ..fast_opts()
        },
    )
    .unwrap();
    assert!(c.teams().await.unwrap().is_empty());
    let ev = drain(&mut rx)
        .into_iter()
        .find(|e| e.path == "/api/Team")
        .unwrap();
    assert_eq!(ev.retries, 1, "{ev:?}");
}

#[tokio::test]
async fn connection_refused_is_connect() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    drop(listener);
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    let opts = ClientOptions {
        events: Some(tx.into()),
        ..fast_opts()
    };
    let err = discover(&format!("http://{addr}"), &opts)
        .await
        .unwrap_err();
    assert_eq!(err, HaloError::Connect(addr.to_string()));
    let ev = drain(&mut rx);
    assert_eq!(ev.len(), 1);
    assert_eq!((ev[0].status, ev[0].retries), (None, 0));
    assert!(
        ev[0]
            .error
            .as_deref()
            .unwrap()
            .contains("could not connect")
    );

    let c = client(&format!("http://{addr}"));
    assert_eq!(
        c.token().await.unwrap_err(),
        HaloError::Connect(addr.to_string())
    );
}

#[tokio::test]
async fn tls_failure_is_tls() {
    // https to a plain-HTTP server: the handshake fails.
    let fake = serve(|_| async { text(200, "") }).await;
    let https = fake.url.replace("http://", "https://");
    let err = discover(&https, &fast_opts()).await.unwrap_err();
    assert!(matches!(err, HaloError::Tls(_)), "{err:?}");
}

#[tokio::test]
async fn no_secret_in_events_errors_or_debug() {
    // Every answer echoes the request back, the way a careless server error page might.
    let fake = serve(|s: Seen| async move {
        let echo = format!(
            "you sent {} with auth {:?}",
            s.body,
            s.headers.get("authorization")
        );
        match s.path_only() {
            "/auth/token" => json(200, token_json()),
            "/api/Agent/me" => text(400, &echo),
            "/api/Team" => json(403, json!({"Message": echo})),
            "/api/Application" => text(500, &echo),
            _ => text(401, &echo),
        }
    })
    .await;
    let (c, mut rx) = client_events(&fake.url);
    let mut texts = Vec::new();
    for err in [
        c.me().await.unwrap_err(),
        c.teams().await.unwrap_err(),
        c.roles().await.unwrap_err(),
        c.save_application(&halo_onboard::halo::Application {
            client_secret: "NEW-APP-SECRETVALUE-1".into(),
            ..Default::default()
        })
        .await
        .unwrap_err(),
    ] {
        texts.push(format!("{err} {err:?}"));
    }
    // A token error that echoes the form.
    let bad = serve(|s: Seen| async move { text(400, &format!("bad request: {}", s.body)) }).await;
    let (c2, mut rx2) = client_events(&bad.url);
    let err = c2.token().await.unwrap_err();
    texts.push(format!("{err} {err:?}"));
    assert!(matches!(err, HaloError::TokenError(400, _)));

    for ev in drain(&mut rx).into_iter().chain(drain(&mut rx2)) {
        texts.push(format!("{ev:?}"));
    }
    texts.push(format!("{c:?} {:?}", creds()));
    let all = texts.join("\n");
    assert_no_secret(&all);
    assert!(!all.contains("NEW-APP-SECRETVALUE"), "{all}");
    // The scan is meaningful: the echoes did reach the messages.
    assert!(all.contains("[redacted]"), "{all}");
    assert!(all.contains(CLIENT_ID));
}

#[tokio::test]
async fn events_carry_path_query_status_and_latency() {
    let fake = with_token(|_| async {
        tokio::time::sleep(Duration::from_millis(20)).await;
        json(200, json!([]))
    })
    .await;
    let (c, mut rx) = client_events(&fake.url);
    c.agents(&halo_onboard::halo::AgentQuery {
        search: Some("x y".into()),
        ..Default::default()
    })
    .await
    .unwrap();
    let ev = drain(&mut rx);
    assert_eq!(ev.len(), 2, "{ev:?}");
    assert_eq!(ev[0].path, "/auth/token");
    assert_eq!(ev[1].path, "/api/Agent?search=x+y");
    assert_eq!(ev[1].status, Some(200));
    assert!(ev[1].latency >= Duration::from_millis(20));
}

#[tokio::test]
async fn redirects_to_another_host_are_not_followed() {
    let elsewhere = serve(|_| async { json(200, token_json()) }).await;
    let target = elsewhere.url.replace("127.0.0.1", "localhost");
    let fake = redirecting(axum::http::StatusCode::TEMPORARY_REDIRECT, &target).await;
    let err = client(&fake.url).token().await.unwrap_err();
    assert!(matches!(err, HaloError::Redirect(307, ..)), "{err:?}");
    assert!(err.to_string().contains("localhost"), "{err}");
    assert!(
        elsewhere.seen().is_empty(),
        "the form must not be replayed to another host"
    );

    // The same host on another port is another server: refused too.
    let other_port = serve(|_| async { json(200, token_json()) }).await;
    let fake = redirecting(axum::http::StatusCode::TEMPORARY_REDIRECT, &other_port.url).await;
    let err = client(&fake.url).token().await.unwrap_err();
    assert!(matches!(err, HaloError::Redirect(307, ..)), "{err:?}");
    assert!(
        other_port.seen().is_empty(),
        "the secret must not be replayed to another port"
    );
    assert_no_secret(&err.to_string());

    // Same host: followed.
    let fake = serve(|s: Seen| async move {
        if s.path_only() == "/auth/token" {
            (
                axum::http::StatusCode::TEMPORARY_REDIRECT,
                [("location", "/auth2/token")],
                "",
            )
                .into_response()
        } else {
            json(200, token_json())
        }
    })
    .await;
    client(&fake.url).token().await.unwrap();
    assert_eq!(fake.hits("/auth2/token")[0].form()["scope"], "all admin");
}
