"""The steps as Celery tasks: ids in, idempotent, retried with jittered back-off.

A task that still fails after `RATSBLICK_TASK_RETRIES` retries leaves a
`DeadLetter` (`ratsblick jobs dead`, `ratsblick jobs retry-dead`). Work is
enqueued once: a mark in Redis per queued item keeps the hourly sync from
queueing a file again while its task still waits behind a long backlog.
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from typing import Any

import redis
from billiard.einfo import ExceptionInfo
from celery import Task
from django.utils import timezone

from ratsblick import config
from ratsblick.council.commandline import http_client
from ratsblick.extract.sandbox import SandboxedExtractor
from ratsblick.files.pipeline import configured_extractor
from ratsblick.jobs import steps
from ratsblick.jobs.app import app
from ratsblick.jobs.limiter import RedisHostLimiter
from ratsblick.jobs.models import DeadLetter
from ratsblick.oparl.http import HttpClient
from ratsblick.search import IndexBusy

QUEUED = "ratsblick:queued:"
# A mark older than this no longer holds back a new task for the same item.
QUEUED_MARK_SECONDS = 24 * 3600


class SyncIncomplete(Exception):
    """A sync ended partial (a list could not be read): retried like a failure."""


class Step(Task):  # type: ignore[type-arg]
    acks_late = True
    reject_on_worker_lost = True
    autoretry_for = (Exception,)
    retry_backoff = config.TASK_BACKOFF.get()
    retry_backoff_max = 3600
    retry_jitter = True
    max_retries = config.TASK_RETRIES.get()

    def on_failure(
        self,
        exc: Exception,
        task_id: str,
        args: tuple[Any, ...],
        kwargs: dict[str, Any],
        einfo: ExceptionInfo,
    ) -> None:
        DeadLetter.objects.create(
            task=self.name,
            args=list(args),
            kwargs=dict(kwargs),
            error=f"{type(exc).__name__}: {exc}",
            attempts=self.request.retries + 1,
            failed_at=timezone.now(),
        )


@cache
def _redis() -> redis.Redis:
    return redis.Redis.from_url(config.BROKER_URL.get())


@cache
def _client() -> HttpClient:
    """This process's HTTP client; its per-host limit is shared through Redis."""
    client = http_client()
    client.limiter = RedisHostLimiter(_redis(), client.config.per_host)
    return client


_local = threading.local()


def _extractor() -> SandboxedExtractor:
    """One extraction worker process per pool thread or process, kept for its life."""
    extractor: SandboxedExtractor | None = getattr(_local, "extractor", None)
    if extractor is None:
        extractor = _local.extractor = configured_extractor()
    return extractor


def enqueue_once(task: Task, pk: int, **kwargs: Any) -> bool:  # type: ignore[type-arg]
    """Queue `task(pk)` unless it is queued or running already."""
    if not _redis().set(f"{QUEUED}{task.name}:{pk}", 1, nx=True, ex=QUEUED_MARK_SECONDS):
        return False
    task.apply_async((pk,), kwargs)
    return True


@contextmanager
def _unmarked_after(task: Task, pk: int) -> Iterator[None]:  # type: ignore[type-arg]
    try:
        yield
    finally:
        _redis().delete(f"{QUEUED}{task.name}:{pk}")


def request_index() -> None:
    """Queue one index run; more requests meanwhile are covered by it."""
    if _redis().set(f"{QUEUED}index", 1, nx=True, ex=QUEUED_MARK_SECONDS):
        index_changes.delay()


@app.task(base=Step)
def sync_all(full: bool = False) -> None:
    for body_pk in steps.subscribed_bodies():
        enqueue_once(sync_body, body_pk, full=full)


@app.task(base=Step, bind=True)
def sync_body(self: Step, body_pk: int, full: bool = False) -> None:
    """Sync, then queue the files to fetch and the blobs still unread."""
    with _unmarked_after(self, body_pk):
        run = steps.sync(body_pk, _client(), full=full)
        for file_pk in steps.files_due(body_pk):
            enqueue_once(fetch_file, file_pk)
        for blob_pk in steps.blobs_unread(body_pk):
            enqueue_once(extract_blob, blob_pk)
        request_index()
        # Files fetched and read later reach the dump with the daily `dump_all`.
        steps.dump_if_changed(body_pk, run, Counter())
        if run is not None and run.outcome != run.Outcome.OK:
            raise SyncIncomplete(f"body {body_pk}: sync {run.outcome}: {'; '.join(run.notes)}")


@app.task(base=Step, bind=True)
def fetch_file(self: Step, file_pk: int) -> None:
    with _unmarked_after(self, file_pk):
        blob_pk = steps.fetch(file_pk, _client())
        if blob_pk is not None:
            enqueue_once(extract_blob, blob_pk)


@app.task(base=Step, bind=True)
def extract_blob(self: Step, blob_pk: int) -> None:
    with _unmarked_after(self, blob_pk):
        if steps.extract(blob_pk, _extractor()) is not None:
            request_index()


@app.task(base=Step)
def index_changes() -> None:
    _redis().delete(f"{QUEUED}index")
    if steps.index() is None:
        raise IndexBusy("another process writes the index; retrying later")


@app.task(base=Step)
def reconcile_index() -> None:
    if steps.reconcile_index() is None:
        raise IndexBusy("another process writes the index; retrying later")


@app.task(base=Step)
def send_mails() -> None:
    """Alert digests into the outbox, the outbox to the mail server (beat, every
    RATSBLICK_ALERTS_INTERVAL_SECONDS; overlapping runs claim each mail once)."""
    steps.send_mails()


@app.task(base=Step)
def dump_all() -> None:
    """Every body's bulk dump rewritten (beat, daily): the text read since the
    sync that last dumped it is in it then."""
    steps.dump_all()
