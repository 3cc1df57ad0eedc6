//! Payment requests: `POST /api/payments/v1/requests` (signed like v2), the hosted payment
//! link, the lifecycle (`created` -> `processing` -> `paid`, `failed`, `expired`, late
//! payments) driven from the control API and the clock, and their signed callbacks (type
//! `payment_request`). Spec: payment-requests-and-callbacks.md §1.4-1.11; where it says
//! UNKNOWN the choices are listed in `--help`.

use serde_json::{json, Map, Value};

use crate::api::{foreign_id_unique, party, party_as_sent};
use crate::catalog::{self, Currency};
use crate::decimal::{Dec, Round};
use crate::state::{refuse, Refused, Store};
use crate::switches::LateStatus;
use crate::validate::{attr, Fields};

/// The create path, beside `/api/v2`.
pub const PATH: &str = "/api/payments/v1/requests";
/// Rate lock when the payer's currency differs from the requested one (§1.4: "1 hour or the
/// lifespan, whichever is shorter").
pub const RATE_LOCK: i64 = 3600;
/// Lifetime bounds (UNKNOWN in the docs; "minutes to weeks"): 1 minute to 30 days.
pub const MIN_LIFETIME: i64 = 60;
pub const MAX_LIFETIME: i64 = 30 * 24 * 3600;

/// The crypto `{iso, network_name}` pairs the sandbox serves (names from §1.6's table), each
/// mapped to a currency of the sandbox's market; the first network of an ISO is its default.
const NETWORKS: &[(&str, &str, &str)] = &[
    ("BTC", "bitcoin", "BTC"),
    ("ETH", "ethereum", "ETH"),
    ("LTC", "litecoin", "LTC"),
    ("XRP", "ripple", "XRP"),
    ("USDT", "tron", "USDTT"),
    ("USDT", "ethereum", "USDTE"),
    ("USDC", "ethereum", "USDC"),
];
/// Fiat ISO codes a merchant may request (no network).
const FIAT: &[&str] = &["EUR", "USD"];

/// A currency as payment requests name it: `{"iso": ..., "network_name": ...}`.
#[derive(Clone, Copy)]
pub struct PrCurrency {
    pub iso: &'static str,
    /// As the merchant gave it (`None`: not given, or fiat).
    pub network: Option<&'static str>,
    /// The sandbox market's currency behind it (rates, balances).
    pub cur: &'static Currency,
}

/// Why an `{iso, network_name}` pair is refused.
#[derive(Debug, PartialEq, Eq)]
pub enum Unknown {
    Iso,
    Network,
}

impl PrCurrency {
    /// `crypto_only`: refuse fiat (`payment_currency`, §1.6 "only a cryptocurrency").
    pub fn lookup(iso: &str, network: Option<&str>, crypto_only: bool) -> Result<Self, Unknown> {
        if let Some(f) = FIAT.iter().find(|f| **f == iso) {
            if crypto_only {
                return Err(Unknown::Iso);
            }
            if network.is_some() {
                return Err(Unknown::Network);
            }
            let cur = catalog::visible(f).ok_or(Unknown::Iso)?;
            return Ok(PrCurrency {
                iso: f,
                network: None,
                cur,
            });
        }
        let mut rows = NETWORKS.iter().filter(|(i, _, _)| *i == iso).peekable();
        let first = *rows.peek().ok_or(Unknown::Iso)?;
        let row = match network {
            None => first,
            Some(n) => rows.find(|(_, net, _)| *net == n).ok_or(Unknown::Network)?,
        };
        Ok(PrCurrency {
            iso: row.0,
            network: network.map(|_| row.1),
            cur: catalog::visible(row.2).ok_or(Unknown::Iso)?,
        })
    }

    /// The network filled in (a crypto currency paid without one goes on its default).
    pub fn resolved(self) -> PrCurrency {
        if self.cur.fiat || self.network.is_some() {
            return self;
        }
        let row = NETWORKS
            .iter()
            .find(|(_, _, code)| *code == self.cur.code)
            .expect("crypto currencies come from NETWORKS");
        PrCurrency {
            network: Some(row.1),
            ..self
        }
    }

    /// `{"iso": ...}`, with `network_name` when there is one.
    pub fn json(&self) -> Value {
        match self.network {
            Some(n) => json!({"iso": self.iso, "network_name": n}),
            None => json!({"iso": self.iso}),
        }
    }

    /// The same currency and network (an ISO without a network is its default network).
    pub fn same_as(&self, o: &PrCurrency) -> bool {
        self.cur.code == o.cur.code
    }
}

/// Where and how much the payer sends, fixed when the payer proceeds (or at creation with
/// `payment_currency`).
pub struct PayIn {
    pub currency: PrCurrency,
    /// `payment_request_address.id`, a UUID.
    pub address_id: String,
    pub address: String,
    pub tag: Option<String>,
    /// In the payer's currency, rounded up to its precision.
    pub expected: Dec,
}

