//! `halo-onboard profiles [list|show ID] [--json]`: the integration profiles, as a table or in
//! full.

use std::fmt::Write as _;

use crate::halo::scopes;
use crate::profile::{
    DefaultTeam, LoadError, Pick, Profile, Provenance, load_all, user_profiles_dir,
};

/// `halo-onboard profiles`.
#[derive(Debug, Clone, clap::Args)]
pub struct ProfilesArgs {
    /// `list` or `show`; `None` lists.
    #[command(subcommand)]
    pub action: Option<ProfilesAction>,
    /// Print JSON instead of text.
    #[arg(long, global = true)]
    pub json: bool,
    /// Directory of user profiles (*.toml); default: the config dir's `profiles/`.
    #[arg(
        long,
        global = true,
        env = "HALO_ONBOARD_PROFILES_DIR",
        value_name = "DIR"
    )]
    pub dir: Option<std::path::PathBuf>,
}

/// The subcommands of `halo-onboard profiles`.
#[derive(Debug, Clone, clap::Subcommand)]
pub enum ProfilesAction {
    /// List every profile (the default).
    List,
    /// Show one profile in full.
    Show {
        /// Profile id, e.g. topleft, or the path of a profile file (e.g. one `--toml` printed).
        #[arg(add = clap_complete::engine::ArgValueCompleter::new(crate::headless::complete::profiles))]
        id: String,
        /// Print the profile as a TOML file: save it, edit it, and pass its path to
        /// `apply --profile FILE` (or put it in the profiles folder).
        #[arg(long, conflicts_with = "json")]
        toml: bool,
    },
}

/// Runs the subcommand. Exit 0 on success, 2 for an unknown id or a JSON encoding failure.
/// Broken user profiles are reported on stderr and skipped.
pub fn run(args: &ProfilesArgs) -> u8 {
    let dir = args.dir.clone().or_else(user_profiles_dir);
    let (profiles, errors) = load_all(dir.as_deref());
    report_errors(&errors);
    match &args.action {
        None | Some(ProfilesAction::List) => {
            if args.json {
                print_json(&profiles)
            } else {
                out!("{}", table(&profiles));
                super::failure::EXIT_OK
            }
        }
        Some(ProfilesAction::Show { id, toml }) => {
            // An id, or (like `--profile FILE`) a profile file's path: a broken file names its line.
            let from_file = if is_path(id) {
                match resolve(id) {
                    Ok(p) => Some(p),
                    Err(f) => {
                        super::failure::print_failure(&f, args.json);
                        return super::failure::EXIT_CANNOT_RUN;
                    }
                }
            } else {
                None
            };
            match from_file
                .as_ref()
                .or_else(|| profiles.iter().find(|p| p.id == *id))
            {
                Some(p) if args.json => print_json(&shown_json(p)),
                Some(p) if *toml => match to_toml(p) {
                    Ok(text) => {
                        out!("{text}");
                        super::failure::EXIT_OK
                    }
                    Err(e) => {
                        errln!("halo-onboard: cannot encode the profile as TOML: {e}");
                        super::failure::EXIT_CANNOT_RUN
                    }
                },
                Some(p) => {
                    out!("{}", show(p));
                    super::failure::EXIT_OK
                }
                None => {
                    let near = closest(id, &profiles);
                    errln!("halo-onboard: no profile {id:?}.");
                    if !near.is_empty() {
                        errln!("Did you mean: {}?", near.join(", "));
                    }
                    errln!("Run `halo-onboard profiles` to list them all.");
                    super::failure::EXIT_CANNOT_RUN
                }
            }
        }
    }
}

/// Whether a `--profile` value names a file rather than a profile id: ids are lowercase words
/// and dashes, so a path separator or a `.toml` ending can only be a file.
pub(crate) fn is_path(arg: &str) -> bool {
    arg.contains('/')
        || arg.contains('\\')
        || std::path::Path::new(arg)
            .extension()
            .is_some_and(|e| e.eq_ignore_ascii_case("toml"))
}

/// The profile `--profile` names: a profile id (built-in, or a user profile), or the path of a
/// profile TOML file (e.g. one `profiles show ID --toml` printed). An unknown id names the
/// closest ids; a broken file names its line. Both are exit 2, before anything connects.
pub fn resolve(arg: &str) -> Result<Profile, super::failure::Failure> {
    use super::failure::Failure;
    let arg = arg.trim();
    if is_path(arg) {
        return crate::profile::load_file(std::path::Path::new(arg)).map_err(|e| {
            Failure::new(
                format!("profile file {}", crate::text::line(&e.to_string())),
                "A profile file is what `halo-onboard profiles show ID --toml` prints: fix it, or pass a profile id (`halo-onboard profiles` lists them).",
            )
        });
    }
    let (profiles, _broken) = load_all(user_profiles_dir().as_deref());
    if let Some(p) = profiles.iter().find(|p| p.id == arg) {
        return Ok(p.clone());
    }
    let near = closest(arg, &profiles);
    let did_you_mean = if near.is_empty() {
        String::new()
    } else {
        format!("Did you mean {}? ", near.join(", "))
    };
    Err(Failure::new(
        format!("unknown profile '{}'", crate::text::line(arg)),
        format!(
            "{did_you_mean}`halo-onboard profiles` lists every id; a profile file is given by its path (e.g. ./vendor.toml)."
        ),
    ))
}

