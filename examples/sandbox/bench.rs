//! A small load generator for the sandbox: keep-alive connections, signed requests, the
//! throughput in requests per second.
//!
//! cargo build --release --example sandbox --example sandbox-bench
//! target/release/examples/sandbox-bench http://127.0.0.1:PORT/api/v2 [--connections 8]
//!     [--seconds 5] [--op accounts|invoice|ping] [--key K --secret S]

use std::io::{Read, Write};
use std::net::TcpStream;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::thread;
use std::time::{Duration, Instant};

// The sandbox's own signer (the load generator signs, it never verifies).
#[allow(dead_code)]
mod sign;

use sign::Signer;

struct Opts {
    addr: String,
    prefix: String,
    connections: usize,
    seconds: u64,
    op: String,
    key: String,
    secret: String,
}

fn opts() -> Result<Opts, String> {
    let mut args = std::env::args().skip(1);
    let url = args
        .next()
        .ok_or("usage: sandbox-bench http://HOST:PORT/api/v2 [options]")?;
    let rest = url.strip_prefix("http://").ok_or("plain http:// only")?;
    let (addr, prefix) = rest.split_once('/').unwrap_or((rest, "api/v2"));
    let mut o = Opts {
        addr: addr.to_string(),
        prefix: format!("/{}", prefix.trim_end_matches('/')),
        connections: 8,
        seconds: 5,
        op: "accounts".into(),
        key: "sandbox-key".into(),
        secret: "sandbox-secret".into(),
    };
    while let Some(flag) = args.next() {
        let value = args.next().ok_or(format!("{flag} needs a value"))?;
        match flag.as_str() {
            "--connections" => o.connections = value.parse().map_err(|_| "bad --connections")?,
            "--seconds" => o.seconds = value.parse().map_err(|_| "bad --seconds")?,
            "--op" => o.op = value,
            "--key" => o.key = value,
            "--secret" => o.secret = value,
            _ => return Err(format!("unknown option {flag}")),
        }
    }
    Ok(o)
}

/// The next request's bytes: reads repeat one request, invoices need a fresh foreign_id.
fn request(o: &Opts, worker: usize, n: u64) -> Vec<u8> {
    let (method, path, body) = match o.op.as_str() {
        "ping" => ("GET", "/ping", String::new()),
        "invoice" => (
            "POST",
            "/invoices/create",
            format!(
                r#"{{"timer":true,"title":"Bench","currency":"EUR","amount":"100","foreign_id":"b-{worker}-{n}","end_user_reference":"bench"}}"#
            ),
        ),
        _ => ("POST", "/accounts/list", "{}".to_string()),
    };
    format!(
        "{method} {}{path} HTTP/1.1\r\nHost: {}\r\nContent-Type: application/json\r\n\
         X-Processing-Key: {}\r\nX-Processing-Signature: {}\r\nContent-Length: {}\r\n\r\n{body}",
        o.prefix,
        o.addr,
        o.key,
        Signer::new(o.secret.as_bytes()).sign(body.as_bytes()),
        body.len()
    )
    .into_bytes()
}

/// Reads one response; returns its status.
fn response(s: &mut TcpStream, buf: &mut Vec<u8>) -> Option<u16> {
    let mut chunk = [0u8; 16384];
    loop {
        if let Some(end) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            let head = std::str::from_utf8(&buf[..end]).ok()?;
            let status = head.split(' ').nth(1)?.parse().ok()?;
            let len: usize = head
                .split("\r\n")
                .find_map(|l| {
                    l.split_once(':')
                        .filter(|(n, _)| n.eq_ignore_ascii_case("content-length"))
                })
                .and_then(|(_, v)| v.trim().parse().ok())?;
            while buf.len() < end + 4 + len {
                let n = s.read(&mut chunk).ok().filter(|n| *n > 0)?;
                buf.extend_from_slice(&chunk[..n]);
            }
            buf.drain(..end + 4 + len);
            return Some(status);
        }
        let n = s.read(&mut chunk).ok().filter(|n| *n > 0)?;
        buf.extend_from_slice(&chunk[..n]);
    }
}

fn main() {
    let o = match opts() {
        Ok(o) => Arc::new(o),
        Err(e) => {
            eprintln!("sandbox-bench: {e}");
            std::process::exit(2);
        }
    };
    let stop = Arc::new(AtomicBool::new(false));
    let done = Arc::new(AtomicU64::new(0));
    let errors = Arc::new(AtomicU64::new(0));
    let workers: Vec<_> = (0..o.connections)
        .map(|w| {
            let (o, stop, done, errors) = (o.clone(), stop.clone(), done.clone(), errors.clone());
            thread::spawn(move || {
                let mut s = TcpStream::connect(&o.addr).expect("connect");
                s.set_nodelay(true).ok();
                let mut buf = Vec::new();
                let mut n = 0u64;
                let fixed = request(&o, w, 0);
                while !stop.load(Ordering::Relaxed) {
                    let req = if o.op == "invoice" {
                        request(&o, w, n)
                    } else {
                        fixed.clone()
                    };
                    n += 1;
                    if s.write_all(&req).is_err() {
                        errors.fetch_add(1, Ordering::Relaxed);
                        return;
                    }
                    match response(&mut s, &mut buf) {
                        Some(200 | 201) => done.fetch_add(1, Ordering::Relaxed),
                        Some(_) => errors.fetch_add(1, Ordering::Relaxed),
                        None => {
                            errors.fetch_add(1, Ordering::Relaxed);
                            return;
                        }
                    };
                }
            })
        })
        .collect();
    let start = Instant::now();
    thread::sleep(Duration::from_secs(o.seconds));
    stop.store(true, Ordering::Relaxed);
    let elapsed = start.elapsed().as_secs_f64();
    for w in workers {
        let _ = w.join();
    }
    let n = done.load(Ordering::Relaxed);
    println!(
        "{} {}: {n} requests in {elapsed:.2} s over {} connections = {:.0} requests/s ({} errors)",
        o.op,
        o.addr,
        o.connections,
        n as f64 / elapsed,
        errors.load(Ordering::Relaxed)
    );
}
