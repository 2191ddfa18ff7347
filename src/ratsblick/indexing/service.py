"""Keeping the search index in step with the database, and searching it.

Only `index_changes` and `reindex` write (Tantivy's lock makes a second
writer fail with `IndexBusy`, and the changes then wait in the outbox);
web processes only read. Both commit in batches: a commit costs a few
hundred milliseconds, one per object would make a sync crawl.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from django.conf import settings
from django.db.models import Max

from ratsblick.council.models import Change
from ratsblick.indexing import documents
from ratsblick.search import (
    Kind,
    SearchIndex,
    SearchRequest,
    SearchResults,
    document_key,
    is_current,
)

BATCH = 2000


def index_path() -> Path:
    return Path(settings.HOME) / "search"


@cache
def _open(path: Path) -> SearchIndex:
    return SearchIndex(path)


def search_index() -> SearchIndex:
    """This process's handle on the index (it follows rebuilds by itself)."""
    return _open(index_path())


def needs_rebuild() -> bool:
    return not is_current(index_path())


@dataclass
class IndexReport:
    written: int = 0
    deleted: int = 0
    changes: int = 0


Progress = Callable[[int, int], None]


def _quiet(done: int, total: int) -> None:
    del done, total


def index_changes(progress: Progress = _quiet) -> IndexReport:
    """Apply the outbox to the index, batch by batch, then drop what was applied."""
    report = IndexReport()
    if needs_rebuild():
        return reindex(progress)
    total = Change.objects.count()
    with search_index().writer() as writer:
        while True:
            rows = list(
                Change.objects.order_by("pk").values_list("pk", "kind", "object_pk")[:BATCH]
            )
            if not rows:
                break
            keys = documents.affected((Change.KINDS[kind], pk) for _, kind, pk in rows)
            built = documents.build(keys)
            writer.upsert(built.values())
            gone = [document_key(k, pk) for k, pk in keys if document_key(k, pk) not in built]
            writer.delete(gone)
            writer.commit()
            # By pk, not by range: a PostgreSQL sequence value can commit late.
            Change.objects.filter(pk__in=[row[0] for row in rows]).delete()
            report.written += len(built)
            report.deleted += len(gone)
            report.changes += len(rows)
            progress(report.changes, total)
    return report


def reindex(progress: Progress = _quiet) -> IndexReport:
    """Build a new generation from the database; readers switch when it is done.

    Changes recorded while it runs stay in the outbox for `index_changes`.
    """
    report = IndexReport()
    high_water = Change.objects.aggregate(top=Max("pk"))["top"] or 0
    total = sum(documents.MODELS[k].objects.live().count() for k in Kind)
    with search_index().rebuild() as writer:
        for kind in Kind:
            for pks in documents.all_keys(kind):
                built = documents.build((kind, pk) for pk in pks)
                writer.add(built.values())
                report.written += len(built)
                progress(report.written, total)
    Change.objects.filter(pk__lte=high_water).delete()
    return report


def search(request: SearchRequest) -> SearchResults:
    return search_index().search(request, documents.texts_by_key)
