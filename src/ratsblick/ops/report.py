"""The sections this app adds to `ratsblick status` per body: files and dead letters."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from django.db.models import Count, Q, Sum

from ratsblick.council.models import Body, File
from ratsblick.files.models import Download, Extraction, FileVersion
from ratsblick.files.pipeline import bodies_of_blob, files_due
from ratsblick.jobs.models import DeadLetter

SHOWN_DEAD_LETTERS = 5


def file_counts(body: Body) -> dict[str, int]:
    """Files waiting to be fetched, failed, and what reading their contents gave.

    Contents are counted once per body, however many of its files carry the
    same bytes.
    """
    failed = Download.objects.filter(
        file__body=body,
        status__in=(Download.Status.FAILED, Download.Status.UNREACHABLE),
    ).count()
    contents = FileVersion.objects.filter(file__body=body).values("blob_id")
    read = Extraction.objects.filter(blob_id__in=contents).aggregate(
        extracted=Count("pk", filter=Q(status=Extraction.Status.OK)),
        unreadable=Count("pk", filter=Q(status=Extraction.Status.FAILED)),
        ocr=Count("pk", filter=Q(ocr_pages__gt=0)),
        ocr_pages=Sum("ocr_pages", default=0),
    )
    return {"waiting": len(files_due(body)), "fetch_failed": failed, **read}


def _bodies_of(letter: DeadLetter) -> list[int]:
    """The bodies a dead task worked for, from its first argument (an id)."""
    if not letter.args or not isinstance(letter.args[0], int):
        return []
    pk = letter.args[0]
    step = letter.task.rpartition(".")[2]
    if step == "sync_body":
        return [pk]
    if step == "fetch_file":
        return list(File.objects.filter(pk=pk).values_list("body_id", flat=True))
    if step == "extract_blob":
        return [body.pk for body in bodies_of_blob(pk)]
    return []


def open_dead_letters() -> tuple[dict[int, list[DeadLetter]], list[DeadLetter]]:
    """Dead letters not retried yet: per body, and those of no body (sync_all, index)."""
    per_body: dict[int, list[DeadLetter]] = defaultdict(list)
    unattached = []
    for letter in DeadLetter.objects.filter(retried_at__isnull=True).order_by("-failed_at"):
        bodies = _bodies_of(letter)
        for pk in bodies:
            per_body[pk].append(letter)
        if not bodies:
            unattached.append(letter)
    return per_body, unattached


def letter_row(letter: DeadLetter) -> dict[str, Any]:
    return {
        "id": letter.pk,
        "task": letter.task,
        "args": letter.args,
        "error": letter.error,
        "attempts": letter.attempts,
        "failed_at": letter.failed_at.isoformat(),
    }


def sections(sender: object, body: Body, **kwargs: Any) -> dict[str, Any]:
    """Receiver of `council.status.status_sections`."""
    letters = open_dead_letters()[0].get(body.pk, [])
    return {
        "file_counts": file_counts(body),
        "dead_letters": len(letters),
        "last_dead_letters": [letter_row(letter) for letter in letters[:SHOWN_DEAD_LETTERS]],
    }
