"""The alert mails' section of the operator page (`{% alert_mails %}`)."""

from __future__ import annotations

from typing import Any

from django import template

from ratsblick.alerts import mailbox

register = template.Library()


@register.inclusion_tag("alerts/ops_mails.html")
def alert_mails() -> dict[str, Any]:
    folder = mailbox.uses_folder()
    return {
        "outbox": mailbox.outbox_counts(),
        "folder": folder,
        "mails": mailbox.recent() if folder else [],
    }
