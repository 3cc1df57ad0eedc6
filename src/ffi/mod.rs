//! The C ABI. The only `unsafe` code of the crate lives here.
//!
//! Conventions (see README "C API"):
//! - Every exported function body runs inside [`ffi_boundary!`]: a panic becomes
//!   `ALPHAPO_STATUS_PANIC` (or NULL / 0 / false for accessors), never an unwind into C.
//! - Every pointer is checked for NULL before use, every `const char*` for UTF-8.
//! - Fallible functions return `alphapo_status`; results go to out-parameters, written only
//!   on success. The optional last parameter `alphapo_error **err` receives, on failure, an
//!   error object the caller frees with `alphapo_error_free` (it is set to NULL on success).
//! - Handles are opaque. Each `_new`/`_build` has a `_free`; `_free(NULL)` does nothing.
//! - Borrowed `const char*` results live as long as the object they came from; owned
//!   `char*` results are freed with `alphapo_string_free`.

#![allow(non_camel_case_types)]
// Exported functions take raw pointers from C by design; each one is checked for NULL
// (and lengths for size) before it is dereferenced, inside the panic boundary.
#![allow(clippy::not_unsafe_ptr_arg_deref)]

pub mod callback;
pub mod client;
pub mod error;
pub mod operations;
mod paths;
pub mod prepared;
pub mod request;
pub mod response;
pub mod signer;
pub mod strings;

pub use crate::error::Status as alphapo_status;

use crate::error::{Error, Status};
use std::ffi::{c_char, CStr};

/// What a function returns when its body panicked: NULL, 0, false, `ALPHAPO_STATUS_PANIC`.
pub(crate) trait PanicDefault {
    fn panic_default() -> Self;
}

/// What an accessor returns for a NULL handle: NULL, 0, false,
/// `ALPHAPO_STATUS_NULL_ARGUMENT`.
pub(crate) trait NullDefault {
    fn null_default() -> Self;
}

macro_rules! zero_defaults {
    ($($t:ty => $zero:expr),* $(,)?) => {
        $(
            impl PanicDefault for $t {
                fn panic_default() -> Self {
                    $zero
                }
            }
            impl NullDefault for $t {
                fn null_default() -> Self {
                    $zero
                }
            }
        )*
    };
}

zero_defaults! {
    usize => 0,
    u64 => 0,
    u16 => 0,
    bool => false,
    () => (),
}

impl<T> PanicDefault for *const T {
    fn panic_default() -> Self {
        std::ptr::null()
    }
}
impl<T> NullDefault for *const T {
    fn null_default() -> Self {
        std::ptr::null()
    }
}
impl<T> PanicDefault for *mut T {
    fn panic_default() -> Self {
        std::ptr::null_mut()
    }
}
impl<T> NullDefault for *mut T {
    fn null_default() -> Self {
        std::ptr::null_mut()
    }
}
impl<T> NullDefault for Option<T> {
    fn null_default() -> Self {
        None
    }
}
impl PanicDefault for Status {
    fn panic_default() -> Self {
        Status::Panic
    }
}
impl NullDefault for Status {
    fn null_default() -> Self {
        Status::NullArgument
    }
}

/// Reads a handle: `f` on the live object, [`NullDefault`] for a NULL handle. The one way
/// every accessor borrows its handle.
pub(crate) fn read_handle<'a, H: 'a, T: NullDefault>(
    handle: *const H,
    f: impl FnOnce(&'a H) -> T,
) -> T {
    // SAFETY: every handle pointer C passes is NULL or a live object of this library (the
    // documented contract of each accessor).
    match unsafe { handle.as_ref() } {
        Some(h) => f(h),
        None => T::null_default(),
    }
}

/// Hands borrowed bytes to C: returns their pointer and writes their length to `*len`
/// (when `len` is not NULL); `None` gives NULL and 0.
pub(crate) fn bytes_out(bytes: Option<&[u8]>, len: *mut usize) -> *const u8 {
    let (ptr, n) = bytes.map_or((std::ptr::null(), 0), |b| (b.as_ptr(), b.len()));
    if !len.is_null() {
        // SAFETY: checked non-NULL; the caller passes a writable size_t.
        unsafe { *len = n };
    }
    ptr
}

/// The message of a caught panic.
pub(crate) fn panic_message(payload: &(dyn std::any::Any + Send)) -> String {
    let detail = payload
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "unknown panic".to_string());
    format!("internal error (a bug in libalphapo, please report it): {detail}")
}

/// Runs an exported function's body inside the panic boundary.
///
/// - `ffi_boundary!(err, { … })`: the body returns `Result<(), Error>`; the function returns
///   the status and, on failure (panics included), stores an error object in `*err` when
///   `err` is not NULL. `*err` is set to NULL first.
/// - `ffi_boundary!(status, { … })`: the body returns `Result<(), Status>`.
/// - `ffi_boundary!({ … })`: the body returns the value; a panic returns its default.
macro_rules! ffi_boundary {
    (status, $body:block) => {{
        match ::std::panic::catch_unwind(::std::panic::AssertUnwindSafe(
            || -> ::std::result::Result<(), $crate::error::Status> { $body },
        )) {
            Ok(Ok(())) => $crate::error::Status::Ok,
            Ok(Err(status)) => status,
            Err(_) => $crate::error::Status::Panic,
        }
    }};
    ($err:ident, $body:block) => {{
        $crate::ffi::error::clear_error_out($err);
        let result = ::std::panic::catch_unwind(::std::panic::AssertUnwindSafe(
            || -> ::std::result::Result<(), $crate::error::Error> { $body },
        ));
        $crate::ffi::error::finish(result, $err)
    }};
    ($body:block) => {{
        match ::std::panic::catch_unwind(::std::panic::AssertUnwindSafe(|| $body)) {
            Ok(value) => value,
            Err(_) => $crate::ffi::PanicDefault::panic_default(),
        }
    }};
}
pub(crate) use ffi_boundary;

