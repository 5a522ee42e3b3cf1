"""Browser tests: Playwright driving Debian's Chromium (no browser download)."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from playwright.async_api import Browser, Page, async_playwright, expect

from tests.cast import PASSWORD, Cast, second_factor_code
from tests.live_server import serve

CHROMIUM = Path("/usr/bin/chromium")
ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / "test-results" / "screenshots"
# axe-core from the npm registry (package.json; `make test-tools`), injected into each page.
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    if CHROMIUM.exists():
        return
    if os.environ.get("CI"):
        raise pytest.UsageError(f"CI is set but {CHROMIUM} is missing: install Debian's chromium")
    skip = pytest.mark.skip(
        reason=f"{CHROMIUM} is missing (apt-get install chromium); CI runs these"
    )
    for item in items:
        if "browser" in item.keywords:
            item.add_marker(skip)


@pytest.fixture
async def live_server(database: str, cast: Cast) -> AsyncIterator[str]:
    with serve(database) as base_url:
        yield base_url


@pytest.fixture
async def browser() -> AsyncIterator[Browser]:
    async with async_playwright() as playwright:
        chromium = await playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        yield chromium
        await chromium.close()


@pytest.fixture
async def page(browser: Browser) -> AsyncIterator[Page]:
    context = await browser.new_context(locale="nb-NO", timezone_id="Europe/Oslo")
    page = await context.new_page()
    yield page
    await context.close()


async def screenshot(page: Page, name: str) -> None:
    """Keep a picture of each page the tests visit, for a person to look at, and check the page
    with axe-core: no WCAG 2.1 A/AA violation."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    await page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)
    await assert_accessible(page, name)


async def assert_accessible(page: Page, name: str) -> None:
    """axe-core's WCAG 2.0/2.1 A and AA rules find nothing on the page as it is now."""
    if not AXE.exists():
        pytest.fail(f"{AXE} is missing: run `make test-tools` (npm ci)")
    if not await page.evaluate("() => typeof window.axe === 'object'"):
        # Evaluated through the DevTools protocol, which the page's Content-Security-Policy
        # (no inline script) does not govern; a <script> tag would be refused.
        await page.evaluate(AXE.read_text())
    violations = await page.evaluate(
        """async (tags) => {
            const result = await axe.run(document, {runOnly: {type: "tag", values: tags}});
            return result.violations.map((v) => ({
                id: v.id, help: v.help,
                nodes: v.nodes.slice(0, 5).map((n) => n.target.join(" ") + ": " + n.failureSummary),
            }));
        }""",
        AXE_TAGS,
    )
    report = "\n".join(
        f"- {v['id']}: {v['help']}\n    " + "\n    ".join(v["nodes"]) for v in violations
    )
    assert not violations, f"axe found WCAG violations on {name} ({page.url}):\n{report}"


async def assert_fits(page: Page, width: int = 390) -> None:
    """Nothing on the page is wider than a phone's screen: no sideways scrolling."""
    await page.set_viewport_size({"width": width, "height": 844})
    scroll_width = await page.evaluate("() => document.documentElement.scrollWidth")
    assert scroll_width <= width, f"{page.url} is {scroll_width} px wide at {width} px"


async def page_as(browser: Browser, base: str, email: str, width: int = 1280) -> Page:
    """A new browser context signed in as ``email`` (the cast's password, and the second
    factor's code where one is asked for), at ``width`` px."""
    context = await browser.new_context(
        locale="nb-NO", timezone_id="Europe/Oslo", viewport={"width": width, "height": 900}
    )
    page = await context.new_page()
    await page.goto(f"{base}/login")
    await log_in(page, email)
    await expect(page.get_by_role("heading", name="Velkommen", exact=False)).to_be_visible()
    return page


async def log_in(page: Page, email: str) -> None:
    """On the login page: the cast's password, then the code where the login asks for one
    (the user's demo authenticator, tests/cast.py); returns on the page the login leads to."""
    await page.get_by_label("E-postadresse").fill(email)
    await page.get_by_label("Passord").fill(PASSWORD)
    await page.get_by_role("button", name="Logg inn").click()
    await page.wait_for_url(lambda url: "/login/kode" in url or "/login" not in url)
    if "/login/kode" in page.url:
        await page.get_by_label("Kode", exact=True).fill(await second_factor_code(email))
        await page.get_by_role("button", name="Bekreft").click()
        await page.wait_for_url(lambda url: "/login" not in url)
