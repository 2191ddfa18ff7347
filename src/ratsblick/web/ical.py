"""Meetings as iCalendar (RFC 5545): what calendar apps subscribe to or import."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from django.http import HttpResponse
from django.utils import timezone
from icalendar import Calendar, Event

from ratsblick.reader.calendar import FeedEvent

PRODUCT = "-//Ratsblick//Ratsinformationen//DE"


def calendar(title: str, events: Iterable[FeedEvent], page_url: Callable[[int], str]) -> bytes:
    """A VCALENDAR of `events`, times in Europe/Berlin with its VTIMEZONE.

    The UID is the meeting's OParl id (stable across syncs and instances);
    `page_url(pk)` is the absolute address of the meeting's page.
    """
    cal = Calendar()
    cal.add("prodid", PRODUCT)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("x-wr-calname", title)
    cal.add("x-wr-timezone", timezone.get_current_timezone_name())
    stamp = timezone.now()
    for item in events:
        event = Event()
        event.add("uid", item.oparl_id)
        event.add("dtstamp", stamp)
        event.add("dtstart", timezone.localtime(item.start))
        if item.end is not None:
            event.add("dtend", timezone.localtime(item.end))
        event.add("summary", item.name)
        if item.location:
            event.add("location", item.location)
        url = page_url(item.pk)
        event.add("url", url)
        lines = [", ".join(item.organizations)] if item.organizations else []
        event.add("description", "\n".join([*lines, url]))
        if item.modified is not None:
            event.add("last-modified", item.modified)
        event.add("status", "CANCELLED" if item.cancelled else "CONFIRMED")
        cal.add_component(event)
    cal.add_missing_timezones()
    return bytes(cal.to_ical())


def response(content: bytes, filename: str) -> HttpResponse:
    answer = HttpResponse(content, content_type="text/calendar; charset=utf-8")
    answer["Content-Disposition"] = f'inline; filename="{filename}"'
    return answer
