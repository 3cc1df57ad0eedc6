//! `exchange/calculate` (a 60-second quote), `exchange/fixed` (at the quoted price) and
//! `exchange/now` (at market) (spec §5.8–§5.10).

use super::body::Body;
use super::reader::{JsonFields, Reader};
use super::rules::Rules;
use super::{check, OperationKind, Request, Response, ToRequest};
use crate::amount::Amount;
use crate::error::Result;
use crate::reply::normalize::Fields;

/// The fields of an exchange request: read from JSON, checked, written to the body.
trait RequestFields: Sized {
    /// Reads the fields (the reader collects type errors and unknown fields).
    fn read(r: &Reader) -> Self;

    /// Checks the fields' rules.
    fn check(&self, r: &mut Rules);

    /// Writes the fields to the body.
    fn write(&self, b: &mut Body);

    /// Reads the fields from a JSON request: an error for each value of the wrong type and
    /// each unknown field.
    fn read_json<'a>(value: impl Into<JsonFields<'a>>) -> Result<Self> {
        let r = Reader::new(value.into());
        let fields = Self::read(&r);
        r.finish()?;
        Ok(fields)
    }

    /// Checks every rule (all failures at once, nothing sent), then writes the POST body.
    fn post(&self, kind: OperationKind, path: &str) -> Result<Request> {
        let mut r = Rules::default();
        self.check(&mut r);
        check(r.errors)?;
        let mut b = Body::new();
        self.write(&mut b);
        Ok(Request::post(kind, path, b))
    }
}

/// The fields the three exchange calls share.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
struct Legs {
    sender_currency: Option<String>,
    receiver_currency: Option<String>,
    sender_amount: Option<Amount>,
    receiver_amount: Option<Amount>,
}

impl RequestFields for Legs {
    fn read(r: &Reader) -> Legs {
        Legs {
            sender_currency: r.string("sender_currency"),
            receiver_currency: r.string("receiver_currency"),
            sender_amount: r.amount("sender_amount"),
            receiver_amount: r.amount("receiver_amount"),
        }
    }

    fn check(&self, r: &mut Rules) {
        r.required("sender_currency", &self.sender_currency);
        r.currency("sender_currency", self.sender_currency.as_deref());
        r.required("receiver_currency", &self.receiver_currency);
        r.currency("receiver_currency", self.receiver_currency.as_deref());
        match (&self.sender_amount, &self.receiver_amount) {
            (None, None) => r.fail("sender_amount", "is required (or receiver_amount)"),
            (Some(_), Some(_)) => r.fail(
                "receiver_amount",
                "give either sender_amount or receiver_amount, not both",
            ),
            _ => {}
        }
    }

    fn write(&self, b: &mut Body) {
        b.text("sender_currency", &self.sender_currency);
        b.text("receiver_currency", &self.receiver_currency);
        b.amount("sender_amount", &self.sender_amount);
        b.amount("receiver_amount", &self.receiver_amount);
    }
}

/// The fields of an exchange that is carried out (`fixed` and `now`): the legs and the
/// merchant's unique id.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
struct Deal {
    legs: Legs,
    foreign_id: Option<String>,
}

impl RequestFields for Deal {
    fn read(r: &Reader) -> Deal {
        Deal {
            legs: Legs::read(r),
            foreign_id: r.reference("foreign_id"),
        }
    }

    fn check(&self, r: &mut Rules) {
        self.legs.check(r);
        r.required("foreign_id", &self.foreign_id);
        r.foreign_id(self.foreign_id.as_deref());
    }

    fn write(&self, b: &mut Body) {
        self.legs.write(b);
        b.text("foreign_id", &self.foreign_id);
    }
}

/// The setters of the legs, at `self.<path>`.
macro_rules! legs_accessors {
    ($($path:ident).+) => {
        /// Sets the currency to sell. Required.
        pub fn sender_currency(mut self, v: &str) -> Self {
            self.$($path).+.sender_currency = Some(v.into());
            self
        }
        /// Sets the currency to buy. Required.
        pub fn receiver_currency(mut self, v: &str) -> Self {
            self.$($path).+.receiver_currency = Some(v.into());
            self
        }
        /// Sets the amount to sell (or give `receiver_amount`).
        pub fn sender_amount(mut self, v: Amount) -> Self {
            self.$($path).+.sender_amount = Some(v);
            self
        }
        /// Sets the amount to buy (or give `sender_amount`).
        pub fn receiver_amount(mut self, v: Amount) -> Self {
            self.$($path).+.receiver_amount = Some(v);
            self
        }
    };
}

/// The setters of a deal (`self.deal`): the legs' and the foreign id's.
macro_rules! deal_accessors {
    () => {
        legs_accessors!(deal.legs);

        /// Sets the unique id of this exchange (1–255 characters). Required.
        pub fn foreign_id(mut self, v: &str) -> Self {
            self.deal.foreign_id = Some(v.into());
            self
        }
    };
}

/// `POST /exchange/calculate`: a quote valid for 60 s (rate-limited to 30 a minute).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ExchangeCalculate {
    legs: Legs,
}

