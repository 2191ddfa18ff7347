"""The embedded pipeline: a thread of `ratsblick serve` keeps every body current.

Every `RATSBLICK_SYNC_INTERVAL_SECONDS` it syncs each subscribed body
incrementally, fetches and reads what changed (rewriting the body's bulk
dump when anything did) and indexes it, with the one
index writer in this process. A round holds a lock file in RATSBLICK_HOME,
so a round still going (in this or another process on the same home) is
not started twice. Errors are logged; they never reach the web server.
"""

from __future__ import annotations

import fcntl
import logging
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import close_old_connections

from ratsblick import config
from ratsblick.council.commandline import http_client
from ratsblick.jobs import steps

log = logging.getLogger(__name__)


def lock_path() -> Path:
    return Path(settings.HOME) / "pipeline.lock"


@contextmanager
def _round_lock() -> Iterator[bool]:
    """True when this caller holds the round lock, False when a round is going on."""
    path = lock_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            yield False
            return
        try:
            yield True
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def run_round() -> bool:
    """One round over every body; False when another round was still going.

    A failing body is logged and the round goes on with the next; a failure
    of the round itself (the index, the database) is logged too.
    """
    with _round_lock() as mine:
        if not mine:
            log.info("pipeline round skipped: the previous one is still going")
            return False
        try:
            _round()
        except Exception:
            log.exception("pipeline round failed")
        finally:
            close_old_connections()
    return True


def _round() -> None:
    with http_client() as client:
        for body_pk in steps.subscribed_bodies():
            try:
                run = steps.sync(body_pk, client)
                if run is not None and run.outcome != run.Outcome.OK:
                    log.warning("body %s: sync %s: %s", body_pk, run.outcome, run.error)
                files = steps.process_files(body_pk, client)
                steps.dump_if_changed(body_pk, run, files)
            except Exception:
                log.exception("body %s: pipeline step failed", body_pk)
    if steps.index() is None:
        log.info("search index busy: changes stay queued for the next round")
    steps.send_mails()


class Scheduler:
    """Runs a round now and then every `interval` seconds until stopped."""

    def __init__(self, interval: float) -> None:
        self.interval = interval
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="pipeline", daemon=True)

    def start(self) -> Scheduler:
        self._thread.start()
        return self

    def stop(self, timeout: float | None = None) -> None:
        self._stop.set()
        self._thread.join(timeout)

    def _loop(self) -> None:
        while not self._stop.is_set():
            try:
                run_round()
            except Exception:  # the lock file itself, say: the thread must live on
                log.exception("pipeline scheduler: unexpected error")
            self._stop.wait(self.interval)


def start_beside_server(sender: object, **kwargs: Any) -> None:
    """Receiver of `ratsblick.web.server.serving`: start unless switched off."""
    if not config.BACKGROUND_JOBS.get():
        return
    interval = config.SYNC_INTERVAL.get()
    Scheduler(interval).start()
    log.info("background pipeline: a round every %.0f s", interval)
