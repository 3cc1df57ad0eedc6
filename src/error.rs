//! The error type and its stable status codes.
//!
//! Every fallible operation of the library returns [`Error`]. Its [`Status`] is a stable
//! number shared with the C ABI (`alphapo_status`), the Python exceptions and the PHP
//! exceptions; a number is never reused. The rest of the error carries what a merchant
//! needs to act: the HTTP status, the API's machine `code`, a message, the per-field
//! errors and the raw response body (also when it is not JSON, e.g. an HTML 502 or the
//! Cloudflare 429 text). No error ever holds the secret or a full signature.

use std::fmt;

/// Stable status codes. The numbers are part of the ABI and are never reused.
#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Status {
    /// Success.
    Ok = 0,
    /// A required pointer was NULL.
    NullArgument = 1,
    /// Bad UTF-8, malformed JSON input or a bad configuration value.
    InvalidArgument = 2,
    /// The caller's output buffer is too small.
    BufferTooSmall = 3,
    /// A documented field rule failed; nothing was sent.
    Validation = 4,
    /// The signature does not match the body.
    SignatureMismatch = 5,
    /// The API refused the key or the signature (HTTP 403).
    Auth = 10,
    /// The API refused the request (HTTP 400 `errors`, other 4xx).
    Api = 11,
    /// The `foreign_id` is already taken: the operation may already have happened.
    DuplicateForeignId = 12,
    /// HTTP 429.
    RateLimited = 13,
    /// HTTP 5xx.
    Server = 14,
    /// Connect, reset, DNS.
    Transport = 20,
    /// A connect or read timeout expired.
    Timeout = 21,
    /// The TLS handshake or certificate verification failed.
    Tls = 22,
    /// The reply was not understood.
    Decode = 23,
    /// A money-moving request may have reached the service and its result is unknown: do
    /// not repeat it blindly; wait for the callback or look it up by `foreign_id`.
    OutcomeUnknown = 24,
    /// A bug inside the library (a caught panic).
    Panic = 99,
}

/// The status table: each status's name and description, defined once. The C names
/// (`ALPHAPO_STATUS_<name>`) and [`Status::ALL`] come from it; a status missing here does
/// not compile.
macro_rules! status_table {
    ($($variant:ident => $name:literal, $description:literal;)*) => {
        impl Status {
            /// Every status, in numeric order (used by the bindings' consistency tests).
            pub const ALL: &'static [Status] = &[$(Status::$variant),*];

            /// The constant's name without prefix, e.g. `"DUPLICATE_FOREIGN_ID"`.
            pub fn name(self) -> &'static str {
                match self {
                    $(Status::$variant => $name,)*
                }
            }

            /// A short fixed description of the status.
            pub fn description(self) -> &'static str {
                match self {
                    $(Status::$variant => $description,)*
                }
            }

            /// The C constant's name, NUL-terminated (`"ALPHAPO_STATUS_OK\0"`).
            pub(crate) fn c_name(self) -> &'static str {
                match self {
                    $(Status::$variant => concat!("ALPHAPO_STATUS_", $name, "\0"),)*
                }
            }
        }
    };
}

status_table! {
    Ok => "OK", "success";
    NullArgument => "NULL_ARGUMENT", "a required pointer was NULL";
    InvalidArgument => "INVALID_ARGUMENT", "invalid argument";
    BufferTooSmall => "BUFFER_TOO_SMALL", "output buffer too small";
    Validation => "VALIDATION", "request validation failed; nothing was sent";
    SignatureMismatch => "SIGNATURE_MISMATCH", "signature mismatch";
    Auth => "AUTH", "the API refused the key or the signature";
    Api => "API", "the API refused the request";
    DuplicateForeignId => "DUPLICATE_FOREIGN_ID",
        "foreign_id already taken: the operation may already have happened";
    RateLimited => "RATE_LIMITED", "rate limited";
    Server => "SERVER", "server error";
    Transport => "TRANSPORT", "transport error";
    Timeout => "TIMEOUT", "timeout";
    Tls => "TLS", "TLS error";
    Decode => "DECODE", "the reply was not understood";
    OutcomeUnknown => "OUTCOME_UNKNOWN",
        "the request may have reached the service and its outcome is unknown: do not repeat it blindly";
    Panic => "PANIC", "internal error (panic)";
}

impl Status {
    /// The stable number.
    pub fn code(self) -> u32 {
        self as u32
    }

