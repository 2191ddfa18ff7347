"""A sync killed at any point and run again ends where an uninterrupted one ends."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from ratsblick.replay.dataset import RecordedDataset
from ratsblick.replay.server import Faults, ReplayServer

# Each run needs a database of its own. Not marked `clock`: the syncs run in
# subprocesses, which a moved clock (time-machine) does not reach, and every
# sync here is a full one, compared with another: no date enters the result.
pytestmark = pytest.mark.sqlite_only

DUMP = """
import django, json, sys
django.setup()
from tests.canonical import canonical_dump
json.dump(canonical_dump(), sys.stdout, default=str, sort_keys=True)
"""


def ratsblick(home: Path, *args: str) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "RATSBLICK_HOME": str(home),
        "RATSBLICK_ALLOW_PRIVATE_HOSTS": "1",
        "RATSBLICK_HTTP_BACKOFF": "0.01",
        "DATABASE_URL": "",
        "DJANGO_SETTINGS_MODULE": "ratsblick.settings",
    }
    return subprocess.Popen(
        [sys.executable, "-m", "ratsblick.cli", *args],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        cwd=Path(__file__).parent.parent,
    )


def run(home: Path, *args: str) -> None:
    process = ratsblick(home, *args)
    _, err = process.communicate(timeout=300)
    assert process.returncode == 0, err.decode()


def dump(home: Path) -> dict[str, object]:
    env = {**os.environ, "RATSBLICK_HOME": str(home), "DATABASE_URL": "",
           "DJANGO_SETTINGS_MODULE": "ratsblick.settings"}  # fmt: skip
    out = subprocess.run(
        [sys.executable, "-c", DUMP], env=env, check=True, capture_output=True,
        cwd=Path(__file__).parent.parent,
    ).stdout  # fmt: skip
    return json.loads(out)


@pytest.fixture(scope="module")
def server() -> ReplayServer:
    with ReplayServer(RecordedDataset.load(), faults=Faults(empty_list_404=True)) as replay:
        yield replay


@pytest.fixture(scope="module")
def reference(server: ReplayServer, tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    home = tmp_path_factory.mktemp("uninterrupted")
    run(home, "add-body", server.system_url)
    run(home, "sync")
    return dump(home)


def test_a_sync_killed_three_times_then_run_again_ends_as_an_uninterrupted_one(
    server: ReplayServer, reference: dict[str, object], tmp_path: Path
) -> None:
    """Killed early (while listing), midway and late, each time resuming from what the
    killed run left: one body's syncs instead of one per kill point (a full sync
    each is most of this module's time)."""
    run(tmp_path, "add-body", server.system_url)
    server.faults.latency = 0.02  # slow enough to kill it mid-way
    for kill_after_requests in (3, 40, 95):
        start = server.requests
        process = ratsblick(tmp_path, "sync")
        while server.requests - start < kill_after_requests and process.poll() is None:
            time.sleep(0.005)
        process.send_signal(signal.SIGKILL)
        assert process.wait() == -signal.SIGKILL  # killed, not finished
    server.faults.latency = 0
    run(tmp_path, "sync")
    assert dump(tmp_path) == reference
