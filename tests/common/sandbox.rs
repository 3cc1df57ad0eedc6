//! Starts the sandbox (examples/sandbox) for an integration test and talks to its control API.
//!
//! ```ignore
//! #[path = "common/sandbox.rs"]
//! mod sandbox;
//! let sb = sandbox::Sandbox::start(&["--quirks", "amounts_as_numbers"]);
//! let (status, body) = sb.control("POST", "/_sandbox/reset", "{}");
//! ```
//!
//! The binary is `$ALPHAPO_SANDBOX`, else `target/release/examples/sandbox`; build it with
//! `cargo build --release --example sandbox`. A missing binary fails the test, never skips it.
//! Only std (plus rustls for `--tls` sandboxes) is used: no HTTP crate.

#![allow(dead_code)]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdout, Command, Stdio};
use std::sync::Arc;
use std::time::Duration;

pub struct Sandbox {
    child: Child,
    _stdout: BufReader<ChildStdout>,
    base_url: String,
    addr: String,
    cert: Option<PathBuf>,
    key: String,
    secret: String,
}

/// One HTTP response, undecoded.
pub struct Reply {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Reply {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

pub fn binary() -> PathBuf {
    match std::env::var_os("ALPHAPO_SANDBOX") {
        Some(p) => PathBuf::from(p),
        None => Path::new(env!("CARGO_MANIFEST_DIR")).join("target/release/examples/sandbox"),
    }
}

fn flag_value(args: &[&str], flag: &str) -> Option<String> {
    args.iter().enumerate().find_map(|(i, a)| {
        if *a == flag {
            args.get(i + 1).map(|v| v.to_string())
        } else {
            a.strip_prefix(flag)
                .and_then(|rest| rest.strip_prefix('='))
                .map(str::to_string)
        }
    })
}

impl Sandbox {
    /// Launches the sandbox on a free loopback port with `extra` arguments and waits until it
    /// listens (its first stdout line).
    pub fn start(extra: &[&str]) -> Sandbox {
        let bin = binary();
        assert!(
            bin.is_file(),
            "sandbox binary not found at {}: run `cargo build --release --example sandbox` \
             (or point ALPHAPO_SANDBOX at it)",
            bin.display()
        );
        let mut args = vec!["--listen", "127.0.0.1:0"];
        args.extend_from_slice(extra);
        let mut child = Command::new(&bin)
            .args(&args)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {}: {e}", bin.display()));
        let mut stdout = BufReader::new(child.stdout.take().expect("piped stdout"));
        let mut line = String::new();
        stdout
            .read_line(&mut line)
            .expect("read the sandbox's first line");
        let Some(base_url) = line.trim_end().strip_prefix("listening on ") else {
            let _ = child.kill();
            panic!("sandbox did not start (first line {line:?}); arguments {args:?}");
        };
        let base_url = base_url.to_string();
        let addr = base_url
            .split("://")
            .nth(1)
            .and_then(|r| r.split('/').next())
            .expect("host:port in the base URL")
            .to_string();
        let cert = if base_url.starts_with("https://") {
            let mut l = String::new();
            stdout.read_line(&mut l).expect("read the certificate line");
            let path = l
                .trim_end()
                .strip_prefix("certificate ")
                .unwrap_or_else(|| panic!("expected `certificate <path>`, got {l:?}"));
            Some(PathBuf::from(path))
        } else {
            None
        };
        Sandbox {
            child,
            _stdout: stdout,
            base_url,
            addr,
            cert,
            key: flag_value(extra, "--key").unwrap_or_else(|| "sandbox-key".into()),
            secret: flag_value(extra, "--secret").unwrap_or_else(|| "sandbox-secret".into()),
        }
    }

    /// `http(s)://127.0.0.1:<port>/api/v2`
    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    /// `127.0.0.1:<port>`
    pub fn addr(&self) -> &str {
        &self.addr
    }

    pub fn key(&self) -> &str {
        &self.key
    }

    pub fn secret(&self) -> &str {
        &self.secret
    }

