"""The OpenAPI document and the real server agree: schemathesis, every check, over loopback.

Bounded (a fixed number of examples per operation, deterministic), so it takes seconds.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from bench.server import running_server
from indexer.build import build
from tests.conftest import SOURCES

pytestmark = pytest.mark.server

EXAMPLES = 25


def test_the_api_keeps_to_its_openapi_document(tmp_path: Path) -> None:
    assert build(tmp_path / "index", SOURCES).ok
    st = Path(sys.executable).with_name("st")
    with running_server(tmp_path / "index", tmp_path / "serve.log", threads=4) as server:
        url = f"http://{server.host}:{server.port}"
        result = subprocess.run(
            [
                str(st),
                "--no-color",
                "run",
                f"{url}/api/openapi.json",
                "--checks",
                "all",
                "--max-examples",
                str(EXAMPLES),
                "--generation-deterministic",
                "--request-timeout",
                "10",
            ],
            cwd=tmp_path,
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-2000:]
    assert "No issues found" in result.stdout
