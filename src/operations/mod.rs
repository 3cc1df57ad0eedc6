//! The API's operations: one module per family, each with a typed request, its validation
//! rules, its wire body and the shape of its tolerant response.
//!
//! Every request becomes a [`Request`]: validated (all failed rules reported at once,
//! nothing sent), serialized once. The client signs exactly [`Request::body`] and sends
//! exactly those bytes. Requests also come from JSON ([`Request::from_json`]), which is how
//! the C ABI and the language bindings reach every operation.

mod accounts;
mod addresses;
mod exchange;
mod generic;
mod invoices;
mod reader;
mod rules;
mod shapes;
mod transactions;
mod withdrawals;

pub use accounts::{Account, CurrenciesList, CurrencyInfo, CurrencyPair, PairsQuery, RatesQuery};
pub use addresses::{Address, TakeAddress};
pub use exchange::{Exchange, ExchangeCalculate, ExchangeFixed, ExchangeNow};
pub use generic::GenericRequest;
pub use invoices::{CancelInvoice, Invoice, InvoiceRequest, InvoiceType};
pub use rules::Party;
pub use shapes::transaction_shape;
pub use transactions::{Transaction, TransactionLookup};
pub use withdrawals::{Withdrawal, WithdrawalRequest};

use crate::decode::{normalize, Kind, Normalized};
use crate::error::{Error, FieldError, Result, Status};
use serde_json::Value;

/// The API's operations, numbered as in the spec's catalogue. In C this is
/// `alphapo_operation`, passed as `uint32_t` to `alphapo_client_call` and
/// `alphapo_client_prepare` with the operation's fields as a JSON object (spec names).
#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum OperationKind {
    /// `GET /ping`; request `{}` or NULL.
    Ping = 1,
    /// `POST /accounts/list`; request `{}` or NULL.
    AccountsList = 2,
    /// `POST /currencies/list`; `{"visible"?: bool}`.
    CurrenciesList = 3,
    /// `POST /currencies/pairs`; `{"currency_from"?, "currency_to"?}`.
    CurrenciesPairs = 4,
    /// `POST /currencies/rates`; `{"currency_from", "currency_to"}`.
    CurrenciesRates = 5,
    /// `POST /addresses/take`; `{"currency", "foreign_id", "convert_to"?, "end_user_reference"?, "sender_type"?, "sender_data"?}`.
    AddressesTake = 6,
    /// `POST /withdrawal/crypto`; `{"currency", "address", "amount" | "amount_to", "foreign_id", …}`.
    WithdrawalCrypto = 7,
    /// `POST /exchange/calculate`; `{"sender_currency", "receiver_currency", "sender_amount" | "receiver_amount"}`.
    ExchangeCalculate = 8,
    /// `POST /exchange/fixed`; as calculate plus `"foreign_id"`, `"price"`.
    ExchangeFixed = 9,
    /// `POST /exchange/now`; as calculate plus `"foreign_id"`.
    ExchangeNow = 10,
    /// `POST /invoices/create`; every invoice field (or use `alphapo_invoice_request`).
    InvoicesCreate = 11,
    /// `POST /invoices/{foreign_id}/cancel/`; `{"foreign_id"}`.
    InvoicesCancel = 12,
    /// `GET /transactions/info` (a GET with a signed JSON body); exactly one of `{"id"}`,
    /// `{"foreign_id"}`, `{"txid"}`.
    TransactionsInfo = 13,
    /// Any endpoint, so that a new one never blocks a merchant:
    /// `{"method"?: "POST"|"GET", "path": "/x/y", "body"?: {…}}`.
    Generic = 14,
}

impl OperationKind {
    /// Every operation, in numeric order.
    pub const ALL: [OperationKind; 14] = [
        OperationKind::Ping,
        OperationKind::AccountsList,
        OperationKind::CurrenciesList,
        OperationKind::CurrenciesPairs,
        OperationKind::CurrenciesRates,
        OperationKind::AddressesTake,
        OperationKind::WithdrawalCrypto,
        OperationKind::ExchangeCalculate,
        OperationKind::ExchangeFixed,
        OperationKind::ExchangeNow,
        OperationKind::InvoicesCreate,
        OperationKind::InvoicesCancel,
        OperationKind::TransactionsInfo,
        OperationKind::Generic,
    ];

