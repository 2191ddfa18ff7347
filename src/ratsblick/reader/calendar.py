"""The calendar of meetings: a month, the list of upcoming and past ones, the iCal feed.

A calendar shows every body's meetings or those of one body or one
organization (`Scope`); the filters are chosen from the bodies we sync and
the organizations that hold meetings.
"""

from __future__ import annotations

import calendar as gregorian
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db import models
from django.utils import timezone

from ratsblick.council.models import Body, Meeting, Organization
from ratsblick.reader.keyset import Window, window
from ratsblick.reader.lists import MeetingItem, meeting_item, meeting_rows
from ratsblick.reader.refs import Ref

# Months a calendar can show: enough for any council's history and plans,
# and far from the ends of `date` so the neighbours of a month always exist.
FIRST_YEAR, LAST_YEAR = 1900, 2199
LIST_SIZE = 25
FEED_PAST = timedelta(days=365)


@dataclass(frozen=True)
class Scope:
    """Which meetings: all, one body's (`body`) or one organization's (`organization`)."""

    body: int | None = None
    organization: int | None = None


@dataclass(frozen=True)
class Filters:
    """The scope as resolved (unknown pks dropped) and the choices for the form."""

    scope: Scope
    body: Ref | None
    organization: Ref | None
    bodies: list[Ref]
    organizations: list[Ref]


@dataclass(frozen=True)
class Day:
    date: date
    in_month: bool
    today: bool
    meetings: list[MeetingItem]


@dataclass(frozen=True)
class MonthPage:
    month: date
    """The first day of the month shown."""
    previous: date | None
    next: date | None
    weeks: list[list[Day]]
    """Monday to Sunday; the days of neighbour months fill the first and last week."""
    count: int
    filters: Filters


@dataclass(frozen=True)
class ListPage:
    upcoming: Window[MeetingItem]
    past: Window[MeetingItem]
    filters: Filters


@dataclass(frozen=True)
class FeedEvent:
    pk: int
    oparl_id: str
    name: str
    start: datetime
    end: datetime | None
    cancelled: bool
    location: str
    organizations: tuple[str, ...]
    modified: datetime | None


@dataclass(frozen=True)
class Feed:
    title: str
    events: list[FeedEvent]


def month_of(year: int | None, month: int | None, today: date) -> date:
    """The month asked for; a year out of range becomes this year, a bad month its first
    (this year: the current month)."""
    if year is None or not FIRST_YEAR <= year <= LAST_YEAR:
        year = today.year
    if month is None or not 1 <= month <= 12:
        month = today.month if year == today.year else 1
    return date(year, month, 1)


def _shift(month: date, months: int) -> date | None:
    index = month.year * 12 + month.month - 1 + months
    year, zero_based = divmod(index, 12)
    return date(year, zero_based + 1, 1) if FIRST_YEAR <= year <= LAST_YEAR else None


def _meetings(scope: Scope) -> models.QuerySet[Meeting]:
    rows = Meeting.objects.live()
    if scope.organization is not None:
        rows = rows.filter(organizations=scope.organization)
    elif scope.body is not None:
        rows = rows.filter(body=scope.body)
    return rows


def filters(body: int | None, organization: int | None) -> Filters:
    """The scope for the pks given, each dropped when it names nothing we show.

    An organization narrows further than a body: when both are given and the
    organization belongs to another body, the body wins and the organization goes.
    """
    bodies = [
        Ref(pk, name or "Kommune")
        for pk, name in Body.objects.filter(subscribed=True)
        .order_by("name", "pk")
        .values_list("pk", "name")
    ]
    chosen_body = next((b for b in bodies if b.pk == body), None)
    with_meetings = Organization.objects.live().filter(
        pk__in=Meeting.organizations.through.objects.values("organization_id"),
        body__subscribed=True,
    )
    if chosen_body is not None:
        with_meetings = with_meetings.filter(body=chosen_body.pk)
    organizations = [
        Ref(pk, name or short_name or "Gremium")
        for pk, name, short_name in with_meetings.order_by("name", "pk").values_list(
            "pk", "name", "short_name"
        )
    ]
    chosen_organization = next((o for o in organizations if o.pk == organization), None)
    return Filters(
        Scope(
            chosen_body.pk if chosen_body else None,
            chosen_organization.pk if chosen_organization else None,
        ),
        chosen_body,
        chosen_organization,
        bodies,
        organizations,
    )


def month_page(month: date, chosen: Filters) -> MonthPage:
    """The meetings of `month` (its first day) in the weeks that hold it."""
    today = timezone.localdate()
    days = list(gregorian.Calendar(firstweekday=0).itermonthdates(month.year, month.month))
    zone = timezone.get_current_timezone()
    following = _shift(month, 1) or date(LAST_YEAR + 1, 1, 1)
    start = datetime.combine(month, time.min, zone)
    stop = datetime.combine(following, time.min, zone)
    rows = meeting_rows(_meetings(chosen.scope).filter(start__gte=start, start__lt=stop))
    by_day: dict[date, list[MeetingItem]] = {}
    for meeting in rows.order_by("start", "pk"):
        assert meeting.start is not None
        by_day.setdefault(timezone.localtime(meeting.start).date(), []).append(
            meeting_item(meeting)
        )
    cells = [Day(d, d.month == month.month, d == today, by_day.get(d, [])) for d in days]
    return MonthPage(
        month,
        _shift(month, -1),
        _shift(month, 1),
        [cells[i : i + 7] for i in range(0, len(cells), 7)],
        sum(len(meetings) for meetings in by_day.values()),
        chosen,
    )


def list_page(chosen: Filters, upcoming_at: str | None, past_at: str | None) -> ListPage:
    """Upcoming meetings (soonest first) and past ones (latest first), each paged by keys."""
    now = timezone.now()
    rows = meeting_rows(_meetings(chosen.scope))
    return ListPage(
        window(rows.filter(start__gte=now), "start", upcoming_at, LIST_SIZE, meeting_item,
               ascending=True),
        window(rows.filter(start__lt=now), "start", past_at, LIST_SIZE, meeting_item),
        chosen,
    )  # fmt: skip


def _place(meeting: Meeting) -> str:
    location = meeting.location
    if location is None or location.deleted:
        return ""
    street = " ".join(p for p in (location.postal_code, location.locality) if p)
    parts = (location.description, location.room, location.street_address, street)
    return ", ".join(dict.fromkeys(p.strip() for p in parts if p and p.strip()))


def feed(chosen: Filters) -> Feed:
    """Meetings of the last twelve months and all to come, for a calendar subscription."""
    since = timezone.now() - FEED_PAST
    rows = (
        _meetings(chosen.scope)
        .filter(start__gte=since)
        .select_related("location")
        .prefetch_related(
            models.Prefetch("organizations", queryset=Organization.objects.only("pk", "name"))
        )
        .order_by("start", "pk")
    )
    events = []
    for meeting in rows:
        assert meeting.start is not None
        organizations = tuple(o.name for o in meeting.organizations.all() if o.name)
        events.append(
            FeedEvent(
                meeting.pk,
                meeting.oparl_id,
                meeting.name or ", ".join(organizations) or "Sitzung",
                meeting.start,
                meeting.end if meeting.end and meeting.end > meeting.start else None,
                bool(meeting.cancelled),
                _place(meeting),
                organizations,
                meeting.modified,
            )
        )
    named = chosen.organization or chosen.body
    return Feed(f"Sitzungen {named.name}" if named else "Sitzungen (Ratsblick)", events)
