//! The HTTP/1.1 exchange against a scripted server: kept-alive connections reused and given
//! up when the server closes them, chunked and close-delimited bodies, `Connection: close`
//! honoured, and hostile or cut-short replies failing as "may have reached the server".

use alphapo::{Client, OperationKind, Request, Status};
use std::io::{Read, Write};
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

/// What the server does after writing a reply.
#[derive(Clone, Copy, PartialEq)]
enum After {
    KeepOpen,
    Close,
}

/// A server that answers request `n` (counted over all connections) with `reply(n)`.
struct Server {
    addr: SocketAddr,
    connections: Arc<AtomicUsize>,
    requests: Arc<AtomicUsize>,
}

/// Reads one request (head and `Content-Length` body); `false` at end of stream.
fn read_request(stream: &mut TcpStream) -> bool {
    let mut head = Vec::new();
    let mut byte = [0u8; 1];
    while !head.ends_with(b"\r\n\r\n") {
        match stream.read(&mut byte) {
            Ok(1) => head.push(byte[0]),
            _ => return false,
        }
    }
    let text = String::from_utf8_lossy(&head).to_ascii_lowercase();
    let length = text
        .lines()
        .find_map(|l| l.strip_prefix("content-length:"))
        .map_or(0, |v| v.trim().parse::<usize>().unwrap());
    let mut body = vec![0u8; length];
    stream.read_exact(&mut body).is_ok()
}

impl Server {
    fn start(reply: impl Fn(usize) -> (Vec<u8>, After) + Send + Sync + 'static) -> Server {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        let connections = Arc::new(AtomicUsize::new(0));
        let requests = Arc::new(AtomicUsize::new(0));
        let reply = Arc::new(reply);
        let (c, r) = (connections.clone(), requests.clone());
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(mut stream) = stream else { return };
                c.fetch_add(1, Ordering::SeqCst);
                let (r, reply) = (r.clone(), reply.clone());
                std::thread::spawn(move || {
                    while read_request(&mut stream) {
                        let n = r.fetch_add(1, Ordering::SeqCst);
                        let (bytes, after) = reply(n);
                        let _ = stream.write_all(&bytes);
                        if after == After::Close {
                            let _ = stream.shutdown(Shutdown::Both);
                            return;
                        }
                    }
                });
            }
        });
        Server {
            addr,
            connections,
            requests,
        }
    }

    fn client(&self) -> Client {
        Client::builder("k", b"s")
            .base_url(&format!("http://{}/api/v2", self.addr), false)
            .timeout(Duration::from_secs(5))
            .max_retries(0)
            .max_response_bytes(1024)
            .build()
            .unwrap()
    }

    fn connections(&self) -> usize {
        self.connections.load(Ordering::SeqCst)
    }
}

const ACCOUNTS: &str = r#"{"data":[]}"#;

fn accounts(c: &Client) -> alphapo::Result<alphapo::Response> {
    c.execute(&Request::from_json(OperationKind::AccountsList, "{}").unwrap())
}

fn with_length(extra: &str, body: &str) -> Vec<u8> {
    format!(
        "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n{extra}Content-Length: {}\r\n\r\n{body}",
        body.len()
    )
    .into_bytes()
}

#[test]
fn a_kept_alive_connection_serves_every_request_chunked_or_not() {
    let server = Server::start(|n| {
        let reply = if n % 2 == 0 {
            with_length("", ACCOUNTS)
        } else {
            b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n4;a=b\r\n{\"da\r\n7\r\nta\":[]}\r\n0\r\nX-Trailer: 1\r\n\r\n".to_vec()
        };
        (reply, After::KeepOpen)
    });
    let c = server.client();
    for _ in 0..6 {
        accounts(&c).unwrap();
    }
    assert_eq!(server.connections(), 1, "one connection for all six");
    assert_eq!(server.requests.load(Ordering::SeqCst), 6);
}

#[test]
fn connection_close_and_close_delimited_bodies_end_the_connection() {
    let server = Server::start(|n| match n % 2 {
        0 => (
            with_length("Connection: close\r\n", ACCOUNTS),
            After::KeepOpen,
        ),
        _ => (
            format!("HTTP/1.1 200 OK\r\n\r\n{ACCOUNTS}").into_bytes(),
            After::Close,
        ),
    });
    let c = server.client();
    for _ in 0..4 {
        accounts(&c).unwrap();
    }
    assert_eq!(server.connections(), 4, "none reused");
}

#[test]
fn a_connection_the_server_closed_while_idle_is_not_used() {
    let server = Server::start(|_| (with_length("", ACCOUNTS), After::Close));
    let c = server.client();
    accounts(&c).unwrap();
    std::thread::sleep(Duration::from_millis(50)); // the close reaches the client
    accounts(&c).expect("a fresh connection, not the closed one (no retries allowed)");
    assert_eq!(server.connections(), 2);
}

fn withdrawal() -> Request {
    Request::from_json(
        OperationKind::WithdrawalCrypto,
        r#"{"currency":"BTC","address":"tb1q","amount":"0.001","foreign_id":"w-1"}"#,
    )
    .unwrap()
}

#[test]
fn hostile_or_cut_short_replies_may_have_reached_the_server() {
    let chunked = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n";
    let replies: Vec<(String, Status)> = vec![
        (format!("{chunked}10\r\nonly a few"), Status::Transport),
        (format!("{chunked}zz\r\n"), Status::Transport),
        (
            format!("{chunked}ffffffffffffffffff\r\n"),
            Status::Transport,
        ),
        (format!("{chunked}800\r\n"), Status::Decode),
        (
            "HTTP/1.1 200 OK\r\nContent-Length: 50\r\n\r\n{".into(),
            Status::Transport,
        ),
        ("NOT HTTP AT ALL\r\n\r\n".into(), Status::Transport),
        (
            format!("HTTP/1.1 200 OK\r\nX: {}", "a".repeat(70_000)),
            Status::Transport,
        ),
        (String::new(), Status::Transport),
    ];
    let expected: Vec<Status> = replies.iter().map(|r| r.1).collect();
    let replies: Vec<String> = replies.into_iter().map(|r| r.0).collect();
    let server = Server::start(move |n| (replies[n].clone().into_bytes(), After::Close));
    let c = server.client();
    for (i, want) in expected.into_iter().enumerate() {
        let e = c.execute(&withdrawal()).unwrap_err();
        assert_eq!(e.status(), Status::OutcomeUnknown, "reply {i}: {e:?}");
        assert_eq!(e.cause(), Some(want), "reply {i}: {e:?}");
        let record = e.attempts().expect("an attempt record");
        assert_eq!(record.attempts.len(), 1, "reply {i}: never sent twice");
        assert!(record.attempts[0].may_have_reached, "reply {i}");
    }
    assert_eq!(server.connections(), 8);
}

#[test]
fn nothing_listening_is_a_definite_failure() {
    let addr = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap();
    let c = Client::builder("k", b"s")
        .base_url(&format!("http://{addr}/api/v2"), false)
        .max_retries(0)
        .build()
        .unwrap();
    let e = c.execute(&withdrawal()).unwrap_err();
    assert_eq!(e.status(), Status::Transport, "{e:?}");
    assert!(!e.attempts().unwrap().attempts[0].may_have_reached);
}
