//! `alphapo_prepared`: a signed request for the caller's own HTTP client.

use super::strings::{cstring, nth};
use super::{bytes_out, ffi_boundary, free_box, read_handle};
use crate::client::PreparedRequest;
use std::ffi::{c_char, CString};

/// A request ready to send: method, full URL, exact body and headers. Send exactly these
/// body bytes: the signature covers them.
///
/// Owned by the caller, freed with `alphapo_prepared_free`. Immutable: safe to read from
/// several threads. Borrowed results live as long as the prepared request.
pub struct alphapo_prepared {
    inner: PreparedRequest,
    method: CString,
    url: CString,
    headers: Vec<(CString, CString)>,
}

impl alphapo_prepared {
    pub(crate) fn new(inner: PreparedRequest) -> alphapo_prepared {
        alphapo_prepared {
            method: cstring(inner.method.as_str()),
            url: cstring(&inner.url),
            headers: inner
                .headers
                .iter()
                .map(|(k, v)| (cstring(k), cstring(v)))
                .collect(),
            inner,
        }
    }

    pub(crate) fn inner(&self) -> &PreparedRequest {
        &self.inner
    }
}

/// `"GET"` or `"POST"`, borrowed.
#[no_mangle]
pub extern "C" fn alphapo_prepared_method(prepared: *const alphapo_prepared) -> *const c_char {
    ffi_boundary!({ read_handle(prepared, |p| p.method.as_ptr()) })
}

/// The full URL, borrowed.
#[no_mangle]
pub extern "C" fn alphapo_prepared_url(prepared: *const alphapo_prepared) -> *const c_char {
    ffi_boundary!({ read_handle(prepared, |p| p.url.as_ptr()) })
}

/// The exact body bytes (not NUL-terminated), borrowed; `*len` receives the length (`len`
/// may be NULL).
#[no_mangle]
pub extern "C" fn alphapo_prepared_body(
    prepared: *const alphapo_prepared,
    len: *mut usize,
) -> *const u8 {
    ffi_boundary!({ bytes_out(read_handle(prepared, |p| Some(&p.inner.body[..])), len) })
}

/// The number of headers (3: `X-Processing-Key`, `X-Processing-Signature`, `Content-Type`).
#[no_mangle]
pub extern "C" fn alphapo_prepared_header_count(prepared: *const alphapo_prepared) -> usize {
    ffi_boundary!({ read_handle(prepared, |p| p.headers.len()) })
}

/// The name of header `index`, borrowed; NULL when out of range.
#[no_mangle]
pub extern "C" fn alphapo_prepared_header_name(
    prepared: *const alphapo_prepared,
    index: usize,
) -> *const c_char {
    ffi_boundary!({ read_handle(prepared, |p| nth(&p.headers, index, |h| &h.0)) })
}

/// The value of header `index`, borrowed; NULL when out of range.
#[no_mangle]
pub extern "C" fn alphapo_prepared_header_value(
    prepared: *const alphapo_prepared,
    index: usize,
) -> *const c_char {
    ffi_boundary!({ read_handle(prepared, |p| nth(&p.headers, index, |h| &h.1)) })
}

/// Frees a prepared request. NULL does nothing.
///
/// # Safety
/// `prepared` is NULL or from this library, not freed before.
#[no_mangle]
pub unsafe extern "C" fn alphapo_prepared_free(prepared: *mut alphapo_prepared) {
    ffi_boundary!({ free_box(prepared) })
}
