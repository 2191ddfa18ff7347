"""Sync the real Hürtgenwald crawl from a loopback replay server."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import quote

import pytest

from ratsblick.council.models import (
    Body,
    Meeting,
    Organization,
    Paper,
    SyncRun,
)
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
