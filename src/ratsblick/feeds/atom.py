"""A read-layer `Feed` as an Atom document (RFC 4287), with the caching headers.

Every entry's id is the absolute address of our page of it with its key as
fragment: unique in the feed (two consultation steps of one meeting differ
in their key), stable while the object lives, and an IRI as the RFC asks.
The feed's `updated` is its newest entry's (the time of the request when it
has none); `Last-Modified` says the same, and the ETag is a hash of the
document, so a reader that asks again gets `304 Not Modified` until
something changed.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils.cache import patch_cache_control
from django.utils.feedgenerator import Atom1Feed
from django.utils.http import http_date
from django.views.decorators.http import conditional_page

from ratsblick.reader.entries import Feed

MAX_AGE = 300
"""Seconds a reader or proxy may keep a feed (councils change a few times a day)."""


def atom(request: HttpRequest, feed: Feed) -> HttpResponse:
    absolute = request.build_absolute_uri
    document = Atom1Feed(
        title=feed.title,
        link=absolute(feed.url),
        description=feed.subtitle,
        subtitle=feed.subtitle,
        language="de",
        feed_url=absolute(),
        feed_guid=absolute(),
        author_name="Ratsblick",
    )
    for entry in feed.entries:
        document.add_item(
            title=entry.title,
            link=absolute(entry.url),
            description=entry.summary,
            unique_id=f"{absolute(entry.url.split('#', 1)[0])}#{entry.key}",
            updateddate=entry.updated,
            categories=[entry.category],
        )
    response = HttpResponse(content_type=f"{document.content_type}")
    document.write(response, "utf-8")
    if feed.entries:
        response["Last-Modified"] = http_date(document.latest_post_date().timestamp())
    return response


View = Callable[..., HttpResponse]


def cached(view: View) -> View:
    """`Cache-Control` for a feed that answered, ETag and the answer to a conditional GET."""

    @wraps(view)
    def answer(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        response = view(request, *args, **kwargs)
        if response.status_code == 200:
            patch_cache_control(response, public=True, max_age=MAX_AGE)
        return response

    return conditional_page(answer)
