//! The sandbox speaks the documented protocol. An independent client: hand-written HTTP and
//! the sandbox's own HMAC signer (examples/sandbox/sign.rs: hmac + sha2), not the alphapo
//! library.
//!
//! Needs `cargo build --release --example sandbox` first (or ALPHAPO_SANDBOX).

#[path = "common/sandbox.rs"]
mod sandbox;
// The sandbox's signer (hmac + sha2), independent of the library's; this client signs only.
#[allow(dead_code)]
#[path = "../examples/sandbox/sign.rs"]
mod reference;

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::{Duration, Instant};

use sandbox::{Reply, Sandbox};
use serde_json::{json, Value};

/// HMAC-SHA512 of `body` as lowercase hex, by the sandbox's own signer (held to the
/// published vector in `the_official_signature_vector_is_accepted`).
fn sign(secret: &str, body: &[u8]) -> String {
    reference::Signer::new(secret.as_bytes()).sign(body)
}

/// A correctly signed request to `/api/v2{path}`.
fn api(sb: &Sandbox, method: &str, path: &str, body: &Value) -> (u16, Value) {
    let raw = serde_json::to_vec(body).unwrap();
    let reply = signed(sb, method, path, &raw).expect("request");
    let v = serde_json::from_slice(&reply.body).unwrap_or(Value::String(reply.text()));
    (reply.status, v)
}

fn signed(sb: &Sandbox, method: &str, path: &str, raw: &[u8]) -> std::io::Result<Reply> {
    signed_at(sb, method, &format!("/api/v2{path}"), raw)
}

/// A correctly signed request to an absolute path (`/api/payments/v1/requests`).
fn signed_at(sb: &Sandbox, method: &str, path: &str, raw: &[u8]) -> std::io::Result<Reply> {
    let sig = sign(sb.secret(), raw);
    let headers = [
        ("Content-Type", "application/json"),
        ("X-Processing-Key", sb.key()),
        ("X-Processing-Signature", sig.as_str()),
    ];
    sb.request(method, path, &headers, raw)
}

fn post(sb: &Sandbox, path: &str, body: Value) -> (u16, Value) {
    api(sb, "POST", path, &body)
}

fn control(sb: &Sandbox, method: &str, path: &str, body: Value) -> (u16, Value) {
    let (status, text) = sb.control(method, path, &body.to_string());
    (
        status,
        serde_json::from_str(&text).unwrap_or(Value::String(text)),
    )
}

fn state(sb: &Sandbox) -> Value {
    let (status, v) = control(sb, "GET", "state", json!(null));
    assert_eq!(status, 200);
    v
}

fn balance(sb: &Sandbox, currency: &str) -> String {
    let (status, v) = post(sb, "/accounts/list", json!({}));
    assert_eq!(status, 200);
    v["data"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["currency"] == currency)
        .unwrap()["balance"]
        .as_str()
        .unwrap()
        .to_string()
}

/// Exact decimal difference of two 8-dp strings, in 1e-8 units (tests need no floats either).
fn units(s: &str) -> i128 {
    let (i, f) = s.split_once('.').unwrap_or((s, ""));
    let f = format!("{f:0<8}");
    i.parse::<i128>().unwrap() * 100_000_000 + f[..8].parse::<i128>().unwrap()
}

fn invoice_body(foreign_id: &str) -> Value {
    json!({
        "timer": true, "title": "Order", "currency": "EUR", "amount": "100",
        "sender_currency": "BTC", "foreign_id": foreign_id, "end_user_reference": "cust-7",
        "url_success": "https://shop.example.com/ok", "url_failed": "https://shop.example.com/fail",
    })
}

#[test]
fn a_signed_request_passes_and_each_auth_failure_has_its_documented_code() {
    let sb = Sandbox::start(&["--key", "k-123", "--secret", "s-456"]);
    let body = br#"{}"#;
    let good = sign("s-456", body);
    let path = "/api/v2/accounts/list";
    let call = |headers: &[(&str, &str)], body: &[u8]| {
        let r = sb.request("POST", path, headers, body).unwrap();
        assert!(
            r.header("content-type")
                .unwrap()
                .starts_with("application/json"),
            "JSON, errors too"
        );
        let v: Value = serde_json::from_slice(&r.body).unwrap();
        (r.status, v)
    };
    let ct = ("Content-Type", "application/json");
    let key = ("X-Processing-Key", "k-123");
    let sig = ("X-Processing-Signature", good.as_str());

    let (s, v) = call(&[ct, key, sig], body);
    assert_eq!(s, 200, "{v}");
    assert!(v["data"].is_array());
    // Header names are case-insensitive; the hex may be upper case; charset is allowed.
    let upper = good.to_uppercase();
    let (s, _) = call(
        &[
            ("content-type", "application/json; charset=utf-8"),
            ("x-processing-key", "k-123"),
            ("X-PROCESSING-SIGNATURE", upper.as_str()),
        ],
        body,
    );
    assert_eq!(s, 200);

    let expect = |got: (u16, Value), status: u16, code: &str, text: &str| {
        assert_eq!(got.0, status, "{}", got.1);
        assert_eq!(got.1, json!({"error": text, "code": code}));
    };
    let bad_format = (400, "bad_content_format", "Bad content format");
    expect(
        call(&[key, sig], body),
        bad_format.0,
        bad_format.1,
        bad_format.2,
    );
    expect(
        call(&[("Content-Type", "text/plain"), key, sig], body),
        400,
        bad_format.1,
        bad_format.2,
    );
    let broken = b"{not json";
    let broken_sig = sign("s-456", broken);
    expect(
        call(
            &[ct, key, ("X-Processing-Signature", broken_sig.as_str())],
            broken,
        ),
        400,
        bad_format.1,
        bad_format.2,
    );
    expect(
        call(&[ct, sig], body),
        403,
        "required_header_key",
        "No key header",
    );
    expect(
        call(&[ct, ("X-Processing-Key", "s-456"), sig], body),
        403,
        "bad_header_key",
        "Bad key header",
    );
    expect(
        call(&[ct, key], body),
        403,
        "required_header_signature",
        "No signature header",
    );
    let other = sign("s-456", b"{ }");
    expect(
        call(&[ct, key, ("X-Processing-Signature", other.as_str())], body),
        403,
        "bad_header_signature",
        "Bad signature header",
    );
    let wrong_secret = sign("sandbox-secret", body);
    expect(
        call(
            &[ct, key, ("X-Processing-Signature", wrong_secret.as_str())],
            body,
        ),
        403,
        "bad_header_signature",
        "Bad signature header",
    );
    for wrong in ["zz".to_string(), "00".repeat(64)] {
        expect(
            call(&[ct, key, ("X-Processing-Signature", wrong.as_str())], body),
            403,
            "bad_header_signature",
            "Bad signature header",
        );
    }
}

#[test]
fn the_official_signature_vector_is_accepted() {
    // spec §1.4: secret, body and signature exactly as published.
    let body = br#"{"currency":"BTC","foreign_id":"123456"}"#;
    let published = "03c25fcf7cd35e7d995e402cd5d51edd72d48e1471e865907967809a0c189ba5\
                     5b90815f20e2bb10f82c7a9e9d865546fda58989c2ae9e8e2ff7bc29195fa1ec";
    assert_eq!(sign("AbCdEfG123456", body), published);
    let sb = Sandbox::start(&["--secret", "AbCdEfG123456"]);
    let headers = [
        ("Content-Type", "application/json"),
        ("X-Processing-Key", "sandbox-key"),
        ("X-Processing-Signature", published),
    ];
    let r = sb
        .request("POST", "/api/v2/accounts/list", &headers, body)
        .unwrap();
    assert_eq!(r.status, 200, "{}", r.text());
}

#[test]
fn unknown_paths_are_403_no_key_and_ping_needs_no_headers() {
    let sb = Sandbox::start(&[]);
    for path in [
        "/api/v2/nope",
        "/api/v2/invoices/x/cancel",
        "/",
        "/api/v1/addresses/take",
    ] {
        let r = sb
            .request("POST", path, &[("Content-Type", "application/json")], b"{}")
            .unwrap();
        assert_eq!(r.status, 403, "{path}");
        let v: Value = serde_json::from_slice(&r.body).unwrap();
        assert_eq!(
            v,
            json!({"error": "No key header", "code": "required_header_key"})
        );
    }
    // Signed but unknown: still the documented 403.
    let r = signed(&sb, "POST", "/unknown/operation", b"{}").unwrap();
    assert_eq!(r.status, 403);
    assert!(r.text().contains("required_header_key"));
    let r = sb.request("GET", "/api/v2/ping", &[], b"").unwrap();
    assert_eq!((r.status, r.text().as_str()), (200, "OK"));
    let r = signed(&sb, "GET", "/ping", b"{}").unwrap();
    assert_eq!((r.status, r.text().as_str()), (200, "OK"));
    // Counted per path and in total.
    let st = state(&sb);
    assert_eq!(st["requests"]["by_path"]["/api/v2/ping"], 2);
    assert_eq!(st["requests"]["by_path"]["(unknown path)"], 5);
    assert_eq!(st["requests"]["total"], 7);
}

#[test]
fn field_errors_carry_the_documented_messages() {
    let sb = Sandbox::start(&[]);
    let err = |path: &str, body: Value| {
        let (s, v) = post(&sb, path, body);
        assert_eq!(s, 400, "{v}");
        v["errors"].clone()
    };
    let e = err(
        "/invoices/create",
        json!({"timer": true, "title": "x".repeat(51), "description": "d".repeat(1001),
               "currency": "EUR", "amount": "9.99", "end_user_reference": "u",
               "url_success": "https://127.0.0.1/ok", "url_failed": "http://shop.example.com/f",
               "type": "sometimes"}),
    );
    assert_eq!(
        e["title"],
        "The title must not be greater than 50 characters."
    );
    assert_eq!(
        e["description"],
        "The description must not be greater than 1000 characters."
    );
    assert_eq!(e["foreign_id"], "The foreign id field is required.");
    assert_eq!(
        e["amount"],
        "The amount is too small. The minimum amount is 10.00 EUR."
    );
    assert_eq!(e["url_success"], "The url success format is invalid.");
    assert_eq!(e["url_failed"], "The url failed format is invalid.");
    assert_eq!(e["type"], "The selected type is invalid.");
    let e = err(
        "/invoices/create",
        json!({"timer": true, "title": "", "currency": "DOGE", "amount": "abc",
               "foreign_id": "f".repeat(256), "end_user_reference": "u"}),
    );
    assert_eq!(e["title"], "The title field is required.");
    assert_eq!(e["currency"], "The selected currency is invalid.");
    assert_eq!(e["amount"], "The amount must be a number.");
    assert_eq!(
        e["foreign_id"],
        "The foreign id must not be greater than 255 characters."
    );
    let e = err(
        "/invoices/create",
        json!({"timer": true, "title": "t", "currency": "BTC", "amount": 0.0001,
               "foreign_id": "f", "end_user_reference": "u", "sender_type": "natural",
               "sender_data": {"first_name": "Ann", "date_of_birth": "17.08.1995"}}),
    );
    assert_eq!(
        e["amount"],
        "The amount is too small. The minimum amount is 0.00020000 BTC."
    );
    assert_eq!(
        e["sender_data.last_name"],
        "The sender data.last name field is required."
    );
    assert_eq!(
        e["sender_data.date_of_birth"],
        "The sender data.date of birth does not match the format Y-m-d."
    );
    let e = err(
        "/withdrawal/crypto",
        json!({"currency": "BTC", "address": "tb1q", "amount": "0.0009", "foreign_id": "w",
               "end_user_reference": "u"}),
    );
    assert_eq!(e, json!({"amount": "The amount must be at least 0.001."}));
    let e = err(
        "/withdrawal/crypto",
        json!({"currency": "BTC", "address": "tb1q", "amount": "1", "amount_to": "1",
               "foreign_id": "w", "end_user_reference": "u"}),
    );
    assert_eq!(
        e["amount"],
        "The amount field prohibits amount to from being present."
    );
    let e = err(
        "/withdrawal/crypto",
        json!({"currency": "BTC", "address": "tb1q", "amount": "100", "foreign_id": "w",
               "end_user_reference": "u"}),
    );
    assert_eq!(e, json!({"amount": "Not enough money on balance"}));
    let e = err(
        "/exchange/now",
        json!({"sender_currency": "BTC", "receiver_currency": "EUR", "sender_amount": "0.001",
               "foreign_id": "x"}),
    );
    assert_eq!(
        e,
        json!({"sender_amount": "The amount must be at least 0.00300000 "})
    );
    let e = err(
        "/exchange/calculate",
        json!({"sender_currency": "EUR", "receiver_currency": "USD", "sender_amount": "100"}),
    );
    assert_eq!(
        e,
        json!({"sender_currency": "Exchange is unavailable for given currencies"})
    );
    let e = err(
        "/currencies/pairs",
        json!({"currency_from": "NOPE", "currency_to": "ALSO"}),
    );
    assert_eq!(
        e,
        json!({"currency_from": "The selected currency from is invalid.",
               "currency_to": "The selected currency to is invalid."})
    );
    let e = err(
        "/addresses/take",
        json!({"currency": "BTC", "end_user_reference": "u"}),
    );
    assert_eq!(
        e,
        json!({"foreign_id": "The foreign id field is required."})
    );
    let e = err(
        "/invoices/create",
        json!({"timer": "soon", "title": "t", "currency": "EUR", "amount": "100", "foreign_id": "f",
               "end_user_reference": "u", "email_user": "not-an-email", "sender_type": "robot"}),
    );
    assert_eq!(
        e,
        json!({"timer": "The timer field must be true or false.",
               "email_user": "The email user must be a valid email address.",
               "sender_type": "The selected sender type is invalid."})
    );
    let e = err(
        "/invoices/create",
        json!({"title": "t", "currency": "EUR", "amount": "100", "foreign_id": "f"}),
    );
    assert_eq!(
        e,
        json!({"timer": "The timer field is required.",
               "end_user_reference": "The end user reference field is required."})
    );
    let mut b = invoice_body("legal");
    b["sender_type"] = json!("legal");
    b["sender_data"] = json!({"legal_name": "ACME", "country_of_registration": "Germany"});
    assert_eq!(
        err("/invoices/create", b),
        json!({"sender_data.country_of_registration":
               "The sender data.country of registration must not be greater than 3 characters."})
    );
    let e = err(
        "/withdrawal/crypto",
        json!({"currency": "BTC", "address": "tb1q", "amount": "0.123456789", "foreign_id": "w",
               "end_user_reference": "u"}),
    );
    assert_eq!(
        e,
        json!({"amount": "The amount must have 0-8 decimal places."})
    );
    let e = err(
        "/withdrawal/crypto",
        json!({"currency": "BTC", "address": "tb1q", "foreign_id": "w", "end_user_reference": "u"}),
    );
    assert_eq!(
        e,
        json!({"amount": "The amount field is required when amount to is not present."})
    );
    // BCH is listed as disabled: refused as input; fiat has no deposit addresses.
    let e = err(
        "/exchange/calculate",
        json!({"sender_currency": "BCH", "receiver_currency": "EUR", "sender_amount": 1}),
    );
    assert_eq!(
        e,
        json!({"sender_currency": "The selected sender currency is invalid."})
    );
    let e = err(
        "/addresses/take",
        json!({"currency": "EUR", "foreign_id": "c", "end_user_reference": "c"}),
    );
    assert_eq!(e, json!({"currency": "The selected currency is invalid."}));
    let e = err("/currencies/list", json!({"visible": "maybe"}));
    assert_eq!(
        e,
        json!({"visible": "The visible field must be true or false."})
    );
}