    /// The status for a number, `None` for a number that is not assigned.
    pub fn from_code(code: u32) -> Option<Status> {
        Status::ALL.iter().copied().find(|s| s.code() == code)
    }
}

/// One rule that failed for one field, either found by the library's validation
/// (nothing was sent) or reported by the API in its `errors` object.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FieldError {
    /// The field name as it appears on the wire, e.g. `"title"` or `"sender_data.first_name"`.
    pub field: String,
    /// A human-readable message.
    pub message: String,
}

impl FieldError {
    /// A field error.
    pub fn new(field: impl Into<String>, message: impl Into<String>) -> Self {
        FieldError {
            field: field.into(),
            message: message.into(),
        }
    }
}

/// A failure, with everything known about it.
#[derive(Clone, PartialEq, Eq)]
pub struct Error {
    status: Status,
    message: String,
    http_status: Option<u16>,
    // Boxed slices and a u32 keep `Error` small (it travels in every `Result`).
    code: Option<Box<str>>,
    fields: Vec<FieldError>,
    raw_body: Option<Box<[u8]>>,
    retry_after: Option<u32>,
    cause: Option<Status>,
    call: Option<Box<CallContext>>,
}

/// What a failed call knew of itself: the request's `foreign_id` and its attempts (one box,
/// so that `Error` stays small).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
struct CallContext {
    foreign_id: Option<String>,
    attempts: Option<crate::retry::AttemptRecord>,
}

impl Error {
    /// An error with a status and a message.
    pub fn new(status: Status, message: impl Into<String>) -> Self {
        Error {
            status,
            message: message.into(),
            http_status: None,
            code: None,
            fields: Vec::new(),
            raw_body: None,
            retry_after: None,
            cause: None,
            call: None,
        }
    }

    /// `INVALID_ARGUMENT` with a message.
    pub fn invalid(message: impl Into<String>) -> Self {
        Error::new(Status::InvalidArgument, message)
    }

    /// `VALIDATION` listing every failed field rule.
    pub fn validation(fields: Vec<FieldError>) -> Self {
        let summary = fields
            .iter()
            .map(|f| format!("{}: {}", f.field, f.message))
            .collect::<Vec<_>>()
            .join("; ");
        Error {
            fields,
            ..Error::new(Status::Validation, format!("invalid request: {summary}"))
        }
    }

    /// Sets the HTTP status.
    pub fn with_http_status(mut self, status: u16) -> Self {
        self.http_status = Some(status);
        self
    }

    /// Sets the API's machine code.
    pub fn with_code(mut self, code: impl Into<String>) -> Self {
        self.code = Some(code.into().into_boxed_str());
        self
    }

    /// Sets the field errors.
    pub fn with_fields(mut self, fields: Vec<FieldError>) -> Self {
        self.fields = fields;
        self
    }

    /// Sets the raw response body.
    pub fn with_raw_body(mut self, body: Vec<u8>) -> Self {
        self.raw_body = Some(body.into_boxed_slice());
        self
    }

    /// Sets the server's `Retry-After` hint, in seconds.
    pub fn with_retry_after(mut self, seconds: Option<u64>) -> Self {
        self.retry_after = seconds.map(|s| u32::try_from(s).unwrap_or(u32::MAX));
        self
    }

    /// Sets the status of the failure underneath (see [`Error::cause`]).
    pub fn with_cause(mut self, cause: Status) -> Self {
        self.cause = Some(cause);
        self
    }

    /// Sets the `foreign_id` of the request that failed.
    pub fn with_foreign_id(mut self, foreign_id: Option<String>) -> Self {
        self.call.get_or_insert_with(Default::default).foreign_id = foreign_id;
        self
    }

    /// Sets the record of the call's attempts.
    pub fn with_attempts(mut self, attempts: crate::retry::AttemptRecord) -> Self {
        self.call.get_or_insert_with(Default::default).attempts = Some(attempts);
        self
    }

    /// What happened during the call: each attempt's status, HTTP status, duration and
    /// whether it may have reached the service, and the total time. `None` when nothing
    /// was sent (validation, bad arguments, a reply decoded without a call).
    pub fn attempts(&self) -> Option<&crate::retry::AttemptRecord> {
        self.call.as_ref()?.attempts.as_ref()
    }

    /// Replaces the status, keeping every detail.
    pub fn with_status(mut self, status: Status, message: impl Into<String>) -> Self {
        self.status = status;
        self.message = message.into();
        self
    }

