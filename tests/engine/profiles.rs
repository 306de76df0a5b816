//! Integration profiles: built-ins against their vendor guides, user profiles, least privilege
//! and the `profiles` subcommand.

use std::path::Path;

use halo_onboard::answers::RoleMode;
use halo_onboard::halo::model::MembershipLevel;
use halo_onboard::halo::scopes;
use halo_onboard::profile::{
    self, ALL_TEAMS, Confidence, DefaultTeam, HandoverField, Pick, Profile, Provenance, Question,
    Severity,
};

use crate::common::bin::{Home, Run};

fn get(id: &str) -> Profile {
    profile::builtin()
        .into_iter()
        .find(|p| p.id == id)
        .unwrap_or_else(|| panic!("no built-in {id}"))
}

/// The scopes Propel's guide lists, in its order.
pub(crate) const PROPEL_SCOPES: [&str; 11] = [
    "read:tickets",
    "edit:tickets",
    "edit:calendar",
    "read:customers",
    "read:crm",
    "read:contracts",
    "read:items",
    "read:sales",
    "read:invoices",
    "read:assets",
    "edit:assets",
];

fn strs(v: &[String]) -> Vec<&str> {
    v.iter().map(String::as_str).collect()
}

#[test]
fn every_builtin_is_valid_cites_a_source_and_uses_catalogue_scopes() {
    let all = profile::builtin();
    assert_eq!(all.len(), 39);
    for p in &all {
        assert!(p.validate().is_empty(), "{}: {:?}", p.id, p.validate());
        for s in &p.scopes {
            assert!(scopes::is_known(s), "{}: {s}", p.id);
        }
        if !matches!(p.id.as_str(), "custom" | "least-privilege") {
            assert!(!p.source.is_empty(), "{} has no source", p.id);
            assert!(
                p.source.iter().all(|s| s.starts_with("https://")),
                "{}",
                p.id
            );
            assert!(!p.scopes.is_empty(), "{} has no scopes", p.id);
        }
        assert!(
            p.handover.contains(&HandoverField::ClientSecret),
            "{}",
            p.id
        );
    }
    // The four origin vendors come first.
    let ids: Vec<&str> = all.iter().map(|p| p.id.as_str()).collect();
    assert_eq!(&ids[..4], ["propel", "humanizeit", "topleft", "guardz"]);
    // Every vendor of the research once (the files are named for their ids: `profile::load`).
    let mut unique = ids.clone();
    unique.sort_unstable();
    unique.dedup();
    assert_eq!((ids.len(), unique.len()), (39, 39), "{ids:?}");
}

#[test]
fn topleft_matches_its_guide() {
    let p = get("topleft");
    assert_eq!(p.vendor, "TopLeft");
    assert_eq!(p.role.name, "TopLeft Role");
    assert!(p.role.permissions.admin());
    assert_eq!(p.role.reuse, None);
    assert_eq!(p.agent.name, "topleft");
    assert!(p.agent.active);
    assert!(p.agent.api_only);
    assert_eq!(p.agent.default_team, DefaultTeam::None);
    assert_eq!(p.agent.workday, "Default Working Hours");
    assert_eq!(
        strs(&p.scopes),
        ["all:standard", "all:teams", "admin:webhooks"]
    );
    assert_eq!(
        p.handover,
        [
            HandoverField::ResourceUrl,
            HandoverField::AuthUrl,
            HandoverField::ClientId,
            HandoverField::ClientSecret
        ]
    );
    assert!(p.source[0].contains("help.topleft.team"));
    // The role and agent are the guide's; the scopes are not visible in it.
    assert_eq!(p.confidence, Confidence::M);
    for path in [
        "role.name",
        "role.administrator",
        "agent.username",
        "agent.active",
        "agent.api_only",
        "agent.default_team",
        "agent.work_hours",
        "handover.resource_url",
        "handover.client_secret",
    ] {
        assert!(sourced(&p, path), "{path}: {:?}", p.provenance(path));
    }
    assert_eq!(
        section(&p, "agent.default_team").as_deref(),
        Some("Add an API Agent")
    );
    for path in [
        "scopes.all:standard",
        "scopes.all:teams",
        "scopes.admin:webhooks",
        "application.name",
        "role.settings.view_others_tickets",
    ] {
        assert!(inferred(&p, path), "{path}: {:?}", p.provenance(path));
    }

    let a = p.to_answers();
    assert_eq!(a.profile.as_deref(), Some("topleft"));
    assert_eq!(a.role.mode, RoleMode::Create);
    assert_eq!(a.role.name, "TopLeft Role");
    assert!(a.role.permissions.admin());
    assert_eq!(a.agent.name, "topleft");
    assert!(a.agent.api_only);
    assert_eq!(a.agent.default_team, None);
    assert_eq!(a.agent.workday, "Default Working Hours");
    assert_eq!(a.scopes, p.scopes);
    assert!(p.questions().is_empty());
}

