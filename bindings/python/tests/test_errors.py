"""Every exception class, each from a real failure (sandbox faults, local servers, the
library's own checks), carrying the details of the C error object."""

from __future__ import annotations

import builtins
import ctypes
import http.server
import socket
import threading
import time
from contextlib import contextmanager
from typing import Iterator

import pytest

import alphapo
from alphapo import _errors, _ffi

from alphapo_test_support import KEY, SECRET, invoice_fields, withdrawal_fields


def _attributes_present(e: alphapo.AlphaPoError) -> None:
    for name in ("status", "http_status", "code", "message", "fields", "raw_body"):
        assert hasattr(e, name), name
    assert isinstance(e.raw_body, bytes) and isinstance(e.fields, dict)
    assert isinstance(e.message, str) and e.message and str(e) == e.message
    assert SECRET not in e.message


def test_validation_error_lists_every_field_and_sends_nothing(sandbox, client):
    before = sandbox.ok("GET", "/state")["requests"]["total"]
    with pytest.raises(alphapo.ValidationError) as e:
        client.create_invoice(title="x" * 51, url_success="http://shop.example.com/ok")
    err = e.value
    _attributes_present(err)
    assert err.status == alphapo.Status.VALIDATION and isinstance(err, ValueError)
    assert {"title", "currency", "amount", "foreign_id", "url_success"} <= set(err.fields)
    assert err.http_status is None and err.raw_body == b"" and err.code is None
    assert sandbox.ok("GET", "/state")["requests"]["total"] == before  # nothing was sent


def test_unknown_fields_are_refused_by_the_core(client):
    with pytest.raises(alphapo.ValidationError) as e:
        client.transaction_info(id=1, foreign_id="x")
    assert "id" in e.value.fields
    with pytest.raises(alphapo.ValidationError) as e:
        client.create_invoice(**invoice_fields(timer="yes"))
    assert e.value.fields["timer"]


def test_invalid_argument_errors():
    for kwargs in (
        {"base_url": "ftp://example.com/api/v2"},
        {"base_url": "http://example.com/api/v2"},
        {"environment": 99},
        {"max_retries": 11},
        {"app_info": "bad\nvalue"},
        {"ca_file": "/nonexistent/ca.pem"},
    ):
        with pytest.raises(alphapo.InvalidArgumentError) as e:
            alphapo.Client(KEY, SECRET, **kwargs)
        assert e.value.status == alphapo.Status.INVALID_ARGUMENT, kwargs
        _attributes_present(e.value)
    with alphapo.Client(KEY, SECRET, base_url="http://127.0.0.1:9/api/v2") as c:
        with pytest.raises(alphapo.InvalidArgumentError, match="path"):
            c.request("/../../etc")
        with pytest.raises(alphapo.InvalidArgumentError):
            c.request("/x", method="DELETE")
    # Plain http to a non-loopback host only when explicitly allowed.
    alphapo.Client(
        KEY, SECRET, base_url="http://example.com/api/v2", allow_insecure_http=True
    ).close()
    # Python-side argument errors.
    with pytest.raises(ValueError):
        alphapo.Client(KEY, SECRET, environment="mars")
    with pytest.raises(ValueError):
        alphapo.Client(KEY, SECRET, environment="alphapo", base_url="http://127.0.0.1/api/v2")
    with pytest.raises(ValueError):
        alphapo.Client(KEY, SECRET, timeout=-1)
    with pytest.raises(ValueError):
        alphapo.Client(KEY, SECRET, max_retries=-1)
    with pytest.raises(ValueError):
        alphapo.Client("key\x00", SECRET)


def test_null_argument_and_buffer_too_small_from_the_library():
    slot = _errors.ErrorSlot()
    out = _ffi.ResponseP()
    status = _ffi.lib.alphapo_client_call(None, 1, None, ctypes.byref(out), slot.ref)
    with pytest.raises(alphapo.InvalidArgumentError) as e:
        slot.check(status)
    assert e.value.status == alphapo.Status.NULL_ARGUMENT and "client" in e.value.message
    small = ctypes.create_string_buffer(64)
    status = _ffi.lib.alphapo_sign(b"k", 1, b"b", 1, small, len(small))
    with pytest.raises(alphapo.InvalidArgumentError) as e:
        _errors.raise_status(status, "alphapo_sign")
    assert e.value.status == alphapo.Status.BUFFER_TOO_SMALL


