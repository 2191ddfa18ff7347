"""What alerts keep, and for how long: nothing about an address that wants no mail.

Run with every sending round: expired tokens go, a subscription never
confirmed goes after the confirmation time, an ended one at once (with its
seen keys), an address with no subscription left with it, and the outbox's
record of a sent or abandoned mail (recipient, subject) after `MAIL_DAYS`.
"""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from ratsblick.alerts.models import Mail, Subscriber, Subscription, Token
from ratsblick.alerts.tokens import valid_since

MAIL_DAYS = 30


def purge() -> int:
    """Delete what is no longer needed; how many rows went (cascades not counted)."""
    removed = 0
    for purpose in Token.Purpose:
        removed += Token.objects.filter(
            purpose=purpose, created_at__lt=valid_since(purpose)
        ).delete()[0]
    unconfirmed = Subscription.objects.filter(
        state=Subscription.State.PENDING, created_at__lt=valid_since(Token.Purpose.CONFIRM)
    )
    removed += unconfirmed.delete()[0]
    removed += Subscription.objects.filter(state=Subscription.State.ENDED).delete()[0]
    removed += Subscriber.objects.filter(subscriptions__isnull=True).delete()[0]
    done = (Mail.State.SENT, Mail.State.FAILED)
    old = timezone.now() - timedelta(days=MAIL_DAYS)
    removed += Mail.objects.filter(state__in=done, created_at__lt=old).delete()[0]
    return removed