/// The guide section a setting is cited to, if it is cited.
fn section(p: &Profile, path: &str) -> Option<String> {
    match p.provenance(path) {
        Provenance::Source { section, .. } => Some(section.to_string()),
        _ => None,
    }
}

fn sourced(p: &Profile, path: &str) -> bool {
    matches!(p.provenance(path), Provenance::Source { .. })
}

fn inferred(p: &Profile, path: &str) -> bool {
    matches!(p.provenance(path), Provenance::Inferred { .. })
}

#[test]
fn propel_matches_its_guide() {
    let p = get("propel");
    // The role and the team question are not in the guide: not "H".
    assert_eq!(p.confidence, Confidence::M);
    assert_eq!(p.agent.name, "Propel Your MSP");
    assert_eq!(p.agent.firstname, "Propel");
    assert_eq!(p.agent.surname, "Your MSP");
    assert_eq!(p.agent.initials, "PYM");
    assert!(p.agent.active && p.agent.api_only);
    assert!(!p.agent.can_approve_purchaseorder && !p.agent.can_approve_invoice);
    assert_eq!(p.application.name, "Propel Your MSP");
    assert_eq!(strs(&p.scopes), PROPEL_SCOPES);
    // Point by point in Halo's labels, each on its area's own scale.
    let f = &p.role.permissions;
    let label = |code: &str| f.get(code).map(|l| l.label);
    assert_eq!(label("Tx"), Some("Read and Modify"));
    assert_eq!(label("Ux"), Some("Read Only"));
    assert_eq!(label("Dx"), Some("Read and Modify"));
    assert_eq!(label("Ax"), Some("Read and Modify"));
    // The guide's scope is read:sales: Read and Modify would add nothing the API can use.
    assert_eq!(label("Ox"), Some("Read Only"));
    assert_eq!(label("Xx"), Some("Read Only"));
    assert_eq!(label("Cx"), Some("Read Only"));
    for yes in ["l6", "l9", "l8", "Fa"] {
        assert_eq!(label(yes), Some("Yes"), "{yes}");
    }
    assert_eq!(label("lg"), Some("Can Add All Appointments"));
    assert_eq!(label("lz"), Some("Can View All Appointments"));
    assert!(
        p.role.other_permissions.is_empty(),
        "everything the guide asks is settable"
    );
    assert_eq!(p.handover[0], HandoverField::Hostname);
    // Without team membership the agent may see no tickets: the wizard asks.
    assert_eq!(p.agent.teams.pick, Pick::Ask);
    assert_eq!(p.questions(), [Question::Teams]);

    // Each setting's source: the guide's sections, or inferred with a reason.
    for path in [
        "agent.username",
        "agent.firstname",
        "agent.surname",
        "agent.initials",
        "agent.active",
        "agent.api_only",
        "agent.can_approve_purchaseorder",
        "agent.can_approve_invoice",
        "role.access.tickets",
        "role.access.clients",
        "role.access.assets",
        "role.access.invoices",
        "role.access.client_contracts",
        "role.settings.add_tickets",
        "role.settings.view_unassigned_tickets",
        "role.settings.view_others_tickets",
        "role.settings.all_asset_types",
        "role.settings.add_appointments",
        "role.settings.appointment_visibility",
        "application.name",
        "application.method",
        "scopes.read:sales",
        "handover.hostname",
    ] {
        assert!(sourced(&p, path), "{path}: {:?}", p.provenance(path));
    }
    assert_eq!(
        section(&p, "agent.username").as_deref(),
        Some("1- Creating an API-only Agent (step 3)")
    );
    assert_eq!(
        section(&p, "scopes.edit:assets").as_deref(),
        Some("Permissions")
    );
    for path in [
        "role.name",
        "role.administrator",
        "role.access.sales",
        "role.access.calendars",
        "role.access.crm",
        "role.access.items",
        "agent.teams",
        "agent.default_team",
        "agent.work_hours",
    ] {
        assert!(inferred(&p, path), "{path}: {:?}", p.provenance(path));
    }

    let a = p.to_answers();
    assert_eq!(a.agent.firstname, "Propel");
    assert_eq!(a.agent.initials, "PYM");
    assert_eq!(a.role.permissions, p.role.permissions);
    assert_eq!(a.scopes.len(), 11);
    assert!(a.agent.teams.is_empty(), "the teams are the user's answer");
}