/// A payer's transaction to the request's address.
pub struct PrTx {
    pub id: u64,
    pub amount: Dec,
    pub txid: String,
    pub confirmed: bool,
    /// Arrived after the request ended: refunded, not credited.
    pub late: bool,
}

/// One payment request and where its lifecycle stands.
pub struct PaymentRequest {
    /// The sandbox's number for it: the key of its callback queue.
    pub key: u64,
    /// `data.id`: a UUID (version 7, as the docs' examples look).
    pub id: String,
    pub payment_link: String,
    /// What the merchant asked for.
    pub terms: Terms,
    pub status: &'static str,
    pub payin: Option<PayIn>,
    pub fixed_at: Option<i64>,
    /// When the request ends unless paid: the lifespan, or the rate lock if shorter.
    pub expires_at: i64,
    pub txs: Vec<PrTx>,
    /// Received within the window, in the payer's currency.
    pub received: Dec,
    pub created_at: i64,
}

impl PaymentRequest {
    /// Still takes payments within its window: `created` or `processing`.
    pub fn open(&self) -> bool {
        matches!(self.status, "created" | "processing")
    }

    /// Still due in the payer's currency (zero before the payer proceeded).
    pub fn remaining(&self) -> Dec {
        match &self.payin {
            Some(p) => p
                .expected
                .checked_sub(self.received)
                .filter(|d| d.is_positive())
                .unwrap_or(Dec::ZERO),
            None => Dec::ZERO,
        }
    }
}

/// An `{iso, network_name}` field; `None` when absent or refused (the error is in `f`).
fn currency_field(
    f: &mut Fields,
    field: &str,
    required: bool,
    crypto_only: bool,
) -> Option<PrCurrency> {
    let Some(v) = f.get(field) else {
        if required {
            f.fail(field, format!("The {} field is required.", attr(field)));
        }
        return None;
    };
    if !v.is_object() {
        f.fail(field, format!("The {} must be an array.", attr(field)));
        return None;
    }
    let errors = std::mem::take(&mut f.errors);
    let mut n = Fields::nested(v, field, errors);
    let iso = n.string("iso", true, 16);
    let network = n.string("network_name", false, 64);
    let mut found = None;
    if let Some(iso) = iso {
        match PrCurrency::lookup(&iso, network.as_deref(), crypto_only) {
            Ok(c) => found = Some(c),
            Err(Unknown::Iso) => n.fail(
                "iso",
                format!("The selected {}.iso is invalid.", attr(field)),
            ),
            Err(Unknown::Network) => n.fail(
                "network_name",
                format!("The selected {}.network name is invalid.", attr(field)),
            ),
        }
    }
    f.errors = n.errors;
    found
}

const LIFETIME_FIELDS: [&str; 3] = [
    "life_time_duration",
    "life_time_datetime",
    "life_time_date_time",
];

/// The absolute end of the lifespan from exactly one of the lifetime fields.
fn lifetime(f: &mut Fields, now: i64) -> Option<i64> {
    let given: Vec<&str> = LIFETIME_FIELDS
        .into_iter()
        .filter(|n| f.present(n))
        .collect();
    match given.as_slice() {
        [] => {
            f.fail(
                "life_time_duration",
                "The life time duration field is required when life time datetime is not \
                 present.",
            );
            None
        }
        ["life_time_duration"] => {
            let d = f.integer("life_time_duration", true)?;
            if (MIN_LIFETIME..=MAX_LIFETIME).contains(&d) {
                Some(now + d)
            } else {
                f.fail(
                    "life_time_duration",
                    format!(
                        "The life time duration must be between {MIN_LIFETIME} and \
                         {MAX_LIFETIME}."
                    ),
                );
                None
            }
        }
        [field] => {
            let t = f.integer(field, true)?;
            if t >= now + MIN_LIFETIME && t <= now + MAX_LIFETIME {
                Some(t)
            } else {
                f.fail(
                    field,
                    format!(
                        "The {} must be between {} and {} (1 minute to 30 days from now).",
                        attr(field),
                        now + MIN_LIFETIME,
                        now + MAX_LIFETIME
                    ),
                );
                None
            }
        }
        [first, second, ..] => {
            f.fail(
                first,
                format!(
                    "The {} field prohibits {} from being present.",
                    attr(first),
                    attr(second)
                ),
            );
            None
        }
    }
}

/// `sender_type`/`sender_data` as for invoices, plus §1.6: data required with a type, and no
/// keys of the other type.
fn sender(f: &mut Fields) {
    party(f, "sender", &["natural", "legal"], false);
    if f.present("sender_type") && f.get("sender_data").is_none() {
        f.fail(
            "sender_data",
            "The sender data field is required when sender type is present.",
        );
    }
    let foreign: &[&str] = match f.get("sender_type").and_then(Value::as_str) {
        Some("natural") => &["legal_name", "country_of_registration"],
        Some("legal") => &["first_name", "last_name", "date_of_birth"],
        _ => &[],
    };
    let data = f.get("sender_data").and_then(Value::as_object);
    for key in foreign {
        if data.is_some_and(|d| d.contains_key(*key)) {
            let field = format!("sender_data.{key}");
            f.errors
                .add(&field, format!("The {} field is prohibited.", attr(&field)));
        }
    }
}

