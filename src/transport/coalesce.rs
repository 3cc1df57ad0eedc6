//! Write coalescing: the request head and body leave in one write (one TCP segment for a
//! small request), and socket timeouts move in steps of 10 ms, never shorter.

use std::time::Duration;
use ureq::unversioned::transport::time::Duration as NextDuration;
use ureq::unversioned::transport::{
    Buffers, ConnectionDetails, Connector, LazyBuffers, NextTimeout, Transport as Connection,
};

/// What ureq's connector and transport methods return.
type Outcome<T> = std::result::Result<T, ureq::Error>;

/// Wraps each connection ureq's default connector makes (TCP, or TLS over TCP) in a
/// [`CoalescingConnection`].
#[derive(Debug)]
pub(super) struct Coalescing;

impl Connector<Box<dyn Connection>> for Coalescing {
    type Out = CoalescingConnection;

    fn connect(
        &self,
        details: &ConnectionDetails,
        chained: Option<Box<dyn Connection>>,
    ) -> Outcome<Option<CoalescingConnection>> {
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
pub(super) struct CoalescingConnection {
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
    fn flush(&mut self, timeout: NextTimeout) -> Outcome<()> {
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

    fn transmit_output(&mut self, amount: usize, timeout: NextTimeout) -> Outcome<()> {
        self.buffers.staged += amount;
        let capacity = self.buffers.lazy.output().len();
        if self.buffers.staged > capacity / 2 {
            self.flush(timeout)?;
        }
        Ok(())
    }

    fn await_input(&mut self, timeout: NextTimeout) -> Outcome<bool> {
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

        fn transmit_output(&mut self, amount: usize, timeout: NextTimeout) -> Outcome<()> {
            let bytes = self.buffers.output()[..amount].to_vec();
            self.writes.lock().unwrap().push(bytes);
            self.timeouts.lock().unwrap().push(timeout.after);
            Ok(())
        }

        fn await_input(&mut self, timeout: NextTimeout) -> Outcome<bool> {
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
