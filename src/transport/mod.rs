//! HTTP transport: kept-alive connections made by ureq's connectors (an HTTP CONNECT proxy
//! only when one is configured, rustls with certificate verification) over our own TCP
//! connections, and one HTTP/1.1 exchange per request written and read here ([`http`]):
//! finite timeouts, a reply size cap, no redirects (a 3xx is handed up as a reply). Failures
//! are classified into stable statuses, and the transport says whether a failed request can
//! have reached the server.
//!
//! Fork safety: connections are never shared across processes. In a child process after
//! `fork()` (gunicorn `--preload`, Celery prefork, `multiprocessing`, `pcntl_fork`) the pool
//! finds itself in another process and lets go of the inherited connections without closing
//! them (closing them from the child could end the parent's TLS sessions): the child opens
//! its own, and the inherited sockets stay open until the child exits. See [`pool`].

mod http;
mod pool;
pub(crate) mod proxy;
mod resolver;
mod tcp;

use crate::error::{Error, Result, Status};
use crate::operations::Method;
use crate::transport::proxy::ProxyUrl;
use pool::{Pool, Pooled};
use resolver::CachingResolver;
use std::sync::Arc;
use std::time::{Duration, Instant};
use ureq::config::Config;
use ureq::http::Uri;
use ureq::tls::{Certificate, PemItem, RootCerts, TlsConfig};
use ureq::unversioned::resolver::Resolver;
use ureq::unversioned::transport::time::{Duration as NextDuration, Instant as NextInstant};
use ureq::unversioned::transport::{
    ConnectProxyConnector, ConnectionDetails, Connector, NextTimeout, RustlsConnector,
    Transport as Connection,
};
use ureq::Timeout;

/// Default connect timeout.
pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
/// Default timeout for sending the request and receiving the whole reply.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);
/// Default cap on a reply body (the API's replies are a few kilobytes).
pub const DEFAULT_MAX_RESPONSE_BYTES: u64 = 8 * 1024 * 1024;

/// The HTTP/1.1 reply reader over `reads` (one per read, then the end of the stream),
/// with `cap` as the body cap: `(status, Retry-After, body, reusable)` or why the reply was
/// refused. Internal, public for the fuzz target only.
#[doc(hidden)]
pub fn fuzz_read_reply(
    reads: &[&[u8]],
    cap: u64,
) -> std::result::Result<(u16, Option<u64>, Vec<u8>, bool), String> {
    http::read_reads(reads, cap)
}

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

/// Runs the connector chain for a connection's details (ureq's proxy connector runs it again
/// for the connection to the proxy).
type RunConnector = dyn Fn(&ConnectionDetails) -> std::result::Result<Box<dyn Connection>, ureq::Error>
    + Send
    + Sync;

/// Kept-alive connections and the means to make more. `Send + Sync`; connections are reused
/// across threads, never across processes.
pub struct Transport {
    config: TransportConfig,
    /// ureq's settings for its connectors: TLS roots, proxy, User-Agent of a CONNECT.
    connector_config: Config,
    resolver: CachingResolver,
    run_connector: Arc<RunConnector>,
    pool: Pool,
}

impl std::fmt::Debug for Transport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Transport")
            .field("config", &self.config)
            .finish_non_exhaustive()
    }
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

/// The deadlines of one exchange, as ureq kept them: each phase (resolve, connect, send,
/// receive the head, receive the body) has its own budget from the end of the one before
/// (the connect timeout for resolving and connecting, the timeout for the rest), and the whole
/// exchange the sum of both timeouts.
struct Clock {
    connect_timeout: Duration,
    timeout: Duration,
    global: Instant,
    phase_start: Instant,
}

impl Clock {
    fn new(config: &TransportConfig) -> Clock {
        // A year stands for any longer timeout: deadlines stay representable.
        const LONGEST: Duration = Duration::from_secs(365 * 24 * 3600);
        let now = Instant::now();
        let connect_timeout = config.connect_timeout.min(LONGEST);
        let timeout = config.timeout.min(LONGEST);
        Clock {
            connect_timeout,
            timeout,
            global: now + connect_timeout + timeout,
            phase_start: now,
        }
    }

    /// The current phase has ended.
    fn next_phase(&mut self) {
        self.phase_start = Instant::now();
    }

