//! HTTP transport: one pooled ureq agent with rustls and certificate verification, finite
//! timeouts, a response size cap, no redirects, and a proxy only when one is configured
//! (ureq's own reading of proxy variables is off; see [`crate::proxy`]). Failures are
//! classified into stable statuses, and the transport says whether a failed request can
//! have reached the server.
//!
//! Fork safety: the agent remembers the process it was made in. In a child process after
//! `fork()` (gunicorn `--preload`, Celery prefork, `multiprocessing`, `pcntl_fork`) the
//! first call makes a fresh agent, so the child opens its own connections; the inherited
//! pool is left alone (not dropped: closing it from the child could end the parent's TLS
//! sessions), its sockets stay open until the child exits.

use crate::error::{Error, Result, Status};
use crate::operations::Method;
use crate::proxy::ProxyUrl;
use crate::resolver::CachingResolver;
use std::sync::RwLock;
use std::time::Duration;
use ureq::tls::{Certificate, PemItem, RootCerts, TlsConfig};
use ureq::unversioned::transport::time::Duration as NextDuration;
use ureq::unversioned::transport::{
    Buffers, ConnectionDetails, Connector, DefaultConnector, LazyBuffers, NextTimeout,
    Transport as Connection,
};

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

/// Wraps each connection ureq's default connector makes (TCP, or TLS over TCP) in a
/// [`CoalescingConnection`].
#[derive(Debug)]
struct Coalescing;

impl Connector<Box<dyn Connection>> for Coalescing {
    type Out = CoalescingConnection;

    fn connect(
        &self,
        details: &ConnectionDetails,
        chained: Option<Box<dyn Connection>>,
    ) -> std::result::Result<Option<CoalescingConnection>, ureq::Error> {
        Ok(chained.map(|inner| CoalescingConnection {
            inner,
            buffers: StagedBuffers {
                lazy: LazyBuffers::new(
                    details.config.input_buffer_size(),
                    details.config.output_buffer_size(),
                ),
                staged: 0,
            },
        }))
    }
}

/// The connection's own buffers: what ureq has asked to transmit stays staged at the start
/// of the output buffer, and ureq writes what comes next after it.
#[derive(Debug)]
struct StagedBuffers {
    lazy: LazyBuffers,
    staged: usize,
}

impl Buffers for StagedBuffers {
    fn output(&mut self) -> &mut [u8] {
        let staged = self.staged;
        &mut self.lazy.output()[staged..]
    }

    fn input(&self) -> &[u8] {
        self.lazy.input()
    }

    fn input_append_buf(&mut self) -> &mut [u8] {
        self.lazy.input_append_buf()
    }

    fn input_appended(&mut self, amount: usize) {
        self.lazy.input_appended(amount)
    }

    fn input_consume(&mut self, amount: usize) {
        self.lazy.input_consume(amount)
    }

    fn tmp_and_output(&mut self) -> (&mut [u8], &mut [u8]) {
        let staged = self.staged;
        let (tmp, output) = self.lazy.tmp_and_output();
        (tmp, &mut output[staged..])
    }

    fn can_use_input(&self) -> bool {
        self.lazy.can_use_input()
    }
}

/// A connection that sends a request in one write and keeps its socket options.
///
/// ureq transmits the request head and the body separately: two segments, so the server
/// wakes up twice per request. This layer stages what ureq transmits and writes it all
/// when ureq starts waiting for the reply (or when half the output buffer is staged), so a
/// request with a small body leaves in one write. It also rounds each timeout handed to the
/// socket up to a multiple of 10 ms: ureq computes the time left before every read and
/// write, so the socket timeouts (`setsockopt`) were reset on each; rounded, they only
/// change when a deadline draws near, at the cost of a timeout firing up to 10 ms late.
#[derive(Debug)]
struct CoalescingConnection {
    inner: Box<dyn Connection>,
    buffers: StagedBuffers,
}

/// Socket timeouts in steps of 10 ms (see [`CoalescingConnection`]).
fn steady(mut timeout: NextTimeout) -> NextTimeout {
    if let NextDuration::Exact(after) = timeout.after {
        let step = 10_000_000u128;
        let nanos = after.as_nanos().div_ceil(step) * step;
        timeout.after = NextDuration::Exact(Duration::from_nanos(
            u64::try_from(nanos).unwrap_or(u64::MAX),
        ));
    }
    timeout
}

impl CoalescingConnection {
    /// Writes everything staged, through the inner connection's output buffer.
    fn flush(&mut self, timeout: NextTimeout) -> std::result::Result<(), ureq::Error> {
        let staged = std::mem::take(&mut self.buffers.staged);
        let mut sent = 0;
        while sent < staged {
            let out = self.inner.buffers().output();
            let n = (staged - sent).min(out.len());
            out[..n].copy_from_slice(&self.buffers.lazy.output()[sent..sent + n]);
            self.inner.transmit_output(n, steady(timeout))?;
            sent += n;
        }
        Ok(())
    }
}

impl Connection for CoalescingConnection {
    fn buffers(&mut self) -> &mut dyn Buffers {
        &mut self.buffers
    }

    fn transmit_output(
        &mut self,
        amount: usize,
        timeout: NextTimeout,
    ) -> std::result::Result<(), ureq::Error> {
        self.buffers.staged += amount;
        let capacity = self.buffers.lazy.output().len();
        if self.buffers.staged > capacity / 2 {
            self.flush(timeout)?;
        }
        Ok(())
    }

