"""The mails written to the folder (no SMTP server configured), for the operator page."""

from __future__ import annotations

import email
import email.policy
import re
from dataclasses import dataclass
from datetime import datetime
from email.message import EmailMessage
from email.utils import parsedate_to_datetime

from django.db.models import Count

from ratsblick.alerts.models import Mail
from ratsblick.alerts.transport import mail_folder, smtp_server

SHOWN = 20
NAME = re.compile(r"[A-Za-z0-9.@_-]{1,200}\.eml")
"""A file name the folder transport writes (and nothing that leaves the folder)."""


@dataclass(frozen=True)
class FolderMail:
    name: str
    recipient: str
    subject: str
    date: datetime | None
    text: str


def _read(name: str) -> FolderMail | None:
    if not NAME.fullmatch(name):
        return None
    path = mail_folder() / name
    try:
        raw = path.read_bytes()
    except OSError:
        return None
    parsed = email.message_from_bytes(raw, policy=email.policy.default)
    assert isinstance(parsed, EmailMessage)
    body = parsed.get_body(("plain",))
    try:
        date = parsedate_to_datetime(str(parsed["Date"]))
    except (TypeError, ValueError):
        date = None
    return FolderMail(
        name,
        str(parsed["To"] or ""),
        str(parsed["Subject"] or ""),
        date,
        body.get_content().replace("\r\n", "\n") if body is not None else "",
    )


def folder_mail(name: str) -> FolderMail | None:
    return _read(name)


def recent() -> list[FolderMail]:
    """The newest mails of the folder, newest first."""
    folder = mail_folder()
    if not folder.is_dir():
        return []
    paths = sorted(folder.glob("*.eml"), key=lambda p: p.stat().st_mtime, reverse=True)
    return [m for p in paths[:SHOWN] if (m := _read(p.name)) is not None]


def outbox_counts() -> dict[str, int]:
    counts = dict(Mail.objects.values_list("state").annotate(n=Count("pk")).order_by())
    return {state.value: counts.get(state.value, 0) for state in Mail.State}


def uses_folder() -> bool:
    return smtp_server() is None
