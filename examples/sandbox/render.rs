//! The JSON shapes of responses and callbacks (spec §5, §8), with the quirks applied.

use serde_json::{json, Map, Value};

use crate::catalog::Currency;
use crate::decimal::Dec;
use crate::state::{
    Address, Deposit, Exchange, Invoice, Quirks, Quote, Store, Withdrawal, FIX_PERIOD,
};

/// Money: an 8-dp string, or the same digits as a JSON number with `amounts_as_numbers`.
pub fn amount(q: &Quirks, d: Dec) -> Value {
    let text = d.fmt8();
    if q.amounts_as_numbers {
        serde_json::from_str(&text).expect("a decimal is a JSON number")
    } else {
        Value::String(text)
    }
}

/// An ID-like reference, as a number when the quirk asks and the text is all digits.
pub fn reference(as_number: bool, s: &str) -> Value {
    if as_number && !s.is_empty() && s.len() < 19 && s.bytes().all(|b| b.is_ascii_digit()) {
        serde_json::from_str(s).expect("digits are a JSON number")
    } else {
        Value::String(s.to_string())
    }
}

fn confirmations(q: &Quirks, n: u32) -> Value {
    if q.confirmations_as_string {
        Value::String(n.to_string())
    } else {
        Value::from(n)
    }
}

fn riskscore(c: &Currency) -> Value {
    match c.code {
        "BTC" | "BCH" | "ETH" | "LTC" => Value::String("0.1".into()),
        _ => Value::Null,
    }
}

fn fee(q: &Quirks, kind: &str, c: &Currency, d: Dec) -> Value {
    json!({"type": kind, "currency": c.code, "amount": amount(q, d)})
}

#[allow(clippy::too_many_arguments)]
fn blockchain_item(
    q: &Quirks,
    id: u64,
    c: &Currency,
    direction: &str,
    address: &str,
    tag: &Option<String>,
    sum: Dec,
    txid: Option<&str>,
    confirmed: bool,
) -> Value {
    json!({
        "id": id, "currency": c.code, "transaction_type": "blockchain", "type": direction,
        "address": address, "tag": tag, "amount": amount(q, sum), "txid": txid,
        "riskscore": if direction == "deposit" { riskscore(c) } else { Value::Null },
        "confirmations": confirmations(q, if confirmed { 3 } else { 0 }),
    })
}

fn exchange_item(
    q: &Quirks,
    id: u64,
    from: &Currency,
    to: &Currency,
    sent: Dec,
    got: Dec,
) -> Value {
    json!({
        "id": id, "currency": from.code, "currency_to": to.code, "transaction_type": "exchange",
        "type": "exchange", "amount": amount(q, sent), "amount_to": amount(q, got),
    })
}

pub fn address_json(q: &Quirks, a: &Address) -> Value {
    let mut m = Map::new();
    m.insert("id".into(), a.id.into());
    m.insert("currency".into(), a.currency.code.into());
    if let Some(c) = a.convert_to {
        m.insert("convert_to".into(), c.code.into());
    }
    m.insert("address".into(), a.address.clone().into());
    m.insert("tag".into(), json!(a.tag));
    m.insert("foreign_id".into(), a.foreign_id.clone().into());
    if let Some(r) = &a.end_user_reference {
        m.insert(
            "end_user_reference".into(),
            reference(q.end_user_reference_as_number, r),
        );
    }
    Value::Object(m)
}

pub fn deposit_callback(store: &Store, d: &Deposit) -> Value {
    let q = &store.quirks;
    let a = &store.addresses[d.address];
    let target = a.convert_to.unwrap_or(a.currency);
    let exchanged = target.code != a.currency.code;
    let confirmed = d.status == "confirmed";
    let mut crypto_address = Map::new();
    crypto_address.insert("id".into(), a.id.into());
    crypto_address.insert("currency".into(), a.currency.code.into());
    if let Some(c) = a.convert_to {
        crypto_address.insert("convert_to".into(), c.code.into());
    }
    crypto_address.insert("address".into(), a.address.clone().into());
    crypto_address.insert("tag".into(), json!(a.tag));
    crypto_address.insert("foreign_id".into(), a.foreign_id.clone().into());
    let mut transactions = vec![blockchain_item(
        q,
        d.item_id,
        a.currency,
        "deposit",
        &a.address,
        &a.tag,
        d.amount,
        Some(&d.txid),
        confirmed,
    )];
    let mut fees = Vec::new();
    if confirmed {
        if d.deposit_fee.is_positive() {
            fees.push(fee(q, "deposit", a.currency, d.deposit_fee));
        }
        if exchanged {
            let net = d.amount.checked_sub(d.deposit_fee).unwrap_or(Dec::ZERO);
            transactions.push(exchange_item(
                q,
                d.exchange_item_id,
                a.currency,
                target,
                net,
                d.received,
            ));
            fees.push(fee(q, "exchange", target, d.exchange_fee));
        }
    }
    let mut m = Map::new();
    m.insert("id".into(), d.id.into());
    if let Some(r) = &a.end_user_reference {
        m.insert(
            "end_user_reference".into(),
            reference(q.end_user_reference_as_number, r),
        );
    }
    m.insert(
        "type".into(),
        if exchanged {
            "deposit_exchange"
        } else {
            "deposit"
        }
        .into(),
    );
    m.insert("crypto_address".into(), Value::Object(crypto_address));
    m.insert(
        "currency_sent".into(),
        json!({"currency": a.currency.code, "amount": amount(q, d.amount)}),
    );
    m.insert(
        "currency_received".into(),
        json!({"currency": target.code, "amount": amount(q, d.received), "amount_minus_fee": amount(q, d.credited())}),
    );
    m.insert("transactions".into(), Value::Array(transactions));
    m.insert("fees".into(), Value::Array(fees));
    m.insert("error".into(), d.error.clone().into());
    m.insert("status".into(), d.status.into());
    Value::Object(m)
}

