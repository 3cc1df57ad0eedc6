//! Hardening, proven against the sandbox (issue 8; figures in RELIABILITY.md):
//!
//! - retries of money-moving calls, seen on the wire through a recording proxy: every
//!   attempt carries the very same bytes (body, foreign_id, signature), and the sandbox
//!   shows the money moved once, for each fault that can lose a reply;
//! - the secret and every full signature appear in no error message, `Display`, `Debug`
//!   output, field error, code or raw body, for every error class the library has;
//! - the keyed HMAC state (the only form in which the secret is kept) is wiped when a
//!   `Signer` or a `Client` is dropped.

#[path = "common/sandbox.rs"]
mod sandbox;

use alphapo::ffi::client::alphapo_client_builder_new;
use alphapo::ffi::error::{alphapo_error, alphapo_error_free, alphapo_error_message};
use alphapo::operations::ToRequest;
use alphapo::{
    Amount, Client, ExchangeCalculate, ExchangeNow, InvoiceRequest, OperationKind, Request, Signer,
    Status, WithdrawalRequest,
};
use sandbox::Sandbox;
use serde_json::Value;
use std::collections::HashMap;
use std::io::{Read, Write};
use std::mem::MaybeUninit;
use std::net::{Shutdown, TcpListener, TcpStream};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::{Duration, Instant};

const KEY: &str = "stress-key";
/// Distinctive, so that any leak of it is found by a plain search.
const SECRET: &str = "s3cr3t-0f-the-merchant-Q7f1cZ";

fn start() -> Sandbox {
    Sandbox::start(&["--key", KEY, "--secret", SECRET])
}

fn state(sb: &Sandbox) -> Value {
    let (status, body) = sb.control("GET", "/_sandbox/state", "");
    assert_eq!(status, 200, "{body}");
    serde_json::from_str(&body).unwrap()
}

fn arm(sb: &Sandbox, mode: &str, path: &str, extra: &str) {
    let (st, body) = sb.control(
        "POST",
        "/_sandbox/faults",
        &format!(r#"{{"mode":"{mode}","path":"{path}","count":1{extra}}}"#),
    );
    assert_eq!(st, 200, "{body}");
}

fn client(base_url: &str, retries: u32, timeout: Duration) -> Client {
    Client::builder(KEY, SECRET.as_bytes())
        .base_url(base_url, false)
        .timeout(timeout)
        .max_retries(retries)
        .build()
        .unwrap()
}

fn amount(s: &str) -> Amount {
    Amount::parse(s).unwrap()
}

fn withdrawal(fid: &str) -> WithdrawalRequest {
    WithdrawalRequest {
        currency: Some("BTC".into()),
        address: Some("tb1qstressdestination".into()),
        amount: Some(amount("0.001")),
        foreign_id: Some(fid.into()),
        end_user_reference: Some("customer-1".into()),
        ..WithdrawalRequest::default()
    }
}

fn invoice(fid: &str) -> InvoiceRequest {
    InvoiceRequest {
        title: Some("Stress".into()),
        currency: Some("EUR".into()),
        amount: Some(amount("25")),
        foreign_id: Some(fid.into()),
        end_user_reference: Some("customer-1".into()),
        ..InvoiceRequest::default()
    }
}

// ---- a recording TCP proxy ---------------------------------------------------------------

/// One HTTP request as it crossed the wire.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Seen {
    method: String,
    path: String,
    signature: Option<String>,
    body: Vec<u8>,
}

/// The bytes a client sent on one connection.
type Recording = Arc<Mutex<Vec<u8>>>;

/// Forwards loopback connections to the sandbox and records every byte the client sent.
struct Proxy {
    base_url: String,
    streams: Arc<Mutex<Vec<Recording>>>,
}

