from django.urls import URLPattern, URLResolver, re_path

from ratsblick.dumps import views

app_name = "dumps"
urlpatterns: list[URLPattern | URLResolver] = [
    re_path(r"^$", views.index, name="page"),
    re_path(r"^(?P<name>[a-z0-9-]{1,60}\.jsonl\.gz)$", views.download, name="download"),
]
