"""Stress from Python (issue 8, figures in RELIABILITY.md): 16 threads share one Client for
mixed calls; every call returns or raises the exception of its documented status; the
sandbox sees exactly the requests sent; no exception shows the secret or a signature; a
panic inside the core, from many threads at once, is a PanicError and the process goes on.

``ALPHAPO_STRESS_CALLS`` sets the calls per thread (default 1000).
"""

from __future__ import annotations

import os
import re
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Callable, Dict, List, Tuple

import alphapo
from alphapo import _errors, _ffi

from alphapo_test_support import SECRET, invoice_fields, unique

THREADS = 16
CALLS = int(os.environ.get("ALPHAPO_STRESS_CALLS", "1000"))
HEX_RUN = re.compile(r"[0-9a-fA-F]{128}")

# kind -> (sends a request?, the call, the exception class expected or None, also allowed)
Kind = Tuple[bool, Callable[[alphapo.Client, int, int], Any], Any, Any]


def _kinds(run: str, prepared: Any) -> List[Kind]:
    def verify_prepared(c: alphapo.Client, t: int, i: int) -> None:
        p = c.prepare_take_address(currency="BTC", foreign_id=f"p-{t}-{i}")
        assert alphapo.verify(SECRET, p.body, p.headers["X-Processing-Signature"])

    return [
        (True, lambda c, t, i: c.ping(), None, None),
        (True, lambda c, t, i: c.list_accounts(), None, None),
        (True, lambda c, t, i: c.list_currencies(visible=True), None, None),
        (
            True,
            lambda c, t, i: c.currency_rates(currency_from="BTC", currency_to="EUR"),
            None,
            None,
        ),
        (
            True,
            lambda c, t, i: c.create_invoice(**invoice_fields(foreign_id=f"pys-{run}-{t}-{i}")),
            None,
            None,
        ),
        (True, lambda c, t, i: c.transaction_info(id=987654321), alphapo.ApiError, None),
        (
            True,
            lambda c, t, i: c.calculate_exchange(
                sender_currency="BTC", receiver_currency="EUR", sender_amount="0.01"
            ),
            None,
            alphapo.RateLimitError,  # 30 a minute per IP (documented), then 429
        ),
        (
            False,
            lambda c, t, i: c.create_invoice(title="", currency="eur", amount="-1", foreign_id="x"),
            alphapo.ValidationError,
            None,
        ),
        (False, verify_prepared, None, None),
        (True, lambda c, t, i: c.send(prepared), None, None),
    ]


def test_sixteen_threads_of_mixed_calls_on_one_client(sandbox, faults, capsys):
    run = unique("s")
    before = sandbox.ok("GET", "/state")["requests"]["total"]
    with sandbox.client(max_retries=0) as client:
        kinds = _kinds(run, client.prepare_list_accounts())

        def work(t: int) -> Dict[str, Any]:
            tally: Counter = Counter()
            problems: List[str] = []
            errors: List[BaseException] = []
            for i in range(CALLS):
                k = (i + t) % len(kinds)
                sends, fn, expected, allowed = kinds[k]
                tally[f"kind{k}"] += 1
                tally["network"] += sends
                try:
                    fn(client, t, i)
                    if expected is not None:
                        problems.append(f"kind {k}: succeeded, expected {expected.__name__}")
                    tally["ok"] += 1
                except alphapo.AlphaPoError as e:
                    errors.append(e)
                    if expected is not None and type(e) is expected:
                        tally["documented"] += 1
                    elif allowed is not None and type(e) is allowed:
                        tally["documented"] += 1
                        tally["rate_limited"] += 1
                    else:
                        problems.append(f"kind {k}: {e!r}")
                except Exception as e:  # noqa: BLE001 - anything else is a failure
                    problems.append(f"kind {k}: {type(e).__name__}: {e}")
            return {"tally": tally, "problems": problems, "errors": errors}

        started = time.perf_counter()
        with ThreadPoolExecutor(THREADS) as pool:
            results = list(pool.map(work, range(THREADS)))
        elapsed = time.perf_counter() - started
    after = sandbox.ok("GET", "/state")["requests"]["total"]

    total: Counter = Counter()
    problems: List[str] = []
    errors: List[BaseException] = []
    for r in results:
        total.update(r["tally"])
        problems += r["problems"]
        errors += r["errors"]
    calls = THREADS * CALLS
    with capsys.disabled():
        print(
            f"\n  {THREADS} threads x {CALLS} mixed calls on one client: {elapsed:.1f} s "
            f"({calls / elapsed:.0f} calls/s); {total['ok']} OK, {total['documented']} documented "
            f"errors ({total['rate_limited']} of them 429), {len(problems)} unexpected; "
            f"{total['network']} requests sent, the sandbox counted {after - before}"
        )
    assert not problems, problems[:10]
    assert total["ok"] + total["documented"] == calls
    assert after - before == total["network"]
    assert all(total[f"kind{k}"] > 0 for k in range(10))

    # No exception raised during the run shows the secret or a full signature.
    for e in errors:
        assert isinstance(e, alphapo.AlphaPoError)
        shown = " ".join(
            [str(e), repr(e), repr(e.fields), str(e.code), e.raw_body.decode("utf-8", "replace")]
        )
        assert SECRET not in shown, shown
        assert not HEX_RUN.search(shown), shown


def test_panics_from_many_threads_are_panic_errors_and_the_process_lives_on():
    per_thread = 5

    def panic_many(_: int) -> int:
        caught = 0
        for _ in range(per_thread):
            slot = _errors.ErrorSlot()
            status = _ffi.lib.alphapo_test_panic(slot.ref)
            assert status == alphapo.Status.PANIC
            try:
                slot.check(status)
            except alphapo.PanicError as e:
                assert e.status == alphapo.Status.PANIC and "deliberate panic" in e.message
                caught += 1
        return caught

    barrier = threading.Barrier(THREADS)

    def run(n: int) -> int:
        barrier.wait()
        return panic_many(n)

    with ThreadPoolExecutor(THREADS) as pool:
        assert sum(pool.map(run, range(THREADS))) == THREADS * per_thread
    # Still alive, still right.
    assert alphapo.sign("AbCdEfG123456", '{"currency":"BTC","foreign_id":"123456"}') == (
        "03c25fcf7cd35e7d995e402cd5d51edd72d48e1471e865907967809a0c189ba55b90815f20e2bb10f82c7a9e9"
        "d865546fda58989c2ae9e8e2ff7bc29195fa1ec"
    )
