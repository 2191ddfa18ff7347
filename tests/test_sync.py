"""Sync the real Hürtgenwald crawl from a loopback replay server."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import quote

import pytest

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
from ratsblick.council.sync import add_body, sync_body
from ratsblick.oparl.http import HttpClient
from ratsblick.replay.dataset import RecordedDataset
from ratsblick.replay.server import ReplayServer
from tests.canonical import canonical_dump
from tests.helpers import backdate_syncs, live, synced

pytestmark = pytest.mark.django_db


def first_sync(replay: ReplayServer, client: HttpClient) -> tuple[Body, SyncRun]:
    body = synced(replay, client)
    return body, body.sync_runs.get()


def other_notes(run: SyncRun) -> list[str]:
    """The run's notes beyond the 35 locations the crawl lacks (reported by every run)."""
    return sorted(n for n in run.notes if "referenced but not fetched" not in n)


def test_full_sync_has_the_real_counts(replay: ReplayServer, client: HttpClient) -> None:
    body, run = first_sync(replay, client)
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


def test_vendor_fixups_applied_to_the_body(replay: ReplayServer, client: HttpClient) -> None:
    body = synced(replay, client)
    assert body.name == "Gemeinde Hürtgenwald"
    assert body.ags == "05358016"  # recorded as 7 digits
    assert body.location.geojson["geometry"]["coordinates"][:2] == pytest.approx(
        [6.395776, 50.722007]
    )  # recorded as [lat, lon]
    assert body.system.vendor == "https://www.sitzungsdienst.net/"


def test_relations_follow_the_data(replay: ReplayServer, client: HttpClient) -> None:
    synced(replay, client)
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


def test_missing_references_are_kept_and_reported(replay: ReplayServer, client: HttpClient) -> None:
    _, run = first_sync(replay, client)
    unresolved = Location.objects.filter(stub=True)
    assert unresolved.count() == 35
    assert set(unresolved.values_list("fetch_error", flat=True)) == {"HTTP 404"}
    assert Person.objects.filter(location__in=unresolved).count() == 35
    assert run.counts["Location"] == {"new": 4, "unchanged": 41, "failed": 35}
    assert sorted(run.notes) == sorted(
        f"Location {loc.oparl_id} referenced but not fetched: HTTP 404" for loc in unresolved
    )


@pytest.mark.clock
def test_incremental_sync_sees_changes_deletions_and_additions(
    dataset: RecordedDataset, replay: ReplayServer, client: HttpClient
) -> None:
    body = synced(replay, client)
    # The next sync asks for changes since the last one started: the changes
    # below are stamped now, the recorded objects (2009-2021) are older.
    backdate_syncs(body)
    paper = dataset.lookup(dataset.list_url("paper").rsplit("/", 1)[0] + "/paper/60")
    assert paper is not None
    dataset.change(paper["id"], name="Umbesetzungen im Bauausschuss (geändert)")
    meeting_id = dataset.list_url("meeting").rsplit("/", 1)[0] + "/meeting/898"
    dataset.delete(meeting_id)
    new_paper = {
        **paper,
        "id": paper["id"].replace("/paper/60", "/paper/999999"),
        "name": "Neuer Antrag",
        "reference": "1/2026",
    }
    new_paper.pop("mainFile")
    new_paper.pop("consultation", None)
    dataset.add("paper", new_paper)

    run = sync_body(body, client, margin=timedelta(0))
    assert run.outcome == SyncRun.Outcome.OK
    assert (run.full, run.modified_since) == (False, body.sync_runs.earliest("pk").started_at)
    assert run.counts == {
        "Paper": {"new": 1, "changed": 1},
        "Meeting": {"deleted": 1},
        "File": {"unchanged": 1},  # the changed paper's main file
        "Location": {"failed": 35},
    }
    paper_now = Paper.objects.get(oparl_id=replay.url(paper["id"]))
    assert paper_now.name == "Umbesetzungen im Bauausschuss (geändert)"
    assert Paper.objects.get(reference="1/2026").name == "Neuer Antrag"
    gone = Meeting.objects.get(oparl_id=replay.url(meeting_id))
    assert gone.deleted is True
    assert gone.name == "Gemeinderat (18. Sitzung)"  # last known content is kept
    assert live(Paper) == 2098
    assert Paper.objects.count() == 2116  # no duplicate


@pytest.mark.clock
def test_incremental_without_changes_writes_nothing(
    replay: ReplayServer, client: HttpClient
) -> None:
    body = synced(replay, client)
    before = canonical_dump()
    requests = replay.requests
    run = sync_body(body, client)
    assert run.outcome == SyncRun.Outcome.OK
    assert run.full is False
    assert run.counts == {"Location": {"failed": 35}}  # the missing ones, asked again
    assert canonical_dump() == before
    # body, 4 empty lists (404: Sternberg), the 35 missing locations again
    assert replay.requests - requests == 1 + 4 + 35