#[test]
fn humanizeit_matches_its_guide() {
    let p = get("humanizeit");
    assert_eq!(strs(&p.scopes), ["all:standard"]);
    assert_eq!(p.agent.name, "HumanizeITAPI");
    assert_eq!(p.role.name, "HumanizeITAPI");
    assert!(p.agent.api_only);
    assert_eq!(p.agent.workday, "24 Hours");
    assert_eq!(p.agent.default_team, DefaultTeam::Ask);
    assert_eq!(p.agent.teams.pick, Pick::Default);
    assert!(p.agent.teams.unassigned_access && p.agent.teams.otheragent_access);
    assert_eq!(p.agent.departments.level, MembershipLevel::ModifyAll);
    assert_eq!(p.application.name, "HumanizeIT");
    assert_eq!(p.questions(), [Question::DefaultTeam]);
    assert_eq!(p.confidence, Confidence::M);
    // The permission matrix is only an image: nothing is set by the API, and copying it is a
    // manual step the guide itself asks for.
    assert!(p.role.permissions.is_empty());
    assert!(
        p.role
            .other_permissions
            .iter()
            .any(|m| m.contains("permission matrix")),
        "{:?}",
        p.role.other_permissions
    );
    assert!(sourced(&p, "role.other_permissions"));
    for path in [
        "agent.teams",
        "agent.teams.unassigned_access",
        "agent.teams.otheragent_access",
        "agent.departments",
        "agent.departments.level",
        "agent.work_hours",
        "agent.default_team",
        "scopes.all:standard",
        "role.name",
    ] {
        assert!(sourced(&p, path), "{path}: {:?}", p.provenance(path));
    }
    // "Modify All" is the guide's word; the number Halo stores for it is not evidenced.
    assert!(inferred(&p, "agent.departments.halo_value"));
    assert!(p.notes.iter().any(|n| n.contains("reads the agent back")));

    let a = p.to_answers();
    assert_eq!(a.agent.workday, "24 Hours");
    // A required default team stays empty until the user picks it.
    assert_eq!(a.agent.default_team.as_deref(), Some(""));
    assert_eq!(a.agent.teams.len(), 1);
    assert!(a.agent.teams[0].unassigned_access && a.agent.teams[0].otheragent_access);
    assert_eq!(a.agent.departments.len(), 3);
    assert!(
        a.agent
            .departments
            .iter()
            .all(|d| d.level == MembershipLevel::ModifyAll)
    );
}