/// A NULL pointer argument.
pub(crate) fn null_argument(name: &str) -> Error {
    Error::new(Status::NullArgument, format!("{name} must not be NULL"))
}

/// A shared reference from a pointer, or NULL_ARGUMENT.
///
/// # Safety
/// `ptr` is NULL or points to a live `T`.
pub(crate) unsafe fn try_ref<'a, T>(ptr: *const T, name: &str) -> Result<&'a T, Error> {
    ptr.as_ref().ok_or_else(|| null_argument(name))
}

/// A mutable reference from a pointer, or NULL_ARGUMENT.
///
/// # Safety
/// `ptr` is NULL or points to a live `T` not used elsewhere during the call.
pub(crate) unsafe fn try_mut<'a, T>(ptr: *mut T, name: &str) -> Result<&'a mut T, Error> {
    ptr.as_mut().ok_or_else(|| null_argument(name))
}

/// A byte slice from `(ptr, len)`. NULL is accepted only with `len == 0` (an empty slice).
///
/// # Safety
/// `ptr` is NULL or points to `len` readable bytes.
pub(crate) unsafe fn try_bytes<'a>(
    ptr: *const u8,
    len: usize,
    name: &str,
) -> Result<&'a [u8], Error> {
    if ptr.is_null() {
        if len == 0 {
            return Ok(&[]);
        }
        return Err(null_argument(name));
    }
    if len > isize::MAX as usize {
        return Err(Error::invalid(format!("{name}: length too large")));
    }
    Ok(std::slice::from_raw_parts(ptr, len))
}

/// A UTF-8 string from a NUL-terminated pointer, or NULL_ARGUMENT / INVALID_ARGUMENT.
///
/// # Safety
/// `ptr` is NULL or points to a NUL-terminated string.
pub(crate) unsafe fn try_str<'a>(ptr: *const c_char, name: &str) -> Result<&'a str, Error> {
    if ptr.is_null() {
        return Err(null_argument(name));
    }
    CStr::from_ptr(ptr)
        .to_str()
        .map_err(|_| Error::invalid(format!("{name} is not valid UTF-8")))
}

/// Like [`try_str`], but NULL gives `None`.
///
/// # Safety
/// `ptr` is NULL or points to a NUL-terminated string.
pub(crate) unsafe fn opt_str<'a>(ptr: *const c_char, name: &str) -> Result<Option<&'a str>, Error> {
    if ptr.is_null() {
        Ok(None)
    } else {
        try_str(ptr, name).map(Some)
    }
}

/// Moves `value` to the heap and hands ownership to C through `out`.
///
/// # Safety
/// `out` was checked non-NULL and is writable.
pub(crate) unsafe fn write_box<T>(out: *mut *mut T, value: T) {
    *out = Box::into_raw(Box::new(value));
}

/// Checks `out`, then makes the value and hands it to C through `out`: the common ending
/// of every function that creates a handle. `out` is written only on success.
pub(crate) fn deliver<T>(
    out: *mut *mut T,
    make: impl FnOnce() -> Result<T, Error>,
) -> Result<(), Error> {
    deliver_or_null(out, || make().map(Some))
}

/// Like [`deliver`], for a result that may be absent: `None` writes NULL to `*out`.
pub(crate) fn deliver_or_null<T>(
    out: *mut *mut T,
    make: impl FnOnce() -> Result<Option<T>, Error>,
) -> Result<(), Error> {
    if out.is_null() {
        return Err(null_argument("out"));
    }
    let value = make()?;
    // SAFETY: checked non-NULL; the caller passes a writable slot.
    unsafe {
        match value {
            Some(v) => write_box(out, v),
            None => *out = std::ptr::null_mut(),
        }
    }
    Ok(())
}

/// Frees a boxed handle; NULL does nothing.
///
/// # Safety
/// `ptr` is NULL or came from [`write_box`] and is not used afterwards.
pub(crate) unsafe fn free_box<T>(ptr: *mut T) {
    if !ptr.is_null() {
        drop(Box::from_raw(ptr));
    }
}

/// The library version, e.g. `"0.1.0"`. A static string: never free it.
#[no_mangle]
pub extern "C" fn alphapo_version() -> *const c_char {
    ffi_boundary!({ concat!(env!("CARGO_PKG_VERSION"), "\0").as_ptr().cast() })
}

/// The name of a status code, e.g. `"ALPHAPO_STATUS_DUPLICATE_FOREIGN_ID"`, or
/// `"ALPHAPO_STATUS_UNKNOWN"` for an unassigned number. A static string: never free it.
#[no_mangle]
pub extern "C" fn alphapo_status_name(status: u32) -> *const c_char {
    ffi_boundary!({ strings::static_status_name(Status::from_code(status)) })
}

/// Self-test of the panic boundary: panics inside the library on purpose and returns
/// `ALPHAPO_STATUS_PANIC` (with an error object in `*err` when `err` is not NULL), leaving
/// the process alive. Bindings and tests use it to prove that a bug in the core can never
/// crash the host process. Thread-safe; touches no state.
#[no_mangle]
pub extern "C" fn alphapo_test_panic(err: *mut *mut error::alphapo_error) -> Status {
    ffi_boundary!(err, {
        panic!("alphapo_test_panic: deliberate panic to test the boundary")
    })
}
