//! Response decoding of every operation: `alphapo::reply::decode_reply` (a 2xx body goes to
//! `Response::decode`, anything else to the error mapping) for each `OperationKind`, the
//! typed views over the result, and the same bytes through the C ABI
//! (`alphapo_decode_reply` and every response / error accessor).
//!
//! Input: byte 0 picks the operation, byte 1 the HTTP status, the rest is the body.
#![no_main]

use alphapo::ffi::client::alphapo_decode_reply;
use alphapo::ffi::error::*;
use alphapo::ffi::response::*;
use alphapo::ffi::strings::alphapo_string_free;
use alphapo::operations::{Account, CurrencyInfo, CurrencyPair};
use alphapo::{Address, Exchange, Invoice, OperationKind, Status, Transaction, Withdrawal};
use libfuzzer_sys::fuzz_target;
use std::ffi::CStr;
use std::ptr;

const STATUSES: [u16; 16] = [
    200, 201, 204, 299, 400, 401, 403, 404, 409, 422, 429, 500, 502, 503, 302, 100,
];
const PATHS: [&[u8]; 8] = [
    b"url\0",
    b"amount\0",
    b"0.currency\0",
    b"0.balance\0",
    b"currency_from.min_amount\0",
    b"transactions.0.amount\0",
    b"\0",
    b"id\0",
];

fuzz_target!(|data: &[u8]| {
    if data.len() < 2 {
        return;
    }
    let kind = alphapo::operations::OPERATIONS[data[0] as usize % alphapo::operations::OPERATIONS.len()].kind;
    let status = STATUSES[data[1] as usize % STATUSES.len()];
    let body = &data[2..];
    let mut rust_json = None;
    let rust_status = match alphapo::reply::decode_reply(kind, status, body.to_vec(), None) {
        Ok(r) => {
            rust_json = Some((r.summary_json(), r.envelope_json()));
            assert!(
                (200..300).contains(&status),
                "{status} decoded as a success"
            );
            assert_eq!(r.kind, kind);
            assert_eq!(r.raw_body, body, "the raw body is kept byte for byte");
            let envelope: serde_json::Value =
                serde_json::from_str(&r.envelope_json()).expect("the envelope is JSON");
            assert!(envelope.get("data").is_some());
            assert!(envelope["malformed"].is_array());
            match kind {
                OperationKind::AccountsList => drop(Account::list(&r)),
                OperationKind::CurrenciesList => drop(CurrencyInfo::list(&r)),
                OperationKind::CurrenciesPairs | OperationKind::CurrenciesRates => {
                    drop(CurrencyPair::list(&r))
                }
                OperationKind::AddressesTake => drop(Address::from_response(r)),
                OperationKind::WithdrawalCrypto => drop(Withdrawal::from_response(r)),
                OperationKind::ExchangeCalculate
                | OperationKind::ExchangeFixed
                | OperationKind::ExchangeNow => drop(Exchange::from_response(r)),
                OperationKind::InvoicesCreate => drop(Invoice::from_response(r)),
                OperationKind::TransactionsInfo => drop(Transaction::from_response(&r)),
                _ => {}
            }
            Status::Ok
        }
        Err(e) => {
            let s = e.status();
            if (200..300).contains(&status) {
                assert_eq!(s, Status::Decode, "a 2xx fails only as DECODE: {e:?}");
            } else {
                assert!(
                    matches!(
                        s,
                        Status::Auth
                            | Status::Api
                            | Status::DuplicateForeignId
                            | Status::RateLimited
                            | Status::Server
                    ),
                    "HTTP {status} gave {s:?}"
                );
                assert_eq!(e.http_status(), Some(status));
            }
            assert_eq!(
                e.raw_body(),
                Some(body),
                "the raw body is kept in the error"
            );
            let _: serde_json::Value =
                serde_json::from_str(&e.fields_json()).expect("fields_json is JSON");
            let _ = format!("{e:?} {e}");
            s
        }
    };

    // The same bytes through the C ABI: same status, every accessor usable.
    let mut out = ptr::null_mut();
    let mut err = ptr::null_mut();
    let st = alphapo_decode_reply(
        kind as u32,
        status,
        body.as_ptr(),
        body.len(),
        &mut out,
        &mut err,
    );
    assert_eq!(st, rust_status, "C ABI and Rust disagree");
    if st == Status::Ok {
        assert!(err.is_null() && !out.is_null());
        assert_eq!(alphapo_response_http_status(out), status);
        // Asked first, before anything needs the data: a reply read flat gives the summary
        // from its flat data, which must be what the full decode gives.
        let (summary, envelope) = rust_json.expect("Rust decoded it");
        let mut len = usize::MAX;
        let text = alphapo_response_summary_json(out, &mut len);
        // SAFETY: `len` bytes borrowed from `out`.
        let text = unsafe { std::slice::from_raw_parts(text.cast::<u8>(), len) };
        assert_eq!(text, summary.as_bytes(), "summary through the C ABI");
        let mut len = usize::MAX;
        let raw = alphapo_response_raw_body(out, &mut len);
        assert_eq!(len, body.len());
        if len > 0 {
            // SAFETY: borrowed from `out`, `len` bytes.
            assert_eq!(unsafe { std::slice::from_raw_parts(raw, len) }, body);
        }
        for p in PATHS {
            let v = alphapo_response_get(out, p.as_ptr().cast());
            if !v.is_null() {
                // SAFETY: a NUL-terminated string borrowed from `out`.
                let _ = unsafe { CStr::from_ptr(v) }.to_str().expect("UTF-8");
            }
        }
        let n = alphapo_response_malformed_count(out);
        for i in 0..=n {
            assert_eq!(alphapo_response_malformed(out, i).is_null(), i == n);
        }
        let json = alphapo_response_json(out);
        assert!(!json.is_null());
        // SAFETY: an owned string from the library.
        let text = unsafe { CStr::from_ptr(json) }.to_str().expect("UTF-8");
        assert_eq!(text, envelope, "envelope through the C ABI");
        // SAFETY: owned by us, freed once.
        unsafe {
            alphapo_string_free(json);
            alphapo_response_free(out);
        }
    } else {
        assert!(out.is_null() && !err.is_null());
        assert_eq!(alphapo_error_status(err), st);
        assert!(!alphapo_error_message(err).is_null());
        let _ = alphapo_error_code(err);
        let n = alphapo_error_field_count(err);
        for i in 0..=n {
            assert_eq!(alphapo_error_field_name(err, i).is_null(), i == n);
            assert_eq!(alphapo_error_field_message(err, i).is_null(), i == n);
        }
        let mut len = 0usize;
        let _ = alphapo_error_raw_body(err, &mut len);
        assert_eq!(len, body.len());
        let fields = alphapo_error_fields_json(err);
        assert!(!fields.is_null());
        // SAFETY: owned by us, freed once.
        unsafe {
            alphapo_string_free(fields);
            alphapo_error_free(err);
        }
    }
});
