from django.urls import URLPattern, URLResolver, path

from ratsblick.api import docs
from ratsblick.api.v1 import api

app_name = "api"
urlpatterns: list[URLPattern | URLResolver] = [
    # Before the API's own patterns: its root would answer otherwise.
    path("v1/", docs.docs_page, name="docs"),
    path("v1/", api.urls),
]