def test_authentication_error_from_a_wrong_secret_and_key(sandbox):
    with sandbox.client(secret="not-the-secret", max_retries=0) as c:
        with pytest.raises(alphapo.AuthenticationError) as e:
            c.list_accounts()
    err = e.value
    _attributes_present(err)
    assert err.status == alphapo.Status.AUTH and err.http_status == 403
    assert err.code == "bad_header_signature"
    assert b"bad_header_signature" in err.raw_body
    with sandbox.client(api_key="not-the-key", max_retries=0) as c:
        with pytest.raises(alphapo.AuthenticationError) as e:
            c.list_accounts()
    assert e.value.code == "bad_header_key"


def test_api_errors(client):
    with pytest.raises(alphapo.ApiError) as e:
        client.currency_rates(currency_from="ZZZ", currency_to="EUR")
    err = e.value
    _attributes_present(err)
    assert err.status == alphapo.Status.API and err.http_status == 400
    assert "currency_from" in err.fields and b"errors" in err.raw_body
    fields = invoice_fields()
    client.create_invoice(**fields)
    client.cancel_invoice(foreign_id=fields["foreign_id"])
    with pytest.raises(alphapo.ApiError) as e:
        client.cancel_invoice(foreign_id=fields["foreign_id"])
    assert e.value.code == "invalid_invoice_state"


def test_duplicate_foreign_id(client):
    fields = invoice_fields()
    client.create_invoice(**fields)
    with pytest.raises(alphapo.DuplicateForeignIdError) as e:
        client.create_invoice(**fields)
    err = e.value
    _attributes_present(err)
    assert err.status == alphapo.Status.DUPLICATE_FOREIGN_ID and err.http_status == 400
    assert "foreign_id" in err.fields
    assert not isinstance(err, alphapo.ApiError)


def test_rate_limit(client, faults):
    faults.ok("POST", "/rate-limit", {"per_minute": 1})
    args = {"sender_currency": "BTC", "receiver_currency": "EUR", "sender_amount": "0.01"}
    client.calculate_exchange(**args)
    with pytest.raises(alphapo.RateLimitError) as e:
        client.calculate_exchange(**args)
    err = e.value
    _attributes_present(err)
    assert err.status == alphapo.Status.RATE_LIMITED and err.http_status == 429
    assert err.raw_body == b"error code: 1015"
    assert err.retry_after is None  # the documented 429 carries no Retry-After header


@pytest.mark.parametrize("mode, http_status", [("http_500", 500), ("http_502", 502)])
def test_server_errors_keep_the_html_body(client, faults, mode, http_status):
    faults.ok("POST", "/faults", {"mode": mode, "path": "/api/v2/accounts/list", "count": 1})
    with pytest.raises(alphapo.ServerError) as e:
        client.list_accounts()
    err = e.value
    _attributes_present(err)
    assert err.status == alphapo.Status.SERVER and err.http_status == http_status
    assert err.raw_body.startswith(b"<html>")


def test_server_errors_are_retried_where_safe(sandbox, faults):
    faults.ok("POST", "/faults", {"mode": "http_502", "path": "/api/v2/accounts/list", "count": 2})
    with sandbox.client(max_retries=2) as c:
        assert len(c.list_accounts()) > 0


@pytest.mark.parametrize("mode", ["drop_before", "drop_after"])
def test_connection_errors_from_dropped_connections(client, faults, mode):
    faults.ok("POST", "/faults", {"mode": mode, "path": "/api/v2/accounts/list", "count": 1})
    with pytest.raises(alphapo.ConnectionError) as e:
        client.list_accounts()
    _attributes_present(e.value)
    assert e.value.status == alphapo.Status.TRANSPORT


def test_connection_refused():
    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    with alphapo.Client(
        KEY, SECRET, base_url=f"http://127.0.0.1:{port}/api/v2", max_retries=0
    ) as c:
        with pytest.raises(alphapo.ConnectionError) as e:
            c.ping()
    assert isinstance(e.value, builtins.ConnectionError)  # also the built-in one
    assert e.value.http_status is None and e.value.raw_body == b""


