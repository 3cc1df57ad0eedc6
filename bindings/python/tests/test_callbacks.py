"""Real signed callbacks from the sandbox, received on a local http.server; and the
examples (examples/python) run against the sandbox."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
import urllib.error
import urllib.request
from decimal import Decimal
from pathlib import Path

import pytest

import alphapo

from alphapo_test_support import KEY, REPO_ROOT, SECRET, invoice_fields, unique

EXAMPLES = REPO_ROOT / "examples" / "python"


def _pay_in_full(sandbox, foreign_id: str) -> dict:
    """Pays an invoice through the control API in two parts: a first payment fixes the
    payer's currency and the amount due, the second pays what remains."""
    first = sandbox.ok("POST", f"/invoices/{foreign_id}/pay", {"amount": "0.0005"})
    return sandbox.ok("POST", f"/invoices/{foreign_id}/pay", {"amount": first["remaining_amount"]})


def test_invoice_callbacks_verify_and_parse(sandbox, client, callbacks):
    fields = invoice_fields()
    fid = fields["foreign_id"]
    invoice = client.create_invoice(**fields)
    state = _pay_in_full(sandbox, fid)
    assert state["status"] == "confirmed"

    received = []
    with alphapo.Signer(SECRET) as signer:
        while True:
            r = callbacks.wait_for(lambda r: fid.encode() in r.body)
            assert r.header("Content-Type").startswith("application/json")
            cb = r.parse(signer)
            received.append(cb)
            if cb.status == "confirmed":
                break

    statuses = [cb.status for cb in received]
    assert statuses[-1] == "confirmed" and "processing" in statuses
    keys = [cb.dedupe_key for cb in received]
    assert all(k.startswith(f"invoice:{invoice.id}:") for k in keys)
    assert len(set(keys)) == len(keys), "each status is its own event"
    assert received[-1].fully_paid and not any(cb.fully_paid for cb in received[:-1])
    last = received[-1]
    assert last.type == "invoice" and last.id == invoice.id and last.foreign_id == fid
    assert last.end_user_reference == fields["end_user_reference"]
    assert last.sent_currency == state["sender_currency"]
    assert last.sent_amount == Decimal(state["sender_amount"])
    assert last.remaining_amount == 0 and isinstance(last.remaining_amount, Decimal)
    assert last.received_currency == "EUR" and isinstance(last.received_amount, Decimal)
    assert isinstance(last.fixed_at, int) and isinstance(last.expires_at, int)
    assert last.raw["crypto_address"]["currency"] == state["sender_currency"]
    assert last.raw_body.startswith(b"{") and last.malformed == ()
    assert alphapo.verify_callback(
        last.raw_body, alphapo.sign_callback(SECRET, last.raw_body), SECRET
    )

    # A delivery repeated by the service carries the same dedupe key.
    sandbox.ok("POST", "/callbacks/repeat", {"foreign_id": fid})
    again = callbacks.wait_for(lambda r: fid.encode() in r.body)
    repeated = alphapo.parse_callback(again.body, again.header("X-Processing-Signature"), SECRET)
    assert repeated.dedupe_key == last.dedupe_key

    # The same bytes with one digit changed no longer verify.
    forged = last.raw_body.replace(b'"status":"confirmed"', b'"status":"confirmeD"')
    assert forged != last.raw_body
    with pytest.raises(alphapo.SignatureMismatchError):
        alphapo.parse_callback(forged, again.header("X-Processing-Signature"), SECRET)


def test_deposit_callback(sandbox, client, callbacks):
    customer = unique("customer")
    address = client.take_address(currency="BTC", foreign_id=customer, end_user_reference="user-9")
    sandbox.ok("POST", "/deposit", {"address": address.address, "amount": "0.01"})
    r = callbacks.wait_for(lambda r: customer.encode() in r.body)
    cb = alphapo.parse_callback(
        r.body,
        r.header("X-Processing-Signature"),
        SECRET,
        key_header=r.header("X-Processing-Key"),
        expected_key=KEY,
    )
    assert cb.type in ("deposit", "deposit_exchange")
    assert cb.raw["crypto_address"]["foreign_id"] == customer
    assert cb.sent_amount == Decimal("0.01")
    assert cb.received_amount_minus_fee is None or isinstance(cb.received_amount_minus_fee, Decimal)


