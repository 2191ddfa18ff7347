"""One full sync of the real Hürtgenwald crawl, read by every test of this module.

The tests that change the served data or sync again live in `test_sync.py`;
these only read, so the crawl is synced once (on each database) for all of them.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from pytest_django import DjangoDbBlocker

from ratsblick.council.models import (
    AgendaItem,
    Body,
    Consultation,
    File,
    Location,
    Meeting,
    Membership,
    Organization,
    Paper,
    Person,
    SyncRun,
)
from ratsblick.council.status import body_status
from tests.helpers import live
from tests.web_data import councils

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def body(django_db_setup: None, django_db_blocker: DjangoDbBlocker) -> Iterator[Body]:
    with django_db_blocker.unblock(), councils(lambda dataset: None) as synced:
        yield synced


def test_full_sync_has_the_real_counts(body: Body) -> None:
    run = body.sync_runs.get()
    assert run.outcome == SyncRun.Outcome.OK
    assert (run.full, run.modified_since) == (True, None)
    assert (live(Paper), Paper.objects.filter(deleted=True).count()) == (2097, 18)
    assert (live(Meeting), Meeting.objects.filter(deleted=True).count()) == (346, 21)
    assert live(Person) == 49
    assert live(Organization) == 22
    assert live(File) == 6947
    assert live(AgendaItem) == 5106
    assert live(Consultation) == 2228
    assert live(Membership) == 533
    status = body_status(body)
    assert status["files"] == 6947
    assert status["types"]["Paper"] == {"live": 2097, "deleted": 18, "unresolved": 0}
    assert status["last_sync"]["outcome"] == "ok"


def test_vendor_fixups_applied_to_the_body(body: Body) -> None:
    assert body.name == "Gemeinde Hürtgenwald"
    assert body.ags == "05358016"  # recorded as 7 digits
    assert body.location.geojson["geometry"]["coordinates"][:2] == pytest.approx(
        [6.395776, 50.722007]
    )  # recorded as [lat, lon]
    assert body.system.vendor == "https://www.sitzungsdienst.net/"


def test_relations_follow_the_data(body: Body) -> None:
    meeting = Meeting.objects.get(oparl_id__endswith="/meeting/898")
    assert meeting.name == "Gemeinderat (18. Sitzung)"
    assert [o.name for o in meeting.organizations.all()] == ["Gemeinderat"]
    assert meeting.invitation.name == "Bekanntmachung (Gemeinderat)"
    assert meeting.results_protocol.name == "Öffentliche Niederschrift (Gemeinderat)"
    items = list(meeting.agenda_items.order_by("order"))
    assert items[0].number == "A"
    assert items[0].auxiliary_files.get().name == "Infotext (Anwesenheitsliste)"
    # paper -> consultation -> agenda item -> meeting -> organization
    consultation = (
        Consultation.objects.exclude(agenda_item=None)
        .select_related("paper", "agenda_item__meeting", "meeting")
        .order_by("oparl_id")[0]
    )
    assert consultation.paper.consultations.filter(pk=consultation.pk).exists()
    assert consultation.agenda_item.meeting == consultation.meeting
    named = consultation.meeting.raw["organization"]
    assert named  # the meeting names its organization, and the link holds it
    assert sorted(o.oparl_id for o in consultation.meeting.organizations.all()) == sorted(named)
    paper = Paper.objects.get(oparl_id__endswith="/paper/60")
    assert paper.reference == "102/2002"
    assert paper.main_file.mime_type == "application/pdf"
    person = Person.objects.get(oparl_id__endswith="/person/13")
    roles = set(person.memberships.values_list("role", flat=True))
    assert roles == {
        "Mitglied",
        "stellv. Mitglied",
        "Sachkundiger Bürger",
        "Ausschussvorsitzender",
        "stellvertetender Ausschussvorsitzender",  # sic
    }
    assert (
        person.memberships.filter(organization__name="Christlich Demokratische Union").count() == 2
    )


def test_missing_references_are_kept_and_reported(body: Body) -> None:
    run = body.sync_runs.get()
    unresolved = Location.objects.filter(stub=True)
    assert unresolved.count() == 35
    assert set(unresolved.values_list("fetch_error", flat=True)) == {"HTTP 404"}
    assert Person.objects.filter(location__in=unresolved).count() == 35
    assert run.counts["Location"] == {"new": 4, "unchanged": 41, "failed": 35}
    assert sorted(run.notes) == sorted(
        f"Location {loc.oparl_id} referenced but not fetched: HTTP 404" for loc in unresolved
    )