    /// The operation for a number, `None` if unknown.
    pub fn from_code(code: u32) -> Option<OperationKind> {
        OperationKind::ALL
            .iter()
            .copied()
            .find(|k| *k as u32 == code)
    }

    /// The operation's name, e.g. `"invoices/create"`.
    pub fn name(self) -> &'static str {
        match self {
            OperationKind::Ping => "ping",
            OperationKind::AccountsList => "accounts/list",
            OperationKind::CurrenciesList => "currencies/list",
            OperationKind::CurrenciesPairs => "currencies/pairs",
            OperationKind::CurrenciesRates => "currencies/rates",
            OperationKind::AddressesTake => "addresses/take",
            OperationKind::WithdrawalCrypto => "withdrawal/crypto",
            OperationKind::ExchangeCalculate => "exchange/calculate",
            OperationKind::ExchangeFixed => "exchange/fixed",
            OperationKind::ExchangeNow => "exchange/now",
            OperationKind::InvoicesCreate => "invoices/create",
            OperationKind::InvoicesCancel => "invoices/cancel",
            OperationKind::TransactionsInfo => "transactions/info",
            OperationKind::Generic => "generic",
        }
    }

    /// How a failed attempt of the operation may be repeated (ARCHITECTURE.md rule 11).
    /// The client's retry policy reads this and nothing else.
    pub fn retry_class(self) -> RetryClass {
        use OperationKind as K;
        match self {
            K::Ping
            | K::AccountsList
            | K::CurrenciesList
            | K::CurrenciesPairs
            | K::CurrenciesRates
            | K::ExchangeCalculate
            | K::TransactionsInfo => RetryClass::ReadOnly,
            K::InvoicesCreate => RetryClass::Guarded,
            K::AddressesTake
            | K::WithdrawalCrypto
            | K::ExchangeFixed
            | K::ExchangeNow
            | K::InvoicesCancel
            | K::Generic => RetryClass::Unguarded,
        }
    }

    /// The shape of the operation's `data`.
    pub(crate) fn data_kind(self) -> &'static Kind {
        shapes::data_kind(self)
    }
}

/// How a failed attempt may be repeated. A 429 means the service applied nothing: every
/// class may repeat it within the `Retry-After` limit. A request whose connection was never
/// established may be re-sent in every class.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum RetryClass {
    /// Changes nothing: repeated after timeouts, resets and 5xx.
    ReadOnly,
    /// Moves money, and the service documents a refusal of a repeated `foreign_id`
    /// (`invoices/create` only): repeated with the very same bytes; a duplicate refusal
    /// after such a repeat means "may already have happened".
    Guarded,
    /// Moves money with no documented guard against a repeat (withdrawals, exchanges,
    /// cancel, address take, the generic call): never re-sent once it may have reached the
    /// service; the call then ends with `OUTCOME_UNKNOWN`.
    Unguarded,
}

impl RetryClass {
    /// `true` for the classes whose operations move money or create something.
    pub fn moves_money(self) -> bool {
        self != RetryClass::ReadOnly
    }
}

/// HTTP method.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Method {
    /// GET
    Get,
    /// POST
    Post,
}

impl Method {
    /// `"GET"` or `"POST"`.
    pub fn as_str(self) -> &'static str {
        match self {
            Method::Get => "GET",
            Method::Post => "POST",
        }
    }
}

/// A validated, serialized request: the bytes that will be signed and sent.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Request {
    /// Which operation.
    pub kind: OperationKind,
    /// GET or POST.
    pub method: Method,
    /// Path below the base URL, starting with `/` (e.g. `/invoices/create`).
    pub path: String,
    /// The exact JSON body. Empty only for `GET /ping`.
    pub body: Vec<u8>,
}

