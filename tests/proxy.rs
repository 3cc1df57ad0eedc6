//! Calls through a real HTTP proxy (tinyproxy): HTTPS through a CONNECT tunnel with the
//! sandbox's certificate verified end to end, proxy credentials never shown, a dead or
//! refusing proxy failing the call before anything reached the API.

#[path = "common/sandbox.rs"]
mod sandbox;
#[path = "common/tinyproxy.rs"]
mod tinyproxy;

use alphapo::{Client, Status};
use sandbox::Sandbox;
use std::time::Duration;
use tinyproxy::{Tinyproxy, PASSWORD};

fn client(sb: &Sandbox, proxy: &str) -> Client {
    let mut b = Client::builder(sb.key(), sb.secret().as_bytes())
        .base_url(sb.base_url(), false)
        .timeout(Duration::from_secs(5))
        .max_retries(0)
        .proxy(Some(proxy));
    if let Some(pem) = sb.cert_path() {
        b = b.ca_file(pem).unwrap();
    }
    b.build().unwrap()
}

/// A withdrawal request (the money-moving case: a failure must say whether it was sent).
fn withdrawal(foreign_id: &str) -> alphapo::Request {
    alphapo::Request::from_json(
        alphapo::OperationKind::WithdrawalCrypto,
        &format!(
            r#"{{"currency":"BTC","address":"tb1q","amount":"0.001","foreign_id":"{foreign_id}"}}"#
        ),
    )
    .unwrap()
}

#[test]
fn https_goes_through_a_connect_tunnel_and_tls_is_verified_end_to_end() {
    let sb = Sandbox::start(&["--tls"]);
    let proxy = Tinyproxy::start();
    let c = client(&sb, &proxy.url());
    assert_eq!(c.ping().unwrap().data, "OK");
    assert!(!c
        .list_accounts()
        .unwrap()
        .data
        .as_array()
        .unwrap()
        .is_empty());
    let log = proxy.log();
    assert!(
        log.contains(&format!("CONNECT {}", sb.addr())),
        "the proxy saw no CONNECT to {}:\n{log}",
        sb.addr()
    );
    // Without the sandbox's certificate the tunnel is there but TLS is not trusted.
    let untrusted = Client::builder(sb.key(), sb.secret().as_bytes())
        .base_url(sb.base_url(), false)
        .max_retries(0)
        .proxy(Some(&proxy.url()))
        .build()
        .unwrap();
    let e = untrusted.ping().unwrap_err();
    assert_eq!(e.status(), Status::Tls, "{e:?}");
    assert!(!format!("{e} {e:?}").contains(PASSWORD));
    // A certificate refused in the handshake means nothing was sent: for a withdrawal that
    // is a definite TLS error, not OUTCOME_UNKNOWN.
    let e = untrusted.execute(&withdrawal("tls-1")).unwrap_err();
    assert_eq!(e.status(), Status::Tls, "{e:?}");
}

#[test]
fn a_dead_or_refusing_proxy_fails_the_call_and_shows_no_credentials() {
    let sb = Sandbox::start(&[]);
    let dead = format!("http://someone:{PASSWORD}@127.0.0.1:9");
    let e = client(&sb, &dead).list_accounts().unwrap_err();
    assert_eq!(e.status(), Status::Transport, "{e:?}");
    assert!(!format!("{e} {e:?}").contains(PASSWORD), "{e:?}");

    let proxy = Tinyproxy::start();
    let wrong = format!(
        "http://proxy-user:wrong-{PASSWORD}@127.0.0.1:{}",
        proxy.port
    );
    let e = client(&sb, &wrong).list_accounts().unwrap_err();
    assert_ne!(e.status(), Status::Ok);
    assert!(!format!("{e} {e:?}").contains(PASSWORD), "{e:?}");
    assert!(
        sb.control("GET", "state", "").1.contains("\"total\":0"),
        "nothing reached the API"
    );
    // A dead proxy in front of a withdrawal: never sent, so a definite TRANSPORT error.
    let e = client(&sb, &dead).execute(&withdrawal("px-1")).unwrap_err();
    assert_eq!(e.status(), Status::Transport, "{e:?}");
}

#[test]
fn a_bad_proxy_url_is_refused_at_build_time() {
    for bad in [
        "https://p:1",
        "p",
        "http://p:1/x",
        "http://u:secret@p:1\r\n",
    ] {
        let e = Client::builder("k", b"s")
            .proxy(Some(bad))
            .build()
            .unwrap_err();
        assert_eq!(e.status(), Status::InvalidArgument, "{bad}");
        assert!(!e.message().contains("secret"), "{}", e.message());
    }
}
