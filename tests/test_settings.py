"""Settings from the environment (search/settings.py): defaults, values, and clear errors."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from atlas_cli import cli
from bench.server import atlas_command
from search import settings


def test_defaults_are_the_projects_own_folders(monkeypatch: pytest.MonkeyPatch) -> None:
    names = (
        settings.INDEX,
        settings.SOURCE,
        settings.DATA,
        settings.CURATED,
        settings.HOST,
        settings.PORT,
        settings.THREADS,
        settings.TRUSTED_PROXY,
        settings.BUILD_MEMORY,
    )
    for name in names:
        monkeypatch.delenv(name, raising=False)
    assert settings.configured_index_dir() == settings.PROJECT_ROOT / "index"
    assert settings.configured_sources() == [settings.PROJECT_ROOT / "data" / "studies"]
    assert settings.configured_data_dir() == settings.PROJECT_ROOT / "instance"
    assert (settings.host(), settings.port(), settings.threads()) == ("127.0.0.1", 8080, 8)
    assert (settings.trusted_proxy(), settings.build_memory_mb()) == ("", 2048)
    assert settings.BUNDLED_STUDIES.is_dir()


def test_the_environment_overrides_them(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(settings.INDEX, "/srv/atlas/index")
    monkeypatch.setenv(settings.SOURCE, "a:b/c.jsonl::")
    monkeypatch.setenv(settings.PORT, " 9000 ")
    monkeypatch.setenv(settings.BUILD_MEMORY, "256")
    assert settings.configured_index_dir() == Path("/srv/atlas/index")
    assert settings.configured_sources() == [Path("a"), Path("b/c.jsonl")]
    assert (settings.port(), settings.build_memory_mb()) == (9000, 256)


@pytest.mark.parametrize(
    ("name", "value", "read"),
    [
        (settings.PORT, "eighty", settings.port),
        (settings.THREADS, "-1", settings.threads),
        (settings.BUILD_MEMORY, "0", settings.build_memory_mb),
        (settings.BUILD_MEMORY, "1.5", settings.build_memory_mb),
    ],
)
def test_unusable_values_are_named(
    monkeypatch: pytest.MonkeyPatch, name: str, value: str, read: object
) -> None:
    monkeypatch.setenv(name, value)
    with pytest.raises(settings.SettingError, match=name):
        read()  # type: ignore[operator]


ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("search", "indexer", "web", "curation", "citations", "atlas_cli")


def test_the_readme_table_is_the_settings_table() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert settings.markdown_table() in readme
    documented = set(re.findall(r"^\| `([A-Z_]+)` \|", readme, flags=re.MULTILINE))
    assert documented == {s.name for s in settings.SETTINGS}


def test_only_the_settings_module_reads_the_environment() -> None:
    readers = [
        str(path.relative_to(ROOT))
        for package in PACKAGES
        for path in sorted((ROOT / package).rglob("*.py"))
        if re.search(r"os\.environ|getenv\(", path.read_text(encoding="utf-8"))
    ]
    assert readers == ["search/settings.py"]
    assert "environ" not in (ROOT / "wsgi.py").read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        (settings.PORT, "eighty", "ATLAS_PORT must be a port number, 0 to 65535 (it is 'eighty')"),
        (settings.PORT, "70000", "ATLAS_PORT must be a port number, 0 to 65535 (it is '70000')"),
        (settings.THREADS, "0", "ATLAS_THREADS must be a number of threads, 1 to 256 (it is '0')"),
        (settings.THREADS, "257", "ATLAS_THREADS must be a number of threads, 1 to 256"),
        (settings.SECRET_KEY, " ", "ATLAS_SECRET_KEY is set but empty; give it a key or unset it"),
        (
            settings.RATE_LIMIT,
            "5 per minute",
            "ATLAS_CONTRIBUTION_RATE_LIMIT must be submissions/seconds, two whole numbers of 1 "
            "or more as in '5/600' (it is '5 per minute')",
        ),
        (settings.RATE_LIMIT, '"0/60"', "ATLAS_CONTRIBUTION_RATE_LIMIT must be submissions"),
    ],
)
def test_serve_names_a_malformed_setting_in_one_line(
    monkeypatch: pytest.MonkeyPatch,
    runner: CliRunner,
    index_dir: Path,
    name: str,
    value: str,
    message: str,
) -> None:
    monkeypatch.setenv(name, value)
    result = runner.invoke(cli, ["serve", "--index", str(index_dir)])
    assert result.exit_code == 2
    assert result.stderr.startswith(f"error: {message}")
    assert result.stderr.count("\n") == 1
    assert "Traceback" not in result.output + result.stderr


def test_a_flag_wins_over_a_malformed_setting(
    monkeypatch: pytest.MonkeyPatch, runner: CliRunner, index_dir: Path
) -> None:
    # `--port` given: $ATLAS_PORT is never read, so the command gets past it (to --threads).
    monkeypatch.setenv(settings.PORT, "eighty")
    result = runner.invoke(
        cli, ["serve", "--index", str(index_dir), "--port", "0", "--threads", "0"]
    )
    assert result.exit_code == 2
    assert "Invalid value for '--threads'" in result.stderr


def test_app_config_reads_flask_settings_and_the_documented_ones(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    for name in [k for k in os.environ if k.startswith(settings.PREFIX)]:
        monkeypatch.delenv(name)
    monkeypatch.setenv("ATLAS_EXPORT_LIMIT", "50")
    monkeypatch.setenv("ATLAS_SITE_NAME", "123")
    monkeypatch.setenv("ATLAS_CACHE__SIZE", '{"a": 1}')
    monkeypatch.setenv("ATLAS_INDEX", " /srv/index ")
    monkeypatch.setenv("ATLAS_TRUSTED_HOSTS", "a.org, b.org")
    assert settings.app_config() == {
        "EXPORT_LIMIT": 50,
        "SITE_NAME": "123",
        "CACHE": {"SIZE": {"a": 1}},
        "INDEX": " /srv/index ",
        "INDEX_DIR": "/srv/index",
        "TRUSTED_HOSTS": "a.org, b.org",
    }
    assert settings.host_names("a.org, b.org") == ["a.org", "b.org"]
    with pytest.raises(settings.SettingError, match="TRUSTED_HOSTS must be host names"):
        settings.host_names("[1]")


@pytest.mark.server
@pytest.mark.parametrize(
    ("command", "name", "value"),
    [
        ("serve", settings.PORT, "eighty"),
        ("serve", settings.THREADS, "999"),
        ("wsgi", settings.SECRET_KEY, ""),
        ("wsgi", settings.BASE_URL, "ftp://a.example"),
        ("wsgi", settings.RATE_LIMIT, "5 per minute"),
    ],
)
def test_a_real_server_process_refuses_a_malformed_setting(
    tmp_path: Path, command: str, name: str, value: str
) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ATLAS_")}
    env |= {name: value, settings.INDEX: str(tmp_path / "index")}
    if command == "serve":
        argv = [*atlas_command(), "serve", "--host", "127.0.0.1"]
    else:  # the WSGI app, as a WSGI server imports it
        argv = [sys.executable, "-c", "import wsgi"]
    done = subprocess.run(argv, capture_output=True, text=True, cwd=ROOT, env=env, timeout=60)
    assert done.returncode == 2
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1
    assert lines[0].startswith("error: ")
    assert name.removeprefix("ATLAS_") in lines[0]
    assert not (tmp_path / "index").exists()  # refused before anything was built
