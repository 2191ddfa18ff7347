from django.apps import AppConfig


class HistoryConfig(AppConfig):
    name = "ratsblick.history"
    verbose_name = "History of changes"
