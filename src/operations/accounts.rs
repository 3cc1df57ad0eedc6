//! Reference data: `accounts/list`, `currencies/list`, `currencies/pairs`,
//! `currencies/rates` (spec §5.2–§5.5). All read-only, so always safe to retry.

use super::body::Body;
use super::reader::{JsonFields, Reader};
use super::rules::Rules;
use super::{check, OperationKind, Request, Response, ToRequest};
use crate::amount::Amount;
use crate::error::Result;
use crate::reply::normalize::Fields;
use serde_json::Value;

/// `POST /accounts/list` from JSON: takes no fields.
pub(crate) fn accounts_list(value: JsonFields<'_>) -> Result<Request> {
    Reader::new(value).finish()?;
    Ok(Request::post(
        OperationKind::AccountsList,
        "/accounts/list",
        Body::new(),
    ))
}

/// One balance of `accounts/list`.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Account {
    /// Currency code.
    pub currency: Option<String>,
    /// `crypto` or `fiat`.
    #[serde(rename = "type")]
    pub account_type: Option<String>,
    /// The balance.
    pub balance: Option<Amount>,
}

impl super::TypedResult for Account {
    fn amounts(&self) -> Vec<(&'static str, Option<&Amount>)> {
        vec![("balance", self.balance.as_ref())]
    }
}

impl Account {
    /// Reads every balance of a decoded reply.
    pub fn list(response: &Response) -> Vec<Account> {
        items(response)
            .map(|d| Account {
                currency: d.text("currency"),
                account_type: d.text("type"),
                balance: d.amount("balance"),
            })
            .collect()
    }
}

fn items(response: &Response) -> impl Iterator<Item = &Value> {
    response.data.as_array().into_iter().flatten()
}

/// `POST /currencies/list`, optionally filtered by `visible`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CurrenciesList {
    /// `true`: enabled currencies; `false`: disabled ones; `None`: the service's default.
    pub visible: Option<bool>,
}

impl CurrenciesList {
    /// Reads `{"visible": bool}` (optional).
    pub fn from_json<'a>(value: impl Into<JsonFields<'a>>) -> Result<CurrenciesList> {
        let r = Reader::new(value.into());
        let req = CurrenciesList {
            visible: r.boolean("visible"),
        };
        r.finish()?;
        Ok(req)
    }
}

impl ToRequest for CurrenciesList {
    fn to_request(&self) -> Result<Request> {
        let mut b = Body::new();
        if let Some(v) = self.visible {
            b.value("visible", &v);
        }
        Ok(Request::post(
            OperationKind::CurrenciesList,
            "/currencies/list",
            b,
        ))
    }
}

/// One currency of `currencies/list`.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct CurrencyInfo {
    /// Id.
    pub id: Option<i64>,
    /// `crypto` or `fiat`.
    #[serde(rename = "type")]
    pub currency_type: Option<String>,
    /// Currency code.
    pub currency: Option<String>,
    /// Minimum deposit.
    pub minimum_amount: Option<Amount>,
    /// Deposit fee, as a fraction.
    pub deposit_fee_percent: Option<Amount>,
    /// Withdrawal fee, as a fraction.
    pub withdrawal_fee_percent: Option<Amount>,
    /// Decimal places.
    pub precision: Option<i64>,
}

impl super::TypedResult for CurrencyInfo {
    fn amounts(&self) -> Vec<(&'static str, Option<&Amount>)> {
        vec![
            ("minimum_amount", self.minimum_amount.as_ref()),
            ("deposit_fee_percent", self.deposit_fee_percent.as_ref()),
            (
                "withdrawal_fee_percent",
                self.withdrawal_fee_percent.as_ref(),
            ),
        ]
    }
}

impl CurrencyInfo {
    /// Reads every currency of a decoded reply.
    pub fn list(response: &Response) -> Vec<CurrencyInfo> {
        items(response)
            .map(|d| CurrencyInfo {
                id: d.int("id"),
                currency_type: d.text("type"),
                currency: d.text("currency"),
                minimum_amount: d.amount("minimum_amount"),
                deposit_fee_percent: d.amount("deposit_fee_percent"),
                withdrawal_fee_percent: d.amount("withdrawal_fee_percent"),
                precision: d.int("precision"),
            })
            .collect()
    }
}

