//! The error of a non-2xx reply (spec §4, §6).
//!
//! Error bodies come in several shapes and are never assumed to be JSON: `{"error","code"}`
//! for transport and auth failures, `{"errors":{field: message}}` for validation, the
//! cancel error nested inside `errors`, the Cloudflare 429 text and HTML 5xx pages. The raw
//! body is kept in every error.

use crate::error::{preview, Error, FieldError, Status};
use crate::operations::OperationKind;
use serde_json::Value;

/// The API's text for a taken foreign_id ("The foreign id has already been taken.").
fn is_duplicate_message(message: &str) -> bool {
    let m = message.to_ascii_lowercase();
    m.contains("already been taken") || m.contains("already taken")
}

/// The error for a non-2xx reply.
pub(crate) fn error_from_reply(
    kind: OperationKind,
    http_status: u16,
    body: Vec<u8>,
    retry_after: Option<u64>,
) -> Error {
    // An error body is read only when it is of a plausible size (kept raw either way).
    let parsed: Option<Value> =
        if crate::reply::normalize::value_count(&body) <= crate::reply::normalize::MAX_VALUES {
            serde_json::from_slice(&body).ok()
        } else {
            None
        };
    let op = kind.name();
    let mut code: Option<String> = None;
    let mut message: Option<String> = None;
    let mut fields: Vec<FieldError> = Vec::new();

    if let Some(Value::Object(map)) = &parsed {
        if let Some(c) = map.get("code").and_then(Value::as_str) {
            code = Some(c.to_string());
        }
        if let Some(e) = map.get("error").and_then(Value::as_str) {
            message = Some(e.to_string());
        }
        match map.get("errors") {
            Some(Value::Object(errors)) => {
                for (field, msg) in errors {
                    let text = match msg {
                        Value::String(s) => s.clone(),
                        Value::Array(items) => items
                            .iter()
                            .map(|i| i.as_str().map(str::to_string).unwrap_or(i.to_string()))
                            .collect::<Vec<_>>()
                            .join(" "),
                        other => other.to_string(),
                    };
                    // The cancel error nests {"error", "code"} inside "errors".
                    match field.as_str() {
                        "code" => code = Some(text),
                        "error" => message = Some(text),
                        _ => fields.push(FieldError::new(field.clone(), text)),
                    }
                }
            }
            Some(Value::String(s)) => message = Some(s.clone()),
            _ => {}
        }
    }

    let duplicate = fields
        .iter()
        .any(|f| f.field == "foreign_id" && is_duplicate_message(&f.message));
    let status = match http_status {
        _ if duplicate => Status::DuplicateForeignId,
        403 => Status::Auth,
        429 => Status::RateLimited,
        500..=599 => Status::Server,
        _ => Status::Api,
    };
    let detail = if code.as_deref() == Some("required_header_key") {
        // The service answers this code for a missing key header and for an unknown path.
        format!(
            "{}: the X-Processing-Key header is missing or the path is unknown",
            message.as_deref().unwrap_or("No key header")
        )
    } else if let Some(m) = &message {
        m.clone()
    } else if !fields.is_empty() {
        fields
            .iter()
            .map(|f| format!("{}: {}", f.field, f.message))
            .collect::<Vec<_>>()
            .join("; ")
    } else if parsed.is_some() {
        preview(&String::from_utf8_lossy(&body))
    } else {
        let text = String::from_utf8_lossy(&body);
        let flat: String = text.split_whitespace().collect::<Vec<_>>().join(" ");
        preview(&flat)
    };
    let message = match status {
        Status::DuplicateForeignId => format!(
            "{op}: foreign_id already taken: an operation with this foreign_id already exists ({detail})"
        ),
        Status::RateLimited => format!("{op}: rate limited (HTTP 429): {detail}"),
        Status::Auth => format!("{op}: the API refused the key or signature: {detail}"),
        Status::Server => format!("{op}: server error (HTTP {http_status}): {detail}"),
        _ => format!("{op}: the API refused the request (HTTP {http_status}): {detail}"),
    };
    let mut error = Error::new(status, message)
        .with_http_status(http_status)
        .with_fields(fields)
        .with_raw_body(body)
        .with_retry_after(retry_after);
    if let Some(c) = code {
        error = error.with_code(c);
    }
    error
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The error of an `invoices/create` reply, which must have status `expected`.
    fn refused(http_status: u16, body: &str, expected: Status) -> Error {
        let e = error_from_reply(
            OperationKind::InvoicesCreate,
            http_status,
            body.as_bytes().to_vec(),
            None,
        );
        assert_eq!(e.status(), expected, "{http_status} {body}");
        e
    }

    #[test]
    fn auth_errors_keep_their_code_and_a_missing_key_names_both_causes() {
        let e = refused(
            403,
            r#"{"error":"Bad signature header","code":"bad_header_signature"}"#,
            Status::Auth,
        );
        assert_eq!(e.code(), Some("bad_header_signature"));
        assert!(e.message().contains("Bad signature header"));
        let e = refused(
            403,
            r#"{"error":"No key header","code":"required_header_key"}"#,
            Status::Auth,
        );
        assert!(e.message().contains("missing"), "{}", e.message());
        assert!(e.message().contains("unknown"), "{}", e.message());
    }

    #[test]
    fn duplicate_foreign_id() {
        let e = refused(
            400,
            r#"{"errors":{"foreign_id":"The foreign id has already been taken."}}"#,
            Status::DuplicateForeignId,
        );
        assert_eq!(
            e.field("foreign_id"),
            Some("The foreign id has already been taken.")
        );
    }

    #[test]
    fn field_errors_and_cancel_errors() {
        let e = refused(
            400,
            r#"{"errors":{"amount":"The amount is too small. The minimum amount is 10.00 EUR."}}"#,
            Status::Api,
        );
        assert!(e.field("amount").unwrap().contains("10.00 EUR"));
        let c = refused(
            400,
            r#"{"errors":{"error":"Invoice cannot be failed in its current state.","code":"invalid_invoice_state"}}"#,
            Status::Api,
        );
        assert_eq!(c.code(), Some("invalid_invoice_state"));
        assert!(c.fields().is_empty());
        assert!(c.message().contains("cannot be failed"));
    }

    #[test]
    fn non_json_bodies_are_kept() {
        let e = refused(429, "error code: 1015", Status::RateLimited);
        assert_eq!(e.raw_body(), Some(&b"error code: 1015"[..]));
        let html = "<html><body><h1>502 Bad Gateway</h1></body></html>";
        let e = refused(502, html, Status::Server);
        assert_eq!(e.http_status(), Some(502));
        assert_eq!(e.raw_body(), Some(html.as_bytes()));
        refused(404, "", Status::Api);
    }
}
