//! `POST /invoices/create` and `POST /invoices/{foreign_id}/cancel/` (spec §5.11, §5.12).

use super::body::Body;
use super::reader::{JsonFields, Reader};
use super::rules::{Party, Rules};
use super::{check, OperationKind, Request, Response, ToRequest};
use crate::amount::Amount;
use crate::error::Result;
use crate::reply::normalize::Fields;

/// The invoice type.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum InvoiceType {
    /// Standard invoice: paid in full or failed (the service's default).
    FillOrKill,
    /// Partial payments (installments) are accepted until the invoice expires.
    GoodUntilExpired,
}

impl InvoiceType {
    /// The wire value.
    pub fn as_str(self) -> &'static str {
        match self {
            InvoiceType::FillOrKill => "fill_or_kill",
            InvoiceType::GoodUntilExpired => "good_until_expired",
        }
    }

    /// The type for a wire value.
    pub fn parse(s: &str) -> Option<InvoiceType> {
        match s {
            "fill_or_kill" => Some(InvoiceType::FillOrKill),
            "good_until_expired" => Some(InvoiceType::GoodUntilExpired),
            _ => None,
        }
    }
}

/// An invoice to create. Fields mirror the API (spec §5.11); `None` fields are not sent.
///
/// Rules checked before anything is sent: `title` 1–50 characters, `description` ≤ 1000,
/// `currency` and `sender_currency` currency codes, `amount` a positive decimal,
/// `foreign_id` 1–255, `end_user_reference` 1–255, `url_success`/`url_failed` https with
/// a domain name (not an IP), `email_user` an e-mail address, `type` one of
/// `fill_or_kill`/`good_until_expired`, `sender_type` `natural`/`legal` with the
/// `sender_data` keys of that type. `timer` is always sent (`false` unless set).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct InvoiceRequest {
    /// `true`: the invoice expires 15 minutes after creation.
    pub timer: bool,
    /// Shown to the payer, 1–50 characters. Required.
    pub title: Option<String>,
    /// Shown to the payer, at most 1000 characters.
    pub description: Option<String>,
    /// The currency the merchant receives, e.g. `EUR`. Required.
    pub currency: Option<String>,
    /// The amount in `currency`. Required.
    pub amount: Option<Amount>,
    /// The currency the payer must use (with `timer`, a fixed-currency invoice).
    pub sender_currency: Option<String>,
    /// The merchant's unique invoice reference, 1–255 characters. Required.
    pub foreign_id: Option<String>,
    /// Stable id of the customer (no personal data), at most 255 characters.
    pub end_user_reference: Option<String>,
    /// https redirect after payment.
    pub url_success: Option<String>,
    /// https redirect after failure.
    pub url_failed: Option<String>,
    /// The payer's e-mail, for refund instructions.
    pub email_user: Option<String>,
    /// `fill_or_kill` or `good_until_expired` (kept as text so a bad value is reported).
    pub invoice_type: Option<String>,
    /// MiCA sender (`sender_type`, `sender_data`).
    pub sender: Party,
}

impl InvoiceRequest {
    /// An empty request; set the fields, then send it.
    pub fn new() -> InvoiceRequest {
        InvoiceRequest::default()
    }

