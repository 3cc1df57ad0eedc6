//! Every result and every error carries its attempt record: each attempt's status, HTTP
//! status, duration and whether it may have reached the service, and the total time.

#[path = "common/sandbox.rs"]
mod sandbox;

use alphapo::{Client, OperationKind, Request, Status};
use sandbox::Sandbox;
use std::time::Duration;

fn client(sb: &Sandbox, retries: u32) -> Client {
    Client::builder(sb.key(), sb.secret().as_bytes())
        .base_url(sb.base_url(), false)
        .timeout(Duration::from_millis(1500))
        .max_retries(retries)
        .build()
        .unwrap()
}

#[test]
fn a_retried_read_records_the_failure_and_the_success() {
    let sb = Sandbox::start(&[]);
    let (st, body) = sb.control(
        "POST",
        "/_sandbox/faults",
        r#"{"mode":"http_502","path":"/accounts/list"}"#,
    );
    assert_eq!(st, 200, "{body}");
    let r = client(&sb, 2)
        .execute(&Request::from_json(OperationKind::AccountsList, "{}").unwrap())
        .unwrap();
    let a = &r.attempts.attempts;
    assert_eq!(a.len(), 2, "{:?}", r.attempts);
    assert_eq!((a[0].status, a[0].http_status), (Status::Server, Some(502)));
    assert!(a[0].may_have_reached);
    assert_eq!((a[1].status, a[1].http_status), (Status::Ok, Some(200)));
    assert!(r.attempts.total >= a[0].duration + a[1].duration);
    let envelope: serde_json::Value = serde_json::from_str(&r.envelope_json()).unwrap();
    assert_eq!(envelope["attempts"]["attempts"][0]["status"], "SERVER");
    assert_eq!(envelope["attempts"]["attempts"][0]["http_status"], 502);
    assert_eq!(envelope["attempts"]["attempts"][1]["status"], "OK");
}

#[test]
fn a_lost_withdrawal_reply_records_one_attempt_that_may_have_reached() {
    let sb = Sandbox::start(&[]);
    sb.control(
        "POST",
        "/_sandbox/faults",
        r#"{"mode":"drop_after","path":"/withdrawal/crypto"}"#,
    );
    let request = Request::from_json(
        OperationKind::WithdrawalCrypto,
        r#"{"currency":"BTC","address":"tb1qsandboxdestination0000000000000000","amount":"0.001","foreign_id":"attempts-1","end_user_reference":"u1"}"#,
    )
    .unwrap();
    let e = client(&sb, 2).execute(&request).unwrap_err();
    assert_eq!(e.status(), Status::OutcomeUnknown, "{e:?}");
    let record = e
        .attempts()
        .expect("a call that sent something has a record");
    assert_eq!(record.attempts.len(), 1, "never re-sent: {record:?}");
    assert_eq!(record.attempts[0].status, Status::Transport);
    assert!(record.attempts[0].may_have_reached);
}

#[test]
fn nothing_sent_means_no_record() {
    let sb = Sandbox::start(&[]);
    let e = Request::from_json(OperationKind::InvoicesCreate, "{}").unwrap_err();
    assert!(e.attempts().is_none());
    let never = Client::builder(sb.key(), sb.secret().as_bytes())
        .base_url("http://127.0.0.1:9/api/v2", false)
        .max_retries(1)
        .build()
        .unwrap()
        .execute(&Request::ping())
        .unwrap_err();
    let record = never.attempts().unwrap();
    assert_eq!(
        record.attempts.len(),
        2,
        "a refused connection is retried: {record:?}"
    );
    assert!(record.attempts.iter().all(|a| !a.may_have_reached));
}
