"""Real Celery workers (subprocesses) on Redis and PostgreSQL run the pipeline by themselves."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import redis
from django.conf import settings
from django.db import connection

from ratsblick.council.models import Body, Change, File, SyncRun
from ratsblick.council.sync import add_body
from ratsblick.files.models import Blob, Download, Extraction
from ratsblick.jobs import steps, tasks
from ratsblick.jobs.app import app
from ratsblick.jobs.models import DeadLetter
from ratsblick.oparl.http import HttpClient
from ratsblick.replay.sample import sample_dataset
from ratsblick.replay.server import ReplayServer
from ratsblick.search import SearchIndex, SearchRequest
from tests.helpers import command

BROKER = "redis://127.0.0.1:6379/15"  # a database of its own, flushed by each test
ROOT = Path(__file__).parent.parent
FETCHED = re.compile(r"Task ratsblick\.jobs\.tasks\.fetch_file\[[^]]+\] succeeded")
EXTRACTED = re.compile(r"Task ratsblick\.jobs\.tasks\.extract_blob\[[^]]+\] succeeded")

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def broker(monkeypatch: pytest.MonkeyPatch) -> Iterator[redis.Redis]:
    if connection.vendor != "postgresql":
        pytest.skip(
            "Celery workers run in other processes and need a shared database: "
            "run with DATABASE_URL=postgres://… (scripts/test.sh does)"
        )
    client = redis.Redis.from_url(BROKER)
    client.flushdb()
    monkeypatch.setenv("RATSBLICK_BROKER_URL", BROKER)
    monkeypatch.setattr(app.conf, "broker_url", BROKER)
    tasks._redis.cache_clear()
    yield client
    client.flushdb()
    tasks._redis.cache_clear()


def database_url() -> str:
    db = connection.settings_dict
    auth = db["USER"] + (f":{db['PASSWORD']}" if db["PASSWORD"] else "")
    return f"postgres://{auth}@{db['HOST']}:{db['PORT'] or 5432}/{db['NAME']}"


class Workers:
    """`ratsblick worker` processes on the test database and broker; all stopped at the end."""

    def __init__(self, home: Path, log_dir: Path) -> None:
        self.home = home
        self.log_dir = log_dir
        self.started: list[tuple[subprocess.Popen[bytes], Path]] = []
        self.env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "ratsblick.settings",
            "RATSBLICK_HOME": str(home),
            "DATABASE_URL": database_url(),
            "RATSBLICK_BROKER_URL": BROKER,
            "RATSBLICK_ALLOW_PRIVATE_HOSTS": "1",
            "RATSBLICK_HTTP_BACKOFF": "0.01",
            "RATSBLICK_HTTP_RETRIES": "0",
            "RATSBLICK_TASK_RETRIES": "2",
            "RATSBLICK_TASK_BACKOFF_SECONDS": "1",
            "RATSBLICK_BROKER_VISIBILITY_TIMEOUT": "4",
            "RATSBLICK_EXTRACT_WORKERS": "1",
        }

    def start(self, *args: str, **env: str) -> subprocess.Popen[bytes]:
        log = self.log_dir / f"worker-{len(self.started)}.log"
        process = subprocess.Popen(
            [sys.executable, "-m", "ratsblick.cli", "worker", *args],
            env={**self.env, **env},
            stdout=log.open("wb"),
            stderr=subprocess.STDOUT,
            cwd=ROOT,
        )
        self.started.append((process, log))
        return process

    def log(self, process: subprocess.Popen[bytes]) -> str:
        return next(log for p, log in self.started if p is process).read_text()

    def stop(self) -> None:
        for process, _ in self.started:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        for process, _ in self.started:
            try:
                process.wait(10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


@pytest.fixture
def workers(broker: redis.Redis, tmp_path: Path) -> Iterator[Workers]:
    pool = Workers(Path(settings.HOME), tmp_path)
    yield pool
    pool.stop()


def wait_for(condition: Callable[[], Any], seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"not within {seconds} s: {what}")
        time.sleep(0.2)


def subscribed(server: ReplayServer, client: HttpClient) -> Body:
    (body,) = add_body(server.system_url, client)
    return body


def test_workers_sync_fetch_extract_and_index_by_themselves(
    workers: Workers, client: HttpClient
) -> None:
    with ReplayServer(sample_dataset(papers=(1, 4))) as server:
        subscribed(server, client)
        schedule = {"RATSBLICK_SYNC_INTERVAL_SECONDS": "1"}
        workers.start("--queues", "net", "--beat", **schedule)
        workers.start("--queues", "cpu", "--concurrency", "1")
        workers.start("--queues", "index")
        index = SearchIndex(Path(settings.HOME) / "search")

        def found(text: str) -> int:
            try:
                return index.search(SearchRequest(text=text, snippets=False)).total
            except Exception:  # no index yet
                return 0

        # Words of the files' text, not of their titles: found once read and indexed.
        wait_for(lambda: Extraction.objects.count() == 5, 120, "every file read")
        wait_for(lambda: not Change.objects.exists(), 30, "outbox drained")
        wait_for(lambda: found("Aachen") and found("Behördenreferendum"), 10, "searchable")
    assert Download.objects.filter(status=Download.Status.OK).count() == File.objects.count() == 5
    assert Extraction.objects.filter(status=Extraction.Status.OK).count() == Blob.objects.count()
    assert SyncRun.objects.filter(outcome=SyncRun.Outcome.OK).exists()
    assert not DeadLetter.objects.exists()


def _children(pid: int) -> list[int]:
    try:
        text = Path(f"/proc/{pid}/task/{pid}/children").read_text()
    except FileNotFoundError:
        return []
    return [int(child) for child in text.split()]


def test_worker_killed_during_extraction_loses_and_repeats_nothing(
    workers: Workers, client: HttpClient
) -> None:
    with ReplayServer(sample_dataset(papers=(2, 3))) as server:
        body = subscribed(server, client)
        steps.sync(body.pk, client)
        for file_pk in steps.files_due(body.pk):
            steps.fetch(file_pk, client)
    blobs = steps.blobs_unread(body.pk)
    assert len(blobs) == 3  # scan300 and mixed need OCR: long enough to be killed inside
    changes_before = Change.objects.filter(kind="file").count()
    for blob_pk in blobs:
        tasks.extract_blob.delay(blob_pk)
    first = workers.start("--queues", "cpu", "--concurrency", "1")
    # The extraction worker process exists while a file is being read.
    wait_for(lambda: _children(first.pid), 60, "an extraction under way")
    time.sleep(1.0)
    done_before = Extraction.objects.count()
    first.send_signal(signal.SIGKILL)
    first.wait()
    assert done_before < 3
    second = workers.start("--queues", "cpu", "--concurrency", "1")
    wait_for(lambda: Extraction.objects.count() == 3, 120, "every blob extracted")
    wait_for(lambda: not broker_busy(), 30, "queue empty")
    assert second.poll() is None
    assert sorted(Extraction.objects.values_list("blob_id", flat=True)) == sorted(blobs)
    assert Extraction.objects.filter(status=Extraction.Status.OK).count() == 3
    for extraction in Extraction.objects.all():
        assert extraction.page_set.count() == extraction.pages > 0
    # One change per file for its extraction: none saved twice.
    assert Change.objects.filter(kind="file").count() == changes_before + File.objects.count()


def test_a_killed_pool_process_hands_its_task_back_to_the_queue(
    workers: Workers, client: HttpClient
) -> None:
    """Only the prefork pool's child dies (OOM killer, a crash in a C library): the
    worker's main process sees it lost and re-queues the task (`reject_on_worker_lost`)."""
    with ReplayServer(sample_dataset(papers=(1,))) as server:
        body = subscribed(server, client)
        steps.sync(body.pk, client)
        for file_pk in steps.files_due(body.pk):
            steps.fetch(file_pk, client)
    blobs = steps.blobs_unread(body.pk)
    assert len(blobs) == 2
    for blob_pk in blobs:
        tasks.extract_blob.delay(blob_pk)
    # No redelivery by visibility timeout within the test: only the rejection can re-queue.
    worker = workers.start(
        "--queues", "cpu", "--concurrency", "1", "--pool", "prefork",
        RATSBLICK_BROKER_VISIBILITY_TIMEOUT="3600",
    )  # fmt: skip
    # The pool child starts its extraction process inside its first task.
    wait_for(lambda: any(_children(child) for child in _children(worker.pid)), 120, "reading")
    (pool_child,) = _children(worker.pid)
    os.kill(pool_child, signal.SIGKILL)
    wait_for(lambda: Extraction.objects.count() == 2, 120, "every blob extracted")
    wait_for(lambda: not broker_busy(), 30, "queue empty")
    assert worker.poll() is None  # the main process lived on, with a new pool child
    assert _children(worker.pid) not in ([], [pool_child])
    log = workers.log(worker)
    assert "WorkerLostError('Worker exited prematurely: signal 9 (SIGKILL) Job: 0.')" in log
    assert len(EXTRACTED.findall(log)) == 2  # the lost task once more, and the other one
    assert sorted(Extraction.objects.values_list("blob_id", flat=True)) == sorted(blobs)
    assert Extraction.objects.filter(status=Extraction.Status.OK).count() == 2
    assert not DeadLetter.objects.exists()


