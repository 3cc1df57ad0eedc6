//! `alphapo_error`: the details of a failure.

use super::strings::{cstring, nth, owned};
use super::{bytes_out, ffi_boundary, free_box, panic_message, read_handle};
use crate::error::{Error, Status};
use std::ffi::{c_char, CString};

/// The details of a failure: status, HTTP status, API code, message, per-field errors and
/// the raw response body.
///
/// Created by the library and handed to the caller through an `alphapo_error **err`
/// out-parameter; the caller owns it and frees it with `alphapo_error_free`. Immutable:
/// safe to read from several threads. Every `const char*` it returns lives as long as the
/// error. It never contains the secret or a full signature.
pub struct alphapo_error {
    inner: Error,
    message: CString,
    code: Option<CString>,
    foreign_id: Option<CString>,
    fields: Vec<(CString, CString)>,
}

impl alphapo_error {
    pub(crate) fn new(inner: Error) -> alphapo_error {
        alphapo_error {
            message: cstring(inner.message()),
            code: inner.code().map(cstring),
            foreign_id: inner.foreign_id().map(cstring),
            fields: inner
                .fields()
                .iter()
                .map(|f| (cstring(&f.field), cstring(&f.message)))
                .collect(),
            inner,
        }
    }
}

/// Sets `*err` to NULL when `err` is not NULL.
pub(crate) fn clear_error_out(err: *mut *mut alphapo_error) {
    if !err.is_null() {
        // SAFETY: the caller passes NULL or a writable `alphapo_error*` slot.
        unsafe { *err = std::ptr::null_mut() };
    }
}

/// Turns a body's outcome into the returned status, storing the error object if asked.
pub(crate) fn finish(
    result: std::thread::Result<Result<(), Error>>,
    err: *mut *mut alphapo_error,
) -> Status {
    let error = match result {
        Ok(Ok(())) => return Status::Ok,
        Ok(Err(e)) => e,
        Err(payload) => Error::new(Status::Panic, panic_message(payload.as_ref())),
    };
    let status = error.status();
    if !err.is_null() {
        // SAFETY: checked non-NULL; the caller passes a writable slot.
        unsafe { *err = Box::into_raw(Box::new(alphapo_error::new(error))) };
    }
    status
}

/// The status of the failure (`ALPHAPO_STATUS_NULL_ARGUMENT` for a NULL `err`).
#[no_mangle]
pub extern "C" fn alphapo_error_status(err: *const alphapo_error) -> Status {
    ffi_boundary!({ read_handle(err, |e| e.inner.status()) })
}

/// The HTTP status of the reply, or 0 when no reply was received.
#[no_mangle]
pub extern "C" fn alphapo_error_http_status(err: *const alphapo_error) -> u16 {
    ffi_boundary!({ read_handle(err, |e| e.inner.http_status().unwrap_or(0)) })
}

/// The message (UTF-8), borrowed from `err`; NULL for a NULL `err`.
#[no_mangle]
pub extern "C" fn alphapo_error_message(err: *const alphapo_error) -> *const c_char {
    ffi_boundary!({ read_handle(err, |e| e.message.as_ptr()) })
}

/// The API's machine code (`bad_header_signature`, `invalid_invoice_state`, …), borrowed
/// from `err`; NULL when the API gave none.
#[no_mangle]
pub extern "C" fn alphapo_error_code(err: *const alphapo_error) -> *const c_char {
    ffi_boundary!({
        read_handle(err, |e| {
            e.code.as_ref().map_or(std::ptr::null(), |c| c.as_ptr())
        })
    })
}

/// The number of per-field errors (validation, or the API's `errors` object).
#[no_mangle]
pub extern "C" fn alphapo_error_field_count(err: *const alphapo_error) -> usize {
    ffi_boundary!({ read_handle(err, |e| e.fields.len()) })
}

/// The field name of field error `index` (e.g. `"title"`, `"sender_data.first_name"`),
/// borrowed from `err`; NULL when `index` is out of range.
#[no_mangle]
pub extern "C" fn alphapo_error_field_name(
    err: *const alphapo_error,
    index: usize,
) -> *const c_char {
    ffi_boundary!({ read_handle(err, |e| nth(&e.fields, index, |f| &f.0)) })
}

