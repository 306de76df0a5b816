//! Typed endpoints: paths and query parameters, both list shapes, pagination, POST-array saves,
//! deletes, unknown fields.

use crate::common::fake::*;
use halo_onboard::halo::{Agent, AgentQuery, Application, Role, ScopeRef};
use serde_json::json;

#[tokio::test]
async fn bare_array_and_envelope_lists() {
    let fake = with_token(|s: Seen| async move {
        match s.path_only() {
            "/api/Team" => json(200, json!([{"id": 1, "name": "Support", "unknown_field": {"deep": [1]}}])),
            "/api/Workday" => json(
                200,
                json!({"record_count": 1, "workdays": [{"id": 3, "name": "Default Working Hours", "timezone": "UTC"}]}),
            ),
            // Envelope under an unexpected key: the array is found anyway.
            "/api/TopLevel" => json(200, json!({"record_count": 2, "columns": "x", "records": [{"id": 1, "name": "A"}, {"id": 2, "name": "B"}]})),
            "/api/Roles" => json(200, json!({"roles": [{"id": "guid-1", "name": "Administrator", "claims": [{"type": "SA", "value": "true"}]}]})),
            "/api/Application" => json(200, json!([{"id": "app-1", "clientId": "c", "displayName": "Vendor", "scopes": [{"name": "all"}]}])),
            _ => text(404, ""),
        }
    })
    .await;
    let c = client(&fake.url);
    let teams = c.teams().await.unwrap();
    assert_eq!((teams[0].id, teams[0].name.as_str()), (Some(1), "Support"));
    let w = c.workdays().await.unwrap();
    assert_eq!(w[0].name, "Default Working Hours");
    let d = c.departments().await.unwrap();
    assert_eq!(
        d.iter().map(|x| x.name.as_str()).collect::<Vec<_>>(),
        ["A", "B"]
    );
    let roles = c.roles().await.unwrap();
    assert!(roles[0].is_admin());
    let apps = c.applications().await.unwrap();
    assert_eq!(apps[0].scope_names(), ["all"]);
    // No list needed a second page.
    assert!(fake.seen().iter().all(|s| !s.path.contains("page_no")));
}

#[tokio::test]
async fn pagination_collects_every_page() {
    let fake = with_token(|s: Seen| async move {
        let q = s.query();
        let total = 250usize;
        let (page, size) = if q.get("pageinate").map(String::as_str) == Some("true") {
            (
                q["page_no"].parse::<usize>().unwrap(),
                q["page_size"].parse::<usize>().unwrap(),
            )
        } else {
            (1, 50) // Halo's own default page when it paginates unasked.
        };
        let start = (page - 1) * size;
        let rows: Vec<_> = (start..(start + size).min(total))
            .map(|i| json!({"id": i, "name": format!("agent{i}")}))
            .collect();
        json(
            200,
            json!({"page_no": page, "page_size": size, "record_count": total, "agents": rows}),
        )
    })
    .await;
    let agents = client(&fake.url)
        .agents(&AgentQuery::default())
        .await
        .unwrap();
    assert_eq!(agents.len(), 250);
    let ids: Vec<i64> = agents.iter().filter_map(|a| a.id).collect();
    assert_eq!(ids, (0..250).collect::<Vec<_>>());
    let pages: Vec<String> = fake
        .hits("/api/Agent")
        .iter()
        .filter_map(|s| s.query().get("page_no").cloned())
        .collect();
    assert_eq!(pages, ["1", "2", "3"]);
    assert!(
        fake.hits("/api/Agent")
            .iter()
            .skip(1)
            .all(|s| s.query()["page_size"] == "100")
    );
}

#[tokio::test]
async fn pagination_stops_when_server_ignores_it() {
    // Claims 1000 rows but always answers the same 10.
    let fake = with_token(|_| async {
        let rows: Vec<_> = (0..10).map(|i| json!({"id": i})).collect();
        json(200, json!({"record_count": 1000, "teams": rows}))
    })
    .await;
    let teams = client(&fake.url).teams().await.unwrap();
    assert_eq!(teams.len(), 10);
    assert!(fake.hits("/api/Team").len() <= 3);
}