def broker_busy() -> bool:
    client = redis.Redis.from_url(BROKER)
    return bool(client.llen("cpu") or client.hlen("unacked"))


class _Concurrency:
    def __init__(self) -> None:
        self.active = 0
        self.peak = 0
        self.lock = threading.Lock()


def counting(server: ReplayServer) -> _Concurrency:
    """Count requests in flight at the server (its handler, wrapped)."""
    seen = _Concurrency()
    handler = server.httpd.RequestHandlerClass

    class Counting(handler):  # type: ignore[misc, valid-type]
        def do_GET(self) -> None:
            with seen.lock:
                seen.active += 1
                seen.peak = max(seen.peak, seen.active)
            try:
                super().do_GET()
            finally:
                with seen.lock:
                    seen.active -= 1

    server.httpd.RequestHandlerClass = Counting
    return seen


def test_per_host_limit_holds_across_workers(workers: Workers, client: HttpClient) -> None:
    with ReplayServer(sample_dataset()) as server:
        body = subscribed(server, client)
        steps.sync(body.pk, client)
        due = steps.files_due(body.pk)
        assert len(due) == 8
        seen = counting(server)
        server.faults.latency = 0.4
        limit = {"RATSBLICK_HTTP_PER_HOST": "2"}
        one = workers.start("--queues", "net", "--concurrency", "4", "--name", "one@%h", **limit)
        two = workers.start("--queues", "net", "--concurrency", "4", "--name", "two@%h", **limit)
        wait_for(lambda: "ready" in workers.log(one) and "ready" in workers.log(two), 60, "up")
        for file_pk in due:
            tasks.fetch_file.delay(file_pk)
        wait_for(
            lambda: Download.objects.filter(status=Download.Status.OK).count() == 8, 60, "fetched"
        )
    assert seen.peak == 2
    done = [len(FETCHED.findall(workers.log(process))) for process in (one, two)]
    assert sum(done) == 8
    assert min(done) > 0  # both workers fetched