/// The message of field error `index`, borrowed from `err`; NULL when out of range.
#[no_mangle]
pub extern "C" fn alphapo_error_field_message(
    err: *const alphapo_error,
    index: usize,
) -> *const c_char {
    ffi_boundary!({ read_handle(err, |e| nth(&e.fields, index, |f| &f.1)) })
}

/// The field errors as a JSON object `{"field": "message", …}`, in order; the messages of a
/// field that failed more than one rule are joined by `"; "` (each stays reachable by index
/// through `alphapo_error_field_name`/`_message`). Owned: free it with
/// `alphapo_string_free`. NULL for a NULL `err`.
#[no_mangle]
pub extern "C" fn alphapo_error_fields_json(err: *const alphapo_error) -> *mut c_char {
    ffi_boundary!({ read_handle(err, |e| owned(&e.inner.fields_json())) })
}

/// What happened during the failed call, as JSON (the shape of
/// `alphapo_response_attempts_json`): each attempt's status, HTTP status, duration and
/// whether it may have reached the service, and the total time. NULL when nothing was sent
/// (validation, bad arguments) or for a NULL `err`. Owned: free it with
/// `alphapo_string_free`.
#[no_mangle]
pub extern "C" fn alphapo_error_attempts_json(err: *const alphapo_error) -> *mut c_char {
    ffi_boundary!({
        read_handle(err, |e| {
            e.inner
                .attempts()
                .map_or(std::ptr::null_mut(), |a| owned(&a.to_json()))
        })
    })
}

/// The raw reply body exactly as received (may be HTML or text, may contain NULs), borrowed
/// from `err`; `*len` receives its length. NULL (and `*len` = 0) when there was no reply.
/// `len` may be NULL.
#[no_mangle]
pub extern "C" fn alphapo_error_raw_body(err: *const alphapo_error, len: *mut usize) -> *const u8 {
    ffi_boundary!({ bytes_out(read_handle(err, |e| e.inner.raw_body()), len) })
}

/// The `Retry-After` of a 429 reply in seconds, or 0 when the reply gave none.
#[no_mangle]
pub extern "C" fn alphapo_error_retry_after(err: *const alphapo_error) -> u64 {
    ffi_boundary!({ read_handle(err, |e| e.inner.retry_after().unwrap_or(0)) })
}

/// The failure underneath: for `ALPHAPO_STATUS_OUTCOME_UNKNOWN` (and a
/// `DUPLICATE_FOREIGN_ID` met by a repeat) the status of the last attempt's own failure
/// (`TIMEOUT`, `TRANSPORT`, `SERVER`, `RATE_LIMITED`, `API`, …), whose HTTP status, code
/// and raw body `err` carries; for any other error its own status.
/// `ALPHAPO_STATUS_NULL_ARGUMENT` for a NULL `err`.
#[no_mangle]
pub extern "C" fn alphapo_error_cause(err: *const alphapo_error) -> Status {
    ffi_boundary!({
        // SAFETY: NULL or a live error.
        match unsafe { err.as_ref() } {
            Some(e) => e.inner.cause().unwrap_or(e.inner.status()),
            None => Status::NullArgument,
        }
    })
}

/// The `foreign_id` of the money-moving request that failed, borrowed from `err`; NULL when
/// the request had none (or for a NULL `err`). After `ALPHAPO_STATUS_OUTCOME_UNKNOWN`, look
/// the operation up with `alphapo_client_reconcile` and this `foreign_id`.
#[no_mangle]
pub extern "C" fn alphapo_error_foreign_id(err: *const alphapo_error) -> *const c_char {
    ffi_boundary!({
        read_handle(err, |e| {
            e.foreign_id
                .as_ref()
                .map_or(std::ptr::null(), |c| c.as_ptr())
        })
    })
}

/// Frees an error. NULL does nothing.
///
/// # Safety
/// `err` is NULL or an error from this library, not freed before.
#[no_mangle]
pub unsafe extern "C" fn alphapo_error_free(err: *mut alphapo_error) {
    ffi_boundary!({ free_box(err) })
}
