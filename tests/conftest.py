"""Fixtures: a small real index built by the indexer itself; app, client and runner on it."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from flask import Flask
from flask.testing import FlaskClient

from indexer.build import build
from search import Atlas, open_atlas

DATA = Path(__file__).parent / "data"
SOURCES = [DATA / "studies", DATA / "more-studies.jsonl"]
ARTIFACTS = Path(__file__).parent / "artifacts"


@pytest.fixture(scope="session")
def index_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A real index of the test records, built once per session; tests must not change it."""
    path = tmp_path_factory.mktemp("index")
    report = build(path, SOURCES)
    assert report.ok, [str(p) for p in report.load.problems]
    return path


@pytest.fixture(scope="session")
def atlas(index_dir: Path) -> Atlas:
    return open_atlas(index_dir)


@pytest.fixture
def fresh_index(tmp_path: Path) -> Path:
    """A private copy of the test index that a test may rebuild or damage."""
    path = tmp_path / "index"
    build(path, SOURCES)
    return path


@pytest.fixture
def app(index_dir: Path, tmp_path: Path) -> Flask:
    from web import create_app

    config = {"TESTING": True, "INDEX_DIR": str(index_dir), "DATA_DIR": str(tmp_path / "data")}
    return create_app(config)


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


@pytest.fixture(scope="session")
def artifacts() -> Iterator[Path]:
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS


def copy_records(tmp_path: Path) -> Path:
    """Return a writable copy of the test records directory."""
    target = tmp_path / "records"
    shutil.copytree(DATA / "studies", target)
    return target