/// What `create` was given, validated.
pub struct Terms {
    /// `amount` exactly as sent (echoed), and its value.
    pub amount_text: String,
    pub amount: Dec,
    pub currency: PrCurrency,
    pub payment_currency: Option<PrCurrency>,
    /// Absolute end of the lifespan (Unix seconds).
    pub life_time: i64,
    pub foreign_id: Option<String>,
    pub end_user_email: Option<String>,
    pub end_user_reference: Option<String>,
    pub description: Option<String>,
    pub url_store: Option<String>,
    pub url_success: Option<String>,
    pub url_failed: Option<String>,
    pub sender_type: Option<String>,
    pub sender_data: Option<Value>,
}

/// The documented rules and the sandbox's choices; field errors as v2's `{"errors": ...}`.
pub fn validate(s: &Store, body: &Value) -> Result<Terms, Value> {
    let mut f = Fields::new(body);
    let now = s.now();
    let amount_text = match f.get("amount") {
        Some(Value::Number(_)) => {
            f.fail("amount", "The amount must be a string.");
            None
        }
        _ => f.string("amount", true, 64),
    };
    let amount = amount_text.as_ref().and_then(|_| f.amount("amount", true));
    let currency = currency_field(&mut f, "currency", true, false);
    let payment_currency = currency_field(&mut f, "payment_currency", false, true);
    let life_time = lifetime(&mut f, now);
    let end_user_email = f.email("end_user_email", false);
    let end_user_reference = f.reference("end_user_reference", false, 255);
    let description = f.string("description", false, 1000);
    let foreign_id = f.reference("foreign_id", false, 255);
    let url_store = f.https_url("url_store", false);
    let url_success = f.https_url("url_success", false);
    let url_failed = f.https_url("url_failed", false);
    sender(&mut f);
    if let (Some(c), Some(p)) = (currency, payment_currency) {
        if !p.same_as(&c) && !catalog::exchangeable(p.cur, c.cur) {
            f.fail(
                "payment_currency",
                "The selected payment currency is invalid.",
            );
        }
    }
    if let (Some(c), Some(a)) = (currency, amount) {
        let min = catalog::d(c.cur.min_invoice);
        if a < min {
            f.fail(
                "amount",
                format!(
                    "The amount is too small. The minimum amount is {} {}.",
                    min.fmt_dp(c.cur.precision),
                    c.iso
                ),
            );
        }
    }
    foreign_id_unique(&mut f, &foreign_id, |fid| {
        s.switches.refuse_duplicate_foreign_id && s.pr_fids.contains_key(fid)
    });
    if !f.errors.is_empty() {
        return Err(f.errors.to_json());
    }
    let (sender_type, sender_data) = party_as_sent(&f, "sender");
    Ok(Terms {
        amount_text: amount_text.expect("validated"),
        amount: amount.expect("validated"),
        currency: currency.expect("validated"),
        payment_currency,
        life_time: life_time.expect("validated"),
        foreign_id,
        end_user_email,
        end_user_reference,
        description,
        url_store,
        url_success,
        url_failed,
        sender_type,
        sender_data,
    })
}

/// `data` of the create reply: the documented fields, and each optional one only when sent.
pub fn reply_json(pr: &PaymentRequest) -> Value {
    let mut m = Map::new();
    m.insert("id".into(), pr.id.clone().into());
    m.insert("amount".into(), pr.terms.amount_text.clone().into());
    m.insert("currency".into(), pr.terms.currency.json());
    m.insert("status".into(), "created".into());
    m.insert("life_time".into(), pr.terms.life_time.into());
    let optional = [
        ("end_user_email", &pr.terms.end_user_email),
        ("end_user_reference", &pr.terms.end_user_reference),
        ("description", &pr.terms.description),
    ];
    for (k, v) in optional {
        if let Some(v) = v {
            m.insert(k.into(), v.clone().into());
        }
    }
    m.insert("payment_link".into(), pr.payment_link.clone().into());
    let optional = [
        ("foreign_id", &pr.terms.foreign_id),
        ("url_store", &pr.terms.url_store),
        ("url_success", &pr.terms.url_success),
        ("url_failed", &pr.terms.url_failed),
    ];
    for (k, v) in optional {
        if let Some(v) = v {
            m.insert(k.into(), v.clone().into());
        }
    }
    if let Some(p) = &pr.terms.payment_currency {
        m.insert("payment_currency".into(), p.json());
    }
    Value::Object(m)
}

