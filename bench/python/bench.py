"""Python side of `make bench`: the alphapo package against what a merchant writes by hand.

    python3 bench/python/bench.py sign [--quick]
    python3 bench/python/bench.py invoices BASE_URL KEY SECRET [--quick]
    python3 bench/python/bench.py rss BASE_URL KEY SECRET [--quick]

sign: ``alphapo.Signer.sign`` against ``hmac.new(k, b, hashlib.sha512).hexdigest()`` on the
same 300-byte body. invoices: ``alphapo.Client.create_invoice`` against a hand-written
``requests.Session`` + ``hmac`` client sending the very same bytes to the same sandbox, both
keep-alive and warmed up, beside the floor (a raw socket writing presigned requests) in the
same rounds. rss: resident memory after the first 1 000 signatures and
invoices, and after 1 000 000 signatures and 100 000 invoices.

Cases alternate round by round (the machine is shared and noisy); each figure is the
median round, each ratio the median of the per-round ratios. One JSON object per figure
on stdout, a readable summary on stderr.
"""

from __future__ import annotations

import ctypes
import hashlib
import hmac
import json
import socket
import statistics
import sys
import time
import urllib.parse
import urllib.request
from decimal import Decimal
from typing import Callable, Dict, List, Tuple

import alphapo
from alphapo import _ffi

SECRET = b"sandbox-secret"
FIELDS = {
    "timer": False,
    "title": "Order 1001",
    "currency": "EUR",
    "amount": "106.75",
    "end_user_reference": "customer-42",
    "url_success": "https://shop.example.com/paid",
    "url_failed": "https://shop.example.com/failed",
}


def emit(key: str, value: float, unit: str = "") -> None:
    print(json.dumps({"key": key, "value": round(value, 3), "unit": unit}), flush=True)


def body_300() -> bytes:
    body = (
        b'{"timer":false,"title":"Order 1001","currency":"EUR","amount":106.75,'
        b'"foreign_id":"order-1001","end_user_reference":"customer-42",'
        b'"url_success":"https://shop.example.com/paid","url_failed":'
        b'"https://shop.example.com/failed","description":"'
    )
    body += b"x" * (298 - len(body)) + b'"}'
    assert len(body) == 300
    return body


def rounds_of(
    cases: Dict[str, Callable[[int], None]], iters: int, rounds: int
) -> Dict[str, List[float]]:
    """ns per iteration of each case, per round; the order alternates between rounds."""
    for fn in cases.values():
        fn(iters)  # warm-up
    samples: Dict[str, List[float]] = {name: [] for name in cases}
    names = list(cases)
    for r in range(rounds):
        for name in names if r % 2 == 0 else reversed(names):
            t0 = time.perf_counter_ns()
            cases[name](iters)
            samples[name].append((time.perf_counter_ns() - t0) / iters)
    return samples


def ratio(a: List[float], b: List[float]) -> float:
    return statistics.median(x / y for x, y in zip(a, b))


def loop(fn: Callable[[], object]) -> Callable[[int], None]:
    def run(n: int) -> None:
        for _ in range(n):
            fn()

    return run


def bench_sign(quick: bool) -> None:
    body = body_300()
    signer = alphapo.Signer(SECRET)
    expected = hmac.new(SECRET, body, hashlib.sha512).hexdigest()
    assert signer.sign(body) == expected and alphapo.sign(SECRET, body) == expected
    version = _ffi.lib.alphapo_version
    sha512 = hashlib.sha512
    # The floor of any binding over ctypes: the library's hashing plus one bare ctypes call
    # (no argtypes, arguments ready, output buffer made once), no Python around it.
    raw = _ffi.lib["alphapo_signer_sign_chars"]
    raw.restype = ctypes.c_int
    handle = ctypes.c_void_p(ctypes.cast(signer._acquire(), ctypes.c_void_p).value)
    signer._release()
    out = (ctypes.c_char * 129)()
    assert raw(handle, body, len(body), out, 129) == 0 and out.value.decode() == expected
    cases = {
        "signer": loop(lambda: signer.sign(body)),
        "hmac": loop(lambda: hmac.new(SECRET, body, sha512).hexdigest()),
        "oneshot": loop(lambda: alphapo.sign(SECRET, body)),
        "raw_call": loop(lambda: raw(handle, body, 300, out, 129)),
        # The leanest wrapper possible: that call, then the result as a str; nothing else.
        "raw_str": loop(lambda: (raw(handle, body, 300, out, 129), out.value.decode("ascii"))),
        # The floor of any ctypes call: no argument, nothing done in the library.
        "ctypes_floor": loop(version),
    }
    s = rounds_of(cases, 4000 if quick else 20000, 7 if quick else 21)
    labels = {
        "signer": "alphapo.Signer.sign",
        "hmac": "hmac.new(k, b, hashlib.sha512).hexdigest()",
        "oneshot": "alphapo.sign (keys each time)",
        "raw_call": "bare ctypes call of alphapo_signer_sign_chars",
        "raw_str": "the same, then the result as a str",
        "ctypes_floor": "a ctypes call doing nothing (alphapo_version)",
    }
    for name, values in s.items():
        m = statistics.median(values)
        print(f"{labels[name]:48} {m:8.0f} ns", file=sys.stderr)
        emit(f"py.sign300.{name}_ns", m, "ns")
    emit("py.sign300.ratio", ratio(s["signer"], s["hmac"]), "x")
    signer.close()