impl Proxy {
    fn start(upstream: &str) -> Proxy {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let streams: Arc<Mutex<Vec<Recording>>> = Arc::default();
        let upstream = upstream.to_string();
        let all = Arc::clone(&streams);
        thread::spawn(move || {
            for conn in listener.incoming() {
                let Ok(client) = conn else { return };
                let Ok(server) = TcpStream::connect(&upstream) else {
                    continue;
                };
                let record: Recording = Arc::default();
                all.lock().unwrap().push(Arc::clone(&record));
                let (mut c_in, mut s_out) =
                    (client.try_clone().unwrap(), server.try_clone().unwrap());
                thread::spawn(move || {
                    let mut buf = [0u8; 16 * 1024];
                    loop {
                        match c_in.read(&mut buf) {
                            Ok(0) | Err(_) => break,
                            Ok(n) => {
                                record.lock().unwrap().extend_from_slice(&buf[..n]);
                                if s_out.write_all(&buf[..n]).is_err() {
                                    break;
                                }
                            }
                        }
                    }
                    let _ = s_out.shutdown(Shutdown::Write);
                });
                let (mut s_in, mut c_out) = (server, client);
                thread::spawn(move || {
                    let mut buf = [0u8; 16 * 1024];
                    loop {
                        match s_in.read(&mut buf) {
                            Ok(0) | Err(_) => break,
                            Ok(n) => {
                                if c_out.write_all(&buf[..n]).is_err() {
                                    break;
                                }
                            }
                        }
                    }
                    // The sandbox dropped or finished the connection: so does the proxy.
                    let _ = c_out.shutdown(Shutdown::Both);
                });
            }
        });
        Proxy {
            base_url: format!("http://127.0.0.1:{port}/api/v2"),
            streams,
        }
    }

    /// Every complete request sent so far, in connection order.
    fn requests(&self) -> Vec<Seen> {
        let mut out = Vec::new();
        for stream in self.streams.lock().unwrap().iter() {
            let bytes = stream.lock().unwrap().clone();
            let mut rest = &bytes[..];
            while let Some(end) = rest.windows(4).position(|w| w == b"\r\n\r\n") {
                let head = String::from_utf8_lossy(&rest[..end]).into_owned();
                let mut lines = head.split("\r\n");
                let mut first = lines.next().unwrap_or("").split(' ');
                let method = first.next().unwrap_or("").to_string();
                let path = first.next().unwrap_or("").to_string();
                let headers: HashMap<String, String> = lines
                    .filter_map(|l| l.split_once(':'))
                    .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_string()))
                    .collect();
                let len: usize = headers
                    .get("content-length")
                    .and_then(|v| v.parse().ok())
                    .unwrap_or(0);
                let body_start = end + 4;
                if rest.len() < body_start + len {
                    break;
                }
                out.push(Seen {
                    method,
                    path,
                    signature: headers.get("x-processing-signature").cloned(),
                    body: rest[body_start..body_start + len].to_vec(),
                });
                rest = &rest[body_start + len..];
            }
        }
        out
    }

    fn requests_to(&self, path: &str) -> Vec<Seen> {
        self.requests()
            .into_iter()
            .filter(|r| r.path == path)
            .collect()
    }
}

/// All attempts of one call: at least two, byte for byte the same as the first, and the
/// same as what `prepare` produces for that request.
fn assert_identical_attempts(seen: &[Seen], expected_attempts: usize, prepared_body: &[u8]) {
    assert_eq!(
        seen.len(),
        expected_attempts,
        "attempts on the wire: {seen:#?}"
    );
    for s in seen {
        assert_eq!(s, &seen[0], "a retry changed the request");
        assert_eq!(
            s.body, prepared_body,
            "the wire body is not the prepared body"
        );
        assert!(s.signature.is_some());
    }
}