def test_a_task_that_keeps_failing_ends_as_a_dead_letter_and_can_be_retried(
    workers: Workers, client: HttpClient
) -> None:
    with ReplayServer(sample_dataset(papers=(1,))) as server:
        body = subscribed(server, client)
        server.faults.errors_5xx = 10**6
        server.faults.only_paths = "/paper"
        workers.start("--queues", "net")
        tasks.sync_body.delay(body.pk)
        wait_for(DeadLetter.objects.exists, 60, "a dead letter")
        (letter,) = DeadLetter.objects.all()
        assert (letter.task, letter.args, letter.attempts) == (
            "ratsblick.jobs.tasks.sync_body",
            [body.pk],
            3,  # the first run and two retries
        )
        assert letter.error.startswith(f"SyncIncomplete: body {body.pk}: sync partial: ")
        assert SyncRun.objects.filter(outcome=SyncRun.Outcome.PARTIAL).count() == 3
        assert f"{letter.pk}\t" in command("jobs", "dead")

        server.faults.errors_5xx = 0
        assert command("jobs", "retry-dead") == "1 Aufgaben erneut eingereiht.\n"
        wait_for(lambda: SyncRun.objects.filter(outcome=SyncRun.Outcome.OK).exists(), 60, "synced")
    letter.refresh_from_db()
    assert letter.retried_at is not None
    assert DeadLetter.objects.count() == 1
    assert command("jobs", "dead") == "0 tote Aufgaben.\n"
