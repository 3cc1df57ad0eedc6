"""Fixtures: the local sandbox (examples/sandbox), clients on it, and a callback receiver.

The helpers live in alphapo_test_support.py. The sandbox binary is ``$ALPHAPO_SANDBOX`` or
``target/release/examples/sandbox`` of the checkout these tests live in. A test that needs
it fails (never skips) when it is missing.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Iterator

import pytest

import alphapo
from alphapo_test_support import CallbackReceiver, Sandbox


def pytest_configure(config: Any) -> None:
    config.addinivalue_line(
        "markers",
        "checkout: reads the libalphapo checkout (header, examples, README, package source); "
        "tests/legacy runs the others, against an installed wheel, with -m 'not checkout'",
    )


def pytest_report_header(config: Any) -> str:
    return (
        f"alphapo {alphapo.__version__} from {Path(alphapo.__file__).parent}; "
        f"libalphapo {alphapo.library_version()} from {alphapo.LIBRARY_PATH}"
    )


@pytest.fixture(scope="session")
def sandbox() -> Iterator[Sandbox]:
    sb = Sandbox()
    try:
        yield sb
    finally:
        sb.stop()


@pytest.fixture(scope="session")
def tls_sandbox() -> Iterator[Sandbox]:
    sb = Sandbox(tls=True)
    try:
        yield sb
    finally:
        sb.stop()


@pytest.fixture
def client(sandbox: Sandbox) -> Iterator[alphapo.Client]:
    with sandbox.client(max_retries=0) as c:
        yield c


@pytest.fixture
def faults(sandbox: Sandbox) -> Iterator[Sandbox]:
    """The sandbox, with every fault, quirk and rate limit cleared afterwards."""
    sandbox.ok("DELETE", "/faults")
    try:
        yield sandbox
    finally:
        sandbox.ok("DELETE", "/faults")
        sandbox.ok("POST", "/quirks", {"quirks": []})
        sandbox.ok("POST", "/rate-limit", {"per_minute": 30})


@pytest.fixture
def callbacks(sandbox: Sandbox) -> Iterator[CallbackReceiver]:
    """A callback receiver registered as the sandbox's callback URL for one test."""
    receiver = CallbackReceiver()
    sandbox.ok("POST", "/callback-url", {"url": receiver.url})
    try:
        yield receiver
    finally:
        sandbox.ok("POST", "/callback-url", {"url": None})
        receiver.close()
