//! Signed callback delivery from one background thread: per-transaction FIFO queues, the
//! documented retry schedule (scaled for tests), and a bounded log of every attempt.

use std::collections::{BTreeMap, HashMap, VecDeque};
use std::io::{Read, Write};
use std::net::{TcpStream, ToSocketAddrs};
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use serde_json::{json, Value};

use crate::sign::Signer;

/// G3: minutes to wait after each failed attempt; 13 attempts in all.
pub const RETRY_MINUTES: [u64; 12] = [1, 5, 15, 30, 60, 90, 120, 180, 240, 240, 240, 240];
const LOG_CAP: usize = 5000;
const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);
const IO_TIMEOUT: Duration = Duration::from_secs(10);

struct Pending {
    body: Arc<[u8]>,
    attempts: u32,
    due: Instant,
}

struct Inner {
    url: Option<String>,
    /// Transaction id -> its callbacks, oldest first; only the head is ever in flight.
    queues: BTreeMap<u64, VecDeque<Pending>>,
    /// Latest body per transaction, for "repeat callback".
    latest: HashMap<u64, Arc<[u8]>>,
    log: VecDeque<Value>,
    seq: u64,
}

pub struct Dispatcher {
    inner: Mutex<Inner>,
    wake: Condvar,
    key: String,
    signer: Signer,
    scale: f64,
}

impl Dispatcher {
    pub fn new(key: String, signer: Signer, url: Option<String>, scale: f64) -> Dispatcher {
        Dispatcher {
            inner: Mutex::new(Inner {
                url,
                queues: BTreeMap::new(),
                latest: HashMap::new(),
                log: VecDeque::new(),
                seq: 0,
            }),
            wake: Condvar::new(),
            key,
            signer,
            scale,
        }
    }

    fn lock(&self) -> MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Queues a callback behind the earlier ones of the same transaction.
    pub fn enqueue(&self, txn: u64, body: Vec<u8>) {
        let body: Arc<[u8]> = body.into();
        let mut inner = self.lock();
        inner.latest.insert(txn, body.clone());
        if inner.url.is_none() {
            let entry = log_entry(
                &mut inner,
                txn,
                None,
                &body,
                0,
                None,
                Some("no callback URL set"),
            );
            push_log(&mut inner, entry);
            return;
        }
        inner.queues.entry(txn).or_default().push_back(Pending {
            body,
            attempts: 0,
            due: Instant::now(),
        });
        self.wake.notify_all();
    }

    /// Sends the latest callback of a transaction again, as a fresh delivery.
    pub fn repeat(&self, txn: u64) -> bool {
        let body = self.lock().latest.get(&txn).cloned();
        match body {
            Some(b) => {
                self.enqueue(txn, b.to_vec());
                true
            }
            None => false,
        }
    }

    pub fn url(&self) -> Option<String> {
        self.lock().url.clone()
    }

    pub fn set_url(&self, url: Option<String>) {
        self.lock().url = url;
        self.wake.notify_all();
    }

    /// Forgets queues, history and log; sets the URL.
    pub fn reset(&self, url: Option<String>) {
        let mut inner = self.lock();
        inner.url = url;
        inner.queues.clear();
        inner.latest.clear();
        inner.log.clear();
    }

    pub fn log_json(&self) -> Value {
        let inner = self.lock();
        let queued: usize = inner.queues.values().map(VecDeque::len).sum();
        json!({
            "url": inner.url,
            "queued": queued,
            "attempts": inner.log.iter().cloned().collect::<Vec<_>>(),
        })
    }

    /// The delivery loop; runs for the life of the process.
    pub fn run(self: Arc<Self>) {
        loop {
            let (txn, body, attempt, url) = {
                let mut inner = self.lock();
                loop {
                    let next = inner
                        .queues
                        .iter()
                        .filter_map(|(t, q)| q.front().map(|p| (p.due, *t)))
                        .min();
                    match next {
                        None => inner = self.wake.wait(inner).unwrap_or_else(|e| e.into_inner()),
                        Some((due, txn)) => {
                            let now = Instant::now();
                            if due <= now {
                                let head = inner.queues[&txn].front().expect("non-empty queue");
                                let job =
                                    (txn, head.body.clone(), head.attempts + 1, inner.url.clone());
                                break job;
                            }
                            inner = self
                                .wake
                                .wait_timeout(inner, due - now)
                                .unwrap_or_else(|e| e.into_inner())
                                .0;
                        }
                    }
                }
            };
            let outcome = match &url {
                Some(u) => self.deliver(u, &body),
                None => Err("no callback URL set".to_string()),
            };
            let mut inner = self.lock();
            let (status, error) = match &outcome {
                Ok(s) => (Some(*s), None),
                Err(e) => (None, Some(e.as_str())),
            };
            let entry = log_entry(
                &mut inner,
                txn,
                url.as_deref(),
                &body,
                attempt,
                status,
                error,
            );
            push_log(&mut inner, entry);
            let Some(queue) = inner.queues.get_mut(&txn) else {
                continue; // reset while delivering
            };
            let done = status == Some(200) || attempt as usize > RETRY_MINUTES.len();
            if done {
                queue.pop_front();
                if queue.is_empty() {
                    inner.queues.remove(&txn);
                }
            } else if let Some(head) = queue.front_mut() {
                head.attempts = attempt;
                let minutes = RETRY_MINUTES[attempt as usize - 1] as f64;
                head.due = Instant::now() + Duration::from_secs_f64(minutes * 60.0 * self.scale);
            }
        }
    }