#[tokio::test]
async fn agent_query_parameters_and_paths() {
    let fake = with_token(|s: Seen| async move {
        match s.path_only() {
            "/api/Agent" => json(200, json!([])),
            "/api/Agent/5" => json(
                200,
                json!({"id": 5, "name": "api-user", "isapiagent": true}),
            ),
            "/api/Roles/03cbebd0-1c5e-4f3a-9b7d-2a6e8f0c4d11" => {
                json(200, json!({"id": ROLE, "name": "R"}))
            }
            "/api/Application/a1b2c3d4-0000-4000-8000-00000000000a" => {
                json(200, json!([{"id": APP, "displayName": "X"}]))
            }
            _ => text(404, ""),
        }
    })
    .await;
    let c = client(&fake.url);
    c.agents(&AgentQuery {
        search: Some("topleft api".into()),
        include_api_agents: true,
        include_disabled: true,
    })
    .await
    .unwrap();
    let q = fake.hits("/api/Agent")[0].query();
    assert_eq!(q["search"], "topleft api");
    assert_eq!(q["includeapiagents"], "true");
    assert_eq!(q["includedisabled"], "true");

    c.agents(&AgentQuery::default()).await.unwrap();
    assert_eq!(fake.hits("/api/Agent")[1].path, "/api/Agent");

    assert!(c.get_agent(5).await.unwrap().isapiagent);
    let role = c.get_role(ROLE).await.unwrap();
    assert_eq!(role.name, "R");
    let rq = fake.hits(&format!("/api/Roles/{ROLE}"))[0].query();
    assert_eq!(
        (rq["includedetails"].as_str(), rq["isconfig"].as_str()),
        ("true", "true")
    );
    // A one-item array answer is accepted for a single GET.
    let app = c.get_application(APP).await.unwrap();
    assert_eq!(app.display_name, "X");
    assert_eq!(
        fake.hits(&format!("/api/Application/{APP}"))[0].query()["includedetails"],
        "true"
    );
}

const ROLE: &str = "03cbebd0-1c5e-4f3a-9b7d-2a6e8f0c4d11";
const APP: &str = "a1b2c3d4-0000-4000-8000-00000000000a";

/// Issue 21: an id that is not the shape Halo's schema gives that object (a GUID for roles
/// and applications, a positive number for agents) never becomes a path: `..` would make
/// `DELETE /api/Application/..` the collection itself.
#[tokio::test]
async fn ids_of_the_wrong_shape_are_refused_before_any_request() {
    let fake = with_token(|_s: Seen| async move { text(200, "{}") }).await;
    let c = client(&fake.url);
    for bad in ["..", ".", "", "a/b", "../Agent", "app 1", "x?y=1"] {
        for e in [
            c.get_role(bad).await.map(|_| ()).unwrap_err(),
            c.delete_role(bad).await.unwrap_err(),
            c.get_application(bad).await.map(|_| ()).unwrap_err(),
            c.delete_application(bad).await.unwrap_err(),
        ] {
            assert!(
                matches!(e, halo_onboard::halo::HaloError::InvalidId(..)),
                "{bad:?}: {e:?}"
            );
        }
    }
    for bad in [0, -1] {
        assert!(c.get_agent(bad).await.is_err());
        assert!(c.delete_agent(bad).await.is_err());
    }
    assert!(
        fake.seen().iter().all(|s| !s.path.starts_with("/api/")),
        "{:?}",
        fake.seen()
    );
}

