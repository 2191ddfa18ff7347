"""A correlation id per request: the caller's `X-Request-ID` if sane, else a new one."""

from __future__ import annotations

import re
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from ratsblick.logs import correlated

# What nginx's $request_id and common tracing ids look like; anything else
# (long, or with characters that could forge log lines) is replaced.
REQUEST_ID = re.compile(r"[A-Za-z0-9._-]{1,64}")
HEADER = "X-Request-ID"


class CorrelationIdMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        given = request.headers.get(HEADER, "")
        with correlated(given if REQUEST_ID.fullmatch(given) else None) as request_id:
            response = self.get_response(request)
        response[HEADER] = request_id
        return response
