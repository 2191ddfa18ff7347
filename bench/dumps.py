"""Dump and OParl-out benchmark: prints measured figures, asserts nothing.

    .venv/bin/python bench/dumps.py [--papers N --files N --meetings N]

A synthetic city (`ratsblick.replay.synthetic`) is synced into a fresh
SQLite home, then, each in a fresh process: (a) `ratsblick dump` of it:
seconds, MB/s of JSON written (before gzip) and of the gzip file, peak RSS
against the process's RSS before the dump (flat memory means the
difference does not grow with the city); (b) OParl list pages per second
(100 objects a page, in-process, the paper and meeting lists followed by
`links.next`).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from sync import replay


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def child_sync(system_url: str) -> None:
    import django

    django.setup()
    from django.core.management import call_command

    from ratsblick.council.commandline import http_client
    from ratsblick.council.sync import add_body, sync_body

    call_command("migrate", verbosity=0)
    with http_client() as client:
        (body,) = add_body(system_url, client)
        started = time.perf_counter()
        run = sync_body(body, client)
    objects = sum(sum(c.values()) for c in run.counts.values())
    print(json.dumps({"objects": objects, "seconds": time.perf_counter() - started}))


def child_dump() -> None:
    import gzip

    import django

    django.setup()
    from ratsblick.dumps.writer import dump

    before = _rss_mb()
    started = time.perf_counter()
    written = dump()
    seconds = time.perf_counter() - started
    body = written[0]
    with gzip.open(body.path, "rb") as lines:
        raw = sum(len(chunk) for chunk in iter(lambda: lines.read(1 << 20), b""))
    print(
        json.dumps(
            {
                "seconds": seconds,
                "objects": body.objects,
                "json_mb": raw / 1e6,
                "gzip_mb": body.size / 1e6,
                "rss_before_mb": before,
                "rss_peak_mb": _rss_mb(),
            }
        )
    )


def child_oparl(pages: int) -> None:
    import django

    django.setup()
    from django.test import Client
    from django.test.utils import override_settings

    from ratsblick.council.models import Body

    body = Body.objects.get()
    figures = {}
    with override_settings(ALLOWED_HOSTS=["testserver"]):
        web = Client()
        web.get(f"/oparl/v1.1/body/{body.pk}/organization/")  # URLs and templates loaded
        for name in ("paper", "meeting"):
            url: str | None = f"/oparl/v1.1/body/{body.pk}/{name}/?limit=100"
            done = 0
            started = time.perf_counter()
            while url and done < pages:
                response = web.get(url)
                assert response.status_code == 200, response.content[:200]
                url = response.json()["links"].get("next")
                done += 1
            figures[name] = done / (time.perf_counter() - started)
    print(json.dumps(figures))


def run_child(env: dict[str, str], *args: str) -> dict[str, float]:
    out = subprocess.run(
        [sys.executable, __file__, *args], env=env, check=True, capture_output=True, text=True
    ).stdout
    result: dict[str, float] = json.loads(out.strip().splitlines()[-1])
    return result


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--papers", type=int, default=20_000)
    parser.add_argument("--files", type=int, default=60_000)
    parser.add_argument("--pages", type=int, default=100)
    parser.add_argument("--child", choices=["sync", "dump", "oparl"])
    parser.add_argument("--url", default="")
    args = parser.parse_args()
    if args.child == "sync":
        child_sync(args.url)
        return
    if args.child == "dump":
        child_dump()
        return
    if args.child == "oparl":
        child_oparl(args.pages)
        return
    size = ["--papers", str(args.papers), "--files", str(args.files)]
    print(f"synthetic city: {args.papers} papers, {args.files} files; SQLite, 2 cores\n")
    with tempfile.TemporaryDirectory() as home:
        env = {
            **os.environ,
            "RATSBLICK_HOME": home,
            "RATSBLICK_ALLOW_PRIVATE_HOSTS": "1",
            "DJANGO_SETTINGS_MODULE": "ratsblick.settings",
            "DATABASE_URL": "",
        }
        with replay("--synthetic", *size) as city:
            synced = run_child(env, "--child", "sync", "--url", city)
        print(f"sync: {synced['objects']:.0f} objects in {synced['seconds']:.0f} s")
        dumped = run_child(env, "--child", "dump")
        print(
            f"(a) dump: {dumped['objects']:.0f} lines in {dumped['seconds']:.1f} s, "
            f"{dumped['json_mb'] / dumped['seconds']:.1f} MB/s of JSON "
            f"({dumped['json_mb']:.1f} MB), {dumped['gzip_mb'] / dumped['seconds']:.2f} MB/s "
            f"of gzip ({dumped['gzip_mb']:.2f} MB); RSS {dumped['rss_before_mb']:.0f} MB "
            f"before, {dumped['rss_peak_mb']:.0f} MB peak"
        )
        pages = run_child(env, "--child", "oparl")
        print(
            f"(b) OParl list pages of 100 per second (in-process): "
            f"paper {pages['paper']:.1f}, meeting {pages['meeting']:.1f}"
        )


if __name__ == "__main__":
    main()
