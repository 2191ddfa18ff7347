from __future__ import annotations

import time
from typing import Any

from django.core.management.base import CommandError

from ratsblick.council.commandline import Bars, RatsblickCommand
from ratsblick.indexing.service import index_changes
from ratsblick.search import IndexBusy


class Command(RatsblickCommand):
    help = "Bring the search index up to date with what sync and extract changed."

    def handle(self, *args: Any, **options: Any) -> None:
        console = self.console()
        started = time.monotonic()
        try:
            with Bars(console) as bars:
                report = index_changes(
                    lambda done, total: bars.update_named("Änderungen", done, total)
                )
        except IndexBusy as error:
            raise CommandError(
                "Der Suchindex wird gerade von einem anderen Prozess geschrieben; "
                "die Änderungen bleiben vorgemerkt."
            ) from error
        seconds = time.monotonic() - started
        console.print(
            f"Suchindex: {report.written} geschrieben, {report.deleted} entfernt "
            f"({report.changes} Änderungen, {seconds:.1f} s)."
        )
