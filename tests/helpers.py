"""Small steps many tests share: run a command, sync a body, count live rows."""

from __future__ import annotations

import re
import socket
from datetime import timedelta
from io import StringIO
from pathlib import Path

from django.core.management import call_command
from django.db import models
from django.utils import timezone

from ratsblick.council.models import Body
from ratsblick.council.sync import add_body, sync_body
from ratsblick.oparl.http import HttpClient
from ratsblick.replay.server import ReplayServer

HOSTILE = Path(__file__).parent / "fixtures" / "pdf"


def command(*args: str) -> str:
    """What a `ratsblick` management command prints."""
    out = StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def synced(server: ReplayServer, client: HttpClient) -> Body:
    """The one body of the server, added and synced in full."""
    (body,) = add_body(server.system_url, client)
    sync_body(body, client)
    return body


def live(model: type[models.Model]) -> int:
    """Rows neither deleted nor placeholders."""
    return model.objects.filter(deleted=False, stub=False).count()


def backdate_syncs(body: Body, minutes: int = 5) -> None:
    """Move the body's syncs into the past, relative to the clock.

    The replay stamps a change with the current second; moved back, the last
    sync's watermark is older than any change a test makes now, whatever the
    date.
    """
    body.sync_runs.update(started_at=timezone.now() - timedelta(minutes=minutes))


def free_port() -> int:
    """A loopback port nobody listens on (for servers that need a fixed one)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def printed_lines(text: str) -> list[str]:
    """A command's output line by line, blank lines dropped and durations masked.

    The rest is compared exactly; how long a step took is the one thing that varies.
    """
    return [re.sub(r"\b\d+(\.\d+)? s\b", "… s", line) for line in text.splitlines() if line.strip()]
