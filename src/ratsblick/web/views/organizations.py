"""An organization (Gremium)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from ratsblick.reader import shown
from ratsblick.reader.organizations import Positions, organization_page
from ratsblick.web.caching import cached_page
from ratsblick.web.views import positions

# Each list's position in the query string; a link moving one keeps the others.
PARAMS = {"upcoming": "kommende", "past": "vergangene", "papers": "vorlagen"}


@cached_page
def organization_detail(request: HttpRequest, pk: int) -> HttpResponse:
    with shown("Dieses Gremium gibt es hier nicht."):
        page = organization_page(pk, Positions(**positions(request, PARAMS)))
    return render(request, "web/organization.html", {"page": page, "params": PARAMS})
