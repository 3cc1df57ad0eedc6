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
    assert_eq!(n.dedupe_key(), "2686510:not_confirmed");
    assert_ne!(n.dedupe_key(), d.dedupe_key());

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

    let u = parse("unknown_type.json");
    assert_eq!(u.callback_type.as_deref(), Some("payment_request"));
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
