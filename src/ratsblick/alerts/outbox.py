"""Delivering the outbox: each mail claimed, sent and marked on its own.

A mail is written whole (`Mail`) in the transaction that decides to send it
(the one that advances a subscription's seen keys, or that creates a
subscription), so a crash before that commit sends nothing and reports the
news next time, and a crash after it leaves the mail in the outbox.

Claiming is a conditional update (`pending` → `sending`, committed before
the SMTP dialogue), so two senders never take the same mail; marking it
`sent` follows the server's acceptance. A crash between claim and mark
leaves the mail `sending`; after RATSBLICK_MAIL_CLAIM_SECONDS it is sent
again. That is right when the crash came before the server accepted the
mail. The one window in which a mail can go out twice is the time from the
server's final "250" to our commit of the mark (a round trip and one
UPDATE); the repeat carries the same Message-ID, by which mail clients and
the folder transport (one file per Message-ID) drop it.
"""

from __future__ import annotations

import logging
import smtplib
from dataclasses import dataclass, field
from datetime import timedelta

from django.db.models import F
from django.utils import timezone

from ratsblick import config
from ratsblick.alerts.models import Mail
from ratsblick.alerts.transport import PERMANENT, Transport

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 8
"""Attempts before a mail that keeps failing is given up (`failed`, on the operator page)."""


@dataclass
class Delivery:
    sent: int = 0
    failed: int = 0
    retried: int = 0  # claims of an earlier run that never ended, taken back
    errors: list[str] = field(default_factory=list)


def recover_stale() -> int:
    """Put mails claimed longer ago than the claim time back into the queue."""
    stale = timezone.now() - timedelta(seconds=config.MAIL_CLAIM_SECONDS.get())
    return Mail.objects.filter(state=Mail.State.SENDING, claimed_at__lt=stale).update(
        state=Mail.State.PENDING
    )


def _claim(pk: int) -> Mail | None:
    claimed = Mail.objects.filter(pk=pk, state=Mail.State.PENDING).update(
        state=Mail.State.SENDING, claimed_at=timezone.now(), attempts=F("attempts") + 1
    )
    return Mail.objects.get(pk=pk) if claimed else None


def deliver(transport: Transport, only: list[int] | None = None) -> Delivery:
    """Send what waits in the outbox (or the mails `only`), oldest first.

    A server that cannot be reached ends the run (the rest waits for the
    next); a mail the server refuses for good is marked failed.
    """
    report = Delivery(retried=recover_stale())
    waiting = Mail.objects.filter(state=Mail.State.PENDING).order_by("created_at", "pk")
    if only is not None:
        waiting = waiting.filter(pk__in=only)
    sender = config.MAIL_FROM.get()
    try:
        for pk in list(waiting.values_list("pk", flat=True)):
            mail = _claim(pk)
            if mail is None:
                continue  # another sender took it
            try:
                transport.send(sender, mail.recipient, mail.message.encode(), mail.message_id)
            except (smtplib.SMTPException, OSError) as exc:
                given_up = isinstance(exc, PERMANENT) or mail.attempts >= MAX_ATTEMPTS
                state = Mail.State.FAILED if given_up else Mail.State.PENDING
                Mail.objects.filter(pk=pk).update(state=state, error=f"{type(exc).__name__}: {exc}")
                report.failed += given_up
                report.errors.append(f"{mail.message_id}: {exc}")
                log.warning("mail %s not sent: %s", mail.message_id, exc)
                if not isinstance(exc, PERMANENT):
                    break  # the server is away: later mails would fail alike
                continue
            Mail.objects.filter(pk=pk).update(
                state=Mail.State.SENT, sent_at=timezone.now(), message="", error=""
            )
            report.sent += 1
    finally:
        transport.close()
    return report
