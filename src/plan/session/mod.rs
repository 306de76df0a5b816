//! The one setup workflow both front ends drive. This module connects with the bootstrap
//! credential (where Halo is, its login server, the token) and finds the setup an integration
//! already has; [`run`] (in `run.rs`) is the only code that orders a setup's steps, with the
//! front end's [`Hooks`]; `ending.rs` records how a setup ended (settled, handed over, its secret
//! discarded, verified again). The wizard's runtime turns the results into messages and the
//! headless commands into printed lines; neither orders a step of it again.

use secrecy::SecretString;

use crate::answers::Answers;
use crate::halo::model::Agent;
use crate::halo::{
    Client, ClientOptions, Credentials, Endpoint, HaloError, TokenInfo, check_auth_site, discover,
};
use crate::journal::{Journal, Session, Status};
use crate::plan::build::Lookups;

mod ending;
mod run;

pub use ending::{discarded, handed_over, settle, verify_again};
// Look-ups live in their own module (apply reads them too); callers know them from here.
pub use crate::plan::survey::{For, lookups, survey, wanted_roles};
pub use run::{Adopt, Delivery, Done, Go, Hooks, Ran, RunError, Setup, run};

/// Scopes the bootstrap token asks for (Halo grants what the application has of them).
pub const BOOTSTRAP_SCOPES: [&str; 2] = ["all", "admin"];

/// Where Halo is, as the user gave it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Place {
    /// A hosted instance: the URL typed; `/api/authinfo` names the login server. `auth_url`
    /// is one the user named or confirmed: the only other server the secret may go to.
    Hosted {
        /// Halo's URL as typed (e.g. `https://acme.halopsa.com`).
        url: String,
        /// The login server the user named or confirmed; `None`: the one `authinfo` names, on
        /// Halo's own host.
        auth_url: Option<String>,
        /// The tenant the user named; `None` or blank: the one discovery finds, if any.
        tenant: Option<String>,
    },
    /// Resource server, authorisation server and tenant as Halo's API Details page shows them.
    OnPremise {
        /// Halo's resource server URL (ending `/api`).
        resource_url: String,
        /// Halo's authorisation server URL (ending `/auth`).
        auth_url: String,
        /// The tenant, where the API Details page shows one.
        tenant: Option<String>,
    },
    /// The endpoint an earlier setup recorded.
    Recorded(Endpoint),
}

/// The endpoint of `place`. A hosted login server on another host than Halo's is refused
/// (`HaloError::AuthElsewhere`) unless it is the one the user named.
pub async fn endpoint(place: &Place, opts: &ClientOptions) -> Result<Endpoint, HaloError> {
    match place {
        Place::Hosted {
            url,
            auth_url,
            tenant,
        } => {
            let mut ep = discover(url.trim(), opts).await?;
            if let Some(a) = auth_url {
                ep = ep.with_auth_url(a)?;
            }
            check_auth_site(&ep, auth_url.as_deref())?;
            if let Some(t) = tenant.as_deref().map(str::trim).filter(|t| !t.is_empty()) {
                ep.tenant = Some(t.to_string());
            }
            Ok(ep)
        }
        Place::OnPremise {
            resource_url,
            auth_url,
            tenant,
        } => Endpoint::on_premise(resource_url.trim(), auth_url.trim(), tenant.as_deref()),
        Place::Recorded(ep) => Ok(ep.clone()),
    }
}

/// A bootstrap connection: the client and the token Halo granted it.
#[derive(Debug, Clone)]
pub struct Connection {
    /// A client signed in with the bootstrap credentials.
    pub client: Client,
    /// The token Halo granted: its scopes and lifetime.
    pub token: TokenInfo,
}

impl Connection {
    /// The Halo instance the connection talks to.
    pub fn endpoint(&self) -> &Endpoint {
        self.client.endpoint()
    }
}

/// The bootstrap client on `ep`: asks for [`BOOTSTRAP_SCOPES`].
pub fn bootstrap_client(
    ep: Endpoint,
    client_id: &str,
    secret: SecretString,
    opts: ClientOptions,
) -> Result<Client, HaloError> {
    let creds = Credentials {
        client_id: client_id.trim().to_string(),
        client_secret: secret,
        scopes: BOOTSTRAP_SCOPES
            .iter()
            .map(std::string::ToString::to_string)
            .collect(),
    };
    Client::new(ep, creds, opts)
}

