from django.apps import AppConfig


class AlertsConfig(AppConfig):
    name = "ratsblick.alerts"
    verbose_name = "Alerts"
