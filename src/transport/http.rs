//! One HTTP/1.1 exchange on a connection: the request written whole (head and body in one
//! write), the reply's head parsed with `httparse`, its body read by `Content-Length`, by
//! chunked transfer coding, or to the end of the stream. Bounded everywhere: the head, a chunk
//! line and the trailers have caps, the body has the configured one, and every loop ends on
//! end of stream. Nothing here panics on what a server sends.

use crate::operations::Method;

/// Largest reply head (status line and headers), and largest trailer section.
pub(super) const MAX_HEAD: usize = 64 * 1024;
/// Largest chunk-size line (with its extensions).
const MAX_CHUNK_LINE: usize = 4096;
/// Most headers in a reply head.
const MAX_HEADERS: usize = 128;

/// The parts of a request URL the exchange needs (borrowed from the URL).
#[derive(Debug, PartialEq, Eq)]
pub(super) struct Target<'a> {
    /// `https`.
    pub(super) tls: bool,
    /// `scheme://host[:port]`: what a kept-alive connection serves.
    pub(super) origin: &'a str,
    /// `host[:port]` (the `Host` header).
    pub(super) authority: &'a str,
    /// The request target: path and query (`/` when the URL has no path).
    pub(super) path: &'a str,
}

/// Whether `b` may appear unencoded in a request path (as the `http` crate's URI parser
/// accepts it; `?` starts the query).
fn path_byte(b: u8) -> bool {
    matches!(b, 0x21 | 0x24..=0x3B | 0x3D | 0x40..=0x5F | 0x61..=0x7A | 0x7C | 0x7E | b'"' | b'{' | b'}' | 0x80..=0xFF)
}

/// Whether `b` may appear in a query.
fn query_byte(b: u8) -> bool {
    matches!(b, 0x21 | 0x24..=0x3B | 0x3D | 0x3F..=0x7E | 0x80..=0xFF)
}

impl<'a> Target<'a> {
    /// Splits `http(s)://host[:port][/path][?query][#fragment]`; the fragment is not sent.
    /// `None` for another scheme, no host, user information, or a byte a path or query may
    /// not hold.
    pub(super) fn parse(url: &'a str) -> Option<Target<'a>> {
        let starts = |prefix: &str| {
            url.get(..prefix.len())
                .is_some_and(|s| s.eq_ignore_ascii_case(prefix))
        };
        let (tls, rest) = if starts("https://") {
            (true, &url[8..])
        } else if starts("http://") {
            (false, &url[7..])
        } else {
            return None;
        };
        let end = rest
            .bytes()
            .position(|b| matches!(b, b'/' | b'?' | b'#'))
            .unwrap_or(rest.len());
        let authority = &rest[..end];
        if authority.is_empty()
            || !authority.bytes().all(|b| {
                b.is_ascii_alphanumeric()
                    || matches!(
                        b,
                        b'-' | b'.' | b'_' | b'~' | b':' | b'[' | b']' | b'%' | b'!' | b'$' | b'&'
                            ..=b',' | b';' | b'='
                    )
            })
        {
            return None;
        }
        let origin = &url[..url.len() - rest.len() + end];
        // The path up to a fragment (not sent); the query after `?` has its own bytes.
        let mut path = &rest[end..];
        let mut query = false;
        for (i, b) in path.bytes().enumerate() {
            if b == b'#' {
                path = &path[..i];
                break;
            }
            let allowed = if query {
                query_byte(b)
            } else {
                query = b == b'?';
                query || path_byte(b)
            };
            if !allowed {
                return None;
            }
        }
        let path = if path.is_empty() { "/" } else { path };
        Some(Target {
            tls,
            origin,
            authority,
            path,
        })
    }
}

/// Whether `b` may appear in a header name (a token character).
fn token_byte(b: u8) -> bool {
    matches!(b, b'0'..=b'9' | b'a'..=b'z' | b'A'..=b'Z' | b'!' | b'#'..=b'\'' | b'*' | b'+' | b'-' | b'.' | b'^' | b'_' | b'`' | b'|' | b'~')
}

/// Whether `value` may be sent as a header value (no control character but tab).
fn header_value_ok(value: &str) -> bool {
    value
        .bytes()
        .all(|b| b == b'\t' || (b >= 0x20 && b != 0x7f))
}

/// Appends the request head and body to `out`. `Err` names a header that cannot be sent.
pub(super) fn write_request(
    out: &mut Vec<u8>,
    method: Method,
    target: &Target<'_>,
    headers: &[(&str, &str)],
    user_agent: &str,
    body: &[u8],
) -> Result<(), String> {
    let size: usize = headers.iter().map(|(k, v)| k.len() + v.len() + 4).sum();
    out.reserve(
        128 + target.path.len() + target.authority.len() + size + user_agent.len() + body.len(),
    );
    let method = match method {
        Method::Post => "POST",
        Method::Get => "GET",
    };
    for part in [
        method,
        " ",
        target.path,
        " HTTP/1.1\r\nHost: ",
        target.authority,
    ] {
        out.extend_from_slice(part.as_bytes());
    }
    out.extend_from_slice(b"\r\n");
    for (name, value) in headers {
        if name.is_empty() || !name.bytes().all(token_byte) || !header_value_ok(value) {
            return Err(format!("header {name:?} cannot be sent"));
        }
        for part in [name, ": ", value, "\r\n"] {
            out.extend_from_slice(part.as_bytes());
        }
    }
    if method == "POST" || !body.is_empty() {
        out.extend_from_slice(b"Content-Length: ");
        let mut digits = [0u8; 20];
        let mut at = digits.len();
        let mut n = body.len();
        loop {
            at -= 1;
            digits[at] = b'0' + (n % 10) as u8;
            n /= 10;
            if n == 0 {
                break;
            }
        }
        out.extend_from_slice(&digits[at..]);
        out.extend_from_slice(b"\r\n");
    }
    if !header_value_ok(user_agent) {
        return Err("the User-Agent cannot be sent".into());
    }
    for part in ["User-Agent: ", user_agent, "\r\nAccept: */*\r\n\r\n"] {
        out.extend_from_slice(part.as_bytes());
    }
    out.extend_from_slice(body);
    Ok(())
}

/// Which part of the reply is awaited (for the timeout that applies).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Part {
    /// The status line and headers.
    Head,
    /// The body.
    Body,
}

