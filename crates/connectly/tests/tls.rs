//! TLS against a loopback HTTPS server with a certificate made at test time: an untrusted
//! certificate is refused after exactly one attempt (no retry, nothing sent), and trusting
//! its CA with `add_root_certificate_pem` makes the same call succeed.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::io::{Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use connectly::clock::{Sleep, Sleeper};
use connectly::{Client, Error, Recipient};
use rcgen::{BasicConstraints, CertificateParams, DnType, IsCa, Issuer, KeyPair};
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};

const KEY: &str = "tls-test-key";

/// A test CA and a server certificate it signed for `names`.
struct Pki {
    ca_pem: String,
    chain: Vec<CertificateDer<'static>>,
    key: PrivateKeyDer<'static>,
}

fn pki(names: &[&str]) -> Pki {
    let ca_key = KeyPair::generate().unwrap();
    let mut ca_params = CertificateParams::new(Vec::<String>::new()).unwrap();
    ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    ca_params
        .distinguished_name
        .push(DnType::CommonName, "connectly test CA");
    let ca = ca_params.self_signed(&ca_key).unwrap();
    let issuer = Issuer::new(ca_params, ca_key);
    let server_key = KeyPair::generate().unwrap();
    let names: Vec<String> = names.iter().map(|n| (*n).to_owned()).collect();
    let mut params = CertificateParams::new(names).unwrap();
    params
        .distinguished_name
        .push(DnType::CommonName, "connectly test server");
    let server = params.signed_by(&server_key, &issuer).unwrap();
    Pki {
        ca_pem: ca.pem(),
        chain: vec![server.der().clone()],
        key: PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(server_key.serialize_der())),
    }
}

/// A one-thread-per-connection HTTPS server that answers every request 200 with JSON.
struct Server {
    port: u16,
    /// TCP connections accepted.
    connections: Arc<AtomicUsize>,
    /// HTTP requests read (after a completed handshake).
    requests: Arc<AtomicUsize>,
}

impl Server {
    fn start(pki: &Pki) -> Server {
        let config = rustls::ServerConfig::builder_with_provider(Arc::new(
            rustls::crypto::ring::default_provider(),
        ))
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_no_client_auth()
        .with_single_cert(pki.chain.clone(), pki.key.clone_key())
        .unwrap();
        Self::serve(Some(Arc::new(config)))
    }

    /// With no config, every connection is closed as soon as it is accepted.
    fn serve(config: Option<Arc<rustls::ServerConfig>>) -> Server {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let connections = Arc::new(AtomicUsize::new(0));
        let requests = Arc::new(AtomicUsize::new(0));
        let (c, r) = (connections.clone(), requests.clone());
        std::thread::spawn(move || {
            for tcp in listener.incoming() {
                let Ok(tcp) = tcp else { return };
                c.fetch_add(1, Ordering::SeqCst);
                let Some(config) = config.clone() else {
                    let _ = tcp.shutdown(Shutdown::Both);
                    continue;
                };
                let r = r.clone();
                std::thread::spawn(move || {
                    let _ = answer(config, tcp, &r);
                });
            }
        });
        Server {
            port,
            connections,
            requests,
        }
    }

    fn client(&self, host: &str, ca_pem: Option<&str>) -> Client {
        let mut builder = Client::builder()
            .api_key(KEY)
            .business_id("tls-business")
            .base_url(format!("https://{host}:{}", self.port))
            .timeout(Duration::from_secs(10))
            .sleeper(Arc::new(NoSleep));
        if let Some(pem) = ca_pem {
            builder = builder.add_root_certificate_pem(pem);
        }
        builder.build().unwrap()
    }
}

