from django.apps import AppConfig


class FilesConfig(AppConfig):
    name = "ratsblick.files"
    verbose_name = "Dateien"