/// Where the reply's bytes come from.
pub(super) trait Input {
    /// Appends what arrives next to `buf`: `Ok(0)` at the end of the stream.
    fn read_more(&mut self, buf: &mut Vec<u8>, part: Part) -> Result<usize, ureq::Error>;
}

/// A reply read whole.
#[derive(Debug, PartialEq, Eq)]
pub(super) struct Reply {
    /// The HTTP status.
    pub(super) status: u16,
    /// `Retry-After` in seconds, when its (first) value is a number.
    pub(super) retry_after: Option<u64>,
    /// The body (chunked coding removed).
    pub(super) body: Vec<u8>,
    /// Whether the connection may serve another request: HTTP/1.1 without `Connection:
    /// close`, a body with a length or chunks, read exactly to its end.
    pub(super) reusable: bool,
}

/// Why a reply could not be read; the HTTP status once the head was in.
#[derive(Debug)]
pub(super) enum ReadError {
    /// The connection failed (timeout, reset, end of stream too early).
    Io(ureq::Error, Option<u16>),
    /// The server broke HTTP/1.1.
    Protocol(String, Option<u16>),
    /// The body is larger than the cap.
    TooLarge(u16, u64),
}

/// End of stream before the reply was complete.
fn cut_short(what: &str, status: Option<u16>) -> ReadError {
    ReadError::Io(
        ureq::Error::Io(std::io::Error::new(
            std::io::ErrorKind::UnexpectedEof,
            format!("connection closed before the end of the {what}"),
        )),
        status,
    )
}

/// The reply head's facts.
struct Head {
    status: u16,
    http11: bool,
    close: bool,
    content_length: Option<u64>,
    chunked: bool,
    transfer_coded: bool,
    retry_after: Option<u64>,
}

/// Whether the comma-separated header `value` lists `token` (case-insensitive).
fn lists(value: &[u8], token: &str) -> bool {
    value
        .split(|b| *b == b',')
        .any(|t| t.trim_ascii().eq_ignore_ascii_case(token.as_bytes()))
}

/// Whether the last coding the comma-separated header `value` lists is `token`.
fn last_coding_is(value: &[u8], token: &str) -> bool {
    value
        .split(|b| *b == b',')
        .map(|t| t.trim_ascii())
        .rfind(|t| !t.is_empty())
        .is_some_and(|t| t.eq_ignore_ascii_case(token.as_bytes()))
}

