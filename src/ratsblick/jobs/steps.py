"""Every step of the pipeline as one plain function taking ids.

The embedded pipeline calls them inline, the Celery tasks wrap them: there
is no second implementation. Each is idempotent: run again, it finds nothing
left to do (an object that is gone is no error either: there is nothing to do).
"""

from __future__ import annotations

from collections import Counter
from datetime import timedelta

from ratsblick import config
from ratsblick.alerts.sending import SendReport, send_alerts
from ratsblick.council.models import Body, SyncRun
from ratsblick.council.sync import sync_body
from ratsblick.dumps import writer as dumps
from ratsblick.extract.sandbox import SandboxedExtractor
from ratsblick.files import pipeline
from ratsblick.files.models import Blob
from ratsblick.indexing.service import IndexReport, index_changes, needs_rebuild, reindex
from ratsblick.oparl.http import HttpClient
from ratsblick.search import IndexBusy


def subscribed_bodies() -> list[int]:
    return list(Body.objects.filter(subscribed=True).order_by("pk").values_list("pk", flat=True))


def sync(body_pk: int, client: HttpClient, *, full: bool = False) -> SyncRun | None:
    """Sync one subscribed body (incrementally unless `full`)."""
    body = Body.objects.filter(pk=body_pk, subscribed=True).first()
    if body is None:
        return None
    margin = timedelta(minutes=config.SYNC_MARGIN.get())
    return sync_body(body, client, full=full, margin=margin)


def files_due(body_pk: int) -> list[int]:
    """Files of the body to fetch now (new, changed, or retry due)."""
    body = Body.objects.filter(pk=body_pk).first()
    return [] if body is None else [f.pk for f in pipeline.files_due(body)]


def blobs_unread(body_pk: int) -> list[int]:
    """Blobs of the body's files without extracted text (also those a lost task left)."""
    body = Body.objects.filter(pk=body_pk).first()
    return [] if body is None else [b.pk for b in pipeline.blobs_to_extract(body)]


def fetch(file_pk: int, client: HttpClient) -> int | None:
    """Fetch one file if due; the pk of its blob when that still needs reading."""
    blob = pipeline.fetch_file(file_pk, client)
    if blob is None or Blob.objects.filter(pk=blob.pk, extraction__isnull=False).exists():
        return None
    return blob.pk


def extract(blob_pk: int, extractor: SandboxedExtractor) -> str | None:
    """Read one blob unless read already, then the facts of the papers it belongs to."""
    outcome = pipeline.extract_blob(blob_pk, extractor)
    if outcome is not None:
        for body in pipeline.bodies_of_blob(blob_pk):
            pipeline.update_facts(body, Counter())
    return outcome


def process_files(body_pk: int, client: HttpClient) -> Counter[str]:
    """Fetch and read every due file of a body at once, on every core (embedded mode)."""
    body = Body.objects.filter(pk=body_pk).first()
    return Counter() if body is None else pipeline.process_files(body, client)


def index() -> IndexReport | None:
    """Apply the outbox to the index; None while another process writes it."""
    try:
        return index_changes()
    except IndexBusy:
        return None


def reconcile_index() -> IndexReport | None:
    """`reindex --if-needed`, then `index`: the daily check that the index is whole."""
    try:
        if needs_rebuild():
            reindex()
        return index_changes()
    except IndexBusy:
        return None


def send_mails() -> SendReport:
    """Write the due alert digests into the outbox and deliver it (after indexing, so
    that a saved search sees what the round brought)."""
    return send_alerts()


# What a sync run or a file round counts that changes what a dump holds.
_DUMP_CHANGES = ("new", "changed", "deleted", "fetched", "extracted")


def dump(body_pk: int) -> None:
    """Rewrite the body's bulk dump and the instance's (the previous ones stay
    served until the new ones are whole)."""
    if Body.objects.filter(pk=body_pk, subscribed=True).exists():
        dumps.dump([body_pk])


def dump_all() -> None:
    """Every subscribed body's dump, then the instance's once."""
    dumps.dump()


def dump_if_changed(body_pk: int, run: SyncRun | None, files: Counter[str]) -> bool:
    """`dump` when this round changed the body, or when it has no dump yet."""
    counts = [files, *(run.counts.values() if run is not None else ())]
    changed = any(c.get(key, 0) for c in counts for key in _DUMP_CHANGES)
    if not changed and dumps.exists(body_pk):
        return False
    dump(body_pk)
    return True