    /// Reads a request from JSON fields (the wire names; `amount` a string or number).
    pub fn from_json<'a>(value: impl Into<JsonFields<'a>>) -> Result<InvoiceRequest> {
        let r = Reader::new(value.into());
        let req = InvoiceRequest {
            timer: r.boolean("timer").unwrap_or(false),
            title: r.string("title"),
            description: r.string("description"),
            currency: r.string("currency"),
            amount: r.amount("amount"),
            sender_currency: r.string("sender_currency"),
            foreign_id: r.reference("foreign_id"),
            end_user_reference: r.reference("end_user_reference"),
            url_success: r.string("url_success"),
            url_failed: r.string("url_failed"),
            email_user: r.string("email_user"),
            invoice_type: r.string("type"),
            sender: Party {
                kind: r.string("sender_type"),
                data: r.string_map("sender_data"),
            },
        };
        r.finish()?;
        Ok(req)
    }

    /// Every failed rule, per field.
    pub fn validate(&self) -> Result<()> {
        let mut r = Rules::default();
        r.required("title", &self.title);
        r.length("title", self.title.as_deref(), 1, 50);
        r.length("description", self.description.as_deref(), 0, 1000);
        r.required("currency", &self.currency);
        r.currency("currency", self.currency.as_deref());
        r.required("amount", &self.amount);
        r.currency("sender_currency", self.sender_currency.as_deref());
        r.required("foreign_id", &self.foreign_id);
        r.foreign_id(self.foreign_id.as_deref());
        r.end_user_reference(self.end_user_reference.as_deref());
        r.https_domain_url("url_success", self.url_success.as_deref());
        r.https_domain_url("url_failed", self.url_failed.as_deref());
        r.email("email_user", self.email_user.as_deref());
        r.one_of(
            "type",
            self.invoice_type.as_deref(),
            &["fill_or_kill", "good_until_expired"],
        );
        r.party("sender", &self.sender, false);
        check(r.errors)
    }

    /// The wire body (JSON text), in the documented field order.
    pub fn body(&self) -> Vec<u8> {
        let mut b = Body::new();
        b.value("timer", &self.timer);
        b.text("title", &self.title);
        b.text("description", &self.description);
        b.text("currency", &self.currency);
        b.amount("amount", &self.amount);
        b.text("sender_currency", &self.sender_currency);
        b.text("foreign_id", &self.foreign_id);
        b.text("end_user_reference", &self.end_user_reference);
        b.text("url_success", &self.url_success);
        b.text("url_failed", &self.url_failed);
        b.text("email_user", &self.email_user);
        b.text("type", &self.invoice_type);
        self.sender.write("sender", &mut b);
        b.finish()
    }
}

impl ToRequest for InvoiceRequest {
    fn to_request(&self) -> Result<Request> {
        self.validate()?;
        Ok(Request::post(
            OperationKind::InvoicesCreate,
            "/invoices/create",
            self.body(),
        ))
    }
}

/// `POST /invoices/{foreign_id}/cancel/`: moves an unpaid invoice to `failed`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CancelInvoice {
    /// The invoice's `foreign_id`. Required, 1–255 characters.
    pub foreign_id: Option<String>,
}

impl CancelInvoice {
    /// Reads `{"foreign_id": "…"}`.
    pub fn from_json<'a>(value: impl Into<JsonFields<'a>>) -> Result<CancelInvoice> {
        let r = Reader::new(value.into());
        let req = CancelInvoice {
            foreign_id: r.reference("foreign_id"),
        };
        r.finish()?;
        Ok(req)
    }
}

impl ToRequest for CancelInvoice {
    fn to_request(&self) -> Result<Request> {
        let mut r = Rules::default();
        r.required("foreign_id", &self.foreign_id);
        r.foreign_id(self.foreign_id.as_deref());
        check(r.errors)?;
        let id = self.foreign_id.as_deref().unwrap_or_default();
        Ok(Request::post(
            OperationKind::InvoicesCancel,
            format!("/invoices/{}/cancel/", percent_encode_segment(id)),
            Body::new(),
        ))
    }
}

