"""The embedded pipeline: `ratsblick serve` keeps the search current by itself."""

from __future__ import annotations

import fcntl
import logging
import os
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings

from ratsblick.council.models import Paper
from ratsblick.council.sync import add_body
from ratsblick.jobs import embedded
from ratsblick.oparl.http import HttpClient
from ratsblick.replay.sample import BODY, sample_dataset
from ratsblick.replay.server import ReplayServer
from ratsblick.search import SearchIndex, SearchRequest
from tests.conftest import FAST
from tests.helpers import free_port

ROOT = Path(__file__).parent.parent


def wait_for(condition: Callable[[], Any], seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"not within {seconds} s: {what}")
        time.sleep(0.2)


def hits(home: Path, text: str) -> int:
    try:
        return SearchIndex(home / "search").search(SearchRequest(text=text, snippets=False)).total
    except Exception:  # no index yet
        return 0


@pytest.mark.sqlite_only  # the server runs on its own database in its home
def test_a_change_at_the_council_appears_in_search_without_a_command(tmp_path: Path) -> None:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "ratsblick.settings",
        "RATSBLICK_HOME": str(tmp_path),
        "DATABASE_URL": "",
        "RATSBLICK_ALLOW_PRIVATE_HOSTS": "1",
        "RATSBLICK_SYNC_INTERVAL_SECONDS": "1",
    }
    ratsblick = [sys.executable, "-m", "ratsblick.cli"]
    with ReplayServer(sample_dataset(papers=(1,))) as replay:
        subprocess.run(
            [*ratsblick, "add-body", replay.system_url], env=env, cwd=ROOT, check=True,
            capture_output=True,
        )  # fmt: skip
        log = (tmp_path / "serve.log").open("wb")
        serve = subprocess.Popen(
            [*ratsblick, "serve", "--port", str(free_port())],
            env=env, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT,
        )  # fmt: skip
        try:
            # The file's text (not its title): synced, fetched, read and indexed.
            wait_for(lambda: hits(tmp_path, "Aachen"), 90, "the sample read and indexed")
            assert hits(tmp_path, "Radschnellweg") == 0
            replay.dataset.change(f"{BODY}/paper/1", name="Radschnellweg nach Eilendorf")
            wait_for(lambda: hits(tmp_path, "Radschnellweg"), 30, "the change in search")
            assert serve.poll() is None
        finally:
            serve.terminate()
            serve.wait(10)


@pytest.mark.django_db(transaction=True)
def test_a_round_still_going_is_not_started_twice() -> None:
    path = embedded.lock_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a") as other:  # as another process's round holds it
        fcntl.flock(other, fcntl.LOCK_EX)
        assert embedded.run_round() is False
    assert embedded.run_round() is True


@pytest.mark.django_db(transaction=True)
def test_a_failing_round_is_logged_and_the_next_one_runs(
    caplog: pytest.LogCaptureFixture, loopback_commands: None
) -> None:
    home = Path(settings.HOME)
    home.mkdir(parents=True, exist_ok=True)
    (home / "search").write_text("not a folder")  # the index cannot be written
    with ReplayServer(sample_dataset(papers=(1,))) as replay, caplog.at_level(logging.ERROR):
        with HttpClient(FAST) as client:
            add_body(replay.system_url, client)
        assert embedded.run_round() is True
        assert [r.getMessage() for r in caplog.records] == ["pipeline round failed"]
        assert Paper.objects.filter(stub=False).count() == 1  # the sync before it stands
        (home / "search").unlink()
        assert embedded.run_round() is True
    assert hits(home, "Aachen") > 0
