"""The calendar: month and list views and the iCal feeds, on the synced Hürtgenwald crawl.

The crawl's meetings lie in 2009–2021, so every test fixes the clock or asks
for a month explicitly; expected meetings come from the recorded JSON.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import call_command
from django.test import Client
from icalendar import Calendar

from ratsblick.council.models import Body, Meeting, Organization
from ratsblick.oparl.http import HttpClient
from ratsblick.replay.dataset import RecordedDataset
from ratsblick.replay.server import Faults, ReplayServer
from tests.conftest import FAST
from tests.helpers import synced

pytestmark = pytest.mark.django_db

BERLIN = ZoneInfo("Europe/Berlin")
COUNCIL = "organization/1-8"  # Gemeinderat
FEED_DAY = datetime(2020, 6, 1, 12, 0, tzinfo=BERLIN)


@dataclass(frozen=True)
class Council:
    body: Body
    meetings: list[dict[str, Any]]  # as recorded, ids as served
    council_id: str  # the Gemeinderat's served id
    cancelled: str  # the served id of the meeting the test cancelled


@pytest.fixture(scope="module")
def council(django_db_setup: None, django_db_blocker: Any) -> Iterator[Council]:
    """The crawl synced once for the module, one council meeting of the feed's window
    cancelled."""
    dataset = RecordedDataset.load()
    council_id = f"{dataset.api_root}/body/1/{COUNCIL}"
    recorded = dataset.lists[dataset.list_url("meeting")]
    cancelled = next(
        m
        for m in recorded
        if council_id in m.get("organization", [])
        and datetime.fromisoformat(m["start"]) > FEED_DAY.replace(year=2019)
    )
    dataset.change(cancelled["id"], cancelled=True)
    with django_db_blocker.unblock():
        with (
            ReplayServer(dataset, faults=Faults(empty_list_404=True)) as server,
            HttpClient(FAST) as client,
        ):
            body = synced(server, client)
            meetings = [
                {
                    **m,
                    "id": server.url(m["id"]),
                    "organization": [server.url(o) for o in m.get("organization", [])],
                }
                for m in recorded
                if "start" in m and not m.get("deleted")
            ]  # fmt: skip
            yield Council(body, meetings, server.url(council_id), server.url(cancelled["id"]))
        call_command("flush", interactive=False, verbosity=0)


def _pks(oparl_ids: list[str]) -> dict[str, int]:
    return dict(Meeting.objects.filter(oparl_id__in=oparl_ids).values_list("oparl_id", "pk"))


def _start(meeting: dict[str, Any]) -> datetime:
    return datetime.fromisoformat(meeting["start"]).astimezone(BERLIN)


def _in_month(council: Council, year: int, month: int) -> list[dict[str, Any]]:
    return sorted(
        (m for m in council.meetings if (_start(m).year, _start(m).month) == (year, month)),
        key=_start,
    )


def _days(html: str) -> dict[str, list[int]]:
    """Meeting pks linked from each day cell of the month table, by the cell's date."""
    table = html[html.index('<table class="month">') : html.index("</table>")]
    cells = re.findall(
        r'<td class="[^"]*"[^>]*>\s*<time class="day" datetime="([\d-]+)">(.*?)</td>', table, re.S
    )
    return {day: [int(pk) for pk in re.findall(r'href="/sitzung/(\d+)/"', c)] for day, c in cells}


