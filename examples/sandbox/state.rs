//! Everything the sandbox remembers, and the state changes that emit callbacks.

use std::collections::{BTreeMap, HashMap, VecDeque};
use std::net::IpAddr;
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use serde_json::Value;

use crate::callbacks::Dispatcher;
use crate::catalog::{self, Currency, CURRENCIES};
use crate::decimal::{Dec, Round};
use crate::payments::PaymentRequest;
use crate::render;
use crate::switches::{DepositConfirmations, Switches};

/// Objects (addresses, deposits, withdrawals, exchanges, invoices, payment requests) kept before the API
/// answers 503 and asks for a reset: memory stays bounded under any load.
pub const MAX_OBJECTS: usize = 100_000;
const MAX_QUOTES: usize = 4096;
pub const FIX_PERIOD: i64 = 60;
pub const INVOICE_TIMER: i64 = 900;
pub const PROCESSING_WINDOW: i64 = 24 * 3600;

pub const NOT_PAID: &str = "Timer expired. User not paid.";
pub const UNDERPAID: &str = "Timer expired. User paid less than requested.";
pub const CANCELLED_BY_MERCHANT: &str = "Invoice cancelled by the merchant.";

/// Documented deviations the sandbox can reproduce on request.
#[derive(Clone, Copy, Default, PartialEq, Eq)]
pub struct Quirks {
    pub amounts_as_numbers: bool,
    pub end_user_reference_as_number: bool,
    pub confirmations_as_string: bool,
    pub invoice_foreign_id_as_number: bool,
    pub invoice_create_201: bool,
}

pub const QUIRK_NAMES: [&str; 5] = [
    "amounts_as_numbers",
    "end_user_reference_as_number",
    "confirmations_as_string",
    "invoice_foreign_id_as_number",
    "invoice_create_201",
];

impl Quirks {
    pub fn parse<'a>(names: impl IntoIterator<Item = &'a str>) -> Result<Quirks, String> {
        let mut q = Quirks::default();
        for name in names.into_iter().map(str::trim).filter(|n| !n.is_empty()) {
            match name {
                "amounts_as_numbers" => q.amounts_as_numbers = true,
                "end_user_reference_as_number" => q.end_user_reference_as_number = true,
                "confirmations_as_string" => q.confirmations_as_string = true,
                "invoice_foreign_id_as_number" => q.invoice_foreign_id_as_number = true,
                "invoice_create_201" => q.invoice_create_201 = true,
                other => {
                    return Err(format!(
                        "unknown quirk {other:?}; known: {}",
                        QUIRK_NAMES.join(", ")
                    ))
                }
            }
        }
        Ok(q)
    }

    pub fn names(&self) -> Vec<&'static str> {
        let on = [
            self.amounts_as_numbers,
            self.end_user_reference_as_number,
            self.confirmations_as_string,
            self.invoice_foreign_id_as_number,
            self.invoice_create_201,
        ];
        QUIRK_NAMES
            .iter()
            .zip(on)
            .filter(|(_, on)| *on)
            .map(|(n, _)| *n)
            .collect()
    }
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum FaultMode {
    Latency,
    Http500,
    Http502,
    Http429,
    DropBefore,
    DropAfter,
    Truncated,
    Huge,
    SlowDrip,
}

pub const FAULT_NAMES: [(&str, FaultMode); 9] = [
    ("latency", FaultMode::Latency),
    ("http_500", FaultMode::Http500),
    ("http_502", FaultMode::Http502),
    ("http_429", FaultMode::Http429),
    ("drop_before", FaultMode::DropBefore),
    ("drop_after", FaultMode::DropAfter),
    ("truncated", FaultMode::Truncated),
    ("huge", FaultMode::Huge),
    ("slow_drip", FaultMode::SlowDrip),
];

impl FaultMode {
    pub fn name(self) -> &'static str {
        FAULT_NAMES
            .iter()
            .find(|(_, m)| *m == self)
            .map(|(n, _)| *n)
            .unwrap_or("?")
    }
}

#[derive(Clone)]
pub struct Fault {
    pub mode: FaultMode,
    /// Applies to requests whose path equals this (with or without the `/api/v2` prefix).
    pub path: Option<String>,
    pub remaining: u32,
    /// `latency`: the delay; `slow_drip`: the pause between bytes.
    pub ms: u64,
    /// `huge`: how many body bytes to announce and stream.
    pub bytes: u64,
    /// `http_429`: the `Retry-After` header to send, in seconds (none when absent).
    pub retry_after: Option<u64>,
}

