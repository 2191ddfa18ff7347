"""Celery worker benchmark: prints measured figures, asserts nothing.

    .venv/bin/python bench/workers.py [--copies 8] [--bodies 50]

Needs PostgreSQL (127.0.0.1:5432, a fresh database `ratsblick_bench_workers`
is made and dropped) and Redis (database 14, flushed).

1. Files read per second by `ratsblick worker --queues cpu` with 1 and 2
   worker processes (one pool process each), for a text-layer mix (born,
   two-column, Thurgau protocols) and an OCR-heavy mix (scan, mixed), each
   file `--copies` times with distinct bytes (a comment after `%%EOF`), so
   that no blob is shared.
2. One incremental round over `--bodies` replayed sample bodies (each its
   own loopback server, synced in full first) by one `net` worker: time
   until every body's run has ended, and the requests it made.
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

import psycopg
import redis

ROOT = Path(__file__).resolve().parents[1]
DB = "ratsblick_bench_workers"
PG = "postgres://postgres@127.0.0.1:5432"
BROKER = "redis://127.0.0.1:6379/14"
HOME = Path(tempfile.mkdtemp(prefix="bench-workers-"))
ENV = {
    **os.environ,
    "DJANGO_SETTINGS_MODULE": "ratsblick.settings",
    "DATABASE_URL": f"{PG}/{DB}",
    "RATSBLICK_HOME": str(HOME),
    "RATSBLICK_BROKER_URL": BROKER,
    "RATSBLICK_ALLOW_PRIVATE_HOSTS": "1",
    "RATSBLICK_BACKGROUND_JOBS": "0",
}
TEXT_MIX = ("born.pdf", "twocol.pdf", "tg_20230816.pdf", "tg_abst.pdf", "tg_mitglieder.pdf")
OCR_MIX = ("scan300.pdf", "mixed.pdf")


def fresh_database() -> None:
    with psycopg.connect(f"{PG}/postgres", autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {DB} WITH (FORCE)")
        conn.execute(f"CREATE DATABASE {DB}")


def start_workers(count: int, queue: str) -> list[subprocess.Popen[bytes]]:
    return [
        subprocess.Popen(
            [
                sys.executable,
                "-m",
                "ratsblick.cli",
                "worker",
                "--queues",
                queue,
                "--concurrency",
                "1" if queue == "cpu" else "8",
                "--name",
                f"{queue}{n}@%h",
            ],
            env=ENV,
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for n in range(count)
    ]


def stop(processes: list[subprocess.Popen[bytes]]) -> None:
    for process in processes:
        process.send_signal(signal.SIGTERM)
    for process in processes:
        process.wait(30)


def wait_ready(count: int) -> None:
    """Until `count` workers answer a ping (their start is not measured)."""
    from ratsblick.jobs.app import app

    while len(app.control.ping(timeout=1.0) or []) < count:
        time.sleep(0.5)


def read_rate(names: tuple[str, ...], copies: int, workers: int) -> tuple[float, int]:
    """Files read per second by `workers` cpu workers, and the files read."""
    from ratsblick.files.models import Blob, Extraction
    from ratsblick.files.storage import store_file, temporary_file
    from ratsblick.jobs import tasks
    from ratsblick.replay.sample import SAMPLE_FILES

    pks = []
    for copy in range(copies):
        for name in names:
            path = temporary_file()
            path.write_bytes(
                (SAMPLE_FILES / name).read_bytes() + f"\n%{time.time_ns()}-{copy}\n".encode()
            )
            size = path.stat().st_size
            blob = Blob.objects.create(
                sha256=store_file(path), size=size, mime_type="application/pdf"
            )
            pks.append(blob.pk)
    processes = start_workers(workers, "cpu")
    try:
        wait_ready(workers)
        started = time.monotonic()
        for pk in pks:
            tasks.extract_blob.delay(pk)
        while Extraction.objects.filter(blob_id__in=pks).count() < len(pks):
            time.sleep(0.2)
        seconds = time.monotonic() - started
    finally:
        stop(processes)
    return len(pks) / seconds, len(pks)


def incremental_round(bodies: int) -> tuple[float, int]:
    from ratsblick.council.commandline import http_client
    from ratsblick.council.models import SyncRun
    from ratsblick.council.sync import add_body, sync_body
    from ratsblick.files.pipeline import fetch_files
    from ratsblick.jobs import tasks
    from ratsblick.replay.sample import sample_dataset
    from ratsblick.replay.server import ReplayServer

    servers = [ReplayServer(sample_dataset(papers=(1, 4))).start() for _ in range(bodies)]
    try:
        with http_client() as client:
            for server in servers:
                for body in add_body(server.system_url, client):
                    sync_body(body, client)
                    fetch_files(body, client, Counter())  # a no-change round: files are here
        before = sum(s.requests for s in servers)
        runs = SyncRun.objects.count()
        processes = start_workers(1, "net")
        try:
            wait_ready(1)
            started = time.monotonic()
            tasks.sync_all.delay()
            while (
                SyncRun.objects.count() < runs + bodies
                or SyncRun.objects.filter(outcome=SyncRun.Outcome.RUNNING).exists()
            ):
                time.sleep(0.1)
            seconds = time.monotonic() - started
        finally:
            stop(processes)
        return seconds, sum(s.requests for s in servers) - before
    finally:
        for server in servers:
            server.stop()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--copies", type=int, default=8)
    parser.add_argument("--bodies", type=int, default=50)
    args = parser.parse_args()
    fresh_database()
    redis.Redis.from_url(BROKER).flushdb()
    os.environ.update(ENV)
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    print(f"load average before: {os.getloadavg()}, cores: {os.cpu_count()}")
    print("| mix | files | 1 worker files/s | 2 workers files/s | ratio |")
    print("| --- | --- | --- | --- | --- |")
    for label, names in (("text layer", TEXT_MIX), ("OCR-heavy", OCR_MIX)):
        one, files = read_rate(names, args.copies, 1)
        two, _ = read_rate(names, args.copies, 2)
        print(f"| {label} | {files} | {one:.2f} | {two:.2f} | {two / one:.2f}× |", flush=True)
    seconds, requests = incremental_round(args.bodies)
    print(
        f"incremental round, {args.bodies} bodies, no change: {seconds:.1f} s, {requests} requests"
    )
    print(f"load average after: {os.getloadavg()}")
    redis.Redis.from_url(BROKER).flushdb()
    from django.db import connections

    connections.close_all()
    with psycopg.connect(f"{PG}/postgres", autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {DB} WITH (FORCE)")


if __name__ == "__main__":
    main()
