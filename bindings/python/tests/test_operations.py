"""Every operation against the sandbox, prepared requests, and amounts."""

from __future__ import annotations

import hashlib
import hmac
import inspect
import json
import urllib.request
from decimal import Decimal

import pytest

import alphapo

from alphapo_test_support import KEY, SECRET, invoice_fields, unique

BTC_ADDRESS = "tb1qw508d6qejxtdg4y5r3zarvary0c5xw7kxpjzsx"


def test_ping(client):
    r = client.ping()
    assert isinstance(r, alphapo.Response)
    assert r.data == "OK" and r.http_status == 200 and r.raw_body == b"OK"


def test_list_accounts(client, sandbox):
    sandbox.ok("POST", "/balances", {"BTC": "12.5", "EUR": "1000"})
    accounts = client.list_accounts()
    assert isinstance(accounts, alphapo.ResultList)
    by_currency = {a.currency: a for a in accounts}
    assert by_currency["BTC"].balance == Decimal("12.5")
    assert isinstance(by_currency["BTC"].balance, Decimal)
    assert by_currency["BTC"].type == "crypto"
    assert by_currency["EUR"].type == "fiat"
    assert len(accounts) == len(accounts.raw) and accounts[0].raw == accounts.raw[0]
    assert json.loads(accounts.raw_body)["data"][0]["currency"] == accounts[0].currency


def test_list_currencies(client):
    visible = client.list_currencies(visible=True)
    btc = next(c for c in visible if c.currency == "BTC")
    assert isinstance(btc.id, int) and isinstance(btc.precision, int)
    assert isinstance(btc.minimum_amount, Decimal)
    assert isinstance(btc.withdrawal_fee_percent, Decimal)
    hidden = client.list_currencies(visible=False)
    assert {c.currency for c in hidden}.isdisjoint({c.currency for c in visible})


def test_currency_pairs_and_rates(client):
    pairs = client.currency_pairs(currency_from="BTC")
    assert pairs and all(p.currency_from == "BTC" for p in pairs)
    assert all(isinstance(p.rate_to, Decimal) for p in pairs)
    rates = client.currency_rates(currency_from="BTC", currency_to="EUR")
    assert [(p.currency_from, p.currency_to) for p in rates] == [("BTC", "EUR")]
    assert rates[0].rate_to > 0 and isinstance(rates[0].min_amount, Decimal)


def test_take_address(client):
    customer = unique("customer")
    a = client.take_address(currency="BTC", foreign_id=customer, end_user_reference="user-7")
    assert isinstance(a, alphapo.Address)
    assert a.currency == "BTC" and a.foreign_id == customer and a.address
    assert isinstance(a.id, int) and a.http_status in (200, 201)


def test_withdraw_and_transaction_info(client, sandbox):
    sandbox.ok("POST", "/balances", {"BTC": "5"})
    fid = unique("wd")
    w = client.withdraw(
        currency="BTC",
        address=BTC_ADDRESS,
        amount=Decimal("0.01000000"),
        foreign_id=fid,
        end_user_reference="user-7",
    )
    assert isinstance(w, alphapo.Withdrawal)
    assert w.foreign_id == fid and w.amount == Decimal("0.01") and isinstance(w.id, int)
    t = client.transaction_info(foreign_id=fid)
    assert isinstance(t, alphapo.Transaction)
    assert t.id == w.id and t.type == "withdrawal" and t.foreign_id == fid
    assert t.sent_amount == Decimal("0.01")
    assert client.transaction_info(id=w.id).foreign_id == fid


def test_exchanges(client, faults):
    faults.ok("POST", "/balances", {"BTC": "5"})
    quote = client.calculate_exchange(
        sender_currency="BTC", receiver_currency="EUR", sender_amount=Decimal("0.01")
    )
    assert isinstance(quote, alphapo.Exchange)
    assert quote.sender_amount == Decimal("0.01") and isinstance(quote.price, Decimal)
    assert quote.ts_release > quote.ts_fixed
    fixed = client.exchange_fixed(
        sender_currency="BTC",
        receiver_currency="EUR",
        sender_amount=Decimal("0.01"),
        foreign_id=unique("xf"),
        price=quote.price,
    )
    assert fixed.price == quote.price and fixed.status and isinstance(fixed.id, int)
    now = client.exchange_now(
        sender_currency="BTC",
        receiver_currency="EUR",
        sender_amount="0.01",
        foreign_id=unique("xn"),
    )
    assert now.sender_currency == "BTC" and isinstance(now.receiver_amount, Decimal)


