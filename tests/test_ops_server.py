"""`ratsblick serve` under a flood of idle connections, with real sockets."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path

import pytest

from tests.helpers import free_port

RATSBLICK = [sys.executable, "-m", "ratsblick.cli"]
IDLE = 150


def _environment(home: Path, **extra: str) -> dict[str, str]:
    return {
        **{k: v for k, v in os.environ.items() if k != "DATABASE_URL"},
        "RATSBLICK_HOME": str(home),
        "RATSBLICK_BACKGROUND_JOBS": "0",
        **extra,
    }


@pytest.fixture
def server(tmp_path: Path) -> Iterator[int]:
    """`ratsblick serve` on SQLite in a fresh home; idle connections closed after 3 s."""
    environment = _environment(tmp_path, RATSBLICK_WEB_CHANNEL_TIMEOUT="3")
    subprocess.run([*RATSBLICK, "migrate", "-v0"], env=environment, check=True, timeout=120)
    port = free_port()
    process = subprocess.Popen(
        [*RATSBLICK, "serve", "--port", str(port)], env=environment, stdout=subprocess.DEVNULL
    )
    try:
        _wait_until_served(port)
        yield port
    finally:
        process.terminate()
        process.wait(10)


def _wait_until_served(port: int) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.2)
    raise AssertionError("ratsblick serve did not start")


def _get(port: int, path: str) -> int:
    with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=10) as response:
        return int(response.status)


def test_idle_connections_do_not_block_a_request(server: int) -> None:
    with ExitStack() as stack:
        for _ in range(IDLE):
            stack.enter_context(socket.create_connection(("127.0.0.1", server), timeout=5))
        started = time.monotonic()
        assert _get(server, "/healthz") == 200
        assert time.monotonic() - started < 3


def test_an_idle_connection_is_closed_after_the_channel_timeout(server: int) -> None:
    with socket.create_connection(("127.0.0.1", server), timeout=15) as idle:
        started = time.monotonic()
        assert idle.recv(1) == b""  # closed by the server
        waited = time.monotonic() - started
    # 3 s timeout, looked for every 2 s.
    assert 2.5 < waited < 8
