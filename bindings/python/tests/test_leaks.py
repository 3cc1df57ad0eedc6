"""No leak across the boundary: resident memory stays flat over many calls.

Each test warms up first (allocator pools, the connection pool, lazily built state), then
measures the resident set before and after a long run. Every owned string, response,
error, callback and prepared request must be freed for the growth to stay small.
"""

from __future__ import annotations

import gc
import os
import resource
import time
from pathlib import Path

import alphapo

from alphapo_test_support import invoice_fields

MIB = 1024 * 1024
ALLOWED_GROWTH = 2 * MIB


def rss_bytes() -> int:
    statm = Path("/proc/self/statm")
    if statm.exists():
        return int(statm.read_text().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    # Elsewhere: the peak resident size (kilobytes on Linux/BSD, bytes on macOS).
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak if os.uname().sysname == "Darwin" else peak * 1024


def measure(work, warmup: int, runs: int) -> int:
    work(warmup)
    gc.collect()
    before = rss_bytes()
    work(runs)
    gc.collect()
    return rss_bytes() - before


def report(capsys, what: str, growth: int, seconds: float) -> None:
    with capsys.disabled():
        print(f"\n  {what}: RSS growth {growth / 1024:.0f} KiB in {seconds:.1f} s")


def test_rss_flat_over_100_000_signatures(capsys):
    secret = "leak-test-secret"
    body = b'{"currency":"BTC","foreign_id":"123456"}' * 4
    expected = alphapo.sign(secret, body)
    signer = alphapo.Signer(secret)
    callback = b'{"id":1,"type":"invoice","status":"confirmed","currency_sent":{"currency":"BTC","amount":"0.1"}}'
    callback_sig = alphapo.sign_callback(secret, callback)

    def work(n: int) -> None:
        for i in range(n):
            kind = i % 4
            if kind == 0:
                assert alphapo.sign(secret, body) == expected
            elif kind == 1:
                assert signer.sign(body) == expected
            elif kind == 2:
                assert alphapo.verify(secret, body, expected)
                assert not signer.verify(body, "00")
            else:
                assert signer.parse_callback(callback, callback_sig).id == 1
                assert not signer.verify_callback(callback, expected)

    started = time.perf_counter()
    growth = measure(work, 10_000, 100_000)
    signer.close()
    report(
        capsys, "100 000 signatures/verifications/callbacks", growth, time.perf_counter() - started
    )
    assert growth <= ALLOWED_GROWTH, f"RSS grew by {growth / MIB:.1f} MiB"


def test_rss_flat_over_10_000_invoice_calls(sandbox, capsys):
    client = sandbox.client(max_retries=0)
    prefix = f"leak-{time.time_ns()}"
    counter = iter(range(10**9))

    def work(n: int) -> None:
        for i in range(n):
            k = next(counter)
            if i % 10 == 9:  # errors and prepared requests are freed too
                try:
                    client.create_invoice(title="")
                except alphapo.ValidationError as e:
                    assert "currency" in e.fields
                client.prepare_create_invoice(**invoice_fields(foreign_id=f"{prefix}-p{k}"))
            else:
                inv = client.create_invoice(**invoice_fields(foreign_id=f"{prefix}-{k}"))
                assert inv.url

    started = time.perf_counter()
    growth = measure(work, 1_000, 10_000)
    client.close()
    report(capsys, "10 000 invoice calls", growth, time.perf_counter() - started)
    assert growth <= ALLOWED_GROWTH, f"RSS grew by {growth / MIB:.1f} MiB"
