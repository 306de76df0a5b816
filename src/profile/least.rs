//! Least privilege: the smallest scope set and role feature map for the areas an integration
//! reads and edits.

use std::collections::BTreeMap;

use crate::halo::model::Access;
use crate::halo::scopes::{self, AREAS};

/// Area keys that are not a read/edit pair of a feature area.
fn is_feature_area(key: &str) -> bool {
    !matches!(key, "umbrella" | "teams" | "access")
}

/// Smallest scope set for the given area keys (`scopes::AREAS[].key`). An edited area gets only
/// `edit:X` (Halo's `edit:X` includes `read:X`); a read-only area gets `read:X`. The key `teams`
/// adds `all:teams` and the key `webhooks` adds `admin:webhooks`, and only when listed. Unknown
/// keys are ignored. The result is in catalogue order.
pub fn least_privilege_scopes(reads: &[&str], edits: &[&str]) -> Vec<String> {
    let mut out: Vec<&str> = Vec::new();
    let wants = |k: &str| reads.contains(&k) || edits.contains(&k);
    for area in AREAS {
        if !is_feature_area(area.key) {
            continue;
        }
        let want = if edits.contains(&area.key) {
            format!("edit:{}", area.key)
        } else if reads.contains(&area.key) {
            format!("read:{}", area.key)
        } else {
            continue;
        };
        if let Some(s) = area.scopes.iter().find(|s| **s == want) {
            out.push(s);
        }
    }
    if wants("teams") {
        out.push("all:teams");
    }
    if wants("webhooks") {
        out.push("admin:webhooks");
    }
    let order = |s: &str| {
        scopes::all_names()
            .position(|n| n == s)
            .unwrap_or(usize::MAX)
    };
    out.sort_by_key(|s| order(s));
    out.dedup();
    out.into_iter().map(str::to_string).collect()
}

/// Role feature access matching [`least_privilege_scopes`]: Read for read areas, Edit for
/// edited ones (edit wins when an area is in both lists).
pub fn least_privilege_features(reads: &[&str], edits: &[&str]) -> BTreeMap<String, Access> {
    let mut out = BTreeMap::new();
    for area in AREAS.iter().filter(|a| is_feature_area(a.key)) {
        if edits.contains(&area.key) {
            out.insert(area.key.to_string(), Access::Edit);
        } else if reads.contains(&area.key) {
            out.insert(area.key.to_string(), Access::Read);
        }
    }
    out
}

/// Both at once: (scopes, role feature map).
pub fn least_privilege(reads: &[&str], edits: &[&str]) -> (Vec<String>, BTreeMap<String, Access>) {
    (
        least_privilege_scopes(reads, edits),
        least_privilege_features(reads, edits),
    )
}
