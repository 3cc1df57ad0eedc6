//! The API's operations: one module per family, each with a typed request, its validation
//! rules, its wire body and the shape of its tolerant response.
//!
//! Every request becomes a [`Request`]: validated (all failed rules reported at once,
//! nothing sent), serialized once. The client signs exactly [`Request::body`] and sends
//! exactly those bytes. Requests also come from JSON ([`Request::from_json`]), which is how
//! the C ABI and the language bindings reach every operation.

mod accounts;
mod addresses;
mod body;
mod exchange;
mod generic;
mod invoices;
mod payment_requests;
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
pub(crate) use payment_requests::iso;
pub use payment_requests::{PaymentCurrency, PaymentRequest, PaymentRequestCreate};
pub use reader::JsonFields;
pub use rules::Party;
pub use shapes::{payment_request_callback_shape, transaction_shape};
pub use transactions::{Transaction, TransactionLookup};
pub use withdrawals::{Withdrawal, WithdrawalRequest};

use crate::amount::Amount;
use crate::error::{Error, FieldError, Result, Status};
use crate::reply::normalize::{Fields, Kind};
pub use crate::reply::Response;
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
    /// `POST /invoices/create`; every invoice field.
    InvoicesCreate = 11,
    /// `POST /invoices/{foreign_id}/cancel/`; `{"foreign_id"}`.
    InvoicesCancel = 12,
    /// `GET /transactions/info` (a GET with a signed JSON body); exactly one of `{"id"}`,
    /// `{"foreign_id"}`, `{"txid"}`.
    TransactionsInfo = 13,
    /// Any endpoint, so that a new one never blocks a merchant:
    /// `{"method"?: "POST"|"GET", "path": "/x/y", "body"?: {…}}`.
    Generic = 14,
    /// `POST /api/payments/v1/requests`; `{"amount", "currency": {"iso", "network_name"?},
    /// "life_time_duration" | "life_time_datetime", …}`.
    PaymentRequestsCreate = 15,
}

impl OperationKind {
    /// The operation's row of [`OPERATIONS`].
    pub fn row(self) -> &'static Operation {
        &OPERATIONS[self as usize - 1]
    }

    /// The operation for a number, `None` if unknown.
    pub fn from_code(code: u32) -> Option<OperationKind> {
        OPERATIONS
            .iter()
            .map(|row| row.kind)
            .find(|k| *k as u32 == code)
    }

    /// The operation's name, e.g. `"invoices/create"`.
    pub fn name(self) -> &'static str {
        self.row().name
    }

    /// How a failed attempt of the operation may be repeated (ARCHITECTURE.md rule 11).
    /// The client's retry policy reads this and nothing else.
    pub fn retry_class(self) -> RetryClass {
        self.row().retry_class
    }

    /// The shape of the operation's `data`.
    pub(crate) fn data_kind(self) -> &'static Kind {
        self.row().data
    }
}

