from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "ratsblick.api"
    verbose_name = "JSON API"
