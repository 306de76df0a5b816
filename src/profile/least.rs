//! Least privilege: the smallest scope set and role feature map for the areas an integration
//! reads and edits.

use crate::answers::Answers;
use crate::halo::dialect::Permissions;
use crate::halo::dialect::claims::{self, Grade};
use crate::halo::scopes::{self, AREAS};

/// The scopes follow the role: the areas its permissions read or edit give the smallest scope
/// set (a profile that leaves the areas to the user asks for this on the Role step).
pub fn derive_scopes(a: &mut Answers) {
    let (reads, edits) = areas_of(&a.role.permissions);
    a.scopes = least_privilege_scopes(&reads, &edits);
}

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

/// Role access matching [`least_privilege_scopes`]: each API area's Halo area gets the lowest
/// level that reads (Read Only) or modifies (Read and Modify) it; edit wins when an area is in
/// both lists.
pub fn least_privilege_features(reads: &[&str], edits: &[&str]) -> Permissions {
    let mut p = Permissions::default();
    for area in claims::areas() {
        let Some(scope_area) = area.scope_area else {
            continue;
        };
        let want = if edits.contains(&scope_area) {
            Grade::Modify
        } else if reads.contains(&scope_area) {
            Grade::Read
        } else {
            continue;
        };
        // Users share the customers scope with Clients; only Clients (the probe area) is set.
        if claims::area_for_scope(scope_area).map(|a| a.code) != Some(area.code) {
            continue;
        }
        p.set(area, area.scale.iter().find(|l| l.grade == want));
    }
    p
}

/// The API areas a role's access reads and edits, for [`least_privilege_scopes`].
pub fn areas_of(p: &Permissions) -> (Vec<&'static str>, Vec<&'static str>) {
    let (mut reads, mut edits) = (Vec::new(), Vec::new());
    for area in claims::areas() {
        let Some(scope_area) = area.scope_area else {
            continue;
        };
        match p.get(area.code).map(|l| l.grade).unwrap_or_default() {
            Grade::Modify => edits.push(scope_area),
            Grade::Read | Grade::Names => reads.push(scope_area),
            Grade::None => {}
        }
    }
    (reads, edits)
}

/// Both at once: (scopes, role access).
pub fn least_privilege(reads: &[&str], edits: &[&str]) -> (Vec<String>, Permissions) {
    (
        least_privilege_scopes(reads, edits),
        least_privilege_features(reads, edits),
    )
}