/// One operation: everything the library and its bindings know about it, in one row.
#[derive(Debug)]
pub struct Operation {
    /// The operation (its number is the C `alphapo_operation` value).
    pub kind: OperationKind,
    /// The operation's name, e.g. `"invoices/create"`.
    pub name: &'static str,
    /// The client method's name in snake_case (`create_invoice`); Python uses it as is,
    /// PHP in camelCase (`createInvoice`), every `prepare` twin with a `prepare_` prefix.
    pub method_name: &'static str,
    /// The field that identifies the request, when it has exactly one (bindings may take
    /// it positionally: `cancel_invoice("order-1")`).
    pub identifier: Option<&'static str>,
    /// GET or POST.
    pub method: Method,
    /// Which API the path is below.
    pub base: Base,
    /// The path below the base, `{field}` marking a value taken from the request.
    pub path: &'static str,
    /// How a failed attempt may be repeated.
    pub retry_class: RetryClass,
    /// The typed result the reply becomes.
    pub result: ResultKind,
    /// The shape of the reply's `data`, for tolerant normalization.
    pub(crate) data: &'static Kind,
    /// Reads, validates and serializes the request from its JSON fields.
    pub(crate) parse: fn(JsonFields<'_>) -> Result<Request>,
}

macro_rules! row {
    ($kind:ident, $name:literal, $method_name:literal, $identifier:expr, $method:ident,
     $base:ident $path:literal, $retry:ident, $result:ident, $data:expr, $parse:expr) => {
        Operation {
            kind: OperationKind::$kind,
            name: $name,
            method_name: $method_name,
            identifier: $identifier,
            method: Method::$method,
            base: Base::$base,
            path: $path,
            retry_class: RetryClass::$retry,
            result: ResultKind::$result,
            data: $data,
            parse: $parse,
        }
    };
}

/// THE operations table: one row per operation, in numeric order. Everything else (the
/// C enum's numbers, names, retry classes, result types, the bindings' methods) reads it.
#[rustfmt::skip]
pub static OPERATIONS: [Operation; 15] = [
    row!(Ping, "ping", "ping", None, Get, V2 "/ping", ReadOnly, Text, &shapes::TEXT,
        |v| { reader::Reader::new(v).finish()?; Ok(Request::ping()) }),
    row!(AccountsList, "accounts/list", "list_accounts", None, Post, V2 "/accounts/list",
        ReadOnly, Accounts, &shapes::ACCOUNTS, accounts::accounts_list),
    row!(CurrenciesList, "currencies/list", "list_currencies", None, Post,
        V2 "/currencies/list", ReadOnly, Currencies, &shapes::CURRENCIES,
        |v| CurrenciesList::from_json(v)?.to_request()),
    row!(CurrenciesPairs, "currencies/pairs", "currency_pairs", None, Post,
        V2 "/currencies/pairs", ReadOnly, Pairs, &shapes::PAIRS,
        |v| PairsQuery::from_json(v)?.to_request()),
    row!(CurrenciesRates, "currencies/rates", "currency_rates", None, Post,
        V2 "/currencies/rates", ReadOnly, Pairs, &shapes::PAIRS,
        |v| RatesQuery::from_json(v)?.to_request()),
    row!(AddressesTake, "addresses/take", "take_address", None, Post, V2 "/addresses/take",
        Unguarded, Address, &shapes::ADDRESS_KIND,
        |v| TakeAddress::from_json(v)?.to_request()),
    row!(WithdrawalCrypto, "withdrawal/crypto", "withdraw", None, Post,
        V2 "/withdrawal/crypto", Unguarded, Withdrawal, &shapes::WITHDRAWAL_KIND,
        |v| WithdrawalRequest::from_json(v)?.to_request()),
    row!(ExchangeCalculate, "exchange/calculate", "calculate_exchange", None, Post,
        V2 "/exchange/calculate", ReadOnly, Exchange, &shapes::EXCHANGE_KIND,
        |v| ExchangeCalculate::from_json(v)?.to_request()),
    row!(ExchangeFixed, "exchange/fixed", "exchange_fixed", None, Post, V2 "/exchange/fixed",
        Unguarded, Exchange, &shapes::EXCHANGE_KIND,
        |v| ExchangeFixed::from_json(v)?.to_request()),
    row!(ExchangeNow, "exchange/now", "exchange_now", None, Post, V2 "/exchange/now",
        Unguarded, Exchange, &shapes::EXCHANGE_KIND,
        |v| ExchangeNow::from_json(v)?.to_request()),
    row!(InvoicesCreate, "invoices/create", "create_invoice", None, Post,
        V2 "/invoices/create", Guarded, Invoice, &shapes::INVOICE_KIND,
        |v| InvoiceRequest::from_json(v)?.to_request()),
    row!(InvoicesCancel, "invoices/cancel", "cancel_invoice", Some("foreign_id"), Post,
        V2 "/invoices/{foreign_id}/cancel/", Unguarded, Invoice, &shapes::INVOICE_KIND,
        |v| CancelInvoice::from_json(v)?.to_request()),
    row!(TransactionsInfo, "transactions/info", "transaction_info", Some("id"), Get,
        V2 "/transactions/info", ReadOnly, Transaction, &shapes::TRANSACTION_KIND,
        |v| TransactionLookup::from_json(v)?.to_request()),
    row!(Generic, "generic", "request", Some("path"), Post, V2 "{path}", Unguarded, Json,
        &shapes::ANY, |v| GenericRequest::from_json(v)?.to_request()),
    row!(PaymentRequestsCreate, "payment_requests/create", "create_payment_request", None,
        Post, Payments "/requests", Unguarded, PaymentRequest, &shapes::PAYMENT_REQUEST_KIND,
        |v| PaymentRequestCreate::from_json(v)?.to_request()),
];

/// The API a request's path is below.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Base {
    /// The v2 API (`…/api/v2`): every classic operation.
    V2,
    /// The payments API (`…/api/payments/v1`): payment requests.
    Payments,
    /// The host's API root (`…/api`): a generic call to a path starting with `/api/`.
    Root,
}

