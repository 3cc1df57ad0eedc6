//! `POST /api/payments/v1/requests`: payment requests, the newer way to get paid (spec
//! "payment-requests-and-callbacks" §1.6, §1.7). An amount in a requested currency, a
//! lifetime from minutes to weeks, a hosted payment link; the service converts what the
//! payer sends so that the merchant receives exactly what was asked.

use super::body::Body;
use super::reader::{JsonFields, Reader};
use super::rules::{Party, Rules};
use super::{check, Base, OperationKind, Request, Response, ToRequest};
use crate::amount::Amount;
use crate::error::Result;
use crate::reply::normalize::Fields;
use serde_json::Value;

/// A currency of a payment request: `{"iso": "USDT", "network_name": "tron"}`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PaymentCurrency {
    /// The currency code (`iso`), e.g. `EUR`, `USDT`. Required.
    pub iso: Option<String>,
    /// The network (`network_name`), e.g. `tron`; the payer chooses when absent.
    pub network_name: Option<String>,
}

impl PaymentCurrency {
    fn from_fields(
        fields: Option<Vec<(String, String)>>,
        field: &str,
        rules: &mut Rules,
    ) -> Option<Self> {
        let fields = fields?;
        let mut currency = PaymentCurrency::default();
        for (key, value) in fields {
            match key.as_str() {
                "iso" => currency.iso = Some(value),
                "network_name" => currency.network_name = Some(value),
                other => rules.fail(
                    &format!("{field}.{other}"),
                    "unknown field (known fields: iso, network_name)",
                ),
            }
        }
        Some(currency)
    }

    fn check(&self, field: &str, rules: &mut Rules) {
        if self.iso.is_none() {
            rules.fail(&format!("{field}.iso"), "is required");
        }
        rules.currency(&format!("{field}.iso"), self.iso.as_deref());
        rules.length(
            &format!("{field}.network_name"),
            self.network_name.as_deref(),
            1,
            64,
        );
    }

    fn body(&self) -> Body {
        let mut b = Body::new();
        b.text("iso", &self.iso);
        b.text("network_name", &self.network_name);
        b
    }
}

/// A payment request to create. Fields mirror the API; `None` fields are not sent.
///
/// Rules checked before anything is sent: `amount` a positive decimal (sent as a decimal
/// string, the caller's digits); `currency` required, `currency.iso` and
/// `payment_currency.iso` currency codes; exactly one of `life_time_duration` (positive
/// seconds) and `life_time_datetime` (positive Unix seconds; the older spelling
/// `life_time_date_time` is read as the same field and sent under the documented name);
/// `url_store`/`url_success`/`url_failed` https with a domain name; `end_user_email` an
/// e-mail address; `foreign_id` and `end_user_reference` 1–255 characters;
/// `description` at most 1000 characters; `sender_type` `natural`/`legal` with the
/// `sender_data` keys of that type.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PaymentRequestCreate {
    /// What the merchant receives, in `currency`. Required.
    pub amount: Option<Amount>,
    /// The currency the merchant receives. Required.
    pub currency: Option<PaymentCurrency>,
    /// Lifetime in seconds from creation.
    pub life_time_duration: Option<i64>,
    /// Expiry as Unix seconds.
    pub life_time_datetime: Option<i64>,
    /// The currency (and network) the payer must use.
    pub payment_currency: Option<PaymentCurrency>,
    /// Where refund instructions go when the payer sends a wrong amount.
    pub end_user_email: Option<String>,
    /// Stable id of the customer (no personal data).
    pub end_user_reference: Option<String>,
    /// Text shown to the payer.
    pub description: Option<String>,
    /// The merchant's reference, echoed in every callback.
    pub foreign_id: Option<String>,
    /// "Return to merchant" link, also the default of the two below.
    pub url_store: Option<String>,
    /// The success screen's button.
    pub url_success: Option<String>,
    /// The expired screen's button.
    pub url_failed: Option<String>,
    /// MiCA sender (`sender_type`, `sender_data`).
    pub sender: Party,
}