#[test]
fn every_operation_answers_in_its_documented_shape() {
    let sb = Sandbox::start(&[]);
    let (s, v) = post(&sb, "/accounts/list", json!({}));
    assert_eq!(s, 200);
    assert!(
        v["data"]
            .as_array()
            .unwrap()
            .contains(&json!({"currency": "BTC", "type": "crypto", "balance": "2.50000000"})),
        "{v}"
    );
    let (s, v) = post(&sb, "/currencies/list", json!({}));
    assert_eq!(s, 200);
    let list = v["data"].as_array().unwrap();
    assert!(list.iter().all(|c| {
        let six = |k: &str| c[k].as_str().unwrap().split('.').nth(1).map(str::len) == Some(6);
        six("deposit_fee_percent") && six("withdrawal_fee_percent")
    }));
    let btc = list.iter().find(|c| c["currency"] == "BTC").unwrap();
    for k in [
        "id",
        "type",
        "minimum_amount",
        "deposit_fee_percent",
        "withdrawal_fee_percent",
        "precision",
    ] {
        assert!(btc.get(k).is_some(), "{k} in {btc}");
    }
    assert!(
        list.iter().all(|c| c["currency"] != "BCH"),
        "disabled currencies hide by default"
    );
    let (_, hidden) = post(&sb, "/currencies/list", json!({"visible": false}));
    assert_eq!(hidden["data"][0]["currency"], "BCH");

    let (s, v) = post(&sb, "/currencies/pairs", json!({"currency_from": "BTC"}));
    assert_eq!(s, 200);
    let pairs = v["data"].as_array().unwrap();
    assert!(
        pairs.len() > 3
            && pairs
                .iter()
                .all(|p| p["currency_from"]["currency"] == "BTC")
    );
    let (s, v) = post(&sb, "/currencies/pairs", json!({"currency_to": "EUR"}));
    assert_eq!(s, 200);
    let pairs = v["data"].as_array().unwrap();
    assert!(!pairs.is_empty());
    for p in pairs {
        assert_eq!(p["currency_to"]["currency"], "EUR");
        // Crypto sources say what a deposit with exchange needs at least.
        let crypto = p["currency_from"]["type"] == "crypto";
        assert_eq!(
            p["currency_from"]
                .get("min_amount_deposit_with_exchange")
                .is_some(),
            crypto,
            "{p}"
        );
    }
    let (s, v) = post(
        &sb,
        "/currencies/rates",
        json!({"currency_from": "BTC", "currency_to": "EUR"}),
    );
    assert_eq!(s, 200);
    assert_eq!(v["data"][0]["rate_from"], "1");
    assert!(
        v["data"][0]["rate_to"]
            .as_str()
            .unwrap()
            .split('.')
            .nth(1)
            .unwrap()
            .len()
            == 8
    );

    let (s, v) = post(
        &sb,
        "/addresses/take",
        json!({"currency": "XRP", "foreign_id": "cust-1", "end_user_reference": "cust-1"}),
    );
    assert_eq!(s, 201, "{v}");
    assert!(
        v["data"]["tag"].is_string(),
        "XRP addresses carry a tag: {v}"
    );
    assert!(v["data"].get("convert_to").is_none());
    let (s, v) = post(
        &sb,
        "/addresses/take",
        json!({"currency": "BTC", "convert_to": "EUR", "foreign_id": "cust-1", "end_user_reference": "cust-1"}),
    );
    assert_eq!(s, 201);
    assert_eq!(v["data"]["convert_to"], "EUR");
    assert!(v["data"]["tag"].is_null());

    let (s, v) = post(
        &sb,
        "/withdrawal/crypto",
        json!({"currency": "EUR", "convert_to": "BTC", "address": "tb1qdest", "amount_to": 0.002,
               "foreign_id": "wd-1", "end_user_reference": "cust-1"}),
    );
    assert_eq!(s, 201, "{v}");
    let d = &v["data"];
    assert_eq!(
        (d["type"].as_str(), d["status"].as_str()),
        (Some("withdrawal_exchange"), Some("processing"))
    );
    assert_eq!(
        (d["sender_currency"].as_str(), d["receiver_amount"].as_str()),
        (Some("EUR"), Some("0.00200000"))
    );

    let (s, v) = post(
        &sb,
        "/exchange/now",
        json!({"sender_currency": "ETH", "receiver_currency": "BTC", "sender_amount": "1", "foreign_id": "ex-1"}),
    );
    assert_eq!(s, 201, "{v}");
    assert_eq!(v["data"]["type"], "exchange");
    // A quote: receiver amount = sender amount x price, rounded down to 8 places.
    let (s, q) = post(
        &sb,
        "/exchange/calculate",
        json!({"sender_currency": "BTC", "receiver_currency": "ETH", "sender_amount": "0.01"}),
    );
    assert_eq!(s, 200, "{q}");
    let price = units(q["data"]["price"].as_str().unwrap());
    assert_eq!(
        units(q["data"]["receiver_amount"].as_str().unwrap()),
        1_000_000 * price / 100_000_000
    );
    // By receiver amount: exactly what was asked arrives.
    let (s, v) = post(
        &sb,
        "/exchange/now",
        json!({"sender_currency": "EUR", "receiver_currency": "BTC", "receiver_amount": "0.01",
               "foreign_id": "now-1"}),
    );
    assert_eq!(
        (s, v["data"]["receiver_amount"].as_str()),
        (201, Some("0.01000000")),
        "{v}"
    );

    // Invoice types: 1 (no timer), 2 (timer), 3 (timer + payment currency).
    let mut b = invoice_body("inv-1");
    b["timer"] = json!(false);
    b.as_object_mut().unwrap().remove("sender_currency");
    let (s, v) = post(&sb, "/invoices/create", b);
    assert_eq!(s, 200, "{v}");
    let d = &v["data"];
    assert_eq!(d["status"], "created");
    assert!(d["fixed_at"].is_null() && d["address"].is_null() && d["seconds_left"].is_null());
    let url = d["url"].as_str().unwrap();
    let slug = url.rsplit('/').next().unwrap();
    assert!(
        url.starts_with(&format!("http://{}/invoice/", sb.addr())),
        "{url}"
    );
    assert!(slug.len() == 6 && slug.bytes().all(|c| c.is_ascii_alphanumeric()));
    for k in [
        "id",
        "foreign_id",
        "end_user_reference",
        "title",
        "currency",
        "amount",
        "sender_currency",
        "sender_amount",
        "release_at",
    ] {
        assert!(d.get(k).is_some(), "{k}");
    }
    let mut b = invoice_body("inv-2");
    b.as_object_mut().unwrap().remove("sender_currency");
    let (_, v) = post(&sb, "/invoices/create", b);
    let d = &v["data"];
    assert_eq!(d["status"], "pending");
    assert_eq!(
        d["release_at"].as_i64().unwrap() - d["fixed_at"].as_i64().unwrap(),
        900
    );
    assert!(d["address"].is_null());
    let (_, v) = post(&sb, "/invoices/create", invoice_body("inv-3"));
    let d = &v["data"];
    assert_eq!(
        (d["status"].as_str(), d["sender_currency"].as_str()),
        (Some("pending"), Some("BTC"))
    );
    assert!(d["address"].is_string() && d["sender_amount"].is_string());
    assert_eq!(d["amount"], "100.00000000");
    let left = d["seconds_left"].as_i64().unwrap();
    assert!(0 < left && left <= 900, "{left}");

    let (s, v) = post(&sb, "/invoices/inv-2/cancel/", json!({}));
    assert_eq!(s, 200, "{v}");
    assert_eq!(v["data"]["status"], "failed");

    let (s, v) = api(
        &sb,
        "GET",
        "/transactions/info",
        &json!({"foreign_id": "wd-1"}),
    );
    assert_eq!(s, 200, "{v}");
    assert!(v.get("data").is_none(), "bare object, no data wrapper");
    assert_eq!(
        (v["type"].as_str(), v["status"].as_str()),
        (Some("withdrawal_exchange"), Some("not_confirmed"))
    );
}

#[test]
fn transactions_info_takes_exactly_one_key() {
    let sb = Sandbox::start(&[]);
    let (s, v) = api(&sb, "GET", "/transactions/info", &json!({}));
    assert_eq!(
        (s, v),
        (400, json!({"errors": {"error": "No parameters present"}}))
    );
    let (s, v) = api(
        &sb,
        "GET",
        "/transactions/info",
        &json!({"id": 1, "txid": "ab"}),
    );
    assert_eq!(s, 404);
    assert_eq!(
        v["errors"]["error"],
        "Validation Exception: more than one param is present"
    );
    let (s, _) = api(&sb, "GET", "/transactions/info", &json!({"id": 1}));
    assert_eq!(s, 404);
    let (_, v) = post(
        &sb,
        "/withdrawal/crypto",
        json!({"currency": "BTC", "address": "tb1q", "amount": "0.01", "foreign_id": "w", "end_user_reference": "u"}),
    );
    let id = v["data"]["id"].as_u64().unwrap();
    let (s, _) = control(&sb, "POST", &format!("withdrawals/{id}/confirm"), json!({}));
    assert_eq!(s, 200);
    let (s, by_id) = api(&sb, "GET", "/transactions/info", &json!({"id": id}));
    assert_eq!(s, 200);
    assert_eq!(by_id["status"], "confirmed");
    let txid = by_id["transactions"][0]["txid"]
        .as_str()
        .unwrap()
        .to_string();
    let (s, by_txid) = api(&sb, "GET", "/transactions/info", &json!({"txid": txid}));
    assert_eq!(s, 200);
    assert_eq!(by_txid, by_id);
}

#[test]
fn withdrawals_and_exchanges_move_balances_exactly() {
    let sb = Sandbox::start(&[]);
    let btc0 = units(&balance(&sb, "BTC"));
    let (s, v) = post(
        &sb,
        "/withdrawal/crypto",
        // A JSON number keeps its digits: 0.12345678 exactly.
        json!({"currency": "BTC", "address": "tb1qdest", "amount": serde_json::from_str::<Value>("0.12345678").unwrap(),
               "foreign_id": "w-1", "end_user_reference": "u"}),
    );
    assert_eq!(s, 201, "{v}");
    assert_eq!(v["data"]["amount"], "0.12345678");
    let st = state(&sb);
    let fee = units(st["withdrawals"][0]["fee"].as_str().unwrap());
    assert_eq!(fee, 12346, "0.1% of 0.12345678, rounded half up");
    let btc1 = units(&balance(&sb, "BTC"));
    assert_eq!(btc0 - btc1, 12_345_678 + fee);
    // Cancelling gives it all back.
    let id = v["data"]["id"].as_u64().unwrap();
    let (s, _) = control(
        &sb,
        "POST",
        &format!("withdrawals/{id}/cancel"),
        json!({"error": "test"}),
    );
    assert_eq!(s, 200);
    assert_eq!(units(&balance(&sb, "BTC")), btc0);

    // Exchange: quote, execute at the quoted price, confirm.
    let eur0 = units(&balance(&sb, "EUR"));
    let (s, q) = post(
        &sb,
        "/exchange/calculate",
        json!({"sender_currency": "BTC", "receiver_currency": "EUR", "sender_amount": "0.01"}),
    );
    assert_eq!(s, 200, "{q}");
    let q = &q["data"];
    assert_eq!(
        q["ts_release"].as_i64().unwrap() - q["ts_fixed"].as_i64().unwrap(),
        60
    );
    assert_eq!(q["fix_period"], 60);
    let (s, v) = post(
        &sb,
        "/exchange/fixed",
        json!({"sender_currency": "BTC", "receiver_currency": "EUR", "sender_amount": "0.01",
               "price": q["price"], "foreign_id": "ex-1"}),
    );
    assert_eq!(s, 201, "{v}");
    let e = &v["data"];
    assert_eq!(
        (e["status"].as_str(), e["receiver_amount"].as_str()),
        (Some("processing"), q["receiver_amount"].as_str())
    );
    let sent = 1_000_000 + units(e["fee_amount"].as_str().unwrap());
    assert_eq!(btc0 - units(&balance(&sb, "BTC")), sent);
    let (s, _) = control(
        &sb,
        "POST",
        &format!("exchanges/{}/confirm", e["id"]),
        json!({}),
    );
    assert_eq!(s, 200);
    assert_eq!(
        units(&balance(&sb, "EUR")) - eur0,
        units(e["receiver_amount"].as_str().unwrap())
    );
    // Settled once only.
    let cancel = format!("exchanges/{}/cancel", e["id"]);
    assert_eq!(control(&sb, "POST", &cancel, json!({})).0, 409);
    // A wrong price is refused.
    let (s, v) = post(
        &sb,
        "/exchange/fixed",
        json!({"sender_currency": "BTC", "receiver_currency": "EUR", "sender_amount": "0.01",
               "price": "1.5", "foreign_id": "ex-2"}),
    );
    assert_eq!(s, 400);
    assert!(v["errors"]["price"].is_string());
}