fn report_errors(errors: &[LoadError]) {
    for e in errors {
        errln!("halo-onboard: skipped profile {e}");
    }
}

fn print_json<T: serde::Serialize + ?Sized>(v: &T) -> u8 {
    match serde_json::to_string_pretty(v) {
        Ok(s) => {
            outln!("{s}");
            super::failure::EXIT_OK
        }
        Err(e) => {
            errln!("halo-onboard: cannot encode JSON: {e}");
            super::failure::EXIT_CANNOT_RUN
        }
    }
}

/// Scope column width cap, so the table stays readable on 100-column terminals.
const SCOPES_WIDTH: usize = 48;

/// The aligned list: id, vendor, scopes summary, confidence (and "user" for user files).
pub fn table(profiles: &[Profile]) -> String {
    use super::table::{capped, col, render};
    let rows: Vec<Vec<String>> = profiles
        .iter()
        .map(|p| {
            let conf = match &p.file {
                Some(_) => format!("{} (user)", p.confidence.as_str()),
                None => p.confidence.as_str().to_string(),
            };
            vec![p.id.clone(), p.vendor.clone(), p.scopes_summary(), conf]
        })
        .collect();
    render(
        &[
            col("ID"),
            col("VENDOR"),
            capped("SCOPES", SCOPES_WIDTH),
            col("CONF"),
        ],
        &rows,
    )
}

/// The profile as a file `--profile FILE` reads back (and the profiles folder loads).
pub fn to_toml(p: &Profile) -> Result<String, toml::ser::Error> {
    let body = toml::to_string_pretty(p)?;
    Ok(format!(
        "# halo-onboard profile '{}' ({}). Save it as {}.toml, edit it, then:\n#   halo-onboard apply --profile ./{}.toml …   (or put it in the profiles folder)\n{body}",
        p.id, p.vendor, p.id, p.id
    ))
}

fn yes(b: bool) -> &'static str {
    if b { "yes" } else { "no" }
}

/// `profiles show ID --json`: the profile as its file has it, plus where each setting comes
/// from (`provenance`: path → source or inferred reason).
#[derive(serde::Serialize)]
pub(super) struct ShownJson<'a> {
    #[serde(flatten)]
    pub profile: &'a Profile,
    pub provenance: Vec<ProvenanceJson<'a>>,
}

#[derive(serde::Serialize)]
pub(super) struct ProvenanceJson<'a> {
    pub setting: String,
    #[serde(flatten)]
    pub from: Provenance<'a>,
}

pub(super) fn shown_json(p: &Profile) -> ShownJson<'_> {
    ShownJson {
        profile: p,
        provenance: p
            .provenances()
            .into_iter()
            .map(|(setting, from)| ProvenanceJson { setting, from })
            .collect(),
    }
}

/// Writes `profiles show` text: each setting on its line, and under it where it comes from.
struct Shown<'a> {
    p: &'a Profile,
    o: String,
}

