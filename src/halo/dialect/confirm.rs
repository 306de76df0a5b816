//! Does this Halo speak the dialect? Before any role claim is written, the roles are read with
//! their details (`GET /api/Roles/{id}?includedetails=true&isconfig=true`, the built-in
//! Administrator at least) and the tool's assumptions are checked against what they carry:
//! `SA`=`true` on the administrator role, area codes present, values on each area's scale, and
//! none of the older long claim names. Where the instance disagrees, the plan says so in plain
//! words and the role's permissions go to the guided manual fallback: halo-onboard never writes
//! claims this Halo did not show.

use std::collections::BTreeMap;

use crate::halo::model::Role;
use crate::halo::{Client, Result};

use super::claims::{self, ADMIN, Group, LEGACY_NAMES, TRUE};

/// The name of Halo's built-in administrator role.
pub const ADMINISTRATOR_ROLE: &str = "Administrator";

/// Role details read per connect besides the ones the setup names: enough to learn the
/// vocabulary, few enough to stay inside the rate limit.
pub const EXTRA_ROLE_DETAILS: usize = 3;

/// One assumption the tool makes about Halo, and whether this instance bears it out.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Assumption {
    /// Short id, e.g. `admin-role-sa`.
    pub id: &'static str,
    /// What the tool assumes, in plain words.
    pub what: String,
    pub holds: bool,
    /// What was seen (claim codes and counts only; never names of people).
    pub evidence: String,
}

/// The claim vocabulary one instance showed.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct Vocabulary {
    /// Claim type → number of roles carrying it.
    pub codes: BTreeMap<String, usize>,
    /// Roles whose details were read.
    pub roles_read: usize,
    pub assumptions: Vec<Assumption>,
}

impl Vocabulary {
    /// Every assumption holds: role claims may be written.
    pub fn confirmed(&self) -> bool {
        !self.assumptions.is_empty() && self.assumptions.iter().all(|a| a.holds)
    }

    /// The first assumption that fails.
    pub fn failed(&self) -> Option<&Assumption> {
        self.assumptions.iter().find(|a| !a.holds)
    }

    /// Plain words for the plan when the instance disagrees.
    pub fn disagreement(&self) -> Option<String> {
        let f = self.failed()?;
        Some(format!(
            "this Halo does not confirm halo-onboard's permission codes ({}: {}), so the role's permissions are not written by the API; set them by hand as listed, then verification decides",
            f.what, f.evidence
        ))
    }
}

fn list(items: &[String], max: usize) -> String {
    let mut s = items
        .iter()
        .take(max)
        .cloned()
        .collect::<Vec<_>>()
        .join(", ");
    if items.len() > max {
        s.push_str(&format!(" and {} more", items.len() - max));
    }
    s
}

/// Checks the roles (with their claims) against the dialect.
pub fn confirm(roles: &[Role]) -> Vocabulary {
    let mut v = Vocabulary::default();
    let with_claims: Vec<&Role> = roles.iter().filter(|r| !r.claims.is_empty()).collect();
    v.roles_read = with_claims.len();
    for r in &with_claims {
        let mut seen: Vec<&str> = r.claims.iter().map(|c| c.claim_type.trim()).collect();
        seen.sort_unstable();
        seen.dedup();
        for c in seen {
            *v.codes.entry(c.to_string()).or_default() += 1;
        }
    }
    let admin_role = roles
        .iter()
        .find(|r| r.name.trim().eq_ignore_ascii_case(ADMINISTRATOR_ROLE));
    let sa_true = |r: &Role| {
        r.claims
            .iter()
            .any(|c| c.claim_type.trim() == ADMIN && c.value.trim().eq_ignore_ascii_case(TRUE))
    };
    let (holds, evidence) = match admin_role {
        Some(r) if sa_true(r) => (
            true,
            format!("role '{ADMINISTRATOR_ROLE}' carries {ADMIN}=true"),
        ),
        Some(r) if r.claims.is_empty() => (
            false,
            format!("role '{ADMINISTRATOR_ROLE}' showed no claims when read with its details"),
        ),
        Some(r) => {
            let types: Vec<String> = r
                .claims
                .iter()
                .map(|c| format!("{}={}", c.claim_type.trim(), c.value.trim()))
                .collect();
            (
                false,
                format!(
                    "role '{ADMINISTRATOR_ROLE}' carries {} but not {ADMIN}=true",
                    list(&types, 4)
                ),
            )
        }
        None => match with_claims.iter().find(|r| sa_true(r)) {
            Some(_) => (
                true,
                format!("a role carries {ADMIN}=true (no role is named '{ADMINISTRATOR_ROLE}')"),
            ),
            None => (
                false,
                format!("no role named '{ADMINISTRATOR_ROLE}' and no role with {ADMIN}=true"),
            ),
        },
    };
    v.assumptions.push(Assumption {
        id: "admin-role-sa",
        what: format!(
            "the administrator role carries {ADMIN}=true (\"Is a HaloPSA Administrator\")"
        ),
        holds,
        evidence,
    });

    let area_codes: Vec<String> = claims::areas()
        .filter_map(|a| {
            v.codes
                .get(a.code)
                .map(|n| format!("{} on {n} role(s)", a.code))
        })
        .collect();
    v.assumptions.push(Assumption {
        id: "area-codes",
        what: "Feature Access levels are stored as area codes (Tx, Ux, …)".into(),
        holds: !area_codes.is_empty(),
        evidence: if area_codes.is_empty() {
            format!("no area code on the {} role(s) read", v.roles_read)
        } else {
            list(&area_codes, 6)
        },
    });

    let mut off_scale = Vec::new();
    for r in &with_claims {
        for c in &r.claims {
            if let Some(def) = claims::by_code(c.claim_type.trim())
                && def.level(&c.value).is_none()
            {
                let s = format!("{}={}", def.code, c.value.trim());
                if !off_scale.contains(&s) {
                    off_scale.push(s);
                }
            }
        }
    }
    v.assumptions.push(Assumption {
        id: "scales",
        what: "each area's values lie on its own scale (e.g. Tickets 0-2, Clients 0-3)".into(),
        holds: off_scale.is_empty(),
        evidence: if off_scale.is_empty() {
            "every known code's value is on its scale".into()
        } else {
            format!("off-scale values: {}", list(&off_scale, 5))
        },
    });

    let legacy: Vec<String> = LEGACY_NAMES
        .iter()
        .filter(|(long, _)| v.codes.contains_key(*long))
        .map(|(long, short)| format!("{long} (today {short})"))
        .collect();
    v.assumptions.push(Assumption {
        id: "no-legacy-names",
        what: "claims use today's short codes, not the older long names".into(),
        holds: legacy.is_empty(),
        evidence: if legacy.is_empty() {
            "no older long claim name seen".into()
        } else {
            format!("older names seen: {}", list(&legacy, 4))
        },
    });
    v
}

