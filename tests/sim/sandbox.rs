//! The real binary: `halo-onboard sandbox` prints one JSON line and serves the reference's
//! conversation (discover, token, whoami, role, API agent, application, the new app's token).

use std::time::Duration;

use serde_json::{Value, json};
use tokio::io::{AsyncBufReadExt, AsyncReadExt, BufReader};

use crate::common::bin::Home;
use crate::common::emulator::json_of;

async fn token(
    http: &reqwest::Client,
    auth_url: &str,
    tenant: &str,
    id: &str,
    secret: &str,
    scope: &str,
) -> String {
    let r = http
        .post(format!("{auth_url}/token?tenant={tenant}"))
        .form(&[
            ("grant_type", "client_credentials"),
            ("client_id", id),
            ("client_secret", secret),
            ("scope", scope),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let v: Value = r.json().await.unwrap();
    v["access_token"].as_str().unwrap().to_string()
}

async fn post(http: &reqwest::Client, url: &str, tok: &str, body: Value) -> Value {
    let r = http
        .post(url)
        .bearer_auth(tok)
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201);
    r.json().await.unwrap()
}

#[tokio::test]
async fn sandbox_binary_serves_the_reference_conversation() {
    let home = Home::new();
    let args = ["sandbox", "--listen", "127.0.0.1:0", "--tenant", "acme"];
    let mut child = home.command(args, &[]).spawn().unwrap();
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    let mut line = String::new();
    tokio::time::timeout(Duration::from_secs(20), stdout.read_line(&mut line))
        .await
        .unwrap()
        .unwrap();
    assert!(line.starts_with("{\"url\":\"http://127.0.0.1:"), "{line}");
    let hello: Value = serde_json::from_str(line.trim()).unwrap();
    let obj = hello.as_object().unwrap();
    assert_eq!(
        obj.len(),
        3,
        "exactly url, client_id, client_secret: {line}"
    );
    let base = hello["url"].as_str().unwrap().to_string();
    assert!(base.starts_with("http://127.0.0.1:") && !base.ends_with(":0"));
    let (cid, secret) = (
        hello["client_id"].as_str().unwrap().to_string(),
        hello["client_secret"].as_str().unwrap().to_string(),
    );

    let http = crate::common::http();
    let info: Value = json_of(http.get(format!("{base}/api/authinfo"))).await;
    let auth_url = info["auth_url"].as_str().unwrap().to_string();
    let tenant = info["tenant_id"].as_str().unwrap().to_string();
    assert_eq!(tenant, "acme");
    let tok = token(&http, &auth_url, &tenant, &cid, &secret, "all admin").await;
    let me: Value = json_of(http.get(format!("{base}/api/Agent/me")).bearer_auth(&tok)).await;
    assert_eq!(me["name"], "Bootstrap Admin");

    let role = post(
        &http,
        &format!("{base}/api/Roles"),
        &tok,
        json!([{"name": "Vendor Role", "claims": [{"type": "Tx", "value": "1"}]}]),
    )
    .await;
    let agent = post(
        &http,
        &format!("{base}/api/Agent"),
        &tok,
        json!([{"name": "vendor-api", "initials": "VA", "email": "vendor@acme.example",
                "isapiagent": true, "roles": [{"id": role["id"]}], "teams": [{"team_id": 1}]}]),
    )
    .await;
    let new_secret = format!("{}-{}", uuid::Uuid::new_v4(), uuid::Uuid::new_v4());
    let app = post(
        &http,
        &format!("{base}/api/Application"),
        &tok,
        json!([{"displayName": "Vendor", "grant_type": "client_credentials", "loginentity": 0,
                "loginas_agent_id": agent["id"], "clientSecret": new_secret,
                "scopes": [{"name": "read:tickets"}]}]),
    )
    .await;
    let new_id = app["clientId"].as_str().unwrap();
    let new_tok = token(
        &http,
        &auth_url,
        &tenant,
        new_id,
        &new_secret,
        "read:tickets",
    )
    .await;
    let me: Value = json_of(
        http.get(format!("{base}/api/agent/me"))
            .bearer_auth(&new_tok),
    )
    .await;
    assert_eq!(me["id"], agent["id"]);
    assert_eq!(me["name"], "vendor-api");
    let tickets = http
        .get(format!("{base}/api/Tickets?count=1"))
        .bearer_auth(&new_tok)
        .send()
        .await
        .unwrap();
    assert_eq!(tickets.status(), 200);

    // SIGTERM stops it cleanly; stderr logged requests but never a secret or token.
    let pid = i32::try_from(child.id().unwrap()).unwrap();
    unsafe {
        libc::kill(pid, libc::SIGTERM);
    }
    let status = tokio::time::timeout(Duration::from_secs(10), child.wait())
        .await
        .unwrap()
        .unwrap();
    assert!(status.success(), "{status:?}");
    let mut rest = String::new();
    stdout.read_to_string(&mut rest).await.unwrap();
    assert_eq!(rest, "", "exactly one line on stdout");
    let mut err = String::new();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut err)
        .await
        .unwrap();
    assert!(err.contains("POST /auth/token -> 200"), "{err}");
    assert!(err.contains("GET /api/Agent/me -> 200"), "{err}");
    for s in [&secret, &new_secret, &tok, &new_tok] {
        assert!(!err.contains(s.as_str()), "secret leaked to stderr");
    }
}

#[tokio::test]
async fn sandbox_rejects_a_bad_rate_limit() {
    let out = Home::new()
        .run(["sandbox", "--rate-limit", "lots"], &[])
        .await;
    assert_eq!(out.code, 2);
    assert!(out.stdout.is_empty());
    let err = &out.stderr;
    assert!(
        err.contains("--rate-limit") && err.contains("REQUESTS/SECONDS"),
        "{err}"
    );
}

/// Every variant flag reaches the running sandbox, shown by the evidence's names.
#[tokio::test]
async fn sandbox_variant_flags_reach_the_emulator() {
    let sb = crate::common::bin::sandbox(&[
        "--ticket-visibility",
        "departments",
        "--denial",
        "empty",
        "--agent-listing",
        "admin",
        "--rate-limit-preset",
        "450/300",
        "--secret-mode",
        "generate",
        "--secret-expiry",
        "key_slots",
        "--list-shape",
        "envelope",
        "--dialect",
        "mixed",
    ])
    .await;
    let f: Value = json_of(crate::common::http().get(format!("{}/_sim/faults", sb.url))).await;
    for (key, want) in [
        ("ticket_visibility", json!("departments")),
        ("denial", json!("empty")),
        ("agent_listing", json!("admin")),
        ("rate_limit", json!(450)),
        ("rate_window_ms", json!(300_000)),
        ("secret_mode", json!("generate")),
        ("secret_expiry", json!("key_slots")),
        ("list_shape", json!("envelope")),
    ] {
        assert_eq!(f[key], want, "{key}: {f}");
    }
    let state: Value = json_of(crate::common::http().get(format!("{}/_sim/state", sb.url))).await;
    assert_eq!(state["dialect"], "mixed");
}