#[test]
fn every_retry_of_a_money_moving_call_carries_the_same_bytes() {
    let sb = start();
    let proxy = Proxy::start(sb.addr());
    let c = client(&proxy.base_url, 2, Duration::from_secs(5));
    let count = |sb: &Sandbox, fid: &str, list: &str| {
        state(sb)[list]
            .as_array()
            .unwrap()
            .iter()
            .filter(|w| w["foreign_id"] == fid)
            .count()
    };

    // An unguarded call is never sent twice once it may have arrived, whether the
    // sandbox dropped it before or after handling it.
    for (mode, applied) in [("drop_before", 0), ("drop_after", 1)] {
        let before = proxy.requests_to("/api/v2/withdrawal/crypto").len();
        arm(&sb, mode, "/withdrawal/crypto", "");
        let fid = format!("stress-{mode}");
        let e = c.withdraw(&withdrawal(&fid)).unwrap_err();
        assert_eq!(e.status(), Status::OutcomeUnknown, "{mode}: {e:?}");
        let seen = proxy.requests_to("/api/v2/withdrawal/crypto");
        assert_eq!(seen.len() - before, 1, "{mode}: sent once");
        assert_eq!(count(&sb, &fid, "withdrawals"), applied, "{mode}");
    }

    // invoices/create (guarded by the documented duplicate refusal) is repeated with the
    // very same bytes: lost before handling, the repeat creates it; lost after, the
    // repeat is refused as a duplicate that "may already have happened".
    arm(&sb, "drop_before", "/invoices/create", "");
    let inv = invoice("stress-drop-before");
    c.create_invoice(&inv).expect("the retry succeeds");
    let seen = proxy.requests_to("/api/v2/invoices/create");
    assert_identical_attempts(&seen, 2, &c.prepare(&inv).unwrap().body);
    assert_eq!(count(&sb, "stress-drop-before", "invoices"), 1);

    let before = proxy.requests_to("/api/v2/invoices/create").len();
    arm(&sb, "truncated", "/invoices/create", "");
    let inv = invoice("stress-truncated");
    let e = c.create_invoice(&inv).unwrap_err();
    assert_eq!(e.status(), Status::DuplicateForeignId, "{e:?}");
    let seen = proxy.requests_to("/api/v2/invoices/create");
    assert_identical_attempts(&seen[before..], 2, &c.prepare(&inv).unwrap().body);
    assert_eq!(count(&sb, "stress-truncated", "invoices"), 1);

    // A 502 in front of exchange/now: may have been applied, so not repeated.
    arm(&sb, "http_502", "/exchange/now", "");
    let x = ExchangeNow::new()
        .sender_currency("EUR")
        .receiver_currency("BTC")
        .sender_amount(amount("300"))
        .foreign_id("stress-502");
    let e = c.exchange_now(&x).unwrap_err();
    assert_eq!(e.status(), Status::OutcomeUnknown, "{e:?}");
    assert_eq!(e.cause(), Some(Status::Server));
    assert_eq!(e.http_status(), Some(502));
    assert_eq!(proxy.requests_to("/api/v2/exchange/now").len(), 1);

    // A timeout while the sandbox sits on the first attempt of an invoice: the retry (same
    // bytes) creates it; the first attempt, handled later, is refused as a duplicate.
    let slow = client(&proxy.base_url, 1, Duration::from_millis(600));
    let before = proxy.requests_to("/api/v2/invoices/create").len();
    arm(&sb, "latency", "/invoices/create", r#","ms":2000"#);
    let inv = invoice("stress-timeout");
    let t = Instant::now();
    slow.create_invoice(&inv)
        .expect("the retry after a timeout succeeds");
    assert!(t.elapsed() < Duration::from_secs(3), "{:?}", t.elapsed());
    thread::sleep(Duration::from_millis(2500)); // the delayed first attempt lands
    let seen = proxy.requests_to("/api/v2/invoices/create");
    assert_identical_attempts(&seen[before..], 2, &slow.prepare(&inv).unwrap().body);
    assert_eq!(count(&sb, "stress-timeout", "invoices"), 1);

    // Every request through the proxy reached the sandbox, and nothing else did.
    let total = state(&sb)["requests"]["total"].as_u64().unwrap();
    assert_eq!(total as usize, proxy.requests().len());
}

#[test]
fn the_generic_call_is_not_retried_once_sent_and_reads_are() {
    let sb = start();
    let proxy = Proxy::start(sb.addr());
    let c = client(&proxy.base_url, 2, Duration::from_secs(5));
    arm(&sb, "drop_before", "/accounts/list", "");
    let generic =
        Request::from_json(OperationKind::Generic, r#"{"path":"/accounts/list"}"#).unwrap();
    let e = c.execute(&generic).unwrap_err();
    assert_eq!(e.status(), Status::OutcomeUnknown, "{e:?}");
    assert_eq!(e.cause(), Some(Status::Transport), "{e:?}");
    assert_eq!(proxy.requests_to("/api/v2/accounts/list").len(), 1);
    arm(&sb, "drop_before", "/accounts/list", "");
    c.list_accounts().expect("a read is retried");
    let seen = proxy.requests_to("/api/v2/accounts/list");
    assert_eq!(seen.len(), 3);
    assert_eq!(seen[1], seen[2]);
}

// ---- secrets ---------------------------------------------------------------------------

/// Where `text` shows the secret, a known signature or any 128-hex-digit run.
fn leak_in(text: &str, signatures: &[String]) -> Option<&'static str> {
    if text.contains(SECRET) {
        return Some("the secret");
    }
    let lower = text.to_ascii_lowercase();
    if signatures.iter().any(|s| lower.contains(s.as_str())) {
        return Some("a signature of this run");
    }
    let mut run = 0;
    for b in text.bytes() {
        run = if b.is_ascii_hexdigit() { run + 1 } else { 0 };
        if run >= 128 {
            return Some("a 128-hex-digit run (a full signature)");
        }
    }
    None
}

/// Everything an error can show.
fn everything_about(e: &alphapo::Error) -> String {
    let mut text = format!("{e:?}\n{e}\n{}\n{}\n", e.message(), e.fields_json());
    text.push_str(e.code().unwrap_or(""));
    for f in e.fields() {
        text.push_str(&format!("\n{}: {}", f.field, f.message));
    }
    if let Some(raw) = e.raw_body() {
        text.push('\n');
        text.push_str(&String::from_utf8_lossy(raw));
    }
    text
}

/// Keeps everything a failed call shows.
fn fail<T>(seen: &mut Vec<(Status, String)>, result: Result<T, alphapo::Error>) {
    match result {
        Ok(_) => panic!("this call must fail"),
        Err(e) => seen.push((e.status(), everything_about(&e))),
    }
}

/// Remembers the signature `client` puts on `request`.
fn note(signatures: &mut Vec<String>, client: &Client, request: &impl ToRequest) {
    let p = client.prepare(request).unwrap();
    if let Some(sig) = p.header("X-Processing-Signature") {
        signatures.push(sig.to_ascii_lowercase());
    }
}

/// The message of a C ABI error object, which is then freed.
fn c_message(err: *mut alphapo_error) -> String {
    assert!(!err.is_null());
    // SAFETY: an error object just returned by the library; NUL-terminated message.
    let msg = unsafe { std::ffi::CStr::from_ptr(alphapo_error_message(err)) }
        .to_string_lossy()
        .into_owned();
    // SAFETY: owned by us, freed once.
    unsafe { alphapo_error_free(err) };
    msg
}

#[test]
fn no_error_debug_output_or_message_shows_the_secret_or_a_signature() {
    let sb = start();
    let c = client(sb.base_url(), 0, Duration::from_millis(800));
    let mut seen: Vec<(Status, String)> = Vec::new();
    let mut signatures: Vec<String> = Vec::new();

    // VALIDATION (with the secret inside a refused field value), INVALID_ARGUMENT.
    let mut bad = invoice("leak-1");
    bad.title = Some(String::new());
    bad.url_success = Some("http://127.0.0.1/".into());
    fail(&mut seen, c.create_invoice(&bad));
    fail(
        &mut seen,
        Request::from_json(OperationKind::InvoicesCreate, "{not json"),
    );
    fail(&mut seen, Client::builder("", SECRET.as_bytes()).build());
    fail(
        &mut seen,
        Client::builder(KEY, SECRET.as_bytes())
            .base_url("ftp://x.example/api/v2", false)
            .build(),
    );
    // AUTH: a wrong secret (the sandbox recomputes the signature and refuses ours), a
    // wrong key.
    let wrong = Client::builder(KEY, b"not-the-secret")
        .base_url(sb.base_url(), false)
        .max_retries(0)
        .build()
        .unwrap();
    note(
        &mut signatures,
        &wrong,
        &Request::from_json(OperationKind::AccountsList, "{}").unwrap(),
    );
    fail(&mut seen, wrong.list_accounts());
    let wrong_key = Client::builder("not-the-key", SECRET.as_bytes())
        .base_url(sb.base_url(), false)
        .max_retries(0)
        .build()
        .unwrap();
    fail(&mut seen, wrong_key.list_accounts());
    // API, DUPLICATE_FOREIGN_ID, RATE_LIMITED.
    let mut small = invoice("leak-2");
    small.amount = Some(amount("1"));
    note(&mut signatures, &c, &small);
    fail(&mut seen, c.create_invoice(&small));
    let dup = invoice("leak-3");
    note(&mut signatures, &c, &dup);
    c.create_invoice(&dup).unwrap();
    fail(&mut seen, c.create_invoice(&dup));
    sb.control("POST", "/_sandbox/rate-limit", r#"{"per_minute":1}"#);
    let quote = ExchangeCalculate::new()
        .sender_currency("BTC")
        .receiver_currency("EUR")
        .sender_amount(amount("0.01"));
    note(&mut signatures, &c, &quote);
    let _ = c.calculate_exchange(&quote);
    fail(&mut seen, c.calculate_exchange(&quote));
    // SERVER, TRANSPORT, TIMEOUT, DECODE, OUTCOME_UNKNOWN from the sandbox's faults.
    for (mode, extra) in [
        ("http_500", ""),
        ("drop_after", ""),
        ("truncated", ""),
        ("latency", r#","ms":2000"#),
        ("slow_drip", r#","ms":20"#),
        ("huge", r#","bytes":9437184"#),
    ] {
        // A read reports the failure itself; a withdrawal, OUTCOME_UNKNOWN around it.
        arm(&sb, mode, "/accounts/list", extra);
        fail(&mut seen, c.list_accounts());
        arm(&sb, mode, "/withdrawal/crypto", extra);
        let w = withdrawal(&format!("leak-{mode}"));
        note(&mut signatures, &c, &w);
        fail(&mut seen, c.withdraw(&w));
    }
    let nowhere = client("http://127.0.0.1:9/api/v2", 0, Duration::from_secs(1));
    fail(&mut seen, nowhere.list_accounts());
    fail(
        &mut seen,
        alphapo::reply::decode_reply(OperationKind::AccountsList, 200, b"{oops".to_vec(), None),
    );
    // SIGNATURE_MISMATCH: a signature made with the secret over another body; a key
    // header that carries the secret by mistake.
    let signer = Signer::new(SECRET.as_bytes());
    let good = signer.sign(br#"{"id":1}"#);
    signatures.push(good.clone());
    fail(
        &mut seen,
        alphapo::verify_callback(&signer, br#"{"id":2}"#, good.as_bytes(), None, None),
    );
    fail(
        &mut seen,
        alphapo::parse_callback(
            &signer,
            br#"{"id":1}"#,
            good.as_bytes(),
            Some(SECRET),
            Some(KEY),
        ),
    );
    // TLS: a self-signed sandbox, not trusted.
    let tls = Sandbox::start(&["--tls", "--key", KEY, "--secret", SECRET]);
    fail(
        &mut seen,
        client(tls.base_url(), 0, Duration::from_secs(5)).list_accounts(),
    );
    // The C ABI: NULL_ARGUMENT and PANIC error objects, BUFFER_TOO_SMALL (status only).
    let mut err: *mut alphapo_error = std::ptr::null_mut();
    let mut out = std::ptr::null_mut();
    let st = alphapo_client_builder_new(
        std::ptr::null(),
        SECRET.as_ptr(),
        SECRET.len(),
        &mut out,
        &mut err,
    );
    assert_eq!(st, Status::NullArgument);
    seen.push((st, c_message(err)));
    let st = alphapo::ffi::alphapo_test_panic(&mut err);
    assert_eq!(st, Status::Panic);
    seen.push((st, c_message(err)));
    let mut buf = [0u8; 10];
    let st = alphapo::ffi::signer::alphapo_sign(
        SECRET.as_ptr(),
        SECRET.len(),
        b"x".as_ptr(),
        1,
        buf.as_mut_ptr().cast(),
        buf.len(),
    );
    assert_eq!(st, Status::BufferTooSmall);
    seen.push((st, String::from_utf8_lossy(&buf).into_owned()));

    // Debug output of everything that holds the secret or a signature.
    let builder = Client::builder(KEY, SECRET.as_bytes());
    let prepared = c.prepare(&withdrawal("leak-debug")).unwrap();
    signatures.push(
        prepared
            .header("X-Processing-Signature")
            .unwrap()
            .to_string(),
    );
    for debug in [
        format!("{c:?}"),
        format!("{builder:?}"),
        format!("{signer:?}"),
        format!("{prepared:?}"),
    ] {
        seen.push((Status::Ok, debug));
    }

    // The search itself finds what it looks for.
    assert!(leak_in(&format!("x{SECRET}x"), &[]).is_some());
    assert!(leak_in(&format!("sig={}.", signer.sign(b"y").to_uppercase()), &[]).is_some());

    let classes: std::collections::BTreeSet<u32> = seen.iter().map(|(s, _)| s.code()).collect();
    for status in Status::ALL {
        assert!(
            classes.contains(&status.code()),
            "no output of class {status:?} was examined"
        );
    }
    for (status, text) in &seen {
        if let Some(what) = leak_in(text, &signatures) {
            panic!("{status:?} output shows {what}: {text}");
        }
    }
    println!(
        "searched {} outputs ({} error classes and Debug) for the secret and {} signatures: none found",
        seen.len(),
        classes.len() - 1,
        signatures.len()
    );
}

// ---- zeroization -----------------------------------------------------------------------

/// The SHA-512 states an HMAC-SHA512 key leaves behind: the inner and outer pads
/// absorbed (exactly what the keyed `Signer` holds; the key itself is not kept).
fn keyed_states(key: &[u8]) -> [[u64; 8]; 2] {
    const IV: [u64; 8] = [
        0x6a09e667f3bcc908,
        0xbb67ae8584caa73b,
        0x3c6ef372fe94f82b,
        0xa54ff53a5f1d36f1,
        0x510e527fade682d1,
        0x9b05688c2b3e6c1f,
        0x1f83d9abfb41bd6b,
        0x5be0cd19137e2179,
    ];
    assert!(key.len() <= 128);
    let mut out = [IV; 2];
    for (state, pad) in out.iter_mut().zip([0x36u8, 0x5c]) {
        let mut block = [pad; 128];
        for (b, k) in block.iter_mut().zip(key) {
            *b ^= k;
        }
        sha2::block_api::compress512(state, &[block]);
    }
    out
}

/// Whether the 8 words of `state` appear in a row in the memory of `value`.
fn holds<T>(value: *const T, state: &[u64; 8]) -> bool {
    let words = std::mem::size_of::<T>() / 8;
    let base = value.cast::<u64>();
    (0..words.saturating_sub(7)).any(|i| {
        // SAFETY: inside the value's own memory, 8-aligned (the value holds u64s); read
        // volatile so that the check sees what is really there after the drop.
        (0..8).all(|j| unsafe { std::ptr::read_volatile(base.add(i + j)) } == state[j])
    })
}

/// Whether `needle` appears in the memory of `value`.
fn holds_bytes<T>(value: *const T, needle: &[u8]) -> bool {
    let len = std::mem::size_of::<T>();
    let base = value.cast::<u8>();
    (0..=len.saturating_sub(needle.len())).any(|i| {
        // SAFETY: inside the value's own memory; read volatile, as above.
        (0..needle.len()).all(|j| unsafe { std::ptr::read_volatile(base.add(i + j)) } == needle[j])
    })
}

#[test]
fn the_keyed_state_is_wiped_when_a_signer_or_a_client_is_dropped() {
    let states = keyed_states(SECRET.as_bytes());
    assert!(std::mem::align_of::<Signer>() >= 8 && std::mem::align_of::<Client>() >= 8);

    let mut signer = MaybeUninit::<Signer>::uninit();
    signer.write(Signer::new(SECRET.as_bytes()));
    for s in &states {
        assert!(
            holds(signer.as_ptr(), s),
            "the probe must find the live state"
        );
    }
    // The HMAC key block (the secret itself, zero-padded), when the signer keeps one.
    let key_block_kept = holds_bytes(signer.as_ptr(), SECRET.as_bytes());
    // SAFETY: initialized above, dropped once, never used again.
    unsafe { signer.assume_init_drop() };
    for s in &states {
        assert!(
            !holds(signer.as_ptr(), s),
            "a dropped Signer still holds a keyed state"
        );
    }
    assert!(
        !holds_bytes(signer.as_ptr(), SECRET.as_bytes()),
        "a dropped Signer still holds the secret (its HMAC key block)"
    );
    println!("Signer: keyed states and key block (kept while alive: {key_block_kept}) wiped");

    let mut client = MaybeUninit::<Client>::uninit();
    client.write(
        Client::builder(KEY, SECRET.as_bytes())
            .base_url("http://127.0.0.1:9/api/v2", false)
            .build()
            .unwrap(),
    );
    for s in &states {
        assert!(
            holds(client.as_ptr(), s),
            "the probe must find the live state"
        );
    }
    // SAFETY: initialized above, dropped once, never used again.
    unsafe { client.assume_init_drop() };
    for s in &states {
        assert!(
            !holds(client.as_ptr(), s),
            "a dropped Client still holds a keyed state"
        );
    }
    assert!(
        !holds_bytes(client.as_ptr(), SECRET.as_bytes()),
        "a dropped Client still holds the secret"
    );
}

#[test]
fn slow_drip_ends_in_timeout_within_connect_plus_timeout() {
    let sb = start();
    let timeout = Duration::from_millis(1000);
    let c = Client::builder(KEY, SECRET.as_bytes())
        .base_url(sb.base_url(), false)
        .connect_timeout(timeout)
        .timeout(timeout)
        .max_retries(0)
        .build()
        .unwrap();
    for ms in [40, 6, 2] {
        arm(
            &sb,
            "slow_drip",
            "/accounts/list",
            &format!(r#","ms":{ms}"#),
        );
        let t = Instant::now();
        let e = c.list_accounts().unwrap_err();
        let took = t.elapsed();
        assert_eq!(e.status(), Status::Timeout, "{ms} ms per byte: {e:?}");
        assert!(took >= timeout * 9 / 10, "{ms} ms per byte: {took:?}");
        assert!(
            took < timeout * 2 + Duration::from_millis(700),
            "{ms} ms per byte: {took:?}"
        );
        println!("slow drip {ms} ms/byte, timeouts 1 s + 1 s: TIMEOUT after {took:?}");
    }
}

/// Calls per thread of the Rust concurrency test (`ALPHAPO_STRESS_CALLS`, default 1000,
/// as in the C and Python stress tests).
fn calls_per_thread() -> usize {
    std::env::var("ALPHAPO_STRESS_CALLS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1000)
}

#[test]
fn sixteen_threads_share_one_client_and_one_signer() {
    let sb = start();
    let c = Arc::new(client(sb.base_url(), 0, Duration::from_secs(10)));
    let signer = Arc::new(Signer::new(SECRET.as_bytes()));
    let before = state(&sb)["requests"]["total"].as_u64().unwrap();
    let calls = calls_per_thread();
    let started = Instant::now();
    let threads: Vec<_> = (0..16)
        .map(|t| {
            let (c, signer) = (Arc::clone(&c), Arc::clone(&signer));
            thread::spawn(move || {
                let mut sent = 0u64;
                for i in 0..calls {
                    match (i + t) % 6 {
                        0 => {
                            c.list_accounts().expect("accounts");
                            sent += 1;
                        }
                        1 => {
                            let inv = c
                                .create_invoice(&invoice(&format!("rs-{t}-{i}")))
                                .expect("invoice");
                            assert_eq!(inv.foreign_id, Some(format!("rs-{t}-{i}")));
                            sent += 1;
                        }
                        2 => {
                            let e = c
                                .execute(
                                    &Request::from_json(
                                        OperationKind::TransactionsInfo,
                                        r#"{"id":987654321}"#,
                                    )
                                    .unwrap(),
                                )
                                .unwrap_err();
                            assert_eq!(e.status(), Status::Api, "{e:?}");
                            sent += 1;
                        }
                        3 => {
                            let e = c.create_invoice(&InvoiceRequest::default()).unwrap_err();
                            assert_eq!(e.status(), Status::Validation);
                        }
                        4 => {
                            let p = c.prepare(&withdrawal(&format!("p-{t}-{i}"))).unwrap();
                            let sig = p.header("X-Processing-Signature").unwrap();
                            assert!(signer.verify(&p.body, sig.as_bytes()));
                        }
                        _ => {
                            assert_eq!(c.ping().unwrap().data, "OK");
                            sent += 1;
                        }
                    }
                }
                sent
            })
        })
        .collect();
    let sent: u64 = threads
        .into_iter()
        .map(|t| t.join().expect("no thread failed"))
        .sum();
    let took = started.elapsed();
    let after = state(&sb)["requests"]["total"].as_u64().unwrap();
    println!(
        "16 threads x {calls} mixed calls on one Client: {took:?}; {sent} requests sent, the sandbox counted {}",
        after - before
    );
    assert_eq!(
        after - before,
        sent,
        "the sandbox saw exactly the requests sent"
    );
}
