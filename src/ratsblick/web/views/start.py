"""The start page, and what is said to robots."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse

from ratsblick.reader.start import start_page
from ratsblick.web.caching import cached_page


@cached_page
def index(request: HttpRequest) -> HttpResponse:
    return render(request, "web/index.html", {"page": start_page()})


def robots(request: HttpRequest) -> HttpResponse:
    """Everything may be read but the endless search result pages and the copies."""
    sitemap = request.build_absolute_uri(reverse("web:sitemap"))
    lines = [
        "User-agent: *",
        "Disallow: /suche/",
        "Disallow: /datei/*/kopie/",
        f"Sitemap: {sitemap}",
    ]
    return HttpResponse("\n".join(lines) + "\n", content_type="text/plain; charset=utf-8")
