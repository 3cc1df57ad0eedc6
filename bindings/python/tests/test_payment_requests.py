"""Payment requests (``POST /api/payments/v1/requests``) against the sandbox: created, paid,
failed and expired, their callbacks verified and parsed, and a lost reply never repeated."""

import re
import time
from decimal import Decimal

import pytest

import alphapo
from alphapo_test_support import SECRET, unique

UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")


def _fields(foreign_id, **extra):
    fields = {
        "amount": Decimal("100.00"),
        "currency": {"iso": "EUR"},
        "life_time_duration": 3600,
        "foreign_id": foreign_id,
        "description": "Order " + foreign_id,
        "url_store": "https://shop.example.com/cart",
    }
    fields.update(extra)
    return fields


def test_a_created_request_has_a_uuid_and_a_payment_link(client):
    fid = unique("pr")
    pr = client.create_payment_request(**_fields(fid))
    assert isinstance(pr, alphapo.PaymentRequest)
    assert UUID.match(pr.id), pr.id
    assert pr.payment_link and pr.payment_link.startswith("http")
    assert pr.status == "created"
    assert pr.amount == Decimal("100.00") and pr.currency == "EUR"
    assert pr.foreign_id == fid and isinstance(pr.life_time, int)


def test_bad_input_is_refused_before_anything_is_sent(sandbox, client):
    before = sandbox.ok("GET", "/state")["requests"]["total"]
    with pytest.raises(TypeError, match="float"):
        client.create_payment_request(**_fields(unique("pr"), amount=100.5))
    with pytest.raises(alphapo.ValidationError) as e:
        client.create_payment_request(
            amount="1", currency={"iso": "EUR"}, foreign_id=unique("pr")
        )
    assert "life_time_duration" in e.value.fields
    assert sandbox.ok("GET", "/state")["requests"]["total"] == before


def _callbacks_until(callbacks, signer, pr_id, status):
    got = []
    while True:
        r = callbacks.wait_for(lambda r: pr_id.encode() in r.body)
        cb = r.parse(signer)
        got.append(cb)
        if cb.status == status:
            return got


def test_paid_failed_and_expired_callbacks_verify_and_parse(sandbox, client, callbacks):
    paid = client.create_payment_request(**_fields(unique("pr-paid")))
    short = client.create_payment_request(**_fields(unique("pr-short")))
    idle = client.create_payment_request(**_fields(unique("pr-idle")))
    sandbox.ok("POST", f"/payment-requests/{paid.id}/pay", {})
    sandbox.ok("POST", f"/payment-requests/{short.id}/pay", {"amount": "0.0001"})
    sandbox.ok("POST", f"/payment-requests/{short.id}/expire", {})
    sandbox.ok("POST", f"/payment-requests/{idle.id}/expire", {})
    with alphapo.Signer(SECRET) as signer:
        paid_cbs = _callbacks_until(callbacks, signer, paid.id, "paid")
        short_cbs = _callbacks_until(callbacks, signer, short.id, "failed")
        idle_cbs = _callbacks_until(callbacks, signer, idle.id, "expired")
    last = paid_cbs[-1]
    assert last.type == "payment_request" and last.payment_request_id == paid.id
    assert last.fully_paid and last.foreign_id == paid.foreign_id
    assert last.requested_amount == Decimal("100") and last.requested_currency == "EUR"
    assert isinstance(last.sent_amount, Decimal) and last.sent_currency
    assert last.transactions and all(isinstance(t.amount, Decimal) for t in last.transactions)
    assert all(t.txid and t.currency == last.sent_currency for t in last.transactions)
    assert not short_cbs[-1].fully_paid and not idle_cbs[-1].fully_paid
    keys = [cb.dedupe_key for cb in paid_cbs + short_cbs + idle_cbs]
    assert len(keys) == len(set(keys)), keys
    assert all(k.startswith("payment_request:") for k in keys)


def test_a_lost_reply_is_outcome_unknown_and_the_sandbox_holds_one_request(sandbox, faults):
    fid = unique("pr-lost")
    faults.ok("POST", "/faults", {"mode": "drop_after", "path": "/api/payments/v1/requests"})
    with sandbox.client(max_retries=2) as c:
        with pytest.raises(alphapo.OutcomeUnknownError) as e:
            c.create_payment_request(**_fields(fid))
    assert e.value.foreign_id == fid
    held = [p for p in sandbox.ok("GET", "/state")["payment_requests"] if p["foreign_id"] == fid]
    assert len(held) == 1


def test_the_generic_call_reaches_the_payments_api(client):
    fid = unique("pr-generic")
    body = {"amount": "50", "currency": {"iso": "EUR"}, "life_time_duration": 600, "foreign_id": fid}
    reply = client.request("/api/payments/v1/requests", body)
    assert reply.http_status == 200 and reply.raw["foreign_id"] == fid
    with pytest.raises(alphapo.InvalidArgumentError):
        client.request("/api/../v2/ping", {})
