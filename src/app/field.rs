//! Which field: the identity of each focusable field of the wizard, a leaf the model keys its
//! inputs by. What a field is and does lives in its spec (`fields.rs`).

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Field {
    // Connect
    /// Opens the profile picker.
    Profile,
    Mode,
    Url,
    ResourceUrl,
    AuthUrl,
    Tenant,
    ClientId,
    ClientSecret,
    TestButton,
    // Role
    RoleMode,
    RolePick,
    /// Index into the role's attribute table (`answers::role::ROWS`): name, notes, the
    /// administrator switch.
    RoleAttr(usize),
    /// Index into the Role step's `feature_areas`: a Feature Access area or a role setting (ticket switch,
    /// appointments, restriction), each with its own Halo scale.
    RoleFeature(usize),
    // Agent
    /// Index into the agent's attribute table (`answers::agent::ROWS`).
    AgentAttr(usize),
    DefaultTeam,
    /// Index into the Halo teams lookup.
    Team(usize),
    TeamUnassigned(usize),
    TeamOthers(usize),
    /// Index into the Halo departments lookup.
    Department(usize),
    Workday,
    // Application
    /// Index into the application's attribute table (`answers::application::ROWS`).
    AppAttr(usize),
    LoginAgent,
    // Permissions: index into `scopes::all_names()`.
    Scope(usize),
    // Submit
    ApplyButton,
    /// The log pane, as the last focus stop while it is shown.
    LogPane,
}
