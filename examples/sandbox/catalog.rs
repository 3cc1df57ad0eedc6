//! The sandbox's fixed market: currencies, their limits and fees, reference rates.

use crate::decimal::{Dec, Round};

pub struct Currency {
    pub id: u32,
    pub code: &'static str,
    pub fiat: bool,
    pub precision: u32,
    /// Reference value of one unit in EUR.
    pub eur: &'static str,
    pub min_deposit: &'static str,
    pub deposit_fee: &'static str,
    pub withdrawal_fee: &'static str,
    pub min_withdrawal: &'static str,
    pub min_exchange: &'static str,
    pub min_invoice: &'static str,
    /// `false`: listed by `currencies/list` with `visible: false` only, refused elsewhere.
    pub visible: bool,
    /// Destination tag / memo chain: addresses come with a `tag`.
    pub tagged: bool,
    pub initial_balance: &'static str,
}

#[allow(clippy::too_many_arguments)]
const fn cur(
    id: u32,
    code: &'static str,
    fiat: bool,
    precision: u32,
    eur: &'static str,
    limits: [&'static str; 6],
    visible: bool,
    initial_balance: &'static str,
) -> Currency {
    Currency {
        id,
        code,
        fiat,
        precision,
        eur,
        min_deposit: limits[0],
        deposit_fee: limits[1],
        withdrawal_fee: limits[2],
        min_withdrawal: limits[3],
        min_exchange: limits[4],
        min_invoice: limits[5],
        visible,
        tagged: matches!(code.as_bytes(), b"XRP"),
        initial_balance,
    }
}

/// id, code, fiat, precision, value in EUR,
/// [min deposit, deposit fee, withdrawal fee, min withdrawal, min exchange, min invoice],
/// enabled, initial balance. Fees are fractions of the amount.
#[rustfmt::skip]
pub static CURRENCIES: &[Currency] = &[
    cur(1, "BTC", false, 8, "58321.4517", ["0.0002", "0.0007", "0.001", "0.001", "0.003", "0.0002"], true, "2.5"),
    cur(2, "ETH", false, 8, "2841.7329", ["0.005", "0.0007", "0.001", "0.01", "0.05", "0.005"], true, "40"),
    cur(3, "LTC", false, 8, "71.2648", ["0.01", "0.0007", "0.001", "0.01", "1", "0.1"], true, "300"),
    cur(4, "XRP", false, 6, "0.4823", ["1", "0.0007", "0.001", "20", "50", "20"], true, "50000"),
    cur(5, "USDTT", false, 6, "0.9187", ["1", "0.001", "0.001", "10", "10", "10"], true, "100000"),
    cur(6, "USDTE", false, 6, "0.9187", ["10", "0.001", "0.001", "20", "10", "10"], true, "100000"),
    cur(7, "USDC", false, 6, "0.9191", ["10", "0.001", "0.001", "20", "10", "10"], true, "25000"),
    cur(8, "BCH", false, 8, "301.2", ["0.001", "0.0007", "0.001", "0.01", "0.05", "0.05"], false, "0"),
    cur(9, "EUR", true, 2, "1", ["10", "0", "0", "10", "10", "10"], true, "100000"),
    cur(10, "USD", true, 2, "0.9185", ["10", "0", "0", "10", "10", "10"], true, "50000"),
];

/// Exchange fee, a fraction of the sender amount, charged in the sender currency.
pub const EXCHANGE_FEE: &str = "0.005";

pub fn find(code: &str) -> Option<&'static Currency> {
    CURRENCIES.iter().find(|c| c.code == code)
}

/// A currency the API accepts as input (known and enabled).
pub fn visible(code: &str) -> Option<&'static Currency> {
    find(code).filter(|c| c.visible)
}

pub fn d(text: &str) -> Dec {
    Dec::parse(text).expect("catalog decimals are valid")
}

/// Exchanges run between visible currencies, never fiat to fiat, never to itself.
pub fn exchangeable(from: &Currency, to: &Currency) -> bool {
    from.visible && to.visible && from.code != to.code && !(from.fiat && to.fiat)
}

/// Units of `to` per one unit of `from`, 8 decimal places.
pub fn price(from: &Currency, to: &Currency) -> Dec {
    d(from.eur).div(d(to.eur), Round::HalfUp)
}

/// `amount` of `from` expressed in `to`.
pub fn convert(amount: Dec, from: &Currency, to: &Currency, round: Round) -> Dec {
    if from.code == to.code {
        return amount;
    }
    amount.mul_div(d(from.eur), d(to.eur), round)
}