@pytest.mark.parametrize("mode", ["latency", "slow_drip"])
def test_timeouts(sandbox, faults, mode):
    faults.ok(
        "POST",
        "/faults",
        {
            "mode": mode,
            "path": "/api/v2/accounts/list",
            "count": 1,
            "ms": 3000 if mode == "latency" else 200,
        },
    )
    with sandbox.client(timeout=0.3, max_retries=0) as c:
        started = time.monotonic()
        with pytest.raises(alphapo.TimeoutError) as e:
            c.list_accounts()
        assert time.monotonic() - started < 2.5
    _attributes_present(e.value)
    assert e.value.status == alphapo.Status.TIMEOUT
    assert isinstance(e.value, builtins.TimeoutError)


def test_tls_untrusted_certificate_then_trusted_with_ca_file(tls_sandbox):
    with tls_sandbox.client(max_retries=0) as c:
        with pytest.raises(alphapo.TLSError) as e:
            c.ping()
    _attributes_present(e.value)
    assert e.value.status == alphapo.Status.TLS
    with tls_sandbox.client(ca_file=tls_sandbox.cert, max_retries=0) as c:
        assert c.ping().data == "OK"
        assert len(c.list_accounts()) > 0


@contextmanager
def _garbage_server(reply: bytes) -> Iterator[int]:
    """A TCP server that answers every connection with ``reply`` and closes it."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(8)
    stop = threading.Event()

    def serve() -> None:
        server.settimeout(0.2)
        while not stop.is_set():
            try:
                conn, _ = server.accept()
            except OSError:
                continue
            with conn:
                try:
                    conn.recv(4096)
                    conn.sendall(reply)
                except OSError:
                    pass

    t = threading.Thread(target=serve, daemon=True)
    t.start()
    try:
        yield server.getsockname()[1]
    finally:
        stop.set()
        t.join()
        server.close()


def test_tls_handshake_with_a_server_that_does_not_speak_tls():
    with _garbage_server(b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n") as port:
        with alphapo.Client(
            KEY, SECRET, base_url=f"https://127.0.0.1:{port}/api/v2", max_retries=0, timeout=5
        ) as c:
            with pytest.raises(alphapo.TLSError):
                c.ping()


@contextmanager
def _http_server(status: int, body: bytes, content_type: str = "text/html") -> Iterator[str]:
    class Handler(http.server.BaseHTTPRequestHandler):
        def _reply(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            self.rfile.read(length)
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        do_GET = do_POST = _reply

        def log_message(self, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    t = threading.Thread(target=server.serve_forever, daemon=True)
    t.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/api/v2"
    finally:
        server.shutdown()
        server.server_close()


def test_decode_error_from_a_non_json_reply():
    body = b"<html><body>Maintenance</body></html>"
    with _http_server(200, body) as base_url:
        with alphapo.Client(KEY, SECRET, base_url=base_url, max_retries=0) as c:
            with pytest.raises(alphapo.DecodeError) as e:
                c.list_accounts()
            # A money-moving call that the service accepted (2xx) but whose reply cannot be
            # read happened: never a definite error.
            with pytest.raises(alphapo.OutcomeUnknownError) as unknown:
                c.create_invoice(**invoice_fields())
    err = e.value
    _attributes_present(err)
    assert err.status == alphapo.Status.DECODE and err.http_status == 200
    assert err.raw_body == body
    assert unknown.value.cause == alphapo.Status.DECODE and unknown.value.raw_body == body
    assert "accepted" in unknown.value.message


def test_decode_error_from_a_huge_reply(client, faults):
    faults.ok(
        "POST",
        "/faults",
        {"mode": "huge", "path": "/api/v2/accounts/list", "count": 1, "bytes": 64 << 20},
    )
    with pytest.raises(alphapo.DecodeError) as e:
        client.list_accounts()
    assert e.value.http_status == 200


def test_a_panic_in_the_core_is_a_panic_error_and_the_process_lives_on():
    # The library's self-test panics inside on purpose, behind its panic boundary.
    slot = _errors.ErrorSlot()
    status = _ffi.lib.alphapo_test_panic(slot.ref)
    assert status == alphapo.Status.PANIC
    with pytest.raises(alphapo.PanicError) as e:
        slot.check(status)
    _attributes_present(e.value)
    assert e.value.status == alphapo.Status.PANIC and "bug" in e.value.message
    assert alphapo.sign("AbCdEfG123456", "x")  # still working


def test_exceptions_pickle_with_their_details(client):
    import pickle

    fields = invoice_fields()
    client.create_invoice(**fields)
    with pytest.raises(alphapo.DuplicateForeignIdError) as e:
        client.create_invoice(**fields)
    copy = pickle.loads(pickle.dumps(e.value))
    assert type(copy) is alphapo.DuplicateForeignIdError
    assert (copy.status, copy.http_status, copy.fields, copy.raw_body, copy.message) == (
        e.value.status,
        e.value.http_status,
        e.value.fields,
        e.value.raw_body,
        e.value.message,
    )


def _withdrawal(fid: str) -> dict:
    return withdrawal_fields(fid)


def _sent_and_held(sandbox, fid: str) -> tuple:
    state = sandbox.ok("GET", "/state")
    sent = state["requests"]["by_path"].get("/api/v2/withdrawal/crypto", 0)
    held = sum(1 for w in state["withdrawals"] if w["foreign_id"] == fid)
    return sent, held


@pytest.mark.parametrize("retries", [0, 2])
def test_a_lost_withdrawal_reply_is_outcome_unknown(sandbox, faults, retries):
    fid = f"py-lost-{retries}-{time.time_ns()}"
    sent_before, _ = _sent_and_held(sandbox, fid)
    faults.ok("POST", "/faults", {"mode": "drop_after", "path": "/withdrawal/crypto"})
    with sandbox.client(max_retries=retries) as c:
        with pytest.raises(alphapo.OutcomeUnknownError) as e:
            c.withdraw(**_withdrawal(fid))
        err = e.value
        assert isinstance(err, alphapo.AlphaPoError)
        assert err.status == alphapo.Status.OUTCOME_UNKNOWN
        assert err.cause == alphapo.Status.TRANSPORT
        assert err.foreign_id == fid
        assert fid in err.message and "withdrawal/crypto" in err.message
        assert "callback" in err.message
        assert f"foreign_id={fid!r}" in repr(err)
        sent, held = _sent_and_held(sandbox, fid)
        assert (sent - sent_before, held) == (1, 1), "sent once, applied once"
        # What to do next: look it up.
        found = c.reconcile(err.foreign_id)
        assert isinstance(found, alphapo.Transaction) and found.foreign_id == fid
        assert c.reconcile(f"never-{fid}") is None


def test_a_short_429_on_a_withdrawal_is_retried(sandbox, faults):
    fid = f"py-429-{time.time_ns()}"
    sent_before, _ = _sent_and_held(sandbox, fid)
    faults.ok(
        "POST", "/faults", {"mode": "http_429", "path": "/withdrawal/crypto", "retry_after": 1}
    )
    with sandbox.client(max_retries=2) as c:
        w = c.withdraw(**_withdrawal(fid))
    assert w.foreign_id == fid
    assert _sent_and_held(sandbox, fid) == (sent_before + 2, 1)


def test_a_lost_reply_then_a_long_429_is_still_outcome_unknown(sandbox, faults):
    fields = invoice_fields()
    for fault in (
        {"mode": "drop_after", "path": "/invoices/create"},
        {"mode": "http_429", "path": "/invoices/create", "retry_after": 3600},
    ):
        faults.ok("POST", "/faults", fault)
    with sandbox.client(max_retries=2) as c:
        with pytest.raises(alphapo.OutcomeUnknownError) as e:
            c.create_invoice(**fields)
    assert e.value.cause == alphapo.Status.RATE_LIMITED
    assert e.value.http_status == 429 and e.value.retry_after == 3600
    invoices = sandbox.ok("GET", "/state")["invoices"]
    assert sum(1 for i in invoices if i["foreign_id"] == fields["foreign_id"]) == 1


def test_outcome_unknown_pickles_with_its_cause(sandbox, faults):
    faults.ok("POST", "/faults", {"mode": "drop_after", "path": "/withdrawal/crypto"})
    with sandbox.client(max_retries=0) as c:
        with pytest.raises(alphapo.OutcomeUnknownError) as e:
            c.withdraw(**_withdrawal(f"py-pickle-{time.time_ns()}"))
    import pickle

    copy = pickle.loads(pickle.dumps(e.value))
    assert type(copy) is alphapo.OutcomeUnknownError
    assert (copy.cause, copy.foreign_id) == (e.value.cause, e.value.foreign_id)


@pytest.mark.parametrize("body", [b"[]", b"{}", b'"OK"', b'{"message":"OK"}', b"OK"])
def test_any_2xx_reply_of_a_cancel_is_success(body):
    result = alphapo.parse_reply(alphapo.Operation.INVOICES_CANCEL, 200, body)
    assert result.raw_body == body and result.http_status == 200
