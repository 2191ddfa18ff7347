from __future__ import annotations

import json
from typing import Any

from django.core.management.base import CommandParser
from rich.table import Table

from ratsblick.council.commandline import RatsblickCommand
from ratsblick.council.status import status


class Command(RatsblickCommand):
    help = "Show per body and object type what is stored, and the last sync."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--json", action="store_true", help="machine-readable output")

    def handle(self, *args: Any, **options: Any) -> None:
        report = status()
        if options["json"]:
            self.stdout.write(json.dumps(report, indent=2, ensure_ascii=False))
            return
        console = self.console()
        if not report:
            console.print("No body yet: add one with `ratsblick add-body URL`.")
        for body in report:
            last = body["last_sync"]
            when = f"{last['started_at']} {last['outcome']}" if last else "never synced"
            table = Table(title=f"{body['id']}: {body['name']} (last sync: {when})")
            for column in ("type", "live", "deleted", "unresolved"):
                table.add_column(column, justify="left" if column == "type" else "right")
            for kind, counts in body["types"].items():
                table.add_row(kind, *(str(counts[c]) for c in ("live", "deleted", "unresolved")))
            console.print(table)
