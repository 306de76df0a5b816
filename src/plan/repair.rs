//! Re-apply is a repair: for an object that already exists, only its `id` and the fields that
//! differ from what the answers ask are sent. Halo keeps every field an update leaves out
//! (`reference/halo-api.md` §5.2), so a repair never blanks what it did not mean to change —
//! above all an application's Client ID and Secret, which are never part of a repair.
//!
//! The patch is computed, not spelled: the wanted values are laid over the object Halo holds
//! (lists merged so nothing a human added is dropped), and only the JSON fields that then differ
//! from Halo's are sent. No Halo field name is written out here.

use serde::Serialize;
use serde_json::{Map, Value};

use crate::answers::{agent, application};
use crate::halo::model::{Agent, Application, Claim, Role};

/// The JSON object to POST: `id` plus the fields that change.
pub type Patch = Map<String, Value>;

fn to_map<T: Serialize>(v: &T) -> Map<String, Value> {
    match serde_json::to_value(v) {
        Ok(Value::Object(m)) => m,
        _ => Map::new(),
    }
}

/// `id` plus every field of `desired` whose value differs from `got`; `None` when nothing does.
fn patch<T: Serialize>(got: &T, desired: &T) -> Option<Patch> {
    let (got, desired) = (to_map(got), to_map(desired));
    let id = got.get("id").cloned()?;
    let mut out = Patch::new();
    for (k, v) in desired {
        if k != "id" && got.get(&k) != Some(&v) {
            out.insert(k, v);
        }
    }
    if out.is_empty() {
        return None;
    }
    out.insert("id".into(), id);
    Some(out)
}

/// Merges `want` into `have` by key: wanted entries replace same-key ones, others are kept.
fn merge_by<T: Clone, K: PartialEq>(have: &[T], want: &[T], key: impl Fn(&T) -> K) -> Vec<T> {
    let mut out: Vec<T> = have.to_vec();
    for w in want {
        match out.iter_mut().find(|h| key(h) == key(w)) {
            Some(h) => *h = w.clone(),
            None => out.push(w.clone()),
        }
    }
    out
}

/// The role repair: name, the wanted permission claims (other claims kept), and the setup
/// marker back in the notes if a human removed every marker (rollback proves ownership by it).
pub fn role(want: &Role, got: &Role, marker: &str) -> Option<Patch> {
    let mut desired = got.clone();
    desired.name = want.name.clone();
    desired.claims = merge_by(&got.claims, &want.claims, |c: &Claim| {
        c.claim_type.to_ascii_lowercase()
    });
    if !marker.is_empty() && !got.notes.contains("[halo-onboard:") {
        desired.notes = match got.notes.trim() {
            "" => want.notes.clone(),
            notes => format!("{notes}\n{marker}"),
        };
    }
    patch(got, &desired)
}

/// The agent repair: the answered settings, plus the wanted roles, teams and departments merged
/// into the ones the agent has (a membership a human added is kept).
pub fn agent(want: &Agent, got: &Agent) -> Option<Patch> {
    let mut desired = got.clone();
    // The plain attributes (`answers::agent::ROWS`) where Halo holds otherwise: an optional
    // text the answers leave empty is not sent, so a repair never blanks it.
    for r in agent::ROWS {
        if r.differs(want, got) {
            (r.repair)(want, &mut desired);
        }
    }
    desired.team = want.team.clone();
    if want.workday_id.is_some() {
        desired.workday_id = want.workday_id;
    }
    let wanted_roles: Vec<_> = want
        .roles
        .iter()
        .filter(|r| !r.id.is_empty())
        .cloned()
        .collect();
    desired.roles = merge_by(&got.roles, &wanted_roles, |r| r.id.to_ascii_lowercase());
    desired.teams = merge_by(&got.teams, &want.teams, |t| t.team_id);
    desired.departments = merge_by(&got.departments, &want.departments, |d| d.department_id);
    patch(got, &desired)
}

/// The application repair: each attribute its table compares (`answers::application::ROWS`:
/// name, active, the authentication method where Halo reports one, the agent it logs in as
/// once it is known, exactly the wanted scopes) where Halo holds otherwise. The Client ID and
/// Secret stay as Halo holds them (a new secret is only ever sent by an explicit rotation).
pub fn application(want: &Application, got: &Application) -> Option<Patch> {
    let mut desired = got.clone();
    for r in application::ROWS {
        if r.compare != application::Compare::No && r.known(want) && r.differs(want, got) {
            (r.repair)(want, &mut desired);
        }
    }
    patch(got, &desired)
}

