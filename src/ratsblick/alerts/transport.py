"""Where mails go: an SMTP server, or (no server configured) a folder in RATSBLICK_HOME.

The folder is what `make demo` uses: one `.eml` file per mail, named by its
Message-ID and written under a temporary name first, so that sending a mail
again replaces its file instead of adding a second one.
"""

from __future__ import annotations

import os
import re
import smtplib
import ssl
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Protocol
from urllib.parse import unquote, urlsplit

from django.conf import settings

from ratsblick import config

PERMANENT = (smtplib.SMTPRecipientsRefused, smtplib.SMTPSenderRefused, smtplib.SMTPDataError)
"""Answers after which sending the same mail again would fail again (a 5xx reply)."""


class Transport(Protocol):
    def send(self, sender: str, recipient: str, message: bytes, message_id: str) -> None: ...

    def close(self) -> None: ...


def mail_folder() -> Path:
    return Path(settings.HOME) / "mail"


def _file_name(message_id: str) -> str:
    return re.sub(r"[^A-Za-z0-9.@_-]", "", message_id) + ".eml"


class FolderTransport:
    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def send(self, sender: str, recipient: str, message: bytes, message_id: str) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        path = self.folder / _file_name(message_id)
        draft = path.with_name(f".{path.name}.{os.getpid()}")
        draft.write_bytes(message)
        os.replace(draft, path)

    def close(self) -> None:
        pass


@dataclass(frozen=True)
class SmtpServer:
    host: str
    port: int
    user: str
    password: str
    tls: str  # none, starttls, ssl
    timeout: float


def smtp_server() -> SmtpServer | None:
    """The configured server: RATSBLICK_SMTP_URL, else the SMTP_* parts; None for neither."""
    url = config.SMTP_URL.get()
    timeout = config.SMTP_TIMEOUT.get()
    if url:
        parts = urlsplit(url)
        if parts.scheme not in ("smtp", "smtps") or not parts.hostname:
            raise ValueError(f"RATSBLICK_SMTP_URL: expected smtp://… or smtps://…, got {url!r}")
        tls = "ssl" if parts.scheme == "smtps" else config.SMTP_TLS.get()
        return SmtpServer(
            parts.hostname,
            parts.port or (465 if tls == "ssl" else 587),
            unquote(parts.username or ""),
            unquote(parts.password or ""),
            tls,
            timeout,
        )
    host = config.SMTP_HOST.get()
    if not host:
        return None
    return SmtpServer(
        host,
        config.SMTP_PORT.get(),
        config.SMTP_USER.get(),
        config.SMTP_PASSWORD.get(),
        config.SMTP_TLS.get(),
        timeout,
    )


class SmtpTransport:
    """One connection for a run of mails, opened on the first."""

    def __init__(self, server: SmtpServer) -> None:
        self.server = server
        self._smtp: smtplib.SMTP | None = None

    def _connect(self) -> smtplib.SMTP:
        s = self.server
        context = ssl.create_default_context()
        smtp: smtplib.SMTP
        if s.tls == "ssl":
            smtp = smtplib.SMTP_SSL(s.host, s.port, timeout=s.timeout, context=context)
        else:
            smtp = smtplib.SMTP(s.host, s.port, timeout=s.timeout)
            if s.tls == "starttls":
                smtp.starttls(context=context)
        if s.user:
            smtp.login(s.user, s.password)
        return smtp

    def send(self, sender: str, recipient: str, message: bytes, message_id: str) -> None:
        if self._smtp is None:
            self._smtp = self._connect()
        self._smtp.sendmail(sender, [recipient], message)

    def close(self) -> None:
        if self._smtp is not None:
            try:
                self._smtp.quit()
            except (smtplib.SMTPException, OSError):
                self._smtp.close()
            self._smtp = None

    def __enter__(self) -> SmtpTransport:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()


def configured_transport() -> Transport:
    server = smtp_server()
    return SmtpTransport(server) if server else FolderTransport(mail_folder())
