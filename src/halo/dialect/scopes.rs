//! The catalogue of Halo API permission (scope) names, grouped by area.
//! Only names listed here can be requested; `read:actions` and `write:tickets` are known traps.

/// One area of the Permissions tab.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Area {
    pub key: &'static str,
    pub label: &'static str,
    /// Scope names in this area, in display order.
    pub scopes: &'static [&'static str],
    /// A cheap GET that proves read access to this area (path under `/api`).
    pub probe: Option<&'static str>,
}

pub const AREAS: &[Area] = &[
    Area {
        key: "umbrella",
        label: "Umbrella",
        scopes: &["all", "all:standard", "admin"],
        probe: None,
    },
    Area {
        key: "teams",
        label: "Teams and webhooks",
        scopes: &["all:teams", "admin:webhooks"],
        probe: Some("/Webhook"),
    },
    Area {
        key: "tickets",
        label: "Tickets",
        scopes: &["read:tickets", "edit:tickets"],
        probe: Some("/Tickets?count=1"),
    },
    Area {
        key: "calendar",
        label: "Calendar",
        scopes: &["read:calendar", "edit:calendar"],
        probe: Some("/Appointment?count=1"),
    },
    Area {
        key: "customers",
        label: "Customers (clients, sites, users)",
        scopes: &["read:customers", "edit:customers"],
        probe: Some("/Client?count=1"),
    },
    Area {
        key: "crm",
        label: "CRM",
        scopes: &["read:crm", "edit:crm"],
        probe: Some("/CRMNote?count=1"),
    },
    Area {
        key: "timesheets",
        label: "Timesheets",
        scopes: &["read:timesheets", "edit:timesheets", "editMine:timesheets"],
        probe: Some("/Timesheet?count=1"),
    },
    Area {
        key: "contracts",
        label: "Contracts",
        scopes: &["read:contracts", "edit:contracts"],
        probe: Some("/ClientContract?count=1"),
    },
    Area {
        key: "suppliers",
        label: "Suppliers",
        scopes: &["read:suppliers", "edit:suppliers"],
        probe: Some("/Supplier?count=1"),
    },
    Area {
        key: "items",
        label: "Items (products)",
        scopes: &["read:items", "edit:items"],
        probe: Some("/Item?count=1"),
    },
    Area {
        key: "projects",
        label: "Projects",
        scopes: &["read:projects", "edit:projects"],
        probe: Some("/Projects?count=1"),
    },
    Area {
        key: "sales",
        label: "Sales (opportunities)",
        scopes: &["read:sales", "edit:sales"],
        probe: Some("/Opportunities?count=1"),
    },
    Area {
        key: "quotes",
        label: "Quotes",
        scopes: &["read:quotes", "edit:quotes"],
        probe: Some("/Quotation?count=1"),
    },
    Area {
        key: "sos",
        label: "Sales orders",
        scopes: &["read:sos", "edit:sos"],
        probe: Some("/SalesOrder?count=1"),
    },
    Area {
        key: "pos",
        label: "Purchase orders",
        scopes: &["read:pos", "edit:pos"],
        probe: Some("/PurchaseOrder?count=1"),
    },
    Area {
        key: "invoices",
        label: "Invoices",
        scopes: &["read:invoices", "edit:invoices"],
        probe: Some("/Invoice?count=1"),
    },
    Area {
        key: "reporting",
        label: "Reporting",
        scopes: &["read:reporting", "edit:reporting"],
        probe: Some("/Report?count=1"),
    },
    Area {
        key: "software",
        label: "Software",
        scopes: &["read:software", "edit:software"],
        // Halo's published API has no /Software: software releases are /Release (halo-api.md
        // §7a; evidence/areas.toml).
        probe: Some("/Release?count=1"),
    },
    Area {
        key: "softwarelicensing",
        label: "Software licensing",
        scopes: &["read:softwarelicensing", "edit:softwarelicensing"],
        probe: Some("/SoftwareLicence?count=1"),
    },
    Area {
        key: "kb",
        label: "Knowledge base",
        scopes: &["read:kb", "edit:kb"],
        probe: Some("/KBArticle?count=1"),
    },
    Area {
        key: "assets",
        label: "Assets",
        scopes: &["read:assets", "edit:assets"],
        probe: Some("/Asset?count=1"),
    },
    Area {
        key: "distributionlists",
        label: "Distribution lists",
        scopes: &["read:distributionlists", "edit:distributionlists"],
        probe: Some("/DistributionLists?count=1"),
    },
    Area {
        key: "access",
        label: "Access",
        scopes: &["access:chat", "access:adpasswordreset"],
        probe: None,
    },
];

/// The scope an area's probe endpoint needs: the area's first (read) scope, except for the
/// teams area, whose probe (`/Webhook`) needs `admin:webhooks` (`all:teams` has no endpoint
/// of its own: it widens what other lists show).
pub fn probe_scope(area: &Area) -> &'static str {
    if area.key == "teams" {
        "admin:webhooks"
    } else {
        area.scopes[0]
    }
}

/// Every valid scope name.
pub fn all_names() -> impl Iterator<Item = &'static str> {
    AREAS.iter().flat_map(|a| a.scopes.iter().copied())
}

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

/// Standard areas covered by `all` and `all:standard` (everything but admin, webhooks and teams).
fn is_standard(name: &str) -> bool {
    name.starts_with("read:")
        || name.starts_with("edit:")
        || name.starts_with("editMine:")
        || name.starts_with("access:")
}

/// Does holding `granted` allow an operation that needs `needed`?
/// `edit:X` includes `read:X` (observed on a live tenant); `all` and `all:standard` cover the
/// standard read/edit scopes; `admin` covers `admin:webhooks`.
pub fn grants(granted: &str, needed: &str) -> bool {
    if granted == needed {
        return true;
    }
    match granted {
        "all" | "all:standard" => is_standard(needed),
        "admin" => needed == "admin:webhooks",
        g => match (g.strip_prefix("edit:"), needed.strip_prefix("read:")) {
            (Some(a), Some(b)) => a == b,
            _ => match (g.strip_prefix("edit:"), needed.strip_prefix("editMine:")) {
                (Some(a), Some(b)) => a == b,
                _ => false,
            },
        },
    }
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
