"""The meeting page (Sitzung) and its iCal file on the synced Hürtgenwald crawl."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.db.models import Count
from django.test import Client
from icalendar import Calendar
from pytest_django import DjangoAssertNumQueries, DjangoDbBlocker

from ratsblick.council.models import AgendaItem, Body, File, Meeting, Organization, Paper
from ratsblick.reader import NotFound
from ratsblick.reader.meetings import meeting_page
from ratsblick.replay.dataset import RecordedDataset
from tests.web_data import councils

pytestmark = pytest.mark.django_db

RIM = "https://sdnetrim.kdvz-frechen.de/rim4220/webservice/oparl/v1.0/body/1"
BERLIN = ZoneInfo("Europe/Berlin")
PLACE = (
    "Rathaus Gemeinde Hürtgenwald, Großer Sitzungssaal des Rathauses, "
    "August-Scholl-Str. 5, 52393 Hürtgenwald"
)


def edit(dataset: RecordedDataset) -> None:
    """A meeting cancelled, one without a date; an item of the richest made non-public."""
    dataset.change(f"{RIM}/meeting/2171", cancelled=True, meetingState="abgesagt")
    dataset.change(f"{RIM}/meeting/2172", start=None, end=None)
    richest = dataset.lookup(f"{RIM}/meeting/1100")
    assert richest is not None
    items: list[dict[str, Any]] = richest["agendaItem"]
    last = {**items[-1], "public": False}
    dataset.change(f"{RIM}/meeting/1100", agendaItem=[*items[:-1], last])


@pytest.fixture(scope="module")
def council(django_db_setup: None, django_db_blocker: DjangoDbBlocker) -> Iterator[Body]:
    with django_db_blocker.unblock(), councils(edit) as body:
        yield body


@pytest.fixture
def web() -> Client:
    return Client()


def meeting(number: int) -> Meeting:
    return Meeting.objects.get(oparl_id__endswith=f"/meeting/{number}")


def html(web: Client, url: str) -> str:
    answer = web.get(url)
    assert answer.status_code == 200
    return answer.content.decode()


def test_the_page_says_who_meets_when_and_where(council: Body, web: Client) -> None:
    shown = meeting(1100)
    assert shown.get_absolute_url() == f"/sitzung/{shown.pk}/"
    page = html(web, shown.get_absolute_url())
    assert "<h1>Gemeinderat (39. Sitzung)</h1>" in page
    rat = Organization.objects.get(name="Gemeinderat")
    assert f'<dt>Gremium</dt><dd><a href="/gremium/{rat.pk}/">Gemeinderat</a></dd>' in page
    assert (
        '<dt>Termin</dt><dd><time datetime="2018-11-29T19:05:00+01:00">Donnerstag, 29.11.2018, '
        '19:05</time>–<time datetime="2018-11-29T21:56:00+01:00">21:56</time> Uhr</dd>'
    ) in page
    assert (
        "<dt>Ort</dt><dd>Rathaus Gemeinde Hürtgenwald, Großer Sitzungssaal des Rathauses<br>"
        "August-Scholl-Str. 5<br>52393 Hürtgenwald</dd>"
    ) in page
    assert f'<dd><a href="/kommune/{council.pk}/">Gemeinde Hürtgenwald</a></dd>' in page
    assert (
        f'<a href="{shown.web}" rel="noopener noreferrer">'
        "Diese Sitzung im Ratsinformationssystem</a>"
    ) in page
    assert f'<a class="button" href="/sitzung/{shown.pk}.ics" download>' in page
    assert "abgesagt" not in page.lower()


def test_invitation_and_protocol_link_to_their_files(council: Body, web: Client) -> None:
    shown = meeting(1100)
    page = html(web, f"/sitzung/{shown.pk}/")
    assert shown.invitation is not None
    assert shown.results_protocol is not None
    assert (
        f'<li><a href="/datei/{shown.invitation.pk}/">Bekanntmachung (Gemeinderat)</a>'
        ' <span class="badge">Einladung</span>'
    ) in page
    assert (
        f'<li><a href="/datei/{shown.results_protocol.pk}/">Öffentliche Niederschrift '
        '(Gemeinderat)</a> <span class="badge">Ergebnisprotokoll</span>'
    ) in page
    assert "Wortprotokoll" not in page


def test_the_agenda_in_order_with_papers_results_and_resolutions(
    council: Body, web: Client
) -> None:
    shown = meeting(1100)
    page = meeting_page(shown.pk)
    stored = list(shown.agenda_items.order_by("order"))
    assert len(page.agenda) == len(stored) == 50
    assert [item.pk for item in page.agenda] == [item.pk for item in stored]
    assert [item.number for item in page.agenda[:6]] == ["A", "1.", "2.", "3.", "4.", "4.2"]
    second = page.agenda[3]
    assert second.paper is not None
    assert (second.paper.reference, second.result) == ("159/2018", "einstimmig, 1 Enthaltung Linke")
    assert second.resolution_file is not None
    assert page.agenda[-1].public is False
    assert [item.public for item in page.agenda[:-1]] == [None] * 49

    text = html(web, f"/sitzung/{shown.pk}/")
    rows = re.findall(r'<tr id="top-(\d+)"', text)
    assert [int(pk) for pk in rows] == [item.pk for item in stored]
    paper = Paper.objects.get(reference="154/2018")
    item = AgendaItem.objects.get(meeting=shown, number="2.")
    row = text[text.index(f'<tr id="top-{item.pk}">') :]
    row = row[: row.index("</tr>")]
    assert (
        f'<td data-label="Vorlage"><a href="/vorlage/{paper.pk}/">'
        '<span class="visually-hidden">Vorlage </span>154/2018</a></td>'
    ) in row
    assert '<td data-label="Ergebnis" class="top-result">einstimmig, 0 Enthaltungen' in row
    assert item.resolution_file is not None
    assert (
        f'<a href="/datei/{item.resolution_file.pk}/">Beschluss'
        '<span class="visually-hidden"> zu TOP 2.</span></a>'
    ) in row
    last = text[text.index(f'<tr id="top-{stored[-1].pk}" class="non-public">') :]
    assert '<span class="badge">nichtöffentlich</span>' in last[: last.index("</tr>")]
    # An item's auxiliary file (the attendance list under "A").
    (attendance,) = stored[0].auxiliary_files.all()
    assert f'<li><a href="/datei/{attendance.pk}/">{attendance.name}</a></li>' in text


def test_an_agenda_item_links_to_its_row_on_the_meeting_page(council: Body, web: Client) -> None:
    item = AgendaItem.objects.live().filter(meeting=meeting(1100), number="3.").get()
    url = item.get_absolute_url()
    assert url == f"/sitzung/{item.meeting_id}/#top-{item.pk}"
    path, anchor = url.split("#")
    assert f'<tr id="{anchor}">' in html(web, path)
    assert AgendaItem(meeting=None).get_absolute_url() == ""


def test_a_cancelled_meeting_says_so(council: Body, web: Client) -> None:
    shown = meeting(2171)
    page = html(web, f"/sitzung/{shown.pk}/")
    assert (
        '<p class="notice cancelled"><strong>Abgesagt:</strong> '
        "Diese Sitzung findet nicht statt.</p>"
    ) in page
    assert (
        '<dt>Status</dt><dd><strong class="badge badge-warn">abgesagt</strong> (abgesagt)</dd>'
    ) in page
    assert (
        "<title>Schulausschuss (12. Sitzung) am 05.06.2018 (abgesagt) – Ratsblick</title>" in page
    )


def ical(web: Client, pk: int) -> Any:
    answer = web.get(f"/sitzung/{pk}.ics")
    assert answer.status_code == 200
    assert answer["Content-Type"] == "text/calendar; charset=utf-8"
    (event,) = Calendar.from_ical(answer.content).walk("VEVENT")
    return event


def test_the_ical_file_holds_the_meeting(council: Body, web: Client) -> None:
    shown = meeting(1100)
    event = ical(web, shown.pk)
    assert str(event["UID"]) == shown.oparl_id
    assert str(event["SUMMARY"]) == "Gemeinderat (39. Sitzung)"
    start, end = event["DTSTART"], event["DTEND"]
    assert start.dt == datetime(2018, 11, 29, 19, 5, tzinfo=BERLIN)
    assert end.dt == datetime(2018, 11, 29, 21, 56, tzinfo=BERLIN)
    assert start.params["TZID"] == end.params["TZID"] == "Europe/Berlin"
    assert str(event["LOCATION"]) == PLACE
    assert str(event["URL"]) == f"http://testserver/sitzung/{shown.pk}/"
    assert str(event["STATUS"]) == "CONFIRMED"
    calendar = Calendar.from_ical(web.get(f"/sitzung/{shown.pk}.ics").content)
    assert [tz["TZID"] for tz in calendar.walk("VTIMEZONE")] == ["Europe/Berlin"]


def test_a_cancelled_meeting_is_cancelled_in_the_calendar(council: Body, web: Client) -> None:
    shown = meeting(2171)
    event = ical(web, shown.pk)
    assert str(event["STATUS"]) == "CANCELLED"
    assert event["DTSTART"].dt == datetime(2018, 6, 5, 18, 0, tzinfo=BERLIN)


def test_a_meeting_without_a_date_has_a_page_but_no_calendar_entry(
    council: Body, web: Client
) -> None:
    shown = meeting(2172)
    assert shown.start is None
    page = html(web, f"/sitzung/{shown.pk}/")
    assert "<dt>Termin</dt><dd>ohne Termin</dd>" in page
    assert ".ics" not in page
    assert web.get(f"/sitzung/{shown.pk}.ics").status_code == 404


def test_unknown_deleted_and_placeholder_meetings_are_404(council: Body, web: Client) -> None:
    deleted = Meeting.objects.filter(deleted=True).first()
    assert deleted is not None
    stub = Meeting.objects.create(oparl_id="https://example.org/meeting/stub", stub=True)
    for pk in (deleted.pk, stub.pk, 10**17):
        with pytest.raises(NotFound):
            meeting_page(pk)
        assert web.get(f"/sitzung/{pk}/").status_code == 404
        assert web.get(f"/sitzung/{pk}.ics").status_code == 404


def test_the_meeting_with_the_most_agenda_items_takes_at_most_15_queries(
    council: Body, web: Client, django_assert_max_num_queries: DjangoAssertNumQueries
) -> None:
    richest = Meeting.objects.live().annotate(n=Count("agenda_items")).order_by("-n", "pk").first()
    assert richest is not None
    assert richest.n == 50
    assert File.objects.filter(resolution_file_of__meeting=richest).count() == 21
    with django_assert_max_num_queries(15):
        assert web.get(f"/sitzung/{richest.pk}/").status_code == 200
    with django_assert_max_num_queries(15):
        assert web.get(f"/sitzung/{richest.pk}.ics").status_code == 200
