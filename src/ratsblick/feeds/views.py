"""The Atom feeds of a search, a body, an organization and a paper."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse

from ratsblick.feeds.atom import atom, cached
from ratsblick.reader import NotFound
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
    try:
        return atom(request, body_feed(int(pk)))
    except NotFound as missing:
        raise Http404("Diese Kommune gibt es hier nicht.") from missing


@cached
def organization(request: HttpRequest, pk: str) -> HttpResponse:
    try:
        return atom(request, organization_feed(int(pk)))
    except NotFound as missing:
        raise Http404("Dieses Gremium gibt es hier nicht.") from missing


@cached
def paper(request: HttpRequest, pk: str) -> HttpResponse:
    try:
        return atom(request, paper_feed(int(pk)))
    except NotFound as missing:
        raise Http404("Diese Vorlage gibt es hier nicht.") from missing
