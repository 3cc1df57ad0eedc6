//! The listener: a thread per connection (capped), keep-alive, routing between the API, the
//! control API and the hosted invoice and payment pages, and the faults that break responses on purpose.

use std::io::Write;
use std::net::{IpAddr, SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::thread;
use std::time::Duration;

use crate::api::{self, Route};
use crate::callbacks::Dispatcher;
use crate::control;
use crate::http::{Conn, Io, Malformed, Request, Response};
use crate::sign::Signer;
use crate::state::{FaultMode, Quirks, Store};
use crate::switches::Switches;

const IDLE_TIMEOUT: Duration = Duration::from_secs(60);

pub struct Config {
    pub key: String,
    pub signer: Signer,
    /// `http(s)://host:port`, for invoice URLs.
    pub origin: String,
    pub quirks: Quirks,
    pub callback_url: Option<String>,
    pub rate_limit: u32,
    pub auto_confirm: Option<i64>,
    pub max_connections: usize,
    /// The switches' command-line values, restored by a reset.
    pub switches: Switches,
    pub tls: Option<Arc<rustls::ServerConfig>>,
}

pub struct App {
    pub cfg: Config,
    store: Mutex<Store>,
    pub callbacks: Arc<Dispatcher>,
    connections: AtomicUsize,
}

impl App {
    pub fn new(cfg: Config, callbacks: Arc<Dispatcher>) -> App {
        let store = Store::new(
            cfg.quirks,
            cfg.switches,
            cfg.rate_limit,
            cfg.auto_confirm,
            callbacks.clone(),
        );
        App {
            cfg,
            store: Mutex::new(store),
            callbacks,
            connections: AtomicUsize::new(0),
        }
    }

    pub fn store(&self) -> MutexGuard<'_, Store> {
        self.store.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Back to the state at start: balances, objects, counters, quirks, switches, faults,
    /// callbacks, clock.
    pub fn reset(&self) {
        let mut s = self.store();
        self.callbacks.reset(self.cfg.callback_url.clone());
        *s = Store::new(
            self.cfg.quirks,
            self.cfg.switches,
            self.cfg.rate_limit,
            self.cfg.auto_confirm,
            self.callbacks.clone(),
        );
    }
}

/// What goes back on the wire for one request.
enum Reply {
    Normal(Response),
    /// Close without a byte of response.
    Drop,
    /// Announce the whole body, send half of it, close.
    Truncated(Response),
    /// A 200 whose body is `bytes` long, streamed.
    Huge(u64),
    /// One byte at a time, `ms` apart.
    Drip(Response, u64),
}

pub fn serve(app: Arc<App>, listener: TcpListener, stop: Arc<AtomicBool>) {
    for stream in listener.incoming() {
        if stop.load(Ordering::SeqCst) {
            break;
        }
        let Ok(stream) = stream else {
            thread::sleep(Duration::from_millis(10)); // e.g. out of file descriptors
            continue;
        };
        let Ok(peer) = stream.peer_addr() else {
            continue;
        };
        if app.connections.fetch_add(1, Ordering::SeqCst) >= app.cfg.max_connections {
            app.connections.fetch_sub(1, Ordering::SeqCst);
            let busy = Response::text(503, "text/plain", "too many connections");
            let _ = (&stream).write_all(&busy.to_bytes(true));
            continue;
        }
        let slot = Slot(app.clone());
        let spawned = thread::Builder::new()
            .name("conn".into())
            .stack_size(1024 * 1024)
            .spawn(move || connection(&slot.0, stream, peer));
        if let Err(e) = spawned {
            eprintln!("sandbox: cannot start a connection thread: {e}");
        }
    }
}

/// One of the `max_connections` slots, given back when the connection's thread ends, even
/// by a panic (a failed spawn drops the closure and with it the slot).
struct Slot(Arc<App>);

impl Drop for Slot {
    fn drop(&mut self) {
        self.0.connections.fetch_sub(1, Ordering::SeqCst);
    }
}

fn connection(app: &App, stream: TcpStream, peer: SocketAddr) {
    let _ = stream.set_nodelay(true);
    let _ = stream.set_read_timeout(Some(IDLE_TIMEOUT));
    let _ = stream.set_write_timeout(Some(IDLE_TIMEOUT));
    let io = match &app.cfg.tls {
        None => Io::Plain(stream),
        Some(cfg) => match rustls::ServerConnection::new(cfg.clone()) {
            Ok(c) => Io::Tls(Box::new(rustls::StreamOwned::new(c, stream))),
            Err(_) => return,
        },
    };
    let mut conn = Conn::new(io);
    loop {
        let req = match conn.read_request() {
            Ok(Some(r)) => r,
            Ok(None) => return,
            Err(Malformed(status, why)) => {
                let _ = conn.send(&Response::text(status, "text/plain", why).to_bytes(true));
                return;
            }
        };
        let keep = req.keep_alive;
        match dispatch(app, &req, peer.ip()) {
            Reply::Normal(resp) => {
                if conn.send(&resp.to_bytes(!keep)).is_err() || !keep {
                    return;
                }
            }
            Reply::Drop => {
                conn.io.abort();
                return;
            }
            Reply::Truncated(resp) => {
                let mut bytes = resp.head(resp.body.len(), true);
                bytes.extend_from_slice(&resp.body[..resp.body.len() / 2]);
                let _ = conn.send(&bytes);
                conn.io.abort();
                return;
            }
            Reply::Huge(len) => {
                stream_huge(&mut conn, len);
                return;
            }
            Reply::Drip(resp, ms) => {
                for b in resp.to_bytes(true) {
                    if conn.send(&[b]).is_err() {
                        return;
                    }
                    thread::sleep(Duration::from_millis(ms));
                }
                return;
            }
        }
    }
}

/// `{"data":"aaaa…"}`, `len` bytes in all, as fast as the peer reads.
fn stream_huge(conn: &mut Conn, len: u64) {
    let head = Response::json(200, Vec::new()).head(len as usize, true);
    if conn.send(&head).is_err() {
        return;
    }
    let (open, close) = (b"{\"data\":\"", b"\"}");
    let mut left = len;
    let chunk = vec![b'a'; 64 * 1024];
    let first = open.len().min(left as usize);
    if conn.send(&open[..first]).is_err() {
        return;
    }
    left -= first as u64;
    while left > close.len() as u64 {
        let n = (left - close.len() as u64).min(chunk.len() as u64) as usize;
        if conn.send(&chunk[..n]).is_err() {
            return;
        }
        left -= n as u64;
    }
    let _ = conn.send(&close[close.len() - left as usize..]);
    conn.io.abort();
}

fn dispatch(app: &App, req: &Request, peer: IpAddr) -> Reply {
    if req.path == "/_sandbox" || req.path.starts_with("/_sandbox/") {
        return Reply::Normal(control::handle(app, req, peer));
    }
    if req.method == "GET" {
        if let Some(slug) = req.path.strip_prefix("/invoice/") {
            return Reply::Normal(invoice_page(app, slug));
        }
        if let Some(token) = req.path.strip_prefix("/payment/") {
            return Reply::Normal(payment_page(app, token));
        }
    }
    let route = Route::of(req);
    let fault = {
        let mut s = app.store();
        s.count(route.name());
        s.take_fault(&req.path)
    };
    let Some(fault) = fault else {
        return Reply::Normal(api::handle(app, req, route, peer));
    };
    match fault.mode {
        FaultMode::Latency => {
            thread::sleep(Duration::from_millis(fault.ms));
            Reply::Normal(api::handle(app, req, route, peer))
        }
        FaultMode::Http500 => Reply::Normal(html_error(500)),
        FaultMode::Http502 => Reply::Normal(html_error(502)),
        FaultMode::Http429 => {
            let mut r = Response::text(429, "text/plain; charset=UTF-8", "error code: 1015");
            r.retry_after = fault.retry_after;
            Reply::Normal(r)
        }
        FaultMode::DropBefore => Reply::Drop,
        FaultMode::DropAfter => {
            api::handle(app, req, route, peer);
            Reply::Drop
        }
        FaultMode::Truncated => Reply::Truncated(api::handle(app, req, route, peer)),
        FaultMode::Huge => Reply::Huge(fault.bytes),
        FaultMode::SlowDrip => Reply::Drip(api::handle(app, req, route, peer), fault.ms),
    }
}

fn html_error(status: u16) -> Response {
    let title = format!("{status} {}", crate::http::reason(status));
    let body = format!(
        "<html>\r\n<head><title>{title}</title></head>\r\n<body>\r\n<center><h1>{title}</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n"
    );
    Response {
        status,
        content_type: "text/html",
        body: body.into_bytes(),
        retry_after: None,
    }
}

/// A bare stand-in for the hosted payment request page (`payment_link`).
fn payment_page(app: &App, token: &str) -> Response {
    match crate::payments::page(&app.store(), token) {
        Some(html) => Response {
            status: 200,
            content_type: "text/html; charset=UTF-8",
            body: html.into_bytes(),
            retry_after: None,
        },
        None => Response::text(
            404,
            "text/html; charset=UTF-8",
            "<h1>Payment request not found</h1>",
        ),
    }
}

/// A bare stand-in for the hosted invoice page.
fn invoice_page(app: &App, slug: &str) -> Response {
    let s = app.store();
    let suffix = format!("/invoice/{slug}");
    let Some(inv) = s.invoices.values().find(|i| i.url.ends_with(&suffix)) else {
        return Response::text(
            404,
            "text/html; charset=UTF-8",
            "<h1>Invoice not found</h1>",
        );
    };
    let esc = |t: &str| {
        t.replace('&', "&amp;")
            .replace('<', "&lt;")
            .replace('>', "&gt;")
    };
    let pay = match &inv.payer {
        Some(p) => format!(
            "<p>Send {} {} to <code>{}</code>{}</p>",
            p.amount.fmt8(),
            p.currency.code,
            p.address,
            p.tag
                .as_ref()
                .map(|t| format!(" with tag <code>{t}</code>"))
                .unwrap_or_default()
        ),
        None => "<p>The payer has not chosen a currency yet.</p>".to_string(),
    };
    let html = format!(
        "<!doctype html><html><head><meta charset=\"utf-8\"><title>{t}</title></head><body>\
         <h1>{t}</h1><p>{amount} {cur} &middot; status <b>{status}</b></p>{pay}\
         <p><small>AlphaPo sandbox: drive this invoice with POST /_sandbox/invoices/{{foreign_id}}/pay</small></p>\
         </body></html>",
        t = esc(&inv.title),
        amount = inv.amount.fmt8(),
        cur = inv.currency.code,
        status = inv.status,
    );
    Response {
        status: 200,
        content_type: "text/html; charset=UTF-8",
        body: html.into_bytes(),
        retry_after: None,
    }
}
