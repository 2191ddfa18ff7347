"""The embedded web server: waitress, after making sure the index is current."""

from __future__ import annotations

from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.core.wsgi import get_wsgi_application
from django.dispatch import Signal
from waitress import serve

from ratsblick import config

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
    serve(get_wsgi_application(), host=host, port=port, **waitress_options())


def waitress_options() -> dict[str, Any]:
    """Bounded connections: many idle ones (a slow-loris flood, clients that never
    close) must not block real requests.

    Waitress stops accepting at `connection_limit` until idle connections time
    out, while an idle connection costs no thread: so the limit is high, idle
    connections are closed after `channel_timeout` and looked for every two
    seconds, and poll() replaces select() (which allows at most 1024 sockets).
    """
    return {
        "threads": 8,
        "ident": "Ratsblick",
        "connection_limit": config.WEB_CONNECTION_LIMIT.get(),
        "channel_timeout": config.WEB_CHANNEL_TIMEOUT.get(),
        "cleanup_interval": 2,
        "backlog": 2048,
        "asyncore_use_poll": True,
    }
