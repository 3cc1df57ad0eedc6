//! Every operation against the sandbox through the Rust API: typed requests, validation
//! before sending, documented error bodies, tolerant decoding of the documented quirks,
//! and retries that never move money twice.

#[path = "common/sandbox.rs"]
mod sandbox;

use alphapo::operations::{
    Account, CurrenciesList, CurrencyInfo, CurrencyPair, PairsQuery, RatesQuery,
};
use alphapo::{
    Amount, Client, ExchangeCalculate, ExchangeFixed, ExchangeNow, GenericRequest, InvoiceRequest,
    OperationKind, Party, Request, Status, TakeAddress, TransactionLookup, WithdrawalRequest,
};
use sandbox::Sandbox;
use serde_json::Value;
use std::time::{Duration, Instant};

fn client(sb: &Sandbox) -> Client {
    Client::builder(sb.key(), sb.secret().as_bytes())
        .base_url(sb.base_url(), false)
        .timeout(Duration::from_secs(5))
        .build()
        .unwrap()
}

fn amount(s: &str) -> Amount {
    Amount::parse(s).unwrap()
}

fn state(sb: &Sandbox) -> Value {
    let (status, body) = sb.control("GET", "/_sandbox/state", "");
    assert_eq!(status, 200, "{body}");
    serde_json::from_str(&body).unwrap()
}

fn requests_total(sb: &Sandbox) -> u64 {
    state(sb)["requests"]["total"].as_u64().unwrap()
}

fn invoice(fid: &str) -> InvoiceRequest {
    InvoiceRequest {
        title: Some("Order".into()),
        currency: Some("EUR".into()),
        amount: Some(amount("106.75")),
        foreign_id: Some(fid.into()),
        end_user_reference: Some("customer-1".into()),
        url_success: Some("https://shop.example.com/ok".into()),
        url_failed: Some("https://shop.example.com/ko".into()),
        ..InvoiceRequest::default()
    }
}

fn withdrawal(fid: &str, value: &str) -> WithdrawalRequest {
    WithdrawalRequest {
        currency: Some("BTC".into()),
        address: Some("tb1qsandboxdestination0000000000000000".into()),
        amount: Some(amount(value)),
        foreign_id: Some(fid.into()),
        end_user_reference: Some("customer-1".into()),
        ..WithdrawalRequest::default()
    }
}

#[test]
fn ping_accounts_and_reference_data() {
    let sb = Sandbox::start(&[]);
    let c = client(&sb);
    assert_eq!(c.ping().unwrap().data, "OK");

    let accounts = Account::list(&c.list_accounts().unwrap());
    let btc = accounts
        .iter()
        .find(|a| a.currency.as_deref() == Some("BTC"))
        .expect("a BTC balance");
    assert_eq!(btc.balance.as_ref().unwrap().as_str(), "2.50000000");

    let all = CurrencyInfo::list(&c.list_currencies(&CurrenciesList::default()).unwrap());
    assert!(all.len() >= 5);
    assert!(all
        .iter()
        .all(|cur| cur.minimum_amount.as_ref().is_some_and(Amount::is_valid)));
    let visible = c
        .list_currencies(&CurrenciesList {
            visible: Some(true),
        })
        .unwrap();
    assert!(!CurrencyInfo::list(&visible).is_empty());

    let pairs = CurrencyPair::list(
        &c.currency_pairs(&PairsQuery {
            currency_from: Some("BTC".into()),
            currency_to: None,
        })
        .unwrap(),
    );
    assert!(!pairs.is_empty());
    assert!(pairs
        .iter()
        .all(|p| p.currency_from.as_deref() == Some("BTC")));

    let rates = CurrencyPair::list(
        &c.currency_rates(&RatesQuery {
            currency_from: Some("BTC".into()),
            currency_to: Some("EUR".into()),
        })
        .unwrap(),
    );
    assert_eq!(rates.len(), 1);
    assert!(rates[0].rate_to.as_ref().unwrap().is_valid());

    // Documented error body: unknown currencies.
    let e = c
        .currency_pairs(&PairsQuery {
            currency_from: Some("NOPE".into()),
            currency_to: None,
        })
        .unwrap_err();
    assert_eq!(e.status(), Status::Api);
    assert_eq!(e.http_status(), Some(400));
    assert!(e.field("currency_from").is_some(), "{e:?}");

    // Local validation: both currencies are required for rates; nothing is sent.
    let before = requests_total(&sb);
    let e = c.currency_rates(&RatesQuery::default()).unwrap_err();
    assert_eq!(e.status(), Status::Validation);
    assert!(e.field("currency_from").is_some() && e.field("currency_to").is_some());
    assert_eq!(requests_total(&sb), before);
}

