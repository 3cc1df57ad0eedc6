"""The sandbox speaks the documented AlphaPo API v2 protocol, seen from an independent
Python client: http.client + hmac + hashlib, nothing from the alphapo package.

Run: cargo build --release --example sandbox && python3 -m pytest tests/sandbox -q
"""

import hashlib
import hmac
import http.client
import json
import socket
import ssl
import subprocess
import time
from decimal import Decimal
from pathlib import Path

import pytest

AUTH = {
    "required_header_key": (403, "No key header"),
    "bad_header_key": (403, "Bad key header"),
    "required_header_signature": (403, "No signature header"),
    "bad_header_signature": (403, "Bad signature header"),
    "bad_content_format": (400, "Bad content format"),
}
TAKEN = {"foreign_id": "The foreign id has already been taken."}
SWITCHES = {
    "refuse_duplicate_foreign_id": False,
    "cancel_reply": "invoice",
    "withdrawal_approval_above": None,
    "deposit_confirmations": "two_step",
}


def sign(secret, body):
    return hmac.new(secret.encode(), body, hashlib.sha512).hexdigest()


def invoice(foreign_id, **extra):
    body = {
        "timer": True,
        "title": "Order",
        "currency": "EUR",
        "amount": "100",
        "sender_currency": "BTC",
        "foreign_id": foreign_id,
        "end_user_reference": "cust-7",
        "url_success": "https://shop.example.com/ok",
        "url_failed": "https://shop.example.com/fail",
    }
    body.update(extra)
    return {k: v for k, v in body.items() if v is not None}


def withdrawal(foreign_id, amount="0.01"):
    return {
        "currency": "BTC",
        "address": "tb1qdestination",
        "amount": amount,
        "foreign_id": foreign_id,
        "end_user_reference": "u-1",
    }


def raw(body):
    return json.dumps(body, separators=(",", ":")).encode()


# ---- authentication over the raw bytes ----


def test_valid_signature_gets_200_and_each_auth_failure_its_code(start_sandbox):
    sb = start_sandbox("--key", "pk-1", "--secret", "sk-1")
    body = b'{"visible":true}'
    good = sign("sk-1", body)
    path = "/api/v2/currencies/list"

    def call(headers, payload=body):
        return sb.request("POST", path, payload, headers)

    ok = call({"Content-Type": "application/json", "X-Processing-Key": "pk-1", "X-Processing-Signature": good})
    assert ok.status == 200 and isinstance(ok.json()["data"], list)
    # Case-insensitive header names, upper-case hex, a charset parameter: all accepted.
    ok = call(
        {
            "content-type": "application/json; charset=UTF-8",
            "x-processing-key": "pk-1",
            "X-PROCESSING-SIGNATURE": good.upper(),
        }
    )
    assert ok.status == 200

    def expect(reply, code):
        status, text = AUTH[code]
        assert reply.status == status, reply.text
        assert reply.json() == {"error": text, "code": code}
        assert reply.headers["content-type"].startswith("application/json")

    expect(call({"X-Processing-Key": "pk-1", "X-Processing-Signature": good}), "bad_content_format")
    expect(
        call({"Content-Type": "text/plain", "X-Processing-Key": "pk-1", "X-Processing-Signature": good}),
        "bad_content_format",
    )
    bad_json = b'{"visible":'
    expect(
        call(
            {"Content-Type": "application/json", "X-Processing-Key": "pk-1", "X-Processing-Signature": sign("sk-1", bad_json)},
            bad_json,
        ),
        "bad_content_format",
    )
    expect(call({"Content-Type": "application/json", "X-Processing-Signature": good}), "required_header_key")
    expect(
        call({"Content-Type": "application/json", "X-Processing-Key": "sk-1", "X-Processing-Signature": good}),
        "bad_header_key",
    )
    expect(call({"Content-Type": "application/json", "X-Processing-Key": "pk-1"}), "required_header_signature")
    # Any change of the bytes breaks the signature, even insignificant whitespace.
    expect(
        call(
            {"Content-Type": "application/json", "X-Processing-Key": "pk-1", "X-Processing-Signature": good},
            b'{"visible": true}',
        ),
        "bad_header_signature",
    )
    expect(
        call(
            {
                "Content-Type": "application/json",
                "X-Processing-Key": "pk-1",
                "X-Processing-Signature": sign("sandbox-secret", body),
            }
        ),
        "bad_header_signature",
    )
    expect(
        call({"Content-Type": "application/json", "X-Processing-Key": "pk-1", "X-Processing-Signature": "00" * 64}),
        "bad_header_signature",
    )


def test_official_signature_vector_matches_python_hmac():
    body = b'{"currency":"BTC","foreign_id":"123456"}'
    assert sign("AbCdEfG123456", body) == (
        "03c25fcf7cd35e7d995e402cd5d51edd72d48e1471e865907967809a0c189ba5"
        "5b90815f20e2bb10f82c7a9e9d865546fda58989c2ae9e8e2ff7bc29195fa1ec"
    )


