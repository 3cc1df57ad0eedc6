//! `GET /transactions/info`: one transaction by exactly one of `id`, `foreign_id`, `txid`
//! (spec §5.13). A GET that carries a signed JSON body.

use super::body::Body;
use super::reader::{JsonFields, Reader};
use super::rules::Rules;
use super::{check, Method, OperationKind, Request, Response, ToRequest};
use crate::amount::Amount;
use crate::error::Result;
use crate::reply::normalize::Fields;
use serde_json::Value;

/// Which transaction to look up: exactly one key.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TransactionLookup {
    /// The transaction id.
    pub id: Option<i64>,
    /// The merchant's foreign_id (withdrawals, exchanges, invoices).
    pub foreign_id: Option<String>,
    /// The blockchain transaction hash.
    pub txid: Option<String>,
}

impl TransactionLookup {
    /// Reads `{"id"}`, `{"foreign_id"}` or `{"txid"}`.
    pub fn from_json<'a>(value: impl Into<JsonFields<'a>>) -> Result<TransactionLookup> {
        let r = Reader::new(value.into());
        let req = TransactionLookup {
            id: r.integer("id"),
            foreign_id: r.reference("foreign_id"),
            txid: r.string("txid"),
        };
        r.finish()?;
        Ok(req)
    }
}

impl ToRequest for TransactionLookup {
    fn to_request(&self) -> Result<Request> {
        let mut r = Rules::default();
        let given = [
            self.id.is_some(),
            self.foreign_id.is_some(),
            self.txid.is_some(),
        ]
        .iter()
        .filter(|g| **g)
        .count();
        if given != 1 {
            r.fail("id", "give exactly one of id, foreign_id, txid");
        }
        if self.id.is_some_and(|id| id < 1) {
            r.fail("id", "must be at least 1");
        }
        r.foreign_id(self.foreign_id.as_deref());
        r.length("txid", self.txid.as_deref(), 1, 255);
        check(r.errors)?;
        let mut b = Body::new();
        if let Some(id) = self.id {
            b.value("id", &id);
        }
        if let Some(f) = &self.foreign_id {
            b.value("foreign_id", f);
        }
        if let Some(t) = &self.txid {
            b.value("txid", t);
        }
        let mut req = Request::post(OperationKind::TransactionsInfo, "/transactions/info", b);
        req.method = Method::Get;
        Ok(req)
    }
}

/// A transaction: the reply of transactions/info, shaped like a callback.
#[derive(Clone, Debug, serde::Serialize)]
pub struct Transaction {
    /// Id.
    pub id: Option<i64>,
    /// `deposit`, `withdrawal`, `exchange`, `invoice`, … (open set).
    #[serde(rename = "type")]
    pub transaction_type: Option<String>,
    /// `confirmed`, `not_confirmed`, `cancelled`, `pending`, `declined`, … (open set).
    pub status: Option<String>,
    /// The merchant's reference: the root `foreign_id`, or for deposits the address's
    /// (`crypto_address.foreign_id`), where deposit callbacks carry it.
    pub foreign_id: Option<String>,
    /// The customer's reference.
    pub end_user_reference: Option<String>,
    /// Currency the payer sent.
    pub sent_currency: Option<String>,
    /// Amount the payer sent.
    pub sent_amount: Option<Amount>,
    /// Currency received.
    pub received_currency: Option<String>,
    /// Amount received.
    pub received_amount: Option<Amount>,
    /// Error text for failed transactions.
    pub error: Option<String>,
    /// The normalized object (all fields, unknown ones too).
    #[serde(skip)]
    pub json: Value,
}

impl super::TypedResult for Transaction {
    fn amounts(&self) -> Vec<(&'static str, Option<&Amount>)> {
        vec![
            ("sent_amount", self.sent_amount.as_ref()),
            ("received_amount", self.received_amount.as_ref()),
        ]
    }
}

impl Transaction {
    /// Reads a transaction from a normalized object.
    pub fn from_value(d: &Value) -> Transaction {
        Transaction {
            json: d.clone(),
            ..Transaction::typed_fields(d)
        }
    }

    /// The typed fields of a normalized object, with `json` left null (for a holder that
    /// keeps the object itself, such as a callback).
    pub(crate) fn typed_fields(d: &Value) -> Transaction {
        Transaction {
            id: d.int("id"),
            transaction_type: d.text("type"),
            status: d.text("status"),
            foreign_id: d
                .text("foreign_id")
                .or_else(|| d["crypto_address"].text("foreign_id")),
            end_user_reference: d.text("end_user_reference"),
            sent_currency: d["currency_sent"].text("currency"),
            sent_amount: d["currency_sent"].amount("amount"),
            received_currency: d["currency_received"].text("currency"),
            received_amount: d["currency_received"].amount("amount"),
            error: d.text("error").filter(|e| !e.is_empty()),
            json: Value::Null,
        }
    }

    /// Reads the transaction of a transactions/info reply.
    pub fn from_response(response: &Response) -> Transaction {
        Transaction::from_value(&response.data)
    }
}
