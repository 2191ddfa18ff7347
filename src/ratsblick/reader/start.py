"""The start page: every body with its state, the newest papers, the next meetings."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils import timezone

from ratsblick.council.models import Body, Meeting, Paper
from ratsblick.reader.lists import (
    BodySummary,
    MeetingItem,
    PaperItem,
    body_summaries,
    meeting_item,
    meeting_rows,
    paper_item,
    paper_rows,
)

NEWEST_PAPERS = 10
NEXT_MEETINGS = 10


@dataclass(frozen=True)
class StartPage:
    bodies: list[BodySummary]
    newest_papers: list[PaperItem]
    next_meetings: list[MeetingItem]


def start_page() -> StartPage:
    bodies = Body.objects.filter(subscribed=True).order_by("name", "pk")
    papers = paper_rows(Paper.objects.live().filter(body__subscribed=True, date__isnull=False))
    meetings = meeting_rows(
        Meeting.objects.live().filter(body__subscribed=True, start__gte=timezone.now())
    )
    return StartPage(
        body_summaries(bodies),
        [paper_item(p) for p in papers.order_by("-date", "-pk")[:NEWEST_PAPERS]],
        [meeting_item(m) for m in meetings.order_by("start", "pk")[:NEXT_MEETINGS]],
    )