#[test]
fn guardz_matches_its_guide() {
    let p = get("guardz");
    assert_eq!(strs(&p.scopes), ["all"]);
    assert!(!p.role.permissions.admin());
    let label = |code: &str| p.role.permissions.get(code).map(|l| l.label);
    assert_eq!(
        label("Tx"),
        Some("Read and Modify"),
        "tickets read and modify"
    );
    assert_eq!(label("l6"), Some("Yes"), "add tickets");
    assert_eq!(label("l8"), Some("Yes"), "view tickets of other agents");
    assert_eq!(label("l9"), Some("Yes"), "view unassigned tickets");
    assert_eq!(label("Ft"), Some("Yes"), "all ticket types");
    assert_eq!(
        label("Ux"),
        Some("Read Only"),
        "its organisation mapping lists clients"
    );
    assert_eq!(p.agent.teams.pick, Pick::Ask, "all required teams");
    for (path, want) in [
        (
            "role.settings.view_others_tickets",
            "2. Configure Agent & Team Roles",
        ),
        (
            "role.settings.view_unassigned_tickets",
            "2. Configure Agent & Team Roles",
        ),
        (
            "role.settings.add_tickets",
            "2. Configure Agent & Team Roles",
        ),
        ("role.access.tickets", "2. Configure Agent & Team Roles"),
        (
            "role.settings.all_ticket_types",
            "2. Configure Agent & Team Roles (Access)",
        ),
        ("agent.teams", "2. Configure Agent & Team Roles (Access)"),
        ("scopes.all", "1. Create required settings on HaloPSA"),
        ("handover.base_url", "3. Setting up the Integration"),
    ] {
        assert_eq!(section(&p, path).as_deref(), Some(want), "{path}");
    }
    assert!(
        section(&p, "role.access.clients")
            .is_some_and(|s| s.contains("4. Assign the Organizations"))
    );
    for path in [
        "agent.username",
        "role.name",
        "application.name",
        "agent.api_only",
    ] {
        assert!(inferred(&p, path), "{path}");
    }
    // The guide allows an existing agent; halo-onboard says how, since it always creates one.
    assert!(p.notes.iter().any(|n| n.contains("existing agent")));
    assert!(
        !p.application.description.is_empty(),
        "Guardz requires a description"
    );
    assert!(p.handover.contains(&HandoverField::BaseUrl));
}

#[test]
fn vendor_specific_traps() {
    let g = get("gradient");
    assert!(!g.scopes.iter().any(|s| s == "all"));
    assert!(
        g.traps
            .iter()
            .any(|t| t.severity == Severity::Critical && t.text.contains("'all'"))
    );

    let s = get("saasalerts");
    assert!(s.scopes.iter().any(|x| x == "all:teams"));
    assert_eq!(s.agent.name, "saasalerts_api");
    assert_eq!(s.agent.workday, "24 Hours");
    assert_eq!(s.role.reuse.as_deref(), Some("Administrator"));
    assert_eq!(
        s.to_answers().role.mode,
        RoleMode::Reuse("Administrator".into())
    );
    assert!(s.handover.contains(&HandoverField::BaseUrl));

    let n = get("neoagent");
    assert!(!n.agent.api_only);
    assert!(!n.scopes.iter().any(|x| x == "all" || x == "admin"));
    assert!(n.scopes.iter().any(|x| x == "admin:webhooks"));
    assert!(n.handover.contains(&HandoverField::AgentId));
    assert!(!n.to_answers().agent.api_only);

    let h = get("hudu-kb");
    assert!(
        h.traps
            .iter()
            .any(|t| t.text.contains("Allow Articles to be added to FAQ Lists"))
    );

    let r = get("rewst");
    assert_eq!(r.to_answers().agent.teams[0].name, ALL_TEAMS);
    assert!(r.handover.contains(&HandoverField::Hostname));
    assert!(r.handover.contains(&HandoverField::AuthHostname));

    let t = get("timezest");
    assert_eq!(t.agent.extra_roles, ["Administrator"]);
    assert!(t.role.permissions.admin());
}

/// Every setting of every built-in names its guide section or why it is inferred; every cited
/// guide is one of the profile's sources.
#[test]
fn every_builtin_setting_has_a_source_or_an_inferred_reason() {
    let mut gaps = Vec::new();
    for p in profile::builtin() {
        let settings = p.provenances();
        assert!(settings.len() >= 10, "{}: {settings:?}", p.id);
        for (path, from) in settings {
            match from {
                Provenance::Source { guide, section, .. } => {
                    assert!(p.source.iter().any(|s| s == guide), "{}: {path}", p.id);
                    assert!(!section.trim().is_empty(), "{}: {path}", p.id);
                }
                Provenance::Inferred { reason } => {
                    assert!(reason.len() > 20, "{}: {path}: {reason:?}", p.id);
                }
                Provenance::Unstated => gaps.push(format!("{}: {path}", p.id)),
            }
        }
    }
    assert!(
        gaps.is_empty(),
        "settings with neither a source nor a reason: {gaps:#?}"
    );
}

