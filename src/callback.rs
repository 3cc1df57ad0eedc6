//! Callbacks the service POSTs to the merchant (spec §8).
//!
//! Verify first, parse second, always from the raw body bytes: the signature is over the
//! exact bytes received, and a re-encoded body (parsed and serialized again) does not
//! verify. [`verify_callback`] compares in constant time and optionally checks the
//! `X-Processing-Key` header; only a verified body is parsed, tolerantly, into a
//! [`Callback`]. The service may deliver a callback more than once:
//! [`Callback::dedupe_key`] (`id` + `status`) identifies a delivery to process once.

use crate::decode::{normalize, Fields};
use crate::error::{Error, Result, Status};
use crate::operations::{transaction_shape, Transaction};
use crate::signature::Signer;
use serde_json::Value;

/// Largest callback body accepted (real callbacks are a few kilobytes).
pub const MAX_CALLBACK_BYTES: usize = 1024 * 1024;

/// The callback types of spec §8 (an open set: unknown types are kept).
pub const KNOWN_TYPES: [&str; 7] = [
    "deposit",
    "deposit_exchange",
    "withdrawal",
    "withdrawal_exchange",
    "withdrawal_instant",
    "exchange",
    "invoice",
];

/// A verified, parsed callback.
#[derive(Clone, Debug)]
pub struct Callback {
    /// The transaction id (dedupe on it together with the status).
    pub id: Option<i64>,
    /// `deposit`, `invoice`, … or a type this library does not know yet.
    pub callback_type: Option<String>,
    /// `confirmed`, `not_confirmed`, `processing`, `failed`, … (open set).
    pub status: Option<String>,
    /// The typed common fields.
    pub transaction: Transaction,
    /// Invoice callbacks: what is still due in the payer's currency.
    pub remaining_amount: Option<crate::amount::Amount>,
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
    /// `"<id>:<status>"`: the same delivery arriving twice has the same key.
    pub fn dedupe_key(&self) -> String {
        format!(
            "{}:{}",
            self.id.map(|i| i.to_string()).unwrap_or_default(),
            self.status.as_deref().unwrap_or_default()
        )
    }

    /// Whether the type is one of [`KNOWN_TYPES`].
    pub fn is_known_type(&self) -> bool {
        self.callback_type
            .as_deref()
            .is_some_and(|t| KNOWN_TYPES.contains(&t))
    }

    /// The envelope the C ABI and the bindings read: `{"data": …, "malformed": […],
    /// "dedupe_key": "…"}`.
    pub fn envelope_json(&self) -> String {
        let mut map = serde_json::Map::new();
        map.insert("data".into(), self.json.clone());
        map.insert(
            "malformed".into(),
            Value::Array(self.malformed.iter().cloned().map(Value::String).collect()),
        );
        map.insert("dedupe_key".into(), Value::String(self.dedupe_key()));
        Value::Object(map).to_string()
    }
}

/// Verifies a callback: the signature header over the raw body (constant time, hex of either
/// case), and, when `expected_key` is given, the `X-Processing-Key` header.
/// `SIGNATURE_MISMATCH` on any failure.
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
    if let Some(expected) = expected_key {
        let given = key_header.map(str::trim).unwrap_or("");
        if !constant_time_eq(given.as_bytes(), expected.as_bytes()) {
            return Err(Error::new(
                Status::SignatureMismatch,
                "callback X-Processing-Key header is missing or not this merchant's key",
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
    let n = normalize(&value, transaction_shape());
    let d = &n.value;
    Ok(Callback {
        id: d.int("id"),
        callback_type: d.text("type"),
        status: d.text("status"),
        transaction: Transaction::from_value(d),
        remaining_amount: d["currency_sent"].amount("remaining_amount"),
        fixed_at: d.int("fixed_at"),
        expires_at: d.int("expires_at"),
        json: n.value.clone(),
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
        assert_eq!(cb.dedupe_key(), "134782394:confirmed");
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
        assert!(parse_callback(&signer, body, sig.as_bytes(), None, Some("k")).is_err());
        assert!(!e.message().contains(&sig));
    }
}
