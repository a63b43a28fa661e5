"""Reading for people with little energy, checked in Chromium (issue #15).

axe-core comes from the npm registry (`make axe`, run by `make test`) into .cache/axe and is
injected into each page by the test; it is never fetched from a CDN. Without it, the axe tests
skip and say why. The reading settings, short view and listening are driven as a reader would:
by keyboard.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from tests.test_browser import CHROMIUM, browser, server, sync_api  # noqa: F401 (fixtures)

if TYPE_CHECKING:  # annotations only: playwright may be missing (the tests then skip)
    from playwright.sync_api import Browser, Locator, Page

OpenTab = Callable[..., "Page"]  # tab_for: opens a tab with reading settings, a width, a script

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="/usr/bin/chromium is missing"),
]
AXE = Path(
    os.environ.get(
        "ATLAS_AXE_JS",
        Path(__file__).resolve().parent.parent / ".cache/axe/node_modules/axe-core/axe.min.js",
    )
)
ROERINK = "/studies/roerink-2017-cytokine-signatures"
PAGES = {
    "home": "/",
    "results": "/search?q=cytokines",
    "empty-results": "/search?q=zzqqxx",
    "study": ROERINK,
    "retracted-study": "/studies/oxford-2005-cbt-trial",
    "about": "/about",
    "retractions": "/retractions",
    "correction-form": ROERINK + "/corrections/new",
    "correction-thanks": ROERINK + "/corrections/thanks",
    "not-found": "/studies/no-such-2000-study",
    "bad-request": "/search?per_page=1000",
}
VARIANTS = {
    "light": {},
    "dark": {"theme": "dark"},
    "dark-larger": {"theme": "dark", "text": "larger"},
    "light-larger": {"theme": "light", "text": "larger"},
}
# A stand-in for the browser's speech synthesis (headless Chromium has no voices): it records
# what it is asked to say. Our own code runs unchanged.
FAKE_SPEECH = """
window.__spoken = [];
const fake = {
  speaking: false, paused: false, pending: false,
  speak(u) { window.__spoken.push(u.text); this.speaking = true; },
  pause() { this.paused = true; window.__spoken.push("<pause>"); },
  resume() { this.paused = false; window.__spoken.push("<resume>"); },
  cancel() { this.speaking = false; this.paused = false; window.__spoken.push("<cancel>"); },
  getVoices() { return []; },
};
Object.defineProperty(window, "speechSynthesis", { value: fake, configurable: true });
"""
NO_SPEECH = "delete window.speechSynthesis; delete window.SpeechSynthesisUtterance;"


def settings_script(settings: dict[str, str]) -> str:
    return f"localStorage.setItem('atlas-reading', {json.dumps(json.dumps(settings))});"


@pytest.fixture
def tab_for(browser: Browser, server: str) -> Iterator[OpenTab]:  # noqa: F811
    """Return a function opening a new tab with given reading settings and viewport width."""
    contexts = []
    errors: list[str] = []

    def open_tab(settings: dict[str, str] | None = None, width: int = 1280, init: str = "") -> Page:
        context = browser.new_context(base_url=server, viewport={"width": width, "height": 900})
        context.grant_permissions(["clipboard-read", "clipboard-write"], origin=server)
        if settings is not None:
            context.add_init_script(settings_script(settings))
        if init:
            context.add_init_script(init)
        contexts.append(context)
        tab = context.new_page()
        tab.on("pageerror", lambda e: errors.append(str(e)))
        tab.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        return tab

    yield open_tab
    for context in contexts:
        context.close()
    # Error pages log their status as a console error; anything else is a defect.
    assert [e for e in errors if "status of 4" not in e] == []


def axe_violations(tab: Page) -> list[dict[str, Any]]:
    if not tab.evaluate("typeof window.axe !== 'undefined'"):
        tab.evaluate(AXE.read_text(encoding="utf-8") + "\n;0")
    # Defaults run every WCAG A/AA rule and the best-practice rules; "color-contrast-enhanced"
    # (7:1) is the AAA rule for text, which the atlas meets too.
    return tab.evaluate(
        """axe.run(document, {rules: {"color-contrast-enhanced": {enabled: true}}}).then(
             r => r.violations.map(v => ({id: v.id, nodes: v.nodes.map(n => n.target.join(" "))}))
           )"""
    )


needs_axe = pytest.mark.skipif(
    not AXE.is_file(), reason=f"{AXE} is missing: `make axe` installs axe-core from npm"
)


@needs_axe
@pytest.mark.parametrize("variant", list(VARIANTS))
def test_axe_finds_nothing_on_any_page_type(
    tab_for: OpenTab, variant: str, artifacts: Path
) -> None:
    tab = tab_for(VARIANTS[variant])
    found = {}
    for name, url in PAGES.items():
        tab.goto(url)
        found[name] = axe_violations(tab)
        if name in ("study", "results"):
            tab.screenshot(path=str(artifacts / f"{name}-{variant}.png"), full_page=True)
    # The correction form's answer when something is wrong.
    tab.goto(ROERINK + "/corrections/new")
    tab.select_option("#correction-kind", index=1)
    tab.fill("#correction-text", "   ")
    tab.get_by_role("button", name="Send privately to the curators").click()
    sync_api.expect(tab.locator(".correction-problems")).to_be_visible()
    found["correction-problems"] = axe_violations(tab)
    failures = {name: v for name, v in found.items() if v}
    assert failures == {}, json.dumps(failures, indent=1)


@pytest.mark.parametrize("variant", ["light", "dark"])
def test_body_text_contrast_is_at_least_7_to_1(tab_for: OpenTab, variant: str) -> None:
    tab = tab_for(VARIANTS[variant])
    tab.goto(ROERINK)
    ratio = tab.evaluate(
        """(() => {
          const rgb = c => c.match(/[\\d.]+/g).slice(0, 3).map(Number);
          const lum = c => { const [r, g, b] = rgb(c).map(v => { v /= 255;
            return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); });
            return 0.2126 * r + 0.7152 * g + 0.0722 * b; };
          const body = getComputedStyle(document.body);
          const p = getComputedStyle(document.querySelector("section[data-listen] p"));
          const [a, b] = [lum(p.color), lum(body.backgroundColor)].sort((x, y) => y - x);
          return (a + 0.05) / (b + 0.05);
        })()"""
    )
    assert ratio >= 7, ratio
    dark = tab.evaluate("getComputedStyle(document.body).backgroundColor") == "rgb(16, 19, 23)"
    assert dark == (variant == "dark")


def test_without_javascript_the_system_dark_mode_is_followed(browser: Browser, server: str) -> None:  # noqa: F811
    context = browser.new_context(base_url=server, java_script_enabled=False, color_scheme="dark")
    tab = context.new_page()
    tab.goto(ROERINK)
    assert tab.evaluate("getComputedStyle(document.body).backgroundColor") == "rgb(16, 19, 23)"
    assert not tab.locator(".reading__toggle").is_visible()  # the panel needs JavaScript
    assert tab.locator("section.foldable p").first.is_visible()  # nothing folds without it
    context.close()


@pytest.mark.parametrize("width", [320, 390, 640])  # 640: 1280 px at 200% zoom
def test_reflow_at_320_px_and_large_text_without_sideways_scrolling(
    tab_for: OpenTab, width: int
) -> None:
    tab = tab_for({"text": "larger", "short": "never"}, width=width)
    for url in PAGES.values():
        tab.goto(url)
        overflow = tab.evaluate(
            "document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        assert overflow <= 0, url


def test_settings_apply_before_the_first_paint(tab_for: OpenTab) -> None:
    tab = tab_for({"theme": "dark", "text": "large", "spacing": "wide"})
    tab.goto("/about")
    # reading.js runs in <head> before <body> exists: the attributes are there for first paint.
    root = tab.locator("html")
    assert (root.get_attribute("data-theme"), root.get_attribute("data-text")) == ("dark", "large")
    assert root.get_attribute("data-spacing") == "wide"
    assert tab.evaluate("getComputedStyle(document.documentElement).fontSize") == "19px"
    assert tab.context.cookies() == []


def test_keyboard_walk_search_filter_study_settings_listen_and_copy_apa(
    tab_for, artifacts: Path
) -> None:
    tab = tab_for(init=FAKE_SPEECH)
    tab.goto("/")

    def tab_to(locator: Locator) -> None:
        for _ in range(200):
            tab.keyboard.press("Tab")
            if locator.evaluate("el => el === document.activeElement"):
                return
        raise AssertionError(f"Tab never reached {locator}")

    # Search.
    tab_to(tab.locator("#q"))
    tab.keyboard.type("cytokines")
    tab.keyboard.press("Enter")
    tab.wait_for_url("**/search?q=cytokines")
    # Tick a facet.
    box = tab.get_by_label("PEM unknown")
    tab_to(box)
    tab.keyboard.press("Space")
    tab.wait_for_url("**/search?q=cytokines&pem=unknown")
    # Open a study.
    link = tab.get_by_role("link", name="Cytokine signatures in chronic fatigue syndrome")
    tab_to(link)
    tab.keyboard.press("Enter")
    tab.wait_for_url("**" + ROERINK)
    # Open the settings; switch to dark and larger text.
    toggle = tab.get_by_role("button", name="Reading settings")
    tab_to(toggle)
    tab.keyboard.press("Enter")
    assert toggle.get_attribute("aria-expanded") == "true"
    assert tab.evaluate("document.activeElement.value") == "system"  # focus moved in
    tab.keyboard.press("ArrowRight")
    tab.keyboard.press("ArrowRight")  # radio groups move with the arrow keys
    assert tab.locator("html").get_attribute("data-theme") == "dark"
    tab.keyboard.press("Tab")
    tab.keyboard.press("ArrowRight")
    tab.keyboard.press("ArrowRight")
    assert tab.locator("html").get_attribute("data-text") == "larger"
    tab.keyboard.press("Escape")
    assert toggle.get_attribute("aria-expanded") == "false"
    assert tab.evaluate("document.activeElement.className") == "reading__toggle"
    tab.screenshot(path=str(artifacts / "study-dark-larger-keyboard.png"))
    # Start and stop listening.
    listen = tab.get_by_role("button", name="Listen")
    tab_to(listen)
    tab.keyboard.press("Enter")
    stop = tab.get_by_role("button", name="Stop")
    sync_api.expect(stop).to_be_visible()
    tab_to(stop)
    tab.keyboard.press("Enter")
    sync_api.expect(listen).to_be_focused()
    spoken = tab.evaluate("window.__spoken")
    assert spoken[1].startswith("Cytokine signatures in chronic fatigue syndrome patients")
    assert [s.split(" ")[0] for s in spoken[2:5]] == ["Summary", "Why", "What"]
    assert spoken[-1] == "<cancel>"
    # Copy an APA citation.
    styles = tab.locator("#cite-styles > summary")
    tab_to(styles)
    tab.keyboard.press("Enter")
    copy = tab.get_by_role("button", name="Copy APA (7th edition) citation")
    tab_to(copy)
    tab.keyboard.press("Enter")
    sync_api.expect(tab.locator("#cite-apa + p .copy-status")).to_have_text("Copied.")
    assert tab.evaluate("navigator.clipboard.readText()").startswith("Roerink, M. E., Knoop, H.")
    # The choices persist in this browser.
    tab.reload()
    assert tab.locator("html").get_attribute("data-theme") == "dark"


def test_listen_pauses_resumes_and_is_absent_without_speech(tab_for: OpenTab) -> None:
    tab = tab_for(init=FAKE_SPEECH)
    tab.goto(ROERINK)
    tab.get_by_role("button", name="Listen").click()
    pause = tab.get_by_role("button", name="Pause")
    pause.click()
    sync_api.expect(tab.get_by_role("button", name="Resume")).to_be_visible()
    tab.get_by_role("button", name="Resume").click()
    assert tab.evaluate("window.__spoken").count("<pause>") == 1
    assert tab.evaluate("window.__spoken")[-1] == "<resume>"
    silent = tab_for(init=NO_SPEECH)
    silent.goto(ROERINK)
    assert silent.locator(".listen").is_hidden()


def test_short_view_on_phones_folds_and_opens_sections(tab_for: OpenTab, artifacts: Path) -> None:
    tab = tab_for(width=390)
    tab.goto(ROERINK)
    assert tab.locator("html").get_attribute("data-short") == "on"
    sync_api.expect(tab.locator(".in-short")).to_be_visible()
    summary_text = tab.locator("section[aria-labelledby=summary-heading] > p").first
    assert summary_text.is_hidden()
    button = tab.get_by_role("button", name="Summary")
    assert button.get_attribute("aria-expanded") == "false"
    button.click()
    assert button.get_attribute("aria-expanded") == "true"
    assert summary_text.is_visible()
    tab.get_by_role("link", name="Cite this study").click()
    sync_api.expect(tab.locator("#citation-text")).to_be_visible()
    tab.screenshot(path=str(artifacts / "study-short-view-phone.png"))
    tab.goto("/search?q=cytokines")
    assert tab.locator(".hit__meta").first.is_hidden()
    tab.screenshot(path=str(artifacts / "results-short-view-phone.png"))
    wide = tab_for(width=1280)
    wide.goto(ROERINK)
    assert wide.locator("html").get_attribute("data-short") is None
    assert wide.locator(".in-short").is_hidden()


LAYOUT_SHIFTS = """
window.__shift = 0;
new PerformanceObserver(list => {
  for (const entry of list.getEntries()) if (!entry.hadRecentInput) window.__shift += entry.value;
}).observe({type: "layout-shift", buffered: true});
"""


@pytest.mark.parametrize("width", [390, 1280])
def test_no_layout_shift_while_pages_load(tab_for: OpenTab, width: int) -> None:
    tab = tab_for({"theme": "dark", "text": "larger"}, width=width, init=LAYOUT_SHIFTS)
    for url in (ROERINK, "/search?q=cytokines", "/"):
        tab.goto(url)
        tab.wait_for_load_state("load")
        tab.wait_for_timeout(300)
        assert tab.evaluate("window.__shift") == 0, url


@pytest.mark.parametrize(("motion", "behaviour"), [("reduce", "auto"), ("no-preference", "smooth")])
def test_motion_only_when_not_reduced(
    browser: Browser,  # noqa: F811
    server: str,  # noqa: F811
    motion: str,
    behaviour: str,
) -> None:
    context = browser.new_context(base_url=server, reduced_motion=motion)
    tab = context.new_page()
    tab.goto("/about")
    assert tab.evaluate("getComputedStyle(document.documentElement).scrollBehavior") == behaviour
    context.close()


def test_higher_contrast_makes_secondary_text_as_dark_as_body_text(
    browser: Browser,  # noqa: F811
    server: str,  # noqa: F811
) -> None:
    context = browser.new_context(base_url=server, contrast="more")
    tab = context.new_page()
    tab.goto(ROERINK)
    colours = tab.evaluate(
        "[getComputedStyle(document.body).color,"
        " getComputedStyle(document.querySelector('.study__byline')).color]"
    )
    assert colours[0] == colours[1]
    context.close()


@pytest.mark.parametrize("variant", ["light", "dark"])
def test_focus_is_visible_on_everything_the_keyboard_reaches(
    tab_for: OpenTab, variant: str
) -> None:
    tab = tab_for(VARIANTS[variant])
    for url in (ROERINK, "/search?q=cytokines"):
        tab.goto(url)
        tab.get_by_role("button", name="Reading settings").click()  # its radios too
        tab.locator("body").evaluate("b => document.activeElement.blur()")
        seen = set()
        for _ in range(120):
            tab.keyboard.press("Tab")
            html, visible = tab.evaluate(
                """(() => {
                  const e = document.activeElement, s = getComputedStyle(e);
                  const bar = e.querySelector(".histogram__target");  // an SVG histogram bar
                  const ring = bar ? getComputedStyle(bar).stroke !== "none"
                    : s.outlineStyle === "solid" && parseFloat(s.outlineWidth) >= 3;
                  return [e.outerHTML.slice(0, 80), ring];
                })()"""
            )
            if html in seen or html.startswith("<body"):
                continue  # Tab went past the last element, to the browser
            seen.add(html)
            assert visible, (url, html)
        assert len(seen) > 30, url


def test_short_view_prints_every_section(tab_for: OpenTab) -> None:
    tab = tab_for(width=390)
    tab.goto(ROERINK)
    summary_text = tab.locator("section[aria-labelledby=summary-heading] > p").first
    assert summary_text.is_hidden()
    tab.emulate_media(media="print")
    assert summary_text.is_visible()
    assert tab.locator(".in-short").is_hidden()
