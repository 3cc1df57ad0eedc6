//! `POST /addresses/take`: a permanent deposit address for a customer (spec §5.6).

use super::body::Body;
use super::reader::{JsonFields, Reader};
use super::rules::{Party, Rules};
use super::{check, OperationKind, Request, Response, ToRequest};
use crate::amount::Amount;
use crate::error::Result;
use crate::reply::normalize::Fields;

/// A deposit address request. `foreign_id` identifies the customer and may be reused.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TakeAddress {
    /// The currency to receive, e.g. `BTC`. Required.
    pub currency: Option<String>,
    /// The customer's id in the merchant's system, 1–255 characters. Required.
    pub foreign_id: Option<String>,
    /// Convert every deposit to this currency (callbacks of type `deposit_exchange`).
    pub convert_to: Option<String>,
    /// Stable id of the customer, at most 255 characters.
    pub end_user_reference: Option<String>,
    /// MiCA sender.
    pub sender: Party,
}

impl TakeAddress {
    /// Reads the request from JSON fields.
    pub fn from_json<'a>(value: impl Into<JsonFields<'a>>) -> Result<TakeAddress> {
        let r = Reader::new(value.into());
        let req = TakeAddress {
            currency: r.string("currency"),
            foreign_id: r.reference("foreign_id"),
            convert_to: r.string("convert_to"),
            end_user_reference: r.reference("end_user_reference"),
            sender: Party {
                kind: r.string("sender_type"),
                data: r.string_map("sender_data"),
            },
        };
        r.finish()?;
        Ok(req)
    }
}

impl ToRequest for TakeAddress {
    fn to_request(&self) -> Result<Request> {
        let mut r = Rules::default();
        r.required("currency", &self.currency);
        r.currency("currency", self.currency.as_deref());
        r.required("foreign_id", &self.foreign_id);
        r.foreign_id(self.foreign_id.as_deref());
        r.currency("convert_to", self.convert_to.as_deref());
        r.end_user_reference(self.end_user_reference.as_deref());
        r.party("sender", &self.sender, false);
        check(r.errors)?;
        let mut b = Body::new();
        b.text("currency", &self.currency);
        b.text("foreign_id", &self.foreign_id);
        b.text("convert_to", &self.convert_to);
        b.text("end_user_reference", &self.end_user_reference);
        self.sender.write("sender", &mut b);
        Ok(Request::post(
            OperationKind::AddressesTake,
            "/addresses/take",
            b,
        ))
    }
}

/// A deposit address.
#[derive(Clone, Debug, serde::Serialize)]
pub struct Address {
    /// Id.
    pub id: Option<i64>,
    /// Currency code.
    pub currency: Option<String>,
    /// Conversion target, when set.
    pub convert_to: Option<String>,
    /// The address to show the payer.
    pub address: Option<String>,
    /// Destination tag or memo (XRP and other memo chains): must be shown too.
    pub tag: Option<String>,
    /// The customer's foreign_id.
    pub foreign_id: Option<String>,
    /// The customer's reference.
    pub end_user_reference: Option<String>,
    /// The whole reply.
    #[serde(skip)]
    pub response: Response,
}

impl super::ReplyResult for Address {
    fn read<F: Fields + ?Sized>(d: &F, response: Response) -> Address {
        Address {
            id: d.int("id"),
            currency: d.text("currency"),
            convert_to: d.text("convert_to"),
            address: d.text("address"),
            tag: d.text("tag"),
            foreign_id: d.text("foreign_id"),
            end_user_reference: d.text("end_user_reference"),
            response,
        }
    }

    fn response_mut(&mut self) -> &mut Response {
        &mut self.response
    }
}

impl super::TypedResult for Address {
    fn amounts(&self) -> Vec<(&'static str, Option<&Amount>)> {
        Vec::new()
    }
}

impl Address {
    /// Reads the typed fields from a decoded reply.
    pub fn from_response(response: Response) -> Address {
        super::typed_from(response)
    }
}
