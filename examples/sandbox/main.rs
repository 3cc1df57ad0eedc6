//! A local AlphaPo / CoinsPaid / CryptoProcessing merchant API v2 for tests, demos and
//! merchants' own integrations. See `--help`, and the README's "Sandbox" section.
//!
//! First stdout line: `listening on <base URL>` (with `/api/v2`); with `--tls` the second is
//! `certificate <path of the PEM>`.

mod api;
mod callbacks;
mod catalog;
mod control;
mod decimal;
mod http;
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
use switches::{CancelReply, DepositConfirmations, Switches};

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
  --calculate-limit N         exchange/calculate calls per minute before 429 (default 30, 0: off)
  --auto-confirm SECONDS      confirm withdrawals and exchanges after this long (default: never)
  --max-connections N         concurrent connections (default 512)
  --refuse-duplicate-foreign-id
                              refuse a repeated foreign_id on withdrawal/crypto and
                              exchange/fixed|now (switch refuse_duplicate_foreign_id)
  --withdrawal-approval-above AMOUNT
                              withdrawals debiting more than AMOUNT (in their currency) wait
                              as pending for POST /_sandbox/withdrawals/ID/approve|decline
                              (switch withdrawal_approval_above; default: none wait)
  --instant-deposits          POST /_sandbox/deposit sends one confirmed callback, not
                              not_confirmed then confirmed (switch deposit_confirmations)
  --cancel-reply NAME         success body of invoices/{foreign_id}/cancel/ (switch
                              cancel_reply): invoice (default), empty_array, empty_object,
                              ok_string, ok_text, message_ok
";

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
            print!(
                "{USAGE}\nquirks: {}\nfault modes (POST /_sandbox/faults): {}\n",
                QUIRK_NAMES.join(", "),
                FAULT_NAMES
                    .iter()
                    .map(|(n, _)| *n)
                    .collect::<Vec<_>>()
                    .join(", ")
            );
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
