//! The claim table: every level scale, every claim halo-onboard models (in the order Halo's
//! Permissions tab shows them) and the older long names. Data; the code that reads it is in
//! the parent module. Sources: see the parent module's text and `evidence/claims.toml`.

/// "Is a Halo Administrator" (`true`/`false`).
pub const ADMIN: &str = "SA";
/// The value that turns a true/false claim on, such as [`ADMIN`].
pub const TRUE: &str = "true";

/// One value of a claim and the label Halo's UI shows for it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Level {
    /// The value Halo stores in the claim for this level, such as `"2"` or `"true"`.
    pub value: &'static str,
    /// What Halo's UI shows for this level, such as "Read Only".
    pub label: &'static str,
    /// How much this level allows, for comparing with API scopes.
    pub grade: Grade,
}

/// What a level allows, coarsely: enough to tell whether an API scope is backed by the role.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Default)]
pub enum Grade {
    /// No access.
    #[default]
    None,
    /// "View (Names Only)".
    Names,
    /// May read the area.
    Read,
    /// May read and change the area (or the setting is on).
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
/// Settings Halo stores as `0`/`1`.
pub const YES_NO: &[Level] = &[l("0", "No", No), l("1", "Yes", Modify)];
/// Settings Halo stores as `false`/`true`.
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
    /// Administrator and own notification and preference settings.
    General,
    /// The per-area access levels (Tickets, Clients, Assets, ...), which back the API scopes.
    FeatureAccess,
    /// What the agent may do with tickets ("Can add new Tickets", ...).
    Tickets,
    /// Appointment settings ("Editing of Appointments", ...).
    Appointments,
    /// Limits on what the agent may use ("Allow use of all Ticket Types", ...).
    Restrictions,
    /// Approval settings; no claim halo-onboard models sits here yet.
    Approvals,
    /// Costs and billing settings ("Can view item costs", ...).
    Billing,
    /// What the agent may create ("Can Create FAQ Lists", ...).
    Creation,
    /// Settings found under no other heading.
    Other,
}

impl Group {
    /// The heading's text on Halo's Permissions tab.
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
    /// The heading the claim sits under on the Permissions tab.
    pub group: Group,
    /// The values Halo accepts for this claim, in the order its UI lists them.
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
