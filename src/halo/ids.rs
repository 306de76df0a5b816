//! The ids of Halo's objects, by the type its spec gives them: `evidence/halo-api/paths.json`
//! types `{id}` of `/Roles/{id}` and `/Application/{id}` `string` and of `/Agent/{id}`,
//! `/Team/{id}`, `/TopLevel/{id}`, `/Workday/{id}` `integer` (a test holds this table to it);
//! the strings are GUIDs (`shared/reference/halo-api.md` §3.2, §3.3 [C]: ASP.NET Identity and
//! OpenIddict keys, `Id nvarchar(450)`, the swagger's example `03cbebd0-…`). An id becomes a path segment (`/api/Roles/{id}`), so one that came from a journal,
//! an answers file or a server answer is checked before it does: `..`, `/`, an empty id or a
//! query would otherwise name another resource (`DELETE /api/Application/..` is
//! `DELETE /api/Application`, the collection).

use crate::halo::error::HaloError;

/// What an id names, with the shape Halo gives it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum IdKind {
    Role,
    Application,
    Agent,
}

impl IdKind {
    pub(crate) fn words(self) -> &'static str {
        match self {
            Self::Role => "role",
            Self::Application => "application",
            Self::Agent => "agent",
        }
    }

    /// The path of Halo's spec whose `{id}` names an object of this kind (the test that holds
    /// the shapes to the spec reads it).
    #[cfg(test)]
    fn template(self) -> &'static str {
        match self {
            Self::Role => "/Roles/{id}",
            Self::Application => "/Application/{id}",
            Self::Agent => "/Agent/{id}",
        }
    }

    /// The shape, in words for a message.
    pub(crate) fn shape(self) -> &'static str {
        match self {
            Self::Role | Self::Application => "a GUID such as 4f0e5f5c-3d4e-4b8a-9a43-0c1f7f0d2a11",
            Self::Agent => "a positive whole number",
        }
    }
}

/// A GUID as Halo writes it: 32 hex digits, in the 8-4-4-4-12 form or without dashes. Braces,
/// `urn:uuid:` and anything else are not (they would change the path).
pub(crate) fn is_guid(s: &str) -> bool {
    let hex_or_dash = s.bytes().all(|b| b.is_ascii_hexdigit() || b == b'-');
    hex_or_dash && (s.len() == 36 || s.len() == 32) && uuid::Uuid::try_parse(s).is_ok()
}

/// Whether `id` has the shape Halo gives ids of `kind`.
pub(crate) fn valid(kind: IdKind, id: &str) -> bool {
    match kind {
        IdKind::Role | IdKind::Application => is_guid(id),
        IdKind::Agent => {
            id.parse::<i64>().is_ok_and(|n| n > 0) && id.bytes().all(|b| b.is_ascii_digit())
        }
    }
}

/// `Ok` when `id` has the shape of a `kind` id, else [`HaloError::InvalidId`].
pub(crate) fn check(kind: IdKind, id: &str) -> Result<(), HaloError> {
    if valid(kind, id) {
        Ok(())
    } else {
        Err(HaloError::InvalidId(
            kind.words().into(),
            id.into(),
            kind.shape().into(),
        ))
    }
}

/// [`check`] for an integer id.
pub(crate) fn check_int(kind: IdKind, id: i64) -> Result<(), HaloError> {
    if id > 0 {
        Ok(())
    } else {
        Err(HaloError::InvalidId(
            kind.words().into(),
            id.to_string(),
            kind.shape().into(),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_kind_takes_its_own_shape() {
        let guid = "4f0e5f5c-3d4e-4b8a-9a43-0c1f7f0d2a11";
        for kind in [IdKind::Role, IdKind::Application] {
            assert!(valid(kind, guid), "{kind:?}");
            assert!(valid(kind, &guid.replace('-', "")), "{kind:?}");
            assert!(valid(kind, &guid.to_uppercase()), "{kind:?}");
            for bad in [
                "",
                "..",
                ".",
                "/",
                "../x",
                "a/b",
                "42",
                "r-1",
                "{4f0e5f5c-3d4e-4b8a-9a43-0c1f7f0d2a11}",
                "urn:uuid:4f0e5f5c-3d4e-4b8a-9a43-0c1f7f0d2a11",
                "4f0e5f5c-3d4e-4b8a-9a43-0c1f7f0d2a11?x=1",
                "4f0e5f5c-3d4e-4b8a-9a43-0c1f7f0d2a1",
                " 4f0e5f5c-3d4e-4b8a-9a43-0c1f7f0d2a11",
            ] {
                assert!(!valid(kind, bad), "{kind:?} {bad:?}");
            }
        }
        for kind in [IdKind::Agent] {
            assert!(valid(kind, "7"));
            for bad in ["", "0", "-1", "+7", "7.0", "..", "7/..", guid, " 7"] {
                assert!(!valid(kind, bad), "{kind:?} {bad:?}");
            }
        }
        let e = check(IdKind::Application, "..").unwrap_err().to_string();
        assert!(
            e.contains("'..'") && e.contains("application") && e.contains("GUID"),
            "{e}"
        );
        assert!(check_int(IdKind::Agent, 0).is_err());
        assert!(check_int(IdKind::Agent, 3).is_ok());
    }

    /// The shapes are the spec's: its `{id}` types, from `evidence/`.
    #[test]
    fn the_spec_gives_each_kind_its_id_type() {
        let spec = crate::evidence::spec();
        for kind in [IdKind::Role, IdKind::Application, IdKind::Agent] {
            let path = kind.template().replace("{id}", "1");
            let found = spec
                .find(&path)
                .unwrap_or_else(|| panic!("{}", kind.template()));
            assert_eq!(found.entry.template, kind.template());
            let want = if valid(kind, "1") {
                "integer"
            } else {
                "string"
            };
            assert_eq!(found.entry.id_type(), Some(want), "{kind:?}");
        }
    }
}
