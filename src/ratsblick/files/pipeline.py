"""Fetch every file of a body and read it; a rerun repeats no work.

A File is fetched again only when its OParl record changed since (its
content hash) or when an earlier attempt failed and its back-off has
passed. A blob is read once, whatever Files carry it. Downloads and
extractions run in worker threads (extractions in sandboxed processes);
only the calling thread writes to the database.

`fetch_file` and `extract_blob` are the same steps for one file at a time,
by primary key, as `ratsblick.jobs` runs them: a repeat finds nothing due
and does nothing.
"""

from __future__ import annotations

import os
import queue
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor, as_completed
from datetime import timedelta
from pathlib import Path
from typing import TypeVar

from django.db import IntegrityError, transaction
from django.db.models import F, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone

from ratsblick import config
from ratsblick.council.models import Body, File, Paper, record_changes
from ratsblick.extract import Extraction as ExtractedText
from ratsblick.extract import ExtractionError
from ratsblick.extract.facts import PaperFacts as Facts
from ratsblick.extract.facts import paper_facts
from ratsblick.extract.result import ReadMethod
from ratsblick.extract.sandbox import SandboxedExtractor
from ratsblick.extract.sniff import sniff_file
from ratsblick.files.models import (
    Blob,
    Download,
    ExtractedPage,
    Extraction,
    FileVersion,
    PaperFacts,
)
from ratsblick.files.storage import blob_path, store_file, temporary_file
from ratsblick.oparl.http import FetchError, HttpClient, NotFound
from ratsblick.oparl.schema import ObjectType

T = TypeVar("T")
R = TypeVar("R")
# (stage, done, total)
ProgressCallback = Callable[[str, int, int], None]


def _quiet(stage: str, done: int, total: int) -> None:
    """No progress display."""


RETRY_BASE = timedelta(hours=6)


def retry_delay(attempts: int) -> timedelta:
    return RETRY_BASE * min(1 << max(0, attempts - 1), 32)


def _due() -> QuerySet[File]:
    """Live files whose content we lack, whose record changed since, or whose retry is due."""
    return (
        File.objects.live()
        .exclude(access_url="", download_url="")
        .filter(
            Q(download__isnull=True)
            | ~Q(download__file_hash=F("content_hash"))
            | Q(download__retry_at__lte=timezone.now())
        )
    )


def files_due(body: Body) -> list[File]:
    """One query: the database picks them, however many files the body has."""
    return list(_due().filter(body=body).order_by("pk"))


def _in_parallel(
    items: Iterable[T], work: Callable[[T], R], workers: int
) -> Iterator[tuple[T, Future[R]]]:
    with ThreadPoolExecutor(workers) as pool:
        futures = {pool.submit(work, item): item for item in items}
        for future in as_completed(futures):
            yield futures[future], future


def _download(file: File, client: HttpClient) -> Path | FetchError:
    """The file's bytes in a temporary file beside the blobs (accessUrl, then downloadUrl)."""
    path = temporary_file()
    last: FetchError | None = None
    try:
        with path.open("wb") as sink:
            for url in dict.fromkeys(u for u in (file.access_url, file.download_url) if u):
                try:
                    client.download(url, sink, max_bytes=config.FILE_MAX_BYTES.get())
                    return path
                except FetchError as exc:
                    last = exc
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    path.unlink(missing_ok=True)
    assert last is not None
    return last


def fetch_files(
    body: Body, client: HttpClient, counts: Counter[str], progress: ProgressCallback = _quiet
) -> None:
    workers = max(1, client.config.per_host)
    due = files_due(body)
    jobs = _in_parallel(due, lambda f: _download(f, client), workers)
    for done, (file, future) in enumerate(jobs, start=1):
        progress("Dateien laden", done, len(due))
        blob = _save_download(file, future.result())
        counts["fetched" if blob else "fetch failed"] += 1


def fetch_file(file_pk: int, client: HttpClient) -> Blob | None:
    """Fetch one File if it is due; the blob it now has, None if failed or not due."""
    file = _due().filter(pk=file_pk).first()
    return None if file is None else _save_download(file, _download(file, client))


def _save_download(file: File, downloaded: Path | FetchError) -> Blob | None:
    """Record a download's outcome: the blob stored, or the failure and its back-off."""
    now = timezone.now()
    download, _ = Download.objects.get_or_create(
        file=file, defaults={"status": Download.Status.FAILED, "attempted_at": now}
    )
    download.attempted_at = now
    download.file_hash = file.content_hash
    if isinstance(downloaded, FetchError):
        unreachable = isinstance(downloaded, NotFound) or downloaded.status is None
        download.status = Download.Status.UNREACHABLE if unreachable else Download.Status.FAILED
        download.error = downloaded.reason
        download.attempts += 1
        download.retry_at = now + retry_delay(download.attempts)
        download.save()
        return None
    sha256 = store_file(downloaded)
    stored = blob_path(sha256)
    with transaction.atomic():
        blob, _ = Blob.objects.get_or_create(
            sha256=sha256,
            defaults={"size": stored.stat().st_size, "mime_type": sniff_file(stored)},
        )
        # The file's row locked: two fetches of one file add its new content once.
        list(File.objects.select_for_update(no_key=True).filter(pk=file.pk).values_list("pk"))
        latest = FileVersion.objects.filter(file=file).order_by("-fetched_at", "-pk").first()
        if latest is None or latest.blob_id != blob.pk:
            FileVersion.objects.create(file=file, blob=blob, fetched_at=now)
        record_changes(ObjectType.FILE, [file.pk])
        download.status = Download.Status.OK
        download.error = ""
        download.attempts = 0
        download.retry_at = None
        download.save()
    return blob


