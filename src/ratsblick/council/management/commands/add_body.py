from __future__ import annotations

from typing import Any

from django.core.management.base import CommandError, CommandParser

from ratsblick.council.commandline import RatsblickCommand, http_client
from ratsblick.council.sync import SyncError, add_body
from ratsblick.oparl.http import FetchError


class Command(RatsblickCommand):
    help = "Register the bodies behind an OParl System or Body URL for syncing."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("url", help="URL of an OParl System or Body")

    def handle(self, *args: Any, **options: Any) -> None:
        with http_client() as client:
            try:
                bodies = add_body(options["url"], client)
            except (SyncError, FetchError) as exc:
                raise CommandError(str(exc)) from exc
        for body in bodies:
            self.stdout.write(f"added body {body.pk}: {body.name} ({body.oparl_id})")
