//! Discovery, token request shape, token cache and renewal, token error mapping.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use crate::common::fake::*;
use base64::Engine;
use halo_onboard::halo::{Client, Credentials, Endpoint, HaloError, discover};
use serde_json::json;

#[tokio::test]
async fn discovery_reads_authinfo() {
    let fake = serve(|s: Seen| async move {
        assert_eq!(s.path, "/api/authinfo");
        assert!(!s.headers.contains_key("authorization"), "authinfo is anonymous");
        json(
            200,
            json!({"auth_url": "http://127.0.0.1:9/sharedauth/", "tenant_id": "acme", "extra": {"x": 1}}),
        )
    })
    .await;
    let ep = discover(&format!("{}/api/", fake.url), &fast_opts())
        .await
        .unwrap();
    assert_eq!(ep.resource_url, format!("{}/api", fake.url));
    assert_eq!(ep.auth_url, "http://127.0.0.1:9/sharedauth");
    assert_eq!(ep.tenant.as_deref(), Some("acme"));
}

#[tokio::test]
async fn discovery_tolerates_missing_fields_and_relative_auth() {
    let fake = serve(|_| async { json(200, json!({"auth_url": "/auth"})) }).await;
    let ep = discover(&fake.url, &fast_opts()).await.unwrap();
    assert_eq!(ep.auth_url, format!("{}/auth", fake.url));
    assert_eq!(ep.tenant, None);

    let fake = serve(|_| async { json(200, json!({"tenant_id": 42})) }).await;
    let ep = discover(&fake.url, &fast_opts()).await.unwrap();
    assert_eq!(ep.auth_url, format!("{}/auth", fake.url));
    assert_eq!(ep.tenant.as_deref(), Some("42"));
}

#[tokio::test]
async fn discovery_falls_back_on_404_and_non_json() {
    for reply in [404u16, 200] {
        let fake = serve(move |_| async move {
            if reply == 404 {
                text(404, "Not Found")
            } else {
                text(200, "<html>login page</html>")
            }
        })
        .await;
        let ep = discover(&fake.url, &fast_opts()).await.unwrap();
        assert_eq!(ep.auth_url, format!("{}/auth", fake.url), "reply {reply}");
        assert_eq!(ep.resource_url, format!("{}/api", fake.url));
        assert_eq!(ep.tenant, None);
    }
}

#[tokio::test]
async fn discovery_refuses_remote_http_auth_url() {
    let fake = serve(|_| async { json(200, json!({"auth_url": "http://auth.example.com"})) }).await;
    let err = discover(&fake.url, &fast_opts()).await.unwrap_err();
    assert!(matches!(err, HaloError::InsecureUrl(_)), "{err:?}");
}

#[tokio::test]
async fn token_request_form_tenant_and_scope() {
    let fake = with_token(|_| async { json(200, json!({"id": 1, "name": "me"})) }).await;
    let mut ep = Endpoint::hosted(&fake.url).unwrap();
    ep.tenant = Some("acme co".into());
    let client = Client::new(ep, creds(), fast_opts()).unwrap();
    let me = client.me().await.unwrap();
    assert_eq!(me.id, Some(1));

    let tok = fake.hits("/auth/token");
    assert_eq!(tok.len(), 1);
    let t = &tok[0];
    assert_eq!(t.method, "POST");
    assert_eq!(t.query().get("tenant").map(String::as_str), Some("acme co"));
    assert_eq!(
        t.headers.get("content-type").map(String::as_str),
        Some("application/x-www-form-urlencoded")
    );
    // Credentials go in the form; Basic auth is not needed.
    assert!(!t.headers.contains_key("authorization"));
    let form = t.form();
    assert_eq!(form["grant_type"], "client_credentials");
    assert_eq!(form["client_id"], CLIENT_ID);
    assert_eq!(form["client_secret"], SECRET);
    assert_eq!(form["scope"], "all admin");

    let api = fake.hits("/api/Agent/me");
    assert_eq!(
        api[0].headers.get("authorization").map(String::as_str),
        Some(format!("Bearer {TOKEN}").as_str())
    );
}

