//! The client answers to `evidence/` (Halo's published paths, schemas and claim codes), not to
//! the emulator: every path it can call, every field it writes or reads, every claim code it
//! writes is checked against the evidence files, statically (its tables and URL builders) and
//! dynamically (representative flows against the emulator, whose request log shows every
//! (method, path) the client sent and every posted field the published schema lacks).

use std::collections::BTreeSet;

use halo_onboard::answers::{Answers, DepartmentAnswer, TeamAnswer};
use halo_onboard::evidence;
use halo_onboard::halo::dialect::claims::{self, CLAIMS, LEGACY_NAMES, Permissions};
use halo_onboard::halo::dialect::fields::{REPORTED_ONLY, Schema};
use halo_onboard::halo::model::*;
use halo_onboard::halo::scopes;
use halo_onboard::halo::{AgentQuery, client::ROUTES};
use halo_onboard::headless::doctor;
use halo_onboard::journal::Objects;
use halo_onboard::plan::build::{self, Lookups};
use halo_onboard::plan::repair;
use halo_onboard::profile::{self, Question};
use halo_onboard::sim::{DropMode, RequestRecord};
use serde_json::Value;

use crate::common::emulator::*;
use crate::common::fake;

// ------------------------------------------------------------------------------------------
// Paths.

/// `/api/authinfo` and the rest: a path of Halo's published API with this method. The token
/// endpoint is the authorisation server's (OpenIddict), outside the resource API's spec.
fn published(method: &str, path: &str) -> bool {
    evidence::spec().allows(method, path)
}

fn is_token(path: &str) -> bool {
    path.trim_end_matches('/').ends_with("/auth/token")
}

/// The client's routes table, the verification probes (with the query they send) and the
/// paths doctor compares are all in the published API.
#[test]
fn every_path_the_client_names_is_published() {
    let mut bad = Vec::new();
    for (m, p) in ROUTES {
        if !published(m, p) {
            bad.push(format!("route {m} {p}"));
        }
    }
    for area in scopes::AREAS {
        let Some(probe) = scopes::probe(area) else {
            continue;
        };
        let request = scopes::probe_request(probe);
        if !published("GET", &request) {
            bad.push(format!("probe {} GET {request}", area.key));
        }
        // Each query parameter sent is one the operation lists.
        let op = evidence::spec()
            .find_method("GET", &probe.path)
            .and_then(|m| m.operation);
        for (k, _) in
            url::form_urlencoded::parse(request.split_once('?').map_or("", |x| x.1).as_bytes())
        {
            if !op.is_some_and(|o| o.query.iter().any(|q| *q == k)) {
                bad.push(format!("probe {} sends ?{k}", area.key));
            }
        }
    }
    for (m, p) in doctor::paths_used() {
        if !published(&m, &p) {
            bad.push(format!("doctor {m} {p}"));
        }
    }
    assert!(bad.is_empty(), "{bad:#?}");
    // The trap the issue found: software releases are /Release, there is no /Software.
    let software = scopes::AREAS.iter().find(|a| a.key == "software").unwrap();
    assert_eq!(
        scopes::probe(software).map(|p| p.path.as_str()),
        Some("/Release")
    );
    assert!(!published("GET", "/api/Software"));
}

