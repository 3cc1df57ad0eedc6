//! TCP connections under ureq's proxy and TLS connectors: connect with the time budget shared
//! between the resolved addresses (as ureq's own connector does), socket timeouts that move in
//! steps of 10 ms, and a liveness probe of one non-blocking `recv(MSG_PEEK)`.

use std::io::{self, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::os::fd::AsRawFd;
use std::time::{Duration, Instant};
use ureq::unversioned::transport::time::Duration as NextDuration;
use ureq::unversioned::transport::{
    Buffers, ConnectionDetails, Connector, Either, LazyBuffers, NextTimeout,
    Transport as Connection,
};
use ureq::Timeout;

/// What ureq's connector and transport methods return.
type Outcome<T> = std::result::Result<T, ureq::Error>;

/// Opens a TCP connection to the resolved addresses when no connector before it (the
/// CONNECT proxy) has made one.
#[derive(Debug)]
pub(super) struct Tcp;

impl<In: Connection> Connector<In> for Tcp {
    type Out = Either<In, TcpConnection>;

    fn connect(
        &self,
        details: &ConnectionDetails,
        chained: Option<In>,
    ) -> Outcome<Option<Self::Out>> {
        if let Some(chained) = chained {
            return Ok(Some(Either::A(chained)));
        }
        let stream = connect_any(&details.addrs, details.timeout)?;
        stream.set_nodelay(true)?;
        Ok(Some(Either::B(TcpConnection {
            stream,
            buffers: LazyBuffers::new(
                details.config.input_buffer_size(),
                details.config.output_buffer_size(),
            ),
            read_timeout: None,
            write_timeout: None,
        })))
    }
}

/// Whether a failed connect concerns only the address tried (the next may work).
fn address_specific(e: &io::Error) -> bool {
    matches!(
        e.kind(),
        io::ErrorKind::ConnectionRefused
            | io::ErrorKind::HostUnreachable
            | io::ErrorKind::NetworkUnreachable
            | io::ErrorKind::NetworkDown
            | io::ErrorKind::AddrNotAvailable
    )
}

/// Connects to the first address that answers. The budget is shared as ureq shares it: the
/// first address gets half of it (all of it when alone), each next one half of that, at least
/// 10 ms each; the error is the last address's.
fn connect_any(addrs: &[SocketAddr], timeout: NextTimeout) -> Outcome<TcpStream> {
    let started = std::time::Instant::now();
    let total = *timeout.after;
    let total_weight = 2.0 * (1.0 - 0.5_f64.powi(addrs.len() as i32));
    let mut weight = 1.0_f64;
    let mut last = None;
    for addr in addrs {
        let share = total.as_secs_f64() * weight / total_weight;
        let per_addr =
            Duration::from_millis((share * 1000.0) as u64).max(Duration::from_millis(10));
        match TcpStream::connect_timeout(addr, per_addr) {
            Ok(stream) => return Ok(stream),
            Err(e) if address_specific(&e) => last = Some(ureq::Error::Io(e)),
            Err(e)
                if matches!(
                    e.kind(),
                    io::ErrorKind::TimedOut | io::ErrorKind::WouldBlock
                ) =>
            {
                if started.elapsed() > total {
                    return Err(ureq::Error::Timeout(timeout.reason));
                }
                last = Some(ureq::Error::Timeout(Timeout::Connect));
            }
            Err(e) => return Err(ureq::Error::Io(e)),
        }
        weight /= 2.0;
    }
    Err(last.unwrap_or_else(|| {
        ureq::Error::Io(io::Error::new(
            io::ErrorKind::ConnectionRefused,
            "Connection refused",
        ))
    }))
}

/// A TCP connection: ureq's buffers over a socket whose timeouts are only set when they change.
#[derive(Debug)]
pub(super) struct TcpConnection {
    stream: TcpStream,
    buffers: LazyBuffers,
    read_timeout: Option<Duration>,
    write_timeout: Option<Duration>,
}

/// A timeout rounded up to a multiple of 10 ms (never shorter, at most 10 ms late): the time
/// left is computed before every read and write, and rounded it changes (and costs a
/// `setsockopt`) only when a deadline draws near. `None` when the time is up.
fn steady(timeout: NextTimeout) -> Option<Duration> {
    match timeout.after {
        NextDuration::NotHappening => Some(Duration::from_secs(u32::MAX.into())),
        NextDuration::Exact(after) if after.is_zero() => None,
        NextDuration::Exact(after) => {
            let step = 10_000_000u128;
            let nanos = after.as_nanos().div_ceil(step) * step;
            Some(Duration::from_nanos(
                u64::try_from(nanos).unwrap_or(u64::MAX),
            ))
        }
    }
}

/// What is left of `timeout` since `start` (zero when it is spent).
fn left(mut timeout: NextTimeout, start: Instant) -> NextTimeout {
    if let NextDuration::Exact(after) = timeout.after {
        timeout.after = NextDuration::Exact(after.saturating_sub(start.elapsed()));
    }
    timeout
}

/// Maps an I/O error of a read or write: a socket timeout is the phase's timeout.
fn io_failure(e: io::Error, timeout: NextTimeout) -> ureq::Error {
    match e.kind() {
        io::ErrorKind::TimedOut | io::ErrorKind::WouldBlock => ureq::Error::Timeout(timeout.reason),
        _ => ureq::Error::Io(e),
    }
}

impl TcpConnection {
    /// Sets the socket's read or write timeout for `timeout`, when it changed.
    fn arm(&mut self, timeout: NextTimeout, read: bool) -> Outcome<()> {
        let wanted = steady(timeout).ok_or(ureq::Error::Timeout(timeout.reason))?;
        let current = if read {
            &mut self.read_timeout
        } else {
            &mut self.write_timeout
        };
        if *current != Some(wanted) {
            if read {
                self.stream.set_read_timeout(Some(wanted))?;
            } else {
                self.stream.set_write_timeout(Some(wanted))?;
            }
            *current = Some(wanted);
        }
        Ok(())
    }
}

impl Connection for TcpConnection {
    fn buffers(&mut self) -> &mut dyn Buffers {
        &mut self.buffers
    }

    fn transmit_output(&mut self, amount: usize, timeout: NextTimeout) -> Outcome<()> {
        let start = Instant::now();
        self.arm(timeout, false)?;
        let mut sent = 0;
        while sent < amount {
            match (&self.stream).write(&self.buffers.output()[sent..amount]) {
                Ok(0) => return Err(ureq::Error::Io(io::ErrorKind::WriteZero.into())),
                Ok(n) => sent += n,
                // A signal: again, with only the time that is left.
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {
                    self.arm(left(timeout, start), false)?
                }
                Err(e) => return Err(io_failure(e, timeout)),
            }
        }
        Ok(())
    }

    fn await_input(&mut self, timeout: NextTimeout) -> Outcome<bool> {
        let start = Instant::now();
        self.arm(timeout, true)?;
        let amount = loop {
            match (&self.stream).read(self.buffers.input_append_buf()) {
                // A signal: again, with only the time that is left (signals more frequent
                // than the timeout must not keep a silent server's call alive).
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {
                    self.arm(left(timeout, start), true)?
                }
                other => break other.map_err(|e| io_failure(e, timeout))?,
            }
        };
        self.buffers.input_appended(amount);
        Ok(amount > 0)
    }

    /// One `recv(MSG_PEEK | MSG_DONTWAIT)`: open when nothing is waiting. End of stream, an
    /// error, or bytes nobody asked for (the connection is out of step) all mean unusable.
    fn is_open(&mut self) -> bool {
        let mut byte = 0u8;
        // SAFETY: a valid socket and a one-byte buffer that outlives the call.
        let n = unsafe {
            libc::recv(
                self.stream.as_raw_fd(),
                (&mut byte as *mut u8).cast(),
                1,
                libc::MSG_PEEK | libc::MSG_DONTWAIT,
            )
        };
        n < 0 && io::Error::last_os_error().kind() == io::ErrorKind::WouldBlock
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::net::TcpListener;

    fn timeout(after: Duration) -> NextTimeout {
        NextTimeout {
            after: NextDuration::Exact(after),
            reason: Timeout::RecvResponse,
            per_read: None,
            per_write: None,
        }
    }

    #[test]
    fn socket_timeouts_move_in_10_ms_steps_never_shorter() {
        assert_eq!(
            steady(timeout(Duration::from_nanos(29_999_999_001))),
            Some(Duration::from_secs(30))
        );
        assert_eq!(
            steady(timeout(Duration::from_micros(1))),
            Some(Duration::from_millis(10))
        );
        assert_eq!(steady(timeout(Duration::ZERO)), None);
    }

    fn pair() -> (TcpConnection, TcpStream) {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        let stream = connect_any(&[addr], timeout(Duration::from_secs(5))).unwrap();
        let (server, _) = listener.accept().unwrap();
        let conn = TcpConnection {
            stream,
            buffers: LazyBuffers::new(4096, 4096),
            read_timeout: None,
            write_timeout: None,
        };
        (conn, server)
    }

    #[test]
    fn the_probe_tells_an_idle_connection_from_a_closed_or_chatty_one() {
        let (mut conn, server) = pair();
        assert!(conn.is_open(), "idle and open");
        assert!(conn.is_open(), "the probe consumed nothing");
        drop(server);
        std::thread::sleep(Duration::from_millis(20));
        assert!(!conn.is_open(), "closed by the peer");

        let (mut conn, mut server) = pair();
        server.write_all(b"x").unwrap();
        std::thread::sleep(Duration::from_millis(20));
        assert!(!conn.is_open(), "bytes nobody asked for");
    }

    #[test]
    fn a_read_past_its_deadline_is_the_phase_timeout() {
        let (mut conn, _server) = pair();
        let t = std::time::Instant::now();
        let e = conn
            .await_input(timeout(Duration::from_millis(30)))
            .unwrap_err();
        assert!(
            matches!(e, ureq::Error::Timeout(Timeout::RecvResponse)),
            "{e:?}"
        );
        assert!(t.elapsed() >= Duration::from_millis(30));
        let e = conn.await_input(timeout(Duration::ZERO)).unwrap_err();
        assert!(
            matches!(e, ureq::Error::Timeout(Timeout::RecvResponse)),
            "{e:?}"
        );
    }

    #[test]
    fn signals_do_not_stretch_a_read_past_its_deadline() {
        extern "C" fn ignore(_: libc::c_int) {}
        // SAFETY: a handler that does nothing, installed with SA_RESTART, for a signal only
        // this test sends, to one thread of its own.
        unsafe {
            let mut action: libc::sigaction = std::mem::zeroed();
            action.sa_sigaction = ignore as extern "C" fn(libc::c_int) as usize;
            action.sa_flags = libc::SA_RESTART;
            assert_eq!(
                libc::sigaction(libc::SIGUSR2, &action, std::ptr::null_mut()),
                0
            );
        }
        let (mut conn, _server) = pair(); // a server that never answers
        let (tx, rx) = std::sync::mpsc::channel();
        let reader = std::thread::spawn(move || {
            // SAFETY: pthread_self has no preconditions.
            tx.send(unsafe { libc::pthread_self() }).unwrap();
            let t = Instant::now();
            let e = conn
                .await_input(timeout(Duration::from_millis(200)))
                .unwrap_err();
            (e, t.elapsed())
        });
        let thread = rx.recv().unwrap();
        let start = Instant::now();
        while !reader.is_finished() && start.elapsed() < Duration::from_secs(5) {
            // SAFETY: the reader thread is alive until is_finished() (it is joined below).
            unsafe { libc::pthread_kill(thread, libc::SIGUSR2) };
            std::thread::sleep(Duration::from_millis(20));
        }
        assert!(
            reader.is_finished(),
            "still reading after 5 s of signals every 20 ms"
        );
        let (e, took) = reader.join().unwrap();
        assert!(
            matches!(e, ureq::Error::Timeout(Timeout::RecvResponse)),
            "{e:?}"
        );
        assert!(took < Duration::from_secs(1), "{took:?}");
    }

    #[test]
    fn a_refused_address_gives_way_to_the_next() {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let good = listener.local_addr().unwrap();
        let dead = TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap(); // closed
        assert!(connect_any(&[dead, good], timeout(Duration::from_secs(5))).is_ok());
        let e = connect_any(&[dead], timeout(Duration::from_secs(5))).unwrap_err();
        assert!(
            matches!(&e, ureq::Error::Io(io) if io.kind() == io::ErrorKind::ConnectionRefused),
            "{e:?}"
        );
    }
}