/// A secret rotation: only `id` and the new secret.
pub fn new_secret(got: &Application, secret: &str) -> Option<Patch> {
    let desired = Application {
        client_secret: secret.to_string(),
        ..got.clone()
    };
    let mut p = patch(got, &desired)?;
    // A GET never returns the secret, so the comparison always sees a change; keep only it.
    p.retain(|k, v| k == "id" || v.as_str() == Some(secret));
    Some(p)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::halo::model::{AgentTeam, RoleRef, ScopeRef};

    fn app() -> Application {
        Application {
            id: Some("app-1".into()),
            client_id: "cid-1".into(),
            display_name: "TopLeft".into(),
            grant_type: "client_credentials".into(),
            loginas_agent_id: Some(7),
            scopes: ["all:standard", "all:teams", "admin:webhooks"]
                .map(|n| ScopeRef { name: n.into() })
                .to_vec(),
            ..Application::default()
        }
    }

    #[test]
    fn application_patch_sends_only_what_differs_never_the_credentials() {
        let want = Application {
            id: None,
            client_id: String::new(),
            ..app()
        };
        let mut got = app();
        got.scopes.truncate(1);
        let p = application(&want, &got).expect("scopes differ");
        let keys: Vec<&str> = p.keys().map(String::as_str).collect();
        assert_eq!(keys.len(), 2, "{p:?}");
        assert_eq!(p["id"], "app-1");
        let body = Value::Object(p).to_string();
        assert!(
            !body.contains("clientId") && !body.contains("clientSecret"),
            "{body}"
        );
        assert!(body.contains("admin:webhooks"), "{body}");
        assert!(application(&want, &app()).is_none(), "nothing differs");
    }

    /// The agent's plain attributes come from its table: a wanted phone number is sent (it
    /// was left out before), and an optional text the answers leave empty is never blanked.
    #[test]
    fn agent_patch_sends_each_row_that_differs_and_never_blanks_an_optional_text() {
        let got = Agent {
            id: Some(7),
            name: "bot".into(),
            email: "ops@example.com".into(),
            surname: "Ops".into(),
            ..Agent::default()
        };
        let want = Agent {
            id: None,
            sms: "+1 555 0100".into(),
            isapiagent: true,
            ..got.clone()
        };
        let blank = Agent {
            email: String::new(),
            surname: String::new(),
            ..want.clone()
        };
        for w in [&want, &blank] {
            let p = agent(w, &got).expect("phone and API-only differ");
            assert_eq!(p["sms"], "+1 555 0100", "{p:?}");
            assert_eq!(p["isapiagent"], true, "{p:?}");
            assert!(
                !p.contains_key("email") && !p.contains_key("surname"),
                "{p:?}"
            );
        }
    }

    #[test]
    fn agent_patch_merges_memberships_and_keeps_what_a_human_added() {
        let got = Agent {
            id: Some(7),
            name: "topleft".into(),
            isapiagent: true,
            isdisabled: true,
            roles: vec![RoleRef {
                id: "other".into(),
                name: "Other".into(),
            }],
            teams: vec![AgentTeam {
                team_id: 9,
                ..AgentTeam::default()
            }],
            ..Agent::default()
        };
        let want = Agent {
            id: None,
            isdisabled: false,
            roles: vec![RoleRef {
                id: "ours".into(),
                name: "TopLeft Role".into(),
            }],
            teams: vec![AgentTeam {
                team_id: 3,
                ..AgentTeam::default()
            }],
            ..got.clone()
        };
        let p = agent(&want, &got).unwrap();
        assert_eq!(p["isdisabled"], false);
        let roles: Vec<&str> = p["roles"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|r| r["id"].as_str())
            .collect();
        assert_eq!(roles, vec!["other", "ours"]);
        assert_eq!(p["teams"].as_array().unwrap().len(), 2);
        assert!(
            !p.contains_key("name"),
            "unchanged fields are not sent: {p:?}"
        );
    }

    #[test]
    fn role_patch_merges_claims_and_restores_a_removed_marker() {
        let got = Role {
            id: Some("r-1".into()),
            name: "TopLeft Role".into(),
            notes: "hand-edited".into(),
            claims: vec![Claim {
                claim_type: "Tx".into(),
                value: "1".into(),
            }],
            ..Role::default()
        };
        let want = Role {
            id: None,
            notes: "Created by halo-onboard [halo-onboard:x]".into(),
            claims: vec![Claim {
                claim_type: "Tx".into(),
                value: "2".into(),
            }],
            ..got.clone()
        };
        let p = role(&want, &got, "[halo-onboard:x]").unwrap();
        assert_eq!(p["claims"][0]["value"], "2");
        assert_eq!(p["notes"], "hand-edited\n[halo-onboard:x]");
        assert!(!p.contains_key("name"));
        let marked = Role {
            notes: "[halo-onboard:older]".into(),
            ..want.clone()
        };
        assert!(role(&want, &marked, "[halo-onboard:x]").is_none());
    }

    #[test]
    fn a_rotation_sends_only_the_id_and_the_secret() {
        let p = new_secret(&app(), "s-1").unwrap();
        assert_eq!(p.len(), 2, "{p:?}");
        assert_eq!(p["clientSecret"], "s-1");
    }
}
