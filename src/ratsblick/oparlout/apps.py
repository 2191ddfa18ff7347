from django.apps import AppConfig


class OParlOutConfig(AppConfig):
    name = "ratsblick.oparlout"
    verbose_name = "OParl 1.1 re-publication"
