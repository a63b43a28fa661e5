"""Real-browser tests: Debian's headless Chromium driven by Playwright against the real app.

The app runs under waitress in a background thread on a free loopback port, over the fixture
index. We never download a browser: without /usr/bin/chromium these tests are skipped.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:  # annotations only: playwright may be missing (the tests then skip)
    from playwright.sync_api import Browser, Page

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not CHROMIUM.exists(),
        reason="/usr/bin/chromium is missing: install Debian's chromium (`make browser`)",
    ),
]
sync_api = pytest.importorskip(
    "playwright.sync_api", reason="the playwright package is not installed"
)


@pytest.fixture(scope="module")
def server(index_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Serve the real app with waitress on a free loopback port; yield its base URL."""
    from waitress.server import create_server

    from web import create_app

    data = tmp_path_factory.mktemp("browser-data")
    app = create_app({"INDEX_DIR": str(index_dir), "DATA_DIR": str(data)})
    wsgi = create_server(app, host="127.0.0.1", port=0, threads=4)
    thread = threading.Thread(target=wsgi.run, name="browser-test-server", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{wsgi.effective_port}"
    finally:
        wsgi.close()
        thread.join(timeout=5)


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with sync_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture
def page(browser: Browser, server: str) -> Iterator[Page]:
    context = browser.new_context(base_url=server, viewport={"width": 1280, "height": 900})
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=server)
    tab = context.new_page()
    errors: list[str] = []
    tab.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    tab.on("pageerror", lambda e: errors.append(str(e)))
    yield tab
    context.close()
    # CSP violations and script errors show up here.
    assert errors == []


def hit_slugs(tab: Page) -> list[str]:
    hrefs = tab.locator(".hit__title a").evaluate_all(
        "links => links.map(a => a.getAttribute('href'))"
    )
    return [h.rsplit("/", 1)[1] for h in hrefs]


def test_search_filter_reload_open_and_copy_bibtex(
    page: Page, server: str, artifacts: Path
) -> None:
    page.goto("/")
    page.get_by_label("Search the studies").fill("IL-12p40")
    page.keyboard.press("Enter")
    page.wait_for_url("**/search?q=IL-12p40")
    heading = page.locator("h1")
    assert heading.inner_text() == "2 studies for “IL-12p40”"
    assert hit_slugs(page) == ["roerink-2017-cytokine-signatures", "il16-2012-csf-proteins"]
    page.screenshot(path=str(artifacts / "results-page.png"), full_page=True)

    # Ticking "PEM required" updates the URL and the results without a page load.
    before = page.url
    page.evaluate("window.__samePage = true")
    page.get_by_label("PEM required").check()
    page.wait_for_url("**/search?q=IL-12p40&pem=required")
    assert page.url != before
    assert page.evaluate("window.__samePage") is True
    assert heading.inner_text() == "No studies for “IL-12p40” with filters"
    assert " ".join(page.locator(".chip").text_content().split()) == "Remove filter: PEM required ×"
    assert page.get_by_label("PEM required").is_checked()
    assert (
        page.locator("link[rel=canonical]").get_attribute("href")
        == f"{server}/search?q=IL-12p40&pem=required"
    )
    assert page.locator("#live-status").inner_text() == "No studies for “IL-12p40” with filters"

    # Reloading that URL gives the same view.
    page.reload()
    assert heading.inner_text() == "No studies for “IL-12p40” with filters"
    assert page.get_by_label("PEM required").is_checked()
    assert hit_slugs(page) == []

    # Unticking via the chip, then ticking "PEM unknown", which this fixture study has.
    page.locator(".chip").click()
    page.wait_for_url("**/search?q=IL-12p40")
    page.get_by_label("PEM unknown").check()
    page.wait_for_url("**/search?q=IL-12p40&pem=unknown")
    assert hit_slugs(page) == ["roerink-2017-cytokine-signatures"]
    page.reload()
    assert heading.inner_text() == "1 study for “IL-12p40” with filters"
    assert hit_slugs(page) == ["roerink-2017-cytokine-signatures"]

    # Back goes to the previous search.
    page.go_back()
    page.wait_for_url("**/search?q=IL-12p40")
    sync_api.expect(heading).to_have_text("2 studies for “IL-12p40”")
    assert not page.get_by_label("PEM unknown").is_checked()

    # Open the study and copy its BibTeX.
    page.get_by_role(
        "link", name="Cytokine signatures in chronic fatigue syndrome patients"
    ).click()
    page.wait_for_url("**/studies/roerink-2017-cytokine-signatures")
    copy = page.get_by_role("button", name="Copy BibTeX")
    assert copy.is_visible()
    copy.click()
    # The page's CSP forbids eval, so waits use locators rather than wait_for_function.
    status = page.locator("#bibtex-text + p .copy-status")
    sync_api.expect(status).to_have_text("Copied.")
    copied = page.evaluate("navigator.clipboard.readText()")
    assert copied == page.locator("#bibtex-text").text_content()
    assert copied.startswith("@article{mecfsatlas-roerink-2017-cytokine-signatures,\n")
    page.screenshot(path=str(artifacts / "study-page.png"), full_page=True)


def test_filters_work_without_javascript(browser: Browser, server: str) -> None:
    context = browser.new_context(base_url=server, java_script_enabled=False)
    tab = context.new_page()
    tab.goto("/search?q=IL-12p40")
    tab.get_by_label("PEM unknown").check()
    tab.get_by_role("button", name="Apply filters").click()
    tab.wait_for_url("**/search?q=IL-12p40&pem=unknown&year_from=&year_to=")
    assert hit_slugs(tab) == ["roerink-2017-cytokine-signatures"]
    assert (
        tab.locator("link[rel=canonical]").get_attribute("href")
        == f"{server}/search?q=IL-12p40&pem=unknown"
    )
    assert not tab.get_by_role("button", name="Copy BibTeX").count()
    context.close()


def test_keyboard_reaches_the_skip_link_and_main(page: Page) -> None:
    page.goto("/studies/mueller-2019-tnf-alpha-exercise")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.className") == "skip-link"
    assert page.evaluate("getComputedStyle(document.activeElement).outlineStyle") == "solid"
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"


def test_phone_layout_has_no_sideways_scrolling(
    browser: Browser, server: str, artifacts: Path
) -> None:
    context = browser.new_context(base_url=server, viewport={"width": 360, "height": 740})
    tab = context.new_page()
    for url in ("/search?q=IL-12p40", "/studies/roerink-2017-cytokine-signatures", "/about"):
        tab.goto(url)
        overflow = tab.evaluate(
            "document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        assert overflow <= 0, url
    tab.goto("/search?q=IL-12p40")
    tab.screenshot(path=str(artifacts / "results-page-phone.png"))
    context.close()


def test_a_phone_is_told_the_evidence_table_scrolls_sideways(browser: Browser, server: str) -> None:
    for width, told in ((390, True), (540, True), (600, False), (1280, False)):
        context = browser.new_context(base_url=server, viewport={"width": width, "height": 800})
        tab = context.new_page()
        tab.goto("/search?q=IL-12p40")
        region = tab.locator(".evidence .table-scroll")
        wider = region.evaluate("el => el.scrollWidth > el.clientWidth")
        assert wider == told, width  # the hint is shown exactly where the table is cut
        assert tab.locator(".evidence .scroll-hint").is_visible() == told, width
        context.close()
