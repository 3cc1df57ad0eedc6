//! `alphapo_callback`: verify and parse the callbacks the service sends.

use super::error::alphapo_error;
use super::paths::PathIndex;
use super::signer::{alphapo_signer, inner};
use super::strings::{cstring, owned};
use super::{deliver, ffi_boundary, free_box, opt_str, read_handle, try_bytes, try_ref};
use crate::callback::{parse_callback, verify_callback, Callback};
use crate::error::{Error, Status};
use crate::signature::Signer;
use std::ffi::{c_char, CString};

/// A verified, parsed callback. Owned by the caller, freed with `alphapo_callback_free`.
/// Immutable: safe to read from several threads. Borrowed results live as long as it.
pub struct alphapo_callback {
    inner: Callback,
    values: PathIndex,
    dedupe_key: CString,
}

/// The arguments of both callback functions, checked.
struct Received<'a> {
    signer: &'a Signer,
    body: &'a [u8],
    signature: &'a [u8],
    key_header: Option<&'a str>,
    expected_key: Option<&'a str>,
}

impl<'a> Received<'a> {
    /// Checks the arguments in their order: the signer, the body and the signature (each
    /// a pointer and its length), then the two optional header values (UTF-8).
    fn check(
        signer: *const alphapo_signer,
        (body, body_len): (*const u8, usize),
        (signature, signature_len): (*const c_char, usize),
        key_header: *const c_char,
        expected_key: *const c_char,
    ) -> Result<Received<'a>, Error> {
        // SAFETY: pointers NULL or valid for their lengths / NUL-terminated.
        unsafe {
            Ok(Received {
                signer: inner(try_ref(signer, "signer")?),
                body: try_bytes(body, body_len, "body")?,
                signature: try_bytes(signature.cast(), signature_len, "signature")?,
                key_header: opt_str(key_header, "key_header")?,
                expected_key: opt_str(expected_key, "expected_key")?,
            })
        }
    }

    /// Verifies the callback (see `alphapo_callback_verify`).
    fn verify(&self) -> Result<(), Error> {
        verify_callback(
            self.signer,
            self.body,
            self.signature,
            self.key_header,
            self.expected_key,
        )
    }

    /// Verifies, then parses the callback.
    fn parse(&self) -> Result<alphapo_callback, Error> {
        let cb = parse_callback(
            self.signer,
            self.body,
            self.signature,
            self.key_header,
            self.expected_key,
        )?;
        Ok(alphapo_callback {
            values: PathIndex::default(),
            dedupe_key: cstring(&cb.dedupe_key()),
            inner: cb,
        })
    }
}

/// Verifies a callback: `signature` is the `X-Processing-Signature` header value
/// (`signature_len` bytes, hex of either case), checked in constant time over the raw
/// `body` exactly as received. When `expected_key` is not NULL, `key_header` (the
/// `X-Processing-Key` header value, may be NULL) must equal it. `ALPHAPO_STATUS_OK` or
/// `ALPHAPO_STATUS_SIGNATURE_MISMATCH`. The signer may be shared between threads.
#[no_mangle]
pub extern "C" fn alphapo_callback_verify(
    signer: *const alphapo_signer,
    body: *const u8,
    body_len: usize,
    signature: *const c_char,
    signature_len: usize,
    key_header: *const c_char,
    expected_key: *const c_char,
    err: *mut *mut alphapo_error,
) -> Status {
    ffi_boundary!(err, {
        Received::check(
            signer,
            (body, body_len),
            (signature, signature_len),
            key_header,
            expected_key,
        )?
        .verify()
    })
}

/// Verifies like `alphapo_callback_verify`, then parses the body into `*out` (free with
/// `alphapo_callback_free`). Nothing of an unverified body is parsed.
#[no_mangle]
pub extern "C" fn alphapo_callback_parse(
    signer: *const alphapo_signer,
    body: *const u8,
    body_len: usize,
    signature: *const c_char,
    signature_len: usize,
    key_header: *const c_char,
    expected_key: *const c_char,
    out: *mut *mut alphapo_callback,
    err: *mut *mut alphapo_error,
) -> Status {
    ffi_boundary!(err, {
        let received = Received::check(
            signer,
            (body, body_len),
            (signature, signature_len),
            key_header,
            expected_key,
        )?;
        deliver(out, || received.parse())
    })
}

/// The value at a dotted path of the normalized callback (`"type"`, `"status"`,
/// `"currency_received.amount"`, `"transactions.0.txid"`), as text, borrowed; NULL when
/// absent, null or not a scalar.
#[no_mangle]
pub extern "C" fn alphapo_callback_get(
    callback: *const alphapo_callback,
    path: *const c_char,
) -> *const c_char {
    ffi_boundary!({ read_handle(callback, |c| c.values.lookup(&c.inner.json, path)) })
}

/// The event's identity, `<type>:<id>:<status>:<transaction ids>:<remaining>:<received>`
/// (`id` is the root `id`, or `payment_request_id`; see docs/callbacks.md): process each
/// key once. A redelivery of the same event has the same key; every distinct event (each
/// instalment of a partial-pay invoice, each status) has its own. Borrowed from `callback`.
#[no_mangle]
pub extern "C" fn alphapo_callback_dedupe_key(callback: *const alphapo_callback) -> *const c_char {
    ffi_boundary!({ read_handle(callback, |c| c.dedupe_key.as_ptr()) })
}

/// `true` when the callback says the payment is complete and the order may be fulfilled:
/// an invoice `confirmed` with nothing remaining (a partial-pay invoice sends `confirmed`
/// per instalment), or a payment request `paid`; `false` otherwise (and for a NULL
/// `callback`).
#[no_mangle]
pub extern "C" fn alphapo_callback_is_fully_paid(callback: *const alphapo_callback) -> bool {
    ffi_boundary!({ read_handle(callback, |c| c.inner.is_fully_paid()) })
}

/// The normalized callback as JSON `{"data": …, "malformed": […], "dedupe_key": "…",
/// "fully_paid": bool, "foreign_id": "…"|null, "payment_request_id": "…"|null}`.
/// Owned: free it with `alphapo_string_free`.
#[no_mangle]
pub extern "C" fn alphapo_callback_json(callback: *const alphapo_callback) -> *mut c_char {
    ffi_boundary!({ read_handle(callback, |c| owned(&c.inner.envelope_json())) })
}

/// Frees a callback. NULL does nothing.
///
/// # Safety
/// `callback` is NULL or a callback from `alphapo_callback_parse`, not freed before.
#[no_mangle]
pub unsafe extern "C" fn alphapo_callback_free(callback: *mut alphapo_callback) {
    ffi_boundary!({ free_box(callback) })
}