def blobs_to_extract(body: Body) -> list[Blob]:
    return list(
        Blob.objects.filter(versions__file__body=body, extraction__isnull=True)
        .distinct()
        .order_by("pk")
    )


def _save_extraction(blob: Blob, result: ExtractedText | None, error: str) -> bool:
    """Store what was read; False when another worker stored this blob's text first."""
    try:
        _insert_extraction(blob, result, error)
    except IntegrityError:
        if not Extraction.objects.filter(blob=blob).exists():
            raise
        return False
    return True


def _insert_extraction(blob: Blob, result: ExtractedText | None, error: str) -> None:
    with transaction.atomic():
        extraction = Extraction.objects.create(
            blob=blob,
            status=Extraction.Status.OK if result else Extraction.Status.FAILED,
            error=error,
            pages=len(result.pages) if result else 0,
            ocr_pages=sum(p.method == ReadMethod.OCR for p in result.pages) if result else 0,
            text=result.text if result else "",
            extracted_at=timezone.now(),
        )
        if result:
            ExtractedPage.objects.bulk_create(
                ExtractedPage(
                    extraction=extraction,
                    number=p.number,
                    text=p.text,
                    header=p.header,
                    footer=p.footer,
                    method=p.method,
                    note=p.note,
                    confidence=p.confidence,
                )
                for p in result.pages
            )
        record_changes(ObjectType.FILE, blob.versions.values_list("file_id", flat=True))


def extract_blob(blob_pk: int, extractor: SandboxedExtractor) -> str | None:
    """Read one blob unless it has been read; the outcome counted, None if nothing was done."""
    blob = Blob.objects.filter(pk=blob_pk, extraction__isnull=True).first()
    if blob is None:
        return None
    try:
        result: ExtractedText | None = extractor.extract(blob_path(blob.sha256))
        error = ""
    except ExtractionError as exc:
        result, error = None, str(exc)
    if not _save_extraction(blob, result, error):
        return None
    return "extracted" if result else "extraction failed"


def bodies_of_blob(blob_pk: int) -> list[Body]:
    """The bodies whose files carry this blob (their papers' facts may depend on it)."""
    files = File.objects.filter(versions__blob_id=blob_pk).values("body_id")
    return list(Body.objects.filter(pk__in=files).order_by("pk"))


def configured_extractor() -> SandboxedExtractor:
    """An extraction worker process with the configured time and memory limits."""
    return SandboxedExtractor(
        timeout=config.EXTRACT_TIMEOUT.get(), memory=config.EXTRACT_MEMORY_MB.get() << 20
    )


def extract_blobs(
    blobs: list[Blob],
    counts: Counter[str],
    workers: int | None = None,
    progress: ProgressCallback = _quiet,
) -> None:
    workers = workers or config.EXTRACT_WORKERS.get() or os.cpu_count() or 1
    extractors = [configured_extractor() for _ in range(workers)]
    free: queue.Queue[SandboxedExtractor] = queue.Queue()
    for extractor in extractors:
        free.put(extractor)

    def run(path: Path) -> ExtractedText:
        """Each of the `workers` threads borrows its own worker process."""
        extractor = free.get()
        try:
            return extractor.extract(path)
        finally:
            free.put(extractor)

    try:
        jobs = _in_parallel(blobs, lambda b: run(blob_path(b.sha256)), workers)
        for done, (blob, future) in enumerate(jobs, start=1):
            progress("Texte lesen", done, len(blobs))
            try:
                _save_extraction(blob, future.result(), "")
                counts["extracted"] += 1
            except ExtractionError as exc:
                _save_extraction(blob, None, str(exc))
                counts["extraction failed"] += 1
    finally:
        for extractor in extractors:
            extractor.close()


def update_facts(body: Body, counts: Counter[str]) -> None:
    """Facts of every paper whose main file's current text is new to them.

    The database picks those papers: each is annotated with the extraction
    of its main file's newest version, and kept when that is readable and
    not the one its facts came from.
    """
    current = (
        FileVersion.objects.filter(file=OuterRef("main_file"))
        .order_by("-fetched_at")
        .values("blob__extraction")[:1]
    )
    papers = (
        Paper.objects.live()
        .filter(body=body)
        .annotate(current_extraction=Subquery(current))
        .filter(current_extraction__isnull=False)
        .exclude(facts__extraction=F("current_extraction"))
    )
    for paper in papers:
        extraction = Extraction.objects.get(pk=paper.current_extraction)
        if extraction.status != Extraction.Status.OK:
            continue
        facts = paper_facts(list(extraction.page_set.values_list("text", flat=True)))
        with transaction.atomic():
            _save_facts(paper, extraction, facts)
            record_changes(ObjectType.PAPER, [paper.pk])
        counts["facts"] += 1


def _save_facts(paper: Paper, extraction: Extraction, facts: Facts) -> None:
    PaperFacts.objects.update_or_create(
        paper=paper,
        defaults={
            "extraction": extraction,
            "reference": facts.reference,
            "date": facts.date,
            "status": facts.status,
            "lead_department": facts.lead_department,
            "author": facts.author,
            "consultations": [
                {"date": c.date.isoformat() if c.date else None, "body": c.body, "role": c.role}
                for c in facts.consultations
            ],
            "resolution_proposal": facts.resolution_proposal,
        },
    )


def process_files(
    body: Body, client: HttpClient, progress: ProgressCallback = _quiet
) -> Counter[str]:
    counts: Counter[str] = Counter()
    fetch_files(body, client, counts, progress)
    extract_blobs(blobs_to_extract(body), counts, progress=progress)
    update_facts(body, counts)
    return counts
