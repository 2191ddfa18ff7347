from __future__ import annotations

import time
from functools import partial
from typing import Any

from django.core.management.base import CommandParser

from ratsblick.council.commandline import (
    Bars,
    RatsblickCommand,
    http_client,
    select_bodies,
    update_search_index,
)
from ratsblick.files.pipeline import process_files


class Command(RatsblickCommand):
    help = "Fetch every file of the synced bodies and read its text (OCR where needed)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("bodies", nargs="*", help="pk, OParl id or name (default: all)")

    def handle(self, *args: Any, **options: Any) -> None:
        console = self.console()
        with http_client() as client:
            for body in select_bodies(options["bodies"]):
                started = time.monotonic()
                with Bars(console) as bars:
                    counts = process_files(body, client, partial(_progress, bars, body.name))
                summary = ", ".join(f"{n} {what}" for what, n in sorted(counts.items()))
                seconds = time.monotonic() - started
                console.print(f"{body.name}: {summary or 'nichts zu tun'} ({seconds:.1f} s)")
        update_search_index(self, console)


def _progress(bars: Bars, body: str, stage: str, done: int, total: int) -> None:
    bars.update_named(f"{body}: {stage}", done, total)
