//! Real TLS and real concurrency against the sandbox: certificate verification is on by
//! default, a CA file is honoured, plain http is refused off loopback, and one client
//! serves many threads.

#[path = "common/sandbox.rs"]
mod sandbox;

use alphapo::{Amount, Client, InvoiceRequest, Status};
use sandbox::Sandbox;
use std::sync::Arc;
use std::time::Duration;

#[test]
fn tls_verification_is_on_and_a_ca_file_is_honoured() {
    let dir = std::env::temp_dir().join(format!("alphapo-tls-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let cert = dir.join("sandbox.pem");
    let sb = Sandbox::start(&["--tls", "--cert-out", cert.to_str().unwrap()]);
    assert!(sb.base_url().starts_with("https://127.0.0.1:"));

    let default = Client::builder(sb.key(), sb.secret().as_bytes())
        .base_url(sb.base_url(), false)
        .max_retries(0)
        .build()
        .unwrap();
    let e = default.list_accounts().unwrap_err();
    assert_eq!(
        e.status(),
        Status::Tls,
        "self-signed refused by default: {e:?}"
    );

    let trusting = Client::builder(sb.key(), sb.secret().as_bytes())
        .base_url(sb.base_url(), false)
        .ca_file(sb.cert_path().expect("the sandbox wrote its certificate"))
        .unwrap()
        .build()
        .unwrap();
    assert!(trusting.list_accounts().is_ok());
    assert_eq!(trusting.ping().unwrap().data, "OK");
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn plain_http_is_refused_off_loopback() {
    let e = Client::builder("k", b"s")
        .base_url("http://api.example.com/api/v2", false)
        .build()
        .unwrap_err();
    assert_eq!(e.status(), Status::InvalidArgument);
    assert!(e.message().contains("http"));
    assert!(Client::builder("k", b"s")
        .base_url("http://api.example.com/api/v2", true)
        .build()
        .is_ok());
}

#[test]
fn one_client_serves_many_threads() {
    let sb = Sandbox::start(&[]);
    let client = Arc::new(
        Client::builder(sb.key(), sb.secret().as_bytes())
            .base_url(sb.base_url(), false)
            .timeout(Duration::from_secs(10))
            .build()
            .unwrap(),
    );
    let threads: Vec<_> = (0..8)
        .map(|t| {
            let c = Arc::clone(&client);
            std::thread::spawn(move || {
                for i in 0..40 {
                    if i % 2 == 0 {
                        c.list_accounts().expect("accounts");
                    } else {
                        let inv = c
                            .create_invoice(&InvoiceRequest {
                                title: Some("Thread order".into()),
                                currency: Some("EUR".into()),
                                amount: Some(Amount::parse("15.5").unwrap()),
                                foreign_id: Some(format!("t{t}-{i}")),
                                end_user_reference: Some("c".into()),
                                ..InvoiceRequest::default()
                            })
                            .expect("invoice");
                        assert_eq!(
                            inv.foreign_id.as_deref(),
                            Some(format!("t{t}-{i}").as_str())
                        );
                    }
                }
            })
        })
        .collect();
    for t in threads {
        t.join().expect("no thread failed");
    }
    let (_, body) = sb.control("GET", "/_sandbox/state", "");
    let state: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(
        state["requests"]["total"], 320,
        "the sandbox saw exactly the requests sent"
    );
    assert_eq!(state["invoices"].as_array().unwrap().len(), 160);
}
