"""A paper (Vorlage)."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from ratsblick.reader import NotFound
from ratsblick.reader.papers import paper_page
from ratsblick.web.caching import cached_page


@cached_page
def paper_detail(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        page = paper_page(pk)
    except NotFound as missing:
        raise Http404("Diese Vorlage gibt es hier nicht.") from missing
    return render(request, "web/paper.html", {"page": page})
