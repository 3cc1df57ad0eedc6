"""The done criterion of the package: in a fresh virtualenv, ``pip install ./bindings/python``
and the examples create an invoice on the sandbox and verify its callback, with nothing
else set (no ALPHAPO_LIBRARY, no PYTHONPATH): the install carries the library."""

from __future__ import annotations

import os
import subprocess
import venv
from pathlib import Path

import pytest

from alphapo_test_support import KEY, SECRET, Sandbox, find_repo_root, unique


@pytest.mark.checkout
def test_fresh_virtualenv_install_creates_an_invoice_and_verifies_its_callback(tmp_path: Path) -> None:
    repo = find_repo_root()
    env_dir = tmp_path / "venv"
    # System site-packages only provide setuptools/wheel for the offline build.
    venv.EnvBuilder(system_site_packages=True, with_pip=True).create(env_dir)
    python = env_dir / "bin" / "python"
    clean_env = {k: v for k, v in os.environ.items() if k not in ("ALPHAPO_LIBRARY", "PYTHONPATH")}
    install = subprocess.run(
        [str(python), "-m", "pip", "install", "--quiet", "--no-build-isolation", "--no-index",
         str(repo / "bindings" / "python")],
        cwd=tmp_path, env=clean_env, capture_output=True, text=True, timeout=300,
    )
    assert install.returncode == 0, install.stdout + install.stderr
    where = subprocess.run(
        [str(python), "-c", "import alphapo; print(alphapo.LIBRARY_PATH)"],
        cwd=tmp_path, env=clean_env, capture_output=True, text=True, timeout=60,
    )
    assert where.returncode == 0, where.stderr
    assert str(env_dir) in where.stdout, f"library not from the installed package: {where.stdout}"

    sandbox = Sandbox()
    try:
        run_env = dict(clean_env, ALPHAPO_KEY=KEY, ALPHAPO_SECRET=SECRET, ALPHAPO_BASE_URL=sandbox.base_url)
        receiver = subprocess.Popen(
            [str(python), "-u", str(repo / "examples" / "python" / "callback_server.py"), "--until-paid"],
            cwd=tmp_path, env=run_env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        )
        try:
            assert receiver.stdout is not None
            first = receiver.stdout.readline().strip()
            assert first.startswith("listening on "), first
            sandbox.ok("POST", "/callback-url", {"url": first[len("listening on "):]})
            fid = unique("venv")
            created = subprocess.run(
                [str(python), str(repo / "examples" / "python" / "create_invoice.py")],
                cwd=tmp_path, env=dict(run_env, ALPHAPO_FOREIGN_ID=fid),
                capture_output=True, text=True, timeout=60,
            )
            assert created.returncode == 0, created.stdout + created.stderr
            assert "pay 106.75" in created.stdout, created.stdout
            sandbox.ok("POST", f"/invoices/{fid}/pay", {})
            out, _ = receiver.communicate(timeout=60)
            assert receiver.returncode == 0, out
            assert f"status confirmed, foreign_id {fid}" in out, out
        finally:
            if receiver.poll() is None:
                receiver.kill()
    finally:
        sandbox.stop()
