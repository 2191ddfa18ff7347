"""The HTTP client as configured by the environment."""

from __future__ import annotations

from ratsblick import config
from ratsblick.oparl.http import ClientConfig, HttpClient


def http_client(*, allow_private: bool | None = None) -> HttpClient:
    return HttpClient(
        ClientConfig(
            timeout=config.HTTP_TIMEOUT.get(),
            retries=config.HTTP_RETRIES.get(),
            backoff=config.HTTP_BACKOFF.get(),
            per_host=config.HTTP_PER_HOST.get(),
            allow_private=(
                config.ALLOW_PRIVATE_HOSTS.get() if allow_private is None else allow_private
            ),
        )
    )
