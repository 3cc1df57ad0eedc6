//! Callbacks the service POSTs to the merchant (spec §8).
//!
//! Verify first, parse second, always from the raw body bytes: the signature is over the
//! exact bytes received, and a re-encoded body (parsed and serialized again) does not
//! verify. [`verify_callback`] compares in constant time and, when the `X-Processing-Key`
//! header is present, checks it too (the current documentation names only the signature
//! header); only a verified body is parsed, tolerantly, into a [`Callback`]. The service may
//! deliver a callback more than once, and one transaction legitimately produces several
//! different callbacks: [`Callback::dedupe_key`] tells every distinct event apart and gives a
//! redelivery of the same event the same key. [`Callback::is_fully_paid`] is the answer to
//! "may I ship the order?".

use crate::error::{Error, Result, Status};
use crate::operations::{
    iso, malformed_amounts, payment_request_callback_shape, transaction_shape, Transaction,
};
use crate::reply::normalize::{normalize, scalar_text, Fields};
use crate::signature::Signer;
use serde_json::Value;
use sha2::{Digest, Sha512};

/// Largest callback body accepted (real callbacks are a few kilobytes).
pub const MAX_CALLBACK_BYTES: usize = 1024 * 1024;

/// The callback types this library knows (an open set: a callback of any other type
/// verifies and parses with every field kept).
pub const KNOWN_TYPES: [&str; 9] = [
    "deposit",
    "deposit_exchange",
    "withdrawal",
    "withdrawal_exchange",
    "withdrawal_instant",
    "withdrawal_instant_exchange",
    "exchange",
    "invoice",
    "payment_request",
];

/// Longest transaction-id list written out in a dedupe key; a longer one is hashed.
const MAX_KEY_TRANSACTIONS: usize = 64;

/// A verified, parsed callback.
#[derive(Clone, Debug)]
pub struct Callback {
    /// The root transaction id (absent in payment-request callbacks).
    pub id: Option<i64>,
    /// Payment-request callbacks: the request's id (a UUID), their identity.
    pub payment_request_id: Option<String>,
    /// The merchant's reference: the root `foreign_id`, or for deposits
    /// `crypto_address.foreign_id` (which repeats for every deposit to a reused address:
    /// never a dedupe key).
    pub foreign_id: Option<String>,
    /// `deposit`, `invoice`, … or a type this library does not know yet.
    pub callback_type: Option<String>,
    /// `confirmed`, `not_confirmed`, `processing`, `failed`, … (open set).
    pub status: Option<String>,
    /// The typed common fields. Its `json` is left null: the body is [`Callback::json`]
    /// (one copy of a callback, however large).
    pub transaction: Transaction,
    /// Invoice callbacks: what is still due in the payer's currency.
    pub remaining_amount: Option<crate::amount::Amount>,
    /// Deposits: what was credited to the merchant (`currency_received.amount_minus_fee`).
    pub received_amount_minus_fee: Option<crate::amount::Amount>,
    /// Payment requests: the amount the merchant asked for (`payment_request_amount.amount`).
    pub requested_amount: Option<crate::amount::Amount>,
    /// Payment requests: its currency (`payment_request_amount.currency.iso`).
    pub requested_currency: Option<String>,
    /// Payment requests: what the payer must send at the locked rate
    /// (`currency_sent.expected_amount`, in `sent_currency`).
    pub expected_amount: Option<crate::amount::Amount>,
    /// Invoice callbacks: when the rate was fixed (Unix seconds).
    pub fixed_at: Option<i64>,
    /// Invoice callbacks: when the invoice expires (Unix seconds).
    pub expires_at: Option<i64>,
    /// The normalized JSON (every field, unknown ones too).
    pub json: Value,
    /// Dotted paths of values kept verbatim because they could not be understood.
    pub malformed: Vec<String>,
    /// The raw body, byte for byte.
    pub raw_body: Vec<u8>,
}

