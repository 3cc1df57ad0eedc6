//! `/_sandbox/...`: drive the sandbox from tests and demos. No signature; loopback peers only,
//! and nothing a web page open on the same machine could send (see `guard`).

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use serde_json::{json, Map, Value};

use crate::api::percent_decode;
use crate::catalog::{self, CURRENCIES};
use crate::decimal::Dec;
use crate::http::{Request, Response};
use crate::payments::{self, PrCurrency};
use crate::render;
use crate::server::App;
use crate::state::{Fault, Quirks, Refused, Store, FAULT_NAMES};

fn reply(status: u16, v: Value) -> Response {
    Response::json(status, v.to_string().into_bytes())
}

fn fail(status: u16, msg: impl Into<String>) -> Response {
    reply(status, json!({ "error": msg.into() }))
}

fn refused(r: Refused) -> Response {
    fail(r.0, r.1)
}

pub fn handle(app: &App, req: &Request, peer: IpAddr) -> Response {
    if !peer.is_loopback() {
        return fail(403, "the control API only answers loopback peers");
    }
    if let Err(refusal) = guard(&app.cfg.origin, req) {
        return refusal;
    }
    let body: Value = if req.body.iter().all(u8::is_ascii_whitespace) {
        json!({})
    } else {
        match serde_json::from_slice(&req.body) {
            Ok(v) => v,
            Err(e) => return fail(400, format!("body is not JSON: {e}")),
        }
    };
    let path = req.path.trim_end_matches('/');
    let parts: Vec<&str> = path.split('/').skip(2).collect(); // after "/_sandbox"
    let method = req.method.as_str();
    match (method, parts.as_slice()) {
        ("GET", ["state"]) => reply(200, state(app)),
        ("POST", ["reset"]) => {
            app.reset();
            reply(200, json!({"reset": true}))
        }
        ("GET", ["callbacks"]) => reply(200, app.callbacks.log_json()),
        ("POST", ["callbacks", "repeat"]) => repeat(app, &body),
        ("GET", ["callback-url"]) => reply(200, json!({"url": app.callbacks.url()})),
        ("POST", ["callback-url"]) => set_callback_url(app, &body),
        ("GET", ["quirks"]) => reply(200, json!({"quirks": app.store().quirks.names()})),
        ("POST", ["quirks"]) => set_quirks(app, &body),
        ("GET", ["switches"]) => reply(200, json!({"switches": app.store().switches.to_json()})),
        ("POST", ["switches"]) => set_switches(app, &body),
        ("GET", ["faults"]) => reply(200, json!({"faults": faults_json(&app.store())})),
        ("POST", ["faults"]) => add_fault(app, &body),
        ("DELETE", ["faults"]) | ("POST", ["faults", "clear"]) => {
            app.store().faults.clear();
            reply(200, json!({"faults": []}))
        }
        ("POST", ["rate-limit"]) => match body.get("per_minute").and_then(Value::as_u64) {
            Some(n) => {
                app.store().reset_rate_limit(n.min(u32::MAX as u64) as u32);
                reply(200, json!({"per_minute": n}))
            }
            None => fail(400, "give {\"per_minute\": n} (0 turns the limit off)"),
        },
        ("POST", ["time"]) => match body.get("advance").and_then(Value::as_i64) {
            Some(secs) if secs >= 0 => {
                let mut s = app.store();
                s.clock_offset += secs;
                s.sweep();
                reply(200, json!({"now": s.now(), "offset": s.clock_offset}))
            }
            _ => fail(400, "give {\"advance\": seconds}"),
        },
        ("POST", ["balances"]) => set_balances(app, &body),
        ("POST", ["deposit"]) => deposit(app, &body),
        ("POST", ["payment-requests", id, action]) => {
            payment_request_action(app, &percent_decode(id), action, &body).unwrap_or_else(|r| r)
        }
        ("POST", ["invoices", fid, action]) => {
            invoice_action(app, &percent_decode(fid), action, &body).unwrap_or_else(|r| r)
        }
        (
            "POST",
            [kind @ "withdrawals", id, action @ ("confirm" | "cancel" | "approve" | "decline")],
        )
        | ("POST", [kind @ "exchanges", id, action @ ("confirm" | "cancel")]) => {
            settle(app, kind, id, action, &body)
        }
        _ => fail(404, format!("no control endpoint {method} {}", req.path)),
    }
}

