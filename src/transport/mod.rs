//! HTTP transport: one pooled ureq agent with rustls and certificate verification, finite
//! timeouts, a response size cap, no redirects, and a proxy only when one is configured
//! (ureq's own reading of proxy variables is off; see [`proxy`]). Failures are
//! classified into stable statuses, and the transport says whether a failed request can
//! have reached the server.
//!
//! Fork safety: the agent remembers the process it was made in. In a child process after
//! `fork()` (gunicorn `--preload`, Celery prefork, `multiprocessing`, `pcntl_fork`) the
//! first call makes a fresh agent, so the child opens its own connections; the inherited
//! pool is left alone (not dropped: closing it from the child could end the parent's TLS
//! sessions), its sockets stay open until the child exits.

mod coalesce;
pub(crate) mod proxy;
mod resolver;

use crate::error::{Error, Result, Status};
use crate::operations::Method;
use crate::transport::proxy::ProxyUrl;
use coalesce::Coalescing;
use resolver::CachingResolver;
use std::sync::RwLock;
use std::time::Duration;
use ureq::tls::{Certificate, PemItem, RootCerts, TlsConfig};
use ureq::unversioned::transport::{Connector, DefaultConnector};

/// Default connect timeout.
pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
/// Default timeout for sending the request and receiving the whole reply.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);
/// Default cap on a reply body (the API's replies are a few kilobytes).
pub const DEFAULT_MAX_RESPONSE_BYTES: u64 = 8 * 1024 * 1024;

/// Transport settings.
#[derive(Clone, Debug)]
pub struct TransportConfig {
    /// Connect timeout.
    pub connect_timeout: Duration,
    /// Timeout for sending the request and receiving the reply.
    pub timeout: Duration,
    /// The User-Agent header.
    pub user_agent: String,
    /// Trust exactly these PEM certificates instead of the built-in roots.
    pub ca_pem: Option<Vec<u8>>,
    /// Largest accepted reply body.
    pub max_response_bytes: u64,
    /// The proxy to go through (none: direct).
    pub proxy: Option<ProxyUrl>,
}

/// A reply as received.
#[derive(Debug)]
pub struct RawReply {
    /// HTTP status.
    pub status: u16,
    /// Body bytes.
    pub body: Vec<u8>,
    /// `Retry-After` in seconds, when given as a number.
    pub retry_after: Option<u64>,
}

/// A failed exchange, and whether the request may have reached the server.
#[derive(Debug)]
pub struct Failure {
    /// What went wrong.
    pub error: Error,
    /// `true` when the connection was never established: nothing was sent.
    pub before_send: bool,
}

/// A pooled HTTP agent. `Send + Sync`; connections are reused across threads, never
/// across processes.
#[derive(Debug)]
pub struct Transport {
    config: TransportConfig,
    /// The process the agent belongs to, and the agent.
    agent: RwLock<(u32, ureq::Agent)>,
}

/// Parses PEM certificates for [`TransportConfig::ca_pem`].
pub fn parse_ca_pem(pem: &[u8]) -> Result<Vec<Certificate<'static>>> {
    let mut certs = Vec::new();
    for item in ureq::tls::parse_pem(pem) {
        match item {
            Ok(PemItem::Certificate(c)) => certs.push(c),
            Ok(_) => {}
            Err(e) => return Err(Error::invalid(format!("CA file is not valid PEM: {e}"))),
        }
    }
    if certs.is_empty() {
        return Err(Error::invalid("CA file holds no certificate"));
    }
    Ok(certs)
}

impl Transport {
    /// A transport for `config` (no network access).
    pub fn new(config: &TransportConfig) -> Result<Transport> {
        let agent = make_agent(config)?;
        Ok(Transport {
            config: config.clone(),
            agent: RwLock::new((std::process::id(), agent)),
        })
    }

    /// The agent of this process: after a `fork()`, a fresh one for the child.
    #[allow(clippy::result_large_err)] // one per request, like send()
    fn agent(&self) -> std::result::Result<ureq::Agent, Failure> {
        let pid = std::process::id();
        {
            let current = self.agent.read().unwrap_or_else(|p| p.into_inner());
            if current.0 == pid {
                return Ok(current.1.clone());
            }
        }
        let mut current = self.agent.write().unwrap_or_else(|p| p.into_inner());
        if current.0 != pid {
            let fresh = make_agent(&self.config).map_err(|error| Failure {
                error,
                before_send: true,
            })?;
            let inherited = std::mem::replace(&mut current.1, fresh);
            std::mem::forget(inherited); // the parent's connections: never closed from here
            current.0 = pid;
        }
        Ok(current.1.clone())
    }
}