impl Callback {
    /// The event's identity, to process each event once:
    /// `<type>:<id>:<status>:<transaction ids>:<remaining>:<received>`, where
    /// - `type` is the callback's `type`;
    /// - `id` is the root `id`, or for payment requests the `payment_request_id`;
    /// - `status` is the callback's `status`;
    /// - `transaction ids` are the `transactions[].id` values, sorted, joined by `,` (a list
    ///   longer than 64 characters is written `n<count>-<16 hex digits of its SHA-512>`);
    /// - `remaining` is `currency_sent.remaining_amount` and `received` is
    ///   `currency_sent.received_amount`, as received.
    ///
    /// An absent part is empty. The same body delivered twice gets the same key; the
    /// instalments of a partial-pay invoice (same `id` and status, one more transaction,
    /// less remaining), a deposit's `not_confirmed` and `confirmed`, and the callbacks of
    /// two payment requests all get different keys.
    pub fn dedupe_key(&self) -> String {
        let d = &self.json;
        let sent = &d["currency_sent"];
        let identity = match self.id {
            Some(id) => id.to_string(),
            None => self.payment_request_id.clone().unwrap_or_default(),
        };
        format!(
            "{}:{identity}:{}:{}:{}:{}",
            self.callback_type.as_deref().unwrap_or_default(),
            self.status.as_deref().unwrap_or_default(),
            transaction_ids(d),
            scalar_text(&sent["remaining_amount"]).unwrap_or_default(),
            scalar_text(&sent["received_amount"]).unwrap_or_default(),
        )
    }

    /// Whether this callback says the payment is complete and the order may be fulfilled:
    /// an invoice callback `confirmed` with nothing remaining (`currency_sent.
    /// remaining_amount` zero or absent: a partial-pay invoice sends a `confirmed` callback
    /// per instalment), or a payment-request callback `paid`. `false` for every other
    /// callback (deposits and withdrawals: read `status`).
    pub fn is_fully_paid(&self) -> bool {
        match (self.callback_type.as_deref(), self.status.as_deref()) {
            (Some("invoice"), Some("confirmed")) => match &self.remaining_amount {
                None => true,
                Some(a) => {
                    a.is_valid() && a.as_str().bytes().all(|b| matches!(b, b'0' | b'.' | b'-'))
                }
            },
            (Some("payment_request"), Some("paid")) => true,
            _ => false,
        }
    }

    /// Whether the type is one of [`KNOWN_TYPES`].
    pub fn is_known_type(&self) -> bool {
        self.callback_type
            .as_deref()
            .is_some_and(|t| KNOWN_TYPES.contains(&t))
    }

    /// The typed callback as JSON, field by field (amounts as decimal strings), with
    /// `malformed_fields` naming the amounts kept as received.
    pub fn typed_json(&self) -> Value {
        let t = &self.transaction;
        let malformed = malformed_amounts([
            ("sent_amount", t.sent_amount.as_ref()),
            ("received_amount", t.received_amount.as_ref()),
            (
                "received_amount_minus_fee",
                self.received_amount_minus_fee.as_ref(),
            ),
            ("remaining_amount", self.remaining_amount.as_ref()),
            ("requested_amount", self.requested_amount.as_ref()),
            ("expected_amount", self.expected_amount.as_ref()),
        ]);
        let amount = |a: &Option<crate::amount::Amount>| a.as_ref().map(|a| a.as_str().to_string());
        serde_json::json!({
            "id": self.id,
            "type": self.callback_type,
            "status": self.status,
            "foreign_id": self.foreign_id,
            "end_user_reference": t.end_user_reference,
            "sent_currency": t.sent_currency,
            "sent_amount": amount(&t.sent_amount),
            "received_currency": t.received_currency,
            "received_amount": amount(&t.received_amount),
            "received_amount_minus_fee": amount(&self.received_amount_minus_fee),
            "remaining_amount": amount(&self.remaining_amount),
            "fixed_at": self.fixed_at,
            "expires_at": self.expires_at,
            "error": t.error,
            "payment_request_id": self.payment_request_id,
            "requested_amount": amount(&self.requested_amount),
            "requested_currency": self.requested_currency,
            "expected_amount": amount(&self.expected_amount),
            "transactions": self.transactions_json(),
            "dedupe_key": self.dedupe_key(),
            "fully_paid": self.is_fully_paid(),
            "malformed_fields": malformed,
        })
    }

    /// The blockchain transactions of the callback, typed: `id`, `txid`, `currency` (the
    /// code, also from `{iso, network_name}`), `amount` (a decimal string), `confirmations`,
    /// `type`, each with its own `malformed_fields`. Empty when the callback has none.
    fn transactions_json(&self) -> Value {
        let items = self.json["transactions"]
            .as_array()
            .map_or(&[][..], Vec::as_slice);
        let typed: Vec<Value> = items
            .iter()
            .map(|t| {
                let amount = t.amount("amount");
                let malformed = malformed_amounts([("amount", amount.as_ref())]);
                serde_json::json!({
                    "id": t.int("id"),
                    "txid": t.text("txid"),
                    "currency": iso(&t["currency"]),
                    "amount": amount.map(|a| a.as_str().to_string()),
                    "confirmations": t.int("confirmations"),
                    "type": t.text("transaction_type").or_else(|| t.text("type")),
                    "malformed_fields": malformed,
                })
            })
            .collect();
        Value::Array(typed)
    }

