"""Operations against real things: the database, Redis on 127.0.0.1:6379, the index on disk.

The state (a body, its syncs, files, contents read, dead letters) is written
through the models; every figure on the page, in `status`, `/healthz` and
`/metrics` is then checked exactly.
"""

from __future__ import annotations

import base64
import json
import os
import re
import runpy
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import redis
import time_machine
from celery import Celery
from django.contrib.auth.models import User
from django.core.management.base import CommandError
from django.db import connection
from django.test import Client, RequestFactory
from prometheus_client.parser import text_string_to_metric_families

import ratsblick.settings
from ratsblick import config
from ratsblick.council.models import Body, Change, File, SyncRun
from ratsblick.files.models import Blob, Download, Extraction, FileVersion
from ratsblick.indexing.service import reindex
from ratsblick.jobs import tasktimes
from ratsblick.jobs.models import DeadLetter
from ratsblick.logs import correlation_id
from tests.helpers import command, free_port

pytestmark = pytest.mark.django_db

NOW = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)
# A database of its own on the machine's Redis: these tests flush it.
REDIS_URL = "redis://127.0.0.1:6379/14"


@pytest.fixture
def clock() -> Iterator[None]:
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def celery_mode(monkeypatch: pytest.MonkeyPatch) -> redis.Redis:
    monkeypatch.setenv("RATSBLICK_BACKGROUND_JOBS", "0")
    monkeypatch.setenv("RATSBLICK_BROKER_URL", REDIS_URL)
    client = redis.Redis.from_url(REDIS_URL)
    client.flushdb()
    return client


def _body(name: str, number: int) -> Body:
    return Body.objects.create(
        oparl_id=f"https://ris.example/body/{number}", name=name, subscribed=True
    )


def _file(body: Body, number: int) -> File:
    return File.objects.create(
        oparl_id=f"{body.oparl_id}/file/{number}", body=body, access_url="https://ris.example/f"
    )


def _read(file: File, *, ok: bool, ocr_pages: int = 0) -> None:
    blob = Blob.objects.create(sha256=f"{file.pk:064d}", size=10, mime_type="application/pdf")
    FileVersion.objects.create(file=file, blob=blob, fetched_at=NOW)
    Download.objects.create(file=file, status=Download.Status.OK, attempted_at=NOW)
    Extraction.objects.create(
        blob=blob,
        status=Extraction.Status.OK if ok else Extraction.Status.FAILED,
        pages=3,
        ocr_pages=ocr_pages,
        extracted_at=NOW,
    )


@pytest.fixture
def council(clock: None) -> Body:
    """Aachen: synced 2 h ago after a failed try, 5 files (1 waiting, 1 failed to load,
    2 read (one with 2 OCR'd pages), 1 unreadable), a dead fetch; Bonn: never synced."""
    body = _body("Aachen", 1)
    _body("Bonn", 2)
    SyncRun.objects.create(
        body=body,
        full=True,
        started_at=NOW - timedelta(hours=3),
        finished_at=NOW - timedelta(hours=3),
        outcome=SyncRun.Outcome.FAILED,
        error="ConnectError: Verbindung abgelehnt",
    )
    SyncRun.objects.create(
        body=body,
        full=False,
        started_at=NOW - timedelta(hours=2),
        finished_at=NOW - timedelta(hours=2) + timedelta(minutes=1),
        outcome=SyncRun.Outcome.OK,
    )
    files = [_file(body, n) for n in range(5)]
    Download.objects.create(
        file=files[1], status=Download.Status.FAILED, attempted_at=NOW, retry_at=NOW + timedelta(1)
    )
    _read(files[2], ok=True)
    _read(files[3], ok=True, ocr_pages=2)
    _read(files[4], ok=False)
    DeadLetter.objects.create(
        task="ratsblick.jobs.tasks.fetch_file",
        args=[files[1].pk],
        error="FetchError: 404",
        attempts=6,
        failed_at=NOW,
    )
    DeadLetter.objects.create(
        task="ratsblick.jobs.tasks.index_changes", args=[], error="IndexBusy", attempts=6,
        failed_at=NOW,
    )  # fmt: skip
    Change.objects.bulk_create(Change(kind="paper", object_pk=n) for n in range(7))
    return body


