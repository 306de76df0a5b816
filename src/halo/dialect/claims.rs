//! Role permissions in Halo's own claim codes (`NHD_RoleClaims`, `shared/reference/halo-api.md`
//! §3.2a): `SA` "Is a Halo Administrator", per-area access levels (`Tx`, `Ux`, …) each on its
//! own scale with the labels Halo's UI shows, the ticket switches (`l6`, `l8`, …), appointment
//! settings and the "allow all" restrictions (`Ft`, `Fc`, `Fa`, `Ff`).
//!
//! Evidence: public Halo SQL reports that decode `NHD_RoleClaims.ClaimType/ClaimValue` into
//! the UI's labels (several independent ones; e.g. code index file 32467830402, a "role
//! permissions" report that also maps the older long claim names such as `Ticket_Level` and
//! `Can_Log_Tickets` onto today's `Tx` and `l6` — see [`LEGACY_NAMES`]). The API's
//! `claims:[{type,value}]` is that table, so the API carries these raw codes [I, strong];
//! halo-onboard confirms it on every instance before writing (see `dialect::confirm`).

use std::collections::BTreeMap;

use super::error::DialectError;
use crate::halo::model::{Claim, Role};

/// "Is a Halo Administrator" (`true`/`false`).
pub const ADMIN: &str = "SA";
pub const TRUE: &str = "true";

/// One value of a claim and the label Halo's UI shows for it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Level {
    pub value: &'static str,
    pub label: &'static str,
    /// How much this level allows, for comparing with API scopes.
    pub grade: Grade,
}

/// What a level allows, coarsely: enough to tell whether an API scope is backed by the role.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Default)]
pub enum Grade {
    #[default]
    None,
    /// "View (Names Only)".
    Names,
    Read,
    Modify,
}

const fn l(value: &'static str, label: &'static str, grade: Grade) -> Level {
    Level {
        value,
        label,
        grade,
    }
}

use Grade::{Modify, Names, None as No, Read};

/// `0` No Access, `1` Read Only, `2` Read and Modify (most areas).
pub const STANDARD: &[Level] = &[
    l("0", "No Access", No),
    l("1", "Read Only", Read),
    l("2", "Read and Modify", Modify),
];
/// Clients, Users, Items.
pub const NAMES_ONLY: &[Level] = &[
    l("0", "No Access", No),
    l("1", "View (Names Only)", Names),
    l("2", "Read Only", Read),
    l("3", "Read and Modify", Modify),
];
/// Assets, Invoices.
pub const WITH_REMOVE: &[Level] = &[
    l("0", "No Access", No),
    l("1", "Read Only", Read),
    l("2", "Read and Modify", Modify),
    l("3", "Read, Modify and Remove", Modify),
];
/// Timesheets (the values are not in order of access).
pub const TIMESHEETS: &[Level] = &[
    l("0", "No Access", No),
    l("1", "Read and Modify (Own)", Modify),
    l("2", "Read and Modify (Managed)", Modify),
    l("3", "Read Only", Read),
    l("4", "Read and Modify (All)", Modify),
];
/// Distribution Lists.
pub const DISTRIBUTION: &[Level] = &[
    l("0", "No Access", No),
    l("1", "Read Only", Read),
    l("2", "Read and Send", Read),
    l("3", "Read and Modify", Modify),
];
pub const YES_NO: &[Level] = &[l("0", "No", No), l("1", "Yes", Modify)];
pub const TRUE_FALSE: &[Level] = &[l("false", "No", No), l("true", "Yes", Modify)];
/// Editing of own Preferences (`l0`): true/false on most instances…
const PREFERENCES: &[Level] = &[
    l("false", "Cannot Edit own Preferences", No),
    l("true", "Can Edit own Preferences", Modify),
];
/// …and 0/1 on others (the same report decodes both; `evidence/claims.toml`).
const PREFERENCES_01: &[Level] = &[
    l("0", "Cannot Edit Preferences", No),
    l("1", "Can edit Preferences", Modify),
];
const NOTIFICATIONS: &[Level] = &[
    l("false", "Cannot Edit Notifications", No),
    l("true", "Can Edit Notifications", Modify),
];
const EDIT_ACTIONS: &[Level] = &[
    l("0", "Cannot Edit Actions", No),
    l("1", "Can Edit Own Actions Only", Modify),
    l("3", "Can Edit All Actions", Modify),
];
const ADD_APPOINTMENTS: &[Level] = &[
    l("0", "Cannot Add Appointments", No),
    l("1", "Can Add Own Appointments Only", Modify),
    l("2", "Can Add All Appointments", Modify),
];
const EDIT_APPOINTMENTS: &[Level] = &[
    l("0", "Cannot Edit Appointments", No),
    l("1", "Can Edit Own Appointments Only", Modify),
    l("3", "Can Edit All Appointments", Modify),
];
const REMOVE_APPOINTMENTS: &[Level] = &[
    l("0", "Cannot Remove Appointments", No),
    l("1", "Can Remove Own Appointments Only", Modify),
    l("3", "Can Remove All Appointments", Modify),
];
const SEE_APPOINTMENTS: &[Level] = &[
    l("0", "Can View Own Appointments Only", Read),
    l("1", "Can View Team Appointments Only", Read),
    l("2", "Can View Team and Department Appointments Only", Read),
    l("3", "Can View All Appointments", Read),
];
const ITEM_PRICES: &[Level] = &[
    l("0", "No", No),
    l("1", "Read Only", Read),
    l("2", "Read and Modify", Modify),
];