def test_unknown_path_is_403_and_ping_needs_no_headers(sandbox):
    no_key = {"error": "No key header", "code": "required_header_key"}
    for path in ("/api/v2/does/not/exist", "/api/v2/invoices/x/cancel", "/api/v3/ping"):
        r = sandbox.request("POST", path, b"{}", {"Content-Type": "application/json"})
        assert (r.status, r.json()) == (403, no_key)
    r = sandbox.signed("POST", "/no/such/operation", b"{}")  # signed, still unknown
    assert (r.status, r.json()) == (403, no_key)
    r = sandbox.request("GET", "/api/v2/ping")
    assert (r.status, r.text) == (200, "OK")
    assert sandbox.signed("GET", "/ping", b"{}").text == "OK"
    st = sandbox.state()
    assert st["requests"]["by_path"]["/api/v2/ping"] == 2
    assert st["requests"]["by_path"]["(unknown path)"] == 4
    assert st["requests"]["total"] == 6


# ---- validation ----


def errors_of(sb, path, body):
    status, v = sb.post(path, body)
    assert status == 400, v
    return v["errors"]


def test_field_errors_for_each_documented_rule(sandbox):
    e = errors_of(
        sandbox,
        "/invoices/create",
        {
            "timer": "soon",
            "title": "t" * 51,
            "description": "d" * 1001,
            "currency": "EUR",
            "amount": 9.99,
            "foreign_id": "f" * 256,
            "end_user_reference": "u",
            "url_success": "https://10.0.0.1/ok",
            "url_failed": "ftp://shop.example.com/",
            "email_user": "not-an-email",
            "type": "sometimes",
            "sender_type": "robot",
        },
    )
    assert e == {
        "timer": "The timer field must be true or false.",
        "title": "The title must not be greater than 50 characters.",
        "description": "The description must not be greater than 1000 characters.",
        "foreign_id": "The foreign id must not be greater than 255 characters.",
        "url_success": "The url success format is invalid.",
        "url_failed": "The url failed format is invalid.",
        "email_user": "The email user must be a valid email address.",
        "type": "The selected type is invalid.",
        "sender_type": "The selected sender type is invalid.",
        "amount": "The amount is too small. The minimum amount is 10.00 EUR.",
    }
    e = errors_of(sandbox, "/invoices/create", {"title": "", "currency": "XYZ", "amount": "1e"})
    assert e == {
        "timer": "The timer field is required.",
        "title": "The title field is required.",
        "currency": "The selected currency is invalid.",
        "amount": "The amount must be a number.",
        "foreign_id": "The foreign id field is required.",
        "end_user_reference": "The end user reference field is required.",
    }
    e = errors_of(
        sandbox,
        "/invoices/create",
        invoice("x", sender_type="legal", sender_data={"legal_name": "ACME", "country_of_registration": "Germany"}),
    )
    assert e == {"sender_data.country_of_registration": "The sender data.country of registration must not be greater than 3 characters."}
    assert errors_of(sandbox, "/withdrawal/crypto", withdrawal("w", "0.0005")) == {
        "amount": "The amount must be at least 0.001."
    }
    assert errors_of(sandbox, "/withdrawal/crypto", withdrawal("w", "1000")) == {"amount": "Not enough money on balance"}
    assert errors_of(sandbox, "/withdrawal/crypto", withdrawal("w", "0.123456789")) == {
        "amount": "The amount must have 0-8 decimal places."
    }
    w = withdrawal("w")
    del w["amount"]
    assert errors_of(sandbox, "/withdrawal/crypto", w) == {
        "amount": "The amount field is required when amount to is not present."
    }
    assert errors_of(
        sandbox,
        "/exchange/now",
        {"sender_currency": "BTC", "receiver_currency": "ETH", "sender_amount": "0.002", "foreign_id": "x"},
    ) == {"sender_amount": "The amount must be at least 0.00300000 "}
    assert errors_of(
        sandbox,
        "/exchange/calculate",
        {"sender_currency": "USD", "receiver_currency": "EUR", "sender_amount": 50},
    ) == {"sender_currency": "Exchange is unavailable for given currencies"}
    assert errors_of(sandbox, "/exchange/calculate", {"sender_currency": "BCH", "receiver_currency": "EUR", "sender_amount": 1}) == {
        "sender_currency": "The selected sender currency is invalid."
    }
    assert errors_of(sandbox, "/currencies/pairs", {"currency_from": "ZZZ"}) == {
        "currency_from": "The selected currency from is invalid."
    }
    assert errors_of(sandbox, "/addresses/take", {"currency": "EUR", "foreign_id": "c", "end_user_reference": "c"}) == {
        "currency": "The selected currency is invalid."
    }


# ---- every operation once ----