/// Every public request the client can make, against a stand-in that answers anything: each
/// one is a route of its table (so the table cannot drift from the URL builders), published,
/// with only the query parameters the published operation lists.
#[tokio::test]
async fn every_client_call_is_a_published_route_with_published_query_parameters() {
    let f = fake::with_token(|s: fake::Seen| async move {
        let p = s.path_only().to_ascii_lowercase();
        let one = p.contains("/agent/") || p.contains("/roles/") || p.contains("/application/");
        if s.method == "POST" {
            fake::json(200, serde_json::json!([{"id": "x"}]))
        } else if one {
            fake::json(200, serde_json::json!({"id": 7, "name": "x"}))
        } else {
            fake::json(200, serde_json::json!([]))
        }
    })
    .await;
    let c = fake::client(&f.url);
    let opts = fast_opts();
    let (rid, aid) = (
        "4f0e5f5c-3d4e-4b8a-9a43-0c1f7f0d2a11",
        "5a1e5f5c-3d4e-4b8a-9a43-0c1f7f0d2a12",
    );
    halo_onboard::halo::discover(&f.url, &opts).await.unwrap();
    c.me().await.unwrap();
    c.agents(&AgentQuery {
        search: Some("x".into()),
        include_api_agents: true,
        include_disabled: true,
    })
    .await
    .unwrap();
    let _ = c.get_agent(7).await;
    let _ = c.save_agent(&Agent::default()).await;
    c.delete_agent(7).await.unwrap();
    c.roles().await.unwrap();
    let _ = c.get_role(rid).await;
    let _ = c.save_role(&Role::default()).await;
    c.delete_role(rid).await.unwrap();
    c.teams().await.unwrap();
    c.departments().await.unwrap();
    c.workdays().await.unwrap();
    c.applications().await.unwrap();
    let _ = c.get_application(aid).await;
    let _ = c.save_application(&Application::default()).await;
    c.delete_application(aid).await.unwrap();
    let patch: serde_json::Map<String, Value> =
        [("id".to_string(), Value::from("x"))].into_iter().collect();
    let _ = c.update_role_fields(&patch).await;
    let _ = c.update_agent_fields(&patch).await;
    let _ = c.update_application_fields(&patch, None).await;
    let mut bad = Vec::new();
    let seen = f.seen();
    for s in &seen {
        if is_token(s.path_only()) {
            continue;
        }
        let Some(m) = evidence::spec().find_method(&s.method, s.path_only()) else {
            bad.push(format!("{} {} is not published", s.method, s.path));
            continue;
        };
        if !ROUTES
            .iter()
            .any(|(rm, rp)| rm.eq_ignore_ascii_case(&s.method) && *rp == m.entry.template)
        {
            bad.push(format!(
                "{} {} is not in ROUTES",
                s.method, m.entry.template
            ));
        }
        let op = m.operation.unwrap();
        for (k, _) in s.query() {
            if !op.query.contains(&k) {
                bad.push(format!(
                    "{} {}: ?{k} is not a parameter of it",
                    s.method, s.path
                ));
            }
        }
    }
    assert!(bad.is_empty(), "{bad:#?}");
    // Every route was exercised (the table names nothing the client never sends).
    for (rm, rp) in ROUTES {
        assert!(
            seen.iter().any(|s| s.method == *rm
                && evidence::spec()
                    .find(s.path_only())
                    .is_some_and(|x| x.entry.template == *rp)),
            "{rm} {rp} never sent"
        );
    }
}

/// Requests of the emulator's log that are not Halo's published API (its test API and the
/// authorisation server aside), and posted fields it dropped as not in the published schema.
fn off_evidence(log: &[RequestRecord]) -> Vec<String> {
    let docs: Vec<String> = doctor::SWAGGER_PATHS
        .iter()
        .map(|p| format!("/api{p}"))
        .collect();
    let mut bad = Vec::new();
    for r in log {
        if r.path.starts_with("/_sim") || is_token(&r.path) {
            continue;
        }
        // Doctor's look for the instance's own swagger document: a document, not an API call.
        if r.method == "GET" && docs.iter().any(|d| d.eq_ignore_ascii_case(&r.path)) {
            continue;
        }
        if !published(&r.method, &r.path) {
            bad.push(format!("{} {} ({})", r.method, r.path, r.status));
        }
        if !r.dropped_fields.is_empty() {
            bad.push(format!(
                "{} {} sent fields outside the schema: {:?}",
                r.method, r.path, r.dropped_fields
            ));
        }
    }
    bad.sort();
    bad.dedup();
    bad
}

/// A profile's answers with its open questions answered the way an admin of the emulated Halo
/// would, and the agent in a team where the profile names none.
fn answered(p: &profile::Profile) -> Answers {
    let mut a = p.to_answers();
    let qs = p.questions();
    if qs.contains(&Question::DefaultTeam) {
        a.agent.default_team = Some("Service Desk".into());
    }
    a.agent.teams.retain(|t| !t.name.is_empty());
    if a.agent.teams.is_empty() {
        a.agent.teams.push(TeamAnswer {
            name: "Service Desk".into(),
            ..Default::default()
        });
    }
    if qs.contains(&Question::Departments) {
        a.agent.departments.retain(|d| !d.name.is_empty());
        if a.agent.departments.is_empty() {
            a.agent.departments.push(DepartmentAnswer {
                name: "Support".into(),
                level: MembershipLevel::default(),
            });
        }
    }
    if qs.contains(&Question::Areas) && a.scopes.is_empty() {
        a.role
            .permissions
            .set_labels("tickets", "Read Only")
            .unwrap();
        profile::derive_scopes(&mut a);
    }
    a
}

