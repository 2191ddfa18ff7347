"""`/metrics`: Prometheus figures computed from the database and Redis on each scrape.

Nothing is counted in process memory, so any number of gunicorn workers
and machines give the same answer, and a restart loses nothing: the
database holds what was synced, fetched and read; Redis what the Celery
workers did (`tasktimes`).
"""

from __future__ import annotations

import hmac
import logging
from collections.abc import Iterator

from django.db.models import Count, Max, Q, Sum
from django.utils import timezone
from prometheus_client.core import (
    CounterMetricFamily,
    GaugeMetricFamily,
    HistogramMetricFamily,
    Metric,
)
from prometheus_client.registry import Collector, CollectorRegistry

from ratsblick import config
from ratsblick.council.models import Body, Change, SyncRun
from ratsblick.files.models import Download, Extraction
from ratsblick.jobs import broker, tasktimes
from ratsblick.jobs.models import DeadLetter

log = logging.getLogger(__name__)


class DatabaseCollector(Collector):
    def collect(self) -> Iterator[Metric]:
        yield from _sync_age()
        read = Extraction.objects.aggregate(
            ok=Count("pk", filter=Q(status=Extraction.Status.OK)),
            failed=Count("pk", filter=Q(status=Extraction.Status.FAILED)),
            ocr_pages=Sum("ocr_pages", default=0),
        )
        extracted = CounterMetricFamily(
            "ratsblick_files_extracted", "File contents read, by outcome.", labels=["outcome"]
        )
        extracted.add_metric(["ok"], read["ok"])
        extracted.add_metric(["failed"], read["failed"])
        yield extracted
        yield CounterMetricFamily(
            "ratsblick_pages_ocr", "Pages read by OCR.", value=read["ocr_pages"]
        )
        fetches = GaugeMetricFamily(
            "ratsblick_downloads", "Files by state of their download.", labels=["status"]
        )
        counts = dict(Download.objects.values_list("status").annotate(n=Count("pk")))
        for status in Download.Status:
            fetches.add_metric([status.value], counts.get(status.value, 0))
        yield fetches
        yield GaugeMetricFamily(
            "ratsblick_outbox_length",
            "Changes not applied to the search index yet.",
            value=Change.objects.count(),
        )
        yield from _dead_letters()


def _sync_age() -> Iterator[Metric]:
    age = GaugeMetricFamily(
        "ratsblick_sync_age_seconds",
        "Seconds since the start of the last successful sync, per subscribed body.",
        labels=["body"],
    )
    never = GaugeMetricFamily(
        "ratsblick_body_never_synced",
        "1 for a subscribed body without a successful sync.",
        labels=["body"],
    )
    now = timezone.now()
    bodies = Body.objects.filter(subscribed=True).annotate(
        success=Max("sync_runs__started_at", filter=Q(sync_runs__outcome=SyncRun.Outcome.OK))
    )
    for body in bodies.order_by("pk"):
        label = [str(body.pk)]
        if body.success is None:
            never.add_metric(label, 1)
        else:
            age.add_metric(label, (now - body.success).total_seconds())
    yield age
    yield never


def _dead_letters() -> Iterator[Metric]:
    letters = GaugeMetricFamily(
        "ratsblick_dead_letters", "Tasks that kept failing, not retried yet.", labels=["task"]
    )
    rows = DeadLetter.objects.filter(retried_at__isnull=True).values_list("task")
    for task, n in rows.annotate(n=Count("pk")).order_by("task"):
        letters.add_metric([task], n)
    yield letters


class BrokerCollector(Collector):
    """Queue depths and task figures; nothing when Redis is unreachable (`/healthz` says so)."""

    def collect(self) -> Iterator[Metric]:
        try:
            client = broker.connect()
            lengths = broker.queue_lengths(client)
            figures = tasktimes.read(client)
        except broker.BrokerUnavailable:
            log.warning("metrics: broker unreachable", exc_info=True)
            return
        queues = GaugeMetricFamily(
            "ratsblick_queue_length", "Tasks waiting per Celery queue.", labels=["queue"]
        )
        for queue, length in lengths.items():
            queues.add_metric([queue], length)
        yield queues
        durations = HistogramMetricFamily(
            "ratsblick_task_duration_seconds", "Run time of Celery tasks.", labels=["task"]
        )
        runs = CounterMetricFamily(
            "ratsblick_task_runs", "Celery task runs by final state.", labels=["task", "state"]
        )
        for figure in figures:
            buckets = [(str(bound), n) for bound, n in figure.buckets.items()]
            durations.add_metric(
                [figure.task], [*buckets, ("+Inf", figure.count)], sum_value=figure.seconds
            )
            for state, n in figure.states.items():
                runs.add_metric([figure.task, state], n)
        yield durations
        yield runs


def authorized(header: str) -> bool:
    """Whether an `Authorization` header may scrape: any when no token is configured."""
    token = config.METRICS_TOKEN.get()
    if not token:
        return True
    scheme, _, given = header.partition(" ")
    return scheme.lower() == "bearer" and hmac.compare_digest(
        given.strip().encode(), token.encode()
    )


def registry() -> CollectorRegistry:
    """A fresh registry per scrape: no process-wide state, no default process metrics."""
    collectors = CollectorRegistry(auto_describe=False)
    collectors.register(DatabaseCollector())
    if broker.celery_mode():
        collectors.register(BrokerCollector())
    return collectors