def test_every_operation_once(sandbox):
    status, v = sandbox.post("/accounts/list", {})
    assert status == 200
    assert {"currency": "BTC", "type": "crypto", "balance": "2.50000000"} in v["data"]

    status, v = sandbox.post("/currencies/list", {})
    assert status == 200 and {c["currency"] for c in v["data"]} >= {"BTC", "ETH", "XRP", "EUR"}
    assert all(c["deposit_fee_percent"].count(".") == 1 and len(c["deposit_fee_percent"].split(".")[1]) == 6 for c in v["data"])

    status, v = sandbox.post("/currencies/pairs", {"currency_to": "EUR"})
    assert status == 200 and all(p["currency_to"]["currency"] == "EUR" for p in v["data"])
    assert all("min_amount_deposit_with_exchange" in p["currency_from"] for p in v["data"])

    status, v = sandbox.post("/currencies/rates", {"currency_from": "ETH", "currency_to": "BTC"})
    assert status == 200 and v["data"][0]["currency_from"]["currency"] == "ETH"

    status, v = sandbox.post("/addresses/take", {"currency": "XRP", "foreign_id": "cust-1", "end_user_reference": "cust-1"})
    assert status == 201 and v["data"]["tag"] and v["data"]["address"].startswith("r")

    status, v = sandbox.post("/withdrawal/crypto", withdrawal("wd-1"))
    assert status == 201
    assert v["data"]["type"] == "withdrawal" and v["data"]["status"] == "processing"

    status, q = sandbox.post("/exchange/calculate", {"sender_currency": "BTC", "receiver_currency": "ETH", "sender_amount": "0.01"})
    assert status == 200
    q = q["data"]
    assert q["ts_release"] - q["ts_fixed"] == 60 and q["fix_period"] == 60
    assert Decimal(q["receiver_amount"]) == (Decimal("0.01") * Decimal(q["price"])).quantize(Decimal("1e-8"), "ROUND_DOWN")

    status, v = sandbox.post(
        "/exchange/fixed",
        {"sender_currency": "BTC", "receiver_currency": "ETH", "sender_amount": "0.01", "price": q["price"], "foreign_id": "fx-1"},
    )
    assert status == 201 and v["data"]["status"] == "processing" and v["data"]["price"] == q["price"]

    status, v = sandbox.post("/exchange/now", {"sender_currency": "EUR", "receiver_currency": "BTC", "receiver_amount": "0.01", "foreign_id": "now-1"})
    assert status == 201 and v["data"]["receiver_amount"] == "0.01000000"

    status, v = sandbox.post("/invoices/create", invoice("inv-1"))
    assert status == 200
    d = v["data"]
    assert d["status"] == "pending" and d["sender_currency"] == "BTC" and d["address"]
    assert d["url"].startswith(f"http://{sandbox.addr}/invoice/") and len(d["url"].rsplit("/", 1)[1]) == 6
    assert d["release_at"] - d["fixed_at"] == 900 and 0 < d["seconds_left"] <= 900

    status, v = sandbox.post("/invoices/inv-1/cancel/", {})
    assert status == 200 and v["data"]["status"] == "failed"

    status, v = sandbox.api("GET", "/transactions/info", {"foreign_id": "wd-1"})
    assert status == 200 and "data" not in v
    assert v["foreign_id"] == "wd-1" and v["status"] == "not_confirmed"


def test_transactions_info_wants_exactly_one_parameter(sandbox):
    assert sandbox.api("GET", "/transactions/info", {}) == (400, {"errors": {"error": "No parameters present"}})
    status, v = sandbox.api("GET", "/transactions/info", {"id": 5, "foreign_id": "x"})
    assert status == 404 and v["errors"]["error"] == "Validation Exception: more than one param is present"
    assert sandbox.api("GET", "/transactions/info", {"txid": "nope"})[0] == 404


# ---- state: balances, quotes, invoices ----


def test_balances_change_after_withdrawal_and_exchange(sandbox):
    btc0, eth0 = Decimal(sandbox.balance("BTC")), Decimal(sandbox.balance("ETH"))
    status, w = sandbox.post("/withdrawal/crypto", withdrawal("wd-b", 0.5))
    assert status == 201
    fee = Decimal("0.5") * Decimal("0.001")
    assert Decimal(sandbox.balance("BTC")) == btc0 - Decimal("0.5") - fee
    status, x = sandbox.post("/exchange/now", {"sender_currency": "ETH", "receiver_currency": "BTC", "sender_amount": "2", "foreign_id": "x-b"})
    assert status == 201, x
    x = x["data"]
    assert Decimal(sandbox.balance("ETH")) == eth0 - Decimal("2") - Decimal(x["fee_amount"])
    status, _ = sandbox.control("POST", f"exchanges/{x['id']}/confirm", {})
    assert status == 200
    assert Decimal(sandbox.balance("BTC")) == btc0 - Decimal("0.5") - fee + Decimal(x["receiver_amount"])
    # Settled once only.
    assert sandbox.control("POST", f"exchanges/{x['id']}/cancel", {})[0] == 409


