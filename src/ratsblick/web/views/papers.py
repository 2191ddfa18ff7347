"""A paper (Vorlage)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from ratsblick.reader import shown
from ratsblick.reader.papers import paper_page
from ratsblick.web.caching import cached_page


@cached_page
def paper_detail(request: HttpRequest, pk: int) -> HttpResponse:
    with shown("Diese Vorlage gibt es hier nicht."):
        page = paper_page(pk)
    return render(request, "web/paper.html", {"page": page})
