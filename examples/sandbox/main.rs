//! A local AlphaPo / CoinsPaid / CryptoProcessing merchant API v2 (and payment requests,
//! `/api/payments/v1/requests`) for tests, demos and merchants' own integrations. See
//! `--help`, and the README's "Sandbox" section.
//!
//! First stdout line: `listening on <base URL>` (with `/api/v2`); with `--tls` the second is
//! `certificate <path of the PEM>`.

mod api;
mod callbacks;
mod catalog;
mod control;
mod decimal;
mod http;
mod payments;
mod render;
mod server;
mod sign;
mod state;
mod switches;
mod tls;
mod validate;

use std::io::Write;
use std::net::{TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::thread;
use std::time::Duration;

use callbacks::Dispatcher;
use server::{App, Config};
use sign::Signer;
use state::{Quirks, FAULT_NAMES, QUIRK_NAMES};
use switches::{CancelReply, DepositConfirmations, LateStatus, Switches};

const USAGE: &str = "\
usage: sandbox [options]
  --listen ADDR               address to bind (default 127.0.0.1:0, a free port)
  --key KEY                   merchant API key (default sandbox-key)
  --secret SECRET             merchant secret (default sandbox-secret)
  --callback-url URL          http:// URL that receives signed callbacks (parsed strictly:
                              a host, no spaces or control characters; no https)
  --callback-time-scale F     multiply the callback retry delays (0.001: a minute is 60 ms)
  --tls                       serve https with a fresh self-signed certificate
  --cert-out PATH             where to write that certificate, a file that must not exist
                              yet (default: a new private directory in the temp dir)
  --quirks a,b                documented quirks to emit (see below)
  --calculate-limit N         exchange/calculate calls per minute before 429 (default 30;
                              0: no limit)
  --auto-confirm SECONDS      confirm withdrawals and exchanges after this long (default:
                              never)
  --max-connections N         concurrent connections (default 512)
  --refuse-duplicate-foreign-id
                              refuse a repeated foreign_id on withdrawal/crypto,
                              exchange/fixed|now and payment requests (switch
                              refuse_duplicate_foreign_id)
  --withdrawal-approval-above AMOUNT
                              withdrawals debiting more than AMOUNT (in their currency) wait
                              as pending for POST /_sandbox/withdrawals/ID/approve|decline
                              (switch withdrawal_approval_above; default: none wait)
  --instant-deposits          POST /_sandbox/deposit sends one confirmed callback, not
                              not_confirmed then confirmed (switch deposit_confirmations)
  --cancel-reply NAME         success body of invoices/{foreign_id}/cancel/ (switch
                              cancel_reply): invoice (default), empty_array, empty_object,
                              ok_string, ok_text, message_ok
  --payment-request-late-status NAME
                              status of the callback for a late payment (switch
                              payment_request_late_status): late_payment (default),
                              unchanged
";