/// "H" promises that the guide states everything: a built-in may claim it only when every
/// setting has a source, and a profile file claiming it otherwise does not load.
#[test]
fn confidence_h_needs_a_source_for_every_setting() {
    for p in profile::builtin() {
        let unsourced: Vec<String> = p
            .provenances()
            .into_iter()
            .filter(|(_, f)| !f.is_source())
            .map(|(path, _)| path)
            .collect();
        if p.confidence == Confidence::H {
            assert!(unsourced.is_empty(), "{} is H but: {unsourced:?}", p.id);
        } else {
            let why = format!("Confidence {}:", p.confidence.as_str());
            assert!(
                p.notes.first().is_some_and(|n| n.starts_with(&why)),
                "{}: the first note must say why it is not H",
                p.id
            );
        }
    }
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("h.toml");
    let h = USER_OK.replace("confidence = \"M\"", "confidence = \"H\"");
    std::fs::write(&f, &h).unwrap();
    let e = profile::load_file(&f).unwrap_err().to_string();
    assert!(
        e.contains("\"H\" needs a guide section for every setting") && e.contains("role.name"),
        "{e}"
    );
    // The same profile with every setting cited loads as H.
    let cited = format!(
        "source = [\"https://vendor.example/guide\"]\n{h}\n[[cite]]\nsection = \"Setup\"\ncovers = [\"role\", \"agent\", \"application\", \"scopes\", \"handover\"]\n"
    );
    std::fs::write(&f, &cited).unwrap();
    let p = profile::load_file(&f).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(p.confidence, Confidence::H);
    // One inferred setting is enough to lose it.
    let one = format!(
        "{cited}\n[[inferred]]\nreason = \"not in the guide\"\ncovers = [\"agent.work_hours\"]\n"
    );
    std::fs::write(&f, &one).unwrap();
    let e = profile::load_file(&f).unwrap_err().to_string();
    assert!(e.contains("1 has none (agent.work_hours)"), "{e}");
}

/// A citation must name a setting the profile has, a guide it lists, and not contradict an
/// inference: a typo is a load error naming the entry.
#[test]
fn citations_name_real_settings() {
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("c.toml");
    for (extra, want) in [
        (
            "[[cite]]\nsection = \"Setup\"\ncovers = [\"role.access.tickts\"]\n",
            "cite[0].covers: \"role.access.tickts\" names no setting of this profile",
        ),
        (
            "[[cite]]\nguide = \"https://elsewhere.example\"\nsection = \"Setup\"\ncovers = [\"scopes\"]\n",
            "cite[0].guide: \"https://elsewhere.example\" is not one of the profile's source URLs",
        ),
        (
            "[[cite]]\nsection = \"Setup\"\ncovers = [\"scopes\"]\n[[inferred]]\nreason = \"guess\"\ncovers = [\"scopes\"]\n",
            "\"scopes\" is both cited and inferred",
        ),
        (
            "[[inferred]]\nreason = \" \"\ncovers = [\"scopes\"]\n",
            "inferred[0].reason: is empty",
        ),
    ] {
        let text = format!("source = [\"https://vendor.example/guide\"]\n{USER_OK}\n{extra}");
        std::fs::write(&f, text).unwrap();
        let e = profile::load_file(&f).unwrap_err().to_string();
        assert!(e.contains(want), "{e}");
    }
}

