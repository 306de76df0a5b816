//! Every behaviour the evidence leaves open (`evidence/behaviours.toml`) is a variant the
//! emulator plays: set at start (`SimConfig`), or at run time (`POST /_sim/faults`), each with
//! the answers its reading gives.

use std::time::Duration;

use halo_onboard::evidence;
use halo_onboard::sim::state::{FIRST_LINE_ROLE_ID, HUMAN_AGENT_ID};
use halo_onboard::sim::{
    AgentListing, Denial, ListShape, RatePreset, SimConfig, SimDialect, SimHandle,
    TicketVisibility, variants,
};
use serde_json::{Value, json};

use crate::common::emulator::{emulator, spawn};
use crate::raw::*;

#[test]
fn the_emulator_offers_exactly_the_evidence_variants() {
    let offered = variants::offered();
    let defaults = variants::defaults();
    let evidence = evidence::behaviours();
    assert_eq!(offered.len(), evidence.len());
    for (name, b) in evidence {
        assert_eq!(offered.get(name.as_str()), Some(&b.variants), "{name}");
        assert_eq!(defaults.get(name.as_str()), Some(&b.default), "{name}");
    }
}

/// The run-time settings show the variant played for each behaviour, by the evidence's names.
#[tokio::test]
async fn the_faults_api_shows_and_changes_every_variant() {
    let sim = emulator().await;
    let f: Value = crate::common::http()
        .get(format!("{}/_sim/faults", sim.url))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    for (key, want) in [
        ("ticket_visibility", "teams"),
        ("denial", "forbidden"),
        ("agent_listing", "anyone"),
        ("secret_mode", "honour"),
        ("secret_expiry", "none"),
        ("list_shape", "bare"),
    ] {
        assert_eq!(f[key], want, "{key}: {f}");
    }
    let (s, f) = set_faults(
        &sim,
        json!({"ticket_visibility": "departments", "denial": "empty", "agent_listing": "admin",
               "secret_mode": "hidden", "secret_expiry": "key_slots", "list_shape": "envelope",
               "rate_limit_preset": "500/180"}),
    )
    .await;
    assert_eq!(s, 200, "{f}");
    assert_eq!(
        (f["rate_limit"].as_u64(), f["rate_window_ms"].as_u64()),
        (Some(500), Some(180_000))
    );
    let now = sim.faults();
    assert_eq!(now.ticket_visibility, TicketVisibility::Departments);
    assert_eq!(
        (now.denial, now.agent_listing),
        (Denial::Empty, AgentListing::Admin)
    );
    assert_eq!(now.list_shape, ListShape::Envelope);
    assert_eq!(now.expiry_days(), Some(90), "key slots default to 90 days");
    let (s, b) = set_faults(&sim, json!({"ticket_visibility": "everyone"})).await;
    assert_eq!(s, 400, "{b}");
    let (s, b) = set_faults(&sim, json!({"rate_limit_preset": "1000/60"})).await;
    assert_eq!(s, 400, "{b}");
    sim.shutdown().await;
}

/// An API agent with no tickets of its own: in Service Desk seeing unassigned tickets only, in
/// the Projects department, with 1st Line Support's role (`l8`, `l9` on).
fn add_bot(sim: &SimHandle) -> i64 {
    sim.with_state(|st| {
        st.add_agent(json!({"name": "bot", "isapiagent": true,
            "teams": [{"team_id": 1, "unassigned_access": true, "otheragent_access": false}],
            "departments": [{"department_id": 3}],
            "roles": [{"id": FIRST_LINE_ROLE_ID}]}))
    })
}