    /// The stable status.
    pub fn status(&self) -> Status {
        self.status
    }

    /// The message (never contains the secret or a signature).
    pub fn message(&self) -> &str {
        &self.message
    }

    /// The HTTP status of the response, when there was one.
    pub fn http_status(&self) -> Option<u16> {
        self.http_status
    }

    /// The API's machine code (`bad_header_signature`, `invalid_invoice_state`, …).
    pub fn code(&self) -> Option<&str> {
        self.code.as_deref()
    }

    /// The per-field errors, from validation or from the API's `errors` object.
    pub fn fields(&self) -> &[FieldError] {
        &self.fields
    }

    /// The message for one field, if it failed.
    pub fn field(&self, name: &str) -> Option<&str> {
        self.fields
            .iter()
            .find(|f| f.field == name)
            .map(|f| f.message.as_str())
    }

    /// The raw response body, exactly as received (may be HTML or plain text).
    pub fn raw_body(&self) -> Option<&[u8]> {
        self.raw_body.as_deref()
    }

    /// The `Retry-After` hint of a 429, in seconds.
    pub fn retry_after(&self) -> Option<u64> {
        self.retry_after.map(u64::from)
    }

    /// For `OUTCOME_UNKNOWN` (and a `DUPLICATE_FOREIGN_ID` met by a retry): the status of
    /// the last attempt's own failure (`TIMEOUT`, `TRANSPORT`, `SERVER`, `RATE_LIMITED`,
    /// `API`, …), whose HTTP status, code and body this error carries. `None` otherwise.
    pub fn cause(&self) -> Option<Status> {
        self.cause
    }

    /// The `foreign_id` of the money-moving request this error is about, when it had one:
    /// the key to look the operation up with ([`crate::Client::reconcile`]).
    pub fn foreign_id(&self) -> Option<&str> {
        self.call.as_ref()?.foreign_id.as_deref()
    }

    /// The field errors as a JSON object `{"field": "message", …}`, in order; the messages
    /// of a field that failed more than one rule joined by `"; "` (the bindings' `fields`).
    pub fn fields_json(&self) -> String {
        let mut map: serde_json::Map<String, serde_json::Value> = serde_json::Map::new();
        for f in &self.fields {
            let merged = match map.get(&f.field).and_then(serde_json::Value::as_str) {
                Some(before) => format!("{before}; {}", f.message),
                None => f.message.clone(),
            };
            map.insert(f.field.clone(), serde_json::Value::String(merged));
        }
        serde_json::Value::Object(map).to_string()
    }
}

impl fmt::Debug for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Error")
            .field("status", &self.status)
            .field("message", &self.message)
            .field("http_status", &self.http_status)
            .field("code", &self.code)
            .field("fields", &self.fields)
            .field("raw_body_len", &self.raw_body.as_ref().map(|b| b.len()))
            .field("cause", &self.cause)
            .field("foreign_id", &self.foreign_id())
            .finish()
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} ({})", self.message, self.status.name())?;
        if let Some(http) = self.http_status {
            write!(f, " [HTTP {http}]")?;
        }
        Ok(())
    }
}

impl std::error::Error for Error {}

/// The library's result type.
pub type Result<T> = std::result::Result<T, Error>;

/// At most 200 characters of `text`, for messages that quote a reply.
pub(crate) fn preview(text: &str) -> String {
    let mut out: String = text.chars().take(200).collect();
    if out.len() < text.len() {
        out.push('…');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_stable() {
        let expected = [0, 1, 2, 3, 4, 5, 10, 11, 12, 13, 14, 20, 21, 22, 23, 24, 99];
        let got: Vec<u32> = Status::ALL.iter().map(|s| s.code()).collect();
        assert_eq!(got, expected);
        for &s in Status::ALL {
            assert_eq!(Status::from_code(s.code()), Some(s));
        }
        assert_eq!(Status::from_code(6), None);
    }

    #[test]
    fn validation_lists_every_field() {
        let e = Error::validation(vec![
            FieldError::new("title", "too long"),
            FieldError::new("url_success", "must use https"),
        ]);
        assert_eq!(e.status(), Status::Validation);
        assert_eq!(e.field("title"), Some("too long"));
        assert!(e.message().contains("url_success"));
        assert_eq!(
            e.fields_json(),
            r#"{"title":"too long","url_success":"must use https"}"#
        );
    }
}