/// Where a setting sits on the role's Permissions tab.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Group {
    General,
    FeatureAccess,
    Tickets,
    Appointments,
    Restrictions,
    Approvals,
    Billing,
    Creation,
    Other,
}

impl Group {
    pub fn label(self) -> &'static str {
        match self {
            Self::General => "General",
            Self::FeatureAccess => "Feature Access",
            Self::Tickets => "Tickets",
            Self::Appointments => "Appointments",
            Self::Restrictions => "Restrictions",
            Self::Approvals => "Approvals",
            Self::Billing => "Billing",
            Self::Creation => "Creation",
            Self::Other => "Other",
        }
    }
}

/// One role claim halo-onboard can set.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClaimDef {
    /// Halo's claim type, e.g. `Tx`.
    pub code: &'static str,
    /// Stable key used in answers and profiles, e.g. `tickets`, `add_tickets`.
    pub key: &'static str,
    /// Halo's UI label, e.g. "Tickets", "Can add new Tickets".
    pub label: &'static str,
    pub group: Group,
    pub scale: &'static [Level],
    /// Another scale some instances store this claim on (`l0`: 0/1 besides true/false). Values
    /// are read on either; a write uses the one the instance showed (`dialect::confirm`).
    pub alt_scale: Option<&'static [Level]>,
    /// The API scope area (`scopes::AREAS[].key`) this area access backs, if any.
    pub scope_area: Option<&'static str>,
}

const fn area(
    code: &'static str,
    key: &'static str,
    label: &'static str,
    scale: &'static [Level],
    scope_area: Option<&'static str>,
) -> ClaimDef {
    ClaimDef {
        code,
        key,
        label,
        group: Group::FeatureAccess,
        scale,
        alt_scale: None,
        scope_area,
    }
}

const fn setting(
    code: &'static str,
    key: &'static str,
    label: &'static str,
    group: Group,
    scale: &'static [Level],
) -> ClaimDef {
    ClaimDef {
        code,
        key,
        label,
        group,
        scale,
        alt_scale: None,
        scope_area: None,
    }
}