    /// The envelope the C ABI and the bindings read: `{"data": …, "malformed": […],
    /// "result": …}` (`result`: [`Callback::typed_json`]); `dedupe_key`, `fully_paid`,
    /// `foreign_id` and `payment_request_id` also stand at the top, as before.
    pub fn envelope_json(&self) -> String {
        let mut map = serde_json::Map::new();
        map.insert("result".into(), self.typed_json());
        map.insert("data".into(), self.json.clone());
        map.insert(
            "malformed".into(),
            Value::Array(self.malformed.iter().cloned().map(Value::String).collect()),
        );
        map.insert("dedupe_key".into(), Value::String(self.dedupe_key()));
        map.insert("fully_paid".into(), Value::Bool(self.is_fully_paid()));
        map.insert("foreign_id".into(), self.foreign_id.clone().into());
        map.insert(
            "payment_request_id".into(),
            self.payment_request_id.clone().into(),
        );
        Value::Object(map).to_string()
    }
}

/// The sorted `transactions[].id` list of a dedupe key.
fn transaction_ids(d: &Value) -> String {
    let Some(items) = d["transactions"].as_array() else {
        return String::new();
    };
    let mut ids: Vec<String> = items
        .iter()
        .map(|t| scalar_text(&t["id"]).unwrap_or_default())
        .collect();
    // Shorter first, then by text: numeric order for plain ids, deterministic for any.
    ids.sort_by(|a, b| a.len().cmp(&b.len()).then_with(|| a.cmp(b)));
    let list = ids.join(",");
    if list.len() <= MAX_KEY_TRANSACTIONS {
        return list;
    }
    let digest = Sha512::digest(list.as_bytes());
    let hex: String = digest[..8].iter().map(|b| format!("{b:02x}")).collect();
    format!("n{}-{hex}", ids.len())
}

/// Verifies a callback: the signature header over the raw body (constant time, hex of either
/// case), and, when `expected_key` is given and the `X-Processing-Key` header is present
/// (`key_header` is `Some`), that header too: the current documentation names only the
/// signature header, so an absent key header is not a failure. `SIGNATURE_MISMATCH` on any
/// failure.
pub fn verify_callback(
    signer: &Signer,
    body: &[u8],
    signature: &[u8],
    key_header: Option<&str>,
    expected_key: Option<&str>,
) -> Result<()> {
    if body.len() > MAX_CALLBACK_BYTES {
        return Err(Error::new(
            Status::SignatureMismatch,
            "callback body larger than 1 MiB: refused unverified",
        ));
    }
    let signature_ok = signer.verify(body, trim_ascii(signature));
    if !signature_ok {
        return Err(Error::new(
            Status::SignatureMismatch,
            "callback signature does not match the raw body (verify the exact bytes received, never a re-encoded body)",
        ));
    }
    if let (Some(expected), Some(given)) = (expected_key, key_header) {
        if !constant_time_eq(given.trim().as_bytes(), expected.as_bytes()) {
            return Err(Error::new(
                Status::SignatureMismatch,
                "callback X-Processing-Key header is not this merchant's key",
            ));
        }
    }
    Ok(())
}

/// Verifies, then parses. Nothing of an unverified body is parsed.
pub fn parse_callback(
    signer: &Signer,
    body: &[u8],
    signature: &[u8],
    key_header: Option<&str>,
    expected_key: Option<&str>,
) -> Result<Callback> {
    verify_callback(signer, body, signature, key_header, expected_key)?;
    parse_verified(body)
}