/// Percent-encodes a path segment (everything but unreserved characters). A segment of
/// only dots (`.`, `..`) is encoded whole: left as is, it would be a dot segment that
/// HTTP stacks resolve away, and the request would go to another path.
pub(crate) fn percent_encode_segment(s: &str) -> String {
    if !s.is_empty() && s.bytes().all(|b| b == b'.') {
        return "%2E".repeat(s.len());
    }
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// A created invoice (spec §5.11), decoded tolerantly.
#[derive(Clone, Debug, serde::Serialize)]
pub struct Invoice {
    /// The invoice id.
    pub id: Option<i64>,
    /// The hosted payment page.
    pub url: Option<String>,
    /// The merchant's reference (a number in some replies; always text here).
    pub foreign_id: Option<String>,
    /// The customer's reference (a number in some replies; always text here).
    pub end_user_reference: Option<String>,
    /// The deposit address, once the payment currency is fixed.
    pub address: Option<String>,
    /// The title (older replies call it `name`).
    pub title: Option<String>,
    /// `created`, `pending`, `processing`, `confirmed`, `failed`, or a new value.
    pub status: Option<String>,
    /// The invoice currency.
    pub currency: Option<String>,
    /// The amount; a malformed one is kept and flagged (`Amount::is_valid`).
    pub amount: Option<Amount>,
    /// The payer's currency, when fixed.
    pub sender_currency: Option<String>,
    /// The amount due in the payer's currency, when fixed.
    pub sender_amount: Option<Amount>,
    /// When the rate was fixed (Unix seconds).
    pub fixed_at: Option<i64>,
    /// When the invoice expires (Unix seconds).
    pub release_at: Option<i64>,
    /// Seconds left to pay.
    pub seconds_left: Option<i64>,
    /// The whole reply: raw body, normalized JSON, malformed fields.
    #[serde(skip)]
    pub response: Response,
}

impl super::ReplyResult for Invoice {
    fn read<F: Fields + ?Sized>(d: &F, response: Response) -> Invoice {
        Invoice {
            id: d.int("id"),
            url: d.text("url"),
            foreign_id: d.text("foreign_id"),
            end_user_reference: d.text("end_user_reference"),
            address: d.text("address"),
            title: d.text("title").or_else(|| d.text("name")),
            status: d.text("status"),
            currency: d.text("currency"),
            amount: d.amount("amount"),
            sender_currency: d.text("sender_currency"),
            sender_amount: d.amount("sender_amount"),
            fixed_at: d.int("fixed_at"),
            release_at: d.int("release_at"),
            seconds_left: d.int("seconds_left"),
            response,
        }
    }

    fn response_mut(&mut self) -> &mut Response {
        &mut self.response
    }
}

impl super::TypedResult for Invoice {
    fn amounts(&self) -> Vec<(&'static str, Option<&Amount>)> {
        vec![
            ("amount", self.amount.as_ref()),
            ("sender_amount", self.sender_amount.as_ref()),
        ]
    }
}

impl Invoice {
    /// Reads the typed fields from a decoded reply.
    pub fn from_response(response: Response) -> Invoice {
        super::typed_from(response)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::Status;
    use serde_json::Value;

    #[test]
    fn dot_segments_are_encoded_in_the_cancel_path() {
        let path = |fid: &str| {
            CancelInvoice {
                foreign_id: Some(fid.into()),
            }
            .to_request()
            .unwrap()
            .path
        };
        assert_eq!(path("."), "/invoices/%2E/cancel/");
        assert_eq!(path(".."), "/invoices/%2E%2E/cancel/");
        assert_eq!(path("a.b"), "/invoices/a.b/cancel/");
        assert_eq!(path("a/b"), "/invoices/a%2Fb/cancel/");
    }

    fn valid() -> InvoiceRequest {
        InvoiceRequest {
            title: Some("Invoice Title".into()),
            currency: Some("EUR".into()),
            amount: Some(Amount::parse("106.75").unwrap()),
            foreign_id: Some("user_196".into()),
            end_user_reference: Some("12345".into()),
            url_success: Some("https://example.com/success".into()),
            url_failed: Some("https://example.com/failed".into()),
            email_user: Some("payer@example.com".into()),
            ..InvoiceRequest::default()
        }
    }

    #[test]
    fn body_keeps_the_callers_digits() {
        let req = valid().to_request().unwrap();
        assert_eq!(
            String::from_utf8(req.body).unwrap(),
            r#"{"timer":false,"title":"Invoice Title","currency":"EUR","amount":106.75,"foreign_id":"user_196","end_user_reference":"12345","url_success":"https://example.com/success","url_failed":"https://example.com/failed","email_user":"payer@example.com"}"#
        );
        for digits in ["0.1", "0.00001", "123456789012345.678901234567890", "10.50"] {
            let mut r = valid();
            r.amount = Some(Amount::parse(digits).unwrap());
            let body = String::from_utf8(r.to_request().unwrap().body).unwrap();
            assert!(body.contains(&format!("\"amount\":{digits},")), "{body}");
        }
    }

    #[test]
    fn every_rule_is_reported_per_field() {
        let mut r = valid();
        r.title = Some("x".repeat(51));
        r.description = Some("d".repeat(1001));
        r.url_success = Some("http://example.com/ok".into());
        r.url_failed = Some("https://127.0.0.1/".into());
        r.foreign_id = Some("f".repeat(256));
        r.end_user_reference = Some("e".repeat(256));
        r.invoice_type = Some("sometimes".into());
        r.email_user = Some("nobody".into());
        r.currency = Some("eur".into());
        let e = r.to_request().unwrap_err();
        assert_eq!(e.status(), Status::Validation);
        for field in [
            "title",
            "description",
            "url_success",
            "url_failed",
            "foreign_id",
            "end_user_reference",
            "type",
            "email_user",
            "currency",
        ] {
            assert!(e.field(field).is_some(), "{field} not reported: {e:?}");
        }
        let empty = InvoiceRequest::new().to_request().unwrap_err();
        for field in ["title", "currency", "amount", "foreign_id"] {
            assert_eq!(empty.field(field), Some("is required"));
        }
    }

    #[test]
    fn title_counts_characters_not_bytes() {
        let mut r = valid();
        r.title = Some("é".repeat(50));
        assert!(r.to_request().is_ok());
    }

    #[test]
    fn from_json_accepts_numbers_and_strings_and_refuses_typos() {
        let v: Value = serde_json::from_str(
            r#"{"timer":true,"title":"T","currency":"EUR","amount":0.1,"foreign_id":7,
                "type":"good_until_expired","sender_type":"legal",
                "sender_data":{"legal_name":"ACME","country_of_registration":"DEU"}}"#,
        )
        .unwrap();
        let req = InvoiceRequest::from_json(&v).unwrap();
        assert_eq!(req.amount.as_ref().unwrap().as_str(), "0.1");
        assert_eq!(req.foreign_id.as_deref(), Some("7"));
        let body = String::from_utf8(req.to_request().unwrap().body).unwrap();
        assert!(body.contains(r#""amount":0.1,"#));
        assert!(body.contains(
            r#""sender_type":"legal","sender_data":{"legal_name":"ACME","country_of_registration":"DEU"}"#
        ));

        let typo: Value = serde_json::from_str(r#"{"titel":"T","timer":"no"}"#).unwrap();
        let e = InvoiceRequest::from_json(&typo).unwrap_err();
        assert!(e.field("titel").unwrap().contains("unknown field"));
        assert_eq!(e.field("timer"), Some("must be true or false"));
        let float: Value = serde_json::from_str(r#"{"amount":1e-5}"#).unwrap();
        assert!(InvoiceRequest::from_json(&float)
            .unwrap_err()
            .field("amount")
            .is_some());
    }

    #[test]
    fn seed_reply_decodes() {
        let raw = br#"{
"data": {
"id": 127,
"url": "https://wallet.coinspaid.com/invoice/iEU3uh",
"foreign_id": "user_196",
"end_user_reference": 12345,
"address": "2N2xtaZCNygY3iq6XKPJsdoPMDX85LUc8SM",
"title": "Invoice 171",
"status": "created",
"currency": "EUR",
"amount": "0.106.75000000",
"sender_currency": null,
"sender_amount": null,
"fixed_at": null,
"release_at": null,
"seconds_left": null
}
}"#;
        let resp = Response::decode(OperationKind::InvoicesCreate, 200, raw.to_vec()).unwrap();
        assert_eq!(resp.malformed, vec!["amount".to_string()]);
        let inv = Invoice::from_response(resp);
        assert_eq!(inv.id, Some(127));
        assert_eq!(inv.end_user_reference.as_deref(), Some("12345"));
        let amount = inv.amount.unwrap();
        assert!(!amount.is_valid());
        assert_eq!(amount.as_str(), "0.106.75000000");
        assert_eq!(inv.sender_amount, None);
        assert!(inv
            .response
            .envelope_json()
            .contains(r#""malformed":["amount"]"#));
    }

    #[test]
    fn cancel_path_has_trailing_slash_and_empty_object() {
        let r = CancelInvoice {
            foreign_id: Some("inv 1/2".into()),
        }
        .to_request()
        .unwrap();
        assert_eq!(r.path, "/invoices/inv%201%2F2/cancel/");
        assert_eq!(r.body, b"{}");
    }
}
