"""Rendered public pages, reused until the data or the clock moves on.

A page is a function of its URL and of what we store (`reader.freshness`),
so a page rendered for a visitor without cookies is kept under its absolute
URL and the data version, for at most `RATSBLICK_PAGE_CACHE_SECONDS` (the
next meetings and the calendar's "today" move with the clock). Anything
personal is never shared: a request with cookies renders afresh, and a
response that sets a cookie, varies by cookie or says it is private is not
kept. Without this, every visitor's request renders the whole page again;
with it, a popular page costs a cache read.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from functools import wraps

from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.utils.cache import has_vary_header

from ratsblick import config
from ratsblick.reader.freshness import data_version

View = Callable[..., HttpResponse]


def shareable(response: HttpResponse) -> bool:
    cache_control = {
        part.split("=")[0].strip().lower() for part in response.get("Cache-Control", "").split(",")
    }
    return (
        response.status_code == 200
        and not response.streaming
        and not response.cookies
        and not has_vary_header(response, "Cookie")
        and not cache_control & {"private", "no-store", "no-cache"}
    )


def cached_page(view: View) -> View:
    @wraps(view)
    def serve(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
        seconds = config.PAGE_CACHE_SECONDS.get()
        if seconds <= 0 or request.method not in ("GET", "HEAD") or request.COOKIES:
            return view(request, *args, **kwargs)
        address = f"{data_version()}\n{request.build_absolute_uri()}"
        key = "page:" + hashlib.sha256(address.encode()).hexdigest()
        response: HttpResponse | None = cache.get(key)
        if response is None:
            response = view(request, *args, **kwargs)
            if shareable(response):
                cache.set(key, response, seconds)
        return response

    return serve