impl PaymentRequestCreate {
    /// Reads a request from JSON fields (the wire names; `amount` a string or number).
    pub fn from_json<'a>(value: impl Into<JsonFields<'a>>) -> Result<PaymentRequestCreate> {
        let r = Reader::new(value.into());
        let mut rules = Rules::default();
        let datetime = r.integer("life_time_datetime");
        let older = r.integer("life_time_date_time");
        let req = PaymentRequestCreate {
            amount: r.amount("amount"),
            currency: PaymentCurrency::from_fields(
                r.string_map("currency"),
                "currency",
                &mut rules,
            ),
            life_time_duration: r.integer("life_time_duration"),
            life_time_datetime: datetime.or(older),
            payment_currency: PaymentCurrency::from_fields(
                r.string_map("payment_currency"),
                "payment_currency",
                &mut rules,
            ),
            end_user_email: r.string("end_user_email"),
            end_user_reference: r.reference("end_user_reference"),
            description: r.string("description"),
            foreign_id: r.reference("foreign_id"),
            url_store: r.string("url_store"),
            url_success: r.string("url_success"),
            url_failed: r.string("url_failed"),
            sender: Party {
                kind: r.string("sender_type"),
                data: r.string_map("sender_data"),
            },
        };
        if datetime.is_some() && older.is_some() {
            rules.fail(
                "life_time_date_time",
                "is the older name of life_time_datetime: give one of them",
            );
        }
        r.finish()?;
        check(rules.errors)?;
        Ok(req)
    }

    /// Every failed rule, per field.
    pub fn validate(&self) -> Result<()> {
        let mut r = Rules::default();
        r.required("amount", &self.amount);
        match &self.currency {
            Some(c) => c.check("currency", &mut r),
            None => r.fail("currency", "is required"),
        }
        if let Some(c) = &self.payment_currency {
            c.check("payment_currency", &mut r);
        }
        match (self.life_time_duration, self.life_time_datetime) {
            (None, None) => r.fail(
                "life_time_duration",
                "one of life_time_duration (seconds) and life_time_datetime (Unix seconds) is required",
            ),
            (Some(_), Some(_)) => r.fail(
                "life_time_datetime",
                "give one of life_time_duration and life_time_datetime, not both",
            ),
            _ => {}
        }
        for (field, value) in [
            ("life_time_duration", self.life_time_duration),
            ("life_time_datetime", self.life_time_datetime),
        ] {
            if value.is_some_and(|v| v <= 0) {
                r.fail(field, "must be a positive number of seconds");
            }
        }
        r.email("end_user_email", self.end_user_email.as_deref());
        r.end_user_reference(self.end_user_reference.as_deref());
        r.length("description", self.description.as_deref(), 0, 1000);
        r.foreign_id(self.foreign_id.as_deref());
        r.https_domain_url("url_store", self.url_store.as_deref());
        r.https_domain_url("url_success", self.url_success.as_deref());
        r.https_domain_url("url_failed", self.url_failed.as_deref());
        r.party("sender", &self.sender, false);
        check(r.errors)
    }

    /// The wire body (JSON text), in the documented field order; the amount a decimal
    /// string.
    pub fn body(&self) -> Vec<u8> {
        let mut b = Body::new();
        if let Some(a) = &self.amount {
            b.value("amount", a.as_str());
        }
        if let Some(c) = &self.currency {
            b.object("currency", c.body());
        }
        if let Some(d) = self.life_time_duration {
            b.value("life_time_duration", &d);
        }
        if let Some(d) = self.life_time_datetime {
            b.value("life_time_datetime", &d);
        }
        if let Some(c) = &self.payment_currency {
            b.object("payment_currency", c.body());
        }
        b.text("end_user_email", &self.end_user_email);
        b.text("end_user_reference", &self.end_user_reference);
        b.text("description", &self.description);
        b.text("foreign_id", &self.foreign_id);
        b.text("url_store", &self.url_store);
        b.text("url_success", &self.url_success);
        b.text("url_failed", &self.url_failed);
        self.sender.write("sender", &mut b);
        b.finish()
    }
}

impl ToRequest for PaymentRequestCreate {
    fn to_request(&self) -> Result<Request> {
        self.validate()?;
        let mut request = Request::post(
            OperationKind::PaymentRequestsCreate,
            "/requests",
            self.body(),
        );
        request.base = Base::Payments;
        Ok(request)
    }
}

/// A created payment request, decoded tolerantly.
#[derive(Clone, Debug, serde::Serialize)]
pub struct PaymentRequest {
    /// The request's id (a UUID; `payment_request_id` in its callbacks).
    pub id: Option<String>,
    /// The hosted payment page: opaque, show or redirect to it as it is.
    pub payment_link: Option<String>,
    /// `created`, then `processing`, `paid`, `failed`, `expired`, or a new value.
    pub status: Option<String>,
    /// The requested amount, in `currency`.
    pub amount: Option<Amount>,
    /// The requested currency's code (`currency.iso`).
    pub currency: Option<String>,
    /// The requested currency's network, when echoed.
    pub currency_network_name: Option<String>,
    /// When the request expires (Unix seconds).
    pub life_time: Option<i64>,
    /// The merchant's reference.
    pub foreign_id: Option<String>,
    /// The customer's reference.
    pub end_user_reference: Option<String>,
    /// The payer's e-mail, as echoed.
    pub end_user_email: Option<String>,
    /// The text shown to the payer.
    pub description: Option<String>,
    /// The "return to merchant" link.
    pub url_store: Option<String>,
    /// The whole reply: raw body, normalized JSON, malformed fields.
    #[serde(skip)]
    pub response: Response,
}