/// Every claim halo-onboard models, in the order Halo's Permissions tab shows them.
pub const CLAIMS: &[ClaimDef] = &[
    setting(
        ADMIN,
        "administrator",
        "Is a HaloPSA Administrator",
        Group::General,
        TRUE_FALSE,
    ),
    setting(
        "ln",
        "edit_own_notifications",
        "Editing of Own Notifications",
        Group::General,
        NOTIFICATIONS,
    ),
    ClaimDef {
        alt_scale: Some(PREFERENCES_01),
        ..setting(
            "l0",
            "edit_own_preferences",
            "Editing of own Preferences",
            Group::General,
            PREFERENCES,
        )
    },
    // Feature Access. A probe area is listed before other areas sharing its scope (Clients
    // before Users), so the first match is the one that gates the probe.
    area("Tx", "tickets", "Tickets", STANDARD, Some("tickets")),
    area("Ux", "clients", "Clients", NAMES_ONLY, Some("customers")),
    area("Fx", "users", "Users", NAMES_ONLY, Some("customers")),
    area("Ex", "crm", "CRM", STANDARD, Some("crm")),
    area("Dx", "assets", "Assets", WITH_REMOVE, Some("assets")),
    area(
        "Ax",
        "calendars",
        "Calendars and Appointments",
        STANDARD,
        Some("calendar"),
    ),
    area(
        "Bx",
        "knowledge_base",
        "Knowledge Base",
        STANDARD,
        Some("kb"),
    ),
    area("Sx", "suppliers", "Suppliers", STANDARD, Some("suppliers")),
    area("Ix", "items", "Items", NAMES_ONLY, Some("items")),
    area("Ox", "sales", "Sales", STANDARD, Some("sales")),
    area("Qx", "quotations", "Quotations", STANDARD, Some("quotes")),
    area("Yx", "sales_orders", "Sales Orders", STANDARD, Some("sos")),
    area(
        "Zx",
        "purchase_orders",
        "Purchase Orders",
        STANDARD,
        Some("pos"),
    ),
    area("Jx", "billing_details", "Billing Details", STANDARD, None),
    area("Xx", "invoices", "Invoices", WITH_REMOVE, Some("invoices")),
    area("Rx", "reporting", "Reporting", STANDARD, Some("reporting")),
    area(
        "Cx",
        "client_contracts",
        "Client Contracts",
        STANDARD,
        Some("contracts"),
    ),
    area(
        "Gx",
        "supplier_contracts",
        "Supplier Contracts",
        STANDARD,
        None,
    ),
    area("Vx", "services", "Services", STANDARD, None),
    area(
        "Wx",
        "software_releases",
        "Software Releases",
        STANDARD,
        Some("software"),
    ),
    area(
        "Hx",
        "timesheets",
        "Timesheets",
        TIMESHEETS,
        Some("timesheets"),
    ),
    area(
        "Lx",
        "software_licencing",
        "Software Licencing",
        STANDARD,
        Some("softwarelicensing"),
    ),
    area("Px", "projects", "Projects", STANDARD, Some("projects")),
    area(
        "Kx",
        "distribution_lists",
        "Distribution Lists",
        DISTRIBUTION,
        Some("distributionlists"),
    ),
    area("Mx", "documents", "Document Management", STANDARD, None),
    area("Nx", "mail_campaign", "Mail Campaign", STANDARD, None),
    // Ticket permissions.
    setting(
        "l6",
        "add_tickets",
        "Can add new Tickets",
        Group::Tickets,
        YES_NO,
    ),
    setting(
        "lf",
        "edit_closed_tickets",
        "Can Edit Closed Tickets",
        Group::Tickets,
        YES_NO,
    ),
    setting(
        "l9",
        "view_unassigned_tickets",
        "Can View Unassigned Tickets",
        Group::Tickets,
        YES_NO,
    ),
    setting(
        "l8",
        "view_others_tickets",
        "Can view Tickets that are assigned to other Agents",
        Group::Tickets,
        YES_NO,
    ),
    setting(
        "lc",
        "change_ticket_type",
        "Can change a Ticket's Ticket Type",
        Group::Tickets,
        YES_NO,
    ),
    setting(
        "l7",
        "reassign_tickets",
        "Can Re-Assign Tickets",
        Group::Tickets,
        YES_NO,
    ),
    setting(
        "l1",
        "edit_advanced_details",
        "Can Edit Advanced Ticket Details",
        Group::Tickets,
        YES_NO,
    ),
    setting(
        "l5",
        "edit_actions",
        "Editing of Actions",
        Group::Tickets,
        EDIT_ACTIONS,
    ),
    setting(
        "l4",
        "remove_tickets",
        "Can Remove Tickets",
        Group::Tickets,
        YES_NO,
    ),
    setting(
        "ld",
        "assign_outside_teams",
        "Can assign to Agents in Teams the Agent is not a member of",
        Group::Tickets,
        YES_NO,
    ),
    setting(
        "le",
        "edit_tickets_not_assigned",
        "Can Edit Tickets Which Are Not Assigned To Them",
        Group::Tickets,
        YES_NO,
    ),
    setting(
        "lj",
        "override_priority_escalation",
        "Can override maximum priority escalation at ticket type level",
        Group::Tickets,
        YES_NO,
    ),
    setting(
        "lh",
        "override_review_processing",
        "Can Override Ticket Review Processing",
        Group::Tickets,
        YES_NO,
    ),
    setting(
        "ll",
        "treat_as_spam",
        "Can Use the Treat as Spam button",
        Group::Tickets,
        YES_NO,
    ),
    setting(
        "lm",
        "export_tickets",
        "Can Export Tickets",
        Group::Tickets,
        YES_NO,
    ),
    setting(
        "lo",
        "status_outside_actions",
        "Can always change Ticket Statuses and re-assign Tickets outside of actions",
        Group::Tickets,
        YES_NO,
    ),
    // Appointments.
    setting(
        "lb",
        "edit_appointments",
        "Editing of Appointments",
        Group::Appointments,
        EDIT_APPOINTMENTS,
    ),
    setting(
        "lg",
        "add_appointments",
        "Adding New Appointments",
        Group::Appointments,
        ADD_APPOINTMENTS,
    ),
    setting(
        "lz",
        "appointment_visibility",
        "Visibility of Appointments",
        Group::Appointments,
        SEE_APPOINTMENTS,
    ),
    setting(
        "lr",
        "remove_appointments",
        "Deleting of Appointments",
        Group::Appointments,
        REMOVE_APPOINTMENTS,
    ),
    // Restrictions.
    setting(
        "Ft",
        "all_ticket_types",
        "Allow use of all Ticket Types",
        Group::Restrictions,
        YES_NO,
    ),
    setting(
        "Fc",
        "all_clients",
        "Allow use of all Clients",
        Group::Restrictions,
        YES_NO,
    ),
    setting(
        "Fa",
        "all_asset_types",
        "Allow use of all Asset Types",
        Group::Restrictions,
        YES_NO,
    ),
    setting(
        "Ff",
        "all_asset_fields",
        "Allow use of all Asset Fields",
        Group::Restrictions,
        YES_NO,
    ),
    // Billing, creation and other rights.
    setting(
        "li",
        "view_item_costs",
        "Can view item costs",
        Group::Billing,
        YES_NO,
    ),
    setting(
        "pi",
        "item_prices",
        "Can View Item Prices",
        Group::Billing,
        ITEM_PRICES,
    ),
    setting(
        "A1",
        "view_agent_costs",
        "Can View Agent Costs",
        Group::Billing,
        YES_NO,
    ),
    setting(
        "lk",
        "change_active_state",
        "Can change whether Suppliers/Clients/Sites/Users are active or inactive",
        Group::Other,
        YES_NO,
    ),
    setting(
        "Fl",
        "create_faq_lists",
        "Can Create FAQ Lists",
        Group::Creation,
        YES_NO,
    ),
];

