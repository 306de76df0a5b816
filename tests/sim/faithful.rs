//! The emulator answers to `evidence/` only: it serves only the paths of Halo's published API
//! (404 otherwise, 405 for a method the spec lacks, 501 "not emulated" for a spec path it does
//! not play), stores only schema fields, refuses wrong JSON types, and keeps claims it does not
//! understand without granting anything.

use halo_onboard::evidence;
use halo_onboard::sim;
use serde_json::{Value, json};

use crate::common::emulator::emulator;
use crate::raw::*;

#[tokio::test]
async fn a_path_halo_lacks_is_404_and_software_releases_are_release() {
    let sim = emulator().await;
    let tok = admin_token(&sim).await;
    for path in [
        "/api/Software",
        "/api/Software?count=1",
        "/api/NoSuchThing",
        "/api/Agent/me/x",
    ] {
        let (s, b) = get(&sim, &tok, path).await;
        assert_eq!(s, 404, "{path}: {b}");
    }
    // Even without a token: the route does not exist.
    assert_eq!(fetch(&sim, "/api/Software", None).await.status(), 404);
    let (s, v) = get(&sim, &tok, "/api/Release?count=1").await;
    assert_eq!(s, 200, "{v}");
    assert_eq!(v["releases"].as_array().unwrap().len(), 1);
    sim.shutdown().await;
}

#[tokio::test]
async fn a_spec_path_the_emulator_does_not_play_is_501_not_a_made_up_success() {
    let sim = emulator().await;
    let tok = admin_token(&sim).await;
    for (method, path) in [
        (reqwest::Method::GET, "/api/Actions"),
        (reqwest::Method::GET, "/api/Release/1"),
        (reqwest::Method::DELETE, "/api/Tickets/1001"),
        (reqwest::Method::POST, "/api/Webhook"),
    ] {
        let body = (method == reqwest::Method::POST).then(|| json!([{}]));
        let (s, b) = call(&sim, method.clone(), &tok, path, body).await;
        assert_eq!(s, 501, "{method} {path}: {b}");
        assert!(
            b["Message"].as_str().unwrap().contains("not emulated"),
            "{b}"
        );
    }
    // A method the spec lacks on a path it has: 405.
    for (method, path) in [
        (reqwest::Method::PUT, "/api/Agent"),
        (reqwest::Method::DELETE, "/api/Application"),
        (reqwest::Method::POST, "/api/Agent/me"),
    ] {
        assert_eq!(
            call(&sim, method.clone(), &tok, path, None).await.0,
            405,
            "{method} {path}"
        );
    }
    sim.shutdown().await;
}

/// Every route the emulator serves is a path and method of the spec extract, and answers (no
/// 404, 405 or 501) for the bootstrap administrator.
#[tokio::test]
async fn every_served_route_is_a_spec_path() {
    let sim = emulator().await;
    let tok = admin_token(&sim).await;
    let routes = sim::routes();
    for (method, template) in &routes {
        assert!(
            evidence::spec().allows(method, template),
            "{method} {template} is not in evidence/halo-api/paths.json"
        );
        if *method == "GET" && !template.contains('{') {
            let (s, b) = get(&sim, &tok, &format!("/api{template}")).await;
            assert_eq!(s, 200, "{method} {template}: {b}");
        }
    }
    // The configuration objects and every probe area are among them.
    for path in [
        "/Agent",
        "/Roles",
        "/Team",
        "/TopLevel",
        "/Workday",
        "/Application",
    ] {
        for m in ["GET", "POST"] {
            assert!(routes.contains(&(m, path.to_string())), "{m} {path}");
        }
        assert!(
            routes.contains(&("DELETE", format!("{path}/{{id}}"))),
            "{path}"
        );
    }
    for a in evidence::areas() {
        assert!(routes.contains(&("GET", a.path.clone())), "{}", a.path);
    }
    sim.shutdown().await;
}