pub fn withdrawal_json(q: &Quirks, w: &Withdrawal) -> Value {
    json!({
        "id": w.id, "foreign_id": w.foreign_id,
        "end_user_reference": reference(q.end_user_reference_as_number, &w.end_user_reference),
        "type": w.kind(), "status": w.status, "amount": amount(q, w.amount),
        "sender_amount": amount(q, w.sender_amount), "sender_currency": w.from.code,
        "receiver_currency": w.to.code, "receiver_amount": amount(q, w.receiver_amount),
    })
}

pub fn withdrawal_callback(q: &Quirks, w: &Withdrawal) -> Value {
    let exchanged = w.from.code != w.to.code;
    let mut transactions = Vec::new();
    if exchanged {
        transactions.push(exchange_item(
            q,
            w.exchange_item_id,
            w.from,
            w.to,
            w.sender_amount,
            w.receiver_amount,
        ));
    }
    transactions.push(blockchain_item(
        q,
        w.item_id,
        w.to,
        "withdrawal",
        &w.address,
        &w.tag,
        w.receiver_amount,
        w.txid.as_deref(),
        w.status == "confirmed",
    ));
    let mut m = Map::new();
    m.insert("id".into(), w.id.into());
    m.insert("foreign_id".into(), w.foreign_id.clone().into());
    m.insert(
        "end_user_reference".into(),
        reference(q.end_user_reference_as_number, &w.end_user_reference),
    );
    m.insert("type".into(), w.kind().into());
    m.insert(
        "crypto_address".into(),
        json!({"id": w.item_id, "currency": w.to.code, "address": w.address, "tag": w.tag}),
    );
    // Cancelled and declined: nothing was sent, nothing charged (G1's cancelled example).
    let failed = matches!(w.status, "cancelled" | "declined");
    if !failed {
        m.insert(
            "currency_sent".into(),
            json!({"currency": w.from.code, "amount": amount(q, w.sender_amount)}),
        );
        m.insert(
            "currency_received".into(),
            json!({"currency": w.to.code, "amount": amount(q, w.receiver_amount)}),
        );
    }
    m.insert("transactions".into(), Value::Array(transactions));
    let fees = if w.fee.is_positive() && !failed {
        vec![fee(q, "withdrawal", w.from, w.fee)]
    } else {
        vec![]
    };
    m.insert("fees".into(), Value::Array(fees));
    m.insert("error".into(), w.error.clone().into());
    m.insert("status".into(), w.status.into());
    Value::Object(m)
}

fn quote_fields(q: &Quirks, quote: &Quote) -> Map<String, Value> {
    let v = json!({
        "sender_currency": quote.from.code, "sender_amount": amount(q, quote.sender_amount),
        "receiver_currency": quote.to.code, "receiver_amount": amount(q, quote.receiver_amount),
        "fee_currency": quote.from.code, "fee_amount": amount(q, quote.fee),
        "price": amount(q, quote.price),
    });
    match v {
        Value::Object(m) => m,
        _ => unreachable!(),
    }
}

pub fn quote_json(q: &Quirks, quote: &Quote) -> Value {
    let mut m = quote_fields(q, quote);
    m.insert("ts_fixed".into(), quote.ts_fixed.into());
    m.insert("ts_release".into(), (quote.ts_fixed + FIX_PERIOD).into());
    m.insert("fix_period".into(), FIX_PERIOD.into());
    Value::Object(m)
}

pub fn exchange_json(q: &Quirks, e: &Exchange) -> Value {
    let mut m = quote_fields(q, &e.quote);
    m.insert("id".into(), e.id.into());
    m.insert("foreign_id".into(), e.foreign_id.clone().into());
    m.insert("type".into(), "exchange".into());
    m.insert("status".into(), e.status.into());
    Value::Object(m)
}