/// Connects with the bootstrap credential: where Halo is, then a token.
///
/// For a hosted Halo both go out at once: the token request goes to the authorisation server
/// the admin typed or implied (`<typed URL>/auth`, or `--auth-url`), beside `GET
/// /api/authinfo`, and its answer counts only if authinfo then names that same server (scheme,
/// host, port and path). Otherwise it is dropped (cancelled if still running) and the token is
/// asked where authinfo says, as without the guess. The secret never goes to a server the admin
/// did not type: authinfo's word alone never sends it anywhere sooner. One round trip fewer.
pub async fn connect(
    place: &Place,
    client_id: &str,
    secret: SecretString,
    opts: ClientOptions,
) -> Result<Connection, HaloError> {
    let Some(guess) = typed_endpoint(place) else {
        let ep = endpoint(place, &opts).await?;
        return token_at(ep, client_id, secret, opts).await;
    };
    let early = bootstrap_client(guess.clone(), client_id, secret.clone(), opts.clone())?;
    let early_token = early.token();
    tokio::pin!(early_token);
    let mut early_answer = None;
    // Discovery decides; the early token request runs meanwhile (and no longer than that if
    // discovery fails: an error here drops it).
    let ep = {
        let found = endpoint(place, &opts);
        tokio::pin!(found);
        loop {
            tokio::select! {
                ep = &mut found => break ep?,
                t = &mut early_token, if early_answer.is_none() => early_answer = Some(t),
            }
        }
    };
    if ep.same_auth_server(&guess) {
        let answer = match early_answer {
            Some(a) => a,
            None => early_token.await,
        };
        match answer {
            // Authinfo may add a tenant the early request did not carry: on the instance's own
            // login server the host names the instance (clients that send no tenant work
            // there, see the reference's section 1.1); later token requests carry it.
            Ok(token) => {
                let client = early.moved_to(ep).await?;
                return Ok(Connection { client, token });
            }
            // A refusal stands only for the very request discovery would have sent.
            Err(e) if ep.tenant == guess.tenant => return Err(e),
            Err(_) => {}
        }
    }
    token_at(ep, client_id, secret, opts).await
}

/// The bootstrap client on `ep` and its first token.
async fn token_at(
    ep: Endpoint,
    client_id: &str,
    secret: SecretString,
    opts: ClientOptions,
) -> Result<Connection, HaloError> {
    let client = bootstrap_client(ep, client_id, secret, opts)?;
    let token = client.token().await?;
    Ok(Connection { client, token })
}

/// The endpoint of a hosted `place` from what the admin typed alone (the URL, `--auth-url`,
/// the tenant), as [`endpoint`] settles it when authinfo names no other server; `None` for the
/// other places (they need no discovery) or an address that does not parse (discovery says why).
fn typed_endpoint(place: &Place) -> Option<Endpoint> {
    let Place::Hosted {
        url,
        auth_url,
        tenant,
    } = place
    else {
        return None;
    };
    let mut ep = Endpoint::hosted(url.trim()).ok()?;
    if let Some(a) = auth_url {
        ep = ep.with_auth_url(a).ok()?;
    }
    ep.tenant = tenant
        .as_deref()
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .map(str::to_owned);
    Some(ep)
}

/// Halo reported the token's scopes and `admin` is not among them: roles, agents and
/// applications are admin endpoints. (An empty list says nothing either way.)
pub fn admin_scope_missing(token: &TokenInfo) -> bool {
    !token.scopes.is_empty() && !token.scopes.iter().any(|s| s == "admin")
}

/// What the bootstrap credential lacks to create roles, agents and applications (empty: all
/// good). `agent_is_admin`: see [`agent_is_admin`]; unknown counts as yes.
pub fn missing_capabilities(scopes: &[String], agent_is_admin: bool) -> Vec<String> {
    let mut out = Vec::new();
    for scope in ["admin", "all"] {
        if !scopes.iter().any(|s| s == scope) {
            out.push(format!(
                "the token has no '{scope}' scope (tick it on the bootstrap application)"
            ));
        }
    }
    if !agent_is_admin {
        out.push("the agent it logs in as is not a HaloPSA Administrator".into());
    }
    out
}

