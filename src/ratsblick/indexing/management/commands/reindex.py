from __future__ import annotations

import time
from typing import Any

from django.core.management.base import CommandError, CommandParser

from ratsblick.council.commandline import Bars, RatsblickCommand
from ratsblick.indexing.service import index_path, needs_rebuild, reindex
from ratsblick.search import RebuildBusy


class Command(RatsblickCommand):
    help = "Rebuild the search index from the database (searches keep working meanwhile)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--if-needed",
            action="store_true",
            help="only when there is no index or it was built by another version",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        console = self.console()
        if options["if_needed"] and not needs_rebuild():
            console.print(f"Suchindex ist aktuell ({index_path()}).")
            return
        started = time.monotonic()
        try:
            with Bars(console) as bars:
                report = reindex(lambda done, total: bars.update_named("Suchindex", done, total))
        except RebuildBusy as error:
            raise CommandError(
                "Der Suchindex wird gerade von einem anderen Prozess neu aufgebaut; "
                "bitte danach erneut versuchen."
            ) from error
        seconds = time.monotonic() - started
        console.print(f"Suchindex neu aufgebaut: {report.written} Dokumente ({seconds:.1f} s).")
