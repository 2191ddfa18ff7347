from __future__ import annotations

from typing import Any

from django.core.management.base import CommandParser

from ratsblick.council.commandline import RatsblickCommand, select_bodies
from ratsblick.dumps.writer import dump


class Command(RatsblickCommand):
    help = (
        "Write the bulk dumps (JSON Lines, gzip) of the given bodies, or of all, and the instance."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("bodies", nargs="*", help="body ids or names (default: all)")

    def handle(self, *args: Any, **options: Any) -> None:
        chosen = [b.pk for b in select_bodies(options["bodies"])] if options["bodies"] else None
        for written in dump(chosen):
            objects = "" if written.objects is None else f"{written.objects} objects, "
            self.stdout.write(f"{written.path}: {objects}{written.size} bytes")