#[test]
fn a_quote_expires_after_its_fix_period() {
    let sb = Sandbox::start(&[]);
    let (_, q) = post(
        &sb,
        "/exchange/calculate",
        json!({"sender_currency": "ETH", "receiver_currency": "BTC", "receiver_amount": "0.05"}),
    );
    let q = q["data"].clone();
    let fixed = json!({"sender_currency": "ETH", "receiver_currency": "BTC", "receiver_amount": "0.05",
                       "price": q["price"], "foreign_id": "late"});
    let (s, _) = control(&sb, "POST", "time", json!({"advance": 61}));
    assert_eq!(s, 200);
    let (s, v) = post(&sb, "/exchange/fixed", fixed.clone());
    assert_eq!(s, 400);
    assert!(
        v["errors"]["price"].as_str().unwrap().contains("expired"),
        "{v}"
    );
    // A fresh quote at the same price works again.
    post(
        &sb,
        "/exchange/calculate",
        json!({"sender_currency": "ETH", "receiver_currency": "BTC", "receiver_amount": "0.05"}),
    );
    let (s, v) = post(&sb, "/exchange/fixed", fixed);
    assert_eq!(s, 201, "{v}");
}

#[test]
fn foreign_id_is_unique_per_operation_but_names_a_customer_for_addresses() {
    // Withdrawals and exchanges refuse a repeat only with the switch (a sandbox choice).
    let sb = Sandbox::start(&["--refuse-duplicate-foreign-id"]);
    let taken = json!({"foreign_id": "The foreign id has already been taken."});
    let (s, _) = post(&sb, "/invoices/create", invoice_body("dup"));
    assert_eq!(s, 200);
    let (s, v) = post(&sb, "/invoices/create", invoice_body("dup"));
    assert_eq!((s, &v["errors"]), (400, &taken));
    let w = json!({"currency": "BTC", "address": "tb1q", "amount": "0.01", "foreign_id": "dup", "end_user_reference": "u"});
    assert_eq!(
        post(&sb, "/withdrawal/crypto", w.clone()).0,
        201,
        "namespaces are per operation"
    );
    let (s, v) = post(&sb, "/withdrawal/crypto", w);
    assert_eq!((s, &v["errors"]), (400, &taken));
    let x = json!({"sender_currency": "ETH", "receiver_currency": "BTC", "sender_amount": "1", "foreign_id": "dup"});
    assert_eq!(post(&sb, "/exchange/now", x.clone()).0, 201);
    let (s, v) = post(&sb, "/exchange/now", x);
    assert_eq!((s, &v["errors"]), (400, &taken));
    let a = json!({"currency": "LTC", "foreign_id": "dup", "end_user_reference": "u"});
    let (s1, a1) = post(&sb, "/addresses/take", a.clone());
    let (s2, a2) = post(&sb, "/addresses/take", a);
    assert_eq!((s1, s2), (201, 201));
    assert_eq!(
        a1["data"]["address"], a2["data"]["address"],
        "the same customer's address"
    );
}

#[test]
fn a_repeated_withdrawal_or_exchange_foreign_id_is_accepted_unless_switched_on() {
    let sb = Sandbox::start(&[]);
    let taken = json!({"foreign_id": "The foreign id has already been taken."});
    let defaults = json!({"switches": {
        "refuse_duplicate_foreign_id": false, "cancel_reply": "invoice",
        "withdrawal_approval_above": null, "deposit_confirmations": "two_step",
        "payment_request_late_status": "late_payment"}});
    assert_eq!(
        control(&sb, "GET", "switches", json!(null)),
        (200, defaults.clone())
    );
    // Off (the default): the documentation states no refusal, so a second one is made.
    let w = json!({"currency": "BTC", "address": "tb1q", "amount": "0.01", "foreign_id": "again", "end_user_reference": "u"});
    let (s1, w1) = post(&sb, "/withdrawal/crypto", w.clone());
    let (s2, w2) = post(&sb, "/withdrawal/crypto", w.clone());
    assert_eq!((s1, s2), (201, 201), "{w2}");
    assert_ne!(w1["data"]["id"], w2["data"]["id"]);
    let count = |kind: &str| {
        state(&sb)[kind]
            .as_array()
            .unwrap()
            .iter()
            .filter(|x| x["foreign_id"] == "again")
            .count()
    };
    assert_eq!(count("withdrawals"), 2);
    let x = json!({"sender_currency": "ETH", "receiver_currency": "BTC", "sender_amount": "1", "foreign_id": "again"});
    assert_eq!(post(&sb, "/exchange/now", x.clone()).0, 201);
    assert_eq!(post(&sb, "/exchange/now", x.clone()).0, 201);
    assert_eq!(count("exchanges"), 2);
    // transactions/info by foreign_id keeps finding the first.
    let (_, info) = api(
        &sb,
        "GET",
        "/transactions/info",
        &json!({"foreign_id": "again"}),
    );
    assert_eq!(info["id"], w1["data"]["id"]);
    // On at run time: the documented 400 body of invoices/create.
    let (s, v) = control(
        &sb,
        "POST",
        "switches",
        json!({"refuse_duplicate_foreign_id": true}),
    );
    assert_eq!(
        (s, v["switches"]["refuse_duplicate_foreign_id"].clone()),
        (200, json!(true))
    );
    assert_eq!(
        post(&sb, "/withdrawal/crypto", w.clone()),
        (400, json!({"errors": taken}))
    );
    assert_eq!(
        post(&sb, "/exchange/now", x.clone()),
        (400, json!({"errors": taken}))
    );
    assert_eq!(count("withdrawals"), 2);
    // Unknown names and bad values are refused, naming the known switches; nothing changes.
    let (s, v) = control(
        &sb,
        "POST",
        "switches",
        json!({"refuse_duplicate_foreign_id": false, "no_such_switch": 1}),
    );
    assert_eq!(s, 400);
    assert!(
        v["error"]
            .as_str()
            .unwrap()
            .contains("no_such_switch\"; known: refuse_duplicate_foreign_id"),
        "{v}"
    );
    let (s, _) = control(
        &sb,
        "POST",
        "switches",
        json!({"refuse_duplicate_foreign_id": "yes"}),
    );
    assert_eq!(s, 400);
    assert_eq!(state(&sb)["switches"]["refuse_duplicate_foreign_id"], true);
    // A reset goes back to the command line's values (the defaults here).
    control(&sb, "POST", "reset", json!({}));
    assert_eq!(
        control(&sb, "GET", "switches", json!(null)),
        (200, defaults)
    );
    // Set on the command line: refused from the start, and still after a reset.
    let sb = Sandbox::start(&["--refuse-duplicate-foreign-id"]);
    for _ in 0..2 {
        assert_eq!(post(&sb, "/withdrawal/crypto", w.clone()).0, 201);
        assert_eq!(
            post(&sb, "/withdrawal/crypto", w.clone()),
            (400, json!({"errors": taken}))
        );
        control(&sb, "POST", "reset", json!({}));
    }
}

/// The sandbox run with these arguments only to see it refuse them: (exit code, stderr).
fn refused_arguments(args: &[&str]) -> (Option<i32>, String) {
    let out = std::process::Command::new(sandbox::binary())
        .args(["--listen", "127.0.0.1:0"])
        .args(args)
        .stdin(std::process::Stdio::null())
        .output()
        .expect("run the sandbox");
    assert!(out.stdout.is_empty(), "it started: {args:?}");
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn the_cancel_reply_switch_picks_the_undocumented_success_body() {
    let sb = Sandbox::start(&[]);
    let (_, v) = control(&sb, "GET", "switches", json!(null));
    assert_eq!(v["switches"]["cancel_reply"], "invoice");
    post(&sb, "/invoices/create", invoice_body("c-invoice"));
    let (s, v) = post(&sb, "/invoices/c-invoice/cancel/", json!({}));
    assert_eq!((s, v["data"]["status"].as_str()), (200, Some("failed")));
    for (name, body, content_type) in [
        ("empty_array", "[]", "application/json"),
        ("empty_object", "{}", "application/json"),
        ("ok_string", "\"OK\"", "application/json"),
        ("ok_text", "OK", "text/plain; charset=UTF-8"),
        ("message_ok", "{\"message\":\"OK\"}", "application/json"),
        ("invoice", "", "application/json"),
    ] {
        let (s, v) = control(&sb, "POST", "switches", json!({"cancel_reply": name}));
        assert_eq!(
            (s, v["switches"]["cancel_reply"].as_str()),
            (200, Some(name))
        );
        let fid = format!("c2-{name}");
        post(&sb, "/invoices/create", invoice_body(&fid));
        let path = format!("/invoices/{fid}/cancel/");
        let r = signed(&sb, "POST", &path, b"{}").unwrap();
        assert_eq!(r.status, 200, "{name}");
        if name == "invoice" {
            let v: Value = serde_json::from_slice(&r.body).unwrap();
            assert_eq!(v["data"]["foreign_id"], fid.as_str());
        } else {
            assert_eq!(r.text(), body, "{name}");
        }
        assert_eq!(r.header("content-type"), Some(content_type), "{name}");
        // Cancelled all the same: a second cancel gets the documented refusal.
        let r = signed(&sb, "POST", &path, b"{}").unwrap();
        assert_eq!(r.status, 400, "{name}");
        assert!(r.text().contains("invalid_invoice_state"));
    }
    let (s, v) = control(&sb, "POST", "switches", json!({"cancel_reply": "nothing"}));
    assert_eq!(s, 400);
    assert!(v["error"].as_str().unwrap().contains("empty_array"), "{v}");
    // From the command line, and back to it on reset.
    let sb = Sandbox::start(&["--cancel-reply", "message_ok"]);
    control(&sb, "POST", "switches", json!({"cancel_reply": "ok_text"}));
    control(&sb, "POST", "reset", json!({}));
    post(&sb, "/invoices/create", invoice_body("c3"));
    assert_eq!(
        post(&sb, "/invoices/c3/cancel/", json!({})),
        (200, json!({"message": "OK"}))
    );
    let (code, err) = refused_arguments(&["--cancel-reply", "nothing"]);
    assert_eq!(code, Some(2));
    assert!(err.contains("unknown cancel_reply"), "{err}");
}

#[test]
fn a_final_invoice_cannot_be_cancelled() {
    let sb = Sandbox::start(&[]);
    post(&sb, "/invoices/create", invoice_body("paid"));
    let (s, v) = control(&sb, "POST", "invoices/paid/pay", json!({"amount": "1"}));
    assert_eq!(s, 200, "{v}");
    assert_eq!(v["status"], "confirmed");
    let (s, v) = post(&sb, "/invoices/paid/cancel/", json!({}));
    assert_eq!(s, 400);
    assert_eq!(
        v,
        json!({"errors": {"error": "Invoice cannot be failed in its current state.", "code": "invalid_invoice_state"}})
    );
    // Cancelled once, failed: the second cancel is refused the same way.
    post(&sb, "/invoices/create", invoice_body("open"));
    assert_eq!(post(&sb, "/invoices/open/cancel/", json!({})).0, 200);
    assert_eq!(post(&sb, "/invoices/open/cancel/", json!({})).0, 400);
}

type Headers = Vec<(String, String)>;
/// One callback as received: lowercased headers, raw body, arrival time.
type Received = (Headers, Vec<u8>, Instant);

/// A callback receiver: records each POST (headers, raw body) and answers the scripted
/// statuses in turn, then 200.
struct Receiver {
    url: String,
    got: Arc<Mutex<Vec<Received>>>,
}

impl Receiver {
    fn start(script: Vec<u16>) -> Receiver {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!(
            "http://{}/callbacks/alphapo",
            listener.local_addr().unwrap()
        );
        let got = Arc::new(Mutex::new(Vec::new()));
        let got2 = got.clone();
        thread::spawn(move || {
            let mut script = script.into_iter();
            for stream in listener.incoming() {
                let Ok(mut s) = stream else { continue };
                let Some((headers, body)) = read_request(&mut s) else {
                    continue;
                };
                got2.lock().unwrap().push((headers, body, Instant::now()));
                let status = script.next().unwrap_or(200);
                let _ = s.write_all(
                    format!(
                        "HTTP/1.1 {status} X\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
                    )
                    .as_bytes(),
                );
            }
        });
        Receiver { url, got }
    }

    fn wait_for(&self, n: usize) -> Vec<Received> {
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            let got = self.got.lock().unwrap().clone();
            if got.len() >= n {
                return got;
            }
            assert!(
                Instant::now() < deadline,
                "only {} of {n} callbacks arrived",
                got.len()
            );
            thread::sleep(Duration::from_millis(10));
        }
    }
}

