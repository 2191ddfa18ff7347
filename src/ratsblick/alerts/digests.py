"""Finding the news of every subscription that is due, and writing its mail.

The news of a subscription are the keys it has not seen (`reader.alerts`).
They are marked seen in the same transaction that writes the mail into the
outbox: either both happen or neither, so no news is reported twice and
none is lost. The subscription's row is locked meanwhile (PostgreSQL; SQLite
has one writer anyway), so two rounds at once cannot both report it.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import timedelta

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from ratsblick.alerts import mails
from ratsblick.alerts.models import SeenKey, Subscription
from ratsblick.alerts.subscriptions import events_of, target_path
from ratsblick.reader import NotFound
from ratsblick.reader import alerts as news
from ratsblick.reader.alerts import News
from ratsblick.search import IndexMissing

log = logging.getLogger(__name__)

PERIODS = {
    Subscription.Frequency.IMMEDIATELY: timedelta(0),
    Subscription.Frequency.DAILY: timedelta(days=1),
    Subscription.Frequency.WEEKLY: timedelta(days=7),
}
SLACK = timedelta(minutes=15)
"""A daily look is due a little before the full day, so that a round that ran a
few minutes late does not push every later one back by a round."""


@dataclass
class Composed:
    checked: int = 0
    mails: int = 0
    skipped: int = 0  # its object is gone, or no index yet


def _due() -> list[Subscription]:
    now = timezone.now()
    due = Q(checked_at__isnull=True)
    for frequency, period in PERIODS.items():
        slack = SLACK if period else timedelta(0)
        due |= Q(frequency=frequency, checked_at__lte=now - period + slack)
    return list(
        Subscription.objects.filter(due, state=Subscription.State.ACTIVE)
        .select_related("subscriber")
        .order_by("pk")
    )


def _seen(subscription: Subscription) -> set[str]:
    return set(SeenKey.objects.filter(subscription=subscription).values_list("key", flat=True))


def compose_due() -> Composed:
    report = Composed()
    for subscription in _due():
        try:
            events = events_of(subscription)
        except (NotFound, IndexMissing) as exc:
            log.info("subscription %s skipped: %r", subscription.pk, exc)
            report.skipped += 1
            continue
        snippets = _snippets(subscription, news.reported(events, _seen(subscription)))
        report.mails += _record(subscription, events, snippets)
        report.checked += 1
    return report


def _snippets(subscription: Subscription, candidates: list[News]) -> dict[str, News]:
    """The candidates of a search with their snippets (one more search, outside the
    transaction that follows)."""
    if subscription.kind != Subscription.Kind.SEARCH or not candidates:
        return {}
    pairs = [(k, v) for k, v in subscription.query]
    return {item.key: item for item in news.with_snippets(pairs, candidates)}


def _record(subscription: Subscription, events: tuple[News, ...], snippets: dict[str, News]) -> int:
    """Mark what is new as seen and write the mail reporting it, in one transaction;
    1 when a mail was written."""
    now = timezone.now()
    with transaction.atomic():
        locked = (
            Subscription.objects.select_for_update()
            .select_related("subscriber")
            .filter(pk=subscription.pk, state=Subscription.State.ACTIVE)
            .first()
        )
        if locked is None:
            return 0  # ended meanwhile
        seen = _seen(locked)
        reported = [snippets.get(item.key, item) for item in news.reported(events, seen)]
        SeenKey.objects.bulk_create(
            SeenKey(subscription=locked, key=key, first_seen=now)
            for key in {e.key for e in events} - seen
        )
        locked.checked_at = now
        locked.save(update_fields=["checked_at"])
        if not reported:
            return 0
        mails.digest(locked, target_path(locked), reported)
        return 1
