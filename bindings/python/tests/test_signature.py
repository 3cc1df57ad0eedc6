"""Signing, verification and callbacks without the network."""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
from decimal import Decimal

import pytest

import alphapo

VECTOR_SECRET = "AbCdEfG123456"
VECTOR_BODY = '{"currency":"BTC","foreign_id":"123456"}'
VECTOR_SIGNATURE = (
    "03c25fcf7cd35e7d995e402cd5d51edd72d48e1471e865907967809a0c189ba5"
    "5b90815f20e2bb10f82c7a9e9d865546fda58989c2ae9e8e2ff7bc29195fa1ec"
)


def test_official_vector():
    assert alphapo.sign(VECTOR_SECRET, VECTOR_BODY) == VECTOR_SIGNATURE
    assert alphapo.sign(VECTOR_SECRET.encode(), VECTOR_BODY.encode()) == VECTOR_SIGNATURE
    assert (
        alphapo.sign(bytearray(b"AbCdEfG123456"), memoryview(VECTOR_BODY.encode()))
        == VECTOR_SIGNATURE
    )
    with alphapo.Signer(VECTOR_SECRET) as signer:
        assert signer.sign(VECTOR_BODY) == VECTOR_SIGNATURE
        assert signer.verify(VECTOR_BODY, VECTOR_SIGNATURE)


def test_matches_an_independent_hmac():
    # An independent implementation (the standard library), as a merchant's test would.
    for secret, body in [(b"", b""), (b"k", b"\x00\xff binary \x00"), ("é", "ü" * 5000)]:
        key = secret.encode() if isinstance(secret, str) else secret
        data = body.encode() if isinstance(body, str) else body
        expected = hmac.new(key, data, hashlib.sha512).hexdigest()
        assert alphapo.sign(secret, body) == expected


def test_verify():
    assert alphapo.verify(VECTOR_SECRET, VECTOR_BODY, VECTOR_SIGNATURE)
    assert alphapo.verify(VECTOR_SECRET, VECTOR_BODY, VECTOR_SIGNATURE.upper())
    assert alphapo.verify(VECTOR_SECRET, VECTOR_BODY, VECTOR_SIGNATURE.encode())
    assert not alphapo.verify(VECTOR_SECRET, VECTOR_BODY + " ", VECTOR_SIGNATURE)
    assert not alphapo.verify("other", VECTOR_BODY, VECTOR_SIGNATURE)
    assert not alphapo.verify(VECTOR_SECRET, VECTOR_BODY, VECTOR_SIGNATURE[:-1])
    assert not alphapo.verify(VECTOR_SECRET, VECTOR_BODY, "zz" * 64)
    assert not alphapo.verify(VECTOR_SECRET, VECTOR_BODY, "")
    assert not alphapo.verify(VECTOR_SECRET, VECTOR_BODY, None)


def test_types_are_checked():
    with pytest.raises(TypeError, match="raw body"):
        alphapo.verify(VECTOR_SECRET, json.loads(VECTOR_BODY), VECTOR_SIGNATURE)
    with pytest.raises(TypeError):
        alphapo.sign(None, VECTOR_BODY)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        alphapo.sign(VECTOR_SECRET, 12)  # type: ignore[arg-type]


def test_signer_is_closed_once_and_refuses_use_afterwards():
    signer = alphapo.Signer("s")
    assert not signer.closed
    signer.close()
    signer.close()
    assert signer.closed
    with pytest.raises(ValueError, match="closed"):
        signer.sign("x")


