//! Micro-benchmarks of the core, no network: signing and the library's work per invoice.
//!
//! A std-only harness (no criterion: nothing extra to compile in `make bench`). Each case
//! runs in rounds of a fixed number of iterations; the cases of one group alternate round
//! by round, so a noisy neighbour disturbs them alike, and the figure is the median round.
//!
//!     cargo bench --profile release --bench core [-- --quick]
//!
//! Prints a readable table on stderr and one JSON object per figure on stdout
//! (`{"key": …, "value": …, "unit": …}`), which `bench/run.sh` collects into BENCHMARKS.md.

use alphapo::ffi::client::{
    alphapo_client_builder_build, alphapo_client_builder_new, alphapo_client_builder_set_base_url,
    alphapo_client_free, alphapo_client_prepare, alphapo_decode_reply,
};
use alphapo::ffi::prepared::alphapo_prepared_free;
use alphapo::ffi::response::{alphapo_response_free, alphapo_response_get};
use alphapo::operations::OperationKind;
use alphapo::reply::decode_reply;
use alphapo::{Amount, Client, Invoice, InvoiceRequest, Signer, Status};
use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha512;
use std::hint::black_box;
use std::time::Instant;

/// A 300-byte body: the size of a typical invoice request.
fn body_300() -> Vec<u8> {
    let mut body = br#"{"timer":false,"title":"Order 1001","currency":"EUR","amount":106.75,"foreign_id":"order-1001","end_user_reference":"customer-42","url_success":"https://shop.example.com/paid","url_failed":"https://shop.example.com/failed","description":""#.to_vec();
    while body.len() < 298 {
        body.push(b'x');
    }
    body.extend_from_slice(br#""}"#);
    assert_eq!(body.len(), 300);
    body
}

/// The sandbox's reply to `invoices/create`, byte for byte.
const INVOICE_REPLY: &[u8] = br#"{"data":{"id":2686501,"url":"http://127.0.0.1:44513/invoice/YZfni4","foreign_id":"order-2","end_user_reference":"customer-42","address":null,"title":"Order 1001","status":"created","currency":"EUR","amount":"106.75000000","sender_currency":null,"sender_amount":null,"fixed_at":null,"release_at":null,"seconds_left":null}}"#;

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(|a, b| a.total_cmp(b));
    let n = v.len();
    if n % 2 == 1 {
        v[n / 2]
    } else {
        (v[n / 2 - 1] + v[n / 2]) / 2.0
    }
}

/// One case of a group: a name and a closure run `iters` times per round.
struct Case<'a> {
    key: &'static str,
    label: &'static str,
    run: Box<dyn FnMut(u64) + 'a>,
}

