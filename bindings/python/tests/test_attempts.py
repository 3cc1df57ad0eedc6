"""Every result and every error carries its attempt record, read from the core."""

import logging

import pytest

import alphapo
from alphapo_test_support import unique


def test_a_retried_read_records_both_attempts_and_logs_a_warning(sandbox, faults, caplog):
    faults.ok("POST", "/faults", {"mode": "http_502", "path": "/accounts/list"})
    with caplog.at_level(logging.DEBUG, logger="alphapo"):
        with sandbox.client(max_retries=2) as c:
            accounts = c.list_accounts()
    record = accounts.attempts
    assert isinstance(record, alphapo.AttemptRecord) and record.retried
    assert [(a.status, a.http_status) for a in record] == [("SERVER", 502), ("OK", 200)]
    assert all(a.may_have_reached and a.duration >= 0 for a in record)
    assert record.total >= sum(a.duration for a in record)
    warnings = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert any("retried: SERVER 502" in r.getMessage() for r in warnings)
    debug = [r for r in caplog.records if r.levelno == logging.DEBUG]
    assert debug[-1].attempts == 2 and "2 attempt(s)" in debug[-1].getMessage()


def test_a_lost_withdrawal_records_one_attempt_that_may_have_reached(sandbox, faults):
    faults.ok("POST", "/faults", {"mode": "drop_after", "path": "/withdrawal/crypto"})
    fid = unique("py-attempts")
    with sandbox.client(max_retries=2) as c:
        with pytest.raises(alphapo.OutcomeUnknownError) as e:
            c.withdraw(
                currency="BTC",
                address="tb1qsandboxdestination0000000000000000",
                amount="0.001",
                foreign_id=fid,
                end_user_reference="customer-1",
            )
    record = e.value.attempts
    assert len(record) == 1, record
    assert record.attempts[0].status == "TRANSPORT" and record.attempts[0].may_have_reached


def test_nothing_sent_means_no_record(client):
    with pytest.raises(alphapo.ValidationError) as e:
        client.create_invoice(title="x")
    assert e.value.attempts is None
    ping = client.ping()
    assert len(ping.attempts) == 1 and ping.attempts.attempts[0].status == "OK"
