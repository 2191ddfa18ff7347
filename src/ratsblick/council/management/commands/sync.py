from __future__ import annotations

import time
from datetime import timedelta
from typing import Any

from django.core.management.base import CommandError, CommandParser
from rich.table import Table

from ratsblick import config
from ratsblick.council.commandline import (
    Bars,
    RatsblickCommand,
    http_client,
    select_bodies,
    update_search_index,
)
from ratsblick.council.models import Body, SyncRun
from ratsblick.council.sync import sync_body

OUTCOMES = ("new", "changed", "deleted", "unchanged", "failed")


class Command(RatsblickCommand):
    help = "Sync bodies from their OParl endpoints (incrementally unless --full)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("bodies", nargs="*", help="pk, OParl id or name (default: all)")
        parser.add_argument("--full", action="store_true", help="fetch everything again")

    def handle(self, *args: Any, **options: Any) -> None:
        bodies = select_bodies(options["bodies"])
        if not bodies:
            raise CommandError("no body to sync: add one with `ratsblick add-body URL`")
        console = self.console()
        margin = timedelta(minutes=config.SYNC_MARGIN.get())
        runs: list[tuple[Body, SyncRun, float]] = []
        progress = Bars(console)

        def on_page(body: str, name: str, done: int, total: int | None) -> None:
            progress.update_named(f"{body}: {name}", done, total)

        with http_client() as client, progress:
            for body in bodies:
                started = time.monotonic()
                try:
                    run = sync_body(
                        body, client, full=options["full"], margin=margin, on_page=on_page
                    )
                except Exception as exc:
                    run = body.sync_runs.latest()
                    console.print(f"[red]{body}: sync failed: {exc}")
                runs.append((body, run, time.monotonic() - started))
        for body, run, seconds in runs:
            console.print(summary_table(body, run, seconds))
            for note in run.notes[:20]:
                console.print(f"  - {note}")
            if len(run.notes) > 20:
                console.print(
                    f"  … and {len(run.notes) - 20} more notes (`ratsblick status --json`)"
                )
        update_search_index(self, console)
        if any(run.outcome != SyncRun.Outcome.OK for _, run, _ in runs):
            raise CommandError("not every body synced completely (see the notes above)")


def summary_table(body: Body, run: SyncRun, seconds: float) -> Table:
    kind = "full" if run.full else f"incremental since {run.modified_since:%Y-%m-%d %H:%M}"
    table = Table(title=f"{body.name}: {run.outcome} ({kind}, {seconds:.1f} s)")
    table.add_column("type")
    for outcome in OUTCOMES:
        table.add_column(outcome, justify="right")
    for type_name, counts in run.counts.items():
        table.add_row(type_name, *(str(counts.get(o, 0)) for o in OUTCOMES))
    return table
