"""Proxies and fork(): a call through a real proxy (tinyproxy, installed by
scripts/install-test-deps.sh); a proxy in the environment never touches a call unless asked
(and never a loopback one); a client shared across os.fork() works in both processes, the
child on connections of its own."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path
from typing import Iterator

import pytest

import alphapo
from alphapo_test_support import KEY, SECRET

PASSWORD = "py-proxy-pass-51c2"


@pytest.fixture(scope="module")
def tinyproxy() -> Iterator[tuple]:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    tmp = Path(tempfile.mkdtemp(prefix="alphapo-py-tinyproxy-"))
    log = tmp / "tinyproxy.log"
    conf = tmp / "tinyproxy.conf"
    # tinyproxy 1.10 (Debian 11) needs the *Servers settings; 1.11 warns that they are obsolete
    # and ignores them.
    conf.write_text(
        f'Port {port}\nListen 127.0.0.1\nTimeout 30\nLogFile "{log}"\nLogLevel Info\n'
        f"MaxClients 50\nStartServers 2\nMinSpareServers 1\nMaxSpareServers 4\n"
        f"Allow 127.0.0.1\nBasicAuth user {PASSWORD}\n"
    )
    proc = subprocess.Popen(["tinyproxy", "-d", "-c", str(conf)], stdout=subprocess.DEVNULL)
    deadline = time.monotonic() + 10
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            break
        except OSError:
            assert time.monotonic() < deadline, "tinyproxy did not start"
            time.sleep(0.05)
    try:
        yield f"http://user:{PASSWORD}@127.0.0.1:{port}", log
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def test_a_call_through_a_real_proxy(sandbox, tinyproxy):
    url, log = tinyproxy
    with sandbox.client(proxy=url, max_retries=0) as c:
        assert c.ping().data == "OK"
        assert len(c.list_accounts()) > 0
    assert "CONNECT 127.0.0.1:" in log.read_text()


def test_a_dead_proxy_fails_and_hides_its_credentials(sandbox):
    with sandbox.client(proxy=f"http://user:{PASSWORD}@127.0.0.1:9", max_retries=0) as c:
        with pytest.raises(alphapo.ConnectionError) as e:
            c.list_accounts()
    assert PASSWORD not in str(e.value) and PASSWORD not in repr(e.value)
    with pytest.raises(alphapo.InvalidArgumentError) as e:
        alphapo.Client(KEY, SECRET, proxy=f"ftp://user:{PASSWORD}@p:1")
    assert PASSWORD not in str(e.value)


def test_the_environment_is_read_only_when_asked_and_never_for_loopback(sandbox):
    dead = "http://127.0.0.1:9"
    env = dict(os.environ, ALL_PROXY=dead, HTTPS_PROXY=dead, HTTP_PROXY=dead, https_proxy=dead)
    env["PYTHONPATH"] = str(Path(alphapo.__file__).resolve().parent.parent)
    script = textwrap.dedent(
        f"""
        import alphapo
        for from_env in (False, True):
            with alphapo.Client({KEY!r}, {SECRET!r}, base_url={sandbox.base_url!r},
                                max_retries=0, proxy_from_environment=from_env) as c:
                assert c.ping().data == "OK", from_env
        # An https API is proxied from the environment only when asked: a dead proxy then.
        c = alphapo.Client({KEY!r}, {SECRET!r}, base_url="https://api.example.invalid/api/v2",
                           max_retries=0, proxy_from_environment=True, connect_timeout=2)
        try:
            c.ping()
        except alphapo.ConnectionError as e:
            print("through the environment's proxy:", e)
        else:
            raise AssertionError("reached an invalid host")
        print("ok")
        """
    )
    out = subprocess.run(
        [sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=60
    )
    assert out.returncode == 0, out.stdout + out.stderr
    assert "through the environment's proxy:" in out.stdout
    assert out.stdout.strip().endswith("ok")


def test_a_client_shared_across_fork_works_in_both_processes(sandbox):
    with sandbox.client(max_retries=0) as c:
        assert c.ping().data == "OK"  # the parent has a pooled connection now
        read, write = os.pipe()
        pid = os.fork()
        if pid == 0:  # the child: its own connections
            code = 1
            try:
                ok = all(c.ping().data == "OK" for _ in range(20))
                ok = ok and len(c.list_accounts()) > 0
                os.write(write, b"ok" if ok else b"bad")
                code = 0
            except BaseException as e:  # noqa: BLE001 - report anything to the parent
                os.write(write, repr(e).encode()[:200])
            finally:
                os._exit(code)
        os.close(write)
        for _ in range(20):
            assert c.ping().data == "OK"  # the parent, meanwhile, on its own connection
        _, status = os.waitpid(pid, 0)
        answer = os.read(read, 300)
        os.close(read)
        assert status == 0 and answer == b"ok", answer
        assert len(c.list_accounts()) > 0