#[test]
fn addresses() {
    let sb = Sandbox::start(&[]);
    let c = client(&sb);
    let a = c
        .take_address(&TakeAddress {
            currency: Some("BTC".into()),
            foreign_id: Some("customer-7".into()),
            convert_to: Some("EUR".into()),
            end_user_reference: Some("customer-7".into()),
            ..TakeAddress::default()
        })
        .unwrap();
    assert_eq!(a.response.http_status, 201);
    assert_eq!(a.convert_to.as_deref(), Some("EUR"));
    assert_eq!(a.foreign_id.as_deref(), Some("customer-7"));
    assert!(a.address.as_deref().is_some_and(|s| !s.is_empty()));

    let xrp = c
        .take_address(&TakeAddress {
            currency: Some("XRP".into()),
            foreign_id: Some("customer-7".into()),
            end_user_reference: Some("customer-7".into()),
            ..TakeAddress::default()
        })
        .unwrap();
    assert!(
        xrp.tag.as_deref().is_some_and(|t| !t.is_empty()),
        "XRP has a tag"
    );

    let e = c
        .take_address(&TakeAddress {
            currency: Some("BTC".into()),
            sender: Party {
                kind: Some("natural".into()),
                data: Some(vec![("first_name".into(), "Ada".into())]),
            },
            ..TakeAddress::default()
        })
        .unwrap_err();
    assert_eq!(e.status(), Status::Validation);
    for f in [
        "foreign_id",
        "sender_data.last_name",
        "sender_data.date_of_birth",
    ] {
        assert!(e.field(f).is_some(), "{f}: {e:?}");
    }
}

#[test]
fn withdrawals_change_the_balance_and_foreign_ids_are_unique() {
    // The service does not document a refusal of a repeated withdrawal foreign_id; the
    // sandbox emulates one only when asked. The client maps it all the same.
    let sb = Sandbox::start(&["--refuse-duplicate-foreign-id"]);
    let c = client(&sb);
    let w = c.withdraw(&withdrawal("w-1", "0.01")).unwrap();
    assert_eq!(w.response.http_status, 201);
    assert_eq!(w.foreign_id.as_deref(), Some("w-1"));
    assert_eq!(w.status.as_deref(), Some("processing"));
    assert_eq!(w.withdrawal_type.as_deref(), Some("withdrawal"));
    let balance = state(&sb)["accounts"]["BTC"].as_str().unwrap().to_string();
    assert_ne!(balance, "2.50000000");

    let e = c.withdraw(&withdrawal("w-1", "0.01")).unwrap_err();
    assert_eq!(e.status(), Status::DuplicateForeignId);
    assert_eq!(
        e.field("foreign_id"),
        Some("The foreign id has already been taken.")
    );
    assert!(e.message().contains("already exists"), "{}", e.message());

    let e = c.withdraw(&withdrawal("w-2", "0.00000001")).unwrap_err();
    assert_eq!(e.status(), Status::Api);
    assert!(e.field("amount").unwrap().contains("at least"), "{e:?}");

    let mut both = withdrawal("w-3", "1");
    both.amount_to = Some(amount("1"));
    let e = c.withdraw(&both).unwrap_err();
    assert_eq!(e.status(), Status::Validation);
    assert!(e.field("amount_to").is_some());

    // With conversion: EUR balance sends BTC.
    let conv = c
        .withdraw(&WithdrawalRequest {
            currency: Some("EUR".into()),
            convert_to: Some("BTC".into()),
            amount_to: Some(amount("0.001")),
            amount: None,
            ..withdrawal("w-4", "1")
        })
        .unwrap();
    assert_eq!(conv.withdrawal_type.as_deref(), Some("withdrawal_exchange"));
}