def test_status_per_body(council: Body) -> None:
    aachen, bonn = json.loads(command("status", "--json"))
    assert aachen["last_success"] == "2025-03-01T10:01:00+00:00"
    assert aachen["lag_seconds"] == 7200.0
    assert aachen["objects"] == 5
    assert aachen["last_errors"] == [
        {
            "started_at": "2025-03-01T09:00:00+00:00",
            "outcome": "failed",
            "error": "ConnectError: Verbindung abgelehnt",
        }
    ]
    assert aachen["file_counts"] == {
        "waiting": 1,
        "fetch_failed": 1,
        "extracted": 2,
        "unreadable": 1,
        "ocr": 1,
        "ocr_pages": 2,
    }
    assert aachen["dead_letters"] == 1
    assert [row["task"] for row in aachen["last_dead_letters"]] == [
        "ratsblick.jobs.tasks.fetch_file"
    ]
    assert (bonn["last_success"], bonn["lag_seconds"], bonn["dead_letters"]) == (None, None, 0)


def test_operator_page_needs_a_login(council: Body) -> None:
    browser = Client()
    assert browser.get("/betrieb/").headers["Location"] == "/betrieb/anmelden/?next=/betrieb/"
    User.objects.create_user("betrieb", password="geheim-genug")
    wrong = browser.post("/betrieb/anmelden/", {"username": "betrieb", "password": "falsch"})
    assert "Benutzername oder Passwort ist falsch." in wrong.text
    login = browser.post(
        "/betrieb/anmelden/", {"username": "betrieb", "password": "geheim-genug", "next": ""}
    )
    assert login.headers["Location"] == "/betrieb/"
    page = browser.get("/betrieb/")
    assert page.status_code == 200
    text = page.text
    row = text[text.index(f'<tr id="kommune-{council.pk}">') :]
    cells = re.findall(r"<td>(.*?)</td>", row[: row.index("</tr>")])
    assert cells == [
        "2025-03-01T10:01:00+00:00",
        "2 Std. 0 Min.",
        "5",
        "1",
        "1",
        "2",
        "1",
        "1 (2)",
        "1",
    ]
    assert "Dead Letter ratsblick.jobs.tasks.fetch_file" in text
    assert "ratsblick.jobs.tasks.index_changes[] nach 6 Versuchen" in text
    assert " style=" not in text
    assert "<script" not in text


def _logged_in(browser: Client) -> Client:
    User.objects.create_user("betrieb", password="geheim-genug")
    assert browser.login(username="betrieb", password="geheim-genug")
    return browser


def _queued_tasks(broker: redis.Redis, queue: str) -> list[tuple[str, list[object]]]:
    """Name and arguments of each task message waiting in `queue` (kombu's JSON envelope)."""
    tasks = []
    for raw in broker.lrange(queue, 0, -1):
        message = json.loads(raw)
        args = json.loads(base64.b64decode(message["body"]))[0]
        tasks.append((message["headers"]["task"], args))
    return tasks


def test_dead_letters_are_retried_from_the_operator_page(
    council: Body, celery_mode: redis.Redis
) -> None:
    fetch, index = DeadLetter.objects.order_by("pk")
    anonymous = Client(enforce_csrf_checks=True)
    login_page = anonymous.get("/betrieb/anmelden/").text
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', login_page)
    assert token
    refused = anonymous.post("/betrieb/erneut/", {"csrfmiddlewaretoken": token[1]})
    assert refused.headers["Location"] == "/betrieb/anmelden/?next=/betrieb/erneut/"
    browser = _logged_in(Client(enforce_csrf_checks=True))
    assert browser.get("/betrieb/erneut/").status_code == 405
    page = browser.get("/betrieb/").text
    assert page.count('action="/betrieb/erneut/"') == 3  # each letter, and all at once
    assert "Alle 2 Dead Letters erneut versuchen" in page
    assert browser.post("/betrieb/erneut/", {"id": fetch.pk}).status_code == 403  # no CSRF token
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    assert token
    done = browser.post("/betrieb/erneut/", {"id": fetch.pk, "csrfmiddlewaretoken": token[1]})
    assert done.headers["Location"] == "/betrieb/"
    assert _queued_tasks(celery_mode, "net") == [(fetch.task, fetch.args)]
    fetch.refresh_from_db()
    assert fetch.retried_at == NOW
    page = browser.get("/betrieb/").text
    assert '<p class="ops-notice" role="status">1 tote Aufgabe erneut eingereiht.</p>' in page
    assert "Alle 1 Dead Letters erneut versuchen" in page
    assert "ops-notice" not in browser.get("/betrieb/").text  # shown once

    # Sent twice (a second tab): nothing queued again, and the page says why.
    browser.post("/betrieb/erneut/", {"id": fetch.pk, "csrfmiddlewaretoken": token[1]})
    assert len(_queued_tasks(celery_mode, "net")) == 1
    assert (
        "0 tote Aufgaben erneut eingereiht. Nicht (mehr) wartend: " in browser.get("/betrieb/").text
    )
    # All at once: the one still waiting.
    browser.post("/betrieb/erneut/", {"csrfmiddlewaretoken": token[1]})
    assert _queued_tasks(celery_mode, "index") == [(index.task, [])]
    assert not DeadLetter.objects.filter(retried_at__isnull=True).exists()


