//! A local HTTPS front for the emulator (test-only): a certificate authority and server
//! certificates made in the test (rcgen), TLS terminated with tokio-rustls, and every byte of
//! a finished handshake forwarded to the emulator's plain port. A handshake the client refuses
//! forwards nothing, so the emulator's request log shows whether anything (a secret least of
//! all) went through.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use rcgen::{
    BasicConstraints, CertificateParams, CertifiedIssuer, DnType, IsCa, KeyPair, KeyUsagePurpose,
};
use tokio_rustls::rustls;
use tokio_rustls::rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};

/// A certificate authority of the test's own.
pub(crate) struct Ca {
    issuer: CertifiedIssuer<'static, KeyPair>,
    /// Its certificate, PEM: what `--ca-file` names.
    pub pem: String,
}

/// Which server certificate the front shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Leaf {
    /// For `127.0.0.1` and `localhost`, valid now.
    Good,
    /// For `127.0.0.1`, but its validity ended yesterday.
    Expired,
    /// Valid now, but for `halo.example` only.
    OtherName,
}

pub(crate) fn ca() -> Ca {
    let mut p = CertificateParams::new(Vec::<String>::new()).unwrap();
    p.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    p.distinguished_name
        .push(DnType::CommonName, "halo-onboard test CA");
    p.key_usages = vec![
        KeyUsagePurpose::KeyCertSign,
        KeyUsagePurpose::CrlSign,
        KeyUsagePurpose::DigitalSignature,
    ];
    let issuer = CertifiedIssuer::self_signed(p, KeyPair::generate().unwrap()).unwrap();
    let pem = issuer.pem();
    Ca { issuer, pem }
}

impl Ca {
    /// A server certificate signed by this authority, and its key.
    pub(crate) fn leaf(
        &self,
        kind: Leaf,
    ) -> (Vec<CertificateDer<'static>>, PrivateKeyDer<'static>) {
        let names: Vec<String> = match kind {
            Leaf::OtherName => vec!["halo.example".into()],
            _ => vec!["127.0.0.1".into(), "localhost".into()],
        };
        let mut p = CertificateParams::new(names).unwrap();
        p.distinguished_name.push(DnType::CommonName, "halo test");
        let now = time::OffsetDateTime::now_utc();
        match kind {
            Leaf::Expired => {
                p.not_before = now - time::Duration::days(30);
                p.not_after = now - time::Duration::days(1);
            }
            _ => {
                p.not_before = now - time::Duration::days(1);
                p.not_after = now + time::Duration::days(30);
            }
        }
        let key = KeyPair::generate().unwrap();
        let cert = p.signed_by(&key, &self.issuer).unwrap();
        (
            vec![cert.der().clone()],
            PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(key.serialize_der())),
        )
    }
}

/// The HTTPS front: its address, how many handshakes finished (each one's bytes were
/// forwarded to the emulator), and how many token requests it forwarded.
pub(crate) struct Front {
    /// `https://127.0.0.1:PORT`.
    pub url: String,
    pub handshakes: Arc<AtomicUsize>,
    pub token_posts: Arc<AtomicUsize>,
}

impl Front {
    pub(crate) fn handshakes(&self) -> usize {
        self.handshakes.load(Ordering::SeqCst)
    }

    /// `POST /auth/token` request lines seen in the decrypted bytes it forwarded: the token
    /// requests the emulator got through this front (over https), as opposed to directly.
    pub(crate) fn token_posts(&self) -> usize {
        self.token_posts.load(Ordering::SeqCst)
    }
}

/// Forwards `from` to `to`, counting in `seen` the chunks that hold a `POST /auth/token`
/// request line (a client writes a request's head in one piece).
async fn forward_counting<R, W>(mut from: R, mut to: W, seen: Arc<AtomicUsize>)
where
    R: tokio::io::AsyncRead + Unpin,
    W: tokio::io::AsyncWrite + Unpin,
{
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut buf = vec![0u8; 64 * 1024];
    const LINE: &[u8] = b"POST /auth/token";
    loop {
        let n = match from.read(&mut buf).await {
            Ok(0) | Err(_) => break,
            Ok(n) => n,
        };
        if buf[..n].windows(LINE.len()).any(|w| w == LINE) {
            seen.fetch_add(1, Ordering::SeqCst);
        }
        if to.write_all(&buf[..n]).await.is_err() {
            break;
        }
    }
    let _ = to.shutdown().await;
}

/// Serves `chain`/`key` on 127.0.0.1:0 in front of the emulator at `upstream`
/// (`http://127.0.0.1:PORT`).
pub(crate) async fn front(
    upstream: &str,
    chain: Vec<CertificateDer<'static>>,
    key: PrivateKeyDer<'static>,
) -> Front {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let cfg = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_no_client_auth()
        .with_single_cert(chain, key)
        .unwrap();
    let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(cfg));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("https://{}", listener.local_addr().unwrap());
    let up = upstream.trim_start_matches("http://").to_string();
    let handshakes = Arc::new(AtomicUsize::new(0));
    let token_posts = Arc::new(AtomicUsize::new(0));
    let (done, posts) = (handshakes.clone(), token_posts.clone());
    tokio::spawn(async move {
        while let Ok((tcp, _)) = listener.accept().await {
            let (acceptor, up, done, posts) =
                (acceptor.clone(), up.clone(), done.clone(), posts.clone());
            tokio::spawn(async move {
                // A refused handshake ends here: nothing reaches the emulator.
                let Ok(tls) = acceptor.accept(tcp).await else {
                    return;
                };
                done.fetch_add(1, Ordering::SeqCst);
                if let Ok(plain) = tokio::net::TcpStream::connect(&up).await {
                    let (tls_r, mut tls_w) = tokio::io::split(tls);
                    let (mut plain_r, plain_w) = plain.into_split();
                    let up_half = forward_counting(tls_r, plain_w, posts);
                    let down_half = async {
                        let _ = tokio::io::copy(&mut plain_r, &mut tls_w).await;
                        let _ = tokio::io::AsyncWriteExt::shutdown(&mut tls_w).await;
                    };
                    tokio::join!(up_half, down_half);
                }
            });
        }
    });
    Front {
        url,
        handshakes,
        token_posts,
    }
}
