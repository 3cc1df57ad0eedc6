//! The merchant API under `/api/v2`, and payment requests under `/api/payments/v1`: routing,
//! the auth checks over the raw bytes, and one handler per operation with the service's
//! validation rules.

use std::net::IpAddr;

use serde_json::{json, Value};

use crate::catalog::{self, Currency, CURRENCIES};
use crate::decimal::{Dec, Round};
use crate::http::{Request, Response};
use crate::payments;
use crate::render;
use crate::server::App;
use crate::state::{Invoice, Store, FIX_PERIOD, INVOICE_TIMER, MAX_OBJECTS};
use crate::switches::CancelReply;
use crate::validate::{attr, Fields};

#[derive(Clone, PartialEq)]
pub enum Route {
    Ping,
    AccountsList,
    CurrenciesList,
    CurrenciesPairs,
    CurrenciesRates,
    AddressesTake,
    WithdrawalCrypto,
    ExchangeCalculate,
    ExchangeFixed,
    ExchangeNow,
    InvoicesCreate,
    InvoicesCancel(String),
    TransactionsInfo,
    /// `POST /api/payments/v1/requests`, beside the v2 API.
    PaymentRequestsCreate,
    Unknown,
}

/// Every route at a fixed path: its method and path (also the key of its request counter).
const FIXED: &[(&str, &str, Route)] = &[
    ("GET", "/api/v2/ping", Route::Ping),
    ("POST", "/api/v2/accounts/list", Route::AccountsList),
    ("POST", "/api/v2/currencies/list", Route::CurrenciesList),
    ("POST", "/api/v2/currencies/pairs", Route::CurrenciesPairs),
    ("POST", "/api/v2/currencies/rates", Route::CurrenciesRates),
    ("POST", "/api/v2/addresses/take", Route::AddressesTake),
    ("POST", "/api/v2/withdrawal/crypto", Route::WithdrawalCrypto),
    (
        "POST",
        "/api/v2/exchange/calculate",
        Route::ExchangeCalculate,
    ),
    ("POST", "/api/v2/exchange/fixed", Route::ExchangeFixed),
    ("POST", "/api/v2/exchange/now", Route::ExchangeNow),
    ("POST", "/api/v2/invoices/create", Route::InvoicesCreate),
    ("GET", "/api/v2/transactions/info", Route::TransactionsInfo),
    ("POST", payments::PATH, Route::PaymentRequestsCreate),
];

impl Route {
    pub fn of(req: &Request) -> Route {
        if let Some((_, _, route)) = FIXED
            .iter()
            .find(|(method, path, _)| req.method == *method && req.path == *path)
        {
            return route.clone();
        }
        let cancel = req
            .path
            .strip_prefix("/api/v2/invoices/")
            .and_then(|r| r.strip_suffix("/cancel/"));
        match cancel {
            Some(fid) if req.method == "POST" && !fid.is_empty() && !fid.contains('/') => {
                Route::InvoicesCancel(percent_decode(fid))
            }
            _ => Route::Unknown,
        }
    }

    /// The key of the request counters.
    pub fn name(&self) -> &'static str {
        match self {
            Route::InvoicesCancel(_) => "/api/v2/invoices/{foreign_id}/cancel/",
            Route::Unknown => "(unknown path)",
            fixed => {
                let (_, path, _) = FIXED
                    .iter()
                    .find(|(_, _, route)| route == fixed)
                    .expect("every other route is in FIXED");
                path
            }
        }
    }
}

