//! `alphapo_invoice_request`: a typed builder for `invoices/create`.

use super::error::alphapo_error;
use super::{ffi_boundary, free_box, null_argument, try_mut, try_str, write_box};
use crate::error::{Error, Status};
use crate::operations::{InvoiceRequest, Request, ToRequest};
use serde_json::{Map, Value};
use std::ffi::c_char;

/// An invoice request under construction. Each setter stores one field; every documented
/// rule is checked together when the request is sent or prepared, and reported per field.
///
/// Created by `alphapo_invoice_request_new`, freed by `alphapo_invoice_request_free`. Not
/// thread-safe while being modified; once complete it may be sent from any thread.
pub struct alphapo_invoice_request {
    fields: Map<String, Value>,
}

impl alphapo_invoice_request {
    /// Validates and serializes the request.
    pub(crate) fn to_request(&self) -> Result<Request, Error> {
        InvoiceRequest::from_json(&Value::Object(self.fields.clone()))?.to_request()
    }
}

/// Creates an empty invoice request into `*out` (`timer` is false until set).
#[no_mangle]
pub extern "C" fn alphapo_invoice_request_new(out: *mut *mut alphapo_invoice_request) -> Status {
    ffi_boundary!(status, {
        if out.is_null() {
            return Err(Status::NullArgument);
        }
        // SAFETY: checked non-NULL.
        unsafe { write_box(out, alphapo_invoice_request { fields: Map::new() }) };
        Ok(())
    })
}

fn set(
    request: *mut alphapo_invoice_request,
    field: &str,
    value: *const c_char,
    err: *mut *mut alphapo_error,
) -> Status {
    ffi_boundary!(err, {
        // SAFETY: NULL or a live request used by this thread only.
        let r = unsafe { try_mut(request, "request") }?;
        // SAFETY: NULL or a NUL-terminated string.
        let v = unsafe { try_str(value, field) }?;
        r.fields
            .insert(field.to_string(), Value::String(v.to_string()));
        Ok(())
    })
}

/// Sets `title` (1–50 characters, shown to the payer). Required.
/// The value is copied; `request` must not be used by another thread meanwhile.
#[no_mangle]
pub extern "C" fn alphapo_invoice_request_set_title(
    request: *mut alphapo_invoice_request,
    value: *const c_char,
    err: *mut *mut alphapo_error,
) -> Status {
    ffi_boundary!({ set(request, "title", value, err) })
}

/// Sets `description` (at most 1000 characters).
/// The value is copied; `request` must not be used by another thread meanwhile.
#[no_mangle]
pub extern "C" fn alphapo_invoice_request_set_description(
    request: *mut alphapo_invoice_request,
    value: *const c_char,
    err: *mut *mut alphapo_error,
) -> Status {
    ffi_boundary!({ set(request, "description", value, err) })
}

/// Sets `currency`, the currency received (e.g. `"EUR"`). Required.
/// The value is copied; `request` must not be used by another thread meanwhile.
#[no_mangle]
pub extern "C" fn alphapo_invoice_request_set_currency(
    request: *mut alphapo_invoice_request,
    value: *const c_char,
    err: *mut *mut alphapo_error,
) -> Status {
    ffi_boundary!({ set(request, "currency", value, err) })
}

/// Sets `amount` as a decimal string (e.g. `"106.75"`): sent with exactly these digits. Required.
/// The value is copied; `request` must not be used by another thread meanwhile.
#[no_mangle]
pub extern "C" fn alphapo_invoice_request_set_amount(
    request: *mut alphapo_invoice_request,
    value: *const c_char,
    err: *mut *mut alphapo_error,
) -> Status {
    ffi_boundary!({ set(request, "amount", value, err) })
}

/// Sets `sender_currency`, the currency the payer must use.
/// The value is copied; `request` must not be used by another thread meanwhile.
#[no_mangle]
pub extern "C" fn alphapo_invoice_request_set_sender_currency(
    request: *mut alphapo_invoice_request,
    value: *const c_char,
    err: *mut *mut alphapo_error,
) -> Status {
    ffi_boundary!({ set(request, "sender_currency", value, err) })
}

/// Sets `foreign_id`, the merchant's unique reference (1–255 characters). Required.
/// The value is copied; `request` must not be used by another thread meanwhile.
#[no_mangle]
pub extern "C" fn alphapo_invoice_request_set_foreign_id(
    request: *mut alphapo_invoice_request,
    value: *const c_char,
    err: *mut *mut alphapo_error,
) -> Status {
    ffi_boundary!({ set(request, "foreign_id", value, err) })
}