/// Older Halo builds stored some claims under long names; public role reports map them onto
/// today's codes (code index file 32467830402). An instance whose roles show these names speaks
/// another dialect: halo-onboard does not write claims there (see `dialect::confirm`).
pub const LEGACY_NAMES: &[(&str, &str)] = &[
    ("Administration", "SA"),
    ("Ticket_Level", "Tx"),
    ("Calendar_Level", "Ax"),
    ("Customers_Level", "Ux"),
    ("Sup_Lvl", "Sx"),
    ("Serv_Lvl", "Vx"),
    ("Contract_Level", "Cx"),
    ("Project_Level", "Px"),
    ("Sales_Level", "Ox"),
    ("Reporting_Level", "Rx"),
    ("Software_Level", "Wx"),
    ("KB_Level", "Bx"),
    ("Assets_Level", "Dx"),
    ("Timesheets_Level", "Hx"),
    ("Advanced_Edit", "l1"),
    ("Can_Remove_Tickets", "l4"),
    ("Can_Edit_Actions", "l5"),
    ("Can_Log_Tickets", "l6"),
    ("Can_Reassign_Tickets", "l7"),
    ("Can_View_Tech_Tickets", "l8"),
    ("Can_View_Unassigned_Tickets", "l9"),
    ("Edit_Preferences", "l0"),
    ("Can_Change_Ticket_Types", "lc"),
];

