from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "ratsblick.web"
    verbose_name = "Web"
