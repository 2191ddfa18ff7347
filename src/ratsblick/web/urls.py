from django.contrib.sitemaps import views as sitemap_views
from django.urls import path, register_converter

from ratsblick.web.sitemaps import SITEMAPS
from ratsblick.web.views import (
    bodies,
    calendar,
    changes,
    files,
    meetings,
    organizations,
    papers,
    persons,
    search,
    start,
)


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
    path("kommune/<pk:pk>/", bodies.body_detail, name="body"),
    path("body/<pk:pk>/", bodies.old_body_url),
    path("datei/<pk:pk>/", files.file_detail, name="file"),
    path("datei/<pk:pk>/kopie/", files.file_copy, name="file_copy"),
    path("datei/<pk:pk>/aenderungen/", changes.file_changes_view, name="file_changes"),
    path("robots.txt", start.robots, name="robots"),
    path(
        "sitemap.xml",
        sitemap_views.index,
        {
            "sitemaps": SITEMAPS,
            "sitemap_url_name": "web:sitemap_section",
            "template_name": "web/sitemap_index.xml",
        },
        name="sitemap",
    ),
    path(
        "sitemap-<section>.xml",
        sitemap_views.sitemap,
        {"sitemaps": SITEMAPS, "template_name": "web/sitemap.xml"},
        name="sitemap_section",
    ),
    path("vorlage/<pk:pk>/", papers.paper_detail, name="paper"),
    path("vorlage/<pk:pk>/aenderungen/", changes.paper_changes_view, name="paper_changes"),
    path("sitzung/<pk:pk>/", meetings.meeting_detail, name="meeting"),
    path("sitzung/<pk:pk>/aenderungen/", changes.meeting_changes_view, name="meeting_changes"),
    path("sitzung/<pk:pk>.ics", meetings.meeting_ical, name="meeting_ical"),
    path("gremium/<pk:pk>/", organizations.organization_detail, name="organization"),
    path("person/<pk:pk>/", persons.person_detail, name="person"),
    path("kalender/", calendar.calendar_page, name="calendar"),
    path("kalender.ics", calendar.calendar_ical, name="calendar_ical"),
    path("suche/", search.search, name="search"),
]