def test_quote_expires_after_fix_period(sandbox):
    body = {"sender_currency": "LTC", "receiver_currency": "EUR", "sender_amount": "2"}
    _, q = sandbox.post("/exchange/calculate", body)
    fixed = dict(body, price=q["data"]["price"], foreign_id="late-1")
    assert sandbox.control("POST", "time", {"advance": 61})[0] == 200
    status, v = sandbox.post("/exchange/fixed", fixed)
    assert status == 400 and "expired" in v["errors"]["price"]
    status, v = sandbox.post("/exchange/fixed", dict(fixed, price="70.00000000"))
    assert status == 400 and "does not match" in v["errors"]["price"]


def test_cancel_of_a_final_invoice_is_refused(sandbox):
    sandbox.post("/invoices/create", invoice("done"))
    status, paid = sandbox.control("POST", "invoices/done/pay", {"amount": "0.01"})
    assert status == 200 and paid["status"] == "confirmed"
    status, v = sandbox.post("/invoices/done/cancel/", {})
    assert status == 400
    assert v == {"errors": {"error": "Invoice cannot be failed in its current state.", "code": "invalid_invoice_state"}}


def test_duplicate_foreign_id(start_sandbox):
    sandbox = start_sandbox("--refuse-duplicate-foreign-id")  # withdrawals, exchanges: a switch
    assert sandbox.post("/invoices/create", invoice("same"))[0] == 200
    assert sandbox.post("/invoices/create", invoice("same")) == (400, {"errors": TAKEN})
    assert sandbox.post("/withdrawal/crypto", withdrawal("same"))[0] == 201
    assert sandbox.post("/withdrawal/crypto", withdrawal("same")) == (400, {"errors": TAKEN})
    x = {"sender_currency": "BTC", "receiver_currency": "EUR", "sender_amount": "0.01", "foreign_id": "same"}
    assert sandbox.post("/exchange/now", x)[0] == 201
    assert sandbox.post("/exchange/now", x) == (400, {"errors": TAKEN})
    a = {"currency": "ETH", "foreign_id": "same", "end_user_reference": "c"}
    first, again = sandbox.post("/addresses/take", a), sandbox.post("/addresses/take", a)
    assert first[0] == again[0] == 201 and first[1]["data"]["address"] == again[1]["data"]["address"]


@pytest.mark.parametrize(
    "name, body, content_type",
    [
        ("empty_array", b"[]", "application/json"),
        ("empty_object", b"{}", "application/json"),
        ("ok_string", b'"OK"', "application/json"),
        ("ok_text", b"OK", "text/plain; charset=UTF-8"),
        ("message_ok", b'{"message":"OK"}', "application/json"),
    ],
)
def test_cancel_reply_switch(start_sandbox, name, body, content_type):
    sb = start_sandbox("--cancel-reply", name)
    assert sb.control("GET", "switches")[1]["switches"]["cancel_reply"] == name
    sb.post("/invoices/create", invoice("c"))
    r = sb.signed("POST", "/invoices/c/cancel/", b"{}")
    assert (r.status, r.body, r.headers["content-type"]) == (200, body, content_type)


def test_repeated_withdrawal_foreign_id_is_accepted_by_default(sandbox):
    assert sandbox.control("GET", "switches") == (200, {"switches": SWITCHES})
    assert sandbox.post("/withdrawal/crypto", withdrawal("twice"))[0] == 201
    assert sandbox.post("/withdrawal/crypto", withdrawal("twice"))[0] == 201
    assert [w["foreign_id"] for w in sandbox.state()["withdrawals"]] == ["twice", "twice"]
    status, v = sandbox.control("POST", "switches", {"refuse_duplicate_foreign_id": True})
    assert status == 200 and v["switches"]["refuse_duplicate_foreign_id"] is True
    assert sandbox.post("/withdrawal/crypto", withdrawal("twice")) == (400, {"errors": TAKEN})
    status, v = sandbox.control("POST", "switches", {"bogus": True})
    assert status == 400 and "known: refuse_duplicate_foreign_id" in v["error"]
    assert sandbox.control("POST", "reset", {})[0] == 200
    assert sandbox.control("GET", "switches") == (200, {"switches": SWITCHES})


# ---- callbacks ----


def test_paying_an_invoice_sends_a_verified_callback(start_sandbox, receiver):
    rx = receiver()
    sb = start_sandbox("--callback-url", rx.url, "--secret", "merchant-secret")
    _, created = sb.post("/invoices/create", invoice("paid-1", type="fill_or_kill"))
    due = created["data"]["sender_amount"]
    status, v = sb.control("POST", "invoices/paid-1/pay", {"amount": due})
    assert status == 200 and v["status"] == "confirmed"
    got = rx.wait_for(2)
    bodies = []
    for headers, body, _ in got:
        assert headers["content-type"] == "application/json"
        assert headers["x-processing-key"] == "sandbox-key"
        assert headers["x-processing-signature"] == sign("merchant-secret", body)
        bodies.append(json.loads(body))
    assert [b["status"] for b in bodies] == ["processing", "confirmed"]
    last = bodies[1]
    assert last["type"] == "invoice" and last["foreign_id"] == "paid-1" and last["error"] == ""
    assert last["currency_sent"] == {"currency": "BTC", "amount": due, "remaining_amount": "0.00000000"}
    assert last["crypto_address"]["convert_to"] == "EUR"
    assert isinstance(last["fixed_at"], int) and isinstance(last["expires_at"], int)
    assert last["transactions"][0]["amount"] == due and last["fees"][0]["type"] == "fee_crypto_deposit"
    log = sb.callback_log(2)
    assert [(a["attempt"], a["response_status"], a["url"]) for a in log] == [(1, 200, rx.url)] * 2
    assert json.loads(log[1]["body"]) == last


