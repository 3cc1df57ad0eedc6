//! Callback parsing behind a valid signature: each input is signed with the merchant's
//! secret first, so `alphapo::parse_callback` always gets past verification and the
//! parser itself is what is fuzzed. Also through the C ABI (`alphapo_callback_parse` and
//! its accessors), and with a one-character change of the signature, which must never be
//! parsed.
#![no_main]

use alphapo::ffi::callback::*;
use alphapo::ffi::error::{alphapo_error_free, alphapo_error_status};
use alphapo::ffi::signer::{alphapo_signer, alphapo_signer_new};
use alphapo::ffi::strings::alphapo_string_free;
use alphapo::{parse_callback, Signer, Status};
use libfuzzer_sys::fuzz_target;
use std::ffi::CStr;
use std::ptr;
use std::sync::OnceLock;

const SECRET: &[u8] = b"fuzz-callback-secret";
const KEY: &str = "fuzz-key";
const KEY_C: &[u8] = b"fuzz-key\0";
const PATHS: [&[u8]; 6] = [
    b"type\0",
    b"status\0",
    b"currency_received.amount\0",
    b"transactions.0.txid\0",
    b"fees.0.amount\0",
    b"id\0",
];

struct SignerHandle(*mut alphapo_signer);
// SAFETY: the C signer is immutable and documented as shareable between threads.
unsafe impl Send for SignerHandle {}
unsafe impl Sync for SignerHandle {}

fn c_signer() -> *const alphapo_signer {
    // One signer for the whole run, never freed (the process ends with it).
    static HANDLE: OnceLock<SignerHandle> = OnceLock::new();
    HANDLE
        .get_or_init(|| {
            let mut s = ptr::null_mut();
            assert_eq!(
                alphapo_signer_new(SECRET.as_ptr(), SECRET.len(), &mut s),
                Status::Ok
            );
            SignerHandle(s)
        })
        .0
}

fuzz_target!(|body: &[u8]| {
    let signer = Signer::new(SECRET);
    let signature = signer.sign(body);
    let is_object = matches!(
        serde_json::from_slice::<serde_json::Value>(body),
        Ok(serde_json::Value::Object(_))
    );
    let rust_status =
        match parse_callback(&signer, body, signature.as_bytes(), Some(KEY), Some(KEY)) {
            Ok(cb) => {
                assert!(is_object, "only a JSON object is a callback");
                assert_eq!(cb.raw_body, body);
                let _ = cb.dedupe_key();
                let _ = cb.is_known_type();
                let envelope: serde_json::Value =
                    serde_json::from_str(&cb.envelope_json()).expect("the envelope is JSON");
                assert!(envelope.get("dedupe_key").is_some());
                let _ = format!("{cb:?}");
                Status::Ok
            }
            Err(e) => {
                if body.len() > 1024 * 1024 {
                    assert_eq!(e.status(), Status::SignatureMismatch);
                } else {
                    assert_eq!(e.status(), Status::Decode, "{e:?}");
                    assert!(!is_object, "a JSON object was refused: {e:?}");
                }
                e.status()
            }
        };
    // Upper-case hex verifies too; a wrong key header does not.
    assert!(alphapo::verify_callback(
        &signer,
        body,
        signature.to_uppercase().as_bytes(),
        None,
        None
    )
    .is_ok());
    assert_eq!(
        alphapo::verify_callback(&signer, body, signature.as_bytes(), Some("x"), Some(KEY))
            .map_err(|e| e.status()),
        Err(Status::SignatureMismatch)
    );
    // One changed hex digit: never verified, never parsed.
    let mut forged = signature.clone().into_bytes();
    let i = body.first().map_or(0, |b| *b as usize % forged.len());
    forged[i] = if forged[i] == b'0' { b'1' } else { b'0' };
    assert_eq!(
        parse_callback(&signer, body, &forged, None, None)
            .map_err(|e| e.status())
            .err(),
        Some(Status::SignatureMismatch)
    );

    // The C ABI: same status, every accessor usable.
    let mut out = ptr::null_mut();
    let mut err = ptr::null_mut();
    let st = alphapo_callback_parse(
        c_signer(),
        body.as_ptr(),
        body.len(),
        signature.as_ptr().cast(),
        signature.len(),
        KEY_C.as_ptr().cast(),
        KEY_C.as_ptr().cast(),
        &mut out,
        &mut err,
    );
    assert_eq!(st, rust_status, "C ABI and Rust disagree");
    if st == Status::Ok {
        assert!(err.is_null() && !out.is_null());
        for p in PATHS {
            let v = alphapo_callback_get(out, p.as_ptr().cast());
            if !v.is_null() {
                // SAFETY: NUL-terminated, borrowed from `out`.
                let _ = unsafe { CStr::from_ptr(v) }.to_str().expect("UTF-8");
            }
        }
        // SAFETY: NUL-terminated, borrowed from `out`.
        let _ = unsafe { CStr::from_ptr(alphapo_callback_dedupe_key(out)) };
        let json = alphapo_callback_json(out);
        assert!(!json.is_null());
        // SAFETY: owned by us, freed once.
        unsafe {
            alphapo_string_free(json);
            alphapo_callback_free(out);
        }
    } else {
        assert!(out.is_null());
        assert_eq!(alphapo_error_status(err), st);
        // SAFETY: owned by us, freed once.
        unsafe { alphapo_error_free(err) };
    }
});
