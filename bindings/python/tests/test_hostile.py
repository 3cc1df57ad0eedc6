"""Hostile replies and callbacks cost time and memory linear in their size (issue: a reply of
many leaves under a long key once cost hundreds of MiB). Each case must take less than a
second and less than 32 MiB of resident memory, and never raise outside AlphaPoError."""

from __future__ import annotations

import os
import time

import pytest

import alphapo

KEY = "k" * 3000


def _rss() -> int:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def _body(values: int, size: int) -> bytes:
    ones = ",".join(["1"] * values)
    head = '{"data":{"%s":[%s],"pad":"' % (KEY, ones)
    return (head + "x" * max(0, size - len(head)) + '"}}').encode()


@pytest.mark.parametrize(
    "values, size, refused",
    [(500_000, 1_003_100, True), (190_000, 1_000_000, False)],
    ids=["half a million values", "just under the value limit"],
)
def test_a_hostile_reply_costs_little(values, size, refused):
    body = _body(values, size)
    before, start = _rss(), time.perf_counter()
    if refused:
        with pytest.raises(alphapo.DecodeError) as e:
            alphapo.parse_reply(alphapo.Operation.GENERIC, 200, body)
        assert "values" in str(e.value)
    else:
        result = alphapo.parse_reply(alphapo.Operation.GENERIC, 200, body)
        assert len(result.raw[KEY]) == values
        del result
    elapsed, grown = time.perf_counter() - start, _rss() - before
    print(f"{values} values, {len(body)} bytes: {elapsed:.3f} s, RSS +{grown / 2**20:.1f} MiB")
    assert elapsed < 1.0
    assert grown < 32 << 20


def test_a_hostile_callback_costs_little():
    secret = "s"
    for values, size in [(500_000, 1_003_100), (190_000, 1_000_000)]:
        body = _body(values, size)
        signature = alphapo.sign_callback(secret, body)
        before, start = _rss(), time.perf_counter()
        try:
            callback = alphapo.parse_callback(body, signature, secret)
            assert callback.dedupe_key
            del callback
        except alphapo.DecodeError:
            assert values > 200_000
        assert time.perf_counter() - start < 1.0
        assert _rss() - before < 32 << 20


def test_an_operation_number_out_of_range_is_refused_not_truncated():
    with pytest.raises(ValueError):
        alphapo.parse_reply(2**32 + 7, 200, b'{"data":{}}')
    with pytest.raises(ValueError):
        alphapo.parse_reply(-1, 200, b'{"data":{}}')
    with pytest.raises(ValueError):
        alphapo.Client("k", "s", environment=2**32 + 2)


def test_a_huge_integer_in_a_reply_is_kept_as_text():
    digits = "9" * 5000
    result = alphapo.parse_reply(
        alphapo.Operation.GENERIC, 200, ('{"data":{"n":%s,"small":7}}' % digits).encode()
    )
    assert result.raw["n"] == digits and result.raw["small"] == 7


def test_no_repr_shows_a_whole_signature():
    with alphapo.Client("k", "s", base_url="http://127.0.0.1:9/api/v2") as c:
        prepared = c.prepare_ping()
        invoice = c.prepare_list_accounts()
    signature = invoice.headers["X-Processing-Signature"]
    assert len(signature) == 128
    assert signature not in repr(invoice) and signature[:8] in repr(invoice)
    assert "X-Processing-Key" in repr(prepared)


def test_a_bytearray_secret_is_used_in_place():
    secret = bytearray(b"AbCdEfG123456")
    body = b'{"currency":"BTC","foreign_id":"123456"}'
    assert alphapo.sign(secret, body).startswith("03c25fcf7cd35e7d")
    with alphapo.Signer(secret) as signer:
        assert signer.sign(body).startswith("03c25fcf7cd35e7d")
    assert alphapo.verify(secret, body, alphapo.sign(secret, body))
    with alphapo.Client("k", secret, base_url="http://127.0.0.1:9/api/v2") as c:
        assert c.prepare_list_accounts().headers["X-Processing-Signature"]
    secret[:] = b"\0" * len(secret)  # the caller can wipe it: nothing kept a copy of it
    assert bytes(secret) == b"\0" * 13