impl Shown<'_> {
    fn line(&mut self, text: impl AsRef<str>) {
        let _ = writeln!(self.o, "{}", text.as_ref());
    }

    /// A setting's line and, under it, its source ("[n] §…") or "inferred: reason".
    fn setting(&mut self, path: &str, text: impl AsRef<str>) {
        self.line(text);
        let indent = "      ";
        match self.p.provenance(path) {
            Provenance::Source { guide, section, .. } => {
                let n = self.p.source.iter().position(|s| s == guide).unwrap_or(0) + 1;
                let _ = writeln!(self.o, "{indent}source: [{n}] \"{section}\"");
            }
            Provenance::Inferred { reason } => {
                let _ = writeln!(self.o, "{indent}inferred: {reason}");
            }
            Provenance::Unstated => {
                let _ = writeln!(self.o, "{indent}(no source given)");
            }
        }
    }

    /// The role: reused or created, with its permissions.
    fn role(&mut self) {
        let p = self.p;
        let r = &p.role;
        self.line("\nRole");
        match &r.reuse {
            Some(name) => self.setting("role.reuse", format!("  Use the existing role {name:?}")),
            None => {
                if r.name.is_empty() {
                    self.line("  Create role (you name it)");
                } else {
                    self.setting("role.name", format!("  Create role {:?}", r.name));
                }
                self.setting(
                    "role.administrator",
                    format!(
                        "  Is a HaloPSA Administrator: {}",
                        yes(r.permissions.admin())
                    ),
                );
                let mut group = None;
                for (def, level) in r.permissions.entries() {
                    if def.code == crate::halo::dialect::claims::ADMIN {
                        continue;
                    }
                    if group != Some(def.group) {
                        group = Some(def.group);
                        self.line(format!("  {}:", def.group.label()));
                    }
                    let kind = if def.group == crate::halo::dialect::claims::Group::FeatureAccess {
                        "access"
                    } else {
                        "settings"
                    };
                    self.setting(
                        &format!("role.{kind}.{}", def.key),
                        format!("    {:<52} {}", def.label, level.label),
                    );
                }
                if group.is_none() {
                    self.line("  Feature Access: none set");
                }
            }
        }
        if !r.other_permissions.is_empty() {
            self.setting(
                "role.other_permissions",
                "  Also set by hand in Halo (the API cannot):",
            );
            for x in &r.other_permissions {
                self.line(format!("    - {x}"));
            }
        }
    }

    /// The agent: who it is and what it may do.
    fn agent(&mut self) {
        let p = self.p;
        let a = &p.agent;
        self.line("\nAgent");
        if a.name.is_empty() {
            self.line("  Username: (you choose)");
        } else {
            self.setting("agent.username", format!("  Username: {}", a.name));
        }
        for (path, label, value) in [
            ("agent.firstname", "First name", &a.firstname),
            ("agent.surname", "Surname", &a.surname),
            ("agent.initials", "Initials", &a.initials),
            ("agent.email", "Email", &a.email),
        ] {
            if !value.is_empty() {
                self.setting(path, format!("  {label}: {value}"));
            }
        }
        self.setting("agent.active", format!("  Active: {}", yes(a.active)));
        self.setting("agent.api_only", format!("  API-only: {}", yes(a.api_only)));
        if !a.extra_roles.is_empty() {
            self.setting(
                "agent.extra_roles",
                format!("  Also in roles: {}", a.extra_roles.join(", ")),
            );
        }
        self.teams();
        self.setting("agent.work_hours", format!("  Work hours: {}", a.workday));
        self.setting(
            "agent.can_approve_purchaseorder",
            format!(
                "  Can approve purchase orders: {}",
                yes(a.can_approve_purchaseorder)
            ),
        );
        self.setting(
            "agent.can_approve_invoice",
            format!("  Can approve invoices: {}", yes(a.can_approve_invoice)),
        );
    }

    /// The agent's default team, teams and departments.
    fn teams(&mut self) {
        let p = self.p;
        let a = &p.agent;
        let dt = match &a.default_team {
            DefaultTeam::None => "No Default Team".to_string(),
            DefaultTeam::Ask => "required; you choose".to_string(),
            DefaultTeam::Named(n) => n.clone(),
        };
        self.setting("agent.default_team", format!("  Default team: {dt}"));
        let teams = match a.teams.pick {
            Pick::None => "none".to_string(),
            Pick::Default => "the default team".to_string(),
            Pick::All => "all teams".to_string(),
            Pick::Ask => "you choose".to_string(),
            Pick::Named => a.teams.names.join(", "),
        };
        self.setting("agent.teams", format!("  Teams: {teams}"));
        if a.teams.pick != Pick::None {
            self.setting(
                "agent.teams.unassigned_access",
                format!(
                    "    Can see Unassigned Tickets for this Team: {}",
                    yes(a.teams.unassigned_access)
                ),
            );
            self.setting(
                "agent.teams.otheragent_access",
                format!(
                    "    Can see Tickets assigned to other Agents in this Team: {}",
                    yes(a.teams.otheragent_access)
                ),
            );
        }
        let depts = match a.departments.pick {
            Pick::None | Pick::Default => "none".to_string(),
            Pick::All => "all departments".to_string(),
            Pick::Ask => "you choose".to_string(),
            Pick::Named => a.departments.names.join(", "),
        };
        self.setting("agent.departments", format!("  Departments: {depts}"));
        if a.departments.pick != Pick::None {
            let level = a.departments.level;
            self.setting(
                "agent.departments.level",
                format!("    Membership level: {}", level.label()),
            );
            self.setting(
                "agent.departments.halo_value",
                format!("    Sent to Halo as membership level {}", level.code()),
            );
        }
    }

    /// The application and how it logs in.
    fn application(&mut self) {
        let p = self.p;
        self.line("\nApplication");
        if p.application.name.is_empty() {
            self.line("  Name: (you choose)");
        } else {
            self.setting(
                "application.name",
                format!("  Name: {}", p.application.name),
            );
        }
        if !p.application.description.is_empty() {
            self.setting(
                "application.description",
                format!("  Description: {}", p.application.description),
            );
        }
        self.setting(
            "application.method",
            "  Client ID and Secret (Services), login type Agent, logs in as the agent above",
        );
        self.setting(
            "application.active",
            format!("  Active: {}", yes(p.application.active)),
        );
    }

    /// The scopes, each with its warning.
    fn scopes(&mut self) {
        let p = self.p;
        self.line("\nScopes");
        if p.ask_areas {
            self.setting(
                "ask_areas",
                "  You choose the areas read and edited; the wizard grants the smallest set.",
            );
        } else if p.scopes.is_empty() {
            self.line("  none yet");
        }
        let sw = p
            .scopes
            .iter()
            .map(std::string::String::len)
            .max()
            .unwrap_or(0);
        for s in &p.scopes {
            let text = match scopes::warning(s) {
                Some(warn) => format!("  {s:<sw$}  ! {warn}"),
                None => format!("  {s}"),
            };
            self.setting(&format!("scopes.{s}"), text);
        }
    }

    /// What goes back to the vendor.
    fn handover(&mut self) {
        let p = self.p;
        self.line("\nHand back to the vendor");
        let lw = p
            .handover
            .iter()
            .map(|f| f.label().len())
            .max()
            .unwrap_or(0);
        for f in &p.handover {
            let mut text = format!("  {:<lw$}  {}", f.label(), f.example());
            if let Some(n) = p.handover_notes.get(f) {
                let _ = write!(text, "  ({n})");
            }
            self.setting(&format!("handover.{}", f.key()), text);
        }
    }
}

