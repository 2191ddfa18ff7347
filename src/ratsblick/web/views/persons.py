"""A person."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from ratsblick.reader import NotFound
from ratsblick.reader.persons import person_page
from ratsblick.web.caching import cached_page

PAPERS = "vorlagen"


@cached_page
def person_detail(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        page = person_page(pk, request.GET.get(PAPERS))
    except NotFound as missing:
        raise Http404("Diese Person gibt es hier nicht.") from missing
    return render(request, "web/person.html", {"page": page, "papers_param": PAPERS})
