"""Records on the ``alphapo`` logger: one DEBUG record per call, a WARNING for an unknown
outcome, nothing secret or personal in any record, and silence when logging is not
configured."""

from __future__ import annotations

import logging
import re
import time
from typing import Iterator, List

import pytest

import alphapo
from alphapo import _log
from alphapo_test_support import (
    HEADER, KEY, SECRET, alphapo_records, invoice_fields, run_python, run_readme_example, unique,
    withdrawal_fields,
)

SIGNATURE = re.compile(r"[0-9a-fA-F]{128}")


@pytest.fixture
def records() -> Iterator[List[logging.LogRecord]]:
    with alphapo_records(logging.DEBUG) as got:
        yield got


def _withdrawal(fid: str) -> dict:
    return withdrawal_fields(fid, end_user_reference="customer-secret-ref-1")


def test_the_logger_has_a_null_handler():
    handlers = logging.getLogger("alphapo").handlers
    assert any(isinstance(h, logging.NullHandler) for h in handlers)


def test_one_debug_record_per_call_naming_the_operation(sandbox, records):
    fields = invoice_fields(end_user_reference="customer-secret-ref-2")
    with sandbox.client(max_retries=0) as c:
        c.ping()
        c.list_accounts()
        invoice = c.create_invoice(**fields)
        c.request("/accounts/list?x=1", {})
        c.send(c.prepare_list_accounts())
        assert c.reconcile(f"never-{unique()}") is None
        with pytest.raises(alphapo.ValidationError):
            c.create_invoice(title="")
    assert invoice.foreign_id == fields["foreign_id"]
    debug = [r for r in records if r.levelno == logging.DEBUG]
    got = [(r.operation, r.method, r.path, r.http_status, r.status) for r in debug]  # type: ignore[attr-defined]
    assert got == [
        ("ping", "GET", "/ping", 200, "OK"),
        ("list_accounts", "POST", "/accounts/list", 200, "OK"),
        ("create_invoice", "POST", "/invoices/create", 200, "OK"),
        ("request", "POST", "/accounts/list", 200, "OK"),
        ("send", "POST", "/accounts/list", 200, "OK"),
        ("reconcile", "GET", "/transactions/info", 404, "OK"),
        ("create_invoice", "POST", "/invoices/create", None, "VALIDATION"),
    ]
    for r in debug:
        assert r.name == "alphapo"
        assert r.operation in r.getMessage()  # type: ignore[attr-defined]
        assert isinstance(r.elapsed_ms, float) and r.elapsed_ms >= 0  # type: ignore[attr-defined]
        assert "ms" in r.getMessage()
    _assert_nothing_secret(records, fields["end_user_reference"], fields["url_success"])


def test_outcome_unknown_is_a_warning_with_the_foreign_id(sandbox, faults, records):
    fid = f"py-log-lost-{time.time_ns()}"
    faults.ok("POST", "/faults", {"mode": "drop_after", "path": "/withdrawal/crypto"})
    with sandbox.client(max_retries=0) as c:
        with pytest.raises(alphapo.OutcomeUnknownError):
            c.withdraw(**_withdrawal(fid))
    warnings = [r for r in records if r.levelno == logging.WARNING]
    assert len(warnings) == 1
    w = warnings[0]
    assert w.operation == "withdraw" and w.foreign_id == fid  # type: ignore[attr-defined]
    assert w.cause == "TRANSPORT" and w.status == "OUTCOME_UNKNOWN"  # type: ignore[attr-defined]
    assert fid in w.getMessage() and "withdraw" in w.getMessage()
    debug = [r for r in records if r.levelno == logging.DEBUG]
    assert [(r.operation, r.status) for r in debug] == [("withdraw", "OUTCOME_UNKNOWN")]  # type: ignore[attr-defined]
    _assert_nothing_secret(records, "customer-secret-ref-1")


def test_no_record_holds_a_secret_a_signature_or_personal_data(sandbox, records):
    reference = f"ref-{unique()}"
    with sandbox.client(max_retries=0) as c:
        c.create_invoice(**invoice_fields(end_user_reference=reference, email_user="a@example.com"))
        prepared = c.prepare_withdraw(**_withdrawal(unique("wd")))
        c.send(prepared)
    with sandbox.client(secret="wrong-secret", max_retries=0) as bad:
        with pytest.raises(alphapo.AuthenticationError):
            bad.list_accounts()
    assert len(records) == 3
    signature = prepared.headers["X-Processing-Signature"]
    _assert_nothing_secret(
        records, reference, "a@example.com", signature, "wrong-secret", prepared.body.decode()
    )


def _assert_nothing_secret(records: List[logging.LogRecord], *personal: str) -> None:
    assert records
    for r in records:
        texts = [r.getMessage(), str(r.msg), repr(r.args), repr(sorted(vars(r).items()))]
        for text in texts:
            assert SECRET not in text and KEY not in text
            assert not SIGNATURE.search(text), text
            for value in personal:
                assert value not in text


@pytest.mark.checkout
def test_routes_match_the_header():
    text = HEADER.read_text()
    documented = {
        int(number): (method, path)
        for method, path, number in re.findall(
            r"`(GET|POST) (/[^` ]*)`[^=]*?ALPHAPO_OPERATION_\w+ = (\d+)", text, re.S
        )
    }
    derived = {int(op): _log.route(op) for op in alphapo.Operation if _log.route(op)}
    assert documented == derived
    assert set(derived) | {alphapo.Operation.GENERIC} == set(alphapo.Operation)


def test_silent_when_logging_is_not_configured(sandbox, faults):
    faults.ok("POST", "/faults", {"mode": "drop_after", "path": "/withdrawal/crypto"})
    proc = run_python(
        f"""
import alphapo
with alphapo.Client({KEY!r}, {SECRET!r}, base_url={sandbox.base_url!r}, max_retries=0) as c:
    c.ping()
    try:
        c.withdraw(currency="BTC", address="tb1qsandboxdestination0000000000000000",
                   amount="0.001", foreign_id="py-log-silent-{time.time_ns()}")
    except alphapo.OutcomeUnknownError:
        pass
    else:
        raise SystemExit("expected OutcomeUnknownError")
"""
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr == b"" and proc.stdout == b""


@pytest.mark.checkout
def test_the_readme_example(sandbox):
    stdout, stderr, expected = run_readme_example("Logging", sandbox)
    assert stdout == ""
    assert re.sub(r"in \d+\.\d ms", "in N ms", stderr) == re.sub(
        r"in \d+\.\d ms", "in N ms", expected
    )
