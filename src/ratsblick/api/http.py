"""HTTP around every answer of the API: caching headers, conditional GET, the rate limit.

A successful answer may be kept by clients and proxies for `MAX_AGE` seconds
and carries an ETag (a hash of its body), so a client that asks again with
`If-None-Match` gets `304 Not Modified` without the body; where the data
says when it last changed, `Last-Modified` too. Errors are not cached.

The rate limit counts requests per client address in Django's cache (each
process's memory, or Redis shared by every web process in production) over
a sliding window of `RATSBLICK_API_RATE`. Behind our own proxy (a loopback
or private peer) the client is the last address the proxy added to
`X-Forwarded-For`; any other peer is the client itself, whatever it sends.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from datetime import datetime
from functools import wraps
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils.cache import patch_cache_control
from django.utils.http import http_date
from django.views.decorators.http import conditional_page
from ninja.throttling import AnonRateThrottle

from ratsblick.clients import client_address

MAX_AGE = 60

View = Callable[..., HttpResponse]


def cached(run: View) -> View:
    """`Cache-Control` by outcome, then ETag and the answer to a conditional GET."""

    @wraps(run)
    def answer(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        response = run(request, *args, **kwargs)
        if response.status_code == 200:
            patch_cache_control(response, public=True, max_age=MAX_AGE)
        else:
            patch_cache_control(response, no_store=True)
        return response

    return conditional_page(answer)


def last_modified(response: HttpResponse, times: Iterable[datetime | None]) -> None:
    """`Last-Modified` from the newest of `times` (none known: no header)."""
    known = [t for t in times if t is not None]
    if known:
        response["Last-Modified"] = http_date(max(known).timestamp())


class ClientRate(AnonRateThrottle):
    """Requests per client address, at the rate the settings say when the request comes
    (so that a changed setting applies without a restart), always with a wait to name."""

    def __init__(self) -> None:
        super().__init__(settings.RATSBLICK_API_RATE)

    def allow_request(self, request: HttpRequest) -> bool:
        self.rate = settings.RATSBLICK_API_RATE
        self.num_requests, self.duration = self.parse_rate(self.rate)
        return super().allow_request(request)

    def get_ident(self, request: HttpRequest) -> str:
        return client_address(request)

    def wait(self) -> float:
        """Seconds until the oldest request counted leaves the window."""
        assert self.duration is not None
        oldest = self.history[-1] if self.history else self.now
        return max(1.0, math.ceil(self.duration - (self.now - oldest)))