/// Every profile whose vendor reads tickets (a tickets scope, or all / all:standard) either
/// asks which teams the agent joins (or its default team), or has the role switches "Can view
/// Tickets that are assigned to other Agents" (l8) and "Can View Unassigned Tickets" (l9): Halo
/// may decide ticket visibility either way, and an agent with neither may see no tickets.
#[test]
fn every_profile_that_reads_tickets_answers_ticket_visibility() {
    let mut readers = 0;
    for p in profile::builtin() {
        if !scopes::any_grants(&p.scopes, "read:tickets") {
            continue;
        }
        readers += 1;
        let teams = matches!(p.agent.teams.pick, Pick::Ask | Pick::All | Pick::Named)
            || p.agent.default_team == DefaultTeam::Ask
            || p.questions().contains(&Question::Teams);
        let switches = p.role.reuse.is_none()
            && ["l8", "l9"]
                .iter()
                .all(|c| p.role.permissions.get(c).is_some_and(|l| l.label == "Yes"));
        assert!(
            teams || switches,
            "{} reads tickets but neither asks for teams nor sets the view switches",
            p.id
        );
        // Whichever it is, it is sourced or its reason is given.
        for path in ["agent.teams", "role.settings.view_others_tickets"] {
            if p.setting_paths().iter().any(|s| s == path) {
                assert_ne!(p.provenance(path), Provenance::Unstated, "{}: {path}", p.id);
            }
        }
    }
    assert!(readers >= 25, "{readers}");
}

#[test]
fn custom_and_least_privilege() {
    let c = get("custom");
    assert!(c.scopes.is_empty());
    let a = c.to_answers();
    assert!(a.agent.active && a.agent.api_only);
    assert!(!a.role.permissions.admin() && a.role.permissions.is_empty());
    assert_eq!(a.agent.default_team, None);

    let l = get("least-privilege");
    assert!(l.ask_areas && l.scopes.is_empty());
    assert_eq!(l.questions(), [Question::Areas]);
}

#[test]
fn least_privilege_scopes_table() {
    let cases: &[(&[&str], &[&str], &[&str])] = &[
        (&[], &[], &[]),
        (&["tickets"], &[], &["read:tickets"]),
        (&[], &["tickets"], &["edit:tickets"]),
        // Edit wins over read; order follows the catalogue.
        (
            &["tickets", "customers"],
            &["tickets"],
            &["edit:tickets", "read:customers"],
        ),
        (
            &["assets"],
            &["timesheets"],
            &["edit:timesheets", "read:assets"],
        ),
        // all:teams and admin:webhooks only when asked.
        (&["tickets", "teams"], &[], &["all:teams", "read:tickets"]),
        (&[], &["webhooks"], &["admin:webhooks"]),
        // Unknown and umbrella keys never add scopes.
        (&["nope", "umbrella", "access"], &[], &[]),
    ];
    for (reads, edits, want) in cases {
        let got = profile::least_privilege_scopes(reads, edits);
        assert_eq!(strs(&got), *want, "reads {reads:?} edits {edits:?}");
        assert!(got.iter().all(|s| scopes::is_known(s)));
    }
    let f = profile::least_privilege_features(&["tickets", "customers"], &["tickets", "assets"]);
    let got: Vec<(&str, &str)> = f.entries().iter().map(|(d, l)| (d.code, l.label)).collect();
    assert_eq!(
        got,
        [
            ("Tx", "Read and Modify"),
            ("Ux", "Read Only"),
            ("Dx", "Read and Modify")
        ]
    );
}

fn write(dir: &Path, name: &str, text: &str) {
    std::fs::write(dir.join(name), text).unwrap();
}

const USER_OK: &str = r#"
id = "acme-sync"
vendor = "Acme Sync"
confidence = "M"
scopes = ["read:tickets"]
handover = ["client_id", "client_secret"]
[role]
name = "Acme"
[role.access]
tickets = "Read Only"
"#;

