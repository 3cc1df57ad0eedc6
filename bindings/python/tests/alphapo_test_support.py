"""Helpers of the alphapo tests: the local sandbox (examples/sandbox), a callback receiver,
constants. A module with a unique name (not conftest) so that these tests can share a pytest
session with other suites.

The sandbox binary is ``$ALPHAPO_SANDBOX`` or ``target/release/examples/sandbox`` of the
checkout these tests live in. A test that needs it fails (never skips) when it is missing.
"""

from __future__ import annotations

import contextlib
import http.server
import json
import logging
import os
import queue
import re
import shutil
import sys
import subprocess
import tempfile
import threading
import urllib.error
import urllib.request
import uuid
from pathlib import Path
from typing import Any, Dict, Iterator, List, Optional, Tuple

import pytest

import alphapo

KEY = "py-test-key"
SECRET = "py-test-secret"

TESTS_DIR = Path(__file__).resolve().parent
PACKAGE_SOURCE = TESTS_DIR.parent  # bindings/python


def find_repo_root() -> Path:
    for d in (TESTS_DIR, *TESTS_DIR.parents):
        if (d / "Cargo.toml").is_file() and (d / "include" / "alphapo.h").is_file():
            return d
    raise RuntimeError(f"no libalphapo checkout above {TESTS_DIR}")


def _checkout_or_copy() -> Path:
    """The checkout; for a copy of these tests without one (tests/legacy runs the
    integration tests against an installed wheel), where it would be: the tests that read
    it then fail on the missing file."""
    try:
        return find_repo_root()
    except RuntimeError:
        return PACKAGE_SOURCE.parent.parent


REPO_ROOT = _checkout_or_copy()
HEADER = REPO_ROOT / "include" / "alphapo.h"


def sandbox_binary() -> Path:
    path = Path(os.environ.get("ALPHAPO_SANDBOX") or REPO_ROOT / "target/release/examples/sandbox")
    if not path.is_file():
        pytest.fail(
            f"the sandbox binary {path} is missing: build it with "
            f"`cargo build --release --example sandbox` (or set $ALPHAPO_SANDBOX)",
            pytrace=False,
        )
    return path


def unique(prefix: str = "py") -> str:
    return f"{prefix}-{uuid.uuid4().hex[:16]}"


class Sandbox:
    """One sandbox process and its control API."""

    def __init__(self, *extra: str, tls: bool = False) -> None:
        self.tmp = Path(tempfile.mkdtemp(prefix="alphapo-py-sandbox-"))
        args = [
            str(sandbox_binary()),
            "--listen",
            "127.0.0.1:0",
            "--key",
            KEY,
            "--secret",
            SECRET,
            "--callback-time-scale",
            "0.001",
            *extra,
        ]
        if tls:
            self.cert: Optional[Path] = self.tmp / "cert.pem"
            args += ["--tls", "--cert-out", str(self.cert)]
        else:
            self.cert = None
        self.stderr = open(self.tmp / "stderr.log", "wb")
        self.proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=self.stderr)
        assert self.proc.stdout is not None
        first = self.proc.stdout.readline().decode().strip()
        if not first.startswith("listening on "):
            self.stop()
            pytest.fail(f"sandbox did not start: {first!r}", pytrace=False)
        self.base_url = first[len("listening on ") :]
        if tls:
            self.proc.stdout.readline()  # "certificate <path>"
        self.origin = self.base_url.rsplit("/api/v2", 1)[0]
        # Keep draining stdout so the sandbox never blocks on a full pipe.
        threading.Thread(target=self.proc.stdout.read, daemon=True).start()

    def control(self, method: str, path: str, body: Any = None) -> Tuple[int, Any]:
        """Calls ``/_sandbox{path}``; returns (HTTP status, decoded JSON)."""
        assert not self.base_url.startswith("https"), "control API of the TLS sandbox unused"
        data = None if body is None else json.dumps(body).encode()
        req = urllib.request.Request(
            f"{self.origin}/_sandbox{path}",
            data=data,
            method=method,
            headers={"Content-Type": "application/json"},
        )
        try:
            with urllib.request.urlopen(req, timeout=10) as r:
                return r.status, json.loads(r.read() or b"null")
        except urllib.error.HTTPError as e:
            return e.code, json.loads(e.read() or b"null")

    def ok(self, method: str, path: str, body: Any = None) -> Any:
        status, data = self.control(method, path, body)
        assert 200 <= status < 300, (method, path, status, data)
        return data

    def client(self, **kwargs: Any) -> alphapo.Client:
        options: Dict[str, Any] = {"base_url": self.base_url, "timeout": 10}
        options.update(kwargs)
        return alphapo.Client(options.pop("api_key", KEY), options.pop("secret", SECRET), **options)

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.stderr.close()
        shutil.rmtree(self.tmp, ignore_errors=True)


class Received:
    """A callback request as it arrived: headers and raw body."""

    def __init__(self, path: str, headers: Dict[str, str], body: bytes) -> None:
        self.path = path
        self.headers = headers
        self.body = body

    def header(self, name: str) -> Optional[str]:
        for k, v in self.headers.items():
            if k.lower() == name.lower():
                return v
        return None

    def parse(self, signer: alphapo.Signer) -> alphapo.Callback:
        """Verifies and parses this callback as an endpoint does: the raw body, the
        signature header, and the key header checked against the sandbox's key."""
        return signer.parse_callback(
            self.body,
            self.header("X-Processing-Signature"),
            key_header=self.header("X-Processing-Key"),
            expected_key=KEY,
        )


