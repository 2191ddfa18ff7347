"""Fetch every file of a body and read it; a rerun repeats no work.

A File is fetched again only when its OParl record changed since (its
content hash) or when an earlier attempt failed and its back-off has
passed. A blob is read once, whatever Files carry it. Downloads and
extractions run in worker threads (extractions in sandboxed processes);
only the calling thread writes to the database.
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

from django.db import transaction
from django.db.models import F, OuterRef, Q, Subquery
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


def files_due(body: Body) -> list[File]:
    """Live files whose content we lack, whose record changed since, or whose retry is due.

    One query: the database picks them, however many files the body has.
    """
    return list(
        File.objects.live()
        .filter(body=body)
        .exclude(access_url="", download_url="")
        .filter(
            Q(download__isnull=True)
            | ~Q(download__file_hash=F("content_hash"))
            | Q(download__retry_at__lte=timezone.now())
        )
        .order_by("pk")
    )


def _in_parallel(
    items: Iterable[T], work: Callable[[T], R], workers: int
) -> Iterator[tuple[T, Future[R]]]:
    with ThreadPoolExecutor(workers) as pool:
        futures = {pool.submit(work, item): item for item in items}
        for future in as_completed(futures):
            yield futures[future], future


def _download(file: File, client: HttpClient) -> Path:
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
    raise last


def fetch_files(
    body: Body, client: HttpClient, counts: Counter[str], progress: ProgressCallback = _quiet
) -> None:
    workers = max(1, client.config.per_host)
    due = files_due(body)
    jobs = _in_parallel(due, lambda f: _download(f, client), workers)
    for done, (file, future) in enumerate(jobs, start=1):
        progress("Dateien laden", done, len(due))
        now = timezone.now()
        download, _ = Download.objects.get_or_create(
            file=file, defaults={"status": Download.Status.FAILED, "attempted_at": now}
        )
        download.attempted_at = now
        download.file_hash = file.content_hash
        try:
            downloaded = future.result()
        except FetchError as exc:
            unreachable = isinstance(exc, NotFound) or exc.status is None
            download.status = Download.Status.UNREACHABLE if unreachable else Download.Status.FAILED
            download.error = exc.reason
            download.attempts += 1
            download.retry_at = now + retry_delay(download.attempts)
            download.save()
            counts["fetch failed"] += 1
            continue
        sha256 = store_file(downloaded)
        stored = blob_path(sha256)
        with transaction.atomic():
            blob, _ = Blob.objects.get_or_create(
                sha256=sha256,
                defaults={"size": stored.stat().st_size, "mime_type": sniff_file(stored)},
            )
            FileVersion.objects.get_or_create(file=file, blob=blob, defaults={"fetched_at": now})
            record_changes(ObjectType.FILE, [file.pk])
            download.status = Download.Status.OK
            download.error = ""
            download.attempts = 0
            download.retry_at = None
            download.save()
        counts["fetched"] += 1


def blobs_to_extract(body: Body) -> list[Blob]:
    return list(
        Blob.objects.filter(versions__file__body=body, extraction__isnull=True)
        .distinct()
        .order_by("pk")
    )


def _save_extraction(blob: Blob, result: ExtractedText | None, error: str) -> Extraction:
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
    return extraction


def extract_blobs(
    blobs: list[Blob],
    counts: Counter[str],
    workers: int | None = None,
    progress: ProgressCallback = _quiet,
) -> None:
    workers = workers or config.EXTRACT_WORKERS.get() or os.cpu_count() or 1
    extractors = [
        SandboxedExtractor(
            timeout=config.EXTRACT_TIMEOUT.get(), memory=config.EXTRACT_MEMORY_MB.get() << 20
        )
        for _ in range(workers)
    ]
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