def test_signer_from_many_threads():
    signer = alphapo.Signer(VECTOR_SECRET)
    errors = []

    def work() -> None:
        for _ in range(2000):
            if signer.sign(VECTOR_BODY) != VECTOR_SIGNATURE:
                errors.append("wrong signature")

    threads = [threading.Thread(target=work) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    signer.close()
    assert not errors


def test_signer_closed_while_other_threads_sign():
    # sign() takes a fast path (no argtypes, no lock): close() must still wait for the
    # calls in flight, and every later call must refuse, never touch the freed handle.
    for _ in range(20):
        signer = alphapo.Signer(VECTOR_SECRET)
        outcomes: list[object] = []
        start = threading.Event()

        def work() -> None:
            start.wait()
            for _ in range(300):
                try:
                    outcomes.append(signer.sign(VECTOR_BODY) == VECTOR_SIGNATURE)
                except ValueError as e:
                    assert "closed" in str(e)
                    outcomes.append("closed")

        threads = [threading.Thread(target=work) for _ in range(4)]
        for t in threads:
            t.start()
        start.set()
        signer.close()
        for t in threads:
            t.join()
        assert False not in outcomes
        assert signer.closed
        with pytest.raises(ValueError, match="closed"):
            signer.sign(VECTOR_BODY)


def test_signer_signs_every_body_type_and_size():
    raw = VECTOR_BODY.encode()
    with alphapo.Signer(VECTOR_SECRET) as signer:
        for body in (raw, VECTOR_BODY, bytearray(raw), memoryview(raw)):
            assert signer.sign(body) == VECTOR_SIGNATURE
        for n in (0, 1, 127, 128, 129, 4095, 4096, 4097, 1 << 20):
            body = bytes(range(256)) * (n // 256) + bytes(n % 256)
            expected = hmac.new(VECTOR_SECRET.encode(), body, hashlib.sha512).hexdigest()
            assert signer.sign(body) == expected, n


INVOICE_CALLBACK = (
    b'{"id": 588, "foreign_id": "8FW1KI7LesB9yxWcK1K", "end_user_reference": 12345, "type": "invoice",\n'
    b' "crypto_address": {"id": 386897, "currency": "BTC", "address": "2Mvo", "tag": null},\n'
    b' "currency_sent": {"currency": "BTC", "amount": "0.02000000", "remaining_amount": 0},\n'
    b' "currency_received": {"currency": "BTC", "amount": 0.02, "amount_minus_fee": "0.106.7"},\n'
    b' "transactions": [{"id": 750294, "amount": "0.01000000", "txid": "528d", "confirmations": "1"}],\n'
    b' "fees": [{"type": "fee_crypto_deposit", "currency": "BTC", "amount": "0.0008"}],\n'
    b' "error": "", "status": "confirmed", "fixed_at": 1592307241, "expires_at": 1592394104,\n'
    b' "brand_new_field": 1.5}'
)


def test_parse_callback_offline():
    secret = "merchant-secret"
    sig = alphapo.sign_callback(secret, INVOICE_CALLBACK)
    cb = alphapo.parse_callback(INVOICE_CALLBACK, sig, secret, key_header="k", expected_key="k")
    assert cb.id == 588
    assert cb.type == "invoice"
    assert cb.status == "confirmed"
    assert cb.dedupe_key == "invoice:588:confirmed:750294:0:"
    assert cb.fully_paid
    assert cb.foreign_id == "8FW1KI7LesB9yxWcK1K"
    assert cb.end_user_reference == "12345"  # a number on the wire, text here
    assert cb.sent_currency == "BTC"
    assert cb.sent_amount == Decimal("0.02000000")
    assert isinstance(cb.sent_amount, Decimal)
    assert cb.received_amount == Decimal("0.02")
    assert cb.remaining_amount == Decimal("0")
    assert cb.fixed_at == 1592307241 and cb.expires_at == 1592394104
    assert cb.error is None
    # A malformed amount stays exactly as received, as str, and is listed.
    assert cb.received_amount_minus_fee == "0.106.7"
    assert "currency_received.amount_minus_fee" in cb.malformed
    assert cb.raw["transactions"][0]["confirmations"] == 1
    assert cb.raw["brand_new_field"] == Decimal("1.5")  # unknown fields kept, never float
    assert cb.raw_body == INVOICE_CALLBACK
    assert alphapo.verify_callback(INVOICE_CALLBACK, sig, secret)


def test_callback_refusals():
    secret = "merchant-secret"
    sig = alphapo.sign_callback(secret, INVOICE_CALLBACK)
    tampered = INVOICE_CALLBACK.replace(b"0.02000000", b"2.00000000")
    with pytest.raises(alphapo.SignatureMismatchError) as e:
        alphapo.parse_callback(tampered, sig, secret)
    assert e.value.status == alphapo.Status.SIGNATURE_MISMATCH
    assert sig not in str(e.value)
    assert not alphapo.verify_callback(tampered, sig, secret)
    assert not alphapo.verify_callback(INVOICE_CALLBACK, None, secret)
    with pytest.raises(alphapo.SignatureMismatchError):
        alphapo.parse_callback(INVOICE_CALLBACK, None, secret)
    # The key header, when the merchant asks for it to be checked.
    assert alphapo.verify_callback(INVOICE_CALLBACK, sig, secret, key_header="k", expected_key="k")
    assert not alphapo.verify_callback(
        INVOICE_CALLBACK, sig, secret, key_header="x", expected_key="k"
    )
    # An absent key header is not checked (the current docs name only the signature).
    assert alphapo.verify_callback(INVOICE_CALLBACK, sig, secret, expected_key="k")
    assert not alphapo.verify_callback(
        INVOICE_CALLBACK, sig, secret, key_header="k\x00tail", expected_key="k"
    )
    with pytest.raises(alphapo.SignatureMismatchError, match="Key"):
        alphapo.parse_callback(INVOICE_CALLBACK, sig, secret, key_header="x", expected_key="k")


def test_callback_body_must_be_raw():
    secret = "merchant-secret"
    sig = alphapo.sign_callback(secret, INVOICE_CALLBACK)
    parsed = json.loads(INVOICE_CALLBACK)
    with pytest.raises(TypeError, match="raw body.*get_data"):
        alphapo.parse_callback(parsed, sig, secret)
    with pytest.raises(TypeError, match="raw body"):
        alphapo.verify_callback([parsed], sig, secret)
    # A str body is its UTF-8 bytes.
    assert alphapo.parse_callback(INVOICE_CALLBACK.decode(), sig, secret).id == 588


def test_verified_but_unparseable_callback_is_a_decode_error():
    secret = "merchant-secret"
    for body in (b"not json", b"[1, 2]"):
        with pytest.raises(alphapo.DecodeError) as e:
            alphapo.parse_callback(body, alphapo.sign_callback(secret, body), secret)
        assert e.value.raw_body == body
        assert e.value.http_status is None


def test_signer_parses_callbacks_from_threads():
    secret = "merchant-secret"
    sig = alphapo.sign_callback(secret, INVOICE_CALLBACK)
    results = []
    with alphapo.Signer(secret) as signer:

        def work() -> None:
            for _ in range(200):
                results.append(signer.parse_callback(INVOICE_CALLBACK, sig).dedupe_key)

        threads = [threading.Thread(target=work) for _ in range(4)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    assert results == ["invoice:588:confirmed:750294:0:"] * 800
