"""A person."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from ratsblick.reader import shown
from ratsblick.reader.persons import person_page
from ratsblick.web.caching import cached_page

PAPERS = "vorlagen"


@cached_page
def person_detail(request: HttpRequest, pk: int) -> HttpResponse:
    with shown("Diese Person gibt es hier nicht."):
        page = person_page(pk, request.GET.get(PAPERS))
    return render(request, "web/person.html", {"page": page, "papers_param": PAPERS})