/// The signed callback body (§1.9.2), with `transactions` (the sandbox's shape).
pub fn callback_json(pr: &PaymentRequest, status: &str) -> Value {
    let mut m = Map::new();
    m.insert("payment_request_id".into(), pr.id.clone().into());
    if let Some(fid) = &pr.terms.foreign_id {
        m.insert("foreign_id".into(), fid.clone().into());
    }
    m.insert("type".into(), "payment_request".into());
    m.insert("status".into(), status.into());
    if let Some(e) = &pr.terms.end_user_email {
        m.insert("end_user_email".into(), e.clone().into());
    }
    let requested = pr.terms.currency.resolved();
    if let Some(p) = &pr.payin {
        let mut a = Map::new();
        a.insert("id".into(), p.address_id.clone().into());
        a.insert("currency".into(), p.currency.json());
        a.insert("convert_to".into(), requested.json());
        a.insert("address".into(), p.address.clone().into());
        if let Some(t) = &p.tag {
            a.insert("tag".into(), t.clone().into());
        }
        m.insert("payment_request_address".into(), Value::Object(a));
    }
    m.insert(
        "payment_request_amount".into(),
        json!({"currency": requested.json(), "amount": pr.terms.amount.fmt_trim()}),
    );
    if let Some(p) = &pr.payin {
        m.insert(
            "currency_sent".into(),
            json!({
                "currency": p.currency.json(),
                "expected_amount": p.expected.fmt_trim(),
                "received_amount": pr.received.fmt_trim(),
                "remaining_amount": pr.remaining().fmt_trim(),
            }),
        );
    }
    if let Some(t) = pr.fixed_at {
        m.insert("fixed_at".into(), t.into());
    }
    m.insert("expires_at".into(), pr.expires_at.into());
    m.insert("valid_until".into(), pr.expires_at.into());
    let txs: Vec<Value> = match &pr.payin {
        Some(p) => pr
            .txs
            .iter()
            .map(|t| {
                let mut x = Map::new();
                x.insert("id".into(), t.id.into());
                x.insert("currency".into(), p.currency.json());
                x.insert("transaction_type".into(), "blockchain".into());
                x.insert("type".into(), "deposit".into());
                x.insert("address".into(), p.address.clone().into());
                if let Some(tag) = &p.tag {
                    x.insert("tag".into(), tag.clone().into());
                }
                x.insert("amount".into(), t.amount.fmt_trim().into());
                x.insert("txid".into(), t.txid.clone().into());
                x.insert(
                    "confirmations".into(),
                    if t.confirmed { 3 } else { 0 }.into(),
                );
                x.insert("late".into(), t.late.into());
                Value::Object(x)
            })
            .collect(),
        None => Vec::new(),
    };
    m.insert("transactions".into(), Value::Array(txs));
    Value::Object(m)
}

/// The control API's view: the reply's fields and what only the sandbox knows.
pub fn state_json(pr: &PaymentRequest) -> Value {
    let mut v = reply_json(pr);
    v["status"] = pr.status.into();
    v["sender_type"] = json!(pr.terms.sender_type);
    v["sender_data"] = json!(pr.terms.sender_data);
    v["fixed_at"] = json!(pr.fixed_at);
    v["expires_at"] = pr.expires_at.into();
    v["created_at"] = pr.created_at.into();
    v["callback_key"] = pr.key.into();
    v["received_amount"] = pr.received.fmt_trim().into();
    v["transaction_count"] = pr.txs.len().into();
    v["late_transaction_count"] = pr.txs.iter().filter(|t| t.late).count().into();
    v["payment_request_address"] = match &pr.payin {
        Some(p) => json!({
            "currency": p.currency.json(), "address": p.address, "tag": p.tag,
            "expected_amount": p.expected.fmt_trim(), "remaining_amount": pr.remaining().fmt_trim(),
        }),
        None => Value::Null,
    };
    v
}

/// A bare stand-in for the hosted payment page (`payment_link`).
pub fn page(s: &Store, token: &str) -> Option<String> {
    let pr = &s.payment_requests[s.pr_tokens.get(token)?];
    let esc = |t: &str| {
        t.replace('&', "&amp;")
            .replace('<', "&lt;")
            .replace('>', "&gt;")
            .replace('"', "&quot;")
    };
    let pay = match &pr.payin {
        Some(p) if pr.open() => format!(
            "<p>Send {} {} ({}) to <code>{}</code>{}</p>",
            pr.remaining().fmt_trim(),
            p.currency.iso,
            p.currency.resolved().network.unwrap_or(""),
            esc(&p.address),
            p.tag
                .as_ref()
                .map(|t| format!(" with tag <code>{}</code>", esc(t)))
                .unwrap_or_default()
        ),
        None if pr.open() => "<p>Choose a currency and proceed to payment.</p>".to_string(),
        _ => String::new(),
    };
    Some(format!(
        "<!doctype html><html><head><meta charset=\"utf-8\"><title>Payment request</title>\
         </head><body><h1>{desc}</h1><p>{amount} {iso} &middot; status <b>{status}</b></p>\
         {pay}<p><small>AlphaPo sandbox: drive this request with POST \
         /_sandbox/payment-requests/{id}/proceed | pay | expire</small></p></body></html>",
        desc = esc(pr.terms.description.as_deref().unwrap_or("Payment request")),
        amount = pr.terms.amount.fmt_trim(),
        iso = pr.terms.currency.iso,
        status = pr.status,
        id = pr.id,
    ))
}

