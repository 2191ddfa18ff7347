"""A body (Kommune) and its lists."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, HttpResponsePermanentRedirect
from django.shortcuts import render
from django.urls import reverse

from ratsblick.reader import shown
from ratsblick.reader.bodies import Positions, body_page
from ratsblick.web.caching import cached_page
from ratsblick.web.views import positions

# Each list's position in the query string; a link moving one keeps the others.
PARAMS = {"papers": "vorlagen", "upcoming": "kommende", "past": "vergangene"}


@cached_page
def body_detail(request: HttpRequest, pk: int) -> HttpResponse:
    with shown("Diese Kommune gibt es hier nicht."):
        page = body_page(pk, Positions(**positions(request, PARAMS)))
    return render(request, "web/body.html", {"page": page, "params": PARAMS})


def old_body_url(request: HttpRequest, pk: int) -> HttpResponse:
    """`/body/<pk>/` was the first address of a body's page: links to it keep working."""
    target = reverse("web:body", args=[pk])
    query = request.GET.urlencode()
    return HttpResponsePermanentRedirect(f"{target}?{query}" if query else target)
