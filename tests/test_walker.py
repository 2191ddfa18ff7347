"""Walking lists of the replayed council, with the faults real servers have."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from ratsblick.oparl.http import FetchError, HttpClient, NotFound
from ratsblick.oparl.quirks import Quirks, Somacos, Sternberg
from ratsblick.oparl.schema import ObjectType
from ratsblick.oparl.walker import ListWalker, WalkReport
from ratsblick.replay.server import ReplayServer

FUTURE = datetime(2030, 1, 1, tzinfo=UTC)


def papers(replay: ReplayServer) -> str:
    return replay.root + "/body/1/paper"


def walk_ids(walker: ListWalker, url: str, report: WalkReport, since: datetime | None = None):
    return [r.id for page in walker.walk(url, ObjectType.PAPER, report, since) for r in page.top]


def test_walks_every_page(replay: ReplayServer, client: HttpClient) -> None:
    report = WalkReport()
    ids = walk_ids(ListWalker(client, Sternberg()), papers(replay), report)
    assert len(ids) == len(set(ids)) == 2115
    assert report.pages == 85
    assert not report.loop_detected


def test_pagination_loop_is_detected(replay: ReplayServer, client: HttpClient) -> None:
    replay.faults.loop_at_page = 5
    report = WalkReport()
    ids = walk_ids(ListWalker(client, Sternberg()), papers(replay), report)
    assert report.loop_detected
    assert len(ids) == 5 * 25


def test_repeating_content_under_new_urls_is_a_loop(
    replay: ReplayServer, client: HttpClient
) -> None:
    # Next links that differ only in an ignored parameter, content repeating.
    replay.faults.loop_at_page = 2
    replay.faults.loop_fresh_urls = True
    report = WalkReport()
    walk_ids(ListWalker(client, Sternberg()), papers(replay), report)
    assert report.loop_detected
    assert report.pages == 2


def test_empty_filtered_list_404(replay: ReplayServer, client: HttpClient) -> None:
    # Sternberg answers "no changes" with a 404 error object.
    assert walk_ids(ListWalker(client, Sternberg()), papers(replay), WalkReport(), FUTURE) == []
    with pytest.raises(NotFound):
        walk_ids(ListWalker(client, Quirks()), papers(replay), WalkReport(), FUTURE)


def test_filter_is_sent_and_kept(replay: ReplayServer, client: HttpClient) -> None:
    replay.faults.empty_list_404 = False
    report = WalkReport()
    since = datetime(2021, 1, 1, tzinfo=UTC)
    ids = walk_ids(ListWalker(client, Quirks()), papers(replay), report, since)
    assert 0 < len(ids) < 2115
    assert not (report.filter_dropped)
    assert not (report.filter_ignored)


def test_somacos_needs_its_unencoded_query(replay: ReplayServer, client: HttpClient) -> None:
    replay.faults.reject_encoded_query = True
    since = datetime(2021, 1, 1, tzinfo=UTC)
    with pytest.raises(NotFound):
        walk_ids(ListWalker(client, Quirks()), papers(replay), WalkReport(), since)
    assert walk_ids(ListWalker(client, Somacos()), papers(replay), WalkReport(), since)


def test_a_page_that_is_no_list_fails_clearly(site: str, client: HttpClient) -> None:
    with pytest.raises(FetchError, match="not an OParl list"):
        walk_ids(ListWalker(client, Quirks()), site + "/json", WalkReport())