    /// The PEM certificate of a `--tls` sandbox.
    pub fn cert_path(&self) -> Option<&Path> {
        self.cert.as_deref()
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Sends SIGTERM and waits (at most 10 s) for the exit; its status (`None` if it did not
    /// exit in time: then it is killed when dropped).
    pub fn terminate(&mut self) -> Option<std::process::ExitStatus> {
        let sent = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status()
            .is_ok_and(|s| s.success());
        assert!(sent, "kill -TERM {}", self.child.id());
        for _ in 0..500 {
            if let Ok(Some(status)) = self.child.try_wait() {
                return Some(status);
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        None
    }

    /// A control call. `path` is `/_sandbox/...` or relative to it (`"state"`); `json` is the
    /// body (`""` for none). Returns the status and the body text.
    pub fn control(&self, method: &str, path: &str, json: &str) -> (u16, String) {
        let path = if path.starts_with('/') {
            path.to_string()
        } else {
            format!("/_sandbox/{path}")
        };
        let headers = [("Content-Type", "application/json")];
        let reply = self
            .request(method, &path, &headers, json.as_bytes())
            .unwrap_or_else(|e| panic!("control {method} {path}: {e}"));
        (reply.status, reply.text())
    }

    /// One request on a fresh connection (`Connection: close`); `path` is absolute
    /// (`/api/v2/...`). Headers are sent exactly as given, plus Host, Content-Length and
    /// Connection.
    pub fn request(
        &self,
        method: &str,
        path: &str,
        headers: &[(&str, &str)],
        body: &[u8],
    ) -> std::io::Result<Reply> {
        let mut head = format!(
            "{method} {path} HTTP/1.1\r\nHost: {}\r\nContent-Length: {}\r\nConnection: close\r\n",
            self.addr,
            body.len()
        );
        for (n, v) in headers {
            head.push_str(&format!("{n}: {v}\r\n"));
        }
        head.push_str("\r\n");
        let mut bytes = head.into_bytes();
        bytes.extend_from_slice(body);
        let tcp = TcpStream::connect(&self.addr)?;
        tcp.set_read_timeout(Some(Duration::from_secs(30)))?;
        match &self.cert {
            None => exchange(tcp, &bytes),
            Some(pem) => {
                let config = tls_client(pem)?;
                let name = rustls::pki_types::ServerName::try_from("127.0.0.1").expect("IP name");
                let conn =
                    rustls::ClientConnection::new(config, name).map_err(std::io::Error::other)?;
                exchange(rustls::StreamOwned::new(conn, tcp), &bytes)
            }
        }
    }
}

/// A rustls client that trusts exactly the sandbox's certificate.
pub fn tls_client(pem: &Path) -> std::io::Result<Arc<rustls::ClientConfig>> {
    use rustls::pki_types::pem::PemObject;
    let der = rustls::pki_types::CertificateDer::from_pem_slice(&std::fs::read(pem)?)
        .map_err(std::io::Error::other)?;
    let mut roots = rustls::RootCertStore::empty();
    roots.add(der).map_err(std::io::Error::other)?;
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(std::io::Error::other)?
        .with_root_certificates(roots)
        .with_no_client_auth();
    Ok(Arc::new(config))
}

/// Writes the request, reads one response framed by Content-Length.
fn exchange<S: Read + Write>(mut s: S, request: &[u8]) -> std::io::Result<Reply> {
    s.write_all(request)?;
    s.flush()?;
    let mut buf = Vec::new();
    let mut chunk = [0u8; 16 * 1024];
    let head_end = loop {
        if let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break i;
        }
        let n = s.read(&mut chunk)?;
        if n == 0 {
            return Err(std::io::Error::new(
                std::io::ErrorKind::UnexpectedEof,
                "connection closed before a response head",
            ));
        }
        buf.extend_from_slice(&chunk[..n]);
    };
    let head = String::from_utf8_lossy(&buf[..head_end]).into_owned();
    let mut lines = head.split("\r\n");
    let status = lines
        .next()
        .and_then(|l| l.split(' ').nth(1))
        .and_then(|c| c.parse().ok())
        .ok_or_else(|| std::io::Error::other(format!("bad status line in {head:?}")))?;
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(n, v)| (n.trim().to_string(), v.trim().to_string()))
        .collect();
    let length: usize = headers
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case("content-length"))
        .and_then(|(_, v)| v.parse().ok())
        .unwrap_or(0);
    let mut body = buf[head_end + 4..].to_vec();
    while body.len() < length {
        let n = s.read(&mut chunk)?;
        if n == 0 {
            return Err(std::io::Error::new(
                std::io::ErrorKind::UnexpectedEof,
                format!("body ended after {} of {length} bytes", body.len()),
            ));
        }
        body.extend_from_slice(&chunk[..n]);
    }
    body.truncate(length);
    Ok(Reply {
        status,
        headers,
        body,
    })
}

impl Drop for Sandbox {
    fn drop(&mut self) {
        // A TLS sandbox is stopped with SIGTERM, so that it removes the private directory of
        // its certificate; anything else (or a sandbox that does not stop) is killed.
        if self.cert.is_some() {
            let termed = std::process::Command::new("kill")
                .args(["-TERM", &self.child.id().to_string()])
                .status()
                .is_ok_and(|s| s.success());
            if termed {
                for _ in 0..250 {
                    if matches!(self.child.try_wait(), Ok(Some(_))) {
                        return;
                    }
                    std::thread::sleep(Duration::from_millis(20));
                }
            }
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
