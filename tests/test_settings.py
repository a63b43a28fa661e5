"""Settings from the environment (search/settings.py): defaults, values, and clear errors."""

from __future__ import annotations

from pathlib import Path

import pytest

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
