//! `alphapo_response`: a decoded reply.

use super::strings::{cstring, owned};
use super::{ffi_boundary, free_box, try_str};
use crate::operations::Response;
use serde_json::Value;
use std::ffi::{c_char, CString};

/// A decoded reply: HTTP status, raw body, normalized JSON, and every scalar of the data
/// by dotted path (`"url"`, `"amount"`, `"0.currency"`, `"currency_from.min_amount"`).
///
/// Owned by the caller, freed with `alphapo_response_free`. Immutable: safe to read from
/// several threads. Borrowed `const char*` results live as long as the response.
pub struct alphapo_response {
    inner: Response,
    values: Vec<(String, CString)>,
    malformed: Vec<CString>,
}

/// Every scalar leaf of `value` by dotted path, as text (null leaves are left out).
pub(crate) fn flatten(value: &Value) -> Vec<(String, CString)> {
    fn walk(v: &Value, path: String, out: &mut Vec<(String, CString)>) {
        let child = |k: &str| {
            if path.is_empty() {
                k.to_string()
            } else {
                format!("{path}.{k}")
            }
        };
        match v {
            Value::Null => {}
            Value::String(s) => out.push((path, cstring(s))),
            Value::Number(n) => out.push((path, cstring(&n.to_string()))),
            Value::Bool(b) => out.push((path, cstring(if *b { "true" } else { "false" }))),
            Value::Object(m) => {
                for (k, x) in m {
                    walk(x, child(k), out);
                }
            }
            Value::Array(a) => {
                for (i, x) in a.iter().enumerate() {
                    walk(x, child(&i.to_string()), out);
                }
            }
        }
    }
    let mut out = Vec::new();
    walk(value, String::new(), &mut out);
    out
}

/// Looks a path up in flattened values.
pub(crate) fn lookup(values: &[(String, CString)], path: *const c_char) -> *const c_char {
    // SAFETY: NULL or a NUL-terminated string.
    let Ok(path) = (unsafe { try_str(path, "path") }) else {
        return std::ptr::null();
    };
    values
        .iter()
        .find(|(p, _)| p == path)
        .map_or(std::ptr::null(), |(_, v)| v.as_ptr())
}

impl alphapo_response {
    pub(crate) fn new(inner: Response) -> alphapo_response {
        alphapo_response {
            values: flatten(&inner.data),
            malformed: inner.malformed.iter().map(|m| cstring(m)).collect(),
            inner,
        }
    }
}

fn with<T: super::PanicDefault>(
    r: *const alphapo_response,
    f: impl FnOnce(&alphapo_response) -> T,
) -> T {
    // SAFETY: NULL or a live response.
    match unsafe { r.as_ref() } {
        Some(r) => f(r),
        None => T::panic_default(),
    }
}

/// The HTTP status of the reply (200, 201, …); 0 for a NULL response.
#[no_mangle]
pub extern "C" fn alphapo_response_http_status(response: *const alphapo_response) -> u16 {
    ffi_boundary!({ with(response, |r| r.inner.http_status) })
}

/// The value at a dotted path of the normalized data, as text, borrowed from the response:
/// amounts are decimal strings with the API's digits, ids decimal integers, booleans
/// `true`/`false`. NULL when the path is absent, null or not a scalar.
#[no_mangle]
pub extern "C" fn alphapo_response_get(
    response: *const alphapo_response,
    path: *const c_char,
) -> *const c_char {
    ffi_boundary!({ with(response, |r| lookup(&r.values, path)) })
}

/// The normalized reply as JSON `{"data": …, "malformed": ["path", …]}`: amounts and
/// references as strings, counters as integers, unknown fields kept, values that could not
/// be understood kept verbatim and listed in `malformed`. Owned: free it with
/// `alphapo_string_free`.
#[no_mangle]
pub extern "C" fn alphapo_response_json(response: *const alphapo_response) -> *mut c_char {
    ffi_boundary!({ with(response, |r| owned(&r.inner.envelope_json())) })
}

/// The raw reply body exactly as received, borrowed from the response; `*len` receives its
/// length (`len` may be NULL).
#[no_mangle]
pub extern "C" fn alphapo_response_raw_body(
    response: *const alphapo_response,
    len: *mut usize,
) -> *const u8 {
    ffi_boundary!({
        let (ptr, n) = with(response, |r| {
            (r.inner.raw_body.as_ptr(), r.inner.raw_body.len())
        });
        if !len.is_null() {
            // SAFETY: checked non-NULL.
            unsafe { *len = n };
        }
        ptr
    })
}

/// The number of values kept verbatim because they could not be understood (e.g. the
/// documentation's own amount `"0.106.75000000"`).
#[no_mangle]
pub extern "C" fn alphapo_response_malformed_count(response: *const alphapo_response) -> usize {
    ffi_boundary!({ with(response, |r| r.malformed.len()) })
}

/// The dotted path of malformed value `index`, borrowed; NULL when out of range.
#[no_mangle]
pub extern "C" fn alphapo_response_malformed(
    response: *const alphapo_response,
    index: usize,
) -> *const c_char {
    ffi_boundary!({
        with(response, |r| {
            r.malformed
                .get(index)
                .map_or(std::ptr::null(), |m| m.as_ptr())
        })
    })
}

/// Frees a response. NULL does nothing.
///
/// # Safety
/// `response` is NULL or a response from this library, not freed before.
#[no_mangle]
pub unsafe extern "C" fn alphapo_response_free(response: *mut alphapo_response) {
    ffi_boundary!({ free_box(response) })
}
