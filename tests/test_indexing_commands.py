"""The index commands and documents on one synced crawl, shared by the module.

Each test builds its index in a home of its own from the same synced rows
(the outbox it drains comes back when its transaction is rolled back);
`test_indexing.py` keeps the test that changes the served data.
"""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from django.core.management import CommandError
from pytest_django import DjangoDbBlocker

from ratsblick.council.models import Body, Change, File, Meeting, Paper, record_changes
from ratsblick.indexing import documents
from ratsblick.indexing.service import index_path, search_index
from ratsblick.search import Kind, Parent
from ratsblick.search.engine import CURRENT
from tests.helpers import command
from tests.test_indexing import found
from tests.web_data import councils

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def body(django_db_setup: None, django_db_blocker: DjangoDbBlocker) -> Iterator[Body]:
    with django_db_blocker.unblock(), councils(lambda dataset: None) as synced:
        yield synced


def test_a_busy_index_keeps_the_changes_queued(body: Body) -> None:
    command("index")
    record_changes("paper", Paper.objects.values_list("pk", flat=True)[:5])
    queued = Change.objects.count()
    assert queued == 5
    with search_index().writer(), pytest.raises(CommandError, match="anderen Prozess"):
        command("index")
    assert Change.objects.count() == queued
    assert "geschrieben" in command("index")
    assert Change.objects.count() == 0


def test_reindex_if_needed(body: Body) -> None:
    assert "neu aufgebaut" in command("reindex", "--if-needed")
    assert "aktuell" in command("reindex", "--if-needed")
    current = index_path() / CURRENT
    current.write_text(json.dumps({**json.loads(current.read_text()), "analysis": -1}))
    assert "neu aufgebaut" in command("reindex", "--if-needed")
    assert found("Hundesteuersatzung")


def test_the_search_command(body: Body) -> None:
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


def test_a_file_is_shown_in_its_paper_else_its_meeting(body: Body) -> None:
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