impl Operation {
    /// The route a person reads (logs, docs): the path below the v2 base for v2
    /// operations (`/invoices/create`, as the documentation writes them), the path below
    /// the host for the others (`/api/payments/v1/requests`).
    pub fn route(&self) -> String {
        match self.base {
            Base::V2 => self.path.to_string(),
            Base::Payments => format!(
                "/api{}{}",
                crate::environment::PAYMENTS_BELOW_ROOT,
                self.path
            ),
            Base::Root => format!("/api{}", self.path),
        }
    }
}

impl Base {
    /// `"v2"`, `"payments"` or `"root"`.
    pub fn name(self) -> &'static str {
        match self {
            Base::V2 => "v2",
            Base::Payments => "payments",
            Base::Root => "root",
        }
    }
}

/// The typed result an operation's reply becomes. The core builds it (the API's quirks
/// are handled once, here) and hands it over the C ABI as JSON, field for field.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ResultKind {
    /// The reply's text (`ping`: `"OK"`).
    Text,
    /// The normalized JSON, untyped (the generic call).
    Json,
    /// [`Invoice`].
    Invoice,
    /// [`Address`].
    Address,
    /// [`Withdrawal`].
    Withdrawal,
    /// [`Exchange`].
    Exchange,
    /// [`Transaction`].
    Transaction,
    /// [`PaymentRequest`].
    PaymentRequest,
    /// A list of [`Account`].
    Accounts,
    /// A list of [`CurrencyInfo`].
    Currencies,
    /// A list of [`CurrencyPair`].
    Pairs,
}