def test_a_broker_that_is_down_leaves_the_dead_letters_waiting(
    council: Body, celery_mode: redis.Redis, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("RATSBLICK_BROKER_URL", f"redis://127.0.0.1:{free_port()}/0")
    browser = _logged_in(Client())
    browser.post("/betrieb/erneut/")
    text = browser.get("/betrieb/").text
    assert "0 tote Aufgaben erneut eingereiht. Die Warteschlange ist nicht erreichbar (" in text
    assert DeadLetter.objects.filter(retried_at__isnull=True).count() == 2
    with pytest.raises(CommandError, match="Warteschlange nicht erreichbar"):
        command("jobs", "retry-dead")
    assert DeadLetter.objects.filter(retried_at__isnull=True).count() == 2


def test_metrics_want_the_bearer_token_when_one_is_set(monkeypatch: pytest.MonkeyPatch) -> None:
    browser = Client()
    assert browser.get("/metrics").status_code == 200  # no token configured: open
    monkeypatch.setenv("RATSBLICK_METRICS_TOKEN", "s3cret-tøken")
    denied = browser.get("/metrics")
    assert (denied.status_code, denied.headers["WWW-Authenticate"]) == (
        401,
        'Bearer realm="metrics"',
    )
    assert "ratsblick_" not in denied.text
    for wrong in ("Bearer falsch", "Basic s3cret-tøken", "Bearer", "s3cret-tøken"):
        assert browser.get("/metrics", HTTP_AUTHORIZATION=wrong).status_code == 401
    allowed = browser.get("/metrics", HTTP_AUTHORIZATION="Bearer s3cret-tøken")
    assert allowed.status_code == 200
    assert "ratsblick_outbox_length 0.0" in allowed.text


@pytest.mark.parametrize(("behind_proxy", "secure"), [("1", True), ("0", False), ("", False)])
def test_forwarded_proto_counts_only_behind_a_proxy(
    monkeypatch: pytest.MonkeyPatch, settings: Any, behind_proxy: str, secure: bool
) -> None:
    """The settings module, run again with the environment of a deployment."""
    monkeypatch.setenv("RATSBLICK_BEHIND_PROXY", behind_proxy)
    configured = runpy.run_path(ratsblick.settings.__file__)
    settings.SECURE_PROXY_SSL_HEADER = configured.get("SECURE_PROXY_SSL_HEADER")
    claimed = RequestFactory().get("/", HTTP_X_FORWARDED_PROTO="https")
    assert claimed.is_secure() is secure
    assert RequestFactory().get("/").is_secure() is False


def _metrics(browser: Client) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    response = browser.get("/metrics")
    assert response.status_code == 200
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(response.text)
        for sample in family.samples
    }


def test_metrics_are_computed_from_the_database(council: Body) -> None:
    bonn = Body.objects.get(name="Bonn")
    assert _metrics(Client()) == {
        ("ratsblick_sync_age_seconds", (("body", str(council.pk)),)): 7200.0,
        ("ratsblick_body_never_synced", (("body", str(bonn.pk)),)): 1.0,
        ("ratsblick_files_extracted_total", (("outcome", "ok"),)): 2.0,
        ("ratsblick_files_extracted_total", (("outcome", "failed"),)): 1.0,
        ("ratsblick_pages_ocr_total", ()): 2.0,
        ("ratsblick_downloads", (("status", "ok"),)): 3.0,
        ("ratsblick_downloads", (("status", "failed"),)): 1.0,
        ("ratsblick_downloads", (("status", "unreachable"),)): 0.0,
        ("ratsblick_outbox_length", ()): 7.0,
        ("ratsblick_dead_letters", (("task", "ratsblick.jobs.tasks.fetch_file"),)): 1.0,
        ("ratsblick_dead_letters", (("task", "ratsblick.jobs.tasks.index_changes"),)): 1.0,
    }