pub fn percent_decode(s: &str) -> String {
    let hex = |c: u8| (c as char).to_digit(16).map(|d| d as u8);
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' && i + 2 < b.len() {
            if let (Some(h), Some(l)) = (hex(b[i + 1]), hex(b[i + 2])) {
                out.push(h << 4 | l);
                i += 3;
                continue;
            }
        }
        out.push(b[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn auth_error(status: u16, code: &str, text: &str) -> Response {
    Response::json(
        status,
        json!({"error": text, "code": code})
            .to_string()
            .into_bytes(),
    )
}

fn data(status: u16, v: Value) -> Response {
    Response::json(status, json!({ "data": v }).to_string().into_bytes())
}

fn errors(v: Value) -> Response {
    Response::json(400, v.to_string().into_bytes())
}

fn field_error(field: &str, message: &str) -> Response {
    errors(json!({"errors": {field: message}}))
}

fn storage_full() -> Response {
    Response::json(
        503,
        json!({"error": "Sandbox storage is full; POST /_sandbox/reset", "code": "sandbox_full"})
            .to_string()
            .into_bytes(),
    )
}

/// The checks every signed request passes, in the order of spec §4.1, over the raw bytes.
fn authenticate(app: &App, req: &Request) -> Result<Value, Response> {
    let json_type = req
        .header("content-type")
        .and_then(|v| v.split(';').next())
        .is_some_and(|t| t.trim().eq_ignore_ascii_case("application/json"));
    let body: Option<Value> = if json_type {
        serde_json::from_slice(&req.body).ok()
    } else {
        None
    };
    let Some(body) = body else {
        return Err(auth_error(400, "bad_content_format", "Bad content format"));
    };
    match req.header("x-processing-key") {
        None | Some("") => return Err(auth_error(403, "required_header_key", "No key header")),
        Some(k) if k != app.cfg.key => {
            return Err(auth_error(403, "bad_header_key", "Bad key header"))
        }
        Some(_) => {}
    }
    match req.header("x-processing-signature") {
        None | Some("") => Err(auth_error(
            403,
            "required_header_signature",
            "No signature header",
        )),
        Some(s) if !app.cfg.signer.verify(&req.body, s) => Err(auth_error(
            403,
            "bad_header_signature",
            "Bad signature header",
        )),
        Some(_) => Ok(body),
    }
}

pub fn handle(app: &App, req: &Request, route: Route, peer: IpAddr) -> Response {
    match route {
        Route::Ping => return Response::text(200, "text/html; charset=UTF-8", "OK"),
        Route::Unknown => return auth_error(403, "required_header_key", "No key header"),
        Route::ExchangeCalculate if app.store().rate_limited(peer) => {
            return Response::text(429, "text/plain; charset=UTF-8", "error code: 1015");
        }
        _ => {}
    }
    let body = match authenticate(app, req) {
        Ok(b) => b,
        Err(resp) => return resp,
    };
    let mut store = app.store();
    let s = &mut *store;
    match route {
        Route::AccountsList => accounts_list(s),
        Route::CurrenciesList => currencies_list(s, &body),
        Route::CurrenciesPairs => currencies_pairs(s, &body),
        Route::CurrenciesRates => currencies_rates(s, &body),
        Route::AddressesTake => addresses_take(s, &body),
        Route::WithdrawalCrypto => withdrawal_crypto(s, &body),
        Route::ExchangeCalculate => exchange(s, &body, Mode::Calculate),
        Route::ExchangeFixed => exchange(s, &body, Mode::Fixed),
        Route::ExchangeNow => exchange(s, &body, Mode::Now),
        Route::InvoicesCreate => invoices_create(app, s, &body),
        Route::InvoicesCancel(fid) => invoices_cancel(s, &fid),
        Route::TransactionsInfo => transactions_info(s, &body),
        Route::PaymentRequestsCreate => payment_requests_create(app, s, &body),
        Route::Ping | Route::Unknown => unreachable!("answered above"),
    }
}

fn accounts_list(s: &Store) -> Response {
    let list: Vec<Value> = CURRENCIES
        .iter()
        .filter(|c| c.visible)
        .map(|c| {
            json!({"currency": c.code, "type": kind(c), "balance": render::amount(&s.quirks, s.balance(c))})
        })
        .collect();
    data(200, Value::Array(list))
}

fn kind(c: &Currency) -> &'static str {
    if c.fiat {
        "fiat"
    } else {
        "crypto"
    }
}

fn currencies_list(s: &Store, body: &Value) -> Response {
    let mut f = Fields::new(body);
    let visible = f.boolean("visible", false).unwrap_or(true);
    if !f.errors.is_empty() {
        return errors(f.errors.to_json());
    }
    let list: Vec<Value> = CURRENCIES
        .iter()
        .filter(|c| c.visible == visible)
        .map(|c| {
            json!({
                "id": c.id, "type": kind(c), "currency": c.code,
                "minimum_amount": render::amount(&s.quirks, catalog::d(c.min_deposit)),
                "deposit_fee_percent": catalog::d(c.deposit_fee).fmt_dp(6),
                "withdrawal_fee_percent": catalog::d(c.withdrawal_fee).fmt_dp(6),
                "precision": c.precision,
            })
        })
        .collect();
    data(200, Value::Array(list))
}

fn pair_json(s: &Store, from: &Currency, to: &Currency) -> Value {
    let q = &s.quirks;
    let mut cf = json!({"currency": from.code, "type": kind(from), "min_amount": render::amount(q, catalog::d(from.min_exchange))});
    if !from.fiat {
        cf["min_amount_deposit_with_exchange"] = render::amount(q, catalog::d(from.min_deposit));
    }
    json!({
        "currency_from": cf,
        "currency_to": {"currency": to.code, "type": kind(to)},
        "rate_from": "1",
        "rate_to": render::amount(q, catalog::price(from, to)),
    })
}

fn currencies_pairs(s: &Store, body: &Value) -> Response {
    let mut f = Fields::new(body);
    let from = f.currency("currency_from", false);
    let to = f.currency("currency_to", false);
    if !f.errors.is_empty() {
        return errors(f.errors.to_json());
    }
    let mut list = Vec::new();
    for a in CURRENCIES {
        for b in CURRENCIES {
            if catalog::exchangeable(a, b)
                && from.is_none_or(|x| x.code == a.code)
                && to.is_none_or(|x| x.code == b.code)
            {
                list.push(pair_json(s, a, b));
            }
        }
    }
    data(200, Value::Array(list))
}

fn currencies_rates(s: &Store, body: &Value) -> Response {
    let mut f = Fields::new(body);
    let from = f.currency("currency_from", true);
    let to = f.currency("currency_to", true);
    let (Some(from), Some(to)) = (from, to) else {
        return errors(f.errors.to_json());
    };
    if !catalog::exchangeable(from, to) {
        return field_error(
            "currency_from",
            "Exchange is unavailable for given currencies",
        );
    }
    data(200, json!([pair_json(s, from, to)]))
}

/// `sender_type`/`sender_data` (and the receiver's): §5.0. `dob_required`: a natural
/// person's `date_of_birth` is required (v2) or optional (payment requests).
pub fn party(f: &mut Fields, who: &str, allowed: &[&str], dob_required: bool) {
    let type_field = format!("{who}_type");
    let data_field = format!("{who}_data");
    let kind = f.one_of(&type_field, false, allowed);
    let Some(party) = f.get(&data_field) else {
        return;
    };
    if !f.present(&type_field) {
        let (t, d) = (attr(&type_field), attr(&data_field));
        f.fail(
            &type_field,
            format!("The {t} field is required when {d} is present."),
        );
    }
    if !party.is_object() {
        let d = attr(&data_field);
        f.fail(&data_field, format!("The {d} must be an array."));
        return;
    }
    let errors = std::mem::take(&mut f.errors);
    let mut n = Fields::nested(party, &data_field, errors);
    match kind.as_deref() {
        Some("natural") => {
            n.string("first_name", true, 255);
            n.string("last_name", true, 255);
            if let Some(date) = n.string("date_of_birth", dob_required, 10) {
                if !is_date(&date) {
                    let a = attr(&format!("{data_field}.date_of_birth"));
                    n.fail(
                        "date_of_birth",
                        format!("The {a} does not match the format Y-m-d."),
                    );
                }
            }
            n.email("email", false);
        }
        Some("legal") => {
            n.string("legal_name", true, 255);
            if let Some(c) = n.string("country_of_registration", true, 3) {
                if c.len() != 3 || !c.bytes().all(|b| b.is_ascii_uppercase()) {
                    let a = attr(&format!("{data_field}.country_of_registration"));
                    n.fail(
                        "country_of_registration",
                        format!("The {a} must be 3 characters."),
                    );
                }
            }
            n.email("email", false);
        }
        _ => {}
    }
    f.errors = n.errors;
}

/// `{who}_type` and `{who}_data` as sent (after `party` checked them), to echo them back.
pub fn party_as_sent(f: &Fields, who: &str) -> (Option<String>, Option<Value>) {
    let kind = f.get(&format!("{who}_type")).and_then(Value::as_str);
    (
        kind.map(str::to_string),
        f.get(&format!("{who}_data")).cloned(),
    )
}

/// A `foreign_id` already `taken` by an object of the same kind: refused, with the service's
/// message. Documented for invoices/create only; for the other operations a sandbox choice
/// (the `refuse_duplicate_foreign_id` switch, which their `taken` checks).
pub fn foreign_id_unique(
    f: &mut Fields,
    foreign_id: &Option<String>,
    taken: impl FnOnce(&str) -> bool,
) {
    if foreign_id.as_deref().is_some_and(taken) {
        f.fail("foreign_id", "The foreign id has already been taken.");
    }
}

/// The currency pair and the one amount (`true`: the first of its two fields) of a
/// withdrawal or an exchange, once every field passed; `None` while `f` has errors.
fn valid_pair(
    f: &Fields,
    from: Option<&'static Currency>,
    to: Option<&'static Currency>,
    amount: Option<(bool, Dec)>,
) -> Option<(&'static Currency, &'static Currency, (bool, Dec))> {
    if !f.errors.is_empty() {
        return None;
    }
    Some((
        from.expect("validated"),
        to.expect("validated"),
        amount.expect("validated"),
    ))
}

fn is_date(s: &str) -> bool {
    let b = s.as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return false;
    }
    let num = |r: std::ops::Range<usize>| s[r].parse::<u32>().ok();
    matches!((num(0..4), num(5..7), num(8..10)), (Some(_), Some(m), Some(d)) if (1..=12).contains(&m) && (1..=31).contains(&d))
}