def _example_env(**extra: str) -> dict:
    env = dict(os.environ)
    # The examples import the same alphapo package as these tests.
    package_parent = str(Path(alphapo.__file__).resolve().parent.parent)
    env["PYTHONPATH"] = os.pathsep.join([package_parent, env.get("PYTHONPATH", "")]).rstrip(
        os.pathsep
    )
    env.update(extra)
    return env


@pytest.mark.checkout
def test_create_invoice_example(sandbox):
    out = subprocess.run(
        [sys.executable, str(EXAMPLES / "create_invoice.py")],
        env=_example_env(ALPHAPO_BASE_URL=sandbox.base_url, ALPHAPO_KEY=KEY, ALPHAPO_SECRET=SECRET),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert out.returncode == 0, out.stderr
    assert "pay 106.75" in out.stdout and " EUR at http://127.0.0.1:" in out.stdout


@pytest.mark.checkout
@pytest.mark.parametrize("fault", [None, "drop_after"])
def test_withdraw_example(sandbox, faults, fault):
    fid = f"py-example-{fault}-{time.time_ns()}"
    if fault:
        faults.ok("POST", "/faults", {"mode": fault, "path": "/withdrawal/crypto"})
    out = subprocess.run(
        [sys.executable, str(EXAMPLES / "withdraw.py"), fid],
        env=_example_env(ALPHAPO_BASE_URL=sandbox.base_url, ALPHAPO_KEY=KEY, ALPHAPO_SECRET=SECRET),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert out.returncode == 0, out.stdout + out.stderr
    if fault:
        assert "outcome unknown (ALPHAPO_STATUS_TRANSPORT)" in out.stdout, out.stdout
        assert re.search(rf"^withdrawal {fid}: \w+ \(reconciled\)$", out.stdout, re.M), out.stdout
    else:
        assert f"withdrawal {fid}: processing" in out.stdout, out.stdout
    held = [w for w in sandbox.ok("GET", "/state")["withdrawals"] if w["foreign_id"] == fid]
    assert len(held) == 1


@pytest.mark.checkout
def test_callback_server_example(sandbox, client):
    proc = subprocess.Popen(
        [sys.executable, str(EXAMPLES / "callback_server.py"), "--until-paid"],
        env=_example_env(ALPHAPO_KEY=KEY, ALPHAPO_SECRET=SECRET),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        first = proc.stdout.readline().strip()
        assert first.startswith("listening on http://127.0.0.1:"), (first, proc.stderr.read())
        url = first.split()[-1]

        # Unsigned or forged requests get a non-200, so a real sender would retry.
        body = b'{"id":1,"type":"invoice","status":"confirmed"}'
        for signature in (None, "00" * 64, alphapo.sign_callback("wrong-secret", body)):
            headers = {"Content-Type": "application/json", "X-Processing-Key": KEY}
            if signature:
                headers["X-Processing-Signature"] = signature
            req = urllib.request.Request(url, data=body, headers=headers, method="POST")
            with pytest.raises(urllib.error.HTTPError) as e:
                urllib.request.urlopen(req, timeout=10)
            assert e.value.code == 401

        sandbox.ok("POST", "/callback-url", {"url": url})
        fields = invoice_fields()
        invoice = client.create_invoice(**fields)
        _pay_in_full(sandbox, fields["foreign_id"])
        assert proc.wait(timeout=30) == 0
        output = proc.stdout.read()
        assert f"verified invoice callback {invoice.id}: status confirmed" in output
        attempts = [
            a
            for a in sandbox.ok("GET", "/callbacks")["attempts"]
            if a["transaction_id"] == invoice.id and a["url"] == url
        ]
        assert attempts and all(a["response_status"] == 200 for a in attempts), attempts
    finally:
        sandbox.ok("POST", "/callback-url", {"url": None})
        if proc.poll() is None:
            proc.kill()
        proc.wait()
        proc.stdout.close()
        proc.stderr.close()