def test_partial_payments_and_expiry(start_sandbox, receiver):
    rx = receiver()
    sb = start_sandbox("--callback-url", rx.url)
    # 58.3214517 EUR is exactly 0.001 BTC at the sandbox rate.
    sb.post("/invoices/create", invoice("gue", amount="58.3214517", type="good_until_expired"))
    sb.control("POST", "invoices/gue/pay", {"amount": "0.0003"})
    sb.control("POST", "invoices/gue/pay", {"amount": "0.0007"})
    cbs = [json.loads(b) for _, b, _ in rx.wait_for(3)]
    assert [(c["status"], c["currency_sent"]["remaining_amount"]) for c in cbs] == [
        ("processing", "0.00070000"),
        ("confirmed", "0.00070000"),
        ("confirmed", "0.00000000"),
    ]
    sb.post("/invoices/create", invoice("fok"))
    sb.control("POST", "invoices/fok/pay", {"amount": "0.0001"})
    assert sb.control("POST", "time", {"advance": 900})[0] == 200
    cbs = [json.loads(b) for _, b, _ in rx.wait_for(5)][3:]
    assert [(c["status"], c["error"]) for c in cbs] == [
        ("processing", ""),
        ("failed", "Timer expired. User paid less than requested."),
    ]
    sb.post("/invoices/create", invoice("nobody"))
    status, v = sb.control("POST", "invoices/nobody/expire", {})
    assert status == 200 and v["status"] == "failed"
    last = json.loads(rx.wait_for(6)[5][1])
    assert (last["status"], last["error"], last["transactions"]) == ("failed", "Timer expired. User not paid.", [])


def test_type_1_invoice_goes_created_pending_processing_confirmed(start_sandbox, receiver):
    rx = receiver()
    sb = start_sandbox("--callback-url", rx.url)
    _, v = sb.post("/invoices/create", invoice("t1", timer=False, sender_currency=None))
    assert v["data"]["status"] == "created" and v["data"]["release_at"] is None
    status, paid = sb.control("POST", "invoices/t1/pay", {"amount": "1", "currency": "ETH"})
    assert status == 200 and paid["sender_currency"] == "ETH"
    assert paid["release_at"] - paid["fixed_at"] == 900
    cbs = [json.loads(b) for _, b, _ in rx.wait_for(3)]
    assert [c["status"] for c in cbs] == ["pending", "processing", "confirmed"]
    due = paid["sender_amount"]
    assert cbs[0]["currency_sent"] == {"currency": "ETH", "amount": due, "remaining_amount": due}
    assert cbs[0]["transactions"] == [] and len(cbs[2]["transactions"]) == 1
    assert cbs[1]["expires_at"] == paid["fixed_at"] + 24 * 3600  # processing: 24 h window


def test_deposit_and_withdrawal_callbacks(start_sandbox, receiver):
    rx = receiver()
    sb = start_sandbox("--callback-url", rx.url)
    _, a = sb.post("/addresses/take", {"currency": "ETH", "foreign_id": "cust-9", "end_user_reference": "9"})
    assert sb.control("POST", "deposit", {"address": a["data"]["address"], "amount": "0.5"})[0] == 201
    _, w = sb.post("/withdrawal/crypto", withdrawal("wd-cb"))
    assert sb.control("POST", f"withdrawals/{w['data']['id']}/confirm", {})[0] == 200
    cbs = [json.loads(b) for _, b, _ in rx.wait_for(3)]
    assert [(c["type"], c["status"]) for c in cbs] == [
        ("deposit", "not_confirmed"),
        ("deposit", "confirmed"),
        ("withdrawal", "confirmed"),
    ]
    assert cbs[0]["transactions"][0]["confirmations"] == 0 and cbs[0]["fees"] == []
    assert cbs[1]["crypto_address"]["foreign_id"] == "cust-9"
    assert cbs[2]["foreign_id"] == "wd-cb" and cbs[2]["transactions"][0]["txid"]


