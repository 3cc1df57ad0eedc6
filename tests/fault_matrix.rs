//! Money moves at most once: every money-moving operation against every fault the sandbox
//! can inject, with the sandbox's (undocumented) duplicate refusal for withdrawals and
//! exchanges both off (the documented behaviour) and on.
//!
//! For each cell the sandbox's own state says how many operations were applied, and the
//! caller's answer must agree: success means one was applied, a definite error means none
//! was, and only `OUTCOME_UNKNOWN` (or a repeat's duplicate refusal, "may already have
//! happened") may leave it open. An unguarded operation is never sent twice once it may
//! have arrived. The matrix is printed (`cargo test --release --test fault_matrix --
//! --nocapture`) and copied into RELIABILITY.md.

#[path = "common/sandbox.rs"]
mod sandbox;

use alphapo::{Client, OperationKind, Request, RetryClass, Status};
use sandbox::Sandbox;
use serde_json::{json, Value};
use std::fmt::Write as _;
use std::time::Duration;

/// The faults, each one or more `POST /_sandbox/faults` bodies (path added per operation).
const FAULTS: [(&str, &[&str]); 9] = [
    ("drop_before", &[r#""mode":"drop_before""#]),
    ("drop_after", &[r#""mode":"drop_after""#]),
    ("http_500", &[r#""mode":"http_500""#]),
    ("http_502", &[r#""mode":"http_502""#]),
    ("429 short", &[r#""mode":"http_429","retry_after":1"#]),
    ("429 long", &[r#""mode":"http_429","retry_after":3600"#]),
    ("truncated", &[r#""mode":"truncated""#]),
    ("slow_drip", &[r#""mode":"slow_drip","ms":40"#]),
    (
        "drop_after+429",
        &[
            r#""mode":"drop_after""#,
            r#""mode":"http_429","retry_after":3600"#,
        ],
    ),
];

/// A money-moving operation: what to call, where it lands in the sandbox's state.
struct Op {
    name: &'static str,
    kind: OperationKind,
    path: &'static str,
}

const OPS: [Op; 8] = [
    Op {
        name: "withdrawal/crypto",
        kind: OperationKind::WithdrawalCrypto,
        path: "/withdrawal/crypto",
    },
    Op {
        name: "exchange/fixed",
        kind: OperationKind::ExchangeFixed,
        path: "/exchange/fixed",
    },
    Op {
        name: "exchange/now",
        kind: OperationKind::ExchangeNow,
        path: "/exchange/now",
    },
    Op {
        name: "invoices/create",
        kind: OperationKind::InvoicesCreate,
        path: "/invoices/create",
    },
    Op {
        name: "invoices/cancel",
        kind: OperationKind::InvoicesCancel,
        path: "", // per invoice: /invoices/{foreign_id}/cancel/
    },
    Op {
        name: "addresses/take",
        kind: OperationKind::AddressesTake,
        path: "/addresses/take",
    },
    Op {
        name: "payment_requests/create",
        kind: OperationKind::PaymentRequestsCreate,
        path: "/api/payments/v1/requests",
    },
    Op {
        name: "generic (withdrawal)",
        kind: OperationKind::Generic,
        path: "/withdrawal/crypto",
    },
];

/// What the caller was told.
#[derive(Debug)]
enum Answer {
    Success,
    Definite(Status),
    Unknown(Status),
    MayHaveHappened,
}

impl Answer {
    fn label(&self) -> String {
        match self {
            Answer::Success => "OK".into(),
            Answer::Definite(s) => s.name().to_string(),
            Answer::Unknown(cause) => format!("UNKNOWN({})", cause.name()),
            Answer::MayHaveHappened => "DUPLICATE(may have)".into(),
        }
    }
}

fn client(sb: &Sandbox) -> Client {
    Client::builder(sb.key(), sb.secret().as_bytes())
        .base_url(sb.base_url(), false)
        .timeout(Duration::from_millis(1500))
        .connect_timeout(Duration::from_secs(2))
        .max_retries(2)
        .build()
        .unwrap()
}

fn state(sb: &Sandbox) -> Value {
    let (status, body) = sb.control("GET", "/_sandbox/state", "");
    assert_eq!(status, 200, "{body}");
    serde_json::from_str(&body).unwrap()
}

fn control(sb: &Sandbox, method: &str, path: &str, body: &str) {
    let (status, reply) = sb.control(method, path, body);
    assert_eq!(status, 200, "{method} {path} {body}: {reply}");
}

fn withdrawal_fields(fid: &str) -> Value {
    json!({"currency": "BTC", "address": "tb1qsandboxdestination0000000000000000",
           "amount": "0.001", "foreign_id": fid, "end_user_reference": "customer-1"})
}

fn invoice_fields(fid: &str) -> Value {
    json!({"title": "Order", "currency": "EUR", "amount": "106.75", "foreign_id": fid,
           "end_user_reference": "customer-1", "url_success": "https://shop.example.com/ok",
           "url_failed": "https://shop.example.com/ko"})
}

fn call(c: &Client, kind: OperationKind, fields: &Value) -> alphapo::Result<alphapo::Response> {
    c.execute(&Request::from_json(kind, &fields.to_string()).unwrap())
}

/// Prepares the cell (outside the fault) and returns the request fields and the path the
/// fault applies to.
fn setup(c: &Client, op: &Op, fid: &str) -> (Value, String) {
    match op.kind {
        OperationKind::WithdrawalCrypto => (withdrawal_fields(fid), op.path.into()),
        OperationKind::Generic => (
            json!({"path": "/withdrawal/crypto", "body": withdrawal_fields(fid)}),
            op.path.into(),
        ),
        OperationKind::ExchangeNow => (
            json!({"sender_currency": "EUR", "receiver_currency": "BTC",
                   "sender_amount": "30", "foreign_id": fid}),
            op.path.into(),
        ),
        OperationKind::ExchangeFixed => {
            let quote = call(
                c,
                OperationKind::ExchangeCalculate,
                &json!({"sender_currency": "EUR", "receiver_currency": "BTC",
                        "sender_amount": "30"}),
            )
            .expect("a quote");
            let price = quote.data["price"].clone();
            (
                json!({"sender_currency": "EUR", "receiver_currency": "BTC",
                       "sender_amount": "30", "foreign_id": fid, "price": price}),
                op.path.into(),
            )
        }
        OperationKind::InvoicesCreate => (invoice_fields(fid), op.path.into()),
        OperationKind::InvoicesCancel => {
            call(c, OperationKind::InvoicesCreate, &invoice_fields(fid)).expect("an invoice");
            (
                json!({ "foreign_id": fid }),
                format!("/invoices/{fid}/cancel/"),
            )
        }
        OperationKind::AddressesTake => (
            json!({"currency": "BTC", "foreign_id": fid, "end_user_reference": "customer-1"}),
            op.path.into(),
        ),
        OperationKind::PaymentRequestsCreate => (
            json!({"amount": "100", "currency": {"iso": "EUR"}, "life_time_duration": 3600,
                   "foreign_id": fid}),
            op.path.into(),
        ),
        other => unreachable!("{other:?} is not in the matrix"),
    }
}

/// How many times the cell's operation was applied, from the sandbox's own state.
fn applied(s: &Value, op: &Op, fid: &str) -> usize {
    let count = |list: &str| {
        s[list]
            .as_array()
            .unwrap_or_else(|| panic!("state has no {list}"))
            .iter()
            .filter(|o| o["foreign_id"] == fid)
            .count()
    };
    match op.kind {
        OperationKind::WithdrawalCrypto | OperationKind::Generic => count("withdrawals"),
        OperationKind::ExchangeNow | OperationKind::ExchangeFixed => count("exchanges"),
        OperationKind::InvoicesCreate => count("invoices"),
        OperationKind::AddressesTake => count("addresses"),
        OperationKind::PaymentRequestsCreate => count("payment_requests"),
        // A cancelled invoice is `failed` with the merchant's cancellation as its error.
        OperationKind::InvoicesCancel => s["invoices"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|i| i["foreign_id"] == fid && i["status"] == "failed")
            .count(),
        _ => unreachable!(),
    }
}

/// Requests the sandbox counted on the operation's route (cancel: one route for every
/// foreign_id).
fn requests_to(s: &Value, path: &str) -> u64 {
    let route = if path.starts_with("/invoices/") && path.ends_with("/cancel/") {
        "/invoices/{foreign_id}/cancel/"
    } else {
        path
    };
    // Payment requests are below /api/payments/v1, the rest below /api/v2.
    let full = if route.starts_with("/api/") {
        route.to_string()
    } else {
        format!("/api/v2{route}")
    };
    s["requests"]["by_path"][full].as_u64().unwrap_or(0)
}

/// Runs one row of the matrix; returns its printed cells.
fn row(sb: &Sandbox, c: &Client, op: &Op, tag: &str, failures: &mut Vec<String>) -> Vec<String> {
    let mut cells = Vec::new();
    for (fault, bodies) in FAULTS {
        let fid = format!(
            "fm-{tag}-{}-{}",
            op.name.replace(['/', ' ', '(', ')'], "_"),
            fault.replace([' ', '+'], "_")
        );
        control(sb, "DELETE", "/_sandbox/faults", "");
        let (fields, path) = setup(c, op, &fid);
        let sent_before = requests_to(&state(sb), &path);
        for body in bodies {
            let armed = format!(r#"{{{body},"path":"{path}"}}"#);
            control(sb, "POST", "/_sandbox/faults", &armed);
        }
        let answer = match call(c, op.kind, &fields) {
            Ok(_) => Answer::Success,
            Err(e) => match (e.status(), e.cause()) {
                (Status::OutcomeUnknown, Some(cause)) => Answer::Unknown(cause),
                (Status::DuplicateForeignId, Some(_)) => Answer::MayHaveHappened,
                (status, _) => Answer::Definite(status),
            },
        };
        control(sb, "DELETE", "/_sandbox/faults", "");
        std::thread::sleep(Duration::from_millis(50)); // a dropped request finishes landing
        let s = state(sb);
        let n = applied(&s, op, &fid);
        let sent = requests_to(&s, &path) - sent_before;
        let consistent = match answer {
            Answer::Success => n == 1,
            Answer::Definite(_) => n == 0,
            Answer::Unknown(_) | Answer::MayHaveHappened => n <= 1,
        };
        let retried_429 = fault == "429 short";
        let sent_ok = match op.kind.retry_class() {
            RetryClass::Unguarded if retried_429 => sent == 2,
            RetryClass::Unguarded => sent == 1,
            _ => sent <= 3,
        };
        if !consistent || !sent_ok || n > 1 {
            failures.push(format!(
                "{tag} {} × {fault}: answer {answer:?}, applied {n}, sent {sent}",
                op.name
            ));
        }
        cells.push(format!("{} ({n}/{sent})", answer.label()));
    }
    cells
}

#[test]
fn every_money_moving_operation_under_every_fault() {
    let mut failures = Vec::new();
    let mut table = String::new();
    for (tag, args) in [
        ("off", &["--calculate-limit", "0"][..]),
        (
            "on",
            &["--calculate-limit", "0", "--refuse-duplicate-foreign-id"][..],
        ),
    ] {
        let sb = Sandbox::start(args);
        let c = client(&sb);
        control(
            &sb,
            "POST",
            "/_sandbox/balances",
            r#"{"BTC":"100","EUR":"100000"}"#,
        );
        writeln!(
            table,
            "\nduplicate refusal for withdrawals/exchanges: {tag}\n\n| operation | {} |\n|---|{}",
            FAULTS.map(|(f, _)| f).join(" | "),
            "---|".repeat(FAULTS.len())
        )
        .unwrap();
        for op in &OPS {
            let cells = row(&sb, &c, op, tag, &mut failures);
            writeln!(table, "| {} | {} |", op.name, cells.join(" | ")).unwrap();
        }
    }
    println!("cells: answer (applied/sent){table}");
    assert!(
        failures.is_empty(),
        "inconsistent cells:\n{}",
        failures.join("\n")
    );
}