pub fn exchange_callback(q: &Quirks, e: &Exchange) -> Value {
    let x = &e.quote;
    let fee_type = if x.from.fiat || x.to.fiat {
        "exchange"
    } else {
        "fee_crypto_exchange_to_crypto"
    };
    json!({
        "id": e.id, "foreign_id": e.foreign_id, "type": "exchange",
        "currency_sent": {"currency": x.from.code, "amount": amount(q, x.sender_amount)},
        "currency_received": {"currency": x.to.code, "amount": amount(q, x.receiver_amount)},
        "transactions": [exchange_item(q, e.item_id, x.from, x.to, x.sender_amount, x.receiver_amount)],
        "fees": [fee(q, fee_type, x.from, x.fee)],
        "error": e.error, "status": e.status,
    })
}

pub fn invoice_json(q: &Quirks, inv: &Invoice, now: i64) -> Value {
    let p = inv.payer.as_ref();
    json!({
        "id": inv.id,
        "url": inv.url,
        "foreign_id": reference(q.invoice_foreign_id_as_number, &inv.foreign_id),
        "end_user_reference": reference(q.end_user_reference_as_number, &inv.end_user_reference),
        "address": p.map(|p| p.address.clone()),
        "title": inv.title,
        "status": inv.status,
        "currency": inv.currency.code,
        "amount": amount(q, inv.amount),
        "sender_currency": p.map(|p| p.currency.code),
        "sender_amount": p.map(|p| amount(q, p.amount)),
        "fixed_at": inv.fixed_at,
        "release_at": inv.release_at,
        "seconds_left": inv.release_at.map(|t| (t - now).max(0)),
    })
}

pub fn invoice_callback(q: &Quirks, inv: &Invoice) -> Value {
    let mut m = Map::new();
    m.insert("id".into(), inv.id.into());
    m.insert(
        "foreign_id".into(),
        reference(q.invoice_foreign_id_as_number, &inv.foreign_id),
    );
    m.insert(
        "end_user_reference".into(),
        reference(q.end_user_reference_as_number, &inv.end_user_reference),
    );
    m.insert("type".into(), "invoice".into());
    let (transactions, fees) = match &inv.payer {
        Some(p) => {
            let mut a = Map::new();
            a.insert("id".into(), p.address_id.into());
            a.insert("currency".into(), p.currency.code.into());
            if p.currency.code != inv.currency.code {
                a.insert("convert_to".into(), inv.currency.code.into());
            }
            a.insert("address".into(), p.address.clone().into());
            a.insert("tag".into(), json!(p.tag));
            m.insert("crypto_address".into(), Value::Object(a));
            m.insert(
                "currency_sent".into(),
                json!({"currency": p.currency.code, "amount": amount(q, p.amount), "remaining_amount": amount(q, inv.remaining())}),
            );
            let txs: Vec<Value> = inv
                .payments
                .iter()
                .map(|x| {
                    blockchain_item(
                        q,
                        x.id,
                        p.currency,
                        "deposit",
                        &p.address,
                        &p.tag,
                        x.amount,
                        Some(&x.txid),
                        x.confirmed,
                    )
                })
                .collect();
            let fees = if inv.fee().is_positive() && inv.status == "confirmed" {
                vec![fee(q, "fee_crypto_deposit", p.currency, inv.fee())]
            } else {
                vec![]
            };
            (txs, fees)
        }
        None => {
            m.insert(
                "currency_sent".into(),
                json!({"currency": inv.currency.code, "amount": amount(q, inv.amount), "remaining_amount": amount(q, inv.amount)}),
            );
            (vec![], vec![])
        }
    };
    m.insert(
        "currency_received".into(),
        json!({"currency": inv.currency.code, "amount": amount(q, inv.received())}),
    );
    m.insert("transactions".into(), Value::Array(transactions));
    m.insert("fees".into(), Value::Array(fees));
    m.insert("error".into(), inv.error.clone().into());
    m.insert("status".into(), inv.status.into());
    m.insert("fixed_at".into(), json!(inv.fixed_at));
    m.insert("expires_at".into(), json!(inv.expires_at));
    Value::Object(m)
}

/// `transactions/info`: the callback shape, statuses mapped to the external vocabulary (§5.13).
pub fn transaction_info(store: &Store, id: u64) -> Option<Value> {
    let q = &store.quirks;
    let mut v = if let Some(d) = store.deposits.get(&id) {
        deposit_callback(store, d)
    } else if let Some(w) = store.withdrawals.get(&id) {
        withdrawal_callback(q, w)
    } else if let Some(e) = store.exchanges.get(&id) {
        exchange_callback(q, e)
    } else {
        invoice_callback(q, store.invoices.get(&id)?)
    };
    let status = v["status"].as_str().unwrap_or("").to_string();
    let mapped = match status.as_str() {
        "processing" | "verifying" => "not_confirmed",
        "created" => "pending",
        "failed" | "error" | "rejected" => "cancelled",
        other => other,
    };
    v["status"] = mapped.into();
    Some(v)
}