/// Parses a complete head (`buf` ends with its blank line).
fn parse_head(buf: &[u8]) -> Result<Head, ReadError> {
    let mut headers = [httparse::EMPTY_HEADER; MAX_HEADERS];
    let mut response = httparse::Response::new(&mut headers);
    match response.parse(buf) {
        Ok(httparse::Status::Complete(_)) => {}
        Ok(httparse::Status::Partial) => {
            return Err(ReadError::Protocol("incomplete reply head".into(), None))
        }
        Err(e) => return Err(ReadError::Protocol(format!("bad reply head: {e}"), None)),
    }
    let status = response.code.unwrap_or(0);
    if !(100..=999).contains(&status) {
        return Err(ReadError::Protocol(
            format!("invalid status code: {status:03}"),
            None,
        ));
    }
    let mut head = Head {
        status,
        http11: response.version == Some(1),
        close: false,
        content_length: None,
        chunked: false,
        transfer_coded: false,
        retry_after: None,
    };
    let mut retry_after_seen = false;
    for h in response.headers.iter() {
        let value = h.value;
        if h.name.eq_ignore_ascii_case("content-length") {
            let n = std::str::from_utf8(value)
                .ok()
                .map(str::trim)
                .filter(|v| !v.is_empty() && v.bytes().all(|b| b.is_ascii_digit()))
                .and_then(|v| v.parse::<u64>().ok())
                .ok_or_else(|| {
                    ReadError::Protocol("invalid Content-Length".into(), Some(status))
                })?;
            if head.content_length.is_some_and(|m| m != n) {
                return Err(ReadError::Protocol(
                    "conflicting Content-Length headers".into(),
                    Some(status),
                ));
            }
            head.content_length = Some(n);
        } else if h.name.eq_ignore_ascii_case("transfer-encoding") {
            head.transfer_coded = true;
            // Chunked frames the body only as the last coding (RFC 9112 6.3); otherwise the
            // body ends with the connection.
            head.chunked = last_coding_is(value, "chunked");
        } else if h.name.eq_ignore_ascii_case("connection") {
            head.close |= lists(value, "close");
        } else if h.name.eq_ignore_ascii_case("retry-after") && !retry_after_seen {
            retry_after_seen = true;
            head.retry_after = std::str::from_utf8(value)
                .ok()
                .filter(|v| v.bytes().all(|b| b == b'\t' || (0x20..0x7f).contains(&b)))
                .and_then(|v| v.trim().parse::<u64>().ok());
        }
    }
    Ok(head)
}

/// Where the head ends in `buf` (just past its blank line), looking from `from`.
fn head_end(buf: &[u8], from: usize) -> Option<usize> {
    let start = from.saturating_sub(3);
    let mut i = start;
    while let Some(at) = buf[i..].iter().position(|b| *b == b'\n') {
        let lf = i + at;
        match buf.get(lf + 1) {
            Some(b'\n') => return Some(lf + 2),
            Some(b'\r') if buf.get(lf + 2) == Some(&b'\n') => return Some(lf + 3),
            _ => {}
        }
        i = lf + 1;
    }
    None
}

/// Reads one reply from `input`. `buf` is scratch space (kept for reuse); `cap` is the
/// largest body accepted.
pub(super) fn read_reply(
    input: &mut impl Input,
    buf: &mut Vec<u8>,
    cap: u64,
) -> Result<Reply, ReadError> {
    buf.clear();
    let head = loop {
        let mut scanned = 0;
        let end = loop {
            if let Some(end) = head_end(buf, scanned) {
                break end;
            }
            if buf.len() > MAX_HEAD {
                return Err(ReadError::Protocol(
                    format!("reply head larger than {MAX_HEAD} bytes"),
                    None,
                ));
            }
            scanned = buf.len();
            if input
                .read_more(buf, Part::Head)
                .map_err(|e| ReadError::Io(e, None))?
                == 0
            {
                return Err(cut_short("reply head", None));
            }
        };
        if end > MAX_HEAD {
            return Err(ReadError::Protocol(
                format!("reply head larger than {MAX_HEAD} bytes"),
                None,
            ));
        }
        let head = parse_head(&buf[..end])?;
        buf.drain(..end);
        // An interim reply (100 Continue, 103 Early Hints): the final one follows.
        if (100..200).contains(&head.status) && head.status != 101 {
            continue;
        }
        break head;
    };
    let status = head.status;
    let mut reply = Reply {
        status,
        retry_after: head.retry_after,
        body: Vec::new(),
        reusable: head.http11 && !head.close,
    };
    let no_body = (100..200).contains(&status) || status == 204 || status == 304;
    if no_body {
        reply.reusable &= buf.is_empty() && status != 101;
    } else if head.chunked && head.http11 {
        let mut chunks = Dechunker::default();
        let mut at = 0;
        loop {
            let (used, done) = chunks.feed(&buf[at..], &mut reply.body, cap, status)?;
            at += used;
            if done {
                break;
            }
            buf.drain(..at);
            at = 0;
            let n = input
                .read_more(buf, Part::Body)
                .map_err(|e| ReadError::Io(e, Some(status)))?;
            if n == 0 {
                return Err(cut_short("chunked body", Some(status)));
            }
        }
        reply.reusable &= at == buf.len() && head.content_length.is_none();
    } else if let (Some(length), false) = (head.content_length, head.transfer_coded) {
        if length > cap {
            return Err(ReadError::TooLarge(status, cap));
        }
        let Ok(length) = usize::try_from(length) else {
            return Err(ReadError::TooLarge(status, cap));
        };
        reply.body = std::mem::take(buf);
        while reply.body.len() < length {
            let n = input
                .read_more(&mut reply.body, Part::Body)
                .map_err(|e| ReadError::Io(e, Some(status)))?;
            if n == 0 {
                return Err(cut_short("body", Some(status)));
            }
        }
        if reply.body.len() > length {
            reply.body.truncate(length);
            reply.reusable = false; // more than the reply: out of step
        }
    } else {
        // No length: the body ends with the connection.
        reply.reusable = false;
        reply.body = std::mem::take(buf);
        loop {
            if reply.body.len() as u64 > cap {
                return Err(ReadError::TooLarge(status, cap));
            }
            let n = input
                .read_more(&mut reply.body, Part::Body)
                .map_err(|e| ReadError::Io(e, Some(status)))?;
            if n == 0 {
                break;
            }
        }
    }
    Ok(reply)
}

