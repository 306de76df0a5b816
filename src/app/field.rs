//! Which field: the identity of each focusable field of the wizard, a leaf the model keys its
//! inputs by. What a field is and does lives in its spec (`fields.rs`).

/// A focusable field of a step. Indexed variants name a row of a table or a Halo lookup, so
/// which fields a step shows depends on the model (`fields::fields`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Field {
    // Connect
    /// Opens the profile picker.
    Profile,
    /// Hosted (one URL) or on-premise (separate resource and authorisation servers).
    Mode,
    /// A hosted Halo's URL (hosted mode only).
    Url,
    /// An on-premise Halo's resource server (API) URL.
    ResourceUrl,
    /// An on-premise Halo's authorisation server URL.
    AuthUrl,
    /// An on-premise Halo's tenant (optional).
    Tenant,
    /// The bootstrap (admin) application's Client ID.
    ClientId,
    /// The bootstrap secret: masked, held in `Model::secret`, never in the answers.
    ClientSecret,
    /// Tests the connection (like `t`).
    TestButton,
    // Role
    /// Create a new role or reuse one Halo has.
    RoleMode,
    /// The Halo role reused (reuse mode only).
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
    /// The agent's default team (a Halo team, or none).
    DefaultTeam,
    /// Index into the Halo teams lookup.
    Team(usize),
    /// In team `i` (ticked only): the agent sees its unassigned tickets.
    TeamUnassigned(usize),
    /// In team `i` (ticked only): the agent sees other agents' tickets.
    TeamOthers(usize),
    /// Index into the Halo departments lookup.
    Department(usize),
    /// The agent's work hours (one of Halo's workday profiles).
    Workday,
    // Application
    /// Index into the application's attribute table (`answers::application::ROWS`).
    AppAttr(usize),
    /// The agent the application logs in as: the new one (an answers file may name another,
    /// which the plan refuses).
    LoginAgent,
    /// A permission scope to tick: index into `scopes::all_names()`.
    Scope(usize),
    /// Submit: asks to apply the plan (refused while it has problems).
    ApplyButton,
    /// The log pane, as the last focus stop while it is shown.
    LogPane,
}
