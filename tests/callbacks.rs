//! Every callback fixture (spec §8) verifies and parses; tampered, truncated, re-cased and
//! re-encoded variants each give the documented result.

use alphapo::{parse_callback, sign_test_callback, verify_callback, Signer, Status};
use std::path::PathBuf;
use std::process::{Command, Stdio};

const SECRET: &[u8] = b"callback-test-secret";

fn fixture(name: &str) -> Vec<u8> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/callbacks")
        .join(name);
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

const FIXTURES: [&str; 9] = [
    "deposit_skeleton.json",
    "deposit_not_confirmed.json",
    "deposit_exchange_go_vector.json",
    "withdrawal_cancelled.json",
    "withdrawal_confirmed.json",
    "exchange.json",
    "invoice_confirmed.json",
    "invoice_failed.json",
    "unknown_type.json",
];

/// `json.dumps(json.loads(body))` by a real Python, as a merchant's framework would do.
fn python_reencode(body: &[u8]) -> Vec<u8> {
    use std::io::Write;
    let mut child = Command::new("python3")
        .args([
            "-c",
            "import json,sys; sys.stdout.write(json.dumps(json.loads(sys.stdin.read())))",
        ])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("python3 runs");
    child.stdin.take().unwrap().write_all(body).unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success());
    out.stdout
}

#[test]
fn every_fixture_verifies_and_parses() {
    let signer = Signer::new(SECRET);
    for name in FIXTURES {
        let body = fixture(name);
        let sig = sign_test_callback(SECRET, &body);
        let cb = parse_callback(&signer, &body, sig.as_bytes(), Some("k"), Some("k"))
            .unwrap_or_else(|e| panic!("{name}: {e:?}"));
        assert!(cb.id.is_some(), "{name}: id");
        assert!(cb.status.is_some(), "{name}: status");
        assert!(cb.malformed.is_empty(), "{name}: {:?}", cb.malformed);
        assert_eq!(cb.raw_body, body);
        assert_eq!(
            cb.is_known_type(),
            name != "unknown_type.json",
            "{name}: {:?}",
            cb.callback_type
        );
    }
}

#[test]
fn fixture_fields_are_typed() {
    let signer = Signer::new(SECRET);
    let parse = |name: &str| {
        let body = fixture(name);
        let sig = sign_test_callback(SECRET, &body);
        parse_callback(&signer, &body, sig.as_bytes(), None, None).unwrap()
    };
    let d = parse("deposit_skeleton.json");
    assert_eq!(d.json["crypto_address"]["foreign_id"], "customer-1");
    assert_eq!(
        d.json["currency_received"]["amount_minus_fee"],
        "79.96216711"
    );
    assert_eq!(d.json["transactions"][0]["confirmations"], 3);
    assert_eq!(d.json["transactions"][0]["riskscore"], "0.5");

    let n = parse("deposit_not_confirmed.json");
    assert_eq!(
        n.json["transactions"][0]["confirmations"], 0,
        "string \"0\" becomes 0"
    );
    assert!(n.dedupe_key().starts_with("deposit:2686510:not_confirmed:"));
    assert_ne!(n.dedupe_key(), d.dedupe_key());
    assert_eq!(
        d.foreign_id.as_deref(),
        Some("customer-1"),
        "a deposit's foreign_id is its address's"
    );
    assert!(!d.is_fully_paid(), "deposits: read the status");

    let w = parse("withdrawal_cancelled.json");
    assert_eq!(w.status.as_deref(), Some("cancelled"));
    assert!(w
        .transaction
        .error
        .as_deref()
        .unwrap()
        .contains("hex-encoded"));
    assert!(w.transaction.sent_amount.is_none());
    assert!(w.json["transactions"][0]["txid"].is_null());

    let i = parse("invoice_confirmed.json");
    assert!(i.is_fully_paid());
    assert_eq!(i.remaining_amount.unwrap().as_str(), "0.00000000");
    assert_eq!(i.fixed_at, Some(1592307241));
    assert_eq!(i.expires_at, Some(1592394104));
    assert_eq!(i.json["fees"][0]["amount"], "0.0008");

    let f = parse("invoice_failed.json");
    assert_eq!(
        f.transaction.error.as_deref(),
        Some("Timer expired. User not paid.")
    );
    assert!(f.json["transactions"].as_array().unwrap().is_empty());
    assert!(!f.is_fully_paid());

    let u = parse("unknown_type.json");
    assert_eq!(u.callback_type.as_deref(), Some("payment_refund"));
    assert_eq!(u.id, Some(9001), "string id read as an integer");
    assert_eq!(u.transaction.foreign_id.as_deref(), Some("12"));
    assert_eq!(u.json["currency"]["iso"], "EUR", "unknown fields kept");
}

