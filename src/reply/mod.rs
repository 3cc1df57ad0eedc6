//! Everything about a reply, in one place and one pass: classify it (2xx or not), decode a
//! success tolerantly ([`normalize`]: the operation's shape from the operations table), or
//! turn a failure into a detailed [`Error`] ([`error`]). The typed result is built from
//! the decoded [`Response`] by the operation's result kind
//! ([`crate::operations::ResultKind`]). For the C ABI (`Decoded`) the data of an
//! invoice, address, withdrawal or exchange reply is read flat (`flat`) when it is an
//! object of scalars: the same normalized fields without a map, the same texts written
//! from them.

pub(crate) mod error;
pub(crate) mod flat;
pub mod normalize;

use crate::error::{Error, Result, Status};
use crate::operations::OperationKind;
use error::error_from_reply;
use flat::FlatData;
use normalize::Fields;
use normalize::{normalize, Normalized};
use serde_json::Value;

/// Decodes a reply of `kind`: 2xx → [`Response`], anything else → [`Error`].
pub fn decode_reply(
    kind: OperationKind,
    http_status: u16,
    body: Vec<u8>,
    retry_after: Option<u64>,
) -> Result<Response> {
    if (200..300).contains(&http_status) {
        return Response::decode(kind, http_status, body);
    }
    Err(error_from_reply(kind, http_status, body, retry_after))
}

/// A reply decoded for the C ABI: its data read flat when the operation's typed result
/// reads top-level fields only and the body allows it ([`FlatData`]), else in full.
pub(crate) enum Decoded {
    /// Decoded in full.
    Full(Response),
    /// The reply without its data (`data` is null, `malformed` is the flat data's), and the
    /// data read flat.
    Flat(Response, FlatData),
}

impl Decoded {
    /// [`decode_reply`], the data of a 2xx reply read flat when it can be.
    pub(crate) fn decode(
        kind: OperationKind,
        http_status: u16,
        body: Vec<u8>,
        retry_after: Option<u64>,
    ) -> Result<Decoded> {
        if (200..300).contains(&http_status) && kind.row().result.reads_fields() {
            if let Some((flat, malformed)) = FlatData::read(kind.data_kind(), &body) {
                let shell = Response {
                    kind,
                    http_status,
                    raw_body: body,
                    data: Value::Null,
                    malformed,
                    attempts: Default::default(),
                };
                return Ok(Decoded::Flat(shell, flat));
            }
        }
        decode_reply(kind, http_status, body, retry_after).map(Decoded::Full)
    }

    /// The reply (for a flat one, without its data).
    pub(crate) fn response(&self) -> &Response {
        match self {
            Decoded::Full(response) | Decoded::Flat(response, _) => response,
        }
    }

    /// The reply, to record the call's attempts on.
    pub(crate) fn response_mut(&mut self) -> &mut Response {
        match self {
            Decoded::Full(response) | Decoded::Flat(response, _) => response,
        }
    }

    /// [`Response::envelope_json`], the data written from the flat data when there is one.
    pub(crate) fn envelope_json(&self) -> String {
        match self {
            Decoded::Full(response) => response.envelope_json(),
            Decoded::Flat(shell, flat) => {
                utf8(shell.json(Some(flat), false, |out| self.write_typed_json(out)))
            }
        }
    }

    /// [`Response::summary_json`] followed by a NUL: bytes for C (serde_json writes
    /// UTF-8; not checked again).
    pub(crate) fn summary_json_nul(&self) -> Vec<u8> {
        self.response()
            .json(None::<&Value>, true, |out| self.write_typed_json(out))
    }

    /// [`crate::operations::ResultKind::typed_json`] of the reply.
    pub(crate) fn typed_json(&self) -> String {
        let mut out = Vec::with_capacity(512);
        self.write_typed_json(&mut out);
        utf8(out)
    }

    /// The typed result, its fields read from the flat data when there is one.
    fn write_typed_json(&self, out: &mut Vec<u8>) {
        match self {
            Decoded::Full(response) => response.write_typed_json(out),
            Decoded::Flat(shell, flat) => {
                shell.kind.row().result.write_typed_fields(flat, shell, out)
            }
        }
    }

    /// The value at the dotted path `path` (split into `segments`) of the normalized data,
    /// as `alphapo_response_get` reads it ([`normalize::resolve`]). In data read flat every
    /// value is a scalar, so only the key that is the whole `path` can hold it.
    pub(crate) fn resolve<'a>(&'a self, path: &str, segments: &[&str]) -> Option<&'a Value> {
        match self {
            Decoded::Full(response) => normalize::resolve(&response.data, segments),
            Decoded::Flat(_, flat) => flat.value(path),
        }
    }
}

/// A decoded reply: the HTTP status, the raw body exactly as received, and the normalized
/// `data` (canonical types, unknown fields kept, malformed values flagged).
#[derive(Clone, Debug)]
pub struct Response {
    /// Which operation answered.
    pub kind: OperationKind,
    /// The HTTP status (200 or 201).
    pub http_status: u16,
    /// The raw body, byte for byte.
    pub raw_body: Vec<u8>,
    /// The normalized `data` (for ping, the text `"OK"`; for transactions/info, the object).
    pub data: Value,
    /// Dotted paths of values kept verbatim because they could not be understood.
    pub malformed: Vec<String>,
    /// What happened during the call (empty for a reply decoded without a call).
    pub attempts: crate::retry::AttemptRecord,
}