/// Today's code for an older long claim name (`Ticket_Level` → `Tx`), from the evidence's full
/// table (`evidence/claims.toml` `[legacy]`).
pub fn legacy_code(long: &str) -> Option<&'static str> {
    crate::evidence::claims().legacy_code(long)
}

/// The claim with this Halo code.
pub fn by_code(code: &str) -> Option<&'static ClaimDef> {
    CLAIMS.iter().find(|c| c.code == code)
}

/// A claim by its key or its UI label (case and punctuation ignored).
pub fn by_key(key: &str) -> Option<&'static ClaimDef> {
    CLAIMS
        .iter()
        .find(|c| c.key == key || same_words(c.key, key) || same_words(c.label, key))
}

/// The Feature Access areas.
pub fn areas() -> impl Iterator<Item = &'static ClaimDef> {
    CLAIMS.iter().filter(|c| c.group == Group::FeatureAccess)
}

/// Everything but the administrator flag and the areas (ticket switches, appointments,
/// restrictions, other rights).
pub fn settings() -> impl Iterator<Item = &'static ClaimDef> {
    CLAIMS
        .iter()
        .filter(|c| c.code != ADMIN && c.group != Group::FeatureAccess)
}

/// The area whose access backs the API scope area `scope_area` (e.g. `customers` → Clients).
pub fn area_for_scope(scope_area: &str) -> Option<&'static ClaimDef> {
    areas().find(|a| a.scope_area == Some(scope_area))
}

fn keys<'a>(defs: impl Iterator<Item = &'a ClaimDef>) -> String {
    defs.map(|d| d.key).collect::<Vec<_>>().join(", ")
}

/// Letters and digits only, lower case: "Read and Modify (Own)" → "readandmodifyown".
fn norm(s: &str) -> String {
    norm_chars(s).collect()
}

fn norm_chars(s: &str) -> impl Iterator<Item = char> + '_ {
    s.chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .map(|c| c.to_ascii_lowercase())
}

/// `norm(a) == norm(b)` without building either: every lookup compares against each claim
/// and label, and an apply looks up many (it showed in profiles of a batch).
fn same_words(a: &str, b: &str) -> bool {
    norm_chars(a).eq(norm_chars(b))
}

impl ClaimDef {
    /// The level with this stored value.
    /// The level with this stored value, on the claim's scale or its other one.
    pub fn level(&self, value: &str) -> Option<&'static Level> {
        self.scale
            .iter()
            .chain(self.alt_scale.unwrap_or_default())
            .find(|l| l.value.eq_ignore_ascii_case(value.trim()))
    }

    /// The value meaning `level` on the other scale (`l0`: `true` → `1`), for an instance
    /// that stores this claim there.
    pub fn on_alt_scale(&self, level: &Level) -> Option<&'static Level> {
        let alt = self.alt_scale?;
        let i = self.scale.iter().position(|l| l.value == level.value)?;
        alt.get(i).filter(|l| l.grade == level.grade)
    }

    /// A level by its UI label, its stored value, or (for Yes/No settings) a boolean word.
    pub fn parse(&self, input: &str) -> Result<&'static Level, DialectError> {
        let n = norm(input);
        let yes_no = self.is_yes_no();
        let boolean = match n.as_str() {
            "true" | "yes" => Some(true),
            "false" | "no" => Some(false),
            _ => None,
        };
        if let (true, Some(b)) = (yes_no, boolean) {
            return Ok(&self.scale[usize::from(b)]);
        }
        self.scale
            .iter()
            .find(|l| same_words(l.label, input) || l.value.eq_ignore_ascii_case(input.trim()))
            .ok_or_else(|| {
                let labels: Vec<String> = self
                    .scale
                    .iter()
                    .map(|l| format!("\"{}\"", l.label))
                    .collect();
                DialectError::NotALevel {
                    input: input.to_string(),
                    area: self.label,
                    labels: labels.join(", "),
                }
            })
    }

    /// A switch: two levels, off then on (Yes/No, true/false, "Cannot …"/"Can …").
    pub fn is_yes_no(&self) -> bool {
        matches!(self.scale, [off, on] if off.grade == Grade::None && on.grade == Grade::Modify)
    }
}

