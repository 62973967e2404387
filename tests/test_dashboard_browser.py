"""The dashboard in a real headless Chromium (Debian's chromium and chromium-driver, through
Selenium): every page opened through a minted link draws its charts, its tables hold the seeded
workspace's numbers, the console stays clean, bad links get 403; a screenshot of each page is
saved under the test's temporary directory (issue 19, point 4)."""

from __future__ import annotations

import asyncio
import shutil
from collections.abc import AsyncIterator, Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web

from adapters.web.app import DashboardRoutes
from bot.bank import QuestionBank
from bot.bootstrap import Core
from bot.dashboard_links import DashboardLinks, LinkGrant
from tests.conftest import FrozenClock
from tests.dashboard_seed import person, seed
from tests.exam_seed import seed_exams

CHROMIUM, CHROMEDRIVER = "/usr/bin/chromium", "/usr/bin/chromedriver"
PAGES = {
    "": "Participation",
    "topics": "Topics",
    "boards": "Leaderboards",
    "daily": "Question of the day",
    "questions": "Hardest questions",
    "people": "People",
    "exams": "Mock exams",
    "readiness": "Readiness",
}

pytestmark = [
    pytest.mark.timeout(180),
    pytest.mark.skipif(
        not (Path(CHROMIUM).exists() and Path(CHROMEDRIVER).exists()) or shutil.which("chromium") is None,
        reason="needs Debian's chromium and chromium-driver (.ci/run installs them)",
    ),
]


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for argument in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--window-size=1280,1600",
    ):
        options.add_argument(argument)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    try:
        yield driver
    finally:
        driver.quit()


@pytest.fixture
async def site(
    core: Core, bank: QuestionBank, clock: FrozenClock
) -> AsyncIterator[tuple[str, DashboardLinks]]:
    await seed(core, bank, clock)
    await seed_exams(core.uow, bank, clock.now())
    await core.learning.set_exam_date(person("U2"), clock.now().date() + timedelta(days=5))
    links = DashboardLinks("browser-test-secret-0123456789", "http://127.0.0.1")
    app = web.Application()
    DashboardRoutes(core.dashboard, links, clock).add_to(app)
    runner = web.AppRunner(app)
    await runner.setup()
    server = web.TCPSite(runner, "127.0.0.1", 0)
    await server.start()
    port = runner.addresses[0][1]
    try:
        yield f"http://127.0.0.1:{port}", links
    finally:
        await runner.cleanup()


def _drawn_charts(driver: Any) -> list[int]:
    """The number of shapes in each chart's SVG, for charts that take up space on the page."""
    script = """
      return Array.from(document.querySelectorAll('figure.chart svg')).map(svg => {
        const box = svg.getBoundingClientRect();
        return box.width > 0 && box.height > 0 ? svg.querySelectorAll('path, rect').length : 0;
      });"""
    return list(driver.execute_script(script))


def _row(driver: Any, first: str) -> list[str]:
    from selenium.webdriver.common.by import By

    row = driver.find_element(By.XPATH, f"//tr[th[@scope='row' and normalize-space()='{first}']]")
    return [cell.text for cell in row.find_elements(By.TAG_NAME, "td")]


def _errors(driver: Any) -> list[str]:
    return [entry["message"] for entry in driver.get_log("browser") if entry["level"] == "SEVERE"]


async def test_every_page_draws_in_chromium_with_the_seeded_numbers(
    browser: Any, site: tuple[str, DashboardLinks], clock: FrozenClock, tmp_path: Path
) -> None:
    from selenium.webdriver.common.by import By

    base, links = site
    token = links.token(LinkGrant("slack:T1", "U1", True), clock.now())
    for slug, title in PAGES.items():
        path = f"/dashboard/{slug}" if slug else "/dashboard"
        await asyncio.to_thread(browser.get, f"{base}{path}?t={token}")
        assert browser.find_element(By.TAG_NAME, "h1").text == title
        charts = _drawn_charts(browser)
        if slug != "people":
            assert charts and all(shapes > 0 for shapes in charts), (slug, charts)
        assert browser.find_elements(By.CSS_SELECTOR, "table tbody tr"), slug
        if slug == "":
            assert _row(browser, clock.now().date().isoformat()) == ["3", "7", "57%"]
        if slug == "people":
            carol = _row(browser, "Carol")
            assert (carol[0], carol[2], carol[3]) == ("Blue", "3", "33%")
        if slug == "exams":
            assert _row(browser, "2026-W47") == ["3", "562", "33%"]
            assert _row(browser, "Bob") == ["2026-11-18 12:00", "10", "30%", "357", "fail", "60:00"]
            assert len(charts) == 2
        if slug == "readiness":
            bob = _row(browser, "Bob")
            assert bob[4:6] == ["2026-11-23", "5"] and bob[7] == "exam near, readiness low", bob
            assert len(charts) == 2
        assert _errors(browser) == [], slug
        browser.save_screenshot(str(tmp_path / f"{slug or 'participation'}.png"))
    browser.set_window_size(390, 844)
    await asyncio.to_thread(browser.get, f"{base}/dashboard/topics?t={token}")
    width = browser.execute_script("return [document.documentElement.scrollWidth, window.innerWidth]")
    assert width[0] <= width[1], width
    browser.save_screenshot(str(tmp_path / "topics-phone.png"))
    browser.set_window_size(1280, 1600)
    assert len(list(tmp_path.glob("*.png"))) == len(PAGES) + 1


async def test_bad_links_get_403_and_show_nothing_in_chromium(
    browser: Any, site: tuple[str, DashboardLinks], clock: FrozenClock, tmp_path: Path
) -> None:
    from selenium.webdriver.common.by import By

    base, links = site
    good = links.token(LinkGrant("slack:T1", "U1", True), clock.now())
    forged = DashboardLinks("not-the-secret-0123456789", base).token(
        LinkGrant("slack:T1", "U1", True), clock.now()
    )
    other = links.token(LinkGrant("slack:T404", "U1", True), clock.now())
    for name, token in {"altered": good[:-2] + "xx", "forged": forged, "other-workspace": other}.items():
        await asyncio.to_thread(browser.get, f"{base}/dashboard?t={token}")
        assert browser.find_element(By.TAG_NAME, "h1").text == "This link is not valid", name
        assert not browser.find_elements(By.TAG_NAME, "table") and "Alice" not in browser.page_source
        assert any("403" in message for message in _errors(browser)), name
        browser.save_screenshot(str(tmp_path / f"403-{name}.png"))
    clock.advance(hours=25)
    await asyncio.to_thread(browser.get, f"{base}/dashboard?t={good}")
    assert browser.find_element(By.TAG_NAME, "h1").text == "This link is not valid"
    assert any("403" in message for message in _errors(browser))
