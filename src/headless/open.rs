//! Opening a recorded setup for a run that writes it: resolved, locked and connected.

use super::common::{connect_bootstrap, for_setup, setup_address};
use super::failure::Failure;
use crate::journal::{Journal, Session};
use crate::plan::session::Place;

pub(crate) fn journal() -> Result<Journal, Failure> {
    Journal::open_default().map_err(|e| Failure::new(e.to_string(), e.hint()))
}

/// The setup `reference` names: an id, a unique prefix of one, or `last`.
pub fn resolve(j: &Journal, reference: &str) -> Result<Session, Failure> {
    j.resolve(reference)
        .map_err(|e| Failure::new(e.to_string(), e.hint()))
}

/// A recorded setup opened for a run of `command` that writes it: resolved, locked (no other
/// run writes it or the same integration meanwhile; the locks are held until the returned
/// [`Opened`] is dropped), and connected with the bootstrap credential.
pub(crate) struct Opened {
    pub(crate) journal: Journal,
    pub(crate) session: Session,
    pub(crate) client: crate::halo::Client,
    pub(crate) endpoint: crate::halo::Endpoint,
    pub(crate) _locks: crate::journal::lock::Held,
}

/// How a command on a setup reaches its Halo: the bootstrap secret and the trust it needs
/// (`resume`, `rollback`, `rotate`, `tighten`).
#[derive(Debug, Clone, Default, clap::Args)]
pub struct SetupAccess {
    /// File holding the bootstrap client secret (otherwise where the saved instance of that
    /// Halo keeps it, else HALO_CLIENT_SECRET).
    #[arg(long, value_name = "FILE")]
    pub client_secret_file: Option<std::path::PathBuf>,
    /// The saved instance whose secret source to use (default: the one at the setup's Halo).
    #[arg(long, value_name = "NAME", add = clap_complete::engine::ArgValueCompleter::new(crate::headless::complete::instances))]
    pub instance: Option<String>,
    /// A certificate authority (PEM file) to trust for Halo besides the system's (default:
    /// the saved instance's ca_file, else the config file's).
    #[arg(long, value_name = "FILE")]
    pub ca_file: Option<std::path::PathBuf>,
}

pub(crate) async fn open_session(
    id: &str,
    access: &SetupAccess,
    command: &str,
) -> Result<Opened, Failure> {
    let secret_file = access.client_secret_file.as_deref();
    let instance = access.instance.as_deref();
    let ca_file = access.ca_file.as_deref();
    let j = journal()?;
    let s = resolve(&j, id)?;
    let ep = s.endpoint.clone().ok_or_else(|| {
        Failure::new(
            format!("setup {} has no Halo address recorded", s.id),
            "Start a new setup.",
        )
    })?;
    // Before anything is asked of Halo: a second run of this setup stops here.
    let locks = j
        .lock(&s, command)
        .map_err(|e| Failure::new(e.to_string(), e.hint()))?;
    super::deadline::working_on(&s.id);
    let mut lent = for_setup(instance, &setup_address(&s), secret_file.map(Into::into))?;
    if ca_file.is_some() {
        lent.ca_file = ca_file.map(Into::into);
    }
    let secret = lent.secret()?;
    let client_id = match s.answers.connection.client_id.trim() {
        "" => lent.client_id.clone().unwrap_or_default(),
        id => id.to_string(),
    };
    let c = connect_bootstrap(
        &Place::Recorded(ep.clone()),
        &client_id,
        secret,
        lent.client_options()?,
    )
    .await?;
    Ok(Opened {
        journal: j,
        session: s,
        client: c.client,
        endpoint: ep,
        _locks: locks,
    })
}
