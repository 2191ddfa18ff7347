from django.apps import AppConfig


class CouncilConfig(AppConfig):
    name = "ratsblick.council"
    verbose_name = "Ratsinformation"