/// The profile in readable form.
pub fn show(p: &Profile) -> String {
    let mut w = Shown {
        p,
        o: String::new(),
    };
    w.line(format!(
        "{} ({})  confidence {}",
        p.vendor,
        p.id,
        p.confidence.as_str()
    ));
    if !p.summary.is_empty() {
        w.line(&p.summary);
    }
    if let Some(f) = &p.file {
        w.line(format!("User profile: {}", f.display()));
    }

    w.role();
    w.agent();
    w.application();
    w.scopes();
    w.handover();
    let mut o = w.o;
    if !p.traps.is_empty() {
        let _ = writeln!(o, "\nTraps and manual steps");
        for t in &p.traps {
            let _ = writeln!(o, "  [{}] {}", t.severity.as_str(), t.text);
        }
    }
    if !p.notes.is_empty() {
        let _ = writeln!(o, "\nNotes");
        for n in &p.notes {
            let _ = writeln!(o, "  - {n}");
        }
    }
    if !p.source.is_empty() {
        let _ = writeln!(o, "\nSource");
        for (i, s) in p.source.iter().enumerate() {
            let _ = writeln!(o, "  [{}] {s}", i + 1);
        }
    }
    o
}

pub(crate) fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1; b.len() + 1];
        for (j, cb) in b.iter().enumerate() {
            let cost = usize::from(ca != *cb);
            cur[j + 1] = (prev[j] + cost).min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        prev = cur;
    }
    prev[b.len()]
}

/// Up to three ids closest to `id`: substring matches first, then by edit distance.
pub(crate) fn closest(id: &str, profiles: &[Profile]) -> Vec<String> {
    let q = id.to_ascii_lowercase();
    let mut scored: Vec<(usize, &str)> = profiles
        .iter()
        .map(|p| {
            let d = if p.id.contains(&q) || (!p.id.is_empty() && q.contains(p.id.as_str())) {
                0
            } else {
                edit_distance(&q, &p.id)
            };
            (d, p.id.as_str())
        })
        .filter(|(d, _)| *d <= 3.max(q.len() / 2))
        .collect();
    scored.sort_unstable();
    scored
        .into_iter()
        .take(3)
        .map(|(_, s)| s.to_string())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn closest_ids() {
        let ps = crate::profile::builtin();
        assert_eq!(
            closest("topleaf", &ps).first().map(String::as_str),
            Some("topleft")
        );
        assert!(closest("hudu", &ps).contains(&"hudu-kb".to_string()));
        assert!(closest("zzzzzzzzzzzzzzzz", &ps).is_empty());
    }

    #[test]
    fn table_is_aligned() {
        let t = table(&crate::profile::builtin());
        let lines: Vec<&str> = t.lines().collect();
        let col = lines[0].find("VENDOR").unwrap();
        for l in &lines {
            assert_eq!(
                l.char_indices().nth(col - 2).map(|(_, c)| c),
                Some(' '),
                "{l}"
            );
        }
    }
}