#[test]
fn user_profiles_load_override_and_report_errors() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "a-ok.toml", USER_OK);
    write(
        dir.path(),
        "b-override.toml",
        &USER_OK
            .replace("acme-sync", "topleft")
            .replace("Acme Sync", "TopLeft (ours)"),
    );
    write(
        dir.path(),
        "c-trap.toml",
        &USER_OK
            .replace("acme-sync", "trap")
            .replace("\"read:tickets\"", "\"read:actions\""),
    );
    write(dir.path(), "d-syntax.toml", "id = \"x\"\nvendor = \n");
    write(
        dir.path(),
        "e-typo.toml",
        &USER_OK.replace("[role]\n", "[role]\nis_admn = true\n"),
    );
    write(
        dir.path(),
        "f-level.toml",
        &USER_OK
            .replace("acme-sync", "bad-level")
            .replace("tickets = \"Read Only\"", "tickets = \"View (Names Only)\""),
    );
    // The pre-dialect spelling still loads, mapped onto Halo's areas.
    write(
        dir.path(),
        "g-old.toml",
        &USER_OK.replace("acme-sync", "old-style").replace(
            "[role.access]\ntickets = \"Read Only\"",
            "is_admin = false\n[role.features]\ncustomers = \"read\"",
        ),
    );
    write(dir.path(), "ignored.txt", "not a profile");

    let (ps, errs) = profile::load_all(Some(dir.path()));
    assert_eq!(
        ps.len(),
        41,
        "39 built-ins + acme-sync + old-style (topleft overridden)"
    );
    let old = ps.iter().find(|p| p.id == "old-style").unwrap();
    let level = |code: &str| old.role.permissions.get(code).map(|l| l.label);
    assert_eq!(level("Ux"), Some("Read Only"), "customers → Clients");
    assert_eq!(level("Fx"), Some("Read Only"), "customers → Users");
    let acme = ps.iter().find(|p| p.id == "acme-sync").unwrap();
    assert_eq!(
        acme.file.as_deref(),
        Some(dir.path().join("a-ok.toml").as_path())
    );
    let tl = ps.iter().find(|p| p.id == "topleft").unwrap();
    assert_eq!(tl.vendor, "TopLeft (ours)");
    assert_eq!(ps.iter().filter(|p| p.id == "topleft").count(), 1);

    assert_eq!(errs.len(), 4, "{errs:#?}");
    let level = errs
        .iter()
        .find(|e| e.path.ends_with("f-level.toml"))
        .unwrap()
        .to_string();
    assert!(
        level.contains("access.tickets")
            && level.contains("\"View (Names Only)\" is not a level of Tickets")
            && level.contains("\"No Access\", \"Read Only\", \"Read and Modify\""),
        "{level}"
    );
    let trap = errs
        .iter()
        .find(|e| e.path.ends_with("c-trap.toml"))
        .unwrap();
    let msg = trap.to_string();
    assert!(msg.contains("c-trap.toml"), "{msg}");
    assert!(
        msg.contains("scopes[0]") && msg.contains("read:actions"),
        "{msg}"
    );
    assert!(
        msg.contains("read:tickets / edit:tickets"),
        "hint missing: {msg}"
    );
    assert_eq!(trap.line, Some(5), "{msg}");

    let syntax = errs
        .iter()
        .find(|e| e.path.ends_with("d-syntax.toml"))
        .unwrap();
    assert_eq!(syntax.line, Some(2), "{syntax}");
    assert!(syntax.to_string().contains("d-syntax.toml:2:"), "{syntax}");

    let typo = errs
        .iter()
        .find(|e| e.path.ends_with("e-typo.toml"))
        .unwrap();
    assert!(typo.message.contains("is_admn"), "{typo}");
    assert!(typo.line.is_some());
}

#[test]
fn missing_user_dir_is_fine() {
    let dir = tempfile::tempdir().unwrap();
    let (ps, errs) = profile::load_all(Some(&dir.path().join("absent")));
    assert_eq!(ps.len(), 39);
    assert!(errs.is_empty());
}

/// `halo-onboard ARGS` with the user profiles in `home`'s profiles dir.
fn bin(args: &[&str], home: &Home) -> Run {
    home.run_blocking(args, &[])
}