#[test]
fn a_lost_withdrawal_reply_is_outcome_unknown_and_sent_once() {
    let sb = Sandbox::start(&[]);
    let c = client(&sb);
    let (st, body) = sb.control(
        "POST",
        "/_sandbox/faults",
        r#"{"mode":"drop_after","path":"/withdrawal/crypto","count":1}"#,
    );
    assert_eq!(st, 200, "{body}");
    let before = state(&sb)["accounts"]["BTC"].as_str().unwrap().to_string();
    let e = c.withdraw(&withdrawal("lost-1", "0.5")).unwrap_err();
    assert_eq!(e.status(), Status::OutcomeUnknown, "{e:?}");
    assert_eq!(e.cause(), Some(Status::Transport), "{e:?}");
    assert_eq!(e.foreign_id(), Some("lost-1"));
    for words in [
        "withdrawal/crypto",
        "\"lost-1\"",
        "callback",
        "transactions/info",
    ] {
        assert!(e.message().contains(words), "{words}: {}", e.message());
    }
    let s = state(&sb);
    let withdrawals = s["withdrawals"].as_array().unwrap();
    assert_eq!(
        withdrawals.len(),
        1,
        "exactly one withdrawal: {withdrawals:?}"
    );
    assert_eq!(withdrawals[0]["foreign_id"], "lost-1");
    assert_eq!(
        s["requests"]["by_path"]["/api/v2/withdrawal/crypto"], 1,
        "an unguarded request is never sent twice"
    );
    let after = s["accounts"]["BTC"].as_str().unwrap();
    assert_ne!(before, after);

    // What the merchant does next: look it up by foreign_id.
    let found = c
        .reconcile("lost-1")
        .unwrap()
        .expect("the withdrawal exists");
    assert_eq!(found.foreign_id.as_deref(), Some("lost-1"));
    assert!(found.status.is_some());
    assert!(
        c.reconcile("never-sent").unwrap().is_none(),
        "404: not found"
    );

    // Retries off: the same answer.
    let once = Client::builder(sb.key(), sb.secret().as_bytes())
        .base_url(sb.base_url(), false)
        .max_retries(0)
        .build()
        .unwrap();
    sb.control(
        "POST",
        "/_sandbox/faults",
        r#"{"mode":"drop_after","path":"/withdrawal/crypto","count":1}"#,
    );
    let e = once.withdraw(&withdrawal("lost-2", "0.1")).unwrap_err();
    assert_eq!(e.status(), Status::OutcomeUnknown, "{e:?}");
    assert_eq!(state(&sb)["withdrawals"].as_array().unwrap().len(), 2);
}

#[test]
fn a_short_429_on_a_withdrawal_is_retried_and_succeeds() {
    let sb = Sandbox::start(&[]);
    let c = client(&sb);
    sb.control(
        "POST",
        "/_sandbox/faults",
        r#"{"mode":"http_429","path":"/withdrawal/crypto","retry_after":1}"#,
    );
    let w = c.withdraw(&withdrawal("rl-1", "0.01")).unwrap();
    assert_eq!(w.foreign_id.as_deref(), Some("rl-1"));
    let s = state(&sb);
    assert_eq!(s["requests"]["by_path"]["/api/v2/withdrawal/crypto"], 2);
    assert_eq!(s["withdrawals"].as_array().unwrap().len(), 1);
}

