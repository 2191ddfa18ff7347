"""A meeting (Sitzung), as a page and as an iCalendar file."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse

from ratsblick.reader import shown
from ratsblick.reader.calendar import FeedEvent
from ratsblick.reader.meetings import MeetingPage, meeting_page
from ratsblick.web import ical
from ratsblick.web.caching import cached_page


def _page(pk: int) -> MeetingPage:
    with shown("Diese Sitzung gibt es hier nicht."):
        return meeting_page(pk)


@cached_page
def meeting_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return render(request, "web/meeting.html", {"page": _page(pk)})


@cached_page
def meeting_ical(request: HttpRequest, pk: int) -> HttpResponse:
    page = _page(pk)
    if page.start is None:
        raise Http404("Diese Sitzung hat keinen Termin.")
    event = FeedEvent(
        pk=page.pk,
        oparl_id=page.oparl_id,
        name=page.title,
        start=page.start,
        end=page.end,
        cancelled=page.cancelled,
        location=page.place.text if page.place else "",
        organizations=tuple(o.name for o in page.organizations),
        modified=page.modified,
    )
    content = ical.calendar(
        page.title,
        [event],
        lambda pk: request.build_absolute_uri(reverse("web:meeting", args=[pk])),
    )
    return ical.response(content, f"sitzung-{page.pk}.ics")