fn read_request(s: &mut TcpStream) -> Option<(Headers, Vec<u8>)> {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 8192];
    let end = loop {
        if let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break i;
        }
        let n = s.read(&mut chunk).ok()?;
        if n == 0 {
            return None;
        }
        buf.extend_from_slice(&chunk[..n]);
    };
    let head = String::from_utf8_lossy(&buf[..end]).into_owned();
    let headers: Vec<(String, String)> = head
        .split("\r\n")
        .skip(1)
        .filter_map(|l| l.split_once(':'))
        .map(|(n, v)| (n.trim().to_ascii_lowercase(), v.trim().to_string()))
        .collect();
    let len: usize = headers
        .iter()
        .find(|(n, _)| n == "content-length")?
        .1
        .parse()
        .ok()?;
    let mut body = buf[end + 4..].to_vec();
    while body.len() < len {
        let n = s.read(&mut chunk).ok()?;
        if n == 0 {
            return None;
        }
        body.extend_from_slice(&chunk[..n]);
    }
    Some((headers, body))
}

fn header<'a>(h: &'a [(String, String)], name: &str) -> &'a str {
    h.iter()
        .find(|(n, _)| n == name)
        .map(|(_, v)| v.as_str())
        .unwrap_or("")
}

/// The delivery log once it holds `n` attempts (an attempt is logged just after the receiver
/// answered, so the receiver may see a callback before the log does).
fn wait_log(sb: &Sandbox, n: usize) -> Vec<Value> {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let (_, log) = control(sb, "GET", "callbacks", json!(null));
        let attempts = log["attempts"].as_array().unwrap().clone();
        if attempts.len() >= n {
            return attempts;
        }
        assert!(
            Instant::now() < deadline,
            "only {} of {n} attempts logged",
            attempts.len()
        );
        thread::sleep(Duration::from_millis(10));
    }
}

#[test]
fn paying_an_invoice_sends_signed_callbacks_in_order() {
    let rx = Receiver::start(vec![]);
    let sb = Sandbox::start(&["--callback-url", &rx.url, "--secret", "cb-secret"]);
    post(&sb, "/invoices/create", invoice_body("inv-cb"));
    let (s, v) = control(
        &sb,
        "POST",
        "invoices/inv-cb/pay",
        json!({"amount": "0.00171464"}),
    );
    assert_eq!(s, 200, "{v}");
    let got = rx.wait_for(2);
    let mut statuses = Vec::new();
    for (headers, body, _) in &got {
        assert_eq!(header(headers, "content-type"), "application/json");
        assert_eq!(header(headers, "x-processing-key"), "sandbox-key");
        assert_eq!(
            header(headers, "x-processing-signature"),
            sign("cb-secret", body),
            "signed over the raw body"
        );
        let v: Value = serde_json::from_slice(body).unwrap();
        assert_eq!(
            (v["type"].as_str(), v["foreign_id"].as_str()),
            (Some("invoice"), Some("inv-cb"))
        );
        for k in [
            "id",
            "end_user_reference",
            "crypto_address",
            "currency_received",
            "transactions",
            "fees",
            "error",
            "fixed_at",
            "expires_at",
        ] {
            assert!(v.get(k).is_some(), "{k} in {v}");
        }
        statuses.push(v["status"].as_str().unwrap().to_string());
    }
    assert_eq!(statuses, ["processing", "confirmed"]);
    let last: Value = serde_json::from_slice(&got[1].1).unwrap();
    assert_eq!(
        last["currency_sent"],
        json!({"currency": "BTC", "amount": "0.00171464", "remaining_amount": "0.00000000"})
    );
    assert_eq!(last["crypto_address"]["convert_to"], "EUR");
    assert_eq!(last["error"], "");
    assert!(last["fixed_at"].is_i64() && last["expires_at"].is_i64());
    assert_eq!(last["transactions"][0]["amount"], "0.00171464");
    assert_eq!(last["transactions"][0]["confirmations"], 3);
    assert_eq!(last["fees"][0]["type"], "fee_crypto_deposit");
    // The log holds every attempt, with the response status.
    let attempts = wait_log(&sb, 2);
    assert_eq!(attempts.len(), 2);
    assert!(attempts
        .iter()
        .all(|a| a["response_status"] == 200 && a["attempt"] == 1 && a["url"] == rx.url.as_str()));
    let logged: Value = serde_json::from_str(attempts[1]["body"].as_str().unwrap()).unwrap();
    assert_eq!(logged, last);
    // "Repeat callback" sends the latest again.
    let (s, _) = control(
        &sb,
        "POST",
        "callbacks/repeat",
        json!({"foreign_id": "inv-cb"}),
    );
    assert_eq!(s, 200);
    let got = rx.wait_for(3);
    assert_eq!(got[2].1, got[1].1);
}

#[test]
fn installments_and_expiry_follow_the_documented_invoice_cases() {
    let rx = Receiver::start(vec![]);
    let sb = Sandbox::start(&["--callback-url", &rx.url]);
    let statuses = |from: usize, n: usize| -> Vec<(String, String, String)> {
        rx.wait_for(from + n)[from..from + n]
            .iter()
            .map(|(_, b, _)| {
                let v: Value = serde_json::from_slice(b).unwrap();
                (
                    v["status"].as_str().unwrap().to_string(),
                    v["currency_sent"]["remaining_amount"]
                        .as_str()
                        .unwrap()
                        .to_string(),
                    v["error"].as_str().unwrap().to_string(),
                )
            })
            .collect()
    };
    // good_until_expired: one confirmed callback per installment, remaining decreasing.
    let mut b = invoice_body("gue");
    b["type"] = json!("good_until_expired");
    b["amount"] = json!("58.3214517"); // 0.001 BTC
    post(&sb, "/invoices/create", b);
    control(&sb, "POST", "invoices/gue/pay", json!({"amount": "0.0004"}));
    control(&sb, "POST", "invoices/gue/pay", json!({"amount": "0.0006"}));
    let s = statuses(0, 3);
    assert_eq!(s[0].0, "processing");
    assert_eq!(
        (s[1].0.as_str(), s[1].1.as_str()),
        ("confirmed", "0.00060000")
    );
    assert_eq!(
        (s[2].0.as_str(), s[2].1.as_str()),
        ("confirmed", "0.00000000")
    );
    // fill_or_kill paid in part: processing until the timer, then failed as underpaid.
    post(&sb, "/invoices/create", invoice_body("fok"));
    control(&sb, "POST", "invoices/fok/pay", json!({"amount": "0.001"}));
    let (st, v) = control(&sb, "POST", "invoices/fok/expire", json!({}));
    assert_eq!((st, v["status"].as_str()), (200, Some("failed")));
    let s = statuses(3, 2);
    assert_eq!(s[0].0, "processing");
    assert_eq!(
        (s[1].0.as_str(), s[1].2.as_str()),
        ("failed", "Timer expired. User paid less than requested.")
    );
    // Nothing paid, and the clock passes release_at: failed, not paid.
    post(&sb, "/invoices/create", invoice_body("idle"));
    control(&sb, "POST", "time", json!({"advance": 901}));
    let s = statuses(5, 1);
    assert_eq!(
        (s[0].0.as_str(), s[0].2.as_str()),
        ("failed", "Timer expired. User not paid.")
    );
}

#[test]
fn deposits_call_back_not_confirmed_then_confirmed_and_credit_the_balance() {
    let rx = Receiver::start(vec![]);
    let sb = Sandbox::start(&["--callback-url", &rx.url]);
    let eur0 = units(&balance(&sb, "EUR"));
    let (_, a) = post(
        &sb,
        "/addresses/take",
        json!({"currency": "BTC", "convert_to": "EUR", "foreign_id": "c1", "end_user_reference": "c1"}),
    );
    let address = a["data"]["address"].as_str().unwrap();
    let (s, d) = control(
        &sb,
        "POST",
        "deposit",
        json!({"address": address, "amount": "0.01"}),
    );
    assert_eq!(s, 201, "{d}");
    let got = rx.wait_for(2);
    let v: Vec<Value> = got
        .iter()
        .map(|(_, b, _)| serde_json::from_slice(b).unwrap())
        .collect();
    assert_eq!(
        (v[0]["status"].as_str(), v[1]["status"].as_str()),
        (Some("not_confirmed"), Some("confirmed"))
    );
    assert_eq!(v[0]["transactions"][0]["confirmations"], 0);
    assert_eq!(v[0]["fees"], json!([]));
    assert_eq!(v[1]["type"], "deposit_exchange");
    assert_eq!(v[1]["crypto_address"]["foreign_id"], "c1");
    assert_eq!(v[1]["transactions"][1]["transaction_type"], "exchange");
    let credited = units(
        v[1]["currency_received"]["amount_minus_fee"]
            .as_str()
            .unwrap(),
    );
    assert_eq!(units(&balance(&sb, "EUR")) - eur0, credited);
    // A confirmed withdrawal calls back with its foreign_id and a txid.
    let (_, w) = post(
        &sb,
        "/withdrawal/crypto",
        json!({"currency": "BTC", "address": "tb1q", "amount": "0.01", "foreign_id": "wd-cb",
               "end_user_reference": "u"}),
    );
    let (s, _) = control(
        &sb,
        "POST",
        &format!("withdrawals/{}/confirm", w["data"]["id"]),
        json!({}),
    );
    assert_eq!(s, 200);
    let cb: Value = serde_json::from_slice(&rx.wait_for(3)[2].1).unwrap();
    assert_eq!(
        (
            cb["type"].as_str(),
            cb["status"].as_str(),
            cb["foreign_id"].as_str()
        ),
        (Some("withdrawal"), Some("confirmed"), Some("wd-cb"))
    );
    assert!(cb["transactions"][0]["txid"]
        .as_str()
        .is_some_and(|t| !t.is_empty()));
}

/// The statuses of every callback logged for transaction `id`, oldest first (without a
/// callback URL each one is logged once, at once, as undeliverable).
fn callback_statuses(sb: &Sandbox, id: &Value) -> Vec<String> {
    let (s, log) = control(sb, "GET", "callbacks", json!(null));
    assert_eq!(s, 200);
    log["attempts"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|a| &a["transaction_id"] == id)
        .map(|a| {
            let body: Value = serde_json::from_str(a["body"].as_str().unwrap()).unwrap();
            body["status"].as_str().unwrap().to_string()
        })
        .collect()
}

#[test]
fn instant_deposits_send_a_single_confirmed_callback() {
    let sb = Sandbox::start(&["--instant-deposits"]);
    let (_, v) = control(&sb, "GET", "switches", json!(null));
    assert_eq!(v["switches"]["deposit_confirmations"], "instant");
    let btc0 = units(&balance(&sb, "BTC"));
    let (_, a) = post(
        &sb,
        "/addresses/take",
        json!({"currency": "BTC", "foreign_id": "i1", "end_user_reference": "i1"}),
    );
    let address = a["data"]["address"].as_str().unwrap().to_string();
    let deposit = |amount: &str| {
        let (s, d) = control(
            &sb,
            "POST",
            "deposit",
            json!({"address": address, "amount": amount}),
        );
        assert_eq!(s, 201, "{d}");
        d
    };
    let d = deposit("0.01");
    assert_eq!(d["status"], "confirmed");
    assert_eq!(callback_statuses(&sb, &d["id"]), ["confirmed"]);
    let credited = units(d["credited"].as_str().unwrap());
    assert_eq!(units(&balance(&sb, "BTC")) - btc0, credited);
    // Back to two steps at run time; a reset restores the command line's instant.
    let (s, _) = control(
        &sb,
        "POST",
        "switches",
        json!({"deposit_confirmations": "two_step"}),
    );
    assert_eq!(s, 200);
    let d = deposit("0.01");
    assert_eq!(
        callback_statuses(&sb, &d["id"]),
        ["not_confirmed", "confirmed"]
    );
    control(&sb, "POST", "reset", json!({}));
    let (_, v) = control(&sb, "GET", "switches", json!(null));
    assert_eq!(v["switches"]["deposit_confirmations"], "instant");
    let (s, _) = control(
        &sb,
        "POST",
        "switches",
        json!({"deposit_confirmations": "three_step"}),
    );
    assert_eq!(s, 400);
}

/// Waits until `n` callbacks of transaction `id` are in the log; their statuses.
fn wait_statuses(sb: &Sandbox, id: &Value, n: usize) -> Vec<String> {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let got = callback_statuses(sb, id);
        if got.len() >= n {
            return got;
        }
        assert!(Instant::now() < deadline, "only {got:?} for {id}");
        thread::sleep(Duration::from_millis(10));
    }
}

