//! Request validation from JSON: `alphapo::Request::from_json` for every `OperationKind`,
//! then `Client::prepare` (no network) on what was accepted, and the same text through the
//! C ABI's `alphapo_client_prepare` (raw bytes, so invalid UTF-8 reaches the check).
//!
//! Input: byte 0 picks the operation, the rest is the request JSON.
#![no_main]

use alphapo::ffi::client::alphapo_client_prepare;
use alphapo::ffi::client::{alphapo_client, alphapo_client_builder_build};
use alphapo::ffi::client::{alphapo_client_builder_new, alphapo_client_builder_set_base_url};
use alphapo::ffi::error::{alphapo_error_free, alphapo_error_status};
use alphapo::ffi::prepared::*;
use alphapo::operations::Base;
use alphapo::{Client, OperationKind, Request, Status};
use libfuzzer_sys::fuzz_target;
use std::ffi::CString;
use std::ptr;
use std::sync::OnceLock;

const SECRET: &[u8] = b"fuzz-request-secret";
const BASE: &str = "http://127.0.0.1:9/api/v2";

/// The base URL a request of `base` goes below, for the client built on [`BASE`].
fn base_url(base: Base) -> &'static str {
    match base {
        Base::V2 => BASE,
        Base::Payments => "http://127.0.0.1:9/api/payments/v1",
        Base::Root => "http://127.0.0.1:9/api",
    }
}

fn client() -> &'static Client {
    static CLIENT: OnceLock<Client> = OnceLock::new();
    CLIENT.get_or_init(|| {
        Client::builder("fuzz-key", SECRET)
            .base_url(BASE, false)
            .build()
            .expect("client")
    })
}

struct ClientHandle(*mut alphapo_client);
// SAFETY: the C client is documented as thread-safe.
unsafe impl Send for ClientHandle {}
unsafe impl Sync for ClientHandle {}

fn c_client() -> *const alphapo_client {
    static HANDLE: OnceLock<ClientHandle> = OnceLock::new();
    HANDLE
        .get_or_init(|| {
            let (mut b, mut c) = (ptr::null_mut(), ptr::null_mut());
            let key = CString::new("fuzz-key").unwrap();
            let base = CString::new(BASE).unwrap();
            let null = ptr::null_mut();
            assert_eq!(
                alphapo_client_builder_new(
                    key.as_ptr(),
                    SECRET.as_ptr(),
                    SECRET.len(),
                    &mut b,
                    null
                ),
                Status::Ok
            );
            assert_eq!(
                alphapo_client_builder_set_base_url(b, base.as_ptr(), false, null),
                Status::Ok
            );
            assert_eq!(alphapo_client_builder_build(b, &mut c, null), Status::Ok);
            ClientHandle(c)
        })
        .0
}

/// Characters a fixed operation may put in its path (the cancel path carries the
/// percent-encoded foreign_id).
fn path_char_ok(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"-._~%/".contains(&b)
}

fuzz_target!(|data: &[u8]| {
    let Some((&selector, rest)) = data.split_first() else {
        return;
    };
    let kind = alphapo::operations::OPERATIONS[selector as usize % alphapo::operations::OPERATIONS.len()].kind;
    let text = std::str::from_utf8(rest).ok();
    // The fields read straight from the text make what the parsed object makes.
    if let Some(Ok(value @ serde_json::Value::Object(_))) =
        text.map(serde_json::from_str::<serde_json::Value>)
    {
        let by_text = Request::from_json(kind, text.unwrap_or_default());
        let by_value = Request::from_fields(kind, &value);
        assert_eq!(format!("{by_text:?}"), format!("{by_value:?}"));
    }
    let rust_status = text.map(|json| match Request::from_json(kind, json) {
        Ok(req) => {
            assert_eq!(req.kind, kind);
            assert!(req.path.starts_with('/'), "{:?}", req.path);
            assert!(!req.path.contains(char::is_whitespace), "{:?}", req.path);
            if kind != OperationKind::Generic {
                assert!(req.path.bytes().all(path_char_ok), "{:?}", req.path);
            }
            if kind == OperationKind::Ping {
                assert!(req.body.is_empty());
            } else {
                let _: serde_json::Value =
                    serde_json::from_slice(&req.body).expect("the body is JSON");
            }
            // What was accepted once is accepted again from its own body, unchanged.
            if !matches!(
                kind,
                OperationKind::Ping | OperationKind::InvoicesCancel | OperationKind::Generic
            ) {
                let body = std::str::from_utf8(&req.body).expect("UTF-8 body");
                let again = Request::from_json(kind, body)
                    .unwrap_or_else(|e| panic!("own body {body} refused: {e:?}"));
                assert_eq!(again.body, req.body, "re-encoding changed the body");
            }
            let prepared = client()
                .prepare(&req)
                .expect("prepare accepts a valid request");
            assert_eq!(prepared.body, req.body, "prepare sends exactly the body");
            assert_eq!(prepared.url, format!("{}{}", base_url(req.base), req.path));
            for (name, value) in &prepared.headers {
                assert!(
                    value.bytes().all(|b| (0x20..0x7f).contains(&b)),
                    "header {name} is not printable ASCII"
                );
            }
            if let Some(sig) = prepared.header("X-Processing-Signature") {
                assert!(alphapo::verify(SECRET, &prepared.body, sig.as_bytes()));
            }
            Status::Ok
        }
        Err(e) => {
            let s = e.status();
            assert!(
                matches!(s, Status::InvalidArgument | Status::Validation),
                "{kind:?}: {e:?}"
            );
            if s == Status::Validation {
                assert!(
                    !e.fields().is_empty(),
                    "a validation error names its fields"
                );
            }
            let _ = format!("{e:?} {e}");
            s
        }
    });

    // The C ABI with the raw bytes up to the first NUL.
    let end = rest.iter().position(|b| *b == 0).unwrap_or(rest.len());
    let c_text = CString::new(&rest[..end]).expect("no interior NUL");
    let mut out = ptr::null_mut();
    let mut err = ptr::null_mut();
    let st = alphapo_client_prepare(c_client(), kind as u32, c_text.as_ptr(), &mut out, &mut err);
    if end == rest.len() {
        match rust_status {
            Some(s) => assert_eq!(st, s, "C ABI and Rust disagree"),
            None => assert_eq!(st, Status::InvalidArgument, "invalid UTF-8 accepted"),
        }
    }
    if st == Status::Ok {
        assert!(err.is_null() && !out.is_null());
        assert!(!alphapo_prepared_method(out).is_null());
        assert!(!alphapo_prepared_url(out).is_null());
        let mut len = 0usize;
        let _ = alphapo_prepared_body(out, &mut len);
        let n = alphapo_prepared_header_count(out);
        for i in 0..=n {
            assert_eq!(alphapo_prepared_header_name(out, i).is_null(), i == n);
            assert_eq!(alphapo_prepared_header_value(out, i).is_null(), i == n);
        }
        // SAFETY: owned by us, freed once.
        unsafe { alphapo_prepared_free(out) };
    } else {
        assert!(out.is_null());
        assert_eq!(alphapo_error_status(err), st);
        // SAFETY: owned by us, freed once.
        unsafe { alphapo_error_free(err) };
    }
});