impl ResultKind {
    /// The result's name, as the bindings know it (`"invoice"`, `"accounts"`, …).
    pub fn name(self) -> &'static str {
        match self {
            ResultKind::Text => "text",
            ResultKind::Json => "json",
            ResultKind::Invoice => "invoice",
            ResultKind::Address => "address",
            ResultKind::Withdrawal => "withdrawal",
            ResultKind::Exchange => "exchange",
            ResultKind::Transaction => "transaction",
            ResultKind::PaymentRequest => "payment_request",
            ResultKind::Accounts => "accounts",
            ResultKind::Currencies => "currencies",
            ResultKind::Pairs => "pairs",
        }
    }

    /// The typed result of a decoded reply as JSON text: the typed fields by name, amounts
    /// as decimal strings; `malformed_fields` names the typed fields kept as received.
    /// Lists are arrays of such objects; `Text` and `Json` are the normalized data itself.
    /// Written straight to text (no intermediate `Value`).
    pub fn typed_json(self, response: &Response) -> String {
        let mut out = Vec::with_capacity(512);
        self.write_typed_json(response, &mut out);
        String::from_utf8(out).expect("serde_json writes UTF-8")
    }

    /// [`ResultKind::typed_json`], appended to `out`.
    pub(crate) fn write_typed_json(self, response: &Response, out: &mut Vec<u8>) {
        self.write_typed(&response.data, response, out)
    }

    /// Whether the typed result is read from the top-level fields of the data only (no
    /// nested object, no list): what a reply read flat
    /// ([`crate::reply::Decoded::Flat`]) can give.
    pub(crate) fn reads_fields(self) -> bool {
        matches!(
            self,
            ResultKind::Invoice
                | ResultKind::Address
                | ResultKind::Withdrawal
                | ResultKind::Exchange
        )
    }

    /// [`ResultKind::write_typed_json`] for a reply read flat: the typed fields read from
    /// `fields`, the rest of `response`. Only for a result that [`ResultKind::reads_fields`].
    pub(crate) fn write_typed_fields(
        self,
        fields: &crate::reply::flat::FlatData,
        response: &Response,
        out: &mut Vec<u8>,
    ) {
        debug_assert!(self.reads_fields(), "{self:?} is not read flat");
        self.write_typed(fields, response, out)
    }

    /// The typed result, its fields read from `d` (the data, or its fields read flat).
    fn write_typed<F: Fields + ?Sized>(self, d: &F, response: &Response, out: &mut Vec<u8>) {
        fn list<T: TypedResult>(items: Vec<T>, out: &mut Vec<u8>) {
            out.reserve(160 * items.len() + 2);
            out.push(b'[');
            for (i, t) in items.iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                t.write_json(out);
            }
            out.push(b']');
        }
        match self {
            ResultKind::Text | ResultKind::Json => {
                serde_json::to_writer(out, &response.data).expect("JSON serializes")
            }
            ResultKind::Invoice => Invoice::read(d, response.shell()).write_json(out),
            ResultKind::Address => Address::read(d, response.shell()).write_json(out),
            ResultKind::Withdrawal => Withdrawal::read(d, response.shell()).write_json(out),
            ResultKind::Exchange => Exchange::read(d, response.shell()).write_json(out),
            ResultKind::Transaction => Transaction::from_response(response).write_json(out),
            ResultKind::PaymentRequest => PaymentRequest::read(d, response.shell()).write_json(out),
            ResultKind::Accounts => list(Account::list(response), out),
            ResultKind::Currencies => list(CurrencyInfo::list(response), out),
            ResultKind::Pairs => list(CurrencyPair::list(response), out),
        }
    }
}

/// The names of the amounts that were kept as received because they could not be
/// understood: a typed result's `malformed_fields`.
pub(crate) fn malformed_amounts<'a>(
    amounts: impl IntoIterator<Item = (&'static str, Option<&'a Amount>)>,
) -> Vec<&'static str> {
    amounts
        .into_iter()
        .filter(|(_, a)| a.is_some_and(|a| !a.is_valid()))
        .map(|(name, _)| name)
        .collect()
}

/// A typed result: serialized field by field, with the names of its amounts that were kept
/// as received because they could not be understood.
pub(crate) trait TypedResult: serde::Serialize + Sized {
    /// The typed fields' amounts, by field name.
    fn amounts(&self) -> Vec<(&'static str, Option<&Amount>)>;

    /// The fields plus `malformed_fields`, written as a JSON object to `out`: the struct
    /// as serde writes it, its closing brace replaced by the extra field.
    fn write_json(&self, out: &mut Vec<u8>) {
        serde_json::to_writer(&mut *out, self).expect("a typed result serializes");
        debug_assert_eq!(out.last(), Some(&b'}'), "a typed result is a JSON object");
        out.pop();
        if out.last() != Some(&b'{') {
            out.push(b',');
        }
        out.extend_from_slice(b"\"malformed_fields\":");
        let malformed_fields = malformed_amounts(self.amounts());
        serde_json::to_writer(&mut *out, &malformed_fields).expect("names serialize");
        out.push(b'}');
    }
}

/// A typed result that keeps the whole reply beside its fields (an invoice, an address...;
/// not the items of a list).
pub(crate) trait ReplyResult: TypedResult {
    /// The typed fields read from the normalized data `d` (or its fields read flat), with
    /// `response` kept beside them.
    fn read<F: Fields + ?Sized>(d: &F, response: Response) -> Self;

