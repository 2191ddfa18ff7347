"""Shared fixtures: the recorded council on a real loopback server, fast clients,
and the clock moved ahead on request."""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Iterator
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import ClassVar

import pytest
import time_machine
from django.test import override_settings

from ratsblick.oparl.http import ClientConfig, HttpClient
from ratsblick.replay.dataset import RecordedDataset
from ratsblick.replay.server import Faults, ReplayServer

# Page tests change rows between two requests of one URL without an index
# commit; the page cache has tests of its own (tests/test_web_caching.py).
os.environ.setdefault("RATSBLICK_PAGE_CACHE_SECONDS", "0")

FAST = ClientConfig(timeout=2.0, retries=3, backoff=0.01, backoff_max=0.05, allow_private=True)


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--clock-offset-days",
        type=int,
        default=0,
        help="run each test with the clock this many days ahead (proves that no test ages)",
    )


@pytest.fixture(autouse=True)
def _moved_clock(request: pytest.FixtureRequest) -> Iterator[None]:
    """With --clock-offset-days, every test (and its fixtures) lives that far ahead.

    The clock keeps ticking, so timeouts and back-offs behave as usual; only
    this process travels: a subprocess a test starts sees the real date.
    """
    days = request.config.getoption("clock_offset_days")
    if not days:
        yield
        return
    with time_machine.travel(timedelta(days=days), tick=True):
        yield


@pytest.fixture
def loopback_commands(monkeypatch: pytest.MonkeyPatch) -> None:
    """Commands build their HTTP client from the environment: let it reach the replay."""
    monkeypatch.setenv("RATSBLICK_ALLOW_PRIVATE_HOSTS", "1")
    monkeypatch.setenv("RATSBLICK_HTTP_BACKOFF", "0.01")


@pytest.fixture
def dataset() -> RecordedDataset:
    """A fresh, editable copy of the Hürtgenwald crawl."""
    return RecordedDataset.load()


@pytest.fixture
def replay(dataset: RecordedDataset) -> Iterator[ReplayServer]:
    # Sternberg answers an empty filtered list with 404, as this server does.
    with ReplayServer(dataset, faults=Faults(empty_list_404=True)) as server:
        yield server


@pytest.fixture
def client() -> Iterator[HttpClient]:
    with HttpClient(FAST) as http:
        yield http


class Routes(BaseHTTPRequestHandler):
    """A few fixed answers for HTTP client tests."""

    protocol_version = "HTTP/1.1"
    seen_agents: ClassVar[list[str]] = []
    active = 0
    peak = 0
    lock = threading.Lock()

    def log_message(self, *args: object) -> None:
        pass

    def do_GET(self) -> None:
        Routes.seen_agents.append(self.headers.get("User-Agent", ""))
        if self.path.startswith("/redirect/"):
            hops = int(self.path.rsplit("/", 1)[1])
            target = f"/redirect/{hops - 1}" if hops > 1 else "/json"
            self._reply(302, b"", {"Location": target})
        elif self.path == "/to-private":
            self._reply(302, b"", {"Location": "http://10.0.0.1/secret"})
        elif self.path == "/big":
            self._reply(200, b"x" * 200_000)
        elif self.path == "/slow":
            with Routes.lock:
                Routes.active += 1
                Routes.peak = max(Routes.peak, Routes.active)
            time.sleep(0.1)
            with Routes.lock:
                Routes.active -= 1
            self._reply(200, b"{}")
        elif self.path == "/garbage":
            self._reply(200, b"<html>not json</html>")
        elif self.path == "/forbidden":
            self._reply(403, b"{}")
        else:
            self._reply(200, b'{"ok": "ja\x01"}')

    def _reply(self, status: int, body: bytes, headers: dict[str, str] | None = None) -> None:
        self.send_response(status)
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


@pytest.fixture
def site() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), Routes)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


@pytest.fixture(autouse=True, scope="session")
def _quick_password_hashes() -> Iterator[None]:
    """Logins check passwords as in production, without PBKDF2's deliberate second per hash."""
    with override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]):
        yield


@pytest.fixture(autouse=True)
def _own_home(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> None:
    """Blobs of each test in a folder of its own (Django tests only)."""
    if "django_db" in request.keywords:
        settings = request.getfixturevalue("settings")
        settings.HOME = tmp_path_factory.mktemp("home")
