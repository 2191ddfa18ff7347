"""The pipeline step: write the due digests into the outbox, then deliver the outbox."""

from __future__ import annotations

from dataclasses import dataclass

from ratsblick.alerts import retention
from ratsblick.alerts.digests import Composed, compose_due
from ratsblick.alerts.outbox import Delivery, deliver
from ratsblick.alerts.transport import configured_transport


@dataclass(frozen=True)
class SendReport:
    composed: Composed
    delivery: Delivery


def send_alerts() -> SendReport:
    """Idempotent: a second run right after finds nothing new and nothing waiting."""
    retention.purge()
    composed = compose_due()
    return SendReport(composed, deliver(configured_transport()))
