from django.urls import URLPattern, URLResolver, path, re_path

from ratsblick.feeds import views
from ratsblick.feeds.changes import BodyChangesFeed

# Row ids of at most 18 digits, so that they always fit a bigint (as the pages' URLs).
PK = r"(?P<pk>[0-9]{1,18})"

app_name = "feeds"
urlpatterns: list[URLPattern | URLResolver] = [
    path("suche/feed.atom", views.search, name="search"),
    re_path(rf"^kommune/{PK}/feed\.atom$", views.body, name="body"),
    re_path(rf"^kommune/{PK}/aenderungen\.atom$", BodyChangesFeed(), name="body_changes"),
    re_path(rf"^gremium/{PK}/feed\.atom$", views.organization, name="organization"),
    re_path(rf"^vorlage/{PK}/feed\.atom$", views.paper, name="paper"),
]