def test_a_month_lists_its_meetings_in_weeks_from_monday_to_sunday(council: Council) -> None:
    expected = _in_month(council, 2019, 11)
    assert len(expected) == 5
    pks = _pks([m["id"] for m in expected])
    html = Client().get("/kalender/", {"jahr": "2019", "monat": "11"}).content.decode()
    days = _days(html)
    # 28 Oct 2019 is the Monday of the week of 1 Nov; 1 Dec 2019 is a Sunday.
    assert next(iter(days)) == "2019-10-28"
    assert list(days)[-1] == "2019-12-01"
    assert len(days) == 35
    assert html.count("<tr>") == 1 + 5  # the heading row and five weeks
    headers = re.findall(r'<th scope="col"><abbr title="(\w+)">(\w+)</abbr></th>', html)
    assert [short for _, short in headers] == ["Mo", "Di", "Mi", "Do", "Fr", "Sa", "So"]
    by_day: dict[str, list[int]] = {}
    for m in expected:
        by_day.setdefault(_start(m).date().isoformat(), []).append(pks[m["id"]])
    assert {day: found for day, found in days.items() if found} == by_day
    for m in expected:
        assert (
            f'<time datetime="{_start(m).isoformat()}">{_start(m):%H:%M}</time> '
            f'<a href="/sitzung/{pks[m["id"]]}/">{m["name"]}</a>' in html
        )
    assert '<h2 id="monat">November 2019 <span class="muted">(5 Sitzungen)</span></h2>' in html
    assert '<a href="?jahr=2019&amp;monat=10" rel="prev">‹ Oktober 2019</a>' in html
    assert '<a href="?jahr=2019&amp;monat=12" rel="next">Dezember 2019 ›</a>' in html


def test_the_default_month_is_todays_with_today_marked(council: Council) -> None:
    with time_machine.travel(datetime(2019, 11, 14, 9, 0, tzinfo=BERLIN), tick=False):
        html = Client().get("/kalender/").content.decode()
    assert '<h2 id="monat">November 2019' in html
    marked = re.findall(
        r'<td class="[^"]*today[^"]*" aria-current="date">\s*<time class="day" datetime="([\d-]+)"',
        html,
    )
    assert marked == ["2019-11-14"]


@pytest.mark.parametrize(
    "params",
    [
        {"monat": "13"},
        {"jahr": "99999"},
        {"jahr": "²", "monat": "²"},
        {"monat": "0", "jahr": "-1"},
        {"kommune": "²"},
        {"gremium": str(2**64)},
        {"kommune": "999999999999", "gremium": "abc"},
    ],
)
def test_bad_parameters_show_the_default(council: Council, params: dict[str, str]) -> None:
    with time_machine.travel(datetime(2019, 11, 14, 9, 0, tzinfo=BERLIN), tick=False):
        response = Client().get("/kalender/", params)
        feed = Client().get("/kalender.ics", params)
    assert response.status_code == 200
    html = response.content.decode()
    assert '<h2 id="monat">November 2019 <span class="muted">(5 Sitzungen)</span></h2>' in html
    assert '<option value="">alle Gremien</option>' in html
    assert " selected>" not in html
    assert feed.status_code == 200


def test_a_year_without_month_starts_in_january(council: Council) -> None:
    with time_machine.travel(datetime(2019, 11, 14, 9, 0, tzinfo=BERLIN), tick=False):
        html = Client().get("/kalender/", {"jahr": "2015"}).content.decode()
    assert '<h2 id="monat">Januar 2015' in html


def test_filter_by_organization_keeps_its_state_in_the_links(council: Council) -> None:
    org = Organization.objects.get(oparl_id=council.council_id)
    expected = [m for m in _in_month(council, 2019, 11) if council.council_id in m["organization"]]
    pks = _pks([m["id"] for m in expected])
    html = (
        Client()
        .get("/kalender/", {"gremium": str(org.pk), "jahr": "2019", "monat": "11"})
        .content.decode()
    )
    assert [pk for found in _days(html).values() for pk in found] == [
        pks[m["id"]] for m in expected
    ]
    assert f'<option value="{org.pk}" selected>Gemeinderat</option>' in html
    assert f'<a href="?gremium={org.pk}&amp;jahr=2019&amp;monat=12" rel="next">' in html
    assert f'href="http://testserver/kalender.ics?gremium={org.pk}"' in html
    assert "<h1>Sitzungskalender: Gemeinderat</h1>" in html


def test_filter_by_body(council: Council) -> None:
    html = (
        Client()
        .get("/kalender/", {"kommune": str(council.body.pk), "jahr": "2019", "monat": "11"})
        .content.decode()
    )
    assert f'<option value="{council.body.pk}" selected>Gemeinde Hürtgenwald</option>' in html
    assert sum(len(found) for found in _days(html).values()) == 5
    # Organizations to choose from: those of the body that hold meetings.
    options = re.findall(
        r'<option value="(\d+)"', html.split('id="kal-gremium"')[1].split("</select>")[0]
    )
    with_meetings = Organization.objects.filter(
        body=council.body, meetings__isnull=False
    ).distinct()
    assert sorted(map(int, options)) == sorted(with_meetings.values_list("pk", flat=True))


