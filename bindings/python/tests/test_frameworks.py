"""The framework recipes (examples/python/frameworks): each runs as a real server (Flask's
and Django's development servers, uvicorn) and verifies the real signed callbacks of a
sandbox started with --callback-url pointing at it; a tampered callback gets a 4xx and is
not processed. The README shows these files verbatim (checked here)."""

from __future__ import annotations

import json
import os
import re
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any, Dict, List

import pytest

import alphapo
from alphapo_test_support import KEY, PACKAGE_SOURCE, REPO_ROOT, SECRET, Sandbox, invoice_fields

# The recipes live in the checkout (examples/python/frameworks), not in the package.
pytestmark = pytest.mark.checkout

RECIPES = REPO_ROOT / "examples" / "python" / "frameworks"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _wait_for_port(port: int, server: "subprocess.Popen[bytes]", output: Path) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if server.poll() is not None:
            pytest.fail(f"the recipe exited with {server.returncode}: {output.read_text()}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.05)
    pytest.fail(f"the recipe did not listen on {port}: {output.read_text()}")


def _processed(log: Path) -> List[Dict[str, Any]]:
    if not log.exists():
        return []
    return [json.loads(line) for line in log.read_text().splitlines()]


def _post(url: str, body: bytes, signature: Any) -> int:
    headers = {"Content-Type": "application/json", "X-Processing-Key": KEY}
    if signature is not None:
        headers["X-Processing-Signature"] = signature
    req = urllib.request.Request(url, data=body, headers=headers, method="POST")
    try:
        with urllib.request.urlopen(req, timeout=10) as r:
            return int(r.status)
    except urllib.error.HTTPError as e:
        return int(e.code)


@pytest.mark.parametrize("recipe", ["flask_app.py", "django_app.py", "fastapi_app.py"])
def test_the_recipe_verifies_real_callbacks(recipe: str, tmp_path: Path) -> None:
    port = _free_port()
    log = tmp_path / "callbacks.jsonl"
    output = tmp_path / "server.log"
    env = dict(
        os.environ,
        ALPHAPO_KEY=KEY,
        ALPHAPO_SECRET=SECRET,
        ALPHAPO_CALLBACK_PORT=str(port),
        ALPHAPO_CALLBACK_LOG=str(log),
    )
    imported_from = str(Path(alphapo.__file__).resolve().parent.parent)
    env["PYTHONPATH"] = os.pathsep.join([imported_from, *filter(None, [env.get("PYTHONPATH")])])
    with open(output, "wb") as out:
        server = subprocess.Popen(
            [sys.executable, str(RECIPES / recipe)], env=env, stdout=out, stderr=subprocess.STDOUT
        )
    sandbox = None
    try:
        _wait_for_port(port, server, output)
        url = f"http://127.0.0.1:{port}/alphapo/callback"
        sandbox = Sandbox("--callback-url", url)
        fields = invoice_fields()
        fid = fields["foreign_id"]
        with sandbox.client(max_retries=0) as client:
            invoice = client.create_invoice(**fields)
        assert sandbox.ok("POST", f"/invoices/{fid}/pay", {"amount": "106.75"})["status"] == "confirmed"

        deadline = time.monotonic() + 20
        while not any(r["fully_paid"] for r in _processed(log)):
            assert time.monotonic() < deadline, f"no fully paid callback: {output.read_text()}"
            time.sleep(0.05)
        records = _processed(log)
        assert {r["foreign_id"] for r in records} == {fid}
        assert {r["id"] for r in records} == {invoice.id}
        assert [r["status"] for r in records if r["fully_paid"]] == ["confirmed"]
        assert len({r["dedupe_key"] for r in records}) == len(records)
        attempts = [a for a in sandbox.ok("GET", "/callbacks")["attempts"] if a["url"] == url]
        assert len(attempts) >= len(records)
        assert all(a["response_status"] == 200 for a in attempts), attempts

        # A genuine callback delivered again: 200, processed once.
        genuine = attempts[-1]["body"].encode()
        signature = alphapo.sign_callback(SECRET, genuine)
        assert _post(url, genuine, signature) == 200
        # Tampered with, unsigned or signed with another secret: 401, not processed.
        tampered = genuine.replace(b'"confirmed"', b'"cancelled"')
        assert tampered != genuine
        assert _post(url, tampered, signature) == 401
        assert _post(url, genuine, None) == 401
        assert _post(url, genuine, alphapo.sign_callback("wrong-secret", genuine)) == 401
        assert _processed(log) == records
    finally:
        if sandbox is not None:
            sandbox.stop()
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


def test_the_readme_shows_the_recipes_verbatim() -> None:
    """Every code block of the README that follows a link to a file is that file."""
    readme = (PACKAGE_SOURCE / "README.md").read_text()
    shown = re.findall(r"\[[^\]]+\]\(\.\./\.\./([^)]+)\):\n\n```python\n(.*?)```", readme, re.S)
    assert {Path(name).name for name, _ in shown} >= {
        "flask_app.py", "django_app.py", "fastapi_app.py", "endpoint.py", "orders.py",
    }
    for name, code in shown:
        assert code == (REPO_ROOT / name).read_text(), f"the README's copy of {name} differs"