impl Store {
    /// A UUID of version 7: 48 bits of Unix milliseconds, then random bits.
    fn uuid7(&mut self) -> String {
        let ms = (self.now() as u64).wrapping_mul(1000) & 0xFFFF_FFFF_FFFF;
        let (a, b) = (self.random(), self.random());
        let hi = (ms << 16) | 0x7000 | (a & 0x0FFF);
        let lo = (b & 0x3FFF_FFFF_FFFF_FFFF) | 0x8000_0000_0000_0000;
        let h = format!("{hi:016x}{lo:016x}");
        format!(
            "{}-{}-{}-{}-{}",
            &h[..8],
            &h[8..12],
            &h[12..16],
            &h[16..20],
            &h[20..]
        )
    }

    /// Creates a payment request; `origin` is the sandbox's `http(s)://host:port`.
    pub fn create_payment_request(&mut self, terms: Terms, origin: &str) -> u64 {
        const ALNUM: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
        let key = self.id();
        let id = self.uuid7();
        let token = self.random_chars(ALNUM, 24);
        let now = self.now();
        let mut pr = PaymentRequest {
            key,
            id: id.clone(),
            payment_link: format!("{origin}/payment/{token}"),
            status: "created",
            payin: None,
            fixed_at: None,
            expires_at: terms.life_time,
            terms,
            txs: Vec::new(),
            received: Dec::ZERO,
            created_at: now,
        };
        // Fixed mode (§1.4): a forced payment currency locks the rate at creation.
        if let Some(p) = pr.terms.payment_currency {
            self.fix_payin(&mut pr, p, now);
        }
        if let Some(fid) = &pr.terms.foreign_id {
            self.pr_fids.entry(fid.clone()).or_insert(key);
        }
        self.pr_ids.insert(id, key);
        self.pr_tokens.insert(token, key);
        self.payment_requests.insert(key, pr);
        key
    }

    /// The payer's currency, address and amount; the rate lock starts.
    fn fix_payin(&mut self, pr: &mut PaymentRequest, currency: PrCurrency, now: i64) {
        let currency = currency.resolved();
        let (_, address, tag) = self.new_address(currency.cur);
        let address_id = self.uuid7();
        let expected = catalog::convert(
            pr.terms.amount,
            pr.terms.currency.cur,
            currency.cur,
            Round::Up,
        )
        .round_dp(currency.cur.precision, Round::Up);
        pr.payin = Some(PayIn {
            currency,
            address_id,
            address,
            tag,
            expected,
        });
        pr.fixed_at = Some(now);
        if !currency.same_as(&pr.terms.currency) {
            pr.expires_at = pr.terms.life_time.min(now + RATE_LOCK);
        }
    }

    /// The callback key of the request with this `data.id` or `foreign_id`.
    pub fn payment_request_key(&self, id: &str) -> Option<u64> {
        self.pr_ids
            .get(id)
            .or_else(|| self.pr_fids.get(id))
            .copied()
    }

    fn pr_emit(&self, key: u64, status: &str) {
        let body = callback_json(&self.payment_requests[&key], status);
        self.emit(key, body);
    }

    /// The payer picks a currency (or the forced / default one) and proceeds: `processing`,
    /// with the "exchange rate is fixed" callback.
    pub fn proceed_payment_request(
        &mut self,
        key: u64,
        currency: Option<PrCurrency>,
    ) -> Result<(), Refused> {
        self.sweep();
        let now = self.now();
        let pr = &self.payment_requests[&key];
        if pr.status != "created" {
            return refuse(
                409,
                format!(
                    "payment request {} is {}; only a created one proceeds",
                    pr.id, pr.status
                ),
            );
        }
        let chosen = match (&pr.payin, pr.terms.payment_currency, currency) {
            (Some(p), _, Some(c)) if !p.currency.same_as(&c) => {
                return refuse(
                    409,
                    format!(
                        "payment request {} is to be paid in {}",
                        pr.id, p.currency.iso
                    ),
                )
            }
            (Some(_), _, _) => None,
            (None, _, Some(c)) => {
                if !c.same_as(&pr.terms.currency)
                    && !catalog::exchangeable(c.cur, pr.terms.currency.cur)
                {
                    return refuse(400, format!("{} cannot pay this request", c.iso));
                }
                Some(c)
            }
            (None, _, None) if pr.terms.currency.cur.fiat => {
                Some(PrCurrency::lookup("BTC", None, true).expect("BTC is in the table"))
            }
            (None, _, None) => Some(pr.terms.currency),
        };
        let mut pr = self.payment_requests.remove(&key).expect("looked up");
        if let Some(c) = chosen {
            self.fix_payin(&mut pr, c, now);
        }
        pr.status = "processing";
        self.payment_requests.insert(key, pr);
        self.pr_emit(key, "processing");
        Ok(())
    }

