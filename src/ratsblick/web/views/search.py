"""The search page."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from ratsblick.reader.search import search_page
from ratsblick.search import IndexMissing
from ratsblick.web.caching import cached_page


@cached_page
def search(request: HttpRequest) -> HttpResponse:
    try:
        page = search_page(request.GET)
    except IndexMissing:
        return render(
            request,
            "web/search.html",
            {"q": request.GET.get("q", "")[:500], "page": None},
            status=503,
        )
    return render(request, "web/search.html", {"page": page, "q": page.q})