/// Runs the cases of a group in alternating rounds; returns the median ns per iteration.
fn group(cases: &mut [Case<'_>], iters: u64, rounds: usize) -> Vec<f64> {
    // Warm up (caches, branch predictors, the allocator's free lists, CPU frequency).
    for case in cases.iter_mut() {
        (case.run)(iters);
    }
    let mut samples = vec![Vec::with_capacity(rounds); cases.len()];
    for round in 0..rounds {
        // Alternate the order too, so no case always runs first.
        let order: Vec<usize> = if round % 2 == 0 {
            (0..cases.len()).collect()
        } else {
            (0..cases.len()).rev().collect()
        };
        for i in order {
            let start = Instant::now();
            (cases[i].run)(iters);
            samples[i].push(start.elapsed().as_nanos() as f64 / iters as f64);
        }
    }
    samples.into_iter().map(median).collect()
}

fn emit(key: &str, value: f64, unit: &str) {
    println!(r#"{{"key":"{key}","value":{value:.3},"unit":"{unit}"}}"#);
}

fn invoice_request(n: u64) -> InvoiceRequest {
    InvoiceRequest {
        title: Some("Order 1001".into()),
        currency: Some("EUR".into()),
        amount: Some(Amount::parse("106.75").expect("a decimal")),
        foreign_id: Some(format!("order-{n}")),
        end_user_reference: Some("customer-42".into()),
        url_success: Some("https://shop.example.com/paid".into()),
        url_failed: Some("https://shop.example.com/failed".into()),
        ..InvoiceRequest::default()
    }
}

/// The Rust API: build the typed request, validate, serialize, sign (prepare), then decode
/// the reply into the typed invoice.
fn invoice_work_rust(client: &Client, n: u64) -> Invoice {
    let prepared = client.prepare(&invoice_request(n)).expect("valid");
    black_box(&prepared);
    let response = decode_reply(
        OperationKind::InvoicesCreate,
        200,
        INVOICE_REPLY.to_vec(),
        None,
    )
    .expect("decodes");
    Invoice::from_response(response)
}

/// The path the Python and PHP packages take: fields as JSON through the C ABI
/// (`alphapo_client_prepare`), then `alphapo_decode_reply` and one field read.
fn invoice_work_ffi(client: *const alphapo::ffi::client::alphapo_client, n: u64) {
    let json = format!(
        "{{\"title\":\"Order 1001\",\"currency\":\"EUR\",\"amount\":\"106.75\",\"foreign_id\":\"order-{n}\",\"end_user_reference\":\"customer-42\",\"url_success\":\"https://shop.example.com/paid\",\"url_failed\":\"https://shop.example.com/failed\"}}\0"
    );
    let mut prepared = std::ptr::null_mut();
    let status = alphapo_client_prepare(
        client,
        11, // ALPHAPO_OPERATION_INVOICES_CREATE
        json.as_ptr().cast(),
        &mut prepared,
        std::ptr::null_mut(),
    );
    assert_eq!(status, Status::Ok);
    let mut response = std::ptr::null_mut();
    let status = alphapo_decode_reply(
        11,
        200,
        INVOICE_REPLY.as_ptr(),
        INVOICE_REPLY.len(),
        &mut response,
        std::ptr::null_mut(),
    );
    assert_eq!(status, Status::Ok);
    let url = alphapo_response_get(response, c"url".as_ptr());
    assert!(!url.is_null());
    // SAFETY: both come from this library and are freed once.
    unsafe {
        alphapo_response_free(response);
        alphapo_prepared_free(prepared);
    }
}

fn main() {
    let quick = std::env::args().any(|a| a == "--quick");
    let scale = if quick { 5 } else { 1 };
    let rounds = if quick { 7 } else { 21 };

    // --- signing -------------------------------------------------------------------
    let signer = Signer::new(b"sandbox-secret");
    let body = body_300();
    let big = vec![b'y'; 1 << 20];
    let mut sign_cases = [
        Case {
            key: "rust.sign_300b_ns",
            label: "Signer::sign_hex, 300-byte body",
            run: Box::new(|iters| {
                for _ in 0..iters {
                    black_box(signer.sign_hex(black_box(&body)));
                }
            }),
        },
        Case {
            key: "rust.sign_oneshot_300b_ns",
            label: "alphapo::sign (keys each time), 300-byte body",
            run: Box::new(|iters| {
                for _ in 0..iters {
                    black_box(alphapo::sign(
                        black_box(b"sandbox-secret"),
                        black_box(&body),
                    ));
                }
            }),
        },
    ];
    let medians = group(&mut sign_cases, 20_000 / scale, rounds);
    for (case, ns) in sign_cases.iter().zip(&medians) {
        eprintln!("{:55} {:>10.0} ns", case.label, ns);
        emit(case.key, *ns, "ns");
    }

    // The hmac crate over sha2 alone, as the signer hashes bodies below LARGE_BODY.
    let keyed = <Hmac<Sha512> as KeyInit>::new_from_slice(b"sandbox-secret").expect("any key");
    let mut big_cases = [
        Case {
            key: "rust.sign_1mib_mbps",
            label: "Signer::sign_hex, 1 MiB body (ring's SHA-512)",
            run: Box::new(|iters| {
                for _ in 0..iters {
                    black_box(signer.sign_hex(black_box(&big)));
                }
            }),
        },
        Case {
            key: "rust.sha2_1mib_mbps",
            label: "hmac + sha2 crates, 1 MiB body",
            run: Box::new(|iters| {
                for _ in 0..iters {
                    let mut mac = keyed.clone();
                    mac.update(black_box(&big));
                    black_box(mac.finalize());
                }
            }),
        },
    ];
    let medians = group(&mut big_cases, 40 / scale, rounds);
    for (case, ns) in big_cases.iter().zip(&medians) {
        let mbps = (1u64 << 20) as f64 / ns * 1e3;
        eprintln!("{:55} {:>10.0} MB/s", case.label, mbps);
        emit(case.key, mbps, "MB/s");
    }

    // --- library work per invoice, no network --------------------------------------
    let client = Client::builder("sandbox-key", b"sandbox-secret")
        .base_url("http://127.0.0.1:9/api/v2", false)
        .build()
        .expect("client");
    let mut ffi_client = std::ptr::null_mut();
    {
        let mut builder = std::ptr::null_mut();
        let secret = b"sandbox-secret";
        let null_err = std::ptr::null_mut();
        assert_eq!(
            alphapo_client_builder_new(
                c"sandbox-key".as_ptr(),
                secret.as_ptr(),
                secret.len(),
                &mut builder,
                null_err
            ),
            Status::Ok
        );
        assert_eq!(
            alphapo_client_builder_set_base_url(
                builder,
                c"http://127.0.0.1:9/api/v2".as_ptr(),
                false,
                null_err
            ),
            Status::Ok
        );
        assert_eq!(
            alphapo_client_builder_build(builder, &mut ffi_client, null_err),
            Status::Ok
        );
    }
    let check = invoice_work_rust(&client, 1);
    assert_eq!(check.foreign_id.as_deref(), Some("order-2"));
    let mut n = 0u64;
    let mut m = 0u64;
    let mut p = 0u64;
    let mut d = 0u64;
    let mut invoice_cases = [
        Case {
            key: "rust.invoice_work_ns",
            label: "per invoice: validate, serialize, sign, decode (Rust)",
            run: Box::new(|iters| {
                for _ in 0..iters {
                    n += 1;
                    black_box(invoice_work_rust(&client, n));
                }
            }),
        },
        Case {
            key: "rust.invoice_prepare_ns",
            label: "  of which validate, serialize, sign (prepare)",
            run: Box::new(|iters| {
                for _ in 0..iters {
                    p += 1;
                    black_box(client.prepare(&invoice_request(p)).expect("valid"));
                }
            }),
        },
        Case {
            key: "rust.invoice_decode_ns",
            label: "  of which decode the reply",
            run: Box::new(|iters| {
                for _ in 0..iters {
                    d += 1;
                    let r = decode_reply(
                        OperationKind::InvoicesCreate,
                        200,
                        INVOICE_REPLY.to_vec(),
                        None,
                    )
                    .expect("decodes");
                    black_box(Invoice::from_response(r));
                }
            }),
        },
        Case {
            key: "rust.reply_check_json_ns",
            label: "  a JSON syntax check of the reply (IgnoredAny)",
            run: Box::new(|iters| {
                for _ in 0..iters {
                    black_box(
                        serde_json::from_slice::<serde::de::IgnoredAny>(black_box(INVOICE_REPLY))
                            .is_ok(),
                    );
                }
            }),
        },
        Case {
            key: "rust.reply_parse_value_ns",
            label: "  a parse of the reply into a serde_json::Value",
            run: Box::new(|iters| {
                for _ in 0..iters {
                    black_box(
                        serde_json::from_slice::<serde_json::Value>(black_box(INVOICE_REPLY))
                            .expect("JSON"),
                    );
                }
            }),
        },
        Case {
            key: "rust.invoice_work_ffi_ns",
            label: "per invoice through the C ABI (JSON fields, as Python/PHP)",
            run: Box::new(|iters| {
                for _ in 0..iters {
                    m += 1;
                    invoice_work_ffi(ffi_client, m);
                }
            }),
        },
    ];
    let medians = group(&mut invoice_cases, 5_000 / scale, rounds);
    for (case, ns) in invoice_cases.iter().zip(&medians) {
        eprintln!("{:55} {:>10.0} ns", case.label, ns);
        emit(case.key, *ns, "ns");
    }
    drop(invoice_cases);
    // SAFETY: built above, freed once, no other user.
    unsafe { alphapo_client_free(ffi_client) };
}
