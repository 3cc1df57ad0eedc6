//! `alphapo_operations_json`: the operations table, for the bindings to derive their
//! methods from (and their tests to check against).

use super::ffi_boundary;
use super::strings::cstring;
use crate::operations::{RetryClass, OPERATIONS};
use serde_json::{json, Value};
use std::ffi::{c_char, CString};
use std::sync::OnceLock;

fn table() -> Value {
    let rows: Vec<Value> = OPERATIONS
        .iter()
        .map(|op| {
            json!({
                "code": op.kind as u32,
                "name": op.name,
                "method_name": op.method_name,
                "identifier": op.identifier,
                "http_method": op.method.as_str(),
                "base": op.base.name(),
                "path": op.path,
                "route": op.route(),
                "retry_class": match op.retry_class {
                    RetryClass::ReadOnly => "read_only",
                    RetryClass::Guarded => "guarded",
                    RetryClass::Unguarded => "unguarded",
                },
                "result": op.result.name(),
            })
        })
        .collect();
    Value::Array(rows)
}

/// The operations table as a JSON array, one object per operation in numeric order:
/// `{"code": 11, "name": "invoices/create", "method_name": "create_invoice",
/// "identifier": null, "http_method": "POST", "base": "v2", "path": "/invoices/create",
/// "route": "/invoices/create",
/// "retry_class": "guarded", "result": "invoice"}`. `code` is the `alphapo_operation`
/// value; `method_name` is the client method in snake_case (the bindings' methods and their
/// `prepare` twins are derived from it); `identifier` is the one field a binding may take
/// positionally, or null; `base` is the API the path is below (`v2`: `…/api/v2`,
/// `payments`: `…/api/payments/v1`); `route` is the path a person reads in logs (below the v2
/// base for v2 operations, else below the host: `/api/payments/v1/requests`); `result` names the typed result (`text`, `json`, `invoice`,
/// `address`, `withdrawal`, `exchange`, `transaction`, `accounts`, `currencies`, `pairs`).
///
/// A static string built on first use: never free it. Thread-safe.
#[no_mangle]
pub extern "C" fn alphapo_operations_json() -> *const c_char {
    ffi_boundary!({ TABLE.get_or_init(|| cstring(&table().to_string())).as_ptr() })
}

static TABLE: OnceLock<CString> = OnceLock::new();
