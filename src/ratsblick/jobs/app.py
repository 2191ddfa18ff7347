"""The Celery application: Redis broker, queues by kind of work, the beat schedule.

Queues: `net` (sync, fetch: waits on council servers, many threads), `cpu`
(extraction and OCR: one process per core), `index` (the one index writer:
exactly one worker process in the whole deployment). Tasks are acknowledged
only when done, so a task of a worker that dies goes to another worker:
at once when a pool process dies (`reject_on_worker_lost`), after
`RATSBLICK_BROKER_VISIBILITY_TIMEOUT` when the whole worker or its machine
vanished.
"""

from __future__ import annotations

from datetime import timedelta

from celery import Celery

from ratsblick import config

QUEUES = ("net", "cpu", "index")

app = Celery("ratsblick", include=["ratsblick.jobs.tasks"])
app.conf.update(
    broker_url=config.BROKER_URL.get(),
    broker_connection_retry_on_startup=True,
    broker_transport_options={
        "visibility_timeout": config.BROKER_VISIBILITY_TIMEOUT.get(),
        # How often a worker looks for tasks of vanished workers to hand out again.
        "unacked_restore_interval": min(10.0, config.BROKER_VISIBILITY_TIMEOUT.get()),
    },
    task_default_queue="net",
    task_routes={
        "ratsblick.jobs.tasks.extract_blob": {"queue": "cpu"},
        "ratsblick.jobs.tasks.index_changes": {"queue": "index"},
        "ratsblick.jobs.tasks.reconcile_index": {"queue": "index"},
    },
    task_ignore_result=True,
    task_acks_late=True,
    task_reject_on_worker_lost=True,
    # One task at a time per pool process: a long OCR job holds up nothing queued behind it.
    worker_prefetch_multiplier=1,
    enable_utc=True,
    beat_schedule={
        "incremental sync of every body": {
            "task": "ratsblick.jobs.tasks.sync_all",
            "schedule": timedelta(seconds=config.SYNC_INTERVAL.get()),
            "kwargs": {"full": False},
        },
        "full consistency sync of every body": {
            "task": "ratsblick.jobs.tasks.sync_all",
            "schedule": timedelta(seconds=config.FULL_SYNC_INTERVAL.get()),
            "kwargs": {"full": True},
        },
        "index reconcile": {
            "task": "ratsblick.jobs.tasks.reconcile_index",
            "schedule": timedelta(seconds=config.REINDEX_INTERVAL.get()),
        },
        "bulk dumps of every body": {
            "task": "ratsblick.jobs.tasks.dump_all",
            "schedule": timedelta(days=1),
        },
        "alert mails": {
            "task": "ratsblick.jobs.tasks.send_mails",
            "schedule": timedelta(seconds=config.ALERTS_INTERVAL.get()),
        },
    },
)