fn addresses_take(s: &mut Store, body: &Value) -> Response {
    let mut f = Fields::new(body);
    let currency = f.currency("currency", true);
    if currency.is_some_and(|c| c.fiat) {
        f.fail("currency", "The selected currency is invalid.");
    }
    let convert_to = f.currency("convert_to", false);
    if let (Some(c), Some(t)) = (currency, convert_to) {
        if !catalog::exchangeable(c, t) {
            f.fail("convert_to", "The selected convert to is invalid.");
        }
    }
    let foreign_id = f.reference("foreign_id", true, 255);
    let eur = f.reference("end_user_reference", true, 255);
    party(&mut f, "sender", &["natural", "legal"], true);
    if !f.errors.is_empty() {
        return errors(f.errors.to_json());
    }
    if s.objects() >= MAX_OBJECTS {
        return storage_full();
    }
    let currency = currency.expect("validated");
    let i = s.take_address(currency, convert_to, foreign_id.expect("validated"), eur);
    data(201, render::address_json(&s.quirks, &s.addresses[i]))
}

const NO_MONEY: &str = "Not enough money on balance";

fn withdrawal_crypto(s: &mut Store, body: &Value) -> Response {
    let mut f = Fields::new(body);
    let from = f.currency("currency", true);
    let convert_to = f.currency("convert_to", false);
    let address = f.string("address", true, 255);
    let tag = f.reference("tag", false, 255);
    let amount = f.one_amount("amount", "amount_to");
    if f.present("amount_to") && !f.present("convert_to") {
        f.fail(
            "convert_to",
            "The convert to field is required when amount to is present.",
        );
    }
    let foreign_id = f.reference("foreign_id", true, 255);
    let eur = f.reference("end_user_reference", true, 255);
    party(&mut f, "sender", &["natural", "legal"], true);
    party(&mut f, "receiver", &["natural", "legal", "self"], true);
    let to = convert_to.or(from);
    match (from, convert_to) {
        (Some(a), Some(b)) if !catalog::exchangeable(a, b) || b.fiat => {
            f.fail("convert_to", "The selected convert to is invalid.");
        }
        (Some(a), None) if a.fiat => f.fail("currency", "The selected currency is invalid."),
        _ => {}
    }
    foreign_id_unique(&mut f, &foreign_id, |fid| {
        s.switches.refuse_duplicate_foreign_id && s.withdrawal_fids.contains_key(fid)
    });
    // Each amount field is held to the minimum of its own currency.
    if let (Some(from), Some(to), Some((is_amount, a))) = (from, to, amount) {
        let (field, c) = if is_amount {
            ("amount", from)
        } else {
            ("amount_to", to)
        };
        let min = catalog::d(c.min_withdrawal);
        if a < min {
            f.fail(
                field,
                format!("The {} must be at least {}.", attr(field), min.fmt_trim()),
            );
        }
    }
    let Some((from, to, (is_amount, a))) = valid_pair(&f, from, to, amount) else {
        return errors(f.errors.to_json());
    };
    let price = catalog::price(from, to);
    let (sender, receiver) = if is_amount {
        (a, a.mul(price, Round::Down))
    } else {
        (a.div(price, Round::Up), a)
    };
    let fee = sender.mul(catalog::d(from.withdrawal_fee), Round::HalfUp);
    if sender
        .checked_add(fee)
        .is_none_or(|need| need > s.balance(from))
    {
        return field_error(if is_amount { "amount" } else { "amount_to" }, NO_MONEY);
    }
    if s.objects() >= MAX_OBJECTS {
        return storage_full();
    }
    let id = s.withdraw(
        from,
        to,
        address.expect("validated"),
        tag,
        a,
        sender,
        receiver,
        fee,
        foreign_id.expect("validated"),
        eur.expect("validated"),
    );
    data(201, render::withdrawal_json(&s.quirks, &s.withdrawals[&id]))
}

