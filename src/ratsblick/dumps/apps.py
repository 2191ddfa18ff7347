from django.apps import AppConfig


class DumpsConfig(AppConfig):
    name = "ratsblick.dumps"
    verbose_name = "Bulk dumps"