    fn await_input(&mut self, timeout: NextTimeout) -> std::result::Result<bool, ureq::Error> {
        self.flush(timeout)?;
        let progress = if self.inner.buffers().input().is_empty() {
            self.inner.await_input(steady(timeout))?
        } else {
            true
        };
        let input = self.inner.buffers().input();
        let space = self.buffers.lazy.input_append_buf();
        let n = input.len().min(space.len());
        space[..n].copy_from_slice(&input[..n]);
        self.buffers.lazy.input_appended(n);
        self.inner.buffers().input_consume(n);
        Ok(progress)
    }

    fn is_open(&mut self) -> bool {
        // Bytes left over below (the server sent more than the reply) make it unusable,
        // as bytes left in ureq's own input do.
        self.buffers.staged == 0 && self.inner.buffers().input().is_empty() && self.inner.is_open()
    }

    fn is_tls(&self) -> bool {
        self.inner.is_tls()
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

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::{Arc, Mutex};

    /// A connection below the coalescing layer: records each write, answers `reply`.
    #[derive(Debug)]
    struct Recorder {
        buffers: LazyBuffers,
        writes: Arc<Mutex<Vec<Vec<u8>>>>,
        reply: Vec<u8>,
        timeouts: Arc<Mutex<Vec<NextDuration>>>,
    }

    impl Connection for Recorder {
        fn buffers(&mut self) -> &mut dyn Buffers {
            &mut self.buffers
        }

        fn transmit_output(
            &mut self,
            amount: usize,
            timeout: NextTimeout,
        ) -> std::result::Result<(), ureq::Error> {
            let bytes = self.buffers.output()[..amount].to_vec();
            self.writes.lock().unwrap().push(bytes);
            self.timeouts.lock().unwrap().push(timeout.after);
            Ok(())
        }

        fn await_input(&mut self, timeout: NextTimeout) -> std::result::Result<bool, ureq::Error> {
            self.timeouts.lock().unwrap().push(timeout.after);
            let reply = std::mem::take(&mut self.reply);
            let space = self.buffers.input_append_buf();
            space[..reply.len()].copy_from_slice(&reply);
            self.buffers.input_appended(reply.len());
            Ok(!reply.is_empty())
        }

        fn is_open(&mut self) -> bool {
            true
        }
    }

    type Writes = Arc<Mutex<Vec<Vec<u8>>>>;
    type Timeouts = Arc<Mutex<Vec<NextDuration>>>;

    fn connection(output_size: usize, reply: &[u8]) -> (CoalescingConnection, Writes, Timeouts) {
        let writes = Writes::default();
        let timeouts = Timeouts::default();
        let inner = Recorder {
            buffers: LazyBuffers::new(4096, output_size),
            writes: writes.clone(),
            reply: reply.to_vec(),
            timeouts: timeouts.clone(),
        };
        let c = CoalescingConnection {
            inner: Box::new(inner),
            buffers: StagedBuffers {
                lazy: LazyBuffers::new(4096, output_size),
                staged: 0,
            },
        };
        (c, writes, timeouts)
    }

    fn timeout(after: Duration) -> NextTimeout {
        NextTimeout {
            after: NextDuration::Exact(after),
            reason: ureq::Timeout::RecvResponse,
            per_read: None,
            per_write: None,
        }
    }

    fn transmit(c: &mut CoalescingConnection, bytes: &[u8]) {
        c.buffers().output()[..bytes.len()].copy_from_slice(bytes);
        c.transmit_output(bytes.len(), timeout(Duration::from_secs(30)))
            .unwrap();
    }

    #[test]
    fn head_and_body_leave_in_one_write_and_the_reply_comes_through() {
        let (mut c, writes, _) = connection(1024, b"HTTP/1.1 200 OK\r\n\r\n");
        transmit(&mut c, b"POST /x HTTP/1.1\r\nContent-Length: 4\r\n\r\n");
        transmit(&mut c, b"body");
        assert!(
            writes.lock().unwrap().is_empty(),
            "nothing written before the reply is awaited"
        );
        assert!(
            !c.is_open(),
            "a connection with unsent bytes is not reusable"
        );
        assert!(c.await_input(timeout(Duration::from_secs(30))).unwrap());
        assert_eq!(
            *writes.lock().unwrap(),
            vec![b"POST /x HTTP/1.1\r\nContent-Length: 4\r\n\r\nbody".to_vec()]
        );
        assert_eq!(c.buffers().input(), b"HTTP/1.1 200 OK\r\n\r\n");
        c.buffers().input_consume(19);
        assert!(c.is_open());
    }

    #[test]
    fn a_large_body_is_written_as_it_comes_once_half_the_buffer_is_staged() {
        let (mut c, writes, _) = connection(100, b"");
        transmit(&mut c, &[1; 30]);
        transmit(&mut c, &[2; 30]); // 60 staged of 100: written
        transmit(&mut c, &[3; 50]); // 50: not more than half, kept
        assert_eq!(writes.lock().unwrap().len(), 1);
        assert_eq!(writes.lock().unwrap()[0].len(), 60);
        assert!(!c.await_input(timeout(Duration::from_secs(1))).unwrap());
        assert_eq!(*writes.lock().unwrap().last().unwrap(), vec![3; 50]);
    }

    #[test]
    fn socket_timeouts_move_in_10_ms_steps_never_shorter() {
        let (mut c, _, timeouts) = connection(1024, b"x");
        transmit(&mut c, b"GET / HTTP/1.1\r\n\r\n");
        c.await_input(timeout(Duration::from_nanos(29_999_999_001)))
            .unwrap();
        for after in timeouts.lock().unwrap().iter() {
            assert_eq!(*after, NextDuration::Exact(Duration::from_secs(30)));
        }
        assert_eq!(
            steady(timeout(Duration::ZERO)).after,
            NextDuration::Exact(Duration::ZERO)
        );
        assert_eq!(
            steady(timeout(Duration::from_micros(1))).after,
            NextDuration::Exact(Duration::from_millis(10))
        );
    }
}