#[tokio::test]
async fn ticket_visibility_variants_give_different_lists() {
    let sim = emulator().await;
    let bot = add_bot(&sim);
    let tok = token_as(&sim, bot, "read:tickets").await;
    let sam = token_as(&sim, HUMAN_AGENT_ID, "read:tickets").await;
    let admin = token_for(&sim, &sim.client_id, &sim.client_secret, "read:tickets").await;
    for (variant, bot_sees, sam_sees) in [
        ("teams", vec![1001], vec![1001, 1002, 1004]),
        (
            "switches",
            vec![1001, 1002, 1003, 1004, 1005],
            vec![1001, 1002, 1003, 1004, 1005],
        ),
        ("departments", vec![1005], vec![1001, 1002, 1003, 1004]),
    ] {
        set_faults(&sim, json!({ "ticket_visibility": variant })).await;
        let (s, v) = get(&sim, &tok, "/api/Tickets").await;
        assert_eq!((s, ids(&v, "tickets")), (200, bot_sees), "{variant}");
        assert_eq!(
            ids(&get(&sim, &sam, "/api/Tickets").await.1, "tickets"),
            sam_sees,
            "{variant}"
        );
        let (_, v) = get(&sim, &admin, "/api/Tickets").await;
        assert_eq!(v["record_count"], 5, "{variant}: an administrator sees all");
    }
    // The switches reading follows l8 and l9 alone.
    sim.with_state(|st| {
        st.role_mut(FIRST_LINE_ROLE_ID).unwrap().set(
            "claims",
            json!([{"type": "Tx", "value": "1"}, {"type": "l9", "value": "1"}]),
        );
    });
    set_faults(&sim, json!({ "ticket_visibility": "switches" })).await;
    assert_eq!(
        ids(&get(&sim, &tok, "/api/Tickets").await.1, "tickets"),
        [1001, 1003, 1005]
    );
    sim.shutdown().await;

    // Set at start.
    let sim = spawn(SimConfig {
        ticket_visibility: TicketVisibility::Departments,
        ..SimConfig::default()
    })
    .await;
    let bot = add_bot(&sim);
    let tok = token_as(&sim, bot, "read:tickets").await;
    assert_eq!(
        ids(&get(&sim, &tok, "/api/Tickets").await.1, "tickets"),
        [1005]
    );
    sim.shutdown().await;
}

#[tokio::test]
async fn denial_is_403_or_an_empty_list() {
    let sim = emulator().await;
    // Sam Support's role has no Invoices level; the scope allows it.
    let tok = token_as(&sim, HUMAN_AGENT_ID, "all").await;
    let (s, b) = get(&sim, &tok, "/api/Invoice").await;
    assert_eq!(s, 403, "{b}");
    assert!(b["Message"].as_str().unwrap().contains("Invoices"), "{b}");
    set_faults(&sim, json!({"denial": "empty"})).await;
    let (s, v) = get(&sim, &tok, "/api/Invoice").await;
    assert_eq!((s, v["record_count"].as_u64()), (200, Some(0)), "{v}");
    assert_eq!(v["invoices"], json!([]));
    // Areas the role allows still list; the scope layer still answers 403.
    assert_eq!(get(&sim, &tok, "/api/Asset").await.1["record_count"], 3);
    let narrow = token_as(&sim, HUMAN_AGENT_ID, "read:tickets").await;
    assert_eq!(get(&sim, &narrow, "/api/Asset").await.0, 403);
    sim.shutdown().await;

    let sim = spawn(SimConfig {
        denial: Denial::Empty,
        ..SimConfig::default()
    })
    .await;
    let tok = token_as(&sim, HUMAN_AGENT_ID, "all").await;
    assert_eq!(get(&sim, &tok, "/api/Invoice").await.1["record_count"], 0);
    sim.shutdown().await;
}