#[derive(PartialEq, Eq, Clone, Copy)]
enum Mode {
    Calculate,
    Fixed,
    Now,
}

fn exchange(s: &mut Store, body: &Value, mode: Mode) -> Response {
    let mut f = Fields::new(body);
    let from = f.currency("sender_currency", true);
    let to = f.currency("receiver_currency", true);
    let amount = f.one_amount("sender_amount", "receiver_amount");
    f.integer("price_precision", false);
    let foreign_id = if mode == Mode::Calculate {
        None
    } else {
        f.reference("foreign_id", true, 255)
    };
    let price = if mode == Mode::Fixed {
        f.amount("price", true)
    } else {
        None
    };
    if let (Some(a), Some(b)) = (from, to) {
        if !catalog::exchangeable(a, b) {
            f.fail(
                "sender_currency",
                "Exchange is unavailable for given currencies",
            );
        }
    }
    foreign_id_unique(&mut f, &foreign_id, |fid| {
        s.switches.refuse_duplicate_foreign_id && s.exchange_fids.contains_key(fid)
    });
    let Some((from, to, (is_sender, a))) = valid_pair(&f, from, to, amount) else {
        return errors(f.errors.to_json());
    };
    let field = if is_sender {
        "sender_amount"
    } else {
        "receiver_amount"
    };
    let quote = match price {
        None => s.quote(from, to, a, is_sender),
        Some(price) => {
            // exchange/fixed: the price and amount of a quote from exchange/calculate, in time.
            let now = s.now();
            let matching: Vec<_> = s
                .quotes
                .iter()
                .filter(|q| {
                    q.from.code == from.code
                        && q.to.code == to.code
                        && q.price == price
                        && if is_sender {
                            q.sender_amount == a
                        } else {
                            q.receiver_amount == a
                        }
                })
                .collect();
            match matching.iter().find(|q| now <= q.ts_fixed + FIX_PERIOD) {
                Some(q) => (*q).clone(),
                None if matching.is_empty() => return field_error(
                    "price",
                    "The price does not match a quote; request a new one with exchange/calculate.",
                ),
                None => {
                    return field_error(
                        "price",
                        "The quote has expired; request a new one with exchange/calculate.",
                    )
                }
            }
        }
    };
    let min = catalog::d(from.min_exchange);
    if quote.sender_amount < min {
        return field_error(
            field,
            &format!("The amount must be at least {} ", min.fmt8()),
        );
    }
    if mode == Mode::Calculate {
        return data(200, render::quote_json(&s.quirks, &quote));
    }
    if quote
        .sender_amount
        .checked_add(quote.fee)
        .is_none_or(|need| need > s.balance(from))
    {
        return field_error(field, NO_MONEY);
    }
    if s.objects() >= MAX_OBJECTS {
        return storage_full();
    }
    let id = s.exchange(quote, foreign_id.expect("validated"));
    data(201, render::exchange_json(&s.quirks, &s.exchanges[&id]))
}

