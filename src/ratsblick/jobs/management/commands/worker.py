from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import CommandError, CommandParser

from ratsblick.council.commandline import RatsblickCommand
from ratsblick.jobs.app import QUEUES, app

# Network work waits on servers: many threads. CPU work: one process per core.
DEFAULT_CONCURRENCY = {"net": 8, "cpu": os.cpu_count() or 1, "index": 1}


class Command(RatsblickCommand):
    help = "Start a Celery worker for the given queues (net, cpu, index)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--queues", default=",".join(QUEUES), help="comma-separated: net, cpu, index"
        )
        parser.add_argument("--concurrency", type=int, help="pool size (default by queue)")
        parser.add_argument(
            "--pool", choices=("prefork", "threads", "solo"), help="default: threads for net only"
        )
        parser.add_argument("--beat", action="store_true", help="also run the schedule (once!)")
        parser.add_argument("--name", default="", help="worker name (default: queues@host)")

    def handle(self, *args: Any, **options: Any) -> None:
        queues = [q.strip() for q in options["queues"].split(",") if q.strip()]
        unknown = sorted(set(queues) - set(QUEUES))
        if unknown or not queues:
            raise CommandError(f"Unbekannte Warteschlange {unknown}: erlaubt sind {QUEUES}")
        concurrency = options["concurrency"] or min(DEFAULT_CONCURRENCY[q] for q in queues)
        if "index" in queues and concurrency != 1:
            raise CommandError(
                "Die Warteschlange index hat genau einen Schreiber: --concurrency 1."
            )
        pool = options["pool"] or ("threads" if queues == ["net"] else "prefork")
        if concurrency == 1 and not options["pool"]:
            pool = "solo"
        argv = [
            "worker",
            f"--queues={','.join(queues)}",
            f"--concurrency={concurrency}",
            f"--pool={pool}",
            f"--hostname={options['name'] or '+'.join(queues) + '@%h'}",
            "--loglevel=INFO",
            "--without-gossip",
            "--without-mingle",
        ]
        if options["beat"]:
            argv += ["--beat", f"--schedule={Path(settings.HOME) / 'beat-schedule'}"]
        app.worker_main(argv)
