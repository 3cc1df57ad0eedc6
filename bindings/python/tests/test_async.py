"""alphapo.AsyncClient: Client's methods as coroutines on a bounded pool over one native
client. Plain pytest functions running ``asyncio.run`` (no pytest-asyncio)."""

from __future__ import annotations

import asyncio
import inspect
import logging
import time
from typing import Any, Iterator, List

import pytest

import alphapo
from alphapo_test_support import (
    KEY,
    SECRET,
    Sandbox,
    add_latency,
    alphapo_records,
    invoice_fields,
    run_python,
    run_readme_example,
    unique,
    withdrawal_fields,
)


def _public_calls(cls: type) -> set:
    return {
        name
        for name, value in inspect.getmembers(cls)
        if not name.startswith("_") and callable(value)
    }


def test_the_methods_match_the_clients():
    assert _public_calls(alphapo.AsyncClient) - {"aclose"} == _public_calls(alphapo.Client) - {
        "close"
    }
    for name in _public_calls(alphapo.Client) - {"close"}:
        method = getattr(alphapo.AsyncClient, name)
        assert inspect.iscoroutinefunction(method), name
        assert inspect.signature(method) == inspect.signature(getattr(alphapo.Client, name))
    assert "create_invoice" in _public_calls(alphapo.AsyncClient)
    assert "prepare_withdraw" in _public_calls(alphapo.AsyncClient)
    params = inspect.signature(alphapo.AsyncClient).parameters
    assert list(params) == [*inspect.signature(alphapo.Client).parameters, "max_workers"]


def test_twenty_invoices_at_once(sandbox):
    async def main() -> List[Any]:
        async with alphapo.AsyncClient(KEY, SECRET, base_url=sandbox.base_url) as client:
            return await asyncio.gather(
                *(client.create_invoice(**invoice_fields()) for _ in range(20))
            )

    invoices = asyncio.run(main())
    assert len(invoices) == 20
    assert all(isinstance(i, alphapo.Invoice) for i in invoices)
    ids = {i.foreign_id for i in invoices}
    assert len(ids) == 20
    held = {i["foreign_id"] for i in sandbox.ok("GET", "/state")["invoices"]}
    assert ids <= held


def test_errors_are_the_same_exception_classes(sandbox, faults):
    fid = unique("py-async-lost")
    faults.ok("POST", "/faults", {"mode": "drop_after", "path": "/withdrawal/crypto"})

    async def main() -> None:
        async with alphapo.AsyncClient(
            KEY, SECRET, base_url=sandbox.base_url, max_retries=0
        ) as client:
            with pytest.raises(alphapo.ValidationError) as v:
                await client.create_invoice(title="")
            assert "currency" in v.value.fields
            with pytest.raises(alphapo.OutcomeUnknownError) as e:
                await client.withdraw(**withdrawal_fields(fid))
            assert e.value.foreign_id == fid
            assert e.value.cause == alphapo.Status.TRANSPORT
            found = await client.reconcile(fid)
            assert isinstance(found, alphapo.Transaction) and found.foreign_id == fid
            with pytest.raises(TypeError):
                await client.create_invoice(amount=1.5)
        async with alphapo.AsyncClient(KEY, "wrong", base_url=sandbox.base_url) as bad:
            with pytest.raises(alphapo.AuthenticationError):
                await bad.list_accounts()

    asyncio.run(main())


@pytest.fixture
def warnings() -> Iterator[List[logging.LogRecord]]:
    with alphapo_records(logging.WARNING) as got:
        yield got


