"""The calendar: a month, the list of meetings, and the iCal feed of either scope."""

from __future__ import annotations

from datetime import date

from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone

from ratsblick.reader.calendar import Filters, feed, filters, list_page, month_of, month_page
from ratsblick.web import ical
from ratsblick.web.caching import cached_page

BODY, ORGANIZATION, YEAR, MONTH, VIEW, LIST = (
    "kommune",
    "gremium",
    "jahr",
    "monat",
    "ansicht",
    "liste",
)
UPCOMING, PAST = "kommende", "vergangene"


def _number(params: QueryDict, name: str) -> int | None:
    """A pk, year or month as typed: ASCII digits that fit a bigint, else None (`²` is a digit
    to `str.isdigit`, not to `int`)."""
    value = params.get(name, "")
    return int(value) if value.isascii() and value.isdigit() and len(value) <= 18 else None


def _filters(params: QueryDict) -> Filters:
    return filters(_number(params, BODY), _number(params, ORGANIZATION))


def _scope_query(chosen: Filters) -> str:
    """The filter part of a URL (`kommune=…&gremium=…`) as resolved, for links and the feed."""
    query = QueryDict(mutable=True)
    if chosen.scope.body is not None:
        query[BODY] = str(chosen.scope.body)
    if chosen.scope.organization is not None:
        query[ORGANIZATION] = str(chosen.scope.organization)
    return query.urlencode()


def _month_query(scope: str, month: date | None) -> str | None:
    """`?…` of a month's page in the same scope (None: no such month to show)."""
    if month is None:
        return None
    return f"?{scope}{'&' if scope else ''}{YEAR}={month.year}&{MONTH}={month.month}"


@cached_page
def calendar_page(request: HttpRequest) -> HttpResponse:
    chosen = _filters(request.GET)
    scope = _scope_query(chosen)
    context: dict[str, object] = {
        "filters": chosen,
        "scope": scope,
        "feed_url": request.build_absolute_uri(reverse("web:calendar_ical"))
        + (f"?{scope}" if scope else ""),
    }
    if request.GET.get(VIEW) == LIST:
        listed = list_page(chosen, request.GET.get(UPCOMING), request.GET.get(PAST))
        context |= {"view": LIST, "list": listed, "params": {"upcoming": UPCOMING, "past": PAST}}
        return render(request, "web/calendar.html", context)
    month = month_of(_number(request.GET, YEAR), _number(request.GET, MONTH), timezone.localdate())
    page = month_page(month, chosen)
    context |= {
        "view": "monat",
        "month": page,
        "previous_url": _month_query(scope, page.previous),
        "next_url": _month_query(scope, page.next),
    }
    return render(request, "web/calendar.html", context)


@cached_page
def calendar_ical(request: HttpRequest) -> HttpResponse:
    chosen = _filters(request.GET)
    content = feed(chosen)
    body = ical.calendar(
        content.title,
        content.events,
        lambda pk: request.build_absolute_uri(reverse("web:meeting", args=[pk])),
    )
    return ical.response(body, "sitzungen.ics")
