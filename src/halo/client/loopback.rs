//! Name resolution for the direct (proxy-less) client, whose targets are loopback by name
//! (`localhost`, `*.localhost`): plain http:// and the bypassed proxy are safe only when the
//! server really is this machine, and a name says nothing about that (a hosts entry can map
//! `halo.localhost` anywhere). So every address the name resolves to must be a loopback
//! address, or the connection is refused before anything is sent. The check sits in the
//! resolver the connection itself uses: the addresses judged are the addresses connected to,
//! with no second lookup in between.

use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::sync::{Mutex, OnceLock, PoisonError};

use reqwest::dns::{Addrs, Name, Resolve, Resolving};

/// A name resolved (also) to an address that is not this machine.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NotLoopback {
    /// The host name as asked for.
    pub host: String,
    /// The address it resolved to that is not loopback.
    pub addr: IpAddr,
}

impl std::fmt::Display for NotLoopback {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} resolves to {}, which is not a loopback address",
            self.host, self.addr
        )
    }
}

impl std::error::Error for NotLoopback {}

/// The addresses, when every one is a loopback address (an empty answer is a lookup failure).
pub fn loopback_only(host: &str, addrs: Vec<SocketAddr>) -> Result<Vec<SocketAddr>, NotLoopback> {
    match addrs.iter().find(|a| !is_loopback(a.ip())) {
        Some(a) => Err(NotLoopback {
            host: host.to_string(),
            addr: a.ip(),
        }),
        None => Ok(addrs),
    }
}

/// Loopback, counting an IPv4 loopback address written as IPv6 (`::ffff:127.0.0.1`).
fn is_loopback(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => v4.is_loopback(),
        IpAddr::V6(v6) => {
            v6.is_loopback() || v6.to_ipv4_mapped().is_some_and(|v4| v4.is_loopback())
        }
    }
}

/// Test hook: names answered from this table instead of the system's resolver (what a hosts
/// entry would do), so the refusal can be shown without editing `/etc/hosts`.
static TEST_HOSTS: OnceLock<Mutex<HashMap<String, Vec<IpAddr>>>> = OnceLock::new();

/// Makes this process resolve `name` to `addrs` (tests only).
#[doc(hidden)]
pub fn test_host(name: &str, addrs: &[IpAddr]) {
    TEST_HOSTS
        .get_or_init(Mutex::default)
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .insert(name.to_ascii_lowercase(), addrs.to_vec());
}

fn test_lookup(name: &str) -> Option<Vec<SocketAddr>> {
    let table = TEST_HOSTS
        .get()?
        .lock()
        .unwrap_or_else(PoisonError::into_inner);
    table
        .get(&name.to_ascii_lowercase())
        .map(|ips| ips.iter().map(|ip| SocketAddr::new(*ip, 0)).collect())
}

/// The resolver of the direct client.
pub struct LoopbackOnly;

impl Resolve for LoopbackOnly {
    fn resolve(&self, name: Name) -> Resolving {
        let host = name.as_str().to_string();
        Box::pin(async move {
            let addrs = match test_lookup(&host) {
                Some(a) => a,
                None => tokio::net::lookup_host((host.as_str(), 0)).await?.collect(),
            };
            if addrs.is_empty() {
                return Err(std::io::Error::other(format!(
                    "dns error: failed to lookup address information for {host}"
                ))
                .into());
            }
            let addrs = loopback_only(&host, addrs)?;
            Ok(Box::new(addrs.into_iter()) as Addrs)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sa(s: &str) -> SocketAddr {
        SocketAddr::new(s.parse().unwrap(), 0)
    }

    #[test]
    fn every_address_must_be_this_machine() {
        assert!(loopback_only("localhost", vec![sa("127.0.0.1"), sa("::1")]).is_ok());
        assert!(loopback_only("a.localhost", vec![sa("127.0.0.53")]).is_ok());
        assert!(loopback_only("a.localhost", vec![sa("::ffff:127.0.0.1")]).is_ok());
        let e = loopback_only("halo.localhost", vec![sa("127.0.0.1"), sa("10.0.0.5")]).unwrap_err();
        assert_eq!(e.addr, "10.0.0.5".parse::<IpAddr>().unwrap());
        assert!(
            e.to_string()
                .contains("halo.localhost resolves to 10.0.0.5")
        );
        for bad in ["192.0.2.1", "0.0.0.0", "::", "fe80::1", "::ffff:10.0.0.1"] {
            assert!(loopback_only("x", vec![sa(bad)]).is_err(), "{bad}");
        }
    }
}