    /// The reply kept beside the typed fields.
    fn response_mut(&mut self) -> &mut Response;
}

/// The typed result of a decoded reply, the reply kept in it (read from its data first,
/// beside a shell of the reply, so that the data is never copied).
pub(crate) fn typed_from<T: ReplyResult>(response: Response) -> T {
    let mut typed = T::read(&response.data, response.shell());
    *typed.response_mut() = response;
    typed
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
    /// Which API `path` is below.
    pub base: Base,
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
    pub(crate) fn post(
        kind: OperationKind,
        path: impl Into<String>,
        body: impl Into<Vec<u8>>,
    ) -> Request {
        Request {
            kind,
            method: Method::Post,
            base: Base::V2,
            path: path.into(),
            body: body.into(),
        }
    }

    /// `GET /ping`, which takes no body.
    pub fn ping() -> Request {
        Request {
            kind: OperationKind::Ping,
            method: Method::Get,
            base: Base::V2,
            path: "/ping".into(),
            body: Vec::new(),
        }
    }

    /// A request for `kind` from a JSON object of its fields (the fields of the spec, with
    /// amounts as decimal strings or JSON numbers). Unknown fields are refused, so that a
    /// typo never silently drops a field. `json` may be empty for operations without fields.
    pub fn from_json(kind: OperationKind, json: &str) -> Result<Request> {
        // The common case first: the object's fields read straight from the text (no
        // `Value` built). Anything else, a refusal included, takes the `Value` path below,
        // which says what is wrong exactly as it always has.
        if let Some(flat) = JsonFields::parse(json) {
            if let Ok(request) = (kind.row().parse)(JsonFields::flat(&flat)) {
                return Ok(request);
            }
        }
        let value: Value = if json.trim().is_empty() {
            Value::Object(Default::default())
        } else {
            serde_json::from_str(json)
                .map_err(|e| Error::invalid(format!("request is not valid JSON: {e}")))?
        };
        if !value.is_object() {
            return Err(Error::invalid("request must be a JSON object"));
        }
        Request::from_fields(kind, &value)
    }

    /// A request for `kind` from a JSON object of its fields, already parsed (see
    /// [`Request::from_json`]).
    pub fn from_fields(kind: OperationKind, value: &Value) -> Result<Request> {
        match Request::from_value(kind, value) {
            Err(e) if e.status() == Status::Validation => {
                Err(Request::with_rule_errors(kind, value, e))
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
        (kind.row().parse)(value.into())
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
    fn the_table_is_in_numeric_order_and_each_name_once() {
        for (i, row) in OPERATIONS.iter().enumerate() {
            assert_eq!(row.kind as usize, i + 1, "{}", row.name);
            assert_eq!(OperationKind::from_code(i as u32 + 1), Some(row.kind));
            assert_eq!(OPERATIONS.iter().filter(|r| r.name == row.name).count(), 1);
            assert_eq!(
                OPERATIONS
                    .iter()
                    .filter(|r| r.method_name == row.method_name)
                    .count(),
                1
            );
        }
        assert_eq!(OperationKind::from_code(0), None);
        assert_eq!(OperationKind::from_code(OPERATIONS.len() as u32 + 1), None);
    }

    #[test]
    fn typed_results_handle_the_quirks_once() {
        let r = Response::decode(
            OperationKind::InvoicesCreate,
            201,
            br#"{"data":{"id":"7","name":"Old title","amount":"0.106.75000000","sender_amount":1.5}}"#
                .to_vec(),
        )
        .unwrap();
        let envelope: Value = serde_json::from_str(&r.envelope_json()).unwrap();
        let result = &envelope["result"];
        assert_eq!(result["id"], 7);
        assert_eq!(result["title"], "Old title", "title falls back to name");
        assert_eq!(result["amount"], "0.106.75000000", "kept as received");
        assert_eq!(result["sender_amount"], "1.5");
        assert_eq!(result["malformed_fields"], serde_json::json!(["amount"]));
        assert!(result.get("response").is_none());

        let pairs = Response::decode(
            OperationKind::CurrenciesPairs,
            200,
            br#"{"data":[{"currency_from":{"currency":"BTC","min_amount":"0.001"},"currency_to":{"currency":"EUR"},"rate_from":"1","rate_to":"30000"}]}"#
                .to_vec(),
        )
        .unwrap();
        let envelope: Value = serde_json::from_str(&pairs.envelope_json()).unwrap();
        assert_eq!(envelope["result"][0]["min_amount"], "0.001");
        assert_eq!(envelope["result"][0]["currency_to"], "EUR");
    }

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
    fn fields_read_from_text_make_what_the_value_path_makes() {
        use OperationKind::*;
        let many: Vec<String> = (0..70).map(|i| format!("\"f{i}\":1")).collect();
        let many = format!("{{{}}}", many.join(","));
        let cases: &[(OperationKind, &str, bool)] = &[
            (
                InvoicesCreate,
                r#"{"timer":true,"title":"T","currency":"EUR","amount":0.10,"foreign_id":7,"type":"good_until_expired","sender_type":"legal","sender_data":{"legal_name":"ACME","country_of_registration":"DEU"}}"#,
                true,
            ),
            (
                InvoicesCreate,
                r#"{"title":"A","currency":"EUR","title":"B \"q\" \u00e9","amount":"106.750","foreign_id":"f","description":null}"#,
                true,
            ),
            (
                InvoicesCreate,
                r#" {"title":"T","currency":"EUR","amount":"1","foreign_id":18446744073709551615} "#,
                true,
            ),
            (
                InvoicesCreate,
                r#"{"title":"T","currency":"EUR","amount":1e-5,"foreign_id":"f","colour":"red"}"#,
                true,
            ),
            (
                InvoicesCreate,
                r#"{"title":5,"timer":"no","sender_data":{"a":1}}"#,
                true,
            ),
            (InvoicesCreate, &many, false),
            (InvoicesCreate, r#"{"title":"T",}"#, false),
            (InvoicesCreate, r#"{"title":"T"} x"#, false),
            (InvoicesCreate, r#"["title"]"#, false),
            (InvoicesCreate, "", false),
            (
                Generic,
                r#"{"path":"/x/y","body":{"b":1.50,"a":[1,{"z":null}],"b":"2"}}"#,
                true,
            ),
            (
                PaymentRequestsCreate,
                r#"{"amount":"10.00","currency":{"iso":"EUR"},"life_time_duration":3600,"foreign_id":"p"}"#,
                true,
            ),
            (TransactionsInfo, r#"{"id":12345678901234567890}"#, true),
        ];
        for (kind, json, flat) in cases {
            assert_eq!(JsonFields::parse(json).is_some(), *flat, "{json}");
            let value: Value = serde_json::from_str(json).unwrap_or(Value::Null);
            let by_value = if value.is_object() {
                Request::from_fields(*kind, &value)
            } else {
                Err(Request::from_json(*kind, json).unwrap_err())
            };
            let by_text = Request::from_json(*kind, json);
            assert_eq!(format!("{by_text:?}"), format!("{by_value:?}"), "{json}");
        }
        // Read straight from the text: the last of a repeated key, escapes decoded.
        let r = Request::from_json(InvoicesCreate, cases[1].1).unwrap();
        let body = String::from_utf8(r.body).unwrap();
        assert!(body.contains(r#""title":"B \"q\" é""#), "{body}");
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