#[test]
fn the_second_published_vector_verifies() {
    let body = fixture("deposit_exchange_go_vector.json");
    let sig = fixture("deposit_exchange_go_vector.sig");
    let signer = Signer::new(b"test_secret");
    let cb = parse_callback(&signer, &body, &sig, Some("test_key"), Some("test_key")).unwrap();
    assert_eq!(cb.id, Some(3576));
    assert_eq!(cb.callback_type.as_deref(), Some("deposit_exchange"));
    assert_eq!(
        cb.transaction.received_amount.unwrap().as_str(),
        "11.40406820"
    );
    assert_eq!(cb.json["crypto_address"]["convert_to"], "USD");
}

#[test]
fn tampered_truncated_recased_and_reencoded_bodies() {
    let signer = Signer::new(SECRET);
    for name in FIXTURES {
        let body = fixture(name);
        let sig = sign_test_callback(SECRET, &body);

        let mut changed = body.clone();
        let i = changed.iter().position(|b| b.is_ascii_digit()).unwrap();
        changed[i] = if changed[i] == b'9' {
            b'8'
        } else {
            changed[i] + 1
        };
        let e = parse_callback(&signer, &changed, sig.as_bytes(), None, None).unwrap_err();
        assert_eq!(
            e.status(),
            Status::SignatureMismatch,
            "{name}: one byte changed"
        );

        let e = parse_callback(&signer, &body, &sig.as_bytes()[..127], None, None).unwrap_err();
        assert_eq!(
            e.status(),
            Status::SignatureMismatch,
            "{name}: truncated signature"
        );

        let upper = sig.to_uppercase();
        assert!(
            verify_callback(&signer, &body, upper.as_bytes(), None, None).is_ok(),
            "{name}: an upper-case signature is the same signature"
        );

        let reencoded = python_reencode(&body);
        assert_ne!(reencoded, body, "{name}: re-encoding changes the bytes");
        let e = parse_callback(&signer, &reencoded, sig.as_bytes(), None, None).unwrap_err();
        assert_eq!(
            e.status(),
            Status::SignatureMismatch,
            "{name}: re-encoded body"
        );
        assert!(e.message().contains("raw body"), "{}", e.message());
        assert!(!e.message().contains(&sig));

        let e =
            parse_callback(&signer, &body, sig.as_bytes(), Some("other"), Some("k")).unwrap_err();
        assert_eq!(
            e.status(),
            Status::SignatureMismatch,
            "{name}: wrong key header"
        );
    }
}

#[test]
fn an_unverified_body_is_never_parsed() {
    let signer = Signer::new(SECRET);
    let garbage = b"not json at all";
    let e = parse_callback(&signer, garbage, b"00", None, None).unwrap_err();
    assert_eq!(e.status(), Status::SignatureMismatch);
    let sig = sign_test_callback(SECRET, garbage);
    let e = parse_callback(&signer, garbage, sig.as_bytes(), None, None).unwrap_err();
    assert_eq!(e.status(), Status::Decode, "verified but not JSON");
}

