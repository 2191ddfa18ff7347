"""The index follows the database: full and incremental syncs, busy writers, rebuilds,
the search command, and which paper or meeting a file is shown in (the search page
is tested in test_web_search)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from ratsblick.council.models import (
    Change,
    File,
    Meeting,
    Organization,
    Paper,
    Person,
)
from ratsblick.council.sync import sync_body
from ratsblick.indexing.service import index_changes, search, search_index
from ratsblick.oparl.http import HttpClient
from ratsblick.replay.dataset import RecordedDataset
from ratsblick.replay.server import ReplayServer
from ratsblick.search import Filters, Kind, SearchRequest
from tests.helpers import backdate_syncs, live, synced

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
