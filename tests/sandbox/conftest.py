"""Fixtures for the sandbox protocol tests: standard library only.

The sandbox binary is $ALPHAPO_SANDBOX, else <repo>/target/release/examples/sandbox;
build it with `cargo build --release --example sandbox`. A missing binary fails every
test that needs it, with that instruction.
"""

import hashlib
import hmac
import http.client
import http.server
import json
import os
import ssl
import subprocess
import threading
import time
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]


def sandbox_binary():
    return Path(os.environ.get("ALPHAPO_SANDBOX") or REPO / "target/release/examples/sandbox")


def sign(secret, body):
    return hmac.new(secret.encode(), body, hashlib.sha512).hexdigest()


class Reply:
    def __init__(self, status, headers, body):
        self.status = status
        self.headers = headers
        self.body = body

    @property
    def text(self):
        return self.body.decode("utf-8", "replace")

    def json(self):
        return json.loads(self.body)


class Sandbox:
    """One sandbox process; its first stdout line gives the base URL."""

    def __init__(self, *args):
        binary = sandbox_binary()
        if not binary.is_file():
            pytest.fail(
                f"sandbox binary not found at {binary}: run "
                "`cargo build --release --example sandbox` (or set ALPHAPO_SANDBOX)",
                pytrace=False,
            )
        self.args = ["--listen", "127.0.0.1:0", *args]
        self.proc = subprocess.Popen(
            [str(binary), *self.args], stdout=subprocess.PIPE, stdin=subprocess.DEVNULL
        )
        line = self.proc.stdout.readline().decode()
        if not line.startswith("listening on "):
            self.stop()
            pytest.fail(f"sandbox did not start: first line {line!r}", pytrace=False)
        self.base_url = line.split(" ", 2)[2].strip()
        self.https = self.base_url.startswith("https://")
        self.addr = self.base_url.split("://", 1)[1].split("/", 1)[0]
        self.host, port = self.addr.rsplit(":", 1)
        if self.host == "0.0.0.0":
            self.host = "127.0.0.1"  # a wildcard listener is reached (and controlled) over loopback
        self.port = int(port)
        self.cert = None
        if self.https:
            cert_line = self.proc.stdout.readline().decode().strip()
            assert cert_line.startswith("certificate "), cert_line
            self.cert = cert_line.split(" ", 1)[1]
        self.key = self._flag("--key", "sandbox-key")
        self.secret = self._flag("--secret", "sandbox-secret")

    def _flag(self, name, default):
        if name in self.args:
            return self.args[self.args.index(name) + 1]
        return default

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()  # a clean shutdown also removes a temp certificate
            try:
                self.proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
        self.proc.wait()

    def connection(self, timeout=10):
        if self.https:
            ctx = ssl.create_default_context(cafile=self.cert)
            return http.client.HTTPSConnection(self.host, self.port, timeout=timeout, context=ctx)
        return http.client.HTTPConnection(self.host, self.port, timeout=timeout)

    def request(self, method, path, body=b"", headers=None, timeout=10):
        """One request on a fresh connection; headers exactly as given."""
        conn = self.connection(timeout)
        try:
            conn.request(method, path, body=body, headers=headers or {})
            r = conn.getresponse()
            return Reply(r.status, {k.lower(): v for k, v in r.getheaders()}, r.read())
        finally:
            conn.close()

    def signed(self, method, path, raw, **kw):
        headers = {
            "Content-Type": "application/json",
            "X-Processing-Key": self.key,
            "X-Processing-Signature": sign(self.secret, raw),
        }
        return self.request(method, "/api/v2" + path, raw, headers, **kw)

    def api(self, method, path, body):
        """A signed call; returns (status, decoded JSON or text)."""
        r = self.signed(method, path, json.dumps(body, separators=(",", ":")).encode())
        try:
            return r.status, r.json()
        except ValueError:
            return r.status, r.text

    def post(self, path, body):
        return self.api("POST", path, body)

    def control(self, method, path, body=None):
        raw = b"" if body is None else json.dumps(body).encode()
        path = path if path.startswith("/") else "/_sandbox/" + path
        r = self.request(method, path, raw, {"Content-Type": "application/json"})
        return r.status, r.json()

    def callback_log(self, n, timeout=10):
        """The delivery log once it holds `n` attempts (an attempt is logged just after the
        receiver has answered, so a receiver may see a callback before the log does)."""
        deadline = time.monotonic() + timeout
        while True:
            log = self.control("GET", "callbacks")[1]["attempts"]
            if len(log) >= n:
                return log
            assert time.monotonic() < deadline, f"only {len(log)} of {n} attempts logged"
            time.sleep(0.01)

    def state(self):
        status, st = self.control("GET", "state")
        assert status == 200
        return st

    def balance(self, currency):
        status, v = self.post("/accounts/list", {})
        assert status == 200, v
        return next(a["balance"] for a in v["data"] if a["currency"] == currency)


@pytest.fixture
def start_sandbox():
    """Factory: start_sandbox("--quirks", "amounts_as_numbers") -> Sandbox, stopped after the test."""
    started = []

    def start(*args):
        sb = Sandbox(*args)
        started.append(sb)
        return sb

    yield start
    for sb in started:
        sb.stop()


@pytest.fixture
def sandbox(start_sandbox):
    return start_sandbox()


class Receiver:
    """A tiny callback endpoint: records every POST and answers scripted statuses, then 200."""

    def __init__(self, script=()):
        self.script = list(script)
        self.got = []  # (headers, raw body, monotonic time)
        self.lock = threading.Lock()
        receiver = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                with receiver.lock:
                    receiver.got.append(
                        ({k.lower(): v for k, v in self.headers.items()}, body, time.monotonic())
                    )
                    status = receiver.script.pop(0) if receiver.script else 200
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/callbacks/alphapo"
        self.thread = threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )
        self.thread.start()

    def wait_for(self, n, timeout=10):
        deadline = time.monotonic() + timeout
        while True:
            with self.lock:
                if len(self.got) >= n:
                    return list(self.got)
            assert time.monotonic() < deadline, f"only {len(self.got)} of {n} callbacks arrived"
            time.sleep(0.01)

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver():
    """Factory: receiver([500, 404]) -> Receiver, closed after the test."""
    made = []

    def make(script=()):
        r = Receiver(script)
        made.append(r)
        return r

    yield make
    for r in made:
        r.close()
