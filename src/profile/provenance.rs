//! Where each setting of a profile comes from: a section of the vendor's guide (`[[cite]]`), or
//! an inference with its reason (`[[inferred]]`). A setting is named by a path
//! (`agent.username`, `role.access.tickets`, `scopes.read:tickets`, `handover.client_id`); an
//! entry may name a group (`role.access`, `scopes`, `handover`, `agent.teams`) and then covers
//! every setting under it, unless a more specific entry names the setting itself.
//!
//! Confidence "H" promises that the guide states everything: a profile may only claim it when
//! every setting has a source (checked by [`Profile::validate`]).

use serde::Serialize;

use super::types::{Confidence, Pick, Profile};
use super::validate::{ProfileProblem, problem};
use crate::answers::agent::{self, Group, Value};

/// Where one setting comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Provenance<'a> {
    /// A section of a vendor guide.
    Source {
        /// The guide's URL: the `[[cite]]` entry's `guide`, else the profile's first `source`
        /// (empty when it has none).
        guide: &'a str,
        /// The section heading as the guide writes it.
        section: &'a str,
        /// What the guide says there, in brief; empty when the entry does not say.
        #[serde(skip_serializing_if = "str::is_empty")]
        says: &'a str,
    },
    /// Not stated by the guide; the reason the profile sets it so.
    Inferred {
        /// The `[[inferred]]` entry's reason.
        reason: &'a str,
    },
    /// Neither: a built-in profile never has one (a test checks), a user profile may.
    Unstated,
}

impl Provenance<'_> {
    /// Whether a vendor guide states the setting (what confidence "H" needs of every one).
    pub fn is_source(&self) -> bool {
        matches!(self, Self::Source { .. })
    }
}

/// Whether an entry naming `key` covers the setting `path` (itself, or a group above it).
fn covers(key: &str, path: &str) -> bool {
    path == key
        || path
            .strip_prefix(key)
            .is_some_and(|rest| rest.starts_with('.'))
}

impl Profile {
    /// Every setting this profile makes, by path, in the order `profiles show` lists them.
    /// Empty names (left to the user) are no setting.
    pub fn setting_paths(&self) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        let mut add = |p: String| out.push(p);
        let r = &self.role;
        match &r.reuse {
            Some(_) => add("role.reuse".into()),
            None => {
                if !r.name.is_empty() {
                    add("role.name".into());
                }
                add("role.administrator".into());
                for (def, _) in r.permissions.entries() {
                    if def.code == crate::halo::dialect::claims::ADMIN {
                        continue;
                    }
                    let group = if def.group == crate::halo::dialect::claims::Group::FeatureAccess {
                        "access"
                    } else {
                        "settings"
                    };
                    add(format!("role.{group}.{}", def.key));
                }
            }
        }
        if !r.other_permissions.is_empty() {
            add("role.other_permissions".into());
        }
        let a = &self.agent;
        // In the order `profiles show` lists them: the wizard's.
        for (_, r) in agent::asked(Group::Identity) {
            // A name left empty is left to the user: no setting.
            if let Value::Text { get, .. } = r.value
                && get(a).is_empty()
            {
                continue;
            }
            add(r.path());
        }
        if !a.extra_roles.is_empty() {
            add("agent.extra_roles".into());
        }
        add("agent.default_team".into());
        add("agent.teams".into());
        if a.teams.pick != Pick::None {
            add("agent.teams.unassigned_access".into());
            add("agent.teams.otheragent_access".into());
        }
        add("agent.departments".into());
        if a.departments.pick != Pick::None {
            add("agent.departments.level".into());
            // The number Halo stores for that level: only Head of Department (3) is confirmed.
            add("agent.departments.halo_value".into());
        }
        add(format!("agent.{}", agent::WORK_HOURS));
        for (_, r) in agent::asked(Group::Rights) {
            add(r.path());
        }
        if !self.application.name.is_empty() {
            add("application.name".into());
        }
        if !self.application.description.is_empty() {
            add("application.description".into());
        }
        add("application.active".into());
        // Client ID and Secret (Services), login type Agent: what the tool always makes.
        add("application.method".into());
        if self.ask_areas {
            add("ask_areas".into());
        }
        for s in &self.scopes {
            add(format!("scopes.{s}"));
        }
        for f in &self.handover {
            add(format!("handover.{}", f.key()));
        }
        out
    }

    /// Where the setting `path` comes from: the most specific `[[cite]]` or `[[inferred]]`
    /// entry naming it or a group above it.
    pub fn provenance(&self, path: &str) -> Provenance<'_> {
        let first = self.source.first().map(String::as_str).unwrap_or_default();
        let cited = self.cite.iter().flat_map(|c| {
            let p = Provenance::Source {
                guide: c.guide.as_deref().unwrap_or(first),
                section: &c.section,
                says: &c.says,
            };
            c.covers.iter().map(move |k| (k.as_str(), p))
        });
        let inferred = self.inferred.iter().flat_map(|i| {
            let p = Provenance::Inferred { reason: &i.reason };
            i.covers.iter().map(move |k| (k.as_str(), p))
        });
        let mut best: Option<(usize, Provenance<'_>)> = None;
        for (key, p) in cited.chain(inferred) {
            if covers(key, path) && best.as_ref().is_none_or(|(len, _)| key.len() > *len) {
                best = Some((key.len(), p));
            }
        }
        best.map_or(Provenance::Unstated, |(_, p)| p)
    }

    /// Every setting with where it comes from, in [`Profile::setting_paths`] order.
    pub fn provenances(&self) -> Vec<(String, Provenance<'_>)> {
        self.setting_paths()
            .into_iter()
            .map(|p| {
                let v = self.provenance(&p);
                (p, v)
            })
            .collect()
    }

    /// Problems with the `[[cite]]` and `[[inferred]]` entries, and a confidence "H" that is
    /// not backed by a source for every setting.
    pub(super) fn check_provenance(&self, out: &mut Vec<ProfileProblem>) {
        let paths = self.setting_paths();
        self.check_cites(&paths, out);
        self.check_inferred(&paths, out);
        if self.confidence == Confidence::H {
            self.check_all_sourced(out);
        }
    }

    /// Each `[[cite]]`: a guide of the profile's sources, a section, settings that exist and
    /// are not inferred as well.
    fn check_cites(&self, paths: &[String], out: &mut Vec<ProfileProblem>) {
        for (i, c) in self.cite.iter().enumerate() {
            let at = format!("cite[{i}]");
            match &c.guide {
                Some(g) if !self.source.contains(g) => out.push(problem(
                    format!("{at}.guide"),
                    format!("{g:?} is not one of the profile's source URLs"),
                )),
                None if self.source.is_empty() => {
                    out.push(problem(at.clone(), "the profile has no source URL to cite"));
                }
                _ => {}
            }
            if c.section.trim().is_empty() {
                out.push(problem(
                    format!("{at}.section"),
                    "is empty: name the guide's section heading",
                ));
            }
            if c.covers.is_empty() {
                out.push(problem(format!("{at}.covers"), "names no setting"));
            }
            for key in &c.covers {
                out.extend(no_such_setting(paths, key, &at));
                if self.inferred.iter().any(|x| x.covers.contains(key)) {
                    out.push(problem(
                        format!("{at}.covers"),
                        format!("{key:?} is both cited and inferred"),
                    ));
                }
            }
        }
    }

    /// Each `[[inferred]]`: a reason, and settings that exist.
    fn check_inferred(&self, paths: &[String], out: &mut Vec<ProfileProblem>) {
        for (i, x) in self.inferred.iter().enumerate() {
            let at = format!("inferred[{i}]");
            if x.reason.trim().is_empty() {
                out.push(problem(
                    format!("{at}.reason"),
                    "is empty: say why the profile sets it so",
                ));
            }
            if x.covers.is_empty() {
                out.push(problem(format!("{at}.covers"), "names no setting"));
            }
            for key in &x.covers {
                out.extend(no_such_setting(paths, key, &at));
            }
        }
    }

    /// Confidence "H" promises a guide section for every setting.
    fn check_all_sourced(&self, out: &mut Vec<ProfileProblem>) {
        let unsourced: Vec<String> = self
            .provenances()
            .into_iter()
            .filter(|(_, p)| !p.is_source())
            .map(|(path, _)| path)
            .collect();
        if !unsourced.is_empty() {
            out.push(problem(
                "confidence",
                format!(
                    "\"H\" needs a guide section for every setting, and {} {} none ({}); cite them or lower the confidence to \"M\"",
                    unsourced.len(),
                    if unsourced.len() == 1 { "has" } else { "have" },
                    unsourced.join(", ")
                ),
            ));
        }
    }
}

