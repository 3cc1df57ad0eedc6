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

/// The C string of item `index` of `items`, chosen by `pick`, borrowed from `items`; NULL
/// when `index` is out of range.
pub(crate) fn nth<T>(
    items: &[T],
    index: usize,
    pick: impl FnOnce(&T) -> &CString,
) -> *const c_char {
    items
        .get(index)
        .map_or(std::ptr::null(), |item| pick(item).as_ptr())
}

/// Hands an owned copy of `text` to C.
pub(crate) fn owned(text: &str) -> *mut c_char {
    cstring(text).into_raw()
}

/// The static `ALPHAPO_STATUS_*` name of a status.
pub(crate) fn static_status_name(status: Option<Status>) -> *const c_char {
    let name = status.map_or("ALPHAPO_STATUS_UNKNOWN\0", Status::c_name);
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
