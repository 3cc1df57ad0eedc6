"""One client shared by many threads: ctypes releases the GIL, so calls really overlap."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest

import alphapo

from alphapo_test_support import invoice_fields

THREADS = 8
CALLS = 50


def test_eight_threads_fifty_invoices_each_on_one_client(sandbox, capsys):
    with sandbox.client(max_retries=0) as client:

        def work(n: int) -> list:
            out = []
            for i in range(CALLS):
                fields = invoice_fields(foreign_id=f"thr-{n}-{i}-{time.time_ns()}")
                inv = client.create_invoice(**fields)
                assert inv.foreign_id == fields["foreign_id"]
                out.append(inv.id)
            return out

        started = time.perf_counter()
        with ThreadPoolExecutor(THREADS) as pool:
            results = list(pool.map(work, range(THREADS)))
        elapsed = time.perf_counter() - started
    ids = [i for chunk in results for i in chunk]
    assert len(ids) == THREADS * CALLS and len(set(ids)) == THREADS * CALLS
    with capsys.disabled():
        print(
            f"\n  {THREADS} threads x {CALLS} create_invoice on one client: {elapsed:.2f} s "
            f"({THREADS * CALLS / elapsed:.0f} calls/s)"
        )


def test_calls_overlap_because_the_gil_is_released(sandbox, faults, capsys):
    delay_ms = 400
    faults.ok(
        "POST",
        "/faults",
        {"mode": "latency", "path": "/api/v2/ping", "count": THREADS, "ms": delay_ms},
    )
    with sandbox.client(max_retries=0) as client:
        client.list_accounts()  # warm the pool
        barrier = threading.Barrier(THREADS)

        def one(_: int) -> str:
            barrier.wait()
            return client.ping().data

        started = time.perf_counter()
        with ThreadPoolExecutor(THREADS) as pool:
            assert list(pool.map(one, range(THREADS))) == ["OK"] * THREADS
        elapsed = time.perf_counter() - started
    with capsys.disabled():
        print(
            f"\n  {THREADS} pings delayed {delay_ms} ms each, from {THREADS} threads: {elapsed:.2f} s"
        )
    # Serialized, 8 delayed calls would take 3.2 s; overlapping, about one delay.
    assert elapsed < THREADS * delay_ms / 1000 / 2, elapsed


def test_close_waits_for_calls_in_flight_then_refuses(sandbox, faults):
    faults.ok(
        "POST", "/faults", {"mode": "latency", "path": "/api/v2/ping", "count": 1, "ms": 1000}
    )
    client = sandbox.client(max_retries=0)
    result = {}

    def slow() -> None:
        result["data"] = client.ping().data

    t = threading.Thread(target=slow)
    t.start()
    deadline = time.monotonic() + 10
    while client._busy == 0:  # wait until the call is inside the library
        assert time.monotonic() < deadline
        time.sleep(0.005)
    entered = time.monotonic()
    client.close()  # must not free the client under the running call: it waits
    waited = time.monotonic() - entered
    t.join()
    assert result == {"data": "OK"}
    assert waited > 0.5, waited  # the reply was delayed by 1 s
    assert client.closed
    with pytest.raises(ValueError, match="closed"):
        client.ping()
    client.close()  # idempotent


def test_clients_and_signers_from_many_threads_at_once(sandbox):
    with sandbox.client(max_retries=0) as client, alphapo.Signer("s") as signer:
        expected = alphapo.sign("s", "body")
        errors = []

        def work(n: int) -> None:
            for i in range(20):
                try:
                    if n % 2:
                        assert signer.sign("body") == expected
                        assert client.ping().data == "OK"
                    else:
                        with pytest.raises(alphapo.ValidationError):
                            client.create_invoice(title="")
                        assert len(client.list_accounts()) > 0
                except BaseException as e:  # noqa: BLE001
                    errors.append(e)

        threads = [threading.Thread(target=work, args=(n,)) for n in range(THREADS)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    assert not errors, errors[:3]