impl ExchangeCalculate {
    /// An empty request.
    pub fn new() -> Self {
        Self::default()
    }
    legs_accessors!(legs);

    /// Reads the request from JSON fields.
    pub fn from_json<'a>(value: impl Into<JsonFields<'a>>) -> Result<Self> {
        let legs = Legs::read_json(value)?;
        Ok(ExchangeCalculate { legs })
    }
}

impl ToRequest for ExchangeCalculate {
    fn to_request(&self) -> Result<Request> {
        self.legs
            .post(OperationKind::ExchangeCalculate, "/exchange/calculate")
    }
}

/// `POST /exchange/fixed`: executes a quote before it expires, at its `price`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ExchangeFixed {
    deal: Deal,
    price: Option<Amount>,
}

impl ExchangeFixed {
    /// An empty request.
    pub fn new() -> Self {
        Self::default()
    }
    deal_accessors!();

    /// Sets the quoted price from `exchange/calculate`. Required.
    pub fn price(mut self, v: Amount) -> Self {
        self.price = Some(v);
        self
    }

    /// Reads the request from JSON fields.
    pub fn from_json<'a>(value: impl Into<JsonFields<'a>>) -> Result<Self> {
        Self::read_json(value)
    }
}

impl RequestFields for ExchangeFixed {
    fn read(r: &Reader) -> ExchangeFixed {
        ExchangeFixed {
            deal: Deal::read(r),
            price: r.amount("price"),
        }
    }

    fn check(&self, r: &mut Rules) {
        self.deal.check(r);
        r.required("price", &self.price);
    }

    fn write(&self, b: &mut Body) {
        self.deal.write(b);
        b.amount("price", &self.price);
    }
}

impl ToRequest for ExchangeFixed {
    fn to_request(&self) -> Result<Request> {
        self.post(OperationKind::ExchangeFixed, "/exchange/fixed")
    }
}

/// `POST /exchange/now`: exchanges at the market rate.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ExchangeNow {
    deal: Deal,
}

impl ExchangeNow {
    /// An empty request.
    pub fn new() -> Self {
        Self::default()
    }
    deal_accessors!();

    /// Reads the request from JSON fields.
    pub fn from_json<'a>(value: impl Into<JsonFields<'a>>) -> Result<Self> {
        let deal = Deal::read_json(value)?;
        Ok(ExchangeNow { deal })
    }
}

impl ToRequest for ExchangeNow {
    fn to_request(&self) -> Result<Request> {
        self.deal.post(OperationKind::ExchangeNow, "/exchange/now")
    }
}

/// A quote (`exchange/calculate`) or an accepted exchange (`exchange/fixed`, `/now`).
#[derive(Clone, Debug, serde::Serialize)]
pub struct Exchange {
    /// Id (accepted exchanges only).
    pub id: Option<i64>,
    /// The merchant's reference (accepted exchanges only).
    pub foreign_id: Option<String>,
    /// Sold currency.
    pub sender_currency: Option<String>,
    /// Sold amount.
    pub sender_amount: Option<Amount>,
    /// Bought currency.
    pub receiver_currency: Option<String>,
    /// Bought amount.
    pub receiver_amount: Option<Amount>,
    /// Fee currency (may be a third currency).
    pub fee_currency: Option<String>,
    /// Fee.
    pub fee_amount: Option<Amount>,
    /// Units of the bought currency per unit sold.
    pub price: Option<Amount>,
    /// Quote time (Unix seconds).
    pub ts_fixed: Option<i64>,
    /// Quote expiry (Unix seconds).
    pub ts_release: Option<i64>,
    /// `processing` for accepted exchanges.
    pub status: Option<String>,
    /// The whole reply.
    #[serde(skip)]
    pub response: Response,
}

impl super::ReplyResult for Exchange {
    fn read<F: Fields + ?Sized>(d: &F, response: Response) -> Exchange {
        Exchange {
            id: d.int("id"),
            foreign_id: d.text("foreign_id"),
            sender_currency: d.text("sender_currency"),
            sender_amount: d.amount("sender_amount"),
            receiver_currency: d.text("receiver_currency"),
            receiver_amount: d.amount("receiver_amount"),
            fee_currency: d.text("fee_currency"),
            fee_amount: d.amount("fee_amount"),
            price: d.amount("price"),
            ts_fixed: d.int("ts_fixed"),
            ts_release: d.int("ts_release"),
            status: d.text("status"),
            response,
        }
    }

    fn response_mut(&mut self) -> &mut Response {
        &mut self.response
    }
}

impl super::TypedResult for Exchange {
    fn amounts(&self) -> Vec<(&'static str, Option<&Amount>)> {
        vec![
            ("sender_amount", self.sender_amount.as_ref()),
            ("receiver_amount", self.receiver_amount.as_ref()),
            ("fee_amount", self.fee_amount.as_ref()),
            ("price", self.price.as_ref()),
        ]
    }
}

impl Exchange {
    /// Reads the typed fields from a decoded reply.
    pub fn from_response(response: Response) -> Exchange {
        super::typed_from(response)
    }
}
