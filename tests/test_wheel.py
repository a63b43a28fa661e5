"""An installed atlas works outside the checkout: wheel, fresh venv, build, search, serve.

`pip install .` or a wheel into a fresh environment must find the bundled studies (package
data) and keep its index and private data in a per-user data directory, not in site-packages.
Needs the package registry to install the dependencies into the fresh venv (pip's cache helps).
"""

from __future__ import annotations

import http.client
import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parent.parent
SERVING = re.compile(r"Serving .* on http://127\.0\.0\.1:(\d+) ")


def _run(args: list[str], cwd: Path, env: dict[str, str], timeout: float = 600) -> str:
    done = subprocess.run(
        args, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout, check=False
    )
    assert done.returncode == 0, (
        f"{args}: {done.returncode}\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
    )
    return done.stdout


def test_a_wheel_installed_elsewhere_builds_searches_and_serves(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ATLAS_", "PYTHON"))}
    env.update(HOME=str(tmp_path / "home"), XDG_DATA_HOME=str(tmp_path / "xdg"))
    env["PATH"] = os.pathsep.join(
        p for p in env.get("PATH", "").split(os.pathsep) if not p.startswith(str(ROOT))
    )
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    _run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "-q",
            "--no-deps",
            "-w",
            str(tmp_path / "wheels"),
            str(ROOT),
        ],
        elsewhere,
        env,
    )
    [wheel] = (tmp_path / "wheels").glob("*.whl")
    _run([sys.executable, "-m", "venv", str(tmp_path / "venv")], elsewhere, env)
    bin_dir = tmp_path / "venv" / "bin"
    _run([str(bin_dir / "python"), "-m", "pip", "install", "-q", str(wheel)], elsewhere, env)
    atlas = str(bin_dir / "atlas")

    where = _run(
        [str(bin_dir / "python"), "-c", "import search, web; print(search.__file__)"],
        elsewhere,
        env,
    )
    assert str(tmp_path / "venv") in where
    assert str(ROOT) not in where
    home = tmp_path / "xdg" / "mecfs-atlas-search"
    helptext = _run([atlas, "--help"], elsewhere, env)
    assert f"index:           {home / 'index'} (or $ATLAS_INDEX, --index)\n" in helptext
    assert f"private data:    {home / 'instance'} (or $ATLAS_DATA)\n" in helptext

    built = _run([atlas, "index", "build", "--json"], elsewhere, env)
    meta = json.loads(built)
    assert meta["records"] == len(list((ROOT / "data" / "studies").glob("*.json")))
    assert (home / "index" / "CURRENT").is_file()
    found = json.loads(_run([atlas, "search", "cytokine", "--json"], elsewhere, env))
    assert found["total"] > 0

    log = tmp_path / "serve.log"
    with log.open("wb") as handle:
        server = subprocess.Popen(
            [atlas, "serve", "--host", "127.0.0.1", "--port", "0"],
            cwd=elsewhere,
            env=env,
            stdout=handle,
            stderr=subprocess.STDOUT,
        )
    try:
        deadline = time.monotonic() + 60
        while not (match := SERVING.search(log.read_text(errors="replace"))):
            assert server.poll() is None, log.read_text()
            assert time.monotonic() < deadline, log.read_text()
            time.sleep(0.05)
        conn = http.client.HTTPConnection("127.0.0.1", int(match.group(1)), timeout=10)
        conn.request("GET", "/search?q=cytokine")
        response = conn.getresponse()
        assert response.status == 200, response.read()[:500]
        assert b"cytokine" in response.read().lower()
        conn.close()
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(15)