impl Fault {
    pub fn matches(&self, path: &str) -> bool {
        match &self.path {
            None => true,
            Some(p) => p == path || path.strip_prefix("/api/v2") == Some(p.as_str()),
        }
    }
}

pub struct Address {
    pub id: u64,
    pub currency: &'static Currency,
    pub convert_to: Option<&'static Currency>,
    pub address: String,
    pub tag: Option<String>,
    pub foreign_id: String,
    pub end_user_reference: Option<String>,
}

pub struct Deposit {
    pub id: u64,
    pub item_id: u64,
    pub exchange_item_id: u64,
    pub address: usize,
    pub amount: Dec,
    pub txid: String,
    pub status: &'static str,
    pub deposit_fee: Dec,
    /// In the credited currency (`convert_to` or the deposit currency).
    pub received: Dec,
    pub exchange_fee: Dec,
    pub error: String,
}

impl Deposit {
    pub fn credited(&self) -> Dec {
        self.received
            .checked_sub(self.exchange_fee)
            .unwrap_or(Dec::ZERO)
    }
}

pub struct Withdrawal {
    pub id: u64,
    pub item_id: u64,
    pub exchange_item_id: u64,
    pub foreign_id: String,
    pub end_user_reference: String,
    pub from: &'static Currency,
    pub to: &'static Currency,
    pub address: String,
    pub tag: Option<String>,
    /// The amount as requested (`amount`, or `amount_to` when converting by target).
    pub amount: Dec,
    pub sender_amount: Dec,
    pub receiver_amount: Dec,
    pub fee: Dec,
    pub status: &'static str,
    pub txid: Option<String>,
    pub error: String,
    /// When it became `processing` (at creation, or on approval): `--auto-confirm` counts
    /// from here.
    pub processing_since: i64,
}

impl Withdrawal {
    pub fn kind(&self) -> &'static str {
        if self.from.code == self.to.code {
            "withdrawal"
        } else {
            "withdrawal_exchange"
        }
    }
}

#[derive(Clone)]
pub struct Quote {
    pub from: &'static Currency,
    pub to: &'static Currency,
    pub sender_amount: Dec,
    pub receiver_amount: Dec,
    pub fee: Dec,
    pub price: Dec,
    pub ts_fixed: i64,
}

pub struct Exchange {
    pub id: u64,
    pub item_id: u64,
    pub foreign_id: String,
    pub quote: Quote,
    pub status: &'static str,
    pub error: String,
    pub created_at: i64,
}

pub struct Payer {
    pub currency: &'static Currency,
    pub address_id: u64,
    pub address: String,
    pub tag: Option<String>,
    /// Due in the payer's currency.
    pub amount: Dec,
}

pub struct Payment {
    pub id: u64,
    pub amount: Dec,
    pub txid: String,
    pub confirmed: bool,
}

pub struct Invoice {
    pub id: u64,
    /// The hosted page, `http(s)://<listen>/invoice/<6 alphanumerics>`.
    pub url: String,
    pub foreign_id: String,
    pub end_user_reference: String,
    pub title: String,
    pub description: Option<String>,
    pub currency: &'static Currency,
    pub amount: Dec,
    pub kind: &'static str,
    pub timer: bool,
    pub requested_sender_currency: Option<&'static Currency>,
    pub url_success: Option<String>,
    pub url_failed: Option<String>,
    pub email_user: Option<String>,
    pub sender_type: Option<String>,
    pub sender_data: Option<Value>,
    pub status: &'static str,
    pub payer: Option<Payer>,
    pub fixed_at: Option<i64>,
    pub release_at: Option<i64>,
    pub expires_at: Option<i64>,
    pub payments: Vec<Payment>,
    pub paid: Dec,
    /// Balance already credited for confirmed payments, in the invoice currency.
    pub credited: Dec,
    pub error: String,
    pub created_at: i64,
}

impl Invoice {
    pub fn remaining(&self) -> Dec {
        match &self.payer {
            Some(p) => p
                .amount
                .checked_sub(self.paid)
                .filter(|d| d.is_positive())
                .unwrap_or(Dec::ZERO),
            None => self.amount,
        }
    }

    pub fn fee(&self) -> Dec {
        match &self.payer {
            Some(p) => self
                .paid
                .mul(catalog::d(p.currency.deposit_fee), Round::HalfUp),
            None => Dec::ZERO,
        }
    }

    /// What the payer's payments are worth in the invoice currency.
    pub fn received(&self) -> Dec {
        match &self.payer {
            Some(p) => catalog::convert(self.paid, p.currency, self.currency, Round::Down),
            None => Dec::ZERO,
        }
    }