/// A role's permissions in Halo's vocabulary: the value of each claim that is set (a claim
/// not in the map is "Not set"). Serialised for answers, journals and profiles as
/// `administrator`, `access` (area key → level label) and `settings` (key → level label).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Permissions {
    values: BTreeMap<&'static str, &'static str>,
}

impl Role {
    /// The role's permissions in Halo's vocabulary (unknown codes ignored).
    pub fn permissions(&self) -> Permissions {
        Permissions::from_claims(&self.claims)
    }
    /// "Is a HaloPSA Administrator" (`SA`=`true`).
    pub fn is_admin(&self) -> bool {
        self.permissions().admin()
    }
}

impl Permissions {
    pub fn is_empty(&self) -> bool {
        self.values.is_empty()
    }

    pub fn admin(&self) -> bool {
        self.values.get(ADMIN) == Some(&TRUE)
    }

    pub fn set_admin(&mut self, on: bool) {
        if on {
            self.values.insert(ADMIN, TRUE);
        } else {
            self.values.remove(ADMIN);
        }
    }

    /// The level set for a claim code.
    pub fn get(&self, code: &str) -> Option<&'static Level> {
        let v = self.values.get(code)?;
        by_code(code)?.level(v)
    }

    /// Sets a claim to one of its levels (`None` = Not set).
    pub fn set(&mut self, def: &'static ClaimDef, level: Option<&'static Level>) {
        match level {
            Some(l) => {
                self.values.insert(def.code, l.value);
            }
            None => {
                self.values.remove(def.code);
            }
        }
    }

    /// Sets a claim from a key or UI label and a level label (as profiles and answers say it).
    pub fn set_labels(&mut self, key: &str, level: &str) -> Result<(), DialectError> {
        let def = by_key(key).ok_or_else(|| DialectError::UnknownPermission {
            key: key.to_string(),
            areas: keys(areas()),
            settings: keys(settings()),
        })?;
        if norm(level) == "notset" {
            self.set(def, None);
            return Ok(());
        }
        let lvl = def.parse(level)?;
        self.set(def, Some(lvl));
        Ok(())
    }

    /// The claims to write, in the order of [`CLAIMS`].
    pub fn claims(&self) -> Vec<Claim> {
        CLAIMS
            .iter()
            .filter_map(|d| {
                self.values.get(d.code).map(|v| Claim {
                    claim_type: d.code.into(),
                    value: (*v).into(),
                })
            })
            .collect()
    }

    /// What a role or agent holds, from the claims Halo shows. Unknown claim types and values
    /// off their scale are ignored (they grant nothing halo-onboard relies on).
    pub fn from_claims(claims: &[Claim]) -> Self {
        let mut p = Self::default();
        for c in claims {
            if let Some(def) = by_code(c.claim_type.trim())
                && let Some(l) = def.level(&c.value)
            {
                p.values.insert(def.code, l.value);
            }
        }
        p
    }

    /// The best of two permission sets per claim (an agent holds the union of its roles' and
    /// its own claims).
    pub fn merge(&mut self, other: &Permissions) {
        for (code, v) in &other.values {
            let better = match (self.get(code), by_code(code).and_then(|d| d.level(v))) {
                (Some(mine), Some(theirs)) => theirs.grade > mine.grade,
                _ => true,
            };
            if better {
                self.values.insert(code, v);
            }
        }
    }

    /// What the role allows on an area (an administrator has every area).
    pub fn grade(&self, code: &str) -> Grade {
        if self.admin() {
            return Grade::Modify;
        }
        self.get(code).map(|l| l.grade).unwrap_or_default()
    }

    /// What the role allows on the Halo area behind an API scope area (Clients for
    /// `customers`: the list the scope's endpoints show).
    pub fn grade_for_scope(&self, scope_area: &str) -> Grade {
        area_for_scope(scope_area)
            .map(|a| self.grade(a.code))
            .unwrap_or_default()
    }

    /// A Yes/No setting is on (administrators have every switch).
    pub fn allows(&self, code: &str) -> bool {
        self.admin() || self.get(code).is_some_and(|l| l.grade > Grade::None)
    }

    /// `(claim, level)` for every claim set, in [`CLAIMS`] order.
    pub fn entries(&self) -> Vec<(&'static ClaimDef, &'static Level)> {
        CLAIMS
            .iter()
            .filter_map(|d| self.get(d.code).map(|l| (d, l)))
            .collect()
    }

    /// The claim codes that are set.
    pub fn codes(&self) -> Vec<&'static str> {
        self.entries().into_iter().map(|(d, _)| d.code).collect()
    }

    /// Old answers and profiles (before halo-onboard spoke Halo's codes) said `is_admin` and
    /// `features = { area = "none|read|edit" }` keyed by API scope area: mapped onto today's
    /// areas and levels so those files still load.
    pub fn add_legacy(
        &mut self,
        is_admin: bool,
        features: &BTreeMap<String, String>,
    ) -> Result<(), DialectError> {
        if is_admin {
            self.set_admin(true);
        }
        for (scope_area, level) in features {
            let grade = match norm(level).as_str() {
                "none" | "noaccess" | "notset" => continue,
                "read" | "readonly" | "ro" => Grade::Read,
                "edit" | "readandmodify" | "rm" | "randm" => Grade::Modify,
                _ => {
                    return Err(DialectError::LegacyLevel {
                        scope_area: scope_area.clone(),
                        level: level.clone(),
                    });
                }
            };
            let defs: Vec<&ClaimDef> = areas()
                .filter(|a| a.scope_area == Some(scope_area.as_str()))
                .collect();
            if defs.is_empty() {
                return Err(DialectError::LegacyArea {
                    scope_area: scope_area.clone(),
                    areas: keys(areas()),
                });
            }
            for def in defs {
                // The lowest level of that grade (Read Only, not "Read and Send").
                if let Some(lvl) = def.scale.iter().find(|l| l.grade == grade) {
                    self.set(def, Some(lvl));
                }
            }
        }
        Ok(())
    }
}