#[test]
fn a_lost_reply_then_a_long_429_is_still_outcome_unknown() {
    let sb = Sandbox::start(&[]);
    let c = client(&sb);
    for fault in [
        r#"{"mode":"drop_after","path":"/invoices/create","count":1}"#,
        r#"{"mode":"http_429","path":"/invoices/create","retry_after":3600}"#,
    ] {
        sb.control("POST", "/_sandbox/faults", fault);
    }
    let e = c.create_invoice(&invoice("lost-inv")).unwrap_err();
    assert_eq!(e.status(), Status::OutcomeUnknown, "{e:?}");
    assert_eq!(e.cause(), Some(Status::RateLimited));
    assert_eq!(e.http_status(), Some(429));
    assert_eq!(e.retry_after(), Some(3600));
    let s = state(&sb);
    assert_eq!(s["requests"]["by_path"]["/api/v2/invoices/create"], 2);
    assert_eq!(s["invoices"].as_array().unwrap().len(), 1);
}

#[test]
fn a_lost_invoice_reply_is_retried_with_the_same_bytes() {
    let sb = Sandbox::start(&[]);
    let c = client(&sb);
    sb.control(
        "POST",
        "/_sandbox/faults",
        r#"{"mode":"drop_after","path":"/invoices/create","count":1}"#,
    );
    let e = c.create_invoice(&invoice("lost-inv-2")).unwrap_err();
    assert_eq!(e.status(), Status::DuplicateForeignId, "{e:?}");
    assert!(
        e.message().contains("may already have succeeded"),
        "{}",
        e.message()
    );
    assert_eq!(e.foreign_id(), Some("lost-inv-2"));
    let s = state(&sb);
    assert_eq!(s["requests"]["by_path"]["/api/v2/invoices/create"], 2);
    assert_eq!(s["invoices"].as_array().unwrap().len(), 1);
}

#[test]
fn exchanges_quote_fixed_and_now() {
    let sb = Sandbox::start(&[]);
    let c = client(&sb);
    let q = c
        .calculate_exchange(
            &ExchangeCalculate::new()
                .sender_currency("BTC")
                .receiver_currency("EUR")
                .sender_amount(amount("0.02")),
        )
        .unwrap();
    let price = q.price.clone().unwrap();
    assert!(price.is_valid());
    assert_eq!(q.ts_release.unwrap() - q.ts_fixed.unwrap(), 60);

    let fixed = c
        .exchange_fixed(
            &ExchangeFixed::new()
                .sender_currency("BTC")
                .receiver_currency("EUR")
                .sender_amount(amount("0.02"))
                .foreign_id("x-1")
                .price(price.clone()),
        )
        .unwrap();
    assert_eq!(fixed.response.http_status, 201);
    assert_eq!(fixed.status.as_deref(), Some("processing"));
    assert_eq!(fixed.foreign_id.as_deref(), Some("x-1"));

    let wrong_price = c
        .exchange_fixed(
            &ExchangeFixed::new()
                .sender_currency("BTC")
                .receiver_currency("EUR")
                .sender_amount(amount("0.02"))
                .foreign_id("x-2")
                .price(amount("1.5")),
        )
        .unwrap_err();
    assert_eq!(wrong_price.status(), Status::Api, "{wrong_price:?}");

    let now = c
        .exchange_now(
            &ExchangeNow::new()
                .sender_currency("EUR")
                .receiver_currency("BTC")
                .sender_amount(amount("500"))
                .foreign_id("x-3"),
        )
        .unwrap();
    assert_eq!(now.response.http_status, 201);
    let e = c
        .exchange_now(
            &ExchangeNow::new()
                .sender_currency("BTC")
                .receiver_currency("EUR"),
        )
        .unwrap_err();
    assert_eq!(e.status(), Status::Validation);
    assert!(e.field("foreign_id").is_some() && e.field("sender_amount").is_some());
}