    /// A transaction arrives (seen, then confirmed): `processing` with it; `paid` once the
    /// expected amount is in. After the end it is a late payment, refunded.
    pub fn pay_payment_request(
        &mut self,
        key: u64,
        amount: Option<Dec>,
        currency: Option<PrCurrency>,
    ) -> Result<(), Refused> {
        self.sweep();
        let pr = &self.payment_requests[&key];
        if pr.status == "created" {
            self.proceed_payment_request(key, currency)?;
        }
        let pr = &self.payment_requests[&key];
        let Some(p) = &pr.payin else {
            return refuse(
                409,
                format!(
                    "payment request {} ended {} before the payer proceeded: there is no \
                     address to pay to",
                    pr.id, pr.status
                ),
            );
        };
        if let Some(c) = currency {
            if !c.same_as(&p.currency) {
                return refuse(
                    409,
                    format!(
                        "payment request {} is to be paid in {}",
                        pr.id, p.currency.iso
                    ),
                );
            }
        }
        let late = !pr.open();
        let amount = match amount {
            Some(a) => a,
            None if late => p.expected,
            None => pr.remaining(),
        };
        let pay_cur = p.currency.cur;
        let txid = self.new_txid(pay_cur);
        let tx_id = self.item_id();
        let late_status = self.switches.payment_request_late_status;
        let pr = self.payment_requests.get_mut(&key).expect("looked up");
        pr.txs.push(PrTx {
            id: tx_id,
            amount,
            txid,
            confirmed: late,
            late,
        });
        if late {
            let status = match late_status {
                LateStatus::LatePayment => "late_payment",
                LateStatus::Unchanged => pr.status,
            };
            self.pr_emit(key, status);
            return Ok(());
        }
        pr.received = pr.received.checked_add(amount).unwrap_or(pr.received);
        self.pr_emit(key, "processing");
        let pr = self.payment_requests.get_mut(&key).expect("looked up");
        pr.txs.last_mut().expect("pushed").confirmed = true;
        if !pr.remaining().is_positive() {
            pr.status = "paid";
            let (cur, amount) = (pr.terms.currency.cur, pr.terms.amount);
            self.credit(cur, amount);
            self.pr_emit(key, "paid");
        }
        Ok(())
    }

    /// Ends an open request now, as its deadline would: `failed` when something short
    /// arrived, else `expired`.
    pub fn expire_payment_request(&mut self, key: u64) -> Result<(), Refused> {
        let pr = self.payment_requests.get_mut(&key).expect("looked up");
        if !pr.open() {
            return refuse(
                409,
                format!(
                    "payment request {} is {}; only an open one ends",
                    pr.id, pr.status
                ),
            );
        }
        pr.status = if pr.received.is_positive() {
            "failed"
        } else {
            "expired"
        };
        let status = pr.status;
        self.pr_emit(key, status);
        Ok(())
    }