/// How permissions are written in TOML and JSON: `administrator`, then the areas and settings
/// by key with Halo's level labels.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(default)]
pub struct PermissionsWire {
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub administrator: bool,
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub access: BTreeMap<String, LevelText>,
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub settings: BTreeMap<String, LevelText>,
}

/// A level as a file writes it: a label ("Read Only", "Yes") or a boolean for Yes/No settings.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(untagged)]
pub enum LevelText {
    Bool(bool),
    Text(String),
}

impl LevelText {
    fn text(&self) -> String {
        match self {
            Self::Bool(b) => b.to_string(),
            Self::Text(t) => t.clone(),
        }
    }
}

impl PermissionsWire {
    /// The typed permissions; a key or label not in Halo's vocabulary is an error naming it.
    pub fn parse(&self) -> Result<Permissions, DialectError> {
        let mut p = Permissions::default();
        p.set_admin(self.administrator);
        let at = |place: String| {
            move |e| DialectError::At {
                place,
                problem: Box::new(e),
            }
        };
        for (key, level) in &self.access {
            match by_key(key) {
                Some(d) if d.group == Group::FeatureAccess => {}
                _ => {
                    return Err(DialectError::NotAnArea {
                        key: key.clone(),
                        areas: keys(areas()),
                    });
                }
            }
            p.set_labels(key, &level.text())
                .map_err(at(format!("access.{key}")))?;
        }
        for (key, level) in &self.settings {
            match by_key(key) {
                Some(d) if d.group != Group::FeatureAccess && d.code != ADMIN => {}
                _ => {
                    return Err(DialectError::NotASetting {
                        key: key.clone(),
                        settings: keys(settings()),
                    });
                }
            }
            p.set_labels(key, &level.text())
                .map_err(at(format!("settings.{key}")))?;
        }
        Ok(p)
    }

    /// [`PermissionsWire::parse`], plus the pre-dialect `is_admin` / `features` spellings of
    /// older answers, journals and profiles (see [`Permissions::add_legacy`]).
    pub fn parse_with_legacy(
        &self,
        is_admin: bool,
        features: &BTreeMap<String, String>,
    ) -> Result<Permissions, DialectError> {
        let mut p = self.parse()?;
        p.add_legacy(is_admin, features)?;
        Ok(p)
    }

