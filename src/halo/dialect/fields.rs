//! The fields each Halo object really has, from Halo's published OpenAPI schema (`SWAGGER` in
//! `shared/reference/halo-api.md`: covenanttechnologysolutions/halopsa-rest
//! `generator/spec/swagger.json`, Halo API v2, mid-2024), plus the few fields the 2026 schema
//! evidence adds. The emulator stores only these (anything else is dropped and noted in its
//! request log, as Halo's model binder drops it), the doctor reports which are present on a
//! real instance, and a unit test checks that every field the client's models send is listed.
//!
//! Evidence for the 2026 additions: `Uname` still has no `notes` (provisiondata
//! `ProvisionData.HaloPSA.ApiClient` `DTO/Generated/Uname.g.cs`, generated from the 2026-01
//! spec, 337 properties); the application's Description and secret expiry
//! (`apiKeyExpiryDays`, default 90) come from the 2026 DB catalogue (halo-api.md §3.3).

/// `Uname` in the 2024 spec (277 properties).
pub const AGENT_2024: &[&str] = &[
    "Oo_name",
    "_canupdate",
    "_canupdate_moreinfo",
    "_disconnectintegration",
    "_do_reassign01",
    "_force",
    "_getlogmeinid",
    "_getoauthtoken",
    "_importtoken",
    "_importtype",
    "_is_a_departmentmanager",
    "_is_a_teammanager",
    "_isbatch",
    "_isimport",
    "_isnew",
    "_revoke_authenticatorapp",
    "_revoke_tokens",
    "_signature",
    "_signature_id",
    "_warning",
    "ac_approvals",
    "ac_assetgroups",
    "ac_assettypes",
    "ac_cannedtext",
    "ac_chatprofiles",
    "ac_customfields",
    "ac_customtables",
    "ac_dashboards",
    "ac_devices",
    "ac_emailtemplates",
    "ac_faqlists",
    "ac_fieldgroups",
    "ac_itemgroups",
    "ac_languagepacks",
    "ac_messagegroups",
    "ac_outcomes",
    "ac_reportgroups",
    "ac_roles",
    "ac_rules",
    "ac_servicecategories",
    "ac_services",
    "ac_slas",
    "ac_suppliercontracts",
    "ac_suppliers",
    "ac_templates",
    "ac_tickettypes",
    "ac_workdays",
    "ac_workflows",
    "access_control",
    "accountconfirmed",
    "actionscreen_display_type",
    "activedirectory_dn",
    "ad",
    "adconnection",
    "add_roles",
    "agentphotodata",
    "agentphotopath",
    "allow_automatic_call_scripts",
    "allowbeyondtrustinvites",
    "app_colour",
    "app_colour_type",
    "apptsync",
    "assetfields",
    "assettypes",
    "authenticatorapp_configured",
    "autotaskid",
    "azure_connectionid",
    "azure_roleid",
    "beyondtrust_name",
    "calendar_options",
    "can_approve_invoice",
    "can_approve_purchaseorder",
    "can_approve_quote",
    "chargerate",
    "chargerates",
    "check_reassign01",
    "claims",
    "clientdetails_layout_id",
    "clientdetails_layout_name",
    "clients",
    "colour",
    "container_dn",
    "costprice",
    "current_action_name",
    "current_action_type",
    "custombuttons",
    "customfields",
    "datecreated",
    "default_action_display",
    "default_action_view",
    "default_calendar_view",
    "default_columns_id_assets",
    "default_columns_id_clients",
    "default_columns_id_contracts",
    "default_columns_id_opps",
    "default_columns_id_sites",
    "default_columns_id_supplier_contracts",
    "default_columns_id_tickets",
    "default_columns_id_users",
    "default_columns_name_opps",
    "default_columns_name_tickets",
    "default_columns_sites_selectedname",
    "default_columns_users_selectedname",
    "default_feed_view",
    "default_filter_id_opps",
    "default_filter_id_tickets",
    "default_filter_name_opps",
    "default_filter_name_tickets",
    "default_splashtop_channel",
    "default_splashtop_channelname",
    "default_ticket_preview_size",
    "default_view_assets",
    "default_view_assets_selectedid",
    "default_view_assets_selectedid_name",
    "default_view_assets_selectedname",
    "default_view_clients_selectedname",
    "default_view_contracts_selectedname",
    "default_view_customers_selectedid",
    "default_view_customers_selectedname",
    "default_view_opps",
    "default_view_opps_selectedid",
    "default_view_opps_selectedname",
    "default_view_supplier_contracts_selectedname",
    "default_view_tickets",
    "default_view_tickets_selectedid",
    "default_view_tickets_selectedname",
    "default_view_users_selectedid",
    "default_view_users_selectedname",
    "delegation_activated",
    "delegation_end",
    "delegation_start",
    "delegation_timebased",
    "delegation_user_id",
    "delegation_user_name",
    "department",
    "departments",
    "dontemailmeifiloggedit",
    "email",
    "emailconfirmed",
    "enablehighcontrast",
    "enableshifts",
    "exchange_account",
    "exchange_authorized",
    "exchange_redirect",
    "exchange_token_expiry",
    "excludefromresourcebooking",
    "extensionnumber",
    "firstname",
    "github_username",
    "google_mail_authorized",
    "googleemail",
    "gotoresolve_authorized",
    "gotoresolve_token_expiry",
    "graph_host",
    "holiday_allowance",
    "homescreenchartid",
    "homescreenchartname",
    "homescreenchartpublishedid",
    "homescreendashboardid",
    "homescreendashboardname",
    "id",
    "import_photo",
    "inbox_clientid",
    "inboxes",
    "initials",
    "is_admin",
    "is_agent",
    "is_online",
    "is_sales",
    "isagentdetails",
    "isapiagent",
    "isdisabled",
    "isinvite",
    "ispasswordreset",
    "jira_id",
    "jira_instance",
    "jira_instance_name",
    "jobtitle",
    "language_id",
    "language_name",
    "last_modified",
    "lastlogindate",
    "lastonline",
    "licence_type",
    "linemanager",
    "linemanager_name",
    "linked_halo_url",
    "linked_user_client_id",
    "list_type",
    "logmeinid",
    "lunchbreak",
    "matching_value",
    "name",
    "named_licences_in_use",
    "namewithinactive",
    "nav_display_mode",
    "nav_layout_id",
    "nav_layout_name",
    "navmenu_mode",
    "ncentral_username",
    "new_access_token",
    "new_method",
    "new_ncentral_key",
    "new_orion_password",
    "new_refresh_token",
    "new_token_type",
    "newtabpref",
    "notifications",
    "notifications_personal",
    "oauth_code",
    "oauth_redirect",
    "oauth_type",
    "okta_id",
    "okta_status",
    "oktaid",
    "one_client",
    "onlinestatus",
    "onlinestatus_actual",
    "orion_access",
    "orion_password",
    "orion_username",
    "pagerduty_email",
    "pagesize",
    "password",
    "pomincostforapproval",
    "pomincostforapprovaltype",
    "pref_chat_sound",
    "pref_notification_sound",
    "qualification_weighting",
    "qualifications",
    "qualified",
    "quotemarginforapproval",
    "quotemarginforapprovaltype",
    "remaining_holiday_allowance",
    "role_list",
    "roles",
    "search_options",
    "sendemailerrors",
    "sendowneremails",
    "sentinel_authorized",
    "sentinel_redirect",
    "sentinel_token_expiry",
    "sidemenudashboardid",
    "sidemenudashboardname",
    "signature",
    "sites",
    "sms",
    "soc_username",
    "splashtop_authorized",
    "splashtop_channel",
    "splashtop_token_expiry",
    "splashtop_url",
    "sqlimport_id",
    "surname",
    "team",
    "teams",
    "theme",
    "theme_revert",
    "third_party_guid",
    "ticket_count",
    "ticket_preview_mode",
    "tickettypes",
    "travelrate",
    "twofactor_enabled",
    "uname_usercustomfields",
    "unameappointmenttypes",
    "unamecustomfields",
    "use",
    "useadlogin",
    "warnifnoscan",
    "warnifnoscan_integrator",
    "warnifnoscan_integrator_hours",
    "workday_id",
    "workday_name",
    "workday_timezone",
    "workhour_end",
    "workhour_start",
];