def test_metrics_in_celery_mode_read_queues_and_task_times(celery_mode: redis.Redis) -> None:
    celery_mode.rpush("net", "a", "b", "c")
    celery_mode.rpush("cpu\x06\x163", "d")  # a task of priority 3
    tasktimes.record(celery_mode, "ratsblick.jobs.tasks.extract_blob", 0.3, "SUCCESS")
    tasktimes.record(celery_mode, "ratsblick.jobs.tasks.extract_blob", 20.0, "RETRY")
    samples = _metrics(Client())
    assert {k: v for k, v in samples.items() if k[0] == "ratsblick_queue_length"} == {
        ("ratsblick_queue_length", (("queue", "net"),)): 3.0,
        ("ratsblick_queue_length", (("queue", "cpu"),)): 1.0,
        ("ratsblick_queue_length", (("queue", "index"),)): 0.0,
    }
    task = ("task", "ratsblick.jobs.tasks.extract_blob")
    durations = {
        (name, dict(labels).get("le")): value
        for (name, labels), value in samples.items()
        if name.startswith("ratsblick_task_duration")
    }
    assert durations == {
        ("ratsblick_task_duration_seconds_bucket", "0.1"): 0.0,
        ("ratsblick_task_duration_seconds_bucket", "0.5"): 1.0,
        ("ratsblick_task_duration_seconds_bucket", "1.0"): 1.0,
        ("ratsblick_task_duration_seconds_bucket", "5.0"): 1.0,
        ("ratsblick_task_duration_seconds_bucket", "15.0"): 1.0,
        ("ratsblick_task_duration_seconds_bucket", "60.0"): 2.0,
        ("ratsblick_task_duration_seconds_bucket", "300.0"): 2.0,
        ("ratsblick_task_duration_seconds_bucket", "1800.0"): 2.0,
        ("ratsblick_task_duration_seconds_bucket", "+Inf"): 2.0,
        ("ratsblick_task_duration_seconds_count", None): 2.0,
        ("ratsblick_task_duration_seconds_sum", None): 20.3,
    }
    assert samples[("ratsblick_task_runs_total", (("state", "RETRY"), task))] == 1.0
    assert samples[("ratsblick_task_runs_total", (("state", "SUCCESS"), task))] == 1.0


def test_celery_signals_time_tasks_and_set_their_correlation_id(
    celery_mode: redis.Redis,
) -> None:
    app = Celery("ops-test", set_as_current=False)
    seen: list[str] = []

    @app.task(name="ops-test.echo")
    def echo() -> None:
        seen.append(correlation_id())

    result = echo.apply(task_id="task-42")
    assert result.successful()
    assert seen == ["task-42"]
    assert correlation_id() == "-"
    (figures,) = tasktimes.read(celery_mode)
    assert (figures.task, figures.states, figures.count) == ("ops-test.echo", {"SUCCESS": 1}, 1)


def _healthz(browser: Client) -> tuple[int, dict[str, object]]:
    response = browser.get("/healthz")
    return response.status_code, response.json()


def test_healthz_lists_each_check() -> None:
    reindex()
    assert _healthz(Client()) == (
        200,
        {
            "ok": True,
            "checks": [
                {"name": "database", "ok": True, "detail": connection.vendor},
                {"name": "index", "ok": True, "detail": "0 Dokumente"},
            ],
        },
    )


def test_healthz_fails_without_an_index() -> None:
    status, body = _healthz(Client())
    assert status == 503
    assert body["ok"] is False
    checks = {c["name"]: c for c in body["checks"]}  # type: ignore[attr-defined]
    assert checks["index"]["ok"] is False
    assert checks["index"]["detail"].startswith("IndexMissing: no search index in ")
    assert checks["database"]["ok"] is True