#[test]
fn withdrawals_above_the_approval_limit_wait_for_approve_or_decline() {
    let rx = Receiver::start(vec![]);
    let sb = Sandbox::start(&[
        "--callback-url",
        &rx.url,
        "--secret",
        "approval-secret",
        "--withdrawal-approval-above",
        "0.05",
    ]);
    let (_, v) = control(&sb, "GET", "switches", json!(null));
    assert_eq!(v["switches"]["withdrawal_approval_above"], "0.05000000");
    let withdraw = |fid: &str, amount: &str| {
        let (s, v) = post(
            &sb,
            "/withdrawal/crypto",
            json!({"currency": "BTC", "address": "tb1q", "amount": amount, "foreign_id": fid, "end_user_reference": "u"}),
        );
        assert_eq!(s, 201, "{v}");
        v["data"].clone()
    };
    let act = |id: &Value, action: &str| {
        control(
            &sb,
            "POST",
            &format!("withdrawals/{id}/{action}"),
            json!({}),
        )
    };

    // At the limit: processing as usual, no callback yet.
    let small = withdraw("small", "0.05");
    assert_eq!(small["status"], "processing");
    // Above it: pending, announced by a signed pending callback; the balance is held.
    let btc0 = units(&balance(&sb, "BTC"));
    let big = withdraw("big", "0.1");
    assert_eq!(big["status"], "pending");
    let got = rx.wait_for(1);
    let (headers, body, _) = &got[0];
    assert_eq!(
        header(headers, "x-processing-signature"),
        sign("approval-secret", body)
    );
    let cb: Value = serde_json::from_slice(body).unwrap();
    assert_eq!(
        (
            cb["id"].clone(),
            cb["foreign_id"].as_str(),
            cb["status"].as_str()
        ),
        (big["id"].clone(), Some("big"), Some("pending"))
    );
    assert!(cb["transactions"][0]["txid"].is_null());
    let held = btc0 - units(&balance(&sb, "BTC"));
    assert!(held > units("0.1"), "amount and fee held: {held}");
    // Confirm and cancel wait for the owner's decision.
    assert_eq!(act(&big["id"], "confirm").0, 409);
    assert_eq!(act(&big["id"], "cancel").0, 409);
    assert_eq!(act(&small["id"], "approve").0, 409, "only pending ones");
    let (s, v) = act(&big["id"], "approve");
    assert_eq!((s, v["status"].as_str()), (200, Some("processing")));
    assert_eq!(act(&big["id"], "approve").0, 409);
    let (s, v) = act(&big["id"], "confirm");
    assert_eq!((s, v["status"].as_str()), (200, Some("confirmed")));
    assert_eq!(wait_statuses(&sb, &big["id"], 2), ["pending", "confirmed"]);
    assert_eq!(units(&balance(&sb, "BTC")), btc0 - held);

    // Declined: a second signed callback, and the held balance comes back.
    let before = units(&balance(&sb, "BTC"));
    let no = withdraw("no", "0.1");
    assert_eq!(no["status"], "pending");
    assert_eq!(units(&balance(&sb, "BTC")), before - held);
    let (s, v) = control(
        &sb,
        "POST",
        &format!("withdrawals/{}/decline", no["id"]),
        json!({"error": "Limit exceeded"}),
    );
    assert_eq!((s, v["status"].as_str()), (200, Some("declined")));
    assert_eq!(units(&balance(&sb, "BTC")), before);
    assert_eq!(wait_statuses(&sb, &no["id"], 2), ["pending", "declined"]);
    let got = rx.wait_for(4);
    let last = got
        .iter()
        .map(|(h, b, _)| {
            assert_eq!(
                header(h, "x-processing-signature"),
                sign("approval-secret", b)
            );
            serde_json::from_slice::<Value>(b).unwrap()
        })
        .rfind(|v| v["foreign_id"] == "no")
        .unwrap();
    assert_eq!(
        (
            last["status"].as_str(),
            last["error"].as_str(),
            last["fees"].clone()
        ),
        (Some("declined"), Some("Limit exceeded"), json!([]))
    );
    assert!(last.get("currency_sent").is_none());
    for action in ["approve", "decline", "confirm", "cancel"] {
        assert_eq!(act(&no["id"], action).0, 409, "{action} after decline");
    }
    let (_, info) = api(
        &sb,
        "GET",
        "/transactions/info",
        &json!({"foreign_id": "no"}),
    );
    assert_eq!(info["status"], "declined");
    assert_eq!(act(&json!(1), "approve").0, 404);

    // Off at run time: no withdrawal waits.
    let (s, v) = control(
        &sb,
        "POST",
        "switches",
        json!({"withdrawal_approval_above": null}),
    );
    assert_eq!(
        (s, v["switches"]["withdrawal_approval_above"].clone()),
        (200, json!(null))
    );
    assert_eq!(withdraw("big-2", "0.1")["status"], "processing");
    let (code, err) = refused_arguments(&["--withdrawal-approval-above", "-1"]);
    assert_eq!(code, Some(2));
    assert!(err.contains("withdrawal_approval_above"), "{err}");
}

#[test]
fn failed_deliveries_are_retried_on_the_scaled_schedule() {
    // 0.001: one minute is 60 ms; the first retries come after 60 ms, then 300 ms.
    let rx = Receiver::start(vec![500, 404]);
    let sb = Sandbox::start(&["--callback-url", &rx.url, "--callback-time-scale", "0.001"]);
    post(&sb, "/invoices/create", invoice_body("retry"));
    control(&sb, "POST", "invoices/retry/expire", json!({}));
    let got = rx.wait_for(3);
    assert!(
        got[0].1 == got[1].1 && got[1].1 == got[2].1,
        "the same bytes every time"
    );
    let gap1 = got[1].2 - got[0].2;
    let gap2 = got[2].2 - got[1].2;
    // +1 minute = 60 ms, then +5 minutes = 300 ms.
    assert!(gap1 >= Duration::from_millis(55), "{gap1:?}");
    assert!(
        gap2 >= Duration::from_millis(295) && gap2 > gap1,
        "{gap1:?} {gap2:?}"
    );
    let log: Vec<(u64, Value)> = wait_log(&sb, 3)
        .iter()
        .map(|a| (a["attempt"].as_u64().unwrap(), a["response_status"].clone()))
        .collect();
    assert_eq!(log, vec![(1, json!(500)), (2, json!(404)), (3, json!(200))]);

    // A refused connection is a failure too; the next attempt goes to the URL set meanwhile.
    let dead = TcpListener::bind("127.0.0.1:0").unwrap();
    let dead_url = format!("http://{}/cb", dead.local_addr().unwrap());
    drop(dead);
    let (s, _) = control(&sb, "POST", "callback-url", json!({"url": dead_url}));
    assert_eq!(s, 200);
    post(&sb, "/invoices/create", invoice_body("retry-2"));
    control(&sb, "POST", "invoices/retry-2/expire", json!({}));
    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        let (_, log) = control(&sb, "GET", "callbacks", json!(null));
        if log["attempts"]
            .as_array()
            .unwrap()
            .iter()
            .any(|a| a["url"] == dead_url.as_str() && a["error"].is_string())
        {
            break;
        }
        assert!(Instant::now() < deadline, "no failed attempt logged: {log}");
        thread::sleep(Duration::from_millis(5));
    }
    control(&sb, "POST", "callback-url", json!({"url": rx.url}));
    let got = rx.wait_for(4);
    let v: Value = serde_json::from_slice(&got[3].1).unwrap();
    assert_eq!(v["foreign_id"], "retry-2");
}

#[test]
fn callback_urls_with_cr_lf_or_spaces_are_refused() {
    let bad = [
        "http://127.0.0.1:9/cb\r\nX-Injected: 1",
        "http://127.0.0.1:9/cb\nX-Injected: 1",
        "http://127.0.0.1:9/c b",
        "http://127.0.0.1:9/cb\u{1}",
        "http:///cb",
        "ftp://127.0.0.1:9/cb",
        "https://127.0.0.1:9/cb",
    ];
    for url in bad {
        let (code, err) = refused_arguments(&["--callback-url", url]);
        assert_eq!(code, Some(2), "{url:?}");
        assert!(err.contains("--callback-url"), "{err}");
    }
    let good = "http://127.0.0.1:9/cb?shop=1";
    let sb = Sandbox::start(&["--callback-url", good]);
    for url in bad.iter().chain(&["http://127.0.0.1:9/cb\u{0}"]) {
        let (s, v) = control(&sb, "POST", "callback-url", json!({ "url": url }));
        assert_eq!(s, 400, "{url:?}: {v}");
    }
    let (_, v) = control(&sb, "GET", "callback-url", json!(null));
    assert_eq!(v["url"], good, "unchanged");
    let (s, v) = control(
        &sb,
        "POST",
        "callback-url",
        json!({"url": "http://localhost:9/x"}),
    );
    assert_eq!((s, v["url"].as_str()), (200, Some("http://localhost:9/x")));
}

#[test]
fn exchange_calculate_is_rate_limited_with_a_plain_text_429() {
    let sb = Sandbox::start(&["--calculate-limit", "3"]);
    let body =
        json!({"sender_currency": "BTC", "receiver_currency": "EUR", "sender_amount": "0.01"});
    for _ in 0..3 {
        assert_eq!(post(&sb, "/exchange/calculate", body.clone()).0, 200);
    }
    let raw = serde_json::to_vec(&body).unwrap();
    let r = signed(&sb, "POST", "/exchange/calculate", &raw).unwrap();
    assert_eq!(r.status, 429);
    assert_eq!(r.text(), "error code: 1015");
    assert!(r.header("content-type").unwrap().starts_with("text/plain"));
    // Other endpoints are not limited, exchange/now included.
    assert_eq!(post(&sb, "/accounts/list", json!({})).0, 200);
    let mut now = body.clone();
    now["foreign_id"] = json!("not-limited");
    assert_eq!(post(&sb, "/exchange/now", now).0, 201);
    // The limit can be changed (and the window reset) through the control API.
    control(&sb, "POST", "rate-limit", json!({"per_minute": 0}));
    assert_eq!(post(&sb, "/exchange/calculate", body).0, 200);
}

fn arm(sb: &Sandbox, fault: Value) {
    let (s, v) = control(sb, "POST", "faults", fault);
    assert_eq!(s, 200, "{v}");
}

fn withdrawal(foreign_id: &str) -> Vec<u8> {
    serde_json::to_vec(&json!({"currency": "BTC", "address": "tb1q", "amount": "0.01", "foreign_id": foreign_id, "end_user_reference": "u"})).unwrap()
}

fn withdrawal_exists(sb: &Sandbox, foreign_id: &str) -> bool {
    state(sb)["withdrawals"]
        .as_array()
        .unwrap()
        .iter()
        .any(|w| w["foreign_id"] == foreign_id)
}

#[test]
fn faults_break_responses_as_armed() {
    let sb = Sandbox::start(&["--refuse-duplicate-foreign-id"]);
    // latency, for one request on one path only.
    arm(
        &sb,
        json!({"mode": "latency", "ms": 400, "path": "/accounts/list"}),
    );
    let t = Instant::now();
    assert_eq!(post(&sb, "/currencies/list", json!({})).0, 200);
    assert!(t.elapsed() < Duration::from_millis(350), "path filter");
    let t = Instant::now();
    assert_eq!(post(&sb, "/accounts/list", json!({})).0, 200);
    assert!(t.elapsed() >= Duration::from_millis(400));
    let t = Instant::now();
    post(&sb, "/accounts/list", json!({}));
    assert!(t.elapsed() < Duration::from_millis(350), "used up");

    // 500 and 502 with an HTML body; the request is not applied.
    for (mode, status) in [("http_500", 500), ("http_502", 502)] {
        arm(
            &sb,
            json!({"mode": mode, "path": "/api/v2/withdrawal/crypto"}),
        );
        let r = signed(&sb, "POST", "/withdrawal/crypto", &withdrawal(mode)).unwrap();
        assert_eq!(r.status, status);
        assert!(r.header("content-type").unwrap().starts_with("text/html"));
        assert!(r.text().contains("<html>"));
        assert!(!withdrawal_exists(&sb, mode));
    }

    // Dropped before processing: connection error, nothing happened, a retry succeeds.
    arm(
        &sb,
        json!({"mode": "drop_before", "path": "/withdrawal/crypto"}),
    );
    assert!(signed(&sb, "POST", "/withdrawal/crypto", &withdrawal("db")).is_err());
    assert!(!withdrawal_exists(&sb, "db"));
    assert_eq!(
        signed(&sb, "POST", "/withdrawal/crypto", &withdrawal("db"))
            .unwrap()
            .status,
        201
    );

    // Dropped after processing: connection error, but the withdrawal exists; a retry is a duplicate.
    arm(
        &sb,
        json!({"mode": "drop_after", "path": "/withdrawal/crypto"}),
    );
    assert!(signed(&sb, "POST", "/withdrawal/crypto", &withdrawal("da")).is_err());
    assert!(withdrawal_exists(&sb, "da"));
    let r = signed(&sb, "POST", "/withdrawal/crypto", &withdrawal("da")).unwrap();
    assert_eq!(r.status, 400);
    assert!(r.text().contains("The foreign id has already been taken."));

    // Truncated: Content-Length promises more than arrives.
    arm(&sb, json!({"mode": "truncated", "count": 2}));
    let e = signed(&sb, "POST", "/accounts/list", b"{}")
        .err()
        .expect("a short body is an error");
    assert_eq!(e.kind(), std::io::ErrorKind::UnexpectedEof, "{e}");
    assert!(
        signed(&sb, "POST", "/accounts/list", b"{}").is_err(),
        "count 2"
    );
    assert_eq!(
        signed(&sb, "POST", "/accounts/list", b"{}").unwrap().status,
        200
    );

    // Huge: a 200 announcing 64 MiB, streamed.
    arm(&sb, json!({"mode": "huge"}));
    let mut s = TcpStream::connect(sb.addr()).unwrap();
    s.write_all(b"GET /api/v2/ping HTTP/1.1\r\nHost: x\r\n\r\n")
        .unwrap();
    let mut got = Vec::new();
    let mut chunk = [0u8; 65536];
    while got.len() < 4 << 20 {
        let n = s.read(&mut chunk).unwrap();
        assert!(n > 0);
        got.extend_from_slice(&chunk[..n]);
    }
    let head = String::from_utf8_lossy(&got[..200]).to_string();
    assert!(head.starts_with("HTTP/1.1 200"), "{head}");
    assert!(
        head.contains(&format!("Content-Length: {}", 64u64 << 20)),
        "{head}"
    );
    let start = got.windows(4).position(|w| w == b"\r\n\r\n").unwrap() + 4;
    assert!(got[start..].starts_with(b"{\"data\":\"aaaa"));
    drop(s);

    // Slow drip: one byte at a time.
    arm(&sb, json!({"mode": "slow_drip", "ms": 2}));
    let t = Instant::now();
    let r = sb.request("GET", "/api/v2/ping", &[], b"").unwrap();
    assert_eq!((r.status, r.text().as_str()), (200, "OK"));
    assert!(
        t.elapsed() >= Duration::from_millis(200),
        "{:?}",
        t.elapsed()
    );

    let (_, v) = control(&sb, "GET", "faults", json!(null));
    assert_eq!(v["faults"], json!([]));
    // Listed with what is left of its count, then used up.
    arm(
        &sb,
        json!({"mode": "http_502", "count": 2, "path": "/ping"}),
    );
    let (_, v) = control(&sb, "GET", "faults", json!(null));
    assert_eq!(
        (
            v["faults"][0]["mode"].as_str(),
            v["faults"][0]["count"].as_u64()
        ),
        (Some("http_502"), Some(2))
    );
    let pings: Vec<u16> = (0..3)
        .map(|_| sb.request("GET", "/api/v2/ping", &[], b"").unwrap().status)
        .collect();
    assert_eq!(pings, [502, 502, 200]);
    let (s, _) = control(&sb, "POST", "faults", json!({"mode": "explode"}));
    assert_eq!(s, 400);
}