    /// Still accepts payments: open, or a partly paid installment invoice.
    pub fn payable(&self) -> bool {
        matches!(self.status, "created" | "pending" | "processing")
            || (self.status == "confirmed"
                && self.kind == "good_until_expired"
                && self.remaining().is_positive())
    }
}

/// Refusals from state-changing operations of the control API.
#[derive(Debug)]
pub struct Refused(pub u16, pub String);

pub(crate) fn refuse<T>(status: u16, msg: impl Into<String>) -> Result<T, Refused> {
    Err(Refused(status, msg.into()))
}

struct RateWindow {
    calls: VecDeque<Instant>,
    blocked_until: Option<Instant>,
}

pub struct Store {
    pub clock_offset: i64,
    pub quirks: Quirks,
    pub switches: Switches,
    pub balances: Vec<Dec>,
    pub addresses: Vec<Address>,
    address_index: HashMap<String, usize>,
    pub deposits: BTreeMap<u64, Deposit>,
    pub withdrawals: BTreeMap<u64, Withdrawal>,
    pub exchanges: BTreeMap<u64, Exchange>,
    pub invoices: BTreeMap<u64, Invoice>,
    /// Payment requests by their callback key (see `payments`).
    pub payment_requests: BTreeMap<u64, PaymentRequest>,
    /// Payment request UUID, link token and foreign_id -> callback key.
    pub pr_ids: HashMap<String, u64>,
    pub pr_tokens: HashMap<String, u64>,
    pub pr_fids: HashMap<String, u64>,
    pub withdrawal_fids: HashMap<String, u64>,
    pub exchange_fids: HashMap<String, u64>,
    pub invoice_fids: HashMap<String, u64>,
    pub txids: HashMap<String, u64>,
    pub quotes: VecDeque<Quote>,
    next_id: u64,
    next_item: u64,
    next_address: u64,
    rng: u64,
    pub requests: BTreeMap<&'static str, u64>,
    pub requests_total: u64,
    pub faults: Vec<Fault>,
    rate: HashMap<IpAddr, RateWindow>,
    pub rate_limit: u32,
    pub auto_confirm: Option<i64>,
    pub callbacks: Arc<Dispatcher>,
}