    /// The time left in `phase`, and the timeout that ends it.
    fn left(&self, phase: Timeout) -> NextTimeout {
        let budget = match phase {
            Timeout::Resolve | Timeout::Connect => self.connect_timeout,
            _ => self.timeout,
        };
        let end = self.phase_start + budget;
        let (reason, at) = if end <= self.global {
            (phase, end)
        } else {
            (Timeout::Global, self.global)
        };
        NextTimeout {
            after: NextDuration::Exact(at.saturating_duration_since(Instant::now())),
            reason,
            per_read: None,
            per_write: None,
        }
    }
}

/// The reply's bytes from a connection, each read within its phase's time.
struct Wire<'a> {
    conn: &'a mut dyn Connection,
    clock: &'a mut Clock,
    /// The head is in: the body's own budget has started.
    body_started: bool,
}

impl http::Input for Wire<'_> {
    fn read_more(
        &mut self,
        buf: &mut Vec<u8>,
        part: http::Part,
    ) -> std::result::Result<usize, ureq::Error> {
        let phase = match part {
            http::Part::Head => Timeout::RecvResponse,
            http::Part::Body => {
                if !std::mem::replace(&mut self.body_started, true) {
                    self.clock.next_phase();
                }
                Timeout::RecvBody
            }
        };
        self.conn.await_input(self.clock.left(phase))?;
        let buffers = self.conn.buffers();
        let input = buffers.input();
        let n = input.len();
        buf.extend_from_slice(input);
        buffers.input_consume(n);
        Ok(n)
    }
}

impl Transport {
    /// A transport for `config` (no network access).
    pub fn new(config: &TransportConfig) -> Result<Transport> {
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
        let connector_config = ureq::Agent::config_builder()
            .user_agent(config.user_agent.as_str())
            .tls_config(tls.build())
            .proxy(proxy)
            .build();
        let chain =
            ().chain(ConnectProxyConnector::default())
                .chain(tcp::Tcp)
                .chain(RustlsConnector::default());
        let run_connector: Arc<RunConnector> =
            Arc::new(
                move |details: &ConnectionDetails| match chain.connect(details, None)? {
                    Some(conn) => Ok(Box::new(conn) as Box<dyn Connection>),
                    None => Err(ureq::Error::ConnectionFailed),
                },
            );
        Ok(Transport {
            config: config.clone(),
            connector_config,
            resolver: CachingResolver::default(),
            run_connector,
            pool: Pool::default(),
        })
    }

    /// A new connection to `target`'s origin (through the proxy, with TLS for https).
    #[allow(clippy::result_large_err)] // one per request, like send()
    fn connect(
        &self,
        target: &http::Target<'_>,
        clock: &mut Clock,
    ) -> std::result::Result<Box<dyn Connection>, Failure> {
        let uri: Uri = format!("{}/", target.origin)
            .parse()
            .map_err(|e| classify(ureq::Error::from(ureq::http::Error::from(e))))?;
        let addrs = if self.connector_config.proxy().is_some() {
            self.resolver.empty() // the proxy resolves the API's host
        } else {
            let left = clock.left(Timeout::Resolve);
            let addrs = self
                .resolver
                .resolve(&uri, &self.connector_config, left)
                .map_err(classify)?;
            clock.next_phase();
            addrs
        };
        let details = ConnectionDetails {
            uri: &uri,
            addrs,
            config: &self.connector_config,
            request_level: false,
            resolver: &self.resolver,
            now: NextInstant::now(),
            timeout: clock.left(Timeout::Connect),
            current_time: Arc::new(NextInstant::now),
            run_connector: self.run_connector.clone(),
            register_shutdown: Arc::new(|_| Ok(())),
        };
        let conn = (self.run_connector)(&details).map_err(classify)?;
        if target.tls && !conn.is_tls() {
            return Err(classify(ureq::Error::TlsRequired));
        }
        Ok(conn)
    }

