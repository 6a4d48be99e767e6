"""The public find-help page in a real browser, served the way `make run` serves it.

In each language: the quick exit is the first thing the keyboard reaches, the flow works, no
cookie and no storage is left behind, no request leaves 127.0.0.1 (the exit's destination is
answered by the test itself), Shift pressed three times leaves and Back does not return. The
results page is photographed on a 360 px wide viewport (the PNG files are in the test's
tmp_path, listed in the test report). Without JavaScript the page still answers.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Browser, Page, Route, ViewportSize, sync_playwright

from gbvwatch.tests_browser.test_browser import (  # noqa: F401 - `server` is a fixture
    CHROMIUM,
    CHROMIUM_ARGS,
    HOST,
    Server,
    server,
)

pytestmark = pytest.mark.browser

EXIT_URL = "https://www.google.com/"  # the default of GBVWATCH_QUICK_EXIT_URL
PHONE: ViewportSize = {"width": 360, "height": 740}
NO_SHELTER = {
    "az": "Bu növdən sizi qəbul edən heç bir xidmət bilmirik.",
    "ru": "Мы не знаем ни одной службы этого вида, которая вас примет.",
    "en": "We know of no service of this kind that accepts you.",
}


def _answer_exit(route: Route) -> None:
    route.fulfill(status=200, content_type="text/html", body="<title>Search</title>weather")


def _context_page(browser: Browser, requests: list[str], **options: Any) -> Page:
    context = browser.new_context(viewport=PHONE, **options)
    context.set_default_timeout(10_000)
    context.route(EXIT_URL + "**", _answer_exit)
    page = context.new_page()
    page.on("request", lambda request: requests.append(request.url))
    return page


def _ask(page: Page, need: str, unit: str, gender: str, on: str = "") -> None:
    page.check(f"input[name=need][value={need}]")
    page.select_option("#id_unit", unit)
    page.check(f"input[name=gender][value={gender}]")
    if on:
        page.click("details summary")
        page.fill("#id_on", on)
    page.click("#find-button")


def _flow(page: Page, site: Server, lang: str, tmp_path: Path) -> Path:
    page.goto(site.url(f"/info/{lang}/"))
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "quick-exit"
    _ask(page, "shelter", "astara", "trans_woman")
    page.wait_for_selector("#none-shelter")
    assert NO_SHELTER[lang] in page.inner_text("#none-shelter")
    assert "860" in page.inner_text("#helplines")
    assert "/info/" in page.url and "?" not in page.url  # nothing of the question in the URL
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    shot = tmp_path / f"find-help-{lang}-360px.png"
    page.screenshot(path=str(shot), full_page=True)
    assert page.context.cookies() == []
    assert page.evaluate("localStorage.length + sessionStorage.length") == 0
    # Capital letters typed in between never count: the visitor stays.
    for key in ("Shift", "Shift", "KeyA", "Shift"):
        page.keyboard.press(key)
    page.wait_for_timeout(300)
    assert "/info/" in page.url
    # Shift three times: the page is replaced, and Back does not come back to it.
    page.wait_for_timeout(1600)  # the count of the presses above has lapsed
    for _ in range(3):
        page.keyboard.press("Shift")
    page.wait_for_url(EXIT_URL)
    page.go_back()
    assert "/info/" not in page.url, page.url
    return shot


def test_find_help_in_each_language(server: Server, tmp_path: Path, record_property) -> None:  # noqa: F811
    requests: list[str] = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS, timeout=20_000
        )
        try:
            for lang in ("az", "ru", "en"):
                page = _context_page(browser, requests, locale="en-GB")
                shot = _flow(page, server, lang, tmp_path)
                record_property(f"screenshot_{lang}", str(shot))
                page.context.close()
            page = _context_page(browser, requests)
            page.goto(server.url("/info/en/"))
            _ask(page, "assault", "astara", "woman", on="2023-03-20")
            page.wait_for_selector("#forensic-unavailable")
            text = page.inner_text("#forensic-unavailable")
            assert "No forensic examination is available until Monday 27 March 2023" in text
            page.click("#quick-exit")
            page.wait_for_url(EXIT_URL)
            assert page.context.cookies() == []
            page.context.close()
            _without_javascript(browser, server, requests)
        finally:
            browser.close()
    assert any(urlsplit(url).path.startswith("/static/") for url in requests), requests
    foreign = [
        url
        for url in requests
        if not url.startswith("data:") and urlsplit(url).hostname != HOST and url != EXIT_URL
    ]
    assert not foreign, f"the page made requests off 127.0.0.1: {foreign}"


def _without_javascript(browser: Browser, site: Server, requests: list[str]) -> None:
    page = _context_page(browser, requests, java_script_enabled=False)
    page.goto(site.url("/info/ru/"))
    with page.expect_navigation():
        _ask(page, "shelter", "astara", "trans_woman")
    assert NO_SHELTER["ru"] in page.inner_text("#none-shelter")
    assert page.context.cookies() == []
    page.context.close()