/// `NHD_Roles` in the 2024 spec (54 properties).
pub const ROLE_2024: &[&str] = &[
    "Oo_name",
    "_warning",
    "ac_approvals",
    "ac_assetgroups",
    "ac_assettypes",
    "ac_cannedtext",
    "ac_chatprofiles",
    "ac_customfields",
    "ac_customtables",
    "ac_dashboards",
    "ac_devices",
    "ac_emailtemplates",
    "ac_faqlists",
    "ac_fieldgroups",
    "ac_itemgroups",
    "ac_languagepacks",
    "ac_messagegroups",
    "ac_outcomes",
    "ac_reportgroups",
    "ac_roles",
    "ac_rules",
    "ac_servicecategories",
    "ac_services",
    "ac_slas",
    "ac_suppliercontracts",
    "ac_suppliers",
    "ac_templates",
    "ac_tickettypes",
    "ac_workdays",
    "ac_workflows",
    "access_control",
    "access_control_level",
    "assetfields",
    "assettypes",
    "chargerates",
    "claims",
    "clients",
    "concurrencyStamp",
    "custombuttons",
    "departments",
    "id",
    "id_int",
    "intent",
    "is_integration",
    "name",
    "normalizedName",
    "notes",
    "notifications",
    "sites",
    "teams",
    "tickettypes",
    "uname_usercustomfields",
    "unameappointmenttypes",
    "unamecustomfields",
];