class HandWritten:
    """What a merchant writes without the library: requests.Session (keep-alive), the
    body from json.dumps, hmac for the signature, r.json() for the reply."""

    def __init__(self, base_url: str, key: str, secret: str) -> None:
        import requests

        self.session = requests.Session()
        self.url = base_url + "/invoices/create"
        self.key = key
        self.secret = secret.encode()

    def body(self, foreign_id: str) -> bytes:
        fields = dict(FIELDS, amount=106.75, foreign_id=foreign_id)
        order = [
            "timer",
            "title",
            "currency",
            "amount",
            "foreign_id",
            "end_user_reference",
            "url_success",
            "url_failed",
        ]
        return json.dumps({k: fields[k] for k in order}, separators=(",", ":")).encode()

    def create_invoice(self, foreign_id: str) -> Tuple[str, Decimal]:
        body = self.body(foreign_id)
        signature = hmac.new(self.secret, body, hashlib.sha512).hexdigest()
        r = self.session.post(
            self.url,
            data=body,
            headers={
                "X-Processing-Key": self.key,
                "X-Processing-Signature": signature,
                "Content-Type": "application/json",
            },
            timeout=30,
        )
        if r.status_code != 200:
            raise RuntimeError(f"HTTP {r.status_code}: {r.text[:200]}")
        data = r.json()["data"]
        return data["url"], Decimal(data["amount"])


class RawSocket:
    """The floor for any Python client: one keep-alive socket writing requests built and
    signed before the clock starts, and only scanning the replies for their status and
    length. No HTTP library, no JSON, no HMAC while timed."""

    def __init__(self, base_url: str, key: str, secret: str) -> None:
        url = urllib.parse.urlsplit(base_url)
        assert url.hostname and url.port
        self.host = f"{url.hostname}:{url.port}"
        self.path = url.path + "/invoices/create"
        self.key = key
        self.secret = secret.encode()
        self.sock = socket.create_connection((url.hostname, url.port))
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.pending = b""

    def prebuild(self, hand: HandWritten, prefix: str, n: int) -> List[bytes]:
        out = []
        for i in range(n):
            body = hand.body(f"{prefix}-{i}")
            signature = hmac.new(self.secret, body, hashlib.sha512).hexdigest()
            head = (
                f"POST {self.path} HTTP/1.1\r\nHost: {self.host}\r\n"
                f"Content-Type: application/json\r\nX-Processing-Key: {self.key}\r\n"
                f"X-Processing-Signature: {signature}\r\nContent-Length: {len(body)}\r\n\r\n"
            )
            out.append(head.encode() + body)
        return out

    def send(self, request: bytes) -> None:
        self.sock.sendall(request)
        buf = self.pending
        while True:
            end = buf.find(b"\r\n\r\n")
            if end >= 0:
                length = 0
                for line in buf[:end].split(b"\r\n")[1:]:
                    name, _, value = line.partition(b":")
                    if name.strip().lower() == b"content-length":
                        length = int(value)
                if len(buf) >= end + 4 + length:
                    if buf[9:12] != b"200":
                        raise RuntimeError(buf[:200])
                    self.pending = buf[end + 4 + length :]
                    return
            chunk = self.sock.recv(65536)
            if not chunk:
                raise RuntimeError("connection closed")
            buf += chunk


def sandbox_reset(base_url: str) -> None:
    control = base_url.rsplit("/api/v2", 1)[0] + "/_sandbox/reset"
    req = urllib.request.Request(
        control, data=b"{}", method="POST", headers={"Content-Type": "application/json"}
    )
    with urllib.request.urlopen(req, timeout=10) as reply:
        assert reply.status == 200, reply.status


def lib_create(client: alphapo.Client, foreign_id: str) -> Tuple[str, Decimal]:
    inv = client.create_invoice(foreign_id=foreign_id, **FIELDS)
    return inv.url, inv.amount