@pytest.mark.clock
@pytest.mark.parametrize(
    "fault",
    ["ignore_modified_since", "drop_modified_since"],
)
def test_incremental_survives_a_broken_filter(
    fault: str, dataset: RecordedDataset, replay: ReplayServer, client: HttpClient
) -> None:
    body = synced(replay, client)
    backdate_syncs(body)
    setattr(replay.faults, fault, True)
    replay.faults.empty_list_404 = False
    # Enough changes for two pages, so that a next link can lose the filter.
    changed = [p["id"] for p in dataset.lists[dataset.list_url("paper")][:30]]
    for paper_id in changed:
        dataset.change(paper_id, name="Geändert")
    run = sync_body(body, client, margin=timedelta(0))
    assert run.outcome == SyncRun.Outcome.OK
    assert Paper.objects.filter(name="Geändert").count() == 30
    assert (
        run.counts["Paper"]
        == {
            "ignore_modified_since": {"changed": 30, "unchanged": 2085},  # every list read again
            "drop_modified_since": {"changed": 30},
        }[fault]
    )
    ignored = "server ignored modified_since (sent older objects): processed all"
    expected_notes = {
        "ignore_modified_since": [
            f"{name}: {ignored}" for name in ("meeting", "organization", "paper", "person")
        ],
        "drop_modified_since": ["paper: server dropped modified_since from its next links"],
    }[fault]
    assert other_notes(run) == expected_notes


def test_sync_survives_5xx_bursts_slow_answers_and_broken_json(
    replay: ReplayServer, client: HttpClient
) -> None:
    # Three bad answers in a row for the same page: within the 3 retries.
    replay.faults.errors_5xx = 1
    replay.faults.broken_json = 1
    replay.faults.hangs = 1
    replay.faults.hang_seconds = 3.0  # longer than the client's 2 s timeout
    replay.faults.only_paths = "/paper"
    _, run = first_sync(replay, client)
    assert run.outcome == SyncRun.Outcome.OK
    assert live(Paper) == 2097
    assert (replay.faults.errors_5xx, replay.faults.broken_json, replay.faults.hangs) == (0, 0, 0)


@pytest.mark.clock
def test_a_list_that_keeps_failing_makes_a_partial_run(
    replay: ReplayServer, client: HttpClient
) -> None:
    body, first = first_sync(replay, client)
    replay.faults.errors_5xx = 10_000
    replay.faults.only_paths = "/meeting"
    run = sync_body(body, client)
    assert run.outcome == SyncRun.Outcome.PARTIAL
    since = quote(f"{first.started_at - timedelta(hours=1):%Y-%m-%dT%H:%M:%SZ}")
    assert other_notes(run) == [
        f"meeting: list not complete: {replay.root}/body/1/meeting?modified_since={since}: HTTP 500"
    ]
    # A partial run is no watermark: the next sync starts where the last good one did.
    replay.faults.errors_5xx = 0
    again = sync_body(body, client, margin=timedelta(0))
    assert again.modified_since == first.started_at


def test_pagination_loop_ends(replay: ReplayServer, client: HttpClient) -> None:
    replay.faults.loop_at_page = 3
    _, run = first_sync(replay, client)
    repeats = "page=1: page repeats an earlier one"
    assert other_notes(run) == [
        f"{name}: pagination loop at {replay.root}/body/1/{name}?{repeats}"
        for name in ("meeting", "paper")
    ]
    assert live(Organization) == 22  # a one-page list is unaffected
    assert live(Paper) == 3 * 25 - Paper.objects.filter(deleted=True).count()


@pytest.mark.clock
def test_objects_answering_404_are_reported(
    dataset: RecordedDataset, replay: ReplayServer, client: HttpClient
) -> None:
    body = synced(replay, client)
    # The paper list stops listing an organization that papers still name.
    org = dataset.list_url("organization").rsplit("/", 1)[0] + "/organization/1-8"
    Organization.objects.filter(oparl_id=replay.url(org)).update(stub=True)
    replay.faults.not_found.add(org)
    run = sync_body(body, client)
    kept = Organization.objects.get(oparl_id=replay.url(org))
    assert (kept.stub, kept.fetch_error) == (True, "HTTP 404")
    assert kept.meetings.count() == 124  # references to it are kept
    assert run.counts == {"Organization": {"failed": 1}, "Location": {"failed": 35}}


def test_two_bodies_in_one_database(replay: ReplayServer, client: HttpClient) -> None:
    synced(replay, client)
    other = RecordedDataset.load()
    with ReplayServer(other) as second:
        (body2,) = add_body(second.system_url, client)
        sync_body(body2, client)
    assert Body.objects.filter(subscribed=True).count() == 2
    assert Paper.objects.filter(deleted=False, body=body2).count() == 2097
    assert live(Paper) == 2 * 2097


def test_single_body_where_the_body_list_belongs(
    dataset: RecordedDataset, replay: ReplayServer, client: HttpClient
) -> None:
    # Sternberg systems may link `body` straight to the one Body object.
    (body,) = dataset.lists[dataset.system["body"]]
    dataset.system["body"] = body["id"]
    (added,) = add_body(replay.system_url, client)
    assert added.name == "Gemeinde Hürtgenwald"


def test_raw_control_characters_in_json(replay: ReplayServer, client: HttpClient) -> None:
    # CC e-gov ALLRIS writes control characters unescaped inside strings,
    # which strict JSON parsers refuse.
    replay.faults.control_characters = True
    _, run = first_sync(replay, client)
    assert run.outcome == SyncRun.Outcome.OK
    assert Paper.objects.filter(deleted=False, name__startswith="\t").count() == 2097
