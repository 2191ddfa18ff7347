"""The sitemap: every body, paper, meeting and file page, in sections of 50,000."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from django.contrib.sitemaps import Sitemap
from django.db import models
from django.urls import reverse

from ratsblick.council.models import Body, File, Meeting, OParlObject, Paper

if TYPE_CHECKING:
    _Sitemap = Sitemap[OParlObject]
else:
    _Sitemap = Sitemap  # generic in the stubs only


class _Pages(_Sitemap):
    model: type[OParlObject]
    url_name: str

    def items(self) -> models.QuerySet[OParlObject]:
        rows = self.model.objects.live().filter(body__subscribed=True)
        return rows.order_by("pk").only("pk", "modified")

    def location(self, item: OParlObject) -> str:
        return reverse(self.url_name, args=[item.pk])

    def lastmod(self, item: OParlObject) -> datetime | None:
        return item.modified

    def get_latest_lastmod(self) -> datetime | None:
        """One aggregate (Django would call `lastmod` on every row of the section)."""
        latest: datetime | None = self.items().aggregate(at=models.Max("modified"))["at"]
        return latest


class BodyPages(_Pages):
    model, url_name = Body, "web:body"

    def items(self) -> models.QuerySet[OParlObject]:
        return Body.objects.filter(subscribed=True).order_by("pk").only("pk", "modified")


class PaperPages(_Pages):
    model, url_name = Paper, "web:paper"


class MeetingPages(_Pages):
    model, url_name = Meeting, "web:meeting"


class FilePages(_Pages):
    model, url_name = File, "web:file"


SITEMAPS = {
    "kommunen": BodyPages,
    "vorlagen": PaperPages,
    "sitzungen": MeetingPages,
    "dateien": FilePages,
}
