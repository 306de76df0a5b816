//! The emulator over raw HTTP: status codes and bodies of every route and error class.

use std::time::{Duration, Instant};

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use halo_onboard::evidence;
use halo_onboard::sim::{DropMode, SecretExpiry, SecretMode, SimConfig, SimHandle};
use serde_json::{Value, json};

use crate::common::emulator::{emulator, json_of, spawn};
use crate::raw::*;

// ---------------------------------------------------------------- auth server

#[tokio::test]
async fn authinfo_is_anonymous() {
    let sim = emulator().await;
    let r = fetch(&sim, "/api/authinfo", None).await;
    assert_eq!(r.status(), 200);
    let v: Value = r.json().await.unwrap();
    assert_eq!(
        v,
        json!({"auth_url": format!("{}/auth", sim.url), "tenant_id": "sandbox"})
    );
    // Case-insensitive path.
    let r = fetch(&sim, "/api/AuthInfo", None).await;
    assert_eq!(r.status(), 200);
    sim.shutdown().await;
}

#[tokio::test]
async fn token_via_form_and_basic() {
    let sim = emulator().await;
    let (status, body) =
        token_resp(&sim, &sim.client_id, &sim.client_secret, Some("all admin")).await;
    assert_eq!(status, 200);
    assert_eq!(body["token_type"], "Bearer");
    assert_eq!(body["expires_in"], 3600);
    assert_eq!(body["scope"], "all admin all:teams admin:webhooks");
    assert!(body["access_token"].as_str().unwrap().len() >= 32);
    let id_token = body["id_token"].as_str().unwrap();
    let parts: Vec<&str> = id_token.split('.').collect();
    assert_eq!(parts.len(), 3);
    let claims: Value = serde_json::from_slice(&URL_SAFE_NO_PAD.decode(parts[1]).unwrap()).unwrap();
    assert_eq!(claims["id"], 2);
    assert_eq!(claims["name"], "Bootstrap Admin");
    assert_eq!(claims["email"], "bootstrap.admin@sandbox.example");

    // client_secret_basic, and the right tenant in the query.
    let r = http()
        .post(format!("{}/auth/token?tenant=sandbox", sim.url))
        .basic_auth(&sim.client_id, Some(&sim.client_secret))
        .form(&[
            ("grant_type", "client_credentials"),
            ("scope", "read:tickets"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["scope"], "read:tickets");
    sim.shutdown().await;
}

#[tokio::test]
async fn token_endpoint_errors() {
    let sim = emulator().await;
    let (s, b) = token_resp(&sim, &sim.client_id, "wrong", Some("all")).await;
    assert_eq!((s, b["error"].as_str()), (401, Some("invalid_client")));
    assert!(b["error_description"].is_string());
    let (s, b) = token_resp(&sim, "no-such-client", "x", Some("all")).await;
    assert_eq!((s, b["error"].as_str()), (401, Some("invalid_client")));
    let (s, b) = token_resp(
        &sim,
        &sim.client_id,
        &sim.client_secret,
        Some("read:actions"),
    )
    .await;
    assert_eq!((s, b["error"].as_str()), (400, Some("invalid_scope")));

    let form = [
        ("grant_type", "client_credentials"),
        ("client_id", sim.client_id.as_str()),
        ("client_secret", sim.client_secret.as_str()),
        ("scope", "all"),
    ];
    let r = http()
        .post(format!("{}/auth/token?tenant=other", sim.url))
        .form(&form)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);
    let b: Value = r.json().await.unwrap();
    assert_eq!(b["error"], "invalid_request");
    assert!(b["error_description"].as_str().unwrap().contains("tenant"));

    let r = http()
        .post(format!("{}/auth/token", sim.url))
        .form(&[("grant_type", "password"), ("client_id", "x")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);
    let b: Value = r.json().await.unwrap();
    assert_eq!(b["error"], "unsupported_grant_type");

    // An app with only read:tickets: `all` yields its scopes, `admin` is not allowed.
    let (id, secret) = add_app(&sim, 2, &["read:tickets"]);
    let (s, b) = token_resp(&sim, &id, &secret, Some("all all:teams")).await;
    assert_eq!((s, b["scope"].as_str()), (200, Some("read:tickets")));
    let (s, b) = token_resp(&sim, &id, &secret, Some("admin")).await;
    assert_eq!((s, b["error"].as_str()), (400, Some("invalid_scope")));

    // Inactive application.
    sim.with_state(|s| s.application_mut(&id).unwrap().set("inactive", true));
    let (s, b) = token_resp(&sim, &id, &secret, Some("all")).await;
    assert_eq!((s, b["error"].as_str()), (401, Some("invalid_client")));
    sim.shutdown().await;
}

#[tokio::test]
async fn login_agent_must_exist_and_be_enabled() {
    let sim = emulator().await;
    let tok = admin_token(&sim).await;
    sim.with_state(|s| s.agent_mut(2).unwrap().set("isdisabled", true));
    let (s, b) = token_resp(&sim, &sim.client_id, &sim.client_secret, Some("all")).await;
    assert_eq!((s, b["error"].as_str()), (400, Some("invalid_grant")));
    assert!(
        b["error_description"]
            .as_str()
            .unwrap()
            .contains("disabled")
    );
    // A token issued before the agent was disabled stops working too.
    assert_eq!(get(&sim, &tok, "/api/Agent/me").await.0, 401);

    let (id, secret) = add_app(&sim, 999, &["all"]);
    let (s, b) = token_resp(&sim, &id, &secret, Some("all")).await;
    assert_eq!((s, b["error"].as_str()), (400, Some("invalid_grant")));
    sim.shutdown().await;
}

#[tokio::test]
async fn bearer_failures_are_401() {
    let sim = spawn(SimConfig {
        token_lifetime: Duration::from_millis(60),
        ..SimConfig::default()
    })
    .await;
    // No scope requested: a token is issued, but it opens nothing.
    let (s, b) = token_resp(&sim, &sim.client_id, &sim.client_secret, None).await;
    assert_eq!(s, 200);
    let scopeless = b["access_token"].as_str().unwrap().to_string();
    assert_eq!(get(&sim, &scopeless, "/api/Agent/me").await.0, 401);
    assert_eq!(get(&sim, &scopeless, "/api/Tickets").await.0, 401);

    let r = fetch(&sim, "/api/Agent/me", None).await;
    assert_eq!(r.status(), 401);
    assert!(r.headers().contains_key("www-authenticate"));
    assert_eq!(get(&sim, "not-a-token", "/api/Agent/me").await.0, 401);

    let tok = admin_token(&sim).await;
    assert_eq!(get(&sim, &tok, "/api/Agent/me").await.0, 200);
    tokio::time::sleep(Duration::from_millis(80)).await;
    assert_eq!(get(&sim, &tok, "/api/Agent/me").await.0, 401, "expired");
    sim.shutdown().await;
}

#[tokio::test]
async fn expire_tokens_now() {
    let sim = emulator().await;
    let tok = admin_token(&sim).await;
    assert_eq!(get(&sim, &tok, "/api/Agent/me").await.0, 200);
    sim.expire_tokens();
    assert_eq!(get(&sim, &tok, "/api/Agent/me").await.0, 401);
    // Through the control API as well.
    let tok = admin_token(&sim).await;
    let r = http()
        .post(format!("{}/_sim/expire-tokens", sim.url))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 204);
    assert_eq!(get(&sim, &tok, "/api/Agent/me").await.0, 401);
    sim.shutdown().await;
}

// ---------------------------------------------------------------- agents

#[tokio::test]
async fn agent_me_and_get() {
    let sim = emulator().await;
    let tok = admin_token(&sim).await;
    let (s, me) = get(&sim, &tok, "/API/agent/ME").await;
    assert_eq!(s, 200);
    assert_eq!(me["id"], 2);
    assert_eq!(me["name"], "Bootstrap Admin");
    assert_eq!(me["isapiagent"], true);
    let (s, a) = get(&sim, &tok, "/api/Agent/3").await;
    assert_eq!((s, a["name"].as_str()), (200, Some("Sam Support")));
    let (s, b) = get(&sim, &tok, "/api/Agent/999").await;
    assert_eq!(s, 404);
    assert!(b["Message"].as_str().unwrap().contains("999"));
    sim.shutdown().await;
}

#[tokio::test]
async fn agent_list_filters_and_envelope() {
    let sim = emulator().await;
    let tok = admin_token(&sim).await;
    sim.with_state(|s| {
        s.add_agent(
            json!({"id": 50, "name": "Gone Person", "email": "gone@x.example",
            "isdisabled": true, "isapiagent": false}),
        )
    });
    let (s, v) = get(&sim, &tok, "/api/Agent").await;
    assert_eq!(s, 200);
    assert_eq!(names(&v), ["Sam Support"]);
    let (_, v) = get(&sim, &tok, "/api/Agent?includeapiagents=true").await;
    assert_eq!(names(&v), ["Bootstrap Admin", "Sam Support"]);
    let (_, v) = get(
        &sim,
        &tok,
        "/api/Agent?includeapiagents=true&includedisabled=true&includeunassigned=true",
    )
    .await;
    assert_eq!(
        names(&v),
        [
            "Unassigned",
            "Bootstrap Admin",
            "Sam Support",
            "Gone Person"
        ]
    );
    let (_, v) = get(
        &sim,
        &tok,
        "/api/Agent?search=SANDBOX.example&includeapiagents=true",
    )
    .await;
    assert_eq!(names(&v), ["Bootstrap Admin", "Sam Support"]);
    let (_, v) = get(&sim, &tok, "/api/Agent?search=sam").await;
    assert_eq!(names(&v), ["Sam Support"]);

    let (_, v) = get(
        &sim,
        &tok,
        "/api/Agent?includeapiagents=true&pageinate=true&page_size=1&page_no=2",
    )
    .await;
    assert_eq!(v["page_no"], 2);
    assert_eq!(v["page_size"], 1);
    assert_eq!(v["record_count"], 2);
    assert_eq!(names(&v["agents"]), ["Sam Support"]);
    sim.shutdown().await;
}

#[tokio::test]
async fn agent_create_update_delete() {
    let sim = emulator().await;
    let tok = admin_token(&sim).await;
    let role_id = sim.with_state(|s| s.roles[1].key());
    let (s, a) = post(
        &sim,
        &tok,
        "/api/Agent",
        json!([{"name": "apiuser", "initials": "AU", "email": "api@x.example", "isapiagent": true,
                "roles": [{"id": role_id}], "teams": [{"team_id": 1}], "workday_id": 1}]),
    )
    .await;
    assert_eq!(s, 201, "{a}");
    assert!(a.is_object(), "one item posted -> one object back");
    let id = a["id"].as_i64().unwrap();
    assert!(id > 3);
    assert!(!a["colour"].as_str().unwrap().is_empty());
    assert_eq!(a["roles"][0]["name"], "1st Line Support");
    assert_eq!(a["teams"][0]["team_name"], "Service Desk");
    assert_eq!(a["workday_name"], "Default Working Hours");

    // Update by id keeps the fields not sent.
    let (s, u) = post(
        &sim,
        &tok,
        "/api/agent",
        json!([{"id": id, "surname": "Bot"}]),
    )
    .await;
    assert_eq!(s, 201);
    assert_eq!(
        (u["surname"].as_str(), u["email"].as_str()),
        (Some("Bot"), Some("api@x.example"))
    );

    // Several items -> an array.
    let (s, many) = post(
        &sim,
        &tok,
        "/api/Agent",
        json!([{"name": "a1"}, {"name": "a2"}]),
    )
    .await;
    assert_eq!(s, 201);
    assert_eq!(many.as_array().unwrap().len(), 2);
    assert_ne!(many[0]["id"], many[1]["id"]);

    let (s, b) = post(&sim, &tok, "/api/Agent", json!([{"id": 4242, "name": "x"}])).await;
    assert_eq!(s, 400);
    assert_eq!(b["Message"], "Agent 4242 does not exist");

    let (s, b) = delete(&sim, &tok, &format!("/api/Agent/{id}")).await;
    assert_eq!((s, b), (200, json!({"id": id})));
    assert_eq!(get(&sim, &tok, &format!("/api/Agent/{id}")).await.0, 404);
    assert_eq!(delete(&sim, &tok, &format!("/api/Agent/{id}")).await.0, 404);
    assert_eq!(
        delete(&sim, &tok, "/api/Agent/1").await.0,
        400,
        "system agent"
    );
    sim.shutdown().await;
}

#[tokio::test]
async fn agent_validation_is_400_and_atomic() {
    let sim = emulator().await;
    let tok = admin_token(&sim).await;
    let before = sim.with_state(|s| s.agents.len());
    for (body, needle) in [
        (json!([{"email": "x@x.example"}]), "name"),
        (json!([{"name": "  "}]), "name"),
        (json!([{"name": "ok", "initials": "ABCD"}]), "Initials"),
        (
            json!([{"name": "ok", "roles": [{"id": "nope"}]}]),
            "Role nope",
        ),
        (
            json!([{"name": "ok", "teams": [{"team_id": 77}]}]),
            "Team 77",
        ),
        (json!([{"name": "first"}, {"name": ""}]), "name"),
        (json!({"name": "not an array"}), "array"),
    ] {
        let (s, b) = post(&sim, &tok, "/api/Agent", body.clone()).await;
        assert_eq!(s, 400, "{body}");
        assert!(b["Message"].as_str().unwrap().contains(needle), "{b}");
    }
    assert_eq!(
        sim.with_state(|s| s.agents.len()),
        before,
        "nothing applied"
    );
    sim.shutdown().await;
}

// ---------------------------------------------------------------- roles, teams, ...

#[tokio::test]
async fn role_crud() {
    let sim = emulator().await;
    let tok = admin_token(&sim).await;
    let (s, v) = get(&sim, &tok, "/api/Roles").await;
    assert_eq!(s, 200);
    assert_eq!(names(&v), ["Administrator", "1st Line Support"]);
    // The list leaves the claims out; the role read with its details shows them.
    assert_eq!(v[0]["claims"], json!([]));
    let admin_id = v[0]["id"].as_str().unwrap().to_string();
    let (_, admin) = get(
        &sim,
        &tok,
        &format!("/api/Roles/{admin_id}?includedetails=true&isconfig=true"),
    )
    .await;
    assert_eq!(admin["claims"], json!([{"type": "SA", "value": "true"}]));
    let (_, first_line) = get(
        &sim,
        &tok,
        &format!("/api/Roles/{}", v[1]["id"].as_str().unwrap()),
    )
    .await;
    assert!(
        first_line["claims"]
            .as_array()
            .unwrap()
            .contains(&json!({"type": "Tx", "value": "2"})),
        "a limited role carries area codes: {first_line}"
    );

    let claims = json!([{"type": "Tx", "value": "1"}]);
    let (s, r) = post(
        &sim,
        &tok,
        "/api/Roles",
        json!([{"name": "Integration", "notes": "n", "claims": claims}]),
    )
    .await;
    assert_eq!(s, 201);
    let id = r["id"].as_str().unwrap().to_string();
    assert!(uuid::Uuid::parse_str(&id).is_ok(), "GUID id: {id}");
    assert_eq!(r["id_int"], 3);
    assert_eq!(r["claims"], claims);
    let (s, g) = get(&sim, &tok, &format!("/api/roles/{}", id.to_uppercase())).await;
    assert_eq!((s, g["name"].as_str()), (200, Some("Integration")));

    let (s, b) = post(&sim, &tok, "/api/Roles", json!([{"notes": "x"}])).await;
    assert_eq!(s, 400);
    assert!(b["Message"].as_str().unwrap().contains("name"));
    let (s, _) = post(&sim, &tok, "/api/Roles", json!([{"name": "integration"}])).await;
    assert_eq!(s, 400, "duplicate role name");

    let (s, b) = delete(&sim, &tok, &format!("/api/Roles/{id}")).await;
    assert_eq!((s, b["id"].as_str()), (200, Some(id.as_str())));
    assert_eq!(get(&sim, &tok, &format!("/api/Roles/{id}")).await.0, 404);
    sim.shutdown().await;
}

#[tokio::test]
async fn lists_are_bare_arrays_or_envelopes() {
    let sim = emulator().await;
    let tok = admin_token(&sim).await;
    for (path, plural, first) in [
        ("/api/Roles", "roles", "Administrator"),
        ("/api/Team", "teams", "Service Desk"),
        ("/api/TopLevel", "departments", "Support"),
        ("/api/Workday", "workdays", "Default Working Hours"),
        ("/api/Application", "applications", ""),
        ("/api/Agent", "agents", "Sam Support"),
    ] {
        let (s, bare) = get(&sim, &tok, path).await;
        assert_eq!(s, 200, "{path}");
        assert!(bare.is_array(), "{path}");
        let (s, env) = get(
            &sim,
            &tok,
            &format!("{path}?pageinate=true&page_size=50&page_no=1"),
        )
        .await;
        assert_eq!(s, 200);
        assert_eq!(
            env["record_count"].as_u64().unwrap() as usize,
            bare.as_array().unwrap().len()
        );
        assert_eq!(env[plural], bare, "{path}");
        if !first.is_empty() {
            assert_eq!(bare[0]["name"], first, "{path}");
        }
    }
    let (_, w) = get(&sim, &tok, "/api/Workday").await;
    assert_eq!(names(&w), ["Default Working Hours", "24 Hours"]);
    let (_, t) = get(&sim, &tok, "/api/Team").await;
    assert_eq!(names(&t), ["Service Desk", "Operations", "Projects"]);
    let (_, d) = get(&sim, &tok, "/api/TopLevel").await;
    assert_eq!(names(&d), ["Support", "Sales", "Projects"]);
    let (_, t) = get(&sim, &tok, "/api/Team?count=1").await;
    assert_eq!(t.as_array().unwrap().len(), 1);
    sim.shutdown().await;
}

#[tokio::test]
async fn team_department_workday_writes() {
    let sim = emulator().await;
    let tok = admin_token(&sim).await;
    let (s, d) = post(
        &sim,
        &tok,
        "/api/TopLevel",
        json!([{"name": "Integrations"}]),
    )
    .await;
    assert_eq!((s, d["id"].as_i64()), (201, Some(4)));
    let (s, t) = post(
        &sim,
        &tok,
        "/api/Team",
        json!([{"name": "API", "department_id": 4}]),
    )
    .await;
    assert_eq!((s, t["id"].as_i64()), (201, Some(4)));
    let (s, _) = post(
        &sim,
        &tok,
        "/api/Team",
        json!([{"name": "Bad", "department_id": 99}]),
    )
    .await;
    assert_eq!(s, 400);
    let (s, w) = post(
        &sim,
        &tok,
        "/api/Workday",
        json!([{"name": "Nights", "timezone": "UTC"}]),
    )
    .await;
    assert_eq!((s, w["id"].as_i64()), (201, Some(3)));
    assert_eq!(post(&sim, &tok, "/api/Workday", json!([{}])).await.0, 400);
    assert_eq!(delete(&sim, &tok, "/api/Team/4").await.0, 200);
    assert_eq!(get(&sim, &tok, "/api/Team/4").await.0, 404);
    assert_eq!(get(&sim, &tok, "/api/TopLevel/4").await.0, 200);
    sim.shutdown().await;
}

#[tokio::test]
async fn application_secret_rules() {
    let sim = emulator().await;
    let tok = admin_token(&sim).await;
    let (s, b) = post(
        &sim,
        &tok,
        "/api/Application",
        json!([{"displayName": "Bad", "loginas_agent_id": 999}]),
    )
    .await;
    assert_eq!(s, 400);
    assert!(b["Message"].as_str().unwrap().contains("999"));
    let (s, _) = post(
        &sim,
        &tok,
        "/api/Application",
        json!([{"displayName": "Bad", "scopes": [{"name": "read:actions"}]}]),
    )
    .await;
    assert_eq!(s, 400);

    let (s, app) = post(
        &sim,
        &tok,
        "/api/Application",
        json!([{"displayName": "Vendor", "grant_type": "client_credentials", "loginas_agent_id": 3,
                "scopes": [{"name": "read:tickets"}]}]),
    )
    .await;
    assert_eq!(s, 201, "{app}");
    let id = app["id"].as_str().unwrap().to_string();
    let client_id = app["clientId"].as_str().unwrap().to_string();
    let secret = app["clientSecret"].as_str().unwrap().to_string();
    assert!(uuid::Uuid::parse_str(&client_id).is_ok());
    assert_eq!(secret.len(), 73, "GUID-GUID: {secret}");
    assert_eq!(app["loginas_agent_name"], "Sam Support");

    let (_, got) = get(&sim, &tok, &format!("/api/Application/{id}")).await;
    assert!(
        got.get("clientSecret").is_none(),
        "GET never shows the secret"
    );
    let (_, all) = get(&sim, &tok, "/api/Application").await;
    assert!(
        all.as_array()
            .unwrap()
            .iter()
            .all(|a| a.get("clientSecret").is_none())
    );

    let (s, upd) = post(
        &sim,
        &tok,
        "/api/Application",
        json!([{"id": id, "description": "d"}]),
    )
    .await;
    assert_eq!(s, 201);
    assert!(upd.get("clientSecret").is_none());
    // The old secret still works after an update that did not touch it.
    assert_eq!(
        token_resp(&sim, &client_id, &secret, Some("read:tickets"))
            .await
            .0,
        200
    );

    let new_secret = format!("{}-{}", uuid::Uuid::new_v4(), uuid::Uuid::new_v4());
    let (s, upd) = post(
        &sim,
        &tok,
        "/api/Application",
        json!([{"id": id, "clientSecret": new_secret}]),
    )
    .await;
    assert_eq!(
        (s, upd["clientSecret"].as_str()),
        (201, Some(new_secret.as_str()))
    );
    assert_eq!(
        token_resp(&sim, &client_id, &secret, Some("read:tickets"))
            .await
            .0,
        401
    );
    assert_eq!(
        token_resp(&sim, &client_id, &new_secret, Some("read:tickets"))
            .await
            .0,
        200
    );

    let (s, b) = delete(&sim, &tok, &format!("/api/Application/{id}")).await;
    assert_eq!((s, b["id"].as_str()), (200, Some(id.as_str())));
    assert_eq!(
        token_resp(&sim, &client_id, &new_secret, Some("read:tickets"))
            .await
            .0,
        401
    );
    sim.shutdown().await;
}

// ---------------------------------------------------------------- permission model

#[tokio::test]
async fn scope_layer_403() {
    let sim = emulator().await;
    let (id, secret) = add_app(&sim, 2, &["read:tickets"]);
    let tok = token_for(&sim, &id, &secret, "read:tickets").await;
    let (s, b) = post(&sim, &tok, "/api/Agent", json!([{"name": "x"}])).await;
    assert_eq!(s, 403);
    assert_eq!(
        b,
        json!({"ClassName": "System.UnauthorizedAccessException",
               "Message": "The application does not have the admin permission"})
    );
    assert_eq!(get(&sim, &tok, "/api/Roles").await.0, 403);
    assert_eq!(get(&sim, &tok, "/api/Application").await.0, 403);
    assert_eq!(delete(&sim, &tok, "/api/Agent/3").await.0, 403);
    // Reading agents, teams, departments, work hours needs only a scope.
    for path in [
        "/api/Agent",
        "/api/Team",
        "/api/TopLevel",
        "/api/Workday",
        "/api/Agent/me",
    ] {
        assert_eq!(get(&sim, &tok, path).await.0, 200, "{path}");
    }
    assert_eq!(get(&sim, &tok, "/api/Tickets").await.0, 200);
    let (s, b) = get(&sim, &tok, "/api/Asset").await;
    assert_eq!(s, 403);
    assert_eq!(
        b["Message"],
        "The application does not have the read:assets permission"
    );
    let (s, b) = get(&sim, &tok, "/api/Webhook").await;
    assert_eq!(s, 403);
    assert_eq!(
        b["Message"],
        "The application does not have the admin:webhooks permission"
    );

    // edit:X implies read:X.
    let (id, secret) = add_app(&sim, 2, &["edit:assets"]);
    let tok = token_for(&sim, &id, &secret, "edit:assets").await;
    assert_eq!(get(&sim, &tok, "/api/Asset").await.0, 200);
    sim.shutdown().await;
}

#[tokio::test]
async fn role_layer_403() {
    let sim = emulator().await;
    // Sam Support: 1st Line Support (tickets edit, customers/assets/kb read), not an admin.
    let (id, secret) = add_app(&sim, 3, &["all", "admin", "admin:webhooks"]);
    let tok = token_for(&sim, &id, &secret, "all admin admin:webhooks").await;
    let (s, b) = post(&sim, &tok, "/api/Agent", json!([{"name": "x"}])).await;
    assert_eq!(s, 403);
    assert_eq!(
        b["Message"],
        "Agent Sam Support does not have administrator access through its roles"
    );
    assert_eq!(get(&sim, &tok, "/api/Roles").await.0, 403);
    assert_eq!(get(&sim, &tok, "/api/Webhook").await.0, 403);
    let (s, b) = get(&sim, &tok, "/api/Invoice").await;
    assert_eq!(s, 403);
    assert_eq!(
        b["Message"],
        "Agent Sam Support does not have Invoices access through its roles"
    );
    assert_eq!(get(&sim, &tok, "/api/Asset").await.0, 200);
    assert_eq!(get(&sim, &tok, "/api/Client").await.0, 200);

    // Granting the admin role through the state opens configuration.
    sim.with_state(|s| {
        let admin = s.roles[0].key();
        s.agent_mut(3)
            .unwrap()
            .list_mut("roles")
            .push(json!({ "id": admin }));
    });
    assert_eq!(get(&sim, &tok, "/api/Roles").await.0, 200);
    assert_eq!(get(&sim, &tok, "/api/Invoice").await.0, 200);
    sim.shutdown().await;
}

/// The default reading of ticket visibility (teams): Sam Support is in Service Desk, with both
/// membership flags, and has tickets of his own in Operations.
#[tokio::test]
async fn ticket_visibility_follows_teams() {
    let sim = emulator().await;
    let tickets = |v: &Value| ids(v, "tickets");
    let (id, secret) = add_app(&sim, 3, &["read:tickets", "all:teams"]);
    let tok = token_for(&sim, &id, &secret, "read:tickets").await;
    let (s, v) = get(&sim, &tok, "/api/Tickets").await;
    assert_eq!(s, 200);
    assert_eq!(tickets(&v), [1001, 1002, 1004], "his team's, and his own");
    assert_eq!(v["record_count"], 3);
    let tok_all = token_for(&sim, &id, &secret, "read:tickets all:teams").await;
    let (_, v) = get(&sim, &tok_all, "/api/Tickets").await;
    assert_eq!(tickets(&v), [1001, 1002, 1003, 1004, 1005]);
    let (_, v) = get(&sim, &tok_all, "/api/Tickets?count=1").await;
    assert_eq!(
        (tickets(&v), v["record_count"].as_i64()),
        (vec![1001], Some(5))
    );

    // No team membership: only his own tickets, and a list, not an error.
    sim.with_state(|s| s.agent_mut(3).unwrap().list_mut("teams").clear());
    let (s, v) = get(&sim, &tok, "/api/Tickets").await;
    assert_eq!((s, tickets(&v)), (200, vec![1002, 1004]));
    // A membership without the flags shows neither unassigned nor others' tickets.
    sim.with_state(|s| {
        s.agent_mut(3)
            .unwrap()
            .list_mut("teams")
            .push(json!({"team_id": 2}));
    });
    let (_, v) = get(&sim, &tok, "/api/Tickets").await;
    assert_eq!(tickets(&v), [1002, 1004]);
    sim.with_state(|s| {
        s.agent_mut(3).unwrap().set(
            "teams",
            json!([{"team_id": 2, "unassigned_access": true, "otheragent_access": false}]),
        );
    });
    let (_, v) = get(&sim, &tok, "/api/Tickets").await;
    assert_eq!(tickets(&v), [1002, 1003, 1004]);

    // The admin sees everything without all:teams.
    let admin = token_for(&sim, &sim.client_id, &sim.client_secret, "read:tickets").await;
    let (_, v) = get(&sim, &admin, "/api/Tickets").await;
    assert_eq!(v["record_count"], 5);
    sim.shutdown().await;
}

/// Every probe area of the evidence answers with its envelope key and seeded records.
#[tokio::test]
async fn every_area_probe_answers_with_an_envelope() {
    let sim = emulator().await;
    let tok = admin_token(&sim).await;
    for area in evidence::areas() {
        let path = format!("/api{}?count=1", area.path);
        let (s, v) = get(&sim, &tok, &path).await;
        assert_eq!(s, 200, "{path}: {v}");
        assert!(v["record_count"].as_u64().unwrap() >= 1, "{path}");
        let list = v[area.list_key.as_str()]
            .as_array()
            .unwrap_or_else(|| panic!("{path}: {v}"));
        assert_eq!(list.len(), 1, "{path} honours count=1");
    }
    let (_, v) = get(&sim, &tok, "/api/Client").await;
    assert_eq!(v["clients"].as_array().unwrap().len(), 3);
    let (_, v) = get(&sim, &tok, "/api/asset?count=2").await;
    assert_eq!(v["assets"].as_array().unwrap().len(), 2);
    sim.shutdown().await;
}

#[tokio::test]
async fn unknown_routes_and_methods() {
    let sim = emulator().await;
    let tok = admin_token(&sim).await;
    assert_eq!(get(&sim, &tok, "/api/NoSuchThing").await.0, 404);
    assert_eq!(get(&sim, &tok, "/nowhere").await.0, 404);
    assert_eq!(
        call(&sim, reqwest::Method::PUT, &tok, "/api/Agent", None)
            .await
            .0,
        405
    );
    assert_eq!(
        call(&sim, reqwest::Method::PUT, &tok, "/api/Tickets", None)
            .await
            .0,
        405
    );
    assert_eq!(post(&sim, &tok, "/api/Tickets", json!([])).await.0, 400);
    let r = fetch(&sim, "/auth/token", None).await;
    assert_eq!(r.status(), 405);
    sim.shutdown().await;
}

// ---------------------------------------------------------------- rate limit and faults

#[tokio::test]
async fn rolling_window_rate_limit() {
    let sim = spawn(SimConfig {
        rate_limit: 3,
        rate_window: Duration::from_millis(150),
        ..SimConfig::default()
    })
    .await;
    let tok = admin_token(&sim).await; // 1: the token request counts too
    assert_eq!(get(&sim, &tok, "/api/Agent/me").await.0, 200); // 2
    assert_eq!(get(&sim, &tok, "/api/Agent/me").await.0, 200); // 3
    let r = fetch(&sim, "/api/Agent/me", Some(&tok)).await;
    assert_eq!(r.status(), 429);
    assert_eq!(
        r.text().await.unwrap(),
        "Rate Limit Reached - 3 Requests per rolling 150 millisecond window"
    );
    tokio::time::sleep(Duration::from_millis(160)).await;
    assert_eq!(
        get(&sim, &tok, "/api/Agent/me").await.0,
        200,
        "window rolled"
    );
    sim.shutdown().await;
}

#[tokio::test]
async fn default_rate_limit_message() {
    let sim = emulator().await;
    sim.force_429(1, None);
    let r = fetch(&sim, "/api/authinfo", None).await;
    assert_eq!(r.status(), 429);
    assert!(r.headers().get("retry-after").is_none());
    assert_eq!(
        r.text().await.unwrap(),
        "Rate Limit Reached - 300 Requests per rolling 5 minute window"
    );
    assert_eq!(fetch(&sim, "/api/authinfo", None).await.status(), 200);
    sim.shutdown().await;
}

#[tokio::test]
async fn forced_429_burst_with_retry_after_via_control_api() {
    let sim = emulator().await;
    let r = http()
        .post(format!("{}/_sim/faults", sim.url))
        .json(&json!({"force_429": 2, "retry_after": 7}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let f: Value = r.json().await.unwrap();
    assert_eq!(f["force_429"], 2);
    for _ in 0..2 {
        let r = fetch(&sim, "/api/authinfo", None).await;
        assert_eq!(r.status(), 429);
        assert_eq!(r.headers()["retry-after"], "7");
    }
    let r = fetch(&sim, "/api/authinfo", None).await;
    assert_eq!(r.status(), 200);
    sim.shutdown().await;
}

#[tokio::test]
async fn injected_server_errors_are_seeded() {
    async fn statuses(seed: u64) -> Vec<u16> {
        let sim = spawn(SimConfig {
            fail_rate: 0.5,
            seed,
            ..SimConfig::default()
        })
        .await;
        let mut out = Vec::new();
        for _ in 0..16 {
            let r = fetch(&sim, "/api/authinfo", None).await;
            out.push(r.status().as_u16());
        }
        sim.shutdown().await;
        out
    }
    let a = statuses(7).await;
    assert_eq!(a, statuses(7).await, "same seed, same faults");
    assert!(a.contains(&200));
    assert!(a.iter().any(|s| [500, 502, 503].contains(s)), "{a:?}");
    assert!(a.iter().all(|s| [200, 500, 502, 503].contains(s)));

    // fail_rate 1: every /api call fails, the token endpoint does not.
    let sim = emulator().await;
    sim.set_fail_rate(1.0);
    let (s, _) = token_resp(&sim, &sim.client_id, &sim.client_secret, Some("all")).await;
    assert_eq!(s, 200);
    let r = fetch(&sim, "/api/authinfo", None).await;
    assert!(r.status().is_server_error());
    sim.shutdown().await;
}

#[tokio::test]
async fn fixed_latency() {
    let sim = spawn(SimConfig {
        latency: Duration::from_millis(120),
        ..SimConfig::default()
    })
    .await;
    let t = Instant::now();
    fetch(&sim, "/api/authinfo", None).await;
    assert!(t.elapsed() >= Duration::from_millis(120));
    sim.set_latency(Duration::ZERO);
    let t = Instant::now();
    fetch(&sim, "/api/authinfo", None).await;
    assert!(t.elapsed() < Duration::from_millis(120));
    sim.shutdown().await;
}

async fn post_role_raw(sim: &SimHandle, tok: &str, name: &str) -> Result<String, reqwest::Error> {
    let r = http()
        .post(format!("{}/api/Roles", sim.url))
        .bearer_auth(tok)
        .json(&json!([{"name": name}]))
        .send()
        .await?;
    r.text().await
}

fn role_exists(sim: &SimHandle, name: &str) -> bool {
    sim.with_state(|s| s.count_named("roles", name) > 0)
}

#[tokio::test]
async fn dropped_connections_before_and_after_processing() {
    let sim = emulator().await;
    let tok = admin_token(&sim).await;

    sim.drop_connections(1, DropMode::BeforeProcessing);
    assert!(post_role_raw(&sim, &tok, "Lost before").await.is_err());
    assert!(!role_exists(&sim, "Lost before"), "never applied");

    sim.drop_connections(1, DropMode::AfterProcessing);
    assert!(post_role_raw(&sim, &tok, "Lost after").await.is_err());
    assert!(role_exists(&sim, "Lost after"), "applied, answer lost");

    // Back to normal.
    assert!(post_role_raw(&sim, &tok, "Fine").await.is_ok());
    let log = sim.requests();
    let dropped: Vec<_> = log.iter().filter(|r| r.dropped).collect();
    assert_eq!(dropped.len(), 2);
    assert_eq!(dropped[0].status, 0);
    assert_eq!(dropped[1].status, 201);

    // Via the control API.
    http()
        .post(format!("{}/_sim/faults", sim.url))
        .json(&json!({"drop_before": 1}))
        .send()
        .await
        .unwrap();
    assert!(post_role_raw(&sim, &tok, "Lost again").await.is_err());
    assert!(!role_exists(&sim, "Lost again"));
    sim.shutdown().await;
}

#[tokio::test]
async fn request_log() {
    let sim = emulator().await;
    let tok = admin_token(&sim).await;
    get(&sim, &tok, "/api/Agent/me").await;
    get(&sim, &tok, "/api/Agent/999").await;
    let log: Value = fetch(&sim, "/_sim/requests", None)
        .await
        .json()
        .await
        .unwrap();
    let rows: Vec<(String, String, u64)> = log
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            assert!(r["ts_ms"].as_u64().unwrap() > 1_600_000_000_000);
            (
                r["method"].as_str().unwrap().into(),
                r["path"].as_str().unwrap().into(),
                r["status"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        rows,
        [
            ("POST".into(), "/auth/token".into(), 200),
            ("GET".into(), "/api/Agent/me".into(), 200),
            ("GET".into(), "/api/Agent/999".into(), 404),
        ]
    );
    assert_eq!(sim.requests().len(), 3);
    let r = http()
        .delete(format!("{}/_sim/requests", sim.url))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 204);
    assert!(sim.requests().is_empty());
    get(&sim, &tok, "/api/Agent/me").await;
    sim.clear_requests();
    assert!(sim.requests().is_empty());
    sim.shutdown().await;
}

#[tokio::test]
async fn state_file_survives_restart() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("halo.json");
    let cfg = SimConfig {
        state_file: Some(path.clone()),
        ..SimConfig::default()
    };
    let sim = spawn(cfg.clone()).await;
    let (id, secret) = (sim.client_id.clone(), sim.client_secret.clone());
    let tok = admin_token(&sim).await;
    let (s, _) = post(&sim, &tok, "/api/Roles", json!([{"name": "Persisted"}])).await;
    assert_eq!(s, 201);
    sim.shutdown().await;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&path).unwrap().permissions().mode();
        assert_eq!(mode & 0o077, 0, "state file holds secrets: {mode:o}");
    }

    let sim = spawn(cfg).await;
    assert_eq!(
        (sim.client_id.as_str(), sim.client_secret.as_str()),
        (id.as_str(), secret.as_str())
    );
    assert!(role_exists(&sim, "Persisted"));
    let tok = admin_token(&sim).await;
    let (_, v) = get(&sim, &tok, "/api/Roles").await;
    assert!(names(&v).contains(&"Persisted".to_string()));
    sim.shutdown().await;
}