def test_create_and_cancel_invoice(client):
    fields = invoice_fields(amount=Decimal("106.75"), description="two books", timer=True)
    inv = client.create_invoice(**fields)
    assert isinstance(inv, alphapo.Invoice)
    assert inv.url and inv.status in ("created", "pending")
    assert inv.foreign_id == fields["foreign_id"] and inv.title == "Order 1001"
    assert inv.amount == Decimal("106.75") and isinstance(inv.amount, Decimal)
    assert isinstance(inv.id, int) and inv.release_at is not None
    cancelled = client.cancel_invoice(foreign_id=fields["foreign_id"])
    assert cancelled.http_status == 200
    if isinstance(cancelled.raw, dict):  # the sandbox answers the invoice; the docs say "OK"
        assert cancelled.status == "failed"


def test_generic_request(client):
    r = client.request("/accounts/list")
    assert isinstance(r, alphapo.Response)
    assert {a["currency"] for a in r.data} >= {"BTC", "EUR"}
    r = client.request("/currencies/rates", {"currency_from": "BTC", "currency_to": "EUR"})
    assert r.data[0]["currency_to"]["currency"] == "EUR"
    with pytest.raises(alphapo.InvalidArgumentError):
        client.request("https://elsewhere.example.com/x")
    with pytest.raises(TypeError, match="float"):
        client.request("/x", {"amount": 0.1})


def test_every_operation_has_a_typed_keyword_only_method_and_a_prepare_twin():
    from alphapo import _operations

    for row in _operations.OPERATIONS:
        name = row.method_name
        method = getattr(alphapo.Client, name)
        twin = getattr(alphapo.Client, f"prepare_{name}")
        sig = inspect.signature(method)
        assert sig.return_annotation not in (inspect.Signature.empty, "Dict[str, Any]"), name
        assert inspect.signature(twin).return_annotation == "PreparedRequest"
        assert method.__doc__ and twin.__doc__
        params = list(sig.parameters.values())[1:]
        if name != "request":
            # Keyword-only, but for the one identifying field of the table's row.
            for p in params:
                expected = p.POSITIONAL_OR_KEYWORD if p.name == row.identifier else p.KEYWORD_ONLY
                assert p.kind is expected, (name, p.name)
        assert all(p.annotation is not inspect.Parameter.empty for p in params), name


def test_the_identifying_argument_may_be_positional(sandbox):
    client = sandbox.client()
    prepared = client.prepare_cancel_invoice("order-1")
    assert prepared.url.endswith("/invoices/order-1/cancel/")
    lookup = client.prepare_transaction_info(12345)
    assert b'"id":12345' in lookup.body


# --- prepared requests ------------------------------------------------------------------


def test_prepare_send_yourself_and_parse_reply(sandbox):
    with sandbox.client() as client:
        fields = invoice_fields(amount="106.750")
        p = client.prepare_create_invoice(**fields)
    assert isinstance(p, alphapo.PreparedRequest)
    assert p.method == "POST" and p.url == sandbox.base_url + "/invoices/create"
    assert set(p.headers) == {"X-Processing-Key", "X-Processing-Signature", "Content-Type"}
    assert p.headers["X-Processing-Key"] == KEY
    # An independent check of the signature over the exact body bytes.
    assert (
        p.headers["X-Processing-Signature"]
        == hmac.new(SECRET.encode(), p.body, hashlib.sha512).hexdigest()
    )
    assert b'"amount":106.750' in p.body  # the caller's digits, as a JSON number
    with pytest.raises(Exception):
        p.url = "x"  # frozen

    # The merchant's own HTTP client sends exactly these bytes.
    req = urllib.request.Request(p.url, data=p.body, method=p.method, headers=p.headers)
    with urllib.request.urlopen(req, timeout=10) as r:
        invoice = p.parse_reply(r.status, r.read())
    assert isinstance(invoice, alphapo.Invoice) and invoice.foreign_id == fields["foreign_id"]

    # The same bytes again: the foreign_id is taken.
    req = urllib.request.Request(p.url, data=p.body, method=p.method, headers=p.headers)
    try:
        urllib.request.urlopen(req, timeout=10)
        raise AssertionError("expected HTTP 400")
    except urllib.error.HTTPError as e:
        with pytest.raises(alphapo.DuplicateForeignIdError) as err:
            p.parse_reply(e.code, e.read())
    assert err.value.http_status == 400 and "foreign_id" in err.value.fields