def test_instant_deposit_sends_one_confirmed_callback(start_sandbox, receiver):
    rx = receiver()
    sb = start_sandbox("--callback-url", rx.url, "--instant-deposits")
    _, a = sb.post("/addresses/take", {"currency": "ETH", "foreign_id": "cust-i", "end_user_reference": "i"})
    status, d = sb.control("POST", "deposit", {"address": a["data"]["address"], "amount": "0.5"})
    assert status == 201 and d["status"] == "confirmed"
    _, w = sb.post("/withdrawal/crypto", withdrawal("wd-after"))  # a later callback, as a marker
    assert sb.control("POST", f"withdrawals/{w['data']['id']}/confirm", {})[0] == 200
    cbs = [json.loads(b) for _, b, _ in rx.wait_for(2)]
    assert [(c["type"], c["status"]) for c in cbs] == [("deposit", "confirmed"), ("withdrawal", "confirmed")]


def test_withdrawal_approval_flow(start_sandbox, receiver):
    rx = receiver()
    sb = start_sandbox("--callback-url", rx.url, "--withdrawal-approval-above", "0.05")
    btc0 = Decimal(sb.balance("BTC"))
    _, yes = sb.post("/withdrawal/crypto", withdrawal("wd-yes", "0.1"))
    _, no = sb.post("/withdrawal/crypto", withdrawal("wd-no", "0.1"))
    assert yes["data"]["status"] == no["data"]["status"] == "pending"
    assert sb.control("POST", f"withdrawals/{yes['data']['id']}/confirm", {})[0] == 409
    status, v = sb.control("POST", f"withdrawals/{yes['data']['id']}/approve", {})
    assert (status, v["status"]) == (200, "processing")
    assert sb.control("POST", f"withdrawals/{yes['data']['id']}/confirm", {})[0] == 200
    status, v = sb.control("POST", f"withdrawals/{no['data']['id']}/decline", {})
    assert (status, v["status"]) == (200, "declined")
    cbs = [json.loads(b) for _, b, _ in rx.wait_for(4)]
    seen = sorted((c["foreign_id"], c["status"]) for c in cbs)
    assert seen == [("wd-no", "declined"), ("wd-no", "pending"), ("wd-yes", "confirmed"), ("wd-yes", "pending")]
    spent = btc0 - Decimal(sb.balance("BTC"))
    assert Decimal("0.1") < spent < Decimal("0.2")  # only the approved one, with its fee


def test_non_200_is_retried_on_the_accelerated_schedule(start_sandbox, receiver):
    rx = receiver([503, 500])
    sb = start_sandbox("--callback-url", rx.url, "--callback-time-scale", "0.001")
    sb.post("/invoices/create", invoice("retry"))
    sb.control("POST", "invoices/retry/expire", {})
    got = rx.wait_for(3)
    assert got[0][1] == got[1][1] == got[2][1]
    gap1, gap2 = got[1][2] - got[0][2], got[2][2] - got[1][2]
    assert gap1 >= 0.055, gap1  # +1 minute = 60 ms
    assert gap2 >= 0.295 and gap2 > gap1, (gap1, gap2)  # +5 minutes = 300 ms
    log = sb.callback_log(3)
    assert [(a["attempt"], a["response_status"]) for a in log] == [(1, 503), (2, 500), (3, 200)]


def test_callback_url_can_be_replaced_and_callbacks_repeated(start_sandbox, receiver):
    sb = start_sandbox()
    sb.post("/invoices/create", invoice("late-url"))
    sb.control("POST", "invoices/late-url/expire", {})
    log = sb.control("GET", "callbacks")[1]["attempts"]
    assert log[0]["error"] == "no callback URL set"
    rx = receiver()
    assert sb.control("POST", "callback-url", {"url": rx.url}) == (200, {"url": rx.url})
    assert sb.control("POST", "callbacks/repeat", {"foreign_id": "late-url"})[0] == 200
    body = rx.wait_for(1)[0][1]
    assert json.loads(body)["status"] == "failed"
    assert sb.control("POST", "callbacks/repeat", {"id": 1})[0] == 404


# ---- 429 ----


@pytest.mark.parametrize("url", ["http://127.0.0.1:9/cb\r\nX-Injected: 1", "http://127.0.0.1:9/a b", "http://"])
def test_callback_url_with_cr_lf_or_space_is_refused(sandbox, url):
    status, v = sandbox.control("POST", "callback-url", {"url": url})
    assert status == 400, v
    assert sandbox.control("GET", "callback-url") == (200, {"url": None})
    out = subprocess.run(
        [sandbox.proc.args[0], "--listen", "127.0.0.1:0", "--callback-url", url],
        stdin=subprocess.DEVNULL, capture_output=True, timeout=10,
    )
    assert out.returncode == 2 and out.stdout == b"" and b"--callback-url" in out.stderr


def test_exchange_calculate_rate_limit(start_sandbox):
    sb = start_sandbox("--calculate-limit", "2")
    body = {"sender_currency": "BTC", "receiver_currency": "EUR", "sender_amount": "0.01"}
    assert [sb.post("/exchange/calculate", body)[0] for _ in range(2)] == [200, 200]
    r = sb.signed("POST", "/exchange/calculate", raw(body))
    assert r.status == 429 and r.text == "error code: 1015"
    assert r.headers["content-type"].startswith("text/plain")
    assert sb.post("/exchange/now", dict(body, foreign_id="n"))[0] == 201