/// `NHD_Identity_Application` in the 2024 spec (47 properties).
pub const APPLICATION_2024: &[&str] = &[
    "_issystem",
    "_warning",
    "allowagents",
    "allowusers",
    "assertion_consumer_service_index",
    "authorizations",
    "button_config",
    "clientId",
    "clientSecret",
    "concurrencyToken",
    "consentType",
    "cors_whitelist",
    "cors_whitelist_list",
    "disable_adfs",
    "disable_anon",
    "disable_azure",
    "disable_centrify",
    "disable_google",
    "disable_okta",
    "disable_windowsauth",
    "displayName",
    "grant_type",
    "id",
    "inactive",
    "language_id",
    "language_name",
    "loginas_agent_id",
    "loginas_agent_name",
    "loginas_client_id",
    "loginas_client_name",
    "loginas_supplier_id",
    "loginas_supplier_name",
    "loginentity",
    "logoutredirecturi",
    "organisation_id",
    "organisation_name",
    "permissions",
    "postLogoutRedirectUris",
    "postlogoutredirecturi_list",
    "properties",
    "redirectUris",
    "redirecturi",
    "redirecturi_list",
    "scopes",
    "system_use",
    "tokens",
    "type",
];

/// `SectionDetail` in the 2024 spec (54 properties).
pub const TEAM_2024: &[&str] = &[
    "_canupdate",
    "_canupdate2",
    "_warning",
    "addtoallagents",
    "agents",
    "allowall_category1",
    "allowall_category2",
    "allowall_category3",
    "allowall_category4",
    "allowed_category1",
    "allowed_category2",
    "allowed_category3",
    "allowed_category4",
    "allowlivechat",
    "alternative_name",
    "booking_workday_id",
    "booking_workday_name",
    "cannedtext",
    "department_guid",
    "department_id",
    "department_name",
    "dontsendsurvey",
    "emailaddress",
    "foropps",
    "forprojects",
    "forrequests",
    "guid",
    "hide_agents_in_tree_if_no_tickets",
    "id",
    "inactive",
    "includeinloadbalance",
    "intent",
    "last_modified",
    "logo",
    "mailbox_override",
    "main_email_address",
    "managers",
    "messagegroup_id",
    "name",
    "org_team_name",
    "organisation_id",
    "override_column_id",
    "override_column_name",
    "phone_number",
    "recurring_shifts",
    "rtid",
    "sequence",
    "team_note",
    "teamphotopath",
    "templates",
    "ticket_count",
    "timezone",
    "use",
    "workinghoursbeforealert",
];