    /// Sends `body` with `headers` and reads the whole reply.
    #[allow(clippy::result_large_err)] // one per request, never on a hot path
    pub fn send(
        &self,
        method: Method,
        url: &str,
        headers: &[(&str, &str)],
        body: &[u8],
    ) -> std::result::Result<RawReply, Failure> {
        let mut clock = Clock::new(&self.config);
        let refuse = |message: String| Failure {
            error: Error::new(Status::InvalidArgument, message),
            before_send: false,
        };
        let target = http::Target::parse(url)
            .ok_or_else(|| refuse("the request URL is not a valid http(s) URL".into()))?;
        let mut request = Vec::new();
        http::write_request(
            &mut request,
            method,
            &target,
            headers,
            &self.config.user_agent,
            body,
        )
        .map_err(refuse)?;
        let mut pooled = match self.pool.take(target.origin) {
            Some(pooled) => pooled,
            None => Pooled {
                conn: self.connect(&target, &mut clock)?,
                origin: target.origin.to_string(),
            },
        };
        clock.next_phase();
        transmit(&mut *pooled.conn, &request, &clock).map_err(classify)?;
        clock.next_phase();
        let mut wire = Wire {
            conn: &mut *pooled.conn,
            clock: &mut clock,
            body_started: false,
        };
        let reply = http::read_reply(&mut wire, &mut request, self.config.max_response_bytes)
            .map_err(|e| match e {
                http::ReadError::Io(e, status) => with_status(classify(e), status),
                http::ReadError::Protocol(message, status) => with_status(
                    Failure {
                        error: Error::new(
                            Status::Transport,
                            format!("HTTP protocol error: {message}"),
                        ),
                        before_send: false,
                    },
                    status,
                ),
                http::ReadError::TooLarge(status, cap) => {
                    with_status(classify(ureq::Error::BodyExceedsLimit(cap)), Some(status))
                }
            })?;
        if reply.reusable {
            self.pool.put(pooled);
        }
        Ok(RawReply {
            status: reply.status,
            body: reply.body,
            retry_after: reply.retry_after,
        })
    }
}

/// Writes `request` (head and body) through the connection's output buffer: one write when it
/// fits (the API's requests do).
fn transmit(
    conn: &mut dyn Connection,
    request: &[u8],
    clock: &Clock,
) -> std::result::Result<(), ureq::Error> {
    let mut sent = 0;
    while sent < request.len() {
        let out = conn.buffers().output();
        let n = (request.len() - sent).min(out.len());
        out[..n].copy_from_slice(&request[sent..sent + n]);
        conn.transmit_output(n, clock.left(Timeout::SendRequest))?;
        sent += n;
    }
    Ok(())
}

/// `failure` with the reply's HTTP status, when one was received.
fn with_status(mut failure: Failure, status: Option<u16>) -> Failure {
    if let Some(status) = status {
        failure.error = failure.error.with_http_status(status);
    }
    failure
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

#[cfg(test)]
mod tests {
    use super::*;

    fn config(connect_timeout: Duration, timeout: Duration) -> TransportConfig {
        TransportConfig {
            connect_timeout,
            timeout,
            user_agent: "t".into(),
            ca_pem: None,
            max_response_bytes: 1,
            proxy: None,
        }
    }

    fn secs(t: NextTimeout) -> u64 {
        t.after.as_secs_f64().round() as u64
    }

    #[test]
    fn each_phase_has_its_budget_within_the_whole() {
        let mut clock = Clock::new(&config(Duration::from_secs(10), Duration::from_secs(30)));
        let connect = clock.left(Timeout::Connect);
        assert_eq!((connect.reason, secs(connect)), (Timeout::Connect, 10));
        clock.next_phase();
        let send = clock.left(Timeout::SendRequest);
        assert_eq!((send.reason, secs(send)), (Timeout::SendRequest, 30));
        // A phase starting 20 s into the call ends with the call, 40 s after its start.
        clock.phase_start += Duration::from_secs(20);
        let body = clock.left(Timeout::RecvBody);
        assert_eq!((body.reason, secs(body)), (Timeout::Global, 40));
        // Past the call's deadline: nothing left.
        clock.global = Instant::now();
        assert!(clock.left(Timeout::RecvBody).after.is_zero());
    }

    #[test]
    fn any_timeout_is_representable() {
        let clock = Clock::new(&config(Duration::MAX, Duration::MAX));
        let left = clock.left(Timeout::Connect);
        assert_eq!(left.reason, Timeout::Connect);
        assert!(*left.after > Duration::from_secs(364 * 24 * 3600));
    }
}
