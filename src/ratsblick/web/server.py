"""The embedded web server: waitress, after making sure the index is current."""

from __future__ import annotations

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser
from waitress import serve

from ratsblick.wsgi import application


def add_address_arguments(parser: CommandParser) -> None:
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8000)


def serve_forever(command: BaseCommand, host: str, port: int) -> None:
    try:
        call_command("reindex", if_needed=True, stdout=command.stdout)
    except CommandError as busy:
        # Another process is rebuilding; pages read the old index meanwhile.
        command.stdout.write(str(busy))
    command.stdout.write(f"Ratsblick läuft auf http://{host}:{port}/ (Strg+C beendet)")
    serve(application, host=host, port=port, threads=8, ident="Ratsblick")