#[tokio::test]
async fn configured_bootstrap_credentials() {
    let sim = spawn(SimConfig {
        client_id: Some("my-id".into()),
        client_secret: Some("my-secret".into()),
        tenant: "acme".into(),
        ..SimConfig::default()
    })
    .await;
    assert_eq!(sim.client_id, "my-id");
    let r = http()
        .post(format!("{}/auth/token?tenant=acme", sim.url))
        .form(&[
            ("grant_type", "client_credentials"),
            ("client_id", "my-id"),
            ("client_secret", "my-secret"),
            ("scope", "all"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert!(!format!("{sim:?}").contains("my-secret"));
    sim.shutdown().await;
}

#[tokio::test]
async fn control_api_faults_and_state() {
    let sim = emulator().await;
    let f: Value = fetch(&sim, "/_sim/faults", None)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(f["rate_limit"], 300);
    assert_eq!(f["rate_window_ms"], 300_000);
    let r = http()
        .post(format!("{}/_sim/faults", sim.url))
        .json(&json!({"rate_limit": 1, "rate_window_ms": 150, "latency_ms": 5}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let f = sim.faults();
    assert_eq!((f.rate_limit, f.latency), (1, Duration::from_millis(5)));
    let url = format!("{}/api/authinfo", sim.url);
    assert_eq!(http().get(&url).send().await.unwrap().status(), 200);
    assert_eq!(http().get(&url).send().await.unwrap().status(), 429);
    let r = http()
        .post(format!("{}/_sim/faults", sim.url))
        .json(&json!({"rate_limit": "many"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);

    let state: Value = fetch(&sim, "/_sim/state", None).await.json().await.unwrap();
    assert_eq!(state["applications"][0]["clientId"], sim.client_id.as_str());
    assert!(!state.to_string().contains(&sim.client_secret));
    sim.shutdown().await;
}

/// `refuse_reads`: reads of the named resources answer 403 as Halo does for a role without the
/// area (a verification probe fails at the role layer); other reads and every write still work.
#[tokio::test]
async fn refuse_reads_denies_those_reads_only() {
    let sim = emulator().await;
    let r = http()
        .post(format!("{}/_sim/faults", sim.url))
        .json(&json!({"refuse_reads": ["Tickets", "client"]}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let tok = admin_token(&sim).await;
    for path in ["/api/Tickets?count=1", "/api/Client?count=1"] {
        let r = fetch(&sim, path, Some(&tok)).await;
        assert_eq!(r.status(), 403, "{path}");
        let body = r.text().await.unwrap();
        assert!(body.contains("refuse_reads"), "{body}");
    }
    for path in ["/api/Team", "/api/Roles", "/api/Asset?count=1"] {
        assert_eq!(fetch(&sim, path, Some(&tok)).await.status(), 200, "{path}");
    }
    sim.shutdown().await;
}

// ---------------------------------------------------------------- Halo's dialect

fn set_first_line(sim: &SimHandle, code: &str, value: &str) {
    let (code, value) = (code.to_string(), value.to_string());
    sim.with_state(move |st| {
        let claims = st
            .named_mut("roles", "1st Line Support")
            .unwrap()
            .list_mut("claims");
        claims.retain(|c| c["type"] != code.as_str());
        claims.push(json!({ "type": code, "value": value }));
    });
}

/// Access follows Halo's own codes and each area's scale: a read-only Tickets level refuses
/// ticket writes, Clients at "View (Names Only)" list names only, and an agent's own claims
/// count together with its roles'.
#[tokio::test]
async fn access_follows_halos_codes_and_scales() {
    let sim = emulator().await;
    // Sam Support holds 1st Line Support: Tickets Read and Modify, Can add new Tickets.
    let (id, secret) = add_app(&sim, 3, &["all", "admin"]);
    let tok = token_for(&sim, &id, &secret, "all admin").await;
    let (s, t) = post(
        &sim,
        &tok,
        "/api/Tickets",
        json!([{"summary": "x", "team": "Service Desk"}]),
    )
    .await;
    assert_eq!(s, 201, "{t}");
    assert_eq!(
        (t["summary"].as_str(), t["id"].as_i64()),
        (Some("x"), Some(1006))
    );
    set_first_line(&sim, "l6", "0");
    let (s, b) = post(&sim, &tok, "/api/Tickets", json!([{"summary": "y"}])).await;
    assert_eq!(s, 403, "no 'Can add new Tickets': {b}");
    set_first_line(&sim, "Tx", "1");
    let (s, b) = post(
        &sim,
        &tok,
        "/api/Tickets",
        json!([{"id": 1001, "summary": "z"}]),
    )
    .await;
    assert_eq!(s, 403, "read-only Tickets refuses writes: {b}");
    assert!(
        b["Message"]
            .as_str()
            .unwrap()
            .contains("Tickets Read and Modify")
    );
    assert_eq!(
        get(&sim, &tok, "/api/Tickets").await.0,
        200,
        "reading still works"
    );

    let (_, c) = get(&sim, &tok, "/api/Client").await;
    assert!(
        c["clients"][0].get("website").is_some(),
        "Read Only shows the record: {c}"
    );
    set_first_line(&sim, "Ux", "1");
    let (_, c) = get(&sim, &tok, "/api/Client").await;
    let keys: Vec<&String> = c["clients"][0].as_object().unwrap().keys().collect();
    assert_eq!(keys, ["id", "name"], "View (Names Only)");
    set_first_line(&sim, "Ux", "0");
    assert_eq!(get(&sim, &tok, "/api/Client").await.0, 403, "No Access");

    // Not an administrator through its role; its own SA claim makes it one.
    assert_eq!(get(&sim, &tok, "/api/Roles").await.0, 403);
    sim.with_state(|st| {
        st.agent_mut(3)
            .unwrap()
            .set("claims", json!([{"type": "SA", "value": "true"}]));
    });
    assert_eq!(get(&sim, &tok, "/api/Roles").await.0, 200);
    sim.shutdown().await;
}

/// How Halo issues an application's secret, played three ways, and its expiry.
#[tokio::test]
async fn secret_modes_and_expiry() {
    let sim = emulator().await;
    let tok = admin_token(&sim).await;
    let app = |name: &str| {
        json!([{"displayName": name, "clientId": "posted-id", "clientSecret": "posted-secret",
                "loginas_agent_id": 2, "scopes": [{"name": "all"}]}])
    };
    // Honour: the posted values are kept; the answer shows the secret once.
    let (s, a) = post(&sim, &tok, "/api/Application", app("honour")).await;
    assert_eq!(s, 201);
    assert_eq!(
        (a["clientId"].as_str(), a["clientSecret"].as_str()),
        (Some("posted-id"), Some("posted-secret"))
    );
    let (_, g) = get(
        &sim,
        &tok,
        &format!("/api/Application/{}", a["id"].as_str().unwrap()),
    )
    .await;
    assert!(
        g.get("clientSecret").is_none_or(|v| v == ""),
        "never on GET: {g}"
    );

    // Generate: Halo's own, returned once in the POST answer.
    sim.set_secret_mode(SecretMode::Generate);
    let (_, a) = post(&sim, &tok, "/api/Application", app("generate")).await;
    let (cid, sec) = (
        a["clientId"].as_str().unwrap(),
        a["clientSecret"].as_str().unwrap(),
    );
    assert!(
        cid != "posted-id" && !sec.is_empty() && sec != "posted-secret",
        "{a}"
    );
    assert_eq!(token_resp(&sim, cid, sec, Some("all")).await.0, 200);
    assert_eq!(
        token_resp(&sim, cid, "posted-secret", Some("all")).await.0,
        401
    );
    let (_, g) = get(
        &sim,
        &tok,
        &format!("/api/Application/{}", a["id"].as_str().unwrap()),
    )
    .await;
    assert!(g.get("clientSecret").is_none_or(|v| v == ""), "{g}");

    // Hidden: never returned; the form's Generate (the test API) is the only way to learn it.
    sim.set_secret_mode(SecretMode::Hidden);
    let (_, a) = post(&sim, &tok, "/api/Application", app("hidden")).await;
    assert!(a.get("clientSecret").is_none_or(|v| v == ""), "{a}");
    let app_id = a["id"].as_str().unwrap();
    let cid = a["clientId"].as_str().unwrap();
    assert_ne!(cid, "posted-id");
    assert_eq!(
        token_resp(&sim, cid, "posted-secret", Some("all")).await.0,
        401
    );
    let r: Value = json_of(http().post(format!(
        "{}/_sim/applications/{app_id}/generate-secret",
        sim.url
    )))
    .await;
    let sec = r["client_secret"].as_str().unwrap();
    assert_eq!(token_resp(&sim, cid, sec, Some("all")).await.0, 200);

    // Expiry, when asked (key slots): days and the date on the application.
    sim.with_faults(|f| {
        f.secret_expiry = SecretExpiry::KeySlots;
        f.secret_expiry_days = Some(30);
    });
    sim.set_secret_mode(SecretMode::Honour);
    let mut body = app("expiring");
    body[0]["clientId"] = json!("another-posted-id");
    let (s, a) = post(&sim, &tok, "/api/Application", body).await;
    assert_eq!(s, 201, "{a}");
    assert_eq!(a["apiKeyExpiryDays"], 30);
    assert!(a["apiKey1ExpiryDate"].as_str().unwrap().len() >= 10, "{a}");
    sim.shutdown().await;
}
