from django.apps import AppConfig


class FeedsConfig(AppConfig):
    name = "ratsblick.feeds"
    verbose_name = "Atom feeds"
