#!/usr/bin/env python3
"""The web server part of the legacy stage: one PHP stack (php-fpm + nginx, or Apache +
mod_php) serving examples/php/fpm/public, checked against the sandbox (run by the host).

    load.py --server http://127.0.0.1:PORT --sandbox ORIGIN --master-pid PID --log FILE
            --key K --secret S [--requests 1000] [--clients 8]

1. Real callbacks: invoices are created through /invoice.php, paid through the sandbox's
   control API; the sandbox's signed callbacks must be delivered to /callback.php (HTTP 200)
   and recorded by it (dedupe key, fully paid).
2. Refusals: a recorded callback with a wrong signature, and a tampered body with the
   original signature, get 401 and are not recorded.
3. Load: --requests requests from --clients concurrent clients, alternating a new invoice
   (200, its foreign_id echoed) and a delivered callback sent again (200, already recorded,
   signed here with the shop's secret); 0 errors. The workers (children of --master-pid) are
   the same after the run, and each one's RSS after the run is within 1 MiB of its RSS after
   the first 100 requests.
Prints what it measured; exits 1 on the first failed check.
"""

import argparse
import concurrent.futures
import hashlib
import hmac
import http.client
import json
import os
import sys
import time
import urllib.parse
import urllib.request
import uuid

RSS_SLACK_KIB = 1024


def fail(message):
    print(f"FAIL {message}", file=sys.stderr)
    sys.exit(1)