/// `Tree` in the 2024 spec (33 properties).
pub const DEPARTMENT_2024: &[&str] = &[
    "_canupdate",
    "_warning",
    "accounts_override_mailbox",
    "agent_department",
    "agent_members",
    "agents",
    "announcement",
    "cannedtext",
    "guid",
    "id",
    "intent",
    "invoice_class",
    "kashflowpassword",
    "kashflowurl",
    "kashflowusername",
    "long_name",
    "mailbox_override",
    "managers",
    "messagegroup_id",
    "name",
    "notes",
    "org_department_name",
    "organisation_guid",
    "organisation_id",
    "organisation_name",
    "parentid",
    "quote_profit_currency",
    "quote_profit_currency_name",
    "teams",
    "templates",
    "type",
    "user_count",
    "users",
];

/// `Workdays` in the 2024 spec (35 properties).
pub const WORKDAY_2024: &[&str] = &[
    "_warning",
    "access_control",
    "access_control_level",
    "alldayssame",
    "end",
    "endfriday",
    "endmonday",
    "endsaturday",
    "endsunday",
    "endthursday",
    "endtuesday",
    "endwednesday",
    "guid",
    "holidays",
    "id",
    "incfriday",
    "incmonday",
    "incsaturday",
    "incsunday",
    "incthursday",
    "inctuesday",
    "incwednesday",
    "intent",
    "name",
    "start",
    "startfriday",
    "startmonday",
    "startsaturday",
    "startsunday",
    "startthursday",
    "starttuesday",
    "startwednesday",
    "summary",
    "timeslots",
    "timezone",
];

/// `UnameSection` in the 2024 spec (19 properties).
pub const AGENT_TEAM_2024: &[&str] = &[
    "agent_id",
    "agent_name",
    "department_id",
    "foropps",
    "forprojects",
    "fortickets",
    "id",
    "in_section",
    "is_manager",
    "namewithinactive",
    "no_config_access",
    "org_department_team_name",
    "otheragent_access",
    "role_id",
    "role_name",
    "team_guid",
    "team_id",
    "team_name",
    "unassigned_access",
];

/// `UnameDepartment` in the 2024 spec (10 properties).
pub const AGENT_DEPARTMENT_2024: &[&str] = &[
    "agent_id",
    "agent_name",
    "department_guid",
    "department_id",
    "department_name",
    "id",
    "includeteamsintree",
    "membershiplevel",
    "role_id",
    "role_name",
];

/// Application fields newer Halo builds add (2026 DB catalogue, UI v2.218+): the Description
/// the ownership marker goes into, and the secret's expiry. `apiKeyExpiryDays` is the
/// catalogue's name [C]; the JSON name of the expiry date is inferred from the catalogue's
/// `apiKey1LastUseDate` sibling column [I] — `doctor` reports which of them an instance shows.
pub const APPLICATION_2026_EXTRA: &[&str] = &[
    APP_DESCRIPTION,
    APP_SECRET_EXPIRY_DAYS,
    APP_SECRET_EXPIRY_DATE,
    "createdby_agent_id",
];

/// The application field that carries a description (and the setup marker) where it exists.
pub const APP_DESCRIPTION: &str = "description";
/// Days a new application secret stays valid (2026 builds; default 90).
pub const APP_SECRET_EXPIRY_DAYS: &str = "apiKeyExpiryDays";
/// When the current secret expires (ISO 8601) [I].
pub const APP_SECRET_EXPIRY_DATE: &str = "apiKey1ExpiryDate";

