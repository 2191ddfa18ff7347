"""Rows of the lists several pages show: papers, meetings, bodies with their state."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime

from django.db import models

from ratsblick.council.models import Body, File, Meeting, Organization, Paper, SyncRun
from ratsblick.reader.freshness import remembered
from ratsblick.reader.keyset import Window, window


@dataclass(frozen=True)
class PaperItem:
    pk: int
    name: str
    reference: str
    date: date | None
    paper_type: str
    body_name: str


@dataclass(frozen=True)
class MeetingItem:
    pk: int
    name: str
    start: datetime | None
    cancelled: bool
    organizations: tuple[str, ...]
    body_name: str


@dataclass(frozen=True)
class Counts:
    papers: int
    meetings: int
    files: int


@dataclass(frozen=True)
class BodySummary:
    pk: int
    name: str
    counts: Counts
    last_success: datetime | None
    """When the last successful sync finished."""


def paper_rows(rows: models.QuerySet[Paper]) -> models.QuerySet[Paper]:
    return rows.select_related("body").only(
        "pk", "name", "reference", "date", "paper_type", "body__name"
    )


def paper_item(paper: Paper) -> PaperItem:
    return PaperItem(
        paper.pk,
        paper.name,
        paper.reference,
        paper.date,
        paper.paper_type,
        paper.body.name if paper.body else "",
    )


def meeting_rows(rows: models.QuerySet[Meeting]) -> models.QuerySet[Meeting]:
    """Meetings with their body and (one more query) their organizations' names."""
    return (
        rows.select_related("body")
        .only("pk", "name", "start", "cancelled", "body__name")
        .prefetch_related(
            models.Prefetch("organizations", queryset=Organization.objects.only("pk", "name"))
        )
    )


def meeting_item(meeting: Meeting) -> MeetingItem:
    organizations = tuple(o.name for o in meeting.organizations.all() if o.name)
    return MeetingItem(
        meeting.pk,
        meeting.name or ", ".join(organizations) or "Sitzung",
        meeting.start,
        bool(meeting.cancelled),
        organizations,
        meeting.body.name if meeting.body else "",
    )


def meeting_windows(
    meetings: models.QuerySet[Meeting],
    now: datetime,
    upcoming_at: str | None,
    past_at: str | None,
    size: int,
) -> tuple[Window[MeetingItem], Window[MeetingItem]]:
    """The next meetings (soonest first) and the past ones (latest first, undated last)."""
    upcoming = window(
        meetings.filter(start__gte=now), "start", upcoming_at, size, meeting_item, ascending=True
    )
    past = window(
        meetings.filter(models.Q(start__lt=now) | models.Q(start__isnull=True)),
        "start",
        past_at,
        size,
        meeting_item,
    )
    return upcoming, past


def counts_by_body(bodies: Iterable[int]) -> dict[int, Counts]:
    """Live papers, meetings and files per body: three grouped counts for any number,
    made once per data version (each scans a body's rows)."""
    pks = sorted(set(bodies))
    return remembered(f"counts:{','.join(map(str, pks))}", lambda: _count(pks))


def _count(pks: list[int]) -> dict[int, Counts]:
    tallies: list[dict[int, int]] = []
    for model in (Paper, Meeting, File):
        grouped = (
            model.objects.live()
            .filter(body__in=pks)
            .values("body")
            .annotate(n=models.Count("pk"))
            .values_list("body", "n")
        )
        tallies.append({body: n for body, n in grouped if body is not None})
    papers, meetings, files = tallies
    return {pk: Counts(papers.get(pk, 0), meetings.get(pk, 0), files.get(pk, 0)) for pk in pks}


def last_successes(bodies: Iterable[int]) -> dict[int, datetime]:
    """When each body's last successful sync finished (bodies never synced are missing)."""
    rows = (
        SyncRun.objects.filter(body__in=list(bodies), outcome=SyncRun.Outcome.OK)
        .values("body")
        .annotate(at=models.Max("finished_at"))
        .values_list("body", "at")
    )
    return {body: at for body, at in rows if body is not None and at is not None}


def body_summaries(bodies: Iterable[Body]) -> list[BodySummary]:
    shown = list(bodies)
    counts = counts_by_body(b.pk for b in shown)
    synced = last_successes(b.pk for b in shown)
    return [BodySummary(b.pk, b.name or b.oparl_id, counts[b.pk], synced.get(b.pk)) for b in shown]