/// The roles, with the details (claims) of the ones that matter read in parallel: the
/// built-in Administrator, the roles named in `wanted` (the setup's own, a reused one), and a
/// few others to learn the vocabulary. Roles not read keep what the list showed.
pub async fn read_roles(client: &Client, wanted: &[&str]) -> Result<Vec<Role>> {
    let mut roles = client.roles().await?;
    let named =
        |r: &Role, n: &str| !n.trim().is_empty() && r.name.trim().eq_ignore_ascii_case(n.trim());
    let mut pick: Vec<usize> = Vec::new();
    for (i, r) in roles.iter().enumerate() {
        if named(r, ADMINISTRATOR_ROLE)
            || wanted
                .iter()
                .any(|w| named(r, w) || r.id.as_deref() == Some(w.trim()))
        {
            pick.push(i);
        }
    }
    let mut extra = 0;
    for i in 0..roles.len() {
        if extra >= EXTRA_ROLE_DETAILS {
            break;
        }
        if !pick.contains(&i) {
            pick.push(i);
            extra += 1;
        }
    }
    let reads = pick.iter().filter_map(|&i| {
        let id = roles[i].id.clone().filter(|x| !x.is_empty())?;
        Some(async move { (i, client.get_role(&id).await) })
    });
    for (i, got) in futures::future::join_all(reads).await {
        roles[i] = got?;
    }
    Ok(roles)
}

/// Groups a role's claims the way Halo's Permissions tab shows them (for reports).
pub fn group_of(code: &str) -> Option<Group> {
    claims::by_code(code).map(|d| d.group)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::halo::model::Claim;

    fn role(name: &str, claims: &[(&str, &str)]) -> Role {
        Role {
            id: Some(name.to_lowercase()),
            name: name.into(),
            claims: claims
                .iter()
                .map(|(t, v)| Claim {
                    claim_type: (*t).into(),
                    value: (*v).into(),
                })
                .collect(),
            ..Role::default()
        }
    }

    #[test]
    fn todays_codes_are_confirmed() {
        let v = confirm(&[
            role("Administrator", &[("SA", "true")]),
            role("1st Line Support", &[("Tx", "2"), ("Ux", "2"), ("l6", "1")]),
        ]);
        assert!(v.confirmed(), "{:?}", v.assumptions);
        assert_eq!(v.codes.get("Tx"), Some(&1));
        assert!(v.disagreement().is_none());
    }

    #[test]
    fn long_names_and_missing_sa_disagree_in_plain_words() {
        let v = confirm(&[
            role("Administrator", &[("Administration", "true")]),
            role(
                "1st Line Support",
                &[("Ticket_Level", "2"), ("Can_Log_Tickets", "1")],
            ),
        ]);
        assert!(!v.confirmed());
        assert_eq!(v.failed().unwrap().id, "admin-role-sa");
        let d = v.disagreement().unwrap();
        assert!(
            d.contains("Administration=true") && d.contains("set them by hand"),
            "{d}"
        );
        assert!(
            v.assumptions
                .iter()
                .any(|a| a.id == "no-legacy-names" && !a.holds)
        );
    }

    #[test]
    fn off_scale_values_and_unread_roles_disagree() {
        let v = confirm(&[role("Administrator", &[("SA", "true"), ("Tx", "7")])]);
        assert_eq!(v.failed().unwrap().id, "scales");
        let v = confirm(&[role("Administrator", &[])]);
        assert!(!v.confirmed());
    }
}
