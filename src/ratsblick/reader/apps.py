from django.apps import AppConfig


class ReaderConfig(AppConfig):
    name = "ratsblick.reader"
    verbose_name = "Read layer"