# ---- faults ----


def arm(sb, **fault):
    status, v = sb.control("POST", "faults", fault)
    assert status == 200, v


def exists(sb, kind, foreign_id):
    return any(x["foreign_id"] == foreign_id for x in sb.state()[kind])


def test_latency_and_server_errors(sandbox):
    arm(sandbox, mode="latency", ms=250, path="/accounts/list")
    t = time.monotonic()
    assert sandbox.post("/accounts/list", {})[0] == 200
    assert time.monotonic() - t >= 0.25
    for mode, status in (("http_500", 500), ("http_502", 502)):
        arm(sandbox, mode=mode, path="/withdrawal/crypto")
        r = sandbox.signed("POST", "/withdrawal/crypto", raw(withdrawal(mode)))
        assert r.status == status and r.headers["content-type"].startswith("text/html") and "<html>" in r.text
        assert not exists(sandbox, "withdrawals", mode)


def test_dropped_connections_before_and_after_processing(start_sandbox):
    sandbox = start_sandbox("--refuse-duplicate-foreign-id")
    arm(sandbox, mode="drop_before", path="/api/v2/withdrawal/crypto")
    with pytest.raises((ConnectionError, OSError)):
        sandbox.signed("POST", "/withdrawal/crypto", raw(withdrawal("before")))
    assert not exists(sandbox, "withdrawals", "before")
    arm(sandbox, mode="drop_after", path="/withdrawal/crypto")
    with pytest.raises((ConnectionError, OSError)):
        sandbox.signed("POST", "/withdrawal/crypto", raw(withdrawal("after")))
    assert exists(sandbox, "withdrawals", "after")
    assert sandbox.post("/withdrawal/crypto", withdrawal("after")) == (400, {"errors": TAKEN})


def test_truncated_body(sandbox):
    arm(sandbox, mode="truncated")
    with pytest.raises(http.client.IncompleteRead):
        sandbox.signed("POST", "/accounts/list", b"{}")
    assert sandbox.signed("POST", "/accounts/list", b"{}").status == 200


def test_huge_response(sandbox):
    arm(sandbox, mode="huge", bytes=8 << 20)
    with socket.create_connection((sandbox.host, sandbox.port), timeout=10) as s:
        s.sendall(b"GET /api/v2/ping HTTP/1.1\r\nHost: x\r\n\r\n")
        got = b""
        while len(got) < 8 << 20:
            chunk = s.recv(1 << 20)
            if not chunk:
                break
            got += chunk
    head, _, body = got.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 200") and b"Content-Length: 8388608" in head
    assert body.startswith(b'{"data":"aaaa') and len(got) >= 8 << 20


def test_slow_drip(sandbox):
    arm(sandbox, mode="slow_drip", ms=20)
    body = b"{}"
    request = (
        "POST /api/v2/accounts/list HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
        f"X-Processing-Key: {sandbox.key}\r\nX-Processing-Signature: {sign(sandbox.secret, body)}\r\n"
        "Content-Length: 2\r\n\r\n"
    ).encode() + body
    got, reads = b"", 0
    with socket.create_connection((sandbox.host, sandbox.port), timeout=1) as s:
        s.sendall(request)
        deadline = time.monotonic() + 0.4
        while time.monotonic() < deadline:
            got += s.recv(4096)
            reads += 1
    # One byte per recv, 20 ms apart: after 0.4 s only the start of the status line is here.
    assert b"HTTP/1.1 200 OK".startswith(got[:15]) and 5 <= len(got) <= 30, got
    assert reads == len(got)


def test_fault_count_and_listing(sandbox):
    arm(sandbox, mode="http_502", count=2, path="/ping")
    assert sandbox.control("GET", "faults")[1]["faults"][0]["count"] == 2
    assert [sandbox.request("GET", "/api/v2/ping").status for _ in range(3)] == [502, 502, 200]
    assert sandbox.control("POST", "faults", {"mode": "meteor"})[0] == 400


# ---- quirks, TLS, control API ----


def test_quirks(start_sandbox):
    sb = start_sandbox("--quirks", "amounts_as_numbers,end_user_reference_as_number,invoice_create_201")
    r = sb.signed("POST", "/invoices/create", raw(invoice("42", end_user_reference="12345")))
    assert r.status == 201
    assert b'"amount":100.00000000' in r.body and b'"end_user_reference":12345' in r.body
    assert r.json()["data"]["foreign_id"] == "42"
    sb.control("POST", "quirks", {"quirks": ["invoice_foreign_id_as_number", "confirmations_as_string"]})
    status, v = sb.post("/invoices/create", invoice("43"))
    assert status == 200 and v["data"]["foreign_id"] == 43 and v["data"]["amount"] == "100.00000000"
    sb.control("POST", "invoices/43/pay", {"amount": "1"})
    _, info = sb.api("GET", "/transactions/info", {"foreign_id": "43"})
    assert info["transactions"][0]["confirmations"] == "3"