fn invoices_create(app: &App, s: &mut Store, body: &Value) -> Response {
    let mut f = Fields::new(body);
    let timer = f.boolean("timer", true);
    let title = f.string("title", true, 50);
    let description = f.string("description", false, 1000);
    let currency = f.currency("currency", true);
    let amount = f.amount("amount", true);
    let sender_currency = f.currency("sender_currency", false);
    let foreign_id = f.reference("foreign_id", true, 255);
    let eur = f.reference("end_user_reference", true, 255);
    let url_success = f.https_url("url_success", false);
    let url_failed = f.https_url("url_failed", false);
    let email_user = f.email("email_user", false);
    let kind = f.one_of("type", false, &["fill_or_kill", "good_until_expired"]);
    party(&mut f, "sender", &["natural", "legal"], true);
    if let (Some(c), Some(sc)) = (currency, sender_currency) {
        if sc.fiat || (sc.code != c.code && !catalog::exchangeable(sc, c)) {
            f.fail(
                "sender_currency",
                "The selected sender currency is invalid.",
            );
        }
    }
    if let (Some(c), Some(a)) = (currency, amount) {
        let min = catalog::d(c.min_invoice);
        if a < min {
            f.fail(
                "amount",
                format!(
                    "The amount is too small. The minimum amount is {} {}.",
                    min.fmt_dp(c.precision),
                    c.code
                ),
            );
        }
    }
    foreign_id_unique(&mut f, &foreign_id, |fid| s.invoice_by_fid(fid).is_some());
    if !f.errors.is_empty() {
        return errors(f.errors.to_json());
    }
    if s.objects() >= MAX_OBJECTS {
        return storage_full();
    }
    let (timer, now) = (timer.expect("validated"), s.now());
    let (sender_type, sender_data) = party_as_sent(&f, "sender");
    let (id, slug) = s.new_invoice_id();
    let mut inv = Invoice {
        id,
        url: format!("{}/invoice/{slug}", app.cfg.origin),
        foreign_id: foreign_id.expect("validated"),
        end_user_reference: eur.expect("validated"),
        title: title.expect("validated"),
        description,
        currency: currency.expect("validated"),
        amount: amount.expect("validated"),
        kind: if kind.as_deref() == Some("good_until_expired") {
            "good_until_expired"
        } else {
            "fill_or_kill"
        },
        timer,
        requested_sender_currency: sender_currency,
        url_success,
        url_failed,
        email_user,
        sender_type,
        sender_data,
        status: if timer { "pending" } else { "created" },
        payer: None,
        fixed_at: timer.then_some(now),
        release_at: timer.then_some(now + INVOICE_TIMER),
        expires_at: timer.then_some(now + INVOICE_TIMER),
        payments: Vec::new(),
        paid: Dec::ZERO,
        credited: Dec::ZERO,
        error: String::new(),
        created_at: now,
    };
    if let (true, Some(sc)) = (timer, sender_currency) {
        s.fix_payer(&mut inv, sc); // type 3: the payment currency is fixed from the start
    }
    let v = render::invoice_json(&s.quirks, &inv, now);
    s.insert_invoice(inv);
    data(
        if s.quirks.invoice_create_201 {
            201
        } else {
            200
        },
        v,
    )
}

