"""The Atom feeds of a search, a body, an organization and a paper."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse

from ratsblick.feeds.atom import atom, cached
from ratsblick.reader import shown
from ratsblick.reader.entries import body_feed, organization_feed, paper_feed, search_feed
from ratsblick.search import IndexMissing


@cached
def search(request: HttpRequest) -> HttpResponse:
    try:
        feed = search_feed(request.GET)
    except IndexMissing:
        response = HttpResponse(
            "Die Suche wird gerade aufgebaut. Bitte später erneut.",
            status=503,
            content_type="text/plain; charset=utf-8",
        )
        response["Retry-After"] = "60"
        return response
    return atom(request, feed)


@cached
def body(request: HttpRequest, pk: str) -> HttpResponse:
    with shown("Diese Kommune gibt es hier nicht."):
        return atom(request, body_feed(int(pk)))


@cached
def organization(request: HttpRequest, pk: str) -> HttpResponse:
    with shown("Dieses Gremium gibt es hier nicht."):
        return atom(request, organization_feed(int(pk)))


@cached
def paper(request: HttpRequest, pk: str) -> HttpResponse:
    with shown("Diese Vorlage gibt es hier nicht."):
        return atom(request, paper_feed(int(pk)))