fn parsed(name: &str) -> alphapo::Callback {
    let body = fixture(name);
    let sig = sign_test_callback(SECRET, &body);
    parse_callback(&Signer::new(SECRET), &body, sig.as_bytes(), None, None)
        .unwrap_or_else(|e| panic!("{name}: {e:?}"))
}

#[test]
fn instalments_of_one_invoice_are_different_events() {
    let first = parsed("invoice_instalment_1.json");
    let last = parsed("invoice_instalment_2.json");
    assert_eq!(first.id, last.id);
    assert_eq!(first.status, last.status);
    assert_ne!(first.dedupe_key(), last.dedupe_key());
    assert_eq!(
        first.dedupe_key(),
        "invoice:588:confirmed:750294:0.01000000:"
    );
    assert_eq!(
        last.dedupe_key(),
        "invoice:588:confirmed:750294,750301:0.00000000:"
    );
    assert!(!first.is_fully_paid(), "confirmed with 0.01 remaining");
    assert!(last.is_fully_paid());
    // A redelivery of the same body is the same event.
    assert_eq!(
        parsed("invoice_instalment_1.json").dedupe_key(),
        first.dedupe_key()
    );
}

#[test]
fn payment_request_callbacks_are_told_apart() {
    let processing = parsed("payment_request_processing.json");
    let paid = parsed("payment_request_paid.json");
    let other = parsed("payment_request_other.json");
    assert!(processing.is_known_type());
    assert_eq!(processing.id, None);
    assert_eq!(
        processing.payment_request_id.as_deref(),
        Some("019e2a10-5b3c-7f00-9a11-2c4d5e6f7a8b")
    );
    assert_eq!(processing.foreign_id.as_deref(), Some("order-A-1009"));
    assert_eq!(
        processing.dedupe_key(),
        "payment_request:019e2a10-5b3c-7f00-9a11-2c4d5e6f7a8b:processing::2.91:0"
    );
    assert!(
        processing.malformed.is_empty(),
        "{:?}",
        processing.malformed
    );
    assert_eq!(processing.json["currency_sent"]["currency"]["iso"], "LTC");
    let keys = [
        processing.dedupe_key(),
        paid.dedupe_key(),
        other.dedupe_key(),
    ];
    assert_ne!(keys[0], keys[1]);
    assert_ne!(keys[0], keys[2]);
    assert_ne!(keys[1], keys[2]);
    assert!(paid.is_fully_paid());
    assert!(!processing.is_fully_paid());
    assert_eq!(parsed("payment_request_paid.json").dedupe_key(), keys[1]);
}

#[test]
fn a_long_transaction_list_is_hashed_into_the_key() {
    let txs: Vec<String> = (0..20)
        .map(|i| format!(r#"{{"id": {}, "amount": "0.1"}}"#, 1_000_000 + i))
        .collect();
    let body = format!(
        r#"{{"id": 7, "type": "invoice", "status": "confirmed", "transactions": [{}]}}"#,
        txs.join(",")
    );
    let sig = sign_test_callback(SECRET, body.as_bytes());
    let cb = parse_callback(
        &Signer::new(SECRET),
        body.as_bytes(),
        sig.as_bytes(),
        None,
        None,
    )
    .unwrap();
    let key = cb.dedupe_key();
    assert!(key.starts_with("invoice:7:confirmed:n20-"), "{key}");
    assert!(key.len() < 80, "{key}");
    let fewer = body.replace(r#"{"id": 1000019, "amount": "0.1"},"#, "");
    let fewer = fewer.replace(r#",{"id": 1000019, "amount": "0.1"}"#, "");
    let sig = sign_test_callback(SECRET, fewer.as_bytes());
    let other = parse_callback(
        &Signer::new(SECRET),
        fewer.as_bytes(),
        sig.as_bytes(),
        None,
        None,
    )
    .unwrap();
    assert_ne!(other.dedupe_key(), key);
}