/// Sets `end_user_reference`, the customer's stable id (1–255 characters, no personal data).
/// The value is copied; `request` must not be used by another thread meanwhile.
#[no_mangle]
pub extern "C" fn alphapo_invoice_request_set_end_user_reference(
    request: *mut alphapo_invoice_request,
    value: *const c_char,
    err: *mut *mut alphapo_error,
) -> Status {
    ffi_boundary!({ set(request, "end_user_reference", value, err) })
}

/// Sets `url_success` (https with a domain name).
/// The value is copied; `request` must not be used by another thread meanwhile.
#[no_mangle]
pub extern "C" fn alphapo_invoice_request_set_url_success(
    request: *mut alphapo_invoice_request,
    value: *const c_char,
    err: *mut *mut alphapo_error,
) -> Status {
    ffi_boundary!({ set(request, "url_success", value, err) })
}

/// Sets `url_failed` (https with a domain name).
/// The value is copied; `request` must not be used by another thread meanwhile.
#[no_mangle]
pub extern "C" fn alphapo_invoice_request_set_url_failed(
    request: *mut alphapo_invoice_request,
    value: *const c_char,
    err: *mut *mut alphapo_error,
) -> Status {
    ffi_boundary!({ set(request, "url_failed", value, err) })
}

/// Sets `email_user`, the payer's e-mail for refund instructions.
/// The value is copied; `request` must not be used by another thread meanwhile.
#[no_mangle]
pub extern "C" fn alphapo_invoice_request_set_email_user(
    request: *mut alphapo_invoice_request,
    value: *const c_char,
    err: *mut *mut alphapo_error,
) -> Status {
    ffi_boundary!({ set(request, "email_user", value, err) })
}

/// Sets `type`: `"fill_or_kill"` (default) or `"good_until_expired"` (partial payments).
/// The value is copied; `request` must not be used by another thread meanwhile.
#[no_mangle]
pub extern "C" fn alphapo_invoice_request_set_type(
    request: *mut alphapo_invoice_request,
    value: *const c_char,
    err: *mut *mut alphapo_error,
) -> Status {
    ffi_boundary!({ set(request, "type", value, err) })
}

/// Sets `sender_type`: `"natural"` or `"legal"` (MiCA).
/// The value is copied; `request` must not be used by another thread meanwhile.
#[no_mangle]
pub extern "C" fn alphapo_invoice_request_set_sender_type(
    request: *mut alphapo_invoice_request,
    value: *const c_char,
    err: *mut *mut alphapo_error,
) -> Status {
    ffi_boundary!({ set(request, "sender_type", value, err) })
}

/// Sets `timer`: true makes the invoice expire 15 minutes after creation.
#[no_mangle]
pub extern "C" fn alphapo_invoice_request_set_timer(
    request: *mut alphapo_invoice_request,
    timer: bool,
    err: *mut *mut alphapo_error,
) -> Status {
    ffi_boundary!(err, {
        // SAFETY: NULL or a live request used by this thread only.
        let r = unsafe { try_mut(request, "request") }?;
        r.fields.insert("timer".into(), Value::Bool(timer));
        Ok(())
    })
}

/// Adds one key of `sender_data` (natural: `first_name`, `last_name`, `date_of_birth`
/// `YYYY-MM-DD`, `email`; legal: `legal_name`, `country_of_registration`, `email`).
#[no_mangle]
pub extern "C" fn alphapo_invoice_request_set_sender_data(
    request: *mut alphapo_invoice_request,
    key: *const c_char,
    value: *const c_char,
    err: *mut *mut alphapo_error,
) -> Status {
    ffi_boundary!(err, {
        // SAFETY: NULL or a live request used by this thread only.
        let r = unsafe { try_mut(request, "request") }?;
        // SAFETY: NULL or NUL-terminated strings.
        let key = unsafe { try_str(key, "key") }?;
        let value = unsafe { try_str(value, "value") }?;
        let data = r
            .fields
            .entry("sender_data")
            .or_insert_with(|| Value::Object(Map::new()));
        match data.as_object_mut() {
            Some(map) => {
                map.insert(key.to_string(), Value::String(value.to_string()));
                Ok(())
            }
            None => Err(null_argument("sender_data")),
        }
    })
}

/// Frees an invoice request. NULL does nothing.
///
/// # Safety
/// `request` is NULL or a request from `alphapo_invoice_request_new`, not freed before.
#[no_mangle]
pub unsafe extern "C" fn alphapo_invoice_request_free(request: *mut alphapo_invoice_request) {
    ffi_boundary!({ free_box(request) })
}
