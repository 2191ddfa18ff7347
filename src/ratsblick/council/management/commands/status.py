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
            for line in _summary(body):
                console.print(line, markup=False)


def _summary(body: dict[str, Any]) -> list[str]:
    """The operator's lines under the table: lag, files, errors (sections of higher apps too)."""
    lag = body["lag_seconds"]
    lines = [
        f"last success: {body['last_success'] or 'never'}"
        + ("" if lag is None else f" (lag {lag / 3600:.1f} h)")
    ]
    files = body.get("file_counts")
    if files:
        lines.append("files: " + ", ".join(f"{key} {value}" for key, value in files.items()))
    if "dead_letters" in body:
        lines.append(f"dead letters: {body['dead_letters']}")
    lines += [
        f"error {run['started_at']} {run['outcome']}: {run['error']}" for run in body["last_errors"]
    ]
    return lines