    /// Ends the open requests whose deadline has passed.
    pub fn sweep_payment_requests(&mut self, now: i64) {
        let due: Vec<u64> = self
            .payment_requests
            .values()
            .filter(|p| p.open() && now >= p.expires_at)
            .map(|p| p.key)
            .collect();
        for key in due {
            let _ = self.expire_payment_request(key);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::callbacks::Dispatcher;
    use crate::sign::Signer;
    use crate::state::Quirks;
    use crate::switches::Switches;
    use std::sync::Arc;

    fn store() -> Store {
        let d = Arc::new(Dispatcher::new("k".into(), Signer::new(b"s"), None, 1.0));
        Store::new(Quirks::default(), Switches::default(), 0, None, d)
    }

    fn errors(s: &Store, body: Value) -> Value {
        match validate(s, &body) {
            Ok(_) => panic!("{body} was accepted"),
            Err(e) => e["errors"].clone(),
        }
    }

    fn minimal() -> Value {
        json!({"amount": "100", "currency": {"iso": "EUR"}, "life_time_duration": 3600})
    }

    #[test]
    fn currencies_are_iso_and_network_pairs() {
        let usdt = PrCurrency::lookup("USDT", Some("ethereum"), true).unwrap();
        assert_eq!(usdt.cur.code, "USDTE");
        assert_eq!(
            usdt.json(),
            json!({"iso": "USDT", "network_name": "ethereum"})
        );
        let default = PrCurrency::lookup("USDT", None, false).unwrap();
        assert_eq!(default.json(), json!({"iso": "USDT"}));
        assert_eq!(default.resolved().json()["network_name"], "tron");
        assert_eq!(
            PrCurrency::lookup("EUR", None, true).err(),
            Some(Unknown::Iso)
        );
        assert_eq!(
            PrCurrency::lookup("EUR", Some("sepa"), false).err(),
            Some(Unknown::Network)
        );
        assert_eq!(
            PrCurrency::lookup("BTC", Some("tron"), false).err(),
            Some(Unknown::Network)
        );
        assert_eq!(
            PrCurrency::lookup("DOGE", None, false).err(),
            Some(Unknown::Iso)
        );
        assert!(PrCurrency::lookup("EUR", None, false).unwrap().cur.fiat);
    }

    #[test]
    fn a_minimal_request_is_valid_and_its_lifetime_absolute() {
        let s = store();
        let n = validate(&s, &minimal()).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(n.amount_text, "100");
        assert!((n.life_time - s.now() - 3600).abs() <= 1);
        for (field, v) in [
            ("life_time_datetime", s.now() + 7200),
            ("life_time_date_time", s.now() + 7200),
        ] {
            let body = json!({"amount": "100.50", "currency": {"iso": "USDT", "network_name": "tron"},
                              field: v});
            let n = validate(&s, &body).unwrap_or_else(|e| panic!("{field}: {e}"));
            assert_eq!(n.life_time, v, "{field}");
            assert_eq!(n.amount, Dec::parse("100.5").unwrap());
        }
    }

    #[test]
    fn field_rules_and_messages() {
        let s = store();
        assert_eq!(
            errors(&s, json!({})),
            json!({
                "amount": "The amount field is required.",
                "currency": "The currency field is required.",
                "life_time_duration":
                    "The life time duration field is required when life time datetime is not present.",
            })
        );
        let now = s.now();
        assert_eq!(
            errors(
                &s,
                json!({
                    "amount": 100.5, "currency": {"iso": "BTC", "network_name": "tron"},
                    "payment_currency": {"iso": "EUR"},
                    "life_time_duration": 3600, "life_time_datetime": now + 7200,
                    "end_user_email": "nobody", "url_store": "https://10.0.0.1/shop",
                    "url_success": "http://shop.example.com/ok", "url_failed": "https://shop.example.com/x",
                    "description": "d".repeat(1001), "foreign_id": "f".repeat(256),
                })
            ),
            json!({
                "amount": "The amount must be a string.",
                "currency.network_name": "The selected currency.network name is invalid.",
                "payment_currency.iso": "The selected payment currency.iso is invalid.",
                "life_time_duration": "The life time duration field prohibits life time datetime from being present.",
                "end_user_email": "The end user email must be a valid email address.",
                "description": "The description must not be greater than 1000 characters.",
                "foreign_id": "The foreign id must not be greater than 255 characters.",
                "url_store": "The url store format is invalid.",
                "url_success": "The url success format is invalid.",
            })
        );
        let mut b = minimal();
        b["amount"] = "9.99".into();
        b["currency"] = json!("EUR");
        assert_eq!(
            errors(&s, b),
            json!({"currency": "The currency must be an array."})
        );
        let mut b = minimal();
        b["amount"] = "9.99".into();
        b["life_time_duration"] = 59.into();
        assert_eq!(
            errors(&s, b),
            json!({
                "amount": "The amount is too small. The minimum amount is 10.00 EUR.",
                "life_time_duration": "The life time duration must be between 60 and 2592000.",
            })
        );
        let mut b = minimal();
        b["amount"] = "1e".into();
        b.as_object_mut().unwrap().remove("life_time_duration");
        b["life_time_date_time"] = (now - 1).into();
        let e = errors(&s, b);
        assert_eq!(e["amount"], "The amount must be a number.");
        assert!(e["life_time_date_time"]
            .as_str()
            .unwrap()
            .starts_with("The life time date time must be between"));
        let mut b = minimal();
        b["currency"] = json!({"iso": "EUR"});
        b["payment_currency"] = json!({"iso": "USDT", "network_name": "solana"});
        assert_eq!(
            errors(&s, b),
            json!({"payment_currency.network_name": "The selected payment currency.network name is invalid."})
        );
    }

    #[test]
    fn sender_rules_follow_the_invoice_ones_plus_prohibited_keys() {
        let s = store();
        let with = |t: Value, d: Option<Value>| {
            let mut b = minimal();
            b["sender_type"] = t;
            if let Some(d) = d {
                b["sender_data"] = d;
            }
            b
        };
        assert_eq!(
            errors(&s, with("natural".into(), None)),
            json!({"sender_data": "The sender data field is required when sender type is present."})
        );
        assert_eq!(
            errors(
                &s,
                with(
                    "natural".into(),
                    Some(json!({"first_name": "Ana", "last_name": "Silva", "legal_name": "X"}))
                )
            ),
            json!({"sender_data.legal_name": "The sender data.legal name field is prohibited."})
        );
        assert_eq!(
            errors(
                &s,
                with(
                    "legal".into(),
                    Some(
                        json!({"legal_name": "ACME", "country_of_registration": "DEU",
                                "first_name": "Ana"})
                    )
                )
            ),
            json!({"sender_data.first_name": "The sender data.first name field is prohibited."})
        );
        assert_eq!(
            errors(&s, with("robot".into(), Some(json!({})))),
            json!({"sender_type": "The selected sender type is invalid."})
        );
        // date_of_birth is optional for payment requests (§1.6).
        assert!(validate(
            &s,
            &with(
                "natural".into(),
                Some(json!({"first_name": "Ana", "last_name": "Silva"}))
            )
        )
        .is_ok());
    }

    #[test]
    fn lifecycle_paid_failed_expired_and_late() {
        let mut s = store();
        let mut body = minimal();
        body["foreign_id"] = "o-1".into();
        let n = validate(&s, &body).unwrap();
        let key = s.create_payment_request(n, "http://127.0.0.1:1");
        let pr = &s.payment_requests[&key];
        let id = pr.id.clone();
        assert_eq!(id.len(), 36);
        assert_eq!(&id[14..15], "7", "version 7: {id}");
        assert!(matches!(&id[19..20], "8" | "9" | "a" | "b"), "{id}");
        assert!(pr.payment_link.starts_with("http://127.0.0.1:1/payment/"));
        assert_eq!(s.payment_request_key(&id), Some(key));
        assert_eq!(s.payment_request_key("o-1"), Some(key));
        let eur0 = s.balance(catalog::find("EUR").unwrap());
        // EUR is paid in BTC by default; the rate lock caps the deadline at an hour.
        s.proceed_payment_request(key, None).unwrap();
        let pr = &s.payment_requests[&key];
        let expected = pr.payin.as_ref().unwrap().expected;
        assert_eq!(pr.payin.as_ref().unwrap().currency.iso, "BTC");
        assert_eq!(pr.status, "processing");
        assert!(s.proceed_payment_request(key, None).is_err());
        let half = expected.div(Dec::parse("2").unwrap(), Round::Down);
        s.pay_payment_request(key, Some(half), None).unwrap();
        assert_eq!(s.payment_requests[&key].status, "processing");
        s.pay_payment_request(key, None, None).unwrap();
        let pr = &s.payment_requests[&key];
        assert_eq!((pr.status, pr.received), ("paid", expected));
        assert_eq!(
            s.balance(catalog::find("EUR").unwrap()),
            eur0.checked_add(Dec::parse("100").unwrap()).unwrap()
        );
        let cb = callback_json(pr, "paid");
        assert_eq!(cb["currency_sent"]["remaining_amount"], "0");
        assert_eq!(
            cb["payment_request_address"]["convert_to"]["network_name"],
            Value::Null
        );
        assert_eq!(cb["transactions"].as_array().unwrap().len(), 2);
        assert!(s.expire_payment_request(key).is_err());
        // Late: refunded, not credited, status unchanged.
        s.pay_payment_request(key, Some(half), None).unwrap();
        let pr = &s.payment_requests[&key];
        assert_eq!(
            (pr.status, pr.received, pr.txs.len()),
            ("paid", expected, 3)
        );
        assert!(pr.txs[2].late);

        // Short at the deadline: failed; nothing at all: expired.
        let short = s.create_payment_request(validate(&s, &minimal()).unwrap(), "o");
        s.pay_payment_request(short, Some(half), None).unwrap();
        let idle = s.create_payment_request(validate(&s, &minimal()).unwrap(), "o");
        s.clock_offset += 3600;
        s.sweep();
        assert_eq!(s.payment_requests[&short].status, "failed");
        assert_eq!(s.payment_requests[&idle].status, "expired");
        let e = s.pay_payment_request(idle, None, None).err().unwrap();
        assert_eq!(e.0, 409);
    }

    #[test]
    fn fixed_mode_locks_the_rate_at_creation_and_same_currency_has_no_lock() {
        let mut s = store();
        let mut b = minimal();
        b["life_time_duration"] = 7200.into();
        b["payment_currency"] = json!({"iso": "USDT", "network_name": "tron"});
        let key = s.create_payment_request(validate(&s, &b).unwrap(), "o");
        let pr = &s.payment_requests[&key];
        assert_eq!(pr.status, "created");
        assert_eq!(pr.fixed_at, Some(pr.created_at));
        assert_eq!(pr.expires_at, pr.created_at + RATE_LOCK);
        let wrong = PrCurrency::lookup("BTC", None, true).unwrap();
        assert_eq!(
            s.proceed_payment_request(key, Some(wrong)).err().unwrap().0,
            409
        );
        let mut b = minimal();
        b["currency"] = json!({"iso": "USDT"});
        b["life_time_duration"] = 7200.into();
        let key = s.create_payment_request(validate(&s, &b).unwrap(), "o");
        s.proceed_payment_request(key, None).unwrap();
        let pr = &s.payment_requests[&key];
        assert_eq!(pr.expires_at, pr.terms.life_time);
        assert_eq!(pr.payin.as_ref().unwrap().expected.fmt_trim(), "100");
        let cb = callback_json(pr, "processing");
        assert_eq!(
            cb["payment_request_address"]["currency"],
            json!({"iso": "USDT", "network_name": "tron"})
        );
        assert_eq!(
            cb["payment_request_amount"],
            json!({"currency": {"iso": "USDT", "network_name": "tron"}, "amount": "100"})
        );
        assert_eq!(cb["currency_sent"]["received_amount"], "0");
        assert_eq!(cb["valid_until"], cb["expires_at"]);
    }
}