/// `withdrawals/ID/confirm|cancel|approve|decline` and `exchanges/ID/confirm|cancel`, with
/// an optional `{"error": text}`: the object as it is now, or why not.
fn settle(app: &App, kind: &str, id: &str, action: &str, body: &Value) -> Response {
    let withdrawal = kind == "withdrawals";
    let noun = if withdrawal { "withdrawal" } else { "exchange" };
    let Ok(id) = id.parse::<u64>() else {
        return fail(404, format!("no {noun} with id {id}"));
    };
    let error = body
        .get("error")
        .and_then(Value::as_str)
        .map(str::to_string);
    let mut s = app.store();
    let done = match (withdrawal, action) {
        (true, "approve") => s.approve_withdrawal(id),
        (true, "decline") => s.decline_withdrawal(id, error),
        (true, _) => s.settle_withdrawal(id, action == "confirm", error),
        (false, _) => s.settle_exchange(id, action == "confirm", error),
    };
    match done {
        Ok(()) if withdrawal => reply(
            200,
            render::withdrawal_json(&Quirks::default(), &s.withdrawals[&id]),
        ),
        Ok(()) => reply(
            200,
            render::exchange_json(&Quirks::default(), &s.exchanges[&id]),
        ),
        Err(r) => refused(r),
    }
}

/// What keeps a web page in the developer's browser from driving the control API: a page
/// can make the browser send a "simple" cross-origin POST (text/plain, form data) or, after
/// DNS rebinding, send anything under its own host name. So: one Host header, naming a
/// loopback name or address (403); no Origin header, or the sandbox's own origin (403); a
/// body, or a Content-Type on a POST/PUT/PATCH/DELETE, only as `application/json` (415).
pub fn guard(own_origin: &str, req: &Request) -> Result<(), Response> {
    let hosts: Vec<&str> = req.headers_named("host").collect();
    match hosts.as_slice() {
        [h] if loopback_host(h) => {}
        _ => {
            return Err(fail(
                403,
                format!(
                    "the control API answers only requests with one Host header naming \
                     localhost, 127.x.x.x or [::1] (got {hosts:?})"
                ),
            ))
        }
    }
    let origins: Vec<&str> = req.headers_named("origin").collect();
    match origins.as_slice() {
        [] => {}
        [o] if o.eq_ignore_ascii_case(own_origin) => {}
        _ => {
            return Err(fail(
                403,
                format!(
                    "the control API refuses requests from other origins (Origin {origins:?}; \
                     its own is {own_origin})"
                ),
            ))
        }
    }
    let content_type = req.header("content-type");
    let json = content_type.is_some_and(|v| {
        v.split(';')
            .next()
            .unwrap_or("")
            .trim()
            .eq_ignore_ascii_case("application/json")
    });
    let writes = matches!(req.method.as_str(), "POST" | "PUT" | "PATCH" | "DELETE");
    if !json && (!req.body.is_empty() || (writes && content_type.is_some())) {
        return Err(fail(
            415,
            format!(
                "send control API bodies as Content-Type: application/json (got {:?})",
                content_type.unwrap_or("none")
            ),
        ));
    }
    Ok(())
}

/// `localhost`, `127.x.x.x` or `[::1]`, each optionally with `:port`.
pub fn loopback_host(host: &str) -> bool {
    let port_ok = |p: &str| {
        !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()) && p.parse::<u16>().is_ok()
    };
    if let Some(rest) = host.strip_prefix('[') {
        let Some((ip, tail)) = rest.split_once(']') else {
            return false;
        };
        let tail_ok = tail.is_empty() || tail.strip_prefix(':').is_some_and(port_ok);
        return tail_ok && ip.parse::<Ipv6Addr>().is_ok_and(|a| a.is_loopback());
    }
    let name = match host.split_once(':') {
        Some((name, port)) if port_ok(port) => name,
        Some(_) => return false,
        None => host,
    };
    name.eq_ignore_ascii_case("localhost")
        || name.parse::<Ipv4Addr>().is_ok_and(|a| a.is_loopback())
}

