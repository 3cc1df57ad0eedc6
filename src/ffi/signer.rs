//! Signing and verification: `alphapo_sign`, `alphapo_verify` and the pre-keyed
//! `alphapo_signer`.

use super::{deliver, ffi_boundary, free_box, try_bytes, try_ref};
use crate::error::{Error, Status};
use crate::signature::{Signer, SIGNATURE_HEX_LEN};
use std::borrow::Borrow;
use std::ffi::c_char;

/// A pre-keyed HMAC-SHA512 signer: each signature costs only the hashing of the body.
///
/// Created by `alphapo_signer_new`, freed by `alphapo_signer_free`. Immutable after
/// creation: one signer may be used from many threads at once. The keyed state is
/// zeroized when freed.
pub struct alphapo_signer {
    inner: Signer,
}

fn status_of(e: Error) -> Status {
    e.status()
}

/// The key of a signing or verifying call: a signer made from `secret_len` bytes at
/// `secret` (NULL only with length 0).
fn secret_key(secret: *const u8, secret_len: usize) -> Result<Signer, Error> {
    // SAFETY: NULL or `secret_len` readable bytes, per the contract.
    unsafe { try_bytes(secret, secret_len, "secret") }.map(Signer::new)
}

/// The key of a signing or verifying call: the signer behind a handle (not NULL).
fn handle_key<'a>(signer: *const alphapo_signer) -> Result<&'a Signer, Error> {
    // SAFETY: NULL or a live signer.
    unsafe { try_ref(signer, "signer") }.map(|s| &s.inner)
}

/// The body of every signing and verifying call: checks the key, then the body (`body_len`
/// bytes at `body`, NULL only with length 0), then runs `f` (which checks its output or
/// signature argument).
fn keyed<K: Borrow<Signer>>(
    key: Result<K, Error>,
    body: *const u8,
    body_len: usize,
    f: impl FnOnce(&Signer, &[u8]) -> Result<(), Status>,
) -> Result<(), Status> {
    let key = key.map_err(status_of)?;
    // SAFETY: NULL or `body_len` readable bytes, per the contract.
    let body = unsafe { try_bytes(body, body_len, "body") }.map_err(status_of)?;
    f(key.borrow(), body)
}

/// Writes the 128 hex characters and a NUL into `out`.
fn write_hex(signer: &Signer, body: &[u8], out: *mut c_char, out_len: usize) -> Result<(), Status> {
    if out.is_null() {
        return Err(Status::NullArgument);
    }
    if out_len < SIGNATURE_HEX_LEN + 1 {
        return Err(Status::BufferTooSmall);
    }
    let hex = signer.sign_hex(body);
    // SAFETY: `out` is non-NULL with at least 129 writable bytes (checked above).
    unsafe {
        std::ptr::copy_nonoverlapping(hex.as_ptr(), out.cast::<u8>(), SIGNATURE_HEX_LEN);
        *out.add(SIGNATURE_HEX_LEN) = 0;
    }
    Ok(())
}

fn check_signature(
    signer: &Signer,
    body: &[u8],
    signature: *const c_char,
    signature_len: usize,
) -> Result<(), Status> {
    // SAFETY: NULL or `signature_len` readable bytes, per the contract.
    let sig =
        unsafe { try_bytes(signature.cast(), signature_len, "signature") }.map_err(status_of)?;
    if signer.verify(body, sig) {
        Ok(())
    } else {
        Err(Status::SignatureMismatch)
    }
}

/// Signs `body` with `secret`: writes 128 lowercase hex characters and a NUL into `out`.
///
/// `out_len` must be at least 129, else `ALPHAPO_STATUS_BUFFER_TOO_SMALL`. A NULL pointer
/// with a zero length is an empty input. Thread-safe.
#[no_mangle]
pub extern "C" fn alphapo_sign(
    secret: *const u8,
    secret_len: usize,
    body: *const u8,
    body_len: usize,
    out: *mut c_char,
    out_len: usize,
) -> Status {
    ffi_boundary!(status, {
        keyed(
            secret_key(secret, secret_len),
            body,
            body_len,
            |key, body| write_hex(key, body, out, out_len),
        )
    })
}

/// `ALPHAPO_STATUS_OK` when `signature` (hex, either case, `signature_len` bytes, no NUL
/// needed) is the HMAC-SHA512 of `body` under `secret`, compared in constant time;
/// `ALPHAPO_STATUS_SIGNATURE_MISMATCH` otherwise, also for a wrong length or non-hex (a length
/// beyond `PTRDIFF_MAX` is refused first, as `ALPHAPO_STATUS_INVALID_ARGUMENT`).
/// Thread-safe.
#[no_mangle]
pub extern "C" fn alphapo_verify(
    secret: *const u8,
    secret_len: usize,
    body: *const u8,
    body_len: usize,
    signature: *const c_char,
    signature_len: usize,
) -> Status {
    ffi_boundary!(status, {
        keyed(
            secret_key(secret, secret_len),
            body,
            body_len,
            |key, body| check_signature(key, body, signature, signature_len),
        )
    })
}