    pub fn from_permissions(p: &Permissions) -> Self {
        let mut w = Self {
            administrator: p.admin(),
            ..Self::default()
        };
        for (d, l) in p.entries() {
            if d.code == ADMIN {
                continue;
            }
            let v = LevelText::Text(l.label.to_string());
            if d.group == Group::FeatureAccess {
                w.access.insert(d.key.to_string(), v);
            } else {
                w.settings.insert(d.key.to_string(), v);
            }
        }
        w
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_and_keys_are_unique() {
        for (i, a) in CLAIMS.iter().enumerate() {
            for b in &CLAIMS[i + 1..] {
                assert_ne!(a.code, b.code);
                assert_ne!(a.key, b.key);
            }
            assert!(!a.code.contains(':'));
        }
    }

    #[test]
    fn labels_follow_each_areas_own_scale() {
        let mut p = Permissions::default();
        p.set_labels("tickets", "Read and Modify").unwrap();
        p.set_labels("Clients", "View (Names Only)").unwrap();
        p.set_labels("timesheets", "Read and Modify (Own)").unwrap();
        p.set_labels("add_tickets", "Yes").unwrap();
        p.set_labels("Allow use of all Ticket Types", "true")
            .unwrap();
        let got: Vec<(String, String)> = p
            .claims()
            .into_iter()
            .map(|c| (c.claim_type, c.value))
            .collect();
        let want = [
            ("Tx", "2"),
            ("Ux", "1"),
            ("Hx", "1"),
            ("l6", "1"),
            ("Ft", "1"),
        ];
        assert_eq!(
            got,
            want.map(|(a, b)| (a.to_string(), b.to_string())).to_vec()
        );
        let e = p
            .set_labels("tickets", "View (Names Only)")
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("Tickets takes \"No Access\", \"Read Only\", \"Read and Modify\""),
            "{e}"
        );
        let e = p
            .set_labels("assets", "Read, Modify and Delete")
            .unwrap_err()
            .to_string();
        assert!(e.contains("Read, Modify and Remove"), "{e}");
        assert!(p.set_labels("nope", "Yes").is_err());
    }

    #[test]
    fn admin_and_grades() {
        let mut p = Permissions::default();
        assert_eq!(p.grade_for_scope("tickets"), Grade::None);
        p.set_labels("clients", "View (Names Only)").unwrap();
        assert_eq!(p.grade_for_scope("customers"), Grade::Names);
        p.set_admin(true);
        assert_eq!(p.claims()[0].claim_type, "SA");
        assert_eq!(p.grade_for_scope("tickets"), Grade::Modify);
        let back = Permissions::from_claims(&p.claims());
        assert_eq!(back, p);
    }

    #[test]
    fn legacy_features_map_onto_areas() {
        let mut p = Permissions::default();
        let f: BTreeMap<String, String> = [("tickets", "edit"), ("customers", "read")]
            .map(|(a, b)| (a.to_string(), b.to_string()))
            .into();
        p.add_legacy(true, &f).unwrap();
        assert!(p.admin());
        assert_eq!(p.get("Tx").unwrap().label, "Read and Modify");
        assert_eq!(p.get("Ux").unwrap().label, "Read Only");
        assert_eq!(p.get("Fx").unwrap().label, "Read Only");
        let bad: BTreeMap<String, String> =
            [("tickets".to_string(), "sometimes".to_string())].into();
        assert!(
            p.add_legacy(false, &bad)
                .unwrap_err()
                .to_string()
                .contains("[role.access]")
        );
    }

    #[test]
    fn wire_round_trip_uses_labels() {
        let w: PermissionsWire = toml::from_str(
            "administrator = false\n[access]\ntickets = \"Read and Modify\"\n[settings]\nadd_tickets = true\n",
        )
        .unwrap();
        let p = w.parse().unwrap();
        let back = PermissionsWire::from_permissions(&p);
        assert_eq!(
            back.access["tickets"],
            LevelText::Text("Read and Modify".into())
        );
        assert_eq!(back.settings["add_tickets"], LevelText::Text("Yes".into()));
        assert_eq!(back.parse().unwrap(), p);
    }
}