/// Whether the bootstrap agent is a HaloPSA Administrator: its own claims or a role read with
/// its details carries `SA`=`true`. `None` when none of its roles' details were read.
pub fn agent_is_admin(agent: &Agent, lk: &Lookups) -> Option<bool> {
    let mut p = crate::halo::dialect::Permissions::from_claims(&agent.claims);
    let mut known = !agent.claims.is_empty();
    for r in &agent.roles {
        if let Some(role) = lk
            .roles
            .iter()
            .find(|x| x.id.as_deref() == Some(r.id.as_str()))
            && !role.claims.is_empty()
        {
            known = true;
            p.merge(&role.permissions());
        }
    }
    known.then(|| p.admin())
}

/// The setup of the same integration, if this Halo has one journaled here: the same vendor
/// (profile) and application name on the same Halo, not rolled back; the newest. Applying,
/// repairing, rotating or resuming that integration again continues it (one setup id per
/// integration), so `status` shows it once, with its whole history.
pub fn same_integration(journal: &Journal, answers: &Answers, ep: &Endpoint) -> Option<Session> {
    let app = answers.application.name.trim();
    if app.is_empty() {
        return None;
    }
    let here = crate::halo::normalise_url(ep.base_url()).unwrap_or_else(|_| ep.base_url().into());
    journal.list().0.into_iter().find(|s| {
        s.status != Status::RolledBack
            && s.answers.profile == answers.profile
            && s.answers.application.name.trim().eq_ignore_ascii_case(app)
            && s.endpoint.as_ref().is_some_and(|e| {
                crate::halo::normalise_url(e.base_url()).unwrap_or_else(|_| e.base_url().into())
                    == here
            })
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::answers::RoleMode;

    fn token(scopes: &[&str]) -> TokenInfo {
        TokenInfo {
            scopes: scopes
                .iter()
                .map(std::string::ToString::to_string)
                .collect(),
            expires_in: 3600,
            agent_id: None,
        }
    }

    #[test]
    fn what_the_bootstrap_credential_lacks() {
        // Halo not saying which scopes it granted is no refusal; saying so without admin is.
        assert!(!admin_scope_missing(&token(&[])));
        assert!(admin_scope_missing(&token(&["all"])));
        assert!(!admin_scope_missing(&token(&["all", "admin"])));
        let all = |s: &[&str]| {
            s.iter()
                .map(std::string::ToString::to_string)
                .collect::<Vec<_>>()
        };
        assert!(missing_capabilities(&all(&["all", "admin"]), true).is_empty());
        let m = missing_capabilities(&all(&["all"]), false);
        assert_eq!(m.len(), 2, "{m:?}");
        assert!(m[0].contains("'admin' scope") && m[1].contains("not a HaloPSA Administrator"));
    }

    #[tokio::test]
    async fn places_that_need_no_discovery() {
        let opts = ClientOptions::default();
        let ep = endpoint(
            &Place::OnPremise {
                resource_url: " https://halo.example.com ".into(),
                auth_url: "https://halo.example.com/auth".into(),
                tenant: Some(" acme ".into()),
            },
            &opts,
        )
        .await
        .unwrap();
        assert_eq!(ep.resource_url, "https://halo.example.com/api");
        assert_eq!(ep.tenant.as_deref(), Some("acme"));
        let again = endpoint(&Place::Recorded(ep.clone()), &opts).await.unwrap();
        assert_eq!(again, ep);
    }

    #[test]
    fn the_roles_a_setup_reads() {
        let mut a = Answers::default();
        a.role.name = " Vendor ".into();
        a.role.mode = RoleMode::Reuse("role-7".into());
        a.agent.extra_roles = vec!["Helpdesk".into()];
        assert_eq!(wanted_roles(&a), ["Vendor", "role-7", "Helpdesk"]);
    }
}