const CONTROL: &str = "\
control API, on the same port (no signature; only from a loopback peer, with a loopback Host
header (else 403), no Origin but the sandbox's own (else 403), bodies as application/json
(else 415) - so that a web page open in a browser cannot drive it):
  GET    /_sandbox/state | callbacks | callback-url | quirks | faults | switches
  POST   /_sandbox/reset                       back to the start (switches: command line)
  POST   /_sandbox/switches {\"name\": value}    any of the switches below (unknown name: 400)
  POST   /_sandbox/invoices/FOREIGN_ID/pay {\"amount\"?, \"currency\"?} | .../expire
  POST   /_sandbox/payment-requests/ID/proceed {\"currency\"?} | pay {\"amount\"?,
         \"currency\"?} | expire      ID: data.id or foreign_id; currency {\"iso\",
         \"network_name\"?} or an ISO string
  POST   /_sandbox/deposit {\"address\", \"amount\"}  to an address from addresses/take
  POST   /_sandbox/withdrawals/ID/confirm | cancel | approve | decline {\"error\"?}
  POST   /_sandbox/exchanges/ID/confirm | cancel {\"error\"?}
  POST   /_sandbox/callbacks/repeat {\"id\"} | {\"foreign_id\"} | {\"payment_request_id\"}
                                               resend the latest callback
  POST   /_sandbox/callback-url {\"url\"} | quirks {\"quirks\": [...]} | rate-limit
         {\"per_minute\"} | time {\"advance\": seconds} | balances {\"BTC\": \"1.5\", ...}
  POST   /_sandbox/faults {\"mode\", \"path\"?, \"count\"?, \"ms\"?, \"bytes\"?, \"retry_after\"?}
  DELETE /_sandbox/faults
";

const CHOICES: &str = "\
Behaviour the documentation does not state (sandbox choices)
 Switches (command line, or POST /_sandbox/switches; a reset restores the command line's):
  refuse_duplicate_foreign_id  false (default): a repeated foreign_id on withdrawal/crypto,
      exchange/fixed|now or a payment request makes a second one, and look-ups by
      foreign_id find the first.
      true (--refuse-duplicate-foreign-id): 400 {\"errors\": {\"foreign_id\": \"The foreign
      id has already been taken.\"}}. invoices/create always refuses (documented).
  cancel_reply  the success body of invoices/{foreign_id}/cancel/ (documented only as
      \"OK\"), always HTTP 200 (--cancel-reply NAME): invoice {\"data\": <invoice>} (default),
      empty_array [], empty_object {}, ok_string \"OK\", ok_text OK (text/plain),
      message_ok {\"message\": \"OK\"}.
  withdrawal_approval_above  null (default): no withdrawal waits. A decimal string
      (--withdrawal-approval-above): a withdrawal whose sender amount, in its `currency`
      (fee not counted, no conversion), is above it is answered and kept as `pending`, its
      amount and fee held, and a signed `pending` callback goes out (the confirmed shape,
      txid null). approve -> `processing`, no callback (the dashboard's Verifying step is
      skipped), then confirm | cancel as usual; decline -> `declined`, a signed callback
      shaped like `cancelled` (no currency_sent/received, no fees; error \"Withdrawal
      declined by the sandbox operator.\" or the body's \"error\"), the held balance freed.
  deposit_confirmations  two_step (default; the current test case): not_confirmed, then
      confirmed. instant (--instant-deposits): a single confirmed callback. The docs
      describe both; which one a merchant gets is the platform's decision.
  payment_request_late_status  the `status` of the callback for a payment that arrives
      after a payment request ended (undocumented): late_payment (default) or unchanged
      (the request's own final status again, --payment-request-late-status unchanged).
      Either way the request keeps its status, the payment is marked \"late\": true in
      `transactions` and is not credited (the platform refunds it).
 Fixed:
  - invoices/create answers 200 (G1/G2; the quirk invoice_create_201 gives AlphaPo G3's
    201); addresses/take answers 201 (G1; G2 says 200).
  - end_user_reference is required by addresses/take, withdrawal/crypto and invoices/create
    (the newest docs). url_success, url_failed and email_user are optional (G1/G2 mark them
    required, the guide says the page asks); sender_data is never required (G2 wants it
    with timer + sender_currency), sender_type only with sender_data.
  - Checks come in this order: exchange/calculate's rate limit, Content-Type and JSON (400
    bad_content_format), key header, key, signature header, signature (403). Field errors
    the docs do not quote use Laravel's default wording.
  - \"Not enough money on balance\" is a 400 field error of withdrawal/crypto and
    exchange/fixed|now (the docs show it only as a later failure).
  - Withdrawals and exchanges stay `processing` until /_sandbox/.../confirm | cancel or
    --auto-confirm; amount and fee are debited at creation and refunded on cancel; an
    exchange credits its target currency on confirm.
  - exchange/fixed takes only the price and amount of an exchange/calculate quote at most
    fix_period (60 s) old; its two refusal messages are the sandbox's own.
  - Cancelling an open invoice makes it `failed` (inferred from the docs' wording) with a
    `failed` callback, error \"Invoice cancelled by the merchant.\"; a final one is refused
    with 400 invalid_invoice_state; an unknown one is 404 invoice_not_found.
  - transactions/info by foreign_id finds withdrawals, exchanges and invoices (G2:
    withdrawals only); nothing found is 404 {\"errors\": {\"error\": \"Transaction not
    found\"}}; an invoice's `created` shows as `pending`.
  - A deposit below the minimum sends one `cancelled` callback (the test case speaks of
    two). confirmations are 0, then 3; riskscore \"0.1\" on BTC, BCH, ETH and LTC deposit
    transactions.
  - An invoice paid in full goes `processing`, then `confirmed` at once; a fiat invoice
    paid without a currency is paid in BTC.
  - addresses/take with the same foreign_id, currency and convert_to gives the same address.
  - Exchange callbacks' fee type: fee_crypto_exchange_to_crypto between two cryptos, else
    exchange.
  - Callbacks: Content-Type application/json, X-Processing-Key and X-Processing-Signature;
    only HTTP 200 counts as delivered; 5 s to connect, 10 s per read/write; the callbacks of
    one transaction go in order, one at a time; http:// URLs only (no TLS client).
  - The market is fixed (rates, fees, minimums, balances: examples/sandbox/catalog.rs);
    at most 100000 objects, then 503 sandbox_full until POST /_sandbox/reset.
  - GET /invoice/SLUG is a bare stand-in for the hosted invoice page.
  - Payment requests (POST /api/payments/v1/requests, signed like v2; the same 400/403
    bodies; field errors in v2's {\"errors\": {...}} shape, the sandbox's own wording):
    success is 200 {\"data\": ...}: id a UUID (version 7), amount echoed as sent,
    currency as sent, status created, life_time (Unix seconds), payment_link
    http(s)://<listen>/payment/<24 characters> (GET: a bare page), and each of
    end_user_email, end_user_reference, description, foreign_id, url_store, url_success,
    url_failed, payment_currency echoed only when sent (sender_* never).
  - amount must be a JSON string (a number is refused: \"must be a string\"), > 0, at
    most 8 places, at least the currency's invoice minimum. currency: {iso,
    network_name?}, fiat EUR, USD or crypto BTC/bitcoin, ETH/ethereum, LTC/litecoin,
    XRP/ripple, USDT/tron|ethereum, USDC/ethereum (no network: the first one);
    payment_currency the same, crypto only, and convertible to currency.
  - Exactly one of life_time_duration (60 to 2592000 s), life_time_datetime or its older
    spelling life_time_date_time (Unix seconds, 1 min to 30 days ahead); two of them:
    400. foreign_id optional, at most 255; end_user_email optional; description at most
    1000; url_* https with a domain name. sender_type natural|legal needs sender_data
    (natural: first_name, last_name, date_of_birth optional; legal: legal_name,
    country_of_registration), and the other type's keys are prohibited.
  - Lifecycle: created -> (proceed: the payer picks a currency; EUR/USD default to BTC)
    processing, callback processing (rate fixed) -> (pay) a callback processing per
    transaction (confirmations 0), then paid once the expected amount is in (the merchant
    is credited the requested amount; overpayment is paid too). The deadline is the
    lifespan, or the 1-hour rate lock when the payer's currency differs (from creation
    with payment_currency). At the deadline (or /expire): failed if something short
    arrived, else expired. A pay after the end is a late payment (see the switch);
    before the payer proceeded there is no address to pay (409).
  - Payment request callbacks: type payment_request, payment_request_id, foreign_id and
    end_user_email when given, payment_request_address (once there is one: id a UUID,
    currency, convert_to, address, tag only on tagged chains), payment_request_amount,
    currency_sent {currency, expected_amount, received_amount, remaining_amount},
    fixed_at, expires_at = valid_until, and transactions [{id, currency {iso,
    network_name}, transaction_type blockchain, type deposit, address, amount, txid,
    confirmations, late}]; amounts without trailing zeros (\"250\", \"0\"). Signed,
    queued and retried like v2 callbacks.
  - Quirks reproduce deviations seen in the docs' examples; all are off unless asked for:
      amounts_as_numbers            money as JSON numbers (the same 8 decimals)
      end_user_reference_as_number  an all-digit end_user_reference as a JSON number
      confirmations_as_string       confirmations as a string (\"3\")
      invoice_foreign_id_as_number  an all-digit invoice foreign_id as a JSON number
      invoice_create_201            invoices/create answers 201 instead of 200
  - Fault modes are the sandbox's own ways to break a reply (armed for every path or the
    one given, for `count` requests, default 1):
      latency     wait `ms` (default 1000), then answer normally
      http_500    nginx-style HTML 500, request not applied (http_502: the same, 502)
      http_429    text/plain \"error code: 1015\", Retry-After if `retry_after` is given;
                  not applied
      drop_before close without a reply, not applied
      drop_after  applied, then closed without a reply
      truncated   applied; half of the announced body, then closed
      huge        a 200 of `bytes` (default 64 MiB) of JSON, not applied
      slow_drip   applied; the reply one byte every `ms` (default 50)
";

fn help() -> String {
    let faults: Vec<&str> = FAULT_NAMES.iter().map(|(n, _)| *n).collect();
    format!(
        "{USAGE}\n{}{}{}\n{CONTROL}\n{CHOICES}",
        wrapped("quirks (--quirks, POST /_sandbox/quirks):", &QUIRK_NAMES),
        wrapped("fault modes (POST /_sandbox/faults):", &faults),
        wrapped(
            "switches (GET/POST /_sandbox/switches):",
            &switches::SWITCH_NAMES
        ),
    )
}

/// `label` and the names, comma-separated, in lines of at most 92 characters.
fn wrapped(label: &str, names: &[&str]) -> String {
    let mut out = label.to_string();
    let mut line = out.len();
    for (i, name) in names.iter().enumerate() {
        let item = if i + 1 < names.len() {
            format!("{name},")
        } else {
            name.to_string()
        };
        if line + 1 + item.len() > 92 {
            out.push_str("\n ");
            line = 1;
        }
        out.push(' ');
        out.push_str(&item);
        line += 1 + item.len();
    }
    out.push('\n');
    out
}

struct Args {
    listen: String,
    key: String,
    secret: String,
    callback_url: Option<String>,
    scale: f64,
    tls: bool,
    cert_out: Option<PathBuf>,
    quirks: Quirks,
    calculate_limit: u32,
    auto_confirm: Option<i64>,
    max_connections: usize,
    switches: Switches,
}

fn parse_args() -> Result<Args, String> {
    let mut a = Args {
        listen: "127.0.0.1:0".into(),
        key: "sandbox-key".into(),
        secret: "sandbox-secret".into(),
        callback_url: None,
        scale: 1.0,
        tls: false,
        cert_out: None,
        quirks: Quirks::default(),
        calculate_limit: 30,
        auto_confirm: None,
        max_connections: 512,
        switches: Switches::default(),
    };
    let mut it = std::env::args().skip(1);
    while let Some(arg) = it.next() {
        let (flag, inline) = match arg.split_once('=') {
            Some((f, v)) if f.starts_with("--") => (f.to_string(), Some(v.to_string())),
            _ => (arg.clone(), None),
        };
        if flag == "--tls" {
            a.tls = true;
            continue;
        }
        if flag == "--instant-deposits" {
            a.switches.deposit_confirmations = DepositConfirmations::Instant;
            continue;
        }
        if flag == "--refuse-duplicate-foreign-id" {
            a.switches.refuse_duplicate_foreign_id = true;
            continue;
        }
        if flag == "--help" || flag == "-h" {
            print!("{}", help());
            std::process::exit(0);
        }
        let value = match inline {
            Some(v) => v,
            None => it.next().ok_or(format!("{flag} needs a value"))?,
        };
        let number = |what: &str| format!("{flag} takes {what}, not {value:?}");
        match flag.as_str() {
            "--listen" => a.listen = value,
            "--key" => a.key = value,
            "--secret" => a.secret = value,
            "--callback-url" => {
                if callbacks::parse_http_url(&value).is_none() {
                    return Err(format!(
                        "--callback-url must be http://host[:port][/path] (no spaces or \
                         control characters; http only), not {value:?}"
                    ));
                }
                a.callback_url = Some(value)
            }
            "--callback-time-scale" => {
                a.scale = value
                    .parse()
                    .ok()
                    .filter(|f: &f64| *f > 0.0 && f.is_finite())
                    .ok_or(number("a positive number"))?
            }
            "--cert-out" => a.cert_out = Some(PathBuf::from(value)),
            "--quirks" => a.quirks = Quirks::parse(value.split(','))?,
            "--withdrawal-approval-above" => {
                a.switches.withdrawal_approval_above = Some(switches::parse_limit(&value)?)
            }
            "--cancel-reply" => a.switches.cancel_reply = CancelReply::parse(&value)?,
            "--payment-request-late-status" => {
                a.switches.payment_request_late_status = LateStatus::parse(&value)?
            }
            "--calculate-limit" => {
                a.calculate_limit = value.parse().map_err(|_| number("a count"))?
            }
            "--auto-confirm" => {
                a.auto_confirm = Some(value.parse().map_err(|_| number("seconds"))?)
            }
            "--max-connections" => {
                a.max_connections = value
                    .parse()
                    .ok()
                    .filter(|n| *n > 0)
                    .ok_or(number("a count"))?
            }
            _ => return Err(format!("unknown option {flag}\n{USAGE}")),
        }
    }
    if a.key.is_empty() || a.secret.is_empty() {
        return Err("--key and --secret must not be empty".into());
    }
    Ok(a)
}

fn main() -> ExitCode {
    let args = match parse_args() {
        Ok(a) => a,
        Err(e) => {
            eprintln!("sandbox: {e}");
            return ExitCode::from(2);
        }
    };
    let listener = match TcpListener::bind(&args.listen) {
        Ok(l) => l,
        Err(e) => {
            eprintln!("sandbox: cannot listen on {}: {e}", args.listen);
            return ExitCode::from(1);
        }
    };
    let addr = listener.local_addr().expect("bound socket has an address");
    let scheme = if args.tls { "https" } else { "http" };
    let (tls, cert) = if args.tls {
        match tls::server_config(args.cert_out.as_deref()) {
            Ok((config, file)) => (Some(config), Some(file)),
            Err(e) => {
                eprintln!("sandbox: {e}");
                return ExitCode::from(1);
            }
        }
    } else {
        (None, None)
    };
    let signer = Signer::new(args.secret.as_bytes());
    let dispatcher = Arc::new(Dispatcher::new(
        args.key.clone(),
        signer.clone(),
        args.callback_url.clone(),
        args.scale,
    ));
    let app = Arc::new(App::new(
        Config {
            key: args.key,
            signer,
            origin: format!("{scheme}://{addr}"),
            quirks: args.quirks,
            callback_url: args.callback_url,
            rate_limit: args.calculate_limit,
            auto_confirm: args.auto_confirm,
            max_connections: args.max_connections,
            switches: args.switches,
            tls,
        },
        dispatcher.clone(),
    ));

    let d = dispatcher.clone();
    thread::Builder::new()
        .name("callbacks".into())
        .spawn(move || d.run())
        .expect("start the callback thread");
    let ticker = app.clone();
    thread::Builder::new()
        .name("timers".into())
        .spawn(move || loop {
            thread::sleep(Duration::from_millis(250));
            ticker.store().sweep();
        })
        .expect("start the timer thread");

    // SIGINT/SIGTERM: stop accepting, wake the accept loop, exit.
    let stop = Arc::new(AtomicBool::new(false));
    let mut signals = match signal_hook::iterator::Signals::new([
        signal_hook::consts::SIGINT,
        signal_hook::consts::SIGTERM,
    ]) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("sandbox: cannot install signal handlers: {e}");
            return ExitCode::from(1);
        }
    };
    let stop2 = stop.clone();
    thread::spawn(move || {
        if signals.forever().next().is_some() {
            stop2.store(true, Ordering::SeqCst);
            let _ = TcpStream::connect(addr);
        }
    });

    {
        let mut out = std::io::stdout().lock();
        let _ = writeln!(out, "listening on {scheme}://{addr}/api/v2");
        if let Some(c) = &cert {
            let _ = writeln!(out, "certificate {}", c.path.display());
        }
        let _ = out.flush();
    }
    server::serve(app, listener, stop);
    eprintln!("sandbox: shutting down");
    if let Some(c) = &cert {
        c.remove_if_temporary();
    }
    ExitCode::SUCCESS
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn help_names_every_switch_quirk_fault_and_cancel_reply() {
        let text = help();
        let names = switches::SWITCH_NAMES
            .iter()
            .chain(QUIRK_NAMES.iter())
            .chain(FAULT_NAMES.iter().map(|(n, _)| n))
            .chain(switches::CANCEL_REPLIES.iter().map(|(n, _)| n));
        for name in names {
            assert!(
                text.matches(name).count() >= 2,
                "{name} is listed and explained"
            );
        }
        assert!(text.contains("Behaviour the documentation does not state (sandbox choices)"));
        for choice in [
            "life_time_date_time",
            "/api/payments/v1/requests",
            "/_sandbox/payment-requests/ID/proceed",
            "late_payment",
            "payment_request_id",
        ] {
            assert!(text.contains(choice), "{choice}");
        }
        for flag in [
            "--refuse-duplicate-foreign-id",
            "--withdrawal-approval-above",
            "--instant-deposits",
            "--cancel-reply",
            "--payment-request-late-status",
        ] {
            assert!(
                text.matches(flag).count() >= 2,
                "{flag} in the options and the choices"
            );
        }
        for line in text.lines() {
            assert!(line.chars().count() <= 92, "narrow lines: {line}");
        }
    }
}