impl Response {
    /// Decodes a 2xx reply of `kind`.
    pub fn decode(kind: OperationKind, http_status: u16, raw_body: Vec<u8>) -> Result<Response> {
        let decode_error = |msg: String, body: &[u8]| {
            Error::new(Status::Decode, msg)
                .with_http_status(http_status)
                .with_raw_body(body.to_vec())
        };
        // ping answers the text `OK`; cancel's body is undocumented ("OK" in the docs).
        let text = kind == OperationKind::Ping
            || (kind == OperationKind::InvoicesCancel
                && serde_json::from_slice::<serde::de::IgnoredAny>(&raw_body).is_err());
        if text {
            let text = String::from_utf8_lossy(&raw_body).trim().to_string();
            return Ok(Response {
                kind,
                http_status,
                raw_body,
                data: Value::String(text),
                malformed: Vec::new(),
                attempts: Default::default(),
            });
        }
        // A text holds at most one value per byte (plus one): a short one needs no count.
        let values = if raw_body.len() < normalize::MAX_VALUES {
            0
        } else {
            normalize::value_count(&raw_body)
        };
        if values > normalize::MAX_VALUES {
            return Err(decode_error(
                format!(
                    "{} reply holds about {values} values, more than the {} a reply may hold",
                    kind.name(),
                    normalize::MAX_VALUES
                ),
                &raw_body,
            ));
        }
        let parsed: Value = serde_json::from_slice(&raw_body).map_err(|e| {
            decode_error(format!("{} reply is not JSON: {e}", kind.name()), &raw_body)
        })?;
        // Most replies wrap the payload in "data"; transactions/info examples do not; the
        // success body of a cancel is undocumented: any 2xx body is success (`[]`, `{}`,
        // `"OK"`, `{"message":"OK"}`), the invoice fields filled when it has them.
        let data = match parsed {
            Value::Object(mut map) if map.contains_key("data") => {
                map.remove("data").unwrap_or(Value::Null)
            }
            other
                if matches!(
                    kind,
                    OperationKind::TransactionsInfo
                        | OperationKind::Generic
                        | OperationKind::InvoicesCancel
                ) =>
            {
                other
            }
            Value::Object(map) if map.is_empty() => Value::Object(map),
            other => {
                return Err(decode_error(
                    format!(
                        "{} reply has no \"data\": {}",
                        kind.name(),
                        crate::error::preview(&other.to_string())
                    ),
                    &raw_body,
                ))
            }
        };
        if kind == OperationKind::InvoicesCancel && !data.is_object() {
            return Ok(Response {
                kind,
                http_status,
                raw_body,
                data,
                malformed: Vec::new(),
                attempts: Default::default(),
            });
        }
        let Normalized { value, malformed } = normalize(data, kind.data_kind());
        Ok(Response {
            kind,
            http_status,
            raw_body,
            data: value,
            malformed,
            attempts: Default::default(),
        })
    }

    /// The reply without its body, data, malformed paths and attempts: what a typed result
    /// read for serialization keeps beside its fields (nothing is copied).
    pub(crate) fn shell(&self) -> Response {
        Response {
            kind: self.kind,
            http_status: self.http_status,
            raw_body: Vec::new(),
            data: Value::Null,
            malformed: Vec::new(),
            attempts: Default::default(),
        }
    }

    /// The envelope the C ABI and the bindings read: `{"data": …, "malformed": […],
    /// "result": …, "attempts": …}`, `result` being the operation's typed result
    /// ([`crate::operations::ResultKind::typed_json`]) and `attempts` the call's record.
    pub fn envelope_json(&self) -> String {
        utf8(self.json(Some(&self.data), false, |out| self.write_typed_json(out)))
    }

    /// The envelope without the normalized data, what a binding builds its typed result
    /// from: `{"http_status": 200, "malformed": […], "result": …, "attempts": …}`.
    pub fn summary_json(&self) -> String {
        utf8(self.json(None::<&Value>, false, |out| self.write_typed_json(out)))
    }

    fn write_typed_json(&self, out: &mut Vec<u8>) {
        self.kind.row().result.write_typed_json(self, out)
    }

    /// The envelope: `data` (the normalized data, written as it is) or the HTTP status
    /// first, then the malformed paths, `result` (written by `typed`) and the attempts;
    /// with a NUL after it when `nul`.
    fn json<D: serde::Serialize + ?Sized>(
        &self,
        data: Option<&D>,
        nul: bool,
        typed: impl FnOnce(&mut Vec<u8>),
    ) -> Vec<u8> {
        let data_len = if data.is_some() {
            2 * self.raw_body.len()
        } else {
            0
        };
        let mut out = Vec::with_capacity(data_len + 2 * self.raw_body.len() + 160);
        if let Some(data) = data {
            out.extend_from_slice(b"{\"data\":");
            serde_json::to_writer(&mut out, data).expect("JSON serializes");
        } else {
            out.extend_from_slice(b"{\"http_status\":");
            serde_json::to_writer(&mut out, &self.http_status).expect("a number serializes");
        }
        out.extend_from_slice(b",\"malformed\":");
        serde_json::to_writer(&mut out, &self.malformed).expect("strings serialize");
        out.extend_from_slice(b",\"result\":");
        typed(&mut out);
        out.extend_from_slice(b",\"attempts\":");
        self.attempts.write_json(&mut out);
        out.push(b'}');
        if nul {
            out.push(0);
        }
        out
    }
}

/// JSON text written by serde_json, as a `String`.
fn utf8(json: Vec<u8>) -> String {
    String::from_utf8(json).expect("serde_json writes UTF-8")
}