def bench_invoices(base_url: str, key: str, secret: str, quick: bool) -> None:
    client = alphapo.Client(key, secret, base_url=base_url)
    hand = HandWritten(base_url, key, secret)
    raw = RawSocket(base_url, key, secret)
    # Honest comparison: every client sends exactly the same bytes.
    prepared = client.prepare_create_invoice(foreign_id="same-bytes", **FIELDS)
    assert prepared.body == hand.body("same-bytes"), (prepared.body, hand.body("same-bytes"))
    sandbox_reset(base_url)
    for i in range(300):  # warm-up: connections open, code paths hot
        lib_create(client, f"warm-lib-{i}")
        hand.create_invoice(f"warm-hand-{i}")
    for request in raw.prebuild(hand, "warm-raw", 300):
        raw.send(request)
    seconds = 0.5 if quick else 1.5
    rounds = 3 if quick else 7
    names = ("lib", "requests", "raw")
    ips: Dict[str, List[float]] = {name: [] for name in names}
    lat: Dict[str, List[float]] = {name: [] for name in names}
    runs: Dict[str, Callable[[str], object]] = {
        "lib": lambda fid: lib_create(client, fid),
        "requests": hand.create_invoice,
    }
    for r in range(rounds):
        for name in names if r % 2 == 0 else tuple(reversed(names)):
            sandbox_reset(base_url)  # each case starts empty: never near the object cap
            if name == "raw":
                ready = iter(raw.prebuild(hand, f"raw-{r}", int(60_000 * seconds)))
                send = raw.send
                fn: Callable[[str], object] = lambda _fid: send(next(ready))
            else:
                fn = runs[name]
            n = 0
            start = time.perf_counter()
            deadline = start + seconds
            t = start
            while t < deadline:
                t0 = t
                try:
                    fn(f"{name}-{r}-{n}")
                except StopIteration:  # the prebuilt requests ran out: the round ends here
                    break
                t = time.perf_counter()
                lat[name].append((t - t0) * 1e6)
                n += 1
            ips[name].append(n / (t - start))
    for name in names:
        values = sorted(lat[name])
        p50 = values[len(values) // 2]
        p99 = values[min(len(values) - 1, int(len(values) * 0.99))]
        m = statistics.median(ips[name])
        print(
            f"python {name:9}: {m:8.0f} invoices/s, p50 {p50:7.1f} us, p99 {p99:7.1f} us",
            file=sys.stderr,
        )
        emit(f"py.inv.{name}_ips", m, "invoices/s")
        emit(f"py.inv.{name}_p50_us", p50, "us")
        emit(f"py.inv.{name}_p99_us", p99, "us")
    emit("py.inv.ratio", ratio(ips["lib"], ips["requests"]), "x")
    emit("py.inv.raw_ratio", ratio(ips["raw"], ips["requests"]), "x")
    client.close()


def rss_kib() -> int:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    raise RuntimeError("no VmRSS")


def bench_rss(base_url: str, key: str, secret: str, quick: bool) -> None:
    signatures = 100_000 if quick else 1_000_000
    invoices = 10_000 if quick else 100_000
    body = body_300()
    signer = alphapo.Signer(SECRET)
    client = alphapo.Client(key, secret, base_url=base_url)
    sandbox_reset(base_url)
    made = 0

    def invoice_batch(n: int) -> None:
        nonlocal made
        for _ in range(n):
            if made and made % 40_000 == 0:
                sandbox_reset(base_url)  # stay below the sandbox's object cap
            made += 1
            lib_create(client, f"rss-{made}")

    for _ in range(1000):
        signer.sign(body)
    invoice_batch(1000)
    first = rss_kib()
    for _ in range(signatures - 1000):
        signer.sign(body)
    invoice_batch(invoices - 1000)
    last = rss_kib()
    print(
        f"python RSS: {first} KiB after 1 000, {last} KiB after {signatures} signatures "
        f"and {invoices} invoices (+{last - first} KiB)",
        file=sys.stderr,
    )
    emit("py.rss.first_kib", first, "KiB")
    emit("py.rss.last_kib", last, "KiB")
    emit("py.rss.growth_kib", last - first, "KiB")
    signer.close()
    client.close()


def main(argv: List[str]) -> None:
    quick = "--quick" in argv
    args = [a for a in argv if a != "--quick"]
    if not args:
        raise SystemExit(__doc__)
    if args[0] == "sign":
        bench_sign(quick)
    elif args[0] == "invoices" and len(args) == 4:
        bench_invoices(args[1], args[2], args[3], quick)
    elif args[0] == "rss" and len(args) == 4:
        bench_rss(args[1], args[2], args[3], quick)
    else:
        raise SystemExit(__doc__)


if __name__ == "__main__":
    main(sys.argv[1:])
