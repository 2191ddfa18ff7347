from __future__ import annotations

from typing import Any

from django.core.management.base import CommandParser

from ratsblick.council.commandline import RatsblickCommand
from ratsblick.web.server import add_address_arguments, serve_forever


class Command(RatsblickCommand):
    help = "Serve the web app (waitress, a production WSGI server)."

    def add_arguments(self, parser: CommandParser) -> None:
        add_address_arguments(parser)

    def handle(self, *args: Any, **options: Any) -> None:
        serve_forever(self, options["host"], options["port"])
