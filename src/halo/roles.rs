//! Reading the roles a vocabulary check needs, with their claims. It sits above the client and
//! the dialect (it calls the one and names the other's built-in role), so the dialect stays
//! pure vocabulary and never needs a `Client` (issue 19: no import circle in `src/halo`).

use super::dialect::confirm::ADMINISTRATOR_ROLE;
use super::model::Role;
use super::{Client, Result};

/// Role details read per connect besides the ones the setup names: enough to learn the
/// vocabulary, few enough to stay inside the rate limit.
pub(crate) const EXTRA_ROLE_DETAILS: usize = 3;

/// The roles, with the details (claims) of the ones that matter read in parallel: the
/// built-in Administrator, the roles named in `wanted` (the setup's own, a reused one), and a
/// few others to learn the vocabulary. Roles not read keep what the list showed.
pub(crate) async fn read_roles(client: &Client, wanted: &[&str]) -> Result<Vec<Role>> {
    let mut roles = client.roles().await?;
    let named =
        |r: &Role, n: &str| !n.trim().is_empty() && r.name.trim().eq_ignore_ascii_case(n.trim());
    let mut pick: Vec<usize> = Vec::new();
    for (i, r) in roles.iter().enumerate() {
        if named(r, ADMINISTRATOR_ROLE)
            || wanted
                .iter()
                .any(|w| named(r, w) || r.id.as_deref() == Some(w.trim()))
        {
            pick.push(i);
        }
    }
    let mut extra = 0;
    for i in 0..roles.len() {
        if extra >= EXTRA_ROLE_DETAILS {
            break;
        }
        if !pick.contains(&i) {
            pick.push(i);
            extra += 1;
        }
    }
    let reads = pick.iter().filter_map(|&i| {
        let id = roles[i].id.clone().filter(|x| !x.is_empty())?;
        Some(async move { (i, client.get_role(&id).await) })
    });
    for (i, got) in futures::future::join_all(reads).await {
        roles[i] = got?;
    }
    Ok(roles)
}