#[test]
fn quirks_change_the_wire_types_on_request() {
    let sb = Sandbox::start(&["--quirks", "amounts_as_numbers,invoice_create_201"]);
    let raw = signed(&sb, "POST", "/accounts/list", b"{}").unwrap().text();
    assert!(
        raw.contains(r#""balance":2.50000000"#),
        "digits kept as a JSON number: {raw}"
    );
    let mut b = invoice_body("12345");
    b["end_user_reference"] = json!("777");
    let (s, v) = post(&sb, "/invoices/create", b.clone());
    assert_eq!(s, 201);
    assert!(v["data"]["amount"].is_number() && v["data"]["foreign_id"].is_string());
    let (s, _) = control(
        &sb,
        "POST",
        "quirks",
        json!({"quirks": ["end_user_reference_as_number", "invoice_foreign_id_as_number", "confirmations_as_string"]}),
    );
    assert_eq!(s, 200);
    b["foreign_id"] = json!("12346");
    let (s, v) = post(&sb, "/invoices/create", b);
    assert_eq!(s, 200);
    assert_eq!(
        (
            v["data"]["foreign_id"].clone(),
            v["data"]["end_user_reference"].clone()
        ),
        (json!(12346), json!(777))
    );
    assert!(v["data"]["amount"].is_string());
    let (_, paid) = control(&sb, "POST", "invoices/12346/pay", json!({"amount": "1"}));
    assert_eq!(paid["status"], "confirmed");
    let (_, info) = api(
        &sb,
        "GET",
        "/transactions/info",
        &json!({"foreign_id": "12346"}),
    );
    assert_eq!(info["transactions"][0]["confirmations"], "3");
    let (s, _) = control(&sb, "POST", "quirks", json!({"quirks": ["no_such_quirk"]}));
    assert_eq!(s, 400);
}

#[test]
fn reset_restores_the_initial_state() {
    let sb = Sandbox::start(&[]);
    let btc0 = balance(&sb, "BTC");
    post(
        &sb,
        "/withdrawal/crypto",
        serde_json::from_slice(&withdrawal("r")).unwrap(),
    );
    assert_ne!(balance(&sb, "BTC"), btc0);
    let (s, _) = control(&sb, "POST", "reset", json!({}));
    assert_eq!(s, 200);
    assert_eq!(balance(&sb, "BTC"), btc0);
    let st = state(&sb);
    assert_eq!(st["withdrawals"], json!([]));
    assert_eq!(st["requests"]["total"], 1);
    assert_eq!(control(&sb, "GET", "no-such-thing", json!(null)).0, 404);
}

#[test]
fn tls_mode_serves_https_with_the_written_certificate() {
    let dir = fresh_dir("tls");
    let cert = dir.join("sandbox.pem");
    let sb = Sandbox::start(&["--tls", "--cert-out", cert.to_str().unwrap()]);
    assert_eq!(sb.cert_path(), Some(cert.as_path()));
    assert!(
        sb.base_url().starts_with("https://127.0.0.1:"),
        "{}",
        sb.base_url()
    );
    let pem = std::fs::read_to_string(sb.cert_path().unwrap()).unwrap();
    assert!(pem.starts_with("-----BEGIN CERTIFICATE-----"));
    // Verified against that certificate (the helper trusts only it), signed like production.
    let (s, v) = post(&sb, "/accounts/list", json!({}));
    assert_eq!(s, 200, "{v}");
    let (_, v) = post(&sb, "/invoices/create", invoice_body("tls"));
    assert!(v["data"]["url"].as_str().unwrap().starts_with("https://"));
    assert_eq!(sb.control("GET", "state", "").0, 200);
    // Plain HTTP on the TLS port gets no HTTP answer.
    let mut s = TcpStream::connect(sb.addr()).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    s.write_all(b"GET /api/v2/ping HTTP/1.1\r\nHost: x\r\n\r\n")
        .unwrap();
    let mut buf = [0u8; 64];
    let n = s.read(&mut buf).unwrap_or(0);
    assert!(!buf[..n].starts_with(b"HTTP/1.1 200"));
    drop(sb);
    let _ = std::fs::remove_dir_all(&dir);
}

/// A new, empty directory for one test.
fn fresh_dir(name: &str) -> std::path::PathBuf {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos();
    let dir = std::env::temp_dir().join(format!(
        "sandbox-protocol-{name}-{}-{nanos}",
        std::process::id()
    ));
    std::fs::create_dir(&dir).unwrap();
    dir
}

#[test]
fn the_tls_certificate_is_written_only_to_a_new_private_file() {
    use std::os::unix::fs::PermissionsExt;
    let mode = |p: &std::path::Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
    // --cert-out: created, 0600; an existing file or a symlink is refused and left alone.
    let dir = fresh_dir("cert-out");
    let cert = dir.join("new.pem");
    let sb = Sandbox::start(&["--tls", "--cert-out", cert.to_str().unwrap()]);
    assert_eq!(mode(&cert), 0o600);
    drop(sb);
    let (code, err) = refused_arguments(&["--tls", "--cert-out", cert.to_str().unwrap()]);
    assert_eq!(code, Some(1));
    assert!(err.contains("already exists"), "{err}");
    let target = dir.join("victim");
    std::fs::write(&target, "keep").unwrap();
    let link = dir.join("link.pem");
    std::os::unix::fs::symlink(&target, &link).unwrap();
    let dangling = dir.join("dangling.pem");
    std::os::unix::fs::symlink(dir.join("nowhere"), &dangling).unwrap();
    for p in [&target, &link, &dangling] {
        let (code, _) = refused_arguments(&["--tls", "--cert-out", p.to_str().unwrap()]);
        assert_eq!(code, Some(1), "{}", p.display());
    }
    assert_eq!(std::fs::read_to_string(&target).unwrap(), "keep");
    assert!(!dir.join("nowhere").exists());
    std::fs::remove_dir_all(&dir).unwrap();

    // Default: a fresh private directory per run, 0700, the file 0600, gone after SIGTERM.
    let a = Sandbox::start(&["--tls"]);
    let b = Sandbox::start(&["--tls"]);
    let (pa, pb) = (a.cert_path().unwrap(), b.cert_path().unwrap());
    let (da, db) = (pa.parent().unwrap(), pb.parent().unwrap());
    assert_ne!(da, db);
    assert_eq!(da.parent().unwrap(), std::env::temp_dir());
    assert_eq!((mode(da), mode(pa)), (0o700, 0o600));
    assert!(std::fs::read_to_string(pa)
        .unwrap()
        .starts_with("-----BEGIN CERTIFICATE-----"));
    let status = std::process::Command::new("kill")
        .args(["-TERM", &a.pid().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let deadline = Instant::now() + Duration::from_secs(10);
    while da.exists() {
        assert!(Instant::now() < deadline, "{} left behind", da.display());
        thread::sleep(Duration::from_millis(20));
    }
    let db = db.to_path_buf();
    drop(b); // the helper stops a TLS sandbox with SIGTERM too
    assert!(!db.exists(), "{} left behind", db.display());
}

/// One raw request on a fresh connection (it must say `Connection: close`): the HTTP status
/// and the body.
fn raw_status(sb: &Sandbox, request: &str) -> (u16, String) {
    let mut s = TcpStream::connect(sb.addr()).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    s.write_all(request.as_bytes()).unwrap();
    let mut got = Vec::new();
    let _ = s.read_to_end(&mut got);
    let text = String::from_utf8_lossy(&got).into_owned();
    let status = text
        .split(' ')
        .nth(1)
        .and_then(|c| c.parse().ok())
        .unwrap_or_else(|| panic!("no status in {text:?}"));
    let body = text.split_once("\r\n\r\n").map(|(_, b)| b).unwrap_or("");
    (status, body.to_string())
}

#[test]
fn the_control_api_refuses_what_a_web_page_could_send() {
    let sb = Sandbox::start(&[]);
    let own_origin = sb.base_url().trim_end_matches("/api/v2").to_string();
    let port = sb.addr().rsplit(':').next().unwrap().to_string();
    let per_minute = || state(&sb)["rate_limit_per_minute"].clone();
    let body = r#"{"per_minute":0}"#;
    let call = |host: &str, extra: &str| {
        raw_status(
            &sb,
            &format!(
                "POST /_sandbox/rate-limit HTTP/1.1\r\nHost: {host}\r\n{extra}Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
                body.len()
            ),
        )
    };
    let json = "Content-Type: application/json\r\n";
    // A "simple" cross-origin POST a page can send without asking: 415, nothing applied.
    for content_type in [
        "text/plain",
        "text/plain;charset=UTF-8",
        "application/x-www-form-urlencoded",
    ] {
        let (status, text) = call(sb.addr(), &format!("Content-Type: {content_type}\r\n"));
        assert_eq!(status, 415, "{content_type}: {text}");
    }
    assert_eq!(call(sb.addr(), "").0, 415, "a body without a Content-Type");
    assert_eq!(per_minute(), 30);
    // A foreign Origin: 403, whatever the content type.
    for origin in ["http://evil.example", "null", "http://localhost:1"] {
        let (status, text) = call(sb.addr(), &format!("{json}Origin: {origin}\r\n"));
        assert_eq!(status, 403, "{origin}: {text}");
        assert!(text.contains("origin"), "{text}");
    }
    // A Host that is not loopback (DNS rebinding): 403.
    for host in [
        "evil.example".to_string(),
        format!("evil.example:{port}"),
        "0.0.0.0".into(),
    ] {
        let (status, text) = call(&host, json);
        assert_eq!(status, 403, "{host}: {text}");
        assert!(text.contains("Host"), "{text}");
    }
    assert_eq!(per_minute(), 30);
    // Loopback names, the sandbox's own origin, and body-less POSTs pass.
    for host in [
        format!("localhost:{port}"),
        "127.0.0.2".into(),
        format!("[::1]:{port}"),
    ] {
        assert_eq!(call(&host, json).0, 200, "{host}");
    }
    assert_eq!(
        call(sb.addr(), &format!("{json}Origin: {own_origin}\r\n")).0,
        200
    );
    let (status, _) = raw_status(
        &sb,
        &format!(
            "POST /_sandbox/reset HTTP/1.1\r\nHost: {}\r\nConnection: close\r\n\r\n",
            sb.addr()
        ),
    );
    assert_eq!(status, 200);
    // The API itself is not guarded: the real service is not on this machine.
    let (status, text) = raw_status(
        &sb,
        "GET /api/v2/ping HTTP/1.1\r\nHost: evil.example\r\nOrigin: null\r\nConnection: close\r\n\r\n",
    );
    assert_eq!((status, text.as_str()), (200, "OK"));
}

#[test]
fn keep_alive_serves_many_requests_on_one_connection() {
    let sb = Sandbox::start(&[]);
    let mut s = TcpStream::connect(sb.addr()).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    let body = b"{}";
    let sig = sign(sb.secret(), body);
    let req = format!(
        "POST /api/v2/accounts/list HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nX-Processing-Key: sandbox-key\r\nX-Processing-Signature: {sig}\r\nContent-Length: 2\r\n\r\n{{}}"
    );
    // Three requests pipelined in one write, then three responses on the same socket.
    s.write_all(req.repeat(3).as_bytes()).unwrap();
    let mut got = Vec::new();
    let mut chunk = [0u8; 8192];
    while got.windows(12).filter(|w| w == b"HTTP/1.1 200").count() < 3 {
        let n = s.read(&mut chunk).unwrap();
        assert!(n > 0, "connection closed early");
        got.extend_from_slice(&chunk[..n]);
    }
    // A GET with a body is read as a body (transactions/info depends on it).
    let info = br#"{"id":1}"#;
    let sig = sign(sb.secret(), info);
    let req = format!(
        "GET /api/v2/transactions/info HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nX-Processing-Key: sandbox-key\r\nX-Processing-Signature: {sig}\r\nContent-Length: {}\r\n\r\n{}",
        info.len(),
        String::from_utf8_lossy(info)
    );
    s.write_all(req.as_bytes()).unwrap();
    let mut tail = Vec::new();
    while !tail.windows(13).any(|w| w == b"HTTP/1.1 404 ") {
        let n = s.read(&mut chunk).unwrap();
        assert!(n > 0);
        tail.extend_from_slice(&chunk[..n]);
    }
}

// ---- payment requests (POST /api/payments/v1/requests) ----

const PR_PATH: &str = "/api/payments/v1/requests";

/// A signed `POST /api/payments/v1/requests`.
fn create_pr(sb: &Sandbox, body: Value) -> (u16, Value) {
    let raw = serde_json::to_vec(&body).unwrap();
    let r = signed_at(sb, "POST", PR_PATH, &raw).expect("request");
    let v = serde_json::from_slice(&r.body).unwrap_or(Value::String(r.text()));
    (r.status, v)
}

/// The spec's example request (payment-requests §1.6), with a lifetime of `seconds`.
fn pr_body(foreign_id: &str, seconds: i64) -> Value {
    json!({
        "amount": "250.00",
        "currency": {"iso": "USDT", "network_name": "tron"},
        "life_time_duration": seconds,
        "end_user_email": "buyer@example.org",
        "end_user_reference": "cust-8841",
        "description": "Order A-1009",
        "foreign_id": foreign_id,
        "url_store": "https://shop.example.org/cart",
        "url_success": "https://shop.example.org/thanks",
        "url_failed": "https://shop.example.org/retry",
        "sender_type": "natural",
        "sender_data": {"first_name": "Ana", "last_name": "Silva", "date_of_birth": "1990-02-03"},
    })
}

fn is_uuid(s: &str) -> bool {
    let parts: Vec<&str> = s.split('-').collect();
    parts.iter().map(|p| p.len()).collect::<Vec<_>>() == [8, 4, 4, 4, 12]
        && parts.iter().all(|p| {
            p.bytes()
                .all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase())
        })
}

/// A control action on a payment request (`proceed`, `pay`, `expire`).
fn pr_action(sb: &Sandbox, id: &str, action: &str, body: Value) -> (u16, Value) {
    control(sb, "POST", &format!("payment-requests/{id}/{action}"), body)
}

fn pr_state(sb: &Sandbox, id: &str) -> Value {
    state(sb)["payment_requests"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["id"] == id)
        .cloned()
        .unwrap_or_else(|| panic!("no payment request {id} in the state"))
}

#[test]
fn payment_requests_are_created_signed_like_v2_with_the_documented_reply() {
    let sb = Sandbox::start(&["--key", "pr-key", "--secret", "pr-secret"]);
    let now = state(&sb)["now"].as_i64().unwrap();
    let (s, v) = create_pr(&sb, pr_body("order-A-1009", 7200));
    assert_eq!(s, 200, "{v}");
    let d = &v["data"];
    let id = d["id"].as_str().unwrap();
    assert!(is_uuid(id), "{id}");
    assert_eq!(
        &id[14..15],
        "7",
        "a version 7 UUID, like the docs' examples"
    );
    assert_eq!(
        (d["status"].as_str(), d["amount"].as_str()),
        (Some("created"), Some("250.00")),
        "the amount is echoed as sent"
    );
    assert_eq!(
        d["currency"],
        json!({"iso": "USDT", "network_name": "tron"})
    );
    let life_time = d["life_time"].as_i64().unwrap();
    assert!(
        (now + 7200..=now + 7210).contains(&life_time),
        "{life_time}"
    );
    for (k, want) in [
        ("end_user_email", "buyer@example.org"),
        ("end_user_reference", "cust-8841"),
        ("description", "Order A-1009"),
        ("foreign_id", "order-A-1009"),
        ("url_store", "https://shop.example.org/cart"),
        ("url_success", "https://shop.example.org/thanks"),
        ("url_failed", "https://shop.example.org/retry"),
    ] {
        assert_eq!(d[k], want, "{k}");
    }
    assert!(d.get("sender_data").is_none() && d.get("sender_type").is_none());
    // The payment link is served (a bare page), and only for known requests.
    let link = d["payment_link"].as_str().unwrap();
    let page_path = link
        .strip_prefix(&format!("http://{}", sb.addr()))
        .unwrap_or_else(|| panic!("{link}"));
    assert!(page_path.starts_with("/payment/"), "{link}");
    let r = sb.request("GET", page_path, &[], b"").unwrap();
    assert_eq!(r.status, 200);
    assert!(r.header("content-type").unwrap().starts_with("text/html"));
    assert!(r.text().contains("250 USDT") && r.text().contains("created"));
    assert_eq!(
        sb.request("GET", "/payment/nope", &[], b"").unwrap().status,
        404
    );

    // The older spelling life_time_date_time and life_time_datetime are absolute times.
    for field in ["life_time_datetime", "life_time_date_time"] {
        let mut b = pr_body("", 0);
        let o = b.as_object_mut().unwrap();
        o.remove("life_time_duration");
        o.remove("foreign_id");
        o.insert(field.into(), json!(now + 3600));
        let (s, v) = create_pr(&sb, b);
        assert_eq!(
            (s, v["data"]["life_time"].as_i64()),
            (200, Some(now + 3600)),
            "{field}: {v}"
        );
        assert!(
            v["data"].get("foreign_id").is_none(),
            "echoed only when sent"
        );
    }

    // The auth layer is v2's: the same codes and bodies.
    let raw = serde_json::to_vec(&pr_body("x", 600)).unwrap();
    let good = sign("pr-secret", &raw);
    let call = |headers: &[(&str, &str)]| {
        let r = sb.request("POST", PR_PATH, headers, &raw).unwrap();
        (r.status, serde_json::from_slice::<Value>(&r.body).unwrap())
    };
    let ct = ("Content-Type", "application/json");
    let key = ("X-Processing-Key", "pr-key");
    assert_eq!(
        call(&[ct, ("X-Processing-Signature", &good)]),
        (
            403,
            json!({"error": "No key header", "code": "required_header_key"})
        )
    );
    assert_eq!(
        call(&[
            ct,
            key,
            ("X-Processing-Signature", &sign("sandbox-secret", &raw))
        ]),
        (
            403,
            json!({"error": "Bad signature header", "code": "bad_header_signature"})
        )
    );
    assert_eq!(
        call(&[ct, key]),
        (
            403,
            json!({"error": "No signature header", "code": "required_header_signature"})
        )
    );
    assert_eq!(
        call(&[
            ("Content-Type", "text/plain"),
            key,
            ("X-Processing-Signature", &good)
        ]),
        (
            400,
            json!({"error": "Bad content format", "code": "bad_content_format"})
        )
    );
    // Other methods and paths below /api/payments are unknown: v2's 403 for those.
    for (method, path) in [
        ("GET", PR_PATH),
        ("POST", "/api/payments/v1/requests/x"),
        ("POST", "/api/v2/requests"),
    ] {
        let r = signed_at(&sb, method, path, &raw).unwrap();
        assert_eq!(r.status, 403, "{method} {path}");
        assert!(r.text().contains("required_header_key"));
    }
    let st = state(&sb);
    assert_eq!(st["requests"]["by_path"][PR_PATH], 7);
    assert_eq!(st["payment_requests"].as_array().unwrap().len(), 3);
}

#[test]
fn payment_request_fields_follow_the_documented_rules() {
    let sb = Sandbox::start(&[]);
    let err = |body: Value| {
        let (s, v) = create_pr(&sb, body);
        assert_eq!(s, 400, "{v}");
        v["errors"].clone()
    };
    assert_eq!(
        err(json!({})),
        json!({
            "amount": "The amount field is required.",
            "currency": "The currency field is required.",
            "life_time_duration":
                "The life time duration field is required when life time datetime is not present.",
        })
    );
    let mut b = pr_body("f", 600);
    b["amount"] = json!(250.5); // a float on the wire: money is a string here
    b["currency"] = json!({"iso": "USDT", "network_name": "bitcoin"});
    b["payment_currency"] = json!({"iso": "EUR"});
    b["life_time_datetime"] = json!(1);
    b["url_store"] = json!("https://192.168.1.10/cart");
    b["url_failed"] = json!("http://shop.example.org/retry");
    b["end_user_email"] = json!("buyer");
    b["sender_data"] = json!({"first_name": "Ana", "last_name": "Silva", "legal_name": "ACME"});
    assert_eq!(
        err(b),
        json!({
            "amount": "The amount must be a string.",
            "currency.network_name": "The selected currency.network name is invalid.",
            "payment_currency.iso": "The selected payment currency.iso is invalid.",
            "life_time_duration":
                "The life time duration field prohibits life time datetime from being present.",
            "end_user_email": "The end user email must be a valid email address.",
            "url_store": "The url store format is invalid.",
            "url_failed": "The url failed format is invalid.",
            "sender_data.legal_name": "The sender data.legal name field is prohibited.",
        })
    );
    let mut b = pr_body("f", 59);
    b["amount"] = json!("9.99");
    b["currency"] = json!({"iso": "EUR"});
    b["sender_type"] = json!("legal");
    b.as_object_mut().unwrap().remove("sender_data");
    assert_eq!(
        err(b),
        json!({
            "amount": "The amount is too small. The minimum amount is 10.00 EUR.",
            "life_time_duration": "The life time duration must be between 60 and 2592000.",
            "sender_data": "The sender data field is required when sender type is present.",
        })
    );
    let mut b = pr_body("f", 600);
    b["currency"] = json!("USDT");
    b["amount"] = json!("1.123456789");
    let e = err(b);
    assert_eq!(e["currency"], "The currency must be an array.");
    assert_eq!(e["amount"], "The amount must have 0-8 decimal places.");
    // A crypto without a network is its first network; payment_currency forces the payer's.
    let mut b = pr_body("ok", 600);
    b["currency"] = json!({"iso": "EUR"});
    b["amount"] = json!("100");
    b["payment_currency"] = json!({"iso": "BTC"});
    let (s, v) = create_pr(&sb, b);
    assert_eq!(s, 200, "{v}");
    assert_eq!(v["data"]["payment_currency"], json!({"iso": "BTC"}));
}

#[test]
fn a_repeated_payment_request_foreign_id_is_refused_only_with_the_switch() {
    let sb = Sandbox::start(&[]);
    let taken = json!({"errors": {"foreign_id": "The foreign id has already been taken."}});
    assert_eq!(create_pr(&sb, pr_body("twice", 600)).0, 200);
    assert_eq!(create_pr(&sb, pr_body("twice", 600)).0, 200);
    assert_eq!(state(&sb)["payment_requests"].as_array().unwrap().len(), 2);
    control(
        &sb,
        "POST",
        "switches",
        json!({"refuse_duplicate_foreign_id": true}),
    );
    assert_eq!(create_pr(&sb, pr_body("twice", 600)), (400, taken.clone()));
    // A reply lost after the request was applied (drop_after): the sandbox holds it once,
    // and a blind repeat is refused as a duplicate.
    arm(&sb, json!({"mode": "drop_after", "path": PR_PATH}));
    let raw = serde_json::to_vec(&pr_body("lost", 600)).unwrap();
    assert!(signed_at(&sb, "POST", PR_PATH, &raw).is_err());
    let held = state(&sb)["payment_requests"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|p| p["foreign_id"] == "lost")
        .count();
    assert_eq!(held, 1);
    assert_eq!(create_pr(&sb, pr_body("lost", 600)), (400, taken));
}

#[test]
fn a_payment_request_is_driven_to_paid_with_signed_callbacks() {
    let rx = Receiver::start(vec![]);
    let sb = Sandbox::start(&["--callback-url", &rx.url, "--secret", "pr-cb-secret"]);
    let mut b = pr_body("order-pr-1", 7200);
    b["currency"] = json!({"iso": "EUR"});
    b["amount"] = json!("100");
    let (s, v) = create_pr(&sb, b);
    assert_eq!(s, 200, "{v}");
    let id = v["data"]["id"].as_str().unwrap().to_string();
    let eur0 = units(&balance(&sb, "EUR"));
    // The payer picks LTC and proceeds: processing, the rate fixed for an hour.
    let (s, p) = pr_action(&sb, &id, "proceed", json!({"currency": {"iso": "LTC"}}));
    assert_eq!((s, p["status"].as_str()), (200, Some("processing")), "{p}");
    let addr = &p["payment_request_address"];
    assert_eq!(
        addr["currency"],
        json!({"iso": "LTC", "network_name": "litecoin"})
    );
    let expected = addr["expected_amount"].as_str().unwrap().to_string();
    assert_eq!(
        p["expires_at"].as_i64().unwrap() - p["fixed_at"].as_i64().unwrap(),
        3600
    );
    // A part, then the rest (by foreign_id; no amount: what is due).
    let part = "0.5";
    let (s, p) = pr_action(&sb, &id, "pay", json!({"amount": part}));
    assert_eq!((s, p["status"].as_str()), (200, Some("processing")), "{p}");
    let (s, p) = pr_action(&sb, "order-pr-1", "pay", json!({}));
    assert_eq!((s, p["status"].as_str()), (200, Some("paid")), "{p}");
    assert_eq!(p["received_amount"], expected.as_str());
    assert_eq!(
        units(&balance(&sb, "EUR")) - eur0,
        units("100"),
        "the merchant gets exactly what was requested"
    );
    let got = rx.wait_for(4);
    let cbs: Vec<Value> = got
        .iter()
        .map(|(h, body, _)| {
            assert_eq!(header(h, "content-type"), "application/json");
            assert_eq!(header(h, "x-processing-key"), "sandbox-key");
            assert_eq!(
                header(h, "x-processing-signature"),
                sign("pr-cb-secret", body),
                "signed over the raw body"
            );
            serde_json::from_slice(body).unwrap()
        })
        .collect();
    let seen: Vec<(&str, &str, usize)> = cbs
        .iter()
        .map(|c| {
            (
                c["status"].as_str().unwrap(),
                c["currency_sent"]["received_amount"].as_str().unwrap(),
                c["transactions"].as_array().unwrap().len(),
            )
        })
        .collect();
    assert_eq!(
        seen,
        [
            ("processing", "0", 0),
            ("processing", part, 1),
            ("processing", expected.as_str(), 2),
            ("paid", expected.as_str(), 2),
        ]
    );
    for c in &cbs {
        assert_eq!(
            (c["type"].as_str(), c["payment_request_id"].as_str()),
            (Some("payment_request"), Some(id.as_str()))
        );
        assert_eq!(c["foreign_id"], "order-pr-1");
        assert_eq!(c["end_user_email"], "buyer@example.org");
        assert_eq!(
            c["payment_request_amount"],
            json!({"currency": {"iso": "EUR"}, "amount": "100"})
        );
        assert_eq!(
            c["payment_request_address"]["convert_to"],
            json!({"iso": "EUR"})
        );
        assert!(is_uuid(
            c["payment_request_address"]["id"].as_str().unwrap()
        ));
        assert_eq!(c["expires_at"], c["valid_until"]);
        assert!(c["fixed_at"].is_i64());
    }
    let paid = &cbs[3];
    assert_eq!(paid["currency_sent"]["remaining_amount"], "0");
    assert_eq!(paid["currency_sent"]["expected_amount"], expected.as_str());
    assert_eq!(cbs[1]["transactions"][0]["confirmations"], 0, "seen");
    let txs = paid["transactions"].as_array().unwrap();
    assert!(txs
        .iter()
        .all(|t| t["confirmations"] == 3 && t["late"] == false));
    assert_eq!(txs[0]["amount"], part);
    assert_eq!(
        txs[0]["currency"],
        json!({"iso": "LTC", "network_name": "litecoin"})
    );
    assert_eq!(
        txs[0]["address"],
        paid["payment_request_address"]["address"]
    );

    // Paid is final: no expiry; a later payment is a late payment, refunded, not credited.
    assert_eq!(pr_action(&sb, &id, "expire", json!({})).0, 409);
    let (s, p) = pr_action(&sb, &id, "pay", json!({"amount": "0.1"}));
    assert_eq!(
        (
            s,
            p["status"].as_str(),
            p["late_transaction_count"].as_u64()
        ),
        (200, Some("paid"), Some(1))
    );
    let late: Value = serde_json::from_slice(&rx.wait_for(5)[4].1).unwrap();
    assert_eq!(late["status"], "late_payment");
    assert_eq!(late["transactions"][2]["late"], true);
    assert_eq!(late["currency_sent"]["received_amount"], expected.as_str());
    assert_eq!(units(&balance(&sb, "EUR")) - eur0, units("100"));
    // The switch: the request's own status instead.
    control(
        &sb,
        "POST",
        "switches",
        json!({"payment_request_late_status": "unchanged"}),
    );
    pr_action(&sb, &id, "pay", json!({"amount": "0.1"}));
    let late: Value = serde_json::from_slice(&rx.wait_for(6)[5].1).unwrap();
    assert_eq!(late["status"], "paid");
    // "Repeat callback" by payment_request_id sends the latest again.
    let (s, _) = control(
        &sb,
        "POST",
        "callbacks/repeat",
        json!({"payment_request_id": id}),
    );
    assert_eq!(s, 200);
    let got = rx.wait_for(7);
    assert_eq!(got[6].1, got[5].1);
    let (s, _) = control(
        &sb,
        "POST",
        "callbacks/repeat",
        json!({"payment_request_id": "nope"}),
    );
    assert_eq!(s, 404);
}

/// The statuses of every callback logged for a payment request (no callback URL: each one
/// is logged at once as undeliverable).
fn pr_callbacks(sb: &Sandbox, id: &str) -> Vec<Value> {
    let (_, log) = control(sb, "GET", "callbacks", json!(null));
    log["attempts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| serde_json::from_str::<Value>(a["body"].as_str().unwrap()).unwrap())
        .filter(|b| b["payment_request_id"] == id)
        .collect()
}

fn statuses_of(cbs: &[Value]) -> Vec<&str> {
    cbs.iter().map(|c| c["status"].as_str().unwrap()).collect()
}

#[test]
fn payment_requests_fail_when_underpaid_and_expire_by_the_clock() {
    let sb = Sandbox::start(&["--payment-request-late-status", "unchanged"]);
    let new = |body: Value| -> String {
        let (s, v) = create_pr(&sb, body);
        assert_eq!(s, 200, "{v}");
        v["data"]["id"].as_str().unwrap().to_string()
    };
    // Underpaid in the requested currency itself (no rate lock): failed at the lifetime's end.
    let mut b = pr_body("short", 600);
    b["amount"] = json!("100");
    let short = new(b);
    let (s, p) = pr_action(&sb, &short, "pay", json!({"amount": "40"}));
    assert_eq!((s, p["status"].as_str()), (200, Some("processing")), "{p}");
    assert_eq!(
        p["expires_at"], p["life_time"],
        "same currency: no rate lock"
    );
    // Never proceeded: expires with no address.
    let mut b = pr_body("idle", 600);
    b["currency"] = json!({"iso": "EUR"});
    let idle = new(b);
    // Fixed mode: the payer's currency is forced, the rate locked from creation for an hour.
    let mut b = pr_body("fixed", 7200);
    b["payment_currency"] = json!({"iso": "BTC", "network_name": "bitcoin"});
    let fixed = new(b);
    let p = pr_state(&sb, &fixed);
    assert_eq!(p["status"], "created");
    assert_eq!(
        p["expires_at"].as_i64().unwrap() - p["created_at"].as_i64().unwrap(),
        3600
    );
    assert_eq!(
        pr_action(&sb, &fixed, "proceed", json!({"currency": "ETH"})).0,
        409,
        "the forced currency only"
    );
    assert_eq!(pr_action(&sb, &fixed, "proceed", json!({})).0, 200);

    let (s, _) = control(&sb, "POST", "time", json!({"advance": 601}));
    assert_eq!(s, 200);
    let cbs = pr_callbacks(&sb, &short);
    assert_eq!(statuses_of(&cbs), ["processing", "processing", "failed"]);
    assert_eq!(cbs[2]["currency_sent"]["remaining_amount"], "60");
    let cbs = pr_callbacks(&sb, &idle);
    assert_eq!(statuses_of(&cbs), ["expired"]);
    assert!(cbs[0].get("payment_request_address").is_none());
    assert!(cbs[0].get("currency_sent").is_none());
    assert_eq!(cbs[0]["transactions"], json!([]));
    let (s, v) = pr_action(&sb, &idle, "pay", json!({}));
    assert_eq!(s, 409, "no address to pay to: {v}");
    assert_eq!(pr_state(&sb, &fixed)["status"], "processing");
    control(&sb, "POST", "time", json!({"advance": 3000}));
    let cbs = pr_callbacks(&sb, &fixed);
    assert_eq!(statuses_of(&cbs), ["processing", "expired"]);
    assert_eq!(
        cbs[1]["payment_request_address"]["currency"],
        json!({"iso": "BTC", "network_name": "bitcoin"})
    );
    // A late payment with the switch at `unchanged`: the final status again.
    assert_eq!(
        pr_action(&sb, &short, "pay", json!({"amount": "60"})).0,
        200
    );
    let cbs = pr_callbacks(&sb, &short);
    assert_eq!(
        statuses_of(&cbs),
        ["processing", "processing", "failed", "failed"]
    );
    assert_eq!(cbs[3]["transactions"][1]["late"], true);
    assert_eq!(pr_state(&sb, &short)["status"], "failed");

    // Expired on demand; then final. Unknown requests and actions are 404.
    let now_id = new(pr_body("now", 600));
    let (s, p) = pr_action(&sb, &now_id, "expire", json!({}));
    assert_eq!((s, p["status"].as_str()), (200, Some("expired")));
    assert_eq!(pr_action(&sb, &now_id, "expire", json!({})).0, 409);
    assert_eq!(pr_action(&sb, "no-such-id", "pay", json!({})).0, 404);
    assert_eq!(pr_action(&sb, &now_id, "refund", json!({})).0, 404);
    assert_eq!(
        pr_action(&sb, &now_id, "pay", json!({"currency": {"iso": "DOGE"}})).0,
        400
    );
    // Two requests never share a payment_request_id.
    let ids: std::collections::HashSet<String> = [&short, &idle, &fixed, &now_id]
        .iter()
        .map(|s| s.to_string())
        .collect();
    assert_eq!(ids.len(), 4);
    // A reset forgets them.
    control(&sb, "POST", "reset", json!({}));
    assert_eq!(state(&sb)["payment_requests"], json!([]));
}

// ---- invoices without a timer, undeliverable callbacks, connection cap, shutdown ----

#[test]
fn a_type_1_invoice_goes_created_pending_processing_confirmed() {
    let rx = Receiver::start(vec![]);
    let sb = Sandbox::start(&["--callback-url", &rx.url]);
    let mut b = invoice_body("t1");
    b["timer"] = json!(false);
    b.as_object_mut().unwrap().remove("sender_currency");
    let (_, v) = post(&sb, "/invoices/create", b);
    assert_eq!(v["data"]["status"], "created");
    assert!(v["data"]["release_at"].is_null());
    // The payer picks ETH: the timer starts then.
    let (s, paid) = control(
        &sb,
        "POST",
        "invoices/t1/pay",
        json!({"amount": "1", "currency": "ETH"}),
    );
    assert_eq!(s, 200, "{paid}");
    assert_eq!(paid["sender_currency"], "ETH");
    assert_eq!(
        paid["release_at"].as_i64().unwrap() - paid["fixed_at"].as_i64().unwrap(),
        900
    );
    let cbs: Vec<Value> = rx
        .wait_for(3)
        .iter()
        .map(|(_, b, _)| serde_json::from_slice(b).unwrap())
        .collect();
    let statuses: Vec<&str> = cbs.iter().map(|c| c["status"].as_str().unwrap()).collect();
    assert_eq!(statuses, ["pending", "processing", "confirmed"]);
    let due = paid["sender_amount"].as_str().unwrap();
    assert_eq!(
        cbs[0]["currency_sent"],
        json!({"currency": "ETH", "amount": due, "remaining_amount": due})
    );
    assert_eq!(cbs[0]["transactions"], json!([]));
    assert_eq!(cbs[2]["transactions"].as_array().unwrap().len(), 1);
    // Processing: the window is 24 hours from the fix.
    assert_eq!(
        cbs[1]["expires_at"].as_i64().unwrap(),
        paid["fixed_at"].as_i64().unwrap() + 24 * 3600
    );
}

#[test]
fn callbacks_without_a_url_are_logged_and_can_be_repeated_once_it_is_set() {
    let sb = Sandbox::start(&[]);
    post(&sb, "/invoices/create", invoice_body("late-url"));
    control(&sb, "POST", "invoices/late-url/expire", json!({}));
    let log = wait_log(&sb, 1);
    assert_eq!(log[0]["error"], "no callback URL set");
    assert!(log[0]["url"].is_null());
    let rx = Receiver::start(vec![]);
    assert_eq!(
        control(&sb, "POST", "callback-url", json!({"url": rx.url})),
        (200, json!({"url": rx.url}))
    );
    let (s, _) = control(
        &sb,
        "POST",
        "callbacks/repeat",
        json!({"foreign_id": "late-url"}),
    );
    assert_eq!(s, 200);
    let body: Value = serde_json::from_slice(&rx.wait_for(1)[0].1).unwrap();
    assert_eq!(
        (body["foreign_id"].as_str(), body["status"].as_str()),
        (Some("late-url"), Some("failed"))
    );
    assert_eq!(
        control(&sb, "POST", "callbacks/repeat", json!({"id": 1})).0,
        404,
        "nothing was ever sent for it"
    );
    assert_eq!(control(&sb, "POST", "callbacks/repeat", json!({})).0, 400);
}

#[test]
fn connections_are_capped_and_slots_come_back() {
    let sb = Sandbox::start(&["--max-connections", "2"]);
    let mut idle: Vec<TcpStream> = (0..2)
        .map(|_| TcpStream::connect(sb.addr()).unwrap())
        .collect();
    // Both slots are taken once the sandbox has accepted the two idle connections.
    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        let r = sb.request("GET", "/api/v2/ping", &[], b"").unwrap();
        if r.status == 503 {
            assert_eq!(r.text(), "too many connections");
            break;
        }
        assert!(Instant::now() < deadline, "never refused: {}", r.status);
        thread::sleep(Duration::from_millis(10));
    }
    idle.pop();
    let deadline = Instant::now() + Duration::from_secs(5);
    while sb.request("GET", "/api/v2/ping", &[], b"").unwrap().status != 200 {
        assert!(Instant::now() < deadline, "the slot was not given back");
        thread::sleep(Duration::from_millis(20));
    }
}

#[test]
fn sigterm_shuts_the_sandbox_down_cleanly() {
    let mut sb = Sandbox::start(&[]);
    assert_eq!(post(&sb, "/accounts/list", json!({})).0, 200);
    let status = sb.terminate().expect("exits within 10 s");
    assert_eq!(status.code(), Some(0), "{status:?}");
    assert!(
        TcpStream::connect(sb.addr()).is_err(),
        "no longer listening"
    );
}

#[test]
fn payment_request_callbacks_are_retried_and_its_control_actions_guarded() {
    let rx = Receiver::start(vec![503]);
    let sb = Sandbox::start(&["--callback-url", &rx.url, "--callback-time-scale", "0.001"]);
    let (_, v) = create_pr(&sb, pr_body("retry-pr", 600));
    let id = v["data"]["id"].as_str().unwrap().to_string();
    // What a web page could send: refused, nothing happens.
    let path = format!("/_sandbox/payment-requests/{id}/expire");
    let r = sb
        .request("POST", &path, &[("Content-Type", "text/plain")], b"{}")
        .unwrap();
    assert_eq!(r.status, 415);
    let r = sb
        .request(
            "POST",
            &path,
            &[
                ("Content-Type", "application/json"),
                ("Origin", "http://evil.example"),
            ],
            b"{}",
        )
        .unwrap();
    assert_eq!(r.status, 403);
    assert_eq!(pr_state(&sb, &id)["status"], "created");
    // Refused once: the same bytes again one (scaled) minute later.
    let (s, _) = pr_action(&sb, &id, "expire", json!({}));
    assert_eq!(s, 200);
    let got = rx.wait_for(2);
    assert_eq!(got[0].1, got[1].1);
    assert!(got[1].2 - got[0].2 >= Duration::from_millis(55));
    let log: Vec<(u64, Value)> = wait_log(&sb, 2)
        .iter()
        .map(|a| (a["attempt"].as_u64().unwrap(), a["response_status"].clone()))
        .collect();
    assert_eq!(log, vec![(1, json!(503)), (2, json!(200))]);
    let cb: Value = serde_json::from_slice(&got[1].1).unwrap();
    assert_eq!(
        (cb["status"].as_str(), cb["payment_request_id"].as_str()),
        (Some("expired"), Some(id.as_str()))
    );
}