#[test]
fn exchange_calculate_rate_limit_is_rate_limited_with_its_text_body() {
    let sb = Sandbox::start(&[]);
    let c = client(&sb);
    sb.control("POST", "/_sandbox/rate-limit", r#"{"per_minute":2}"#);
    let quote = ExchangeCalculate::new()
        .sender_currency("BTC")
        .receiver_currency("EUR")
        .sender_amount(amount("0.01"));
    c.calculate_exchange(&quote).unwrap();
    c.calculate_exchange(&quote).unwrap();
    let e = c.calculate_exchange(&quote).unwrap_err();
    assert_eq!(e.status(), Status::RateLimited);
    assert_eq!(e.http_status(), Some(429));
    let raw = String::from_utf8_lossy(e.raw_body().unwrap()).to_string();
    assert!(raw.contains("1015"), "{raw}");
}

#[test]
fn invoices_create_cancel_and_lookup() {
    let sb = Sandbox::start(&[]);
    let c = client(&sb);
    let inv = c.create_invoice(&invoice("inv-1")).unwrap();
    assert_eq!(inv.foreign_id.as_deref(), Some("inv-1"));
    assert_eq!(inv.amount.as_ref().unwrap().as_str(), "106.75000000");
    assert_eq!(inv.status.as_deref(), Some("created"));
    assert!(inv.url.as_deref().unwrap().contains("/invoice/"));

    let dup = c.create_invoice(&invoice("inv-1")).unwrap_err();
    assert_eq!(dup.status(), Status::DuplicateForeignId);

    let mut small = invoice("inv-2");
    small.amount = Some(amount("1"));
    let e = c.create_invoice(&small).unwrap_err();
    assert_eq!(e.status(), Status::Api);
    assert!(e.field("amount").unwrap().contains("minimum"));

    // Every rule is checked locally, nothing is sent.
    let before = requests_total(&sb);
    let mut bad = invoice("inv-3");
    bad.title = Some("t".repeat(51));
    bad.url_success = Some("http://shop.example.com".into());
    bad.url_failed = Some("https://127.0.0.1/".into());
    let e = c.create_invoice(&bad).unwrap_err();
    assert_eq!(e.status(), Status::Validation);
    assert_eq!(e.fields().len(), 3, "{e:?}");
    assert_eq!(requests_total(&sb), before);

    // The sandbox pays exactly what is due when the control call gives no amount.
    c.create_invoice(&invoice("inv-paid")).unwrap();
    let (st, body) = sb.control("POST", "/_sandbox/invoices/inv-paid/pay", "{}");
    assert_eq!(st, 200, "{body}");
    let paid: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(paid["status"], "confirmed", "{paid}");

    let cancelled = c.cancel_invoice("inv-1").unwrap();
    assert_eq!(cancelled.response.http_status, 200);
    let again = c.cancel_invoice("inv-1").unwrap_err();
    assert_eq!(again.status(), Status::Api);
    assert_eq!(again.code(), Some("invalid_invoice_state"));
    assert!(again.message().contains("cannot be failed"));

    // transactions/info: a GET with a signed JSON body.
    let w = c.withdraw(&withdrawal("w-info", "0.01")).unwrap();
    let t = c
        .transaction_info(&TransactionLookup {
            id: w.id,
            ..TransactionLookup::default()
        })
        .unwrap();
    assert_eq!(t.id, w.id);
    let by_fid = c
        .transaction_info(&TransactionLookup {
            foreign_id: Some("w-info".into()),
            ..TransactionLookup::default()
        })
        .unwrap();
    assert_eq!(by_fid.id, w.id);
    let e = c
        .transaction_info(&TransactionLookup {
            id: Some(1),
            txid: Some("abc".into()),
            ..TransactionLookup::default()
        })
        .unwrap_err();
    assert_eq!(e.status(), Status::Validation);
}

#[test]
fn generic_request_and_prepare() {
    let sb = Sandbox::start(&[]);
    let c = client(&sb);
    let r = c
        .request(&GenericRequest {
            method: alphapo::operations::Method::Post,
            path: "/accounts/list".into(),
            body: serde_json::json!({}),
        })
        .unwrap();
    assert!(r.data.as_array().is_some_and(|a| !a.is_empty()));
    let e = c
        .request(&GenericRequest {
            method: alphapo::operations::Method::Post,
            path: "/no/such/endpoint".into(),
            body: serde_json::json!({}),
        })
        .unwrap_err();
    assert_eq!(e.status(), Status::Auth);
    assert_eq!(e.code(), Some("required_header_key"));

    // prepare: no network; the signature is over exactly the body bytes.
    let before = requests_total(&sb);
    for kind in alphapo::operations::OPERATIONS.iter().map(|o| o.kind) {
        let json = match kind {
            OperationKind::CurrenciesRates => r#"{"currency_from":"BTC","currency_to":"EUR"}"#,
            OperationKind::AddressesTake => r#"{"currency":"BTC","foreign_id":"c1"}"#,
            OperationKind::WithdrawalCrypto => {
                r#"{"currency":"BTC","address":"a","amount":"0.1","foreign_id":"p1"}"#
            }
            OperationKind::ExchangeCalculate => {
                r#"{"sender_currency":"BTC","receiver_currency":"EUR","sender_amount":"0.1"}"#
            }
            OperationKind::ExchangeFixed => {
                r#"{"sender_currency":"BTC","receiver_currency":"EUR","sender_amount":"0.1","foreign_id":"p2","price":"1"}"#
            }
            OperationKind::ExchangeNow => {
                r#"{"sender_currency":"BTC","receiver_currency":"EUR","sender_amount":"0.1","foreign_id":"p3"}"#
            }
            OperationKind::InvoicesCreate => {
                r#"{"title":"t","currency":"EUR","amount":"10","foreign_id":"p4"}"#
            }
            OperationKind::InvoicesCancel => r#"{"foreign_id":"p4"}"#,
            OperationKind::TransactionsInfo => r#"{"id":1}"#,
            OperationKind::Generic => r#"{"path":"/x"}"#,
            OperationKind::PaymentRequestsCreate => {
                r#"{"amount":"10","currency":{"iso":"EUR"},"life_time_duration":600}"#
            }
            _ => "{}",
        };
        let p = c.prepare(&Request::from_json(kind, json).unwrap()).unwrap();
        // Payment requests are below the same host's /api/payments/v1.
        let api_root = sb.base_url().trim_end_matches("/v2");
        assert!(p.url.starts_with(api_root), "{kind:?}: {}", p.url);
        if kind != OperationKind::Ping {
            assert!(alphapo::verify(
                sb.secret().as_bytes(),
                &p.body,
                p.header("X-Processing-Signature").unwrap().as_bytes()
            ));
        }
    }
    assert_eq!(requests_total(&sb), before);
}

#[test]
fn documented_quirks_decode() {
    let sb = Sandbox::start(&[
        "--quirks",
        "amounts_as_numbers,end_user_reference_as_number,invoice_foreign_id_as_number,invoice_create_201",
    ]);
    let c = client(&sb);
    let inv = c.create_invoice(&invoice("12345")).unwrap();
    assert_eq!(inv.response.http_status, 201);
    assert_eq!(inv.foreign_id.as_deref(), Some("12345"));
    assert_eq!(inv.end_user_reference.as_deref(), Some("customer-1"));
    assert!(inv.amount.as_ref().unwrap().is_valid());
    assert!(inv.response.malformed.is_empty());
    let raw = String::from_utf8_lossy(&inv.response.raw_body).to_string();
    assert!(
        !raw.contains("\"amount\":\""),
        "amounts were numbers on the wire: {raw}"
    );
    let accounts = Account::list(&c.list_accounts().unwrap());
    assert!(accounts
        .iter()
        .all(|a| a.balance.as_ref().is_some_and(Amount::is_valid)));
}

#[test]
fn auth_failures_carry_the_documented_codes() {
    let sb = Sandbox::start(&[]);
    let wrong_secret = Client::builder(sb.key(), b"wrong")
        .base_url(sb.base_url(), false)
        .build()
        .unwrap();
    let e = wrong_secret.list_accounts().unwrap_err();
    assert_eq!(e.status(), Status::Auth);
    assert_eq!(e.code(), Some("bad_header_signature"));
    let wrong_key = Client::builder("not-a-key", sb.secret().as_bytes())
        .base_url(sb.base_url(), false)
        .build()
        .unwrap();
    let e = wrong_key.list_accounts().unwrap_err();
    assert_eq!(e.code(), Some("bad_header_key"));
    assert!(!format!("{e:?} {e}").contains(sb.secret()));
}

#[test]
fn faults_map_to_their_statuses() {
    let sb = Sandbox::start(&[]);
    let fast = Client::builder(sb.key(), sb.secret().as_bytes())
        .base_url(sb.base_url(), false)
        .timeout(Duration::from_millis(400))
        .max_retries(0)
        .max_response_bytes(1024 * 1024)
        .build()
        .unwrap();
    let arm = |mode: &str, extra: &str| {
        let (st, body) = sb.control(
            "POST",
            "/_sandbox/faults",
            &format!(r#"{{"mode":"{mode}","path":"/accounts/list"{extra}}}"#),
        );
        assert_eq!(st, 200, "{body}");
    };
    let cases = [
        ("latency", r#","ms":2000"#, Status::Timeout),
        ("http_500", "", Status::Server),
        ("http_502", "", Status::Server),
        ("drop_before", "", Status::Transport), // a read: its own failure, not "unknown"
        ("truncated", "", Status::Transport),
        ("huge", "", Status::Decode),
    ];
    for (mode, extra, expected) in cases {
        arm(mode, extra);
        let t = Instant::now();
        let e = fast.list_accounts().unwrap_err();
        assert_eq!(e.status(), expected, "{mode}: {e:?}");
        assert!(
            t.elapsed() < Duration::from_secs(3),
            "{mode} took {:?}",
            t.elapsed()
        );
        if mode.starts_with("http_5") {
            let raw = String::from_utf8_lossy(e.raw_body().unwrap()).to_lowercase();
            assert!(raw.contains("<html"), "{mode}: {raw}");
        }
    }
    // A read-only call is retried after a 502 and then succeeds.
    let c = client(&sb);
    arm("http_502", "");
    assert!(c.list_accounts().is_ok());
    assert_eq!(
        state(&sb)["faults"].as_array().map(Vec::len),
        Some(0),
        "the fault was consumed by the first attempt"
    );
}

#[test]
fn a_429_is_retried_only_when_retry_after_is_short() {
    let sb = Sandbox::start(&[]);
    let c = client(&sb);
    // Retry-After: 1 is honoured: one wait, then the call succeeds.
    sb.control(
        "POST",
        "/_sandbox/faults",
        r#"{"mode":"http_429","path":"/accounts/list","retry_after":1}"#,
    );
    let t = Instant::now();
    assert!(c.list_accounts().is_ok());
    assert!(
        t.elapsed() >= Duration::from_millis(900),
        "{:?}",
        t.elapsed()
    );
    assert_eq!(
        state(&sb)["requests"]["by_path"]["/api/v2/accounts/list"],
        2
    );

    // Retry-After beyond the 10 s cap comes back at once, with the hint.
    sb.control(
        "POST",
        "/_sandbox/faults",
        r#"{"mode":"http_429","path":"/accounts/list","retry_after":60}"#,
    );
    let t = Instant::now();
    let e = c.list_accounts().unwrap_err();
    assert_eq!(e.status(), Status::RateLimited);
    assert_eq!(e.retry_after(), Some(60));
    assert!(t.elapsed() < Duration::from_secs(2));

    // Without Retry-After (the documented Cloudflare reply) it is not retried either.
    sb.control(
        "POST",
        "/_sandbox/faults",
        r#"{"mode":"http_429","path":"/accounts/list"}"#,
    );
    let before = requests_total(&sb);
    assert_eq!(c.list_accounts().unwrap_err().retry_after(), None);
    assert_eq!(requests_total(&sb), before + 1);
}
