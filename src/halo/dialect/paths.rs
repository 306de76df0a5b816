//! Halo's published API paths (`evidence/halo-api/paths.json`), as the client asks about them:
//! nothing outside the dialect reads the evidence directly.

pub(crate) use crate::evidence::ProbeArea;

/// Does Halo's published API have `method` on `path`? (Case-insensitive, as Halo's routing
/// is; a leading `/api` and the query are ignored.)
pub(crate) fn published(method: &str, path: &str) -> bool {
    crate::evidence::spec().allows(method, path)
}

/// Does the published API list query parameter `param` for `method` on `path`?
pub(crate) fn takes_query(method: &str, path: &str, param: &str) -> bool {
    crate::evidence::spec()
        .find_method(method, path)
        .and_then(|m| m.operation)
        .is_some_and(|op| op.query.iter().any(|q| q.eq_ignore_ascii_case(param)))
}
