"""A curator in a real browser: sign in, accept an imported draft with a summary, see it live."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from atlas_cli import cli
from curation.accounts import AccountStore
from tests.test_browser import CHROMIUM, CHROMIUM_ARGS

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="/usr/bin/chromium is missing"),
]
sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")

PASSWORD = "correct horse battery staple"
IMPORTS = Path(__file__).parent / "data" / "imports"


@pytest.fixture
def server(tmp_path: Path) -> Iterator[str]:
    from waitress.server import create_server

    from indexer.build import build
    from tests.conftest import copy_records
    from web import create_app

    records = copy_records(tmp_path)
    index = tmp_path / "index"
    assert build(index, [records]).ok
    data = tmp_path / "data"
    AccountStore(data).add("ada", PASSWORD)
    result = CliRunner().invoke(
        cli,
        [
            "import",
            "file",
            str(IMPORTS / "mecfs.xml"),
            "--data",
            str(data),
            "--source",
            str(records),
        ],
    )
    assert result.exit_code == 0, result.output
    app = create_app({"INDEX_DIR": str(index), "DATA_DIR": str(data), "SOURCES": [str(records)]})
    wsgi = create_server(app, host="127.0.0.1", port=0, threads=4)
    thread = threading.Thread(target=wsgi.run, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{wsgi.effective_port}"
    finally:
        wsgi.close()
        thread.join(timeout=5)


def test_a_curator_accepts_a_draft_and_finds_it_on_the_public_search(
    server: str, artifacts: Path
) -> None:
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        page = browser.new_page(base_url=server, viewport={"width": 1100, "height": 900})
        errors: list[str] = []
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.goto("/curate/drafts/1")  # not signed in: sent to sign-in, then back here
        assert "/curate/sign-in" in page.url
        page.fill("#curator-name", "ada")
        page.fill("#curator-password", PASSWORD)
        page.click("form[action$='/curate/sign-in'] button")
        assert page.url.endswith("/curate/drafts/1")
        page.fill(
            "#field-summary",
            "Researchers compared 50 patients with 48 healthy people. "
            "Levels of IL-12p40, an immune signal, were higher in patients.",
        )
        page.fill("#field-authors", "Müller, Hélène J\nO'Brien, S P")
        page.screenshot(path=str(artifacts / "curate-draft.png"), full_page=True)
        slug = page.input_value("#field-slug")
        page.click("button[value=accept]")
        page.wait_for_selector("text=Published.", timeout=120_000)
        deadline = time.monotonic() + 10
        while True:
            page.goto("/search?q=Müller+IL-12p40")
            if page.locator(f"a[href='/studies/{slug}']").count() or time.monotonic() > deadline:
                break
            time.sleep(0.5)
        assert page.locator(f"a[href='/studies/{slug}']").count() >= 1
        page.click(f"a[href='/studies/{slug}']")
        assert "Researchers compared 50 patients" in page.content()
        browser.close()
        assert errors == []