/// Reads one reply from `reads`, handed over one per read (then the end of the stream), with
/// `cap` as the body cap: `(status, Retry-After, body, reusable)`, or why it was refused.
/// For the fuzz target, which checks that no input panics, loops or breaks a cap, and that
/// how the bytes are split into reads changes nothing.
pub(super) fn read_reads(
    reads: &[&[u8]],
    cap: u64,
) -> std::result::Result<(u16, Option<u64>, Vec<u8>, bool), String> {
    struct Reads<'a>(std::slice::Iter<'a, &'a [u8]>);
    impl Input for Reads<'_> {
        fn read_more(&mut self, buf: &mut Vec<u8>, _: Part) -> Result<usize, ureq::Error> {
            let next = self.0.next().copied().unwrap_or_default();
            buf.extend_from_slice(next);
            Ok(next.len())
        }
    }
    let mut reads = Reads(reads.iter());
    match read_reply(&mut reads, &mut Vec::new(), cap) {
        Ok(r) => Ok((r.status, r.retry_after, r.body, r.reusable)),
        Err(ReadError::Io(e, status)) => Err(format!("{e} ({status:?})")),
        Err(ReadError::Protocol(m, status)) => Err(format!("{m} ({status:?})")),
        Err(ReadError::TooLarge(status, cap)) => Err(format!("over {cap} ({status})")),
    }
}

/// Where the chunked decoder is.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
enum ChunkState {
    /// Before a chunk-size line.
    #[default]
    Size,
    /// Inside a chunk's data: this many bytes left.
    Data(u64),
    /// After a chunk's data: its line break.
    DataEnd,
    /// After the last chunk: trailer lines, then a blank line.
    Trailers,
}

/// Removes chunked transfer coding, bytes as they come.
#[derive(Debug, Default)]
struct Dechunker {
    state: ChunkState,
    trailer_bytes: usize,
    /// Bytes of the current partial line already searched for its end.
    scanned: usize,
}

/// A line of `input` without its line break (`\r\n`, or a bare `\n`), and the bytes it took.
/// `*scanned` bytes are known to hold no line break (a partial line seen before); it is left
/// at what was scanned when no line is complete, at 0 when one is.
fn line<'a>(input: &'a [u8], scanned: &mut usize) -> Option<(&'a [u8], usize)> {
    let from = (*scanned).min(input.len());
    let Some(lf) = input[from..].iter().position(|b| *b == b'\n') else {
        *scanned = input.len();
        return None;
    };
    *scanned = 0;
    let lf = from + lf;
    let text = &input[..lf];
    Some((text.strip_suffix(b"\r").unwrap_or(text), lf + 1))
}

