"""The read layer: what every interface shows, as typed page objects.

One function per page (`paper_page(pk) -> PaperPage`, …) does every query
that page needs and returns plain dataclasses. HTML templates, the JSON API,
feeds and mails render these objects; none of them queries the models
itself, so they cannot disagree, and each page's query count is bounded in
one place.
"""

from collections.abc import Iterator
from contextlib import contextmanager

from django.http import Http404


class NotFound(LookupError):
    """No such object to show (never stored, a placeholder, or not ours)."""


@contextmanager
def shown(missing: str) -> Iterator[None]:
    """The read layer's `NotFound` as a 404 page saying `missing` (in German), for
    every interface that renders a page object (web pages, feeds)."""
    try:
        yield
    except NotFound as error:
        raise Http404(missing) from error