def test_list_view_upcoming_first_then_past(council: Council) -> None:
    now = datetime(2019, 11, 10, 12, 0, tzinfo=BERLIN)
    ordered = sorted(council.meetings, key=_start)
    pks = _pks([m["id"] for m in ordered])
    upcoming = [pks[m["id"]] for m in ordered if _start(m) >= now]
    past = [pks[m["id"]] for m in ordered if _start(m) < now][::-1]
    with time_machine.travel(now, tick=False):
        html = Client().get("/kalender/", {"ansicht": "liste"}).content.decode()
    first, _, second = html.partition('id="vergangene"')
    assert re.findall(r'href="/sitzung/(\d+)/"', first) == [str(pk) for pk in upcoming[:25]]
    assert re.findall(r'href="/sitzung/(\d+)/"', second) == [str(pk) for pk in past[:25]]


def _feed(params: dict[str, str]) -> Calendar:
    with time_machine.travel(FEED_DAY, tick=False):
        response = Client().get("/kalender.ics", params)
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    return Calendar.from_ical(response.content)


def test_the_feed_of_an_organization_holds_exactly_its_meetings_of_the_window(
    council: Council,
) -> None:
    org = Organization.objects.get(oparl_id=council.council_id)
    since = FEED_DAY.replace(year=2019)
    expected = sorted(
        (
            m
            for m in council.meetings
            if council.council_id in m["organization"] and _start(m) >= since
        ),
        key=_start,
    )
    assert expected
    pks = _pks([m["id"] for m in expected])
    calendar = _feed({"gremium": str(org.pk)})
    assert str(calendar["X-WR-CALNAME"]) == "Sitzungen Gemeinderat"
    (zone,) = calendar.walk("VTIMEZONE")
    assert str(zone["TZID"]) == "Europe/Berlin"
    events = calendar.walk("VEVENT")
    assert [str(e["UID"]) for e in events] == [m["id"] for m in expected]
    for event, meeting in zip(events, expected, strict=True):
        assert str(event["SUMMARY"]) == meeting["name"]
        assert str(event["URL"]) == f"http://testserver/sitzung/{pks[meeting['id']]}/"
        start = event.decoded("DTSTART")
        assert start == _start(meeting)
        assert event["DTSTART"].params["TZID"] == "Europe/Berlin"
        if "end" in meeting:
            assert event.decoded("DTEND") == datetime.fromisoformat(meeting["end"])
        status = "CANCELLED" if meeting["id"] == council.cancelled else "CONFIRMED"
        assert str(event["STATUS"]) == status
    assert [str(e["STATUS"]) for e in events].count("CANCELLED") == 1


def test_the_feed_of_a_body_and_of_everything(council: Council) -> None:
    since = FEED_DAY.replace(year=2019)
    expected = [m["id"] for m in sorted(council.meetings, key=_start) if _start(m) >= since]
    by_body = _feed({"kommune": str(council.body.pk)})
    assert [str(e["UID"]) for e in by_body.walk("VEVENT")] == expected
    assert str(by_body["X-WR-CALNAME"]) == "Sitzungen Gemeinde Hürtgenwald"
    everything = _feed({})
    assert [str(e["UID"]) for e in everything.walk("VEVENT")] == expected


@pytest.mark.parametrize(
    ("url", "params"),
    [
        ("/kalender/", {"jahr": "2019", "monat": "11"}),
        ("/kalender/", {"jahr": "2019", "monat": "11", "gremium": "ORG"}),
        ("/kalender/", {"ansicht": "liste"}),
        ("/kalender.ics", {}),
    ],
)
def test_calendar_pages_take_at_most_15_queries(
    council: Council, url: str, params: dict[str, str], django_assert_max_num_queries: Any
) -> None:
    org = Organization.objects.get(oparl_id=council.council_id)
    params = {k: str(org.pk) if v == "ORG" else v for k, v in params.items()}
    with time_machine.travel(date(2019, 11, 10), tick=False), django_assert_max_num_queries(15):
        assert Client().get(url, params).status_code == 200
