//! The catalogue of Halo API permission (scope) names, grouped by area, with the labels the
//! wizard shows. The names, how they combine ([`grants`]) and the endpoint that proves each
//! area ([`probe`]) are the evidence's (`evidence/scopes.toml`, `evidence/areas.toml`): a test
//! holds this table to it. Only names listed here can be requested; `read:actions` and
//! `write:tickets` are known traps.

use crate::evidence::{self, ProbeArea};

/// One area of the Permissions tab.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Area {
    /// Stable key of the area (`tickets`, `umbrella`, ...); claims and probe areas name it.
    pub key: &'static str,
    /// The area's heading as the wizard shows it.
    pub label: &'static str,
    /// Scope names in this area, in display order.
    pub scopes: &'static [&'static str],
}

/// Every area and its scope names, in the order the wizard shows them.
pub const AREAS: &[Area] = &[
    Area {
        key: "umbrella",
        label: "Umbrella",
        scopes: &["all", "all:standard", "admin"],
    },
    Area {
        key: "teams",
        label: "Teams and webhooks",
        scopes: &["all:teams", "admin:webhooks"],
    },
    Area {
        key: "tickets",
        label: "Tickets",
        scopes: &["read:tickets", "edit:tickets"],
    },
    Area {
        key: "calendar",
        label: "Calendar",
        scopes: &["read:calendar", "edit:calendar"],
    },
    Area {
        key: "customers",
        label: "Customers (clients, sites, users)",
        scopes: &["read:customers", "edit:customers"],
    },
    Area {
        key: "crm",
        label: "CRM",
        scopes: &["read:crm", "edit:crm"],
    },
    Area {
        key: "timesheets",
        label: "Timesheets",
        scopes: &["read:timesheets", "edit:timesheets", "editMine:timesheets"],
    },
    Area {
        key: "contracts",
        label: "Contracts",
        scopes: &["read:contracts", "edit:contracts"],
    },
    Area {
        key: "suppliers",
        label: "Suppliers",
        scopes: &["read:suppliers", "edit:suppliers"],
    },
    Area {
        key: "items",
        label: "Items (products)",
        scopes: &["read:items", "edit:items"],
    },
    Area {
        key: "projects",
        label: "Projects",
        scopes: &["read:projects", "edit:projects"],
    },
    Area {
        key: "sales",
        label: "Sales (opportunities)",
        scopes: &["read:sales", "edit:sales"],
    },
    Area {
        key: "quotes",
        label: "Quotes",
        scopes: &["read:quotes", "edit:quotes"],
    },
    Area {
        key: "sos",
        label: "Sales orders",
        scopes: &["read:sos", "edit:sos"],
    },
    Area {
        key: "pos",
        label: "Purchase orders",
        scopes: &["read:pos", "edit:pos"],
    },
    Area {
        key: "invoices",
        label: "Invoices",
        scopes: &["read:invoices", "edit:invoices"],
    },
    Area {
        key: "reporting",
        label: "Reporting",
        scopes: &["read:reporting", "edit:reporting"],
    },
    Area {
        key: "software",
        label: "Software",
        scopes: &["read:software", "edit:software"],
    },
    Area {
        key: "softwarelicensing",
        label: "Software licensing",
        scopes: &["read:softwarelicensing", "edit:softwarelicensing"],
    },
    Area {
        key: "kb",
        label: "Knowledge base",
        scopes: &["read:kb", "edit:kb"],
    },
    Area {
        key: "assets",
        label: "Assets",
        scopes: &["read:assets", "edit:assets"],
    },
    Area {
        key: "distributionlists",
        label: "Distribution lists",
        scopes: &["read:distributionlists", "edit:distributionlists"],
    },
    Area {
        key: "access",
        label: "Access",
        scopes: &["access:chat", "access:adpasswordreset"],
    },
];

/// The endpoint that proves read access to an area (`evidence/areas.toml`; the one table of
/// probes, the emulator's too): the first one the evidence names for the area's key; `None` for
/// the areas no endpoint stands for (umbrella, access). Customers has two (`/Client`,
/// `/Users`): the first is the probe. There is no `/Software` in Halo's published API:
/// software releases are `/Release` (halo-api.md §7a).
pub fn probe(area: &Area) -> Option<&'static ProbeArea> {
    evidence::areas().iter().find(|p| p.scope == area.key)
}