def test_prepare_then_client_send(client):
    p = client.prepare_create_invoice(**invoice_fields())
    invoice = client.send(p)
    assert isinstance(invoice, alphapo.Invoice) and invoice.url
    with pytest.raises(alphapo.DuplicateForeignIdError):
        client.send(p)
    ping = client.prepare_ping()
    assert ping.method == "GET" and ping.body == b""
    assert client.send(ping).data == "OK"
    info = client.prepare_transaction_info(id=5)
    assert info.method == "GET" and json.loads(info.body) == {"id": 5}


def test_prepare_validates_without_network():
    with alphapo.Client(KEY, SECRET, base_url="http://127.0.0.1:9/api/v2") as client:
        with pytest.raises(alphapo.ValidationError) as e:
            client.prepare_withdraw(currency="btc")
    assert {"currency", "address", "amount", "foreign_id"} <= set(e.value.fields)


def test_parse_reply_keeps_malformed_amounts_as_received():
    seed = (
        b'{"data": {"id": 127, "url": "https://wallet.coinspaid.com/invoice/iEU3uh",'
        b' "foreign_id": "user_196", "end_user_reference": 12345, "title": "Invoice 171",'
        b' "status": "created", "currency": "EUR", "amount": "0.106.75000000",'
        b' "sender_amount": 1e-5, "fixed_at": "1592307241", "extra": 0.1}}'
    )
    inv = alphapo.parse_reply(alphapo.Operation.INVOICES_CREATE, 200, seed)
    assert inv.amount == "0.106.75000000" and isinstance(inv.amount, str)
    assert inv.malformed == ("amount",)
    assert inv.sender_amount == Decimal("0.00001")  # an exponent written out exactly
    assert inv.end_user_reference == "12345" and inv.fixed_at == 1592307241
    assert inv.raw["extra"] == Decimal("0.1") and inv.raw_body == seed
    with pytest.raises(alphapo.ServerError) as e:
        alphapo.parse_reply(alphapo.Operation.PING, 502, b"<html>Bad Gateway</html>")
    assert e.value.raw_body == b"<html>Bad Gateway</html>" and e.value.http_status == 502


# --- amounts -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "value, wire",
    [
        (Decimal("106.75"), "106.75"),
        (Decimal("0.10"), "0.10"),
        (Decimal("1E+2"), "100"),
        (Decimal("1E-8"), "0.00000001"),
        (Decimal("123456789012345.678901234567890"), "123456789012345.678901234567890"),
        (7, "7"),
        ("0.1", "0.1"),
    ],
)
def test_amounts_keep_their_digits(value, wire):
    with alphapo.Client(KEY, SECRET, base_url="http://127.0.0.1:9/api/v2") as client:
        p = client.prepare_create_invoice(**invoice_fields(amount=value))
    assert f'"amount":{wire},'.encode() in p.body


@pytest.mark.parametrize("value", [0.1, 1.0, True, False])
def test_float_and_bool_amounts_are_refused(client, value):
    with pytest.raises(TypeError) as e:
        client.create_invoice(**invoice_fields(amount=value))
    if isinstance(value, float):
        assert "float" in str(e.value) and "Decimal" in str(e.value)
    with pytest.raises(TypeError):
        client.calculate_exchange(
            sender_currency="BTC", receiver_currency="EUR", sender_amount=value
        )


@pytest.mark.parametrize(
    "value",
    [
        Decimal("NaN"),
        Decimal("Infinity"),
        Decimal("-Infinity"),
        Decimal("sNaN"),
        Decimal("-1"),
        "0",
        "1e5",
        "abc",
    ],
)
def test_bad_amounts_are_validation_errors(client, value):
    with pytest.raises(alphapo.ValidationError) as e:
        client.create_invoice(**invoice_fields(amount=value))
    assert "amount" in e.value.fields


def test_quirky_replies_still_give_decimals(client, faults):
    faults.ok(
        "POST",
        "/quirks",
        {
            "quirks": [
                "amounts_as_numbers",
                "end_user_reference_as_number",
                "invoice_foreign_id_as_number",
                "invoice_create_201",
            ]
        },
    )
    accounts = client.list_accounts()
    assert b'"balance":"' not in accounts.raw_body  # numbers on the wire
    assert all(isinstance(a.balance, Decimal) for a in accounts)
    fields = invoice_fields(
        foreign_id="9"
        + unique("")[1:].replace("-", "")[:10].translate(str.maketrans("abcdef", "123456")),
        end_user_reference="4242",
    )
    inv = client.create_invoice(**fields)
    assert inv.http_status == 201
    assert inv.foreign_id == fields["foreign_id"] and inv.end_user_reference == "4242"
    assert isinstance(inv.amount, Decimal)
