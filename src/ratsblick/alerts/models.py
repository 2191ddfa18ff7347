"""Subscriptions by e-mail, without accounts: an address, what it follows, and the mails.

Tokens are stored as SHA-256 digests only: a leaked database lets nobody
confirm, manage or end someone's alerts.
"""

from __future__ import annotations

from django.db import models


class Subscriber(models.Model):
    """An e-mail address (normalised: trimmed, lower case) that asked for alerts."""

    email = models.CharField(max_length=254, unique=True)
    created_at = models.DateTimeField()

    def __str__(self) -> str:
        return self.email


class Subscription(models.Model):
    """One thing an address follows, at one frequency; mailed as its own list."""

    class Kind(models.TextChoices):
        SEARCH = "search", "Suche"
        PAPER = "paper", "Vorlage"
        ORGANIZATION = "organization", "Gremium"
        PERSON = "person", "Person"

    class Frequency(models.TextChoices):
        IMMEDIATELY = "immediately", "sofort"
        DAILY = "daily", "täglich"
        WEEKLY = "weekly", "wöchentlich"

    class State(models.TextChoices):
        PENDING = "pending", "unbestätigt"
        ACTIVE = "active", "aktiv"
        ENDED = "ended", "abbestellt"

    subscriber = models.ForeignKey(
        Subscriber, on_delete=models.CASCADE, related_name="subscriptions"
    )
    kind = models.CharField(max_length=16, choices=Kind.choices)
    target = models.BigIntegerField(null=True, blank=True)  # the paper, organization or person
    query = models.JSONField(default=list, blank=True)  # a search: its URL parameters as pairs
    label = models.TextField()
    frequency = models.CharField(max_length=16, choices=Frequency.choices)
    state = models.CharField(max_length=8, choices=State.choices, default=State.PENDING)
    created_at = models.DateTimeField()
    confirmed_at = models.DateTimeField(null=True, blank=True)
    checked_at = models.DateTimeField(null=True, blank=True)  # last look for news (a mail due)

    class Meta:
        indexes = (models.Index(fields=("state", "frequency")),)

    def __str__(self) -> str:
        return f"{self.kind} {self.label} ({self.frequency})"


class SeenKey(models.Model):
    """Something a subscription has seen: a match ("paper:12") or an event of what it
    follows ("result:7:…"). A key not seen before is news; it is written in the same
    transaction as the mail that reports it, so that news is reported exactly once."""

    subscription = models.ForeignKey(Subscription, on_delete=models.CASCADE, related_name="seen")
    key = models.CharField(max_length=200)
    first_seen = models.DateTimeField()

    class Meta:
        constraints = (
            models.UniqueConstraint(fields=("subscription", "key"), name="alerts_seen_once"),
        )

    def __str__(self) -> str:
        return self.key


class Token(models.Model):
    """A secret in a link of one mail: confirm one subscription, or manage the address."""

    class Purpose(models.TextChoices):
        CONFIRM = "confirm"
        MANAGE = "manage"

    subscriber = models.ForeignKey(Subscriber, on_delete=models.CASCADE, related_name="tokens")
    subscription = models.ForeignKey(
        Subscription, on_delete=models.CASCADE, null=True, blank=True, related_name="tokens"
    )
    purpose = models.CharField(max_length=8, choices=Purpose.choices)
    digest = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.purpose} token of {self.subscriber}"


class Mail(models.Model):
    """The outbox: a mail written whole in the transaction that decided to send it,
    then claimed, sent and marked one by one (`outbox`)."""

    class State(models.TextChoices):
        PENDING = "pending"
        SENDING = "sending"
        SENT = "sent"
        FAILED = "failed"

    message_id = models.CharField(max_length=200, unique=True)
    recipient = models.CharField(max_length=254)
    subject = models.TextField()
    message = models.TextField()  # RFC 5322, as sent; emptied once sent (it holds tokens)
    state = models.CharField(max_length=8, choices=State.choices, default=State.PENDING)
    created_at = models.DateTimeField()
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    error = models.TextField(blank=True)

    class Meta:
        indexes = (models.Index(fields=("state", "created_at")),)

    def __str__(self) -> str:
        return f"{self.recipient}: {self.subject} ({self.state})"
