//! `alphapo_response`: a decoded reply.

use super::paths::PathIndex;
use super::strings::{cstring, nth, owned};
use super::{bytes_out, ffi_boundary, free_box, read_handle};
use crate::reply::Decoded;
use std::ffi::{c_char, CString};
use std::sync::OnceLock;

/// A decoded reply: HTTP status, raw body, normalized JSON, and every scalar of the data
/// by dotted path (`"url"`, `"amount"`, `"0.currency"`, `"currency_from.min_amount"`).
///
/// Owned by the caller, freed with `alphapo_response_free`. Immutable: safe to read from
/// several threads. Borrowed `const char*` results live as long as the response.
pub struct alphapo_response {
    reply: Decoded,
    values: PathIndex,
    malformed: Vec<CString>,
    /// `alphapo_response_summary_json`'s text, NUL-terminated, made on first use.
    summary: OnceLock<Vec<u8>>,
}

impl alphapo_response {
    pub(crate) fn new(reply: Decoded) -> alphapo_response {
        alphapo_response {
            values: PathIndex::default(),
            malformed: reply
                .response()
                .malformed
                .iter()
                .map(|m| cstring(m))
                .collect(),
            summary: OnceLock::new(),
            reply,
        }
    }
}

/// The HTTP status of the reply (200, 201, …); 0 for a NULL response.
#[no_mangle]
pub extern "C" fn alphapo_response_http_status(response: *const alphapo_response) -> u16 {
    ffi_boundary!({ read_handle(response, |r| r.reply.response().http_status) })
}

/// The value at a dotted path of the normalized data, as text, borrowed from the response:
/// amounts are decimal strings with the API's digits, ids decimal integers, booleans
/// `true`/`false`. NULL when the path is absent, null or not a scalar.
#[no_mangle]
pub extern "C" fn alphapo_response_get(
    response: *const alphapo_response,
    path: *const c_char,
) -> *const c_char {
    ffi_boundary!({
        read_handle(response, |r| {
            r.values
                .lookup_with(path, |path, segments| r.reply.resolve(path, segments))
        })
    })
}

/// The normalized reply as JSON `{"data": …, "malformed": ["path", …]}`: amounts and
/// references as strings, counters as integers, unknown fields kept, values that could not
/// be understood kept verbatim and listed in `malformed`. Owned: free it with
/// `alphapo_string_free`.
#[no_mangle]
pub extern "C" fn alphapo_response_json(response: *const alphapo_response) -> *mut c_char {
    ffi_boundary!({ read_handle(response, |r| owned(&r.reply.envelope_json())) })
}

/// What happened during the call, as JSON: `{"total_us": …, "attempts": [{"status":
/// "SERVER", "http_status": 503, "duration_us": …, "may_have_reached": true}, …,
/// {"status": "OK", "http_status": 200, …}]}` (times in microseconds; the last attempt is
/// the one that got this reply; no attempt for a reply given to `alphapo_decode_reply`).
/// Owned: free it with `alphapo_string_free`. NULL for a NULL `response`.
#[no_mangle]
pub extern "C" fn alphapo_response_attempts_json(response: *const alphapo_response) -> *mut c_char {
    ffi_boundary!({ read_handle(response, |r| owned(&r.reply.response().attempts.to_json())) })
}

/// The operation's typed result as JSON, the same value as the `"result"` of
/// `alphapo_response_json` without the normalized data around it: the typed fields by name
/// (amounts as decimal strings, `malformed_fields` naming those kept as received), an
/// array of such objects for list results, the normalized data itself for `ping` and the
/// generic call. What a binding needs to build its typed result in one crossing, without
/// decoding the data twice. Owned: free it with `alphapo_string_free`; NULL for a NULL
/// response.
#[no_mangle]
pub extern "C" fn alphapo_response_result_json(response: *const alphapo_response) -> *mut c_char {
    ffi_boundary!({ read_handle(response, |r| owned(&r.reply.typed_json())) })
}

/// The reply as a binding reads it, in one crossing: `{"http_status": 200, "malformed":
/// ["path", …], "result": …, "attempts": {…}}`, `result` as `alphapo_response_result_json`
/// gives it and `attempts` as `alphapo_response_attempts_json` does (the normalized data
/// is left out: `alphapo_response_json` has it). NUL-terminated, borrowed from the
/// response, valid until `alphapo_response_free`, made on the first call; `*len` receives
/// its length in bytes without the NUL (`len` may be NULL). NULL for a NULL response.
#[no_mangle]
pub extern "C" fn alphapo_response_summary_json(
    response: *const alphapo_response,
    len: *mut usize,
) -> *const c_char {
    ffi_boundary!({
        let summary = read_handle(response, |r| {
            let text = r.summary.get_or_init(|| r.reply.summary_json_nul());
            Some(&text[..text.len() - 1])
        });
        bytes_out(summary, len).cast()
    })
}

/// The raw reply body exactly as received, borrowed from the response; `*len` receives its
/// length (`len` may be NULL).
#[no_mangle]
pub extern "C" fn alphapo_response_raw_body(
    response: *const alphapo_response,
    len: *mut usize,
) -> *const u8 {
    ffi_boundary!({
        bytes_out(
            read_handle(response, |r| Some(&r.reply.response().raw_body[..])),
            len,
        )
    })
}

/// The number of values kept verbatim because they could not be understood (e.g. the
/// documentation's own amount `"0.106.75000000"`).
#[no_mangle]
pub extern "C" fn alphapo_response_malformed_count(response: *const alphapo_response) -> usize {
    ffi_boundary!({ read_handle(response, |r| r.malformed.len()) })
}

/// The dotted path of malformed value `index`, borrowed; NULL when out of range.
#[no_mangle]
pub extern "C" fn alphapo_response_malformed(
    response: *const alphapo_response,
    index: usize,
) -> *const c_char {
    ffi_boundary!({ read_handle(response, |r| nth(&r.malformed, index, |m| m)) })
}

/// Frees a response. NULL does nothing.
///
/// # Safety
/// `response` is NULL or a response from this library, not freed before.
#[no_mangle]
pub unsafe extern "C" fn alphapo_response_free(response: *mut alphapo_response) {
    ffi_boundary!({ free_box(response) })
}
