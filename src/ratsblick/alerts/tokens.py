"""Secrets in links: 32 random bytes each, stored only as their SHA-256 digest."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from django.utils import timezone

from ratsblick.alerts.models import Subscriber, Subscription, Token

CONFIRM_DAYS = 7
"""A confirmation link works this long; an unconfirmed subscription is then removed."""
MANAGE_DAYS = 400
"""A manage or unsubscribe link works this long (longer than a year of weekly mails)."""


def _digest(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def issue(
    subscriber: Subscriber, purpose: Token.Purpose, subscription: Subscription | None = None
) -> str:
    """A new token for a link; only its digest is kept."""
    raw = secrets.token_urlsafe(32)
    Token.objects.create(
        subscriber=subscriber,
        subscription=subscription,
        purpose=purpose,
        digest=_digest(raw),
        created_at=timezone.now(),
    )
    return raw


def valid_since(purpose: Token.Purpose) -> datetime:
    days = CONFIRM_DAYS if purpose == Token.Purpose.CONFIRM else MANAGE_DAYS
    return timezone.now() - timedelta(days=days)


def find(raw: str, purpose: Token.Purpose) -> Token | None:
    """The token a link carries, when it is one of `purpose` and still valid."""
    if not raw or len(raw) > 100:
        return None
    return (
        Token.objects.select_related("subscriber", "subscription")
        .filter(digest=_digest(raw), purpose=purpose, created_at__gte=valid_since(purpose))
        .first()
    )
