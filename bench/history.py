"""History benchmark: prints measured figures, asserts nothing.

    .venv/bin/python bench/history.py [--backend sqlite|postgres|both] [--repeat N]

What keeping the history costs the sync, with the revision hook on and off
(`HISTORY_KINDS` emptied), each measurement in a fresh process with a fresh
database, Hürtgenwald replayed in-process without latency:
(a) full sync (nothing to keep: every object is new),
(b) no-change incremental sync,
(c) incremental sync after every paper and meeting changed its name
    (2,115 papers, 367 meetings: the worst case a council sends),
and what the file diff costs on the 48-page Thurgau protocol: a few pages
edited and one inserted, and every page changed.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from sync import fresh_postgres  # bench/sync.py: a fresh PostgreSQL database per run

ROOT = Path(__file__).resolve().parent.parent
PROTOCOL = ROOT / "src/ratsblick/replay/data/sample/tg_20230816.pdf"


def child(case: str, history: bool) -> None:
    import django

    django.setup()
    from datetime import timedelta

    from django.core.management import call_command
    from django.db.models import Sum, TextField
    from django.db.models.functions import Cast, Length
    from django.utils import timezone

    from ratsblick.council import upsert
    from ratsblick.council.models import Revision
    from ratsblick.council.sync import add_body, sync_body
    from ratsblick.oparl.http import ClientConfig, HttpClient
    from ratsblick.replay.dataset import RecordedDataset
    from ratsblick.replay.server import Faults, ReplayServer

    call_command("migrate", verbosity=0)
    if not history:
        upsert.HISTORY_KINDS = frozenset()
    in_hook = [0.0]  # seconds inside the hook itself: on a shared machine the clearer figure
    keep = upsert.Upserter._keep_previous

    def timed(self: upsert.Upserter, *args: Any) -> None:
        started = time.perf_counter()
        keep(*args)
        in_hook[0] += time.perf_counter() - started

    upsert.Upserter._keep_previous = timed  # type: ignore[method-assign]
    dataset = RecordedDataset.load()
    config = ClientConfig(
        timeout=5.0, retries=3, backoff=0.01, backoff_max=0.05, allow_private=True
    )
    with (
        HttpClient(config) as client,
        ReplayServer(dataset, faults=Faults(empty_list_404=True)) as server,
    ):
        started = time.perf_counter()
        (body,) = add_body(server.system_url, client)
        sync_body(body, client)
        full = time.perf_counter() - started
        body.sync_runs.update(started_at=timezone.now() - timedelta(minutes=5))
        if case == "changed":
            for name in ("paper", "meeting"):
                for item in list(dataset.lists[dataset.list_url(name)]):
                    if not item.get("deleted"):
                        dataset.change(item["id"], name=f"{item.get('name', '')} (geändert)")
        started = time.perf_counter()
        run = sync_body(body, client, margin=timedelta(0))
        incremental = time.perf_counter() - started
    as_text = Cast("previous", TextField())  # PostgreSQL has no length of jsonb
    stored = Revision.objects.aggregate(bytes=Sum(Length(as_text)))["bytes"] or 0
    print(
        json.dumps(
            {
                "full": full,
                "incremental": incremental,
                "changed": sum(c.get("changed", 0) for c in run.counts.values()),
                "revisions": Revision.objects.count(),
                "hook": in_hook[0],
                "revision_mb": stored / 1e6,
            }
        )
    )


def measure(backend: str, case: str, history: bool) -> dict[str, float]:
    with tempfile.TemporaryDirectory() as home:
        env = {
            **os.environ,
            "RATSBLICK_HOME": home,
            "DJANGO_SETTINGS_MODULE": "ratsblick.settings",
            "DATABASE_URL": fresh_postgres() if backend == "postgres" else "",
        }
        command = [sys.executable, __file__, "--child", case]
        out = subprocess.run(
            [*command, *([] if history else ["--no-history"])],
            env=env,
            check=True,
            capture_output=True,
            text=True,
            cwd=ROOT,
        ).stdout
    return json.loads(out.strip().splitlines()[-1])


def sync_cost(backends: list[str], repeat: int) -> None:
    seconds_of = f"seconds (median of {repeat})"
    print(
        f"{'backend':9} {'case':44} {'history':>8} {seconds_of:>22} {'in hook':>8} "
        f"{'revisions':>10} {'MB':>6}"
    )
    for backend in backends:
        for case in ("none", "changed"):
            for history in (False, True):
                runs = [measure(backend, case, history) for _ in range(repeat)]
                rows = [("(a) full sync", "full")] if case == "none" else []
                rows.append(
                    ("(b) no-change incremental", "incremental")
                    if case == "none"
                    else ("(c) incremental, all papers+meetings changed", "incremental")
                )
                for label, key in rows:
                    seconds = statistics.median(r[key] for r in runs)
                    kept = runs[-1]["revisions"] if key == "incremental" else 0
                    size = runs[-1]["revision_mb"] if kept else 0
                    hook = statistics.median(r["hook"] for r in runs) if key == "incremental" else 0
                    print(
                        f"{backend:9} {label:44} {'on' if history else 'off':>8} "
                        f"{seconds:>22.2f} {hook:>8.2f} {kept:>10} {size:>6.2f}",
                        flush=True,
                    )


def diff_cost() -> None:
    from ratsblick.extract import extract
    from ratsblick.history.textdiff import diff_pages

    pages = [page.text for page in extract(PROTOCOL.read_bytes()).pages]
    edited = list(pages)
    for number in (3, 17, 30, 41):
        words = edited[number].split()
        words[len(words) // 2 : len(words) // 2 + 5] = ["geänderter", "Wortlaut", "im", "Protokoll"]
        edited[number] = " ".join(words)
    edited.insert(10, "Eingefügte Seite: Nachtrag zum Protokoll des Grossen Rates.")
    every = [" ".join(w if i % 10 else "geändert" for i, w in enumerate(p.split())) for p in pages]
    shuffled = []  # the worst case for the alignment: no two pages share their order of words
    for page in pages:
        page_words = page.split()
        random.Random(13).shuffle(page_words)
        shuffled.append(" ".join(page_words))
    words = sum(len(p.split()) for p in pages)
    print(f"\nfile diff, {PROTOCOL.name}: {len(pages)} pages, {words} words")
    cases = (
        ("4 pages edited, 1 inserted", edited),
        ("every 10th word of every page", every),
        ("every page's words shuffled", shuffled),
    )
    for label, new in cases:
        times = []
        for _ in range(5):
            started = time.perf_counter()
            diff = diff_pages(pages, new)
            times.append(time.perf_counter() - started)
        print(
            f"  {label:30} {statistics.median(times) * 1000:8.1f} ms (median of 5), "
            f"{len(diff.pages)} pages shown, +{diff.added} −{diff.removed} words"
        )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--backend", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--child")
    parser.add_argument("--no-history", action="store_true")
    args = parser.parse_args()
    if args.child:
        child(args.child, not args.no_history)
        return
    sync_cost(["sqlite", "postgres"] if args.backend == "both" else [args.backend], args.repeat)
    diff_cost()


if __name__ == "__main__":
    main()