def control(origin, method, path, body=None):
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(
        f"{origin}/_sandbox{path}", data=data, method=method,
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(req, timeout=10) as r:
        return json.loads(r.read() or b"null")


class Server:
    """One keep-alive connection per thread to the web server."""

    def __init__(self, url):
        parsed = urllib.parse.urlsplit(url)
        self.host, self.port = parsed.hostname, parsed.port

    def post(self, path, body, headers):
        conn = http.client.HTTPConnection(self.host, self.port, timeout=30)
        try:
            conn.request("POST", path, body=body, headers=headers)
            response = conn.getresponse()
            return response.status, response.read()
        finally:
            conn.close()

    def invoice(self, foreign_id, amount="10.50"):
        body = urllib.parse.urlencode({"foreign_id": foreign_id, "amount": amount}).encode()
        return self.post("/invoice.php", body, {"Content-Type": "application/x-www-form-urlencoded"})

    def callback(self, body, signature, key):
        return self.post("/callback.php", body, {
            "Content-Type": "application/json",
            "X-Processing-Key": key,
            "X-Processing-Signature": signature,
        })


def recorded(log):
    with open(log, encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def workers(master):
    found = {}
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        try:
            with open(f"/proc/{pid}/status") as f:
                fields = dict(line.split(":", 1) for line in f if ":" in line)
        except OSError:
            continue
        if fields.get("PPid", "").strip() == str(master):
            found[int(pid)] = int(fields["VmRSS"].split()[0])
    return found


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--server", required=True)
    p.add_argument("--sandbox", required=True)
    p.add_argument("--master-pid", type=int, required=True)
    p.add_argument("--log", required=True)
    p.add_argument("--key", required=True)
    p.add_argument("--secret", required=True)
    p.add_argument("--requests", type=int, default=1000)
    p.add_argument("--clients", type=int, default=8)
    p.add_argument("--paid", type=int, default=3)
    a = p.parse_args()
    server = Server(a.server)
    sign = lambda body: hmac.new(a.secret.encode(), body, hashlib.sha512).hexdigest()  # noqa: E731

    # 1. The sandbox's own callbacks, end to end.
    control(a.sandbox, "POST", "/callback-url", {"url": f"{a.server}/callback.php"})
    paid = [f"legacy-{uuid.uuid4().hex[:12]}" for _ in range(a.paid)]
    for foreign_id in paid:
        status, body = server.invoice(foreign_id)
        if status != 200 or json.loads(body)["foreign_id"] != foreign_id:
            fail(f"invoice.php {foreign_id}: HTTP {status} {body[:300]!r}")
        control(a.sandbox, "POST", f"/invoices/{foreign_id}/pay", {})
    deadline = time.monotonic() + 30
    while True:
        done = {r["foreign_id"] for r in recorded(a.log) if r.get("paid")}
        if set(paid) <= done:
            break
        if time.monotonic() > deadline:
            attempts = control(a.sandbox, "GET", "/callbacks")["attempts"]
            fail(f"callbacks of {paid} not recorded as paid within 30 s; recorded {sorted(done)}; "
                 f"sandbox deliveries: {[(x['response_status'], x['error']) for x in attempts][-10:]}")
        time.sleep(0.1)
    attempts = control(a.sandbox, "GET", "/callbacks")["attempts"]
    ours = [x for x in attempts if any(f in x["body"] for f in paid)]
    if not ours or any(x["response_status"] != 200 for x in ours):
        fail(f"sandbox deliveries not all answered 200: {[(x['response_status'], x['error']) for x in ours]}")
    bodies = [x["body"].encode() for x in ours]
    print(f"ok   {len(paid)} invoices paid: {len(ours)} signed sandbox callbacks delivered, "
          f"verified and recorded as paid")

    # 2. Refusals.
    before = len(recorded(a.log))
    status, _ = server.callback(bodies[0], "0" * 128, a.key)
    tampered = bodies[0].replace(b'"confirmed"', b'"confirmes"', 1) + b" "
    status2, _ = server.callback(tampered, sign(bodies[0]), a.key)
    if (status, status2) != (401, 401) or len(recorded(a.log)) != before:
        fail(f"a wrong signature / a tampered body got HTTP {status} / {status2}, want 401 / 401")
    print("ok   a wrong signature and a tampered body: 401, not recorded")

    # 3. Load.
    def one(i):
        try:
            if i % 2 == 0:
                foreign_id = f"load-{uuid.uuid4().hex[:16]}"
                status, body = server.invoice(foreign_id, f"{10 + i % 90}.{i % 100:02d}")
                ok = status == 200 and json.loads(body).get("foreign_id") == foreign_id
            else:
                body_bytes = bodies[i % len(bodies)]
                status, body = server.callback(body_bytes, sign(body_bytes), a.key)
                ok = status == 200 and body.startswith(b"OK (already recorded)")
            return None if ok else f"request {i}: HTTP {status} {body[:200]!r}"
        except Exception as e:  # noqa: BLE001 - every failure counts as an error
            return f"request {i}: {type(e).__name__}: {e}"

    def run(indices):
        with concurrent.futures.ThreadPoolExecutor(a.clients) as pool:
            return [e for e in pool.map(one, indices) if e]

    started = time.monotonic()
    errors = run(range(100))
    first = workers(a.master_pid)
    errors += run(range(100, a.requests))
    elapsed = time.monotonic() - started
    after = workers(a.master_pid)
    if errors:
        fail(f"{len(errors)} of {a.requests} requests failed; first: {errors[:3]}")
    print(f"ok   {a.requests} requests from {a.clients} clients, 0 errors, "
          f"{a.requests / elapsed:.0f} requests/s")
    if not first or set(first) != set(after):
        fail(f"the workers changed during the run: {sorted(first)} -> {sorted(after)}")
    growth = {pid: after[pid] - first[pid] for pid in first}
    print("     worker RSS KiB after 100 -> after %d: %s" % (
        a.requests, ", ".join(f"{first[p]} -> {after[p]}" for p in sorted(first))))
    if max(growth.values()) > RSS_SLACK_KIB:
        fail(f"a worker's RSS grew by more than 1 MiB between request 100 and {a.requests}: {growth} KiB")
    print(f"ok   {len(first)} workers, RSS growth at most {max(growth.values())} KiB (limit 1024)")


if __name__ == "__main__":
    main()
