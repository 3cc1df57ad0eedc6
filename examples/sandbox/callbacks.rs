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

/// `http://host[:port][/path][?query]` -> (authority, host, port, path), parsed strictly:
/// every byte visible ASCII (no spaces, no control characters: a CR/LF would split the request
/// head written from it), the scheme `http` (any case; the sandbox has no TLS client, so no
/// https), a host (a name of letters, digits, `-`, `.`, `_`, or an IP literal), no user info,
/// an optional port 1-65535, no fragment.
pub fn parse_http_url(url: &str) -> Option<(String, String, u16, String)> {
    if !url.bytes().all(|b| b.is_ascii_graphic()) {
        return None;
    }
    let (scheme, rest) = url.split_once("://")?;
    if !scheme.eq_ignore_ascii_case("http") || rest.contains('#') {
        return None;
    }
    let (authority, path) = match rest.find(['/', '?']) {
        Some(i) if rest.as_bytes()[i] == b'/' => (&rest[..i], &rest[i..]),
        Some(i) => (&rest[..i], &rest[i..]),
        None => (rest, ""),
    };
    let (host, port) = match authority.strip_prefix('[') {
        Some(r) => {
            let (h, tail) = r.split_once(']')?;
            h.parse::<std::net::Ipv6Addr>().ok()?;
            match tail {
                "" => (h, None),
                _ => (h, Some(tail.strip_prefix(':')?)),
            }
        }
        None => match authority.split_once(':') {
            Some((h, p)) => (h, Some(p)),
            None => (authority, None),
        },
    };
    let name_ok = |h: &str| {
        !h.is_empty()
            && h.bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_'))
    };
    if !authority.starts_with('[') && !name_ok(host) {
        return None;
    }
    let port = match port {
        Some(p) if !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()) => {
            p.parse::<u16>().ok().filter(|p| *p > 0)?
        }
        Some(_) => return None,
        None => 80,
    };
    let path = match path {
        "" => "/".to_string(),
        p if p.starts_with('?') => format!("/{p}"),
        p => p.to_string(),
    };
    Some((authority.to_string(), host.to_string(), port, path))
}

#[cfg(test)]
mod tests {
    use super::parse_http_url;

    #[test]
    fn callback_urls_are_parsed_strictly() {
        let ok = |u: &str| parse_http_url(u).map(|(a, h, p, path)| (a, h, p, path));
        assert_eq!(
            ok("http://127.0.0.1:9000/alphapo/callback?x=1"),
            Some((
                "127.0.0.1:9000".into(),
                "127.0.0.1".into(),
                9000,
                "/alphapo/callback?x=1".into()
            ))
        );
        assert_eq!(
            ok("HTTP://shop.example.com"),
            Some((
                "shop.example.com".into(),
                "shop.example.com".into(),
                80,
                "/".into()
            ))
        );
        assert_eq!(
            ok("http://[::1]:8/cb"),
            Some(("[::1]:8".into(), "::1".into(), 8, "/cb".into()))
        );
        assert_eq!(ok("http://h?q").map(|t| t.3), Some("/?q".to_string()));
        for bad in [
            "",
            "http://127.0.0.1:9/cb\r\nX-Injected: 1",
            "http://127.0.0.1:9/cb\n",
            "http://127.0.0.1\r:9/",
            "http://127.0.0.1:9/a b",
            " http://127.0.0.1:9/",
            "http://127.0.0.1:9/\t",
            "http://127.0.0.1:9/\u{7f}",
            "http://127.0.0.1:9/é",
            "https://127.0.0.1:9/",
            "ftp://127.0.0.1/",
            "127.0.0.1:9/",
            "http://",
            "http:///cb",
            "http://:80/cb",
            "http://user:pw@127.0.0.1/",
            "http://127.0.0.1:/",
            "http://127.0.0.1:0/",
            "http://127.0.0.1:65536/",
            "http://127.0.0.1:80:80/",
            "http://127.0.0.1/#frag",
            "http://[::1/",
            "http://[nothost]/",
            "http://[::1]x/",
            "http://ho%st/",
        ] {
            assert_eq!(parse_http_url(bad), None, "{bad:?}");
        }
    }
}
