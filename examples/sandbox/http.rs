//! Hand-written HTTP/1.1 over plain TCP or rustls: request framing by Content-Length,
//! keep-alive, byte-level control of what goes back (the faults need it).

use std::io::{self, Read, Write};
use std::net::{Shutdown, TcpStream};

pub const MAX_HEAD: usize = 32 * 1024;
pub const MAX_BODY: usize = 1024 * 1024;

pub enum Io {
    Plain(TcpStream),
    Tls(Box<rustls::StreamOwned<rustls::ServerConnection, TcpStream>>),
}

impl Io {
    pub fn tcp(&self) -> &TcpStream {
        match self {
            Io::Plain(s) => s,
            Io::Tls(s) => &s.sock,
        }
    }

    /// Closes the socket without a TLS close_notify: what the client sees as a dropped connection.
    pub fn abort(&self) {
        let _ = self.tcp().shutdown(Shutdown::Both);
    }
}

impl Read for Io {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        match self {
            Io::Plain(s) => s.read(buf),
            Io::Tls(s) => s.read(buf),
        }
    }
}

impl Write for Io {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        match self {
            Io::Plain(s) => s.write(buf),
            Io::Tls(s) => s.write(buf),
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        match self {
            Io::Plain(s) => s.flush(),
            Io::Tls(s) => s.flush(),
        }
    }
}

pub struct Request {
    pub method: String,
    /// The path without its query string.
    pub path: String,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
    pub keep_alive: bool,
}

impl Request {
    /// First header of that name, compared case-insensitively.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// Every header of that name, in order.
    pub fn headers_named<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a str> + 'a {
        self.headers
            .iter()
            .filter(move |(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

pub struct Response {
    pub status: u16,
    pub content_type: &'static str,
    pub body: Vec<u8>,
    /// A `Retry-After` header, in seconds.
    pub retry_after: Option<u64>,
}

impl Response {
    pub fn json(status: u16, body: Vec<u8>) -> Response {
        Response {
            status,
            content_type: "application/json",
            body,
            retry_after: None,
        }
    }

    pub fn text(status: u16, content_type: &'static str, body: &str) -> Response {
        Response {
            status,
            content_type,
            body: body.as_bytes().to_vec(),
            retry_after: None,
        }
    }

    /// Status line and headers; `length` is what Content-Length announces.
    pub fn head(&self, length: usize, close: bool) -> Vec<u8> {
        let retry_after = self
            .retry_after
            .map(|s| format!("Retry-After: {s}\r\n"))
            .unwrap_or_default();
        format!(
            "HTTP/1.1 {} {}\r\nContent-Type: {}\r\nContent-Length: {}\r\n{}Server: alphapo-sandbox\r\nConnection: {}\r\n\r\n",
            self.status,
            reason(self.status),
            self.content_type,
            length,
            retry_after,
            if close { "close" } else { "keep-alive" }
        )
        .into_bytes()
    }

    pub fn to_bytes(&self, close: bool) -> Vec<u8> {
        let mut out = self.head(self.body.len(), close);
        out.extend_from_slice(&self.body);
        out
    }
}

pub fn reason(status: u16) -> &'static str {
    match status {
        100 => "Continue",
        200 => "OK",
        201 => "Created",
        400 => "Bad Request",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        409 => "Conflict",
        411 => "Length Required",
        413 => "Payload Too Large",
        415 => "Unsupported Media Type",
        429 => "Too Many Requests",
        431 => "Request Header Fields Too Large",
        500 => "Internal Server Error",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        _ => "Unknown",
    }
}

/// A request that could not be framed: answer with this status and close.
pub struct Malformed(pub u16, pub &'static str);

pub struct Conn {
    pub io: Io,
    buf: Vec<u8>,
}

impl Conn {
    pub fn new(io: Io) -> Conn {
        Conn {
            io,
            buf: Vec::with_capacity(4096),
        }
    }

    /// Reads one request. `Ok(None)`: the peer closed (or went idle) between requests.
    pub fn read_request(&mut self) -> Result<Option<Request>, Malformed> {
        let head_end = loop {
            while self.buf.starts_with(b"\r\n") {
                self.buf.drain(..2);
            }
            if let Some(i) = find(&self.buf, b"\r\n\r\n") {
                break i;
            }
            if self.buf.len() > MAX_HEAD {
                return Err(Malformed(431, "request head too large"));
            }
            if !self.fill() {
                return Ok(None);
            }
        };
        let head = std::str::from_utf8(&self.buf[..head_end])
            .map_err(|_| Malformed(400, "request head is not UTF-8"))?;
        let mut lines = head.split("\r\n");
        let mut parts = lines.next().unwrap_or("").split(' ');
        let (method, target, version) = match (parts.next(), parts.next(), parts.next()) {
            (Some(m), Some(t), Some(v)) if !m.is_empty() && v.starts_with("HTTP/1.") => (m, t, v),
            _ => return Err(Malformed(400, "bad request line")),
        };
        let mut headers = Vec::new();
        for line in lines {
            let (name, value) = line
                .split_once(':')
                .ok_or(Malformed(400, "bad header line"))?;
            headers.push((name.trim().to_string(), value.trim().to_string()));
        }
        let path = target.split('?').next().unwrap_or("").to_string();
        let mut req = Request {
            method: method.to_string(),
            path,
            headers,
            body: Vec::new(),
            keep_alive: version != "HTTP/1.0",
        };
        if let Some(c) = req.header("connection") {
            let c = c.to_ascii_lowercase();
            if c.contains("close") {
                req.keep_alive = false;
            } else if c.contains("keep-alive") {
                req.keep_alive = true;
            }
        }
        if req.header("transfer-encoding").is_some() {
            return Err(Malformed(411, "send the body with a Content-Length"));
        }
        let length = match req.header("content-length") {
            None => 0,
            Some(v) => v
                .parse::<usize>()
                .map_err(|_| Malformed(400, "bad Content-Length"))?,
        };
        if length > MAX_BODY {
            return Err(Malformed(413, "request body too large"));
        }
        self.buf.drain(..head_end + 4);
        if length > self.buf.len()
            && req
                .header("expect")
                .is_some_and(|e| e.eq_ignore_ascii_case("100-continue"))
        {
            let _ = self.io.write_all(b"HTTP/1.1 100 Continue\r\n\r\n");
        }
        while self.buf.len() < length {
            if !self.fill() {
                return Err(Malformed(400, "body shorter than Content-Length"));
            }
        }
        req.body = self.buf.drain(..length).collect();
        Ok(Some(req))
    }

    /// Reads more bytes; false on end of stream, timeout or error.
    fn fill(&mut self) -> bool {
        let mut chunk = [0u8; 16 * 1024];
        match self.io.read(&mut chunk) {
            Ok(0) | Err(_) => false,
            Ok(n) => {
                self.buf.extend_from_slice(&chunk[..n]);
                true
            }
        }
    }

    pub fn send(&mut self, bytes: &[u8]) -> io::Result<()> {
        self.io.write_all(bytes)?;
        self.io.flush()
    }
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}
