"""The pages, one module per group (the read layer in `ratsblick.reader` feeds them)."""

from __future__ import annotations

from collections.abc import Mapping

from django.http import HttpRequest


def positions(request: HttpRequest, params: Mapping[str, str]) -> dict[str, str | None]:
    """Where each of a page's lists stands, from its own query parameter."""
    return {name: request.GET.get(param) for name, param in params.items()}
