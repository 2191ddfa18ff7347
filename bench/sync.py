"""Sync benchmark: prints measured figures, asserts nothing.

    .venv/bin/python bench/sync.py [--papers N --files N] [--skip-postgres]

(a) full sync of a synthetic city from a replay server with no latency,
(b) full sync of Hürtgenwald with 50 ms latency per request,
(c) no-change incremental sync of Hürtgenwald,
each on SQLite and PostgreSQL, with the sync process's peak RSS. Every
server runs in a process of its own, and every measurement in a fresh
process with a fresh database.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import psycopg

ROOT = Path(__file__).resolve().parent.parent
PG = os.environ.get("RATSBLICK_TEST_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/ratsblick")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def replay(*args: str) -> Iterator[str]:
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "ratsblick.replay", "--port", str(port), *args],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert process.stdout is not None
    url = process.stdout.readline().strip()
    try:
        yield url
    finally:
        process.terminate()
        process.wait()


def fresh_postgres() -> str:
    admin = PG.rsplit("/", 1)[0] + "/postgres"
    name = "ratsblick_bench"
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {name}")
        conn.execute(f"CREATE DATABASE {name}")
    return PG.rsplit("/", 1)[0] + "/" + name


def child(system_url: str, syncs: int) -> None:
    """Add the body, sync `syncs` times; report the last sync."""
    import django

    django.setup()
    from django.core.management import call_command

    from ratsblick.council.commandline import http_client
    from ratsblick.council.sync import add_body, sync_body

    call_command("migrate", verbosity=0)
    with http_client() as client:
        (body,) = add_body(system_url, client)
        for _ in range(syncs):
            requests = client.requests
            started = time.perf_counter()
            run = sync_body(body, client)
            seconds = time.perf_counter() - started
    objects = sum(sum(c.values()) for c in run.counts.values())
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    result = {
        "objects": objects,
        "seconds": seconds,
        "requests": client.requests - requests,
        "outcome": run.outcome,
        "peak_rss_mb": peak_mb,
    }
    print(json.dumps(result))


def measure(backend: str, system_url: str, syncs: int = 1) -> dict[str, float]:
    with tempfile.TemporaryDirectory() as home:
        env = {
            **os.environ,
            "RATSBLICK_HOME": home,
            "RATSBLICK_ALLOW_PRIVATE_HOSTS": "1",
            "DJANGO_SETTINGS_MODULE": "ratsblick.settings",
            "DATABASE_URL": fresh_postgres() if backend == "postgres" else "",
        }
        out = subprocess.run(
            [sys.executable, __file__, "--child", system_url, "--syncs", str(syncs)],
            env=env,
            check=True,
            capture_output=True,
            text=True,
        ).stdout
    return json.loads(out.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--papers", type=int, default=30_000)
    parser.add_argument("--files", type=int, default=100_000)
    parser.add_argument("--skip-postgres", action="store_true")
    parser.add_argument("--child")
    parser.add_argument("--syncs", type=int, default=1)
    args = parser.parse_args()
    if args.child:
        child(args.child, args.syncs)
        return
    backends = ["sqlite"] if args.skip_postgres else ["sqlite", "postgres"]
    size = ["--papers", str(args.papers), "--files", str(args.files)]
    print(f"synthetic city: {args.papers} papers, {args.files} files; 2 cores\n")
    print(
        f"{'case':48} {'backend':9} {'objects':>9} {'seconds':>8} {'obj/s':>7} "
        f"{'requests':>8} {'peak RSS':>9}"
    )
    with (
        replay("--synthetic", *size) as city,
        replay() as town,
        replay("--latency", "0.05") as slow,
    ):
        cases = [
            ("(a) full sync, synthetic city, no latency", city, 1),
            ("(b) full sync, Hürtgenwald, 50 ms latency", slow, 1),
            ("(c) no-change incremental sync, Hürtgenwald", town, 2),
        ]
        for name, url, syncs in cases:
            for backend in backends:
                r = measure(backend, url, syncs)
                rate = r["objects"] / r["seconds"]
                print(
                    f"{name:48} {backend:9} {r['objects']:>9} {r['seconds']:>8.2f} "
                    f"{rate:>7.0f} {r['requests']:>8} {r['peak_rss_mb']:>7.0f} MB",
                    flush=True,
                )


if __name__ == "__main__":
    main()
