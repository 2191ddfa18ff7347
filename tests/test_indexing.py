"""The index follows the database: full and incremental syncs, busy writers, rebuilds,
the search command, and which paper or meeting a file is shown in (the search page
is tested in test_web_search)."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.core.management import CommandError

from ratsblick.council.models import (
    Change,
    File,
    Meeting,
    Organization,
    Paper,
    Person,
    record_changes,
)
from ratsblick.council.sync import sync_body
from ratsblick.indexing import documents
from ratsblick.indexing.service import index_changes, index_path, search, search_index
from ratsblick.oparl.http import HttpClient
from ratsblick.replay.dataset import RecordedDataset
from ratsblick.replay.server import ReplayServer
from ratsblick.search import Filters, Kind, Parent, SearchRequest
from ratsblick.search.engine import CURRENT
from tests.helpers import backdate_syncs, command, live, synced

pytestmark = pytest.mark.django_db


def found(text: str, **filters: object) -> list[str]:
    request = SearchRequest(text, Filters(**filters), limit=100)  # type: ignore[arg-type]
    return [h.key for h in search(request).hits]


@pytest.mark.clock
def test_a_sync_is_indexed_and_then_its_changes(
    dataset: RecordedDataset, replay: ReplayServer, client: HttpClient
) -> None:
    body = synced(replay, client)
    report = index_changes()
    assert Change.objects.count() == 0
    expected = live(Paper) + live(Meeting) + live(File) + live(Person) + live(Organization)
    assert report.written == expected == search_index().num_docs()
    papers = found("Hundesteuersatzung", kinds=[Kind.PAPER])
    assert papers
    assert all(Paper.objects.get(pk=int(k.split(":")[1])).body == body for k in papers)
    assert found("Hundesteuer", kinds=[Kind.PAPER])[: len(papers)]  # compound part

    backdate_syncs(body)
    paper = Paper.objects.get(oparl_id__endswith="/paper/60")
    meeting = Meeting.objects.get(oparl_id__endswith="/meeting/898")
    assert f"meeting:{meeting.pk}" in found(meeting.name)
    objects = dataset.list_url("paper").rsplit("/", 1)[0]
    dataset.change(objects + "/paper/60", name="Quokkagehege am Rathaus")
    dataset.delete(objects + "/meeting/898")
    sync_body(body, client, margin=timedelta(0))
    assert Change.objects.exists()
    report = index_changes()
    assert report.deleted >= 1
    assert found("Quokkagehege") == [f"paper:{paper.pk}"]
    assert f"meeting:{meeting.pk}" not in found(meeting.name)
    assert search_index().num_docs() == expected - 1


def test_a_busy_index_keeps_the_changes_queued(replay: ReplayServer, client: HttpClient) -> None:
    synced(replay, client)
    command("index")
    record_changes("paper", Paper.objects.values_list("pk", flat=True)[:5])
    queued = Change.objects.count()
    assert queued == 5
    with search_index().writer(), pytest.raises(CommandError, match="anderen Prozess"):
        command("index")
    assert Change.objects.count() == queued
    assert "geschrieben" in command("index")
    assert Change.objects.count() == 0


def test_reindex_if_needed(replay: ReplayServer, client: HttpClient) -> None:
    synced(replay, client)
    assert "neu aufgebaut" in command("reindex", "--if-needed")
    assert "aktuell" in command("reindex", "--if-needed")
    current = index_path() / CURRENT
    current.write_text(json.dumps({**json.loads(current.read_text()), "analysis": -1}))
    assert "neu aufgebaut" in command("reindex", "--if-needed")
    assert found("Hundesteuersatzung")


def test_the_search_command(replay: ReplayServer, client: HttpClient) -> None:
    body = synced(replay, client)
    with pytest.raises(CommandError, match="Noch kein Suchindex"):
        command("search", "Haushalt")
    command("index")
    result = json.loads(
        command("search", "Haushaltssatzung", "--json", "--type", "vorlage", "--facets",
                "--body", str(body.pk), "--from", "2015", "--sort", "date")
    )  # fmt: skip
    assert result["total"] > 0
    hit = result["hits"][0]
    assert hit["type"] == "paper"
    assert hit["date"] >= "2015-01-01"
    assert set(hit) == {
        "type", "id", "body", "title", "reference", "date", "score", "snippet",
        "matched", "files", "files_matched",
    }  # fmt: skip
    # Papers only: each is a hit of its own.
    assert result["groups"] == result["total"]
    assert result["more"] == (result["total"] > len(result["hits"]))
    assert "<mark>" in hit["snippet"]["html"]
    assert result["facets"]["kind"] == {"paper": result["total"]}
    dates = [h["date"] for h in result["hits"]]
    assert dates == sorted(dates, reverse=True)
    text = command("search", "Haushaltssatzung", "--limit", "3")
    assert "Treffer" in text
    assert "typ:raumschiff" not in command("search", "typ:raumschiff Haushalt")
    assert "Unbekannter Typ" in command("search", "typ:raumschiff Haushalt")
    # A typo: "Meinten Sie" with the word as the index has it.
    assert "Meinten Sie: Haushaltssatzung?" in command("search", "Haushaltsatzung")
    typo = json.loads(command("search", "Haushaltsatzung", "--json"))
    assert (typo["total"], typo["suggestion"]) == (0, "Haushaltssatzung")
    assert result["suggestion"] is None


def test_a_file_is_shown_in_its_paper_else_its_meeting(
    replay: ReplayServer, client: HttpClient
) -> None:
    synced(replay, client)
    paper = Paper.objects.live().get(reference="159/2006")
    meeting = Meeting.objects.live().filter(invitation__isnull=False).order_by("pk").first()
    assert meeting is not None
    assert paper.main_file_id
    assert meeting.invitation_id
    alone = File.objects.live().create(body=paper.body, name="Lose Datei", oparl_id="urn:lose")
    built = documents.build(
        [(Kind.FILE, paper.main_file_id), (Kind.FILE, meeting.invitation_id), (Kind.FILE, alone.pk)]
    )
    main = built[f"file:{paper.main_file_id}"]
    assert (main.parent, main.reference, main.paper_type) == (
        Parent(f"paper:{paper.pk}", paper.name, "159/2006", paper.date),
        "",  # the Drucksachen-Nr finds the paper, not its files
        paper.paper_type,
    )
    invitation = built[f"file:{meeting.invitation_id}"]
    assert invitation.parent is not None
    assert invitation.parent.key == f"meeting:{meeting.pk}"
    assert invitation.organizations == sorted(meeting.organizations.values_list("pk", flat=True))
    assert built[f"file:{alone.pk}"].parent is None
    # A change of the meeting rebuilds its files (their parent may have gone).
    keys = documents.affected([(Meeting.oparl_type, meeting.pk)])
    assert (Kind.FILE, meeting.invitation_id) in keys
