//! Tests of `verify`.

use super::*;

#[test]
fn rows_counts_both_shapes() {
    assert_eq!(rows(&serde_json::json!([1, 2]), "tickets"), 2);
    assert_eq!(
        rows(
            &serde_json::json!({"record_count": 5, "x": [], "tickets": [1]}),
            "tickets"
        ),
        1
    );
    assert_eq!(rows(&serde_json::json!({"x": 1}), "tickets"), 0);
}

/// Issue 20 item 9: a 500 is Halo's server, a 429 its rate limit; only what never reached
/// Halo is "network".
#[test]
fn what_blocks_a_check_is_named_for_its_cause() {
    let p = "/api/Tickets".to_string();
    let l = |e: HaloError| classify_layer(&e);
    assert_eq!(
        l(HaloError::Server(500, p.clone(), "boom".into())),
        Layer::Server
    );
    assert_eq!(
        l(HaloError::Server(500, p.clone(), "boom".into())).label(),
        "Halo's server (an HTTP error)"
    );
    assert_eq!(
        l(HaloError::RateLimited("slow down".into())),
        Layer::RateLimit
    );
    assert!(Layer::RateLimit.label().contains("429"));
    assert_eq!(l(HaloError::Connect(p.clone())).label(), "network");
    assert!(Layer::RateLimit.why().contains("429"));
    assert!(!Layer::Server.why().contains("reached"));
    assert_eq!(l(HaloError::Forbidden(p, "no".into())), Layer::Role);
}

#[test]
fn empty_verification_is_not_a_pass() {
    assert!(!Verification::default().passed());
    assert_eq!(Verdict::of(None, 0), Verdict::CouldNotCheck);
}

fn v(checks: &[Check]) -> Verification {
    Verification {
        checks: checks.to_vec(),
        invalid_client: false,
    }
}

/// Verified only when every check passed and no manual step is left; a failure outranks
/// steps left, which outrank what could not be checked.
#[test]
fn verdicts() {
    let ok = pass("token", "");
    let bad = fail("tickets", Layer::Role, "", "");
    let unsure = unchecked("kb", "404", "");
    assert_eq!(
        Verdict::of(Some(&v(std::slice::from_ref(&ok))), 0),
        Verdict::Verified
    );
    assert_eq!(
        Verdict::of(Some(&v(std::slice::from_ref(&ok))), 2),
        Verdict::ManualStepsLeft
    );
    assert_eq!(
        Verdict::of(Some(&v(&[ok.clone(), unsure.clone()])), 0),
        Verdict::CouldNotCheck
    );
    assert_eq!(
        Verdict::of(Some(&v(&[ok.clone(), unsure.clone()])), 1),
        Verdict::ManualStepsLeft
    );
    // The role's denial while steps are left is what is left to do; any other failure is
    // a failure.
    assert_eq!(
        Verdict::of(Some(&v(&[ok.clone(), unsure.clone(), bad.clone()])), 1),
        Verdict::ManualStepsLeft
    );
    assert_eq!(
        Verdict::of(Some(&v(&[ok.clone(), unsure.clone(), bad.clone()])), 0),
        Verdict::Failed
    );
    let scope = fail("tickets", Layer::Scope, "", "");
    assert_eq!(
        Verdict::of(Some(&v(&[ok, unsure.clone(), bad, scope])), 1),
        Verdict::Failed
    );
    assert!(!v(std::slice::from_ref(&unsure)).passed());
    assert_eq!(v(std::slice::from_ref(&unsure)).failures().count(), 0);
    assert_eq!(unsure.mark(), "could not check");
    assert_eq!(Verdict::ManualStepsLeft.word(), "manual_steps_left");
    assert_eq!(steps_left(1), "applied, 1 manual step left");
}

#[test]
fn scopes_without_an_endpoint_are_proven_by_the_token_or_not_at_all() {
    let req = |s: &[&str]| {
        s.iter()
            .map(std::string::ToString::to_string)
            .collect::<Vec<_>>()
    };
    let c = scope_only_needs(
        &req(&["all:teams", "read:tickets", "all"]),
        &req(&["all:teams"]),
    );
    assert_eq!(c.len(), 1);
    assert!(c[0].pass);
    let c = scope_only_needs(&req(&["all:teams", "access:chat"]), &[]);
    assert_eq!(c.len(), 2);
    assert!(c.iter().all(|x| x.could_not_check));
}