/// Every flow the client has, against the emulator: the apply and verification of every
/// built-in profile, then on one setup a repair of drift, a secret rotation, a resume after a
/// lost answer, a check, doctor and a rollback. Every (method, path) the emulator logged is in
/// Halo's published API, and it dropped no posted field as outside the published schema.
#[tokio::test]
async fn every_request_of_every_flow_is_published_and_sends_only_schema_fields() {
    let mut bad = Vec::new();
    for p in profile::builtin() {
        let e = env().await;
        let mut s = e.journal.create(answered(&p), Some(e.ep.clone())).unwrap();
        let a = applier(&e.admin, &e.journal);
        let lk = a.lookups(&s).await.unwrap();
        if let Err(err) = a.apply_and_verify(&mut s, lk).await {
            // A profile whose plan is blocked still sent its look-ups.
            bad.extend(
                off_evidence(&e.sim.requests())
                    .into_iter()
                    .map(|x| format!("{}: {x}", p.id)),
            );
            if !matches!(err, halo_onboard::plan::apply::ApplyError::Blocked(_)) {
                bad.push(format!("{}: {err}", p.id));
            }
            continue;
        }
        bad.extend(
            off_evidence(&e.sim.requests())
                .into_iter()
                .map(|x| format!("{}: {x}", p.id)),
        );
    }

    // One setup through the other flows.
    let e = env().await;
    let mut s = e.journal.create(topleft(), Some(e.ep.clone())).unwrap();
    let a = applier(&e.admin, &e.journal);
    let lk = a.lookups(&s).await.unwrap();
    let f = a.apply_and_verify(&mut s, lk).await.unwrap();
    // Drift, then the repair (only the fields that differ are sent).
    let app_id = f.applied.application_id.clone();
    let patch: serde_json::Map<String, Value> = [
        ("id".to_string(), Value::from(app_id.clone())),
        (
            "scopes".to_string(),
            serde_json::json!([{"name": "all:standard"}]),
        ),
    ]
    .into_iter()
    .collect();
    e.admin
        .update_application_fields(&patch, None)
        .await
        .unwrap();
    let lk = a.lookups(&s).await.unwrap();
    a.apply_and_verify(&mut s, lk).await.unwrap();
    // A rotation (--new-secret).
    let rotate = halo_onboard::plan::apply::Applier {
        regenerate_secret: true,
        ..applier(&e.admin, &e.journal)
    };
    s.handed_over = true;
    let lk = rotate.lookups(&s).await.unwrap();
    rotate.apply_and_verify(&mut s, lk).await.unwrap();
    // A lost answer to a create, then the resume.
    let mut s2 = e
        .journal
        .create(profile::answers_for("immybot").unwrap(), Some(e.ep.clone()))
        .unwrap();
    e.sim.drop_nth_write(1, DropMode::AfterProcessing);
    assert!(a.apply(&mut s2).await.is_err());
    a.apply(&mut s2).await.unwrap();
    // The audit, doctor, and the rollback of both setups.
    let secret = f.applied.client_secret.clone();
    if let Some(secret) = &secret {
        let _ = halo_onboard::headless::check::audit(&halo_onboard::headless::check::Audit {
            endpoint: &e.ep,
            answers: &s.answers,
            app_client_id: &f.applied.client_id,
            app_secret: secret,
            bootstrap: Some(&e.admin),
            adopted: false,
            setup: None,
            opts: fast_opts(),
            secret_issued_unix: None,
            manual_left: Vec::new(),
            policy: Default::default(),
        })
        .await;
    }
    doctor::diagnose(&e.admin, &e.sim.client_id).await.unwrap();
    halo_onboard::plan::rollback::rollback(&e.admin, &e.journal, &mut s2)
        .await
        .unwrap();
    halo_onboard::plan::rollback::rollback(&e.admin, &e.journal, &mut s)
        .await
        .unwrap();
    let log = e.sim.requests();
    for (m, p) in [
        ("POST", "/api/Application"),
        ("DELETE", "/api/Application/"),
        ("GET", "/api/Release"),
    ] {
        assert!(
            log.iter().any(|r| r.method == m && r.path.starts_with(p)),
            "the flows sent {m} {p}"
        );
    }
    bad.extend(off_evidence(&log));
    assert!(bad.is_empty(), "{bad:#?}");
}

