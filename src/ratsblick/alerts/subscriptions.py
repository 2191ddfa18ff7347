"""Subscribing, confirming, changing and ending alerts: the rules, apart from the views.

The answers never depend on whether an address is known: subscribing
always creates a pending subscription and (within the address's limit)
sends a confirmation; an address that follows the same thing already gets
the same mail, and confirming merges the two.
"""

from __future__ import annotations

from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from ratsblick.alerts import limits, mails, tokens
from ratsblick.alerts.models import Mail, SeenKey, Subscriber, Subscription, Token
from ratsblick.alerts.outbox import deliver
from ratsblick.alerts.transport import configured_transport
from ratsblick.reader import alerts as news
from ratsblick.reader.alerts import News

FOLLOW_KINDS = {
    "vorlage": Subscription.Kind.PAPER,
    "gremium": Subscription.Kind.ORGANIZATION,
    "person": Subscription.Kind.PERSON,
}
"""The kinds in the URL (German) and what they are."""


def normalised(email: str) -> str:
    return email.strip().lower()


def events_of(subscription: Subscription) -> tuple[News, ...]:
    """What the subscription watches now; NotFound when its object is gone,
    IndexMissing for a search without an index."""
    kind, target = subscription.kind, subscription.target or 0
    if kind == Subscription.Kind.SEARCH:
        return news.search_matches([(k, v) for k, v in subscription.query])
    if kind == Subscription.Kind.PAPER:
        return news.paper_events(target)
    if kind == Subscription.Kind.ORGANIZATION:
        return news.organization_events(target)
    return news.person_events(target)


def target_path(subscription: Subscription) -> str:
    """The page of what the subscription follows (a search: its result page)."""
    if subscription.kind == Subscription.Kind.SEARCH:
        return news.search_path([(k, v) for k, v in subscription.query])
    return reverse(news.PAGE_NAMES[subscription.kind], args=[subscription.target])


def _send_now(mail: Mail | None) -> None:
    """Deliver a mail the person waits for right away; when that fails it stays in the
    outbox for the next sending round."""
    if mail is not None:
        deliver(configured_transport(), only=[mail.pk])


def subscribe(
    email: str,
    frequency: str,
    *,
    kind: Subscription.Kind,
    label: str,
    target: int | None = None,
    query: list[tuple[str, str]] | None = None,
) -> None:
    """A pending subscription whose current matches count as seen, and its confirmation."""
    email = normalised(email)
    now = timezone.now()
    pending = Subscription(
        kind=kind,
        target=target,
        query=[list(pair) for pair in query or []],
        label=label,
        frequency=frequency,
        created_at=now,
    )
    seen = {event.key for event in events_of(pending)}
    may_mail = limits.address_allowed(email)
    with transaction.atomic():
        subscriber, _ = Subscriber.objects.get_or_create(email=email, defaults={"created_at": now})
        pending.subscriber = subscriber
        pending.save()
        SeenKey.objects.bulk_create(
            SeenKey(subscription=pending, key=key, first_seen=now) for key in seen
        )
        mail = mails.confirmation(pending, target_path(pending)) if may_mail else None
    _send_now(mail)


def _same(subscription: Subscription) -> Subscription | None:
    return (
        Subscription.objects.filter(
            subscriber=subscription.subscriber_id,
            kind=subscription.kind,
            target=subscription.target,
            query=subscription.query,
            state=Subscription.State.ACTIVE,
        )
        .exclude(pk=subscription.pk)
        .first()
    )


def confirm(raw_token: str) -> str | None:
    """Activate the subscription of a confirmation link (once); a manage token for the
    address, or None for a link that is no (longer) valid."""
    token = tokens.find(raw_token, Token.Purpose.CONFIRM)
    if token is None or token.subscription is None:
        return None
    with transaction.atomic():
        subscription = token.subscription
        existing = _same(subscription)
        if existing is not None:
            existing.frequency = subscription.frequency
            existing.save(update_fields=["frequency"])
            subscription.delete()
        else:
            now = timezone.now()
            subscription.state = Subscription.State.ACTIVE
            subscription.confirmed_at = subscription.checked_at = now
            subscription.save(update_fields=["state", "confirmed_at", "checked_at"])
        token.delete()
        return tokens.issue(token.subscriber, Token.Purpose.MANAGE)


def manageable(raw_token: str) -> Subscriber | None:
    token = tokens.find(raw_token, Token.Purpose.MANAGE)
    return token.subscriber if token else None


def active(subscriber: Subscriber) -> list[Subscription]:
    return list(
        subscriber.subscriptions.filter(state=Subscription.State.ACTIVE).order_by("created_at")
    )


def end(subscriber: Subscriber, pk: int | None = None) -> int:
    """End one subscription of the address (`pk`), or all; how many ended."""
    chosen = subscriber.subscriptions.exclude(state=Subscription.State.ENDED)
    if pk is not None:
        chosen = chosen.filter(pk=pk)
    return chosen.update(state=Subscription.State.ENDED)


def change_frequency(subscriber: Subscriber, pk: int, frequency: str) -> bool:
    if frequency not in Subscription.Frequency.values:
        return False
    return bool(
        subscriber.subscriptions.filter(pk=pk, state=Subscription.State.ACTIVE).update(
            frequency=frequency
        )
    )


def send_manage_link(email: str) -> None:
    """The manage link, to an address with confirmed alerts only; the caller answers
    the same either way."""
    email = normalised(email)
    if not limits.address_allowed(email):
        return
    with transaction.atomic():
        subscriber = Subscriber.objects.filter(
            email=email, subscriptions__state=Subscription.State.ACTIVE
        ).first()
        mail = mails.manage_link(subscriber) if subscriber else None
    _send_now(mail)
