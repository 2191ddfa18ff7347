"""Rate limits in Django's cache: per client address and per e-mail address.

The cache is Redis in production (RATSBLICK_CACHE_URL), so every web
process counts together; the embedded server is one process.
"""

from __future__ import annotations

import hashlib

from django.core.cache import cache
from django.http import HttpRequest

from ratsblick import config
from ratsblick.clients import client_address

HOUR = 3600
DAY = 24 * HOUR


def allow(scope: str, who: str, limit: int, window: int) -> bool:
    """Count one more attempt of `who`; False once more than `limit` fell in `window` s."""
    key = f"{scope}:{hashlib.sha256(who.encode()).hexdigest()}"  # no addresses in the cache
    cache.add(key, 0, window)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, window)
        count = 1
    return count <= limit


def client_allowed(request: HttpRequest) -> bool:
    return allow("client", client_address(request), config.ALERTS_CLIENT_LIMIT.get(), HOUR)


def address_allowed(email: str) -> bool:
    return allow("address", email, config.ALERTS_ADDRESS_LIMIT.get(), DAY)