impl Store {
    pub fn new(
        quirks: Quirks,
        switches: Switches,
        rate_limit: u32,
        auto_confirm: Option<i64>,
        callbacks: Arc<Dispatcher>,
    ) -> Store {
        let seed = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| d.as_nanos() as u64)
            .unwrap_or(1);
        Store {
            clock_offset: 0,
            quirks,
            switches,
            balances: CURRENCIES
                .iter()
                .map(|c| catalog::d(c.initial_balance))
                .collect(),
            addresses: Vec::new(),
            address_index: HashMap::new(),
            deposits: BTreeMap::new(),
            withdrawals: BTreeMap::new(),
            exchanges: BTreeMap::new(),
            invoices: BTreeMap::new(),
            payment_requests: BTreeMap::new(),
            pr_ids: HashMap::new(),
            pr_tokens: HashMap::new(),
            pr_fids: HashMap::new(),
            withdrawal_fids: HashMap::new(),
            exchange_fids: HashMap::new(),
            invoice_fids: HashMap::new(),
            txids: HashMap::new(),
            quotes: VecDeque::new(),
            next_id: 2_686_500,
            next_item: 750_300,
            next_address: 240_407_200,
            rng: seed | 1,
            requests: BTreeMap::new(),
            requests_total: 0,
            faults: Vec::new(),
            rate: HashMap::new(),
            rate_limit,
            auto_confirm,
            callbacks,
        }
    }

    /// Unix seconds on the sandbox clock (the real clock plus what `/_sandbox/time` added).
    pub fn now(&self) -> i64 {
        let real = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| d.as_secs() as i64)
            .unwrap_or(0);
        real + self.clock_offset
    }

    pub fn objects(&self) -> usize {
        self.addresses.len()
            + self.deposits.len()
            + self.withdrawals.len()
            + self.exchanges.len()
            + self.invoices.len()
            + self.payment_requests.len()
    }

    pub(crate) fn id(&mut self) -> u64 {
        self.next_id += 1;
        self.next_id
    }

    pub(crate) fn item_id(&mut self) -> u64 {
        self.next_item += 1;
        self.next_item
    }

    pub(crate) fn random(&mut self) -> u64 {
        // splitmix64
        self.rng = self.rng.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.rng;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    pub(crate) fn random_chars(&mut self, alphabet: &[u8], n: usize) -> String {
        (0..n)
            .map(|_| char::from(alphabet[(self.random() % alphabet.len() as u64) as usize]))
            .collect()
    }

    pub fn balance(&self, c: &Currency) -> Dec {
        self.balances[index(c)]
    }

    pub(crate) fn credit(&mut self, c: &Currency, amount: Dec) {
        let i = index(c);
        self.balances[i] = self.balances[i]
            .checked_add(amount)
            .unwrap_or(self.balances[i]);
    }

    fn debit(&mut self, c: &Currency, amount: Dec) {
        let i = index(c);
        self.balances[i] = self.balances[i]
            .checked_sub(amount)
            .unwrap_or(self.balances[i]);
    }

    /// A fresh blockchain address (and tag) of the currency's format.
    pub(crate) fn new_address(&mut self, c: &Currency) -> (u64, String, Option<String>) {
        const BECH32: &[u8] = b"qpzry9x8gf2tvdw0s3jn54khce6mua7l";
        const HEX: &[u8] = b"0123456789abcdef";
        const B58: &[u8] = b"123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";
        self.next_address += 1;
        let address = match c.code {
            "BTC" => format!("tb1q{}", self.random_chars(BECH32, 38)),
            "LTC" => format!("tltc1q{}", self.random_chars(BECH32, 38)),
            "BCH" => format!("bchtest:qq{}", self.random_chars(BECH32, 40)),
            "XRP" => format!("r{}", self.random_chars(B58, 33)),
            "USDTT" => format!("T{}", self.random_chars(B58, 33)),
            _ => format!("0x{}", self.random_chars(HEX, 40)),
        };
        let tag = c
            .tagged
            .then(|| (100_000_000 + self.random() % 900_000_000).to_string());
        (self.next_address, address, tag)
    }

    pub(crate) fn new_txid(&mut self, c: &Currency) -> String {
        let hex = self.random_chars(b"0123456789abcdef", 64);
        if c.code.starts_with("ETH") || matches!(c.code, "USDTE" | "USDC") {
            format!("0x{hex}")
        } else {
            hex
        }
    }

    pub(crate) fn emit(&self, txn: u64, body: Value) {
        let bytes = serde_json::to_vec(&body).expect("callback bodies serialize");
        self.callbacks.enqueue(txn, bytes);
    }

    /// Counts one API request; `route` is the path pattern.
    pub fn count(&mut self, route: &'static str) {
        self.requests_total += 1;
        *self.requests.entry(route).or_insert(0) += 1;
    }

    /// The first armed fault for this path, used up by one.
    pub fn take_fault(&mut self, path: &str) -> Option<Fault> {
        let i = self.faults.iter().position(|f| f.matches(path))?;
        let f = self.faults[i].clone();
        self.faults[i].remaining -= 1;
        if self.faults[i].remaining == 0 {
            self.faults.remove(i);
        }
        Some(f)
    }

    /// Cloudflare-style limit of exchange/calculate: `rate_limit` calls per minute per IP;
    /// once refused, the caller must pause a full minute.
    pub fn rate_limited(&mut self, ip: IpAddr) -> bool {
        if self.rate_limit == 0 {
            return false;
        }
        if self.rate.len() > 1024 {
            self.rate.clear();
        }
        let now = Instant::now();
        let minute = Duration::from_secs(60);
        let w = self.rate.entry(ip).or_insert_with(|| RateWindow {
            calls: VecDeque::new(),
            blocked_until: None,
        });
        while w
            .calls
            .front()
            .is_some_and(|t| now.duration_since(*t) >= minute)
        {
            w.calls.pop_front();
        }
        let blocked =
            w.blocked_until.is_some_and(|t| now < t) || w.calls.len() >= self.rate_limit as usize;
        if blocked {
            w.blocked_until = Some(now + minute);
        } else {
            w.calls.push_back(now);
        }
        blocked
    }

    pub fn reset_rate_limit(&mut self, per_minute: u32) {
        self.rate_limit = per_minute;
        self.rate.clear();
    }

    // ---- addresses and deposits ----

    pub fn take_address(
        &mut self,
        currency: &'static Currency,
        convert_to: Option<&'static Currency>,
        foreign_id: String,
        end_user_reference: Option<String>,
    ) -> usize {
        // foreign_id names the customer: the same customer asking again gets the same address.
        if let Some(i) = self.addresses.iter().position(|a| {
            a.foreign_id == foreign_id
                && a.currency.code == currency.code
                && a.convert_to.map(|c| c.code) == convert_to.map(|c| c.code)
        }) {
            return i;
        }
        let (id, address, tag) = self.new_address(currency);
        self.address_index
            .insert(address.clone(), self.addresses.len());
        self.addresses.push(Address {
            id,
            currency,
            convert_to,
            address,
            tag,
            foreign_id,
            end_user_reference,
        });
        self.addresses.len() - 1
    }

    pub fn find_address(&self, address: &str) -> Option<usize> {
        self.address_index.get(address).copied()
    }

    /// A payment arriving at a taken address: not_confirmed, then confirmed (credited); only
    /// confirmed with `deposit_confirmations: instant`; one cancelled callback below the
    /// minimum deposit.
    pub fn deposit(&mut self, address: usize, amount: Dec) -> u64 {
        let (currency, target) = {
            let a = &self.addresses[address];
            (a.currency, a.convert_to.unwrap_or(a.currency))
        };
        let id = self.id();
        let item_id = self.item_id();
        let exchange_item_id = if target.code != currency.code {
            self.item_id()
        } else {
            0
        };
        let txid = self.new_txid(currency);
        self.txids.insert(txid.clone(), id);
        let mut d = Deposit {
            id,
            item_id,
            exchange_item_id,
            address,
            amount,
            txid,
            status: "not_confirmed",
            deposit_fee: Dec::ZERO,
            received: catalog::convert(amount, currency, target, Round::Down),
            exchange_fee: Dec::ZERO,
            error: String::new(),
        };
        if amount < catalog::d(currency.min_deposit) {
            d.status = "cancelled";
            d.received = Dec::ZERO;
            d.error = "Transaction amount less than minimum deposit".into();
            self.emit(id, render::deposit_callback(self, &d));
            self.deposits.insert(id, d);
            return id;
        }
        if self.switches.deposit_confirmations == DepositConfirmations::TwoStep {
            self.emit(id, render::deposit_callback(self, &d));
        }
        d.status = "confirmed";
        d.deposit_fee = amount.mul(catalog::d(currency.deposit_fee), Round::HalfUp);
        let net = amount.checked_sub(d.deposit_fee).unwrap_or(Dec::ZERO);
        d.received = catalog::convert(net, currency, target, Round::Down);
        if target.code != currency.code {
            d.exchange_fee = d
                .received
                .mul(catalog::d(catalog::EXCHANGE_FEE), Round::HalfUp);
        }
        self.credit(target, d.credited());
        self.emit(id, render::deposit_callback(self, &d));
        self.deposits.insert(id, d);
        id
    }

    // ---- withdrawals ----

    #[allow(clippy::too_many_arguments)]
    pub fn withdraw(
        &mut self,
        from: &'static Currency,
        to: &'static Currency,
        address: String,
        tag: Option<String>,
        amount: Dec,
        sender_amount: Dec,
        receiver_amount: Dec,
        fee: Dec,
        foreign_id: String,
        end_user_reference: String,
    ) -> u64 {
        let id = self.id();
        let item_id = self.item_id();
        let exchange_item_id = self.item_id();
        self.debit(
            from,
            sender_amount.checked_add(fee).unwrap_or(sender_amount),
        );
        // A repeated foreign_id (allowed unless refuse_duplicate_foreign_id) keeps naming the
        // first withdrawal in look-ups.
        self.withdrawal_fids.entry(foreign_id.clone()).or_insert(id);
        let now = self.now();
        // Above the approval limit (in the debited currency): held as pending, balance kept
        // aside, until /_sandbox/withdrawals/{id}/approve or /decline.
        let held = self
            .switches
            .withdrawal_approval_above
            .is_some_and(|limit| sender_amount > limit);
        self.withdrawals.insert(
            id,
            Withdrawal {
                id,
                item_id,
                exchange_item_id,
                foreign_id,
                end_user_reference,
                from,
                to,
                address,
                tag,
                amount,
                sender_amount,
                receiver_amount,
                fee,
                status: if held { "pending" } else { "processing" },
                txid: None,
                error: String::new(),
                processing_since: now,
            },
        );
        if held {
            let body = render::withdrawal_callback(&self.quirks, &self.withdrawals[&id]);
            self.emit(id, body);
        }
        id
    }

    /// A pending withdrawal approved by the owner: on to `processing` (no callback; the
    /// dashboard's Verifying step is skipped), then confirm or cancel as usual.
    pub fn approve_withdrawal(&mut self, id: u64) -> Result<(), Refused> {
        let now = self.now();
        let w = self.pending_withdrawal(id)?;
        w.status = "processing";
        w.processing_since = now;
        Ok(())
    }

    /// A pending withdrawal declined by the owner: `declined`, with a callback; the balance
    /// held for it comes back.
    pub fn decline_withdrawal(&mut self, id: u64, error: Option<String>) -> Result<(), Refused> {
        let w = self.pending_withdrawal(id)?;
        w.status = "declined";
        w.error = error.unwrap_or_else(|| "Withdrawal declined by the sandbox operator.".into());
        let (from, refund) = (
            w.from,
            w.sender_amount
                .checked_add(w.fee)
                .unwrap_or(w.sender_amount),
        );
        self.credit(from, refund);
        let body = render::withdrawal_callback(&self.quirks, &self.withdrawals[&id]);
        self.emit(id, body);
        Ok(())
    }

    fn pending_withdrawal(&mut self, id: u64) -> Result<&mut Withdrawal, Refused> {
        match self.withdrawals.get_mut(&id) {
            None => refuse(404, format!("no withdrawal with id {id}")),
            Some(w) if w.status != "pending" => refuse(
                409,
                format!("withdrawal {id} is {}, not pending approval", w.status),
            ),
            Some(w) => Ok(w),
        }
    }

    pub fn settle_withdrawal(
        &mut self,
        id: u64,
        confirm: bool,
        error: Option<String>,
    ) -> Result<(), Refused> {
        let Some(w) = self.withdrawals.get(&id) else {
            return refuse(404, format!("no withdrawal with id {id}"));
        };
        if w.status == "pending" {
            return refuse(
                409,
                format!("withdrawal {id} is pending approval: approve or decline it first"),
            );
        }
        if w.status != "processing" {
            return refuse(409, format!("withdrawal {id} is already {}", w.status));
        }
        let (from, to, refund) = (
            w.from,
            w.to,
            w.sender_amount
                .checked_add(w.fee)
                .unwrap_or(w.sender_amount),
        );
        let txid = confirm.then(|| self.new_txid(to));
        if let Some(t) = &txid {
            self.txids.insert(t.clone(), id);
        } else {
            self.credit(from, refund);
        }
        let w = self.withdrawals.get_mut(&id).expect("checked above");
        if confirm {
            w.status = "confirmed";
            w.txid = txid;
        } else {
            w.status = "cancelled";
            w.error =
                error.unwrap_or_else(|| "Withdrawal cancelled by the sandbox operator.".into());
        }
        let body = render::withdrawal_callback(&self.quirks, &self.withdrawals[&id]);
        self.emit(id, body);
        Ok(())
    }

    // ---- exchanges ----

    pub fn quote(
        &mut self,
        from: &'static Currency,
        to: &'static Currency,
        amount: Dec,
        is_sender: bool,
    ) -> Quote {
        let price = catalog::price(from, to);
        let (sender_amount, receiver_amount) = if is_sender {
            (amount, amount.mul(price, Round::Down))
        } else {
            (amount.div(price, Round::Up), amount)
        };
        let q = Quote {
            from,
            to,
            sender_amount,
            receiver_amount,
            fee: sender_amount.mul(catalog::d(catalog::EXCHANGE_FEE), Round::HalfUp),
            price,
            ts_fixed: self.now(),
        };
        if self.quotes.len() >= MAX_QUOTES {
            self.quotes.pop_front();
        }
        self.quotes.push_back(q.clone());
        q
    }

    pub fn exchange(&mut self, quote: Quote, foreign_id: String) -> u64 {
        let id = self.id();
        let item_id = self.item_id();
        self.debit(
            quote.from,
            quote
                .sender_amount
                .checked_add(quote.fee)
                .unwrap_or(quote.sender_amount),
        );
        self.exchange_fids.entry(foreign_id.clone()).or_insert(id);
        let created_at = self.now();
        self.exchanges.insert(
            id,
            Exchange {
                id,
                item_id,
                foreign_id,
                quote,
                status: "processing",
                error: String::new(),
                created_at,
            },
        );
        id
    }

    pub fn settle_exchange(
        &mut self,
        id: u64,
        confirm: bool,
        error: Option<String>,
    ) -> Result<(), Refused> {
        let Some(e) = self.exchanges.get(&id) else {
            return refuse(404, format!("no exchange with id {id}"));
        };
        if e.status != "processing" {
            return refuse(409, format!("exchange {id} is already {}", e.status));
        }
        let q = e.quote.clone();
        if confirm {
            self.credit(q.to, q.receiver_amount);
        } else {
            self.credit(
                q.from,
                q.sender_amount
                    .checked_add(q.fee)
                    .unwrap_or(q.sender_amount),
            );
        }
        let e = self.exchanges.get_mut(&id).expect("checked above");
        if confirm {
            e.status = "confirmed";
        } else {
            e.status = "cancelled";
            e.error = error.unwrap_or_else(|| "Exchange cancelled by the sandbox operator.".into());
        }
        let body = render::exchange_callback(&self.quirks, &self.exchanges[&id]);
        self.emit(id, body);
        Ok(())
    }

    // ---- invoices ----

    pub fn new_invoice_id(&mut self) -> (u64, String) {
        const ALNUM: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
        let id = self.id();
        (id, self.random_chars(ALNUM, 6))
    }

    /// Fixes the payer's currency: address and amount due (types 3 at creation, 1 and 2 on payment).
    pub fn fix_payer(&mut self, inv: &mut Invoice, currency: &'static Currency) {
        let (address_id, address, tag) = self.new_address(currency);
        let amount = catalog::convert(inv.amount, inv.currency, currency, Round::Up);
        inv.payer = Some(Payer {
            currency,
            address_id,
            address,
            tag,
            amount,
        });
    }

    pub fn insert_invoice(&mut self, inv: Invoice) {
        self.invoice_fids.insert(inv.foreign_id.clone(), inv.id);
        self.invoices.insert(inv.id, inv);
    }

    pub fn invoice_by_fid(&self, foreign_id: &str) -> Option<u64> {
        self.invoice_fids.get(foreign_id).copied()
    }

    fn set_invoice_status(&mut self, id: u64, status: &'static str, error: &str) {
        let now = self.now();
        let inv = self.invoices.get_mut(&id).expect("invoice exists");
        inv.status = status;
        inv.error = error.to_string();
        if status == "processing" && inv.expires_at.is_some() {
            inv.expires_at = Some(inv.fixed_at.unwrap_or(now) + PROCESSING_WINDOW);
        }
        let body = render::invoice_callback(&self.quirks, &self.invoices[&id]);
        self.emit(id, body);
    }

    /// The payer sends `amount` (in `currency`, or the invoice's payment currency).
    pub fn pay_invoice(
        &mut self,
        id: u64,
        amount: Option<Dec>,
        currency: Option<&'static Currency>,
    ) -> Result<(), Refused> {
        self.sweep();
        let now = self.now();
        let mut inv = self.invoices.remove(&id).expect("caller looked it up");
        let fixed = self.fix_payment_currency(&mut inv, currency, now);
        self.invoices.insert(id, inv);
        if fixed? {
            self.set_invoice_status(id, "pending", "");
        }
        let payer = self.invoices[&id]
            .payer
            .as_ref()
            .expect("fixed above")
            .currency;
        let amount = match amount {
            Some(a) => a,
            None => {
                let due = self.invoices[&id].remaining();
                if !due.is_positive() {
                    return refuse(409, "nothing is due on this invoice");
                }
                due
            }
        };
        let txid = self.new_txid(payer);
        let pid = self.item_id();
        self.txids.insert(txid.clone(), id);
        let inv = self.invoices.get_mut(&id).expect("invoice exists");
        inv.payments.push(Payment {
            id: pid,
            amount,
            txid,
            confirmed: false,
        });
        inv.paid = inv.paid.checked_add(amount).unwrap_or(inv.paid);
        let full = !inv.remaining().is_positive();
        let installments = inv.kind == "good_until_expired";
        // Seen in the mempool: processing (a confirmed installment invoice stays confirmed).
        if inv.status != "confirmed" || !installments {
            self.set_invoice_status(id, "processing", "");
        }
        if full || installments {
            self.confirm_invoice_payments(id);
        }
        Ok(())
    }

    /// Checks the invoice takes a payment and fixes the payer's currency if not yet done;
    /// true when that moved a type-1 invoice from created to pending.
    fn fix_payment_currency(
        &mut self,
        inv: &mut Invoice,
        currency: Option<&'static Currency>,
        now: i64,
    ) -> Result<bool, Refused> {
        if !inv.payable() {
            return refuse(
                409,
                format!(
                    "invoice {} is {} and takes no payment",
                    inv.foreign_id, inv.status
                ),
            );
        }
        if inv.release_at.is_some_and(|t| now >= t) {
            return refuse(
                409,
                format!("the timer of invoice {} has expired", inv.foreign_id),
            );
        }
        match (&inv.payer, currency) {
            (Some(p), Some(c)) if p.currency.code != c.code => refuse(
                409,
                format!(
                    "invoice {} is to be paid in {}",
                    inv.foreign_id, p.currency.code
                ),
            ),
            (Some(_), _) => Ok(false),
            (None, c) => {
                let c = c.or(inv.requested_sender_currency).unwrap_or_else(|| {
                    if inv.currency.fiat {
                        catalog::find("BTC").expect("BTC")
                    } else {
                        inv.currency
                    }
                });
                if c.fiat {
                    return refuse(400, "the payer pays in a crypto currency");
                }
                self.fix_payer(inv, c);
                if inv.status != "created" {
                    return Ok(false);
                }
                inv.fixed_at = Some(now);
                inv.release_at = Some(now + INVOICE_TIMER);
                inv.expires_at = inv.release_at;
                Ok(true)
            }
        }
    }

    /// Credits what arrived since the last confirmation and says so with a confirmed callback.
    fn confirm_invoice_payments(&mut self, id: u64) {
        let inv = self.invoices.get_mut(&id).expect("invoice exists");
        for p in &mut inv.payments {
            p.confirmed = true;
        }
        let fee_in_currency = match &inv.payer {
            Some(p) => catalog::convert(inv.fee(), p.currency, inv.currency, Round::Up),
            None => Dec::ZERO,
        };
        let total = inv
            .received()
            .checked_sub(fee_in_currency)
            .unwrap_or(Dec::ZERO);
        let delta = total.checked_sub(inv.credited).unwrap_or(Dec::ZERO);
        inv.credited = total;
        let currency = inv.currency;
        self.credit(currency, delta);
        self.set_invoice_status(id, "confirmed", "");
    }

    /// Ends an open invoice as failed with the documented timer texts.
    pub fn expire_invoice(&mut self, id: u64) -> Result<(), Refused> {
        let inv = &self.invoices[&id];
        if !matches!(inv.status, "created" | "pending" | "processing") {
            return refuse(
                409,
                format!(
                    "invoice {} is {}; only open invoices expire",
                    inv.foreign_id, inv.status
                ),
            );
        }
        let error = if inv.paid.is_positive() {
            UNDERPAID
        } else {
            NOT_PAID
        };
        self.set_invoice_status(id, "failed", error);
        Ok(())
    }

    /// `POST /invoices/{foreign_id}/cancel/`: open invoices move to failed.
    pub fn cancel_invoice(&mut self, id: u64) -> bool {
        if !matches!(
            self.invoices[&id].status,
            "created" | "pending" | "processing"
        ) {
            return false;
        }
        self.set_invoice_status(id, "failed", CANCELLED_BY_MERCHANT);
        true
    }

    /// Moves whatever time has made due: invoice timers, payment request lifetimes,
    /// auto-confirmations, stale quotes.
    pub fn sweep(&mut self) {
        let now = self.now();
        let due: Vec<u64> = self
            .invoices
            .values()
            .filter(|i| match i.status {
                "pending" => i.release_at.is_some_and(|t| now >= t),
                "processing" => {
                    i.release_at.is_some_and(|t| now >= t) && i.remaining().is_positive()
                        || i.expires_at.is_some_and(|t| now >= t)
                }
                _ => false,
            })
            .map(|i| i.id)
            .collect();
        for id in due {
            let inv = &self.invoices[&id];
            let error = if inv.status == "processing" && !inv.remaining().is_positive() {
                "Timer expired. Transactions were in status processing too long."
            } else if inv.paid.is_positive() {
                UNDERPAID
            } else {
                NOT_PAID
            };
            self.set_invoice_status(id, "failed", error);
        }
        if let Some(after) = self.auto_confirm {
            let w: Vec<u64> = self
                .withdrawals
                .values()
                .filter(|w| w.status == "processing" && now >= w.processing_since + after)
                .map(|w| w.id)
                .collect();
            for id in w {
                let _ = self.settle_withdrawal(id, true, None);
            }
            let e: Vec<u64> = self
                .exchanges
                .values()
                .filter(|e| e.status == "processing" && now >= e.created_at + after)
                .map(|e| e.id)
                .collect();
            for id in e {
                let _ = self.settle_exchange(id, true, None);
            }
        }
        self.sweep_payment_requests(now);
        while self
            .quotes
            .front()
            .is_some_and(|q| q.ts_fixed + FIX_PERIOD + 600 < now)
        {
            self.quotes.pop_front();
        }
    }
}

pub fn index(c: &Currency) -> usize {
    CURRENCIES
        .iter()
        .position(|x| x.code == c.code)
        .expect("catalog currency")
}
