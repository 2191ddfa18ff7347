"""What every page shows depends on one version of the data.

Every write of a sync or of the file pipeline ends with a commit to the
search index (the outbox is drained right after), so the index's version
names the state the pages show too: a page, or a figure many pages share,
kept under it is current until the next commit. Writes that reach no index
(a body added but not synced yet) show within `RATSBLICK_PAGE_CACHE_SECONDS`.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import TypeVar

from django.core.cache import cache

from ratsblick import config
from ratsblick.indexing.service import search_index

T = TypeVar("T")


def data_version() -> str:
    """The index's version; "" while there is none."""
    return search_index().version()


def remembered(name: str, compute: Callable[[], T]) -> T:
    """`compute()` once per data version, shared by the processes' cache.

    For figures that cost a scan of a whole body (counts) and change only
    with the data. Computed afresh without an index or with the page cache off.
    """
    seconds, version = config.PAGE_CACHE_SECONDS.get(), data_version()
    if seconds <= 0 or not version:
        return compute()
    key = "reader:" + hashlib.sha256(f"{name}\n{version}".encode()).hexdigest()
    found: T | None = cache.get(key)
    if found is None:
        found = compute()
        cache.set(key, found, seconds)
    return found
