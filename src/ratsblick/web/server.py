"""The embedded web server: waitress, after making sure the index is current."""

from __future__ import annotations

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.core.wsgi import get_wsgi_application
from django.dispatch import Signal
from waitress import serve

# Sent just before serving; `ratsblick.jobs` (above this layer) starts its
# background pipeline on it.
serving = Signal()


def add_address_arguments(parser: CommandParser) -> None:
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8000)


def serve_forever(command: BaseCommand, host: str, port: int) -> None:
    try:
        call_command("reindex", if_needed=True, stdout=command.stdout)
    except CommandError as busy:
        # Another process is rebuilding; pages read the old index meanwhile.
        command.stdout.write(str(busy))
    serving.send(sender=serve_forever)
    command.stdout.write(f"Ratsblick läuft auf http://{host}:{port}/ (Strg+C beendet)")
    serve(get_wsgi_application(), host=host, port=port, threads=8, ident="Ratsblick")