def test_tls_with_the_generated_certificate(start_sandbox, tmp_path):
    cert = tmp_path / "sandbox.pem"
    sb = start_sandbox("--tls", "--cert-out", str(cert))
    assert sb.base_url.startswith("https://127.0.0.1:") and sb.cert == str(cert)
    assert cert.read_text().startswith("-----BEGIN CERTIFICATE-----")
    status, v = sb.post("/accounts/list", {})  # verified against the written certificate
    assert status == 200
    _, inv = sb.post("/invoices/create", invoice("tls-1"))
    assert inv["data"]["url"].startswith("https://")
    with pytest.raises(ssl.SSLError):
        ctx = ssl.create_default_context()  # the system roots do not know it
        with socket.create_connection((sb.host, sb.port), timeout=5) as s:
            ctx.wrap_socket(s, server_hostname="localhost")


def test_tls_certificate_is_never_written_over_an_existing_file(start_sandbox, tmp_path):
    existing = tmp_path / "existing.pem"
    existing.write_text("keep")
    link = tmp_path / "link.pem"
    link.symlink_to(existing)
    sb = start_sandbox()
    for path in (existing, link):
        out = subprocess.run(
            [sb.proc.args[0], "--listen", "127.0.0.1:0", "--tls", "--cert-out", str(path)],
            stdin=subprocess.DEVNULL, capture_output=True, timeout=10,
        )
        assert out.returncode == 1 and out.stdout == b"" and b"already exists" in out.stderr
    assert existing.read_text() == "keep"
    tls = start_sandbox("--tls")  # default: a private directory of its own
    cert = Path(tls.cert)
    assert cert.parent.stat().st_mode & 0o777 == 0o700 and cert.stat().st_mode & 0o777 == 0o600
    tls.stop()  # SIGTERM: the directory goes with it
    assert not cert.parent.exists()


def non_loopback_ip():
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        try:
            s.connect(("192.0.2.1", 9))  # no packet is sent; this only picks a route
            ip = s.getsockname()[0]
        except OSError:
            return None
    return None if ip.startswith("127.") else ip


def test_control_api_refuses_peers_off_loopback(start_sandbox):
    ip = non_loopback_ip()
    if ip is None:
        pytest.skip("this machine has no non-loopback IPv4 address to call from")
    sb = start_sandbox("--listen", "0.0.0.0:0")
    conn = http.client.HTTPConnection(ip, sb.port, timeout=5)
    conn.request("GET", "/_sandbox/state")
    r = conn.getresponse()
    assert r.status == 403 and b"loopback" in r.read()
    conn.request("GET", "/api/v2/ping")  # the API itself answers everyone
    assert conn.getresponse().read() == b"OK"
    conn.close()
    assert sb.control("GET", "state")[0] == 200


@pytest.mark.parametrize(
    "headers, status",
    [
        ({"Content-Type": "text/plain"}, 415),
        ({"Content-Type": "application/x-www-form-urlencoded"}, 415),
        ({"Content-Type": "application/json", "Origin": "http://evil.example"}, 403),
        ({"Content-Type": "application/json", "Host": "evil.example"}, 403),
        ({"Content-Type": "application/json", "Host": "localhost"}, 200),
        ({"Content-Type": "application/json"}, 200),
    ],
)
def test_control_api_refuses_what_a_web_page_could_send(sandbox, headers, status):
    r = sandbox.request("POST", "/_sandbox/rate-limit", b'{"per_minute": 0}', headers)
    assert r.status == status, r.text
    assert sandbox.state()["rate_limit_per_minute"] == (0 if status == 200 else 30)


def test_reset(sandbox):
    sandbox.post("/withdrawal/crypto", withdrawal("r"))
    assert sandbox.state()["withdrawals"]
    assert sandbox.control("POST", "reset", {})[0] == 200
    st = sandbox.state()
    assert st["withdrawals"] == [] and st["requests"]["total"] == 0
    assert st["accounts"]["BTC"] == "2.50000000"
    assert sandbox.control("GET", "no-such-thing")[0] == 404


def test_connections_are_capped(start_sandbox):
    sb = start_sandbox("--max-connections", "2")
    idle = [socket.create_connection((sb.host, sb.port)) for _ in range(2)]
    time.sleep(0.05)
    r = sb.request("GET", "/api/v2/ping")
    assert r.status == 503
    idle.pop().close()
    deadline = time.monotonic() + 5
    while sb.request("GET", "/api/v2/ping").status != 200:
        assert time.monotonic() < deadline, "the slot was not given back"
        time.sleep(0.02)
    idle.pop().close()


def test_sigterm_shuts_down_cleanly(start_sandbox):
    sb = start_sandbox()
    sb.proc.terminate()
    assert sb.proc.wait(timeout=5) == 0
