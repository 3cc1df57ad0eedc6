//! `alphapo_request`: the fields of any operation, set one by one, so that a C program
//! never writes JSON (nor escapes a customer's text) by hand.

use super::error::alphapo_error;
use super::{deliver, ffi_boundary, free_box, try_mut, try_str};
use crate::error::Error;
use crate::operations::{OperationKind, Request};
use serde_json::{Map, Value};
use std::ffi::c_char;

/// A request under construction: an operation (an `alphapo_operation` value) and its
/// fields, by the API's names. Every documented rule is checked together when the request
/// is run (`alphapo_client_call_request`) or prepared (`alphapo_client_prepare_request`),
/// and reported per field.
///
/// Created by `alphapo_request_new`, freed by `alphapo_request_free`. Not thread-safe while
/// being modified; once complete it may be run from any thread, and run again (the same
/// fields make the same body).
pub struct alphapo_request {
    kind: OperationKind,
    fields: Map<String, Value>,
}

impl alphapo_request {
    /// Validates and serializes the request.
    pub(crate) fn to_request(&self) -> Result<Request, Error> {
        Request::from_fields(self.kind, &Value::Object(self.fields.clone()))
    }

    /// Sets `value` at a dotted field name, making the objects on the way.
    /// A refused name or a non-object on the way changes nothing.
    fn set(&mut self, field: &str, value: Value) -> Result<(), Error> {
        if field.split('.').any(str::is_empty) {
            return Err(Error::invalid(format!(
                "field name {field:?} is empty or has an empty part"
            )));
        }
        let mut probe = &self.fields;
        let parents: Vec<&str> = field.split('.').collect();
        for segment in &parents[..parents.len() - 1] {
            match probe.get(*segment) {
                None => break,
                Some(Value::Object(inner)) => probe = inner,
                Some(_) => {
                    return Err(Error::invalid(format!(
                        "field {segment:?} of {field:?} is already set to a value that is not an object"
                    )))
                }
            }
        }
        let mut segments = field.split('.').peekable();
        let mut map = &mut self.fields;
        while let Some(segment) = segments.next() {
            if segments.peek().is_none() {
                map.insert(segment.to_string(), value);
                return Ok(());
            }
            let next = map
                .entry(segment.to_string())
                .or_insert_with(|| Value::Object(Map::new()));
            map = match next {
                Value::Object(inner) => inner,
                _ => unreachable!("checked above: every parent is an object or absent"),
            };
        }
        Ok(())
    }
}

/// Starts a request of `operation` (an `alphapo_operation` value) with no fields into
/// `*out`. An unknown operation is `ALPHAPO_STATUS_INVALID_ARGUMENT`.
#[no_mangle]
pub extern "C" fn alphapo_request_new(
    operation: u32,
    out: *mut *mut alphapo_request,
    err: *mut *mut alphapo_error,
) -> crate::error::Status {
    ffi_boundary!(err, {
        let kind = super::client::operation_kind(operation)?;
        deliver(out, || {
            Ok(alphapo_request {
                kind,
                fields: Map::new(),
            })
        })
    })
}

fn set(
    request: *mut alphapo_request,
    field: *const c_char,
    value: impl FnOnce() -> Result<Value, Error>,
) -> Result<(), Error> {
    // SAFETY: NULL or a live request used by this thread only.
    let r = unsafe { try_mut(request, "request") }?;
    // SAFETY: NULL or a NUL-terminated string.
    let field = unsafe { try_str(field, "field") }?;
    let value = value()?;
    r.set(field, value)
}

/// Sets a field to a string (UTF-8, NUL-terminated, copied): text, references and amounts
/// alike (`"106.75"`, sent with exactly these digits). A dotted name sets a key of an
/// object field (`"sender_data.first_name"`, `"currency.iso"`). Setting a field again
/// replaces it. `request` must not be used by another thread meanwhile.
#[no_mangle]
pub extern "C" fn alphapo_request_set(
    request: *mut alphapo_request,
    field: *const c_char,
    value: *const c_char,
    err: *mut *mut alphapo_error,
) -> crate::error::Status {
    ffi_boundary!(err, {
        set(request, field, || {
            // SAFETY: NULL or a NUL-terminated string.
            let v = unsafe { try_str(value, "value") }?;
            Ok(Value::String(v.to_string()))
        })
    })
}

/// Sets a field to any JSON value given as text (`"true"`, `"3600"`, `"{\"iso\": \"EUR\"}"`),
/// for the fields that are not strings (`timer`, `life_time_duration`, `visible`). A dotted
/// name sets a key of an object field. Malformed JSON is
/// `ALPHAPO_STATUS_INVALID_ARGUMENT`. `request` must not be used by another thread
/// meanwhile.
#[no_mangle]
pub extern "C" fn alphapo_request_set_json(
    request: *mut alphapo_request,
    field: *const c_char,
    json: *const c_char,
    err: *mut *mut alphapo_error,
) -> crate::error::Status {
    ffi_boundary!(err, {
        set(request, field, || {
            // SAFETY: NULL or a NUL-terminated string.
            let text = unsafe { try_str(json, "json") }?;
            serde_json::from_str(text)
                .map_err(|e| Error::invalid(format!("value is not JSON: {e}")))
        })
    })
}

/// Frees a request. NULL does nothing.
///
/// # Safety
/// `request` is NULL or a request from `alphapo_request_new`, not freed before.
#[no_mangle]
pub unsafe extern "C" fn alphapo_request_free(request: *mut alphapo_request) {
    ffi_boundary!({ free_box(request) })
}
