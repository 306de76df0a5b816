//! The evidence files parse, name their sources and agree with each other.

use std::collections::BTreeSet;

use super::*;

#[test]
fn every_file_parses_and_names_its_source() {
    assert_eq!(spec().paths.len(), 808);
    assert!(spec().source.contains_key("from"));
    assert!(schemas().len() >= 10);
    assert_eq!(uname_2026().len(), 337);
    assert!(claims().source.contains_key("from"));
    assert!(scopes().source.contains_key("from"));
    assert!(!lists().is_empty() && !areas().is_empty());
    assert!(behaviours().len() >= 7);
    for text in [
        CLAIMS_TOML,
        SCOPES_TOML,
        LISTS_TOML,
        AREAS_TOML,
        BEHAVIOURS_TOML,
    ] {
        assert!(text.contains("[source]"), "every file has a [source] table");
    }
}

#[test]
fn paths_match_case_insensitively_literal_first() {
    let s = spec();
    assert_eq!(s.find("/api/agent/me").unwrap().entry.template, "/Agent/me");
    let m = s.find("/api/Agent/7?includedetails=true").unwrap();
    assert_eq!(m.entry.template, "/Agent/{id}");
    assert_eq!(m.params.get("id").map(String::as_str), Some("7"));
    assert_eq!(m.entry.id_type(), Some("integer"));
    assert_eq!(
        s.find("/api/Roles/abc").unwrap().entry.id_type(),
        Some("string")
    );
    assert!(s.allows("GET", "/api/Tickets"));
    assert!(s.allows("DELETE", "/api/Application/x"));
    assert!(
        !s.allows("DELETE", "/api/Application"),
        "no delete on a collection"
    );
    assert!(
        s.find("/api/Software").is_none(),
        "no /Software in Halo's API"
    );
    assert!(s.find("/api/Release").is_some());
    assert!(!s.allows("PUT", "/api/Agent"));
}

#[test]
fn schemas_are_halos() {
    let app = schema("NHD_Identity_Application").unwrap();
    assert!(app.has("clientId") && app.has("loginas_agent_id") && app.has("scopes"));
    assert!(!app.has("description"), "not in the published schema");
    assert!(!schema("Uname").unwrap().has("notes"));
    assert!(!uname_2026().contains("notes"));
    assert_eq!(schema("NHD_Roles").unwrap().type_of("id"), Some("string"));
    assert_eq!(schema("Uname").unwrap().type_of("id"), Some("integer"));
    assert_eq!(
        schema("Uname").unwrap().type_of("teams"),
        Some("array<UnameSection>")
    );
    // Every nested object the touched schemas refer to by name is itself here.
    for s in schemas().values() {
        for t in s.fields.values() {
            let inner = t.trim_start_matches("array<").trim_end_matches('>');
            if ["UnameSection", "UnameDepartment", "NHD_Claim"].contains(&inner) {
                assert!(schema(inner).is_some(), "{inner}");
            }
        }
    }
}

#[test]
fn claims_table_is_consistent() {
    let c = claims();
    let mut seen = BTreeSet::new();
    for cl in &c.claims {
        assert!(seen.insert(cl.code.as_str()), "{} twice", cl.code);
        for s in std::iter::once(&cl.scale).chain(&cl.alt_scales) {
            assert!(c.scales.contains_key(s), "{}: scale {s}", cl.code);
        }
    }
    for code in c.legacy.values() {
        assert!(c.get(code).is_some(), "legacy maps to unknown {code}");
    }
    for needed in [
        "SA", "Tx", "l6", "l8", "l9", "Td", "l2", "l3", "la", "Ru", "At", "lj",
    ] {
        assert!(c.get(needed).is_some(), "{needed}");
    }
    assert_eq!(c.level("Ux", "1").unwrap().label, "View (Names Only)");
    assert_eq!(c.level("Dx", "3").unwrap().access, Access::Modify);
    assert_eq!(
        c.level("l0", "1").unwrap().access,
        Access::Modify,
        "0/1 scale"
    );
    assert_eq!(c.level("l0", "true").unwrap().access, Access::Modify);
    assert_eq!(c.legacy_code("Ticket_Level"), Some("Tx"));
}

#[test]
fn scope_rules() {
    let s = scopes();
    assert!(s.grants("edit:tickets", "read:tickets"));
    assert!(!s.grants("read:tickets", "edit:tickets"));
    assert!(s.grants("all", "edit:assets"));
    assert!(!s.grants("all", "all:teams") && !s.grants("all", "admin"));
    assert!(s.grants("admin", "admin:webhooks"));
    assert!(!s.is_scope("read:actions") && s.not_scopes.contains_key("read:actions"));
    for n in s.not_scopes.keys() {
        assert!(!s.is_scope(n), "{n}");
    }
}

#[test]
fn every_area_and_list_is_a_path_of_the_spec() {
    for a in areas() {
        assert!(spec().allows("GET", &a.path), "{}", a.path);
        assert!(claims().get(&a.claim).is_some(), "{}", a.claim);
        let read = a.read_scope();
        assert!(scopes().is_scope(&read), "{read}");
        assert!(!a.why.is_empty());
    }
    for l in lists() {
        assert!(spec().allows("GET", &l.path), "{}", l.path);
        assert!(schema(&l.schema).is_some(), "{}", l.schema);
    }
    assert_eq!(
        area_at("/api/tickets?count=1").map(|a| a.claim.as_str()),
        Some("Tx")
    );
    assert!(area_at("/api/Software").is_none());
}

#[test]
fn behaviours_have_their_default_among_their_variants() {
    for (name, b) in behaviours() {
        assert!(b.variants.contains(&b.default), "{name}");
        assert!(!b.known.is_empty() && !b.question.is_empty(), "{name}");
    }
}
