"""Each main page in Chromium: no console error, no serious or critical axe-core
violation, nothing wider than a 360 px phone; screenshots wide and narrow.

Screenshots and axe reports go to test-artifacts/ (git-ignored; RATSBLICK_TEST_ARTIFACTS
moves it).
"""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.browser.conftest import ARTIFACTS, Browser
from tests.browser.site import MainPages

pytestmark = pytest.mark.browser

AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
PAGES = (
    "start",
    "body",
    "search",
    "suggestion",
    "paper",
    "meeting",
    "organization",
    "person",
    "calendar",
    "file",
)
NOT_FOUND = "/vorlage/999999999/"
PHONE = {"width": 360, "height": 800, "deviceScaleFactor": 1, "mobile": True}
# A 48-page text is long; its first screens show what matters.
SCREENSHOT_MAX_HEIGHT = 6000
BLOCKING = ("serious", "critical")


def path_of(name: str, pages: MainPages) -> str:
    return NOT_FOUND if name == "not-found" else pages.all()[name]


def screenshot(browser: Browser, target: Path) -> None:
    """The whole page (up to SCREENSHOT_MAX_HEIGHT), not only the window."""
    size = browser.driver.execute_cdp_cmd("Page.getLayoutMetrics", {})["cssContentSize"]
    clip = {
        "x": 0,
        "y": 0,
        "width": size["width"],
        "height": min(size["height"], SCREENSHOT_MAX_HEIGHT),
        "scale": 1,
    }
    shot = browser.driver.execute_cdp_cmd(
        "Page.captureScreenshot", {"format": "png", "captureBeyondViewport": True, "clip": clip}
    )
    target.write_bytes(base64.b64decode(shot["data"]))


def axe_violations(browser: Browser) -> list[dict[str, object]]:
    """axe-core's violations on the open page. WebDriver's scripts are not page scripts:
    the page's `script-src 'self'` does not stop them."""
    browser.driver.execute_script(AXE.read_text())
    result = browser.driver.execute_async_script(
        "const done = arguments[arguments.length - 1];"
        "axe.run(document, {resultTypes: ['violations']})"
        "  .then(r => done(r.violations), e => done({error: String(e)}));"
    )
    assert isinstance(result, list), result
    return result


@pytest.fixture
def phone(browser: Browser) -> Iterator[Browser]:
    browser.driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", PHONE)
    yield browser
    browser.driver.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})


@pytest.mark.parametrize("name", [*PAGES, "not-found"])
def test_page_has_no_serious_accessibility_violation(
    browser: Browser, pages: MainPages, artifacts: Path, name: str
) -> None:
    browser.open(path_of(name, pages))
    screenshot(browser, artifacts / f"{name}-1280.png")
    violations = axe_violations(browser)
    report = [
        {
            "rule": v["id"],
            "impact": v["impact"],
            "help": v["help"],
            "nodes": [node["target"] for node in v["nodes"]],  # type: ignore[attr-defined]
        }
        for v in violations
    ]
    (ARTIFACTS / "axe").mkdir(exist_ok=True)
    (ARTIFACTS / "axe" / f"{name}.json").write_text(
        json.dumps(report, indent=1, ensure_ascii=False)
    )
    for item in report:
        print(f"axe {name}: {item['impact']} {item['rule']} – {item['help']}: {item['nodes']}")
    assert [item["rule"] for item in report if item["impact"] in BLOCKING] == []
    assert browser.console_errors == []


@pytest.mark.parametrize("name", [*PAGES, "not-found"])
def test_page_fits_a_phone(phone: Browser, pages: MainPages, artifacts: Path, name: str) -> None:
    phone.open(path_of(name, pages))
    screenshot(phone, artifacts / f"{name}-360.png")
    width = phone.driver.execute_script("return document.documentElement.scrollWidth")
    if width > PHONE["width"]:
        too_wide = phone.driver.execute_script(
            "const w = document.documentElement.clientWidth;"
            "return [...document.querySelectorAll('body *')]"
            "  .filter(e => e.getBoundingClientRect().right > w + 0.5)"
            "  .map(e => e.outerHTML.slice(0, 100)).slice(0, 8);"
        )
        pytest.fail(f"{width} px wide; reaching past the screen: {too_wide}")
    assert phone.console_errors == []
