"""The pages, one module per group (the read layer in `ratsblick.reader` feeds them)."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager

from django.http import Http404, HttpRequest

from ratsblick.reader import NotFound


@contextmanager
def shown(missing: str) -> Iterator[None]:
    """The read layer's `NotFound` as a 404 page saying `missing` (in German)."""
    try:
        yield
    except NotFound as error:
        raise Http404(missing) from error


def positions(request: HttpRequest, params: Mapping[str, str]) -> dict[str, str | None]:
    """Where each of a page's lists stands, from its own query parameter."""
    return {name: request.GET.get(param) for name, param in params.items()}
