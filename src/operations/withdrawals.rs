//! `POST /withdrawal/crypto`: a payout, optionally converted from another balance (spec §5.7).

use super::body::Body;
use super::reader::{JsonFields, Reader};
use super::rules::{Party, Rules};
use super::{check, OperationKind, Request, Response, ToRequest};
use crate::amount::Amount;
use crate::error::Result;
use crate::reply::normalize::Fields;

/// A crypto withdrawal. Exactly one of `amount` and `amount_to`; `foreign_id` unique.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct WithdrawalRequest {
    /// The balance to withdraw from. Required.
    pub currency: Option<String>,
    /// Convert into this currency before sending.
    pub convert_to: Option<String>,
    /// Destination address. Required.
    pub address: Option<String>,
    /// Destination tag or memo.
    pub tag: Option<String>,
    /// Amount in `currency`.
    pub amount: Option<Amount>,
    /// Amount to deliver in `convert_to`.
    pub amount_to: Option<Amount>,
    /// Unique id of this withdrawal, 1–255 characters. Required.
    pub foreign_id: Option<String>,
    /// Stable id of the customer, at most 255 characters.
    pub end_user_reference: Option<String>,
    /// MiCA sender.
    pub sender: Party,
    /// MiCA receiver (`self` allowed).
    pub receiver: Party,
}

impl WithdrawalRequest {
    /// Reads the request from JSON fields.
    pub fn from_json<'a>(value: impl Into<JsonFields<'a>>) -> Result<WithdrawalRequest> {
        let r = Reader::new(value.into());
        let req = WithdrawalRequest {
            currency: r.string("currency"),
            convert_to: r.string("convert_to"),
            address: r.string("address"),
            tag: r.reference("tag"),
            amount: r.amount("amount"),
            amount_to: r.amount("amount_to"),
            foreign_id: r.reference("foreign_id"),
            end_user_reference: r.reference("end_user_reference"),
            sender: Party {
                kind: r.string("sender_type"),
                data: r.string_map("sender_data"),
            },
            receiver: Party {
                kind: r.string("receiver_type"),
                data: r.string_map("receiver_data"),
            },
        };
        r.finish()?;
        Ok(req)
    }
}

impl ToRequest for WithdrawalRequest {
    fn to_request(&self) -> Result<Request> {
        let mut r = Rules::default();
        r.required("currency", &self.currency);
        r.currency("currency", self.currency.as_deref());
        r.currency("convert_to", self.convert_to.as_deref());
        r.required("address", &self.address);
        r.length("address", self.address.as_deref(), 1, 255);
        r.length("tag", self.tag.as_deref(), 1, 255);
        match (&self.amount, &self.amount_to) {
            (None, None) => r.fail("amount", "is required (or amount_to)"),
            (Some(_), Some(_)) => r.fail("amount_to", "give either amount or amount_to, not both"),
            _ => {}
        }
        if self.amount_to.is_some() && self.convert_to.is_none() {
            r.fail("convert_to", "is required with amount_to");
        }
        r.required("foreign_id", &self.foreign_id);
        r.foreign_id(self.foreign_id.as_deref());
        r.end_user_reference(self.end_user_reference.as_deref());
        r.party("sender", &self.sender, false);
        r.party("receiver", &self.receiver, true);
        check(r.errors)?;
        let mut b = Body::new();
        b.text("currency", &self.currency);
        b.text("convert_to", &self.convert_to);
        b.text("address", &self.address);
        b.text("tag", &self.tag);
        b.amount("amount", &self.amount);
        b.amount("amount_to", &self.amount_to);
        b.text("foreign_id", &self.foreign_id);
        b.text("end_user_reference", &self.end_user_reference);
        self.sender.write("sender", &mut b);
        self.receiver.write("receiver", &mut b);
        Ok(Request::post(
            OperationKind::WithdrawalCrypto,
            "/withdrawal/crypto",
            b,
        ))
    }
}

/// An accepted withdrawal; its final status arrives by callback.
#[derive(Clone, Debug, serde::Serialize)]
pub struct Withdrawal {
    /// Id.
    pub id: Option<i64>,
    /// The merchant's reference.
    pub foreign_id: Option<String>,
    /// `withdrawal` or `withdrawal_exchange`.
    #[serde(rename = "type")]
    pub withdrawal_type: Option<String>,
    /// `processing`, `pending`, …
    pub status: Option<String>,
    /// Amount.
    pub amount: Option<Amount>,
    /// Debited currency.
    pub sender_currency: Option<String>,
    /// Debited amount.
    pub sender_amount: Option<Amount>,
    /// Delivered currency.
    pub receiver_currency: Option<String>,
    /// Delivered amount.
    pub receiver_amount: Option<Amount>,
    /// The whole reply.
    #[serde(skip)]
    pub response: Response,
}

impl super::ReplyResult for Withdrawal {
    fn read<F: Fields + ?Sized>(d: &F, response: Response) -> Withdrawal {
        Withdrawal {
            id: d.int("id"),
            foreign_id: d.text("foreign_id"),
            withdrawal_type: d.text("type"),
            status: d.text("status"),
            amount: d.amount("amount"),
            sender_currency: d.text("sender_currency"),
            sender_amount: d.amount("sender_amount"),
            receiver_currency: d.text("receiver_currency"),
            receiver_amount: d.amount("receiver_amount"),
            response,
        }
    }

    fn response_mut(&mut self) -> &mut Response {
        &mut self.response
    }
}

impl super::TypedResult for Withdrawal {
    fn amounts(&self) -> Vec<(&'static str, Option<&Amount>)> {
        vec![
            ("amount", self.amount.as_ref()),
            ("sender_amount", self.sender_amount.as_ref()),
            ("receiver_amount", self.receiver_amount.as_ref()),
        ]
    }
}

impl Withdrawal {
    /// Reads the typed fields from a decoded reply.
    pub fn from_response(response: Response) -> Withdrawal {
        super::typed_from(response)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amount_xor_amount_to() {
        let base = WithdrawalRequest {
            currency: Some("BTC".into()),
            address: Some("tb1qxyz".into()),
            foreign_id: Some("w-1".into()),
            ..Default::default()
        };
        assert!(base.to_request().unwrap_err().field("amount").is_some());
        let both = WithdrawalRequest {
            amount: Some(Amount::parse("1").unwrap()),
            amount_to: Some(Amount::parse("1").unwrap()),
            convert_to: Some("EUR".into()),
            ..base.clone()
        };
        assert!(both.to_request().unwrap_err().field("amount_to").is_some());
        let ok = WithdrawalRequest {
            amount: Some(Amount::parse("0.00003000").unwrap()),
            tag: Some("0".into()),
            ..base
        };
        let body = String::from_utf8(ok.to_request().unwrap().body).unwrap();
        assert_eq!(
            body,
            r#"{"currency":"BTC","address":"tb1qxyz","tag":"0","amount":0.00003000,"foreign_id":"w-1"}"#
        );
    }
}