def test_a_cancelled_withdrawal_still_completes_and_is_logged(sandbox, faults, warnings):
    fid = unique("py-async-cancel")
    add_latency(faults, "/withdrawal/crypto", 600)

    async def main() -> None:
        async with alphapo.AsyncClient(KEY, SECRET, base_url=sandbox.base_url) as client:
            task = asyncio.ensure_future(client.withdraw(**withdrawal_fields(fid)))
            await asyncio.sleep(0.2)  # the call is running in the pool by now
            task.cancel()
            with pytest.raises(asyncio.CancelledError):
                await task
            assert not [r for r in warnings if getattr(r, "foreign_id", None) == fid]
        # aclose waited for the call in flight; it completed and was recorded.

    asyncio.run(main())
    mine = [r for r in warnings if getattr(r, "foreign_id", None) == fid]
    assert len(mine) == 1, [r.getMessage() for r in warnings]
    record = mine[0]
    assert record.levelno == logging.WARNING and record.name == "alphapo"
    assert record.operation == "withdraw" and record.status == "OK"  # type: ignore[attr-defined]
    assert "cancelled" in record.getMessage() and fid in record.getMessage()
    held = [w for w in sandbox.ok("GET", "/state")["withdrawals"] if w["foreign_id"] == fid]
    assert len(held) == 1, "the cancelled withdrawal was applied"


def test_a_queued_call_cancelled_before_it_starts_is_never_sent(sandbox, faults, warnings):
    fid = unique("py-async-queued")
    add_latency(faults, "/ping", 500)

    async def main() -> None:
        async with alphapo.AsyncClient(
            KEY, SECRET, base_url=sandbox.base_url, max_workers=1
        ) as client:
            slow = asyncio.ensure_future(client.ping())
            await asyncio.sleep(0.1)
            queued = asyncio.ensure_future(client.withdraw(**withdrawal_fields(fid)))
            await asyncio.sleep(0.05)
            queued.cancel()
            with pytest.raises(asyncio.CancelledError):
                await queued
            await slow

    asyncio.run(main())
    assert not [w for w in sandbox.ok("GET", "/state")["withdrawals"] if w["foreign_id"] == fid]
    assert not [r for r in warnings if getattr(r, "foreign_id", None) == fid]


def test_the_pool_is_bounded(sandbox, faults):
    add_latency(faults, "/ping", 300, count=4)

    async def main() -> float:
        async with alphapo.AsyncClient(
            KEY, SECRET, base_url=sandbox.base_url, max_workers=2
        ) as client:
            start = time.monotonic()
            await asyncio.gather(*(client.ping() for _ in range(4)))
            return time.monotonic() - start

    elapsed = asyncio.run(main())
    # Each ping waits 300 ms in the sandbox: four at once would end in about 0.3 s; two
    # workers need two rounds. Only the lower bound is asserted (load only slows it down).
    assert elapsed > 0.55, elapsed


def test_lifecycle(sandbox):
    async def main() -> None:
        client = alphapo.AsyncClient(KEY, SECRET, base_url=sandbox.base_url)
        assert "AsyncClient" in repr(client) and not client.closed
        prepared = await client.prepare_ping()
        assert isinstance(prepared, alphapo.PreparedRequest)
        assert (await client.send(prepared)).data == "OK"
        pending = asyncio.ensure_future(client.ping())
        await asyncio.sleep(0)
        await client.aclose()
        assert client.closed
        assert (await pending).data == "OK"  # aclose waited for it
        with pytest.raises(ValueError):
            await client.ping()
        await client.aclose()  # again: nothing

    asyncio.run(main())
    with pytest.raises(ValueError):
        alphapo.AsyncClient(KEY, SECRET, max_workers=0)


@pytest.mark.checkout
def test_the_readme_example():
    own = Sandbox()  # the example's foreign_ids are fixed: a sandbox of its own
    try:
        stdout, stderr, expected = run_readme_example("asyncio", own)
    finally:
        own.stop()
    assert (stdout, stderr) == (expected, "")


def test_failed_calls_left_behind_print_nothing(sandbox):
    # gather raises the first failure; aclose then waits for the others, whose failures
    # must not surface as "Future exception was never retrieved".
    proc = run_python(
        f"""
import asyncio, alphapo
async def main():
    async with alphapo.AsyncClient({KEY!r}, "wrong", base_url={sandbox.base_url!r}) as c:
        await asyncio.gather(*(c.list_accounts() for _ in range(6)))
try:
    asyncio.run(main())
except alphapo.AuthenticationError:
    pass
"""
    )
    assert (proc.returncode, proc.stdout, proc.stderr) == (0, b"", b"")