    /// One POST; the HTTP status, or why there was none.
    fn deliver(&self, url: &str, body: &[u8]) -> Result<u16, String> {
        let (authority, host, port, path) =
            parse_http_url(url).ok_or("callback URL is not http://host[:port]/path")?;
        let addr = (host.as_str(), port)
            .to_socket_addrs()
            .map_err(|e| format!("resolve: {e}"))?
            .next()
            .ok_or("resolve: no address")?;
        let mut s = TcpStream::connect_timeout(&addr, CONNECT_TIMEOUT)
            .map_err(|e| format!("connect: {e}"))?;
        let _ = s.set_read_timeout(Some(IO_TIMEOUT));
        let _ = s.set_write_timeout(Some(IO_TIMEOUT));
        let mut req = format!(
            "POST {path} HTTP/1.1\r\nHost: {authority}\r\nContent-Type: application/json\r\n\
             X-Processing-Key: {}\r\nX-Processing-Signature: {}\r\nContent-Length: {}\r\n\
             User-Agent: alphapo-sandbox\r\nConnection: close\r\n\r\n",
            self.key,
            self.signer.sign(body),
            body.len()
        )
        .into_bytes();
        req.extend_from_slice(body);
        s.write_all(&req).map_err(|e| format!("send: {e}"))?;
        let mut head = Vec::new();
        let mut buf = [0u8; 1024];
        while !head.windows(2).any(|w| w == b"\r\n") && head.len() < 8192 {
            match s.read(&mut buf) {
                Ok(0) => break,
                Ok(n) => head.extend_from_slice(&buf[..n]),
                Err(e) => return Err(format!("receive: {e}")),
            }
        }
        let line = String::from_utf8_lossy(&head);
        line.split(' ')
            .nth(1)
            .and_then(|c| c.trim().parse().ok())
            .ok_or_else(|| "no HTTP status line in the reply".to_string())
    }
}

fn push_log(inner: &mut Inner, entry: Value) {
    if inner.log.len() >= LOG_CAP {
        inner.log.pop_front();
    }
    inner.log.push_back(entry);
}

fn log_entry(
    inner: &mut Inner,
    txn: u64,
    url: Option<&str>,
    body: &[u8],
    attempt: u32,
    status: Option<u16>,
    error: Option<&str>,
) -> Value {
    inner.seq += 1;
    let at_ms = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_millis() as u64)
        .unwrap_or(0);
    json!({
        "seq": inner.seq,
        "transaction_id": txn,
        "url": url,
        "attempt": attempt,
        "response_status": status,
        "error": error,
        "at_ms": at_ms,
        "body": String::from_utf8_lossy(body),
    })
}

/// `http://host[:port][/path]` -> (authority, host, port, path).
pub fn parse_http_url(url: &str) -> Option<(String, String, u16, String)> {
    let rest = url.strip_prefix("http://")?;
    let (authority, path) = match rest.find(['/', '?']) {
        Some(i) if rest.as_bytes()[i] == b'/' => (&rest[..i], &rest[i..]),
        Some(i) => (&rest[..i], ""),
        None => (rest, ""),
    };
    let (host, port) = match authority.strip_prefix('[') {
        Some(r) => {
            let (h, tail) = r.split_once(']')?;
            (h, tail.strip_prefix(':'))
        }
        None => match authority.rsplit_once(':') {
            Some((h, p)) => (h, Some(p)),
            None => (authority, None),
        },
    };
    let port = match port {
        Some(p) => p.parse().ok()?,
        None => 80,
    };
    if host.is_empty() {
        return None;
    }
    let path = if path.is_empty() { "/" } else { path };
    Some((
        authority.to_string(),
        host.to_string(),
        port,
        path.to_string(),
    ))
}
