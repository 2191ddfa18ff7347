"""A body (Kommune): its state, its organizations, its papers and meetings."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.utils import timezone

from ratsblick.council.models import Body, Meeting, Organization, Paper, SyncRun
from ratsblick.reader import NotFound
from ratsblick.reader.keyset import Window, window
from ratsblick.reader.lists import (
    Counts,
    MeetingItem,
    PaperItem,
    counts_by_body,
    meeting_rows,
    meeting_windows,
    paper_item,
    paper_rows,
)

PAGE_SIZE = 25


@dataclass(frozen=True)
class OrganizationItem:
    pk: int
    name: str
    classification: str
    ended: bool
    """Its end date has passed (a committee of an earlier term)."""


@dataclass(frozen=True)
class SyncState:
    last_success: datetime | None
    last_started: datetime | None
    last_outcome: str
    """The label of the last run's outcome ("erfolgreich", "unvollständig" …), "" if none."""
    last_error: str
    last_ok: bool
    """The last run succeeded (then its time is `last_success`)."""


@dataclass(frozen=True)
class BodyPage:
    pk: int
    name: str
    short_name: str
    ags: str
    website: str
    web: str
    counts: Counts
    sync: SyncState
    organizations: list[OrganizationItem]
    papers: Window[PaperItem]
    upcoming: Window[MeetingItem]
    past: Window[MeetingItem]

    @property
    def current_organizations(self) -> list[OrganizationItem]:
        return [o for o in self.organizations if not o.ended]

    @property
    def former_organizations(self) -> list[OrganizationItem]:
        return [o for o in self.organizations if o.ended]


@dataclass(frozen=True)
class Positions:
    """Where each list of the page stands: a cursor token per list (None: its start)."""

    papers: str | None = None
    upcoming: str | None = None
    past: str | None = None


def _sync_state(body: Body) -> SyncState:
    last = body.sync_runs.only("started_at", "outcome", "error").order_by("-started_at").first()
    success = (
        body.sync_runs.filter(outcome=SyncRun.Outcome.OK)
        .order_by("-finished_at")
        .values_list("finished_at", flat=True)
        .first()
    )
    return SyncState(
        success,
        last.started_at if last else None,
        SyncRun.Outcome(last.outcome).label if last else "",
        last.error if last else "",
        bool(last and last.outcome == SyncRun.Outcome.OK),
    )


def _organizations(body: Body) -> list[OrganizationItem]:
    today = timezone.localdate()
    rows = (
        Organization.objects.live()
        .filter(body=body)
        .only("pk", "name", "classification", "end_date")
        .order_by("name", "pk")
    )
    return [
        OrganizationItem(
            o.pk, o.name or "Gremium", o.classification, bool(o.end_date and o.end_date < today)
        )
        for o in rows
    ]


def body_page(pk: int, at: Positions | None = None) -> BodyPage:
    """The body's page with each list at its position (`at`)."""
    at = at or Positions()
    body = Body.objects.filter(pk=pk, subscribed=True).first()
    if body is None:
        raise NotFound(pk)
    now = timezone.now()
    organizations = _organizations(body)
    meetings = meeting_rows(Meeting.objects.live().filter(body=body))
    upcoming, past = meeting_windows(meetings, now, at.upcoming, at.past, PAGE_SIZE)
    return BodyPage(
        pk=body.pk,
        name=body.name or body.oparl_id,
        short_name=body.short_name,
        ags=body.ags,
        website=body.website,
        web=body.web,
        counts=counts_by_body([body.pk])[body.pk],
        sync=_sync_state(body),
        organizations=organizations,
        papers=window(
            paper_rows(Paper.objects.live().filter(body=body)),
            "date",
            at.papers,
            PAGE_SIZE,
            paper_item,
        ),
        upcoming=upcoming,
        past=past,
    )