/// The `foreign_id` in a request body (a string or a number), read only on the rare paths
/// that need it (a failure's message and error object).
pub(crate) fn foreign_id_of(body: &[u8]) -> Option<String> {
    let parsed: Value = serde_json::from_slice(body).ok()?;
    match parsed.get("foreign_id")?.clone() {
        Value::String(s) => Some(s),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// Something that can become a [`Request`]: validated, then serialized once.
pub trait ToRequest {
    /// Validates every documented rule and serializes the body.
    fn to_request(&self) -> Result<Request>;
}

impl ToRequest for Request {
    fn to_request(&self) -> Result<Request> {
        Ok(self.clone())
    }
}

impl Request {
    pub(crate) fn post(kind: OperationKind, path: impl Into<String>, body: Value) -> Request {
        Request {
            kind,
            method: Method::Post,
            path: path.into(),
            body: serde_json::to_vec(&body).expect("a JSON value serializes"),
        }
    }

    /// `GET /ping`, which takes no body.
    pub fn ping() -> Request {
        Request {
            kind: OperationKind::Ping,
            method: Method::Get,
            path: "/ping".into(),
            body: Vec::new(),
        }
    }

    /// A request for `kind` from a JSON object of its fields (the fields of the spec, with
    /// amounts as decimal strings or JSON numbers). Unknown fields are refused, so that a
    /// typo never silently drops a field. `json` may be empty for operations without fields.
    pub fn from_json(kind: OperationKind, json: &str) -> Result<Request> {
        let value: Value = if json.trim().is_empty() {
            Value::Object(Default::default())
        } else {
            serde_json::from_str(json)
                .map_err(|e| Error::invalid(format!("request is not valid JSON: {e}")))?
        };
        if !value.is_object() {
            return Err(Error::invalid("request must be a JSON object"));
        }
        match Request::from_value(kind, &value) {
            Err(e) if e.status() == Status::Validation => {
                Err(Request::with_rule_errors(kind, &value, e))
            }
            other => other,
        }
    }

    /// A field of the wrong type or an unknown field stops reading before the rules run;
    /// to report everything at once, run the rules again without the refused fields and
    /// add what they find about the other fields.
    fn with_rule_errors(kind: OperationKind, value: &Value, type_errors: Error) -> Error {
        let refused: Vec<String> = type_errors
            .fields()
            .iter()
            .map(|f| f.field.split('.').next().unwrap_or_default().to_string())
            .collect();
        let mut rest = value.clone();
        if let Some(map) = rest.as_object_mut() {
            map.retain(|k, _| !refused.contains(k));
        }
        let mut fields = type_errors.fields().to_vec();
        if let Err(e) = Request::from_value(kind, &rest) {
            for f in e.fields() {
                let top = f.field.split('.').next().unwrap_or_default();
                if !refused.iter().any(|r| r == top) {
                    fields.push(f.clone());
                }
            }
        }
        Error::validation(fields)
    }

    fn from_value(kind: OperationKind, value: &Value) -> Result<Request> {
        match kind {
            OperationKind::Ping => {
                reader::Reader::new(value).finish()?;
                Ok(Request::ping())
            }
            OperationKind::AccountsList => accounts::accounts_list(value),
            OperationKind::CurrenciesList => CurrenciesList::from_json(value)?.to_request(),
            OperationKind::CurrenciesPairs => PairsQuery::from_json(value)?.to_request(),
            OperationKind::CurrenciesRates => RatesQuery::from_json(value)?.to_request(),
            OperationKind::AddressesTake => TakeAddress::from_json(value)?.to_request(),
            OperationKind::WithdrawalCrypto => WithdrawalRequest::from_json(value)?.to_request(),
            OperationKind::ExchangeCalculate => ExchangeCalculate::from_json(value)?.to_request(),
            OperationKind::ExchangeFixed => ExchangeFixed::from_json(value)?.to_request(),
            OperationKind::ExchangeNow => ExchangeNow::from_json(value)?.to_request(),
            OperationKind::InvoicesCreate => InvoiceRequest::from_json(value)?.to_request(),
            OperationKind::InvoicesCancel => CancelInvoice::from_json(value)?.to_request(),
            OperationKind::TransactionsInfo => TransactionLookup::from_json(value)?.to_request(),
            OperationKind::Generic => GenericRequest::from_json(value)?.to_request(),
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
}

impl Response {
    /// Decodes a 2xx reply of `kind`.
    pub fn decode(kind: OperationKind, http_status: u16, raw_body: Vec<u8>) -> Result<Response> {
        let decode_error = |msg: String, body: &[u8]| {
            Error::new(Status::Decode, msg)
                .with_http_status(http_status)
                .with_raw_body(body.to_vec())
        };
        let is_json = serde_json::from_slice::<serde::de::IgnoredAny>(&raw_body).is_ok();
        // ping answers the text `OK`; cancel's body is undocumented ("OK" in the docs).
        let text_allowed = matches!(kind, OperationKind::Ping | OperationKind::InvoicesCancel);
        if kind == OperationKind::Ping || (text_allowed && !is_json) {
            let text = String::from_utf8_lossy(&raw_body).trim().to_string();
            return Ok(Response {
                kind,
                http_status,
                raw_body,
                data: Value::String(text),
                malformed: Vec::new(),
            });
        }
        let values = crate::decode::value_count(&raw_body);
        if values > crate::decode::MAX_VALUES {
            return Err(decode_error(
                format!(
                    "{} reply holds about {values} values, more than the {} a reply may hold",
                    kind.name(),
                    crate::decode::MAX_VALUES
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
            });
        }
        let Normalized { value, malformed } = normalize(data, kind.data_kind());
        Ok(Response {
            kind,
            http_status,
            raw_body,
            data: value,
            malformed,
        })
    }

    /// The envelope the C ABI and the bindings read: `{"data": …, "malformed": […]}`.
    pub fn envelope_json(&self) -> String {
        let malformed: Vec<Value> = self
            .malformed
            .iter()
            .map(|p| Value::String(p.clone()))
            .collect();
        let mut map = serde_json::Map::new();
        map.insert("data".into(), self.data.clone());
        map.insert("malformed".into(), Value::Array(malformed));
        Value::Object(map).to_string()
    }
}

/// Validation result helper: `Ok(())` or a VALIDATION error listing every field.
pub(crate) fn check(errors: Vec<FieldError>) -> Result<()> {
    if errors.is_empty() {
        Ok(())
    } else {
        Err(Error::validation(errors))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn any_2xx_of_a_cancel_is_success() {
        for body in ["[]", "{}", "\"OK\"", r#"{"message":"OK"}"#, "OK", ""] {
            let r = Response::decode(OperationKind::InvoicesCancel, 200, body.into())
                .unwrap_or_else(|e| panic!("{body:?}: {e:?}"));
            assert_eq!(r.raw_body, body.as_bytes());
            assert!(r.malformed.is_empty(), "{body:?}: {:?}", r.malformed);
        }
        let r = Response::decode(
            OperationKind::InvoicesCancel,
            200,
            br#"{"data":{"id":7,"status":"failed","foreign_id":"x"}}"#.to_vec(),
        )
        .unwrap();
        assert_eq!(
            r.data["status"], "failed",
            "the invoice fields when the body has them"
        );
        // Not every operation is so lenient: a withdrawal without `data` is not understood.
        assert!(Response::decode(OperationKind::WithdrawalCrypto, 200, b"[]".to_vec()).is_err());
    }

    #[test]
    fn type_errors_and_rule_errors_come_back_together() {
        let title = "x".repeat(51);
        let e = Request::from_json(
            OperationKind::InvoicesCreate,
            &format!(r#"{{"title":"{title}","amount":"abc","timer":1,"colour":"red"}}"#),
        )
        .unwrap_err();
        assert_eq!(e.status(), Status::Validation);
        for field in [
            "title",
            "amount",
            "timer",
            "colour",
            "currency",
            "foreign_id",
        ] {
            assert!(e.field(field).is_some(), "{field} missing: {e:?}");
        }
        assert_eq!(e.fields().iter().filter(|f| f.field == "amount").count(), 1);
    }
}