/// Parses a body already verified.
fn parse_verified(body: &[u8]) -> Result<Callback> {
    let values = crate::reply::normalize::value_count(body);
    if values > crate::reply::normalize::MAX_VALUES {
        return Err(Error::new(
            Status::Decode,
            format!(
                "callback body holds about {values} values, more than the {} a callback may hold",
                crate::reply::normalize::MAX_VALUES
            ),
        )
        .with_raw_body(body.to_vec()));
    }
    let value: Value = serde_json::from_slice(body).map_err(|e| {
        Error::new(Status::Decode, format!("callback body is not JSON: {e}"))
            .with_raw_body(body.to_vec())
    })?;
    if !value.is_object() {
        return Err(
            Error::new(Status::Decode, "callback body is not a JSON object")
                .with_raw_body(body.to_vec()),
        );
    }
    // Payment-request callbacks have their own envelope (nested currencies, no root id).
    let is_payment_request = value.text("type").as_deref() == Some("payment_request");
    let n = if is_payment_request {
        normalize(value, payment_request_callback_shape())
    } else {
        normalize(value, transaction_shape())
    };
    let d = &n.value;
    let mut transaction = Transaction::typed_fields(d);
    if is_payment_request {
        // The payer's side: currency_sent.currency is `{iso, network_name}`, and what the
        // payer has sent so far is currency_sent.received_amount.
        transaction.sent_currency = iso(&d["currency_sent"]["currency"]);
        transaction.sent_amount = d["currency_sent"].amount("received_amount");
    }
    let requested = &d["payment_request_amount"];
    Ok(Callback {
        id: d.int("id"),
        payment_request_id: d.text("payment_request_id"),
        foreign_id: transaction.foreign_id.clone(),
        callback_type: d.text("type"),
        status: d.text("status"),
        transaction,
        remaining_amount: d["currency_sent"].amount("remaining_amount"),
        received_amount_minus_fee: d["currency_received"].amount("amount_minus_fee"),
        requested_amount: requested.amount("amount"),
        requested_currency: iso(&requested["currency"]),
        expected_amount: d["currency_sent"].amount("expected_amount"),
        fixed_at: d.int("fixed_at"),
        expires_at: d.int("expires_at"),
        json: n.value,
        malformed: n.malformed,
        raw_body: body.to_vec(),
    })
}

/// Signs a fake callback body for the merchant's own tests: the value to put in the
/// `X-Processing-Signature` header.
pub fn sign_test_callback(secret: &[u8], body: &[u8]) -> String {
    Signer::new(secret).sign(body)
}

fn trim_ascii(s: &[u8]) -> &[u8] {
    let start = s
        .iter()
        .position(|b| !b.is_ascii_whitespace())
        .unwrap_or(s.len());
    let end = s
        .iter()
        .rposition(|b| !b.is_ascii_whitespace())
        .map_or(start, |e| e + 1);
    &s[start..end]
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECRET: &[u8] = b"test_secret";

    fn check(body: &str) -> Callback {
        let signer = Signer::new(SECRET);
        let sig = signer.sign(body.as_bytes());
        parse_callback(
            &signer,
            body.as_bytes(),
            sig.as_bytes(),
            Some("k"),
            Some("k"),
        )
        .unwrap()
    }

    #[test]
    fn exchange_callback_from_the_spec() {
        let cb = check(
            r#"{"id": 134782394, "type": "exchange",
 "currency_sent": {"currency": "BTC", "amount": "0.00010000"},
 "currency_received": {"currency": "ETH", "amount": "0.00326418"},
 "transactions": [{"id": 9628634, "currency": "BTC", "currency_to": "ETH", "transaction_type": "exchange",
                   "type": "exchange", "amount": "0.00010000", "amount_to": "0.00326418"}],
 "fees": [{"type": "fee_crypto_exchange_to_crypto", "currency": "BTC", "amount": "0.00000200"}],
 "error": "", "status": "confirmed"}"#,
        );
        assert_eq!(cb.id, Some(134782394));
        assert_eq!(cb.callback_type.as_deref(), Some("exchange"));
        assert_eq!(cb.dedupe_key(), "exchange:134782394:confirmed:9628634::");
        assert!(!cb.is_fully_paid());
        assert_eq!(
            cb.transaction.received_amount.as_ref().unwrap().as_str(),
            "0.00326418"
        );
        assert_eq!(cb.transaction.error, None);
        assert!(cb.is_known_type());
    }

    #[test]
    fn tampering_is_refused() {
        let signer = Signer::new(SECRET);
        let body = br#"{"id":1,"type":"invoice","status":"confirmed"}"#;
        let sig = signer.sign(body);
        let mut changed = body.to_vec();
        changed[6] = b'2';
        let e = parse_callback(&signer, &changed, sig.as_bytes(), None, None).unwrap_err();
        assert_eq!(e.status(), Status::SignatureMismatch);
        assert!(parse_callback(&signer, body, &sig.as_bytes()[..127], None, None).is_err());
        assert!(parse_callback(&signer, body, sig.to_uppercase().as_bytes(), None, None).is_ok());
        let e =
            parse_callback(&signer, body, sig.as_bytes(), Some("other"), Some("k")).unwrap_err();
        assert_eq!(e.status(), Status::SignatureMismatch);
        // The key header is checked only when present (the current docs name only the
        // signature header).
        assert!(parse_callback(&signer, body, sig.as_bytes(), None, Some("k")).is_ok());
        assert!(parse_callback(&signer, body, sig.as_bytes(), Some(" k "), Some("k")).is_ok());
        assert!(!e.message().contains(&sig));
    }
}