/// A ureq agent for `config`.
fn make_agent(config: &TransportConfig) -> Result<ureq::Agent> {
    {
        let mut tls = TlsConfig::builder();
        if let Some(pem) = &config.ca_pem {
            let certs = parse_ca_pem(pem)?;
            tls = tls.root_certs(RootCerts::new_with_certs(&certs));
        }
        let proxy = match &config.proxy {
            Some(p) => Some(
                ureq::Proxy::new(p.as_agent_url())
                    .map_err(|_| Error::invalid(format!("proxy {p:?} is not usable")))?,
            ),
            None => None,
        };
        let agent_config = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .max_redirects(0)
            .user_agent(config.user_agent.as_str())
            .timeout_connect(Some(config.connect_timeout))
            .timeout_resolve(Some(config.connect_timeout))
            .timeout_send_request(Some(config.timeout))
            .timeout_send_body(Some(config.timeout))
            .timeout_recv_response(Some(config.timeout))
            .timeout_recv_body(Some(config.timeout))
            .timeout_global(Some(config.connect_timeout + config.timeout))
            .tls_config(tls.build())
            .proxy(proxy)
            .build();
        Ok(ureq::Agent::with_parts(
            agent_config,
            DefaultConnector::default().chain(Coalescing),
            CachingResolver::default(),
        ))
    }
}

impl Transport {
    /// Sends `body` with `headers` and reads the whole reply.
    #[allow(clippy::result_large_err)] // one per request, never on a hot path
    pub fn send(
        &self,
        method: Method,
        url: &str,
        headers: &[(&str, &str)],
        body: &[u8],
    ) -> std::result::Result<RawReply, Failure> {
        let agent = self.agent()?;
        let result = match method {
            Method::Post => {
                let mut req = agent.post(url);
                for (k, v) in headers {
                    req = req.header(*k, *v);
                }
                req.send(body)
            }
            Method::Get if body.is_empty() => {
                let mut req = agent.get(url);
                for (k, v) in headers {
                    req = req.header(*k, *v);
                }
                req.call()
            }
            Method::Get => {
                let mut req = agent.get(url);
                for (k, v) in headers {
                    req = req.header(*k, *v);
                }
                req.force_send_body().send(body)
            }
        };
        let mut response = result.map_err(classify)?;
        let status = response.status().as_u16();
        let retry_after = response
            .headers()
            .get("retry-after")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.trim().parse::<u64>().ok());
        let body = response
            .body_mut()
            .with_config()
            .limit(self.config.max_response_bytes)
            .read_to_vec()
            .map_err(|e| {
                let mut failure = classify(e);
                failure.error = failure.error.with_http_status(status);
                failure
            })?;
        Ok(RawReply {
            status,
            body,
            retry_after,
        })
    }
}

/// Whether a TLS error is the refusal of the server's certificate or parameters: it ends the
/// handshake, before any byte of the request is written (so a money-moving request was not
/// sent, and the failure is definite).
fn refused_in_handshake(e: &rustls::Error) -> bool {
    use rustls::Error as R;
    matches!(
        e,
        R::InvalidCertificate(_)
            | R::NoCertificatesPresented
            | R::UnsupportedNameType
            | R::PeerIncompatible(_)
    )
}

/// Maps a ureq error to a status, and tells whether nothing was sent.
fn classify(error: ureq::Error) -> Failure {
    use ureq::Error as E;
    let (status, before_send, message) = match &error {
        E::Timeout(t) => {
            let before = matches!(t, ureq::Timeout::Resolve | ureq::Timeout::Connect);
            (Status::Timeout, before, format!("timeout ({t})"))
        }
        E::HostNotFound => (Status::Transport, true, "host not found".to_string()),
        E::ConnectionFailed => (Status::Transport, true, "connection failed".to_string()),
        E::Io(io) if io.get_ref().is_some_and(|e| e.is::<rustls::Error>()) => {
            let handshake = io
                .get_ref()
                .and_then(|e| e.downcast_ref::<rustls::Error>())
                .is_some_and(refused_in_handshake);
            (Status::Tls, handshake, format!("TLS error: {io}"))
        }
        E::Io(io) => {
            let before = io.kind() == std::io::ErrorKind::ConnectionRefused;
            let status = if matches!(
                io.kind(),
                std::io::ErrorKind::TimedOut | std::io::ErrorKind::WouldBlock
            ) {
                Status::Timeout
            } else {
                Status::Transport
            };
            (status, before, format!("I/O error: {io}"))
        }
        E::Tls(m) => (Status::Tls, false, format!("TLS error: {m}")),
        E::Rustls(e) => (
            Status::Tls,
            refused_in_handshake(e),
            format!("TLS error: {e}"),
        ),
        E::Pem(e) => (Status::Tls, true, format!("TLS certificate error: {e}")),
        E::BodyExceedsLimit(n) => (
            Status::Decode,
            false,
            format!("reply larger than the {n}-byte cap"),
        ),
        E::Protocol(e) => (
            Status::Transport,
            false,
            format!("HTTP protocol error: {e}"),
        ),
        E::TooManyRedirects | E::RedirectFailed => (
            Status::Api,
            false,
            "the API answered with a redirect".to_string(),
        ),
        other => (
            Status::Transport,
            false,
            format!("transport error: {other}"),
        ),
    };
    Failure {
        error: Error::new(status, message),
        before_send,
    }
}