/// Reads one request (head and Content-Length body) and answers it.
fn answer(
    config: Arc<rustls::ServerConfig>,
    tcp: TcpStream,
    requests: &AtomicUsize,
) -> std::io::Result<()> {
    tcp.set_read_timeout(Some(Duration::from_secs(10)))?;
    let conn = rustls::ServerConnection::new(config).map_err(std::io::Error::other)?;
    let mut tls = rustls::StreamOwned::new(conn, tcp);
    let mut data = Vec::new();
    let mut buf = [0u8; 4096];
    let head_end = loop {
        let n = tls.read(&mut buf)?;
        if n == 0 {
            return Ok(());
        }
        data.extend_from_slice(&buf[..n]);
        if let Some(i) = data.windows(4).position(|w| w == b"\r\n\r\n") {
            break i + 4;
        }
    };
    let head = String::from_utf8_lossy(&data[..head_end]).to_ascii_lowercase();
    let length: usize = head
        .lines()
        .find_map(|l| l.strip_prefix("content-length:"))
        .map_or(0, |v| v.trim().parse().unwrap());
    while data.len() < head_end + length {
        let n = tls.read(&mut buf)?;
        if n == 0 {
            return Ok(());
        }
        data.extend_from_slice(&buf[..n]);
    }
    requests.fetch_add(1, Ordering::SeqCst);
    let body = br#"{"id":"tls-1","cntTraceId":"99"}"#;
    write!(
        tls,
        "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n",
        body.len()
    )?;
    tls.write_all(body)?;
    tls.conn.send_close_notify();
    tls.flush()
}

/// Retries happen at once, so the tests do not wait for backoff.
#[derive(Debug)]
struct NoSleep;

impl Sleeper for NoSleep {
    fn sleep(&self, _: Duration) -> Sleep {
        Box::pin(std::future::ready(()))
    }
}

fn send(client: &Client) -> Result<connectly::Response, Error> {
    client.send_text(&Recipient::whatsapp("+15555555555"), "hello over TLS")
}

#[test]
fn a_self_signed_certificate_is_refused_after_one_attempt() {
    let pki = pki(&["localhost", "127.0.0.1"]);
    let server = Server::start(&pki);
    let client = server.client("127.0.0.1", None);
    let err = send(&client).unwrap_err();
    assert!(matches!(err, Error::Tls { attempts: 1, .. }), "{err:?}");
    assert_eq!(err.kind_name(), "Tls");
    assert_eq!(server.connections.load(Ordering::SeqCst), 1, "not retried");
    assert_eq!(
        server.requests.load(Ordering::SeqCst),
        0,
        "nothing was sent"
    );
    let shown = format!("{err} {err:?}");
    assert!(!shown.contains(KEY), "{shown}");
    assert!(!shown.contains("127.0.0.1"), "URL in the error: {shown}");
    // The webhook registration, retried on more failures, is not retried on this one either.
    let err = client
        .create_webhook("https://example.com/webhook", "messages")
        .unwrap_err();
    assert!(matches!(err, Error::Tls { attempts: 1, .. }), "{err:?}");
    assert_eq!(server.connections.load(Ordering::SeqCst), 2);
}

#[test]
fn trusting_the_ca_makes_the_same_server_work() {
    let pki = pki(&["localhost", "127.0.0.1"]);
    let server = Server::start(&pki);
    for host in ["127.0.0.1", "localhost"] {
        let client = server.client(host, Some(&pki.ca_pem));
        let response = send(&client).unwrap();
        assert_eq!(response.status, 200);
        assert_eq!(response.attempts, 1);
        assert_eq!(response.trace_id.as_deref(), Some("99"));
    }
    assert_eq!(server.requests.load(Ordering::SeqCst), 2);
}

#[test]
fn a_certificate_for_another_name_is_refused_even_when_its_ca_is_trusted() {
    let pki = pki(&["api.connectly.example"]);
    let server = Server::start(&pki);
    let client = server.client("127.0.0.1", Some(&pki.ca_pem));
    let err = send(&client).unwrap_err();
    assert!(matches!(err, Error::Tls { attempts: 1, .. }), "{err:?}");
    assert_eq!(server.connections.load(Ordering::SeqCst), 1);
    assert_eq!(server.requests.load(Ordering::SeqCst), 0);
}

#[test]
fn a_connection_lost_during_the_handshake_is_still_retried() {
    // Closed before a byte of TLS: an I/O failure before the request could be sent, so
    // repeating it is safe, unlike a certificate the client refused.
    let server = Server::serve(None);
    let client = server.client("127.0.0.1", None);
    let err = send(&client).unwrap_err();
    assert_eq!(err.attempts(), 3, "{err:?}");
    assert!(
        matches!(err, Error::Transport { .. } | Error::Tls { .. }),
        "{err:?}"
    );
    assert_eq!(server.connections.load(Ordering::SeqCst), 3);
}