def test_healthz_checks_the_broker_in_celery_mode(
    celery_mode: redis.Redis, monkeypatch: pytest.MonkeyPatch
) -> None:
    reindex()
    status, body = _healthz(Client())
    assert status == 200
    assert body["checks"][1] == {"name": "broker", "ok": True, "detail": "ping"}  # type: ignore[index]
    monkeypatch.setenv("RATSBLICK_BROKER_URL", f"redis://127.0.0.1:{free_port()}/0")
    status, body = _healthz(Client())
    assert status == 503
    broker = body["checks"][1]  # type: ignore[index]
    assert (broker["name"], broker["ok"]) == ("broker", False)
    assert broker["detail"].startswith("ConnectionError: ")


HEALTHZ_IN_A_FRESH_PROCESS = """
import django, json
django.setup()
from django.test import Client
response = Client(HTTP_HOST="127.0.0.1").get("/healthz")
print(response.status_code, json.dumps(response.json()))
"""


def test_healthz_fails_when_the_database_is_unreachable(tmp_path) -> None:
    environment = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "ratsblick.settings",
        "RATSBLICK_HOME": str(tmp_path),
        "DATABASE_URL": f"postgres://postgres@127.0.0.1:{free_port()}/ratsblick",
    }
    done = subprocess.run(
        [sys.executable, "-c", HEALTHZ_IN_A_FRESH_PROCESS],
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    status, _, text = done.stdout.strip().partition(" ")
    body = json.loads(text)
    assert status == "503"
    database = body["checks"][0]
    assert (database["name"], database["ok"]) == ("database", False)
    assert database["detail"].startswith("OperationalError: ")


def test_a_request_id_is_kept_or_made() -> None:
    browser = Client()
    assert browser.get("/healthz", HTTP_X_REQUEST_ID="abc-123").headers["X-Request-ID"] == (
        "abc-123"
    )
    made = browser.get("/healthz", HTTP_X_REQUEST_ID="bad id\nforged").headers["X-Request-ID"]
    assert len(made) == 32
    assert made != browser.get("/healthz").headers["X-Request-ID"]


JSON_LOG = """
import django, logging
django.setup()
from ratsblick.logs import correlated
with correlated("req-7"):
    logging.getLogger("ratsblick.ops.test").warning("Abruf %s fehlgeschlagen", "Aachen")
logging.getLogger("ratsblick.ops.test").info("nicht gezeigt")
"""


@pytest.mark.parametrize(
    ("log_format", "line"),
    [
        ("json", None),
        ("console", "WARNING ratsblick.ops.test [req-7] Abruf Aachen fehlgeschlagen"),
    ],
)
def test_log_lines_carry_the_correlation_id(tmp_path, log_format: str, line: str | None) -> None:
    environment = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "ratsblick.settings",
        "RATSBLICK_HOME": str(tmp_path),
        "RATSBLICK_LOG_FORMAT": log_format,
        "RATSBLICK_LOG_LEVEL": "WARNING",
    }
    done = subprocess.run(
        [sys.executable, "-c", JSON_LOG],
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    (printed,) = done.stderr.splitlines()
    if line is None:
        record = json.loads(printed)
        assert set(record) == {"asctime", "levelname", "name", "correlation_id", "message"}
        assert (record["levelname"], record["name"], record["correlation_id"]) == (
            "WARNING",
            "ratsblick.ops.test",
            "req-7",
        )
        assert record["message"] == "Abruf Aachen fehlgeschlagen"
    else:
        assert printed.split(" ", 2)[2] == line


def test_an_unknown_log_format_is_named(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RATSBLICK_LOG_FORMAT", "xml")
    with pytest.raises(ValueError, match="RATSBLICK_LOG_FORMAT: expected json or console"):
        config.LOG_FORMAT.get()


def test_status_prints_lag_files_and_errors(council: Body) -> None:
    printed = command("status").splitlines()
    start = printed.index("last success: 2025-03-01T10:01:00+00:00 (lag 2.0 h)")
    assert printed[start : start + 4] == [
        "last success: 2025-03-01T10:01:00+00:00 (lag 2.0 h)",
        "files: waiting 1, fetch_failed 1, extracted 2, unreadable 1, ocr 1, ocr_pages 2",
        "dead letters: 1",
        "error 2025-03-01T09:00:00+00:00 failed: ConnectError: Verbindung abgelehnt",
    ]
    assert "last success: never" in printed