fn amount_of(body: &Value, field: &str) -> Result<Dec, Response> {
    let text = match body.get(field) {
        Some(Value::String(s)) => s.clone(),
        Some(Value::Number(n)) => n.to_string(),
        _ => return Err(fail(400, format!("give \"{field}\" as a decimal string"))),
    };
    Dec::parse(&text)
        .ok()
        .filter(|d| d.is_positive())
        .ok_or_else(|| {
            fail(
                400,
                format!("\"{field}\" must be a positive decimal with at most 8 places"),
            )
        })
}

/// `"amount"` if given; without one, a payment pays what is still due.
fn optional_amount(body: &Value) -> Result<Option<Dec>, Response> {
    match body.get("amount") {
        None | Some(Value::Null) => Ok(None),
        Some(_) => amount_of(body, "amount").map(Some),
    }
}

fn invoice_action(app: &App, fid: &str, action: &str, body: &Value) -> Result<Response, Response> {
    let mut s = app.store();
    let Some(id) = s.invoice_by_fid(fid) else {
        return Err(fail(404, format!("no invoice with foreign_id {fid:?}")));
    };
    match action {
        "pay" => {
            let amount = optional_amount(body)?;
            let currency = match body.get("currency").and_then(Value::as_str) {
                None => None,
                Some(code) => Some(
                    catalog::visible(code)
                        .ok_or_else(|| fail(400, format!("unknown currency {code:?}")))?,
                ),
            };
            s.pay_invoice(id, amount, currency)
        }
        "expire" => s.expire_invoice(id),
        _ => {
            return Err(fail(
                404,
                format!("no invoice action {action:?}; use pay or expire"),
            ));
        }
    }
    .map_err(refused)?;
    Ok(reply(200, invoice_state(&s, id)))
}

/// `{"iso": ..., "network_name"?: ...}` or a bare ISO string; `None` when not given.
fn pr_currency(body: &Value) -> Result<Option<PrCurrency>, Response> {
    let (iso, network) = match body.get("currency") {
        None | Some(Value::Null) => return Ok(None),
        Some(Value::String(iso)) => (iso.as_str(), None),
        Some(Value::Object(o)) => match (o.get("iso"), o.get("network_name")) {
            (Some(Value::String(i)), None | Some(Value::Null)) => (i.as_str(), None),
            (Some(Value::String(i)), Some(Value::String(n))) => (i.as_str(), Some(n.as_str())),
            _ => {
                return Err(fail(
                    400,
                    "give \"currency\" as {\"iso\", \"network_name\"?}",
                ))
            }
        },
        Some(_) => {
            return Err(fail(
                400,
                "give \"currency\" as {\"iso\", \"network_name\"?}",
            ))
        }
    };
    PrCurrency::lookup(iso, network, true)
        .map(Some)
        .map_err(|_| {
            fail(
                400,
                format!("unknown crypto currency {iso:?} on network {network:?}"),
            )
        })
}

fn payment_request_action(
    app: &App,
    id: &str,
    action: &str,
    body: &Value,
) -> Result<Response, Response> {
    let mut s = app.store();
    let Some(key) = s.payment_request_key(id) else {
        return Err(fail(
            404,
            format!("no payment request with id or foreign_id {id:?}"),
        ));
    };
    let currency = pr_currency(body)?;
    match action {
        "proceed" => s.proceed_payment_request(key, currency),
        "pay" => s.pay_payment_request(key, optional_amount(body)?, currency),
        "expire" => s.expire_payment_request(key),
        _ => {
            return Err(fail(
                404,
                format!("no payment request action {action:?}; use proceed, pay or expire"),
            ));
        }
    }
    .map_err(refused)?;
    Ok(reply(200, payments::state_json(&s.payment_requests[&key])))
}

fn deposit(app: &App, body: &Value) -> Response {
    let Some(address) = body.get("address").and_then(Value::as_str) else {
        return fail(400, "give {\"address\": ..., \"amount\": \"...\"}");
    };
    let amount = match amount_of(body, "amount") {
        Ok(a) => a,
        Err(r) => return r,
    };
    let mut s = app.store();
    let Some(i) = s.find_address(address) else {
        return fail(
            404,
            format!("no address {address:?} was taken through addresses/take"),
        );
    };
    let id = s.deposit(i, amount);
    let d = &s.deposits[&id];
    let mut v = render::deposit_callback(&s, d);
    v["credited"] = d.credited().fmt8().into();
    reply(201, v)
}