class CallbackReceiver:
    """A local http.server that records every POST and answers 200."""

    def __init__(self) -> None:
        self.requests: "queue.Queue[Received]" = queue.Queue()
        outer = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 - http.server API
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length)
                outer.requests.put(Received(self.path, dict(self.headers.items()), body))
                self.send_response(200)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/callbacks"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def wait_for(self, predicate: Any, timeout: float = 15.0) -> Received:
        """The first received callback for which ``predicate(received)`` is true."""
        import time

        deadline = time.monotonic() + timeout
        seen: List[Received] = []
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                raise AssertionError(
                    f"no matching callback within {timeout}s; got {[r.body for r in seen]}"
                )
            try:
                r = self.requests.get(timeout=left)
            except queue.Empty:
                continue
            if predicate(r):
                return r
            seen.append(r)

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def invoice_fields(**overrides: Any) -> Dict[str, Any]:
    """Fields of a valid invoice with a fresh foreign_id."""
    fields: Dict[str, Any] = {
        "title": "Order 1001",
        "currency": "EUR",
        "amount": "106.75",
        "foreign_id": unique("inv"),
        "end_user_reference": "customer-42",
        "url_success": "https://shop.example.com/paid",
        "url_failed": "https://shop.example.com/failed",
    }
    fields.update(overrides)
    return fields


def withdrawal_fields(foreign_id: str, **overrides: Any) -> Dict[str, Any]:
    """Fields of a valid sandbox withdrawal with the given foreign_id."""
    fields: Dict[str, Any] = {
        "currency": "BTC",
        "address": "tb1qsandboxdestination0000000000000000",
        "amount": "0.001",
        "foreign_id": foreign_id,
        "end_user_reference": "customer-1",
    }
    fields.update(overrides)
    return fields


class ListHandler(logging.Handler):
    """A logging handler that keeps every record it receives."""

    def __init__(self, level: int = logging.DEBUG) -> None:
        super().__init__(level)
        self.records: List[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@contextlib.contextmanager
def alphapo_records(level: int = logging.DEBUG) -> Iterator[List[logging.LogRecord]]:
    """The records of the ``alphapo`` logger at ``level`` and above, while inside."""
    logger = logging.getLogger("alphapo")
    handler = ListHandler(level)
    saved = logger.level
    logger.addHandler(handler)
    logger.setLevel(min(level, saved or logging.WARNING))
    try:
        yield handler.records
    finally:
        logger.removeHandler(handler)
        logger.setLevel(saved)


def add_latency(sandbox: "Sandbox", path: str, ms: int, count: int = 1) -> None:
    """Delays the sandbox's next ``count`` replies on ``/api/v2{path}`` by ``ms``."""
    sandbox.ok(
        "POST", "/faults", {"mode": "latency", "path": f"/api/v2{path}", "count": count, "ms": ms}
    )


def run_python(script: str, timeout: float = 60) -> "subprocess.CompletedProcess[bytes]":
    """Runs ``script`` in a fresh interpreter that imports the same ``alphapo`` as these
    tests (the source tree or an installed copy)."""
    env = dict(os.environ)
    imported_from = str(Path(alphapo.__file__).resolve().parent.parent)
    env["PYTHONPATH"] = os.pathsep.join([imported_from, *filter(None, [env.get("PYTHONPATH")])])
    return subprocess.run(
        [sys.executable, "-c", script], capture_output=True, env=env, timeout=timeout
    )


def readme_example(section: str) -> Tuple[str, str]:
    """The ``python`` block of the README's ``## section`` and the ``text`` block (its
    output) after it."""
    text = (PACKAGE_SOURCE / "README.md").read_text()
    body = text.split(f"\n## {section}\n", 1)[1].split("\n## ", 1)[0]
    code = re.search(r"```python\n(.*?)```", body, re.S)
    output = re.search(r"```text\n(.*?)```", body, re.S)
    assert code and output, f"README section {section!r} lacks its example or its output"
    return code.group(1), output.group(1)


def run_readme_example(section: str, sandbox: "Sandbox") -> Tuple[str, str, str]:
    """Runs the README's example of ``section`` against ``sandbox`` (``api_key`` and
    ``secret`` defined, Client and AsyncClient aimed at it); returns (stdout, stderr,
    the output the README shows)."""
    code, expected = readme_example(section)
    prelude = (
        "import functools, alphapo\n"
        f"alphapo.Client = functools.partial(alphapo.Client, base_url={sandbox.base_url!r})\n"
        "alphapo.AsyncClient = functools.partial(\n"
        f"    alphapo.AsyncClient, base_url={sandbox.base_url!r})\n"
        f"api_key, secret = {KEY!r}, {SECRET!r}\n"
    )
    proc = run_python(prelude + code)
    assert proc.returncode == 0, proc.stderr.decode()
    return proc.stdout.decode(), proc.stderr.decode(), expected