// ------------------------------------------------------------------------------------------
// Fields.

/// The keys of `v` that `schema` lacks, recursively through the nested objects and arrays the
/// schema types by name (`array<UnameSection>`, `NHD_Claim`, …).
fn outside(schema: &str, v: &Value, at: &str, out: &mut Vec<String>) {
    let Some(s) = evidence::schema(schema) else {
        out.push(format!("{at}: no schema {schema} in evidence"));
        return;
    };
    let Value::Object(m) = v else {
        return;
    };
    for (k, x) in m {
        let Some(t) = s.type_of(k) else {
            out.push(format!("{at}.{k} (not in {schema})"));
            continue;
        };
        let inner = t.trim_start_matches("array<").trim_end_matches('>');
        if evidence::schema(inner).is_none() {
            continue;
        }
        match x {
            Value::Array(items) => {
                for (i, item) in items.iter().enumerate() {
                    outside(inner, item, &format!("{at}.{k}[{i}]"), out);
                }
            }
            Value::Object(_) => outside(inner, x, &format!("{at}.{k}"), out),
            _ => {}
        }
    }
}

fn lookups() -> Lookups {
    Lookups {
        roles: vec![
            Role {
                id: Some("g-admin".into()),
                name: "Administrator".into(),
                claims: vec![Claim {
                    claim_type: "SA".into(),
                    value: "true".into(),
                }],
                ..Role::default()
            },
            Role {
                id: Some("g-1st".into()),
                name: "1st Line Support".into(),
                claims: vec![Claim {
                    claim_type: "Tx".into(),
                    value: "2".into(),
                }],
                ..Role::default()
            },
        ],
        teams: vec![Team::new(1, "Service Desk"), Team::new(2, "Operations")],
        departments: vec![Department::new(1, "Support")],
        workdays: vec![Workday::new(1, "Default Working Hours")],
        ..Lookups::default()
    }
}

/// Every body the client posts — role, agent, application (with their teams, departments,
/// claims and scopes), the repairs, a secret rotation — for every built-in profile, has only
/// keys of the object's published schema, all the way down.
#[test]
fn every_body_the_client_posts_has_only_schema_fields() {
    let lk = lookups();
    let mut bad = Vec::new();
    for p in profile::builtin() {
        let a = answered(&p);
        let plan = build::plan(&a, &lk, &Objects::default(), "[halo-onboard:x]");
        let mut role = build::role_object_with(&a, "[halo-onboard:x]", plan.role_claims.clone());
        let mut problems = Vec::new();
        let mut agent = build::agent_object(&a, "role-1", &lk, &mut problems);
        let mut app = build::application_object(&a, 7);
        app.client_id = "cid".into();
        app.client_secret = "secret".into();
        for (schema, body) in [
            ("NHD_Roles", serde_json::to_value(&role).unwrap()),
            ("Uname", serde_json::to_value(&agent).unwrap()),
            (
                "NHD_Identity_Application",
                serde_json::to_value(&app).unwrap(),
            ),
        ] {
            outside(schema, &body, &format!("{}: {schema}", p.id), &mut bad);
        }
        // The repairs: what Halo holds differs in every field the answers set.
        role.id = Some("role-1".into());
        agent.id = Some(9);
        app.id = Some("app-1".into());
        let got_role = Role {
            id: Some("role-1".into()),
            ..Role::default()
        };
        let got_agent = Agent {
            id: Some(9),
            ..Agent::default()
        };
        let got_app = Application {
            id: Some("app-1".into()),
            ..Application::default()
        };
        for (schema, patch) in [
            (
                "NHD_Roles",
                repair::role(&role, &got_role, "[halo-onboard:x]"),
            ),
            ("Uname", repair::agent(&agent, &got_agent)),
            (
                "NHD_Identity_Application",
                repair::application(&app, &got_app),
            ),
            (
                "NHD_Identity_Application",
                repair::new_secret(&got_app, "s-2"),
            ),
        ] {
            if let Some(patch) = patch {
                outside(
                    schema,
                    &Value::Object(patch),
                    &format!("{}: repair {schema}", p.id),
                    &mut bad,
                );
            }
        }
        // The description is the admin's note, never sent (no such field); the plan says so.
        if !a.application.description.trim().is_empty() {
            assert!(
                plan.notes
                    .iter()
                    .any(|n| n.contains("not set through the API")),
                "{}: {:?}",
                p.id,
                plan.notes
            );
        }
    }
    bad.sort();
    bad.dedup();
    assert!(bad.is_empty(), "{bad:#?}");
}