/// The field an agent would need for a notes marker: not in the 2024 or the 2026 schema, so
/// Halo drops it and ownership never relies on it (`plan::ownership`).
pub const AGENT_NOTES: &str = "notes";

/// The objects the emulator stores.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Schema {
    Agent,
    Role,
    Application,
    Team,
    Department,
    Workday,
}

impl Schema {
    /// Every field Halo stores for this object (2024 schema plus the 2026 additions).
    pub fn has(self, field: &str) -> bool {
        let base: &[&str] = match self {
            Self::Agent => AGENT_2024,
            Self::Role => ROLE_2024,
            Self::Application => APPLICATION_2024,
            Self::Team => TEAM_2024,
            Self::Department => DEPARTMENT_2024,
            Self::Workday => WORKDAY_2024,
        };
        base.contains(&field)
            || (self == Self::Application && APPLICATION_2026_EXTRA.contains(&field))
    }

    /// Lower-case word used by the emulator's fault knobs (`application.description`).
    pub fn word(self) -> &'static str {
        match self {
            Self::Agent => "agent",
            Self::Role => "role",
            Self::Application => "application",
            Self::Team => "team",
            Self::Department => "department",
            Self::Workday => "workday",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::halo::model::*;

    fn keys<T: serde::Serialize>(v: &T) -> Vec<String> {
        match serde_json::to_value(v).unwrap() {
            serde_json::Value::Object(m) => m.keys().cloned().collect(),
            _ => Vec::new(),
        }
    }

    /// Every field the client's models send is one Halo's schema has.
    #[test]
    fn models_send_only_schema_fields() {
        let agent = Agent {
            id: Some(1),
            workday_id: Some(1),
            workday_name: "x".into(),
            colour: "x".into(),
            teams: vec![AgentTeam::default()],
            departments: vec![AgentDepartment::default()],
            roles: vec![RoleRef::default()],
            claims: vec![Claim::default()],
            ..Agent::default()
        };
        for k in keys(&agent) {
            assert!(Schema::Agent.has(&k), "agent field {k}");
        }
        for k in keys(&AgentTeam {
            team_name: "x".into(),
            ..AgentTeam::default()
        }) {
            assert!(
                AGENT_TEAM_2024.contains(&k.as_str()),
                "agent team field {k}"
            );
        }
        for k in keys(&AgentDepartment {
            department_name: "x".into(),
            ..AgentDepartment::default()
        }) {
            assert!(
                AGENT_DEPARTMENT_2024.contains(&k.as_str()),
                "agent department field {k}"
            );
        }
        let role = Role {
            id: Some("r".into()),
            id_int: Some(1),
            ..Role::default()
        };
        for k in keys(&role) {
            assert!(Schema::Role.has(&k), "role field {k}");
        }
        let app = Application {
            id: Some("a".into()),
            client_secret: "s".into(),
            loginas_agent_id: Some(1),
            loginas_agent_name: "x".into(),
            secret_expiry_days: Some(90),
            secret_expires: "2026-01-01".into(),
            ..Application::default()
        };
        for k in keys(&app) {
            assert!(Schema::Application.has(&k), "application field {k}");
        }
        for k in keys(&Team {
            id: Some(1),
            inactive: true,
            ..Team::default()
        }) {
            assert!(Schema::Team.has(&k), "team field {k}");
        }
        for k in keys(&Department {
            id: Some(1),
            ..Department::default()
        }) {
            assert!(Schema::Department.has(&k), "department field {k}");
        }
        for k in keys(&Workday {
            id: Some(1),
            ..Workday::default()
        }) {
            assert!(Schema::Workday.has(&k), "workday field {k}");
        }
    }

    #[test]
    fn agents_have_no_notes() {
        assert!(!Schema::Agent.has(AGENT_NOTES));
        assert!(Schema::Role.has("notes"));
        assert!(Schema::Application.has(APP_DESCRIPTION));
        assert!(!APPLICATION_2024.contains(&APP_DESCRIPTION));
    }
}
