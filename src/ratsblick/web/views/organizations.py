"""An organization (Gremium)."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from ratsblick.reader import NotFound
from ratsblick.reader.organizations import Positions, organization_page
from ratsblick.web.caching import cached_page

# Each list's position in the query string; a link moving one keeps the others.
PARAMS = {"upcoming": "kommende", "past": "vergangene", "papers": "vorlagen"}


@cached_page
def organization_detail(request: HttpRequest, pk: int) -> HttpResponse:
    at = Positions(**{name: request.GET.get(param) for name, param in PARAMS.items()})
    try:
        page = organization_page(pk, at)
    except NotFound as missing:
        raise Http404("Dieses Gremium gibt es hier nicht.") from missing
    return render(request, "web/organization.html", {"page": page, "params": PARAMS})