/// Records the field names a type reads when deserialised (serde's own list for the struct).
mod read_fields {
    use serde::de::{self, Deserializer, Visitor};

    pub struct Recorder(pub Vec<&'static str>);

    impl<'de> Deserializer<'de> for &mut Recorder {
        type Error = de::value::Error;
        fn deserialize_any<V: Visitor<'de>>(self, _: V) -> Result<V::Value, Self::Error> {
            Err(de::Error::custom("not a struct"))
        }
        fn deserialize_struct<V: Visitor<'de>>(
            self,
            _name: &'static str,
            fields: &'static [&'static str],
            _: V,
        ) -> Result<V::Value, Self::Error> {
            self.0 = fields.to_vec();
            Err(de::Error::custom("recorded"))
        }
        serde::forward_to_deserialize_any! {
            bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes
            byte_buf option unit unit_struct newtype_struct seq tuple tuple_struct map enum
            identifier ignored_any
        }
    }

    pub(super) fn of<T: serde::de::DeserializeOwned>() -> Vec<&'static str> {
        let mut r = Recorder(Vec::new());
        let _ = T::deserialize(&mut r);
        r.0
    }
}

/// Every field the client's models read from Halo — what ownership, verification, repair and
/// check decide on — is a property of the object's published schema, or one of the fields
/// read only as "Halo reports …" (the secret expiry, W in `evidence/behaviours.toml`).
#[test]
fn every_field_the_client_reads_is_in_the_schema_or_only_reported() {
    let models: [(&str, Vec<&'static str>); 11] = [
        ("Uname", read_fields::of::<Agent>()),
        ("UnameSection", read_fields::of::<AgentTeam>()),
        ("UnameDepartment", read_fields::of::<AgentDepartment>()),
        ("NHD_Roles", read_fields::of::<RoleRef>()),
        ("NHD_Roles", read_fields::of::<Role>()),
        ("NHD_Claim", read_fields::of::<Claim>()),
        ("NHD_Identity_Application", read_fields::of::<Application>()),
        (
            "NHD_Identity_ApplicationScope",
            read_fields::of::<ScopeRef>(),
        ),
        ("SectionDetail", read_fields::of::<Team>()),
        ("Tree", read_fields::of::<Department>()),
        ("Workdays", read_fields::of::<Workday>()),
    ];
    let mut bad = Vec::new();
    for (schema, fields) in &models {
        assert!(!fields.is_empty(), "{schema}: no fields recorded");
        let s = evidence::schema(schema).unwrap();
        for f in fields {
            let reported = *schema == "NHD_Identity_Application" && REPORTED_ONLY.contains(f);
            if !s.has(f) && !reported {
                bad.push(format!("{schema}.{f}"));
            }
        }
    }
    assert!(bad.is_empty(), "{bad:?}");
    // The reported fields are what the evidence names as weak.
    let b = &evidence::behaviours()["secret_expiry"];
    assert_eq!(b.confidence.as_deref(), Some("W"));
    for f in REPORTED_ONLY {
        assert!(
            b.known.contains("apiKey") && !Schema::Application.has(f),
            "{f}"
        );
    }
    // The envelope keys the client looks for are the evidence's.
    for l in evidence::lists() {
        assert!(published("GET", &l.path), "{}", l.path);
    }
}

// ------------------------------------------------------------------------------------------
// Claim codes and scopes.

/// The dialect's claim table is the evidence's: every code is in `evidence/claims.toml`, its
/// label is Halo's (or one of its other names), its scale has the evidence's values and labels
/// (and its other scale, for `l0`), its group is the Permissions tab's; every older long name is
/// the evidence's.
#[test]
fn the_claim_table_is_the_evidences() {
    let ev = evidence::claims();
    let mut bad = Vec::new();
    for d in CLAIMS {
        let Some(c) = ev.get(d.code) else {
            bad.push(format!("{}: not a claim code", d.code));
            continue;
        };
        if d.label != c.label && !c.also.iter().any(|a| a == d.label) {
            bad.push(format!(
                "{}: label {:?} is not Halo's {:?}",
                d.code, d.label, c.label
            ));
        }
        if d.group.label() != c.group {
            bad.push(format!(
                "{}: group {} is not {}",
                d.code,
                d.group.label(),
                c.group
            ));
        }
        let want = ev.levels(c);
        let got: Vec<(&str, &str)> = d.scale.iter().map(|l| (l.value, l.label)).collect();
        let exp: Vec<(&str, &str)> = want
            .iter()
            .map(|l| (l.value.as_str(), l.label.as_str()))
            .collect();
        if got != exp {
            bad.push(format!("{}: scale {got:?} is not {exp:?}", d.code));
        }
        let alt: Vec<(&str, &str)> = d
            .alt_scale
            .unwrap_or_default()
            .iter()
            .map(|l| (l.value, l.label))
            .collect();
        let exp_alt: Vec<(&str, &str)> = c
            .alt_scales
            .iter()
            .flat_map(|s| ev.scales[s].iter())
            .map(|l| (l.value.as_str(), l.label.as_str()))
            .collect();
        if alt != exp_alt {
            bad.push(format!(
                "{}: other scale {alt:?} is not {exp_alt:?}",
                d.code
            ));
        }
        for l in d.scale {
            let e = ev.level(d.code, l.value).map(|x| x.access);
            let grade = match e {
                Some(evidence::Access::None) => claims::Grade::None,
                Some(evidence::Access::Names) => claims::Grade::Names,
                Some(evidence::Access::Read) => claims::Grade::Read,
                Some(evidence::Access::Modify) => claims::Grade::Modify,
                None => {
                    bad.push(format!("{}={}: no such level", d.code, l.value));
                    continue;
                }
            };
            if grade != l.grade {
                bad.push(format!(
                    "{}={}: grade {:?} is not {grade:?}",
                    d.code, l.value, l.grade
                ));
            }
        }
    }
    for (long, code) in LEGACY_NAMES {
        if ev.legacy_code(long) != Some(code) {
            bad.push(format!("legacy {long} -> {code} is not the evidence's"));
        }
    }
    assert!(bad.is_empty(), "{bad:#?}");
}

/// What every built-in profile's role writes: codes of the evidence, each value on its scale.
#[test]
fn every_profile_writes_only_known_codes_on_their_scales() {
    let ev = evidence::claims();
    let mut bad = Vec::new();
    let mut seen = BTreeSet::new();
    for p in profile::builtin() {
        for c in p.to_answers().role.permissions.claims() {
            seen.insert(c.claim_type.clone());
            if ev.level(&c.claim_type, &c.value).is_none() {
                bad.push(format!("{}: {}={}", p.id, c.claim_type, c.value));
            }
        }
    }
    assert!(bad.is_empty(), "{bad:#?}");
    assert!(seen.contains("Tx") && seen.contains("SA"), "{seen:?}");
    // And what a role read from Halo holds maps back onto the same codes.
    let mut p = Permissions::default();
    p.set_labels("edit_own_preferences", "true").unwrap();
    assert_eq!(p.claims()[0].value, "true");
}

/// The dialect's scope table is the evidence's (names, areas), and so are the rules: for every
/// pair of names, `grants` answers as `evidence/scopes.toml` says.
#[test]
fn the_scope_table_and_rules_are_the_evidences() {
    let ev = evidence::scopes();
    let mine: Vec<(&str, Vec<&str>)> = scopes::AREAS
        .iter()
        .map(|a| (a.key, a.scopes.to_vec()))
        .collect();
    let theirs: Vec<(&str, Vec<&str>)> = ev
        .areas
        .iter()
        .map(|a| {
            (
                a.key.as_str(),
                a.scopes.iter().map(String::as_str).collect(),
            )
        })
        .collect();
    assert_eq!(mine, theirs);
    let names: Vec<&str> = ev
        .names()
        .chain(ev.not_scopes.keys().map(String::as_str))
        .collect();
    for g in &names {
        for n in &names {
            assert_eq!(scopes::grants(g, n), ev.grants(g, n), "{g} -> {n}");
        }
    }
    for n in ev.not_scopes.keys() {
        assert!(
            !scopes::is_known(n) && scopes::known_trap(n).is_some(),
            "{n}"
        );
    }
    // Spot checks of the rules themselves (so the test above cannot pass on a broken table).
    assert!(scopes::grants("edit:tickets", "read:tickets"));
    assert!(!scopes::grants("read:tickets", "edit:tickets"));
    assert!(scopes::grants("all", "read:assets") && !scopes::grants("all", "all:teams"));
    assert!(scopes::grants("admin", "admin:webhooks"));
}

// ------------------------------------------------------------------------------------------
// doctor: what verification relies on.

/// A probe path this Halo answers 404 for is named as missing (with the areas it proves); the
/// instance's own swagger, where served, is compared with the paths halo-onboard uses and
/// each path it lacks is named, with the URL it was read from.
#[tokio::test]
async fn doctor_names_missing_probe_paths_and_what_the_instances_swagger_lacks() {
    // An instance without /Release, serving a swagger document that lacks it too.
    let doc = {
        let mut paths = serde_json::Map::new();
        for (m, p) in doctor::paths_used() {
            if p != "/Release" {
                paths
                    .entry(format!("/api{p}"))
                    .or_insert_with(|| serde_json::json!({}))
                    .as_object_mut()
                    .unwrap()
                    .insert(m.to_ascii_lowercase(), serde_json::json!({}));
            }
        }
        serde_json::json!({ "openapi": "3.0.1", "paths": paths })
    };
    let f = fake::with_token(move |s: fake::Seen| {
        let doc = doc.clone();
        async move {
            match s.path_only() {
                "/api/Release" => fake::json(404, serde_json::json!({"message": "Not found"})),
                "/api/swagger/v2/swagger.json" => fake::json(404, serde_json::json!({})),
                "/api/swagger/v1/swagger.json" => fake::json(200, doc),
                _ => fake::json(200, serde_json::json!([])),
            }
        }
    })
    .await;
    let c = fake::client(&f.url);
    let probes = doctor::probe_paths(&c).await;
    let release = probes.iter().find(|p| p.path == "GET /Release").unwrap();
    assert_eq!(release.found, "missing", "{probes:?}");
    assert!(release.areas.iter().any(|a| a == "software"));
    assert!(
        probes
            .iter()
            .filter(|p| p.path != "GET /Release")
            .all(|p| p.found == "present"),
        "{probes:?}"
    );
    let sw = doctor::swagger(&c).await;
    assert_eq!(sw.tried.len(), 2, "stops at the first document: {sw:?}");
    assert!(
        sw.served_at
            .as_deref()
            .is_some_and(|u| u.ends_with("/api/swagger/v1/swagger.json")),
        "{sw:?}"
    );
    assert_eq!(sw.missing_here, vec!["GET /Release".to_string()], "{sw:?}");
    // Route templates compare by position, whatever their parameter names.
    let doc = serde_json::json!({"paths": {"/api/roles/{roleId}": {"get": {}}}});
    let (_, missing) = doctor::missing_from(&doc).unwrap();
    assert!(
        !missing.contains(&"GET /Roles/{id}".to_string()),
        "{missing:?}"
    );
    assert!(
        missing.contains(&"DELETE /Roles/{id}".to_string()),
        "{missing:?}"
    );
}

// ------------------------------------------------------------------------------------------
// "Verified" only when proven.

/// A probe that cannot run (404) or sees nothing where nobody sees anything is "could not
/// check", never a pass; an empty list where the administrator sees records is a visibility
/// failure; a scope no endpoint proves (`access:chat`) could not be checked either. Such a
/// verification is not "verified".
#[tokio::test]
async fn a_probe_that_cannot_prove_its_area_is_could_not_check_never_a_pass() {
    use halo_onboard::plan::verify::{self, Layer, Target, Verdict};
    let f = fake::serve(|s: fake::Seen| async move {
        let boot = s
            .headers
            .get("authorization")
            .is_some_and(|a| a.ends_with("boot"));
        match s.path_only() {
            "/auth/token" => {
                let form = s.form();
                let who = if form.get("client_id").map(String::as_str) == Some("new") {
                    "new"
                } else {
                    "boot"
                };
                fake::json(
                    200,
                    serde_json::json!({"access_token": format!("tok-{who}"), "token_type": "Bearer", "expires_in": 3600}),
                )
            }
            "/api/Agent/me" => fake::json(200, serde_json::json!({"id": 7, "name": "vendor"})),
            "/api/Tickets" => fake::json(404, serde_json::json!({"message": "no such path"})),
            "/api/Asset" if boot => fake::json(200, serde_json::json!([{"id": 1}])),
            _ => fake::json(200, serde_json::json!([])),
        }
    })
    .await;
    let ep = halo_onboard::halo::Endpoint::hosted(&f.url).unwrap();
    let boot = halo_onboard::halo::Client::new(
        ep.clone(),
        halo_onboard::halo::Credentials::new("boot", "s", &["all", "admin"]),
        fast_opts(),
    )
    .unwrap();
    let secret = secrecy::SecretString::from("new-secret".to_string());
    let role = topleft().role;
    let scopes: Vec<String> = [
        "read:tickets",
        "read:customers",
        "read:assets",
        "access:chat",
    ]
    .map(String::from)
    .to_vec();
    let t = Target {
        endpoint: &ep,
        client_id: "new",
        client_secret: &secret,
        scopes: &scopes,
        agent_id: 7,
        role: &role,
        application_name: "Vendor",
    };
    let v = verify::verify(&t, fast_opts(), Some(&boot)).await;
    let row = |what: &str| v.checks.iter().find(|c| c.name.contains(what)).unwrap();
    let tickets = row("tickets");
    assert!(!tickets.pass && tickets.could_not_check, "{tickets:?}");
    assert!(
        tickets.detail.contains("does not serve GET /api/Tickets"),
        "{tickets:?}"
    );
    let clients = row("customers");
    assert!(
        clients.could_not_check && clients.detail.contains("Halo has no"),
        "{clients:?}"
    );
    let assets = row("assets");
    assert_eq!(assets.layer, Some(Layer::Visibility), "{assets:?}");
    assert!(!assets.could_not_check);
    let chat = row("access:chat");
    assert!(chat.could_not_check, "{chat:?}");
    assert!(!v.passed());
    assert_eq!(Verdict::of(Some(&v), 0), Verdict::Failed);
    // Without the visibility failure: nothing failed, but it is not verified either.
    let unproven = verify::Verification {
        checks: v
            .checks
            .iter()
            .filter(|c| !c.name.contains("assets"))
            .cloned()
            .collect(),
        invalid_client: false,
    };
    assert_eq!(Verdict::of(Some(&unproven), 0), Verdict::CouldNotCheck);
    // Without the bootstrap credentials an empty list cannot be told apart either.
    let v = verify::verify(&t, fast_opts(), None).await;
    assert!(row_of(&v, "assets").could_not_check, "{v:?}");
}

fn row_of<'a>(
    v: &'a halo_onboard::plan::verify::Verification,
    what: &str,
) -> &'a halo_onboard::plan::verify::Check {
    v.checks.iter().find(|c| c.name.contains(what)).unwrap()
}