/// An entry's `covers` key (of the entry `at`) that names no setting of the profile, with
/// examples of the names that do.
fn no_such_setting(paths: &[String], key: &str, at: &str) -> Option<ProfileProblem> {
    if paths.iter().any(|p| covers(key, p)) {
        return None;
    }
    let example = paths.iter().take(4).cloned().collect::<Vec<_>>().join(", ");
    Some(problem(
        format!("{at}.covers"),
        format!("{key:?} names no setting of this profile (settings are named like {example})"),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_entry_covers_itself_and_what_lies_under_it() {
        assert!(covers("scopes", "scopes.read:tickets"));
        assert!(covers("agent.teams", "agent.teams.unassigned_access"));
        assert!(covers("agent.teams", "agent.teams"));
        assert!(!covers("agent.team", "agent.teams"));
        assert!(!covers("role.access.tickets", "role.access"));
    }

    const P: &str = r#"
id = "x"
vendor = "X"
source = ["https://x.example/guide", "https://x.example/old"]
confidence = "M"
scopes = ["read:tickets"]
handover = ["client_id", "client_secret"]
[role]
name = "X"
[role.access]
tickets = "Read Only"
clients = "Read Only"
[[cite]]
section = "Permissions"
covers = ["role.access", "scopes"]
[[cite]]
guide = "https://x.example/old"
section = "Old page"
covers = ["handover.client_id"]
[[inferred]]
reason = "the guide gives no Clients level"
covers = ["role.access.clients"]
"#;

    #[test]
    fn the_most_specific_entry_wins_and_the_rest_is_unstated() {
        let p = super::super::parse(P, std::path::Path::new("x.toml")).unwrap();
        assert!(matches!(
            p.provenance("role.access.tickets"),
            Provenance::Source {
                section: "Permissions",
                guide: "https://x.example/guide",
                ..
            }
        ));
        assert_eq!(
            p.provenance("role.access.clients"),
            Provenance::Inferred {
                reason: "the guide gives no Clients level"
            }
        );
        assert!(matches!(
            p.provenance("handover.client_id"),
            Provenance::Source {
                guide: "https://x.example/old",
                ..
            }
        ));
        assert_eq!(p.provenance("handover.client_secret"), Provenance::Unstated);
        assert_eq!(p.provenance("agent.work_hours"), Provenance::Unstated);
        let paths = p.setting_paths();
        for want in [
            "role.name",
            "role.administrator",
            "role.access.tickets",
            "scopes.read:tickets",
            "agent.teams",
            "application.method",
        ] {
            assert!(paths.iter().any(|x| x == want), "{want}: {paths:?}");
        }
        // Names left to the user are no setting; departments' level only with departments.
        assert!(
            !paths
                .iter()
                .any(|x| x == "agent.username" || x == "agent.departments.level")
        );
    }
}