fn repeat(app: &App, body: &Value) -> Response {
    let pr = body.get("payment_request_id").and_then(Value::as_str);
    let id = match body.get("id").and_then(Value::as_u64) {
        Some(id) => id,
        None if pr.is_some() => {
            let pr = pr.expect("checked");
            match app.store().payment_request_key(pr) {
                Some(key) => key,
                None => return fail(404, format!("no payment request {pr:?}")),
            }
        }
        None => match body.get("foreign_id").and_then(Value::as_str) {
            Some(fid) => {
                let s = app.store();
                match s
                    .invoice_by_fid(fid)
                    .or_else(|| s.withdrawal_fids.get(fid).copied())
                {
                    Some(id) => id,
                    None => {
                        return fail(
                            404,
                            format!("no invoice or withdrawal with foreign_id {fid:?}"),
                        )
                    }
                }
            }
            None => {
                return fail(
                    400,
                    "give {\"id\": transaction id}, {\"foreign_id\": ...} or \
                     {\"payment_request_id\": ...}",
                )
            }
        },
    };
    if app.callbacks.repeat(id) {
        reply(200, json!({"repeated": id}))
    } else {
        fail(
            404,
            format!("no callback was ever sent for transaction {id}"),
        )
    }
}

fn set_callback_url(app: &App, body: &Value) -> Response {
    match body.get("url") {
        Some(Value::Null) => app.callbacks.set_url(None),
        Some(Value::String(u)) if crate::callbacks::parse_http_url(u).is_some() => {
            app.callbacks.set_url(Some(u.clone()))
        }
        _ => {
            return fail(
                400,
                "give {\"url\": \"http://host[:port][/path]\"} (no spaces or control \
                 characters; http only) or {\"url\": null}",
            )
        }
    }
    reply(200, json!({"url": app.callbacks.url()}))
}

fn set_quirks(app: &App, body: &Value) -> Response {
    let names: Vec<&str> = match body.get("quirks") {
        Some(Value::Array(a)) => a.iter().filter_map(Value::as_str).collect(),
        Some(Value::String(s)) => s.split(',').collect(),
        _ => return fail(400, "give {\"quirks\": [names]}"),
    };
    match Quirks::parse(names) {
        Ok(q) => {
            app.store().quirks = q;
            reply(200, json!({"quirks": q.names()}))
        }
        Err(e) => fail(400, e),
    }
}

fn set_switches(app: &App, body: &Value) -> Response {
    let mut s = app.store();
    match s.switches.update(body) {
        Ok(new) => {
            s.switches = new;
            reply(200, json!({"switches": new.to_json()}))
        }
        Err(e) => fail(400, e),
    }
}

fn add_fault(app: &App, body: &Value) -> Response {
    let mode_name = body.get("mode").and_then(Value::as_str).unwrap_or("");
    let Some((_, mode)) = FAULT_NAMES.iter().find(|(n, _)| *n == mode_name) else {
        let names: Vec<&str> = FAULT_NAMES.iter().map(|(n, _)| *n).collect();
        return fail(
            400,
            format!(
                "unknown fault mode {mode_name:?}; known: {}",
                names.join(", ")
            ),
        );
    };
    let count = body
        .get("count")
        .and_then(Value::as_u64)
        .unwrap_or(1)
        .clamp(1, 1_000_000) as u32;
    let default_ms = if *mode == crate::state::FaultMode::Latency {
        1000
    } else {
        50
    };
    let fault = Fault {
        mode: *mode,
        path: body.get("path").and_then(Value::as_str).map(str::to_string),
        remaining: count,
        ms: body
            .get("ms")
            .and_then(Value::as_u64)
            .unwrap_or(default_ms)
            .min(600_000),
        bytes: body
            .get("bytes")
            .and_then(Value::as_u64)
            .unwrap_or(64 << 20)
            .clamp(16, 1 << 34),
        retry_after: body.get("retry_after").and_then(Value::as_u64),
    };
    let mut s = app.store();
    if s.faults.len() >= 1000 {
        return fail(400, "too many faults armed; DELETE /_sandbox/faults");
    }
    s.faults.push(fault);
    reply(200, json!({"faults": faults_json(&s)}))
}

fn faults_json(s: &Store) -> Vec<Value> {
    s.faults
        .iter()
        .map(|f| json!({"mode": f.mode.name(), "path": f.path, "count": f.remaining, "ms": f.ms, "bytes": f.bytes, "retry_after": f.retry_after}))
        .collect()
}

