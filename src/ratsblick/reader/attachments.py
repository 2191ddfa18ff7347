"""Files as listed on a paper or meeting page: name, pages, OCR, download state.

Any number of files costs two queries: their download states and their
current versions with the extraction of each version's content.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from ratsblick.council.models import File
from ratsblick.files.models import Download, Extraction, FileVersion


@dataclass(frozen=True)
class FileEntry:
    pk: int
    name: str
    file_name: str
    mime_type: str
    date: date | None
    size: int | None  # of the stored copy, else as the council states it
    state: str  # German: "geladen", "Original nicht erreichbar", "noch nicht geladen", …
    loaded: bool  # we hold a copy
    pages: int | None  # None: not read (yet)
    ocr_pages: int
    unreadable: bool  # the copy could not be read


NOT_LOADED = "noch nicht geladen"


def file_entries(files: Iterable[File]) -> dict[int, FileEntry]:
    """The entry of each file, by pk."""
    files = list(files)
    pks = [file.pk for file in files]
    downloads = {d.file_id: d for d in Download.objects.filter(file_id__in=pks)}
    current: dict[int, FileVersion] = {}
    for version in (
        FileVersion.objects.filter(file_id__in=pks)
        .select_related("blob__extraction")
        .order_by("file_id", "-fetched_at")
    ):
        current.setdefault(version.file_id, version)
    return {file.pk: _entry(file, downloads.get(file.pk), current.get(file.pk)) for file in files}


def _entry(file: File, download: Download | None, version: FileVersion | None) -> FileEntry:
    extraction: Extraction | None = getattr(version.blob, "extraction", None) if version else None
    readable = extraction is not None and extraction.status == Extraction.Status.OK
    return FileEntry(
        pk=file.pk,
        name=file.name or file.file_name or "Datei",
        file_name=file.file_name,
        mime_type=version.blob.mime_type if version else file.mime_type,
        date=file.date,
        size=version.blob.size if version else file.size,
        state=download.get_status_display() if download else NOT_LOADED,
        loaded=version is not None,
        pages=extraction.pages if extraction and readable else None,
        ocr_pages=extraction.ocr_pages if extraction and readable else 0,
        unreadable=extraction is not None and not readable,
    )
