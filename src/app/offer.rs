//! Whether the Connect step offers to save this Halo as a named instance: what it connected
//! to, and whether a saved instance already says so. Read by the key table (the `s` row) and
//! by the offer itself, so neither imports the other.

use std::collections::BTreeMap;

use crate::answers::ConnectionMode;
use crate::config::Instance;

use super::model::Model;

/// What the Connect step connected to, as an instance (no secret source: the secret is never
/// saved, headless reads `HALO_CLIENT_SECRET` or asks).
pub fn candidate(m: &Model) -> Instance {
    let c = &m.answers.connection;
    let some = |s: &str| Some(s.trim().to_string()).filter(|s| !s.is_empty());
    let mut i = Instance {
        client_id: some(&c.client_id),
        ..Instance::default()
    };
    match c.mode {
        ConnectionMode::Hosted => {
            i.url = some(&c.url);
            // A login server on another host the user confirmed: headless needs it too.
            i.auth_url = m.trusted_auth_url.clone();
        }
        ConnectionMode::OnPremise => {
            i.resource_url = some(&c.resource_url);
            i.auth_url = some(&c.auth_url);
            i.tenant = some(&c.tenant);
        }
    }
    i
}

/// Whether a saved instance already says where this Halo is and who logs in.
fn known(saved: &BTreeMap<String, Instance>, i: &Instance) -> bool {
    saved
        .values()
        .any(|s| i.address().is_some_and(|a| s.is_at(a)) && s.client_id == i.client_id)
}

/// Whether `s` saves this Halo now: connected to a Halo no saved instance describes.
pub fn can_offer(m: &Model) -> bool {
    let c = candidate(m);
    m.is_connected()
        && c.address().is_some()
        && m.instances.as_ref().is_some_and(|s| !known(&s.saved, &c))
}
