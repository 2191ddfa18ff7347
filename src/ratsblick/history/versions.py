"""The versions of a file's content, and the text diff between two of them."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from django.db.models import OuterRef, Subquery

from ratsblick.files.models import ExtractedPage, Extraction, FileVersion
from ratsblick.history.textdiff import FileDiff, diff_pages


@dataclass(frozen=True)
class Version:
    pk: int
    file_pk: int
    fetched_at: datetime
    size: int
    extraction_pk: int | None
    """Its text, when it was read; None while it is not read or not readable."""
    pages: int

    @property
    def readable(self) -> bool:
        return self.extraction_pk is not None


@dataclass(frozen=True)
class NewVersion:
    """A file's content changed: `version` replaced `previous`."""

    file_pk: int
    version_pk: int
    previous_pk: int
    at: datetime


def versions_of(file_pk: int) -> list[Version]:
    """The file's versions, oldest first (one query)."""
    rows = (
        FileVersion.objects.filter(file_id=file_pk)
        .select_related("blob__extraction")
        .order_by("fetched_at", "pk")
    )
    versions = []
    for row in rows:
        extraction: Extraction | None = getattr(row.blob, "extraction", None)
        readable = extraction is not None and extraction.status == Extraction.Status.OK
        versions.append(
            Version(
                pk=row.pk,
                file_pk=file_pk,
                fetched_at=row.fetched_at,
                size=row.blob.size,
                extraction_pk=extraction.pk if extraction and readable else None,
                pages=extraction.pages if extraction and readable else 0,
            )
        )
    return versions


def new_versions(file_pks: Iterable[int]) -> list[NewVersion]:
    """Every change of content of these files, newest first (one query)."""
    rows = (
        FileVersion.objects.filter(file_id__in=set(file_pks))
        .order_by("file_id", "fetched_at", "pk")
        .values_list("file_id", "pk", "fetched_at")
    )
    found: list[NewVersion] = []
    last: dict[int, int] = {}  # file -> its latest version so far
    for file_pk, pk, fetched_at in rows:
        if file_pk in last:
            found.append(NewVersion(file_pk, pk, last[file_pk], fetched_at))
        last[file_pk] = pk
    found.sort(key=lambda v: (v.at, v.version_pk), reverse=True)
    return found


def recent_versions(body_pk: int, limit: int) -> list[NewVersion]:
    """The body's `limit` newest changes of file content, newest first (one query)."""
    earlier = FileVersion.objects.filter(
        file=OuterRef("file"), fetched_at__lt=OuterRef("fetched_at")
    ).order_by("-fetched_at", "-pk")
    rows = (
        FileVersion.objects.filter(file__body_id=body_pk)
        .annotate(previous=Subquery(earlier.values("pk")[:1]))
        .filter(previous__isnull=False)
        .order_by("-fetched_at", "-pk")
        .values_list("file_id", "pk", "previous", "fetched_at")[:limit]
    )
    return [NewVersion(file_pk, pk, previous, at) for file_pk, pk, previous, at in rows]


def diff_versions(old: Version, new: Version) -> FileDiff:
    """The text of `new` against `old`, page by page (one query); both must be readable."""
    assert old.extraction_pk is not None
    assert new.extraction_pk is not None
    texts: dict[int, list[str]] = {old.extraction_pk: [], new.extraction_pk: []}
    rows = (
        ExtractedPage.objects.filter(extraction_id__in=texts)
        .order_by("extraction_id", "number")
        .values_list("extraction_id", "text")
    )
    for extraction_pk, text in rows:
        texts[extraction_pk].append(text)
    return diff_pages(texts[old.extraction_pk], texts[new.extraction_pk])
