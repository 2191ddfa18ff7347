from django.apps import AppConfig
from django.core import checks

from ratsblick.alerts.checks import mail_settings


class AlertsConfig(AppConfig):
    name = "ratsblick.alerts"
    verbose_name = "Alerts"

    def ready(self) -> None:
        checks.register(mail_settings)