#[tokio::test]
async fn only_schema_fields_are_stored_and_the_log_names_the_rest() {
    let sim = emulator().await;
    let tok = admin_token(&sim).await;
    sim.clear_requests();
    let (s, a) = post(
        &sim,
        &tok,
        "/api/Agent",
        json!([{"name": "bot", "notes": "[ours]", "teams": [{"team_id": 1, "colour": "red"}]}]),
    )
    .await;
    assert_eq!(s, 201, "{a}");
    assert!(
        a.get("notes").is_none() && a["teams"][0].get("colour").is_none(),
        "{a}"
    );
    let id = a["id"].as_i64().unwrap();
    assert!(sim.with_state(|st| !st.agent(id).unwrap().has("notes")));
    let (s, app) = post(
        &sim,
        &tok,
        "/api/Application",
        json!([{"displayName": "Vendor", "description": "[halo-onboard:x]", "loginas_agent_id": id,
                "apiKeyExpiryDays": 5, "scopes": [{"name": "read:tickets"}]}]),
    )
    .await;
    assert_eq!(s, 201, "{app}");
    assert!(
        app.get("description").is_none(),
        "not in NHD_Identity_Application: {app}"
    );
    assert!(
        app.get("apiKeyExpiryDays").is_none(),
        "Halo's to report, not the client's"
    );
    let log = sim.requests();
    let posts: Vec<&sim::RequestRecord> = log.iter().filter(|r| r.method == "POST").collect();
    assert_eq!(posts[0].dropped_fields, ["notes", "teams[].colour"]);
    assert_eq!(posts[1].dropped_fields, ["apiKeyExpiryDays", "description"]);
    let app_id = app["id"].as_str().unwrap().to_string();
    assert!(sim.with_state(|st| !st.application(&app_id).unwrap().has("description")));
    sim.shutdown().await;
}

#[tokio::test]
async fn wrong_json_types_are_refused_and_change_nothing() {
    let sim = emulator().await;
    let tok = admin_token(&sim).await;
    let before = sim.with_state(|st| st.clone());
    for (path, body, needle) in [
        (
            "/api/Agent",
            json!([{"name": "x", "workday_id": 1.0}]),
            "workday_id",
        ),
        ("/api/Agent", json!([{"id": "3", "surname": "x"}]), "id"),
        (
            "/api/Agent",
            json!([{"name": "x", "roles": [{"id": 5}]}]),
            "roles[].id",
        ),
        ("/api/Roles", json!([{"id": 1, "name": "x"}]), "id"),
        (
            "/api/Application",
            json!([{"displayName": "x", "loginas_agent_id": "2"}]),
            "loginas_agent_id",
        ),
        (
            "/api/Team",
            json!([{"name": "x", "inactive": "no"}]),
            "inactive",
        ),
    ] {
        let (s, b) = post(&sim, &tok, path, body.clone()).await;
        assert_eq!(s, 400, "{path} {body}: {b}");
        assert!(b["Message"].as_str().unwrap().contains(needle), "{b}");
    }
    assert!(sim.with_state(|st| *st == before), "nothing applied");
    // A path id of the wrong type.
    assert_eq!(get(&sim, &tok, "/api/Agent/abc").await.0, 400);
    assert_eq!(
        get(&sim, &tok, "/api/Roles/abc").await.0,
        404,
        "a string id that does not exist"
    );
    sim.shutdown().await;
}

/// No source shows Halo refusing a claim type: a claim the instance does not understand is
/// stored and read back, grants nothing, and is named in the request log.
#[tokio::test]
async fn unknown_claims_are_kept_grant_nothing_and_are_logged() {
    let sim = emulator().await;
    let tok = admin_token(&sim).await;
    sim.clear_requests();
    let claims = json!([{"type": "Zz", "value": "1"}, {"type": "Tx", "value": "7"},
                        {"type": "Ticket_Level", "value": "2"}, {"type": "l6", "value": "1"}]);
    let (s, r) = post(
        &sim,
        &tok,
        "/api/Roles",
        json!([{"name": "Odd", "claims": claims}]),
    )
    .await;
    assert_eq!(s, 201, "{r}");
    let role = r["id"].as_str().unwrap().to_string();
    let (_, back) = get(&sim, &tok, &format!("/api/Roles/{role}")).await;
    assert_eq!(back["claims"], claims, "read back as sent");
    assert_eq!(
        sim.requests().last().map(|q| q.ignored_claims.clone()),
        Some(Vec::new()),
        "a GET notes nothing"
    );
    let post_log = sim
        .requests()
        .into_iter()
        .find(|q| q.method == "POST")
        .unwrap();
    assert_eq!(post_log.ignored_claims, ["Zz=1", "Tx=7", "Ticket_Level=2"]);
    // An agent with only that role: no Tickets access.
    let agent = sim.with_state(move |st| {
        st.add_agent(json!({"name": "odd", "isapiagent": true, "roles": [{"id": role}]}))
    });
    let t = token_as(&sim, agent, "read:tickets").await;
    assert_eq!(get(&sim, &t, "/api/Tickets").await.0, 403);
    sim.shutdown().await;
}

/// What `with_state` puts in a record is held to the same schema: a field Halo lacks is dropped.
#[tokio::test]
async fn the_state_api_keeps_the_schema_invariant() {
    let sim = emulator().await;
    let id = sim.with_state(|st| {
        st.add_application(json!({"displayName": "Hand made", "description": "marker"}))
    });
    let v: Value = sim.with_state(|st| st.application(&id).unwrap().to_value());
    assert_eq!(v, json!({"id": id, "displayName": "Hand made"}));
    sim.shutdown().await;
}
