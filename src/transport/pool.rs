//! Kept-alive connections, by origin (`scheme://host:port`), shared by the threads of one
//! process and never used by another.
//!
//! A connection goes back to the pool only when its reply was read exactly to its end; when
//! taken, one non-blocking peek tells whether the server closed it meanwhile.
//!
//! Fork safety without a system call per request: the process has one word of memory in a
//! page the kernel zeroes in a child (`madvise(MADV_WIPEONFORK)`, Linux 4.14+). It holds the
//! process's epoch; a pool remembers the epoch it was filled in. A child finds the word zero,
//! takes a new epoch, and its pools drop what they hold without closing it (the sockets are
//! the parent's too: closing them from the child could end the parent's TLS sessions); they
//! stay open until the child exits. Where the page cannot be had, the epoch is the process id.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, OnceLock, TryLockError};
use std::time::{Duration, Instant};
use ureq::unversioned::transport::Transport as Connection;

/// Most idle connections kept (per client).
const MAX_IDLE: usize = 10;
/// Most idle connections kept per origin.
const MAX_IDLE_PER_ORIGIN: usize = 3;
/// Idle connections older than this are closed, not reused (servers close theirs).
const MAX_IDLE_AGE: Duration = Duration::from_secs(15);

/// A connection and the origin it serves.
#[derive(Debug)]
pub(super) struct Pooled {
    /// `scheme://host[:port]`.
    pub(super) origin: String,
    /// The connection.
    pub(super) conn: Box<dyn Connection>,
}

/// An idle connection.
#[derive(Debug)]
struct Idle {
    pooled: Pooled,
    since: Instant,
}

/// The idle connections of one client.
#[derive(Debug)]
pub(super) struct Pool {
    idle: Mutex<Vec<Idle>>,
    /// The process epoch the idle connections belong to.
    epoch: AtomicU64,
}

impl Default for Pool {
    fn default() -> Pool {
        Pool {
            idle: Mutex::new(Vec::new()),
            epoch: AtomicU64::new(process_epoch()),
        }
    }
}

impl Pool {
    /// An idle connection to `origin` that is still open, if any.
    pub(super) fn take(&self, origin: &str) -> Option<Pooled> {
        let epoch = process_epoch();
        if self.epoch.load(Ordering::Relaxed) != epoch {
            // A child after fork(): the parent's connections are neither used nor closed. The
            // lock may be held by a thread of the parent, which does not exist here: never
            // wait for it (while it stays held, this process keeps no connection).
            let mut idle = match self.idle.try_lock() {
                Ok(idle) => idle,
                Err(TryLockError::Poisoned(p)) => p.into_inner(),
                Err(TryLockError::WouldBlock) => return None,
            };
            if self.epoch.load(Ordering::Relaxed) != epoch {
                std::mem::forget(std::mem::take(&mut *idle));
                self.epoch.store(epoch, Ordering::Relaxed);
            }
            return None;
        }
        let mut idle = self.idle.lock().unwrap_or_else(|p| p.into_inner());
        loop {
            let i = idle.iter().rposition(|c| c.pooled.origin == origin)?;
            let Idle { mut pooled, since } = idle.remove(i);
            if since.elapsed() <= MAX_IDLE_AGE && pooled.conn.is_open() {
                return Some(pooled);
            }
            // Closed by the server, or too old: dropped (closed) outside the lock.
            drop(idle);
            drop(pooled);
            idle = self.idle.lock().unwrap_or_else(|p| p.into_inner());
        }
    }

