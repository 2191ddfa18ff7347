from django.urls import path, register_converter

from ratsblick.web.views import bodies, files, search, start


class RowId:
    """A primary key in a URL: at most 18 digits, so it always fits a bigint
    (a longer number is a 404, not a database overflow)."""

    regex = "[0-9]{1,18}"

    def to_python(self, value: str) -> int:
        return int(value)

    def to_url(self, value: int) -> str:
        return str(value)


register_converter(RowId, "pk")

app_name = "web"
urlpatterns = [
    path("", start.index, name="index"),
    path("body/<pk:pk>/", bodies.body_detail, name="body"),
    path("datei/<pk:pk>/", files.file_detail, name="file"),
    path("suche/", search.search, name="search"),
]