#[tokio::test]
async fn agent_listing_anyone_or_admin_only() {
    let sim = emulator().await;
    let sam = token_as(&sim, HUMAN_AGENT_ID, "read:tickets").await;
    let admin = admin_token(&sim).await;
    assert_eq!(get(&sim, &sam, "/api/Agent").await.0, 200, "anyone");
    set_faults(&sim, json!({"agent_listing": "admin"})).await;
    let (s, b) = get(&sim, &sam, "/api/Agent").await;
    assert_eq!(s, 403, "{b}");
    assert!(
        b["Message"].as_str().unwrap().contains("administrator"),
        "{b}"
    );
    assert_eq!(
        get(&sim, &sam, "/api/Agent/me").await.0,
        200,
        "whoami stays open"
    );
    assert_eq!(
        names(&get(&sim, &admin, "/api/Agent").await.1),
        ["Sam Support"]
    );
    // With the empty reading of denial, the refusal is an empty list.
    set_faults(&sim, json!({"denial": "empty"})).await;
    let (s, v) = get(&sim, &sam, "/api/Agent").await;
    assert_eq!((s, v["record_count"].as_u64()), (200, Some(0)), "{v}");
    sim.shutdown().await;

    let sim = spawn(SimConfig {
        agent_listing: AgentListing::Admin,
        ..SimConfig::default()
    })
    .await;
    let sam = token_as(&sim, HUMAN_AGENT_ID, "read:tickets").await;
    assert_eq!(get(&sim, &sam, "/api/Agent").await.0, 403);
    sim.shutdown().await;
}

#[tokio::test]
async fn each_sourced_rate_limit_speaks_its_figures() {
    for (preset, message) in [
        (
            RatePreset::Per5Min300,
            "300 Requests per rolling 5 minute window",
        ),
        (
            RatePreset::Per5Min450,
            "450 Requests per rolling 5 minute window",
        ),
        (
            RatePreset::Per3Min500,
            "500 Requests per rolling 3 minute window",
        ),
    ] {
        let (rate_limit, rate_window) = preset.limits();
        let sim = spawn(SimConfig {
            rate_limit,
            rate_window,
            ..SimConfig::default()
        })
        .await;
        sim.force_429(1, None);
        let r = fetch(&sim, "/api/authinfo", None).await;
        assert_eq!(r.status(), 429);
        assert_eq!(
            r.text().await.unwrap(),
            format!("Rate Limit Reached - {message}")
        );
        sim.shutdown().await;
    }
    // The limit is enforced: a preset set at run time, then exhausted (tokens count too).
    let sim = emulator().await;
    set_faults(&sim, json!({"rate_limit_preset": "450/300"})).await;
    assert_eq!(sim.faults().rate_window, Duration::from_secs(300));
    sim.set_rate_limit(2, Duration::from_secs(300));
    assert_eq!(fetch(&sim, "/api/authinfo", None).await.status(), 200);
    assert_eq!(fetch(&sim, "/api/authinfo", None).await.status(), 200);
    assert_eq!(fetch(&sim, "/api/authinfo", None).await.status(), 429);
    sim.shutdown().await;
}

async fn new_app(sim: &SimHandle, tok: &str, name: &str) -> Value {
    let (s, a) = post(
        sim,
        tok,
        "/api/Application",
        json!([{"displayName": name, "loginas_agent_id": 2, "scopes": [{"name": "all"}]}]),
    )
    .await;
    assert_eq!(s, 201, "{a}");
    a
}

