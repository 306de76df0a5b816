//! One probe of one area with the new credentials, and what its answer proves: records seen
//! pass; an empty list is judged against what the bootstrap administrator sees; a path Halo
//! does not serve is "could not check".

use crate::halo::dialect::claims::{self, Grade};
use crate::halo::dialect::paths::{self, ProbeArea};
use crate::halo::scopes;
use crate::halo::{Client, HaloError};

use super::check::{Check, Layer, classify_layer, fail, pass, unchecked};
use crate::answers::RoleAnswers;

/// One area to probe.
pub(super) struct Probe {
    pub area: &'static scopes::Area,
    pub probe: &'static ProbeArea,
    /// The scope that reads it.
    pub needed: String,
    /// What the role the setup wrote gives on this area, where known (a reused role is not):
    /// an empty list it explains is a denial, not a visibility gap.
    pub role_grade: Option<Grade>,
}

/// Rows in a list answer: a bare array, or the envelope's `key` (else its first array).
pub(super) fn rows(v: &serde_json::Value, key: &str) -> usize {
    match v {
        serde_json::Value::Array(a) => a.len(),
        serde_json::Value::Object(o) => o
            .iter()
            .find(|(k, x)| k.eq_ignore_ascii_case(key) && x.is_array())
            .map(|(_, x)| x)
            .or_else(|| o.values().find(|x| x.is_array()))
            .and_then(|x| x.as_array().map(Vec::len))
            .unwrap_or(0),
        _ => 0,
    }
}

/// Who is probing: the new credentials' client, the bootstrap administrator's to compare
/// with, and the setup's application and role (for the fixes).
pub(super) struct Prober<'a> {
    pub client: &'a Client,
    pub bootstrap: Option<&'a Client>,
    pub application_name: &'a str,
    pub role: &'a RoleAnswers,
}

/// Probes one area with the new credentials (`granted`: the token's scopes).
pub(super) async fn probe_area(by: &Prober<'_>, p: &Probe, granted: &[String]) -> Check {
    let (area, probe, needed) = (p.area, p.probe, &p.needed);
    let name = format!("{} ({})", area.label, area.key);
    if !scopes::any_grants(granted, needed) {
        return fail(
            &name,
            Layer::Scope,
            format!("the token lacks {needed}"),
            format!(
                "In Halo: application {} > Permissions, tick {needed}",
                by.application_name
            ),
        );
    }
    // Only a path Halo's published API has can prove anything.
    if !paths::published("GET", &probe.path) {
        return unchecked(
            &name,
            format!("GET /api{} is not in Halo's published API", probe.path),
            "none: halo-onboard has no endpoint to prove this area",
        );
    }
    let request = scopes::probe_request(probe);
    match by.client.get_json(&request).await {
        Ok(val) => match rows(&val, &probe.list_key) {
            0 => empty_list(by, p, &name, &request).await,
            n => pass(&name, format!("GET /api{request}: {n} record(s)")),
        },
        Err(e @ (HaloError::NotFound(_) | HaloError::Http(405 | 501, ..))) => unchecked(
            &name,
            format!(
                "this Halo does not serve GET /api{} ({e}), so the area could not be proven",
                probe.path
            ),
            "run `halo-onboard doctor` to compare this Halo's paths with the published API",
        ),
        // An area with a Feature Access level names it; one without (teams and webhooks:
        // configuration) is open only to a HaloPSA Administrator.
        Err(HaloError::Forbidden(_, msg)) => fail(
            &name,
            Layer::Role,
            format!("the scope is granted but Halo denied access: {msg}"),
            role_fix(by.role, area),
        ),
        Err(e) => fail(&name, classify_layer(&e), e.to_string(), e.hint()),
    }
}

/// An empty list proves nothing on its own: what the bootstrap administrator sees on the same
/// request tells a denial (the role), a visibility gap (teams), and no records at all apart.
async fn empty_list(by: &Prober<'_>, p: &Probe, name: &str, request: &str) -> Check {
    let (area, probe) = (p.area, p.probe);
    let what = area.label.to_lowercase();
    let admin = match by.bootstrap {
        Some(b) => Some(b.get_json(request).await.map(|x| rows(&x, &probe.list_key))),
        None => None,
    };
    match admin {
        // Halo may answer a denial with an empty list: a role that gives nothing here
        // is the layer that blocks it.
        Some(Ok(admin_rows)) if admin_rows > 0 && p.role_grade == Some(Grade::None) => fail(
            name,
            Layer::Role,
            format!(
                "sees 0 records where an administrator sees {admin_rows}: the role gives no access to it (Halo answered the denial with an empty list)"
            ),
            role_fix(by.role, area),
        ),
        Some(Ok(admin_rows)) if admin_rows > 0 => fail(
            name,
            Layer::Visibility,
            format!("sees 0 records where an administrator sees {admin_rows}"),
            "In Halo: add the agent to the teams/departments that own these records (Agent > Departments & Teams), or tick all:teams on the application",
        ),
        Some(Ok(_)) => unchecked(
            name,
            format!(
                "Halo has no {what} to see: GET /api{} answered an empty list for the administrator too, and an empty answer cannot tell access from denial",
                probe.path
            ),
            format!("once Halo holds {what}, run `halo-onboard check` again"),
        ),
        Some(Err(e)) => unchecked(
            name,
            format!("sees 0 records, and the administrator's read to compare failed: {e}"),
            "run `halo-onboard check` again with the bootstrap credentials",
        ),
        None => unchecked(
            name,
            format!(
                "GET /api{request}: 0 records; without the bootstrap credentials halo-onboard cannot tell whether Halo has none or hides them"
            ),
            "run `halo-onboard check` with the bootstrap credentials (HALO_CLIENT_SECRET)",
        ),
    }
}

/// What to change on the role for an area it does not open: its Feature Access level, or (for
/// configuration, which has none) the administrator switch; said of a reused role too.
fn role_fix(role: &RoleAnswers, area: &scopes::Area) -> String {
    let fix = match claims::area_for_scope(area.key) {
        Some(d) => format!(
            "In Halo: Configuration > Teams & Agents > Roles > {} > Permissions > Feature Access, set {} to at least Read Only",
            role.name, d.label
        ),
        None => format!(
            "In Halo: Configuration > Teams & Agents > Roles > {} > Permissions > General, tick Is a HaloPSA Administrator ({} is configuration, open only to administrators; there is no Feature Access level for it)",
            role.name, area.label
        ),
    };
    if matches!(role.mode, crate::answers::RoleMode::Reuse(_)) {
        format!(
            "{fix}. {} is an existing role this setup reuses: the change applies to every agent with it",
            role.name
        )
    } else {
        fix
    }
}