/// `POST /currencies/pairs`: every exchangeable pair, optionally filtered.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PairsQuery {
    /// Only pairs from this currency.
    pub currency_from: Option<String>,
    /// Only pairs to this currency.
    pub currency_to: Option<String>,
}

/// `POST /currencies/rates`: the reference rate of one pair (both currencies required).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RatesQuery {
    /// Source currency. Required.
    pub currency_from: Option<String>,
    /// Target currency. Required.
    pub currency_to: Option<String>,
}

fn pair_fields<'a>(value: impl Into<JsonFields<'a>>) -> Result<(Option<String>, Option<String>)> {
    let r = Reader::new(value.into());
    let pair = (r.string("currency_from"), r.string("currency_to"));
    r.finish()?;
    Ok(pair)
}

fn pair_body(from: &Option<String>, to: &Option<String>) -> Body {
    let mut b = Body::new();
    b.text("currency_from", from);
    b.text("currency_to", to);
    b
}

impl PairsQuery {
    /// Reads `{"currency_from"?, "currency_to"?}`.
    pub fn from_json<'a>(value: impl Into<JsonFields<'a>>) -> Result<PairsQuery> {
        let (currency_from, currency_to) = pair_fields(value)?;
        Ok(PairsQuery {
            currency_from,
            currency_to,
        })
    }
}

impl ToRequest for PairsQuery {
    fn to_request(&self) -> Result<Request> {
        let mut r = Rules::default();
        r.currency("currency_from", self.currency_from.as_deref());
        r.currency("currency_to", self.currency_to.as_deref());
        check(r.errors)?;
        Ok(Request::post(
            OperationKind::CurrenciesPairs,
            "/currencies/pairs",
            pair_body(&self.currency_from, &self.currency_to),
        ))
    }
}

impl RatesQuery {
    /// Reads `{"currency_from", "currency_to"}`.
    pub fn from_json<'a>(value: impl Into<JsonFields<'a>>) -> Result<RatesQuery> {
        let (currency_from, currency_to) = pair_fields(value)?;
        Ok(RatesQuery {
            currency_from,
            currency_to,
        })
    }
}

impl ToRequest for RatesQuery {
    fn to_request(&self) -> Result<Request> {
        let mut r = Rules::default();
        r.required("currency_from", &self.currency_from);
        r.currency("currency_from", self.currency_from.as_deref());
        r.required("currency_to", &self.currency_to);
        r.currency("currency_to", self.currency_to.as_deref());
        check(r.errors)?;
        Ok(Request::post(
            OperationKind::CurrenciesRates,
            "/currencies/rates",
            pair_body(&self.currency_from, &self.currency_to),
        ))
    }
}

/// One pair of `currencies/pairs` or `currencies/rates`.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct CurrencyPair {
    /// Source currency code.
    pub currency_from: Option<String>,
    /// Target currency code.
    pub currency_to: Option<String>,
    /// Minimum amount to exchange from the source currency.
    pub min_amount: Option<Amount>,
    /// Source side of the rate.
    pub rate_from: Option<Amount>,
    /// Target side of the rate.
    pub rate_to: Option<Amount>,
}

impl super::TypedResult for CurrencyPair {
    fn amounts(&self) -> Vec<(&'static str, Option<&Amount>)> {
        vec![
            ("min_amount", self.min_amount.as_ref()),
            ("rate_from", self.rate_from.as_ref()),
            ("rate_to", self.rate_to.as_ref()),
        ]
    }
}

impl CurrencyPair {
    /// Reads every pair of a decoded reply.
    pub fn list(response: &Response) -> Vec<CurrencyPair> {
        items(response)
            .map(|d| CurrencyPair {
                currency_from: d["currency_from"].text("currency"),
                currency_to: d["currency_to"].text("currency"),
                min_amount: d["currency_from"].amount("min_amount"),
                rate_from: d.amount("rate_from"),
                rate_to: d.amount("rate_to"),
            })
            .collect()
    }
}
