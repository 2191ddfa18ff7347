"""What every page shows depends on one version of the data.

Every write of a sync or of the file pipeline ends with a commit to the
search index (the outbox is drained right after), so the index's version
names the state the pages show too: a page cached under it is current until
the next commit. Writes that reach no index (a body added but not synced
yet) show within the cache's time limit.
"""

from __future__ import annotations

from ratsblick.indexing.service import search_index


def data_version() -> str:
    return search_index().version()