impl super::ReplyResult for PaymentRequest {
    fn read<F: Fields + ?Sized>(d: &F, response: Response) -> PaymentRequest {
        PaymentRequest {
            id: d.text("id"),
            payment_link: d.text("payment_link"),
            status: d.text("status"),
            amount: d.amount("amount"),
            currency: iso(d.value("currency").unwrap_or(&Value::Null)),
            currency_network_name: d.value("currency").and_then(|c| c.text("network_name")),
            life_time: d.int("life_time"),
            foreign_id: d.text("foreign_id"),
            end_user_reference: d.text("end_user_reference"),
            end_user_email: d.text("end_user_email"),
            description: d.text("description"),
            url_store: d.text("url_store"),
            response,
        }
    }

    fn response_mut(&mut self) -> &mut Response {
        &mut self.response
    }
}

impl super::TypedResult for PaymentRequest {
    fn amounts(&self) -> Vec<(&'static str, Option<&Amount>)> {
        vec![("amount", self.amount.as_ref())]
    }
}

impl PaymentRequest {
    /// Reads the typed fields from a decoded reply.
    pub fn from_response(response: Response) -> PaymentRequest {
        super::typed_from(response)
    }
}

/// A currency given as `{"iso": "EUR", …}` or, tolerantly, as the code itself.
pub(crate) fn iso(value: &Value) -> Option<String> {
    match value {
        Value::String(s) => Some(s.clone()),
        other => other.text("iso"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::Status;

    fn json(text: &str) -> Result<Request> {
        Request::from_json(OperationKind::PaymentRequestsCreate, text)
    }

    #[test]
    fn a_valid_request_keeps_the_callers_digits_as_a_string() {
        let r = json(
            r#"{"amount":"250.00","currency":{"iso":"USDT","network_name":"tron"},
                "life_time_duration":7200,"foreign_id":"order-1","url_store":"https://shop.example.org/cart"}"#,
        )
        .unwrap();
        assert_eq!(r.base, Base::Payments);
        assert_eq!(r.path, "/requests");
        let body = String::from_utf8(r.body).unwrap();
        assert!(body.starts_with(r#"{"amount":"250.00","currency":{"iso":"USDT","network_name":"tron"},"life_time_duration":7200"#), "{body}");
    }

    #[test]
    fn a_lifetime_is_required_and_the_older_spelling_is_read() {
        let e = json(r#"{"amount":"1","currency":{"iso":"EUR"}}"#).unwrap_err();
        assert_eq!(e.status(), Status::Validation);
        assert!(e.field("life_time_duration").is_some(), "{e:?}");
        let r = json(r#"{"amount":"1","currency":{"iso":"EUR"},"life_time_date_time":1790000000}"#)
            .unwrap();
        let body = String::from_utf8(r.body).unwrap();
        assert!(
            body.contains(r#""life_time_datetime":1790000000"#),
            "{body}"
        );
        let both = json(r#"{"amount":"1","currency":{"iso":"EUR"},"life_time_duration":60,"life_time_datetime":1790000000}"#)
            .unwrap_err();
        assert!(both.field("life_time_datetime").is_some(), "{both:?}");
    }

    #[test]
    fn every_rule_is_reported_at_once() {
        let e = json(
            r#"{"amount":"-1","currency":{"iso":"eur"},"life_time_duration":0,
                "url_store":"http://1.2.3.4/","end_user_email":"nope"}"#,
        )
        .unwrap_err();
        for field in [
            "amount",
            "currency.iso",
            "life_time_duration",
            "url_store",
            "end_user_email",
        ] {
            assert!(e.field(field).is_some(), "{field} missing: {e:?}");
        }
        let typo =
            json(r#"{"amount":"1","currency":{"iso":"EUR","colour":"x"},"life_time_duration":60}"#)
                .unwrap_err();
        assert!(typo.field("currency.colour").is_some(), "{typo:?}");
    }
}