/// The scope an area's probe endpoint needs: the area's read scope, except where the evidence
/// says otherwise (the teams area's `/Webhook` needs `admin:webhooks`; `all:teams` has no
/// endpoint of its own: it widens what other lists show).
pub fn probe_scope(area: &Area) -> String {
    probe(area).map_or_else(|| area.scopes[0].to_string(), ProbeArea::read_scope)
}

/// The probe as the client requests it: the evidence's path, asking for one row where the
/// published API lists a `count` parameter for it (a parameter it does not list is not sent).
pub fn probe_request(p: &ProbeArea) -> String {
    if super::paths::takes_query("GET", &p.path, "count") {
        format!("{}?count=1", p.path)
    } else {
        p.path.clone()
    }
}

/// Every valid scope name.
pub fn all_names() -> impl Iterator<Item = &'static str> {
    AREAS.iter().flat_map(|a| a.scopes.iter().copied())
}

/// `name` is a scope Halo has (in [`AREAS`]); only such names may be requested.
pub fn is_known(name: &str) -> bool {
    all_names().any(|n| n == name)
}

/// The area a scope belongs to.
pub fn area_of(name: &str) -> Option<&'static Area> {
    AREAS.iter().find(|a| a.scopes.contains(&name))
}

/// Names that look plausible but Halo rejects, with the name to use instead.
pub fn known_trap(name: &str) -> Option<&'static str> {
    match name {
        "read:actions" | "edit:actions" => {
            Some("actions are covered by read:tickets / edit:tickets")
        }
        "write:tickets" => Some("Halo has no write: scopes; use edit:tickets"),
        "read:agents" | "edit:agents" | "read:teams" => Some(
            "not a Halo scope; agent and team visibility comes from the agent's role and all:teams",
        ),
        "read:sites" | "edit:sites" => Some("sites are covered by read:customers / edit:customers"),
        _ => None,
    }
}

/// Does holding `granted` allow an operation that needs `needed`? The evidence's rules
/// (`evidence/scopes.toml` `[rules]`): `edit:X` includes `read:X` (observed on a live tenant);
/// `all` and `all:standard` cover the standard read/edit scopes; `admin` covers
/// `admin:webhooks`.
pub fn grants(granted: &str, needed: &str) -> bool {
    evidence::scopes().grants(granted, needed)
}

/// Does any scope in `granted` satisfy `needed`?
pub fn any_grants<S: AsRef<str>>(granted: &[S], needed: &str) -> bool {
    granted.iter().any(|g| grants(g.as_ref(), needed))
}

/// Warnings a careful admin wants to see before granting `name`.
pub fn warning(name: &str) -> Option<&'static str> {
    match name {
        "all" => Some("broad: every standard area, read and write"),
        "admin" => Some("grants configuration access (roles, agents, applications)"),
        "all:standard" => Some("broad: every standard area"),
        "admin:webhooks" => Some("can create and change webhooks"),
        _ => None,
    }
}

/// Adds `read:X` for every `edit:X`, dedups and sorts into catalogue order.
pub fn normalise(names: &[String]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for n in names {
        let n = n.trim();
        if n.is_empty() {
            continue;
        }
        if let Some(area) = n.strip_prefix("edit:") {
            let read = format!("read:{area}");
            if is_known(&read) && !out.contains(&read) {
                out.push(read);
            }
        }
        if !out.iter().any(|o| o == n) {
            out.push(n.to_string());
        }
    }
    let order = |s: &str| all_names().position(|n| n == s).unwrap_or(usize::MAX);
    out.sort_by_key(|s| order(s));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn edit_implies_read_not_the_reverse() {
        assert!(grants("edit:tickets", "read:tickets"));
        assert!(!grants("read:tickets", "edit:tickets"));
        assert!(!grants("edit:tickets", "read:assets"));
    }

    #[test]
    fn umbrellas() {
        assert!(grants("all", "edit:assets"));
        assert!(!grants("all", "admin"));
        assert!(!grants("all", "all:teams"));
        assert!(grants("admin", "admin:webhooks"));
    }

    #[test]
    fn traps_are_unknown() {
        for t in ["read:actions", "write:tickets", "read:agents", "read:sites"] {
            assert!(!is_known(t), "{t}");
            assert!(known_trap(t).is_some(), "{t}");
        }
        assert_eq!(all_names().count(), 48);
    }

    #[test]
    fn normalise_adds_read_and_orders() {
        let got = normalise(&["edit:assets".into(), "all".into(), "edit:assets".into()]);
        assert_eq!(got, vec!["all", "read:assets", "edit:assets"]);
    }
}