#[test]
fn cli_lists_and_shows() {
    let home = Home::new();
    let out = bin(&["profiles"], &home);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let text = out.stdout.clone();
    let lines: Vec<&str> = text.lines().collect();
    assert!(lines[0].starts_with("ID") && lines[0].contains("CONF"));
    assert_eq!(lines.len(), 40);
    let topleft = lines.iter().find(|l| l.starts_with("topleft ")).unwrap();
    assert!(topleft.contains("TopLeft") && topleft.contains("all:standard"));
    // Aligned: the vendor column starts at the same place on every line.
    let col = lines[0].find("VENDOR").unwrap();
    assert!(
        lines
            .iter()
            .all(|l| l.get(col - 1..col) == Some(" ") && l.get(col..col + 1) != Some(" "))
    );

    let out = bin(&["profiles", "--json"], &home);
    let v: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    assert_eq!(v.as_array().unwrap().len(), 39);

    let out = bin(&["profiles", "show", "topleft", "--json"], &home);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let v: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    assert_eq!(v["id"], "topleft");
    assert_eq!(v["role"]["name"], "TopLeft Role");
    assert_eq!(v["agent"]["username"], "topleft");
    assert_eq!(v["scopes"][2], "admin:webhooks");
    // Each setting with its source or the reason it is inferred.
    let prov = v["provenance"].as_array().unwrap();
    let of = |path: &str| {
        prov.iter()
            .find(|x| x["setting"] == path)
            .unwrap_or_else(|| panic!("{path} missing: {prov:?}"))
            .clone()
    };
    assert_eq!(
        of("agent.username")["source"]["section"],
        "Add an API Agent"
    );
    assert!(
        of("agent.username")["source"]["guide"]
            .as_str()
            .unwrap()
            .contains("help.topleft.team")
    );
    assert!(
        of("scopes.admin:webhooks")["inferred"]["reason"]
            .as_str()
            .unwrap()
            .contains("seed document")
    );
    assert_eq!(prov.len(), profile::builtin()[2].setting_paths().len());

    let out = bin(&["profiles", "show", "gradient"], &home);
    let text = out.stdout.clone();
    for want in [
        "Gradient",
        "Scopes",
        "Hand back",
        "Traps",
        "support.meetgradient.com",
    ] {
        assert!(text.contains(want), "missing {want}:\n{text}");
    }
    let out = bin(&["profiles", "show", "topleft"], &home);
    let text = out.stdout.clone();
    assert!(
        text.contains("admin:webhooks  ! can create and change webhooks"),
        "{text}"
    );
    // Under each setting: its guide section, or why it is inferred.
    assert!(
        text.contains("  Username: topleft\n      source: [1] \"Add an API Agent\"\n"),
        "{text}"
    );
    assert!(
        text.contains(
            "  Name: TopLeft\n      inferred: the guide's application steps could not be read"
        ),
        "{text}"
    );
    assert!(!text.contains("(no source given)"), "{text}");

    let out = bin(&["profiles", "show", "toplef"], &home);
    assert_eq!(out.code, 2);
    let err = out.stderr.clone();
    assert!(err.contains("topleft"), "{err}");
}

#[test]
fn cli_reports_a_broken_user_profile_and_lists_the_rest() {
    let home = Home::new();
    write(
        &home.path().join("profiles"),
        "bad.toml",
        &USER_OK.replace("\"read:tickets\"", "\"read:actions\""),
    );
    let out = bin(&["profiles"], &home);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let err = out.stderr.clone();
    assert!(
        err.contains("bad.toml:5:") && err.contains("read:actions"),
        "{err}"
    );
    assert_eq!(out.stdout.clone().lines().count(), 40);
}

/// `profiles show ID --toml` prints every built-in as a file that loads back to the same
/// profile (what `--profile FILE` and the profiles folder read).
#[test]
fn every_builtin_round_trips_through_its_toml() {
    let d = tempfile::tempdir().unwrap();
    for p in profile::builtin() {
        let text = halo_onboard::headless::profiles::to_toml(&p).unwrap();
        let f = d.path().join(format!("{}.toml", p.id));
        std::fs::write(&f, &text).unwrap();
        let back = profile::load_file(&f).unwrap_or_else(|e| panic!("{}: {e}\n{text}", p.id));
        assert_eq!(back.file.as_deref(), Some(f.as_path()));
        assert_eq!(Profile { file: None, ..back }, p, "{}", p.id);
        assert_eq!(back_answers(&f), p.to_answers(), "{}", p.id);
    }
}

fn back_answers(f: &Path) -> halo_onboard::answers::Answers {
    profile::load_file(f).unwrap().to_answers()
}