impl Dechunker {
    /// Decodes what it can of `input` into `body`: the bytes used, and whether the body ended
    /// (the last chunk and the trailers read). Bytes after the end are not used.
    fn feed(
        &mut self,
        input: &[u8],
        body: &mut Vec<u8>,
        cap: u64,
        status: u16,
    ) -> Result<(usize, bool), ReadError> {
        let bad = |why: &str| ReadError::Protocol(format!("bad chunked body: {why}"), Some(status));
        let mut at = 0;
        loop {
            let rest = &input[at..];
            match self.state {
                ChunkState::Size => {
                    let Some((text, used)) = line(rest, &mut self.scanned) else {
                        if rest.len() > MAX_CHUNK_LINE {
                            return Err(bad("chunk-size line too long"));
                        }
                        return Ok((at, false));
                    };
                    if used > MAX_CHUNK_LINE {
                        return Err(bad("chunk-size line too long"));
                    }
                    let digits = text
                        .iter()
                        .position(|b| !b.is_ascii_hexdigit())
                        .unwrap_or(text.len());
                    let after = &text[digits..];
                    let after = after.trim_ascii_start();
                    if digits == 0 || !(after.is_empty() || after.starts_with(b";")) {
                        return Err(bad("invalid chunk size"));
                    }
                    let mut size = 0u64;
                    for d in &text[..digits] {
                        let v = (*d as char).to_digit(16).unwrap_or(0) as u64;
                        size = size
                            .checked_mul(16)
                            .and_then(|s| s.checked_add(v))
                            .ok_or_else(|| bad("chunk size overflows"))?;
                    }
                    at += used;
                    if size == 0 {
                        self.state = ChunkState::Trailers;
                    } else if size > cap.saturating_sub(body.len() as u64) {
                        return Err(ReadError::TooLarge(status, cap));
                    } else {
                        self.state = ChunkState::Data(size);
                    }
                }
                ChunkState::Data(left) => {
                    if rest.is_empty() {
                        return Ok((at, false));
                    }
                    let n = (rest.len() as u64).min(left) as usize;
                    body.extend_from_slice(&rest[..n]);
                    at += n;
                    self.state = if n as u64 == left {
                        ChunkState::DataEnd
                    } else {
                        ChunkState::Data(left - n as u64)
                    };
                }
                ChunkState::DataEnd => match rest {
                    [] | [b'\r'] => return Ok((at, false)),
                    [b'\r', b'\n', ..] => {
                        at += 2;
                        self.state = ChunkState::Size;
                    }
                    [b'\n', ..] => {
                        at += 1;
                        self.state = ChunkState::Size;
                    }
                    _ => return Err(bad("chunk data longer than its size")),
                },
                ChunkState::Trailers => {
                    let Some((text, used)) = line(rest, &mut self.scanned) else {
                        if self.trailer_bytes + rest.len() > MAX_HEAD {
                            return Err(bad("trailers too large"));
                        }
                        return Ok((at, false));
                    };
                    self.trailer_bytes += used;
                    if self.trailer_bytes > MAX_HEAD {
                        return Err(bad("trailers too large"));
                    }
                    at += used;
                    if text.is_empty() {
                        return Ok((at, true));
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Hands out `parts` one per read, then the end of the stream.
    struct Script {
        parts: Vec<Vec<u8>>,
        reads: usize,
    }

    impl Script {
        fn new(parts: &[&[u8]]) -> Script {
            Script {
                parts: parts.iter().rev().map(|p| p.to_vec()).collect(),
                reads: 0,
            }
        }

        /// The whole of `bytes`, one byte per read.
        fn bytewise(bytes: &[u8]) -> Script {
            Script {
                parts: bytes.iter().rev().map(|b| vec![*b]).collect(),
                reads: 0,
            }
        }
    }

    impl Input for Script {
        fn read_more(&mut self, buf: &mut Vec<u8>, _: Part) -> Result<usize, ureq::Error> {
            self.reads += 1;
            let part = self.parts.pop().unwrap_or_default();
            buf.extend_from_slice(&part);
            Ok(part.len())
        }
    }

    fn read(parts: &[&[u8]]) -> Result<Reply, ReadError> {
        read_reply(&mut Script::new(parts), &mut Vec::new(), 1 << 20)
    }

    fn reply(status: u16, body: &[u8], reusable: bool) -> Reply {
        Reply {
            status,
            retry_after: None,
            body: body.to_vec(),
            reusable,
        }
    }

    #[test]
    fn targets() {
        let t = Target::parse("https://app.alphapo.net/api/v2/invoices/create").unwrap();
        assert_eq!(
            t,
            Target {
                tls: true,
                origin: "https://app.alphapo.net",
                authority: "app.alphapo.net",
                path: "/api/v2/invoices/create",
            }
        );
        let t = Target::parse("http://127.0.0.1:8080?x=1#frag").unwrap();
        assert_eq!(
            (t.tls, t.origin, t.path),
            (false, "http://127.0.0.1:8080", "?x=1")
        );
        let t = Target::parse("HTTP://[::1]:80").unwrap();
        assert_eq!((t.authority, t.path), ("[::1]:80", "/"));
        assert_eq!(
            Target::parse("http://h/a/{\"b\"}/%2E#x").unwrap().path,
            "/a/{\"b\"}/%2E"
        );
        for bad in [
            "ftp://h/x",
            "h/x",
            "http:///x",
            "http://u:p@h/x",
            "http://h/a b",
            "http://h/a\r\nX: y",
            "http://h/a<b>",
            "http://h/a?b c",
        ] {
            assert_eq!(Target::parse(bad), None, "{bad}");
        }
    }

    #[test]
    fn the_request_leaves_whole() {
        let t = Target::parse("http://127.0.0.1:9/api/v2/ping").unwrap();
        let mut out = Vec::new();
        write_request(
            &mut out,
            Method::Post,
            &t,
            &[("X-Processing-Key", "k")],
            "ua/1",
            b"{}",
        )
        .unwrap();
        assert_eq!(
            out,
            b"POST /api/v2/ping HTTP/1.1\r\nHost: 127.0.0.1:9\r\nX-Processing-Key: k\r\nContent-Length: 2\r\nUser-Agent: ua/1\r\nAccept: */*\r\n\r\n{}"
        );
        out.clear();
        write_request(&mut out, Method::Get, &t, &[], "ua/1", b"").unwrap();
        assert!(!String::from_utf8_lossy(&out).contains("Content-Length"));
        for (method, body, length) in [
            (Method::Post, &b""[..], "0"),
            (Method::Get, b"x", "1"),
            (Method::Post, &[b'x'; 1234][..], "1234"),
        ] {
            out.clear();
            write_request(&mut out, method, &t, &[], "ua/1", body).unwrap();
            let text = String::from_utf8_lossy(&out);
            assert!(
                text.contains(&format!("\r\nContent-Length: {length}\r\n")),
                "{text}"
            );
            assert!(out.ends_with(body));
        }
        for (name, value) in [("X-A", "v\r\nX-B: w"), ("X A", "v"), ("", "v"), ("X", "\0")] {
            assert!(
                write_request(&mut out, Method::Post, &t, &[(name, value)], "u", b"").is_err(),
                "{name:?}: {value:?}"
            );
        }
    }

    #[test]
    fn a_content_length_body() {
        let r = read(&[b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhel", b"lo"]).unwrap();
        assert_eq!(r, reply(200, b"hello", true));
        let r = read(&[b"HTTP/1.1 201 Created\r\ncontent-length:0\r\n\r\n"]).unwrap();
        assert_eq!(r, reply(201, b"", true));
        let r = read(&[
            b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: keep-alive, Close\r\n\r\nok",
        ])
        .unwrap();
        assert_eq!(r, reply(200, b"ok", false), "Connection: close");
        let r = read(&[b"HTTP/1.0 200 OK\r\nContent-Length: 2\r\n\r\nok"]).unwrap();
        assert!(!r.reusable, "HTTP/1.0");
        let r = read(&[b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nokEXTRA"]).unwrap();
        assert_eq!(
            r,
            reply(200, b"ok", false),
            "more than the reply: not reused"
        );
        let r = read(&[b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Length: 2\r\n\r\nok"]);
        assert!(r.is_ok(), "repeated equal lengths");
    }

    #[test]
    fn a_head_and_body_one_byte_per_read() {
        let bytes = b"HTTP/1.1 429 Too Many Requests\r\nRetry-After: 7 \r\nRetry-After: 9\r\nTransfer-Encoding: chunked\r\n\r\n3;ext=1\r\nabc\r\n0\r\nX-T: 1\r\n\r\n";
        let mut script = Script::bytewise(bytes);
        let r = read_reply(&mut script, &mut Vec::new(), 100).unwrap();
        assert_eq!(r.status, 429);
        assert_eq!(r.retry_after, Some(7), "the first value");
        assert_eq!(r.body, b"abc");
        assert!(r.reusable);
        assert_eq!(script.reads, bytes.len());
    }

    #[test]
    fn interim_replies_are_skipped_and_bodiless_statuses_have_no_body() {
        let r =
            read(&[b"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nx"]);
        assert_eq!(r.unwrap(), reply(200, b"x", true));
        let r = read(&[b"HTTP/1.1 204 No Content\r\nContent-Length: 10\r\n\r\n"]);
        assert_eq!(r.unwrap(), reply(204, b"", true));
        let r = read(&[
            b"HTTP/1.1 302 Found\r\nLocation: https://elsewhere/\r\nContent-Length: 3\r\n\r\nabc",
        ]);
        assert_eq!(
            r.unwrap(),
            reply(302, b"abc", true),
            "a redirect is a reply"
        );
    }

    #[test]
    fn a_body_to_the_end_of_the_stream() {
        let r = read(&[b"HTTP/1.1 200 OK\r\n\r\nab", b"cd"]).unwrap();
        assert_eq!(r, reply(200, b"abcd", false));
        let r =
            read(&[b"HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\nContent-Length: 1\r\n\r\nabc"]);
        assert_eq!(
            r.unwrap(),
            reply(200, b"abc", false),
            "a coding other than chunked"
        );
        let r = read(&[b"HTTP/1.0 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n1\r\na"]);
        assert_eq!(
            r.unwrap(),
            reply(200, b"1\r\na", false),
            "no chunks in HTTP/1.0"
        );
    }

    fn protocol(r: Result<Reply, ReadError>) -> String {
        match r {
            Err(ReadError::Protocol(m, _)) => m,
            other => panic!("not a protocol error: {other:?}"),
        }
    }

    fn eof(r: Result<Reply, ReadError>) -> Option<u16> {
        match r {
            Err(ReadError::Io(ureq::Error::Io(e), status)) => {
                assert_eq!(e.kind(), std::io::ErrorKind::UnexpectedEof);
                status
            }
            other => panic!("not an early end: {other:?}"),
        }
    }

    #[test]
    fn chunked_edge_cases() {
        let ok = |parts: &[&[u8]]| read(parts).unwrap();
        let head: &[u8] = b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n";
        // Extensions, upper-case hex, leading zeros, bare LFs, trailers.
        let r = ok(&[
            head,
            b"00A ; name=\"v\"\r\n0123456789\r\n1\nx\n0;last\r\nA: b\r\nC: d\r\n\r\n",
        ]);
        assert_eq!(r, reply(200, b"0123456789x", true));
        // Split anywhere, including inside the CRLF after data.
        let r = ok(&[head, b"2\r\nab\r", b"\n0\r", b"\n\r", b"\n"]);
        assert_eq!(r, reply(200, b"ab", true));
        // `Transfer-Encoding: gzip, chunked` is chunked; with a Content-Length it is not reused.
        let r = ok(&[b"HTTP/1.1 200 OK\r\nTransfer-Encoding: x, Chunked\r\nContent-Length: 99\r\n\r\n0\r\n\r\n"]);
        assert_eq!(r, reply(200, b"", false));
        // Chunked only as the last coding: otherwise the body ends with the connection.
        let r = ok(&[
            b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked, gzip\r\n\r\n",
            b"2\r\nab\r\n0\r\n\r\n",
        ]);
        assert_eq!(r, reply(200, b"2\r\nab\r\n0\r\n\r\n", false));
        let r = ok(&[
            b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: gzip\r\n\r\nz",
        ]);
        assert_eq!(r, reply(200, b"z", false));
        // A long size line and trailer line, one byte per read.
        let dripped = [
            head,
            b"3;",
            &[b'e'; 3000],
            b"\r\nabc\r\n0\r\nX: ",
            &[b'v'; 20_000],
            b"\r\n\r\n",
        ]
        .concat();
        let r = read_reply(&mut Script::bytewise(&dripped), &mut Vec::new(), 1 << 20).unwrap();
        assert_eq!(r, reply(200, b"abc", true));
        // Bytes after the last chunk: not reused.
        let r = ok(&[head, b"0\r\n\r\nHTTP/1.1 200 OK"]);
        assert!(!r.reusable);

        for (bad, why) in [
            (&b"g\r\n"[..], "invalid chunk size"),
            (b"\r\n", "invalid chunk size"),
            (b"-1\r\n", "invalid chunk size"),
            (b"1 2\r\n", "invalid chunk size"),
            (b"0x10\r\n", "invalid chunk size"),
            (b"10000000000000000\r\n", "overflows"),
            (b"1\r\nabc\r\n", "longer than its size"),
        ] {
            let m = protocol(read(&[head, bad]));
            assert!(m.contains(why), "{bad:?}: {m}");
        }
        let long_line = [b"1;".as_slice(), &[b'e'; MAX_CHUNK_LINE]].concat();
        assert!(protocol(read(&[head, &long_line])).contains("too long"));
        let endless_line = vec![b'1'; MAX_CHUNK_LINE + 1];
        assert!(protocol(read(&[head, &endless_line])).contains("too long"));
        let big_trailer = [b"0\r\n".as_slice(), &[b'x'; MAX_HEAD + 1]].concat();
        assert!(protocol(read(&[head, &big_trailer])).contains("trailers too large"));
        let many_trailers = [b"0\r\n".as_slice(), &b"A: b\r\n".repeat(MAX_HEAD / 6 + 1)].concat();
        assert!(protocol(read(&[head, &many_trailers])).contains("trailers too large"));

        // Truncated: in a size line, in data, before the trailers end.
        assert_eq!(eof(read(&[head, b"5\r\nab"])), Some(200));
        assert_eq!(eof(read(&[head, b"5"])), Some(200));
        assert_eq!(eof(read(&[head, b"2\r\nab"])), Some(200));
        assert_eq!(eof(read(&[head, b"0\r\nA: b\r\n"])), Some(200));
        assert_eq!(eof(read(&[head])), Some(200));
    }

    #[test]
    fn the_cap_holds_however_the_body_is_framed() {
        let cap = 8;
        let too_large =
            |parts: &[&[u8]]| match read_reply(&mut Script::new(parts), &mut Vec::new(), cap) {
                Err(ReadError::TooLarge(status, c)) => assert_eq!((status, c), (200, cap)),
                other => panic!("{other:?}"),
            };
        let mut script = Script::new(&[b"HTTP/1.1 200 OK\r\nContent-Length: 9\r\n\r\n"]);
        assert!(matches!(
            read_reply(&mut script, &mut Vec::new(), cap),
            Err(ReadError::TooLarge(200, 8))
        ));
        assert_eq!(script.reads, 1, "refused from its length, unread");
        too_large(&[b"HTTP/1.1 200 OK\r\nContent-Length: 18446744073709551615\r\n\r\n"]);
        too_large(&[b"HTTP/1.1 200 OK\r\n\r\n", b"12345", b"6789"]);
        too_large(&[b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\n12345\r\n4\r\n"]);
        // A chunk size that would wrap the running total past 2^64 is still over the cap.
        too_large(&[
            b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n1\r\na\r\nFFFFFFFFFFFFFFFF\r\n",
            &[b'x'; 64],
        ]);
        let r = read_reply(
            &mut Script::new(&[b"HTTP/1.1 200 OK\r\nContent-Length: 8\r\n\r\n12345678"]),
            &mut Vec::new(),
            cap,
        );
        assert_eq!(r.unwrap().body, b"12345678", "exactly the cap");
    }

    #[test]
    fn hostile_heads() {
        assert_eq!(eof(read(&[])), None);
        assert_eq!(eof(read(&[b"HTTP/1.1 200 OK\r\nContent-Le"])), None);
        assert_eq!(
            eof(read(&[b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nab"])),
            Some(200)
        );
        for bad in [
            &b"HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n"[..],
            b"HTTP/1.1 200 OK\r\nContent-Length: 1x\r\n\r\n",
            b"HTTP/1.1 200 OK\r\nContent-Length: \r\n\r\n",
            b"HTTP/1.1 200 OK\r\nContent-Length: 99999999999999999999999\r\n\r\n",
            b"HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab",
            b"HTTP/1.1 099 Low\r\n\r\n",
            b"HTTP/2 200 OK\r\n\r\n",
            b"SSH-2.0-OpenSSH\r\n\r\n",
            b"HTTP/1.1 200 OK\r\nBad Header\r\n\r\n",
            b"\0\0\0\0\n\n",
        ] {
            let _ = protocol(read(&[bad]));
        }
        let many = [
            b"HTTP/1.1 200 OK\r\n".as_slice(),
            &b"A: b\r\n".repeat(MAX_HEADERS + 1),
            b"\r\n",
        ]
        .concat();
        let _ = protocol(read(&[&many]));
        let huge = [b"HTTP/1.1 200 OK\r\nA: ".as_slice(), &[b'x'; MAX_HEAD + 10]].concat();
        assert!(protocol(read(&[&huge])).contains("larger than"));
        let huge_complete = [huge.as_slice(), b"\r\n\r\n"].concat();
        assert!(protocol(read(&[&huge_complete])).contains("larger than"));
        // Endless interim replies end with the stream.
        let interim = b"HTTP/1.1 100 Continue\r\n\r\n".repeat(1000);
        assert_eq!(eof(read(&[&interim])), None);
        // Garbage in every position does not panic.
        let base = b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nRetry-After: 1\r\n\r\n4;x\r\nabcd\r\n0\r\nT: 1\r\n\r\n";
        for i in 0..base.len() {
            for b in [0u8, b'\n', b'\r', b':', b';', 0xff, b'0', b' '] {
                let mut v = base.to_vec();
                v[i] = b;
                let _ = read(&[&v]);
                let _ = read_reply(&mut Script::bytewise(&v), &mut Vec::new(), 3);
                let _ = read(&[&v[..i]]);
            }
        }
    }

    #[test]
    fn a_slow_head_is_scanned_once() {
        // 60 KiB of headers one byte per read: each byte looked at a bounded number of times.
        let mut bytes = b"HTTP/1.1 200 OK\r\n".to_vec();
        while bytes.len() < 60 * 1024 {
            bytes.extend_from_slice(b"X-Pad: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\r\n");
        }
        bytes.extend_from_slice(b"Content-Length: 0\r\n\r\n");
        let t = std::time::Instant::now();
        let r = read_reply(&mut Script::bytewise(&bytes), &mut Vec::new(), 10);
        assert!(r.is_err(), "more than {MAX_HEADERS} headers");
        assert!(t.elapsed() < std::time::Duration::from_secs(2));
    }
}