#[tokio::test]
async fn save_posts_an_array_and_accepts_object_or_array_replies() {
    let fake = with_token(|s: Seen| async move {
        let body: serde_json::Value = serde_json::from_str(&s.body).unwrap();
        let mut item = body.as_array().expect("body must be an array")[0].clone();
        match s.path_only() {
            "/api/Agent" => {
                item["id"] = json!(12);
                item["_warning"] = json!("ignored");
                json(201, item)
            }
            "/api/Roles" => {
                item["id"] = json!("new-guid");
                json(200, json!([item]))
            }
            "/api/Application" => text(204, ""),
            _ => text(404, ""),
        }
    })
    .await;
    let c = client(&fake.url);
    let agent = Agent {
        name: "vendor-api".into(),
        isapiagent: true,
        ..Default::default()
    };
    let saved = c.save_agent(&agent).await.unwrap();
    assert_eq!(saved.id, Some(12));
    assert_eq!(saved.name, "vendor-api");
    let posted = &fake.hits("/api/Agent")[0];
    assert_eq!(posted.method, "POST");
    assert_eq!(posted.headers["content-type"], "application/json");
    let arr: serde_json::Value = serde_json::from_str(&posted.body).unwrap();
    assert_eq!(arr.as_array().map(Vec::len), Some(1));
    assert!(arr[0].get("id").is_none(), "a create carries no id");

    let role = c
        .save_role(&Role {
            name: "Vendor".into(),
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(role.id.as_deref(), Some("new-guid"));

    // 204 without a body: success, the sent object comes back.
    let app = Application {
        display_name: "Vendor".into(),
        client_secret: "app-secret-1234".into(),
        scopes: vec![ScopeRef { name: "all".into() }],
        ..Default::default()
    };
    let back = c.save_application(&app).await.unwrap();
    assert_eq!(back.display_name, "Vendor");
}

#[tokio::test]
async fn delete_accepts_any_2xx() {
    let fake = with_token(|s: Seen| async move {
        assert_eq!(s.method, "DELETE");
        match s.path_only() {
            "/api/Agent/3" => text(200, r#"{"id":3}"#),
            "/api/Roles/03cbebd0-1c5e-4f3a-9b7d-2a6e8f0c4d11" => text(204, ""),
            "/api/Application/a1b2c3d4-0000-4000-8000-00000000000a" => text(202, ""),
            _ => text(404, ""),
        }
    })
    .await;
    let c = client(&fake.url);
    c.delete_agent(3).await.unwrap();
    c.delete_role(ROLE).await.unwrap();
    c.delete_application(APP).await.unwrap();
    let err = c.delete_agent(4).await.unwrap_err();
    assert!(
        matches!(err, halo_onboard::halo::HaloError::NotFound(_)),
        "{err:?}"
    );
}

#[tokio::test]
async fn get_json_probes_any_path() {
    let fake = with_token(|s: Seen| async move {
        assert_eq!(s.path, "/api/Tickets?count=1");
        json(200, json!({"record_count": 0, "tickets": []}))
    })
    .await;
    let v = client(&fake.url)
        .get_json("/Tickets?count=1")
        .await
        .unwrap();
    assert_eq!(v["record_count"], 0);
    let v = client(&fake.url).get_json("Tickets?count=1").await.unwrap();
    assert_eq!(v["tickets"], json!([]));
}

#[tokio::test]
async fn non_json_answer_is_a_decode_error() {
    let fake = with_token(|_| async { text(200, "<html>not the api</html>") }).await;
    let err = client(&fake.url).me().await.unwrap_err();
    assert!(
        matches!(err, halo_onboard::halo::HaloError::Decode(..)),
        "{err:?}"
    );
}

#[tokio::test]
async fn save_with_empty_array_reply_returns_what_was_sent() {
    let fake = with_token(|_| async { json(200, json!([])) }).await;
    let agent = Agent {
        id: Some(8),
        name: "kept".into(),
        ..Default::default()
    };
    let back = client(&fake.url).save_agent(&agent).await.unwrap();
    assert_eq!(back, agent);
    let body: serde_json::Value = serde_json::from_str(&fake.hits("/api/Agent")[0].body).unwrap();
    assert_eq!(body[0]["id"], 8, "an update carries its id");
}
