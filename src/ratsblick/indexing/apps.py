from django.apps import AppConfig


class IndexingConfig(AppConfig):
    name = "ratsblick.indexing"
    verbose_name = "Suchindex"
