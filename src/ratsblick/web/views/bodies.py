"""A body (Kommune) and its lists."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse, HttpResponsePermanentRedirect
from django.shortcuts import render
from django.urls import reverse

from ratsblick.reader import NotFound
from ratsblick.reader.bodies import Positions, body_page
from ratsblick.web.caching import cached_page

# Each list's position in the query string; a link moving one keeps the others.
PARAMS = {"papers": "vorlagen", "upcoming": "kommende", "past": "vergangene"}


@cached_page
def body_detail(request: HttpRequest, pk: int) -> HttpResponse:
    at = Positions(**{name: request.GET.get(param) for name, param in PARAMS.items()})
    try:
        page = body_page(pk, at)
    except NotFound as missing:
        raise Http404("Diese Kommune gibt es hier nicht.") from missing
    return render(request, "web/body.html", {"page": page, "params": PARAMS})


def old_body_url(request: HttpRequest, pk: int) -> HttpResponse:
    """`/body/<pk>/` was the first address of a body's page: links to it keep working."""
    target = reverse("web:body", args=[pk])
    query = request.GET.urlencode()
    return HttpResponsePermanentRedirect(f"{target}?{query}" if query else target)
