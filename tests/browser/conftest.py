"""A real browser on the demo site: headless Chromium driven by Selenium against
`ratsblick serve` (waitress) on the synced, read and indexed demo data.

The demo home is built once per test run (with pytest-xdist: once for all
workers, under a file lock) and served once per worker. Set
RATSBLICK_TEST_DEMO_HOME to a folder to keep the built home between runs.
"""

from __future__ import annotations

import fcntl
import os
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from selenium import webdriver
from selenium.webdriver.chrome.options import Options
from selenium.webdriver.chrome.service import Service

from tests.browser.site import MainPages, build, main_pages, served

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
# No internet: nothing in the browser may reach for an update, a sync or a field trial.
OFFLINE_FLAGS = (
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-extensions",
    "--lang=de-DE",
)
WIDE = (1280, 900)
ARTIFACTS = Path(os.environ.get("RATSBLICK_TEST_ARTIFACTS", "test-artifacts")).resolve()


@pytest.fixture(scope="session")
def demo_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    kept = os.environ.get("RATSBLICK_TEST_DEMO_HOME")
    shared = tmp_path_factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):
        shared = shared.parent  # the run's folder, above each worker's own
    home = Path(kept) if kept else shared / "demo-home"
    home.parent.mkdir(parents=True, exist_ok=True)
    with (home.parent / f"{home.name}.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        build(home)
    return home


@pytest.fixture(scope="session")
def site(demo_home: Path) -> Iterator[str]:
    """The base URL of the production server on the demo home."""
    with served(demo_home) as url:
        yield url


@pytest.fixture(scope="session")
def pages(demo_home: Path) -> MainPages:
    return main_pages(demo_home)


@dataclass
class Browser:
    """A Chromium window on the site that remembers what its console reported."""

    driver: webdriver.Chrome
    site: str
    console_errors: list[str] = field(default_factory=list)

    def open(self, path: str) -> None:
        self.driver.get(self.site + path)
        self.collect_console()

    def collect_console(self) -> None:
        """Keep the console's errors (CSP refusals, failed assets, exceptions) seen so far."""
        for entry in self.driver.get_log("browser"):
            message = entry["message"]
            # The browser's own request for /favicon.ico is not the page's doing, and a
            # 404 page's own status is its point.
            own_status = message.startswith(f"{self.driver.current_url} - Failed to load")
            if entry["level"] == "SEVERE" and "/favicon.ico " not in message and not own_status:
                self.console_errors.append(f"{self.driver.current_url}: {message}")

    def path(self) -> str:
        """The current URL without the site: `/suche/?q=…`."""
        url: str = self.driver.current_url
        assert url.startswith(self.site), url
        return url.removeprefix(self.site)


def _chrome(*flags: str) -> webdriver.Chrome:
    if not (CHROMIUM.exists() and CHROMEDRIVER.exists()):
        pytest.fail("Chromium and its driver are missing: run scripts/setup.sh")
    options = Options()
    options.binary_location = str(CHROMIUM)
    profile = tempfile.mkdtemp(prefix="ratsblick-chromium-")
    for flag in (*OFFLINE_FLAGS, f"--user-data-dir={profile}", *flags):
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    # An explicit driver path: Selenium Manager (which downloads) is never asked.
    driver = webdriver.Chrome(options=options, service=Service(str(CHROMEDRIVER)))
    driver.set_window_size(*WIDE)
    driver.set_script_timeout(60)
    return driver


@pytest.fixture(scope="session")
def browser_factory(site: str) -> Iterator[Callable[..., Browser]]:
    drivers: list[webdriver.Chrome] = []

    def make(*flags: str) -> Browser:
        drivers.append(_chrome(*flags))
        return Browser(drivers[-1], site)

    yield make
    for driver in drivers:
        driver.quit()


@pytest.fixture(scope="session")
def _session_browser(browser_factory: Callable[..., Browser]) -> Browser:
    return browser_factory()


@pytest.fixture
def browser(_session_browser: Browser) -> Browser:
    """The shared window, wide, with a clean console record for this test."""
    _session_browser.driver.set_window_size(*WIDE)
    _session_browser.collect_console()
    _session_browser.console_errors.clear()
    return _session_browser


@pytest.fixture(scope="session")
def browser_without_js(browser_factory: Callable[..., Browser]) -> Browser:
    return browser_factory("--blink-settings=scriptEnabled=false")


@pytest.fixture(scope="session")
def artifacts() -> Path:
    folder = ARTIFACTS / "screenshots"
    folder.mkdir(parents=True, exist_ok=True)
    return folder
