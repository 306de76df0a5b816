//! What can be wrong with permissions written in Halo's vocabulary (a profile, an answers
//! file, a journal) or with writing them to one instance, and what to do next.

/// A permission that is not Halo's, a level off an area's scale, or a code this instance does
/// not confirm. Every text is a key or label as a file wrote it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DialectError {
    /// A level that is not on the claim's scale.
    #[error("{input:?} is not a level of {area} in Halo; {area} takes {labels}")]
    NotALevel {
        /// The level as written.
        input: String,
        /// The claim's label in Halo's UI, e.g. "Tickets".
        area: &'static str,
        /// The scale's labels, quoted and joined.
        labels: String,
    },
    /// A permission key that names no claim halo-onboard models.
    #[error(
        "{key:?} is not a role permission halo-onboard knows (areas: {areas}; settings: {settings})"
    )]
    UnknownPermission {
        /// The key as written.
        key: String,
        /// The area keys there are, joined.
        areas: String,
        /// The setting keys there are, joined.
        settings: String,
    },
    /// A key under `access` that is not a Feature Access area.
    #[error("access.{key}: not a Feature Access area of Halo (areas: {areas})")]
    NotAnArea {
        /// The key as written.
        key: String,
        /// The area keys there are, joined.
        areas: String,
    },
    /// A key under `settings` that is not a role setting (an area, or unknown).
    #[error("settings.{key}: not a role setting halo-onboard knows (settings: {settings})")]
    NotASetting {
        /// The key as written.
        key: String,
        /// The setting keys there are, joined.
        settings: String,
    },
    /// A problem with the value of `place` (`access.tickets`, `settings.add_tickets`).
    #[error("{place}: {problem}")]
    At {
        /// Where the value was written, as `access.KEY` or `settings.KEY`.
        place: String,
        /// What is wrong with it.
        problem: Box<DialectError>,
    },
    /// The pre-dialect `features = { area = "…" }` spelling with a level it never had.
    #[error(
        "features.{scope_area} = {level:?}: write it as [role.access] with Halo's label, e.g. tickets = \"Read and Modify\""
    )]
    LegacyLevel {
        /// The scope area key the old spelling used.
        scope_area: String,
        /// The level as written.
        level: String,
    },
    /// The pre-dialect `features` spelling with a scope area no Feature Access area backs.
    #[error(
        "features.{scope_area}: no Halo area backs it; write it as [role.access] (areas: {areas})"
    )]
    LegacyArea {
        /// The scope area key the old spelling used.
        scope_area: String,
        /// The area keys there are, joined.
        areas: String,
    },
    /// This instance does not speak today's claim codes at all (`why` in plain words).
    #[error("{0}")]
    NotSpoken(String),
    /// This instance does not confirm one code (an older long name, values off every scale).
    #[error("{why}")]
    Unconfirmed {
        /// The claim code, e.g. `l0`.
        code: String,
        /// Why this instance does not confirm it, in plain words.
        why: String,
    },
}

impl DialectError {
    /// What to do next.
    pub fn hint(&self) -> &'static str {
        match self {
            Self::At { problem, .. } => problem.hint(),
            Self::NotSpoken(_) | Self::Unconfirmed { .. } => {
                "Set the permission by hand in Halo's web UI as the manual steps say; verification then decides."
            }
            _ => {
                "Write the permission with Halo's own key and level label (`halo-onboard profiles show ID` shows them)."
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::halo::dialect::PermissionsWire;
    use crate::halo::dialect::claims::LevelText;

    /// A level off an area's scale is named with where it was written (`access.KEY`), the
    /// area's UI label and the labels it takes, in those words.
    #[test]
    fn a_bad_level_names_its_place_and_the_scale() {
        let mut w = PermissionsWire::default();
        w.access
            .insert("tickets".into(), LevelText::Text("Everything".into()));
        let e = w.parse().unwrap_err();
        assert!(
            matches!(&e, super::DialectError::At { place, .. } if place == "access.tickets"),
            "{e:?}"
        );
        assert_eq!(
            e.to_string(),
            "access.tickets: \"Everything\" is not a level of Tickets in Halo; Tickets takes \"No Access\", \"Read Only\", \"Read and Modify\""
        );
        assert!(e.hint().contains("profiles show"));
        let mut w = PermissionsWire::default();
        w.settings.insert("tickets".into(), LevelText::Bool(true));
        let e = w.parse().unwrap_err().to_string();
        assert!(
            e.starts_with("settings.tickets: not a role setting halo-onboard knows (settings: "),
            "{e}"
        );
    }
}