    /// Keeps `pooled` for the next request to its origin (its reply was read to the end).
    pub(super) fn put(&self, pooled: Pooled) {
        if self.epoch.load(Ordering::Relaxed) != process_epoch() {
            return; // not this process's pool yet: take() settles it
        }
        let mut idle = self.idle.lock().unwrap_or_else(|p| p.into_inner());
        let mut evicted = None;
        let same = idle
            .iter()
            .filter(|c| c.pooled.origin == pooled.origin)
            .count();
        if same >= MAX_IDLE_PER_ORIGIN {
            let oldest = idle.iter().position(|c| c.pooled.origin == pooled.origin);
            evicted = oldest.map(|i| idle.remove(i));
        } else if idle.len() >= MAX_IDLE {
            evicted = Some(idle.remove(0));
        }
        idle.push(Idle {
            pooled,
            since: Instant::now(),
        });
        drop(idle);
        drop(evicted);
    }

    /// How many connections are idle (tests).
    #[cfg(test)]
    fn len(&self) -> usize {
        self.idle.lock().unwrap().len()
    }
}

/// The epoch of this process: the same value until a `fork()`, another one in the child.
fn process_epoch() -> u64 {
    static WORD: OnceLock<Option<&'static AtomicU64>> = OnceLock::new();
    /// Epochs handed out; a child continues from its parent's count, so never repeats one its
    /// pools remember.
    static NEXT: AtomicU64 = AtomicU64::new(1);
    match WORD.get_or_init(wipe_on_fork_word) {
        Some(word) => match word.load(Ordering::Acquire) {
            0 => {
                let fresh = NEXT.fetch_add(1, Ordering::Relaxed);
                match word.compare_exchange(0, fresh, Ordering::AcqRel, Ordering::Acquire) {
                    Ok(_) => fresh,
                    Err(current) => current,
                }
            }
            epoch => epoch,
        },
        None => u64::from(std::process::id()),
    }
}

/// A word in a page that a child process sees zeroed, if the kernel offers it.
#[cfg(target_os = "linux")]
fn wipe_on_fork_word() -> Option<&'static AtomicU64> {
    // SAFETY: sysconf has no preconditions; mmap of a fresh anonymous private mapping; the
    // page is never unmapped, so the reference stays valid for the life of the process; a
    // zeroed page is a valid AtomicU64.
    unsafe {
        let size = usize::try_from(libc::sysconf(libc::_SC_PAGESIZE)).ok()?;
        let page = libc::mmap(
            std::ptr::null_mut(),
            size,
            libc::PROT_READ | libc::PROT_WRITE,
            libc::MAP_PRIVATE | libc::MAP_ANONYMOUS,
            -1,
            0,
        );
        if page == libc::MAP_FAILED {
            return None;
        }
        if libc::madvise(page, size, libc::MADV_WIPEONFORK) != 0 {
            libc::munmap(page, size);
            return None;
        }
        Some(&*page.cast::<AtomicU64>())
    }
}