#[tokio::test]
async fn scope_is_always_sent_and_no_tenant_without_one() {
    let fake = with_token(|_| async { json(200, json!({})) }).await;
    let mut creds: Credentials = creds();
    creds.scopes.clear();
    let client = Client::new(Endpoint::hosted(&fake.url).unwrap(), creds, fast_opts()).unwrap();
    client.token().await.unwrap();
    let t = &fake.hits("/auth/token")[0];
    assert_eq!(t.form()["scope"], "all");
    assert!(!t.query().contains_key("tenant"));
}

#[tokio::test]
async fn token_info_scopes_and_agent_id() {
    let payload =
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(r#"{"id":7,"name":"api"}"#);
    let id_token = format!("hdr.{payload}.sig");
    let fake = serve(move |_| {
        let id_token = id_token.clone();
        async move {
            json(
                200,
                json!({"access_token": TOKEN, "scope": "read:tickets edit:tickets", "expires_in": 900, "id_token": id_token}),
            )
        }
    })
    .await;
    let info = client(&fake.url).token().await.unwrap();
    assert_eq!(info.scopes, vec!["read:tickets", "edit:tickets"]);
    assert_eq!(info.expires_in, 900);
    assert_eq!(info.agent_id, Some(7));
}

#[tokio::test]
async fn token_is_cached_across_calls_and_clones() {
    let fake = with_token(|_| async { json(200, json!([])) }).await;
    let client = client(&fake.url);
    client.teams().await.unwrap();
    client.workdays().await.unwrap();
    let clone = client.clone();
    let (a, b, c) = tokio::join!(clone.roles(), client.departments(), client.token());
    a.unwrap();
    b.unwrap();
    c.unwrap();
    assert_eq!(fake.hits("/auth/token").len(), 1);
}

#[tokio::test]
async fn concurrent_first_calls_share_one_token_fetch() {
    let fake = serve(|s: Seen| async move {
        if s.path_only() == "/auth/token" {
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
            json(200, token_json())
        } else {
            json(200, json!([]))
        }
    })
    .await;
    let client = client(&fake.url);
    let calls = (0..5).map(|_| client.teams());
    for r in futures::future::join_all(calls).await {
        r.unwrap();
    }
    assert_eq!(fake.hits("/auth/token").len(), 1);
}

#[tokio::test]
async fn short_lived_token_is_renewed() {
    let fake = serve(|s: Seen| async move {
        if s.path_only() == "/auth/token" {
            json(200, json!({"access_token": TOKEN, "expires_in": 0}))
        } else {
            json(200, json!([]))
        }
    })
    .await;
    let client = client(&fake.url);
    client.teams().await.unwrap();
    client.teams().await.unwrap();
    assert_eq!(fake.hits("/auth/token").len(), 2);
}

#[tokio::test]
async fn expired_token_mid_run_is_renewed_once_after_401() {
    let tokens = Arc::new(AtomicUsize::new(0));
    let t2 = tokens.clone();
    let fake = serve(move |s: Seen| {
        let tokens = t2.clone();
        async move {
            if s.path_only() == "/auth/token" {
                let n = tokens.fetch_add(1, Ordering::SeqCst) + 1;
                return json(200, json!({"access_token": format!("tok-{n}")}));
            }
            // Halo "expires" the first token after one use.
            if s.headers.get("authorization").map(String::as_str) == Some("Bearer tok-1")
                && s.path_only() == "/api/Team"
            {
                return text(401, "");
            }
            json(200, json!([{"id": 1, "name": "Support"}]))
        }
    })
    .await;
    let client = client(&fake.url);
    client.me().await.unwrap();
    let teams = client.teams().await.unwrap();
    assert_eq!(teams[0].name, "Support");
    assert_eq!(tokens.load(Ordering::SeqCst), 2);
    let team_hits = fake.hits("/api/Team");
    assert_eq!(team_hits.len(), 2);
    assert_eq!(team_hits[1].headers["authorization"], "Bearer tok-2");
}

#[tokio::test]
async fn fresh_token_refused_is_final() {
    let fake = with_token(|_| async { text(401, "") }).await;
    let err = client(&fake.url).me().await.unwrap_err();
    assert!(matches!(err, HaloError::Unauthorized(_)), "{err:?}");
    assert_eq!(fake.hits("/auth/token").len(), 1);
    assert_eq!(fake.hits("/api/Agent/me").len(), 1);
}

#[tokio::test]
async fn token_error_mapping() {
    let cases: Vec<(u16, serde_json::Value, HaloError)> = vec![
        (
            401,
            json!({"error": "invalid_client"}),
            HaloError::InvalidClient,
        ),
        (
            400,
            json!({"error": "invalid_scope", "error_description": "read:actions is not allowed"}),
            HaloError::InvalidScope("read:actions is not allowed".into()),
        ),
        (
            400,
            json!({"error": "invalid_grant", "error_description": "wrong flow"}),
            HaloError::InvalidGrant("wrong flow".into()),
        ),
        (
            400,
            json!({"error": "unsupported_grant_type"}),
            HaloError::TokenError(400, "unsupported_grant_type".into()),
        ),
    ];
    for (status, body, want) in cases {
        let body2 = body.clone();
        let fake = serve(move |_| {
            let body = body2.clone();
            async move { json(status, body) }
        })
        .await;
        let err = client(&fake.url).token().await.unwrap_err();
        assert_eq!(err, want, "{body}");
        // Token errors are not retried.
        assert_eq!(fake.hits("/auth/token").len(), 1);
    }
    let fake = serve(|_| async { text(500, "Server exploded") }).await;
    let err = client(&fake.url).token().await.unwrap_err();
    assert_eq!(err, HaloError::TokenError(500, "Server exploded".into()));
}

#[tokio::test]
async fn token_request_survives_rate_limit() {
    let n = Arc::new(AtomicUsize::new(0));
    let n2 = n.clone();
    let fake = serve(move |_| {
        let n = n2.clone();
        async move {
            if n.fetch_add(1, Ordering::SeqCst) == 0 {
                text(429, "Rate Limit Reached")
            } else {
                json(200, token_json())
            }
        }
    })
    .await;
    client(&fake.url).token().await.unwrap();
    assert_eq!(fake.hits("/auth/token").len(), 2);
}

#[tokio::test]
async fn token_answer_without_access_token_is_an_error() {
    let fake = serve(|_| async { json(200, json!({"token_type": "Bearer"})) }).await;
    let err = client(&fake.url).token().await.unwrap_err();
    assert!(matches!(err, HaloError::TokenError(200, _)), "{err:?}");
}

/// A Halo whose authinfo answers after `delay` with `auth_path` on its own host (and `tenant`),
/// and whose token endpoints (any path ending in `/token`) answer after `delay` too, with an
/// access token naming the path it came from; `refuse_without_tenant` refuses a token request
/// that carries no tenant. API calls echo the bearer they got as the agent's name.
async fn slow_halo(
    delay: std::time::Duration,
    auth_path: &'static str,
    tenant: Option<&'static str>,
    refuse_without_tenant: bool,
) -> Fake {
    let me = Arc::new(std::sync::OnceLock::<String>::new());
    let me2 = me.clone();
    let fake = serve(move |s: Seen| {
        let me = me2.clone();
        async move {
            let path = s.path_only().to_string();
            if path == "/api/authinfo" {
                tokio::time::sleep(delay).await;
                let base = me.get().cloned().unwrap_or_default();
                return json(
                    200,
                    json!({"auth_url": format!("{base}{auth_path}"), "tenant_id": tenant}),
                );
            }
            if path.ends_with("/token") {
                tokio::time::sleep(delay).await;
                if refuse_without_tenant && !s.query().contains_key("tenant") {
                    return json(400, json!({"error": "invalid_request"}));
                }
                return json(
                    200,
                    json!({"access_token": format!("tok{path}"), "scope": "all admin"}),
                );
            }
            let bearer = s.headers.get("authorization").cloned().unwrap_or_default();
            json(200, json!({"id": 1, "name": bearer}))
        }
    })
    .await;
    me.set(fake.url.clone()).unwrap();
    fake
}

fn hosted(url: &str) -> halo_onboard::plan::session::Place {
    halo_onboard::plan::session::Place::Hosted {
        url: url.to_string(),
        auth_url: None,
        tenant: None,
    }
}

/// The token is asked beside authinfo, at the login server the typed URL implies: one round
/// trip for both. Authinfo naming that server (with a tenant) keeps the answer, and the
/// endpoint takes authinfo's tenant.
#[tokio::test]
async fn connect_asks_the_token_beside_authinfo() {
    let delay = std::time::Duration::from_millis(300);
    let fake = slow_halo(delay, "/auth", Some("acme"), false).await;
    let t = std::time::Instant::now();
    let c = halo_onboard::plan::session::connect(
        &hosted(&fake.url),
        CLIENT_ID,
        SECRET.to_string().into(),
        fast_opts(),
    )
    .await
    .unwrap();
    let took = t.elapsed();
    assert!(
        took < (delay * 2).checked_sub(delay / 3).unwrap(),
        "two round trips: {took:?}"
    );
    assert_eq!(c.endpoint().auth_url, format!("{}/auth", fake.url));
    assert_eq!(c.endpoint().tenant.as_deref(), Some("acme"));
    assert_eq!(c.token.scopes, ["all", "admin"]);
    // The early token serves the calls: no second token request.
    let me = c.client.me().await.unwrap();
    assert_eq!(me.name, "Bearer tok/auth/token");
    let tok = fake.hits("/auth/token");
    assert_eq!(tok.len(), 1, "{tok:?}");
    assert_eq!(tok[0].form()["client_secret"], SECRET);
}

/// Authinfo names another login server on the same host (another path): the early answer is
/// dropped and the token is asked there; the calls use that one.
#[tokio::test]
async fn an_early_token_for_another_login_server_is_dropped() {
    let fake = slow_halo(std::time::Duration::from_millis(50), "/auth2", None, false).await;
    let c = halo_onboard::plan::session::connect(
        &hosted(&fake.url),
        CLIENT_ID,
        SECRET.to_string().into(),
        fast_opts(),
    )
    .await
    .unwrap();
    assert_eq!(c.endpoint().auth_url, format!("{}/auth2", fake.url));
    assert_eq!(c.client.me().await.unwrap().name, "Bearer tok/auth2/token");
    assert_eq!(fake.hits("/auth2/token").len(), 1);
    assert!(fake.hits("/auth/token").len() <= 1);
}

/// A refused early request without the tenant authinfo then reports is not the answer: the
/// token is asked again with the tenant, as discovery says.
#[tokio::test]
async fn an_early_refusal_without_the_tenant_is_asked_again() {
    let fake = slow_halo(
        std::time::Duration::from_millis(50),
        "/auth",
        Some("acme"),
        true,
    )
    .await;
    let c = halo_onboard::plan::session::connect(
        &hosted(&fake.url),
        CLIENT_ID,
        SECRET.to_string().into(),
        fast_opts(),
    )
    .await
    .unwrap();
    let tok = fake.hits("/auth/token");
    assert_eq!(tok.len(), 2, "{tok:?}");
    assert_eq!(tok[1].query()["tenant"], "acme");
    assert_eq!(c.endpoint().tenant.as_deref(), Some("acme"));
}

/// Authinfo putting the login on another host the admin did not confirm: refused, and that
/// host never sees the secret (the early request went only to the typed host).
#[tokio::test]
async fn the_early_token_never_goes_where_authinfo_points() {
    let other = serve(|_| async { json(200, token_json()) }).await;
    let to = format!("{}/auth", other.url.replace("127.0.0.1", "localhost"));
    let f = serve(move |s: Seen| {
        let to = to.clone();
        async move {
            if s.path_only() == "/api/authinfo" {
                json(200, json!({"auth_url": to}))
            } else {
                json(200, token_json())
            }
        }
    })
    .await;
    let err = halo_onboard::plan::session::connect(
        &hosted(&f.url),
        CLIENT_ID,
        SECRET.to_string().into(),
        fast_opts(),
    )
    .await
    .unwrap_err();
    assert!(matches!(err, HaloError::AuthElsewhere(..)), "{err:?}");
    assert!(other.seen().is_empty(), "{:?}", other.seen());
}