#[tokio::test]
async fn secret_expiry_none_or_key_slots() {
    let sim = emulator().await;
    let tok = admin_token(&sim).await;
    let a = new_app(&sim, &tok, "plain").await;
    assert!(
        a.get("apiKeyExpiryDays").is_none() && a.get("apiKey1ExpiryDate").is_none(),
        "{a}"
    );

    set_faults(&sim, json!({"secret_expiry": "key_slots"})).await;
    let a = new_app(&sim, &tok, "slotted").await;
    assert_eq!(a["apiKeyExpiryDays"], 90, "{a}");
    let date = a["apiKey1ExpiryDate"].as_str().unwrap().to_string();
    let day = time::Date::parse(
        date.get(..10).unwrap_or_default(),
        time::macros::format_description!("[year]-[month]-[day]"),
    )
    .unwrap_or_else(|e| panic!("{date}: {e}"));
    let ahead = (day - time::OffsetDateTime::now_utc().date()).whole_days();
    assert!((89..=91).contains(&ahead), "{date} is {ahead} days ahead");
    let id = a["id"].as_str().unwrap().to_string();
    let (_, g) = get(&sim, &tok, &format!("/api/Application/{id}")).await;
    assert_eq!(g["apiKey1ExpiryDate"], date.as_str(), "shown on GET too");
    // The application made before key slots reports nothing: only newly issued secrets.
    let boot = sim.with_state(|st| st.bootstrap_app_id.clone());
    let (_, g) = get(&sim, &tok, &format!("/api/Application/{boot}")).await;
    assert!(g.get("apiKey1ExpiryDate").is_none(), "{g}");
    // Switched back: the fields are gone from the answers.
    set_faults(&sim, json!({"secret_expiry": "none"})).await;
    let (_, g) = get(&sim, &tok, &format!("/api/Application/{id}")).await;
    assert!(g.get("apiKeyExpiryDays").is_none(), "{g}");
    // Days given alone select key slots (the `--secret-expiry-days` flag).
    set_faults(&sim, json!({"secret_expiry_days": 30})).await;
    assert_eq!(new_app(&sim, &tok, "thirty").await["apiKeyExpiryDays"], 30);
    sim.shutdown().await;
}

#[tokio::test]
async fn list_shape_bare_or_envelope() {
    let sim = emulator().await;
    let tok = admin_token(&sim).await;
    let (_, bare) = get(&sim, &tok, "/api/Team").await;
    assert!(bare.is_array(), "{bare}");
    set_faults(&sim, json!({"list_shape": "envelope"})).await;
    for l in evidence::lists() {
        let (s, v) = get(&sim, &tok, &format!("/api{}", l.path)).await;
        assert_eq!(s, 200, "{}", l.path);
        let rows = v[l.key.as_str()]
            .as_array()
            .unwrap_or_else(|| panic!("{}: {v}", l.path));
        assert_eq!(
            v["record_count"].as_u64(),
            Some(rows.len() as u64),
            "{}",
            l.path
        );
    }
    assert_eq!(
        names(&get(&sim, &tok, "/api/Team").await.1["teams"]),
        ["Service Desk", "Operations", "Projects"]
    );
    sim.shutdown().await;
}

/// The older and mixed claim vocabularies, and an `l0` on the 0/1 scale, over HTTP.
#[tokio::test]
async fn dialects_speak_their_own_claim_names() {
    for (dialect, admin_type, l0) in [
        (SimDialect::Current, "SA", Some("true")),
        (SimDialect::Legacy, "Administration", None),
        (SimDialect::Mixed, "Administration", Some("true")),
        (SimDialect::L0Numeric, "SA", Some("1")),
    ] {
        let sim = spawn(SimConfig {
            dialect,
            ..SimConfig::default()
        })
        .await;
        let tok = admin_token(&sim).await;
        let (_, roles) = get(&sim, &tok, "/api/Roles").await;
        let role = |i: usize| roles[i]["id"].as_str().unwrap().to_string();
        let (_, admin) = get(&sim, &tok, &format!("/api/Roles/{}", role(0))).await;
        assert_eq!(admin["claims"][0]["type"], admin_type, "{dialect:?}");
        let (_, first) = get(&sim, &tok, &format!("/api/Roles/{}", role(1))).await;
        let l0_value = first["claims"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["type"] == "l0")
            .map(|c| c["value"].as_str().unwrap().to_string());
        assert_eq!(l0_value.as_deref(), l0, "{dialect:?}");
        // The bootstrap agent is an administrator in its own vocabulary.
        assert_eq!(
            post(&sim, &tok, "/api/Roles", json!([{"name": "x"}]))
                .await
                .0,
            201,
            "{dialect:?}"
        );
        sim.shutdown().await;
    }
}
