"""`ratsblick send-alerts`: one round of alert mails now (what the pipeline runs after
each sync round, or Celery beat every RATSBLICK_ALERTS_INTERVAL_SECONDS)."""

from __future__ import annotations

from typing import Any

from ratsblick.alerts.sending import send_alerts
from ratsblick.council.commandline import RatsblickCommand


class Command(RatsblickCommand):
    help = "Write the due alert digests and deliver the mail outbox."

    def handle(self, *args: Any, **options: Any) -> None:
        report = send_alerts()
        composed, delivery = report.composed, report.delivery
        self.stdout.write(
            f"{composed.checked} Benachrichtigungen geprüft, {composed.mails} E-Mails geschrieben, "
            f"{delivery.sent} gesendet, {delivery.failed} aufgegeben."
        )
        for error in delivery.errors:
            self.stderr.write(error)
