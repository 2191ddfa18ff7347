"""Who sent a request, as far as rate limits need to know."""

from __future__ import annotations

import ipaddress

from django.http import HttpRequest


def client_address(request: HttpRequest) -> str:
    """The client's address: behind our own proxy (a loopback or private peer), the
    last hop it added to X-Forwarded-For (the earlier ones are the client's own to
    forge), else the peer itself."""
    peer = str(request.META.get("REMOTE_ADDR", ""))
    forwarded = str(request.META.get("HTTP_X_FORWARDED_FOR", ""))
    try:
        proxied = ipaddress.ip_address(peer).is_private
    except ValueError:
        proxied = False
    if proxied and forwarded:
        return forwarded.rsplit(",", maxsplit=1)[-1].strip()
    return peer