/// Creates a pre-keyed signer for `secret` into `*out`. Free it with `alphapo_signer_free`.
#[no_mangle]
pub extern "C" fn alphapo_signer_new(
    secret: *const u8,
    secret_len: usize,
    out: *mut *mut alphapo_signer,
) -> Status {
    ffi_boundary!(status, {
        let inner = secret_key(secret, secret_len).map_err(status_of)?;
        deliver(out, || Ok(alphapo_signer { inner })).map_err(status_of)
    })
}

/// Signs `body` like `alphapo_sign`, with the signer's key. Thread-safe.
#[no_mangle]
pub extern "C" fn alphapo_signer_sign(
    signer: *const alphapo_signer,
    body: *const u8,
    body_len: usize,
    out: *mut c_char,
    out_len: usize,
) -> Status {
    ffi_boundary!(status, {
        keyed(handle_key(signer), body, body_len, |key, body| {
            write_hex(key, body, out, out_len)
        })
    })
}

/// Signs exactly like `alphapo_signer_sign`, with the body typed `const char*`:
/// `body_len` bytes, not NUL-terminated, NULs allowed, not checked for UTF-8.
///
/// For FFIs that hand their own strings to a `const char*` parameter without copying
/// them (PHP FFI passes a PHP string's buffer as is, but must first copy it into a new
/// buffer for a `const uint8_t*` parameter). Thread-safe.
#[no_mangle]
pub extern "C" fn alphapo_signer_sign_chars(
    signer: *const alphapo_signer,
    body: *const c_char,
    body_len: usize,
    out: *mut c_char,
    out_len: usize,
) -> Status {
    ffi_boundary!({ alphapo_signer_sign(signer, body.cast(), body_len, out, out_len) })
}

/// Verifies like `alphapo_verify`, with the signer's key. Thread-safe.
#[no_mangle]
pub extern "C" fn alphapo_signer_verify(
    signer: *const alphapo_signer,
    body: *const u8,
    body_len: usize,
    signature: *const c_char,
    signature_len: usize,
) -> Status {
    ffi_boundary!(status, {
        keyed(handle_key(signer), body, body_len, |key, body| {
            check_signature(key, body, signature, signature_len)
        })
    })
}

/// Frees a signer (its keyed state is zeroized). NULL does nothing.
///
/// # Safety
/// `signer` is NULL or a signer from `alphapo_signer_new`, not freed before.
#[no_mangle]
pub unsafe extern "C" fn alphapo_signer_free(signer: *mut alphapo_signer) {
    ffi_boundary!({ free_box(signer) })
}

/// Gives the core signer behind a handle (for the callback functions).
pub(crate) fn inner(signer: &alphapo_signer) -> &Signer {
    &signer.inner
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sign_chars_is_sign_with_a_char_body() {
        let secret = b"AbCdEfG123456";
        let body = br#"{"currency":"BTC","foreign_id":"123456"}"#;
        let mut signer = std::ptr::null_mut();
        assert_eq!(
            alphapo_signer_new(secret.as_ptr(), secret.len(), &mut signer),
            Status::Ok
        );
        let (mut a, mut b) = ([0 as c_char; 129], [1 as c_char; 129]);
        assert_eq!(
            alphapo_signer_sign(signer, body.as_ptr(), body.len(), a.as_mut_ptr(), 129),
            Status::Ok
        );
        assert_eq!(
            alphapo_signer_sign_chars(
                signer,
                body.as_ptr().cast(),
                body.len(),
                b.as_mut_ptr(),
                129
            ),
            Status::Ok
        );
        assert_eq!(a, b);
        // SAFETY: NUL-terminated by the call above.
        let hex = unsafe { std::ffi::CStr::from_ptr(b.as_ptr()) };
        assert!(hex.to_bytes().starts_with(b"03c25fcf7cd35e7d"));
        let null_body = std::ptr::null();
        assert_eq!(
            alphapo_signer_sign_chars(signer, null_body, 0, b.as_mut_ptr(), 129),
            Status::Ok
        );
        assert_eq!(
            alphapo_signer_sign_chars(signer, null_body, 1, b.as_mut_ptr(), 129),
            Status::NullArgument
        );
        assert_eq!(
            alphapo_signer_sign_chars(std::ptr::null(), null_body, 0, b.as_mut_ptr(), 129),
            Status::NullArgument
        );
        assert_eq!(
            alphapo_signer_sign_chars(signer, null_body, 0, b.as_mut_ptr(), 128),
            Status::BufferTooSmall
        );
        // SAFETY: from alphapo_signer_new, freed once.
        unsafe { alphapo_signer_free(signer) };
    }
}