/// Halo may answer a denial with an empty list (`evidence/behaviours.toml` `denial`): where the
/// role the setup wrote gives nothing on the area, the verdict names the role as the layer that
/// blocks it in both readings, and it is never "verified".
#[tokio::test]
async fn a_denial_is_blamed_on_the_role_whether_halo_answers_403_or_an_empty_list() {
    use halo_onboard::plan::verify::{Layer, Verdict};
    use halo_onboard::sim::{Denial, SimConfig};
    for denial in [Denial::Forbidden, Denial::Empty] {
        let e = env_with(SimConfig {
            denial,
            ..SimConfig::default()
        })
        .await;
        let mut a = topleft();
        a.scopes = vec!["read:tickets".into(), "read:customers".into()];
        a.role.permissions = Permissions::default();
        a.role
            .permissions
            .set_labels("clients", "Read and Modify")
            .unwrap();
        a.agent.teams = vec![TeamAnswer {
            name: "Service Desk".into(),
            ..Default::default()
        }];
        let mut s = e.journal.create(a, Some(e.ep.clone())).unwrap();
        let ap = applier(&e.admin, &e.journal);
        let lk = ap.lookups(&s).await.unwrap();
        let f = ap.apply_and_verify(&mut s, lk).await.unwrap();
        let v = f.verification.unwrap();
        let tickets = row_of(&v, "tickets");
        assert_eq!(tickets.layer, Some(Layer::Role), "{denial:?}: {tickets:?}");
        assert!(
            tickets.fix.contains("Feature Access, set Tickets"),
            "{tickets:?}"
        );
        assert_eq!(Verdict::of(Some(&v), 0), Verdict::Failed, "{denial:?}");
        e.sim.shutdown().await;
    }
}
