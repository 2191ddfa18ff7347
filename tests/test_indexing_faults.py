"""Faults found in the index's real paths: impossible dates in stored rows and in
requests, and two rebuilds at once."""

from __future__ import annotations

import json
from datetime import date

import pytest
from django.core.management import CommandError
from django.test import Client

from ratsblick.council.models import Change, Paper, record_changes
from ratsblick.indexing.service import index_changes, search, search_index
from ratsblick.oparl.http import HttpClient
from ratsblick.replay.server import ReplayServer
from ratsblick.search import Filters, IndexBusy, SearchRequest
from tests.helpers import command, synced

pytestmark = pytest.mark.django_db
OUT_OF_RANGE = "liegt nicht zwischen 1678 und 2261 und wird ignoriert."


def test_papers_dated_outside_the_index_range_are_indexed(
    replay: ReplayServer, client: HttpClient
) -> None:
    """A paper dated 9999-12-31 or 0201-03-05 made indexing fail for the whole instance.

    The sync refuses such dates now; rows stored before (or by another path) keep them.
    """
    synced(replay, client)
    index_changes()
    quokka, kastell = Paper.objects.filter(deleted=False, stub=False).order_by("pk")[:2]
    Paper.objects.filter(pk=quokka.pk).update(name="Quokkagehege", date=date(9999, 12, 31))
    Paper.objects.filter(pk=kastell.pk).update(name="Römisches Kastell", date=date(201, 3, 5))
    record_changes("paper", [quokka.pk, kastell.pk])
    index_changes()

    def found(request: SearchRequest) -> list[tuple[str, date | None]]:
        return [(h.key, h.date) for h in search(request).hits]

    assert found(SearchRequest("Quokkagehege")) == [(f"paper:{quokka.pk}", None)]
    assert found(SearchRequest("Kastell")) == [(f"paper:{kastell.pk}", None)]
    since = found(SearchRequest("Haushaltssatzung", Filters(date_from=date(2015, 1, 1)), limit=100))
    assert since
    assert all(day and day >= date(2015, 1, 1) for _, day in since)
    newest = [day for _, day in found(SearchRequest("von:2000", sort="date", limit=100))]
    assert newest == sorted(newest, reverse=True)
    assert None not in newest
    assert search_index().num_docs() > 0


def test_years_the_index_cannot_hold_answer_with_a_note(
    replay: ReplayServer, client: HttpClient
) -> None:
    """`ratsblick search --json 'jahr:9999'` crashed, as did the page with jahr=9999."""
    synced(replay, client)
    command("index")
    result = json.loads(command("search", "--json", "jahr:9999"))
    assert result["warnings"][0] == f"Datum „9999“ {OUT_OF_RANGE}"
    assert result["total"] == 0
    result = json.loads(command("search", "--json", "--from", "9999", "--to", "0201", "Haushalt"))
    assert result["warnings"] == [
        f"Datum „1.1.9999“ {OUT_OF_RANGE}",
        f"Datum „31.12.201“ {OUT_OF_RANGE}",
    ]
    assert result["total"] == json.loads(command("search", "--json", "Haushalt"))["total"] > 0
    for params in ({"q": "Haushalt", "jahr": "9999"}, {"q": "Haushalt", "von": "1.1.0201"}):
        page = Client().get("/suche/", params)
        assert page.status_code == 200, params
        assert OUT_OF_RANGE in page.content.decode()


def test_reindex_while_another_rebuild_runs_says_so(
    replay: ReplayServer, client: HttpClient
) -> None:
    synced(replay, client)
    with (
        search_index().rebuild(),
        pytest.raises(CommandError, match="anderen Prozess neu aufgebaut"),
    ):
        command("reindex")
    assert "neu aufgebaut" in command("reindex")


def test_changes_made_during_a_rebuild_wait_for_the_new_generation(
    replay: ReplayServer, client: HttpClient
) -> None:
    """`index_changes` during a rebuild wrote into the generation the rebuild then
    replaced, and dropped the outbox rows: the change was lost."""
    synced(replay, client)
    command("index")
    paper = Paper.objects.live().filter(name__contains="Bauausschuss").first()
    assert paper is not None
    with search_index().rebuild() as rebuilding:
        # The rebuild has read this paper as it was; now it is renamed.
        rebuilding.add([])
        Paper.objects.filter(pk=paper.pk).update(name="Zwischendurch umbenannt")
        record_changes(Paper.oparl_type, [paper.pk])
        with pytest.raises(IndexBusy):
            index_changes()
    assert Change.objects.filter(object_pk=paper.pk).exists()  # still queued
    index_changes()
    hits = search(SearchRequest("Zwischendurch umbenannt")).hits
    assert [h.key for h in hits] == [f"paper:{paper.pk}"]