fn invoices_cancel(s: &mut Store, foreign_id: &str) -> Response {
    let Some(id) = s.invoice_by_fid(foreign_id) else {
        return Response::json(
            404,
            json!({"errors": {"error": "Invoice not found.", "code": "invoice_not_found"}})
                .to_string()
                .into_bytes(),
        );
    };
    if !s.cancel_invoice(id) {
        return errors(json!({"errors": {
            "error": "Invoice cannot be failed in its current state.",
            "code": "invalid_invoice_state"
        }}));
    }
    // The success body is undocumented ("OK"): the cancel_reply switch picks one.
    let body = match s.switches.cancel_reply {
        CancelReply::Invoice => {
            let now = s.now();
            return data(200, render::invoice_json(&s.quirks, &s.invoices[&id], now));
        }
        CancelReply::OkText => return Response::text(200, "text/plain; charset=UTF-8", "OK"),
        CancelReply::EmptyArray => json!([]),
        CancelReply::EmptyObject => json!({}),
        CancelReply::OkString => json!("OK"),
        CancelReply::MessageOk => json!({"message": "OK"}),
    };
    Response::json(200, body.to_string().into_bytes())
}

fn transactions_info(s: &Store, body: &Value) -> Response {
    let mut f = Fields::new(body);
    let given = ["id", "foreign_id", "txid"]
        .iter()
        .filter(|k| f.get(k).is_some())
        .count();
    if given == 0 {
        return errors(json!({"errors": {"error": "No parameters present"}}));
    }
    if given > 1 {
        return Response::json(
            404,
            json!({"errors": {"error": "Validation Exception: more than one param is present"}})
                .to_string()
                .into_bytes(),
        );
    }
    let id = if f.get("id").is_some() {
        f.integer("id", true).map(|i| i as u64)
    } else if let Some(fid) = f.reference("foreign_id", false, 255) {
        s.withdrawal_fids
            .get(&fid)
            .or_else(|| s.exchange_fids.get(&fid))
            .or_else(|| s.invoice_fids.get(&fid))
            .copied()
            .or(Some(0))
    } else {
        f.string("txid", true, 255)
            .map(|t| s.txids.get(&t).copied().unwrap_or(0))
    };
    if !f.errors.is_empty() {
        return errors(f.errors.to_json());
    }
    match id.and_then(|id| render::transaction_info(s, id)) {
        Some(v) => Response::json(200, v.to_string().into_bytes()),
        None => Response::json(
            404,
            json!({"errors": {"error": "Transaction not found"}})
                .to_string()
                .into_bytes(),
        ),
    }
}

/// `POST /api/payments/v1/requests`: 200 `{"data": ...}` (the docs show no status code).
fn payment_requests_create(app: &App, s: &mut Store, body: &Value) -> Response {
    let new = match payments::validate(s, body) {
        Ok(n) => n,
        Err(e) => return errors(e),
    };
    if s.objects() >= MAX_OBJECTS {
        return storage_full();
    }
    let key = s.create_payment_request(new, &app.cfg.origin);
    data(200, payments::reply_json(&s.payment_requests[&key]))
}
