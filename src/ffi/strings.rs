//! Strings across the boundary: owned `char*` out (freed by `alphapo_string_free`),
//! NUL-safe copies of Rust text, static names.

use crate::error::Status;
use std::ffi::{c_char, CString};

use super::ffi_boundary;

/// A C string from Rust text; an interior NUL (never expected) is replaced by U+FFFD.
pub(crate) fn cstring(text: &str) -> CString {
    CString::new(text).unwrap_or_else(|_| {
        CString::new(text.replace('\0', "\u{FFFD}")).expect("NULs were replaced")
    })
}

/// Hands an owned copy of `text` to C.
pub(crate) fn owned(text: &str) -> *mut c_char {
    cstring(text).into_raw()
}

/// The static `ALPHAPO_STATUS_*` name of a status.
pub(crate) fn static_status_name(status: Option<Status>) -> *const c_char {
    let name: &'static str = match status {
        Some(Status::Ok) => "ALPHAPO_STATUS_OK\0",
        Some(Status::NullArgument) => "ALPHAPO_STATUS_NULL_ARGUMENT\0",
        Some(Status::InvalidArgument) => "ALPHAPO_STATUS_INVALID_ARGUMENT\0",
        Some(Status::BufferTooSmall) => "ALPHAPO_STATUS_BUFFER_TOO_SMALL\0",
        Some(Status::Validation) => "ALPHAPO_STATUS_VALIDATION\0",
        Some(Status::SignatureMismatch) => "ALPHAPO_STATUS_SIGNATURE_MISMATCH\0",
        Some(Status::Auth) => "ALPHAPO_STATUS_AUTH\0",
        Some(Status::Api) => "ALPHAPO_STATUS_API\0",
        Some(Status::DuplicateForeignId) => "ALPHAPO_STATUS_DUPLICATE_FOREIGN_ID\0",
        Some(Status::RateLimited) => "ALPHAPO_STATUS_RATE_LIMITED\0",
        Some(Status::Server) => "ALPHAPO_STATUS_SERVER\0",
        Some(Status::Transport) => "ALPHAPO_STATUS_TRANSPORT\0",
        Some(Status::Timeout) => "ALPHAPO_STATUS_TIMEOUT\0",
        Some(Status::Tls) => "ALPHAPO_STATUS_TLS\0",
        Some(Status::Decode) => "ALPHAPO_STATUS_DECODE\0",
        Some(Status::OutcomeUnknown) => "ALPHAPO_STATUS_OUTCOME_UNKNOWN\0",
        Some(Status::Panic) => "ALPHAPO_STATUS_PANIC\0",
        None => "ALPHAPO_STATUS_UNKNOWN\0",
    };
    name.as_ptr().cast()
}

/// Frees a string returned as `char*` by this library. NULL does nothing. Never pass a
/// `const char*` result (those are borrowed or static).
///
/// # Safety
/// `s` is NULL or a `char*` returned by this library, not freed before.
#[no_mangle]
pub unsafe extern "C" fn alphapo_string_free(s: *mut c_char) {
    ffi_boundary!({
        if !s.is_null() {
            drop(CString::from_raw(s));
        }
    })
}