/// Elsewhere the process id tells a child.
#[cfg(not(target_os = "linux"))]
fn wipe_on_fork_word() -> Option<&'static AtomicU64> {
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::AtomicBool;
    use std::sync::Arc;
    use ureq::unversioned::transport::{Buffers, LazyBuffers, NextTimeout};

    /// A connection that says whether it is open, and records being dropped.
    #[derive(Debug)]
    struct Fake {
        buffers: LazyBuffers,
        open: bool,
        probes: Arc<AtomicU64>,
        dropped: Arc<AtomicBool>,
    }

    impl Drop for Fake {
        fn drop(&mut self) {
            self.dropped.store(true, Ordering::SeqCst);
        }
    }

    impl Connection for Fake {
        fn buffers(&mut self) -> &mut dyn Buffers {
            &mut self.buffers
        }
        fn transmit_output(&mut self, _: usize, _: NextTimeout) -> Result<(), ureq::Error> {
            Ok(())
        }
        fn await_input(&mut self, _: NextTimeout) -> Result<bool, ureq::Error> {
            Ok(false)
        }
        fn is_open(&mut self) -> bool {
            self.probes.fetch_add(1, Ordering::SeqCst);
            self.open
        }
    }

    fn fake(origin: &str, open: bool) -> (Pooled, Arc<AtomicU64>, Arc<AtomicBool>) {
        let probes = Arc::new(AtomicU64::new(0));
        let dropped = Arc::new(AtomicBool::new(false));
        let conn = Fake {
            buffers: LazyBuffers::new(16, 16),
            open,
            probes: probes.clone(),
            dropped: dropped.clone(),
        };
        let pooled = Pooled {
            origin: origin.into(),
            conn: Box::new(conn),
        };
        (pooled, probes, dropped)
    }

    #[test]
    fn taken_by_origin_probed_once_and_closed_ones_dropped() {
        let pool = Pool::default();
        let (a, probes, _) = fake("http://a", true);
        pool.put(a);
        assert_eq!(probes.load(Ordering::SeqCst), 0, "no probe when returned");
        assert!(pool.take("http://b").is_none());
        let a = pool.take("http://a").expect("kept");
        assert_eq!(probes.load(Ordering::SeqCst), 1, "one probe when taken");
        assert!(pool.take("http://a").is_none(), "taken once");
        pool.put(a);
        let (closed, _, dropped) = fake("http://a", false);
        pool.put(closed);
        let again = pool
            .take("http://a")
            .expect("the open one, under the closed one");
        assert!(dropped.load(Ordering::SeqCst), "the closed one was dropped");
        assert_eq!(again.origin, "http://a");
        assert_eq!(pool.len(), 0);
    }

    #[test]
    fn bounded_per_origin_and_in_all() {
        let pool = Pool::default();
        let mut first = Vec::new();
        for _ in 0..MAX_IDLE_PER_ORIGIN + 2 {
            let (c, _, dropped) = fake("http://a", true);
            first.push(dropped);
            pool.put(c);
        }
        assert_eq!(pool.len(), MAX_IDLE_PER_ORIGIN);
        assert!(first[0].load(Ordering::SeqCst) && first[1].load(Ordering::SeqCst));
        for i in 0..MAX_IDLE * 2 {
            pool.put(fake(&format!("http://h{i}"), true).0);
        }
        assert_eq!(pool.len(), MAX_IDLE);
    }

    #[test]
    fn the_epoch_is_stable_within_a_process() {
        let e = process_epoch();
        assert_ne!(e, 0);
        assert_eq!(process_epoch(), e);
        #[cfg(target_os = "linux")]
        assert!(
            wipe_on_fork_word().is_some(),
            "MADV_WIPEONFORK available here"
        );
    }

    #[test]
    fn another_epoch_drops_the_idle_connections_without_closing_them() {
        let pool = Pool::default();
        let (c, probes, dropped) = fake("http://a", true);
        pool.put(c);
        pool.epoch.store(u64::MAX, Ordering::Relaxed); // as a child sees it
        assert!(pool.take("http://a").is_none());
        assert!(!dropped.load(Ordering::SeqCst), "forgotten, not closed");
        assert_eq!(probes.load(Ordering::SeqCst), 0, "never touched");
        assert_eq!(pool.len(), 0);
        pool.put(fake("http://a", true).0);
        assert!(pool.take("http://a").is_some(), "the pool works again");
    }

    #[test]
    fn a_child_never_waits_for_a_lock_held_at_fork() {
        let pool = Pool::default();
        pool.put(fake("http://a", true).0);
        let (c, _, dropped) = fake("http://a", true);
        let held = pool.idle.lock().unwrap(); // as by a parent's thread at fork()
        pool.epoch.store(u64::MAX, Ordering::Relaxed); // as a child sees it
        assert!(pool.take("http://a").is_none(), "no wait, no connection");
        pool.put(c);
        assert!(
            dropped.load(Ordering::SeqCst),
            "the child's own connection is closed"
        );
        drop(held);
        assert!(
            pool.take("http://a").is_none(),
            "the parent's connections are forgotten"
        );
        pool.put(fake("http://a", true).0);
        assert!(pool.take("http://a").is_some(), "the pool works again");
    }
}