fn set_balances(app: &App, body: &Value) -> Response {
    let Some(map) = body.as_object() else {
        return fail(400, "give {\"BTC\": \"1.5\", ...}");
    };
    let mut s = app.store();
    for (code, v) in map {
        let Some(c) = catalog::find(code) else {
            return fail(400, format!("unknown currency {code:?}"));
        };
        let text = match v {
            Value::String(t) => t.clone(),
            Value::Number(n) => n.to_string(),
            _ => return fail(400, format!("balance of {code} must be a decimal")),
        };
        match Dec::parse(&text) {
            Ok(d) if !d.is_positive() && !d.is_zero() => {
                return fail(400, format!("negative balance for {code}"))
            }
            Ok(d) => s.balances[crate::state::index(c)] = d,
            Err(_) => return fail(400, format!("balance of {code} must be a decimal")),
        }
    }
    reply(200, json!({"accounts": accounts(&s)}))
}

fn accounts(s: &Store) -> Map<String, Value> {
    CURRENCIES
        .iter()
        .map(|c| (c.code.to_string(), Value::String(s.balance(c).fmt8())))
        .collect()
}

/// The invoice as the API shows it, plus what only the sandbox knows.
fn invoice_state(s: &Store, id: u64) -> Value {
    let inv = &s.invoices[&id];
    let q = Quirks::default();
    let mut v = render::invoice_json(&q, inv, s.now());
    v["type"] = inv.kind.into();
    v["timer"] = inv.timer.into();
    v["description"] = json!(inv.description);
    v["paid_amount"] = inv.paid.fmt8().into();
    v["remaining_amount"] = inv.remaining().fmt8().into();
    v["credited"] = inv.credited.fmt8().into();
    v["expires_at"] = json!(inv.expires_at);
    v["error"] = inv.error.clone().into();
    v["payments"] = inv.payments.len().into();
    v["created_at"] = inv.created_at.into();
    v["url_success"] = json!(inv.url_success);
    v["url_failed"] = json!(inv.url_failed);
    v["email_user"] = json!(inv.email_user);
    v["sender_type"] = json!(inv.sender_type);
    v["sender_data"] = json!(inv.sender_data);
    v
}

