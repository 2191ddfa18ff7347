from __future__ import annotations

import time
from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser
from rich.console import Console

from ratsblick.council.client import http_client
from ratsblick.council.management.commands.sync import select_bodies, update_search_index
from ratsblick.council.progress import Bars
from ratsblick.files.pipeline import process_files


class Command(BaseCommand):
    help = "Fetch every file of the synced bodies and read its text (OCR where needed)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("bodies", nargs="*", help="pk, OParl id or name (default: all)")

    def handle(self, *args: Any, **options: Any) -> None:
        call_command("migrate", verbosity=0)
        console = Console(file=self.stdout)
        with http_client() as client:
            for body in select_bodies(options["bodies"]):
                started = time.monotonic()
                with Bars(console) as bars:
                    counts = process_files(
                        body,
                        client,
                        lambda stage, done, total, b=body: bars.update_named(
                            f"{b.name}: {stage}", done, total
                        ),
                    )
                summary = ", ".join(f"{n} {what}" for what, n in sorted(counts.items()))
                seconds = time.monotonic() - started
                console.print(f"{body.name}: {summary or 'nichts zu tun'} ({seconds:.1f} s)")
        update_search_index(self, console)
