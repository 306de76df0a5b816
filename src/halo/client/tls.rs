//! The TLS crypto provider: rustls on `ring`, installed as the process default before the
//! first HTTP client is built. reqwest is built without a provider of its own (its default,
//! aws-lc-rs, is a large C library: about 2 MB of the binary, see benches/RESULTS.md); ring
//! speaks TLS 1.2 and 1.3 with the same cipher suites and the X25519, P-256 and P-384 key
//! exchanges (aws-lc-rs adds the post-quantum hybrid X25519MLKEM768, which Halo does not
//! need). Certificates are verified exactly as before: reqwest's platform verifier (the
//! system's trust store), with this provider's signature algorithms.

/// Installs the provider once per process; a provider already installed (by an embedding
/// program or a test) is kept.
pub fn install() {
    let _ = rustls::crypto::ring::default_provider().install_default();
}