fn state(app: &App) -> Value {
    let mut s = app.store();
    s.sweep();
    let q = Quirks::default();
    let mut by_path = Map::new();
    for (path, n) in &s.requests {
        by_path.insert((*path).to_string(), (*n).into());
    }
    json!({
        "now": s.now(),
        "accounts": accounts(&s),
        "addresses": s.addresses.iter().map(|a| render::address_json(&q, a)).collect::<Vec<_>>(),
        "deposits": s.deposits.values().map(|d| render::deposit_callback(&s, d)).collect::<Vec<_>>(),
        "withdrawals": s.withdrawals.values().map(|w| {
            let mut v = render::withdrawal_json(&q, w);
            v["fee"] = w.fee.fmt8().into();
            v["address"] = w.address.clone().into();
            v["txid"] = json!(w.txid);
            v["error"] = w.error.clone().into();
            v
        }).collect::<Vec<_>>(),
        "exchanges": s.exchanges.values().map(|e| render::exchange_json(&q, e)).collect::<Vec<_>>(),
        "invoices": s.invoices.keys().map(|id| invoice_state(&s, *id)).collect::<Vec<_>>(),
        "payment_requests": s.payment_requests.values().map(payments::state_json).collect::<Vec<_>>(),
        "requests": {"total": s.requests_total, "by_path": by_path},
        "quirks": s.quirks.names(),
        "switches": s.switches.to_json(),
        "faults": faults_json(&s),
        "callback_url": app.callbacks.url(),
        "rate_limit_per_minute": s.rate_limit,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request(method: &str, headers: &[(&str, &str)], body: &[u8]) -> Request {
        Request {
            method: method.into(),
            path: "/_sandbox/reset".into(),
            headers: headers
                .iter()
                .map(|(n, v)| (n.to_string(), v.to_string()))
                .collect(),
            body: body.to_vec(),
            keep_alive: false,
        }
    }

    #[test]
    fn peers_off_loopback_are_refused_before_anything_else() {
        use crate::callbacks::Dispatcher;
        use crate::server::Config;
        use crate::sign::Signer;
        use std::sync::Arc;
        let signer = Signer::new(b"s");
        let dispatcher = Arc::new(Dispatcher::new("k".into(), signer.clone(), None, 1.0));
        let app = App::new(
            Config {
                key: "k".into(),
                signer,
                origin: "http://127.0.0.1:8080".into(),
                quirks: Quirks::default(),
                callback_url: None,
                rate_limit: 30,
                auto_confirm: None,
                max_connections: 4,
                switches: Default::default(),
                tls: None,
            },
            dispatcher,
        );
        let req = request(
            "POST",
            &[
                ("Host", "127.0.0.1:8080"),
                ("Content-Type", "application/json"),
            ],
            b"{}",
        );
        let answer = |peer: &str| {
            let r = handle(&app, &req, peer.parse().unwrap());
            (r.status, String::from_utf8(r.body).unwrap())
        };
        let (status, body) = answer("192.0.2.7");
        assert_eq!(status, 403);
        assert!(body.contains("loopback peers"), "{body}");
        assert_eq!(answer("2001:db8::1").0, 403);
        assert_eq!(answer("127.0.0.1").0, 200, "the same request from loopback");
        assert_eq!(answer("::1").0, 200);
    }

    #[test]
    fn loopback_hosts() {
        for ok in [
            "localhost",
            "LOCALHOST:8080",
            "127.0.0.1",
            "127.0.0.1:1",
            "127.1.2.3:65535",
            "[::1]",
            "[::1]:8080",
        ] {
            assert!(loopback_host(ok), "{ok}");
        }
        for bad in [
            "",
            "evil.example",
            "evil.example:8080",
            "localhost.evil.example",
            "127.0.0.1.evil.example",
            "localhost:",
            "localhost:x",
            "localhost:65536",
            "127.0.0.1:80:80",
            "128.0.0.1",
            "0.0.0.0",
            "10.0.0.1",
            "[::2]",
            "[::1]x",
            "[::1",
            "::1",
            "127.1",
            "localhost.",
        ] {
            assert!(!loopback_host(bad), "{bad}");
        }
    }

    #[test]
    fn the_guard_refuses_what_a_web_page_could_send() {
        let own = "http://127.0.0.1:8080";
        let host = ("Host", "127.0.0.1:8080");
        let json = ("Content-Type", "application/json; charset=utf-8");
        let status = |r: Result<(), Response>| r.err().map(|e| e.status);
        assert_eq!(
            status(guard(own, &request("POST", &[host, json], b"{}"))),
            None
        );
        assert_eq!(status(guard(own, &request("POST", &[host], b""))), None);
        assert_eq!(status(guard(own, &request("GET", &[host], b""))), None);
        assert_eq!(
            status(guard(
                own,
                &request("POST", &[host, json, ("Origin", own)], b"{}")
            )),
            None
        );
        for ct in [
            "text/plain",
            "application/x-www-form-urlencoded",
            "multipart/form-data; boundary=x",
            "application/jsonp",
        ] {
            let r = request("POST", &[host, ("Content-Type", ct)], b"{}");
            assert_eq!(status(guard(own, &r)), Some(415), "{ct}");
            let r = request("POST", &[host, ("Content-Type", ct)], b"");
            assert_eq!(status(guard(own, &r)), Some(415), "{ct}, no body");
        }
        assert_eq!(
            status(guard(own, &request("POST", &[host], b"{}"))),
            Some(415)
        );
        assert_eq!(
            status(guard(own, &request("DELETE", &[host], b"{}"))),
            Some(415)
        );
        for origin in [
            "http://evil.example",
            "null",
            "http://127.0.0.1:8081",
            "https://127.0.0.1:8080",
        ] {
            let r = request("POST", &[host, json, ("Origin", origin)], b"{}");
            assert_eq!(status(guard(own, &r)), Some(403), "{origin}");
        }
        let r = request(
            "POST",
            &[host, json, ("Origin", own), ("Origin", "null")],
            b"{}",
        );
        assert_eq!(status(guard(own, &r)), Some(403));
        for h in [
            vec![("Host", "evil.example")],
            vec![("Host", "evil.example:8080")],
            vec![],
            vec![host, ("Host", "evil.example")],
        ] {
            let mut headers = h.clone();
            headers.push(json);
            assert_eq!(
                status(guard(own, &request("POST", &headers, b"{}"))),
                Some(403),
                "{h:?}"
            );
        }
    }
}
