"""Handles: context managers, close(), __del__ (also at interpreter shutdown), and where
the library is loaded from."""

from __future__ import annotations

import gc
import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

import alphapo
from alphapo import _ffi

from alphapo_test_support import KEY, SECRET

PACKAGE_DIR = Path(alphapo.__file__).resolve().parent


def test_client_context_manager_and_close(sandbox):
    with sandbox.client() as c:
        assert not c.closed and "closed" not in repr(c)
        assert c.ping().data == "OK"
    assert c.closed and "closed" in repr(c)
    c.close()
    with pytest.raises(ValueError):
        c.list_accounts()
    with pytest.raises(ValueError):
        c.prepare_ping()


def test_environments_build_without_network():
    for env in alphapo.Environment:
        alphapo.Client(KEY, SECRET, environment=env).close()
    with alphapo.Client(KEY, SECRET, environment="cryptoprocessing-sandbox") as c:
        assert "cryptoprocessing_sandbox" in repr(c)
        p = c.prepare_list_accounts()
    assert p.url == "https://app.sandbox.cryptoprocessing.com/api/v2/accounts/list"
    with alphapo.Client(KEY, SECRET) as c:
        assert c.prepare_ping().url == "https://app.alphapo.net/api/v2/ping"


def test_options_reach_the_core(sandbox):
    with sandbox.client(
        timeout=5,
        connect_timeout=1.5,
        max_retries=0,
        app_info="MyShop/1.4",
        allow_insecure_http=False,
    ) as c:
        assert c.ping().data == "OK"


def test_dropped_handles_are_freed_by_del():
    for _ in range(200):
        alphapo.Client(KEY, SECRET)
        alphapo.Signer(SECRET)
    gc.collect()


def test_prepared_request_outlives_its_client(sandbox):
    with sandbox.client() as c:
        p = c.prepare_ping()
    with sandbox.client() as other:
        assert other.send(p).data == "OK"


def _run(code: str, cwd: Path, **env: str) -> subprocess.CompletedProcess:
    """Runs ``code`` in a fresh interpreter, from ``cwd`` (so that the working directory
    never shadows the package under test)."""
    full_env = {k: v for k, v in os.environ.items() if k != _ffi.ENV_VAR}
    full_env.update(env)
    return subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)],
        env=full_env,
        cwd=str(cwd),
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_del_at_interpreter_shutdown_is_silent(tmp_path):
    out = _run(
        f"""
        import alphapo
        client = alphapo.Client({KEY!r}, {SECRET!r})
        signer = alphapo.Signer({SECRET!r})
        prepared = client.prepare_ping()
        class Holder:
            pass
        cycle = Holder()
        cycle.self = cycle
        cycle.client = alphapo.Client({KEY!r}, {SECRET!r})
        cycle.signer = alphapo.Signer({SECRET!r})
        import alphapo._ffi as f
        print("loaded", f.LIBRARY_PATH)
        """,
        cwd=tmp_path,
        PYTHONPATH=str(PACKAGE_DIR.parent),
        ALPHAPO_LIBRARY=str(_ffi.LIBRARY_PATH),
    )
    assert out.returncode == 0, out.stderr
    assert out.stderr == ""


# --- finding the library ------------------------------------------------------------------


def _copy_package(dest: Path) -> Path:
    target = dest / "alphapo"
    shutil.copytree(
        PACKAGE_DIR, target, ignore=shutil.ignore_patterns("__pycache__", _ffi.LIBRARY_NAME)
    )
    return target


_WHERE = "import alphapo, alphapo._ffi as f; print(f.LIBRARY_PATH)"


def test_library_from_environment_variable(tmp_path):
    _copy_package(tmp_path)
    out = _run(_WHERE, tmp_path, PYTHONPATH=str(tmp_path), ALPHAPO_LIBRARY=str(_ffi.LIBRARY_PATH))
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == str(_ffi.LIBRARY_PATH)
    # A directory holding the library works too.
    out = _run(
        _WHERE, tmp_path, PYTHONPATH=str(tmp_path), ALPHAPO_LIBRARY=str(_ffi.LIBRARY_PATH.parent)
    )
    assert out.stdout.strip() == str(_ffi.LIBRARY_PATH.parent / _ffi.LIBRARY_NAME), out.stderr


def test_wrong_environment_variable_is_an_error_not_a_fallback(tmp_path):
    package = _copy_package(tmp_path)
    shutil.copy(_ffi.LIBRARY_PATH, package / _ffi.LIBRARY_NAME)  # a fallback exists
    missing = tmp_path / "nowhere" / _ffi.LIBRARY_NAME
    out = _run(_WHERE, tmp_path, PYTHONPATH=str(tmp_path), ALPHAPO_LIBRARY=str(missing))
    assert out.returncode != 0
    assert (
        "OSError" in out.stderr and str(missing) in out.stderr and "$ALPHAPO_LIBRARY" in out.stderr
    )


def test_library_copy_inside_the_package(tmp_path):
    package = _copy_package(tmp_path)
    shutil.copy(_ffi.LIBRARY_PATH, package / _ffi.LIBRARY_NAME)
    out = _run(_WHERE, tmp_path, PYTHONPATH=str(tmp_path))
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == str(package / _ffi.LIBRARY_NAME)


def test_library_from_the_checkout_target_release(tmp_path):
    # A fake checkout: Cargo.toml, include/alphapo.h, target/release/<lib>, and the package
    # in bindings/python, as in this repository (and as `pip install -e` leaves it).
    (tmp_path / "Cargo.toml").write_text("[package]\nname = 'alphapo'\n")
    (tmp_path / "include").mkdir()
    (tmp_path / "include" / "alphapo.h").write_text("/* test */\n")
    (tmp_path / "target" / "release").mkdir(parents=True)
    built = tmp_path / "target" / "release" / _ffi.LIBRARY_NAME
    shutil.copy(_ffi.LIBRARY_PATH, built)
    source = tmp_path / "bindings" / "python"
    source.mkdir(parents=True)
    _copy_package(source)
    out = _run(_WHERE, tmp_path, PYTHONPATH=str(source))
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == str(built)


def test_nothing_found_is_one_clear_error_naming_every_place(tmp_path):
    package = _copy_package(tmp_path)
    out = _run(_WHERE, tmp_path, PYTHONPATH=str(tmp_path))
    assert out.returncode != 0
    assert "OSError: libalphapo not found" in out.stderr
    assert "$ALPHAPO_LIBRARY: not set" in out.stderr
    assert str(package / _ffi.LIBRARY_NAME) in out.stderr
    assert "target/release" in out.stderr and "cargo build --release" in out.stderr


def test_a_file_that_is_not_the_library_is_refused(tmp_path):
    _copy_package(tmp_path)
    bogus = tmp_path / _ffi.LIBRARY_NAME
    bogus.write_bytes(b"not a shared object")
    out = _run(_WHERE, tmp_path, PYTHONPATH=str(tmp_path), ALPHAPO_LIBRARY=str(bogus))
    assert out.returncode != 0 and "cannot load libalphapo from" in out.stderr
