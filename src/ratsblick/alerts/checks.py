"""`ratsblick check` (and every start) names a mail setting that cannot work."""

from __future__ import annotations

from typing import Any

from django.core.checks import CheckMessage, Error

from ratsblick import config
from ratsblick.alerts.transport import smtp_server


def mail_settings(**kwargs: Any) -> list[CheckMessage]:
    errors: list[CheckMessage] = []
    try:
        smtp_server()
    except ValueError as exc:
        errors.append(Error(str(exc), id="ratsblick.alerts.E001"))
    base = config.BASE_URL.get()
    if not base.startswith(("http://", "https://")):
        errors.append(
            Error(
                f"RATSBLICK_BASE_URL: expected http://… or https://…, got {base!r}",
                hint="The links in alert mails start with it.",
                id="ratsblick.alerts.E002",
            )
        )
    return errors
